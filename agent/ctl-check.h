/* aurora-backupctl check: monitoring-plugin verdict on snapshot freshness and agent health. */
#pragma once

#include <stdint.h>
#include <stdio.h>

#include "agent-config.h"
#include "ctl-context.h"

/* Monitoring-plugin exit codes; ordered so that the worse verdict is the larger number except UNKNOWN. */
enum ctl_check_status {
        CHECK_OK = 0,
        CHECK_WARNING = 1,
        CHECK_CRITICAL = 2,
        CHECK_UNKNOWN = 3,
        _CHECK_STATUS_MAX,
};
const char *ctl_check_status_to_string(enum ctl_check_status s);
/* The worse of two verdicts (CRITICAL > WARNING > UNKNOWN > OK, as monitoring plugins rank them). */
enum ctl_check_status ctl_check_worse(enum ctl_check_status a, enum ctl_check_status b);

/* The policy's thresholds: its check_warning_sec / check_critical_sec, or 1.5 / 2.5 schedule periods
 * where those are unset (0). */
void ctl_check_thresholds(const struct policy *p, int64_t *ret_warning, int64_t *ret_critical);
/* Freshness of a cluster whose newest available agent snapshot was created at `newest` (0: none). */
enum ctl_check_status ctl_check_freshness(int64_t now, int64_t newest, int64_t warning, int64_t critical);
/* Is the state stale (the agent not running)? `last_activity` is the newest cycle start or finish or
 * inventory observation (0: none); stale when older than two reconcile intervals. */
bool ctl_check_state_stale(int64_t now, int64_t last_activity, int64_t reconcile_interval_sec);

/* Run the check and print the one status line with perfdata (or JSON); returns the exit code. */
int ctl_check(const struct ctl_options *o, FILE *out, FILE *err);
