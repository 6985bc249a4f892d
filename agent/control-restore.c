/* aurora-backupctl restore: the agent validates the request (the source exists, the new name is free, the
 * time is inside the restorable range) with no mutating call, and records it in state.db. Carrying it out
 * (restore, CreateDBInstance, waiting for the writer) belongs to the planner's restore actions, not built
 * yet: the reply says the request is recorded and not executed, and is not a success. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control-internal.h"
#include "journal.h"
#include "store.h"
#include "time-util.h"

static int recorded(struct agent *a, const struct control_request *q, struct control_reply *reply,
                    const struct restore_request *in, const char *describe)
{
        _cleanup_(restore_request_done) struct restore_request open = {};
        int64_t id;
        int r;

        r = store_restore_request_find_open(a->store, in->new_cluster, &open);
        if (r >= 0) {
                if (open.kind != in->kind || !streq_ptr(open.source, in->source))
                        return control_reply_set(reply, CONTROL_FAILED,
                                                 "refused: restore request %" PRIi64 " (from %s) already names %s",
                                                 open.id, strna(open.source), in->new_cluster);
                id = open.id;
        } else if (r == -ENOENT) {
                r = store_restore_request_add(a->store, in, agent_now(a), &id);
                if (r < 0)
                        return r;
                struct event_fields f = {.cluster = in->kind == RESTORE_TO_POINT_IN_TIME ? in->source : NULL,
                                         .snapshot = in->kind == RESTORE_FROM_SNAPSHOT ? in->source : NULL,
                                         .region = in->region, .target = in->new_cluster, .action = "restore"};
                journal_event(EVENT_RESTORE_REQUESTED, &f,
                              "Restore request %" PRIi64 " recorded: %s into new cluster %s (aurora-backupctl, uid %u); "
                              "not executed by this version",
                              id, describe, in->new_cluster, (unsigned)q->uid);
        } else
                return r;

        control_reply_set(reply, CONTROL_FAILED,
                          "Restore request %" PRIi64 " recorded: %s into new cluster %s.\n"
                          "Not executed: this agent validates and records restore requests but does not carry them "
                          "out yet (no cluster or instance was created). Nothing else to do now; the request stays "
                          "in the state for the version that executes it.",
                          id, describe, in->new_cluster);
        r = control_reply_add_int(reply, "restore_request", id);
        if (r >= 0)
                r = control_reply_add_string(reply, "state", "recorded");
        if (r >= 0)
                r = control_reply_add_string(reply, "new_cluster", in->new_cluster);
        return r;
}

/* The new name: a valid identifier, not an existing cluster (a re-run of a recorded request is not). */
static int check_new_cluster(struct agent *a, const char *name, struct control_reply *reply, bool *ret_ok)
{
        _cleanup_(control_cluster_done) struct control_cluster c = {};
        struct control_reply ignored = {};
        int r;

        *ret_ok = false;
        if (!plan_identifier_is_valid(name, 63)) {
                control_reply_set(reply, CONTROL_USAGE,
                                  "--new-cluster '%s' is not a valid cluster identifier: 1..63 letters, digits and "
                                  "single hyphens, starting with a letter, not ending with a hyphen",
                                  name);
                return 0;
        }
        r = control_find_cluster(a, name, &c, &ignored);
        control_reply_done(&ignored);
        if (r >= 0) {
                control_reply_set(reply, CONTROL_FAILED, "refused: a cluster named %s already exists in %s", name,
                                  c.region);
                return 0;
        }
        if (r != -ENOENT) {
                control_reply_set(reply, CONTROL_FAILED, "cannot tell whether cluster %s exists", name);
                return 0;
        }
        *ret_ok = true;
        return 0;
}

static int restore_from_snapshot(struct agent *a, const struct control_request *q, struct control_reply *reply,
                                 const char *snapshot, const char *new_cluster)
{
        _cleanup_(control_snapshot_done) struct control_snapshot s = {};
        _cleanup_free_ char *describe = NULL;
        bool ok;
        int r;

        r = control_find_snapshot(a, snapshot, &s, reply);
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        if (!streq_ptr(s.snapshot->status, "available"))
                return control_reply_set(reply, CONTROL_FAILED, "refused: snapshot %s is %s, not available", snapshot,
                                         strna(s.snapshot->status));
        r = check_new_cluster(a, new_cluster, reply, &ok);
        if (r < 0 || !ok)
                return r;
        if (asprintf(&describe, "snapshot %s (cluster %s, region %s)", s.snapshot->identifier,
                     strna(s.snapshot->cluster_identifier), s.region) < 0)
                return -ENOMEM;
        struct restore_request in = {
            .kind = RESTORE_FROM_SNAPSHOT,
            .source = (char *)snapshot,
            .region = (char *)s.region,
            .new_cluster = (char *)new_cluster,
            .instance_class = (char *)control_arg_string(q, "instance_class"),
            .wait = !control_arg_bool(q, "no_wait"),
            .requested_by = q->uid,
        };
        return recorded(a, q, reply, &in, describe);
}

static int restore_to_time(struct agent *a, const struct control_request *q, struct control_reply *reply,
                           const char *cluster, const char *new_cluster)
{
        _cleanup_(control_cluster_done) struct control_cluster c = {};
        _cleanup_free_ char *describe = NULL;
        const char *when = control_arg_string(q, "time");
        bool latest = control_arg_bool(q, "latest"), ok;
        char t0[TIME_ISO8601_MAX], t1[TIME_ISO8601_MAX], t2[TIME_ISO8601_MAX];
        int64_t at = 0;
        int r;

        if (!!when == latest)
                return control_reply_set(reply, CONTROL_USAGE, "restore --cluster: give either --time ISO8601 or --latest");
        if (when && time_parse_iso8601(when, &at) < 0)
                return control_reply_set(reply, CONTROL_USAGE,
                                         "--time '%s' is not an ISO 8601 UTC time such as 2026-11-24T02:15:00Z", when);
        r = control_find_cluster(a, cluster, &c, reply);
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        int64_t earliest = c.cluster->earliest_restorable_time, last = c.cluster->latest_restorable_time;
        if (earliest == 0 || last == 0)
                return control_reply_set(reply, CONTROL_FAILED,
                                         "refused: cluster %s has no restorable range (no EarliestRestorableTime / "
                                         "LatestRestorableTime in DescribeDBClusters)",
                                         cluster);
        if (when && (at < earliest || at > last))
                return control_reply_set(reply, CONTROL_FAILED,
                                         "refused: %s is outside the restorable range of cluster %s: %s .. %s",
                                         time_format_iso8601(at, t0), cluster, time_format_iso8601(earliest, t1),
                                         time_format_iso8601(last, t2));
        r = check_new_cluster(a, new_cluster, reply, &ok);
        if (r < 0 || !ok)
                return r;
        if (asprintf(&describe, "cluster %s (region %s) as of %s", cluster, c.region,
                     latest ? "its latest restorable time" : time_format_iso8601(at, t0)) < 0)
                return -ENOMEM;
        struct restore_request in = {
            .kind = RESTORE_TO_POINT_IN_TIME,
            .source = (char *)cluster,
            .region = (char *)c.region,
            .restore_time = latest ? 0 : at,
            .use_latest = latest,
            .new_cluster = (char *)new_cluster,
            .instance_class = (char *)control_arg_string(q, "instance_class"),
            .wait = !control_arg_bool(q, "no_wait"),
            .requested_by = q->uid,
        };
        return recorded(a, q, reply, &in, describe);
}

int control_handle_restore(struct agent *a, const struct control_request *q, struct control_reply *reply)
{
        const char *snapshot = control_arg_string(q, "snapshot"), *cluster = control_arg_string(q, "cluster");
        const char *new_cluster = control_arg_string(q, "new_cluster");

        if (isempty(new_cluster))
                return control_reply_set(reply, CONTROL_USAGE, "restore: --new-cluster NAME is required");
        if (isempty(snapshot) == isempty(cluster))
                return control_reply_set(reply, CONTROL_USAGE, "restore: give either --snapshot ID or --cluster ID");
        if (snapshot)
                return restore_from_snapshot(a, q, reply, snapshot, new_cluster);
        return restore_to_time(a, q, reply, cluster, new_cluster);
}
