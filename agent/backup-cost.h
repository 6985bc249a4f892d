/* What each selected cluster's backups cost in storage, from CloudWatch (AWS/RDS TotalBackupStorageBilled
 * and SnapshotStorageUsed, bytes, per DBClusterIdentifier): read at each full inventory with one
 * GetMetricData per region (per 250 clusters: 500 queries), kept beside state.db in backup-storage.json
 * (state.db's schema is not changed for it) and shown by `aurora-backupctl status`. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct agent;
struct observation;

#define BACKUP_COST_FILE "backup-storage.json"
#define BACKUP_COST_CLUSTERS_PER_CALL 250        /* x 2 metrics = CloudWatch's 500 queries per call */
#define BACKUP_COST_LOOKBACK_SEC (2 * 24 * 3600) /* Aurora publishes these about once a day or less */
#define BACKUP_COST_PERIOD_SEC 3600

struct backup_cost {
        char *region;
        char *cluster;
        bool has_billed;
        double billed_bytes; /* TotalBackupStorageBilled */
        bool has_snapshot;
        double snapshot_bytes; /* SnapshotStorageUsed */
        int64_t observed_at;   /* when the agent read them */
};
struct backup_cost *backup_costs_free(struct backup_cost *c, size_t n);

/* At a full observation: GetMetricData for the clusters a policy selects in each observed region, then the
 * file rewritten (the regions that could not be read keep their previous figures). A failed call is an
 * api-error event, once per region and error code. Returns 0, or a negative errno only for -ENOMEM. */
int backup_cost_observe(struct agent *a, const struct observation *o, int64_t now);

/* The figures stored in `state_dir`, ordered by region and cluster; none (0 entries) if there is no file.
 * Returns 0 or a negative errno (-EBADMSG: unreadable file). */
int backup_cost_load(const char *state_dir, struct backup_cost **ret, size_t *ret_n);
/* Replace the file with these figures (atomically). */
int backup_cost_save(const char *state_dir, const struct backup_cost *c, size_t n);
