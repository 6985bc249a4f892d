/* Structured events for operators: one MESSAGE_ID per kind, sent to journald, or as one readable line
 * to stderr when stderr is not the journal. Explained in systemd/aurora-backup-agent.catalog. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "macro.h"

enum journal_event {
        EVENT_SNAPSHOT_STARTED,
        EVENT_SNAPSHOT_CREATED,
        EVENT_SNAPSHOT_FAILED,
        EVENT_SNAPSHOT_DELETED, /* RDS DeleteDBClusterSnapshot */
        EVENT_BACKUP_DELETED,   /* AWS Backup recovery point deleted and confirmed gone */
        EVENT_DELETE_FAILED,
        EVENT_RETENTION_VERDICT,
        EVENT_WINDOW_MISSED,
        EVENT_QUOTA_EXHAUSTED,
        EVENT_API_ERROR,
        EVENT_CONFIG_RELOADED,
        EVENT_CONFIG_REJECTED,
        EVENT_CYCLE_SUMMARY,
        EVENT_BACKUP_DELETE_EXPIRED, /* DeleteRecoveryPoint answered 200 but the point is only EXPIRED */
        EVENT_BACKUP_VAULT_LOCKED,   /* the vault's lock refuses deletion */
        EVENT_COPY_STARTED,
        EVENT_COPY_COMPLETED,
        EVENT_COPY_FAILED,
        EVENT_SHARE_STARTED,
        EVENT_SHARE_COMPLETED,
        EVENT_SHARE_FAILED,
        EVENT_EXPORT_STARTED,
        EVENT_EXPORT_COMPLETED,
        EVENT_EXPORT_FAILED,
        EVENT_RESTORE_STARTED,
        EVENT_RESTORE_COMPLETED,
        EVENT_RESTORE_FAILED,
        EVENT_SNAPSHOT_DEFERRED,  /* in the window, but the cluster is not available: retry planned */
        EVENT_ACTION_REFUSED,     /* a configured step cannot be done safely (says why) */
        EVENT_ACTION_UNCONFIRMED, /* a mutating call's answer was lost: settled by the next cycle */
        EVENT_QUOTA_MISMATCH,  /* the account's snapshot quota disagrees with the config or the agent's count
                                */
        EVENT_CONFIG_WARNING,  /* a valid configuration with something unsafe about it (config_warnings) */
        EVENT_CONTROL_REFUSED, /* a control socket caller without permission */
        EVENT_HOLD_CHANGED,    /* aurora-backup:hold set or cleared on a snapshot (aurora-backupctl) */
        EVENT_EXPORT_CANCELED, /* CancelExportTask accepted; exported objects stay */
        EVENT_RESTORE_REQUESTED, /* an operator restore validated and recorded */
        EVENT_METRICS_FAILED,    /* the Prometheus textfile could not be written (says where and why) */
        EVENT_PROBLEM_RESOLVED,  /* a problem kept in the state cleared (issue 14) */
        EVENT_EXPORT_PROGRESS,   /* an export task's status or percent changed (STARTING, IN_PROGRESS) */
        EVENT_RESTORE_INSTANCE_CREATED, /* a drill's primary instance was created (CreateDBInstance) */
        EVENT_RESTORE_TEARDOWN,         /* a drill's instance or cluster is being deleted */
        EVENT_INTENT_SETTLED,           /* recovery closed an intent an earlier run left open */
        EVENT_NOTIFICATION_FAILED,      /* SNS Publish of a notification failed (never published itself) */
        EVENT_NOTIFICATIONS_DROPPED,    /* the notification queue was full: the oldest were dropped */
        _EVENT_MAX,
};

/* The typed fields of an event. Every member is optional: NULL strings are left out. */
struct event_fields {
        const char *policy;     /* AURORA_POLICY */
        const char *cluster;    /* AURORA_CLUSTER */
        const char *snapshot;   /* AURORA_SNAPSHOT */
        const char *action;     /* AURORA_ACTION: create, delete, copy, keep, ... */
        const char *reason;     /* AURORA_REASON: why (retention rule, status, ...) */
        const char *error_code; /* AWS_ERROR_CODE */
        const char *request_id; /* AWS_REQUEST_ID */
        const char *region;     /* AURORA_REGION */
        const char *target;     /* AURORA_TARGET: copy destination, share accounts, export bucket */
        bool has_duration;
        int64_t duration_sec; /* AURORA_DURATION_SEC when has_duration */
        /* More "KEY=value" fields (e.g. cycle counts: "AURORA_CREATED=3"). Keys must be upper case
         * letters, digits and '_', not starting with '_'; others are dropped. NULL-terminated. */
        const char *const *extra;
};

/* Stable identity of each kind, for tests, tools and the catalog. */
const char *journal_event_name(enum journal_event kind);       /* "snapshot-created" */
const char *journal_event_message_id(enum journal_event kind); /* 32 lower-case hex digits */
int journal_event_priority(enum journal_event kind);           /* LOG_INFO, LOG_WARNING, LOG_ERR */

enum journal_sink {
        JOURNAL_SINK_AUTO,    /* journald iff stderr is the journal stream ($JOURNAL_STREAM) and the socket
                                 exists */
        JOURNAL_SINK_JOURNAL, /* journald whenever its socket exists, whatever stderr is */
        JOURNAL_SINK_STDERR,  /* always one line on the stderr stream */
};
/* Choose where events go (default AUTO). */
void journal_set_sink(enum journal_sink sink);
/* Where the next event goes: JOURNAL_SINK_JOURNAL or JOURNAL_SINK_STDERR (AUTO resolved now). */
enum journal_sink journal_sink_resolve(void);
/* The stream of the stderr sink (default stderr; NULL restores it). Tests pass a memstream. */
void journal_set_stream(FILE *f);

/* Send one event. The message is formatted with printf semantics. When journald refuses it, the line
 * goes to the stderr stream instead. Returns 0, or a negative errno if neither took it (the caller has
 * nowhere better to report that, so it usually ignores it). */
int journal_event(enum journal_event kind, const struct event_fields *f, const char *fmt, ...)
    _printf_(3, 4);

/* Called by journal_event() for every event, with the formatted message, before it is sent: the
 * notifier (notifier.h) queues what it publishes. It must not block, call AWS, or emit events itself (an
 * event emitted from inside it is not observed). NULL removes it. */
typedef void (*journal_observer_fn)(enum journal_event kind, int priority, const struct event_fields *f,
                                    const char *message, void *userdata);
void journal_set_observer(journal_observer_fn fn, void *userdata);

/* Format the stderr line of an event into `buf` (used by the stderr sink; exposed for tests). */
int journal_format_line(enum journal_event kind, const struct event_fields *f, const char *message,
                        char **ret);
