/* Deleting AWS Backup recovery points (awsbackup: snapshots) through the AWS Backup API, never RDS:
 * find the vault (cached in state), DeleteRecoveryPoint, then confirm. */
#pragma once

#include <stdint.h>

#include "act-outcome.h"
#include "observation.h"

/* One ACTION_DELETE_BACKUP. The point is deleted when the snapshot is gone or the recovery point is
 * DELETING afterwards. EXPIRED after a 200 (missing permissions) is a failure with a hint; a locked
 * vault's refusal is reported once per point and not retried every cycle; InvalidResourceState is
 * retried on a later cycle. Returns 0 (outcomes are counted in `c`) or a negative errno from the store. */
act_executor_fn backup_delete_act;

/* The vault holding the recovery points of a cluster, as the state's cache knows it (no AWS call: the
 * cycle summary uses it). -ENOENT when none is known. */
int backup_known_vault(struct agent *a, const char *cluster_arn, char **ret);

/* Part of a full observation: for each cluster a policy selects that has AWS Backup snapshots and whose
 * vault the cache does not know, ListRecoveryPointsByResource once, and the vault cached (a failure is said
 * on stderr and tried again at the next full observation). Nothing in read-only runs. 0 or -ENOMEM. */
int backup_vaults_observe(struct agent *a, const struct observation *o);

/* "arn:aws:rds:R:A:cluster:<cluster>" derived from a cluster snapshot ARN, for clusters no longer
 * observed. NULL if `snapshot_arn` is not an RDS cluster snapshot ARN. */
char *backup_cluster_arn_from_snapshot(const char *snapshot_arn, const char *cluster);
