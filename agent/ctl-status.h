/* aurora-backupctl status: per policy and cluster, what the agent last observed and did. */
#pragma once

#include <stdio.h>

#include "ctl-context.h"

/* How far back `status` lists missed windows. */
#define CTL_STATUS_MISSED_SEC (7 * 24 * 3600)

/* A cluster's recovery point: its newest available snapshot of any origin and its LatestRestorableTime
 * (point-in-time restore), as last observed; newest_point is the later of the two (0: none known). */
struct ctl_rpo {
        int64_t newest_snapshot;
        const char *newest_snapshot_id; /* borrowed from the snapshots */
        enum snapshot_origin newest_snapshot_origin;
        int64_t earliest_restorable;
        int64_t latest_restorable;
        int64_t newest_point;
};
void ctl_rpo_compute(const struct inventory_cluster *c, const struct inventory_snapshot *snaps,
                     size_t n_snaps, struct ctl_rpo *ret);

/* Print the status; returns an exit code (0, 1 on a store error, 2 on a config error). */
int ctl_status(const struct ctl_options *o, FILE *out, FILE *err);
