/* aurora-backupctl: what every read-only command needs: the options, the config and the state store. */
#include "ctl-context.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "build-config.h"
#include "cli.h"
#include "ctl-output.h"
#include "time-util.h"
#include "timespec.h"

const char *ctl_state_dir(const char *arg, const struct agent_config *c)
{
        if (arg)
                return arg;
        if (c && c->agent.state_directory)
                return c->agent.state_directory;
        /* systemd may pass several directories separated by ':'; the first is ours. */
        const char *e = getenv("STATE_DIRECTORY");
        if (e && *e && !strchr(e, ':'))
                return e;
        return CTL_DEFAULT_STATE_DIR;
}

int ctl_context_open(const struct ctl_options *o, struct ctl_context *ret, FILE *err)
{
        _cleanup_(agent_config_freep) struct agent_config *cfg = NULL;
        _cleanup_store_close_ struct store *s = NULL;
        int r;

        r = cli_config_load(cli_config_path(o->config), false, &cfg, err);
        if (r < 0)
                return r;

        const char *dir = ctl_state_dir(o->state_dir, cfg);
        r = store_open_read_only(dir, &s);
        if (r < 0) {
                if (r == -ENOENT)
                        fprintf(err, "%s/%s: no state yet (has the agent run?)\n", dir, STORE_FILE_NAME);
                else if (r == -EPROTO)
                        fprintf(err, "%s/%s: schema is not version %d (agent and aurora-backupctl differ)\n",
                                dir, STORE_FILE_NAME, STORE_SCHEMA_VERSION);
                else
                        fprintf(err, "%s/%s: %s (%s)\n", dir, STORE_FILE_NAME, strerror(-r),
                                store_last_error(NULL));
                return r;
        }

        *ret = (struct ctl_context){
            .config = TAKE_PTR(cfg),
            .store = TAKE_PTR(s),
            .state_dir = dir,
            .now = (int64_t)time(NULL),
        };
#if ENABLE_TEST_HOOKS
        /* Test builds only: the same fixed clock as the agent's, so that ages in status and check are
         * testable (epoch seconds). */
        const char *test_now = getenv("AURORA_BACKUP_TEST_NOW");
        if (test_now && *test_now) {
                char *end;
                long long v = strtoll(test_now, &end, 10);
                if (*end == '\0' && v > 0)
                        ret->now = v;
        }
#endif
        return 0;
}

void ctl_context_done(struct ctl_context *c)
{
        c->next_slots = next_slot_records_free(c->next_slots, c->n_next_slots);
        c->store = store_close(c->store);
        c->config = agent_config_free(c->config);
}

void ctl_store_error(const struct ctl_context *c, int r, FILE *err)
{
        fprintf(err, "%s/%s: %s (%s)\n", c->state_dir, STORE_FILE_NAME, strerror(-r),
                store_last_error(c->store));
}

int ctl_parse_since(const char *s, int64_t now, int64_t *ret)
{
        int64_t t, d;
        if (time_parse_iso8601(s, &t) >= 0) {
                *ret = t;
                return 0;
        }
        if (duration_parse(s, &d) >= 0) {
                *ret = now - d;
                return 0;
        }
        return -EINVAL;
}

const struct next_slot_record *ctl_next_slot(struct ctl_context *c, const char *region, const char *cluster)
{
        if (!c->next_slots_loaded) {
                c->next_slots_loaded = true;
                if (store_next_slots_load(c->store, &c->next_slots, &c->n_next_slots) < 0)
                        c->n_next_slots = 0;
        }
        for (size_t i = 0; cluster && i < c->n_next_slots; i++)
                if (streq(c->next_slots[i].cluster, cluster) &&
                    (!region || streq_ptr(c->next_slots[i].region, region)))
                        return &c->next_slots[i];
        return NULL;
}

static void ctl_problem_json(int *r, struct json_object *e, int64_t now, const struct problem *p)
{
        ctl_json_add_string(r, e, "kind", problem_kind_to_string(p->kind));
        ctl_json_add_string(r, e, "policy", p->policy);
        ctl_json_add_string(r, e, "cluster", p->cluster);
        ctl_json_add_string(r, e, "snapshot", p->snapshot);
        ctl_json_add_string(r, e, "region", p->region);
        ctl_json_add_string(r, e, "action", p->action);
        ctl_json_add_time(r, e, "since", p->first_seen);
        ctl_json_add_int(r, e, "age_sec", MAX(now - p->first_seen, 0));
        ctl_json_add_time(r, e, "last_seen", p->last_seen);
        ctl_json_add_int(r, e, "count", p->count);
        ctl_json_add_string(r, e, "error_code", p->error_code);
        ctl_json_add_string(r, e, "error_message", p->error_message);
        ctl_json_add_string(r, e, "request_id", p->request_id);
        if (p->resolved_at)
                ctl_json_add_time(r, e, "resolved", p->resolved_at);
}

void ctl_problems_json(int *r, struct json_object *arr, int64_t now, const struct problem *p, size_t n)
{
        for (size_t i = 0; *r >= 0 && i < n; i++)
                ctl_problem_json(r, ctl_json_array_add_object(r, arr), now, &p[i]);
}

void ctl_problem_text(FILE *out, const char *indent, int64_t now, const struct problem *p)
{
        char t[TIME_ISO8601_MAX], a[CTL_AGE_MAX];
        fprintf(out, "%s%s", indent, problem_kind_to_string(p->kind));
        if (p->action)
                fprintf(out, " %s", p->action);
        if (p->policy)
                fprintf(out, " policy %s", p->policy);
        if (p->cluster)
                fprintf(out, " cluster %s", p->cluster);
        if (p->snapshot)
                fprintf(out, " %s", p->snapshot);
        if (p->region)
                fprintf(out, " in %s", p->region);
        fprintf(out, ": since %s (%s), seen %u time%s", ctl_format_time(p->first_seen, t),
                ctl_format_age(now, p->first_seen, a), p->count, p->count == 1 ? "" : "s");
        if (p->resolved_at)
                fprintf(out, ", resolved %s", ctl_format_time(p->resolved_at, t));
        fputc('\n', out);
        if (p->error_code || p->error_message || p->request_id)
                fprintf(out, "%s  last error: %s%s%s%s%s%s\n", indent, p->error_code ? p->error_code : "-",
                        p->error_message ? ": " : "", p->error_message ? p->error_message : "",
                        p->request_id ? " (request id " : "", p->request_id ? p->request_id : "",
                        p->request_id ? ")" : "");
}

void ctl_slot_json(int *r, struct json_object *e, int64_t slot_start, int64_t window_open,
                   int64_t window_close, const char *window, bool window_from_cluster, const char *schedule,
                   const char *then, int64_t retry_at)
{
        ctl_json_add_time(r, e, "slot", slot_start);
        ctl_json_add_time(r, e, "window_open", window_open);
        ctl_json_add_time(r, e, "window_close", window_close);
        ctl_json_add_string(r, e, "window", window);
        ctl_json_add_string(r, e, "window_from", window_from_cluster ? "cluster" : "policy");
        ctl_json_add_string(r, e, "schedule", schedule);
        ctl_json_add_string(r, e, "then", then);
        if (retry_at != 0)
                ctl_json_add_time(r, e, "retry", retry_at);
}

void ctl_next_slot_json(int *r, struct json_object *obj, const char *key, const struct next_slot_record *n)
{
        if (!n) {
                ctl_json_add(r, obj, key, NULL);
                return;
        }
        struct json_object *e = ctl_json_add_object(r, obj, key);
        ctl_slot_json(r, e, n->slot_start, n->window_open, n->window_close, n->window,
                      n->window_from_cluster, n->schedule, n->state, n->retry_at);
        ctl_json_add_time(r, e, "planned", n->planned_at);
}
