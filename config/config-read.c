/* The wrapper around libconfig: reading files (with our caps and refusals) and settings (with type,
 * range and schema checks), each problem turned into a diag. */
#include "config-read.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "arena.h"
#include "config-diag.h"
#include "timespec.h"

void conf_destroyp(config_t **c)
{
        if (*c)
                config_destroy(*c);
}

int conf_file_error(struct conf_ctx *ctx, const char *file, unsigned line, const char *msg)
{
        ctx->n_errors++;
        if (config_diags_add(ctx->diags, file, line, NULL, "%s", msg) < 0)
                ctx->oom = -ENOMEM;
        return -EINVAL;
}

/* libconfig 1.5 follows "@include" itself, and exits the whole process when the included path is a
 * directory (flex's fatal error). policies.d/ covers what includes would, so they are refused here,
 * before libconfig sees the text. The pattern is libconfig's own, ^[ \t]*@include[ \t]+", applied to
 * every line (also inside comments and strings, which only makes it stricter). */
static int check_no_include(struct conf_ctx *ctx, const char *path, const char *text)
{
        unsigned line = 1;
        int r = 0;

        for (const char *l = text; l && *l; line++) {
                const char *p = l + strspn(l, " \t");
                if (startswith(p, "@include")) {
                        p += strlen("@include");
                        size_t ws = strspn(p, " \t");
                        if (ws > 0 && p[ws] == '"')
                                r = conf_file_error(
                                    ctx, path, line,
                                    "@include is not supported: put policies in policies.d/*.conf "
                                    "beside the main file");
                }
                l = strchr(l, '\n');
                if (l)
                        l++;
        }
        return r;
}

int conf_read_file(struct conf_ctx *ctx, const char *path, config_t *cfg)
{
        _cleanup_close_ int fd = -1;
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_free_ char *text = NULL;
        struct stat st;
        size_t n;
        int r;

        /* O_NONBLOCK: a FIFO named *.conf must not hang the agent; it is refused below. */
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0 || fstat(fd, &st) < 0) {
                r = negative_errno();
                ctx->n_errors++;
                if (config_diags_add(ctx->diags, path, 0, NULL, "cannot read: %s", strerror(-r)) < 0)
                        ctx->oom = -ENOMEM;
                return r;
        }
        if (!S_ISREG(st.st_mode))
                return conf_file_error(ctx, path, 0, "not a regular file");
        f = fdopen(fd, "r");
        if (!f) {
                ctx->oom = -ENOMEM;
                return -ENOMEM;
        }
        TAKE_FD(fd);

        /* Read one byte past the cap to notice a file larger than it (or one that grew since fstat). */
        text = malloc(CONFIG_FILE_SIZE_MAX + 2);
        if (!text) {
                ctx->oom = -ENOMEM;
                return -ENOMEM;
        }
        n = fread(text, 1, CONFIG_FILE_SIZE_MAX + 1, f);
        if (ferror(f)) {
                r = -EIO;
                ctx->n_errors++;
                if (config_diags_add(ctx->diags, path, 0, NULL, "cannot read: %s", strerror(-r)) < 0)
                        ctx->oom = -ENOMEM;
                return r;
        }
        if (n > CONFIG_FILE_SIZE_MAX) {
                conf_file_error(ctx, path, 0, "larger than 1 MiB; is this the right file?");
                return -EFBIG;
        }
        text[n] = '\0';
        if (memchr(text, '\0', n)) {
                unsigned line = 1;
                for (const char *c = text; *c; c++)
                        line += *c == '\n';
                return conf_file_error(ctx, path, line, "contains a NUL byte: not a text file");
        }
        if (check_no_include(ctx, path, text) < 0)
                return -EINVAL;

        config_init(cfg);
        if (config_read_string(cfg, text) == CONFIG_TRUE)
                return 0;

        ctx->n_errors++;
        if (config_diags_add(
                ctx->diags, path, (unsigned)MAX(config_error_line(cfg), 0), NULL,
                "%s (libconfig syntax: name = value; groups { }, arrays [ ], lists ( ), strings "
                "in double quotes)",
                config_error_text(cfg) ? config_error_text(cfg) : "syntax error") < 0)
                ctx->oom = -ENOMEM;
        config_destroy(cfg);
        return -EINVAL;
}

int conf_strdup(struct conf_ctx *ctx, const char *s, char **ret)
{
        char *d = arena_strdup(ctx->arena, s);
        if (!d)
                return ctx->oom = -ENOMEM;
        *ret = d;
        return 0;
}

void conf_root(const config_t *c, struct conf_node *ret)
{
        ret->s = config_root_setting(c);
        ret->path[0] = '\0';
}

unsigned conf_line(const struct conf_node *n)
{
        return config_setting_source_line(n->s);
}

const char *conf_file(const struct conf_ctx *ctx, const struct conf_node *n)
{
        const char *f = config_setting_source_file(n->s);
        return f ? f : ctx->file;
}

_printf_(5, 0) static void conf_verror(struct conf_ctx *ctx, const char *file, unsigned line,
                                       const char *path, const char *fmt, va_list ap)
{
        _cleanup_free_ char *msg = NULL;

        ctx->n_errors++;
        if (vasprintf_safe(&msg, fmt, ap) < 0) {
                ctx->oom = -ENOMEM;
                return;
        }
        if (config_diags_add(ctx->diags, file, line, isempty(path) ? NULL : path, "%s", msg) < 0)
                ctx->oom = -ENOMEM;
}

void conf_error(struct conf_ctx *ctx, const struct conf_node *n, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        conf_verror(ctx, conf_file(ctx, n), conf_line(n), n->path, fmt, ap);
        va_end(ap);
}

/* "parent.name". A path longer than CONF_PATH_MAX (absurd names) is cut; it still points at the place. */
static void path_join(char out[static CONF_PATH_MAX], const char *parent, const char *name)
{
        size_t off = 0;

        for (const char *p = parent; p && *p && off < CONF_PATH_MAX - 1; p++)
                out[off++] = *p;
        if (off > 0 && off < CONF_PATH_MAX - 1)
                out[off++] = '.';
        for (const char *p = name; *p && off < CONF_PATH_MAX - 1; p++)
                out[off++] = *p;
        out[off] = '\0';
}

void conf_error_missing(struct conf_ctx *ctx, const struct conf_node *group, const char *key,
                        const char *fmt, ...)
{
        char path[CONF_PATH_MAX];
        va_list ap;

        path_join(path, group->path, key);
        va_start(ap, fmt);
        /* The root group has no line of its own; line 0 prints as "file: setting: ...". */
        conf_verror(ctx, conf_file(ctx, group), conf_line(group), path, fmt, ap);
        va_end(ap);
}

/* Levenshtein distance, capped: names longer than the buffer are simply not suggested. */
static size_t edit_distance(const char *a, const char *b)
{
        size_t la = strlen(a), lb = strlen(b);
        size_t row[65];

        if (la > 64 || lb > 64)
                return SIZE_MAX;
        for (size_t j = 0; j <= lb; j++)
                row[j] = j;
        for (size_t i = 1; i <= la; i++) {
                size_t diag = row[0];
                row[0] = i;
                for (size_t j = 1; j <= lb; j++) {
                        size_t up = row[j];
                        size_t best = MIN(row[j] + 1, row[j - 1] + 1);
                        row[j] = MIN(best, diag + (a[i - 1] == b[j - 1] ? 0 : 1));
                        diag = up;
                }
        }
        return row[lb];
}

void conf_check_members(struct conf_ctx *ctx, const struct conf_node *group, const char *const *known)
{
        conf_check_members_skip(ctx, group, known, NULL);
}

void conf_check_members_skip(struct conf_ctx *ctx, const struct conf_node *group, const char *const *known,
                             const char *skip)
{
        unsigned n = conf_length(group);

        for (unsigned i = 0; i < n; i++) {
                struct conf_node m;
                const char *name, *best = NULL;
                size_t best_d = SIZE_MAX;
                char valid[CONF_PATH_MAX] = "";
                bool found = false;

                conf_elem(group, i, &m);
                name = conf_name(&m);
                if (!name || streq_ptr(name, skip))
                        continue;
                for (const char *const *k = known; *k; k++) {
                        size_t d;
                        if (streq(*k, name)) {
                                found = true;
                                break;
                        }
                        d = edit_distance(name, *k);
                        if (d < best_d) {
                                best_d = d;
                                best = *k;
                        }
                        size_t l = strlen(valid);
                        snprintf(valid + l, sizeof(valid) - l, "%s%s", l ? ", " : "", *k);
                }
                if (found)
                        continue;
                if (best && (best_d <= 2 || (best_d == 3 && strlen(name) >= 6)))
                        conf_error(ctx, &m, "unknown setting \"%s\" (did you mean \"%s\"?); valid here: %s",
                                   name, best, valid);
                else
                        conf_error(ctx, &m, "unknown setting \"%s\"; valid here: %s", name, valid);
        }
}

bool conf_member(const struct conf_node *group, const char *key, struct conf_node *ret)
{
        config_setting_t *s = config_setting_get_member(group->s, key);
        if (!s)
                return false;
        ret->s = s;
        path_join(ret->path, group->path, key);
        return true;
}

unsigned conf_length(const struct conf_node *n)
{
        int l = config_setting_length(n->s);
        return l > 0 ? (unsigned)l : 0;
}

void conf_elem(const struct conf_node *aggregate, unsigned i, struct conf_node *ret)
{
        char idx[32];

        ret->s = config_setting_get_elem(aggregate->s, i);
        if (config_setting_is_group(aggregate->s) && config_setting_name(ret->s))
                path_join(ret->path, aggregate->path, config_setting_name(ret->s));
        else {
                snprintf(idx, sizeof(idx), "[%u]", i);
                path_join(ret->path, aggregate->path, idx);
        }
}

const char *conf_name(const struct conf_node *n)
{
        return config_setting_name(n->s);
}

bool conf_is_group(const struct conf_node *n)
{
        return config_setting_is_group(n->s);
}

bool conf_is_list(const struct conf_node *n)
{
        return config_setting_is_list(n->s);
}

bool conf_is_string_seq(const struct conf_node *n)
{
        return config_setting_is_array(n->s) || config_setting_is_list(n->s);
}

const char *conf_string(const struct conf_node *n)
{
        return config_setting_type(n->s) == CONFIG_TYPE_STRING ? config_setting_get_string(n->s) : NULL;
}

const char *conf_type_name(const struct conf_node *n)
{
        switch (config_setting_type(n->s)) {
        case CONFIG_TYPE_GROUP:
                return "a group { ... }";
        case CONFIG_TYPE_INT:
        case CONFIG_TYPE_INT64:
                return "an integer";
        case CONFIG_TYPE_FLOAT:
                return "a floating-point number";
        case CONFIG_TYPE_STRING:
                return "a string";
        case CONFIG_TYPE_BOOL:
                return "a boolean";
        case CONFIG_TYPE_ARRAY:
                return "an array [ ... ]";
        case CONFIG_TYPE_LIST:
                return "a list ( ... )";
        default:
                return "an unknown type";
        }
}

static bool is_string(const struct conf_node *n)
{
        return conf_string(n) != NULL;
}

static bool is_bool(const struct conf_node *n)
{
        return config_setting_type(n->s) == CONFIG_TYPE_BOOL;
}

/* The member `key` of `group` when `is` accepts its type: 1 (into *ret); 0 when there is none; -EINVAL,
 * reported as "expected <expected>, got <its type>", when it has another type. */
static int get_typed(struct conf_ctx *ctx, const struct conf_node *group, const char *key,
                     bool (*is)(const struct conf_node *), const char *expected, struct conf_node *ret)
{
        struct conf_node m;

        if (!conf_member(group, key, &m))
                return 0;
        if (!is(&m)) {
                conf_error(ctx, &m, "expected %s, got %s", expected, conf_type_name(&m));
                return -EINVAL;
        }
        *ret = m;
        return 1;
}

int conf_get_group(struct conf_ctx *ctx, const struct conf_node *group, const char *key,
                   struct conf_node *ret)
{
        return get_typed(ctx, group, key, conf_is_group, "a group { ... }", ret);
}

int conf_get_list(struct conf_ctx *ctx, const struct conf_node *group, const char *key,
                  struct conf_node *ret)
{
        return get_typed(ctx, group, key, conf_is_list, "a list ( { ... }, ... )", ret);
}

int conf_get_string_seq(struct conf_ctx *ctx, const struct conf_node *group, const char *key,
                        struct conf_node *ret)
{
        struct conf_node m;
        int r = get_typed(ctx, group, key, conf_is_string_seq, "an array of strings [ \"...\", ... ]", &m);

        if (r <= 0)
                return r;
        for (unsigned i = 0; i < conf_length(&m); i++) {
                struct conf_node e;
                conf_elem(&m, i, &e);
                if (!conf_string(&e)) {
                        conf_error(ctx, &e, "expected a string, got %s", conf_type_name(&e));
                        r = -EINVAL;
                }
        }
        if (r > 0)
                *ret = m;
        return r;
}

int conf_get_string(struct conf_ctx *ctx, const struct conf_node *group, const char *key, const char **ret,
                    struct conf_node *ret_node)
{
        struct conf_node m;
        int r = get_typed(ctx, group, key, is_string, "a string in double quotes", &m);

        if (r <= 0)
                return r;
        *ret = conf_string(&m);
        if (ret_node)
                *ret_node = m;
        return 1;
}

int conf_get_bool(struct conf_ctx *ctx, const struct conf_node *group, const char *key, bool *ret)
{
        struct conf_node m;
        int r = get_typed(ctx, group, key, is_bool, "true or false", &m);

        if (r <= 0)
                return r;
        *ret = config_setting_get_bool(m.s);
        return 1;
}

int conf_get_uint(struct conf_ctx *ctx, const struct conf_node *group, const char *key, unsigned min,
                  unsigned max, unsigned *ret)
{
        struct conf_node m;
        long long v;

        if (!conf_member(group, key, &m))
                return 0;
        if (config_setting_type(m.s) != CONFIG_TYPE_INT && config_setting_type(m.s) != CONFIG_TYPE_INT64) {
                conf_error(ctx, &m, "expected an integer from %u to %u, got %s", min, max,
                           conf_type_name(&m));
                return -EINVAL;
        }
        v = config_setting_get_int64(m.s);
        if (v < (long long)min || v > (long long)max) {
                conf_error(ctx, &m, "%lld is out of range: expected an integer from %u to %u", v, min, max);
                return -EINVAL;
        }
        *ret = (unsigned)v;
        return 1;
}

int conf_get_duration(struct conf_ctx *ctx, const struct conf_node *group, const char *key, int64_t min,
                      int64_t max, int64_t *ret)
{
        struct conf_node m;
        const char *s;
        char a[32], b[32];
        int64_t sec;

        if (!conf_member(group, key, &m))
                return 0;
        duration_format(min, a, sizeof(a));
        duration_format(max, b, sizeof(b));
        s = conf_string(&m);
        if (!s) {
                conf_error(ctx, &m, "expected a duration string such as \"15m\" (%s to %s), got %s", a, b,
                           conf_type_name(&m));
                return -EINVAL;
        }
        if (duration_parse(s, &sec) < 0) {
                conf_error(
                    ctx, &m,
                    "\"%s\" is not a duration: expected numbers with units w, d, h, m, s, largest first, "
                    "such as \"15m\", \"1h30m\" or \"400d\" (%s to %s)",
                    s, a, b);
                return -EINVAL;
        }
        if (sec < min || sec > max) {
                conf_error(ctx, &m, "\"%s\" is out of range: expected a duration from %s to %s", s, a, b);
                return -EINVAL;
        }
        *ret = sec;
        return 1;
}

int conf_get_schedule(struct conf_ctx *ctx, const struct conf_node *group, const char *key,
                      struct schedule *ret)
{
        struct conf_node m;
        const char *s;

        if (!conf_member(group, key, &m))
                return 0;
        s = conf_string(&m);
        if (!s || schedule_parse(s, ret) < 0) {
                if (s)
                        conf_error(
                            ctx, &m,
                            "\"%s\" is not a schedule: expected \"daily\", \"weekly:DAY\" (sun..sat), "
                            "\"monthly:N\" (1..28), \"monthly:last\" or \"every:DURATION\" (1h..7d)",
                            s);
                else
                        conf_error(ctx, &m, "expected a schedule string such as \"daily\", got %s",
                                   conf_type_name(&m));
                return -EINVAL;
        }
        return 1;
}
