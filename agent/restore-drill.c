/* Restore drills: one step of each drill per cycle (see restore-drill.h). The state is what AWS shows
 * (the drill cluster, found by its tags, and its instance) plus the ledger (whether this period's
 * restore was made, and when) and a reported-once marker (when the drill completed). */
#include "restore-drill.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws-rds.h"
#include "journal.h"
#include "plan.h"
#include "inventory.h"
#include "restore-probe.h"
#include "store.h"
#include "time-util.h"

/* How long a probe may take before it is killed and the drill counts as failed. */
#define RESTORE_PROBE_TIMEOUT_SEC 600

#define ERR_CLUSTER_EXISTS "DBClusterAlreadyExistsFault"
#define ERR_INSTANCE_EXISTS "DBInstanceAlreadyExists"
#define ERR_CLUSTER_NOT_FOUND "DBClusterNotFoundFault"
#define ERR_INSTANCE_NOT_FOUND "DBInstanceNotFound"

struct drill {
        struct agent *a;
        const struct observation *o;
        const struct policy *p;
        const char *region;
        const struct observed_cluster *source;
        int64_t cycle_id;
        struct act_counts *c;
};

static const struct observed_snapshot *newest_agent_snapshot(const struct drill *d)
{
        const struct observed_snapshot *best = NULL;
        for (size_t i = 0; i < d->o->n_snapshots; i++) {
                const struct observed_snapshot *s = &d->o->snapshots[i];
                if (!streq_ptr(s->region, d->region) || !streq_ptr(s->cluster_identifier, d->source->identifier) ||
                    !streq_ptr(s->status, "available") || snapshot_classify(s, agent_snapshot_prefix(d->a)) != ORIGIN_AGENT ||
                    s->create_time == PLAN_TIME_UNKNOWN)
                        continue;
                if (!best || s->create_time > best->create_time ||
                    (s->create_time == best->create_time && strcmp(s->identifier, best->identifier) > 0))
                        best = s;
        }
        return best;
}

/* The newest ledger row of `kind` about `resource` of this source cluster; 0 and *ret zeroed if none. */
static int ledger_last(const struct drill *d, enum ledger_kind kind, const char *resource, int state,
                       struct ledger_entry *ret)
{
        struct ledger_entry *rows = NULL;
        size_t n = 0;
        int r;

        *ret = (struct ledger_entry){};
        r = store_ledger_list(d->a->store,
                              &(struct ledger_filter){.cluster = d->source->identifier,
                                                      .snapshot = resource,
                                                      .kind = (int)kind,
                                                      .state = state,
                                                      .limit = 1},
                              &rows, &n);
        if (r < 0)
                return r;
        if (n > 0) {
                *ret = rows[0];
                rows[0] = (struct ledger_entry){};
        }
        ledger_entries_free(rows, n);
        return n > 0;
}

/* Whether the ledger holds the agent's own restore of drill cluster `drill_id` from this source (any outcome
 * but a refusal by AWS: an intent whose answer was lost, or that a crash left abandoned, may have made it).
 * 1: yes; 0: no; negative: the ledger could not be read. */
static int ledger_has_restore(const struct drill *d, const char *drill_id)
{
        struct ledger_entry *rows = NULL;
        size_t n = 0;
        int r;

        r = store_ledger_list(d->a->store,
                              &(struct ledger_filter){.cluster = d->source->identifier,
                                                      .snapshot = drill_id,
                                                      .kind = LEDGER_RESTORE,
                                                      .state = -1},
                              &rows, &n);
        if (r < 0)
                return r;
        bool found = false;
        for (size_t i = 0; i < n && !found; i++)
                found = rows[i].state != LEDGER_FAILED && streq_ptr(rows[i].snapshot, drill_id);
        ledger_entries_free(rows, n);
        return found;
}

static struct event_fields drill_fields(const struct drill *d, const char *action, const char *snapshot,
                                        const char *target)
{
        return (struct event_fields){
            .policy = d->p->name,
            .cluster = d->source->identifier,
            .snapshot = snapshot,
            .region = d->region,
            .target = target,
            .action = action,
        };
}

static void report_failure(const struct drill *d, const char *action, const char *snapshot, const char *target,
                           const char *reason, const struct aws_error *e)
{
        struct event_fields f = drill_fields(d, action, snapshot, target);
        char buf[1024];

        f.reason = reason;
        if (e)
                act_error_fields(e, &f);
        journal_event(EVENT_RESTORE_FAILED, &f, "Restore drill of cluster %s (%s): %s%s%s", d->source->identifier,
                      strempty(target), reason, e ? ": " : "", e ? aws_error_to_string(e, buf, sizeof(buf)) : "");
        agent_set_last_error(d->a, "restore drill %s: %s", strempty(target), e && e->code[0] ? e->code : reason);
        d->c->failed++;
}

/* One mutating call, bracketed by its ledger row: `resource` is what is created or deleted, `target` the
 * drill cluster (or, for the restore, the snapshot restored from). */
static int intent_begin(const struct drill *d, enum ledger_kind kind, const char *resource, const char *target,
                        int64_t *ret_id)
{
        struct plan_action act = {
            .policy = d->p->name,
            .cluster = d->source->identifier,
            .snapshot = resource,
            .region = d->region,
        };
        d->c->planned++;
        return act_intent_begin(d->a, d->cycle_id, kind, &act, d->region, target, ret_id);
}

static int client_for(const struct drill *d, struct aws_client **ret, const char *target)
{
        struct aws_error e = {};
        if (agent_client_get(d->a, d->region, d->p, ret, &e) < 0) {
                report_failure(d, "restore", NULL, target, "no AWS client", &e);
                return -1;
        }
        return 0;
}

static int drill_start(const struct drill *d, const char *drill_id)
{
        const struct observed_snapshot *snap = newest_agent_snapshot(d);
        const struct rds_db_cluster *src = observation_find_rds_cluster(d->o, d->region, d->source->identifier);
        struct rds_db_cluster out = {};
        struct aws_error e = {};
        struct aws_client *client;
        int64_t id;
        int r;

        if (!snap || !src || !src->engine) {
                _cleanup_free_ char *key = NULL;
                if (asprintf(&key, "restore-test:nothing:%s:%s", d->region, drill_id) < 0)
                        return -ENOMEM;
                r = agent_report_once(d->a, key);
                if (r > 0)
                        report_failure(d, "restore", NULL, drill_id,
                                       !snap ? "no available snapshot made by the agent to restore"
                                             : "the source cluster's engine is unknown",
                                       NULL);
                return r < 0 ? r : 0;
        }
        if (agent_dry_run(d->a)) {
                printf("Restore drill (dry run): would restore %s of cluster %s to %s\n", snap->identifier,
                       d->source->identifier, drill_id);
                return 0;
        }
        if (client_for(d, &client, drill_id) < 0)
                return 0;

        const struct aws_tag tags[] = {
            {(char *)TAG_MANAGED_BY, (char *)TAG_MANAGED_BY_VALUE},
            {(char *)TAG_RESTORE_TEST, (char *)d->source->identifier},
            {(char *)TAG_POLICY, d->p->name},
        };
        /* "Already exists" is this restore only if an earlier attempt of the agent's may have made it. */
        int earlier = ledger_has_restore(d, drill_id);
        if (earlier < 0)
                return earlier;
        r = intent_begin(d, LEDGER_RESTORE, drill_id, snap->identifier, &id);
        if (r < 0)
                return r;
        r = rds_restore_db_cluster_from_snapshot(client,
                                                 &(struct rds_restore_params){
                                                     .cluster_identifier = drill_id,
                                                     .snapshot_identifier = snap->identifier,
                                                     .engine = src->engine,
                                                     .kms_key_id = NULL,
                                                     .tags = tags,
                                                     .n_tags = ELEMENTSOF(tags),
                                                 },
                                                 &out, &e);
        if (r < 0) {
                struct event_fields f = drill_fields(d, "restore", snap->identifier, drill_id);
                if (act_outcome_unknown(d->a, &e, &f, "Restoring drill cluster", drill_id, d->c)) {
                        rds_db_cluster_done(&out);
                        return 0;
                }
        }
        bool ok = r >= 0 || (earlier > 0 && streq(e.code, ERR_CLUSTER_EXISTS));
        rds_db_cluster_done(&out);
        r = act_intent_finish(d->a, id, ok, r >= 0 ? NULL : &e, aws_client_last_request_id(client));
        if (r < 0)
                return r;
        if (!ok) {
                report_failure(d, "restore", snap->identifier, drill_id,
                               streq(e.code, ERR_CLUSTER_EXISTS)
                                   ? "a cluster of the drill's name exists and is not the agent's: not touched"
                                   : "RestoreDBClusterFromSnapshot failed",
                               &e);
                return 0;
        }
        d->c->succeeded++;
        struct event_fields f = drill_fields(d, "restore", snap->identifier, drill_id);
        f.request_id = e.request_id[0] ? e.request_id : aws_client_last_request_id(client);
        journal_event(EVENT_RESTORE_STARTED, &f, "Restore drill: restoring %s of cluster %s to %s",
                      snap->identifier, d->source->identifier, drill_id);
        inventory_look_later(d->a, d->region, drill_id);
        return 0;
}

static int drill_create_instance(const struct drill *d, const struct observed_cluster *dc, const char *instance_id)
{
        struct rds_db_instance out = {};
        struct aws_error e = {};
        struct aws_client *client;
        const struct rds_db_cluster *rc = observation_find_rds_cluster(d->o, d->region, dc->identifier);
        int64_t id;
        int r;

        if (agent_dry_run(d->a)) {
                printf("Restore drill (dry run): would create instance %s in %s\n", instance_id, dc->identifier);
                return 0;
        }
        if (!rc || !rc->engine) {
                report_failure(d, "restore", NULL, dc->identifier, "the restored cluster's engine is unknown", NULL);
                return 0;
        }
        if (client_for(d, &client, dc->identifier) < 0)
                return 0;
        const struct aws_tag tags[] = {
            {(char *)TAG_MANAGED_BY, (char *)TAG_MANAGED_BY_VALUE},
            {(char *)TAG_RESTORE_TEST, (char *)d->source->identifier},
            {(char *)TAG_POLICY, d->p->name},
        };
        r = intent_begin(d, LEDGER_RESTORE_INSTANCE, instance_id, dc->identifier, &id);
        if (r < 0)
                return r;
        r = rds_create_db_instance(client,
                                   &(struct rds_instance_params){
                                       .instance_identifier = instance_id,
                                       .instance_class = d->p->restore_test.instance_class,
                                       .engine = rc->engine,
                                       .cluster_identifier = dc->identifier,
                                       .tags = tags,
                                       .n_tags = ELEMENTSOF(tags),
                                   },
                                   &out, &e);
        if (r < 0) {
                struct event_fields f = drill_fields(d, "restore", NULL, dc->identifier);
                if (act_outcome_unknown(d->a, &e, &f, "Creating drill instance", instance_id, d->c)) {
                        rds_db_instance_done(&out);
                        return 0;
                }
        }
        bool ok = r >= 0 || streq(e.code, ERR_INSTANCE_EXISTS);
        rds_db_instance_done(&out);
        r = act_intent_finish(d->a, id, ok, r >= 0 ? NULL : &e, aws_client_last_request_id(client));
        if (r < 0)
                return r;
        if (!ok) {
                report_failure(d, "restore", NULL, dc->identifier, "CreateDBInstance failed", &e);
                return 0;
        }
        d->c->succeeded++;
        return 0;
}

/* Belt and braces: only a cluster that is plainly a drill of the agent's is ever deleted. */
static const char *teardown_refusal(const struct drill *d, const struct observed_cluster *dc)
{
        if (!restore_drill_cluster_is_ours(d->a->config->agent.snapshot_prefix, dc))
                return "not a restore drill cluster of this agent (tags or name)";
        if (ledger_has_restore(d, dc->identifier) != 1)
                return "no restore of it in the agent's ledger";
        if (!streq_ptr(plan_tag_get(dc->tags, dc->n_tags, TAG_RESTORE_TEST), d->source->identifier))
                return "a drill of another cluster";
        if (streq_ptr(dc->identifier, d->source->identifier))
                return "the source cluster itself";
        return NULL;
}

/* DeleteDBInstance first; DeleteDBCluster once the instance is gone (AWS refuses to delete a cluster
 * that still has instances), so a teardown takes two cycles or more. */
static int drill_teardown(const struct drill *d, const struct observed_cluster *dc,
                          const struct rds_db_instance *instance)
{
        const char *refusal = teardown_refusal(d, dc);
        struct aws_error e = {};
        struct aws_client *client;
        const char *resource = instance ? instance->identifier : dc->identifier;
        int64_t id;
        int r;

        if (refusal) {
                struct event_fields f = drill_fields(d, "teardown", NULL, dc->identifier);
                f.reason = refusal;
                journal_event(EVENT_ACTION_REFUSED, &f, "Refused to delete cluster %s: %s", dc->identifier, refusal);
                d->c->failed++;
                return 0;
        }
        if (instance ? streq_ptr(instance->status, "deleting") : streq_ptr(dc->status, "deleting"))
                return 0; /* under way */
        if (agent_dry_run(d->a)) {
                printf("Restore drill (dry run): would delete %s %s\n", instance ? "instance" : "cluster", resource);
                return 0;
        }
        if (client_for(d, &client, dc->identifier) < 0)
                return 0;
        r = intent_begin(d, LEDGER_TEARDOWN, resource, dc->identifier, &id);
        if (r < 0)
                return r;
        if (instance) {
                struct rds_db_instance out = {};
                r = rds_delete_db_instance(client, instance->identifier, &out, &e);
                rds_db_instance_done(&out);
        } else {
                struct rds_db_cluster out = {};
                r = rds_delete_db_cluster(client, dc->identifier, true, &out, &e);
                rds_db_cluster_done(&out);
        }
        if (r < 0) {
                struct event_fields f = drill_fields(d, "teardown", NULL, dc->identifier);
                if (act_outcome_unknown(d->a, &e, &f, "Deleting drill", resource, d->c))
                        return 0;
        }
        bool ok = r >= 0 || streq(e.code, instance ? ERR_INSTANCE_NOT_FOUND : ERR_CLUSTER_NOT_FOUND);
        r = act_intent_finish(d->a, id, ok, r >= 0 ? NULL : &e, aws_client_last_request_id(client));
        if (r < 0)
                return r;
        if (!ok) {
                report_failure(d, "teardown", NULL, dc->identifier,
                               instance ? "teardown failed: DeleteDBInstance" : "teardown failed: DeleteDBCluster", &e);
                return 0;
        }
        d->c->succeeded++;
        fprintf(stderr, "aurora-backup-agent: restore drill %s: deleting %s %s\n", dc->identifier,
                instance ? "instance" : "cluster", resource);
        return 0;
}

static int completed_key(const struct drill *d, const char *drill_id, char **ret)
{
        return asprintf(ret, "restore-test:completed:%s:%s", d->region, drill_id) < 0 ? -ENOMEM : 0;
}

/* One step of a drill whose cluster exists. */
static int drill_step(const struct drill *d, const struct observed_cluster *dc)
{
        _cleanup_(rds_db_instance_list_done) struct rds_db_instance_list instances = {};
        _cleanup_free_ char *key = NULL;
        char instance_id[PLAN_SNAPSHOT_ID_MAX];
        const struct rds_db_instance *instance = NULL;
        struct aws_error e = {};
        struct aws_client *client;
        int64_t now = agent_now(d->a), completed_at = 0;
        int r;

        r = restore_drill_instance_identifier(dc->identifier, instance_id);
        if (r < 0)
                return 0;
        if (client_for(d, &client, dc->identifier) < 0)
                return 0;
        /* Only while a drill exists: a cycle without one makes no call of its own. */
        r = rds_describe_db_instances(client, NULL, dc->identifier, &instances, &e);
        if (r < 0) {
                report_failure(d, "restore", NULL, dc->identifier, "DescribeDBInstances failed", &e);
                return 0;
        }
        for (size_t i = 0; i < instances.n; i++)
                if (streq_ptr(instances.items[i].cluster_identifier, dc->identifier) &&
                    (!instance || streq_ptr(instances.items[i].identifier, instance_id)))
                        instance = &instances.items[i];

        r = completed_key(d, dc->identifier, &key);
        if (r < 0)
                return r;
        r = store_reported_at(d->a->store, key, &completed_at);
        if (r < 0)
                return r;
        bool completed = r > 0;

        if (!completed) {
                struct ledger_entry failed = {};
                r = ledger_last(d, LEDGER_RESTORE_INSTANCE, instance_id, LEDGER_FAILED, &failed);
                ledger_entry_done(&failed);
                if (r < 0)
                        return r;
                if (r > 0 && !instance)
                        return drill_teardown(d, dc, NULL); /* the drill failed: do not leave it billed */
                if (!streq_ptr(dc->status, "available"))
                        return 0; /* restoring */
                if (!instance)
                        return drill_create_instance(d, dc, instance_id);
                const struct rds_db_cluster *rc = observation_find_rds_cluster(d->o, d->region, dc->identifier);
                if (!streq_ptr(instance->status, "available") || !rc || !streq_ptr(rc->writer, instance->identifier))
                        return 0; /* the instance is being created (a reader until it is the writer) */

                struct ledger_entry restore = {};
                r = ledger_last(d, LEDGER_RESTORE, dc->identifier, LEDGER_DONE, &restore);
                if (r < 0)
                        return r;
                bool have_restore = r > 0;
                int probe = 0;
                if (d->p->restore_test.probe_command && !agent_dry_run(d->a)) {
                        probe = restore_probe_run(d->p->restore_test.probe_command,
                                                  &(struct restore_probe_env){
                                                      .cluster = dc->identifier,
                                                      .instance = instance->identifier,
                                                      .endpoint = rc->endpoint,
                                                      .port = rc->port,
                                                      .engine = rc->engine,
                                                      .source = d->source->identifier,
                                                      .snapshot = restore.target,
                                                      .region = d->region,
                                                  },
                                                  RESTORE_PROBE_TIMEOUT_SEC);
                        now = agent_now(d->a); /* the probe is part of the time to restore */
                }
                struct event_fields f = drill_fields(d, "restore", restore.target, dc->identifier);
                f.has_duration = have_restore;
                f.duration_sec = have_restore ? now - restore.created_at : 0;
                if (!agent_dry_run(d->a)) {
                        /* Settled either way: the drill cluster stays keep_minutes (to look at a failure too). */
                        r = store_reported_once(d->a->store, key, now);
                        if (r < 0) {
                                ledger_entry_done(&restore);
                                return r;
                        }
                }
                if (probe != 0) {
                        char why[96];
                        if (probe < 0)
                                snprintf(why, sizeof(why), "probe_command could not be started (%s)", strerror(-probe));
                        else if (probe == 128 + SIGKILL)
                                snprintf(why, sizeof(why), "probe_command killed (timeout %ds, or SIGKILL)",
                                         RESTORE_PROBE_TIMEOUT_SEC);
                        else
                                snprintf(why, sizeof(why), "probe_command exited %d", probe);
                        report_failure(d, "probe", restore.target, dc->identifier, why, NULL);
                        ledger_entry_done(&restore);
                        return 0;
                }
                journal_event(EVENT_RESTORE_COMPLETED, &f,
                              "Restore drill of cluster %s: %s restored to %s, instance %s is the writer after %" PRIi64
                              "s; teardown in %u min",
                              d->source->identifier, strempty(restore.target), dc->identifier, instance->identifier,
                              f.duration_sec, d->p->restore_test.keep_minutes);
                ledger_entry_done(&restore);
                completed_at = now;
        }
        if (now < completed_at + (int64_t)d->p->restore_test.keep_minutes * SEC_PER_MINUTE)
                return 0;
        return drill_teardown(d, dc, instance);
}

/* A drill of this source: named and tagged as the agent's drills are, and restored by this agent (its
 * ledger has the restore). One that only looks like a drill is left alone, reported once. 1: a drill;
 * 0: not; negative: error. */
static int drill_of(const struct drill *d, const struct observed_cluster *c)
{
        _cleanup_free_ char *key = NULL;
        int r;

        if (!streq_ptr(c->region, d->region) ||
            !restore_drill_cluster_is_ours(d->a->config->agent.snapshot_prefix, c) ||
            !streq_ptr(plan_tag_get(c->tags, c->n_tags, TAG_RESTORE_TEST), d->source->identifier))
                return 0;
        r = ledger_has_restore(d, c->identifier);
        if (r != 0)
                return r;
        if (asprintf(&key, "restore-test:lookalike:%s:%s", d->region, c->identifier) < 0)
                return -ENOMEM;
        r = agent_report_once(d->a, key);
        if (r > 0) {
                struct event_fields f = drill_fields(d, "teardown", NULL, c->identifier);
                f.reason = "no restore of it in the agent's ledger";
                journal_event(EVENT_ACTION_REFUSED, &f,
                              "Cluster %s looks like a restore drill of %s but the agent's ledger has no restore of "
                              "it: not probed, not deleted",
                              c->identifier, d->source->identifier);
        }
        return r < 0 ? r : 0;
}

static int drill_run_source(struct drill *d)
{
        char drill_id[PLAN_SNAPSHOT_ID_MAX];
        int64_t start, end;
        bool live = false;
        int r;

        for (size_t i = 0; i < d->o->n_clusters; i++) {
                const struct observed_cluster *dc = &d->o->clusters[i];
                r = drill_of(d, dc);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;
                live = true;
                r = drill_step(d, dc);
                if (r < 0)
                        return r;
        }
        if (live)
                return 0; /* one drill of a cluster at a time */

        r = restore_drill_period(&d->p->restore_test.every, agent_now(d->a), &start, &end);
        if (r < 0)
                return 0; /* config validation rejects bad schedules */
        r = restore_drill_cluster_identifier(d->a->config->agent.snapshot_prefix, d->source->identifier, start,
                                             drill_id);
        if (r < 0)
                return 0;
        /* This period's drill was made (or refused by AWS) already: the next is due next period. An intent
         * left open by a crash whose cluster did not appear is retried. */
        struct ledger_entry row = {};
        r = ledger_last(d, LEDGER_RESTORE, drill_id, -1, &row);
        bool done = r > 0 && (row.state == LEDGER_DONE || row.state == LEDGER_FAILED);
        ledger_entry_done(&row);
        if (r < 0)
                return r;
        if (done)
                return 0;
        return drill_start(d, drill_id);
}

int restore_drills_run(struct agent *a, const struct observation *o, int64_t cycle_id, struct act_counts *c)
{
        int r;

        if (!a->store)
                return 0;
        for (size_t k = 0; k < a->config->n_policies; k++) {
                const struct policy *p = &a->config->policies[k];
                const char *region;

                if (!p->restore_test.enabled || !plan_policy_in_shard(&a->config->agent, p))
                        continue;
                region = agent_policy_region(a, p);
                if (!region || !observation_region_ok(o, region))
                        continue;
                for (size_t i = 0; i < o->n_clusters; i++) {
                        const struct observed_cluster *src = &o->clusters[i];
                        if (agent_winding_down(a))
                                return 0;
                        if (!streq_ptr(src->region, region) || !streq_ptr(agent_cluster_policy(a, src), p->name))
                                continue;
                        struct drill d = {
                            .a = a, .o = o, .p = p, .region = region, .source = src, .cycle_id = cycle_id, .c = c};
                        r = drill_run_source(&d);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}
