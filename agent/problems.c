/* Problems as state (see problems.h). Each kind is raised from what the cycle saw and resolved by the
 * rule that says its condition cleared; a region that could not be observed resolves nothing in it. */
#include "problems.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "journal.h"
#include "log.h"
#include "select.h"
#include "snapshot-id.h"
#include "store.h"
#include "time-util.h"

/* Resolved problems stay this long for `aurora-backupctl history`. */
#define PROBLEM_KEEP_RESOLVED_SEC (90 * SEC_PER_DAY)

void problem_scan_done(struct problem_scan *s)
{
        problems_free(s->current, s->n_current);
        for (size_t i = 0; i < s->n_planned; i++)
                free(s->planned[i]);
        free(s->planned);
        for (size_t i = 0; i < s->n_selected; i++)
                free(s->selected[i]);
        free(s->selected);
        *s = (struct problem_scan){};
}

static char *strdup_or_null(const char *s)
{
        return s ? strdup(s) : NULL;
}

/* Adds a current problem; strings are copied. */
static int raise_problem(struct problem_scan *s, enum problem_kind kind, const char *policy,
                         const char *cluster, const char *snapshot, const char *region, const char *action,
                         const char *code, const char *message, const char *request_id)
{
        if (ARRAY_GROW(s->current, s->cap_current, s->n_current) < 0)
                return -ENOMEM;
        struct problem p = {
            .kind = kind,
            .policy = strdup_or_null(policy),
            .cluster = strdup_or_null(cluster),
            .snapshot = strdup_or_null(snapshot),
            .region = strdup_or_null(region),
            .action = strdup_or_null(action),
            .error_code = strdup_or_null(code),
            .error_message = strdup_or_null(message),
            .request_id = strdup_or_null(request_id),
        };
        if ((policy && !p.policy) || (cluster && !p.cluster) || (snapshot && !p.snapshot) ||
            (region && !p.region) || (action && !p.action) || (code && !p.error_code) ||
            (message && !p.error_message) || (request_id && !p.request_id)) {
                problem_done(&p);
                return -ENOMEM;
        }
        s->current[s->n_current++] = p;
        return 0;
}

static int push_key(char ***list, size_t *n, const char *a, const char *b)
{
        char *k = NULL;
        if (asprintf(&k, "%s\t%s", strempty(a), strempty(b)) < 0)
                return -ENOMEM;
        if (ARRAY_APPEND(*list, *n, &k, 1) < 0) {
                free(k);
                return -ENOMEM;
        }
        return 0;
}

static bool has_key(char *const *list, size_t n, const char *a, const char *b)
{
        size_t la = strlen(strempty(a));
        for (size_t i = 0; i < n; i++)
                if (strncmp(list[i], strempty(a), la) == 0 && list[i][la] == '\t' &&
                    streq(list[i] + la + 1, strempty(b)))
                        return true;
        return false;
}

/* The ledger kind a mutating plan action is recorded under, or -1. */
static int action_ledger_kind(enum action_kind k)
{
        switch (k) {
        case ACTION_DELETE_RDS:
                return LEDGER_DELETE_RDS;
        case ACTION_DELETE_BACKUP:
                return LEDGER_DELETE_BACKUP;
        case ACTION_CREATE:
                return LEDGER_CREATE;
        case ACTION_COPY:
                return LEDGER_COPY;
        case ACTION_SHARE:
                return LEDGER_SHARE;
        case ACTION_EXPORT:
                return LEDGER_EXPORT;
        case ACTION_DRILL_RESTORE:
                return LEDGER_RESTORE;
        case ACTION_DRILL_INSTANCE:
                return LEDGER_RESTORE_INSTANCE;
        case ACTION_DRILL_PROBE:
                return LEDGER_PROBE;
        case ACTION_DRILL_TEARDOWN:
                return LEDGER_TEARDOWN;
        default:
                return -1;
        }
}

int problems_scan_plan(struct agent *a, const struct plan *p, const struct observation *o,
                       struct problem_scan *s)
{
        int r = 0;

        for (size_t i = 0; r >= 0 && i < o->n_regions; i++) {
                const struct observed_region *reg = &o->regions[i];
                if (reg->ok || reg->repeat)
                        continue;
                r = raise_problem(s, PROBLEM_REGION_UNOBSERVED, NULL, NULL, NULL, reg->region, NULL,
                                  reg->error.code[0] ? reg->error.code : NULL,
                                  reg->error.message[0] ? reg->error.message
                                                        : "the region could not be observed",
                                  reg->error.request_id[0] ? reg->error.request_id : NULL);
        }

        for (size_t i = 0; r >= 0 && i < a->config->n_policies; i++) {
                const struct policy *pol = &a->config->policies[i];
                const char *region = agent_policy_region(a, pol);
                bool selects = false;
                if (!region || !observation_region_ok(o, region) ||
                    !plan_policy_in_shard(&a->config->agent, pol))
                        continue;
                for (size_t k = 0; !selects && k < o->n_clusters; k++)
                        selects = streq_ptr(agent_cluster_policy(a, &o->clusters[k]), pol->name);
                if (!selects) {
                        _cleanup_free_ char *msg = NULL;
                        if (asprintf(&msg,
                                     "policy %s selects no cluster in %s (its clusters and match_tags match "
                                     "none, or an earlier policy takes them)",
                                     pol->name, region) < 0)
                                return -ENOMEM;
                        r = raise_problem(s, PROBLEM_POLICY_EMPTY, pol->name, NULL, NULL, region, NULL, NULL,
                                          msg, NULL);
                }
        }

        for (size_t i = 0; r >= 0 && i < p->n_actions; i++) {
                const struct plan_action *act = &p->actions[i];
                int lk = action_ledger_kind(act->kind);
                if (lk >= 0) {
                        r = push_key(&s->planned, &s->n_planned, ledger_kind_to_string(lk), act->snapshot);
                        continue;
                }
                switch (act->kind) {
                case ACTION_REFUSED:
                        r = raise_problem(s, PROBLEM_ACTION_REFUSED, act->policy, act->cluster,
                                          act->snapshot ? act->snapshot : act->target, act->region, NULL,
                                          "Refused", act->rule, NULL);
                        break;
                case ACTION_QUOTA_EXHAUSTED:
                        r = raise_problem(s, PROBLEM_QUOTA_EXHAUSTED, act->policy, NULL, NULL, act->region,
                                          NULL, "QuotaExhausted", act->rule, NULL);
                        break;
                case ACTION_MISSED:
                        r = raise_problem(s, PROBLEM_MISSED_WINDOW, act->policy, act->cluster, NULL,
                                          act->region, NULL, "WindowMissed", act->rule, NULL);
                        break;
                case ACTION_DRILL_FAILED:
                        r = raise_problem(s, PROBLEM_DRILL_FAILED, act->policy, act->cluster, NULL,
                                          act->region, NULL, "DrillFailed", act->rule, NULL);
                        break;
                default:
                        break;
                }
        }
        for (size_t i = 0; r >= 0 && i < p->n_next_slots; i++)
                r = push_key(&s->selected, &s->n_selected, p->next_slots[i].region,
                             p->next_slots[i].cluster);
        return r;
}

int64_t problems_quota_count(struct agent *a, const struct observation *o, const struct act_counts *c,
                             const char *region)
{
        int64_t n = 0;

        for (size_t i = 0; i < o->n_snapshots; i++)
                if (streq_ptr(o->snapshots[i].region, region) &&
                    snapshot_origin_counts_toward_quota(
                        snapshot_classify(&o->snapshots[i], agent_snapshot_prefix(a))))
                        n++;
        for (size_t i = 0; c && i < c->n_changes; i++) {
                const struct plan_action *act = c->changes[i];
                if (!streq_ptr(act->region, region))
                        continue;
                if (act->kind == ACTION_DELETE_RDS)
                        n--;
                else if ((act->kind == ACTION_CREATE || act->kind == ACTION_COPY) &&
                         !observation_find_snapshot(o, act->region, act->snapshot))
                        n++;
        }
        return n > 0 ? n : 0;
}

static bool drill_kind(enum ledger_kind k)
{
        return k == LEDGER_RESTORE || k == LEDGER_RESTORE_INSTANCE || k == LEDGER_PROBE;
}

/* This cycle's failed ledger rows become problems: a drill step's is the drill's, an AWS Backup delete's
 * is a point that cannot be deleted, any other is a failed action. */
static int raise_from_ledger(struct problem_scan *s, const struct ledger_entry *l, size_t n)
{
        int r = 0;
        for (size_t i = 0; r >= 0 && i < n; i++) {
                const struct ledger_entry *e = &l[i];
                if (e->state != LEDGER_FAILED)
                        continue;
                if (drill_kind(e->kind))
                        r = raise_problem(s, PROBLEM_DRILL_FAILED, e->policy, e->cluster, NULL, e->region,
                                          NULL, e->error_code, e->error_message, e->request_id);
                else
                        r = raise_problem(s,
                                          e->kind == LEDGER_DELETE_BACKUP ? PROBLEM_BACKUP_UNDELETABLE
                                                                          : PROBLEM_ACTION_FAILED,
                                          e->policy, e->cluster, e->snapshot, e->region,
                                          ledger_kind_to_string(e->kind), e->error_code, e->error_message,
                                          e->request_id);
        }
        return r;
}

struct resolve_ctx {
        struct agent *a;
        const struct problem_scan *s;
        const struct observation *o;
        const struct act_counts *c;
        const struct ledger_entry *cycle_rows; /* this cycle's ledger rows */
        size_t n_cycle_rows;
        unsigned resolved;
};

static const struct policy *find_policy(const struct agent *a, const char *name)
{
        for (size_t i = 0; name && i < a->config->n_policies; i++)
                if (streq(a->config->policies[i].name, name))
                        return &a->config->policies[i];
        return NULL;
}

static bool done_this_cycle(const struct resolve_ctx *x, const struct problem *p)
{
        for (size_t i = 0; i < x->n_cycle_rows; i++) {
                const struct ledger_entry *e = &x->cycle_rows[i];
                if (e->state == LEDGER_DONE && streq(ledger_kind_to_string(e->kind), strempty(p->action)) &&
                    streq_ptr(e->snapshot, p->snapshot))
                        return true;
        }
        return false;
}

/* The quota has room for one more create of the policy in its region (after this cycle's changes). */
static bool quota_has_room(const struct resolve_ctx *x, const struct problem *p)
{
        const struct policy *pol = find_policy(x->a, p->policy);
        if (!pol || !p->region)
                return true; /* the policy is gone: nothing asks for room any more */
        int64_t limit = observation_quota_limit(x->o, pol, p->region) - pol->quota_reserve;
        return problems_quota_count(x->a, x->o, x->c, p->region) < limit;
}

static bool drill_succeeded_since(const struct resolve_ctx *x, const struct problem *p)
{
        struct ledger_entry *l = NULL;
        size_t n = 0;
        struct ledger_filter f = LEDGER_FILTER_ALL;
        f.cluster = p->cluster;
        f.kind = LEDGER_PROBE;
        f.state = LEDGER_DONE;
        f.since = p->first_seen - 7 * SEC_PER_DAY; /* a probe started before the failure was seen ... */
        f.limit = 1;
        if (store_ledger_list(x->a->store, &f, &l, &n) < 0)
                return false;
        bool ok = n > 0 && l[0].updated_at >= p->first_seen; /* ... that ended after it */
        ledger_entries_free(l, n);
        return ok;
}

/* A slot later than every missed one is taken. When it was recorded says nothing: a restart settles an
 * interrupted create of an earlier slot as taken in the same cycle that reports a later one missed. */
static bool slot_taken_since(const struct resolve_ctx *x, const struct problem *p)
{
        struct window_record taken = {}, *later = NULL;
        size_t n_later = 0;
        bool ok;

        if (!p->cluster || store_window_last_taken(x->a->store, p->cluster, &taken) < 0)
                return false;
        ok = taken.recorded_at >= p->first_seen &&
             store_window_list(x->a->store, p->cluster, taken.slot_start, 0, &later, &n_later) >= 0;
        for (size_t i = 0; ok && i < n_later; i++)
                if (later[i].outcome == WINDOW_MISSED && later[i].slot_start > taken.slot_start)
                        ok = false;
        window_records_free(later, n_later);
        window_record_done(&taken);
        return ok;
}

static bool still_selected(const struct resolve_ctx *x, const struct problem *p)
{
        return has_key(x->s->selected, x->s->n_selected, p->region, p->cluster);
}

static bool problem_cleared(const struct problem *p, void *userdata)
{
        struct resolve_ctx *x = userdata;
        bool cleared;

        if (p->region && p->kind != PROBLEM_REGION_UNOBSERVED && !observation_region_ok(x->o, p->region)) {
                /* Not seen this cycle: unknown, stays open. A region no policy asks for any more is gone. */
                bool asked = false;
                for (size_t i = 0; !asked && i < x->o->n_regions; i++)
                        asked = streq(x->o->regions[i].region, p->region);
                if (asked)
                        return false;
        }
        switch (p->kind) {
        case PROBLEM_REGION_UNOBSERVED:
        case PROBLEM_POLICY_EMPTY:
        case PROBLEM_ACTION_REFUSED:
                cleared = true; /* these are raised whenever their condition holds: not raised, cleared */
                break;
        case PROBLEM_ACTION_FAILED:
        case PROBLEM_BACKUP_UNDELETABLE:
                cleared = done_this_cycle(x, p) ||
                          !has_key(x->s->planned, x->s->n_planned, p->action, p->snapshot);
                break;
        case PROBLEM_DRILL_FAILED: {
                const struct policy *pol = find_policy(x->a, p->policy);
                cleared = !pol || !pol->restore_test.enabled || !still_selected(x, p) ||
                          drill_succeeded_since(x, p);
                break;
        }
        case PROBLEM_MISSED_WINDOW:
                cleared = !find_policy(x->a, p->policy) || !still_selected(x, p) || slot_taken_since(x, p);
                break;
        case PROBLEM_QUOTA_EXHAUSTED:
                cleared = quota_has_room(x, p);
                break;
        default:
                cleared = true;
                break;
        }
        if (cleared) {
                char since[TIME_ISO8601_MAX];
                x->resolved++;
                journal_event(EVENT_PROBLEM_RESOLVED,
                              &(struct event_fields){.policy = p->policy,
                                                     .cluster = p->cluster,
                                                     .snapshot = p->snapshot,
                                                     .region = p->region,
                                                     .action = p->action,
                                                     .reason = problem_kind_to_string(p->kind)},
                              "Problem cleared: %s%s%s%s%s (open since %s, seen %u time%s)",
                              problem_kind_to_string(p->kind), p->cluster ? " of " : "",
                              strempty(p->cluster), p->snapshot ? " " : "", strempty(p->snapshot),
                              time_format_iso8601(p->first_seen, since), p->count, p->count == 1 ? "" : "s");
        }
        return cleared;
}

static int store_next_slots(struct agent *a, const struct plan *p, int64_t now)
{
        _cleanup_free_ struct next_slot_record *rec = calloc(p->n_next_slots + 1, sizeof(*rec));
        if (!rec)
                return -ENOMEM;
        for (size_t i = 0; i < p->n_next_slots; i++) {
                const struct plan_next_slot *n = &p->next_slots[i];
                rec[i] = (struct next_slot_record){
                    .policy = (char *)n->policy,
                    .cluster = (char *)n->cluster,
                    .region = (char *)n->region,
                    .window_open = n->window_open,
                    .slot_start = n->slot_start,
                    .window_close = n->window_close,
                    .retry_at = n->retry_at,
                    .state = (char *)next_slot_state_to_string(n->state),
                    .schedule = (char *)n->schedule,
                    .window = (char *)n->window,
                    .window_from_cluster = n->window_from_cluster,
                };
        }
        return store_next_slots_replace(a->store, rec, p->n_next_slots, now);
}

int problems_update(struct agent *a, struct problem_scan *s, const struct plan *p,
                    const struct observation *o, const struct act_counts *c, int64_t started)
{
        struct ledger_entry *rows = NULL;
        struct problem *open = NULL;
        size_t n_rows = 0, n_open = 0;
        int64_t now = agent_now(a);
        int r, quota = 0;

        if (agent_dry_run(a) || !a->store)
                return 0;
        struct ledger_filter f = LEDGER_FILTER_ALL;
        f.since = started;
        r = store_ledger_list(a->store, &f, &rows, &n_rows);
        if (r >= 0)
                r = raise_from_ledger(s, rows, n_rows);
        if (r >= 0) {
                struct resolve_ctx x = {
                    .a = a, .s = s, .o = o, .c = c, .cycle_rows = rows, .n_cycle_rows = n_rows};
                r = store_problems_update(a->store, s->current, s->n_current, problem_cleared, &x, now,
                                          PROBLEM_KEEP_RESOLVED_SEC);
        }
        if (r >= 0)
                r = store_next_slots(a, p, now);
        if (r >= 0)
                r = store_problems_list(a->store, 0, &open, &n_open);
        for (size_t i = 0; r >= 0 && i < n_open; i++)
                if (open[i].kind == PROBLEM_QUOTA_EXHAUSTED)
                        quota++;
        problems_free(open, n_open);
        ledger_entries_free(rows, n_rows);
        if (r < 0)
                return log_error_errno(r, "cannot record problems in %s: %s (%s)", a->state_directory,
                                       store_last_error(a->store), strerror(-r));
        return quota;
}
