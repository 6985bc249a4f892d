/* One policy group ("policies.[i]") to a struct policy: defaults, types, ranges and the rules that
 * involve only that policy. Rules across policies live in config.c. */
#pragma once

#include "agent-config.h"
#include "config-read.h"

/* Limits on what one policy may list (external input is capped). */
#define POLICY_COPIES_MAX 16
#define POLICY_CLUSTERS_MAX 256
#define POLICY_MATCH_TAGS_MAX 50
#define POLICY_SHARE_ACCOUNTS_MAX 20 /* RDS shares a manual snapshot with at most 20 accounts */
#define RETENTION_COUNT_MAX 10000
#define QUOTA_LIMIT_MAX 10000

/* Parse `n` into `ret` (which the caller zeroed). Errors go to ctx. Whatever parsed is kept even when
 * something else was wrong, so that cross-policy checks still see the name and selector; the caller
 * frees `ret` with policy_done() in every case (its strings and arrays are in ctx's arena; it owns its
 * two lists and the external id). `agent` supplies the default region. Returns 0, or
 * -EINVAL when this policy had errors. */
int config_policy_parse(struct conf_ctx *ctx, const struct conf_node *n, const struct agent_settings *agent,
                        struct policy *ret);
void policy_done(struct policy *p);

/* The region a policy works in: its own, else the agent's; NULL when both come from the environment. */
const char *policy_region(const struct policy *p, const struct agent_settings *agent);
/* A retention with at least one rule that lets snapshots go (a count, keep_within or max_age). */
bool retention_has_rule(const struct retention *r);
