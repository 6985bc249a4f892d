/* aurora-backupctl restore and restore-status: the agent validates a restore request (the source exists,
 * the new name is free, the time is inside the restorable range) with no mutating call, resolves the primary
 * instance's class, records the request in state.db and answers at once; the planner's restore actions carry
 * it out (scheduler/plan-restore.c, operator-restore.c), and ctl follows it with restore-status. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control-internal.h"
#include "drill-id.h"
#include "journal.h"
#include "plan-restore.h"
#include "snapshot-id.h"
#include "store.h"
#include "time-util.h"

#define ERR_CLUSTER_NOT_FOUND "DBClusterNotFoundFault"

static int reply_request(struct control_reply *reply, const struct restore_request *q)
{
        char instance[PLAN_SNAPSHOT_ID_MAX];

        control_reply_add_int(reply, "restore_request", q->id);
        control_reply_add_string(reply, "state", q->state ? q->state : "recorded");
        control_reply_add_string(reply, "new_cluster", q->new_cluster);
        control_reply_add_string(reply, "kind", restore_request_kind_to_string(q->kind));
        control_reply_add_string(reply, "source", q->source);
        control_reply_add_string(reply, "region", q->region);
        control_reply_add_string(reply, "instance_class", q->instance_class);
        if (plan_restore_instance_identifier(q->new_cluster, instance) >= 0)
                control_reply_add_string(reply, "instance", instance);
        return reply->error;
}

/* Same source, same kind, same time: a re-run of the same command. */
static bool same_request(const struct restore_request *a, const struct restore_request *b)
{
        return a->kind == b->kind && streq_ptr(a->source, b->source) && a->use_latest == b->use_latest &&
               (a->use_latest || a->restore_time == b->restore_time);
}

/* A request naming `in->new_cluster` that is open (or done) already: the same one is continued (re-running
 * the command after an interruption), another is refused. 1: answered; 0: none, go on. */
static int continued(struct agent *a, struct control_reply *reply, const struct restore_request *in)
{
        _cleanup_(restore_request_done) struct restore_request open = {};
        int r;

        r = store_restore_request_find_latest(a->store, in->new_cluster, &open);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        bool is_open = streq_ptr(open.state, "recorded") || streq_ptr(open.state, "started");
        if (!is_open && !streq_ptr(open.state, "done"))
                return 0; /* failed or canceled: a new request may try again */
        if (!same_request(&open, in)) {
                if (!is_open)
                        return 0; /* the cluster check refuses the name */
                control_reply_set(
                    reply, CONTROL_FAILED,
                    "refused: restore request %" PRIi64 " (%s %s) already names new cluster %s", open.id,
                    restore_request_kind_to_string(open.kind), strna(open.source), in->new_cluster);
                return 1;
        }
        if (is_open)
                a->cycle_soon = true;
        control_reply_set(reply, CONTROL_OK,
                          is_open ? "Restore request %" PRIi64
                                    " into new cluster %s is under way: continuing (%s)"
                                  : "Restore request %" PRIi64 " into new cluster %s is done already (%s)",
                          open.id, in->new_cluster, open.message ? open.message : "not started yet");
        r = reply_request(reply, &open);
        return r < 0 ? r : 1;
}

/* The new name: a valid identifier, not a drill's, not an existing cluster. false: the reply says why not.
 */
static bool new_cluster_free(struct agent *a, const char *name, struct control_reply *reply)
{
        _cleanup_(control_cluster_done) struct control_cluster c = {};
        char drills[PLAN_SNAPSHOT_ID_MAX];
        int r;

        if (!plan_identifier_is_valid(name, 63)) {
                control_reply_set(
                    reply, CONTROL_USAGE,
                    "--new-cluster '%s' is not a valid cluster identifier: 1..63 letters, digits and "
                    "single hyphens, starting with a letter, not ending with a hyphen",
                    name);
                return false;
        }
        if (restore_drill_prefix(agent_snapshot_prefix(a), drills) >= 0 && startswith(name, drills)) {
                control_reply_set(
                    reply, CONTROL_USAGE,
                    "--new-cluster '%s': names starting with %s are the agent's restore drills", name,
                    drills);
                return false;
        }
        r = control_find_cluster(a, name, &c, NULL);
        if (r >= 0) {
                control_reply_set(reply, CONTROL_FAILED, "refused: a cluster named %s already exists in %s",
                                  name, c.region);
                return false;
        }
        if (r != -ENOENT) {
                control_reply_set(reply, CONTROL_FAILED, "cannot tell whether cluster %s exists", name);
                return false;
        }
        return true;
}

/* The class of cluster `cluster`'s writer (DescribeDBInstances of it), into *ret (allocated). 1, 0 with the
 * reply saying --instance-class is needed, or -ENOMEM. */
static int writer_class(struct aws_client *client, const char *cluster, const struct rds_db_cluster *c,
                        struct control_reply *reply, char **ret)
{
        _cleanup_(rds_db_instance_list_done) struct rds_db_instance_list l = {};
        struct aws_error e = {};
        const char *writer = c ? c->writer : NULL;
        int r;

        if (writer) {
                r = rds_describe_db_instances(client, writer, NULL, &l, &e);
                if (r == -ENOMEM)
                        return r;
                if (r >= 0 && l.n > 0 && l.items[0].instance_class) {
                        *ret = strdup(l.items[0].instance_class);
                        return *ret ? 1 : -ENOMEM;
                }
        }
        return control_reply_set(
            reply, CONTROL_USAGE,
            "cannot tell the instance class of %s%s%s: give --instance-class CLASS for the new "
            "cluster's primary instance",
            cluster ? "the writer of cluster "
                    : "the source cluster's writer (the snapshot's cluster is "
                      "not found)",
            cluster ? cluster : "", writer || !cluster ? "" : " (it has no writer)");
}

static int accept_request(struct agent *a, const struct control_request *q, struct control_reply *reply,
                          struct restore_request *in, const char *describe)
{
        int64_t id;
        int r;

        r = store_restore_request_add(a->store, in, agent_now(a), &id);
        if (r == -EEXIST)
                return control_reply_set(reply, CONTROL_FAILED,
                                         "refused: an open restore request already names %s",
                                         in->new_cluster);
        if (r < 0)
                return r;
        in->id = id;
        struct event_fields f = {.cluster = in->kind == RESTORE_TO_POINT_IN_TIME ? in->source : NULL,
                                 .snapshot = in->kind == RESTORE_FROM_SNAPSHOT ? in->source : NULL,
                                 .region = in->region,
                                 .target = in->new_cluster,
                                 .action = "restore"};
        journal_event(EVENT_RESTORE_REQUESTED, &f,
                      "Restore request %" PRIi64
                      " accepted: %s into new cluster %s, primary instance class %s "
                      "(aurora-backupctl, uid %u)",
                      id, describe, in->new_cluster, in->instance_class, (unsigned)q->uid);
        a->cycle_soon = true; /* the loop plans at once, not at its next wake-up */
        control_reply_set(reply, CONTROL_OK,
                          "Restore request %" PRIi64
                          " accepted: %s into new cluster %s (primary instance class %s)",
                          id, describe, in->new_cluster, in->instance_class);
        return reply_request(reply, in);
}

static int restore_from_snapshot(struct agent *a, const struct control_request *q,
                                 struct control_reply *reply, struct restore_request *in)
{
        _cleanup_(control_snapshot_done) struct control_snapshot s = {};
        _cleanup_free_ char *describe = NULL, *class = NULL;
        const char *snapshot = in->source;
        int r;

        r = control_lookup_snapshot(a, "restore", snapshot, &s, reply);
        if (r <= 0)
                return r;
        if (!streq_ptr(s.snapshot->status, "available"))
                return control_reply_set(reply, CONTROL_FAILED, "refused: snapshot %s is %s, not available",
                                         snapshot, strna(s.snapshot->status));
        if (!new_cluster_free(a, in->new_cluster, reply))
                return 0;
        const char *instance_class = control_arg_string(q, "instance_class");
        if (!instance_class) {
                _cleanup_(rds_db_cluster_list_done) struct rds_db_cluster_list l = {};
                struct aws_error e = {};
                const char *cluster = s.snapshot->cluster_identifier;
                if (cluster) {
                        r = rds_describe_db_clusters(s.client, cluster, &l, &e);
                        if (r < 0 && r != -ENOMEM && !streq(e.code, ERR_CLUSTER_NOT_FOUND))
                                return control_reply_aws_error(reply, &e, "cannot look at cluster %s",
                                                               cluster);
                        if (r == -ENOMEM)
                                return r;
                }
                r = writer_class(s.client, l.n > 0 ? cluster : NULL, l.n > 0 ? &l.items[0] : NULL, reply,
                                 &class);
                if (r <= 0)
                        return r;
                instance_class = class;
        }
        if (asprintf(&describe, "snapshot %s (cluster %s, region %s)", s.snapshot->identifier,
                     strna(s.snapshot->cluster_identifier), s.region) < 0)
                return -ENOMEM;
        in->region = (char *)s.region;
        in->instance_class = (char *)instance_class;
        return accept_request(a, q, reply, in, describe);
}

static int restore_to_time(struct agent *a, const struct control_request *q, struct control_reply *reply,
                           struct restore_request *in)
{
        _cleanup_(control_cluster_done) struct control_cluster c = {};
        _cleanup_free_ char *describe = NULL, *class = NULL;
        const char *cluster = in->source;
        char t0[TIME_ISO8601_MAX], t1[TIME_ISO8601_MAX], t2[TIME_ISO8601_MAX];
        int64_t at = in->restore_time;
        int r;

        r = control_lookup_cluster(a, "restore", cluster, &c, reply);
        if (r <= 0)
                return r;
        int64_t earliest = c.cluster->earliest_restorable_time, last = c.cluster->latest_restorable_time;
        if (earliest == 0 || last == 0)
                return control_reply_set(
                    reply, CONTROL_FAILED,
                    "refused: cluster %s has no restorable range (no EarliestRestorableTime / "
                    "LatestRestorableTime in DescribeDBClusters)",
                    cluster);
        if (!in->use_latest && (at < earliest || at > last))
                return control_reply_set(
                    reply, CONTROL_FAILED,
                    "refused: %s is outside the restorable range of cluster %s: %s .. %s",
                    time_format_iso8601(at, t0), cluster, time_format_iso8601(earliest, t1),
                    time_format_iso8601(last, t2));
        if (!new_cluster_free(a, in->new_cluster, reply))
                return 0;
        const char *instance_class = control_arg_string(q, "instance_class");
        if (!instance_class) {
                r = writer_class(c.client, cluster, c.cluster, reply, &class);
                if (r <= 0)
                        return r;
                instance_class = class;
        }
        if (asprintf(&describe, "cluster %s (region %s) as of %s", cluster, c.region,
                     in->use_latest ? "its latest restorable time" : time_format_iso8601(at, t0)) < 0)
                return -ENOMEM;
        in->region = (char *)c.region;
        in->instance_class = (char *)instance_class;
        return accept_request(a, q, reply, in, describe);
}

/* restore --cluster's point in time (--time or --latest) into `in`. false: the reply says what is wrong. */
static bool point_in_time(const struct control_request *q, struct control_reply *reply,
                          struct restore_request *in)
{
        const char *when = control_arg_string(q, "time");
        bool latest = control_arg_bool(q, "latest");
        int64_t at = 0;

        if (!!when == latest) {
                control_reply_set(reply, CONTROL_USAGE,
                                  "restore --cluster: give either --time ISO8601 or --latest");
                return false;
        }
        if (when && time_parse_iso8601(when, &at) < 0) {
                control_reply_set(reply, CONTROL_USAGE,
                                  "--time '%s' is not an ISO 8601 UTC time such as 2026-11-24T02:15:00Z",
                                  when);
                return false;
        }
        in->restore_time = latest ? 0 : at;
        in->use_latest = latest;
        return true;
}

int control_handle_restore(struct agent *a, const struct control_request *q, struct control_reply *reply)
{
        const char *snapshot = control_arg_string(q, "snapshot"),
                   *cluster = control_arg_string(q, "cluster");
        const char *new_cluster = control_arg_string(q, "new_cluster");
        struct restore_request in = {
            .kind = snapshot ? RESTORE_FROM_SNAPSHOT : RESTORE_TO_POINT_IN_TIME,
            .source = (char *)(snapshot ? snapshot : cluster),
            .new_cluster = (char *)new_cluster,
            .wait = !control_arg_bool(q, "no_wait"),
            .requested_by = q->uid,
        };
        int r;

        if (isempty(new_cluster))
                return control_reply_set(reply, CONTROL_USAGE, "restore: --new-cluster NAME is required");
        if (isempty(snapshot) == isempty(cluster))
                return control_reply_set(reply, CONTROL_USAGE,
                                         "restore: give either --snapshot ID or --cluster ID");
        if (!snapshot && !point_in_time(q, reply, &in))
                return 0;
        /* The same request again (after an interruption) is continued, another naming the new cluster
         * refused, before any AWS call. */
        r = continued(a, reply, &in);
        if (r != 0)
                return r < 0 ? r : 0;
        if (snapshot)
                return restore_from_snapshot(a, q, reply, &in);
        return restore_to_time(a, q, reply, &in);
}

/* Where a request stands, from its row (the agent's wake-ups write its phase); once done, the new cluster's
 * writer endpoint and port from one DescribeDBClusters. */
int control_handle_restore_status(struct agent *a, const struct control_request *q,
                                  struct control_reply *reply)
{
        _cleanup_(restore_request_done) struct restore_request rq = {};
        const char *new_cluster = control_arg_string(q, "new_cluster");
        int64_t now = agent_now(a);
        int r;

        if (isempty(new_cluster))
                return control_reply_set(reply, CONTROL_USAGE, "restore-status: which new cluster?");
        r = store_restore_request_find_latest(a->store, new_cluster, &rq);
        if (r == -ENOENT)
                return control_reply_set(reply, CONTROL_FAILED, "no restore request names new cluster %s",
                                         new_cluster);
        if (r < 0)
                return r;
        bool done = streq_ptr(rq.state, "done"),
             failed = streq_ptr(rq.state, "failed") || streq_ptr(rq.state, "canceled");
        int64_t elapsed = (done || failed ? rq.updated_at : now) - rq.created_at;
        control_reply_set(reply, failed ? CONTROL_FAILED : CONTROL_OK, "restore request %" PRIi64 " %s: %s",
                          rq.id, strna(rq.state),
                          rq.message ? rq.message : "waiting for the agent's next wake-up");
        reply_request(reply, &rq);
        control_reply_add_string(reply, "phase", rq.message);
        control_reply_add_int(reply, "elapsed_sec", elapsed < 0 ? 0 : elapsed);
        r = control_reply_add_int(reply, "requested_at", rq.created_at);
        if (r < 0 || !done)
                return r;

        _cleanup_(control_cluster_done) struct control_cluster c = {};
        r = control_reply_add_int(reply, "time_to_restore_sec", elapsed < 0 ? 0 : elapsed);
        if (r >= 0 && control_find_cluster(a, new_cluster, &c, NULL) >= 0) {
                control_reply_add_string(reply, "endpoint", c.cluster->endpoint);
                control_reply_add_int(reply, "port", c.cluster->port);
                r = control_reply_add_string(reply, "writer", c.cluster->writer);
        }
        return r;
}
