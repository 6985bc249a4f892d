/* The agent's persistent state in `<state dir>/state.db` (sqlite3, WAL): the action ledger, window
 * history, last observed inventory, cycle history, AWS Backup vault cache and "reported once" markers. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"
#include "snapshot-origin.h"
#include "store-migrate.h" /* STORE_SCHEMA_VERSION */
#define STORE_FILE_NAME "state.db"

struct store;

/* Open (creating if needed) `<dir>/state.db` and migrate it to STORE_SCHEMA_VERSION. The directory
 * must exist. -EPROTO: the file was written by a newer agent; -EBADMSG: not a database or corrupt. */
int store_open(const char *dir, struct store **ret);
/* Same, but migrate only up to `version` (1..STORE_SCHEMA_VERSION): for migration tests and tools. A
 * store left below STORE_SCHEMA_VERSION supports only store_schema_version() and store_close(). */
int store_open_version(const char *dir, int version, struct store **ret);
/* For readers such as `aurora-backupctl status`: never creates, migrates or writes (writes fail with
 * -EROFS). -ENOENT: no state yet; -EPROTO: the file is not at STORE_SCHEMA_VERSION. */
int store_open_read_only(const char *dir, struct store **ret);
struct store *store_close(struct store *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct store *, store_close);
#define _cleanup_store_close_ _cleanup_(store_closep)

/* The sqlite message behind the last failed call on `s` (for the caller's log), or "". With s == NULL:
 * why the last store_open() failed. Never secret: the store holds nothing secret. */
const char *store_last_error(const struct store *s);
/* The schema version of the open file (>= 1), or a negative errno. */
int store_schema_version(struct store *s);

/* ---- The ledger: one row per mutating AWS call, written before the call is made. ---- */

enum ledger_kind {
        LEDGER_CREATE,           /* CreateDBClusterSnapshot */
        LEDGER_DELETE_RDS,       /* DeleteDBClusterSnapshot */
        LEDGER_DELETE_BACKUP,    /* AWS Backup DeleteRecoveryPoint */
        LEDGER_COPY,             /* CopyDBClusterSnapshot; target = destination region */
        LEDGER_SHARE,            /* ModifyDBClusterSnapshotAttribute; target = account ids */
        LEDGER_EXPORT,           /* StartExportTask; target = bucket */
        LEDGER_CANCEL_EXPORT,    /* CancelExportTask */
        LEDGER_RESTORE,          /* RestoreDBClusterFromSnapshot / ToPointInTime */
        LEDGER_RESTORE_INSTANCE, /* CreateDBInstance for a restored cluster */
        LEDGER_TEARDOWN,         /* DeleteDBInstance / DeleteDBCluster of a restore drill */
        LEDGER_TAG,              /* Add/RemoveTagsFromResource (hold, release); target = "+key" / "-key" */
        LEDGER_PROBE,            /* a restore drill's probe (no AWS call): its outcome settles the drill */
        /* An operator's restore (aurora-backupctl restore): cluster = snapshot = the new cluster (the
         * instance for the instance row), target = what it is restored from, slot_start = the request's id.
         */
        LEDGER_OPERATOR_RESTORE,  /* RestoreDBClusterFromSnapshot / ToPointInTime into the new cluster */
        LEDGER_OPERATOR_INSTANCE, /* CreateDBInstance: the new cluster's primary (writer) */
        _LEDGER_KIND_MAX,
};
const char *ledger_kind_to_string(enum ledger_kind k);
/* -EINVAL for an unknown name. */
int ledger_kind_from_string(const char *s);

enum ledger_state {
        LEDGER_INTENT,    /* written, call not known to have finished */
        LEDGER_DONE,      /* AWS accepted the call (or its effect was found to exist) */
        LEDGER_FAILED,    /* AWS refused it, or it could not be made */
        LEDGER_ABANDONED, /* an intent found open after a crash and not retried (e.g. window over) */
        _LEDGER_STATE_MAX,
};
const char *ledger_state_to_string(enum ledger_state st);
int ledger_state_from_string(const char *s);

/* What the caller knows before the call. Strings may be NULL (not applicable). */
struct ledger_intent {
        int64_t cycle_id; /* 0: outside a cycle (e.g. aurora-backupctl run-now) */
        enum ledger_kind kind;
        const char *policy;
        const char *cluster;
        const char *snapshot; /* the identifier acted on or created */
        const char *region;
        const char *target; /* copy: destination region; share: accounts; export: bucket */
        int64_t slot_start; /* the scheduled slot a create belongs to; 0: none */
};

/* A ledger row read back. Owns its strings; free with ledger_entry_done() / ledger_entries_free(). */
struct ledger_entry {
        int64_t id;
        int64_t cycle_id; /* 0: none */
        enum ledger_kind kind;
        enum ledger_state state;
        char *policy;
        char *cluster;
        char *snapshot;
        char *region;
        char *target;
        int64_t slot_start;
        char *request_id;
        char *error_code;
        char *error_message;
        int64_t created_at;
        int64_t updated_at;
        unsigned attempts;
};
void ledger_entry_done(struct ledger_entry *e);
struct ledger_entry *ledger_entries_free(struct ledger_entry *e, size_t n);

/* Write an intent row (state intent, attempts 1) and commit it before returning: call this before
 * the AWS call it describes. `cycle_id` must name an existing cycle (or be 0). */
int store_ledger_begin(struct store *s, const struct ledger_intent *in, int64_t now, int64_t *ret_id);
/* A retry of an open intent: attempts + 1, error fields cleared, committed before the new call.
 * -ENOENT: no such row; -EALREADY: the row is no longer an intent. */
int store_ledger_retry(struct store *s, int64_t id, int64_t now);
/* Record the outcome (LEDGER_DONE, LEDGER_FAILED or LEDGER_ABANDONED) of an intent. Any string may be
 * NULL. -ENOENT: no such row; -EALREADY: already finished; -EINVAL: outcome is LEDGER_INTENT. */
int store_ledger_finish(struct store *s, int64_t id, enum ledger_state outcome, const char *request_id,
                        const char *error_code, const char *error_message, int64_t now);
int store_ledger_get(struct store *s, int64_t id, struct ledger_entry *ret);
/* Every row still in state intent, oldest first: what the previous run left in flight. */
int store_ledger_open_intents(struct store *s, struct ledger_entry **ret, size_t *ret_n);

struct ledger_filter {
        const char *policy;   /* NULL: any */
        const char *cluster;  /* NULL: any */
        const char *snapshot; /* NULL: any */
        int kind;             /* an enum ledger_kind, or -1: any */
        int state;            /* an enum ledger_state, or -1: any */
        int64_t since;        /* created_at >= since; 0: any */
        size_t limit;         /* 0: no limit */
};
#define LEDGER_FILTER_ALL ((struct ledger_filter){.kind = -1, .state = -1})
/* Matching rows, newest first (for `aurora-backupctl history`). */
int store_ledger_list(struct store *s, const struct ledger_filter *f, struct ledger_entry **ret,
                      size_t *ret_n);

/* ---- Window history: what became of each cluster's scheduled slot. ---- */

enum window_outcome {
        WINDOW_TAKEN,
        WINDOW_MISSED,
        WINDOW_QUOTA_EXHAUSTED,
        _WINDOW_OUTCOME_MAX,
};
const char *window_outcome_to_string(enum window_outcome o);
int window_outcome_from_string(const char *s);

struct window_record {
        char *policy;
        char *cluster;
        int64_t slot_start;
        enum window_outcome outcome;
        char *snapshot; /* NULL unless taken */
        bool reported;  /* its journal event was sent */
        int64_t recorded_at;
};
void window_record_done(struct window_record *w);
struct window_record *window_records_free(struct window_record *w, size_t n);

/* Insert or update the record of (cluster, slot_start). Changing the outcome clears `reported` unless
 * the new record says it was reported. Strings are copied. */
int store_window_record(struct store *s, const char *policy, const char *cluster, int64_t slot_start,
                        enum window_outcome outcome, const char *snapshot, bool reported, int64_t now);
/* -ENOENT: nothing recorded for that slot. */
int store_window_lookup(struct store *s, const char *cluster, int64_t slot_start, struct window_record *ret);
int store_window_mark_reported(struct store *s, const char *cluster, int64_t slot_start);
/* Records of `cluster` (NULL: all) with slot_start >= since, newest slot first; limit 0: all. */
int store_window_list(struct store *s, const char *cluster, int64_t since, size_t limit,
                      struct window_record **ret, size_t *ret_n);
/* The newest slot of `cluster` with outcome taken; -ENOENT if none (for status and freshness checks). */
int store_window_last_taken(struct store *s, const char *cluster, struct window_record *ret);

/* ---- The last observed inventory, per region, replaced whole after each observe step. ---- */

/* A snapshot's origin (common/snapshot-origin.h) as the state file and ctl name it: "agent", "manual"
 * (another's manual snapshot), "automated", "aws-backup", "aws-backup-continuous". */
const char *inventory_origin_to_string(enum snapshot_origin o);
int inventory_origin_from_string(const char *s);

struct inventory_cluster {
        char *identifier;
        char *status;
        char *arn;
        char *preferred_window; /* "hh24:mi-hh24:mi" or NULL */
        unsigned backup_retention_days;
        char *policy;                     /* the policy that selected it, NULL: none */
        int64_t earliest_restorable_time; /* UTC seconds, 0: unknown */
        int64_t latest_restorable_time;   /* UTC seconds, 0: unknown */
};

struct inventory_snapshot {
        char *identifier;
        char *cluster;
        enum snapshot_origin origin;
        char *status;
        int64_t create_time; /* SnapshotCreateTime, 0 while unknown */
        unsigned allocated_gib;
        bool encrypted;
        uint64_t tags_digest; /* stable hash of the tags, to notice tag changes cheaply */
};

void inventory_cluster_done(struct inventory_cluster *c);
struct inventory_cluster *inventory_clusters_free(struct inventory_cluster *c, size_t n);
void inventory_snapshot_done(struct inventory_snapshot *sn);
struct inventory_snapshot *inventory_snapshots_free(struct inventory_snapshot *sn, size_t n);

/* Replace everything stored for `region` with these lists, in one transaction: readers see either
 * the old inventory or the new one. */
int store_inventory_replace(struct store *s, const char *region, const struct inventory_cluster *clusters,
                            size_t n_clusters, const struct inventory_snapshot *snapshots,
                            size_t n_snapshots, int64_t now);
/* The stored inventory of `region` (NULL: all regions), ordered by identifier. `ret_observed_at`
 * (may be NULL) gets the newest observation time, 0 if nothing is stored. */
int store_inventory_load(struct store *s, const char *region, struct inventory_cluster **ret_clusters,
                         size_t *ret_n_clusters, struct inventory_snapshot **ret_snapshots,
                         size_t *ret_n_snapshots, int64_t *ret_observed_at);

/* ---- Cycle history. ---- */

struct cycle_counts {
        unsigned planned;
        unsigned succeeded;
        unsigned failed;
        unsigned created;
        unsigned deleted;
        unsigned missed;
        unsigned api_calls;
};

struct cycle_record {
        int64_t id;
        int64_t started_at;
        int64_t finished_at; /* 0: never finished (crash, kill) */
        bool dry_run;
        struct cycle_counts counts;
        int exit_status; /* meaningful only when finished_at != 0 */
};

int store_cycle_begin(struct store *s, bool dry_run, int64_t now, int64_t *ret_id);
/* -ENOENT: no such cycle; -EALREADY: already finished. */
int store_cycle_finish(struct store *s, int64_t id, const struct cycle_counts *c, int exit_status,
                       int64_t now);
int store_cycle_get(struct store *s, int64_t id, struct cycle_record *ret);
/* When the first recorded cycle started (0: none): how long this state has been looking after things. */
int store_cycle_first_started(struct store *s, int64_t *ret);
/* Newest first; limit 0: all. Plain structs: free the array with free(). */
int store_cycle_list(struct store *s, size_t limit, struct cycle_record **ret, size_t *ret_n);

/* ---- AWS Backup vault cache: which vault holds a resource's recovery points. ---- */

/* -ENOENT: not cached. */
int store_vault_cache_get(struct store *s, const char *resource_arn, char **ret_vault);
int store_vault_cache_put(struct store *s, const char *resource_arn, const char *vault, int64_t now);
/* Forget a stale entry (e.g. the vault no longer has the point); 0 even if there was none. */
int store_vault_cache_forget(struct store *s, const char *resource_arn);

/* ---- The account's manual cluster snapshot quota, per region, as last observed. ---- */

struct account_quota_record {
        int64_t max;     /* ManualClusterSnapshots Max */
        int64_t used;    /* ManualClusterSnapshots Used, as AWS counts */
        int64_t counted; /* what the agent counted that the quota counts */
        int64_t observed_at;
};
int store_account_quota_put(struct store *s, const char *region, const struct account_quota_record *q);
/* -ENOENT: never observed. */
int store_account_quota_get(struct store *s, const char *region, struct account_quota_record *ret);

/* ---- "Reported once" markers: conditions reported to the journal once, not every cycle. ---- */

/* 1 if `key` was not marked before (it is marked now: report it), 0 if it was (stay quiet). */
int store_reported_once(struct store *s, const char *key, int64_t now);
/* 1 if `key` is marked, 0 if not; never marks. */
int store_reported_check(struct store *s, const char *key);
/* Like store_reported_check(), and when marked, *ret (if not NULL) is when it was first marked. */
int store_reported_at(struct store *s, const char *key, int64_t *ret);
/* Clear a marker when its condition went away, so that a recurrence is reported again. */
int store_reported_forget(struct store *s, const char *key);

/* ---- Operators' restore requests (aurora-backupctl restore), recorded once validated. ---- */

enum restore_request_kind {
        RESTORE_FROM_SNAPSHOT,
        RESTORE_TO_POINT_IN_TIME,
        _RESTORE_REQUEST_KIND_MAX,
};
const char *restore_request_kind_to_string(enum restore_request_kind k);

struct restore_request {
        int64_t id;
        enum restore_request_kind kind;
        char *source; /* the snapshot (identifier or ARN), or the source cluster */
        char *region;
        int64_t restore_time; /* point in time: UTC seconds; 0 with use_latest */
        bool use_latest;
        char *new_cluster;
        char *instance_class; /* NULL: the source cluster's writer's */
        bool wait;
        char *state;          /* recorded, started, done, failed, canceled */
        int64_t requested_by; /* uid */
        char *message;
        int64_t created_at;
        int64_t updated_at;
};
void restore_request_done(struct restore_request *r);
struct restore_request *restore_requests_free(struct restore_request *r, size_t n);

/* Record a validated request (state recorded); strings are copied. -EEXIST: an open request (recorded or
 * started) already names that new cluster. */
int store_restore_request_add(struct store *s, const struct restore_request *in, int64_t now,
                              int64_t *ret_id);
/* The open request naming `new_cluster`; -ENOENT if none. */
int store_restore_request_find_open(struct store *s, const char *new_cluster, struct restore_request *ret);
/* Open requests (recorded or started), oldest first. */
int store_restore_requests_open(struct store *s, struct restore_request **ret, size_t *ret_n);
/* The open requests, then the `limit` newest settled (done, failed, canceled) ones, newest first. */
int store_restore_requests_recent(struct store *s, size_t limit, struct restore_request **ret,
                                  size_t *ret_n);
/* -ENOENT: no such request. */
int store_restore_request_get(struct store *s, int64_t id, struct restore_request *ret);
/* The newest request naming `new_cluster`, whatever its state; -ENOENT if none. */
int store_restore_request_find_latest(struct store *s, const char *new_cluster, struct restore_request *ret);
/* A new state ("started", "done", "failed", "canceled"; NULL: unchanged) and message (NULL: unchanged).
 * Nothing is written when neither changes. -ENOENT: no such request. */
int store_restore_request_update(struct store *s, int64_t id, const char *state, const char *message,
                                 int64_t now);

/* ---- Problems (issue 14): conditions kept until they clear, not only reported once. ---- */

enum problem_kind {
        PROBLEM_ACTION_FAILED,  /* a mutating call failed; clears when it succeeds or is no longer planned */
        PROBLEM_ACTION_REFUSED, /* the plan refuses a configured step; clears when no longer refused */
        PROBLEM_DRILL_FAILED,   /* a restore drill failed; clears with the next successful drill */
        PROBLEM_MISSED_WINDOW,  /* a slot's window closed with no snapshot; clears when a slot is taken */
        PROBLEM_QUOTA_EXHAUSTED,    /* no room for a create under the quota; clears when there is room */
        PROBLEM_BACKUP_UNDELETABLE, /* an AWS Backup point that cannot be deleted (vault lock, EXPIRED) */
        PROBLEM_POLICY_EMPTY,       /* a policy that selects no cluster; clears when it selects one */
        PROBLEM_REGION_UNOBSERVED,  /* a region that could not be observed; clears at the next observation */
        _PROBLEM_KIND_MAX,
};
const char *problem_kind_to_string(enum problem_kind k);
int problem_kind_from_string(const char *s);

/* The key is (kind, policy, cluster, snapshot, region, action); a NULL key string means "not applicable". */
struct problem {
        int64_t id;
        enum problem_kind kind;
        char *policy;
        char *cluster;
        char *snapshot;
        char *region;
        char *action; /* the ledger kind of a failed action ("delete-backup"), or NULL */
        int64_t first_seen;
        int64_t last_seen;
        unsigned count; /* cycles (or attempts) that saw it */
        char *error_code;
        char *error_message;
        char *request_id;
        int64_t resolved_at; /* 0 while open */
};
void problem_done(struct problem *p);
struct problem *problems_free(struct problem *p, size_t n);

/* Decides, for an open problem that this cycle did not see, whether it is resolved now. */
typedef bool (*problem_resolved_fn)(const struct problem *open, void *userdata);

/* In one transaction: each of `current` is raised (a new open row, or the open row of its key gets
 * last_seen = now, count + 1 and, when `current` has one, its error), and each open problem not in
 * `current` for which `resolved` says so is resolved at `now`. Resolved rows older than `keep_sec`
 * are forgotten. */
int store_problems_update(struct store *s, const struct problem *current, size_t n_current,
                          problem_resolved_fn resolved, void *userdata, int64_t now, int64_t keep_sec);
/* Open problems (resolved_at 0) oldest first; with `resolved_since` > 0 also those resolved since then. */
int store_problems_list(struct store *s, int64_t resolved_since, struct problem **ret, size_t *ret_n);

/* ---- Each selected cluster's next slot, as the last plan saw it (replaced whole each cycle). ---- */

struct next_slot_record {
        char *policy;
        char *cluster;
        char *region;
        int64_t window_open;
        int64_t slot_start;
        int64_t window_close;
        int64_t retry_at;
        char *state; /* next_slot_state_to_string() */
        char *schedule;
        char *window;
        bool window_from_cluster;
        int64_t planned_at;
};
struct next_slot_record *next_slot_records_free(struct next_slot_record *r, size_t n);
int store_next_slots_replace(struct store *s, const struct next_slot_record *r, size_t n, int64_t now);
/* Ordered by region, cluster. */
int store_next_slots_load(struct store *s, struct next_slot_record **ret, size_t *ret_n);

/* ---- Backup storage per cluster from CloudWatch (AWS/RDS), as last read at a full inventory. ---- */

struct backup_storage_record {
        char *region;
        char *cluster;
        bool has_billed;
        double billed_bytes; /* TotalBackupStorageBilled */
        bool has_snapshot;
        double snapshot_bytes; /* SnapshotStorageUsed */
        int64_t observed_at;   /* when the agent read them */
};
struct backup_storage_record *backup_storage_records_free(struct backup_storage_record *r, size_t n);
/* The figures of `regions` become `r` (every record's region must be one of them), in one transaction; the
 * other regions keep what they had (a region that could not be read shows its last figures). */
int store_backup_storage_replace(struct store *s, char *const *regions, size_t n_regions,
                                 const struct backup_storage_record *r, size_t n);
/* Ordered by region, cluster. */
int store_backup_storage_load(struct store *s, struct backup_storage_record **ret, size_t *ret_n);

/* ---- Settled ledger rows counted by (kind, state): settled rows never change, so the counts only grow
 * (the metrics' aurora_backup_actions_total). ---- */

struct ledger_count {
        enum ledger_kind kind;
        enum ledger_state state;
        uint64_t count;
};
int store_ledger_counts(struct store *s, struct ledger_count **ret, size_t *ret_n);
