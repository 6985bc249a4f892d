/* Names of keep and delete reasons and retention groups, as the plan text writes them. */
#include "plan-verdict.h"

#include "string-table.h"

static const char *const delete_reason_table[_DELETE_REASON_MAX] = {
    [DELETE_NONE] = "none",
    [DELETE_MAX_AGE] = "max-age",
    [DELETE_NOT_KEPT] = "not-kept",
};

DEFINE_STRING_TABLE_TO_STRING(delete_reason, enum delete_reason, delete_reason_table, "unknown")

static const char *const verdict_group_table[_VERDICT_GROUP_MAX] = {
    [GROUP_NONE] = "none",
    [GROUP_PRIMARY] = "primary",
    [GROUP_COPY] = "copy",
    [GROUP_SHARE_COPY] = "share-copy",
    [GROUP_AWS_BACKUP] = "aws-backup",
};

DEFINE_STRING_TABLE_TO_STRING(verdict_group, enum verdict_group, verdict_group_table, "unknown")

/* Indexed by the reason's bit number: keep reasons are a bit set. */
#define KEEP_BIT(r) __builtin_ctz(r)

static const char *const keep_reason_table[_KEEP_REASON_BITS] = {
    [KEEP_BIT(KEEP_LAST)] = "keep-last",
    [KEEP_BIT(KEEP_DAILY)] = "daily",
    [KEEP_BIT(KEEP_WEEKLY)] = "weekly",
    [KEEP_BIT(KEEP_MONTHLY)] = "monthly",
    [KEEP_BIT(KEEP_YEARLY)] = "yearly",
    [KEEP_BIT(KEEP_WITHIN)] = "keep-within",
    [KEEP_BIT(KEEP_UNEXPIRED)] = "unexpired",
    [KEEP_BIT(KEEP_NO_RULE)] = "no-rule",
    [KEEP_BIT(KEEP_HOLD)] = "hold",
    [KEEP_BIT(KEEP_NEWEST)] = "newest",
    [KEEP_BIT(KEEP_NOT_AVAILABLE)] = "not-available",
    [KEEP_BIT(KEEP_MIN)] = "min-keep",
    [KEEP_BIT(KEEP_ORIGIN)] = "origin",
    [KEEP_BIT(KEEP_UNMANAGED)] = "unmanaged",
    [KEEP_BIT(KEEP_BACKUP_OFF)] = "aws-backup-not-managed",
    [KEEP_BIT(KEEP_OTHER_POLICY)] = "other-policy",
    [KEEP_BIT(KEEP_INCOMPLETE)] = "incomplete",
};

const char *keep_reason_to_string(enum keep_reason r)
{
        unsigned bit = (unsigned)r;
        if (bit == 0 || (bit & (bit - 1)) != 0 || (unsigned)KEEP_BIT(bit) >= ELEMENTSOF(keep_reason_table))
                return "unknown"; /* not exactly one reason */
        return keep_reason_table[KEEP_BIT(bit)];
}
