/* The validated agent configuration: what config_load() produces and everything else reads.
 * All durations are seconds; all windows are UTC minutes of the day. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "macro.h"

/* "hh24:mi-hh24:mi" in UTC. end < start means the window wraps midnight. */
struct window {
        int start_min; /* 0..1439 */
        int end_min;   /* 0..1439 */
};

enum schedule_kind {
        SCHEDULE_DAILY,
        SCHEDULE_WEEKLY,   /* weekday */
        SCHEDULE_MONTHLY,  /* mday, or last */
        SCHEDULE_INTERVAL, /* "every:6h": slots every interval_sec, aligned to the window start */
};

struct schedule {
        enum schedule_kind kind;
        int weekday;          /* 0 = Sunday .. 6 = Saturday, for SCHEDULE_WEEKLY */
        int mday;             /* 1..28, or SCHEDULE_MDAY_LAST, for SCHEDULE_MONTHLY */
        int64_t interval_sec; /* for SCHEDULE_INTERVAL; at least one hour */
};
#define SCHEDULE_MDAY_LAST (-1)

/* Restic-style retention. A count of 0 and a duration of 0 mean "rule not set". */
struct retention {
        unsigned keep_last;
        unsigned daily;
        unsigned weekly;
        unsigned monthly;
        unsigned yearly;
        int64_t keep_within_sec; /* measured back from the newest available snapshot */
        int64_t max_age_sec;     /* anything older is expired */
        unsigned min_keep;       /* floor: never fewer available snapshots than this */
};

struct tag {
        char *key;
        char *value;
};

struct copy_target {
        char *region;
        char *kms_key; /* NULL: keep the source's key (same-account, same-region key semantics) */
        bool copy_tags;
        struct retention retention;
        unsigned line;
};

struct share_spec {
        char **accounts; /* 12-digit account ids; empty: no sharing */
        char *kms_key;   /* customer-managed key to re-encrypt AWS-managed-key snapshots before sharing */
};

struct export_spec {
        bool enabled;
        char *bucket;
        char *prefix;
        char *iam_role;
        char *kms_key;
        struct schedule every;
};

/* restore_test.source: what a drill restores. */
enum restore_source {
        RESTORE_SOURCE_SNAPSHOT,      /* "snapshot": the newest available agent snapshot (default) */
        RESTORE_SOURCE_POINT_IN_TIME, /* "point-in-time": the cluster at its latest restorable time */
        _RESTORE_SOURCE_MAX,
};

struct restore_test_spec {
        bool enabled;
        enum restore_source source;
        struct schedule every;
        char *instance_class;
        unsigned keep_minutes;
        char *probe_command;
        unsigned probe_command_line; /* in the policy's file, for messages */
};

struct assume_role_spec {
        char *role_arn; /* NULL: the agent's own credentials */
        char *external_id;
};

struct policy {
        char *name;
        char *file; /* where the policy was defined, for messages */
        unsigned line;
        unsigned index; /* within its file: the N of "policies.[N]" in messages */

        char **clusters;        /* globs on cluster identifiers (fnmatch) */
        struct tag *match_tags; /* every tag must match */
        size_t n_match_tags;
        char *region; /* NULL: agent.region */

        struct schedule every;
        bool window_from_cluster; /* use the cluster's PreferredBackupWindow */
        struct window window;     /* when !window_from_cluster */

        struct retention retention;

        unsigned quota_limit;   /* manual, non-AWS-Backup cluster snapshots per region; 0: the account's */
        unsigned quota_reserve; /* kept free for humans and other tools */

        bool aws_backup_manage;
        struct retention aws_backup_retention;

        struct copy_target *copies;
        size_t n_copies;
        struct share_spec share;
        struct export_spec export_;
        struct restore_test_spec restore_test;
        struct assume_role_spec assume_role;

        /* `aurora-backupctl check`: the newest available snapshot older than these is WARNING / CRITICAL.
         * Defaults: 1.5 and 2.5 schedule periods (schedule_period_sec()). */
        int64_t check_warning_sec;
        int64_t check_critical_sec;
        /* The cluster's newest restorable point (newest available snapshot of any origin, or its
         * LatestRestorableTime) older than this is WARNING. 0 (unset): check_warning_sec. */
        int64_t check_rpo_warning_sec;
};

struct agent_settings {
        char *region;          /* NULL: from the environment or instance metadata */
        char *state_directory; /* NULL: $STATE_DIRECTORY, else the build default */
        int64_t reconcile_interval_sec;
        int64_t inventory_interval_sec; /* full inventory refresh; targeted looks in between */
        unsigned max_concurrent_calls;  /* AWS calls in flight per region, and clusters acted on at once */
        bool dry_run;
        char *snapshot_prefix;
        char *ca_bundle; /* NULL: the system's trust store */
        int64_t connect_timeout_sec;
        int64_t request_timeout_sec;
        char *prometheus_textfile;    /* NULL: none */
        unsigned shard_index;         /* shard = "i/n": this agent handles policies hashing to i (1-based) */
        unsigned shard_count;         /* 0: no sharding */
        char *control_socket;         /* aurora-backupctl's AF_UNIX socket (agent/control.c) */
        char *control_group;          /* besides root, members of this group may use it */
        int64_t problem_critical_sec; /* check: an unresolved problem older than this is CRITICAL */
        char *sns_topic; /* NULL: no notifications; else a standard topic's ARN (agent/notifier.c) */
};

struct arena;

/* Every string of a config, and its policies' tag and copy arrays, live in its arena. */
struct agent_config {
        struct arena *arena;
        char *path; /* the main file */
        struct agent_settings agent;
        struct policy *policies;
        size_t n_policies;
};

/* One validation error: where, which setting, what is wrong and what would be valid. */
struct config_diag {
        char *file;
        unsigned line; /* 0 when the setting is absent (a missing required setting) */
        char *setting; /* e.g. "policies.[1].retention.daily" */
        char *message;
};

struct config_diags {
        struct config_diag *items;
        size_t n;
};

/* Load the main file and policies.d/ (*.conf, name order) beside it, into a fresh config built from
 * defaults. On any error returns -EINVAL, leaves *ret untouched and fills `diags` with every error found.
 * I/O errors on the main file return a negative errno (and a diag). Never contacts AWS. */
int config_load(const char *path, struct agent_config **ret, struct config_diags *diags);

struct agent_config *agent_config_free(struct agent_config *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct agent_config *, agent_config_free);

/* Warnings about a loaded config that do not make it invalid (config-warn.c): each file holding a
 * probe_command, a command the agent runs as itself, that group or others may write. `ret` gets one
 * diag per such file (file, probe_command's line, setting path, the file's mode). Never fails but for
 * -ENOMEM; a file that cannot be examined any more is left out. */
int config_warnings(const struct agent_config *c, struct config_diags *ret);

void config_diags_clear(struct config_diags *d);
/* "file:line: setting: message", one per line. */
void config_diags_print(const struct config_diags *d, FILE *f);

/* Defaults that the planner and the agent also rely on. */
#define CONFIG_DEFAULT_RECONCILE_INTERVAL_SEC (15 * 60)
#define CONFIG_DEFAULT_INVENTORY_INTERVAL_SEC (60 * 60)
#define CONFIG_DEFAULT_PROBLEM_CRITICAL_SEC (24 * 60 * 60)
/* The account's RDS request rate is shared with every other tool: a few at a time is plenty. */
#define CONFIG_DEFAULT_MAX_CONCURRENT_CALLS 4
#define CONFIG_MAX_CONCURRENT_CALLS 16
#define CONFIG_DEFAULT_SNAPSHOT_PREFIX "aba"
/* The limit assumed when quota.limit is unset and the account's (DescribeAccountAttributes) is unknown:
 * AWS's default ManualClusterSnapshots quota. */
#define CONFIG_DEFAULT_QUOTA_LIMIT 100
#define CONFIG_DEFAULT_QUOTA_RESERVE 5
#define CONFIG_MIN_WINDOW_MINUTES 30
#define CONFIG_DEFAULT_CONNECT_TIMEOUT_SEC 10
#define CONFIG_DEFAULT_REQUEST_TIMEOUT_SEC 60
#define CONFIG_DEFAULT_RESTORE_TEST_KEEP_MINUTES 30
#define CONFIG_DEFAULT_EXPORT_EVERY "monthly:1"
#define CONFIG_DEFAULT_RESTORE_TEST_EVERY "monthly:1"
#define CONFIG_POLICIES_DIR "policies.d"
#define CONFIG_DEFAULT_CONTROL_SOCKET "/run/aurora-backup/control"
#define CONFIG_DEFAULT_CONTROL_GROUP "aurora-backup"
/* sizeof(struct sockaddr_un.sun_path) - 1 */
#define CONFIG_CONTROL_SOCKET_MAX 107

/* Tags the agent writes on what it owns. */
#define TAG_MANAGED_BY "aurora-backup:managed-by"
#define TAG_MANAGED_BY_VALUE "aurora-backup-agent"
#define TAG_POLICY "aurora-backup:policy"
#define TAG_SLOT "aurora-backup:slot"
#define TAG_HOLD "aurora-backup:hold"
/* On a restore drill's cluster: the cluster it was restored from. The planner never manages it. */
#define TAG_RESTORE_TEST "aurora-backup:restore-test"
/* On a cluster restored for an operator (aurora-backupctl restore): where it came from (a snapshot, or
 * "<cluster>@<time>" / "<cluster>@latest"), and the request that made it. Never with TAG_MANAGED_BY or
 * TAG_RESTORE_TEST: such a cluster is the operator's, never a drill, never deleted by the agent. */
#define TAG_RESTORED_FROM "aurora-backup:restored-from"
#define TAG_RESTORE_REQUEST "aurora-backup:restore-request"
