/* The observation (observation.h): Describe pages turned into the planner's views as they stream in, views
 * merged, sorted and rebuilt, and the lookups the cycle's steps make in them. No AWS call. */
#include "observation.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "array.h"
#include "intern.h"
#include "plan-quota.h"
#include "snapshot-id.h"
#include "store.h"
#include "strv.h"
#include "timespec.h"

/* ---- Snapshots, kept compact: each Describe page is turned into planner views as it streams in,
 * stealing only the strings the planner and the agent read; frequent values (statuses, types, the
 * agent's own tag keys) point to constants instead of a copy per snapshot. ---- */

static const char *const common_strings[] = {
    "available", "creating",  "copying",   "deleting",     "failed",
    "manual",    "automated", "awsbackup", TAG_MANAGED_BY, TAG_MANAGED_BY_VALUE,
    TAG_POLICY,  TAG_SLOT,    TAG_HOLD,    PLAN_TAG_COPY,
};

static bool is_common(const char *p)
{
        for (size_t i = 0; i < ELEMENTSOF(common_strings); i++)
                if (p == common_strings[i])
                        return true;
        return str_interned(p);
}

/* Takes ownership of `p`: returns the shared constant equal to it (freeing `p`), or `p` itself. */
static char *intern(char *p)
{
        if (!p)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(common_strings); i++)
                if (streq(p, common_strings[i])) {
                        free(p);
                        return (char *)common_strings[i];
                }
        return p;
}

/* Takes ownership of `p`: a value many snapshots share (their cluster, their KMS key, a policy name) is
 * kept once in the process's pool (intern.h); `p` itself when the pool has no room. */
static char *pooled(char *p)
{
        const char *q;

        p = intern(p);
        if (!p || is_common(p) || !(q = str_intern(p)))
                return p;
        free(p);
        return (char *)q;
}

static void free_owned(const char *p)
{
        if (p && !is_common(p))
                free((char *)p);
}

void observation_view_done(struct observed_snapshot *v)
{
        free_owned(v->identifier);
        free_owned(v->arn);
        free_owned(v->cluster_identifier);
        free_owned(v->status);
        free_owned(v->snapshot_type);
        free_owned(v->kms_key_id);
        free_owned(v->source_arn);
        strv_free((char **)v->shared_accounts); /* share-facts.c's copy, when it filled one */
        for (size_t i = 0; i < v->n_tags; i++) {
                free_owned(v->tags[i].key);
                free_owned(v->tags[i].value);
        }
        free((struct tag *)v->tags);
        *v = (struct observed_snapshot){};
}

int observation_collect_view(struct rds_db_cluster_snapshot *s, void *userdata)
{
        struct snapshot_sink *k = userdata;
        struct observation *o = k->o;
        struct tag *tags = NULL;

        if (s->malformed || !s->identifier || !s->cluster_identifier) {
                /* Left out of the views (it would confuse every lookup), remembered so that its cluster
                 * deletes nothing while it cannot be read. */
                struct observed_incomplete *n = ARRAY_ADD_SLOT(o->incomplete, o->n_incomplete);
                if (!n)
                        return -ENOMEM;
                *n = (struct observed_incomplete){.region = k->region,
                                                  .cluster = TAKE_PTR(s->cluster_identifier),
                                                  .snapshot = TAKE_PTR(s->identifier)};
                o->n_incomplete++;
                return 0;
        }
        if (k->cap == 0)
                k->cap = o->n_snapshots;
        if (o->n_snapshots == k->cap) {
                /* Not array_grow()'s doubling: the views are the cycle's largest array (20,000 snapshots at
                 * bench-cycle's 1,000 x 20), grown by half so that its peak RSS stays within budget. */
                size_t cap = k->cap > 256 ? k->cap * 3 / 2 : k->cap + 256;
                struct observed_snapshot *n = realloc(o->snapshots, cap * sizeof(*n));
                if (!n)
                        return -ENOMEM;
                o->snapshots = n;
                k->cap = cap;
        }
        if (s->n_tags > 0) {
                tags = calloc(s->n_tags, sizeof(*tags));
                if (!tags)
                        return -ENOMEM;
                for (size_t i = 0; i < s->n_tags; i++) {
                        /* Keys repeat everywhere, and so does the policy's name; other values may be unique
                         * to a snapshot (the slot, an operator's note) and would only grow the pool. */
                        char *key = pooled(s->tags[i].key);
                        char *value =
                            streq_ptr(key, TAG_POLICY) ? pooled(s->tags[i].value) : intern(s->tags[i].value);
                        tags[i] = (struct tag){key, value};
                        s->tags[i] = (struct aws_tag){};
                }
        }
        o->snapshots[o->n_snapshots++] = (struct observed_snapshot){
            .identifier = TAKE_PTR(s->identifier),
            .arn = TAKE_PTR(s->arn),
            .cluster_identifier = pooled(TAKE_PTR(s->cluster_identifier)),
            .region = k->region,
            .status = intern(TAKE_PTR(s->status)),
            .snapshot_type = intern(TAKE_PTR(s->snapshot_type)),
            .create_time = s->create_time > 0 ? s->create_time : PLAN_TIME_UNKNOWN,
            .encrypted = s->storage_encrypted,
            .kms_key_id = pooled(TAKE_PTR(s->kms_key_id)),
            .tags = tags,
            .n_tags = s->n_tags,
            .allocated_storage_gib = s->allocated_storage,
            .source_arn = TAKE_PTR(s->source_arn),
        };
        return 0;
}

static int view_cmp(const void *a, const void *b)
{
        const struct observed_snapshot *x = a, *y = b;
        int c = strcmp(x->region, y->region);
        return c ? c : strcmp(x->identifier, y->identifier);
}

void observation_sort_views(struct observation *o, size_t from)
{
        size_t n = o->n_snapshots - from, w;
        struct observed_snapshot *v = o->snapshots + from;

        if (n == 0)
                return;
        qsort(v, n, sizeof(*v), view_cmp);
        w = 1;
        for (size_t i = 1; i < n; i++) {
                if (view_cmp(&v[i], &v[w - 1]) == 0) {
                        observation_view_done(&v[i]);
                        continue;
                }
                v[w++] = v[i];
        }
        o->n_snapshots = from + w;
}

int observation_merge_part(struct observation *o, struct observation *part)
{
        if (ARRAY_APPEND(o->snapshots, o->n_snapshots, part->snapshots, part->n_snapshots) < 0)
                return -ENOMEM;
        part->n_snapshots = 0; /* moved: their strings are o's now */
        if (ARRAY_APPEND(o->incomplete, o->n_incomplete, part->incomplete, part->n_incomplete) < 0)
                return -ENOMEM;
        part->n_incomplete = 0;
        observation_done(part);
        return 0;
}

/* ---- Views of one Describe record, borrowing its strings (the cycle's cluster views, and the control
 * commands' targeted lookups). ---- */

static struct tag *tags_view(const struct aws_tag *from, size_t n, struct tag *to)
{
        for (size_t i = 0; i < n; i++)
                to[i] = (struct tag){from[i].key, from[i].value};
        return to;
}

struct observed_cluster observation_cluster_view(const struct rds_db_cluster *c, const char *region,
                                                 struct tag *tags)
{
        struct observed_cluster v = {
            .identifier = c->identifier,
            .arn = c->arn,
            .region = region,
            .status = c->status,
            .storage_encrypted = c->storage_encrypted,
            .kms_key_id = c->kms_key_id,
            .tags = tags_view(c->tags, c->n_tags, tags),
            .n_tags = c->n_tags,
            .backup_retention_period = (int)c->backup_retention_period,
            .engine = c->engine,
            .writer = c->writer,
        };
        if (c->preferred_backup_window && window_parse(c->preferred_backup_window, &v.preferred_window) >= 0)
                v.has_preferred_window = true;
        return v;
}

struct observed_snapshot observation_snapshot_view(const struct rds_db_cluster_snapshot *s,
                                                   const char *region, struct tag *tags)
{
        return (struct observed_snapshot){
            .identifier = s->identifier,
            .arn = s->arn,
            .cluster_identifier = s->cluster_identifier,
            .region = region,
            .status = s->status,
            .snapshot_type = s->snapshot_type,
            .create_time = s->create_time > 0 ? s->create_time : PLAN_TIME_UNKNOWN,
            .encrypted = s->storage_encrypted,
            .kms_key_id = s->kms_key_id,
            .tags = tags_view(s->tags, s->n_tags, tags),
            .n_tags = s->n_tags,
            .allocated_storage_gib = s->allocated_storage,
            .source_arn = s->source_arn,
        };
}

/* The cluster and export views (the snapshot views are built while streaming). */
int observation_rebuild_views(struct observation *o)
{
        struct arena *views = arena_new();
        if (!views)
                return -ENOMEM;
        arena_free(o->views); /* the last views, replaced below */
        o->views = views;
        o->n_clusters = o->n_exports = o->n_account_quotas = 0;
        size_t nc = 0, ne = 0, nt = 0;

        for (size_t i = 0; i < o->n_regions; i++) {
                const struct observed_region *r = &o->regions[i];
                if (!r->ok)
                        continue;
                nc += r->clusters.n;
                ne += r->exports.n;
                for (size_t j = 0; j < r->clusters.n; j++)
                        nt += r->clusters.items[j].n_tags;
        }
        o->clusters = arena_alloc_array(views, nc, sizeof(*o->clusters));
        o->exports = arena_alloc_array(views, ne, sizeof(*o->exports));
        o->tag_pool = arena_alloc_array(views, nt, sizeof(*o->tag_pool));
        o->account_quotas = arena_alloc_array(views, o->n_regions, sizeof(*o->account_quotas));
        if (!o->clusters || !o->exports || !o->tag_pool || !o->account_quotas)
                return -ENOMEM;
        for (size_t i = 0; i < o->n_regions; i++)
                if (o->regions[i].ok && o->regions[i].quota_known)
                        o->account_quotas[o->n_account_quotas++] = (struct account_quota){
                            .region = o->regions[i].region,
                            .max = o->regions[i].quota_max,
                            .used = o->regions[i].quota_used,
                        };

        struct tag *t = o->tag_pool;
        for (size_t i = 0; i < o->n_regions; i++) {
                const struct observed_region *r = &o->regions[i];
                if (!r->ok)
                        continue;
                for (size_t j = 0; j < r->clusters.n; j++) {
                        const struct rds_db_cluster *c = &r->clusters.items[j];
                        if (r->repeat && observation_find_cluster(o, r->region, c->identifier))
                                continue; /* the same cluster seen through another role */
                        struct observed_cluster *v = &o->clusters[o->n_clusters++];
                        *v = observation_cluster_view(c, r->region, t);
                        v->snapshots_incomplete = observation_incomplete(o, r->region, c->identifier);
                        t += c->n_tags;
                }
                for (size_t j = 0; j < r->exports.n; j++) {
                        const struct rds_export_task *e = &r->exports.items[j];
                        o->exports[o->n_exports++] =
                            (struct observed_export){.identifier = e->identifier,
                                                     .source_arn = e->source_arn,
                                                     .status = e->status,
                                                     .percent = e->percent_progress};
                }
        }
        return 0;
}

void observation_done(struct observation *o)
{
        for (size_t i = 0; i < o->n_snapshots; i++)
                observation_view_done(&o->snapshots[i]);
        for (size_t i = 0; i < o->n_regions; i++) {
                free(o->regions[i].region);
                rds_db_cluster_list_done(&o->regions[i].clusters);
                rds_export_task_list_done(&o->regions[i].exports);
        }
        free(o->regions);
        free(o->snapshots);
        arena_free(o->views);
        for (size_t i = 0; i < o->n_incomplete; i++) {
                free(o->incomplete[i].cluster);
                free(o->incomplete[i].snapshot);
        }
        free(o->incomplete);
        observation_drills_done(o);
        restore_requests_free(o->restore_rows, o->n_restore_rows);
        free(o->restore_orders);
        *o = (struct observation){};
}

const struct observed_snapshot *observation_find_snapshot(const struct observation *o, const char *region,
                                                          const char *identifier)
{
        struct observed_snapshot key = {.region = region, .identifier = identifier};
        if (!region || !identifier || o->n_snapshots == 0)
                return NULL;
        return bsearch(&key, o->snapshots, o->n_snapshots, sizeof(*o->snapshots), view_cmp);
}

const struct observed_cluster *observation_find_cluster(const struct observation *o, const char *region,
                                                        const char *identifier)
{
        for (size_t i = 0; i < o->n_clusters; i++)
                if (streq_ptr(o->clusters[i].region, region) &&
                    streq_ptr(o->clusters[i].identifier, identifier))
                        return &o->clusters[i];
        return NULL;
}

const struct rds_db_cluster *observation_find_rds_cluster(const struct observation *o, const char *region,
                                                          const char *identifier)
{
        for (size_t i = 0; i < o->n_regions; i++) {
                if (!streq_ptr(o->regions[i].region, region))
                        continue;
                for (size_t j = 0; j < o->regions[i].clusters.n; j++)
                        if (streq_ptr(o->regions[i].clusters.items[j].identifier, identifier))
                                return &o->regions[i].clusters.items[j];
        }
        return NULL;
}

bool observation_has_export(const struct observation *o, const char *identifier)
{
        for (size_t i = 0; i < o->n_exports; i++)
                if (streq_ptr(o->exports[i].identifier, identifier))
                        return true;
        return false;
}

bool observation_region_ok(const struct observation *o, const char *region)
{
        bool any = false;
        for (size_t i = 0; i < o->n_regions; i++)
                if (streq_ptr(o->regions[i].region, region)) {
                        if (!o->regions[i].ok)
                                return false;
                        any = true;
                }
        return any;
}

int64_t observation_quota_limit(const struct observation *o, const struct policy *p, const char *region)
{
        struct plan_input in = {.account_quotas = o->account_quotas,
                                .n_account_quotas = o->n_account_quotas};
        return plan_quota_limit(&in, p, region);
}

bool observation_incomplete(const struct observation *o, const char *region, const char *cluster)
{
        for (size_t i = 0; i < o->n_incomplete; i++)
                if (streq_ptr(o->incomplete[i].region, region) &&
                    (!o->incomplete[i].cluster || streq_ptr(o->incomplete[i].cluster, cluster)))
                        return true;
        return false;
}

static void instance_done(struct observed_instance *x)
{
        free((char *)x->identifier);
        free((char *)x->cluster_identifier);
        free((char *)x->status);
}

void observation_drills_done(struct observation *o)
{
        for (size_t i = 0; i < o->n_instances; i++)
                instance_done(&o->instances[i]);
        o->instances = mfree(o->instances);
        o->n_instances = 0;
        o->drill_records = mfree(o->drill_records);
        o->n_drill_records = 0;
        o->drill_rows = ledger_entries_free(o->drill_rows, o->n_drill_rows);
        o->n_drill_rows = 0;
}

int observation_instance_add(struct observation *o, const char *region, const char *id, const char *cluster,
                             const char *status)
{
        struct observed_instance x = {
            .identifier = strdup(id),
            .cluster_identifier = strdup(cluster),
            .region = region,
            .status = status ? strdup(status) : NULL,
        };
        if (!x.identifier || !x.cluster_identifier || (status && !x.status) ||
            ARRAY_APPEND(o->instances, o->n_instances, &x, 1) < 0) {
                instance_done(&x);
                return -ENOMEM;
        }
        return 0;
}
