/* The one classifier of a snapshot identifier's origin (snapshot-origin.h). */
#include "snapshot-origin.h"

#include <string.h>

#include "macro.h"
#include "string-table.h"

/* The resource part of an RDS snapshot ARN ("arn:aws:rds:<region>:<account>:cluster-snapshot:<id>"), or the
 * identifier itself when it is not an ARN. NULL for an AWS Backup recovery-point ARN. */
static const char *resource_of(const char *id)
{
        if (!startswith(id, "arn:"))
                return id;
        /* A Backup recovery-point ARN (arn:aws:backup:…:recovery-point:…) is Backup's by definition. */
        if (strstr(id, ":recovery-point:"))
                return NULL;
        const char *p = strstr(id, ":cluster-snapshot:");
        if (p)
                return p + strlen(":cluster-snapshot:");
        if ((p = strstr(id, ":snapshot:")))
                return p + strlen(":snapshot:");
        return id;
}

enum snapshot_origin snapshot_origin_of_identifier(const char *identifier_or_arn)
{
        if (!identifier_or_arn)
                return ORIGIN_FOREIGN_MANUAL;
        const char *id = resource_of(identifier_or_arn);
        if (!id)
                return ORIGIN_AWS_BACKUP;
        /* Each of these prefixes has a colon, which a manual snapshot's identifier cannot have. */
        if (!strchr(id, ':'))
                return ORIGIN_FOREIGN_MANUAL;
        if (startswith(id, "awsbackup:"))
                return ORIGIN_AWS_BACKUP;
        if (startswith(id, "continuous:"))
                return ORIGIN_AWS_BACKUP_CONTINUOUS;
        if (startswith(id, "rds:"))
                return ORIGIN_AUTOMATED;
        return ORIGIN_FOREIGN_MANUAL;
}

bool snapshot_origin_deleted_only_through_backup(enum snapshot_origin o)
{
        return o == ORIGIN_AWS_BACKUP || o == ORIGIN_AWS_BACKUP_CONTINUOUS;
}

bool snapshot_id_deleted_only_through_backup(const char *identifier_or_arn)
{
        return snapshot_origin_deleted_only_through_backup(snapshot_origin_of_identifier(identifier_or_arn));
}

bool snapshot_origin_counts_toward_quota(enum snapshot_origin o)
{
        return o == ORIGIN_AGENT || o == ORIGIN_FOREIGN_MANUAL;
}

static const char *const snapshot_origin_table[_ORIGIN_MAX] = {
    [ORIGIN_AUTOMATED] = "automated",
    [ORIGIN_AWS_BACKUP] = "aws-backup",
    [ORIGIN_AWS_BACKUP_CONTINUOUS] = "aws-backup-continuous",
    [ORIGIN_AGENT] = "agent",
    [ORIGIN_FOREIGN_MANUAL] = "foreign-manual",
};

DEFINE_STRING_TABLE_TO_STRING(snapshot_origin, enum snapshot_origin, snapshot_origin_table, "unknown")
