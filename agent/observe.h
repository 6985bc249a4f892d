/* The observe step: paged DescribeDBClusters and DescribeDBClusterSnapshots (and export tasks where a
 * policy exports) in every region the config uses, turned into the planner's input arrays. */
#pragma once

#include "agent-internal.h"
#include "observation.h"

/* Observes every region. A region whose calls fail is marked !ok (reported once as an api-error event
 * by the caller) and contributes nothing; the rest go on. Returns 0 or -ENOMEM. */
int observe(struct agent *a, struct observation *ret);

/* The instances of cluster `c` (a restore drill's, an operator's new cluster) into o->instances: one
 * DescribeDBInstances filtered on it, through policy `p`'s client. When they cannot be read, reported as an
 * API error ("Cannot look at the instances of <what> <c>", the event naming `policy` when not NULL), an
 * instance `placeholder` of unknown status stands for them: the planner then waits instead of acting on a
 * guess. 0, or a negative errno (no memory). */
int observe_cluster_instances(struct agent *a, struct observation *o, const struct observed_cluster *c,
                              const struct policy *p, const char *policy, const char *what,
                              const char *placeholder);
