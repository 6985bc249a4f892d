/* The observe step: paged DescribeDBClusters and DescribeDBClusterSnapshots (and export tasks where a
 * policy exports) in every region the config uses, turned into the planner's input arrays. */
#pragma once

#include "agent-internal.h"
#include "observation.h"

/* Observes every region. A region whose calls fail is marked !ok (reported once as an api-error event
 * by the caller) and contributes nothing; the rest go on. Returns 0 or -ENOMEM. */
int observe(struct agent *a, struct observation *ret);
