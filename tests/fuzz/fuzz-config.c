/* Fuzz target: a configuration read and validated by config_load(), the code behind --check-config and
 * SIGHUP. The input is agent.conf; what follows a line "#@policies.d" goes to policies.d/fuzz.conf. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent-config.h"
#include "fuzz.h"
#include "macro.h"

#define SPLIT_MARKER "#@policies.d\n"

static char *dir, *main_path, *policies_dir, *policy_path;
static FILE *devnull;

static void remove_scratch(void)
{
        unlink(policy_path);
        rmdir(policies_dir);
        unlink(main_path);
        rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        const char *tmp = getenv("TMPDIR");

        if (asprintf(&dir, "%s/aba-fuzz-config-XXXXXX", isempty(tmp) ? "/tmp" : tmp) < 0 || !mkdtemp(dir) ||
            asprintf(&main_path, "%s/agent.conf", dir) < 0 ||
            asprintf(&policies_dir, "%s/policies.d", dir) < 0 || mkdir(policies_dir, 0700) < 0 ||
            asprintf(&policy_path, "%s/fuzz.conf", policies_dir) < 0 ||
            !(devnull = fopen("/dev/null", "we"))) {
                perror("fuzz-config: scratch directory");
                abort();
        }
        atexit(remove_scratch);
        return 0;
}

static void write_file(const char *path, const uint8_t *data, size_t size)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        FUZZ_CHECK(fd >= 0);
        while (size > 0) {
                ssize_t n = write(fd, data, size);
                FUZZ_CHECK(n > 0);
                data += n;
                size -= (size_t)n;
        }
        FUZZ_CHECK(close(fd) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct config_diags diags = {};
        struct agent_config *c = NULL;
        const uint8_t *split = NULL;
        int r;

        /* The marker must start a line. */
        for (const uint8_t *p = data; p && (size_t)(p - data) < size;) {
                p = memmem(p, size - (size_t)(p - data), SPLIT_MARKER, strlen(SPLIT_MARKER));
                if (p && (p == data || p[-1] == '\n')) {
                        split = p;
                        break;
                }
                if (p)
                        p++;
        }
        if (split) {
                size_t skip = (size_t)(split - data) + strlen(SPLIT_MARKER);
                write_file(main_path, data, (size_t)(split - data));
                write_file(policy_path, data + skip, size - skip);
        } else {
                write_file(main_path, data, size);
                FUZZ_CHECK(unlink(policy_path) == 0 || errno == ENOENT);
        }

        r = config_load(main_path, &c, &diags);
        /* The promise of config_load(): a config with no diag, or an error with every reason for it. */
        if (r >= 0) {
                FUZZ_CHECK(c && diags.n == 0);
                for (size_t i = 0; i < c->n_policies; i++)
                        FUZZ_CHECK(!isempty(c->policies[i].name) && c->policies[i].file);
                /* The files are written 0600: no probe_command warning is due. */
                struct config_diags warnings = {};
                FUZZ_CHECK(config_warnings(c, &warnings) == 0 && warnings.n == 0);
                config_diags_clear(&warnings);
                agent_config_free(c);
        } else {
                FUZZ_CHECK(!c && (diags.n > 0 || r == -ENOMEM));
                for (size_t i = 0; i < diags.n; i++)
                        FUZZ_CHECK(diags.items[i].file && !isempty(diags.items[i].message));
                config_diags_print(&diags, devnull);
        }
        config_diags_clear(&diags);
        return 0;
}
