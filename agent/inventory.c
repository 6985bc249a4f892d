/* The inventory between cycles (inventory.h): keeping it, looking again at what a wake-up concerns, and
 * applying the agent's own changes. */
#include "inventory.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "aws-rds.h"
#include "config-policy.h"
#include "journal.h"
#include "observation.h"
#include "operator-restore.h"
#include "restore-drill.h"
#include "store.h"
#include "strv.h"
#include "task.h"

#define ERR_CLUSTER_NOT_FOUND "DBClusterNotFoundFault"
#define ERR_SNAPSHOT_NOT_FOUND "DBClusterSnapshotNotFoundFault"

/* How long until the next full refresh is due, from the last one. */
static int64_t refresh_after(const struct agent *a)
{
        int64_t interval = a->config->agent.inventory_interval_sec;
        if (a->inventory_partial && a->config->agent.reconcile_interval_sec < interval)
                interval = a->config->agent.reconcile_interval_sec;
        return interval;
}

/* ---- keeping it ---- */

bool inventory_refresh_due(const struct agent *a, int64_t now)
{
        return !a->inventory || a->inventory_refresh || now - a->inventory_full_at >= refresh_after(a) ||
               now < a->inventory_full_at; /* the clock went back */
}

int64_t inventory_next_refresh(const struct agent *a)
{
        if (!a->inventory)
                return PLAN_NO_WAKEUP;
        if (a->inventory_refresh)
                return 0;
        return a->inventory_full_at + refresh_after(a);
}

void inventory_keep(struct agent *a, struct observation *o, bool full, int64_t now)
{
        struct observation *inv = a->inventory;
        if (!inv && !(inv = calloc(1, sizeof(*inv)))) {
                observation_done(o); /* no memory to keep it: the next wake-up refreshes in full */
                return;
        }
        observation_done(inv);
        *inv = *o;
        *o = (struct observation){};
        if (full) {
                a->inventory_full_at = now;
                a->inventory_refresh = false;
                a->inventory_partial = false;
                for (size_t i = 0; i < inv->n_regions; i++)
                        a->inventory_partial |= !inv->regions[i].ok;
        }
        a->inventory = inv;
}

bool inventory_take(struct agent *a, struct observation *ret)
{
        struct observation *inv = a->inventory;
        if (!inv || !inv->regions)
                return false;
        *ret = *inv;
        *inv = (struct observation){};
        return true;
}

/* ---- what was looked at ---- */

void inventory_looks_done(struct inventory_looks *l)
{
        for (size_t i = 0; i < l->n; i++)
                free((char *)l->items[i].cluster);
        free(l->items);
        *l = (struct inventory_looks){};
}

bool inventory_looked(const struct inventory_looks *l, const char *region, const char *cluster)
{
        for (size_t i = 0; i < l->n; i++)
                if (streq_ptr(l->items[i].region, region) && streq_ptr(l->items[i].cluster, cluster))
                        return true;
        return false;
}

/* A step of a drill or of an operator's restore: decided on the drill cluster's record (an operator's new
 * cluster's), looked at every wake-up while it exists (inventory_look), and on its instances, looked at by
 * restore_drills_observe(). The drill's restore itself is not one: it is about the source cluster's
 * snapshots, looked at like any other action. */
static bool is_restore_step(enum action_kind k)
{
        switch (k) {
        case ACTION_DRILL_INSTANCE:
        case ACTION_DRILL_PROBE:
        case ACTION_DRILL_TEARDOWN:
        case ACTION_DRILL_WAIT:
        case ACTION_DRILL_FAILED:
        case ACTION_RESTORE_CLUSTER:
        case ACTION_RESTORE_INSTANCE:
        case ACTION_RESTORE_WAIT:
        case ACTION_RESTORE_DONE:
        case ACTION_RESTORE_FAILED:
                return true;
        default:
                return false;
        }
}

bool inventory_action_looked(const struct inventory_looks *l, const struct plan_action *act)
{
        if (is_restore_step(act->kind))
                return true;
        switch (act->kind) {
        case ACTION_REFUSED:
        case ACTION_POLL:
        case ACTION_QUOTA_EXHAUSTED: /* a report on the region's count, which the inventory keeps */
                return true;
        case ACTION_COPY:
                return inventory_looked(l, act->source_region ?: act->region, act->cluster) &&
                       inventory_looked(l, act->region, act->cluster);
        default:
                return inventory_looked(l, act->region, act->cluster);
        }
}

static int looks_add(struct inventory_looks *l, const char *region, const char *cluster)
{
        if (inventory_looked(l, region, cluster))
                return 0;
        struct inventory_look *n = ARRAY_ADD_SLOT(l->items, l->n);
        if (!n)
                return -ENOMEM;
        *n = (struct inventory_look){.region = region, .cluster = strdup(cluster)};
        if (!n->cluster)
                return -ENOMEM;
        l->n++;
        return 0;
}

/* ---- looking ---- */

static struct observed_region *region_of(struct observation *o, const char *region, const struct policy *p)
{
        const char *role = p ? p->assume_role.role_arn : NULL;
        struct observed_region *any = NULL;
        for (size_t i = 0; i < o->n_regions; i++) {
                struct observed_region *r = &o->regions[i];
                if (!r->ok || !streq(r->region, region))
                        continue;
                if (streq_ptr(r->policy ? r->policy->assume_role.role_arn : NULL, role))
                        return r;
                any = any ?: r;
        }
        return any;
}

static void report_look_error(struct agent *a, const char *what, const char *region, const char *object,
                              const struct aws_error *e)
{
        struct event_fields f = {.region = region, .cluster = object, .action = "observe"};
        char buf[1024];

        act_error_fields(e, &f);
        journal_event(EVENT_API_ERROR, &f, "Cannot look at %s %s in %s (not acted on this time): %s", what,
                      object, region, aws_error_to_string(e, buf, sizeof(buf)));
        agent_set_last_error(a, "look %s %s: %s", what, object, f.error_code);
}

/* Where one look goes: the region's entry in the observation, the client of the policy's role there, and
 * the error of the look's calls. */
struct look {
        struct observed_region *region;
        struct aws_client *client;
        struct aws_error e;
};

/* A look at `what` `object` in `region`: 1 (go on, *l filled); 0 (not now: a region the last refresh could
 * not observe, which the next refresh will; or no client, reported: not acted on this time); -ENOMEM. */
static int look_begin(struct agent *a, struct observation *o, const char *region, const struct policy *p,
                      const char *what, const char *object, struct look *l)
{
        int r;

        *l = (struct look){.region = region_of(o, region, p)};
        if (!l->region)
                return 0;
        r = agent_client_get(a, region, p, &l->client, &l->e);
        if (r >= 0)
                return 1;
        if (r == -ENOMEM)
                return r;
        report_look_error(a, what, region, object, &l->e);
        return 0;
}

/* Manual snapshots that someone other than AWS's schedules makes or deletes: the ones whose appearance or
 * disappearance means the inventory missed something. */
static bool counts_for_agreement(const struct observed_snapshot *s)
{
        const char *id = s->identifier ? s->identifier : "";
        return !strchr(id, ':') && !streq_ptr(s->snapshot_type, "automated") &&
               !streq_ptr(s->status, "deleting");
}

static char **agreement_ids(const struct observation *o, const char *region, const char *cluster)
{
        char **ids = calloc(1, sizeof(char *));
        for (size_t i = 0; ids && i < o->n_snapshots; i++) {
                const struct observed_snapshot *s = &o->snapshots[i];
                if (streq(s->region, region) && streq_ptr(s->cluster_identifier, cluster) &&
                    counts_for_agreement(s) && strv_extend(&ids, s->identifier) < 0)
                        ids = strv_free(ids);
        }
        return ids;
}

static void remove_views(struct observation *o, const char *region, const char *cluster,
                         const char *identifier)
{
        size_t w = 0;
        for (size_t i = 0; i < o->n_snapshots; i++) {
                struct observed_snapshot *s = &o->snapshots[i];
                bool match = streq(s->region, region) &&
                             (!cluster || streq_ptr(s->cluster_identifier, cluster)) &&
                             (!identifier || streq_ptr(s->identifier, identifier));
                if (match)
                        observation_view_done(s);
                else
                        o->snapshots[w++] = *s;
        }
        o->n_snapshots = w;
}

/* The views of (region, cluster or identifier) among the first `keep` give way to the fresh ones appended
 * after them by a listing; the views are sorted again. */
static void replace_views(struct observation *o, size_t keep, const char *region, const char *cluster,
                          const char *identifier)
{
        struct observation old = {.snapshots = o->snapshots, .n_snapshots = keep};
        remove_views(&old, region, cluster, identifier);
        size_t removed = keep - old.n_snapshots;
        memmove(o->snapshots + old.n_snapshots, o->snapshots + keep,
                (o->n_snapshots - keep) * sizeof(*o->snapshots));
        o->n_snapshots -= removed;
        observation_sort_views(o, 0);
}

/* The cluster's record in its region, replaced by `fresh` (taken), or removed when `fresh` is NULL. */
static int replace_cluster(struct observed_region *r, const char *cluster, struct rds_db_cluster *fresh)
{
        struct rds_db_cluster_list *l = &r->clusters;
        for (size_t i = 0; i < l->n; i++) {
                if (!streq_ptr(l->items[i].identifier, cluster))
                        continue;
                rds_db_cluster_done(&l->items[i]);
                if (fresh)
                        l->items[i] = *fresh;
                else
                        l->items[i] = l->items[--l->n];
                return 0;
        }
        if (!fresh)
                return 0;
        return ARRAY_APPEND(l->items, l->n, fresh, 1);
}

/* One cluster: its record, and its snapshots in its region and each copy region of its policy. */
static int look_cluster(struct agent *a, struct observation *o, const char *region, const struct policy *p,
                        const char *cluster, bool snapshots, struct inventory_looks *looks)
{
        struct rds_db_cluster_list fresh = {};
        struct look l;
        int r;

        r = look_begin(a, o, region, p, "cluster", cluster, &l);
        if (r <= 0)
                return r;
        struct observed_region *home = l.region;
        r = rds_describe_db_clusters(l.client, cluster, &fresh, &l.e);
        if (r < 0 && streq(l.e.code, ERR_CLUSTER_NOT_FOUND)) {
                bool known = false, drill = false;
                for (size_t i = 0; i < home->clusters.n; i++)
                        if (streq_ptr(home->clusters.items[i].identifier, cluster)) {
                                known = true;
                                drill =
                                    aws_tags_get(home->clusters.items[i].tags,
                                                 home->clusters.items[i].n_tags, TAG_RESTORE_TEST) != NULL;
                        }
                r = replace_cluster(home, cluster, NULL);
                /* A cluster went away since the last refresh: others may have. (One that was never there,
                 * such as an operator's new cluster before its restore, says nothing of the others.) */
                if (known && !drill)
                        a->inventory_refresh = true;
        } else if (r < 0) {
                report_look_error(a, "cluster", region, cluster, &l.e);
                return r == -ENOMEM ? r : 0;
        } else if (fresh.n == 1) {
                r = replace_cluster(home, cluster, &fresh.items[0]);
                free(fresh.items);
                fresh = (struct rds_db_cluster_list){};
        } else
                rds_db_cluster_list_done(&fresh);
        if (r < 0)
                return r;
        if (!snapshots)
                return 0;

        const char *regions[1 + POLICY_COPIES_MAX];
        size_t n_regions = 0;
        regions[n_regions++] = home->region;
        for (size_t k = 0; p && k < p->n_copies && n_regions < ELEMENTSOF(regions); k++) {
                struct observed_region *cr = region_of(o, p->copies[k].region, p);
                if (cr && !streq(cr->region, home->region))
                        regions[n_regions++] = cr->region;
        }
        for (size_t k = 0; k < n_regions; k++) {
                /* Listed into a part of its own: other clusters' looks run meanwhile and change `o`;
                 * nothing below holds a pointer into it across the call. */
                struct observation part = {};
                struct snapshot_sink sink = {.o = &part, .region = regions[k]};

                r = look_begin(a, o, regions[k], p, "the snapshots of cluster", cluster, &l);
                if (r <= 0)
                        return r;
                r = rds_describe_db_cluster_snapshots_foreach(
                    l.client, &(struct rds_snapshot_filter){.cluster_identifier = cluster},
                    observation_collect_view, &sink, &l.e);
                if (r < 0) {
                        observation_done(&part);
                        if (r == -ENOMEM)
                                return r;
                        report_look_error(a, "the snapshots of cluster", regions[k], cluster, &l.e);
                        return 0; /* not looked at: not acted on */
                }
                _cleanup_strv_free_ char **before = agreement_ids(o, regions[k], cluster);
                size_t keep = o->n_snapshots, incomplete_before = o->n_incomplete;
                if (!before) {
                        observation_done(&part);
                        return -ENOMEM;
                }
                r = observation_merge_part(o, &part);
                if (r < 0) {
                        observation_done(&part);
                        return r;
                }
                replace_views(o, keep, regions[k], cluster, NULL);
                _cleanup_strv_free_ char **after = agreement_ids(o, regions[k], cluster);
                if (!after)
                        return -ENOMEM;
                if (!strv_equal(before, after))
                        a->inventory_refresh = true; /* someone else made or deleted snapshots */
                /* What could not be read before and was read now is no longer incomplete. */
                size_t w = 0;
                for (size_t i = 0; i < o->n_incomplete; i++) {
                        struct observed_incomplete *x = &o->incomplete[i];
                        if (i < incomplete_before && x->region == regions[k] &&
                            streq_ptr(x->cluster, cluster)) {
                                free(x->cluster);
                                free(x->snapshot);
                                continue;
                        }
                        o->incomplete[w++] = *x;
                }
                o->n_incomplete = w;
                r = looks_add(looks, regions[k], cluster);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* One snapshot being polled (created, copied). */
static int look_snapshot(struct agent *a, struct observation *o, struct look *l, const char *region,
                         const char *identifier)
{
        struct snapshot_sink sink = {.o = o, .region = l->region->region};
        size_t keep = o->n_snapshots;
        int r;

        r = rds_describe_db_cluster_snapshots_foreach(
            l->client, &(struct rds_snapshot_filter){.snapshot_identifier = identifier},
            observation_collect_view, &sink, &l->e);
        if (r < 0 && !streq(l->e.code, ERR_SNAPSHOT_NOT_FOUND)) {
                while (o->n_snapshots > keep)
                        observation_view_done(&o->snapshots[--o->n_snapshots]);
                if (r == -ENOMEM)
                        return r;
                report_look_error(a, "snapshot", region, identifier, &l->e);
                return 0;
        }
        replace_views(o, keep, l->region->region, NULL, identifier);
        return 0;
}

/* One export task being polled. */
static int look_export(struct agent *a, struct observation *o, struct look *l, const char *region,
                       const char *identifier)
{
        struct rds_export_task_list fresh = {};
        int r;

        r = rds_describe_export_tasks(l->client, identifier, NULL, &fresh, &l->e);
        if (r < 0) {
                if (r != -ENOMEM)
                        report_look_error(a, "export task", region, identifier, &l->e);
                return r == -ENOMEM ? r : 0;
        }
        struct rds_export_task_list *known = &l->region->exports;
        for (size_t i = 0; i < fresh.n; i++) {
                bool replaced = false;
                for (size_t k = 0; k < known->n && !replaced; k++)
                        if (streq_ptr(known->items[k].identifier, fresh.items[i].identifier)) {
                                rds_export_task_done(&known->items[k]);
                                known->items[k] = fresh.items[i];
                                fresh.items[i] = (struct rds_export_task){};
                                replaced = true;
                        }
        }
        rds_export_task_list_done(&fresh);
        return observation_rebuild_views(o);
}

/* What an ACTION_POLL waits for: an export task (when one of that identifier was observed) or a snapshot. */
static int look_poll(struct agent *a, struct observation *o, const char *region, const struct policy *p,
                     const char *identifier)
{
        bool is_export = observation_has_export(o, identifier);
        struct look l;
        int r;

        r = look_begin(a, o, region, p, is_export ? "export task" : "snapshot", identifier, &l);
        if (r <= 0)
                return r;
        if (is_export)
                return look_export(a, o, &l, region, identifier);
        return look_snapshot(a, o, &l, region, identifier);
}

struct look_target {
        const char *region;
        const struct policy *policy;
        char *cluster;
        bool snapshots;
};

static int targets_add(struct look_target **t, size_t *n, const char *region, const struct policy *p,
                       const char *cluster, bool snapshots)
{
        if (!region || !cluster)
                return 0;
        for (size_t i = 0; i < *n; i++)
                if (streq((*t)[i].region, region) && streq((*t)[i].cluster, cluster)) {
                        (*t)[i].snapshots |= snapshots;
                        return 0;
                }
        struct look_target *x = ARRAY_ADD_SLOT(*t, *n);
        if (!x)
                return -ENOMEM;
        *x = (struct look_target){
            .region = region, .policy = p, .cluster = strdup(cluster), .snapshots = snapshots};
        if (!x->cluster)
                return -ENOMEM;
        (*n)++;
        return 0;
}

struct look_job {
        struct agent *a;
        struct observation *o;
        const struct look_target *targets;
        struct inventory_looks *looks;
        bool looked;
        int result; /* the first failure (-ENOMEM): the others are not looked at */
};

static void look_one(size_t i, void *userdata)
{
        struct look_job *j = userdata;
        const struct look_target *t = &j->targets[i];

        if (j->result < 0 || agent_winding_down(j->a))
                return;
        /* The region string must be the observation's, which outlives this call. */
        struct observed_region *reg = region_of(j->o, t->region, t->policy);
        if (!reg)
                return;
        j->looked = true;
        int r = look_cluster(j->a, j->o, reg->region, t->policy, t->cluster, t->snapshots, j->looks);
        if (r < 0 && j->result >= 0)
                j->result = r;
}

int inventory_look(struct agent *a, struct observation *o, const struct plan *p,
                   const struct ledger_entry *open, size_t n_open, struct inventory_looks *ret)
{
        struct look_target *t = NULL;
        struct inventory_looks looks = {};
        size_t n = 0;
        int r = 0;

        for (size_t i = 0; r >= 0 && i < p->n_actions; i++) {
                const struct plan_action *act = &p->actions[i];
                const struct policy *pol = agent_find_policy(a, act->policy);
                const char *home = pol ? agent_policy_region(a, pol) : act->region;
                if (is_restore_step(act->kind))
                        continue; /* drill clusters and operators' new clusters: looked at below */
                switch (act->kind) {
                case ACTION_REFUSED:
                        break;
                case ACTION_QUOTA_EXHAUSTED:
                        /* Nothing to do there while the quota is full: no look (with hundreds of clusters
                         * due, a look each would be hundreds of calls per wake-up). The plan turns it into a
                         * create once deletions free room, and that is looked at. */
                        break;
                case ACTION_POLL:
                        r = look_poll(a, o, act->region, pol, act->snapshot);
                        break;
                default:
                        r = targets_add(&t, &n, home, pol, act->cluster, true);
                        break;
                }
        }
        /* Intents left open (a lost answer): recovery settles them from a fresh look. */
        for (size_t i = 0; r >= 0 && i < n_open; i++) {
                const struct policy *pol = agent_find_policy(a, open[i].policy);
                r = targets_add(&t, &n, pol ? agent_policy_region(a, pol) : open[i].region, pol,
                                open[i].cluster, true);
        }
        /* The agent's restore drills in progress: their status drives the drill's next step. (A cluster that
         * only looks like a drill is not looked at: the full refreshes see it.) */
        for (size_t i = 0; r >= 0 && i < o->n_clusters; i++) {
                const struct observed_cluster *c = &o->clusters[i];
                if (restore_drill_known(a, o, c))
                        r = targets_add(&t, &n, c->region, NULL, c->identifier, false);
        }
        /* Operators' open restore requests: their new cluster, every wake-up until they are settled (read
         * from the store: one accepted since the last plan is looked at too). */
        if (r >= 0 && a->store) {
                struct restore_request *q = NULL;
                size_t n_q = 0;
                r = store_restore_requests_open(a->store, &q, &n_q);
                for (size_t i = 0; r >= 0 && i < n_q; i++) {
                        const char *region = NULL;
                        for (size_t k = 0; k < o->n_regions && !region; k++)
                                if (streq_ptr(o->regions[k].region, q[i].region))
                                        region = o->regions[k].region;
                        if (region)
                                r = targets_add(&t, &n, region, operator_restore_policy(a, region),
                                                q[i].new_cluster, false);
                }
                restore_requests_free(q, n_q);
        }
        for (size_t i = 0; r >= 0 && a->pending_looks && a->pending_looks[i]; i += 2)
                r = targets_add(&t, &n, a->pending_looks[i], NULL, a->pending_looks[i + 1], false);

        struct look_job job = {.a = a, .o = o, .targets = t, .looks = &looks};
        if (r >= 0)
                /* A few clusters at once: each look's calls wait under the region's cap on calls in flight.
                 */
                task_for_each(n, a->config->agent.max_concurrent_calls, look_one, &job);
        if (r >= 0)
                r = job.result;
        bool clusters_changed = job.looked;
        for (size_t i = 0; i < n; i++)
                free(t[i].cluster);
        free(t);
        if (r >= 0 && clusters_changed)
                r = observation_rebuild_views(o);
        if (r >= 0)
                a->pending_looks = strv_free(a->pending_looks);
        if (r < 0) {
                inventory_looks_done(&looks);
                return r;
        }
        *ret = looks;
        return 0;
}

/* ---- the agent's own changes ---- */

static int add_view(struct observation *o, const struct plan_action *act)
{
        const char *region = NULL;
        for (size_t i = 0; i < o->n_regions && !region; i++)
                if (o->regions[i].ok && streq(o->regions[i].region, act->region))
                        region = o->regions[i].region;
        if (!region || observation_find_snapshot(o, region, act->snapshot))
                return 0;
        struct tag *tags = calloc(act->n_tags + 1, sizeof(*tags));
        struct observed_snapshot v = {
            .identifier = strdup(act->snapshot),
            .cluster_identifier = strdup(act->cluster),
            .region = region,
            .status = strdup("creating"),
            .snapshot_type = strdup("manual"),
            .create_time = PLAN_TIME_UNKNOWN,
            .tags = tags,
        };
        bool oom = !tags || !v.identifier || !v.cluster_identifier || !v.status || !v.snapshot_type;
        for (size_t i = 0; !oom && i < act->n_tags; i++) {
                tags[i] = (struct tag){strdup(act->tags[i].key), strdup(act->tags[i].value ?: "")};
                v.n_tags++;
                oom = !tags[i].key || !tags[i].value;
        }
        if (oom || ARRAY_APPEND(o->snapshots, o->n_snapshots, &v, 1) < 0) {
                observation_view_done(&v);
                return -ENOMEM;
        }
        return 0;
}

int inventory_apply(struct agent *a, struct observation *o, const struct act_counts *c)
{
        int r = 0;
        (void)a;
        for (size_t i = 0; r >= 0 && i < c->n_changes; i++) {
                const struct plan_action *act = c->changes[i];
                switch (act->kind) {
                case ACTION_CREATE:
                case ACTION_COPY:
                        r = add_view(o, act);
                        break;
                case ACTION_DELETE_RDS:
                case ACTION_DELETE_BACKUP: {
                        const struct observed_snapshot *s =
                            observation_find_snapshot(o, act->region, act->snapshot);
                        if (s)
                                remove_views(o, s->region, NULL, act->snapshot);
                        break;
                }
                default:
                        break;
                }
        }
        if (r >= 0)
                observation_sort_views(o, 0);
        return r;
}
