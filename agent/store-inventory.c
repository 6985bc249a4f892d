/* The last observed inventory in state.db (see store.h): each region's clusters and snapshots, replaced
 * whole after each observe step, read back in one transaction. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store-internal.h"

static const char *const inventory_sql[_STMT_MAX] = {
    [STMT_INV_DEL_CLUSTERS] = "DELETE FROM inventory_clusters WHERE region = ?1",
    [STMT_INV_DEL_SNAPSHOTS] = "DELETE FROM inventory_snapshots WHERE region = ?1",
    [STMT_INV_ADD_CLUSTER] = "INSERT INTO inventory_clusters (region, identifier, status, arn, "
                             "preferred_window, backup_retention_days, policy, observed_at, "
                             "earliest_restorable_time, latest_restorable_time) "
                             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    [STMT_INV_ADD_SNAPSHOT] = "INSERT INTO inventory_snapshots (region, identifier, cluster, origin, "
                              "status, create_time, allocated_gib, encrypted, tags_digest, observed_at) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    [STMT_INV_CLUSTERS] =
        "SELECT " STORE_COLUMNS " FROM inventory_clusters WHERE (?1 IS NULL OR region = ?1) "
        "ORDER BY identifier, region",
    [STMT_INV_SNAPSHOTS] = "SELECT " STORE_COLUMNS " FROM inventory_snapshots "
                           "WHERE (?1 IS NULL OR region = ?1) ORDER BY identifier, region",
    [STMT_INV_OBSERVED] = "SELECT MAX(observed_at) FROM (SELECT observed_at FROM inventory_clusters "
                          "WHERE (?1 IS NULL OR region = ?1) UNION ALL SELECT observed_at "
                          "FROM inventory_snapshots WHERE (?1 IS NULL OR region = ?1))",
};

static const char *const origin_table[_ORIGIN_MAX] = {
    [ORIGIN_AGENT] = "agent",
    [ORIGIN_FOREIGN_MANUAL] = "manual",
    [ORIGIN_AUTOMATED] = "automated",
    [ORIGIN_AWS_BACKUP] = "aws-backup",
    [ORIGIN_AWS_BACKUP_CONTINUOUS] = "aws-backup-continuous",
};

DEFINE_STORE_NAMES(inventory_origin, enum snapshot_origin, origin_table)

static const struct store_column cluster_columns[] = {
    STORE_TEXT(struct inventory_cluster, identifier),
    STORE_TEXT(struct inventory_cluster, status),
    STORE_TEXT(struct inventory_cluster, arn),
    STORE_TEXT(struct inventory_cluster, preferred_window),
    STORE_UNSIGNED(struct inventory_cluster, backup_retention_days),
    STORE_TEXT(struct inventory_cluster, policy),
    STORE_INT64(struct inventory_cluster, earliest_restorable_time),
    STORE_INT64(struct inventory_cluster, latest_restorable_time),
};

DEFINE_STORE_ROWS(cluster_rows, struct inventory_cluster, cluster_columns);

static const struct store_column snapshot_columns[] = {
    STORE_TEXT(struct inventory_snapshot, identifier),
    STORE_TEXT(struct inventory_snapshot, cluster),
    STORE_NAME(struct inventory_snapshot, origin, origin_table),
    STORE_TEXT(struct inventory_snapshot, status),
    STORE_INT64(struct inventory_snapshot, create_time),
    STORE_UNSIGNED(struct inventory_snapshot, allocated_gib),
    STORE_BOOL(struct inventory_snapshot, encrypted),
    STORE_UINT64(struct inventory_snapshot, tags_digest),
};

DEFINE_STORE_ROWS(snapshot_rows, struct inventory_snapshot, snapshot_columns, .what = "inventory snapshot");

DEFINE_STORE_RECORD_FREE(inventory_cluster_done, inventory_clusters_free, struct inventory_cluster,
                         cluster_rows)

DEFINE_STORE_RECORD_FREE(inventory_snapshot_done, inventory_snapshots_free, struct inventory_snapshot,
                         snapshot_rows)

static int inventory_write(struct store *s, const char *region, const struct inventory_cluster *clusters,
                           size_t n_clusters, const struct inventory_snapshot *snapshots, size_t n_snapshots,
                           int64_t now)
{
        int r;

        r = store_run(s, inventory_sql, STMT_INV_DEL_CLUSTERS, ARG_TEXT(region));
        if (r >= 0)
                r = store_run(s, inventory_sql, STMT_INV_DEL_SNAPSHOTS, ARG_TEXT(region));
        for (size_t i = 0; r >= 0 && i < n_clusters; i++) {
                const struct inventory_cluster *c = &clusters[i];

                if (!c->identifier)
                        return -EINVAL;
                r = store_run(s, inventory_sql, STMT_INV_ADD_CLUSTER, ARG_TEXT(region),
                              ARG_TEXT(c->identifier), ARG_TEXT(c->status), ARG_TEXT(c->arn),
                              ARG_TEXT(c->preferred_window), ARG_INT(c->backup_retention_days),
                              ARG_TEXT(c->policy), ARG_INT(now), ARG_INT(c->earliest_restorable_time),
                              ARG_INT(c->latest_restorable_time));
        }
        for (size_t i = 0; r >= 0 && i < n_snapshots; i++) {
                const struct inventory_snapshot *sn = &snapshots[i];

                if (!sn->identifier || !inventory_origin_to_string(sn->origin))
                        return -EINVAL;
                /* sqlite integers are signed: store the digest's bits, read them back the same way. */
                r = store_run(s, inventory_sql, STMT_INV_ADD_SNAPSHOT, ARG_TEXT(region),
                              ARG_TEXT(sn->identifier), ARG_TEXT(sn->cluster),
                              ARG_TEXT(inventory_origin_to_string(sn->origin)), ARG_TEXT(sn->status),
                              ARG_INT(sn->create_time), ARG_INT(sn->allocated_gib), ARG_INT(sn->encrypted),
                              ARG_INT((int64_t)sn->tags_digest), ARG_INT(now));
        }
        return r;
}

int store_inventory_replace(struct store *s, const char *region, const struct inventory_cluster *clusters,
                            size_t n_clusters, const struct inventory_snapshot *snapshots,
                            size_t n_snapshots, int64_t now)
{
        if (!s || !region || (n_clusters > 0 && !clusters) || (n_snapshots > 0 && !snapshots))
                return -EINVAL;
        return STORE_TRANSACTION(
            s, STORE_BEGIN_WRITE,
            inventory_write(s, region, clusters, n_clusters, snapshots, n_snapshots, now));
}

/* Both lists, and when they were observed: in one read transaction, so that they come from the same
 * replace. */
static int inventory_read(struct store *s, const char *region, struct inventory_cluster **clusters,
                          size_t *n_clusters, struct inventory_snapshot **snapshots, size_t *n_snapshots,
                          int64_t *observed)
{
        int r;

        r = store_list(s, inventory_sql, STMT_INV_CLUSTERS, &cluster_rows, clusters, n_clusters,
                       ARG_TEXT(region));
        if (r >= 0)
                r = store_list(s, inventory_sql, STMT_INV_SNAPSHOTS, &snapshot_rows, snapshots, n_snapshots,
                               ARG_TEXT(region));
        if (r >= 0 && observed)
                r = store_get(s, inventory_sql, STMT_INV_OBSERVED, &store_int64_rows, observed,
                              ARG_TEXT(region));
        return r;
}

int store_inventory_load(struct store *s, const char *region, struct inventory_cluster **ret_clusters,
                         size_t *ret_n_clusters, struct inventory_snapshot **ret_snapshots,
                         size_t *ret_n_snapshots, int64_t *ret_observed_at)
{
        struct inventory_cluster *clusters = NULL;
        struct inventory_snapshot *snapshots = NULL;
        size_t n_clusters = 0, n_snapshots = 0;
        int64_t observed = 0;
        int r;

        if (!s || !ret_clusters || !ret_n_clusters || !ret_snapshots || !ret_n_snapshots)
                return -EINVAL;
        r = STORE_TRANSACTION(s, STORE_BEGIN_READ,
                              inventory_read(s, region, &clusters, &n_clusters, &snapshots, &n_snapshots,
                                             ret_observed_at ? &observed : NULL));
        if (r < 0) {
                inventory_clusters_free(clusters, n_clusters);
                inventory_snapshots_free(snapshots, n_snapshots);
                return r;
        }

        *ret_clusters = clusters;
        *ret_n_clusters = n_clusters;
        *ret_snapshots = snapshots;
        *ret_n_snapshots = n_snapshots;
        if (ret_observed_at)
                *ret_observed_at = observed;
        return 0;
}
