/* A small observed world for planner tests: one policy "prod" in eu-west-1 (daily, 02:00-03:00 UTC,
 * quota 100 - 5, no retention rule), clusters and snapshots added by helpers. Everything is static
 * storage inside the struct, so a test needs no cleanup beyond plan_free(). */
#pragma once

#include <string.h>

#include "plan-format.h"
#include "plan.h"
#include "slot.h"
#include "snapshot-id.h"
#include "test-suite.h"
#include "time-util.h"

#define WORLD_MAX_SNAPS 512
#define WORLD_REGION "eu-west-1"

struct world {
        struct agent_config cfg;
        struct policy pol[4];
        struct observed_cluster clusters[8];
        struct tag cluster_tags[8][2];
        struct observed_snapshot snaps[WORLD_MAX_SNAPS];
        struct tag snap_tags[WORLD_MAX_SNAPS][6];
        char snap_ids[WORLD_MAX_SNAPS][64];
        char snap_slots[WORLD_MAX_SNAPS][TIME_ISO8601_MAX];
        struct ledger_action ledger[8];
        struct window_history_entry history[8];
        struct observed_export exports[8];
        struct account_quota quotas[2];
        char slot_ids[8][PLAN_SNAPSHOT_ID_MAX];
        size_t n_slot_ids;
        struct plan_input in;
};

/* Points the config and the planner's input at the world's own arrays. */
static inline void world_link(struct world *w)
{
        w->cfg.policies = w->pol;
        w->in.config = &w->cfg;
        w->in.clusters = w->clusters;
        w->in.snapshots = w->snaps;
        w->in.ledger = w->ledger;
        w->in.history = w->history;
        w->in.exports = w->exports;
        w->in.account_quotas = w->quotas;
}

static inline void world_init(struct world *w, int64_t now)
{
        memset(w, 0, sizeof *w);
        w->cfg.agent.region = (char *)WORLD_REGION;
        w->cfg.agent.snapshot_prefix = (char *)"aba";
        w->cfg.n_policies = 1;
        w->pol[0] = (struct policy){
            .name = (char *)"prod",
            .every = {.kind = SCHEDULE_DAILY},
            .window = {.start_min = 120, .end_min = 180},
            .quota_limit = 100,
            .quota_reserve = 5,
        };
        world_link(w);
        w->in.now = now;
}

/* Each adder below takes the next free row of its array: a test that outgrows the world fails here rather
 * than writing past it. */
static inline size_t world_row(size_t *n, size_t max, const char *what)
{
        if (*n >= max)
                ck_abort_msg("world full: more than %zu %s", max, what);
        return (*n)++;
}

static inline struct observed_cluster *world_cluster(struct world *w, const char *id, const char *status)
{
        struct observed_cluster *c =
            &w->clusters[world_row(&w->in.n_clusters, ELEMENTSOF(w->clusters), "clusters")];
        *c = (struct observed_cluster){.identifier = id,
                                       .region = WORLD_REGION,
                                       .status = status,
                                       .arn = id,
                                       .storage_encrypted = true};
        return c;
}

/* A snapshot with the given origin-defining shape; `agent` adds the ownership tags: managed-by, policy
 * "prod" and, when `id` is NULL, the slot tag of the minute `t` falls in, with the identifier the agent
 * gives that slot (an agent snapshot with an explicit `id` is one that only carries the agent's tags). */
static inline struct observed_snapshot *world_snap_full(struct world *w, const char *region,
                                                        const char *cluster, const char *id, int64_t t,
                                                        const char *status, const char *type, bool agent)
{
        size_t i = world_row(&w->in.n_snapshots, WORLD_MAX_SNAPS, "snapshots");
        struct observed_snapshot *s = &w->snaps[i];
        bool slot_named = agent && !id && t != PLAN_TIME_UNKNOWN;
        if (slot_named) {
                int64_t slot = t - t % 60;
                if (plan_snapshot_identifier("aba", cluster, slot, w->snap_ids[i]) < 0)
                        ck_abort_msg("no identifier for %s", cluster);
                time_format_iso8601(slot, w->snap_slots[i]);
                id = w->snap_ids[i];
                /* A region holds one snapshot of a name: a second one of the same minute is a lookalike
                 * (the agent's tags, another name), which the planner must not take for the agent's. */
                for (size_t k = 0; k < i; k++)
                        if (strcmp(w->snaps[k].identifier, id) == 0 &&
                            strcmp(w->snaps[k].region, region) == 0) {
                                snprintf(w->snap_ids[i], sizeof w->snap_ids[i], "s-%s-%zu", cluster, i);
                                break;
                        }
        } else if (!id) {
                snprintf(w->snap_ids[i], sizeof w->snap_ids[i], "s-%s-%zu", cluster, i);
                id = w->snap_ids[i];
        }
        *s = (struct observed_snapshot){
            .identifier = id,
            .arn = id,
            .cluster_identifier = cluster,
            .region = region,
            .status = status,
            .snapshot_type = type,
            .create_time = t,
            .encrypted = true,
            .kms_key_id = "arn:aws:kms:eu-west-1:111122223333:key/customer",
            .tags = w->snap_tags[i],
        };
        if (agent) {
                w->snap_tags[i][s->n_tags++] =
                    (struct tag){(char *)TAG_MANAGED_BY, (char *)TAG_MANAGED_BY_VALUE};
                w->snap_tags[i][s->n_tags++] = (struct tag){(char *)TAG_POLICY, (char *)"prod"};
                if (slot_named)
                        w->snap_tags[i][s->n_tags++] = (struct tag){(char *)TAG_SLOT, w->snap_slots[i]};
        }
        return s;
}

/* The agent's snapshot of `cluster` for `slot` in `region`, created at `t` (or PLAN_TIME_UNKNOWN), named
 * and tagged as the agent names and tags it: `copy_tag` NULL for the slot's own snapshot, else the copy's
 * kind ("copy:<region>" or "share") with the name's `suffix` (NULL: none, "copy", "share"). */
static inline struct observed_snapshot *world_agent_snap(struct world *w, const char *region,
                                                         const char *cluster, int64_t slot, int64_t t,
                                                         const char *status, const char *copy_tag,
                                                         const char *suffix)
{
        size_t i = w->in.n_snapshots;
        char base[PLAN_SNAPSHOT_ID_MAX];
        if (i >= WORLD_MAX_SNAPS || plan_snapshot_identifier("aba", cluster, slot, base) < 0)
                ck_abort_msg("no room or no identifier for %s", cluster);
        if (suffix) {
                if (plan_identifier_with_suffix(base, suffix, 63, w->snap_ids[i]) < 0)
                        ck_abort_msg("no identifier for a %s of %s", suffix, base);
        } else
                snprintf(w->snap_ids[i], sizeof w->snap_ids[i], "%s", base);
        time_format_iso8601(slot, w->snap_slots[i]);
        struct observed_snapshot *s =
            world_snap_full(w, region, cluster, w->snap_ids[i], t, status, "manual", true);
        w->snap_tags[i][s->n_tags++] = (struct tag){(char *)TAG_SLOT, w->snap_slots[i]};
        if (copy_tag)
                w->snap_tags[i][s->n_tags++] = (struct tag){(char *)PLAN_TAG_COPY, (char *)copy_tag};
        return s;
}

static inline struct observed_snapshot *world_snap(struct world *w, const char *cluster, int64_t t)
{
        return world_snap_full(w, WORLD_REGION, cluster, NULL, t, "available", "manual", true);
}

static inline void world_snap_tag(struct world *w, struct observed_snapshot *s, const char *k, const char *v)
{
        size_t i = (size_t)(s - w->snaps);
        if (s->n_tags >= 6)
                ck_abort_msg("too many tags");
        w->snap_tags[i][s->n_tags++] = (struct tag){(char *)k, (char *)v};
}

/* An action the ledger holds for `cluster` (region, slot and source as the caller sets them). */
static inline struct ledger_action *world_ledger(struct world *w, enum action_kind kind, const char *cluster,
                                                 const char *snapshot, const char *region)
{
        struct ledger_action *l =
            &w->ledger[world_row(&w->in.n_ledger, ELEMENTSOF(w->ledger), "ledger actions")];
        *l = (struct ledger_action){
            .kind = kind, .cluster_identifier = cluster, .snapshot_identifier = snapshot, .region = region};
        return l;
}

/* The agent's record that the window of `cluster` for `slot_start` passed, with a snapshot or without. */
static inline void world_history(struct world *w, const char *cluster, int64_t slot_start, bool taken)
{
        w->history[world_row(&w->in.n_history, ELEMENTSOF(w->history), "history entries")] =
            (struct window_history_entry){
                .cluster_identifier = cluster, .slot_start = slot_start, .taken = taken};
}

/* An export task `id` of the snapshot `source_arn`, as DescribeExportTasks reports it. */
static inline struct observed_export *world_export(struct world *w, const char *id, const char *source_arn,
                                                   const char *status)
{
        struct observed_export *e =
            &w->exports[world_row(&w->in.n_exports, ELEMENTSOF(w->exports), "exports")];
        *e = (struct observed_export){.identifier = id, .source_arn = source_arn, .status = status};
        return e;
}

/* An available cluster `id` with the agent's snapshots of a day before `newest` and of `newest`; returns
 * the newest, the one copies, shares, exports and drills start from. */
static inline struct observed_snapshot *world_cluster_with_snaps(struct world *w, const char *id,
                                                                 int64_t newest)
{
        world_cluster(w, id, "available");
        world_snap(w, id, newest - SEC_PER_DAY);
        return world_snap(w, id, newest);
}

/* `*dst` becomes a copy of `src` whose input points at its own arrays, so that a test can change or
 * reorder one world and plan both. The snapshots' strings and tags still point into `src`. */
static inline void world_copy(struct world *dst, const struct world *src)
{
        *dst = *src;
        world_link(dst);
}

/* Swaps elements i and j of an array of `size`-byte elements. */
static inline void world_swap(void *base, size_t size, size_t i, size_t j)
{
        unsigned char *a = (unsigned char *)base + i * size, *b = (unsigned char *)base + j * size;
        for (size_t k = 0; k < size; k++) {
                unsigned char t = a[k];
                a[k] = b[k];
                b[k] = t;
        }
}

static inline void world_reverse_array(void *base, size_t n, size_t size)
{
        for (size_t i = 0; i < n / 2; i++)
                world_swap(base, size, i, n - 1 - i);
}

/* Every input list of `w` in the opposite order: what the planner says must not depend on it. */
static inline void world_reverse(struct world *w)
{
        world_reverse_array(w->clusters, w->in.n_clusters, sizeof w->clusters[0]);
        world_reverse_array(w->snaps, w->in.n_snapshots, sizeof w->snaps[0]);
        world_reverse_array(w->ledger, w->in.n_ledger, sizeof w->ledger[0]);
        world_reverse_array(w->history, w->in.n_history, sizeof w->history[0]);
        world_reverse_array(w->exports, w->in.n_exports, sizeof w->exports[0]);
}

static inline struct plan *world_plan(struct world *w)
{
        struct plan *p = NULL;
        int r = plan_build(&w->in, &p);
        if (r < 0 || !p)
                ck_abort_msg("plan_build: %d", r);
        return p;
}

/* The text of a fresh plan of `w` (the caller frees it): two plans of one world read the same. */
static inline char *world_plan_text(struct world *w)
{
        struct plan *p = world_plan(w);
        char *text = NULL;
        ck_assert_int_eq(plan_format_string(p, &text), 0);
        plan_free(p);
        return text;
}

static inline const struct snapshot_verdict *plan_verdict_of(const struct plan *p, const char *id)
{
        for (size_t i = 0; i < p->n_verdicts; i++)
                if (strcmp(p->verdicts[i].snapshot, id) == 0)
                        return &p->verdicts[i];
        ck_abort_msg("no verdict for %s", id);
        return NULL;
}

/* The verdict of snapshot `s` (names repeat across regions: a copy to another region keeps its name). */
static inline const struct snapshot_verdict *plan_verdict_for(const struct plan *p,
                                                              const struct observed_snapshot *s)
{
        for (size_t i = 0; i < p->n_verdicts; i++)
                if (strcmp(p->verdicts[i].snapshot, s->identifier) == 0 && p->verdicts[i].region &&
                    strcmp(p->verdicts[i].region, s->region) == 0)
                        return &p->verdicts[i];
        ck_abort_msg("no verdict for %s in %s", s->identifier, s->region);
        return NULL;
}

static inline size_t plan_count(const struct plan *p, enum action_kind k)
{
        size_t n = 0;
        for (size_t i = 0; i < p->n_actions; i++)
                n += p->actions[i].kind == k;
        return n;
}

/* How many actions of kind `k` a fresh plan of `w` has: what a test asks of the world it changed. */
static inline size_t world_plan_count(struct world *w, enum action_kind k)
{
        struct plan *p = world_plan(w);
        size_t n = plan_count(p, k);
        plan_free(p);
        return n;
}

static inline const struct plan_action *plan_find(const struct plan *p, enum action_kind k)
{
        for (size_t i = 0; i < p->n_actions; i++)
                if (p->actions[i].kind == k)
                        return &p->actions[i];
        return NULL;
}

/* The one action of kind `k` in `p`: the test fails when there is none, or more than one. */
static inline const struct plan_action *plan_only(const struct plan *p, enum action_kind k)
{
        size_t n = plan_count(p, k);
        ck_assert_msg(n == 1, "%zu %s actions, wanted one", n, action_kind_to_string(k));
        return plan_find(p, k);
}

static inline const char *plan_action_tag(const struct plan_action *a, const char *key)
{
        for (size_t i = 0; i < a->n_tags; i++)
                if (strcmp(a->tags[i].key, key) == 0)
                        return a->tags[i].value;
        return NULL;
}

/* Two plan texts are the same; on failure, says where they first differ (a whole plan is too long for
 * a Check message). */
static inline void assert_same_text(const char *a, const char *b)
{
        size_t line = 1, i = 0;
        for (; a[i] && a[i] == b[i]; i++)
                line += a[i] == '\n';
        if (a[i] == b[i])
                return;
        size_t start = i;
        while (start > 0 && a[start - 1] != '\n')
                start--;
        ck_abort_msg("texts differ at line %zu:\n< %.200s\n> %.200s", line, a + start, b + start);
}

/* The slot of `cluster` under policy 0 whose window opened last at or before t. */
static inline struct slot world_slot(struct world *w, const char *cluster, int64_t t)
{
        struct slot s;
        ck_assert_int_eq(slot_latest(&w->pol[0].every, &w->pol[0].window, cluster, t, &s), 0);
        return s;
}

/* The slot of `cluster` under policy 0 that opens next after t: where a plan with nothing left wakes. */
static inline struct slot world_next_slot(struct world *w, const char *cluster, int64_t t)
{
        struct slot s;
        ck_assert_int_eq(slot_next(&w->pol[0].every, &w->pol[0].window, cluster, t, &s), 0);
        return s;
}

/* A world whose one cluster `cluster` (status `status`) is `after` seconds past the start of its slot in
 * the 2026-11-24 window; returns that slot. */
static inline struct slot world_at_slot(struct world *w, const char *cluster, const char *status,
                                        int64_t after)
{
        world_init(w, 0);
        world_cluster(w, cluster, status);
        struct slot sl = world_slot(w, cluster, time_from_civil(2026, 11, 24, 2, 59, 0));
        w->in.now = sl.start + after;
        return sl;
}

/* The identifier the agent gives the snapshot of `cluster` for the slot starting at `slot_start`. */
static inline const char *world_slot_id(struct world *w, const char *cluster, int64_t slot_start)
{
        if (w->n_slot_ids >= 8)
                ck_abort_msg("too many slot identifiers");
        char *id = w->slot_ids[w->n_slot_ids++];
        ck_assert_int_eq(plan_snapshot_identifier("aba", cluster, slot_start, id), 0);
        return id;
}

/* A world at `now` whose policy "prod" has retention `r` and one available cluster "c", which it returns. */
static inline struct observed_cluster *world_retention(struct world *w, int64_t now, struct retention r)
{
        world_init(w, now);
        w->pol[0].retention = r;
        return world_cluster(w, "c", "available");
}

/* The identifier of a new agent snapshot of cluster "c" created at `t`. */
static inline const char *world_snap_id(struct world *w, int64_t t)
{
        return world_snap(w, "c", t)->identifier;
}
