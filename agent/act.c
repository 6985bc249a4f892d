/* The act step. Every mutating call is preceded by a committed ledger intent (so that a crash at any
 * point is recovered from the ledger, see recover.c) and followed by its outcome. Dry-run makes no
 * mutating call and writes no intent. */
#include "act.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws-rds.h"
#include "backup-delete.h"
#include "journal.h"
#include "ledger-intent.h"
#include "log.h"
#include "notify.h"
#include "operator-restore.h"
#include "restore-drill.h"
#include "share-cache.h"
#include "snapshot-id.h"
#include "snapshot-origin.h"
#include "store.h"
#include "task.h"
#include "time-util.h"

#define ERR_SNAPSHOT_EXISTS "DBClusterSnapshotAlreadyExistsFault"
#define ERR_SNAPSHOT_NOT_FOUND "DBClusterSnapshotNotFoundFault"
#define ERR_QUOTA "SnapshotQuotaExceeded"

static int client_for(struct agent *a, const struct plan_action *act, const char *region,
                      struct aws_client **ret, struct aws_error *e)
{
        return agent_client_get(a, region, agent_find_policy(a, act->policy), ret, e);
}

static void report_client_error(const struct plan_action *act, enum journal_event kind, const char *verb,
                                const struct aws_error *e)
{
        struct event_fields f = act_fields(act, verb);
        char buf[1024];

        act_error_fields(e, &f);
        journal_event(kind, &f, "Cannot %s %s: no AWS client: %s", verb, strempty(act->snapshot),
                      aws_error_to_string(e, buf, sizeof(buf)));
}

/* The client for the action's region, then its intent. 1: started (call AWS now); 0: no client (reported
 * and counted as failed); negative: the intent could not be recorded (the cycle stops). */
static int act_start(struct agent *a, const struct plan_action *act, int64_t cycle_id,
                     enum journal_event fail_kind, const char *verb, enum ledger_kind kind,
                     const char *ledger_region, const char *target, struct act_counts *c,
                     struct aws_client **ret_client, int64_t *ret_id)
{
        struct aws_error e = {};
        int r;

        r = client_for(a, act, act->region, ret_client, &e);
        if (r < 0) {
                report_client_error(act, fail_kind, verb, &e);
                c->failed++;
                return 0;
        }
        r = ledger_intent_begin(a, cycle_id, kind, act, ledger_region, target, ret_id);
        return r < 0 ? r : 1;
}

/* Belt and braces: the planner already decided; this refuses anything that is not plainly ours, and ours
 * for the policy that asks (invariant 1). */
static const char *rds_delete_refusal(const struct agent *a, const struct observation *o,
                                      const struct plan_action *act)
{
        const struct observed_snapshot *s = observation_find_snapshot(o, act->region, act->snapshot);

        if (!s)
                return "not observed this cycle";
        if (snapshot_id_deleted_only_through_backup(s->identifier))
                return "AWS Backup snapshots are deleted only through AWS Backup";
        if (snapshot_classify(s, agent_snapshot_prefix(a)) != ORIGIN_AGENT)
                return "not owned by the agent (its name, managed-by tag and slot tag must all agree)";
        if (!act->policy || !streq_ptr(plan_tag_get(s->tags, s->n_tags, TAG_POLICY), act->policy))
                return "tagged for another policy";
        if (!streq_ptr(s->status, "available"))
                return "not available";
        return NULL;
}

static int act_delete_rds(struct agent *a, const struct plan_action *act, const struct observation *o,
                          int64_t cycle_id, struct act_counts *c)
{
        struct event_fields f = act_fields(act, "delete");
        struct aws_error e = {};
        struct aws_client *client;
        const char *refusal;
        int64_t id;
        int r;

        refusal = rds_delete_refusal(a, o, act);
        if (refusal) {
                f.reason = refusal;
                journal_event(EVENT_ACTION_REFUSED, &f, "Refused to delete %s: %s", act->snapshot, refusal);
                c->failed++;
                return 0;
        }
        journal_event(EVENT_RETENTION_VERDICT, &f, "%s %s: %s",
                      agent_dry_run(a) ? "Would delete" : "Deleting", act->snapshot, act->rule);
        if (agent_dry_run(a))
                return 0;

        r = act_start(a, act, cycle_id, EVENT_DELETE_FAILED, "delete", LEDGER_DELETE_RDS, act->region, NULL,
                      c, &client, &id);
        if (r <= 0)
                return r;
        r = rds_delete_db_cluster_snapshot(client, act->snapshot, NULL, &e);
        if (r < 0 && act_outcome_unknown(a, &e, &f, "Deleting", act->snapshot, c))
                return 0;
        r = act_settle(a, id, r, streq(e.code, ERR_SNAPSHOT_NOT_FOUND), &e, client, &f, c);
        if (r < 0)
                return r;
        if (r > 0) {
                c->deleted++;
                journal_event(EVENT_SNAPSHOT_DELETED, &f, "Deleted %s (%s)", act->snapshot, act->rule);
        } else {
                act_failed(a, EVENT_DELETE_FAILED, &f, &e, c, "Deleting", act->snapshot);
        }
        return 0;
}

static int tags_to_aws(const struct plan_action *act, struct aws_tag **ret)
{
        struct aws_tag *t = calloc(act->n_tags ? act->n_tags : 1, sizeof(*t));
        if (!t)
                return -ENOMEM;
        for (size_t i = 0; i < act->n_tags; i++)
                t[i] = (struct aws_tag){act->tags[i].key, act->tags[i].value};
        *ret = t;
        return 0;
}

static int act_create(struct agent *a, const struct plan_action *act, const struct observation *o,
                      int64_t cycle_id, struct act_counts *c)
{
        struct event_fields f = act_fields(act, "create");
        _cleanup_free_ struct aws_tag *tags = NULL;
        struct rds_db_cluster_snapshot snap = {};
        struct aws_error e = {};
        struct aws_client *client;
        int64_t id, now = agent_now(a);
        int r;

        if (agent_dry_run(a))
                return 0;
        r = tags_to_aws(act, &tags);
        if (r < 0)
                return r;
        r = act_start(a, act, cycle_id, EVENT_SNAPSHOT_FAILED, "create", LEDGER_CREATE, act->region, NULL, c,
                      &client, &id);
        if (r <= 0)
                return r;
        r = rds_create_db_cluster_snapshot(client, act->cluster, act->snapshot, tags, act->n_tags, &snap,
                                           &e);
        if (r < 0 && act_outcome_unknown(a, &e, &f, "Creating", act->snapshot, c)) {
                rds_db_cluster_snapshot_done(&snap);
                return 0;
        }
        /* The identifier is deterministic: "already exists" means this slot's snapshot was made (by an
         * earlier attempt whose answer was lost, or by a second agent). */
        bool exists = r < 0 && streq(e.code, ERR_SNAPSHOT_EXISTS);
        int k = act_settle(a, id, r, exists, &e, client, &f, c);
        if (k < 0) {
                rds_db_cluster_snapshot_done(&snap);
                return k;
        }
        if (k > 0) {
                bool available = streq_ptr(snap.status, "available");
                c->created++;
                journal_event(EVENT_SNAPSHOT_STARTED, &f, "%s %s of cluster %s (%s)",
                              exists ? "Found" : "Started", act->snapshot, act->cluster, act->rule);
                if (available)
                        journal_event(EVENT_SNAPSHOT_CREATED,
                                      &(struct event_fields){.policy = act->policy,
                                                             .cluster = act->cluster,
                                                             .snapshot = act->snapshot,
                                                             .region = act->region,
                                                             .action = "create",
                                                             .has_duration = true,
                                                             .duration_sec = 0},
                                      "Snapshot %s of cluster %s is available", act->snapshot, act->cluster);
                k = store_window_record(a->store, act->policy, act->cluster, act->slot_start, WINDOW_TAKEN,
                                        act->snapshot, available, now);
        } else if (streq(e.code, ERR_QUOTA)) {
                c->failed++;
                act_error_fields(&e, &f);
                f.reason = "quota";
                journal_event(
                    EVENT_QUOTA_EXHAUSTED, &f,
                    "RDS refused snapshot %s: the region's manual snapshot quota is exhausted (%s)",
                    act->snapshot, e.message);
                k = store_window_record(a->store, act->policy, act->cluster, act->slot_start,
                                        WINDOW_QUOTA_EXHAUSTED, NULL, true, now);
        } else {
                act_failed(a, EVENT_SNAPSHOT_FAILED, &f, &e, c, "Creating", act->snapshot);
                k = 0;
        }
        rds_db_cluster_snapshot_done(&snap);
        return k;
}

static int act_copy(struct agent *a, const struct plan_action *act, const struct observation *o,
                    int64_t cycle_id, struct act_counts *c)
{
        struct event_fields f = act_fields(act, "copy");
        _cleanup_free_ struct aws_tag *tags = NULL;
        const struct observed_snapshot *src;
        const struct policy *p = agent_find_policy(a, act->policy);
        struct aws_error e = {};
        struct aws_client *client;
        bool copy_tags = false;
        int64_t id;
        int r;

        f.target = act->region;
        if (agent_dry_run(a))
                return 0;
        src = observation_find_snapshot(o, act->source_region ? act->source_region : act->region,
                                        act->source_snapshot);
        if (!src || !src->arn) {
                f.reason = "source not observed";
                journal_event(EVENT_COPY_FAILED, &f, "Cannot copy %s: its source %s was not observed",
                              act->snapshot, strempty(act->source_snapshot));
                c->failed++;
                return 0;
        }
        for (size_t i = 0; p && i < p->n_copies; i++)
                if (streq_ptr(p->copies[i].region, act->region))
                        copy_tags = p->copies[i].copy_tags;
        r = tags_to_aws(act, &tags);
        if (r < 0)
                return r;
        r = act_start(a, act, cycle_id, EVENT_COPY_FAILED, "copy", LEDGER_COPY,
                      act->source_region ? act->source_region : act->region, act->region, c, &client, &id);
        if (r <= 0)
                return r;
        bool cross = act->source_region && !streq(act->source_region, act->region);
        r = rds_copy_db_cluster_snapshot(
            client,
            &(struct rds_copy_params){.source_snapshot = cross ? src->arn : src->identifier,
                                      .target_identifier = act->snapshot,
                                      .kms_key_id = act->kms_key,
                                      .copy_tags = copy_tags,
                                      .tags = tags,
                                      .n_tags = act->n_tags},
            NULL, &e);
        if (r < 0 && act_outcome_unknown(a, &e, &f, "Copying to", act->snapshot, c))
                return 0;
        r = act_settle(a, id, r, streq(e.code, ERR_SNAPSHOT_EXISTS), &e, client, &f, c);
        if (r < 0)
                return r;
        if (r > 0)
                journal_event(EVENT_COPY_STARTED, &f, "Copying %s to %s in %s (%s)", act->source_snapshot,
                              act->snapshot, act->region, act->rule);
        else
                act_failed(a, EVENT_COPY_FAILED, &f, &e, c, "Copying", act->source_snapshot);
        return 0;
}

static int act_share(struct agent *a, const struct plan_action *act, const struct observation *o,
                     int64_t cycle_id, struct act_counts *c)
{
        struct event_fields f = act_fields(act, "share");
        _cleanup_free_ char *accounts = NULL;
        struct aws_error e = {};
        struct aws_client *client;
        size_t len = 0;
        int64_t id;
        int r;

        for (const char *const *acc = act->accounts; acc && *acc; acc++)
                len += strlen(*acc) + 1;
        accounts = calloc(1, len + 1);
        if (!accounts)
                return -ENOMEM;
        for (const char *const *acc = act->accounts; acc && *acc; acc++) {
                if (*accounts)
                        strcat(accounts, ",");
                strcat(accounts, *acc);
        }
        f.target = accounts;
        if (agent_dry_run(a))
                return 0;
        r = act_start(a, act, cycle_id, EVENT_SHARE_FAILED, "share", LEDGER_SHARE, act->region, accounts, c,
                      &client, &id);
        if (r <= 0)
                return r;
        r = rds_modify_db_cluster_snapshot_attribute(client, act->snapshot, (char *const *)act->accounts,
                                                     NULL, NULL, &e);
        if (r < 0 && act_outcome_unknown(a, &e, &f, "Sharing", act->snapshot, c))
                return 0;
        r = act_settle(a, id, r, false, &e, client, &f, c);
        if (r < 0)
                return r;
        if (r > 0) {
                share_cache_shared(a->share_facts, act->region, act->snapshot, act->accounts);
                journal_event(EVENT_SHARE_COMPLETED, &f, "Shared %s with %s", act->snapshot, accounts);
        } else {
                act_failed(a, EVENT_SHARE_FAILED, &f, &e, c, "Sharing", act->snapshot);
        }
        return 0;
}

static int act_export(struct agent *a, const struct plan_action *act, const struct observation *o,
                      int64_t cycle_id, struct act_counts *c)
{
        struct event_fields f = act_fields(act, "export");
        const struct policy *p = agent_find_policy(a, act->policy);
        const struct observed_snapshot *src;
        struct aws_error e = {};
        struct aws_client *client;
        int64_t id;
        int r;

        if (!p || !p->export_.enabled)
                return 0;
        f.target = p->export_.bucket;
        if (agent_dry_run(a))
                return 0;
        src = observation_find_snapshot(o, act->region, act->source_snapshot);
        if (!src || !src->arn) {
                f.reason = "source not observed";
                journal_event(EVENT_EXPORT_FAILED, &f, "Cannot export %s: not observed",
                              strempty(act->source_snapshot));
                c->failed++;
                return 0;
        }
        r = act_start(a, act, cycle_id, EVENT_EXPORT_FAILED, "export", LEDGER_EXPORT, act->region,
                      p->export_.bucket, c, &client, &id);
        if (r <= 0)
                return r;
        r = rds_start_export_task(
            client,
            &(struct rds_export_params){.identifier = act->snapshot,
                                        .source_arn = src->arn,
                                        .s3_bucket = p->export_.bucket,
                                        .iam_role_arn = p->export_.iam_role,
                                        .kms_key_id = act->kms_key ? act->kms_key : p->export_.kms_key,
                                        .s3_prefix = p->export_.prefix},
            NULL, &e);
        if (r < 0 && act_outcome_unknown(a, &e, &f, "Exporting to", act->snapshot, c))
                return 0;
        r = act_settle(a, id, r,
                       streq(e.code, "ExportTaskAlreadyExistsFault") ||
                           streq(e.code, "ExportTaskAlreadyExists"),
                       &e, client, &f, c);
        if (r < 0)
                return r;
        if (r > 0)
                journal_event(EVENT_EXPORT_STARTED, &f, "Exporting %s to s3://%s/%s as %s",
                              act->source_snapshot, p->export_.bucket, strempty(p->export_.prefix),
                              act->snapshot);
        else
                act_failed(a, EVENT_EXPORT_FAILED, &f, &e, c, "Exporting", act->source_snapshot);
        return 0;
}

/* Report a condition once per (kind, key): e.g. a deferral once per slot, a refusal once per snapshot. */
static int report_once(struct agent *a, const char *kind, const struct plan_action *act, int64_t extra)
{
        _cleanup_free_ char *key = NULL;
        if (asprintf(&key, "%s:%s:%s:%s:%" PRIi64, kind, strempty(act->region), strempty(act->cluster),
                     strempty(act->snapshot), extra) < 0)
                return -ENOMEM;
        return agent_report_once(a, key);
}

static int act_missed(struct agent *a, const struct plan_action *act, const struct observation *o,
                      int64_t cycle_id, struct act_counts *c)
{
        struct event_fields f = act_fields(act, "missed");
        char slot[TIME_ISO8601_MAX];

        c->missed++;
        journal_event(EVENT_WINDOW_MISSED, &f,
                      "Backup window of cluster %s closed without a snapshot for slot %s (%s)", act->cluster,
                      time_format_iso8601(act->slot_start, slot), act->rule);
        if (agent_dry_run(a))
                return 0;
        return store_window_record(a->store, act->policy, act->cluster, act->slot_start, WINDOW_MISSED, NULL,
                                   true, agent_now(a));
}

static int act_quota_exhausted(struct agent *a, const struct plan_action *act, const struct observation *o,
                               int64_t cycle_id, struct act_counts *c)
{
        struct event_fields f = act_fields(act, act->slot_start ? "create" : "copy");
        struct window_record w = {};
        int r;

        if (act->slot_start > 0) {
                r = store_window_lookup(a->store, act->cluster, act->slot_start, &w);
                bool known = r >= 0 && w.outcome == WINDOW_QUOTA_EXHAUSTED;
                window_record_done(&w);
                if (r < 0 && r != -ENOENT)
                        return r;
                if (known)
                        return 0;
        } else {
                r = report_once(a, "quota", act, 0);
                if (r <= 0)
                        return r;
        }
        journal_event(EVENT_QUOTA_EXHAUSTED, &f, "No room for %s in %s: %s", strempty(act->snapshot),
                      strempty(act->region), act->rule);
        if (agent_dry_run(a) || act->slot_start <= 0)
                return 0;
        return store_window_record(a->store, act->policy, act->cluster, act->slot_start,
                                   WINDOW_QUOTA_EXHAUSTED, NULL, true, agent_now(a));
}

static int act_wait(struct agent *a, const struct plan_action *act, const struct observation *o,
                    int64_t cycle_id, struct act_counts *c)
{
        struct event_fields f = act_fields(act, "retry");
        char at[TIME_ISO8601_MAX];
        int r;

        r = report_once(a, "deferred", act, act->slot_start);
        if (r <= 0)
                return r;
        f.reason = act->status ? act->status : act->rule;
        journal_event(EVENT_SNAPSHOT_DEFERRED, &f, "Not creating %s now: %s; retry at %s",
                      strempty(act->snapshot), act->rule, time_format_iso8601(act->retry_at, at));
        return 0;
}

static int act_refused(struct agent *a, const struct plan_action *act, const struct observation *o,
                       int64_t cycle_id, struct act_counts *c)
{
        struct event_fields f = act_fields(act, "refuse");
        _cleanup_free_ char *key = NULL;
        int r;

        f.target = act->target;
        if (act->target) { /* a cluster that looks like a restore drill */
                if (asprintf(&key, "refused:%s:%s:%s", strempty(act->region), strempty(act->cluster),
                             act->target) < 0)
                        return -ENOMEM;
                r = agent_report_once(a, key);
        } else
                r = report_once(a, "refused", act, 0);
        if (r <= 0)
                return r;
        journal_event(EVENT_ACTION_REFUSED, &f, "Not acting on %s: %s",
                      strempty(act->snapshot ?: act->target), act->rule);
        return 0;
}

/* What the act step does with each kind of action (act_executor_fn says what a handler returns). */
struct act_kind {
        act_executor_fn *run;   /* NULL: nothing to do (observed this cycle; the next wake-up polls again) */
        bool mutating;          /* a call that changes AWS: only in a region observed this cycle, counted as
                                   planned, and run for several clusters at once */
        bool changes_inventory; /* a success changes the kept inventory (act_counts.changes) */
};

static const struct act_kind act_kinds[_ACTION_KIND_MAX] = {
    [ACTION_DELETE_RDS] = {.run = act_delete_rds, .mutating = true, .changes_inventory = true},
    [ACTION_DELETE_BACKUP] = {.run = backup_delete_act, .mutating = true, .changes_inventory = true},
    [ACTION_CREATE] = {.run = act_create, .mutating = true, .changes_inventory = true},
    [ACTION_COPY] = {.run = act_copy, .mutating = true, .changes_inventory = true},
    [ACTION_SHARE] = {.run = act_share, .mutating = true},
    [ACTION_EXPORT] = {.run = act_export, .mutating = true},
    [ACTION_POLL] = {.run = NULL},
    [ACTION_WAIT] = {.run = act_wait},
    [ACTION_MISSED] = {.run = act_missed},
    [ACTION_QUOTA_EXHAUSTED] = {.run = act_quota_exhausted},
    [ACTION_REFUSED] = {.run = act_refused},
    [ACTION_DRILL_RESTORE] = {.run = restore_drill_restore, .mutating = true},
    [ACTION_DRILL_INSTANCE] = {.run = restore_drill_create_instance, .mutating = true},
    [ACTION_DRILL_PROBE] = {.run = restore_drill_probe},
    [ACTION_DRILL_TEARDOWN] = {.run = restore_drill_teardown, .mutating = true},
    [ACTION_DRILL_WAIT] = {.run = NULL},
    [ACTION_DRILL_FAILED] = {.run = restore_drill_failed},
    [ACTION_RESTORE_CLUSTER] = {.run = operator_restore_call, .mutating = true},
    [ACTION_RESTORE_INSTANCE] = {.run = operator_restore_create_instance, .mutating = true},
    [ACTION_RESTORE_WAIT] = {.run = operator_restore_progress},
    [ACTION_RESTORE_DONE] = {.run = operator_restore_completed},
    [ACTION_RESTORE_FAILED] = {.run = operator_restore_failed},
};

static const struct act_kind *act_kind(enum action_kind k)
{
        static const struct act_kind none = {};
        return (unsigned)k < ELEMENTSOF(act_kinds) ? &act_kinds[k] : &none;
}

static int act_one(struct agent *a, const struct plan_action *act, const struct observation *o,
                   int64_t cycle_id, struct act_counts *c)
{
        const struct act_kind *k = act_kind(act->kind);
        unsigned succeeded_before = c->succeeded;
        int r = 0;

        if (k->mutating && !observation_region_ok(o, act->region)) {
                /* Its region could not be observed this cycle (already reported as an API error): its quota
                 * and contents are unknown, so nothing is done there. */
                return 0;
        }
        if (k->run)
                r = k->run(a, act, o, cycle_id, c);
        if (r < 0)
                return r;
        if (r == 0 && k->mutating)
                c->planned++;
        if (c->succeeded > succeeded_before && k->changes_inventory)
                return act_counts_record_change(c, act);
        return 0;
}

/* The actions of one kind, by cluster: a lane is one cluster's actions, run in plan order. */
struct act_phase {
        struct agent *a;
        const struct plan *p;
        const struct observation *o;
        int64_t cycle_id;
        struct act_counts *c;
        size_t from, to; /* the phase: p->actions[from..to) */
        size_t *lane_of; /* per action of the phase: its lane's first action (index into p->actions) */
        size_t *lanes;   /* the first action of each lane */
        size_t n_lanes;
        int result;
};

static bool same_lane(const struct plan_action *x, const struct plan_action *y)
{
        return streq_ptr(x->region, y->region) && streq_ptr(x->cluster, y->cluster);
}

static void act_lane(size_t lane, void *userdata)
{
        struct act_phase *ph = userdata;
        size_t first = ph->lanes[lane];

        for (size_t i = first; i < ph->to; i++) {
                if (ph->lane_of[i - ph->from] != first)
                        continue;
                if (ph->result < 0 || agent_winding_down(ph->a))
                        return;
                int r = act_one(ph->a, &ph->p->actions[i], ph->o, ph->cycle_id, ph->c);
                if (r < 0 && ph->result >= 0)
                        ph->result = r;
        }
}

/* Deletions before creations (the plan's order by kind: quota freed before it is spent); within a kind,
 * different clusters at once (agent.max_concurrent_calls), each cluster's actions one after another. */
int act_plan(struct agent *a, const struct plan *p, const struct observation *o, int64_t cycle_id,
             struct act_counts *c)
{
        for (size_t from = 0, to; from < p->n_actions; from = to) {
                for (to = from + 1; to < p->n_actions && p->actions[to].kind == p->actions[from].kind; to++)
                        ;
                if (agent_winding_down(a))
                        break;
                agent_watchdog_ping(a);
                _cleanup_free_ size_t *lane_of = calloc(to - from, sizeof(*lane_of));
                _cleanup_free_ size_t *lanes = calloc(to - from, sizeof(*lanes));
                if (!lane_of || !lanes)
                        return -ENOMEM;
                struct act_phase ph = {.a = a,
                                       .p = p,
                                       .o = o,
                                       .cycle_id = cycle_id,
                                       .c = c,
                                       .from = from,
                                       .to = to,
                                       .lane_of = lane_of,
                                       .lanes = lanes};
                /* Quadratic in the actions of one kind per cluster count: a few hundred at most per wake-up.
                 */
                for (size_t i = from; i < to; i++) {
                        size_t k = 0;
                        while (k < ph.n_lanes && !same_lane(&p->actions[lanes[k]], &p->actions[i]))
                                k++;
                        if (k == ph.n_lanes)
                                lanes[ph.n_lanes++] = i;
                        lane_of[i - from] = lanes[k];
                }
                unsigned width =
                    act_kind(p->actions[from].kind)->mutating ? a->config->agent.max_concurrent_calls : 1;
                task_for_each(ph.n_lanes, width, act_lane, &ph);
                if (ph.result < 0)
                        return ph.result;
                notify_watchdog();
        }
        return 0;
}
