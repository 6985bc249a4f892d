/* Restore drills in the plan (see plan.h): for each selected cluster whose policy drills, the next step of
 * its drill, decided from the drill cluster and instance AWS shows and the ledger's drill records. */
#include "plan-drill.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drill-id.h"
#include "plan-builder.h"
#include "plan-describe.h"
#include "plan-index.h"
#include "snapshot-id.h"
#include "time-util.h"

struct drill_ctx {
        struct builder *b;
        const struct cluster_plan *cp;
};

static void add(const struct drill_ctx *d, enum action_kind kind, const char *drill, const char *snapshot,
                const char *status, const char *rule)
{
        plan_add_cluster_action(d->b, d->cp,
                                (struct plan_action){
                                    .kind = kind,
                                    .target = drill,
                                    .snapshot = snapshot,
                                    .status = status,
                                    .rule = rule,
                                });
}

static bool record_newer(const struct drill_record *a, const struct drill_record *than)
{
        if (!than)
                return true;
        if (a->started_at != than->started_at)
                return a->started_at > than->started_at;
        return a->finished_at > than->finished_at;
}

/* The newest record of `kind` about source cluster `source` in `region` whose resource (key_is_target:
 * target) is `key`, among the states in `states` (a bit per enum drill_record_state); NULL if none. */
static const struct drill_record *record_find(const struct builder *b, enum action_kind kind,
                                              const char *region, const char *source, const char *key,
                                              bool key_is_target, unsigned states)
{
        const struct drill_record *best = NULL;
        for (size_t i = 0; i < b->in->n_drill_records; i++) {
                const struct drill_record *r = &b->in->drill_records[i];
                if (r->kind != kind || !(states & (1u << r->state)) ||
                    !streq_ptr(r->source_cluster, source) || !streq_ptr(r->region, region) ||
                    !streq_ptr(key_is_target ? r->target : r->resource, key))
                        continue;
                if (record_newer(r, best))
                        best = r;
        }
        return best;
}

#define ANY_STATE (~0u)
#define NOT_FAILED (ANY_STATE & ~(1u << DRILL_RECORD_FAILED))
#define SETTLED ((1u << DRILL_RECORD_DONE) | (1u << DRILL_RECORD_FAILED))

/* The agent's own restore of `drill` from `source` (any outcome but a refusal by AWS: an intent whose answer
 * was lost, or that a crash left abandoned, may have made it); NULL if the ledger has none. */
static const struct drill_record *owned_restore(const struct builder *b, const char *region,
                                                const char *source, const char *drill)
{
        return record_find(b, ACTION_DRILL_RESTORE, region, source, drill, false, NOT_FAILED);
}

/* The newest available agent snapshot of the cluster in its policy's region. */
static const struct snap *newest_agent_snapshot(const struct drill_ctx *d)
{
        const struct snap *best = NULL;
        size_t lo, hi;
        plan_snap_range(d->b, d->cp->region, d->cp->c->identifier, &lo, &hi);
        for (size_t i = lo; i < hi; i++) {
                const struct snap *sn = &d->b->snaps[i];
                if (sn->origin != ORIGIN_AGENT || !sn->available)
                        continue;
                if (!best || sn->s->create_time > best->s->create_time ||
                    (sn->s->create_time == best->s->create_time &&
                     strcmp(sn->s->identifier, best->s->identifier) > 0))
                        best = sn;
        }
        return best;
}

static const struct observed_instance *drill_instance(const struct builder *b, const char *region,
                                                      const char *drill, const char *instance_id)
{
        const struct observed_instance *any = NULL;
        for (size_t i = 0; i < b->in->n_instances; i++) {
                const struct observed_instance *x = &b->in->instances[i];
                if (!streq_ptr(x->region, region) || !streq_ptr(x->cluster_identifier, drill) ||
                    !x->identifier)
                        continue;
                if (streq(x->identifier, instance_id))
                        return x;
                if (!any || strcmp(x->identifier, any->identifier) < 0)
                        any = x;
        }
        return any;
}

static void poll_soon(const struct drill_ctx *d)
{
        plan_wake(d->b, d->b->in->now + PLAN_DRILL_POLL_SEC);
}

/* The instance, then (once no instance is left) the cluster. */
static void teardown(const struct drill_ctx *d, const struct observed_cluster *dc,
                     const struct observed_instance *instance, const char *why)
{
        struct builder *b = d->b;
        if (instance && streq_ptr(instance->status, "deleting"))
                add(d, ACTION_DRILL_WAIT, dc->identifier, instance->identifier, instance->status,
                    arena_printf(b->arena, "teardown: instance %s is being deleted; then the cluster",
                                 instance->identifier));
        else if (instance)
                add(d, ACTION_DRILL_TEARDOWN, dc->identifier, instance->identifier, instance->status,
                    arena_printf(b->arena, "%s: delete instance %s, then the cluster", why,
                                 instance->identifier));
        else if (streq_ptr(dc->status, "deleting"))
                add(d, ACTION_DRILL_WAIT, dc->identifier, dc->identifier, dc->status,
                    "teardown: the cluster is being deleted");
        else
                add(d, ACTION_DRILL_TEARDOWN, dc->identifier, dc->identifier, dc->status,
                    arena_printf(b->arena, "%s: delete the cluster (no instance left)", why));
        poll_soon(d);
}

/* One step of a drill whose cluster exists and is the agent's. */
static void drill_step(const struct drill_ctx *d, const struct observed_cluster *dc,
                       const struct drill_record *restore)
{
        struct builder *b = d->b;
        const struct policy *p = d->cp->p;
        const char *region = d->cp->region, *source = d->cp->c->identifier;
        char instance_id[PLAN_SNAPSHOT_ID_MAX];

        if (restore_drill_instance_identifier(dc->identifier, instance_id) < 0)
                return;
        const struct observed_instance *instance = drill_instance(b, region, dc->identifier, instance_id);
        const struct drill_record *probe =
            record_find(b, ACTION_DRILL_PROBE, region, source, dc->identifier, true, SETTLED);

        if (instance && !instance->status) {
                /* The agent could not look at the drill's instances: no step on a guess. */
                add(d, ACTION_DRILL_WAIT, dc->identifier, instance->identifier, "unknown",
                    "the drill's instances could not be looked at");
                return poll_soon(d);
        }

        if (probe) {
                /* Settled either way: the cluster stays keep_minutes (to look at a failure too). */
                int64_t teardown_at =
                    probe->finished_at + (int64_t)p->restore_test.keep_minutes * SEC_PER_MINUTE;
                const char *outcome = probe->state == DRILL_RECORD_DONE ? "completed" : "failed";
                char at[TIME_ISO8601_MAX];
                if (b->in->now < teardown_at) {
                        plan_add_cluster_action(
                            b, d->cp,
                            (struct plan_action){
                                .kind = ACTION_DRILL_WAIT,
                                .target = dc->identifier,
                                .snapshot = dc->identifier,
                                .status = outcome,
                                .retry_at = teardown_at,
                                .rule = arena_printf(b->arena, "drill %s at %s; kept keep_minutes=%u",
                                                     outcome, time_format_iso8601(probe->finished_at, at),
                                                     p->restore_test.keep_minutes),
                            });
                        plan_wake(b, teardown_at);
                        return;
                }
                return teardown(
                    d, dc, instance,
                    arena_printf(b->arena, "kept keep_minutes=%u", p->restore_test.keep_minutes));
        }

        if (!instance && record_find(b, ACTION_DRILL_INSTANCE, region, source, dc->identifier, true,
                                     1u << DRILL_RECORD_FAILED))
                return teardown(d, dc, NULL, "the primary instance could not be created: the drill failed");
        if (!streq_ptr(dc->status, "available")) {
                add(d, ACTION_DRILL_WAIT, dc->identifier, dc->identifier, dc->status,
                    arena_printf(b->arena, "restoring: the cluster is %s",
                                 dc->status ? dc->status : "not yet observed"));
                return poll_soon(d);
        }
        if (!instance) {
                if (record_find(b, ACTION_DRILL_INSTANCE, region, source, dc->identifier, true,
                                1u << DRILL_RECORD_OPEN)) {
                        add(d, ACTION_DRILL_WAIT, dc->identifier, instance_id, "not-yet-observed",
                            "instance creation started, not yet observed");
                        return poll_soon(d);
                }
                if (!dc->engine) {
                        add(d, ACTION_DRILL_FAILED, dc->identifier, instance_id, NULL,
                            "the restored cluster's engine is unknown: no instance can be created");
                        return poll_soon(d);
                }
                add(d, ACTION_DRILL_INSTANCE, dc->identifier, instance_id, dc->status,
                    arena_printf(b->arena,
                                 "the restored cluster is available without an instance: create its primary "
                                 "(writer), class %s",
                                 strempty(p->restore_test.instance_class)));
                return poll_soon(d);
        }
        if (!streq_ptr(instance->status, "available") || !streq_ptr(dc->writer, instance->identifier)) {
                add(d, ACTION_DRILL_WAIT, dc->identifier, instance->identifier, instance->status,
                    streq_ptr(instance->status, "available")
                        ? "the instance is available but not yet the cluster's writer"
                        : arena_printf(b->arena, "the instance is %s (a reader until it is the writer)",
                                       instance->status ? instance->status : "not known"));
                return poll_soon(d);
        }
        plan_add_cluster_action(
            b, d->cp,
            (struct plan_action){
                .kind = ACTION_DRILL_PROBE,
                .target = dc->identifier,
                .snapshot = instance->identifier,
                .source_snapshot =
                    streq_ptr(restore->target, PLAN_DRILL_POINT_IN_TIME) ? NULL : restore->target,
                .status = "writer",
                .since = restore->started_at,
                .rule = p->restore_test.probe_command
                            ? "the instance is the writer: run probe_command, then record the time "
                              "to restore"
                            : "the instance is the writer: record the time to restore",
            });
        poll_soon(d);
        if (p->restore_test.keep_minutes == 0)
                /* Nothing to keep: the teardown follows the probe in the same plan (the probe runs first).
                 */
                teardown(d, dc, instance, "kept keep_minutes=0");
}

static int cluster_ptr_cmp(const void *x, const void *y)
{
        const struct observed_cluster *a = *(const struct observed_cluster *const *)x;
        const struct observed_cluster *c = *(const struct observed_cluster *const *)y;
        return strcmp(a->identifier, c->identifier);
}

/* The drill clusters of the source (those that look like its drills), sorted by identifier. */
static size_t drill_lookalikes(const struct drill_ctx *d, const struct observed_cluster **out, size_t cap)
{
        size_t n = 0;
        for (size_t i = 0; i < d->b->in->n_clusters && n < cap; i++) {
                const struct observed_cluster *c = &d->b->in->clusters[i];
                if (!streq_ptr(c->region, d->cp->region) || streq(c->identifier, d->cp->c->identifier) ||
                    !restore_drill_cluster_is_ours(d->b->prefix, c) ||
                    !streq_ptr(plan_tag_get(c->tags, c->n_tags, TAG_RESTORE_TEST), d->cp->c->identifier))
                        continue;
                bool dup = false;
                for (size_t k = 0; k < n && !dup; k++)
                        dup = streq(out[k]->identifier, c->identifier);
                if (!dup)
                        out[n++] = c;
        }
        qsort(out, n, sizeof *out, cluster_ptr_cmp);
        return n;
}

/* How many drill clusters of one source are looked at: a drill a period, kept a few days at most. */
#define DRILLS_PER_SOURCE_MAX 16

static void drill_source(struct builder *b, const struct cluster_plan *cp)
{
        const struct drill_ctx d = {.b = b, .cp = cp};
        const struct policy *p = cp->p;
        const char *source = cp->c->identifier;
        const struct observed_cluster *found[DRILLS_PER_SOURCE_MAX];
        char drill_id[PLAN_SNAPSHOT_ID_MAX];
        int64_t start, end;
        bool live = false;

        size_t n = drill_lookalikes(&d, found, ELEMENTSOF(found));
        for (size_t i = 0; i < n; i++) {
                const struct drill_record *restore =
                    owned_restore(b, cp->region, source, found[i]->identifier);
                if (!restore) {
                        add(&d, ACTION_REFUSED, found[i]->identifier, NULL, found[i]->status,
                            arena_printf(
                                b->arena,
                                "cluster %s looks like a restore drill of %s but the agent's ledger has no "
                                "restore of it: not probed, not deleted",
                                found[i]->identifier, source));
                        continue;
                }
                live = true;
                drill_step(&d, found[i], restore);
        }
        if (live)
                return; /* one drill of a cluster at a time */

        if (restore_drill_period(&p->restore_test.every, b->in->now, &start, &end) < 0 ||
            restore_drill_cluster_identifier(b->prefix, source, start, drill_id) < 0)
                return; /* config validation rejects bad schedules; a name that cannot be made is no drill */
        plan_wake(b, end);

        /* This period's drill was made (or refused by AWS) already: the next is due next period. An intent
         * left open by a crash whose cluster did not appear is retried once recovery settles it. */
        const struct drill_record *last =
            record_find(b, ACTION_DRILL_RESTORE, cp->region, source, drill_id, false, ANY_STATE);
        if (last && (last->state == DRILL_RECORD_DONE || last->state == DRILL_RECORD_FAILED))
                return;
        if (last && last->state == DRILL_RECORD_OPEN) {
                add(&d, ACTION_DRILL_WAIT, drill_id, drill_id, "not-yet-observed",
                    "restore started, not yet observed");
                return poll_soon(&d);
        }

        char buf[32];
        const char *every = plan_schedule_describe(&p->restore_test.every, buf);
        if (p->restore_test.source == RESTORE_SOURCE_POINT_IN_TIME) {
                add(&d, ACTION_DRILL_RESTORE, drill_id, drill_id, NULL,
                    arena_printf(b->arena,
                                 "restore_test every %s, source point-in-time: restore %s to its latest "
                                 "restorable time",
                                 every, source));
                return poll_soon(&d);
        }
        const struct snap *snap = newest_agent_snapshot(&d);
        if (!snap || !cp->c->engine) {
                add(&d, ACTION_DRILL_FAILED, drill_id, NULL, NULL,
                    !snap ? "no available snapshot made by the agent to restore"
                          : "the source cluster's engine is unknown");
                return;
        }
        plan_add_cluster_action(
            b, cp,
            (struct plan_action){
                .kind = ACTION_DRILL_RESTORE,
                .target = drill_id,
                .snapshot = drill_id,
                .source_snapshot = snap->s->identifier,
                .rule = arena_printf(
                    b->arena, "restore_test every %s: restore the newest available agent snapshot", every),
            });
        poll_soon(&d);
}

void plan_drills(struct builder *b)
{
        for (size_t i = 0; i < b->n_clusters; i++) {
                const struct cluster_plan *cp = &b->clusters[i];
                if (cp->p->restore_test.enabled)
                        drill_source(b, cp);
        }
}
