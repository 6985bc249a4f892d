/* Operators' restores (aurora-backupctl restore), the agent's side. The control socket validates and records
 * a request (control-restore.c); the planner decides each step (scheduler/plan-restore.c); this file reads
 * the open requests and what their steps need before each plan, and carries out the steps, each mutating
 * call preceded by its ledger intent (LEDGER_OPERATOR_RESTORE / _INSTANCE), its outcome recorded in the
 * request's row (state and phase, which ctl polls) and the journal. The new cluster is the operator's: it
 * is tagged TAG_RESTORED_FROM and TAG_RESTORE_REQUEST, never TAG_MANAGED_BY, and nothing here deletes it. */
#pragma once

#include <stdint.h>

#include "act-outcome.h"
#include "agent-internal.h"
#include "observation.h"

/* How many settled requests `status` shows. */
#define OPERATOR_RESTORES_SHOWN 5

/* Before planning (called by restore_drills_observe()): the open requests into o->restore_orders, and the
 * instances of each new cluster that AWS shows available (DescribeDBInstances filtered on it: one call a
 * request in that phase). Their ledger rows are already among o->drill_records. 0 or a negative errno. */
int operator_restores_observe(struct agent *a, struct observation *o);

/* The first policy working in `region` (its client, its role), or NULL. */
const struct policy *operator_restore_policy(struct agent *a, const char *region);

/* The executors, called from act_one(). Each returns 0 (outcomes are events and request states) or a
 * negative errno when the state store failed. */
act_executor_fn operator_restore_call;            /* ACTION_RESTORE_CLUSTER */
act_executor_fn operator_restore_create_instance; /* ACTION_RESTORE_INSTANCE */
act_executor_fn operator_restore_progress;        /* ACTION_RESTORE_WAIT */
act_executor_fn operator_restore_completed;       /* ACTION_RESTORE_DONE */
act_executor_fn operator_restore_failed;          /* ACTION_RESTORE_FAILED */
