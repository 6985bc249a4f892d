/* Retention groups: which of a selected cluster's snapshots each group judges, with which rules, and the
 * deletions that follow (the first pass). */
#pragma once

struct builder;
struct cluster_plan;

void plan_judge_cluster(struct builder *b, const struct cluster_plan *cp);
