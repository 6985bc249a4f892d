/* The lookups over one plan_build()'s input: snapshots by (region, cluster), the ledger's open actions and
 * the window history, sorted once so that the input's order never changes the plan. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plan-action.h"

struct builder;
struct snap;

/* Sorts the observed snapshots into b->snaps and builds the lookups. */
int plan_index_build(struct builder *b);
void plan_index_free(struct builder *b);
/* Sorts the window history into b->history (already allocated) for the lookups below. */
void plan_history_index(struct builder *b);

/* Snapshots of (region, cluster) as [*lo, *hi) in b->snaps. */
void plan_snap_range(const struct builder *b, const char *region, const char *cluster, size_t *lo,
                     size_t *hi);
/* The snapshot `identifier` of `cluster` in `region`, or NULL. A NULL cluster searches the region. */
const struct snap *plan_snap_find(const struct builder *b, const char *region, const char *cluster,
                                  const char *identifier);
/* The newest available snapshot of a group: agent origin in (region, cluster) with this copy tag. */
const struct snap *plan_group_newest(const struct builder *b, const char *region, const char *cluster,
                                     const char *copy_tag);
/* An open ledger action of this kind for this identifier (and region, when both say one). */
bool plan_ledger_open(const struct builder *b, enum action_kind kind, const char *region,
                      const char *identifier);
bool plan_history_has(const struct builder *b, const char *cluster, int64_t slot_start);
/* The cluster has a window history entry for a slot before `before`. */
bool plan_history_has_before(const struct builder *b, const char *cluster, int64_t before);
