/* Shared between the planner's files: the state of one plan_build() call. Not part of the API. */
#pragma once

#include "plan-arena.h"
#include "plan.h"
#include "retention.h"

struct snap {
        const struct observed_snapshot *s;
        enum snapshot_origin origin;
        const char *copy_tag;   /* PLAN_TAG_COPY value, or NULL */
        const char *slot_tag;   /* TAG_SLOT value, or NULL */
        const char *policy_tag; /* TAG_POLICY value, or NULL */
        bool other_policy;      /* an agent snapshot tagged for no policy, or another than its cluster's */
        bool hold;
        bool available; /* status "available" and a known create time */
        bool claimed;   /* judged by a retention group already */
};

struct cluster_plan {
        const struct observed_cluster *c;
        const struct policy *p;
        const char *region; /* the policy's region, which is the cluster's */
};

struct quota_region {
        const char *region;
        int64_t count;
};

/* One (region, cluster) of the observed snapshots: its run [lo, hi) in the sorted snapshots. */
struct snap_pair {
        const char *region, *cluster;         /* the input's strings ("" for NULL) */
        const char *region_out, *cluster_out; /* their copies in the plan */
        uint64_t hash;
        size_t lo, hi;
};

/* A one-entry memo for strings copied into the plan: consecutive actions repeat their policy,
 * region, cluster and rule, and the plan keeps one copy. */
struct str_memo {
        const char *out;
};

struct builder {
        const struct plan_input *in;
        struct plan_arena *arena;
        const char *prefix;

        struct snap *snaps; /* sorted by region, cluster, newest first, identifier: the verdict order */
        size_t n_snaps;
        struct snapshot_verdict *verdicts; /* parallel to snaps */
        struct snap_pair *pairs;           /* sorted by region, cluster */
        size_t n_pairs, cap_pairs;
        size_t *pair_table; /* (region, cluster) -> pair index + 1, open addressing */
        size_t pair_cap;

        struct cluster_plan *clusters; /* selected clusters, sorted by region, identifier */
        size_t n_clusters;
        const struct window_history_entry **history; /* sorted by cluster, slot start */
        size_t n_history;

        struct plan_action *actions; /* in the order they were planned; sorted by kind at the end */
        size_t n_actions, cap_actions;
        struct str_memo memo_policy, memo_region, memo_cluster, memo_source_region, memo_kms, memo_status,
            memo_rule;
        struct plan_next_slot *next_slots;
        size_t n_next_slots, cap_next_slots;
        struct quota_region *quota;
        size_t n_quota, cap_quota;
        unsigned cross_region_copies; /* in flight or planned this cycle */

        struct retention_item *items; /* scratch, n_snaps long */
        size_t *item_index;

        int64_t wakeup;
        int error; /* first allocation failure */
};

const char *plan_str(const char *s); /* NULL as "" */

/* Deep-copies the action into the plan (strings, tags, accounts). */
void plan_add_action(struct builder *b, const struct plan_action *a);
void plan_wake(struct builder *b, int64_t t);
/* Records a selected cluster's next slot (strings copied into the plan). */
void plan_add_next_slot(struct builder *b, const struct plan_next_slot *n);
/* Snapshots of (region, cluster) as [*lo, *hi) in b->snaps. */
void plan_snap_range(const struct builder *b, const char *region, const char *cluster, size_t *lo,
                     size_t *hi);
/* The snapshot `identifier` of `cluster` in `region`, or NULL. A NULL cluster searches the region. */
const struct snap *plan_snap_find(const struct builder *b, const char *region, const char *cluster,
                                  const char *identifier);
/* An open ledger action of this kind for this identifier (and region, when both say one). */
bool plan_ledger_open(const struct builder *b, enum action_kind kind, const char *region,
                      const char *identifier);
bool plan_history_has(const struct builder *b, const char *cluster, int64_t slot_start);
/* The cluster has a window history entry for a slot before `before`. */
bool plan_history_has_before(const struct builder *b, const char *cluster, int64_t before);
/* Counts what is observed and in the ledger, minus the deletions planned so far (plan-quota.c). */
void plan_quota_count_observed(struct builder *b);
/* Takes room for one more snapshot in `region` under the policy's quota; false if there is none. */
bool plan_quota_take(struct builder *b, const char *region, const struct policy *p);
int64_t plan_quota_count(struct builder *b, const char *region);
/* "<n> manual snapshots after this cycle's deletions, limit <l> - reserve <r>", in the plan's arena. */
const char *plan_quota_describe(struct builder *b, const char *region, const struct policy *p);
/* The newest available snapshot of a group: agent origin in (region, cluster) with this copy tag. */
const struct snap *plan_group_newest(const struct builder *b, const char *region, const char *cluster,
                                     const char *copy_tag);

/* When to try a create again for a cluster that is not available. */
int64_t plan_retry_at(int64_t slot_start, int64_t close, int64_t now);

/* Sorts the observed snapshots into b->snaps and builds the lookups (plan-index.c). */
int plan_index_build(struct builder *b);
void plan_index_free(struct builder *b);
/* Sorts the window history into b->history (already allocated) for the lookups below. */
void plan_history_index(struct builder *b);

/* The passes, in order. */
void plan_judge_cluster(struct builder *b, const struct cluster_plan *cp);
void plan_slots(struct builder *b, const struct cluster_plan *cp);
void plan_copies(struct builder *b, const struct cluster_plan *cp);
void plan_shares(struct builder *b, const struct cluster_plan *cp);
void plan_exports(struct builder *b, const struct cluster_plan *cp);
/* Before the copies: cross-region copies already in flight (observed copying, or in the ledger). */
void plan_count_copies_in_flight(struct builder *b);
void plan_polls(struct builder *b);
/* With the polls: exports in progress of agent snapshots. */
void plan_export_polls(struct builder *b);
/* Last: the next step of each restore drill (plan-drill.c). */
void plan_drills(struct builder *b);
/* Then the next step of each operator's restore request (plan-restore.c). */
void plan_restores(struct builder *b);

/* "daily", "weekly:sun", "monthly:1", "monthly:last", "every:3600s". */
const char *plan_schedule_describe(const struct schedule *s, char buf[static 32]);
/* "02:00-03:00". */
const char *plan_window_describe(const struct window *w, char buf[static 16]);
/* "400d", "36h", "90m" or "45s". */
const char *plan_duration_describe(int64_t sec, char buf[static 32]);
