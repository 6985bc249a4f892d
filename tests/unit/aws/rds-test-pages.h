/* Describe pages that the RDS parser tests write inline: a page's envelope and a minimal item (name,
 * cluster, status, then `extra` elements), so that a test writes only what it is about; and what the
 * parser must make of a page whose first item is bad and whose second is good. */
#pragma once

#include <check.h>

#include "aws-rds.h"

#define RDS_SNAPSHOTS_HEAD                                                                                  \
        "<DescribeDBClusterSnapshotsResponse><DescribeDBClusterSnapshotsResult><DBClusterSnapshots>"
#define RDS_SNAPSHOTS_TAIL                                                                                  \
        "</DBClusterSnapshots></DescribeDBClusterSnapshotsResult></DescribeDBClusterSnapshotsResponse>"
#define RDS_SNAPSHOTS_PAGE(items) RDS_SNAPSHOTS_HEAD items RDS_SNAPSHOTS_TAIL
#define RDS_SNAPSHOT(id, extra)                                                                             \
        "<DBClusterSnapshot><DBClusterSnapshotIdentifier>" id "</DBClusterSnapshotIdentifier>"              \
        "<DBClusterIdentifier>c</DBClusterIdentifier><Status>available</Status>" extra                      \
        "</DBClusterSnapshot>"

#define RDS_CLUSTERS_PAGE(items)                                                                            \
        "<DescribeDBClustersResponse><DescribeDBClustersResult><DBClusters>" items                          \
        "</DBClusters></DescribeDBClustersResult></DescribeDBClustersResponse>"
#define RDS_CLUSTER(id, extra)                                                                              \
        "<DBCluster><DBClusterIdentifier>" id "</DBClusterIdentifier><Status>available</Status>" extra      \
        "</DBCluster>"

/* Snapshots "bad" then "good" of cluster "c": the bad one is kept, flagged, with its names. */
static inline void assert_bad_snapshot_flagged_good_kept(const struct rds_db_cluster_snapshot_list *l)
{
        ck_assert_uint_eq(l->n, 2);
        ck_assert(l->items[0].malformed);
        ck_assert_str_eq(l->items[0].identifier, "bad");
        ck_assert_str_eq(l->items[0].cluster_identifier, "c");
        ck_assert(!l->items[1].malformed);
        ck_assert_str_eq(l->items[1].identifier, "good");
}

/* Clusters "bad" then "good": the bad one is left out and counted. */
static inline void assert_bad_cluster_skipped_good_kept(const struct rds_db_cluster_list *l)
{
        ck_assert_uint_eq(l->n, 1);
        ck_assert_uint_eq(l->skipped, 1);
        ck_assert_str_eq(l->items[0].identifier, "good");
}
