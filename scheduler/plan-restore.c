/* Operators' restores in the plan (see plan.h): for each open request of aurora-backupctl restore, its
 * next step, decided from the new cluster and its instances as AWS shows them and the request's ledger rows.
 * The API creates no instance on a restore: the primary is created with the cluster's identifier, and the
 * request is done once that instance is available and the cluster's writer. */
#include "plan-restore.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "plan-builder.h"
#include "plan-index.h"
#include "snapshot-id.h"
#include "time-util.h"

int plan_restore_instance_identifier(const char *new_cluster, char buf[static PLAN_SNAPSHOT_ID_MAX])
{
        return plan_identifier_with_suffix(new_cluster, "1", 63, buf);
}

int plan_restored_from(const struct restore_order *o, char buf[static PLAN_RESTORED_FROM_MAX])
{
        char t[TIME_ISO8601_MAX];
        int n;

        if (!o || !o->source)
                return -EINVAL;
        if (!o->point_in_time)
                n = snprintf(buf, PLAN_RESTORED_FROM_MAX, "%s", o->source);
        else if (o->use_latest)
                n = snprintf(buf, PLAN_RESTORED_FROM_MAX, "%s@latest", o->source);
        else
                n = snprintf(buf, PLAN_RESTORED_FROM_MAX, "%s@%s", o->source,
                             time_format_iso8601(o->restore_time, t));
        return n < 0 ? -EINVAL : n >= PLAN_RESTORED_FROM_MAX ? -ENAMETOOLONG : 0;
}

struct order_ctx {
        struct builder *b;
        const struct restore_order *o;
        char instance[PLAN_SNAPSHOT_ID_MAX];
};

/* One step; `phase` is what the operator is shown ("cluster creating"), `rule` why. Every step but the last
 * wakes the plan again soon. */
static void step(const struct order_ctx *x, enum action_kind kind, const char *resource, const char *phase,
                 const char *rule)
{
        plan_add_action(x->b, &(struct plan_action){
                                  .kind = kind,
                                  .cluster = x->o->new_cluster,
                                  .region = x->o->region,
                                  .snapshot = resource,
                                  .source_snapshot = x->o->source,
                                  .status = phase,
                                  .rule = rule,
                                  .since = x->o->requested_at,
                                  .request = x->o->id,
                              });
        if (kind != ACTION_RESTORE_DONE && kind != ACTION_RESTORE_FAILED)
                plan_wake(x->b, x->b->in->now + PLAN_DRILL_POLL_SEC);
}

/* The newest ledger row of this request (started since it was made) of `kind` about `resource`. */
static const struct drill_record *record(const struct order_ctx *x, enum action_kind kind,
                                         const char *resource)
{
        const struct drill_record *best = NULL;
        for (size_t i = 0; i < x->b->in->n_drill_records; i++) {
                const struct drill_record *r = &x->b->in->drill_records[i];
                if (r->kind != kind || r->started_at < x->o->requested_at ||
                    !streq_ptr(r->region, x->o->region) || !streq_ptr(r->resource, resource))
                        continue;
                if (!best || r->started_at > best->started_at ||
                    (r->started_at == best->started_at && r->finished_at > best->finished_at))
                        best = r;
        }
        return best;
}

static const struct observed_cluster *find_cluster(const struct builder *b, const char *region,
                                                   const char *id)
{
        for (size_t i = 0; i < b->in->n_clusters; i++) {
                const struct observed_cluster *c = &b->in->clusters[i];
                if (streq_ptr(c->region, region) && streq_ptr(c->identifier, id))
                        return c;
        }
        return NULL;
}

/* The request's instance, else (someone added one) the first other instance of the cluster. */
static const struct observed_instance *find_instance(const struct order_ctx *x)
{
        const struct observed_instance *any = NULL;
        for (size_t i = 0; i < x->b->in->n_instances; i++) {
                const struct observed_instance *n = &x->b->in->instances[i];
                if (!streq_ptr(n->region, x->o->region) ||
                    !streq_ptr(n->cluster_identifier, x->o->new_cluster) || !n->identifier)
                        continue;
                if (streq(n->identifier, x->instance))
                        return n;
                if (!any || strcmp(n->identifier, any->identifier) < 0)
                        any = n;
        }
        return any;
}

/* No cluster of the new name is shown (yet). */
static void before_cluster(const struct order_ctx *x)
{
        struct builder *b = x->b;
        const struct restore_order *o = x->o;
        const struct drill_record *r = record(x, ACTION_RESTORE_CLUSTER, o->new_cluster);
        char t[TIME_ISO8601_MAX];

        if (r && r->state == DRILL_RECORD_OPEN)
                return step(x, ACTION_RESTORE_WAIT, o->new_cluster, "restore requested",
                            "the restore call was made; its outcome is not known yet");
        if (r && r->state == DRILL_RECORD_FAILED)
                return step(x, ACTION_RESTORE_FAILED, o->new_cluster, "failed", "AWS refused the restore");
        if (r && r->state == DRILL_RECORD_DONE) {
                if (b->in->now - r->finished_at > PLAN_RESTORE_UNSEEN_SEC)
                        return step(
                            x, ACTION_RESTORE_FAILED, o->new_cluster, "failed",
                            arena_printf(b->arena,
                                         "AWS accepted the restore at %s, but cluster %s has not been seen "
                                         "since",
                                         time_format_iso8601(r->finished_at, t), o->new_cluster));
                return step(x, ACTION_RESTORE_WAIT, o->new_cluster, "cluster creating",
                            "AWS accepted the restore; the cluster is not shown yet");
        }
        /* None yet, or one a crash left open that recovery settled as not made: (again) now. */
        const char *rule =
            !o->point_in_time ? arena_printf(b->arena, "restore snapshot %s into new cluster %s", o->source,
                                             o->new_cluster)
            : o->use_latest
                ? arena_printf(b->arena,
                               "restore cluster %s to its latest restorable time into new cluster %s",
                               o->source, o->new_cluster)
                : arena_printf(b->arena, "restore cluster %s to %s into new cluster %s", o->source,
                               time_format_iso8601(o->restore_time, t), o->new_cluster);
        step(x, ACTION_RESTORE_CLUSTER, o->new_cluster, "restore requested", rule);
}

static void restore_one(struct builder *b, const struct restore_order *o)
{
        struct order_ctx x = {.b = b, .o = o};
        char id[24];

        if (!o->new_cluster || !o->region ||
            plan_restore_instance_identifier(o->new_cluster, x.instance) < 0)
                return;
        const struct observed_cluster *c = find_cluster(b, o->region, o->new_cluster);
        if (!c)
                return before_cluster(&x);

        snprintf(id, sizeof id, "%" PRIi64, o->id);
        if (!streq_ptr(plan_tag_get(c->tags, c->n_tags, TAG_RESTORE_REQUEST), id))
                return step(
                    &x, ACTION_RESTORE_FAILED, o->new_cluster, "failed",
                    arena_printf(b->arena,
                                 "a cluster named %s exists that this request did not make (no %s=%s tag): "
                                 "not touched",
                                 o->new_cluster, TAG_RESTORE_REQUEST, id));
        if (!streq_ptr(c->status, "available"))
                return step(&x, ACTION_RESTORE_WAIT, o->new_cluster,
                            arena_printf(b->arena, "cluster %s", c->status ? c->status : "not yet observed"),
                            "restoring: AWS is making the cluster");

        const struct observed_instance *n = find_instance(&x);
        if (n && !n->status)
                return step(&x, ACTION_RESTORE_WAIT, n->identifier, NULL,
                            "the cluster's instances could not be looked at");
        if (!n) {
                const struct drill_record *r = record(&x, ACTION_RESTORE_INSTANCE, x.instance);
                const char *phase =
                    arena_printf(b->arena, "cluster available, creating instance %s", x.instance);
                if (r && r->state == DRILL_RECORD_OPEN)
                        return step(&x, ACTION_RESTORE_WAIT, x.instance, phase,
                                    "the CreateDBInstance call was made; its outcome is not known yet");
                if (r && r->state == DRILL_RECORD_FAILED)
                        return step(&x, ACTION_RESTORE_FAILED, x.instance, "failed",
                                    arena_printf(b->arena, "AWS refused to create instance %s", x.instance));
                if (r && r->state == DRILL_RECORD_DONE)
                        return step(&x, ACTION_RESTORE_WAIT, x.instance, phase,
                                    "AWS accepted CreateDBInstance; the instance is not shown yet");
                if (!c->engine || !o->instance_class)
                        return step(&x, ACTION_RESTORE_FAILED, x.instance, "failed",
                                    !c->engine
                                        ? "the restored cluster's engine is unknown: no instance can be "
                                          "created"
                                        : "no instance class known for the primary instance");
                return step(
                    &x, ACTION_RESTORE_INSTANCE, x.instance, phase,
                    arena_printf(b->arena,
                                 "the restored cluster is available without an instance: create its primary "
                                 "(writer), class %s",
                                 o->instance_class));
        }
        if (!streq_ptr(n->status, "available"))
                return step(&x, ACTION_RESTORE_WAIT, n->identifier,
                            arena_printf(b->arena, "instance %s %s", n->identifier, n->status),
                            "the instance is being made (a reader until it is the writer)");
        if (!streq_ptr(c->writer, n->identifier))
                return step(
                    &x, ACTION_RESTORE_WAIT, n->identifier,
                    arena_printf(b->arena, "instance %s available, not yet the writer", n->identifier),
                    "the instance is available but not yet the cluster's writer");
        step(&x, ACTION_RESTORE_DONE, n->identifier,
             arena_printf(b->arena, "instance %s available, writer", n->identifier),
             "the primary instance is available and the cluster's writer: restored");
}

void plan_restores(struct builder *b)
{
        for (size_t i = 0; i < b->in->n_restore_orders; i++)
                restore_one(b, &b->in->restore_orders[i]);
}
