/* What each selected cluster's backups cost in storage, from CloudWatch (AWS/RDS TotalBackupStorageBilled
 * and SnapshotStorageUsed, bytes, per DBClusterIdentifier): read at each full inventory with one
 * GetMetricData per region (per 250 clusters: 500 queries), kept in state.db (store_backup_storage_*)
 * and shown by `aurora-backupctl status`. */
#pragma once

#include <stdint.h>

struct agent;
struct observation;

#define BACKUP_COST_CLUSTERS_PER_CALL 250        /* x 2 metrics = CloudWatch's 500 queries per call */
#define BACKUP_COST_LOOKBACK_SEC (2 * 24 * 3600) /* Aurora publishes these about once a day or less */
#define BACKUP_COST_PERIOD_SEC 3600

/* At a full observation: GetMetricData for the clusters a policy selects in each observed region, then
 * those regions' figures replaced in state.db (the regions that could not be read keep their previous
 * figures). A failed call is an api-error event, once per region and error code. Returns 0, or a negative
 * errno only for -ENOMEM. */
int backup_cost_observe(struct agent *a, const struct observation *o, int64_t now);
