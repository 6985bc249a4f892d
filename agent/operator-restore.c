/* Operators' restores (aurora-backupctl restore), the agent's side: the open requests before each plan, and
 * the executors of the planner's restore actions (scheduler/plan-restore.c decides). */
#include "operator-restore.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws-rds.h"
#include "journal.h"
#include "ledger-intent.h"
#include "log.h"
#include "observe.h"
#include "plan-restore.h"
#include "plan.h"
#include "snapshot-id.h"
#include "store.h"
#include "time-util.h"

#define ERR_CLUSTER_EXISTS "DBClusterAlreadyExistsFault"
#define ERR_CLUSTER_NOT_FOUND "DBClusterNotFoundFault"
#define ERR_INSTANCE_EXISTS "DBInstanceAlreadyExists"
#define ERR_SNAPSHOT_NOT_FOUND "DBClusterSnapshotNotFoundFault"

/* ---- observation ---- */

const struct policy *operator_restore_policy(struct agent *a, const char *region)
{
        for (size_t i = 0; region && i < a->config->n_policies; i++)
                if (streq_ptr(agent_policy_region(a, &a->config->policies[i]), region))
                        return &a->config->policies[i];
        return NULL;
}

/* The observation's own string for `region` (it outlives the request rows), else `region`. */
static const char *region_string(const struct observation *o, const char *region)
{
        for (size_t i = 0; i < o->n_regions; i++)
                if (streq_ptr(o->regions[i].region, region))
                        return o->regions[i].region;
        return region;
}

/* The instances of a new cluster that AWS shows available (observe_cluster_instances()). */
static int observe_instances(struct agent *a, struct observation *o, const struct observed_cluster *c)
{
        char instance_id[PLAN_SNAPSHOT_ID_MAX];

        if (plan_restore_instance_identifier(c->identifier, instance_id) < 0)
                return 0;
        return observe_cluster_instances(a, o, c, operator_restore_policy(a, c->region), NULL,
                                         "restored cluster", instance_id);
}

int operator_restores_observe(struct agent *a, struct observation *o)
{
        int r;

        o->restore_rows = restore_requests_free(o->restore_rows, o->n_restore_rows);
        o->n_restore_rows = 0;
        o->restore_orders = mfree(o->restore_orders);
        o->n_restore_orders = 0;
        if (!a->store)
                return 0;
        r = store_restore_requests_open(a->store, &o->restore_rows, &o->n_restore_rows);
        if (r < 0)
                return r;
        o->restore_orders = calloc(o->n_restore_rows + 1, sizeof(*o->restore_orders));
        if (!o->restore_orders)
                return -ENOMEM;
        for (size_t i = 0; i < o->n_restore_rows; i++) {
                const struct restore_request *q = &o->restore_rows[i];
                const char *region = region_string(o, q->region);
                o->restore_orders[o->n_restore_orders++] = (struct restore_order){
                    .id = q->id,
                    .point_in_time = q->kind == RESTORE_TO_POINT_IN_TIME,
                    .source = q->source,
                    .region = region,
                    .restore_time = q->restore_time,
                    .use_latest = q->use_latest,
                    .new_cluster = q->new_cluster,
                    .instance_class = q->instance_class,
                    .requested_at = q->created_at,
                };
                const struct observed_cluster *c = observation_find_cluster(o, region, q->new_cluster);
                if (!c || !streq_ptr(c->status, "available") || agent_winding_down(a))
                        continue; /* no instance is looked for before the cluster is available */
                r = observe_instances(a, o, c);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- acting ---- */

static const struct restore_order *order_of(const struct observation *o, int64_t id)
{
        for (size_t i = 0; i < o->n_restore_orders; i++)
                if (o->restore_orders[i].id == id)
                        return &o->restore_orders[i];
        return NULL;
}

static struct event_fields order_fields(const struct restore_order *ord, const char *verb)
{
        return (struct event_fields){
            .cluster = ord->point_in_time ? ord->source : NULL,
            .snapshot = ord->point_in_time ? NULL : ord->source,
            .region = ord->region,
            .target = ord->new_cluster,
            .action = verb,
        };
}

/* The request's state and phase; nothing is written when neither changes, nor in dry-run. */
static int set_state(struct agent *a, int64_t id, const char *state, const char *message)
{
        int r;

        if (agent_dry_run(a))
                return 0;
        r = store_restore_request_update(a->store, id, state, message, agent_now(a));
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return log_error_errno(r, "cannot record the state of restore request %" PRIi64 ": %s", id,
                                       store_last_error(a->store));
        return r;
}

/* The request cannot go on: failed, with why, in its row and the journal. */
static int fail_request(struct agent *a, const struct restore_order *ord, const char *verb, const char *why,
                        const struct aws_error *e, struct act_counts *c)
{
        struct event_fields f = order_fields(ord, verb);
        _cleanup_free_ char *message = NULL;
        char buf[1024];

        f.reason = why;
        if (e)
                act_error_fields(e, &f);
        if (asprintf(&message, "%s%s%s", why, e ? ": " : "",
                     e ? aws_error_to_string(e, buf, sizeof(buf)) : "") < 0)
                return -ENOMEM;
        journal_event(EVENT_RESTORE_FAILED, &f, "Restore request %" PRIi64 " into new cluster %s failed: %s",
                      ord->id, ord->new_cluster, message);
        agent_set_last_error(a, "restore request %" PRIi64 ": %s", ord->id, e && e->code[0] ? e->code : why);
        c->failed++;
        return set_state(a, ord->id, "failed", message);
}

/* A transient failure (no client, a Describe call refused): reported, the request stays open and the next
 * wake-up tries again. */
static void report_transient(struct agent *a, const struct restore_order *ord, const char *what,
                             const struct aws_error *e, struct act_counts *c)
{
        struct event_fields f = order_fields(ord, "observe");
        char buf[1024];

        act_error_fields(e, &f);
        journal_event(EVENT_API_ERROR, &f,
                      "Restore request %" PRIi64 ": %s (tried again at the next wake-up): %s", ord->id, what,
                      aws_error_to_string(e, buf, sizeof(buf)));
        c->failed++;
}

static int client_for(struct agent *a, const struct restore_order *ord, struct aws_client **ret,
                      struct act_counts *c)
{
        struct aws_error e = {};
        if (agent_client_get(a, ord->region, operator_restore_policy(a, ord->region), ret, &e) < 0) {
                report_transient(a, ord, "no AWS client", &e, c);
                return -1;
        }
        return 0;
}

/* The tags of what a request creates: where it came from, and the request that owns it; no managed-by tag:
 * the agent never deletes it. */
struct order_tags {
        char from[PLAN_RESTORED_FROM_MAX], request[24];
        struct aws_tag tags[2];
};

/* 0, or negative when the source's name is too long for a tag. */
static int order_tags_init(const struct restore_order *ord, struct order_tags *t)
{
        int r = plan_restored_from(ord, t->from);
        if (r < 0)
                return r;
        snprintf(t->request, sizeof(t->request), "%" PRIi64, ord->id);
        t->tags[0] = (struct aws_tag){(char *)TAG_RESTORED_FROM, t->from};
        t->tags[1] = (struct aws_tag){(char *)TAG_RESTORE_REQUEST, t->request};
        return 0;
}

/* What each AWS call of a request works with: the tags of what it creates, the client of the request's
 * region, the call's error and its ledger row. */
struct order_call {
        struct order_tags t;
        struct aws_client *client;
        struct aws_error e;
        int64_t ledger_id;
};

/* The call's tags and client. 1: go on; 0: reported (the source's name is too long for a tag: the request
 * failed; no client: the next wake-up tries again); negative: the request's state could not be recorded. */
static int order_call_prepare(struct agent *a, const struct restore_order *ord, const char *verb,
                              struct order_call *k, struct act_counts *c)
{
        int r;

        *k = (struct order_call){};
        if (order_tags_init(ord, &k->t) < 0) {
                r = fail_request(a, ord, verb, "the source's name is too long for a tag", NULL, c);
                return r < 0 ? r : 0;
        }
        return client_for(a, ord, &k->client, c) < 0 ? 0 : 1;
}

/* The call's intent: a ledger row of the request's new cluster, naming what the call makes (`made`), with
 * the request's id as its slot. */
static int order_call_intent(struct agent *a, int64_t cycle_id, const struct restore_order *ord,
                             enum ledger_kind kind, const char *made, const char *target,
                             struct order_call *k)
{
        struct plan_action row = {
            .cluster = ord->new_cluster, .snapshot = made, .region = ord->region, .slot_start = ord->id};
        return ledger_intent_begin(a, cycle_id, kind, &row, ord->region, target, &k->ledger_id);
}

/* What the restore copies from the source: the snapshot's engine and version (a snapshot restore), and the
 * source cluster's settings when it exists. 1: found; 0: the request failed or waits (reported); negative:
 * no memory or the store failed. */
struct source_facts {
        struct rds_db_cluster_snapshot_list snap;
        struct rds_db_cluster_list cluster;
        const struct rds_db_cluster *sc; /* NULL: no source cluster to copy settings from */
        const char *engine, *engine_version;
};

static void source_facts_done(struct source_facts *s)
{
        rds_db_cluster_snapshot_list_done(&s->snap);
        rds_db_cluster_list_done(&s->cluster);
}

static int source_facts_get(struct agent *a, struct aws_client *client, const struct restore_order *ord,
                            struct source_facts *s, struct act_counts *c)
{
        const char *source_cluster = ord->point_in_time ? ord->source : NULL;
        struct aws_error e = {};
        int r;

        if (!ord->point_in_time) {
                r = rds_describe_db_cluster_snapshots(
                    client,
                    &(struct rds_snapshot_filter){.snapshot_identifier = ord->source,
                                                  .include_shared = startswith(ord->source, "arn:")},
                    &s->snap, &e);
                if (r == -ENOMEM)
                        return r;
                if (r < 0 && !streq(e.code, ERR_SNAPSHOT_NOT_FOUND)) {
                        report_transient(a, ord, "cannot look at the snapshot", &e, c);
                        return 0;
                }
                if (r < 0 || s->snap.n == 0) {
                        r = fail_request(a, ord, "restore", "the snapshot is no longer there", NULL, c);
                        return r < 0 ? r : 0;
                }
                s->engine = s->snap.items[0].engine;
                s->engine_version = s->snap.items[0].engine_version;
                source_cluster = s->snap.items[0].cluster_identifier;
        }
        if (source_cluster) {
                r = rds_describe_db_clusters(client, source_cluster, &s->cluster, &e);
                if (r == -ENOMEM)
                        return r;
                if (r < 0 && !streq(e.code, ERR_CLUSTER_NOT_FOUND)) {
                        report_transient(a, ord, "cannot look at the source cluster", &e, c);
                        return 0;
                }
                if (r >= 0 && s->cluster.n == 1)
                        s->sc = &s->cluster.items[0];
        }
        if (ord->point_in_time && !s->sc) {
                r = fail_request(a, ord, "restore", "the source cluster is no longer there", NULL, c);
                return r < 0 ? r : 0;
        }
        if (!s->engine && s->sc)
                s->engine = s->sc->engine;
        if (!ord->point_in_time && !s->engine) {
                r = fail_request(a, ord, "restore", "the snapshot's engine is unknown", NULL, c);
                return r < 0 ? r : 0;
        }
        return 1;
}

int operator_restore_call(struct agent *a, const struct plan_action *act, const struct observation *o,
                          int64_t cycle_id, struct act_counts *c)
{
        const struct restore_order *ord = order_of(o, act->request);
        _cleanup_(source_facts_done) struct source_facts src = {};
        struct rds_db_cluster out = {};
        struct order_call k;
        int r;

        if (!ord)
                return 0;
        if (agent_dry_run(a)) {
                printf("Restore request %" PRIi64 " (dry run): would restore %s into new cluster %s\n",
                       ord->id, ord->source, ord->new_cluster);
                return 0;
        }
        r = order_call_prepare(a, ord, "restore", &k, c);
        if (r <= 0)
                return r;
        r = source_facts_get(a, k.client, ord, &src, c);
        if (r <= 0)
                return r;

        const struct rds_db_cluster *sc = src.sc;
        const struct rds_restore_params params = {
            .cluster_identifier = ord->new_cluster,
            .snapshot_identifier = ord->source,
            .source_cluster_identifier = ord->source,
            .restore_time = ord->use_latest ? 0 : ord->restore_time,
            .engine = src.engine,
            .engine_version = ord->point_in_time ? NULL : src.engine_version,
            .db_subnet_group_name = sc ? sc->db_subnet_group : NULL,
            .vpc_security_group_ids = sc ? sc->vpc_security_group_ids : NULL,
            .kms_key_id = sc && sc->storage_encrypted ? sc->kms_key_id : NULL,
            .tags = k.t.tags,
            .n_tags = ELEMENTSOF(k.t.tags),
            .port = sc ? sc->port : 0,
            .db_cluster_parameter_group_name = sc ? sc->db_cluster_parameter_group : NULL,
            .serverless_v2_min_capacity = sc ? sc->serverless_v2_min_capacity : NULL,
            .serverless_v2_max_capacity = sc ? sc->serverless_v2_max_capacity : NULL,
            .enable_iam_database_authentication = sc && sc->iam_database_authentication,
            .copy_tags_to_snapshot = sc && sc->copy_tags_to_snapshot,
        };
        r = order_call_intent(a, cycle_id, ord, LEDGER_OPERATOR_RESTORE, ord->new_cluster, k.t.from, &k);
        if (r < 0)
                return r;
        r = set_state(a, ord->id, "started", "restore requested");
        if (r < 0)
                return r;
        r = ord->point_in_time ? rds_restore_db_cluster_to_point_in_time(k.client, &params, &out, &k.e)
                               : rds_restore_db_cluster_from_snapshot(k.client, &params, &out, &k.e);
        _cleanup_free_ char *status = out.status ? strdup(out.status) : NULL;
        rds_db_cluster_done(&out);
        const char *op =
            ord->point_in_time ? "RestoreDBClusterToPointInTime" : "RestoreDBClusterFromSnapshot";
        struct event_fields f = order_fields(ord, "restore");
        if (r < 0 && act_outcome_unknown(a, &k.e, &f, op, ord->new_cluster, c)) {
                agent_look_later(a, ord->region, ord->new_cluster); /* recovery settles it */
                return 0;
        }
        r = act_settle(a, k.ledger_id, r, false, &k.e, k.client, &f, c);
        if (r < 0)
                return r;
        if (r == 0 && streq(k.e.code, ERR_CLUSTER_EXISTS)) {
                /* Made by an earlier attempt whose answer was lost, or by someone else: its tags tell, next
                 * wake-up. */
                agent_look_later(a, ord->region, ord->new_cluster);
                return set_state(a, ord->id, NULL, "cluster exists; looking whether this request made it");
        }
        if (r == 0)
                return fail_request(a, ord, "restore", op, &k.e, c);
        journal_event(EVENT_RESTORE_STARTED, &f,
                      "Restore request %" PRIi64 ": restoring %s into new cluster %s (%s)", ord->id,
                      k.t.from, ord->new_cluster, op);
        agent_look_later(a, ord->region, ord->new_cluster);
        _cleanup_free_ char *phase = NULL;
        if (asprintf(&phase, "cluster %s", status ? status : "creating") < 0)
                return -ENOMEM;
        return set_state(a, ord->id, NULL, phase);
}

int operator_restore_create_instance(struct agent *a, const struct plan_action *act,
                                     const struct observation *o, int64_t cycle_id, struct act_counts *c)
{
        const struct restore_order *ord = order_of(o, act->request);
        struct rds_db_instance out = {};
        struct order_call k;
        int r;

        if (!ord || !act->snapshot)
                return 0;
        if (agent_dry_run(a)) {
                printf("Restore request %" PRIi64 " (dry run): would create instance %s in %s\n", ord->id,
                       act->snapshot, ord->new_cluster);
                return 0;
        }
        const struct rds_db_cluster *rc = observation_find_rds_cluster(o, act->region, ord->new_cluster);
        if (!rc || !rc->engine)
                return fail_request(a, ord, "create-instance", "the restored cluster's engine is unknown",
                                    NULL, c);
        r = order_call_prepare(a, ord, "create-instance", &k, c);
        if (r <= 0)
                return r;
        r = order_call_intent(a, cycle_id, ord, LEDGER_OPERATOR_INSTANCE, act->snapshot, ord->new_cluster,
                              &k);
        if (r < 0)
                return r;
        /* The API creates no instance on a restore: the primary is created with the cluster's identifier and
         * shows as a reader until it becomes the writer. */
        r = rds_create_db_instance(k.client,
                                   &(struct rds_instance_params){
                                       .instance_identifier = act->snapshot,
                                       .instance_class = ord->instance_class,
                                       .engine = rc->engine,
                                       .cluster_identifier = ord->new_cluster,
                                       .tags = k.t.tags,
                                       .n_tags = ELEMENTSOF(k.t.tags),
                                   },
                                   &out, &k.e);
        rds_db_instance_done(&out);
        struct event_fields f = order_fields(ord, "create-instance");
        if (r < 0 && act_outcome_unknown(a, &k.e, &f, "CreateDBInstance", act->snapshot, c))
                return 0;
        r = act_settle(a, k.ledger_id, r, streq(k.e.code, ERR_INSTANCE_EXISTS), &k.e, k.client, &f, c);
        if (r < 0)
                return r;
        if (r == 0)
                return fail_request(a, ord, "create-instance", "CreateDBInstance (the primary instance)",
                                    &k.e, c);
        journal_event(EVENT_RESTORE_STARTED, &f,
                      "Restore request %" PRIi64 ": creating primary instance %s (%s) in new cluster %s",
                      ord->id, act->snapshot, ord->instance_class, ord->new_cluster);
        _cleanup_free_ char *phase = NULL;
        if (asprintf(&phase, "instance %s creating", act->snapshot) < 0)
                return -ENOMEM;
        return set_state(a, ord->id, NULL, phase);
}

int operator_restore_progress(struct agent *a, const struct plan_action *act, const struct observation *o,
                              int64_t cycle_id, struct act_counts *c)
{
        return set_state(a, act->request, "started", act->status);
}

int operator_restore_completed(struct agent *a, const struct plan_action *act, const struct observation *o,
                               int64_t cycle_id, struct act_counts *c)
{
        const struct restore_order *ord = order_of(o, act->request);
        const struct rds_db_cluster *rc =
            ord ? observation_find_rds_cluster(o, act->region, ord->new_cluster) : NULL;
        int r;

        (void)c;
        if (!ord)
                return 0;
        r = set_state(a, ord->id, "done", act->status);
        if (r < 0 || agent_dry_run(a))
                return r;
        struct event_fields f = order_fields(ord, "restore");
        f.has_duration = true;
        f.duration_sec = agent_now(a) - ord->requested_at;
        journal_event(EVENT_RESTORE_COMPLETED, &f,
                      "Restore request %" PRIi64 ": new cluster %s restored from %s in %" PRIi64
                      "s; writer instance %s, endpoint %s port %u",
                      ord->id, ord->new_cluster, ord->source, f.duration_sec, strempty(act->snapshot),
                      rc && rc->endpoint ? rc->endpoint : "(not known)", rc ? rc->port : 0);
        return 0;
}

int operator_restore_failed(struct agent *a, const struct plan_action *act, const struct observation *o,
                            int64_t cycle_id, struct act_counts *c)
{
        const struct restore_order ord = {.id = act->request,
                                          .source = act->source_snapshot,
                                          .region = act->region,
                                          .new_cluster = act->cluster};
        if (agent_dry_run(a))
                return 0;
        return fail_request(a, &ord, "restore", act->rule, NULL, c);
}
