/* Control commands on snapshots: take one now (snapshot), hold / release, delete through the safety belt. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act.h"
#include "control-internal.h"
#include "journal.h"
#include "ledger-intent.h"
#include "observation.h"
#include "select.h"
#include "snapshot-id.h"
#include "store.h"
#include "time-util.h"

#define ERR_SNAPSHOT_EXISTS "DBClusterSnapshotAlreadyExistsFault"
#define ERR_QUOTA "SnapshotQuotaExceeded"

/* The manual snapshots policy `p` may still create in `region`: the account's count and limit
 * (DescribeAccountAttributes), else the stored inventory's count and the configured or default limit. */
static int quota_room(struct agent *a, const struct policy *p, struct aws_client *client, const char *region,
                      int64_t *ret_used, int64_t *ret_cap)
{
        struct aws_error e = {};
        int64_t used = 0, max = 0;
        int r;

        r = rds_describe_account_quota(client, RDS_QUOTA_MANUAL_CLUSTER_SNAPSHOTS, &used, &max, &e);
        if (r < 0) {
                struct inventory_cluster *cl = NULL;
                struct inventory_snapshot *sn = NULL;
                size_t ncl = 0, nsn = 0;
                r = store_inventory_load(a->store, region, &cl, &ncl, &sn, &nsn, NULL);
                if (r < 0)
                        return r;
                used = 0;
                for (size_t i = 0; i < nsn; i++)
                        if (snapshot_origin_counts_toward_quota(sn[i].origin))
                                used++;
                inventory_clusters_free(cl, ncl);
                inventory_snapshots_free(sn, nsn);
                max = CONFIG_DEFAULT_QUOTA_LIMIT;
        }
        int64_t limit = p->quota_limit > 0 ? p->quota_limit : max;
        *ret_used = used;
        *ret_cap = limit > p->quota_reserve ? limit - p->quota_reserve : 0;
        return 0;
}

int control_handle_snapshot(struct agent *a, const struct control_request *q, struct control_reply *reply)
{
        const char *id = control_arg_string(q, "cluster");
        _cleanup_(control_cluster_done) struct control_cluster c = {};
        char sid[PLAN_SNAPSHOT_ID_MAX], slot[TIME_ISO8601_MAX];
        struct rds_db_cluster_snapshot snap = {};
        struct aws_error e = {};
        struct aws_client *client;
        int64_t used, cap, ledger_id, now = agent_now(a);
        int r;

        r = control_lookup_cluster(a, "snapshot", id, &c, reply);
        if (r <= 0)
                return r;
        if (!c.policy)
                return control_reply_set(
                    reply, CONTROL_FAILED,
                    "refused: no policy of this agent selects cluster %s (region %s)%s", id, c.region,
                    a->config->agent.shard_count ? ", or its policy is in another shard" : "");
        if (!streq_ptr(c.cluster->status, "available"))
                return control_reply_set(
                    reply, CONTROL_FAILED,
                    "refused: cluster %s is %s, not available: a snapshot needs an available "
                    "cluster",
                    id, strna(c.cluster->status));
        if (agent_dry_run(a))
                return control_reply_set(reply, CONTROL_FAILED, "refused: the agent runs in dry-run mode");
        r = agent_client_get(a, c.region, c.policy, &client, &e);
        if (r < 0)
                return control_reply_aws_error(reply, &e, "no AWS client for %s", c.region);
        r = quota_room(a, c.policy, client, c.region, &used, &cap);
        if (r < 0)
                return r;
        if (used + 1 > cap)
                return control_reply_set(reply, CONTROL_FAILED,
                                         "refused: no room in %s: %" PRIi64
                                         " manual snapshots of at most %" PRIi64
                                         " (quota.limit - quota.reserve of policy %s)",
                                         c.region, used, cap, c.policy->name);

        /* The agent's own name and tags, for the minute it is taken: retention judges it with the rest. */
        int64_t at = now / 60 * 60;
        r = plan_snapshot_identifier(agent_snapshot_prefix(a), id, at, sid);
        if (r < 0)
                return control_reply_set(reply, CONTROL_FAILED,
                                         "refused: no valid snapshot identifier for %s", id);
        time_format_iso8601(at, slot);
        const struct aws_tag tags[] = {
            {(char *)TAG_MANAGED_BY, (char *)TAG_MANAGED_BY_VALUE},
            {(char *)TAG_POLICY, c.policy->name},
            {(char *)TAG_SLOT, slot},
        };
        struct plan_action act = {.kind = ACTION_CREATE,
                                  .policy = c.policy->name,
                                  .cluster = id,
                                  .region = c.region,
                                  .snapshot = sid,
                                  .rule = "aurora-backupctl snapshot"};
        /* slot_start 0 in the ledger: an operator's snapshot fills no scheduled slot. */
        r = ledger_intent_begin(a, 0, LEDGER_CREATE, &act, c.region, NULL, &ledger_id);
        if (r < 0)
                return r;
        r = rds_create_db_cluster_snapshot(client, id, sid, tags, ELEMENTSOF(tags), &snap, &e);
        bool exists = r < 0 && streq(e.code, ERR_SNAPSHOT_EXISTS);
        bool ok = r >= 0 || exists;
        const char *rid = e.request_id[0] ? e.request_id : aws_client_last_request_id(client);
        if (r < 0 && aws_error_outcome_unknown(&e)) {
                rds_db_cluster_snapshot_done(&snap);
                agent_look_later(a, c.region, id);
                return control_reply_aws_error(
                    reply, &e,
                    "the answer to CreateDBClusterSnapshot %s was lost; the next cycle "
                    "settles whether it was made",
                    sid);
        }
        r = ledger_intent_finish(a, ledger_id, ok, ok ? NULL : &e, rid);
        if (r < 0) {
                rds_db_cluster_snapshot_done(&snap);
                return r;
        }
        struct event_fields f = act_fields(&act, "create");
        f.request_id = rid && *rid ? rid : NULL;
        if (ok) {
                journal_event(EVENT_SNAPSHOT_STARTED, &f,
                              "%s %s of cluster %s (aurora-backupctl snapshot, uid %u)",
                              exists ? "Found" : "Started", sid, id, (unsigned)q->uid);
                agent_look_later(a, c.region, id);
                control_reply_set(reply, CONTROL_OK, "%s snapshot %s of cluster %s (policy %s, region %s)%s",
                                  exists ? "Found" : "Started", sid, id, c.policy->name, c.region,
                                  exists ? ": it was already taken this minute" : "");
                control_reply_add_string(reply, "snapshot", sid);
                control_reply_add_string(reply, "policy", c.policy->name);
                r = control_reply_request_id(reply, f.request_id);
        } else {
                char buf[1024];
                act_error_fields(&e, &f);
                journal_event(streq(e.code, ERR_QUOTA) ? EVENT_QUOTA_EXHAUSTED : EVENT_SNAPSHOT_FAILED, &f,
                              "Creating %s failed: %s", sid, aws_error_to_string(&e, buf, sizeof(buf)));
                r = control_reply_aws_error(reply, &e, "creating snapshot %s failed", sid);
        }
        rds_db_cluster_snapshot_done(&snap);
        return r;
}

/* hold / release: the aurora-backup:hold tag, with a ledger row (kind tag) around the call. */
static int set_hold(struct agent *a, const struct control_request *q, struct control_reply *reply, bool hold)
{
        const char *verb = hold ? "hold" : "release";
        const char *id = control_arg_string(q, "snapshot");
        _cleanup_(control_snapshot_done) struct control_snapshot s = {};
        char stamp[TIME_ISO8601_MAX];
        struct aws_error e = {};
        int64_t ledger_id;
        int r;

        r = control_lookup_snapshot(a, verb, id, &s, reply);
        if (r <= 0)
                return r;
        bool held = plan_tag_get(s.view.tags, s.view.n_tags, TAG_HOLD) != NULL;
        if (held == hold)
                return control_reply_set(reply, CONTROL_OK, "%s is %s held", s.snapshot->identifier,
                                         hold ? "already" : "not");
        if (!s.snapshot->arn)
                return control_reply_set(reply, CONTROL_FAILED, "%s: AWS showed no ARN for it", id);
        if (agent_dry_run(a))
                return control_reply_set(reply, CONTROL_FAILED, "refused: the agent runs in dry-run mode");

        struct plan_action act = {.policy = plan_tag_get(s.view.tags, s.view.n_tags, TAG_POLICY),
                                  .cluster = s.snapshot->cluster_identifier,
                                  .region = s.region,
                                  .snapshot = s.snapshot->identifier,
                                  .rule = hold ? "hold" : "release"};
        r = ledger_intent_begin(a, 0, LEDGER_TAG, &act, s.region, hold ? "+" TAG_HOLD : "-" TAG_HOLD,
                                &ledger_id);
        if (r < 0)
                return r;
        if (hold) {
                /* The value says since when, for whoever finds the tag in the console. */
                time_format_iso8601(agent_now(a), stamp);
                const struct aws_tag tag = {(char *)TAG_HOLD, stamp};
                r = rds_add_tags_to_resource(s.client, s.snapshot->arn, &tag, 1, &e);
        } else {
                char *keys[] = {(char *)TAG_HOLD, NULL};
                r = rds_remove_tags_from_resource(s.client, s.snapshot->arn, keys, &e);
        }
        const char *rid = e.request_id[0] ? e.request_id : aws_client_last_request_id(s.client);
        int k = ledger_intent_finish(a, ledger_id, r >= 0, r >= 0 ? NULL : &e, rid);
        if (k < 0)
                return k;
        if (r < 0)
                return control_reply_aws_error(reply, &e, "%s %s failed", verb, s.snapshot->identifier);
        struct event_fields f = act_fields(&act, verb);
        f.reason = NULL;
        f.request_id = rid && *rid ? rid : NULL;
        journal_event(EVENT_HOLD_CHANGED, &f, "%s %s (aurora-backupctl %s, uid %u)",
                      hold ? "Held" : "Released", s.snapshot->identifier, verb, (unsigned)q->uid);
        agent_look_later(a, s.region, s.snapshot->cluster_identifier);
        control_reply_set(reply, CONTROL_OK, "%s %s: retention %s", hold ? "Held" : "Released",
                          s.snapshot->identifier,
                          hold ? "will not delete it until it is released"
                               : "judges it by its policy again from the next cycle");
        control_reply_add_string(reply, "snapshot", s.snapshot->identifier);
        return control_reply_request_id(reply, f.request_id);
}

int control_handle_hold(struct agent *a, const struct control_request *q, struct control_reply *reply)
{
        return set_hold(a, q, reply, true);
}

int control_handle_release(struct agent *a, const struct control_request *q, struct control_reply *reply)
{
        return set_hold(a, q, reply, false);
}

/* Invariant 3 for an operator's delete: never the newest available snapshot of its group, never below
 * min_keep. The group is the agent's snapshots of the cluster for the same policy and copy kind. */
static int group_refusal(struct agent *a, const struct control_snapshot *s, const struct policy *p,
                         const char **ret_refusal)
{
        struct rds_db_cluster_snapshot_list list = {};
        struct aws_error e = {};
        const char *copy = plan_tag_get(s->view.tags, s->view.n_tags, PLAN_TAG_COPY);
        unsigned available = 0;
        bool newer = false;
        int r;

        r = rds_describe_db_cluster_snapshots(
            s->client,
            &(struct rds_snapshot_filter){.cluster_identifier = s->snapshot->cluster_identifier,
                                          .snapshot_type = "manual"},
            &list, &e);
        if (r < 0) {
                *ret_refusal = "its cluster's other snapshots could not be listed";
                return 0;
        }
        for (size_t i = 0; i < list.n; i++) {
                const struct rds_db_cluster_snapshot *o = &list.items[i];
                if (o->malformed) {
                        *ret_refusal = "one of its cluster's snapshots could not be read";
                        rds_db_cluster_snapshot_list_done(&list);
                        return 0;
                }
                _cleanup_free_ struct tag *tags = calloc(o->n_tags + 1, sizeof(*tags));
                if (!tags) {
                        rds_db_cluster_snapshot_list_done(&list);
                        return -ENOMEM;
                }
                struct observed_snapshot v = observation_snapshot_view(o, s->region, tags);
                if (snapshot_classify(&v, agent_snapshot_prefix(a)) != ORIGIN_AGENT ||
                    !streq_ptr(plan_tag_get(tags, o->n_tags, TAG_POLICY), p->name) ||
                    !streq_ptr(plan_tag_get(tags, o->n_tags, PLAN_TAG_COPY), copy) ||
                    !streq_ptr(o->status, "available"))
                        continue;
                available++;
                if (!streq_ptr(o->identifier, s->snapshot->identifier) &&
                    o->create_time > s->snapshot->create_time)
                        newer = true;
        }
        rds_db_cluster_snapshot_list_done(&list);
        const struct retention *ret = &p->retention;
        for (size_t i = 0; copy && i < p->n_copies; i++)
                if (streq_ptr(p->copies[i].region, s->region))
                        ret = &p->copies[i].retention;
        if (!newer)
                *ret_refusal = "it is the newest available snapshot of its cluster";
        else if (available <= ret->min_keep)
                *ret_refusal = "its cluster would be left with fewer available snapshots than min_keep";
        return 0;
}

static const char *delete_refusal(struct agent *a, const struct control_snapshot *s,
                                  const struct policy **ret_policy)
{
        enum snapshot_origin o = snapshot_classify(&s->view, agent_snapshot_prefix(a));
        const char *policy_tag = plan_tag_get(s->view.tags, s->view.n_tags, TAG_POLICY);
        const struct policy *p = NULL;

        if (o == ORIGIN_AWS_BACKUP) {
                /* Deleted only through AWS Backup, and only for a policy that manages the cluster's points.
                 */
                for (size_t i = 0; i < a->config->n_policies && !p; i++) {
                        const struct policy *c = &a->config->policies[i];
                        if (streq_ptr(agent_policy_region(a, c), s->region) && c->aws_backup_manage &&
                            plan_policy_in_shard(&a->config->agent, c))
                                p = c;
                }
                if (!p)
                        return "AWS Backup snapshots are deleted only through AWS Backup, for a policy with "
                               "aws_backup.manage = true, and none in its region has it";
                *ret_policy = p;
                return NULL;
        }
        if (o != ORIGIN_AGENT)
                return control_origin_to_string(o);
        p = agent_find_policy(a, policy_tag);
        if (!p)
                return "tagged for a policy this agent does not have";
        if (!plan_policy_in_shard(&a->config->agent, p))
                return "its policy is in another agent's shard";
        if (plan_tag_get(s->view.tags, s->view.n_tags, TAG_HOLD))
                return "it is held (aurora-backup:hold); release it first";
        if (!streq_ptr(s->snapshot->status, "available"))
                return "it is not available";
        *ret_policy = p;
        return NULL;
}

int control_handle_delete(struct agent *a, const struct control_request *q, struct control_reply *reply)
{
        const char *id = control_arg_string(q, "snapshot");
        _cleanup_(control_snapshot_done) struct control_snapshot s = {};
        _cleanup_(ledger_entries_freep_ctl) struct ledger_list rows = {};
        const struct policy *p = NULL;
        const char *refusal;
        struct act_counts counts = {};
        int r;

        r = control_lookup_snapshot(a, "delete", id, &s, reply);
        if (r <= 0)
                return r;
        refusal = delete_refusal(a, &s, &p);
        bool backup = snapshot_classify(&s.view, agent_snapshot_prefix(a)) == ORIGIN_AWS_BACKUP;
        if (!refusal && !backup) {
                r = group_refusal(a, &s, p, &refusal);
                if (r < 0)
                        return r;
        }
        if (!refusal && agent_dry_run(a))
                refusal = "the agent runs in dry-run mode";
        if (refusal) {
                struct event_fields f = {.cluster = s.snapshot->cluster_identifier,
                                         .snapshot = s.snapshot->identifier,
                                         .region = s.region,
                                         .action = "delete",
                                         .reason = refusal};
                journal_event(EVENT_ACTION_REFUSED, &f,
                              "Refused to delete %s (aurora-backupctl delete, uid %u): %s",
                              s.snapshot->identifier, (unsigned)q->uid, refusal);
                return control_reply_set(reply, CONTROL_FAILED, "refused to delete %s: %s",
                                         s.snapshot->identifier, refusal);
        }

        /* Through the act step itself: the same belt (act.c's refusals, AWS Backup's path), ledger and
         * events. */
        struct observed_region region = {.region = (char *)s.region, .ok = true};
        struct observed_cluster cl = {.identifier = s.snapshot->cluster_identifier, .region = s.region};
        struct observation o = {.regions = &region,
                                .n_regions = 1,
                                .clusters = &cl,
                                .n_clusters = 1,
                                .snapshots = &s.view,
                                .n_snapshots = 1};
        struct plan_action act = {.kind = backup ? ACTION_DELETE_BACKUP : ACTION_DELETE_RDS,
                                  .policy = p->name,
                                  .cluster = s.snapshot->cluster_identifier,
                                  .region = s.region,
                                  .snapshot = s.snapshot->identifier,
                                  .rule = "aurora-backupctl delete"};
        struct plan plan = {.now = agent_now(a), .actions = &act, .n_actions = 1};
        int64_t since = agent_now(a);
        r = act_plan(a, &plan, &o, 0, &counts);
        act_counts_done(&counts);
        if (r < 0)
                return r;

        /* The outcome, as the ledger recorded it. */
        struct ledger_filter lf = LEDGER_FILTER_ALL;
        lf.snapshot = s.snapshot->identifier;
        lf.since = since;
        lf.limit = 1;
        r = store_ledger_list(a->store, &lf, &rows.items, &rows.n);
        if (r < 0)
                return r;
        const struct ledger_entry *row = rows.n > 0 ? &rows.items[0] : NULL;
        agent_look_later(a, s.region, s.snapshot->cluster_identifier);
        if (counts.succeeded > 0 && row && row->state == LEDGER_DONE) {
                control_reply_set(reply, CONTROL_OK, "Deleted %s%s", s.snapshot->identifier,
                                  backup ? " through AWS Backup" : "");
        } else if (counts.unconfirmed > 0) {
                control_reply_set(
                    reply, CONTROL_FAILED,
                    "the answer to deleting %s was lost; the next cycle settles whether it is gone",
                    s.snapshot->identifier);
        } else {
                control_reply_set(
                    reply, CONTROL_FAILED, "deleting %s failed%s%s%s%s", s.snapshot->identifier,
                    row && row->error_code ? ": " : "", row ? strempty(row->error_code) : "",
                    row && row->error_message ? ": " : "", row ? strempty(row->error_message) : "");
        }
        control_reply_add_string(reply, "snapshot", s.snapshot->identifier);
        return control_reply_request_id(reply, row ? row->request_id : NULL);
}
