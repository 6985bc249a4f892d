/* The state of one plan_build() call, shared by the planner's passes, and the helpers that add to the plan
 * being built (actions, next slots, wake-ups). Not part of the API. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "plan-action.h"
#include "plan-input.h"
#include "plan-verdict.h"
#include "retention.h"
#include "snapshot-origin.h"

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
        struct arena *arena;   /* the plan's */
        struct arena *scratch; /* the build's own fixed-size arrays, freed when it ends */
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
/* The plan's copy of `s`, shared with the previous one given to the same memo when they are equal; interned
 * (shared across the plan) or copied. */
const char *plan_memo_copy(struct builder *b, struct str_memo *m, const char *s, bool intern);
/* Records the first error of the build (allocation failures: the plan would be incomplete). */
void plan_fail(struct builder *b, int r);

/* Deep-copies the action into the plan (strings, tags, accounts). */
void plan_add_action(struct builder *b, const struct plan_action *a);
/* plan_add_action() for an action about the cluster of `cp`: `a` with its policy and cluster, and the
 * cluster's region unless `a` says where it runs (a copy in its destination, a deletion where the snapshot
 * is). */
void plan_add_cluster_action(struct builder *b, const struct cluster_plan *cp, struct plan_action a);
/* A REFUSED action about the cluster of `cp`: what the plan will not do (to `snapshot` in `region`, when
 * the refusal is about one; NULL otherwise), and `why`. */
void plan_refuse(struct builder *b, const struct cluster_plan *cp, const char *region, const char *snapshot,
                 const char *why);
void plan_wake(struct builder *b, int64_t t);
/* Records a selected cluster's next slot (strings copied into the plan). */
void plan_add_next_slot(struct builder *b, const struct plan_next_slot *n);
