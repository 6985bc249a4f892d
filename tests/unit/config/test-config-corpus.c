/* The config corpus: every file under tests/data/config/bad/ fails with exactly the errors its
 * "# expect: [FILE:]LINE SETTING" lines declare; every file under good/ and both examples load. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "agent-config.h"
#include "config-test-util.h"
#include "test-suite.h"

TEST_FILE("config-corpus");

#define EXPECT_MAX 32

struct expect {
        char file[1024];
        unsigned line;
        char setting[256]; /* "-" for none */
        bool seen;
};

static bool is_dir(const char *p)
{
        struct stat st;
        return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *p)
{
        struct stat st;
        return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int name_order(const struct dirent **a, const struct dirent **b)
{
        return strcmp((*a)->d_name, (*b)->d_name);
}

static int not_dot(const struct dirent *de)
{
        return de->d_name[0] != '.';
}

/* Collect "# expect:" lines of one file; "FILE:" is relative to that file's directory. */
static void read_expects(const char *path, struct expect *e, size_t *n)
{
        FILE *f = fopen(path, "re");
        char line[2048];

        ck_assert_msg(f, "cannot open %s", path);
        while (fgets(line, sizeof(line), f)) {
                char where[1024], setting[256];
                const char *colon;
                if (sscanf(line, "# expect: %1023s %255s", where, setting) != 2)
                        continue;
                ck_assert_msg(*n < EXPECT_MAX, "%s: too many expectations", path);
                struct expect *x = &e[(*n)++];
                *x = (struct expect){};
                colon = strrchr(where, ':');
                if (colon) {
                        const char *slash = strrchr(path, '/');
                        snprintf(x->file, sizeof(x->file), "%.*s%.*s", slash ? (int)(slash - path + 1) : 0,
                                 path, (int)(colon - where), where);
                        x->line = (unsigned)strtoul(colon + 1, NULL, 10);
                } else {
                        snprintf(x->file, sizeof(x->file), "%s", path);
                        x->line = (unsigned)strtoul(where, NULL, 10);
                }
                snprintf(x->setting, sizeof(x->setting), "%s", setting);
        }
        fclose(f);
}

static size_t case_expects(const char *main, struct expect *e)
{
        size_t n = 0;
        char dir[1024];
        struct dirent **names;
        const char *slash = strrchr(main, '/');
        int k;

        read_expects(main, e, &n);
        snprintf(dir, sizeof(dir), "%.*spolicies.d", slash ? (int)(slash - main + 1) : 0, main);
        if (!is_dir(dir))
                return n;
        k = scandir(dir, &names, not_dot, name_order);
        ck_assert_int_ge(k, 0);
        for (int i = 0; i < k; i++) {
                char p[2048];
                size_t l = strlen(names[i]->d_name);
                snprintf(p, sizeof(p), "%s/%s", dir, names[i]->d_name);
                if (l > 5 && strcmp(names[i]->d_name + l - 5, ".conf") == 0 && is_file(p))
                        read_expects(p, e, &n);
                free(names[i]);
        }
        free(names);
        return n;
}

static void check_bad_case(const char *main)
{
        struct expect e[EXPECT_MAX];
        size_t n = case_expects(main, e);
        struct agent_config *c = NULL;
        struct config_diags d = {};

        ck_assert_msg(n > 0, "%s declares no \"# expect:\" line", main);
        ck_assert_msg(config_load(main, &c, &d) == -EINVAL, "%s was not refused", main);
        ck_assert_ptr_null(c);
        for (size_t i = 0; i < d.n; i++) {
                const struct config_diag *g = &d.items[i];
                bool matched = false;
                for (size_t j = 0; j < n && !matched; j++) {
                        struct expect *x = &e[j];
                        if (x->seen || x->line != g->line || strcmp(x->file, g->file) != 0)
                                continue;
                        if (strcmp(x->setting, "-") == 0
                                ? g->setting != NULL
                                : !g->setting || strcmp(x->setting, g->setting) != 0)
                                continue;
                        x->seen = matched = true;
                }
                ck_assert_msg(matched, "%s: unexpected error %s:%u: %s: %s", main, g->file, g->line,
                              g->setting ? g->setting : "-", g->message);
        }
        for (size_t j = 0; j < n; j++)
                ck_assert_msg(e[j].seen, "%s: missing error %s:%u %s", main, e[j].file, e[j].line,
                              e[j].setting);
        config_diags_clear(&d);
}

/* Calls fn on every *.conf file in dir and on every dir/X/agent.conf; returns how many. */
static size_t for_each_case(const char *dir, void (*fn)(const char *main))
{
        struct dirent **names;
        size_t count = 0;
        int k = scandir(dir, &names, not_dot, name_order);

        ck_assert_msg(k >= 0, "cannot list %s", dir);
        for (int i = 0; i < k; i++) {
                char p[2048];
                size_t l = strlen(names[i]->d_name);
                snprintf(p, sizeof(p), "%s/%s", dir, names[i]->d_name);
                if (l > 5 && strcmp(names[i]->d_name + l - 5, ".conf") == 0 && is_file(p)) {
                        fn(p);
                        count++;
                } else if (is_dir(p)) {
                        strncat(p, "/agent.conf", sizeof(p) - strlen(p) - 1);
                        if (is_file(p)) {
                                fn(p);
                                count++;
                        }
                }
                free(names[i]);
        }
        free(names);
        return count;
}

TEST(every_bad_file_reports_exactly_its_declared_errors)
{
        char dir[1024];
        snprintf(dir, sizeof(dir), "%s/config/bad", test_data_dir());
        size_t n = for_each_case(dir, check_bad_case);
        ck_assert_uint_ge(n, 40);
}

static void check_good_case(const char *main)
{
        FILE *f = fopen(main, "re");
        char line[256];
        int want = -1;

        ck_assert_ptr_nonnull(f);
        while (fgets(line, sizeof(line), f))
                if (sscanf(line, "# expect-ok: %d", &want) == 1)
                        break;
        fclose(f);
        ck_assert_msg(want >= 0, "%s declares no \"# expect-ok: N\"", main);

        _cleanup_(agent_config_freep) struct agent_config *c = load_ok(main);
        ck_assert_uint_eq(c->n_policies, (size_t)want);
}

TEST(every_good_file_loads_with_its_declared_policy_count)
{
        char dir[1024];
        snprintf(dir, sizeof(dir), "%s/config/good", test_data_dir());
        ck_assert_uint_ge(for_each_case(dir, check_good_case), 5);
}

TEST(shipped_examples_are_valid)
{
        static const char *const examples[] = {CONFIG_EXAMPLES_DIR "/minimal.conf",
                                               CONFIG_EXAMPLES_DIR "/full.conf"};
        for (size_t i = 0; i < ELEMENTSOF(examples); i++) {
                _cleanup_(agent_config_freep) struct agent_config *c = load_ok(examples[i]);
                ck_assert_uint_ge(c->n_policies, 1);
        }
}
