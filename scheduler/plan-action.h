/* What a plan asks the agent to do (actions) and what it says of each selected cluster's next slot. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent-config.h"

#define PLAN_POLL_INTERVAL_SEC 60
/* While a restore drill is in progress the plan wakes this soon: the time to restore it measures is AWS's,
 * not the agent's polling. */
#define PLAN_DRILL_POLL_SEC 5
#define PLAN_CROSS_REGION_COPY_LIMIT 5
#define PLAN_NO_WAKEUP INT64_MAX
/* How long a restore that AWS accepted may stay unseen before the request fails. */
#define PLAN_RESTORE_UNSEEN_SEC (15 * 60)

enum action_kind {
        ACTION_DELETE_RDS,
        ACTION_DELETE_BACKUP,
        ACTION_CREATE,
        ACTION_COPY,
        ACTION_SHARE,
        ACTION_EXPORT,
        ACTION_POLL,
        ACTION_WAIT,            /* retry-at: cluster not available, or the cross-region copy limit */
        ACTION_MISSED,          /* event: a slot's window closed with no snapshot */
        ACTION_QUOTA_EXHAUSTED, /* event: no room for a create or copy */
        ACTION_REFUSED,         /* event: a configured step cannot be done (says why) */
        /* Restore drills, in the order a plan runs them (see the top of this file). */
        ACTION_DRILL_RESTORE,  /* RestoreDBClusterFromSnapshot or RestoreDBClusterToPointInTime */
        ACTION_DRILL_INSTANCE, /* CreateDBInstance in the drill cluster: its primary (writer) */
        ACTION_DRILL_PROBE,    /* the instance is the writer: probe_command, then the time to restore */
        ACTION_DRILL_TEARDOWN, /* DeleteDBInstance, or DeleteDBCluster once no instance is left */
        ACTION_DRILL_WAIT,     /* AWS is working on a step, or the drill is kept keep_minutes */
        ACTION_DRILL_FAILED,   /* event: the period's drill cannot be made (says why) */
        /* Operators' restores (aurora-backupctl restore; plan-restore.c), in the order a plan runs them. */
        ACTION_RESTORE_CLUSTER,  /* RestoreDBClusterFromSnapshot or RestoreDBClusterToPointInTime */
        ACTION_RESTORE_INSTANCE, /* CreateDBInstance in the new cluster: its primary (writer) */
        ACTION_RESTORE_WAIT,     /* AWS is working on a step: the phase is recorded for ctl */
        ACTION_RESTORE_DONE,     /* the instance is available and the writer: the request is done */
        ACTION_RESTORE_FAILED,   /* the request cannot go on (says why): it is failed */
        _ACTION_KIND_MAX,
};

const char *action_kind_to_string(enum action_kind k);

struct plan_action {
        enum action_kind kind;
        const char *policy;
        const char *cluster;
        const char *region;          /* where it runs (a copy's destination) */
        const char *snapshot;        /* created, deleted, polled, copied to, shared, exported */
        const char *source_snapshot; /* copies and exports: the source; NULL otherwise */
        const char *source_region;   /* copies */
        const char *kms_key;         /* copies and exports; NULL: keep the source key */
        const char *status;          /* polls: the observed status */
        int64_t slot_start;          /* creates, missed; else 0 */
        int64_t retry_at;            /* waits: when to try again; else 0 */
        const char *rule;            /* the rule that caused it, in words */
        const struct tag *tags;      /* creates and copies: tags the agent writes */
        size_t n_tags;
        const char *const *accounts; /* shares: accounts to add (NULL-terminated) */
        const char *target;          /* drills: the drill cluster; refusals of a drill lookalike: it */
        int64_t since;               /* drill probes: when the restore was started (the time to restore
                                        runs from it); operators' restores: when it was requested; else 0 */
        int64_t request;             /* operators' restores: the request's id; else 0 */
};

/* What a selected cluster's next scheduled snapshot is, for status, plan and the metrics. The slot
 * shown is the one whose window is open now and not yet done, else the next one. */
enum next_slot_state {
        NEXT_SLOT_SCHEDULED,       /* the slot start has not come yet: a create then */
        NEXT_SLOT_CREATE_NOW,      /* the slot has started: this plan creates it */
        NEXT_SLOT_IN_FLIGHT,       /* created, not yet known to be done: polled */
        NEXT_SLOT_RETRY,           /* the cluster is not available: tried again at retry_at */
        NEXT_SLOT_QUOTA_EXHAUSTED, /* no room under the quota: nothing is created */
        _NEXT_SLOT_STATE_MAX,
};
const char *next_slot_state_to_string(enum next_slot_state s);
/* The state named `s` (as stored in the state file), or -EINVAL. */
int next_slot_state_from_string(const char *s);

struct plan_next_slot {
        const char *policy;
        const char *cluster;
        const char *region;
        int64_t window_open;
        int64_t slot_start; /* window_open + the cluster's offset (see Slots above) */
        int64_t window_close;
        int64_t retry_at; /* NEXT_SLOT_RETRY: the next try; else 0 */
        enum next_slot_state state;
        const char *schedule; /* "daily", "weekly:sun", ... */
        const char *window;   /* "02:00-03:00" */
        bool window_from_cluster;
};
