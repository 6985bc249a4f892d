/* Quota, per region (plan.h): the manual non-AWS-Backup snapshots observed, plus creates and copies the
 * ledger started and nobody has observed yet, minus this cycle's deletions; each create or copy then
 * takes room under the asking policy's limit - reserve, or does not happen. */
#include "plan-quota.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "plan-builder.h"
#include "plan-index.h"
#include "time-util.h"

static struct quota_region *quota_region(struct builder *b, const char *region)
{
        region = plan_str(region);
        for (size_t i = 0; i < b->n_quota; i++)
                if (streq(b->quota[i].region, region))
                        return &b->quota[i];
        if (ARRAY_GROW(b->quota, b->cap_quota, b->n_quota) < 0) {
                b->error = b->error ?: -ENOMEM;
                return NULL;
        }
        /* The plan's shared copy, so that actions' regions compare by pointer. */
        const char *copy = arena_intern(b->arena, region);
        if (!copy)
                return NULL;
        b->quota[b->n_quota] = (struct quota_region){.region = copy};
        return &b->quota[b->n_quota++];
}

int64_t plan_quota_count(struct builder *b, const char *region)
{
        struct quota_region *q = quota_region(b, region);
        return q ? q->count : 0;
}

int64_t plan_quota_limit(const struct plan_input *in, const struct policy *p, const char *region)
{
        if (p->quota_limit > 0)
                return p->quota_limit;
        for (size_t i = 0; i < in->n_account_quotas; i++)
                if (streq_ptr(in->account_quotas[i].region, region) && in->account_quotas[i].max >= 0)
                        return in->account_quotas[i].max;
        return CONFIG_DEFAULT_QUOTA_LIMIT;
}

const char *plan_quota_describe(struct builder *b, const char *region, const struct policy *p)
{
        return arena_printf(b->arena,
                            "%" PRId64 " manual snapshots after this cycle's deletions, limit %" PRId64
                            "%s - reserve %u",
                            plan_quota_count(b, region), plan_quota_limit(b->in, p, region),
                            p->quota_limit > 0 ? "" : " (the account's)", p->quota_reserve);
}

void plan_quota_exhausted(struct builder *b, const struct cluster_plan *cp, const char *region,
                          const char *snapshot, int64_t slot_start, const char *what)
{
        const char *quota = plan_quota_describe(b, region, cp->p);
        plan_add_cluster_action(b, cp,
                                (struct plan_action){
                                    .kind = ACTION_QUOTA_EXHAUSTED,
                                    .region = region,
                                    .snapshot = snapshot,
                                    .slot_start = slot_start,
                                    .rule = what ? arena_printf(b->arena, "%s: %s", what, quota) : quota,
                                });
}

int64_t quota_room_after_retention(struct builder *b, const char *region, const struct policy *p)
{
        int64_t limit = plan_quota_limit(b->in, p, region);
        int64_t room = limit > p->quota_reserve ? limit - p->quota_reserve : 0;
        /* plan_quota_count_observed() already took away retention's deletions: quota frees no more. */
        return room - plan_quota_count(b, region);
}

bool plan_quota_take(struct builder *b, const char *region, const struct policy *p)
{
        struct quota_region *q = quota_region(b, region);
        if (!q || quota_room_after_retention(b, region, p) < 1)
                return false;
        q->count++;
        return true;
}

void plan_quota_count_observed(struct builder *b)
{
        struct quota_region *q = NULL;
        for (size_t k = 0; k < b->n_pairs; k++) {
                const struct snap_pair *pair = &b->pairs[k];
                int64_t n = 0;
                for (size_t i = pair->lo; i < pair->hi; i++)
                        n += snapshot_origin_counts_toward_quota(b->snaps[i].origin);
                if (n > 0 && (q = quota_region(b, pair->region)))
                        q->count += n;
        }
        for (size_t i = 0; i < b->in->n_ledger; i++) {
                const struct ledger_action *l = &b->in->ledger[i];
                if ((l->kind == ACTION_CREATE || l->kind == ACTION_COPY) &&
                    !plan_snap_find(b, l->region, l->cluster_identifier, l->snapshot_identifier) &&
                    (q = quota_region(b, l->region)))
                        q->count++;
        }
        q = NULL;
        for (size_t i = 0; i < b->n_actions; i++) {
                const struct plan_action *a = &b->actions[i];
                if (a->kind != ACTION_DELETE_RDS)
                        continue;
                /* Region names in actions are the plan's shared copies: equal names, equal pointers. */
                if (!q || q->region != plan_str(a->region))
                        q = quota_region(b, a->region);
                if (q)
                        q->count--;
        }
}
