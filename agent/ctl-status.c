/* aurora-backupctl status: per policy and cluster, what the agent last observed and did. */
#include "ctl-status.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ctl-output.h"
#include "plan-action.h"
#include "timespec.h"

struct origin_stats {
        unsigned count;
        int64_t oldest, newest;
        uint64_t gib;
};

/* Each origin's key in --json and its label in the text, in the order status shows them (the agent's
 * own first). */
static const struct {
        enum snapshot_origin origin;
        const char *key, *label;
} origins[] = {
    {ORIGIN_AGENT, "agent", "agent"},
    {ORIGIN_FOREIGN_MANUAL, "manual", "manual"},
    {ORIGIN_AUTOMATED, "automated", "automated"},
    {ORIGIN_AWS_BACKUP, "aws_backup", "aws-backup"},
    {ORIGIN_AWS_BACKUP_CONTINUOUS, "aws_backup_continuous", "aws-backup-continuous"},
};

static void stats_add(struct origin_stats *s, const struct inventory_snapshot *sn)
{
        s->count++;
        s->gib += sn->allocated_gib;
        if (sn->create_time != 0) {
                if (s->oldest == 0 || sn->create_time < s->oldest)
                        s->oldest = sn->create_time;
                if (sn->create_time > s->newest)
                        s->newest = sn->create_time;
        }
}

static void stats_json(int *r, struct json_object *obj, const char *key, const struct origin_stats *s)
{
        struct json_object *e = ctl_json_add_object(r, obj, key);
        ctl_json_add_int(r, e, "count", s->count);
        ctl_json_add_time(r, e, "oldest", s->oldest);
        ctl_json_add_time(r, e, "newest", s->newest);
        ctl_json_add_int(r, e, "allocated_gib", (int64_t)s->gib);
}

void ctl_rpo_compute(const struct inventory_cluster *c, const struct inventory_snapshot *snaps,
                     size_t n_snaps, struct ctl_rpo *ret)
{
        struct ctl_rpo r = {.earliest_restorable = c->earliest_restorable_time,
                            .latest_restorable = c->latest_restorable_time};

        for (size_t k = 0; k < n_snaps; k++) {
                const struct inventory_snapshot *sn = &snaps[k];
                if (!sn->cluster || strcmp(sn->cluster, c->identifier) != 0 || !sn->status ||
                    strcmp(sn->status, "available") != 0 || sn->create_time <= r.newest_snapshot)
                        continue;
                r.newest_snapshot = sn->create_time;
                r.newest_snapshot_id = sn->identifier;
                r.newest_snapshot_origin = sn->origin;
        }
        r.newest_point = MAX(r.newest_snapshot, r.latest_restorable);
        *ret = r;
}

static void rpo_json(int *r, struct json_object *e, int64_t now, const struct ctl_rpo *rpo,
                     unsigned retention_days)
{
        struct json_object *j = ctl_json_add_object(r, e, "rpo");
        ctl_json_add_time(r, j, "newest_point", rpo->newest_point);
        ctl_json_add_age(r, j, "age_sec", now, rpo->newest_point);
        ctl_json_add_time(r, j, "newest_snapshot", rpo->newest_snapshot);
        ctl_json_add_string(r, j, "newest_snapshot_id", rpo->newest_snapshot_id);
        ctl_json_add_string(r, j, "newest_snapshot_origin",
                            rpo->newest_snapshot_id ? inventory_origin_to_string(rpo->newest_snapshot_origin)
                                                    : NULL);
        ctl_json_add_time(r, j, "latest_restorable_time", rpo->latest_restorable);
        ctl_json_add_time(r, j, "earliest_restorable_time", rpo->earliest_restorable);
        ctl_json_add_int(r, j, "backup_retention_days", retention_days);
}

/* What each state of a next slot (stored by its name) means, in status's text. */
static const char *const next_slot_words_table[_NEXT_SLOT_STATE_MAX] = {
    [NEXT_SLOT_SCHEDULED] = "create then",
    [NEXT_SLOT_CREATE_NOW] = "being created",
    [NEXT_SLOT_IN_FLIGHT] = "created, waiting for it to be available",
    [NEXT_SLOT_RETRY] = "cluster not available, retried",
    [NEXT_SLOT_QUOTA_EXHAUSTED] = "no room under the quota",
};

/* The words for the state named `state`; a name this build does not know is shown as it is. */
static const char *next_slot_words(const char *state)
{
        int s = next_slot_state_from_string(state);
        return s < 0 ? state : next_slot_words_table[s];
}

static const char *policy_region(const struct ctl_context *ctx, const struct policy *p)
{
        return p->region ? p->region : ctx->config->agent.region;
}

/* One cluster: its line(s) of text, or its JSON object. */
static int status_cluster(struct ctl_context *ctx, const struct ctl_options *o, FILE *out,
                          const struct policy *p, const struct inventory_cluster *c,
                          const struct inventory_snapshot *snaps, size_t n_snaps, struct json_object *arr,
                          uint64_t *policy_gib)
{
        struct origin_stats st[_ORIGIN_MAX] = {};
        _cleanup_(window_record_done) struct window_record last = {};
        struct window_record *missed = NULL;
        size_t n_missed = 0;
        char win[16], t1[TIME_ISO8601_MAX], a1[CTL_AGE_MAX];
        int r;

        struct ctl_rpo rpo;
        for (size_t k = 0; k < n_snaps; k++)
                if (snaps[k].cluster && strcmp(snaps[k].cluster, c->identifier) == 0)
                        stats_add(&st[snaps[k].origin], &snaps[k]);
        ctl_rpo_compute(c, snaps, n_snaps, &rpo);
        for (int k = 0; k < _ORIGIN_MAX; k++)
                *policy_gib += st[k].gib;

        const char *window = c->preferred_window;
        if (!p->window_from_cluster)
                window = window_format(&p->window, win, sizeof(win));

        r = store_window_last_taken(ctx->store, c->identifier, &last);
        if (r < 0 && r != -ENOENT)
                return r;
        r = store_window_list(ctx->store, c->identifier, ctx->now - CTL_STATUS_MISSED_SEC, 0, &missed,
                              &n_missed);
        if (r < 0)
                return r;
        /* Keep only the windows that were not taken. */
        size_t m = 0;
        for (size_t i = 0; i < n_missed; i++) {
                if (missed[i].outcome == WINDOW_TAKEN) {
                        window_record_done(&missed[i]);
                        continue;
                }
                missed[m++] = missed[i];
        }
        n_missed = m;

        if (o->json) {
                r = 0;
                struct json_object *e = ctl_json_array_add_object(&r, arr),
                                   *ma = ctl_json_add_array(&r, e, "missed_windows");
                ctl_json_add_string(&r, e, "cluster", c->identifier);
                ctl_json_add_string(&r, e, "status", c->status);
                ctl_json_add_string(&r, e, "window", window);
                ctl_json_add_int(&r, e, "backup_retention_days", c->backup_retention_days);
                for (size_t k = 0; k < ELEMENTSOF(origins); k++)
                        stats_json(&r, e, origins[k].key, &st[origins[k].origin]);
                rpo_json(&r, e, ctx->now, &rpo, c->backup_retention_days);
                ctl_json_add_time(&r, e, "last_taken_slot", last.slot_start);
                ctl_json_add_string(&r, e, "last_taken_snapshot", last.snapshot);
                ctl_json_add_age(&r, e, "last_taken_age_sec", ctx->now, last.slot_start);
                ctl_next_slot_json(&r, e, "next_slot",
                                   ctl_next_slot(ctx, policy_region(ctx, p), c->identifier));
                for (size_t i = 0; r >= 0 && i < n_missed; i++) {
                        struct json_object *w = ctl_json_array_add_object(&r, ma);
                        ctl_json_add_time(&r, w, "slot", missed[i].slot_start);
                        ctl_json_add_string(&r, w, "outcome", window_outcome_to_string(missed[i].outcome));
                }
        } else {
                fprintf(out, "  %s: %s, window %s, automated retention %ud\n", c->identifier,
                        c->status ? c->status : "-", window ? window : "-", c->backup_retention_days);
                for (size_t k = 0; k < ELEMENTSOF(origins); k++) {
                        const struct origin_stats *s = &st[origins[k].origin];
                        if (s->count == 0 && origins[k].origin != ORIGIN_AGENT)
                                continue;
                        char t2[TIME_ISO8601_MAX];
                        fprintf(out, "    %-22s %3u  oldest %s  newest %s  %llu GiB\n", origins[k].label,
                                s->count, ctl_format_time(s->oldest, t1), ctl_format_time(s->newest, t2),
                                (unsigned long long)s->gib);
                }
                char t3[TIME_ISO8601_MAX], t4[TIME_ISO8601_MAX];
                fprintf(
                    out,
                    "    newest restorable point: %s (%s ago); newest snapshot %s%s%s%s, latest restorable "
                    "time %s, automated retention %ud\n",
                    ctl_format_time(rpo.newest_point, t1), ctl_format_age(ctx->now, rpo.newest_point, a1),
                    rpo.newest_snapshot_id ? rpo.newest_snapshot_id : "-",
                    rpo.newest_snapshot_id ? " (" : "",
                    rpo.newest_snapshot_id ? ctl_format_time(rpo.newest_snapshot, t3) : "",
                    rpo.newest_snapshot_id ? ")" : "", ctl_format_time(rpo.latest_restorable, t4),
                    c->backup_retention_days);
                fprintf(out, "    last taken slot: %s (%s ago)%s%s\n", ctl_format_time(last.slot_start, t1),
                        ctl_format_age(ctx->now, last.slot_start, a1), last.snapshot ? " " : "",
                        last.snapshot ? last.snapshot : "");
                const struct next_slot_record *ns = ctl_next_slot(ctx, policy_region(ctx, p), c->identifier);
                if (ns) {
                        char t5[TIME_ISO8601_MAX], t6[TIME_ISO8601_MAX];
                        fprintf(out, "    next slot: %s (window %s %s, %s to %s, %s): %s\n",
                                ctl_format_time(ns->slot_start, t1), ns->window ? ns->window : "-",
                                ns->window_from_cluster ? "of the cluster" : "of the policy",
                                ctl_format_time(ns->window_open, t3), ctl_format_time(ns->window_close, t5),
                                ns->schedule ? ns->schedule : "-", next_slot_words(ns->state));
                        if (ns->retry_at)
                                fprintf(out, "      retry at %s\n", ctl_format_time(ns->retry_at, t6));
                } else
                        fprintf(out,
                                "    next slot: not known yet (the agent has not planned this cluster)\n");
                for (size_t i = 0; i < n_missed; i++)
                        fprintf(out, "    %s: %s\n", window_outcome_to_string(missed[i].outcome),
                                ctl_format_time(missed[i].slot_start, t1));
        }
        window_records_free(missed, n_missed);
        return r;
}

struct status_quota {
        unsigned used;      /* as the agent counts, from the stored inventory */
        int64_t limit;      /* quota.limit, else the account's, else the default */
        bool account_known; /* the account's quota was observed */
        struct account_quota_record account;
};

static void status_quota(const struct ctl_context *ctx, const struct policy *p, const char *region,
                         const struct inventory_snapshot *snaps, size_t n_snaps, struct status_quota *ret)
{
        *ret = (struct status_quota){};
        for (size_t k = 0; k < n_snaps; k++)
                if (snapshot_origin_counts_toward_quota(snaps[k].origin))
                        ret->used++;
        ret->account_known = region && store_account_quota_get(ctx->store, region, &ret->account) >= 0;
        ret->limit = p->quota_limit > 0   ? p->quota_limit
                     : ret->account_known ? ret->account.max
                                          : CONFIG_DEFAULT_QUOTA_LIMIT;
}

static int status_policy(struct ctl_context *ctx, const struct ctl_options *o, FILE *out,
                         const struct policy *p, struct json_object *parr)
{
        struct inventory_cluster *clusters = NULL;
        struct inventory_snapshot *snaps = NULL;
        size_t n_clusters = 0, n_snaps = 0;
        const char *region = policy_region(ctx, p);
        struct json_object *pj = NULL, *carr = NULL;
        uint64_t gib = 0;
        struct status_quota q;
        unsigned used, cap, n_sel = 0;
        int r;

        /* Quota is per region: load that region's whole inventory, not just this policy's clusters. */
        r = store_inventory_load(ctx->store, region, &clusters, &n_clusters, &snaps, &n_snaps, NULL);
        if (r < 0)
                return r;
        status_quota(ctx, p, region, snaps, n_snaps, &q);
        used = q.used;
        cap = q.limit > p->quota_reserve ? (unsigned)(q.limit - p->quota_reserve) : 0;

        if (o->json) {
                r = 0;
                pj = ctl_json_array_add_object(&r, parr);
                carr = ctl_json_add_array(&r, pj, "clusters");
                ctl_json_add_string(&r, pj, "policy", p->name);
                ctl_json_add_string(&r, pj, "region", region);
        } else {
                char sched[32];
                fprintf(out, "Policy %s (%s, region %s)\n", p->name,
                        schedule_format(&p->every, sched, sizeof(sched)), region ? region : "-");
        }
        for (size_t i = 0; r == 0 && i < n_clusters; i++) {
                if (!clusters[i].policy || strcmp(clusters[i].policy, p->name) != 0)
                        continue;
                n_sel++;
                r = status_cluster(ctx, o, out, p, &clusters[i], snaps, n_snaps, carr, &gib);
        }
        if (r == 0) {
                if (o->json) {
                        struct json_object *qj = ctl_json_add_object(&r, pj, "quota");
                        ctl_json_add_int(&r, qj, "used", used);
                        ctl_json_add_int(&r, qj, "limit", q.limit);
                        ctl_json_add_string(&r, qj, "limit_source",
                                            p->quota_limit > 0 ? "config"
                                            : q.account_known  ? "account"
                                                               : "default");
                        ctl_json_add_int(&r, qj, "reserve", p->quota_reserve);
                        ctl_json_add_int(&r, qj, "available", cap > used ? cap - used : 0);
                        if (q.account_known) {
                                struct json_object *aj = ctl_json_add_object(&r, qj, "account");
                                ctl_json_add_int(&r, aj, "max", q.account.max);
                                ctl_json_add_int(&r, aj, "used", q.account.used);
                                ctl_json_add_int(&r, aj, "counted_by_agent", q.account.counted);
                                ctl_json_add_int(&r, aj, "observed_at", q.account.observed_at);
                        }
                        ctl_json_add_int(&r, pj, "allocated_gib", (int64_t)gib);
                } else {
                        if (n_sel == 0)
                                fprintf(out, "  (no clusters selected in the last inventory)\n");
                        fprintf(out, "  allocated storage: %llu GiB\n", (unsigned long long)gib);
                        fprintf(out,
                                "  quota (region %s): %u of %u manual snapshots (limit %" PRId64
                                "%s - reserve %u)\n",
                                region ? region : "-", used, cap, q.limit,
                                p->quota_limit > 0 ? ""
                                : q.account_known  ? " from the account"
                                                   : " assumed: the account's is not known yet",
                                p->quota_reserve);
                        if (q.account_known && q.account.used != q.account.counted)
                                fprintf(out,
                                        "  AWS counts %" PRId64 " manual snapshots there, the agent %" PRId64
                                        "\n",
                                        q.account.used, q.account.counted);
                        if (q.account_known && p->quota_limit > q.account.max)
                                fprintf(out, "  quota.limit %u is above the account's %" PRId64 "\n",
                                        p->quota_limit, q.account.max);
                }
        }
        inventory_clusters_free(clusters, n_clusters);
        inventory_snapshots_free(snaps, n_snaps);
        return r;
}

static int status_agent(struct ctl_context *ctx, const struct ctl_options *o, FILE *out,
                        struct json_object *j)
{
        struct cycle_record *cycles = NULL;
        struct ledger_entry *open = NULL;
        struct problem *problems = NULL;
        size_t n_cycles = 0, n_open = 0, n_problems = 0;
        char t[TIME_ISO8601_MAX], a[CTL_AGE_MAX];
        int r;

        r = store_cycle_list(ctx->store, 1, &cycles, &n_cycles);
        if (r >= 0)
                r = store_ledger_open_intents(ctx->store, &open, &n_open);
        if (r >= 0)
                r = store_problems_list(ctx->store, 0, &problems, &n_problems);
        if (r < 0) {
                free(cycles);
                ledger_entries_free(open, n_open);
                return r;
        }
        const struct cycle_record *c = n_cycles > 0 ? &cycles[0] : NULL;
        const char *ended = !c                    ? "none"
                            : c->finished_at == 0 ? "unfinished"
                            : c->exit_status == 0 ? "ok"
                                                  : "failed";
        r = 0;
        if (o->json) {
                struct json_object *cj = NULL, *oa;
                if (c)
                        cj = ctl_json_add_object(&r, j, "last_cycle");
                else
                        ctl_json_add(&r, j, "last_cycle", NULL);
                oa = ctl_json_add_array(&r, j, "open_intents");
                if (c) {
                        ctl_json_add_int(&r, cj, "id", c->id);
                        ctl_json_add_time(&r, cj, "started", c->started_at);
                        ctl_json_add_time(&r, cj, "finished", c->finished_at);
                        ctl_json_add_string(&r, cj, "result", ended);
                        ctl_json_add_int(&r, cj, "exit_status", c->exit_status);
                        ctl_json_add_bool(&r, cj, "dry_run", c->dry_run);
                        ctl_json_add_int(&r, cj, "planned", c->counts.planned);
                        ctl_json_add_int(&r, cj, "succeeded", c->counts.succeeded);
                        ctl_json_add_int(&r, cj, "failed", c->counts.failed);
                        ctl_json_add_int(&r, cj, "created", c->counts.created);
                        ctl_json_add_int(&r, cj, "deleted", c->counts.deleted);
                        ctl_json_add_int(&r, cj, "missed", c->counts.missed);
                        ctl_json_add_int(&r, cj, "api_calls", c->counts.api_calls);
                }
                ctl_problems_json(&r, ctl_json_add_array(&r, j, "problems"), ctx->now, problems, n_problems);
                for (size_t i = 0; r >= 0 && i < n_open; i++) {
                        struct json_object *e = ctl_json_array_add_object(&r, oa);
                        ctl_json_add_int(&r, e, "id", open[i].id);
                        ctl_json_add_time(&r, e, "time", open[i].created_at);
                        ctl_json_add_string(&r, e, "kind", ledger_kind_to_string(open[i].kind));
                        ctl_json_add_string(&r, e, "cluster", open[i].cluster);
                        ctl_json_add_string(&r, e, "snapshot", open[i].snapshot);
                        ctl_json_add_int(&r, e, "attempts", open[i].attempts);
                }
        } else {
                fprintf(out, "Agent (state %s)\n", ctx->state_dir);
                if (c)
                        fprintf(out,
                                "  last cycle: %s (%s ago), %s%s: planned %u, succeeded %u, failed %u, "
                                "created %u, "
                                "deleted %u, missed %u, %u API calls\n",
                                ctl_format_time(c->started_at, t),
                                ctl_format_age(ctx->now, c->started_at, a), ended,
                                c->dry_run ? " (dry run)" : "", c->counts.planned, c->counts.succeeded,
                                c->counts.failed, c->counts.created, c->counts.deleted, c->counts.missed,
                                c->counts.api_calls);
                else
                        fprintf(out, "  last cycle: none\n");
                fprintf(out, "  problems: %zu%s\n", n_problems,
                        n_problems ? " (unresolved, oldest first)" : "");
                for (size_t i = 0; i < n_problems; i++)
                        ctl_problem_text(out, "    ", ctx->now, &problems[i]);
                fprintf(out, "  open intents: %zu\n", n_open);
                for (size_t i = 0; i < n_open; i++)
                        fprintf(out, "    %s %s %s %s (attempts %u)\n",
                                ctl_format_time(open[i].created_at, t), ledger_kind_to_string(open[i].kind),
                                open[i].cluster ? open[i].cluster : "-",
                                open[i].snapshot ? open[i].snapshot : "-", open[i].attempts);
        }
        free(cycles);
        ledger_entries_free(open, n_open);
        problems_free(problems, n_problems);
        return r;
}

/* Operators' restores: those in progress, then the last few settled (aurora-backupctl restore). */
#define STATUS_RESTORES_SETTLED 5

static int status_restores(struct ctl_context *ctx, const struct ctl_options *o, FILE *out,
                           struct json_object *j)
{
        struct restore_request *q = NULL;
        size_t n = 0;
        char t[TIME_ISO8601_MAX], t2[TIME_ISO8601_MAX];
        int r;

        r = store_restore_requests_recent(ctx->store, STATUS_RESTORES_SETTLED, &q, &n);
        if (r < 0)
                return r;
        if (o->json) {
                r = 0;
                struct json_object *arr = ctl_json_add_array(&r, j, "restores");
                for (size_t i = 0; r >= 0 && i < n; i++) {
                        bool open = streq_ptr(q[i].state, "recorded") || streq_ptr(q[i].state, "started");
                        struct json_object *e = ctl_json_array_add_object(&r, arr);
                        ctl_json_add_int(&r, e, "id", q[i].id);
                        ctl_json_add_string(&r, e, "state", q[i].state);
                        ctl_json_add_bool(&r, e, "in_progress", open);
                        ctl_json_add_string(&r, e, "kind", restore_request_kind_to_string(q[i].kind));
                        ctl_json_add_string(&r, e, "source", q[i].source);
                        ctl_json_add_time(&r, e, "restore_time", q[i].use_latest ? 0 : q[i].restore_time);
                        ctl_json_add_bool(&r, e, "latest", q[i].use_latest);
                        ctl_json_add_string(&r, e, "new_cluster", q[i].new_cluster);
                        ctl_json_add_string(&r, e, "region", q[i].region);
                        ctl_json_add_string(&r, e, "instance_class", q[i].instance_class);
                        ctl_json_add_string(&r, e, "phase", q[i].message);
                        ctl_json_add_time(&r, e, "requested", q[i].created_at);
                        ctl_json_add_time(&r, e, "updated", q[i].updated_at);
                        ctl_json_add_int(&r, e, "elapsed_sec",
                                         MAX((open ? ctx->now : q[i].updated_at) - q[i].created_at, 0));
                }
        } else {
                fprintf(out, "  restores: %s\n", n == 0 ? "none" : "");
                for (size_t i = 0; i < n; i++) {
                        bool open = streq_ptr(q[i].state, "recorded") || streq_ptr(q[i].state, "started");
                        int64_t elapsed = MAX((open ? ctx->now : q[i].updated_at) - q[i].created_at, 0);
                        fprintf(
                            out, "    #%" PRIi64 " %s %s from %s%s%s (%s, %s %" PRIi64 "s): %s\n", q[i].id,
                            q[i].new_cluster, open ? "in progress" : strna(q[i].state), strna(q[i].source),
                            q[i].kind == RESTORE_TO_POINT_IN_TIME ? (q[i].use_latest ? "@latest" : "@") : "",
                            q[i].kind == RESTORE_TO_POINT_IN_TIME && !q[i].use_latest
                                ? ctl_format_time(q[i].restore_time, t)
                                : "",
                            ctl_format_time(q[i].created_at, t2), open ? "for" : "took", elapsed,
                            q[i].message ? q[i].message : "waiting for the agent");
                }
        }
        restore_requests_free(q, n);
        return r;
}

/* Backup storage per cluster, from CloudWatch (backup-cost.h): its own section, read from state.db. */
static void format_bytes(double b, char buf[static 32])
{
        static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        size_t u = 0;
        while (b >= 1024 && u + 1 < ELEMENTSOF(units)) {
                b /= 1024;
                u++;
        }
        snprintf(buf, 32, u == 0 ? "%.0f %s" : "%.1f %s", b, units[u]);
}

static int status_backup_storage(struct ctl_context *ctx, const struct ctl_options *o, FILE *out,
                                 struct json_object *j)
{
        struct backup_storage_record *c = NULL;
        size_t n = 0;
        int r;

        r = store_backup_storage_load(ctx->store, &c, &n);
        if (r < 0)
                n = 0; /* unreadable: shown as none, status goes on */
        if (o->json) {
                r = 0;
                struct json_object *arr = ctl_json_add_array(&r, j, "backup_storage");
                for (size_t i = 0; r >= 0 && i < n; i++) {
                        struct json_object *e = ctl_json_array_add_object(&r, arr);
                        ctl_json_add_string(&r, e, "region", c[i].region);
                        ctl_json_add_string(&r, e, "cluster", c[i].cluster);
                        ctl_json_add(&r, e, "total_backup_storage_billed_bytes",
                                     c[i].has_billed ? json_object_new_double(c[i].billed_bytes) : NULL);
                        ctl_json_add(&r, e, "snapshot_storage_used_bytes",
                                     c[i].has_snapshot ? json_object_new_double(c[i].snapshot_bytes) : NULL);
                        ctl_json_add_time(&r, e, "observed", c[i].observed_at);
                }
        } else {
                char t[TIME_ISO8601_MAX], billed[32], snap[32];
                fprintf(out, "\nBackup storage (CloudWatch AWS/RDS, at the last full inventory)\n");
                if (n == 0)
                        fprintf(out, "  none read yet\n");
                for (size_t i = 0; i < n; i++) {
                        if (c[i].has_billed)
                                format_bytes(c[i].billed_bytes, billed);
                        if (c[i].has_snapshot)
                                format_bytes(c[i].snapshot_bytes, snap);
                        fprintf(out, "  %s %s: backup storage billed %s, snapshot storage %s (%s)\n",
                                c[i].region, c[i].cluster, c[i].has_billed ? billed : "no data",
                                c[i].has_snapshot ? snap : "no data", ctl_format_time(c[i].observed_at, t));
                }
                r = 0;
        }
        backup_storage_records_free(c, n);
        return r;
}

int ctl_status(const struct ctl_options *o, FILE *out, FILE *err)
{
        _cleanup_(ctl_context_done) struct ctl_context ctx = {};
        _cleanup_(json_object_putp) struct json_object *j = NULL;
        struct json_object *parr = NULL;
        int r;

        r = ctl_context_open(o, &ctx, err);
        if (r < 0)
                return r == -EINVAL ? EXIT_USAGE : EXIT_FAILED;
        if (o->json) {
                r = 0;
                j = json_object_new_object();
                parr = j ? ctl_json_add_array(&r, j, "policies") : NULL;
                if (!parr) {
                        fprintf(err, "status: %s\n", strerror(ENOMEM));
                        return EXIT_FAILED;
                }
                ctl_json_add_time(&r, j, "now", ctx.now);
                if (r < 0)
                        return EXIT_FAILED;
        }
        r = status_agent(&ctx, o, out, j);
        if (r >= 0)
                r = status_restores(&ctx, o, out, j);
        for (size_t i = 0; r >= 0 && i < ctx.config->n_policies; i++) {
                if (!o->json)
                        fputc('\n', out);
                r = status_policy(&ctx, o, out, &ctx.config->policies[i], parr);
        }
        if (r >= 0)
                r = status_backup_storage(&ctx, o, out, j);
        if (r >= 0 && o->json)
                r = ctl_json_print(out, j);
        if (r < 0) {
                fprintf(err, "status: %s (%s)\n", strerror(-r), store_last_error(ctx.store));
                return EXIT_FAILED;
        }
        return EXIT_OK;
}
