/* Operators' restores (aurora-backupctl restore; see plan.h): the next step of each open request, and the
 * names the agent gives what it restores. */
#pragma once

#include "plan-input.h"
#include "snapshot-id.h"

struct builder;

/* The primary instance of an operator's restored cluster: "<new cluster>-1" (shortened likewise). */
int plan_restore_instance_identifier(const char *new_cluster, char buf[static PLAN_SNAPSHOT_ID_MAX]);
/* The value of TAG_RESTORED_FROM for a request: the snapshot, "<cluster>@<ISO time>" or "<cluster>@latest".
 * Returns 0, or -EINVAL / -ENAMETOOLONG (AWS takes 256 characters). */
#define PLAN_RESTORED_FROM_MAX 257
int plan_restored_from(const struct restore_order *o, char buf[static PLAN_RESTORED_FROM_MAX]);

/* After the drills: the next step of each operator's restore request. */
void plan_restores(struct builder *b);
