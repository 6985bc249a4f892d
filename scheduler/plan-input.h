/* The planner's input: the observed world (filled by the agent from Describe calls), the ledger's open
 * actions and drill rows, the window history, the account's quotas, the config and `now`. The planner only
 * reads it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent-config.h"
#include "plan-action.h"

#define PLAN_TIME_UNKNOWN INT64_MIN /* create time not known yet (snapshot still creating) */

struct observed_cluster {
        const char *identifier;
        const char *arn;
        const char *region;
        const char *status;        /* "available", "backing-up", ... */
        bool has_preferred_window; /* PreferredBackupWindow present and parsed */
        struct window preferred_window;
        bool storage_encrypted;
        const char *kms_key_id; /* NULL: unencrypted */
        const struct tag *tags;
        size_t n_tags;
        int backup_retention_period; /* days; reported, never changed */
        bool snapshots_incomplete; /* a snapshot of it could not be read: it deletes nothing (fail closed) */
        const char *engine;        /* NULL: unknown */
        const char *writer;        /* the member instance that is the cluster's writer; NULL: none */
};

/* An instance of a restore drill's cluster (the agent looks only at those). */
struct observed_instance {
        const char *identifier;
        const char *cluster_identifier;
        const char *region;
        const char *status; /* DBInstanceStatus: "creating", "available", "deleting", ... */
};

struct observed_snapshot {
        const char *identifier;
        const char *arn;
        const char *cluster_identifier;
        const char *region;
        const char *status;        /* "available", "creating", "copying", ... */
        const char *snapshot_type; /* "manual", "automated", "awsbackup", ... */
        int64_t create_time;       /* UTC seconds, or PLAN_TIME_UNKNOWN */
        bool encrypted;
        const char *kms_key_id;
        bool kms_key_aws_managed; /* the agent knows the key is AWS-managed (KeyManager=AWS) */
        const struct tag *tags;
        size_t n_tags;
        int64_t allocated_storage_gib;
        const char *source_arn;             /* for copies: SourceDBClusterSnapshotArn; else NULL */
        const char *const *shared_accounts; /* NULL-terminated "restore" attribute values; may be NULL */
};

struct observed_export {
        const char *identifier; /* ExportTaskIdentifier */
        const char *source_arn;
        const char *status; /* STARTING, IN_PROGRESS, COMPLETE, CANCELING, CANCELED, FAILED */
        unsigned percent;   /* PercentProgress */
};

/* The ledger's open (started, not yet confirmed) actions, and the window history. */
struct ledger_action {
        enum action_kind kind;
        const char *cluster_identifier;
        const char *snapshot_identifier; /* for exports: the export task identifier */
        int64_t slot_start;
        const char *region;        /* where the action runs (a copy's destination) */
        const char *source_region; /* copies: the source region; else NULL */
};

/* The state of a ledger row, as the planner reads the drill records. */
enum drill_record_state {
        DRILL_RECORD_OPEN, /* intent written, outcome not known yet */
        DRILL_RECORD_DONE,
        DRILL_RECORD_FAILED,
        DRILL_RECORD_ABANDONED, /* left open by a crash or a lost answer, and settled as not known to be done
                                 */
};

/* A ledger row of a restore drill step, whatever its state. */
struct drill_record {
        enum action_kind kind; /* ACTION_DRILL_RESTORE, _INSTANCE, _PROBE or _TEARDOWN */
        enum drill_record_state state;
        const char *source_cluster; /* the cluster drilled */
        const char *region;
        const char *resource; /* restore: the drill cluster; instance, probe: the instance; teardown: the
                                 instance or the cluster deleted */
        const char *target;   /* restore: the snapshot restored from, or PLAN_DRILL_POINT_IN_TIME; others:
                                 the drill cluster */
        int64_t started_at;   /* when the intent was written */
        int64_t finished_at;  /* when the outcome was recorded; 0 while open */
};
/* The restore record's target of a point-in-time drill. */
#define PLAN_DRILL_POINT_IN_TIME "point-in-time"

/* An operator's open restore request (aurora-backupctl restore) as the planner reads it. Its ledger rows
 * come as drill_records of kind ACTION_RESTORE_CLUSTER / ACTION_RESTORE_INSTANCE (resource: the new cluster
 * / the instance; started_at >= requested_at: this request's); the new cluster is among `clusters` once AWS
 * shows it, its instances among `instances`. */
struct restore_order {
        int64_t id;
        bool point_in_time;
        const char *source; /* the snapshot (identifier or ARN), or the source cluster */
        const char *region;
        int64_t restore_time; /* point in time; 0 with use_latest */
        bool use_latest;
        const char *new_cluster;
        const char *instance_class; /* resolved when the request was accepted; NULL: unknown */
        int64_t requested_at;
};

struct window_history_entry {
        const char *cluster_identifier;
        int64_t slot_start;
        bool taken; /* false: missed, already reported */
};

/* The account's manual cluster snapshot quota in a region (DescribeAccountAttributes,
 * ManualClusterSnapshots). */
struct account_quota {
        const char *region;
        int64_t max;
        int64_t used;
};

struct plan_input {
        const struct agent_config *config;
        const char *default_region; /* for policies without a region and no agent.region; may be NULL */
        const struct observed_cluster *clusters;
        size_t n_clusters;
        const struct observed_snapshot *snapshots;
        size_t n_snapshots;
        const struct observed_export *exports;
        size_t n_exports;
        const struct ledger_action *ledger;
        size_t n_ledger;
        const struct window_history_entry *history;
        size_t n_history;
        const struct account_quota *account_quotas; /* may be NULL: none known */
        size_t n_account_quotas;
        const struct observed_instance *instances; /* of restore drill clusters; may be NULL */
        size_t n_instances;
        const struct drill_record *drill_records; /* the ledger's drill rows; may be NULL */
        size_t n_drill_records;
        const struct restore_order *restore_orders; /* operators' open restore requests; may be NULL */
        size_t n_restore_orders;
        int64_t now;
};

/* The value of tag `key` ("" when it has none), or NULL when absent; the first occurrence wins. */
const char *plan_tag_get(const struct tag *tags, size_t n, const char *key);
