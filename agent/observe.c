/* The observe step. Snapshots come from one paged region-wide listing (no SnapshotType: automated and
 * manual, which is how AWS Backup's Aurora snapshots are listed; for cluster snapshots the API documents
 * no "awsbackup" type, so none is asked for). AWS Backup recovery points are recognised by their
 * identifiers, whatever type RDS reports. Tags come with the Describe responses. */
#include "observe.h"
#include "observe-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent-internal.h"
#include "aws-rds.h"
#include "intern.h"
#include "backup-delete.h"
#include "log.h"
#include "plan-quota.h"
#include "snapshot-id.h"
#include "store.h"
#include "strv.h"
#include "task.h"
#include "timespec.h"

static const char *role_of(const struct policy *p)
{
        return p ? p->assume_role.role_arn : NULL;
}

static int regions_add(struct observation *o, const char *region, const struct policy *p)
{
        for (size_t i = 0; i < o->n_regions; i++)
                if (streq(o->regions[i].region, region) &&
                    streq_ptr(role_of(o->regions[i].policy), role_of(p)))
                        return (int)i;
        struct observed_region *n = realloc(o->regions, (o->n_regions + 1) * sizeof(*n));
        if (!n)
                return -ENOMEM;
        o->regions = n;
        n = &o->regions[o->n_regions];
        *n = (struct observed_region){.policy = p};
        n->region = strdup(region);
        if (!n->region)
                return -ENOMEM;
        return (int)o->n_regions++;
}

/* ---- Snapshots, kept compact: each Describe page is turned into planner views as it streams in,
 * stealing only the strings the planner and the agent read; frequent values (statuses, types, the
 * agent's own tag keys) point to constants instead of a copy per snapshot. ---- */

static const char *const common_strings[] = {
        "available", "creating", "copying", "deleting", "failed", "manual", "automated", "awsbackup",
        TAG_MANAGED_BY, TAG_MANAGED_BY_VALUE, TAG_POLICY, TAG_SLOT, TAG_HOLD, PLAN_TAG_COPY,
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

void observe_view_done(struct observed_snapshot *v)
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

int observe_collect_view(struct rds_db_cluster_snapshot *s, void *userdata)
{
        struct snapshot_sink *k = userdata;
        struct observation *o = k->o;
        struct tag *tags = NULL;

        if (s->malformed || !s->identifier || !s->cluster_identifier) {
                /* Left out of the views (it would confuse every lookup), remembered so that its cluster
                 * deletes nothing while it cannot be read. */
                struct observed_incomplete *n = realloc(o->incomplete, (o->n_incomplete + 1) * sizeof(*n));
                if (!n)
                        return -ENOMEM;
                o->incomplete = n;
                n[o->n_incomplete] = (struct observed_incomplete){
                    .region = k->region, .cluster = TAKE_PTR(s->cluster_identifier), .snapshot = TAKE_PTR(s->identifier)};
                o->n_incomplete++;
                return 0;
        }
        if (k->cap == 0)
                k->cap = o->n_snapshots;
        if (o->n_snapshots == k->cap) {
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
                        char *value = streq_ptr(key, TAG_POLICY) ? pooled(s->tags[i].value) : intern(s->tags[i].value);
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

/* Sort the views from `from` on and drop duplicates (one region observed through two roles). */
static void views_sort_unique(struct observation *o, size_t from)
{
        size_t n = o->n_snapshots - from, w;
        struct observed_snapshot *v = o->snapshots + from;

        if (n == 0)
                return;
        qsort(v, n, sizeof(*v), view_cmp);
        w = 1;
        for (size_t i = 1; i < n; i++) {
                if (view_cmp(&v[i], &v[w - 1]) == 0) {
                        observe_view_done(&v[i]);
                        continue;
                }
                v[w++] = v[i];
        }
        o->n_snapshots = from + w;
}

static bool region_exports(const struct agent *a, const char *region)
{
        for (size_t i = 0; i < a->config->n_policies; i++) {
                const struct policy *p = &a->config->policies[i];
                if (p->export_.enabled && streq_ptr(agent_policy_region((struct agent *)a, p), region))
                        return true;
        }
        return false;
}

/* One region's listings, into `part` (its own, so that regions observed at the same time never share an
 * array): the caller merges the parts in region order. */
static int observe_region(struct agent *a, struct observed_region *r, struct observation *part)
{
        struct snapshot_sink sink = {.o = part, .region = r->region};
        struct aws_client *c;
        int k;

        k = agent_client_get(a, r->region, r->policy, &c, &r->error);
        if (k < 0)
                return k;
        k = rds_describe_db_clusters(c, NULL, &r->clusters, &r->error);
        if (k < 0)
                return k;
        if (!r->repeat) {
                k = rds_describe_account_quota(c, RDS_QUOTA_MANUAL_CLUSTER_SNAPSHOTS, &r->quota_used, &r->quota_max,
                                               &r->quota_error);
                if (k == -ENOMEM)
                        return k;
                r->quota_known = k >= 0;
        }
        k = rds_describe_db_cluster_snapshots_foreach(c, &(struct rds_snapshot_filter){}, observe_collect_view, &sink,
                                                      &r->error);
        if (k < 0)
                return k;
        if (region_exports(a, r->region)) {
                k = rds_describe_export_tasks(c, NULL, NULL, &r->exports, &r->error);
                if (k < 0)
                        return k;
        }
        return 0;
}

int observe_parts_merge(struct observation *o, struct observation *part)
{
        if (part->n_snapshots > 0) {
                struct observed_snapshot *n = realloc(o->snapshots, (o->n_snapshots + part->n_snapshots) * sizeof(*n));
                if (!n)
                        return -ENOMEM;
                memcpy(n + o->n_snapshots, part->snapshots, part->n_snapshots * sizeof(*n));
                o->snapshots = n;
                o->n_snapshots += part->n_snapshots;
                part->n_snapshots = 0;
        }
        if (part->n_incomplete > 0) {
                struct observed_incomplete *n =
                    realloc(o->incomplete, (o->n_incomplete + part->n_incomplete) * sizeof(*n));
                if (!n)
                        return -ENOMEM;
                memcpy(n + o->n_incomplete, part->incomplete, part->n_incomplete * sizeof(*n));
                o->incomplete = n;
                o->n_incomplete += part->n_incomplete;
                part->n_incomplete = 0;
        }
        observation_done(part);
        return 0;
}

struct observe_job {
        struct agent *a;
        struct observation *o;
        struct observation *parts;
        int *results;
};

static void observe_one_region(size_t i, void *userdata)
{
        struct observe_job *j = userdata;
        j->results[i] = observe_region(j->a, &j->o->regions[i], &j->parts[i]);
}

/* The cluster and export views (the snapshot views are built while streaming). */
static int build_views(struct observation *o)
{
        free(o->clusters);
        free(o->exports);
        free(o->tag_pool);
        free(o->account_quotas);
        o->clusters = NULL;
        o->exports = NULL;
        o->tag_pool = NULL;
        o->account_quotas = NULL;
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
        o->clusters = calloc(nc ? nc : 1, sizeof(*o->clusters));
        o->exports = calloc(ne ? ne : 1, sizeof(*o->exports));
        o->tag_pool = calloc(nt ? nt : 1, sizeof(*o->tag_pool));
        o->account_quotas = calloc(o->n_regions + 1, sizeof(*o->account_quotas));
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
                        *v = (struct observed_cluster){
                            .identifier = c->identifier,
                            .arn = c->arn,
                            .region = r->region,
                            .status = c->status,
                            .storage_encrypted = c->storage_encrypted,
                            .kms_key_id = c->kms_key_id,
                            .tags = t,
                            .n_tags = c->n_tags,
                            .backup_retention_period = (int)c->backup_retention_period,
                            .engine = c->engine,
                            .writer = c->writer,
                        };
                        if (c->preferred_backup_window &&
                            window_parse(c->preferred_backup_window, &v->preferred_window) >= 0)
                                v->has_preferred_window = true;
                        v->snapshots_incomplete = observation_incomplete(o, r->region, c->identifier);
                        for (size_t k = 0; k < c->n_tags; k++)
                                *t++ = (struct tag){c->tags[k].key, c->tags[k].value};
                }
                for (size_t j = 0; j < r->exports.n; j++) {
                        const struct rds_export_task *e = &r->exports.items[j];
                        o->exports[o->n_exports++] = (struct observed_export){
                            .identifier = e->identifier,
                            .source_arn = e->source_arn,
                            .status = e->status,
                            .percent = e->percent_progress};
                }
        }
        return 0;
}

int observe(struct agent *a, struct observation *ret)
{
        struct observation o = {};
        struct observation *parts = NULL;
        int *results = NULL;
        int r;

        for (size_t i = 0; i < a->config->n_policies; i++) {
                const struct policy *p = &a->config->policies[i];
                const char *region = agent_policy_region(a, p);
                if (!region) {
                        /* Nothing to observe for it: the report step says so. */
                        o.policies_without_region++;
                        log_error("policy %s has no region: set its region, agent.region or "
                                "AWS_REGION",
                                p->name);
                        continue;
                }
                r = regions_add(&o, region, p);
                if (r < 0)
                        goto fail;
                for (size_t k = 0; k < p->n_copies; k++) {
                        r = regions_add(&o, p->copies[k].region, p);
                        if (r < 0)
                                goto fail;
                }
        }

        /* Another role's view of the same region: observed separately, listed once. */
        for (size_t i = 0; i < o.n_regions; i++)
                for (size_t k = 0; k < i; k++)
                        o.regions[i].repeat |= streq(o.regions[k].region, o.regions[i].region);

        /* Every region at once (in a task; one after another elsewhere), each into its own part. */
        parts = calloc(o.n_regions + 1, sizeof(*parts));
        results = calloc(o.n_regions + 1, sizeof(*results));
        if (!parts || !results) {
                r = -ENOMEM;
                goto fail;
        }
        task_for_each(o.n_regions, TASK_FOR_EACH_MAX_WIDTH, observe_one_region,
                      &(struct observe_job){.a = a, .o = &o, .parts = parts, .results = results});
        r = 0;
        for (size_t i = 0; i < o.n_regions; i++) {
                struct observed_region *reg = &o.regions[i];
                if (results[i] == -ENOMEM)
                        r = -ENOMEM;
                reg->ok = results[i] >= 0;
                if (reg->ok && r >= 0)
                        r = observe_parts_merge(&o, &parts[i]);
                else {
                        observation_done(&parts[i]);
                        rds_db_cluster_list_done(&reg->clusters);
                        rds_export_task_list_done(&reg->exports);
                }
        }
        if (r < 0)
                goto fail;

        r = build_views(&o);
        if (r < 0)
                goto fail;
        /* One sort by (region, identifier) for lookups, dropping what two listings both returned (the default
         * and the awsbackup one, or two roles into the same account). */
        views_sort_unique(&o, 0);
        /* The vaults of AWS Backup snapshots (for the cycle summary) are learned here, never by the report. */
        r = backup_vaults_observe(a, &o);
        if (r < 0)
                goto fail;
        *ret = o;
        free(parts);
        free(results);
        return 0;
fail:
        free(parts);
        free(results);
        observation_done(&o);
        return r;
}

void observe_views_sort(struct observation *o)
{
        views_sort_unique(o, 0);
}

int observe_views_rebuild(struct observation *o)
{
        return build_views(o);
}

void observation_done(struct observation *o)
{
        for (size_t i = 0; i < o->n_snapshots; i++)
                observe_view_done(&o->snapshots[i]);
        for (size_t i = 0; i < o->n_regions; i++) {
                free(o->regions[i].region);
                rds_db_cluster_list_done(&o->regions[i].clusters);
                rds_export_task_list_done(&o->regions[i].exports);
        }
        free(o->regions);
        free(o->clusters);
        free(o->snapshots);
        free(o->exports);
        free(o->tag_pool);
        free(o->account_quotas);
        for (size_t i = 0; i < o->n_incomplete; i++) {
                free(o->incomplete[i].cluster);
                free(o->incomplete[i].snapshot);
        }
        free(o->incomplete);
        for (size_t i = 0; i < o->n_instances; i++) {
                free((char *)o->instances[i].identifier);
                free((char *)o->instances[i].cluster_identifier);
                free((char *)o->instances[i].status);
        }
        free(o->instances);
        free(o->drill_records);
        ledger_entries_free(o->drill_rows, o->n_drill_rows);
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
                if (streq_ptr(o->clusters[i].region, region) && streq_ptr(o->clusters[i].identifier, identifier))
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
        struct plan_input in = {.account_quotas = o->account_quotas, .n_account_quotas = o->n_account_quotas};
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
