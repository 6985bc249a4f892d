/* What the control commands (control-*.c) share: finding a cluster, a snapshot or an export task in the
 * regions the config uses, with the client of the policy that works there. Not a public interface. */
#pragma once

#include "agent-internal.h"
#include "aws-rds.h"
#include "control.h"
#include "plan.h"
#include "store.h"

/* A cluster as one targeted DescribeDBClusters showed it, and the policy that selects it here. */
struct control_cluster {
        const char *region;          /* borrowed from the config or the agent */
        const struct policy *policy; /* NULL: no policy of this agent (and shard) selects it */
        struct aws_client *client;
        const struct rds_db_cluster *cluster; /* points into list */
        struct rds_db_cluster_list list;
};
void control_cluster_done(struct control_cluster *c);

/* A snapshot as one targeted DescribeDBClusterSnapshots showed it. */
struct control_snapshot {
        const char *region;
        const struct policy *policy; /* the policy working in that region (first in config order) */
        struct aws_client *client;
        const struct rds_db_cluster_snapshot *snapshot; /* points into list */
        struct rds_db_cluster_snapshot_list list;
        struct tag *tags;              /* snapshot's tags as the planner's struct tag (borrowed strings) */
        struct observed_snapshot view; /* the planner's view of it (borrows from the above) */
};
void control_snapshot_done(struct control_snapshot *s);

/* Look for `identifier` in every region the config uses. 0 (found), -ENOENT (not found: reply filled), or
 * another negative errno with the reply filled (AWS error). `reply` NULL: nobody reads why. */
int control_find_cluster(struct agent *a, const char *identifier, struct control_cluster *ret,
                         struct control_reply *reply);
/* `id` is a snapshot identifier or ARN (then only the ARN's region is asked). */
int control_find_snapshot(struct agent *a, const char *id, struct control_snapshot *ret,
                          struct control_reply *reply);
/* A handler's lookup of the cluster / snapshot `id` that the request names, for command `verb`: 1 with *ret
 * filled; 0 when the reply answers the request instead (no `id`: "<verb>: which cluster?", a usage error;
 * not found; AWS's error); -ENOMEM when the agent itself failed. */
int control_lookup_cluster(struct agent *a, const char *verb, const char *id, struct control_cluster *ret,
                           struct control_reply *reply);
int control_lookup_snapshot(struct agent *a, const char *verb, const char *id, struct control_snapshot *ret,
                            struct control_reply *reply);

/* The reply for an AWS error: "<what>: <error>", CONTROL_FAILED, with aws_error_code / aws_request_id. */
int control_reply_aws_error(struct control_reply *reply, const struct aws_error *e, const char *fmt, ...)
    _printf_(3, 4);
/* aws_request_id in the reply data, when known. */
int control_reply_request_id(struct control_reply *reply, const char *request_id);

/* A snapshot's origin in words for refusals ("an automated snapshot", ...). */
const char *control_origin_to_string(enum snapshot_origin o);

/* Ledger rows read back, freed on scope exit. */
struct ledger_list {
        struct ledger_entry *items;
        size_t n;
};
static inline void ledger_entries_freep_ctl(struct ledger_list *l)
{
        ledger_entries_free(l->items, l->n);
}
