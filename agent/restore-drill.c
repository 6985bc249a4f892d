/* Restore drills, the agent's side: before each plan, the targeted observation of the agent's drill
 * clusters (their instances) and the ledger's drill rows; then the executor of the planner's drill
 * actions, one function per action kind (scheduler/plan-drill.c decides). */
#include "restore-drill.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "aws-rds.h"
#include "drill-id.h"
#include "journal.h"
#include "ledger-intent.h"
#include "observe.h"
#include "operator-restore.h"
#include "plan.h"
#include "restore-probe.h"
#include "snapshot-id.h"
#include "store.h"
#include "time-util.h"

/* How long a probe may take before it is killed and the drill counts as failed. */
#define RESTORE_PROBE_TIMEOUT_SEC 600
/* How far back the planner reads the ledger's drill rows: the longest drill period (monthly) and margin. A
 * drill cluster whose restore is older than this is no longer known as the agent's: it is left alone and
 * reported, never deleted. */
#define DRILL_LEDGER_LOOKBACK_SEC (62 * SEC_PER_DAY)

#define ERR_CLUSTER_EXISTS "DBClusterAlreadyExistsFault"
#define ERR_INSTANCE_EXISTS "DBInstanceAlreadyExists"
#define ERR_CLUSTER_NOT_FOUND "DBClusterNotFoundFault"
#define ERR_INSTANCE_NOT_FOUND "DBInstanceNotFound"

/* ---- observation ---- */

/* The ledger's kinds of drill rows, with the operators' restores' rows (the planner tells them apart by
 * kind), and the action each kind's row records. */
static const struct {
        enum ledger_kind kind;
        enum action_kind action;
} drill_kinds[] = {
    {LEDGER_RESTORE, ACTION_DRILL_RESTORE},
    {LEDGER_RESTORE_INSTANCE, ACTION_DRILL_INSTANCE},
    {LEDGER_PROBE, ACTION_DRILL_PROBE},
    {LEDGER_TEARDOWN, ACTION_DRILL_TEARDOWN},
    {LEDGER_OPERATOR_RESTORE, ACTION_RESTORE_CLUSTER},
    {LEDGER_OPERATOR_INSTANCE, ACTION_RESTORE_INSTANCE},
};

static enum action_kind drill_action_of(enum ledger_kind k)
{
        for (size_t i = 0; i < ELEMENTSOF(drill_kinds); i++)
                if (drill_kinds[i].kind == k)
                        return drill_kinds[i].action;
        return ACTION_DRILL_TEARDOWN;
}

/* A ledger state as the planner's drill record state; anything else counts as abandoned. */
static const enum drill_record_state drill_states[_LEDGER_STATE_MAX] = {
    [LEDGER_INTENT] = DRILL_RECORD_OPEN,
    [LEDGER_DONE] = DRILL_RECORD_DONE,
    [LEDGER_FAILED] = DRILL_RECORD_FAILED,
    [LEDGER_ABANDONED] = DRILL_RECORD_ABANDONED,
};

static enum drill_record_state drill_state_of(enum ledger_state s)
{
        return (unsigned)s < ELEMENTSOF(drill_states) ? drill_states[s] : DRILL_RECORD_ABANDONED;
}

static int load_records(struct agent *a, struct observation *o)
{
        int64_t since = agent_now(a) - DRILL_LEDGER_LOOKBACK_SEC;
        int r;

        for (size_t k = 0; k < ELEMENTSOF(drill_kinds); k++) {
                struct ledger_entry *rows = NULL;
                size_t n = 0;
                r = store_ledger_list(
                    a->store,
                    &(struct ledger_filter){.kind = (int)drill_kinds[k].kind, .state = -1, .since = since},
                    &rows, &n);
                if (r < 0)
                        return r;
                r = ARRAY_APPEND(o->drill_rows, o->n_drill_rows, rows, n);
                if (r < 0) {
                        ledger_entries_free(rows, n);
                        return r;
                }
                free(rows); /* the entries are moved, their strings with them */
        }
        o->drill_records = calloc(o->n_drill_rows + 1, sizeof(*o->drill_records));
        if (!o->drill_records)
                return -ENOMEM;
        for (size_t i = 0; i < o->n_drill_rows; i++) {
                const struct ledger_entry *e = &o->drill_rows[i];
                o->drill_records[o->n_drill_records++] = (struct drill_record){
                    .kind = drill_action_of(e->kind),
                    .state = drill_state_of(e->state),
                    .source_cluster = e->cluster,
                    .region = e->region,
                    .resource = e->snapshot,
                    .target = e->target,
                    .started_at = e->created_at,
                    .finished_at = e->state == LEDGER_INTENT ? 0 : e->updated_at,
                };
        }
        return 0;
}

/* The agent's own restore of drill cluster `drill` from `source` (any outcome but a refusal by AWS). */
static bool records_own(const struct observation *o, const char *region, const char *source,
                        const char *drill)
{
        for (size_t i = 0; i < o->n_drill_records; i++) {
                const struct drill_record *r = &o->drill_records[i];
                if (r->kind == ACTION_DRILL_RESTORE && r->state != DRILL_RECORD_FAILED &&
                    streq_ptr(r->source_cluster, source) && streq_ptr(r->region, region) &&
                    streq_ptr(r->resource, drill))
                        return true;
        }
        return false;
}

bool restore_drill_known(const struct agent *a, const struct observation *o,
                         const struct observed_cluster *dc)
{
        return restore_drill_cluster_is_ours(agent_snapshot_prefix(a), dc) &&
               records_own(o, dc->region, plan_tag_get(dc->tags, dc->n_tags, TAG_RESTORE_TEST),
                           dc->identifier);
}

/* The instances of one drill cluster (observe_cluster_instances()). */
static int observe_drill(struct agent *a, struct observation *o, const struct observed_cluster *dc,
                         const struct policy *p)
{
        char instance_id[PLAN_SNAPSHOT_ID_MAX];

        if (restore_drill_instance_identifier(dc->identifier, instance_id) < 0)
                return 0;
        return observe_cluster_instances(a, o, dc, p, p->name, "restore drill", instance_id);
}

int restore_drills_observe(struct agent *a, struct observation *o)
{
        int r;

        observation_drills_done(o);
        if (!a->store)
                return 0; /* read-only planning before the agent ever ran: no drill of its own */
        r = load_records(a, o);
        if (r < 0)
                return r;
        for (size_t i = 0; i < o->n_clusters; i++) {
                const struct observed_cluster *dc = &o->clusters[i];
                if (agent_winding_down(a))
                        break;
                if (!restore_drill_known(a, o, dc))
                        continue;
                const char *source_id = plan_tag_get(dc->tags, dc->n_tags, TAG_RESTORE_TEST);
                const struct observed_cluster *source = observation_find_cluster(o, dc->region, source_id);
                const char *policy = source ? agent_cluster_policy(a, source) : NULL;
                const struct policy *p = policy ? agent_find_policy(a, policy) : NULL;
                /* Only the agent's own drills, of clusters it drills: a lookalike is not even looked at. */
                if (!p || !p->restore_test.enabled)
                        continue;
                r = observe_drill(a, o, dc, p);
                if (r < 0)
                        return r;
        }
        return operator_restores_observe(a, o);
}

/* ---- acting ---- */

static struct event_fields drill_fields(const struct plan_action *act, const char *verb,
                                        const char *snapshot)
{
        return (struct event_fields){
            .policy = act->policy,
            .cluster = act->cluster,
            .snapshot = snapshot,
            .region = act->region,
            .target = act->target,
            .action = verb,
        };
}

static void report_failure(struct agent *a, const struct plan_action *act, const char *verb,
                           const char *snapshot, const char *reason, const struct aws_error *e,
                           struct act_counts *c)
{
        struct event_fields f = drill_fields(act, verb, snapshot);
        char buf[1024];

        f.reason = reason;
        if (e)
                act_error_fields(e, &f);
        journal_event(EVENT_RESTORE_FAILED, &f, "Restore drill of cluster %s (%s): %s%s%s", act->cluster,
                      strempty(act->target), reason, e ? ": " : "",
                      e ? aws_error_to_string(e, buf, sizeof(buf)) : "");
        agent_set_last_error(a, "restore drill %s: %s", strempty(act->target),
                             e && e->code[0] ? e->code : reason);
        c->failed++;
}

/* The tags of what a drill creates: the agent's, a drill of which cluster, for which policy (what
 * restore_drill_cluster_is_ours() and the teardown's checks look for). */
#define DRILL_TAGS 3
static void drill_tags(const struct plan_action *act, const struct policy *p,
                       struct aws_tag tags[static DRILL_TAGS])
{
        tags[0] = (struct aws_tag){(char *)TAG_MANAGED_BY, (char *)TAG_MANAGED_BY_VALUE};
        tags[1] = (struct aws_tag){(char *)TAG_RESTORE_TEST, (char *)act->cluster};
        tags[2] = (struct aws_tag){(char *)TAG_POLICY, p->name};
}

/* One mutating call (or the probe), bracketed by its ledger row: `resource` is what is created, probed or
 * deleted; `target` the drill cluster (for the restore: what it is restored from). */
static int intent_begin(struct agent *a, const struct plan_action *act, int64_t cycle_id,
                        enum ledger_kind kind, const char *resource, const char *target, int64_t *ret_id)
{
        struct plan_action row = {
            .policy = act->policy,
            .cluster = act->cluster,
            .snapshot = resource,
            .region = act->region,
        };
        return ledger_intent_begin(a, cycle_id, kind, &row, act->region, target, ret_id);
}

static int client_for(struct agent *a, const struct plan_action *act, struct aws_client **ret,
                      struct act_counts *c)
{
        struct aws_error e = {};
        if (agent_client_get(a, act->region, agent_find_policy(a, act->policy), ret, &e) < 0) {
                report_failure(a, act, "restore", NULL, "no AWS client", &e, c);
                return -1;
        }
        return 0;
}

/* Whether the ledger holds the agent's own restore of drill cluster `drill` from the action's cluster (any
 * outcome but a refusal by AWS). 1: yes; 0: no; negative: the ledger could not be read. */
static int ledger_has_restore(struct agent *a, const struct plan_action *act, const char *drill)
{
        struct ledger_entry *rows = NULL;
        size_t n = 0;
        int r;

        r = store_ledger_list(
            a->store,
            &(struct ledger_filter){
                .cluster = act->cluster, .snapshot = drill, .kind = LEDGER_RESTORE, .state = -1},
            &rows, &n);
        if (r < 0)
                return r;
        bool found = false;
        for (size_t i = 0; i < n && !found; i++)
                found = rows[i].state != LEDGER_FAILED && streq_ptr(rows[i].snapshot, drill) &&
                        streq_ptr(rows[i].region, act->region);
        ledger_entries_free(rows, n);
        return found;
}

int restore_drill_restore(struct agent *a, const struct plan_action *act, const struct observation *o,
                          int64_t cycle_id, struct act_counts *c)
{
        const struct policy *p = agent_find_policy(a, act->policy);
        const bool pit = !act->source_snapshot;
        const char *drill = act->snapshot;
        struct rds_db_cluster out = {};
        struct aws_error e = {};
        struct aws_client *client;
        int64_t id;
        int r;

        if (!p || !drill)
                return 0;
        const struct rds_db_cluster *src = observation_find_rds_cluster(o, act->region, act->cluster);
        if (!pit && (!src || !src->engine)) {
                report_failure(a, act, "restore", act->source_snapshot,
                               "the source cluster's engine is unknown", NULL, c);
                return 0;
        }
        if (agent_dry_run(a)) {
                if (pit)
                        printf("Restore drill (dry run): would restore cluster %s to its latest restorable "
                               "time as "
                               "%s\n",
                               act->cluster, drill);
                else
                        printf("Restore drill (dry run): would restore %s of cluster %s to %s\n",
                               act->source_snapshot, act->cluster, drill);
                return 0;
        }
        if (client_for(a, act, &client, c) < 0)
                return 0;

        struct aws_tag tags[DRILL_TAGS];
        drill_tags(act, p, tags);
        /* "Already exists" is this restore only if an earlier attempt of the agent's may have made it. */
        int earlier = ledger_has_restore(a, act, drill);
        if (earlier < 0)
                return earlier;
        r = intent_begin(a, act, cycle_id, LEDGER_RESTORE, drill,
                         pit ? PLAN_DRILL_POINT_IN_TIME : act->source_snapshot, &id);
        if (r < 0)
                return r;
        const struct rds_restore_params params = {
            .cluster_identifier = drill,
            .snapshot_identifier = act->source_snapshot,
            .source_cluster_identifier = act->cluster,
            .restore_time = 0, /* point-in-time: UseLatestRestorableTime */
            .engine = src ? src->engine : NULL,
            .tags = tags,
            .n_tags = ELEMENTSOF(tags),
        };
        r = pit ? rds_restore_db_cluster_to_point_in_time(client, &params, &out, &e)
                : rds_restore_db_cluster_from_snapshot(client, &params, &out, &e);
        rds_db_cluster_done(&out);
        struct event_fields f = drill_fields(act, "restore", act->source_snapshot);
        if (r < 0 && act_outcome_unknown(a, &e, &f, "Restoring drill cluster", drill, c)) {
                agent_look_later(a, act->region, drill); /* recovery settles it from what it finds */
                return 0;
        }
        r = act_settle(a, id, r, earlier > 0 && streq(e.code, ERR_CLUSTER_EXISTS), &e, client, &f, c);
        if (r < 0)
                return r;
        if (r == 0) {
                report_failure(
                    a, act, "restore", act->source_snapshot,
                    streq(e.code, ERR_CLUSTER_EXISTS)
                        ? "a cluster of the drill's name exists and is not the agent's: not touched"
                    : pit ? "RestoreDBClusterToPointInTime failed"
                          : "RestoreDBClusterFromSnapshot failed",
                    &e, c);
                return 0;
        }
        if (pit)
                journal_event(EVENT_RESTORE_STARTED, &f,
                              "Restore drill: restoring cluster %s to its latest restorable time as %s",
                              act->cluster, drill);
        else
                journal_event(EVENT_RESTORE_STARTED, &f, "Restore drill: restoring %s of cluster %s to %s",
                              act->source_snapshot, act->cluster, drill);
        agent_look_later(a, act->region, drill);
        return 0;
}

int restore_drill_create_instance(struct agent *a, const struct plan_action *act,
                                  const struct observation *o, int64_t cycle_id, struct act_counts *c)
{
        const struct policy *p = agent_find_policy(a, act->policy);
        struct rds_db_instance out = {};
        struct aws_error e = {};
        struct aws_client *client;
        int64_t id;
        int r;

        if (!p || !act->target || !act->snapshot)
                return 0;
        if (agent_dry_run(a)) {
                printf("Restore drill (dry run): would create instance %s in %s\n", act->snapshot,
                       act->target);
                return 0;
        }
        const struct rds_db_cluster *rc = observation_find_rds_cluster(o, act->region, act->target);
        if (!rc || !rc->engine) {
                report_failure(a, act, "restore", NULL, "the restored cluster's engine is unknown", NULL, c);
                return 0;
        }
        if (client_for(a, act, &client, c) < 0)
                return 0;
        struct aws_tag tags[DRILL_TAGS];
        drill_tags(act, p, tags);
        r = intent_begin(a, act, cycle_id, LEDGER_RESTORE_INSTANCE, act->snapshot, act->target, &id);
        if (r < 0)
                return r;
        /* The API creates no instance on a restore: the primary is created with the cluster's identifier and
         * shows as a reader until it becomes the writer. */
        r = rds_create_db_instance(client,
                                   &(struct rds_instance_params){
                                       .instance_identifier = act->snapshot,
                                       .instance_class = p->restore_test.instance_class,
                                       .engine = rc->engine,
                                       .cluster_identifier = act->target,
                                       .tags = tags,
                                       .n_tags = ELEMENTSOF(tags),
                                   },
                                   &out, &e);
        rds_db_instance_done(&out);
        struct event_fields uf = drill_fields(act, "restore", NULL);
        if (r < 0 && act_outcome_unknown(a, &e, &uf, "Creating drill instance", act->snapshot, c))
                return 0;
        r = act_settle(a, id, r, streq(e.code, ERR_INSTANCE_EXISTS), &e, client, NULL, c);
        if (r < 0)
                return r;
        if (r == 0) {
                report_failure(a, act, "restore", NULL, "CreateDBInstance failed", &e, c);
                return 0;
        }
        struct event_fields f = drill_fields(act, "instance", NULL);
        f.reason = streq(e.code, ERR_INSTANCE_EXISTS) ? "already exists" : "created";
        journal_event(EVENT_RESTORE_INSTANCE_CREATED, &f, "Restore drill %s: creating instance %s (%s)",
                      act->target, act->snapshot,
                      p->restore_test.instance_class ? p->restore_test.instance_class : "");
        return 0;
}

int restore_drill_probe(struct agent *a, const struct plan_action *act, const struct observation *o,
                        int64_t cycle_id, struct act_counts *c)
{
        const struct policy *p = agent_find_policy(a, act->policy);
        int64_t id, now;
        int r, probe = 0;

        if (!p || !act->target || !act->snapshot)
                return 0;
        if (agent_dry_run(a)) {
                printf("Restore drill (dry run): would %srecord the time to restore of %s\n",
                       p->restore_test.probe_command ? "run probe_command, then " : "", act->target);
                return 0;
        }
        const struct rds_db_cluster *rc = observation_find_rds_cluster(o, act->region, act->target);
        /* The probe's outcome settles the drill: recorded like a call, so that a restart neither loses it
         * nor reports it twice. */
        r = intent_begin(a, act, cycle_id, LEDGER_PROBE, act->snapshot, act->target, &id);
        if (r < 0)
                return r;
        if (p->restore_test.probe_command)
                probe = restore_probe_run(p->restore_test.probe_command,
                                          &(struct restore_probe_env){
                                              .cluster = act->target,
                                              .instance = act->snapshot,
                                              .endpoint = rc ? rc->endpoint : NULL,
                                              .port = rc ? rc->port : 0,
                                              .engine = rc ? rc->engine : NULL,
                                              .source = act->cluster,
                                              .snapshot = act->source_snapshot,
                                              .region = act->region,
                                          },
                                          RESTORE_PROBE_TIMEOUT_SEC);
        now = agent_now(a); /* the probe is part of the time to restore */

        char why[96] = "";
        if (probe < 0)
                snprintf(why, sizeof(why), "probe_command could not be started (%s)", strerror(-probe));
        else if (probe == 128 + SIGKILL)
                snprintf(why, sizeof(why), "probe_command killed (timeout %ds, or SIGKILL)",
                         RESTORE_PROBE_TIMEOUT_SEC);
        else if (probe != 0)
                snprintf(why, sizeof(why), "probe_command exited %d", probe);
        struct aws_error failed = {};
        if (probe != 0) {
                snprintf(failed.code, sizeof(failed.code), "ProbeFailed");
                snprintf(failed.message, sizeof(failed.message), "%s", why);
        }
        r = ledger_intent_finish(a, id, probe == 0, probe == 0 ? NULL : &failed, NULL);
        if (r < 0)
                return r;
        if (probe != 0) {
                report_failure(a, act, "probe", act->source_snapshot, why, NULL, c);
                return 0;
        }
        c->succeeded++;
        struct event_fields f = drill_fields(act, "restore", act->source_snapshot);
        f.has_duration = act->since > 0;
        f.duration_sec = act->since > 0 ? now - act->since : 0;
        journal_event(
            EVENT_RESTORE_COMPLETED, &f,
            "Restore drill of cluster %s: %s restored to %s, instance %s is the writer after %" PRIi64
            "s; teardown in %u min",
            act->cluster, act->source_snapshot ? act->source_snapshot : "the latest restorable time",
            act->target, act->snapshot, f.duration_sec, p->restore_test.keep_minutes);
        return 0;
}

/* Belt and braces: only a cluster that is plainly a drill of the agent's is ever deleted. */
static const char *teardown_refusal(struct agent *a, const struct plan_action *act,
                                    const struct observation *o)
{
        const struct observed_cluster *dc = observation_find_cluster(o, act->region, act->target);
        if (!dc)
                return "not observed";
        if (!restore_drill_cluster_is_ours(agent_snapshot_prefix(a), dc))
                return "not a restore drill cluster of this agent (tags or name)";
        if (ledger_has_restore(a, act, dc->identifier) != 1)
                return "no restore of it in the agent's ledger";
        if (!streq_ptr(plan_tag_get(dc->tags, dc->n_tags, TAG_RESTORE_TEST), act->cluster))
                return "a drill of another cluster";
        if (streq_ptr(dc->identifier, act->cluster))
                return "the source cluster itself";
        if (!streq(act->snapshot, act->target)) {
                bool member = false;
                for (size_t i = 0; i < o->n_instances && !member; i++)
                        member = streq_ptr(o->instances[i].identifier, act->snapshot) &&
                                 streq_ptr(o->instances[i].cluster_identifier, dc->identifier);
                if (!member)
                        return "not an instance of the drill cluster";
        }
        return NULL;
}

/* DeleteDBInstance first; DeleteDBCluster once the instance is gone (AWS refuses to delete a cluster that
 * still has instances): the plan asks for one, then the other. */
int restore_drill_teardown(struct agent *a, const struct plan_action *act, const struct observation *o,
                           int64_t cycle_id, struct act_counts *c)
{
        struct aws_error e = {};
        struct aws_client *client;
        int64_t id;
        int r;

        if (!act->target || !act->snapshot)
                return 0;
        const bool instance = !streq(act->snapshot, act->target);
        const char *refusal = teardown_refusal(a, act, o);
        if (refusal) {
                struct event_fields f = drill_fields(act, "teardown", NULL);
                f.reason = refusal;
                journal_event(EVENT_ACTION_REFUSED, &f, "Refused to delete %s %s: %s",
                              instance ? "instance" : "cluster", act->snapshot, refusal);
                c->failed++;
                return 0;
        }
        if (agent_dry_run(a)) {
                printf("Restore drill (dry run): would delete %s %s\n", instance ? "instance" : "cluster",
                       act->snapshot);
                return 0;
        }
        if (client_for(a, act, &client, c) < 0)
                return 0;
        r = intent_begin(a, act, cycle_id, LEDGER_TEARDOWN, act->snapshot, act->target, &id);
        if (r < 0)
                return r;
        if (instance) {
                struct rds_db_instance out = {};
                r = rds_delete_db_instance(client, act->snapshot, &out, &e);
                rds_db_instance_done(&out);
        } else {
                struct rds_db_cluster out = {};
                r = rds_delete_db_cluster(client, act->target, true, &out, &e);
                rds_db_cluster_done(&out);
        }
        struct event_fields f = drill_fields(act, "teardown", NULL);
        if (r < 0 && act_outcome_unknown(a, &e, &f, "Deleting drill", act->snapshot, c))
                return 0;
        r = act_settle(a, id, r, streq(e.code, instance ? ERR_INSTANCE_NOT_FOUND : ERR_CLUSTER_NOT_FOUND),
                       &e, client, NULL, c);
        if (r < 0)
                return r;
        if (r == 0) {
                report_failure(a, act, "teardown", NULL,
                               instance ? "teardown failed: DeleteDBInstance"
                                        : "teardown failed: DeleteDBCluster",
                               &e, c);
                return 0;
        }
        agent_look_later(a, act->region, act->target);
        journal_event(EVENT_RESTORE_TEARDOWN, &f, "Restore drill %s: deleting %s %s", act->target,
                      instance ? "instance" : "cluster", act->snapshot);
        return 0;
}

int restore_drill_failed(struct agent *a, const struct plan_action *act, const struct observation *o,
                         int64_t cycle_id, struct act_counts *c)
{
        _cleanup_free_ char *key = NULL;
        int r;

        /* Once per drill (its cluster's name holds the period). */
        if (asprintf(&key, "restore-test:nothing:%s:%s", strempty(act->region), strempty(act->target)) < 0)
                return -ENOMEM;
        r = agent_report_once(a, key);
        if (r > 0)
                report_failure(a, act, "restore", NULL, act->rule, NULL, c);
        return r < 0 ? r : 0;
}
