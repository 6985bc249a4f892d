/* Scheduled snapshots: each selected cluster's slot, its create, retry, wait or missed event. */
#pragma once

#include <stdint.h>

struct builder;
struct cluster_plan;

void plan_slots(struct builder *b, const struct cluster_plan *cp);
/* When to try a create again for a cluster that is not available. */
int64_t plan_retry_at(int64_t slot_start, int64_t close, int64_t now);
