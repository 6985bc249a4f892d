/* plan_build(): the observed world, the config and `now` in; actions, verdicts and the next wake-up out.
 * The passes run in a fixed order so that every deletion is known before quota is spent on creations:
 * retention (verdicts and deletions) -> quota counts -> slots (creations) -> copies, shares, exports
 * -> polls -> restore drills. Inputs are sorted first, so the order of the input arrays never changes the
 * plan. */
#include "plan.h"

#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "plan-builder.h"
#include "plan-copy.h"
#include "plan-drill.h"
#include "plan-index.h"
#include "plan-judge.h"
#include "plan-poll.h"
#include "plan-quota.h"
#include "plan-restore.h"
#include "plan-slot.h"
#include "select.h"
#include "slot.h"
#include "snapshot-id.h"
#include "strv.h"
#include "time-util.h"

/* ---- policies ---- */

static const char *policy_region(const struct builder *b, const struct policy *p)
{
        if (p->region)
                return p->region;
        if (b->in->config->agent.region)
                return b->in->config->agent.region;
        return b->in->default_region;
}

static bool policy_selects(const struct builder *b, const struct policy *p, const struct observed_cluster *c)
{
        /* One definition of "selects" (scheduler/select.c), shared with the agent's own lookups. */
        return plan_policy_selects(p, policy_region(b, p), c);
}

static int cluster_cmp(const void *x, const void *y)
{
        const struct observed_cluster *a = *(const struct observed_cluster *const *)x;
        const struct observed_cluster *c = *(const struct observed_cluster *const *)y;
        int r = strcmp(plan_str(a->region), plan_str(c->region));
        return r != 0 ? r : strcmp(a->identifier, c->identifier);
}

static int select_clusters(struct builder *b)
{
        const struct plan_input *in = b->in;
        _cleanup_free_ const struct observed_cluster **sorted = calloc(in->n_clusters + 1, sizeof *sorted);
        b->clusters = arena_alloc_array(b->scratch, in->n_clusters + 1, sizeof *b->clusters);
        if (!sorted || !b->clusters)
                return -ENOMEM;
        for (size_t i = 0; i < in->n_clusters; i++)
                sorted[i] = &in->clusters[i];
        qsort(sorted, in->n_clusters, sizeof *sorted, cluster_cmp);
        for (size_t i = 0; i < in->n_clusters; i++) {
                const struct observed_cluster *c = sorted[i];
                if (i > 0 && cluster_cmp(&sorted[i - 1], &sorted[i]) == 0)
                        continue; /* observed twice: one cluster */
                for (size_t k = 0; k < in->config->n_policies; k++) {
                        const struct policy *p = &in->config->policies[k];
                        if (!policy_selects(b, p, c))
                                continue;
                        if (!plan_policy_in_shard(&in->config->agent, p))
                                break; /* another agent's shard: unmanaged here */
                        b->clusters[b->n_clusters++] = (struct cluster_plan){
                            .c = c, .p = p, .region = policy_region(b, p) ?: plan_str(c->region)};
                        break;
                }
        }
        return 0;
}

/* ---- the build ---- */

static void builder_done(struct builder *b)
{
        plan_index_free(b);
        arena_free(b->scratch);
        free(b->actions);
        free(b->next_slots);
        free(b->quota);
}

/* The tags the planner reads, in one pass, and the origin they give with the identifier. */
static void snap_scan_tags(const struct builder *b, struct snap *sn)
{
        struct snapshot_agent_tags t;
        snapshot_agent_tags_read(sn->s, &t);
        sn->copy_tag = t.copy;
        sn->slot_tag = t.slot;
        sn->policy_tag = t.policy;
        sn->hold = t.hold;
        sn->origin = snapshot_origin_of(sn->s, &t, b->prefix);
}

static int read_world(struct builder *b)
{
        const struct plan_input *in = b->in;
        b->history = arena_alloc_array(b->scratch, in->n_history + 1, sizeof *b->history);
        b->verdicts = arena_alloc_raw(b->arena, (in->n_snapshots + 1) * sizeof *b->verdicts);
        if (!b->history || !b->verdicts)
                return -ENOMEM;
        int r = plan_index_build(b);
        if (r < 0)
                return r;
        /* Scratch for one retention group: no group is longer than the longest run. */
        size_t longest = 0;
        for (size_t k = 0; k < b->n_pairs; k++)
                longest = MAX(longest, b->pairs[k].hi - b->pairs[k].lo);
        b->items = arena_alloc_array(b->scratch, longest + 1, sizeof *b->items);
        b->item_index = arena_alloc_array(b->scratch, longest + 1, sizeof *b->item_index);
        if (!b->items || !b->item_index)
                return -ENOMEM;

        struct str_memo status = {0};
        for (size_t k = 0; k < b->n_pairs; k++) {
                const struct snap_pair *pair = &b->pairs[k];
                for (size_t i = pair->lo; i < pair->hi; i++) {
                        struct snap *sn = &b->snaps[i];
                        const struct observed_snapshot *s = sn->s;
                        snap_scan_tags(b, sn);
                        sn->available = s->status && streq(s->status, "available") &&
                                        s->create_time != PLAN_TIME_UNKNOWN;
                        b->verdicts[i] = (struct snapshot_verdict){
                            .snapshot = arena_strdup(b->arena, s->identifier),
                            .region = s->region ? pair->region_out : NULL,
                            .cluster = s->cluster_identifier ? pair->cluster_out : NULL,
                            .create_time = s->create_time,
                            .status = plan_memo_copy(b, &status, s->status, true),
                            .origin = sn->origin,
                            .group = GROUP_NONE,
                            .keep = sn->origin == ORIGIN_AGENT || sn->origin == ORIGIN_AWS_BACKUP
                                        ? KEEP_UNMANAGED
                                        : KEEP_ORIGIN,
                        };
                }
        }

        plan_history_index(b);
        return 0;
}

/* Orders the actions by kind (deletions first), keeping the order they were planned in within a kind,
 * which follows the sorted input; then hands the array to the plan's arena. */
static int finish(struct builder *b, struct plan *p)
{
        size_t start[_ACTION_KIND_MAX + 1] = {0};
        for (size_t i = 0; i < b->n_actions; i++)
                start[b->actions[i].kind + 1]++;
        for (size_t k = 1; k <= _ACTION_KIND_MAX; k++)
                start[k] += start[k - 1];
        _cleanup_free_ size_t *dest = calloc(b->n_actions + 1, sizeof *dest);
        if (!dest)
                return -ENOMEM;
        for (size_t i = 0; i < b->n_actions; i++)
                dest[i] = start[b->actions[i].kind]++;
        /* Apply the permutation in place, cycle by cycle. */
        for (size_t i = 0; i < b->n_actions; i++)
                while (dest[i] != i) {
                        size_t j = dest[i];
                        struct plan_action t = b->actions[i];
                        b->actions[i] = b->actions[j];
                        b->actions[j] = t;
                        dest[i] = dest[j];
                        dest[j] = j;
                }

        struct plan_action *actions = b->actions;
        if (b->n_actions == 0) {
                free(actions);
                actions = NULL;
        } else if (b->n_actions < b->cap_actions) {
                struct plan_action *shrunk = realloc(actions, b->n_actions * sizeof *actions);
                if (shrunk)
                        actions = shrunk;
        }
        b->actions = NULL;
        if (actions && arena_adopt(b->arena, actions) < 0) {
                free(actions);
                return -ENOMEM;
        }
        p->actions = actions;
        p->n_actions = b->n_actions;
        p->verdicts = b->verdicts;
        p->n_verdicts = b->n_snaps;
        if (b->n_next_slots > 0) {
                if (arena_adopt(b->arena, b->next_slots) < 0)
                        return -ENOMEM;
                p->next_slots = TAKE_PTR(b->next_slots);
                p->n_next_slots = b->n_next_slots;
        }
        p->now = b->in->now;
        p->next_wakeup = b->wakeup;
        return arena_failed(b->arena) ? -ENOMEM : 0;
}

int plan_build(const struct plan_input *in, struct plan **ret)
{
        if (!in || !in->config || !ret || (in->n_clusters > 0 && !in->clusters) ||
            (in->n_snapshots > 0 && !in->snapshots) || (in->n_exports > 0 && !in->exports) ||
            (in->n_ledger > 0 && !in->ledger) || (in->n_history > 0 && !in->history) ||
            (in->n_instances > 0 && !in->instances) || (in->n_drill_records > 0 && !in->drill_records) ||
            (in->config->n_policies > 0 && !in->config->policies))
                return -EINVAL;
        for (size_t i = 0; i < in->n_clusters; i++)
                if (!in->clusters[i].identifier)
                        return -EINVAL;
        for (size_t i = 0; i < in->config->n_policies; i++)
                if (!in->config->policies[i].name)
                        return -EINVAL;

        _cleanup_(arena_freep) struct arena *arena = arena_new();
        if (!arena)
                return -ENOMEM;
        struct plan *p = arena_alloc(arena, sizeof *p);
        if (!p)
                return -ENOMEM;

        struct builder b = {
            .in = in,
            .arena = arena,
            .scratch = arena_new(),
            .prefix = in->config->agent.snapshot_prefix ?: CONFIG_DEFAULT_SNAPSHOT_PREFIX,
            .wakeup = PLAN_NO_WAKEUP,
        };
        int r = b.scratch ? read_world(&b) : -ENOMEM;
        if (r >= 0)
                r = select_clusters(&b);
        if (r >= 0) {
                for (size_t i = 0; i < b.n_clusters; i++)
                        plan_judge_cluster(&b, &b.clusters[i]);
                plan_quota_count_observed(&b);
                for (size_t i = 0; i < b.n_clusters; i++)
                        plan_slots(&b, &b.clusters[i]);
                plan_count_copies_in_flight(&b);
                for (size_t i = 0; i < b.n_clusters; i++)
                        plan_copies(&b, &b.clusters[i]);
                for (size_t i = 0; i < b.n_clusters; i++)
                        plan_shares(&b, &b.clusters[i]);
                for (size_t i = 0; i < b.n_clusters; i++)
                        plan_exports(&b, &b.clusters[i]);
                plan_polls(&b);
                plan_export_polls(&b);
                plan_drills(&b);
                plan_restores(&b);
                r = b.error;
        }
        if (r >= 0)
                r = finish(&b, p);
        builder_done(&b);
        if (r < 0)
                return r;

        p->arena = TAKE_PTR(arena);
        *ret = p;
        return 0;
}

struct plan *plan_free(struct plan *p)
{
        if (p)
                arena_free(p->arena); /* the plan itself lives in its arena */
        return NULL;
}
