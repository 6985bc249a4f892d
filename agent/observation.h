/* What one observation of AWS holds: per region the Describe listings, and the planner's views of them
 * (snapshots sorted by region and identifier). Pure data and lookups, no AWS call: observe.c fills it,
 * inventory.c keeps and updates it, the cycle's steps read it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws-error.h"
#include "aws-rds.h"
#include "config-policy.h"
#include "plan.h"

struct arena;
struct ledger_entry;
struct restore_request;

struct observed_region {
        char *region;
        const struct policy *policy; /* the first policy that asked for this (region, role) */
        bool ok;                     /* every Describe call succeeded */
        bool repeat;                 /* an earlier entry (another role) observes this region too: the views
                                        hold both, merged; per-region summaries use the first */
        struct aws_error error;      /* when !ok */
        struct rds_db_cluster_list clusters;
        struct rds_export_task_list exports; /* (snapshots go straight into the observation's views) */
        /* The account's ManualClusterSnapshots quota (DescribeAccountAttributes); unknown when the call
         * failed (quota_error), which does not make the region fail. */
        bool quota_known;
        int64_t quota_used, quota_max;
        struct aws_error quota_error;
};

struct observation {
        struct observed_region *regions;
        size_t n_regions;

        /* The planner's view (borrowing strings from the regions' lists). The cluster, export, tag and
         * quota arrays are rebuilt together, in `views`. */
        struct arena *views;
        struct observed_cluster *clusters;
        size_t n_clusters;
        struct observed_snapshot *snapshots; /* sorted by region, identifier; owns its strings and tags */
        size_t n_snapshots;
        struct observed_export *exports;
        size_t n_exports;
        struct tag *tag_pool;
        struct account_quota *account_quotas; /* one per region whose quota is known */
        size_t n_account_quotas;
        /* Snapshots that could not be read (malformed items, left out): their (region, cluster); a NULL
         * cluster (not even that could be read) makes every cluster of the region incomplete. */
        struct observed_incomplete {
                const char *region; /* the region's string */
                char *cluster;
                char *snapshot; /* may be NULL */
        } * incomplete;
        size_t n_incomplete;
        unsigned policies_without_region; /* no region from the policy, agent.region or the environment */

        /* Restore drills (restore_drills_observe(), before each plan): the instances of the agent's drill
         * clusters (own their strings), and the ledger's drill rows as the planner reads them (borrowing
         * from drill_rows). */
        struct observed_instance *instances;
        size_t n_instances;
        struct drill_record *drill_records;
        size_t n_drill_records;
        struct ledger_entry *drill_rows;
        size_t n_drill_rows;

        /* Operators' open restore requests (operator_restores_observe(), with the drills): the rows, and
         * the planner's view of them (borrowing from the rows). Their ledger rows are among drill_records,
         * the instances of their new clusters among instances. */
        struct restore_request *restore_rows;
        size_t n_restore_rows;
        struct restore_order *restore_orders;
        size_t n_restore_orders;
};

void observation_done(struct observation *o);

/* Whether a snapshot of (region, cluster) could not be read. */
bool observation_incomplete(const struct observation *o, const char *region, const char *cluster);

/* Lookups in the planner's view; NULL when not observed. */
const struct observed_snapshot *observation_find_snapshot(const struct observation *o, const char *region,
                                                          const char *identifier);
const struct observed_cluster *observation_find_cluster(const struct observation *o, const char *region,
                                                        const char *identifier);
/* The full Describe record of a cluster (engine, writer, endpoint, window), which the planner's view
 * leaves out; NULL when not observed. */
const struct rds_db_cluster *observation_find_rds_cluster(const struct observation *o, const char *region,
                                                          const char *identifier);
/* The manual snapshot limit of policy `p` in `region`: quota.limit, else the account's (observed), else
 * CONFIG_DEFAULT_QUOTA_LIMIT (plan_quota_limit). */
int64_t observation_quota_limit(const struct observation *o, const struct policy *p, const char *region);
/* Whether an export task of that identifier was observed (exports are few: a walk). */
bool observation_has_export(const struct observation *o, const char *identifier);
/* Whether the region was observed successfully (recovery only judges intents there). */
bool observation_region_ok(const struct observation *o, const char *region);

/* Frees the drills' part (instances, drill records and rows), which restore_drills_observe() replaces. */
void observation_drills_done(struct observation *o);
/* An instance into o->instances (strings copied; `region` must outlive o). 0 or -ENOMEM. */
int observation_instance_add(struct observation *o, const char *region, const char *id, const char *cluster,
                             const char *status);

/* Streams Describe pages into the observation's snapshot views (the region string outlives them). */
struct snapshot_sink {
        struct observation *o;
        const char *region;
        size_t cap; /* allocated views; 0: o->n_snapshots exactly (grown on demand) */
};
/* An rds_describe_db_cluster_snapshots_foreach() callback (`userdata` is a struct snapshot_sink): the
 * snapshot becomes a view, its strings taken; a malformed one becomes an incomplete mark. 0 or -ENOMEM. */
int observation_collect_view(struct rds_db_cluster_snapshot *s, void *userdata);
/* Moves the snapshot views and incomplete marks of `part` (a listing made on its own) to the end of `o`,
 * then frees what is left of `part`. Returns 0 or -ENOMEM (`part` is then left whole). */
int observation_merge_part(struct observation *o, struct observation *part);
void observation_view_done(struct observed_snapshot *v);
/* Sort the views from `from` on by (region, identifier) and drop duplicates (one region observed through
 * two roles, or two listings returning the same snapshot). */
void observation_sort_views(struct observation *o, size_t from);
/* The planner's view of one Describe record of `region`, borrowing its strings; its tags are written to
 * `tags` (room for n_tags). A cluster's snapshots_incomplete is left to the caller. */
struct observed_cluster observation_cluster_view(const struct rds_db_cluster *c, const char *region,
                                                 struct tag *tags);
struct observed_snapshot observation_snapshot_view(const struct rds_db_cluster_snapshot *s,
                                                   const char *region, struct tag *tags);
/* Rebuild the cluster, export and account quota views from the regions' lists (after they changed). */
int observation_rebuild_views(struct observation *o);
