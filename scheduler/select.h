/* Which policy selects a cluster, and which policies this agent's shard handles. */
#pragma once

#include <stdbool.h>

#include "agent-config.h"
#include "plan-input.h"

/* Whether policy `p`, working in `region` (its own, the agent's or the environment's), selects cluster
 * `c`: same region, one of its globs matches (no globs: every cluster), and every match tag matches.
 * The planner gives a cluster to the first policy, in config order, that selects it. */
bool plan_policy_selects(const struct policy *p, const char *region, const struct observed_cluster *c);
/* The shard (1..n) of a policy name: FNV-1a 64 mixed by murmur3's finaliser, mod n, plus 1. */
unsigned plan_policy_shard(const char *name, unsigned n);
/* agent.shard "i/n": this agent handles the policies whose name is in shard i (plan_policy_shard). A
 * cluster whose policy belongs to another shard is left to that shard's agent: this one plans nothing
 * for it and deletes none of its snapshots. Always true without sharding. */
bool plan_policy_in_shard(const struct agent_settings *agent, const struct policy *p);
