/* Describe pages that the RDS parser tests write inline: a page's envelope and a minimal item (name,
 * cluster, status, then `extra` elements), so that a test writes only what it is about. */
#pragma once

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
