/* Quota, per region (see Quota in plan.h): the seed rule "never more than limit - reserve manual
 * (non-AWS-Backup) cluster snapshots; room comes only from what retention already deletes". */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "agent-config.h"
#include "plan-input.h"

struct builder;
struct cluster_plan;

/* The manual snapshot limit policy `p` works under in `region` (see Quota in plan.h). */
int64_t plan_quota_limit(const struct plan_input *in, const struct policy *p, const char *region);

/* Counts what is observed and in the ledger, minus the deletions planned so far. */
void plan_quota_count_observed(struct builder *b);
/* The room left in `region` under policy `p`'s limit - reserve, after the deletions retention planned this
 * cycle and what is observed or in flight: the only room a create or copy may take. May be negative. */
int64_t quota_room_after_retention(struct builder *b, const char *region, const struct policy *p);
/* Takes room for one more snapshot in `region` under the policy's quota; false if there is none. */
bool plan_quota_take(struct builder *b, const char *region, const struct policy *p);
int64_t plan_quota_count(struct builder *b, const char *region);
/* "<n> manual snapshots after this cycle's deletions, limit <l> - reserve <r>", in the plan's arena. */
const char *plan_quota_describe(struct builder *b, const char *region, const struct policy *p);
/* The QUOTA_EXHAUSTED action that takes the place of a create or copy of `snapshot` in `region` for which
 * plan_quota_take() found no room: its rule is the quota in words, after "<what>: " when `what` is not
 * NULL; slot_start is the create's slot (0 for a copy). */
void plan_quota_exhausted(struct builder *b, const struct cluster_plan *cp, const char *region,
                          const char *snapshot, int64_t slot_start, const char *what);
