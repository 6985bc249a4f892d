/* What the plan says of each observed snapshot: kept by which rules, or deleted and why. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "snapshot-origin.h"

/* Why a snapshot is kept, as a bit set. */
enum keep_reason {
        KEEP_LAST = 1u << 0,
        KEEP_DAILY = 1u << 1,
        KEEP_WEEKLY = 1u << 2,
        KEEP_MONTHLY = 1u << 3,
        KEEP_YEARLY = 1u << 4,
        KEEP_WITHIN = 1u << 5,
        KEEP_UNEXPIRED = 1u << 6, /* only max_age set, and not older than it */
        KEEP_NO_RULE = 1u << 7,   /* no retention rule at all */
        KEEP_HOLD = 1u << 8,
        KEEP_NEWEST = 1u << 9,
        KEEP_NOT_AVAILABLE = 1u << 10, /* creating, copying, deleting, ... or no known time */
        KEEP_MIN = 1u << 11,
        KEEP_ORIGIN = 1u << 12,       /* never deletable because of its origin */
        KEEP_UNMANAGED = 1u << 13,    /* no policy manages it (cluster not selected, target removed) */
        KEEP_BACKUP_OFF = 1u << 14,   /* aws-backup snapshot and aws_backup.manage is off */
        KEEP_OTHER_POLICY = 1u << 15, /* the agent's, tagged for no policy or another than its cluster's */
        KEEP_INCOMPLETE = 1u << 16,   /* its cluster's snapshots could not all be read: nothing deleted */
        _KEEP_REASON_LAST = KEEP_INCOMPLETE,
};

/* The number of keep reasons, one bit each. */
#define _KEEP_REASON_BITS (__builtin_ctz(_KEEP_REASON_LAST) + 1)

enum delete_reason {
        DELETE_NONE,
        DELETE_MAX_AGE,  /* older than max_age */
        DELETE_NOT_KEPT, /* no keep rule selects it */
        _DELETE_REASON_MAX,
};

/* Which retention group judged a snapshot. */
enum verdict_group {
        GROUP_NONE,
        GROUP_PRIMARY,
        GROUP_COPY,
        GROUP_SHARE_COPY,
        GROUP_AWS_BACKUP,
        _VERDICT_GROUP_MAX,
};

struct snapshot_verdict {
        const char *snapshot;
        const char *region;
        const char *cluster;
        int64_t create_time;
        const char *status;
        enum snapshot_origin origin;
        enum verdict_group group;
        const char *policy; /* the policy whose rules judged it; NULL if none */
        bool deleted;
        unsigned keep; /* enum keep_reason bits; 0 when deleted */
        enum delete_reason why;
};

/* Names used in the text: "max-age", "primary", "newest", ... */
const char *delete_reason_to_string(enum delete_reason r);
const char *verdict_group_to_string(enum verdict_group g);
const char *keep_reason_to_string(enum keep_reason r); /* one bit */
