/* sd_notify for the daemon: readiness, reload, stop, watchdog and a one-line STATUS. Outside systemd
 * ($NOTIFY_SOCKET unset) every call does nothing and returns 0. */
#pragma once

#include <stdint.h>

#include "macro.h"

/* Each returns 1 if the message was sent, 0 if there is no service manager, or a negative errno. */
int notify_ready(void);
/* RELOADING=1 with MONOTONIC_USEC, as Type=notify-reload expects; follow with notify_ready(). */
int notify_reloading(void);
int notify_stopping(void);
int notify_watchdog(void);
/* STATUS=<formatted text>, newlines flattened so that systemctl status shows one line. */
int notify_status(const char *fmt, ...) _printf_(1, 2);

/* What `systemctl status` shows about the agent. */
struct notify_summary {
        int64_t next_slot;        /* UTC epoch seconds; 0: nothing scheduled */
        const char *next_cluster; /* the cluster of that slot, or NULL */
        unsigned clusters;        /* clusters selected by the policies */
        unsigned quota_used;      /* manual snapshots counted against the quota (the fullest region) */
        unsigned quota_limit;     /* limit - reserve of that region; 0: no quota configured */
        const char *last_error;   /* NULL: none */
};
/* "Next slot 2023-11-14T22:00:00Z (db-a); 12 clusters; quota 40/95; last error: ..." */
int notify_format_summary(const struct notify_summary *s, char **ret);
int notify_status_summary(const struct notify_summary *s);
