/* The pure planner's public interface: observed world + validated policy + now -> plan.
 * No I/O, no clock, no AWS calls; the same input always gives byte-identical plan_format() text. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "agent-config.h"

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
};

#define OBSERVED_TIME_UNKNOWN INT64_MIN /* create time not yet known (snapshot still creating) */

struct observed_snapshot {
        const char *identifier;
        const char *arn;
        const char *cluster_identifier;
        const char *region;
        const char *status;        /* "available", "creating", "copying", ... */
        const char *snapshot_type; /* "manual", "automated", "awsbackup", ... */
        int64_t create_time;       /* UTC seconds, or OBSERVED_TIME_UNKNOWN */
        bool encrypted;
        const char *kms_key_id;
        const struct tag *tags;
        size_t n_tags;
        int64_t allocated_storage_gib;
        const char *source_arn; /* for copies: SourceDBClusterSnapshotArn; else NULL */
};

enum action_kind {
        ACTION_CREATE,
        ACTION_DELETE_RDS,
        ACTION_DELETE_BACKUP,
        ACTION_COPY,
        ACTION_SHARE,
        ACTION_EXPORT,
        ACTION_POLL,
        ACTION_MISSED,          /* verdict event: a slot's window closed with no snapshot */
        ACTION_QUOTA_EXHAUSTED, /* verdict event: no room for a create/copy */
        ACTION_REFUSED, /* verdict event: e.g. share of an AWS-managed-key snapshot without share.kms_key */
        _ACTION_KIND_MAX,
};

/* The ledger's open (not yet confirmed) actions, and the window history. */
struct ledger_action {
        enum action_kind kind;
        const char *cluster_identifier;
        const char *snapshot_identifier;
        int64_t slot_start;
        const char *region;
};

struct window_history_entry {
        const char *cluster_identifier;
        int64_t slot_start;
        bool taken; /* false: missed, already reported */
};

struct plan_input {
        const struct agent_config *config;
        const struct observed_cluster *clusters;
        size_t n_clusters;
        const struct observed_snapshot *snapshots;
        size_t n_snapshots;
        const struct ledger_action *ledger;
        size_t n_ledger;
        const struct window_history_entry *history;
        size_t n_history;
        int64_t now;
};

enum snapshot_origin {
        ORIGIN_AUTOMATED,
        ORIGIN_AWS_BACKUP,
        ORIGIN_AWS_BACKUP_CONTINUOUS,
        ORIGIN_AGENT,
        ORIGIN_FOREIGN_MANUAL,
};

enum snapshot_origin snapshot_classify(const struct observed_snapshot *s);

/* Retention reasons, as a bit set on a verdict. */
enum keep_reason {
        KEEP_LAST = 1u << 0,
        KEEP_DAILY = 1u << 1,
        KEEP_WEEKLY = 1u << 2,
        KEEP_MONTHLY = 1u << 3,
        KEEP_YEARLY = 1u << 4,
        KEEP_WITHIN = 1u << 5,
        KEEP_MIN = 1u << 6,
        KEEP_HOLD = 1u << 7,
        KEEP_NEWEST = 1u << 8,
        KEEP_IN_PROGRESS = 1u << 9,
        KEEP_UNEXPIRED = 1u << 10, /* only max_age set: younger than max_age */
        KEEP_ORIGIN = 1u << 11,    /* never deletable because of its origin */
};

struct plan_action {
        enum action_kind kind;
        char *policy;
        char *cluster;
        char *snapshot;      /* the snapshot acted on or created */
        char *target_region; /* copies */
        int64_t slot_start;  /* creates and missed */
        char *rule;          /* the rule that caused it, e.g. "schedule daily 02:00-03:00", "max_age" */
        struct tag *tags;    /* tags the agent writes (creates, copies) */
        size_t n_tags;
};

struct snapshot_verdict {
        char *snapshot;
        enum snapshot_origin origin;
        bool deleted;
        unsigned keep_reasons; /* enum keep_reason bits */
        char *reason;          /* human text: kept by which rules, or deleted because of which */
};

struct plan {
        struct plan_action *actions;
        size_t n_actions;
        struct snapshot_verdict *verdicts;
        size_t n_verdicts;
        int64_t next_wakeup;
};

/* Plans one cycle. Returns 0 and a new plan in *ret, or -ENOMEM / -EINVAL (ret untouched). */
int plan_build(const struct plan_input *in, struct plan **ret);
struct plan *plan_free(struct plan *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct plan *, plan_free);

/* Deterministic text, used by `aurora-backupctl plan` and the journal. */
int plan_format(const struct plan *p, FILE *f);
int plan_format_buffer(const struct plan *p, char **ret);

/* Deterministic snapshot identifier "<prefix>-<cluster>-<yyyymmddthhmm>", a valid RDS identifier
 * (<= 63 chars); long cluster names are shortened and given a hash suffix. */
#define PLAN_SNAPSHOT_ID_MAX 64
int plan_snapshot_identifier(const char *prefix, const char *cluster, int64_t slot_start,
                             char buf[static PLAN_SNAPSHOT_ID_MAX]);
