/* Names of keep and delete reasons and retention groups, as the plan text writes them. */
#include "plan-verdict.h"

const char *delete_reason_to_string(enum delete_reason r)
{
        switch (r) {
        case DELETE_NONE:
                return "none";
        case DELETE_MAX_AGE:
                return "max-age";
        case DELETE_NOT_KEPT:
                return "not-kept";
        }
        return "unknown";
}

const char *verdict_group_to_string(enum verdict_group g)
{
        switch (g) {
        case GROUP_NONE:
                return "none";
        case GROUP_PRIMARY:
                return "primary";
        case GROUP_COPY:
                return "copy";
        case GROUP_SHARE_COPY:
                return "share-copy";
        case GROUP_AWS_BACKUP:
                return "aws-backup";
        }
        return "unknown";
}

const char *keep_reason_to_string(enum keep_reason r)
{
        switch (r) {
        case KEEP_LAST:
                return "keep-last";
        case KEEP_DAILY:
                return "daily";
        case KEEP_WEEKLY:
                return "weekly";
        case KEEP_MONTHLY:
                return "monthly";
        case KEEP_YEARLY:
                return "yearly";
        case KEEP_WITHIN:
                return "keep-within";
        case KEEP_UNEXPIRED:
                return "unexpired";
        case KEEP_NO_RULE:
                return "no-rule";
        case KEEP_HOLD:
                return "hold";
        case KEEP_NEWEST:
                return "newest";
        case KEEP_NOT_AVAILABLE:
                return "not-available";
        case KEEP_MIN:
                return "min-keep";
        case KEEP_ORIGIN:
                return "origin";
        case KEEP_UNMANAGED:
                return "unmanaged";
        case KEEP_BACKUP_OFF:
                return "aws-backup-not-managed";
        case KEEP_OTHER_POLICY:
                return "other-policy";
        case KEEP_INCOMPLETE:
                return "incomplete";
        }
        return "unknown";
}
