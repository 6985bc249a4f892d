/* Where a cluster snapshot comes from, and the seed rules that follow from it alone. Below both the planner
 * and the AWS layer: the one classifier of an identifier's (or ARN's) origin that both use. */
#pragma once

#include <stdbool.h>

enum snapshot_origin {
        ORIGIN_AUTOMATED,
        ORIGIN_AWS_BACKUP,
        ORIGIN_AWS_BACKUP_CONTINUOUS,
        ORIGIN_AGENT,
        ORIGIN_FOREIGN_MANUAL,
        _ORIGIN_MAX,
};

/* The origin a snapshot's identifier or ARN shows by itself: "awsbackup:" is ORIGIN_AWS_BACKUP (so is any
 * AWS Backup recovery-point ARN), "continuous:" ORIGIN_AWS_BACKUP_CONTINUOUS, "rds:" ORIGIN_AUTOMATED; of an
 * RDS ARN the resource after "cluster-snapshot:" or "snapshot:" is read. Anything else is a manual name:
 * ORIGIN_FOREIGN_MANUAL here, and only the planner (snapshot_origin_of: tags, SnapshotType) can tell that
 * one is the agent's or automated after all. NULL is ORIGIN_FOREIGN_MANUAL. */
enum snapshot_origin snapshot_origin_of_identifier(const char *identifier_or_arn);

/* Seed rule: snapshots managed by AWS Backup (awsbackup:, continuous:) are deleted only through AWS Backup,
 * never by RDS DeleteDBClusterSnapshot (invariant 2). */
bool snapshot_origin_deleted_only_through_backup(enum snapshot_origin o);
/* The same rule, asked of an identifier or ARN (what the RDS delete call and the agent refuse on). */
bool snapshot_id_deleted_only_through_backup(const char *identifier_or_arn);

/* Seed rule: the regional manual-snapshot quota counts the agent's and foreign manual snapshots; automated,
 * AWS Backup and continuous ones do not count. */
bool snapshot_origin_counts_toward_quota(enum snapshot_origin o);

/* "automated", "aws-backup", "aws-backup-continuous", "agent", "foreign-manual"; "unknown" out of range. */
const char *snapshot_origin_to_string(enum snapshot_origin o);
