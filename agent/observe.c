/* The observe step. Snapshots come from two paged region-wide calls: the default listing (automated and
 * manual) and SnapshotType=awsbackup, merged by identifier, so that AWS Backup recovery points are
 * classified whatever type RDS reports. Tags come with the Describe responses. */
#include "observe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent-internal.h"
#include "aws-rds.h"
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

static int snapshot_cmp_id(const void *a, const void *b)
{
        const struct rds_db_cluster_snapshot *x = a, *y = b;
        return strcmp(x->identifier ? x->identifier : "", y->identifier ? y->identifier : "");
}

/* Append `more` to `l` (taking its items), then sort by identifier and drop duplicates. */
static int snapshots_merge(struct rds_db_cluster_snapshot_list *l, struct rds_db_cluster_snapshot_list *more)
{
        if (more->n > 0) {
                struct rds_db_cluster_snapshot *n = realloc(l->items, (l->n + more->n) * sizeof(*n));
                if (!n)
                        return -ENOMEM;
                l->items = n;
                memcpy(l->items + l->n, more->items, more->n * sizeof(*n));
                l->n += more->n;
                free(more->items);
                *more = (struct rds_db_cluster_snapshot_list){};
        }
        if (l->n == 0)
                return 0;
        qsort(l->items, l->n, sizeof(*l->items), snapshot_cmp_id);
        size_t w = 1;
        for (size_t i = 1; i < l->n; i++) {
                if (streq_ptr(l->items[i].identifier, l->items[w - 1].identifier)) {
                        rds_db_cluster_snapshot_done(&l->items[i]);
                        continue;
                }
                l->items[w++] = l->items[i];
        }
        l->n = w;
        return 0;
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

static int observe_region(struct agent *a, struct observed_region *r)
{
        struct aws_client *c;
        int k;

        k = agent_client_get(a, r->region, r->policy, &c, &r->error);
        if (k < 0)
                return k;
        k = rds_describe_db_clusters(c, NULL, &r->clusters, &r->error);
        if (k < 0)
                return k;
        k = rds_describe_db_cluster_snapshots(c, &(struct rds_snapshot_filter){}, &r->snapshots, &r->error);
        if (k < 0)
                return k;
        struct rds_db_cluster_snapshot_list backup = {};
        k = rds_describe_db_cluster_snapshots(c, &(struct rds_snapshot_filter){.snapshot_type = "awsbackup"},
                                              &backup, &r->error);
        if (k >= 0)
                k = snapshots_merge(&r->snapshots, &backup);
        rds_db_cluster_snapshot_list_done(&backup);
        if (k < 0)
                return k;
        if (region_exports(a, r->region)) {
                k = rds_describe_export_tasks(c, NULL, NULL, &r->exports, &r->error);
                if (k < 0)
                        return k;
        }
        return 0;
}

static int build_views(struct observation *o)
{
        size_t nc = 0, ns = 0, ne = 0, nt = 0;

        for (size_t i = 0; i < o->n_regions; i++) {
                const struct observed_region *r = &o->regions[i];
                if (!r->ok)
                        continue;
                nc += r->clusters.n;
                ns += r->snapshots.n;
                ne += r->exports.n;
                for (size_t j = 0; j < r->clusters.n; j++)
                        nt += r->clusters.items[j].n_tags;
                for (size_t j = 0; j < r->snapshots.n; j++)
                        nt += r->snapshots.items[j].n_tags;
        }
        o->clusters = calloc(nc ? nc : 1, sizeof(*o->clusters));
        o->snapshots = calloc(ns ? ns : 1, sizeof(*o->snapshots));
        o->exports = calloc(ne ? ne : 1, sizeof(*o->exports));
        o->tag_pool = calloc(nt ? nt : 1, sizeof(*o->tag_pool));
        if (!o->clusters || !o->snapshots || !o->exports || !o->tag_pool)
                return -ENOMEM;

        struct tag *t = o->tag_pool;
        for (size_t i = 0; i < o->n_regions; i++) {
                const struct observed_region *r = &o->regions[i];
                if (!r->ok)
                        continue;
                for (size_t j = 0; j < r->clusters.n; j++) {
                        const struct rds_db_cluster *c = &r->clusters.items[j];
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
                        };
                        if (c->preferred_backup_window &&
                            window_parse(c->preferred_backup_window, &v->preferred_window) >= 0)
                                v->has_preferred_window = true;
                        for (size_t k = 0; k < c->n_tags; k++)
                                *t++ = (struct tag){c->tags[k].key, c->tags[k].value};
                }
                for (size_t j = 0; j < r->snapshots.n; j++) {
                        const struct rds_db_cluster_snapshot *s = &r->snapshots.items[j];
                        struct observed_snapshot *v = &o->snapshots[o->n_snapshots++];
                        *v = (struct observed_snapshot){
                            .identifier = s->identifier,
                            .arn = s->arn,
                            .cluster_identifier = s->cluster_identifier,
                            .region = r->region,
                            .status = s->status,
                            .snapshot_type = s->snapshot_type,
                            .create_time = s->create_time > 0 ? s->create_time : PLAN_TIME_UNKNOWN,
                            .encrypted = s->storage_encrypted,
                            .kms_key_id = s->kms_key_id,
                            .tags = t,
                            .n_tags = s->n_tags,
                            .allocated_storage_gib = s->allocated_storage,
                            .source_arn = s->source_arn,
                        };
                        for (size_t k = 0; k < s->n_tags; k++)
                                *t++ = (struct tag){s->tags[k].key, s->tags[k].value};
                }
                for (size_t j = 0; j < r->exports.n; j++) {
                        const struct rds_export_task *e = &r->exports.items[j];
                        o->exports[o->n_exports++] = (struct observed_export){
                            .identifier = e->identifier, .source_arn = e->source_arn, .status = e->status};
                }
        }
        return 0;
}

static int view_cmp(const void *a, const void *b)
{
        const struct observed_snapshot *x = a, *y = b;
        int c = strcmp(x->region, y->region);
        return c ? c : strcmp(x->identifier ? x->identifier : "", y->identifier ? y->identifier : "");
}

int observe(struct agent *a, struct observation *ret)
{
        struct observation o = {};
        int r;

        for (size_t i = 0; i < a->config->n_policies; i++) {
                const struct policy *p = &a->config->policies[i];
                const char *region = agent_policy_region(a, p);
                if (!region) {
                        /* Nothing to observe for it: the report step says so. */
                        o.policies_without_region++;
                        fprintf(stderr,
                                "aurora-backup-agent: policy %s has no region: set its region, agent.region or "
                                "AWS_REGION\n",
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

        for (size_t i = 0; i < o.n_regions; i++) {
                struct observed_region *reg = &o.regions[i];
                r = observe_region(a, reg);
                if (r == -ENOMEM)
                        goto fail;
                reg->ok = r >= 0;
                if (!reg->ok) {
                        rds_db_cluster_list_done(&reg->clusters);
                        rds_db_cluster_snapshot_list_done(&reg->snapshots);
                        rds_export_task_list_done(&reg->exports);
                }
        }

        r = build_views(&o);
        if (r < 0)
                goto fail;
        for (size_t i = 0; i < o.n_snapshots; i++)
                if (!o.snapshots[i].identifier || !o.snapshots[i].cluster_identifier) {
                        /* A malformed entry would confuse every lookup: drop it. */
                        o.snapshots[i] = o.snapshots[--o.n_snapshots];
                        i--;
                }
        qsort(o.snapshots, o.n_snapshots, sizeof(*o.snapshots), view_cmp);
        *ret = o;
        return 0;
fail:
        observation_done(&o);
        return r;
}

void observation_done(struct observation *o)
{
        for (size_t i = 0; i < o->n_regions; i++) {
                free(o->regions[i].region);
                rds_db_cluster_list_done(&o->regions[i].clusters);
                rds_db_cluster_snapshot_list_done(&o->regions[i].snapshots);
                rds_export_task_list_done(&o->regions[i].exports);
        }
        free(o->regions);
        free(o->clusters);
        free(o->snapshots);
        free(o->exports);
        free(o->tag_pool);
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
