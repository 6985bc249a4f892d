/* Restore drills (policy restore_test), the agent's side. The planner decides each step
 * (scheduler/plan-drill.c); this file looks at what those decisions need before each plan and carries out
 * the drill actions of a plan, each mutating call preceded by its ledger intent; dry-run makes none. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "act-outcome.h"
#include "agent-internal.h"
#include "observation.h"

/* Before planning (after recovery): the ledger's drill rows into o->drill_records, and the instances of
 * each drill cluster that is the agent's own (DescribeDBInstances with the cluster's identifier: one call a
 * drill in progress, none without one) into o->instances. The drill clusters themselves are in the
 * observation (a full inventory, or the targeted DescribeDBClusters of inventory_look()). Replaces what
 * an earlier call left. Then the operators' restore requests (operator_restores_observe()). Returns 0, or a
 * negative errno (the store or memory failed). */
int restore_drills_observe(struct agent *a, struct observation *o);

/* Whether `dc` is one of the agent's own drills as the drill records in `o` know them (those of the last
 * restore_drills_observe()): named and tagged as its drills, and restored by it. */
bool restore_drill_known(const struct agent *a, const struct observation *o,
                         const struct observed_cluster *dc);

/* The executors of the plan's drill actions, called from act_plan(). Each returns 0 (outcomes are events,
 * counted in `c`) or a negative errno if the state store failed. */
act_executor_fn restore_drill_restore;         /* ACTION_DRILL_RESTORE */
act_executor_fn restore_drill_create_instance; /* ACTION_DRILL_INSTANCE */
act_executor_fn restore_drill_probe;           /* ACTION_DRILL_PROBE */
act_executor_fn restore_drill_teardown;        /* ACTION_DRILL_TEARDOWN */
act_executor_fn restore_drill_failed;          /* ACTION_DRILL_FAILED: reported once per drill */
