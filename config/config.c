/* config_load(): read the main file and policies.d/ beside it, run every check, and hand out a config
 * only when nothing was wrong. Cross-policy rules (names, selectors, quotas) live here. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent-config.h"
#include "arena.h"
#include "array.h"
#include "config-agent.h"
#include "config-diag.h"
#include "config-policy.h"
#include "config-read.h"
#include "strv.h"

/* Caps on external input: a config is written by people, so these are generous. */
#define CONFIG_POLICY_FILES_MAX 1000
#define CONFIG_POLICIES_MAX 10000

static const char *const main_keys[] = {"agent", "policies", NULL};
static const char *const policy_file_keys[] = {"policies", NULL};

struct agent_config *agent_config_free(struct agent_config *c)
{
        if (!c)
                return NULL;
        for (size_t i = 0; i < c->n_policies; i++)
                policy_done(&c->policies[i]);
        free(c->policies);
        arena_free(c->arena);
        free(c);
        return NULL;
}

static int policies_append(struct agent_config *c, struct policy **p)
{
        *p = ARRAY_ADD_SLOT(c->policies, c->n_policies);
        if (!*p)
                return -ENOMEM;
        c->n_policies++;
        return 0;
}

/* The "policies" list of one file (indexes in messages are within that file). */
static int parse_policies(struct conf_ctx *ctx, const struct conf_node *root, struct agent_config *c)
{
        struct conf_node l;

        if (conf_get_list(ctx, root, "policies", &l) <= 0)
                return 0;
        for (unsigned i = 0; i < conf_length(&l); i++) {
                struct conf_node e;
                struct policy *p;

                conf_elem(&l, i, &e);
                if (!conf_is_group(&e)) {
                        conf_error(ctx, &e, "expected a policy group { name = \"...\"; ... }, got %s",
                                   conf_type_name(&e));
                        continue;
                }
                if (c->n_policies >= CONFIG_POLICIES_MAX) {
                        conf_error(ctx, &e, "too many policies: at most %d", CONFIG_POLICIES_MAX);
                        return 0;
                }
                if (policies_append(c, &p) < 0)
                        return -ENOMEM;
                p->index = i;
                config_policy_parse(ctx, &e, &c->agent, p);
                if (ctx->oom)
                        return ctx->oom;
        }
        return 0;
}

static int conf_filter(const struct dirent *de)
{
        size_t l = strlen(de->d_name);
        return de->d_name[0] != '.' && l > 5 && streq(de->d_name + l - 5, ".conf");
}

/* Name order, independent of the locale. */
static int conf_compare(const struct dirent **a, const struct dirent **b)
{
        return strcmp((*a)->d_name, (*b)->d_name);
}

static int load_policies_dir(struct conf_ctx *ctx, const char *main_path, struct agent_config *c)
{
        _cleanup_free_ char *dir = NULL, *base = NULL;
        struct dirent **names = NULL;
        const char *slash = strrchr(main_path, '/');
        int n, r = 0;

        /* Keep the main file's spelling ("conf/agent.conf" → "conf/policies.d/x.conf") so that
         * messages name files the way the operator does. */
        if (asprintf(&base, "%.*s", slash ? (int)(slash - main_path + 1) : 0, main_path) < 0 ||
            asprintf(&dir, "%s%s", base, CONFIG_POLICIES_DIR) < 0) {
                base = dir = NULL;
                return -ENOMEM;
        }

        n = scandir(dir, &names, conf_filter, conf_compare);
        if (n < 0) {
                if (errno == ENOENT)
                        return 0;
                r = negative_errno();
                ctx->n_errors++;
                if (config_diags_add(ctx->diags, dir, 0, NULL, "cannot list the directory: %s",
                                     strerror(-r)) < 0)
                        ctx->oom = -ENOMEM;
                return 0;
        }
        if (n > CONFIG_POLICY_FILES_MAX)
                conf_file_error(ctx, dir, 0, "more than 1000 *.conf files; only the first 1000 were read");

        for (int i = 0; i < n; i++) {
                _cleanup_free_ char *path = NULL;
                config_t cfg_storage;
                _cleanup_(conf_destroyp) config_t *cfg = NULL;
                struct conf_node root, agent;

                if (i >= CONFIG_POLICY_FILES_MAX || r < 0)
                        continue;
                if (asprintf(&path, "%s/%s", dir, names[i]->d_name) < 0) {
                        path = NULL;
                        r = -ENOMEM;
                        continue;
                }
                if (conf_read_file(ctx, path, &cfg_storage) < 0) {
                        if (ctx->oom)
                                r = ctx->oom;
                        continue;
                }
                cfg = &cfg_storage;
                /* libconfig knows no file name when parsing from memory: settings take this one */
                ctx->file = path;
                conf_root(cfg, &root);
                if (conf_member(&root, "agent", &agent))
                        conf_error(ctx, &agent,
                                   "agent settings belong in the main file %s; a policies.d file holds only "
                                   "policies = ( ... );",
                                   main_path);
                conf_check_members_skip(ctx, &root, policy_file_keys, "agent");
                r = parse_policies(ctx, &root, c);
                ctx->file = main_path;
        }
        for (int i = 0; i < n; i++)
                free(names[i]);
        free(names);
        return r;
}

static bool strv_same_set(char *const *a, char *const *b)
{
        if (strv_length(a) != strv_length(b))
                return false;
        STRV_FOREACH (s, a)
                if (!strv_contains(b, *s))
                        return false;
        return true;
}

static bool tags_same_set(const struct policy *a, const struct policy *b)
{
        if (a->n_match_tags != b->n_match_tags)
                return false;
        for (size_t i = 0; i < a->n_match_tags; i++) {
                bool found = false;
                for (size_t j = 0; j < b->n_match_tags && !found; j++)
                        found = streq(a->match_tags[i].key, b->match_tags[j].key) &&
                                streq(a->match_tags[i].value, b->match_tags[j].value);
                if (!found)
                        return false;
        }
        return true;
}

_printf_(4, 5) static void policy_error(struct conf_ctx *ctx, const struct policy *p, const char *setting,
                                        const char *fmt, ...)
{
        _cleanup_free_ char *path = NULL, *msg = NULL;
        va_list ap;
        int r;

        ctx->n_errors++;
        va_start(ap, fmt);
        r = vasprintf_safe(&msg, fmt, ap);
        va_end(ap);
        if (r < 0 ||
            asprintf(&path, "policies.[%u]%s%s", p->index, setting ? "." : "", setting ? setting : "") < 0) {
                path = NULL;
                ctx->oom = -ENOMEM;
                return;
        }
        if (config_diags_add(ctx->diags, p->file, p->line, path, "%s", msg) < 0)
                ctx->oom = -ENOMEM;
}

/* Rules that span policies, possibly in different files. Each is reported on the later policy. */
static void check_policies(struct conf_ctx *ctx, const struct agent_config *c)
{
        for (size_t i = 0; i < c->n_policies; i++) {
                const struct policy *p = &c->policies[i];
                for (size_t j = 0; j < i; j++) {
                        const struct policy *q = &c->policies[j];
                        const char *rp = policy_region(p, &c->agent), *rq = policy_region(q, &c->agent);

                        if (p->name && q->name && streq(p->name, q->name))
                                policy_error(ctx, p, "name",
                                             "\"%s\" is already the name of the policy at %s:%u; "
                                             "policy names must be unique",
                                             p->name, q->file, q->line);
                        if ((p->clusters || p->n_match_tags) && strv_same_set(p->clusters, q->clusters) &&
                            tags_same_set(p, q) && streq_ptr(rp, rq))
                                policy_error(
                                    ctx, p, NULL,
                                    "policy \"%s\" selects the same clusters (same clusters, match_tags "
                                    "and region) as the policy at %s:%u; merge them or make the "
                                    "selectors differ",
                                    strna(p->name), q->file, q->line);
                        if (streq_ptr(rp, rq) &&
                            (p->quota_limit != q->quota_limit || p->quota_reserve != q->quota_reserve))
                                policy_error(
                                    ctx, p, "quota",
                                    "policy \"%s\" sets a different quota from the policy at %s:%u in "
                                    "the same region; the manual snapshot quota is per region, so "
                                    "give both the same limit and reserve",
                                    strna(p->name), q->file, q->line);
                }
        }
}

int config_load(const char *path, struct agent_config **ret, struct config_diags *diags)
{
        _cleanup_(agent_config_freep) struct agent_config *c = NULL;
        _cleanup_(conf_destroyp) config_t *cfg = NULL;
        struct conf_ctx ctx = {.diags = diags, .file = path};
        config_t cfg_storage;
        int r;

        if (!path || !ret || !diags)
                return -EINVAL;

        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->arena = ctx.arena = arena_new();
        if (!c->arena || conf_strdup(&ctx, path, &c->path) < 0)
                return -ENOMEM;
        r = config_agent_defaults(&ctx, &c->agent);
        if (r < 0)
                return r;

        r = conf_read_file(&ctx, path, &cfg_storage);
        if (r < 0 && r != -EINVAL)
                return ctx.oom ? ctx.oom : r; /* no main file: nothing else is worth reading */
        if (r >= 0) {
                struct conf_node root, agent;

                cfg = &cfg_storage;
                conf_root(cfg, &root);
                conf_check_members(&ctx, &root, main_keys);
                /* agent first: policies take their default region from it */
                if (conf_get_group(&ctx, &root, "agent", &agent) > 0)
                        config_agent_parse(&ctx, &agent, &c->agent);
                r = parse_policies(&ctx, &root, c);
                if (r < 0)
                        return r;
        }

        /* Even when the main file is broken, policies.d is read so that one pass shows every error. */
        r = load_policies_dir(&ctx, path, c);
        if (r < 0)
                return r;

        check_policies(&ctx, c);

        if (ctx.oom)
                return ctx.oom;
        config_diags_sort(diags);
        if (ctx.n_errors > 0)
                return -EINVAL;

        *ret = TAKE_PTR(c);
        return 0;
}
