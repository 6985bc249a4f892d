/* What the planner needs to know before it shares a snapshot, learnt only for the snapshots a plan would
 * share: whether the snapshot's KMS key is AWS-managed (such snapshots cannot be shared with other
 * accounts: they are copied to share.kms_key first), and whom it is shared with already (so that sharing
 * settles after one call instead of repeating every cycle). */
#pragma once

#include "agent-internal.h"
#include "observation.h"
#include "plan.h"

/* How long what the agent learnt of a snapshot's "restore" attribute is trusted before it is read again
 * (someone else may have changed it). */
#define SHARE_FACTS_TTL_SEC 3600

/* For each share in plan `p`: fills the snapshot's kms_key_aws_managed (KMS DescribeKey, once per key for
 * the agent's lifetime) and shared_accounts (DescribeDBClusterSnapshotAttributes, cached for
 * SHARE_FACTS_TTL_SEC) in the observation's views. Returns the number of views that changed (plan again),
 * or -ENOMEM. AWS errors are reported as api-error events once and leave the fact unknown (the planner
 * then shares as before). */
int share_facts_fill(struct agent *a, struct observation *o, const struct plan *p);
