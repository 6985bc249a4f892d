/* The pure planner's public interface: observed world + validated config + now -> plan.
 * No I/O, no clock, no AWS calls; the same input always gives byte-identical plan_format() text.
 *
 * What the planner relies on (the contract with the agent):
 *
 * Ownership and groups. A cluster belongs to the first policy (config order) whose region, globs
 * (fnmatch on the identifier; no globs = every cluster) and match_tags (all must match) select it.
 * Its snapshots fall into retention groups, each judged on its own:
 *   - primary:    agent snapshots of the cluster in the policy region without PLAN_TAG_COPY;
 *   - copy:       agent snapshots of the cluster in a copy target's region with
 *                 PLAN_TAG_COPY = "copy:<source region>" (the target's retention; the first target
 *                 in a region owns that region);
 *   - share-copy: agent snapshots in the policy region with PLAN_TAG_COPY = "share" (policy retention);
 *   - aws-backup: `awsbackup:` snapshots of the cluster, only when aws_backup_manage
 *                 (aws_backup_retention), deleted only through AWS Backup.
 * "Agent snapshots" are those of origin ORIGIN_AGENT (snapshot_origin_of: name, managed-by tag and slot
 * tag agree) whose TAG_POLICY names the policy that selects the cluster; one naming another or no
 * configured policy is kept (KEEP_OTHER_POLICY) with an ACTION_REFUSED that says so.
 * Everything else is never deleted: automated, continuous, foreign-manual, agent snapshots of clusters
 * no policy selects, and agent copies whose target is no longer configured.
 *
 * Slots. A window [open, close) opens on each day the schedule selects at window.start_min (UTC) and
 * lasts (end - start) mod 24h minutes (a zero length means 24 h); wrapping midnight is allowed. The slot
 * starts at open + offset, offset = fnv1a64(cluster) mod (length/2) whole minutes. SCHEDULE_INTERVAL:
 * windows open at start_min + k * interval_sec (k integer, counted from the epoch) and last
 * min(window length, interval). A slot is done when, in the policy region, the cluster has a snapshot
 * whose identifier is the slot's deterministic identifier (any status, any origin), or an agent
 * snapshot without PLAN_TAG_COPY whose TAG_SLOT equals the slot start in ISO 8601
 * ("2026-11-24T02:15:00Z"). An open ledger create for that identifier means in flight (poll, no
 * second create). A closed slot that is not done gives one `missed` event, only for the most recent
 * closed slot, only when the window history has no entry for it, and only once the agent has a record
 * for the cluster from before that slot (a history entry of an earlier slot, or an agent snapshot created
 * earlier): slots before the agent's first record are not missed, they are before its time.
 *
 * Retention (per group; time = SnapshotCreateTime, except that copies (copy and share-copy groups) are
 * as old as the slot they copy, their TAG_SLOT, when they carry one; only `available` snapshots with a
 * known time take part in the keep rules; all arithmetic in UTC):
 *   - keep_last N keeps the N newest. daily/weekly/monthly/yearly N keep the newest snapshot of each
 *     of the N most recent days / ISO weeks / months / years that have one (restic semantics).
 *     keep_within D keeps those created at or after (newest available - D).
 *   - max_age A: a snapshot older than A (now - time > A) is expired: keep rules do not save it.
 *   - No keep rule set but max_age set: every snapshot not older than max_age is kept (`unexpired`).
 *     No rule at all: everything is kept (`no-rule`).
 *   - Then, whatever the rules say: a snapshot carrying TAG_HOLD (any value) is kept; one that is not
 *     `available` (creating, copying, deleting, ...) or has no known time is left alone; the newest
 *     available one is kept; and if fewer than min_keep available snapshots remain kept, the newest
 *     otherwise-deleted ones are kept (`min_keep`) until min_keep are, or none is left.
 *
 * Quota (per region): manual non-AWS-Backup cluster snapshots (origin agent or foreign-manual, any
 * status) are counted, plus open ledger creates/copies not yet observed, minus this cycle's planned
 * deletions (all deletions are planned first). A create or copy into a region happens only if the
 * count after it stays <= limit - quota_reserve of the policy asking, where the limit is the policy's
 * quota_limit when set, else the account's ManualClusterSnapshots Max for the region (account_quotas), else
 * CONFIG_DEFAULT_QUOTA_LIMIT (plan_quota_limit); otherwise a
 * `quota-exhausted` event. Quota never causes a deletion.
 *
 * Wake-up. next_wakeup is the earliest of: the next slot start of each selected cluster, a retry time
 * inside an open window for a cluster that is not available (60 s, 120 s, then 300 s after the slot
 * start, never past the window close), the window close of an open slot not yet done, now + 60 s when
 * anything is in progress (poll), and the next export period. The daemon also caps it by its reconcile
 * interval. PLAN_NO_WAKEUP when nothing is scheduled.
 *
 * Restore drills (policy restore_test; plan-drill.c). A drill is a sequence of plan actions, one step per
 * plan, each decided from what AWS shows (the drill cluster and its instances) and the ledger's drill rows
 * (drill_records): ACTION_DRILL_RESTORE (the period's drill cluster, from the newest available agent
 * snapshot or, with restore_test.source "point-in-time", from the cluster's latest restorable time) ->
 * ACTION_DRILL_INSTANCE (the cluster is available and has no instance: create its primary) ->
 * ACTION_DRILL_PROBE (the instance is available and the cluster's writer: run probe_command, record the
 * time to restore) -> keep_minutes -> ACTION_DRILL_TEARDOWN (the instance, then the cluster). While AWS
 * works on a step the plan says so (ACTION_DRILL_WAIT, with the status) and wakes in PLAN_DRILL_POLL_SEC.
 * Ownership: a cluster is a drill only when it is named and tagged as the agent's drills
 * (restore_drill_cluster_is_ours), its TAG_RESTORE_TEST names the source cluster, and a drill record of
 * kind ACTION_DRILL_RESTORE that did not fail names that exact cluster; one that only looks like a drill
 * gets an ACTION_REFUSED and is never probed, given an instance or torn down. One drill per source cluster
 * at a time; one per period of restore_test.every (a restore record that is done or failed settles it,
 * and the plan wakes at the next period).
 *
 * Operators' restores (restore_orders; plan-restore.c). Each open request gets one step per plan, from the
 * new cluster and its instances as AWS shows them and the request's ledger rows: ACTION_RESTORE_CLUSTER (no
 * cluster of that name, no restore of this request in flight or done) -> ACTION_RESTORE_INSTANCE (the cluster
 * is available and has no instance) -> ACTION_RESTORE_DONE (the instance "<new>-1" is available and the
 * cluster's writer); ACTION_RESTORE_WAIT while AWS works (its status names the phase, for ctl), waking in
 * PLAN_DRILL_POLL_SEC; ACTION_RESTORE_FAILED when it cannot go on (a cluster of that name that this request
 * did not make: TAG_RESTORE_REQUEST must name the request; a call AWS refused; an accepted restore never
 * seen). The new cluster is the operator's: nothing here ever deletes it.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "agent-config.h"

/* Written by the agent on copies it makes: "copy:<source region>" or "share". */
#define PLAN_TAG_COPY "aurora-backup:copy"
#define PLAN_POLL_INTERVAL_SEC 60
/* While a restore drill is in progress the plan wakes this soon: the time to restore it measures is AWS's,
 * not the agent's polling. */
#define PLAN_DRILL_POLL_SEC 10
#define PLAN_CROSS_REGION_COPY_LIMIT 5
#define PLAN_NO_WAKEUP INT64_MAX
#define PLAN_TIME_UNKNOWN INT64_MIN /* create time not known yet (snapshot still creating) */

/* ---- The observed world (filled by the agent from Describe calls; the planner only reads it). ---- */

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
        bool snapshots_incomplete;   /* a snapshot of it could not be read: it deletes nothing (fail closed) */
        const char *engine;          /* NULL: unknown */
        const char *writer;          /* the member instance that is the cluster's writer; NULL: none */
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
        DRILL_RECORD_ABANDONED, /* left open by a crash or a lost answer, and settled as not known to be done */
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
 * come as drill_records of kind ACTION_RESTORE_CLUSTER / ACTION_RESTORE_INSTANCE (resource: the new cluster /
 * the instance; started_at >= requested_at: this request's); the new cluster is among `clusters` once AWS
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
/* How long a restore that AWS accepted may stay unseen before the request fails. */
#define PLAN_RESTORE_UNSEEN_SEC (15 * 60)

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

enum snapshot_origin {
        ORIGIN_AUTOMATED,
        ORIGIN_AWS_BACKUP,
        ORIGIN_AWS_BACKUP_CONTINUOUS,
        ORIGIN_AGENT,
        ORIGIN_FOREIGN_MANUAL,
        _ORIGIN_MAX,
};

/* The value of tag `key` ("" when it has none), or NULL when absent; the first occurrence wins. */
const char *plan_tag_get(const struct tag *tags, size_t n, const char *key);

/* Whether policy `p`, working in `region` (its own, the agent's or the environment's), selects cluster
 * `c`: same region, one of its globs matches (no globs: every cluster), and every match tag matches.
 * The planner gives a cluster to the first policy, in config order, that selects it. */
bool plan_policy_selects(const struct policy *p, const char *region, const struct observed_cluster *c);
/* The shard (1..n) of a policy name: FNV-1a 64 mixed by murmur3's finaliser, mod n, plus 1. */
unsigned plan_policy_shard(const char *name, unsigned n);
/* agent.shard "i/n": this agent handles the policies whose name is in shard i (plan_policy_shard). A
 * cluster whose policy belongs to another shard is left to that shard's agent: this one plans nothing
 * for it and deletes none of its snapshots. Always true without sharding. */
bool plan_policy_in_shard(const struct agent_settings *agent, const struct policy *p);

/* The agent's own tags on a snapshot, read in one pass; the first occurrence of a key wins. */
struct snapshot_agent_tags {
        const char *managed_by; /* TAG_MANAGED_BY, or NULL */
        const char *policy;     /* TAG_POLICY, or NULL */
        const char *slot;       /* TAG_SLOT, or NULL */
        const char *copy;       /* PLAN_TAG_COPY, or NULL */
        bool hold;              /* TAG_HOLD present (any value) */
};
void snapshot_agent_tags_read(const struct observed_snapshot *s, struct snapshot_agent_tags *ret);

/* Whether `identifier` is the name the agent gives a snapshot of `cluster` for the slot `slot_tag` names
 * (ISO 8601 exactly as the agent writes it, "2026-11-24T02:15:00Z"), as the kind of copy `copy_tag` says:
 * no copy tag: plan_snapshot_identifier(prefix, cluster, slot); "copy:<region>": the same (a copy in
 * another region) or that + "-copy" (same region); "share": that + "-share". */
bool snapshot_identifier_is_agents(const char *prefix, const char *cluster, const char *identifier,
                                   const char *slot_tag, const char *copy_tag);

/* Where a snapshot comes from. Identifier prefixes first (awsbackup:, continuous:, rds:), then
 * SnapshotType automated; ORIGIN_AGENT needs all of: TAG_MANAGED_BY = TAG_MANAGED_BY_VALUE, a slot tag,
 * and an identifier that agrees with both (snapshot_identifier_is_agents, with agent.snapshot_prefix).
 * Anything else is foreign. Which policy owns an agent snapshot (TAG_POLICY) is the planner's question. */
enum snapshot_origin snapshot_origin_of(const struct observed_snapshot *s,
                                        const struct snapshot_agent_tags *t, const char *prefix);
enum snapshot_origin snapshot_classify(const struct observed_snapshot *s, const char *prefix);
/* The regional manual-snapshot quota counts the agent's and foreign manual snapshots: not automated,
 * AWS Backup or continuous ones. */
bool snapshot_origin_counts_toward_quota(enum snapshot_origin o);
const char *snapshot_origin_to_string(enum snapshot_origin o);
/* Whether sharing `s` needs a copy first: automated and AWS Backup snapshots must be copied to a manual
 * one; snapshots under the AWS-managed RDS key (no key, alias/aws/rds, or kms_key_aws_managed) must be
 * re-encrypted with a customer key. */
bool snapshot_share_needs_copy(const struct observed_snapshot *s, const char *prefix);
bool snapshot_uses_aws_managed_key(const struct observed_snapshot *s);

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

enum delete_reason {
        DELETE_NONE,
        DELETE_MAX_AGE,  /* older than max_age */
        DELETE_NOT_KEPT, /* no keep rule selects it */
};

/* Which retention group judged a snapshot. */
enum verdict_group {
        GROUP_NONE,
        GROUP_PRIMARY,
        GROUP_COPY,
        GROUP_SHARE_COPY,
        GROUP_AWS_BACKUP,
};

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

struct plan_arena;

/* All strings and arrays of a plan live in its arena: the plan does not borrow from the input. */
struct plan {
        int64_t now;
        struct plan_action *actions; /* deletions, then creations, copies, shares, exports, then the rest */
        size_t n_actions;
        struct snapshot_verdict *verdicts; /* sorted by region, cluster, newest first, identifier */
        size_t n_verdicts;
        struct plan_next_slot *next_slots; /* one per selected cluster with a valid window, sorted like
                                              the selected clusters (region, identifier) */
        size_t n_next_slots;
        int64_t next_wakeup;
        struct plan_arena *arena;
};

/* The manual snapshot limit policy `p` works under in `region` (see Quota above). */
int64_t plan_quota_limit(const struct plan_input *in, const struct policy *p, const char *region);

/* Plans one cycle. Returns 0 and a new plan in *ret, or -ENOMEM / -EINVAL (ret untouched). */
int plan_build(const struct plan_input *in, struct plan **ret);
struct plan *plan_free(struct plan *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct plan *, plan_free);

/* Deterministic text, used by `aurora-backupctl plan` and the journal. */
int plan_format(const struct plan *p, FILE *f);
/* The same text in a new NUL-terminated string. */
int plan_format_string(const struct plan *p, char **ret);
/* One "next-slot policy=... cluster=... slot=... window=... then=..." line per plan->next_slots, after
 * plan_format()'s text in `aurora-backupctl plan` and a dry run. */
int plan_format_next_slots(const struct plan *p, FILE *f);
void plan_next_slot_write(const struct plan_next_slot *n, FILE *f);
/* One action, one line (no newline), for the journal. */
int plan_action_format(const struct plan_action *a, char **ret);
/* One verdict, one line (no newline): "keep ..." or "delete ...". */
int plan_verdict_format(const struct snapshot_verdict *v, char **ret);
/* Names used in the text: "delete-rds", "max-age", "primary", "newest", ... */
const char *delete_reason_to_string(enum delete_reason r);
const char *verdict_group_to_string(enum verdict_group g);
const char *keep_reason_to_string(enum keep_reason r); /* one bit */

/* Deterministic snapshot identifier "<prefix>-<cluster>-<yyyymmddthhmm>" (slot start, UTC), a valid
 * RDS identifier: <= 63 characters of letters, digits and hyphens, starting with a letter, no "--",
 * no trailing hyphen. Other characters become hyphens, upper case becomes lower case; a long cluster
 * name is shortened and given an 8-hex-digit hash of the full name. */
#define PLAN_SNAPSHOT_ID_MAX 64
int plan_snapshot_identifier(const char *prefix, const char *cluster, int64_t slot_start,
                             char buf[static PLAN_SNAPSHOT_ID_MAX]);
/* `base` + "-" + `suffix`, shortened with a hash of `base` to fit in maxlen (<= 63) characters. */
int plan_identifier_with_suffix(const char *base, const char *suffix, size_t maxlen,
                                char buf[static PLAN_SNAPSHOT_ID_MAX]);
bool plan_identifier_is_valid(const char *s, size_t maxlen);

/* The primary instance of an operator's restored cluster: "<new cluster>-1" (shortened likewise). */
int plan_restore_instance_identifier(const char *new_cluster, char buf[static PLAN_SNAPSHOT_ID_MAX]);
/* The value of TAG_RESTORED_FROM for a request: the snapshot, "<cluster>@<ISO time>" or "<cluster>@latest".
 * Returns 0, or -EINVAL / -ENAMETOOLONG (AWS takes 256 characters). */
#define PLAN_RESTORED_FROM_MAX 257
int plan_restored_from(const struct restore_order *o, char buf[static PLAN_RESTORED_FROM_MAX]);

/* ---- Restore drills (policy restore_test): when one is due and what its cluster is called. ---- */

/* The period of `every` that contains `now`: it starts at 00:00 UTC of the latest day the schedule
 * selects (for "every:Nh", at the latest multiple of N hours since the epoch) and ends where the next
 * one starts. One drill is due per period. Returns 0, or -EINVAL for a bad schedule. */
int restore_drill_period(const struct schedule *every, int64_t now, int64_t *ret_start, int64_t *ret_end);

/* "<prefix>-rt-": every drill cluster's identifier starts with it (the teardown refuses any other). */
int restore_drill_prefix(const char *snapshot_prefix, char buf[static PLAN_SNAPSHOT_ID_MAX]);

/* The drill cluster of `cluster` for the period starting at `period_start`:
 * "<prefix>-rt-<cluster>-<yyyymmdd>", a valid RDS cluster identifier (<= 63 characters; a long cluster
 * name is shortened with a hash of it, keeping "<prefix>-rt-" and the date). */
int restore_drill_cluster_identifier(const char *snapshot_prefix, const char *cluster, int64_t period_start,
                                     char buf[static PLAN_SNAPSHOT_ID_MAX]);

/* The primary instance of a drill cluster: "<drill cluster>-1" (shortened likewise). */
int restore_drill_instance_identifier(const char *drill_cluster, char buf[static PLAN_SNAPSHOT_ID_MAX]);

/* Whether a cluster may be torn down as a drill: it carries TAG_MANAGED_BY = TAG_MANAGED_BY_VALUE and
 * TAG_RESTORE_TEST (non-empty), and its identifier starts with "<prefix>-rt-". */
bool restore_drill_cluster_is_ours(const char *snapshot_prefix, const struct observed_cluster *c);
