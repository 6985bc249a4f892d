/* Restore drills (policy restore_test): when one is due, what its cluster and instance are called, and
 * whether a cluster is one of the agent's drills. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "agent-config.h"
#include "plan-input.h"
#include "snapshot-id.h"

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
