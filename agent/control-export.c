/* Control commands on exports to S3: export a snapshot or a cluster now, to the policy's bucket settings,
 * and cancel an export task (which leaves what was already exported in the bucket). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act-outcome.h"
#include "control-internal.h"
#include "hash.h"
#include "journal.h"
#include "ledger-intent.h"
#include "observation.h"
#include "snapshot-id.h"
#include "store.h"
#include "time-util.h"

#define EXPORT_ID_MAX 60 /* ExportTaskIdentifier */

/* "<prefix>-exp-<source>-<yyyymmddthhmm>", shortened with a hash of the source to fit 60 characters. */
static int export_identifier(struct agent *a, const char *source, int64_t at,
                             char buf[static PLAN_SNAPSHOT_ID_MAX])
{
        char prefix[32], hashed[16];
        int r;

        snprintf(prefix, sizeof prefix, "%s-exp", agent_snapshot_prefix(a));
        r = plan_snapshot_identifier(prefix, source, at, buf);
        if (r >= 0 && strlen(buf) <= EXPORT_ID_MAX)
                return 0;
        snprintf(hashed, sizeof hashed, "x%08" PRIx32, (uint32_t)hash_fnv1a64(source));
        return plan_snapshot_identifier(prefix, hashed, at, buf);
}

static const char *export_refusal(const struct policy *p)
{
        if (!p)
                return "no policy of this agent selects its cluster";
        if (!p->export_.enabled || !p->export_.bucket || !p->export_.iam_role || !p->export_.kms_key)
                return "its policy has no export settings (export.bucket, export.iam_role, export.kms_key)";
        return NULL;
}

int control_handle_export(struct agent *a, const struct control_request *q, struct control_reply *reply)
{
        const char *snapshot = control_arg_string(q, "snapshot"),
                   *cluster = control_arg_string(q, "cluster");
        _cleanup_(control_snapshot_done) struct control_snapshot s = {};
        _cleanup_(control_cluster_done) struct control_cluster c = {};
        const struct policy *p = NULL;
        const char *source_arn, *source_name, *region, *refusal, *cluster_id;
        char task[PLAN_SNAPSHOT_ID_MAX];
        struct aws_error e = {};
        struct aws_client *client;
        int64_t ledger_id;
        int r;

        if (isempty(snapshot) == isempty(cluster))
                return control_reply_set(reply, CONTROL_USAGE,
                                         "export: give either --snapshot ID or --cluster ID");
        if (snapshot) {
                r = control_lookup_snapshot(a, "export", snapshot, &s, reply);
                if (r <= 0)
                        return r;
                if (!streq_ptr(s.snapshot->status, "available"))
                        return control_reply_set(reply, CONTROL_FAILED,
                                                 "refused: snapshot %s is %s, not available", snapshot,
                                                 strna(s.snapshot->status));
                /* The policy that selects its cluster; a cluster gone since falls back to the snapshot's
                 * tag. */
                if (control_find_cluster(a, s.snapshot->cluster_identifier, &c, NULL) >= 0 && c.policy)
                        p = c.policy;
                else
                        p = agent_find_policy(a, plan_tag_get(s.view.tags, s.view.n_tags, TAG_POLICY));
                source_arn = s.snapshot->arn;
                source_name = s.snapshot->identifier;
                region = s.region;
                cluster_id = s.snapshot->cluster_identifier;
        } else {
                r = control_lookup_cluster(a, "export", cluster, &c, reply);
                if (r <= 0)
                        return r;
                p = c.policy;
                source_arn = c.cluster->arn;
                source_name = c.cluster->identifier;
                region = c.region;
                cluster_id = c.cluster->identifier;
        }
        refusal = export_refusal(p);
        if (!refusal && !source_arn)
                refusal = "AWS showed no ARN for it";
        if (!refusal && agent_dry_run(a))
                refusal = "the agent runs in dry-run mode";
        if (refusal)
                return control_reply_set(reply, CONTROL_FAILED, "refused to export %s: %s", source_name,
                                         refusal);

        r = export_identifier(a, source_name, agent_now(a) / 60 * 60, task);
        if (r < 0)
                return control_reply_set(reply, CONTROL_FAILED, "no valid export task identifier for %s",
                                         source_name);
        r = agent_client_get(a, region, p, &client, &e);
        if (r < 0)
                return control_reply_aws_error(reply, &e, "no AWS client for %s", region);
        struct plan_action act = {.kind = ACTION_EXPORT,
                                  .policy = p->name,
                                  .cluster = cluster_id,
                                  .region = region,
                                  .snapshot = task,
                                  .source_snapshot = source_name,
                                  .rule = snapshot ? "aurora-backupctl export --snapshot"
                                                   : "aurora-backupctl export --cluster"};
        r = ledger_intent_begin(a, 0, LEDGER_EXPORT, &act, region, p->export_.bucket, &ledger_id);
        if (r < 0)
                return r;
        r = rds_start_export_task(client,
                                  &(struct rds_export_params){.identifier = task,
                                                              .source_arn = source_arn,
                                                              .s3_bucket = p->export_.bucket,
                                                              .iam_role_arn = p->export_.iam_role,
                                                              .kms_key_id = p->export_.kms_key,
                                                              .s3_prefix = p->export_.prefix},
                                  NULL, &e);
        const char *rid = e.request_id[0] ? e.request_id : aws_client_last_request_id(client);
        if (r < 0 && aws_error_outcome_unknown(&e))
                return control_reply_aws_error(
                    reply, &e,
                    "the answer to StartExportTask %s was lost; the next cycle settles "
                    "whether it started",
                    task);
        int k = ledger_intent_finish(a, ledger_id, r >= 0, r >= 0 ? NULL : &e, rid);
        if (k < 0)
                return k;
        struct event_fields f = act_fields(&act, "export");
        f.target = p->export_.bucket;
        f.request_id = rid && *rid ? rid : NULL;
        if (r < 0) {
                char buf[1024];
                act_error_fields(&e, &f);
                journal_event(EVENT_EXPORT_FAILED, &f, "Exporting %s failed: %s", source_name,
                              aws_error_to_string(&e, buf, sizeof(buf)));
                return control_reply_aws_error(reply, &e, "exporting %s failed", source_name);
        }
        journal_event(EVENT_EXPORT_STARTED, &f,
                      "Exporting %s %s to s3://%s/%s as %s (aurora-backupctl, uid %u)",
                      snapshot ? "snapshot" : "cluster", source_name, p->export_.bucket,
                      strempty(p->export_.prefix), task, (unsigned)q->uid);
        control_reply_set(
            reply, CONTROL_OK, "Started export task %s: %s %s to s3://%s/%s%s%s/", task,
            snapshot ? "snapshot" : "cluster", source_name, p->export_.bucket, strempty(p->export_.prefix),
            isempty(p->export_.prefix) || p->export_.prefix[strlen(p->export_.prefix) - 1] == '/' ? "" : "/",
            task);
        control_reply_add_string(reply, "export_task", task);
        control_reply_add_string(reply, "bucket", p->export_.bucket);
        return control_reply_request_id(reply, f.request_id);
}

int control_handle_cancel_export(struct agent *a, const struct control_request *q,
                                 struct control_reply *reply)
{
        const char *task = control_arg_string(q, "task");
        struct rds_export_task_list list = {};
        struct rds_export_task done = {};
        const struct policy *p = NULL;
        struct aws_client *client = NULL;
        const char *region = NULL;
        struct aws_error e = {};
        int64_t ledger_id;
        int r;

        if (isempty(task))
                return control_reply_set(reply, CONTROL_USAGE, "cancel-export: which export task?");
        for (size_t i = 0; i < a->config->n_policies && list.n == 0; i++) {
                const struct policy *c = &a->config->policies[i];
                const char *rg = agent_policy_region(a, c);
                if (!rg || agent_client_get(a, rg, c, &client, &e) < 0)
                        continue;
                r = rds_describe_export_tasks(client, task, NULL, &list, &e);
                if (r < 0 && !streq(e.code, "ExportTaskNotFoundFault") &&
                    !streq(e.code, "ExportTaskNotFound")) {
                        rds_export_task_list_done(&list);
                        return control_reply_aws_error(reply, &e, "cannot look for export task %s in %s",
                                                       task, rg);
                }
                if (list.n > 0) {
                        p = c;
                        region = rg;
                }
        }
        if (list.n == 0) {
                rds_export_task_list_done(&list);
                return control_reply_set(reply, CONTROL_FAILED,
                                         "export task %s not found in the regions the policies use", task);
        }
        _cleanup_free_ char *bucket = list.items[0].s3_bucket ? strdup(list.items[0].s3_bucket) : NULL;
        _cleanup_free_ char *prefix = list.items[0].s3_prefix ? strdup(list.items[0].s3_prefix) : NULL;
        _cleanup_free_ char *status = list.items[0].status ? strdup(list.items[0].status) : NULL;
        rds_export_task_list_done(&list);
        if (!streq_ptr(status, "STARTING") && !streq_ptr(status, "IN_PROGRESS"))
                return control_reply_set(reply, CONTROL_FAILED,
                                         "refused: export task %s is %s: only a STARTING or "
                                         "IN_PROGRESS task can be canceled",
                                         task, strna(status));
        if (agent_dry_run(a))
                return control_reply_set(reply, CONTROL_FAILED, "refused: the agent runs in dry-run mode");

        /* Where the task writes: s3://bucket/prefix/task/ (the export's own folder under the prefix). */
        _cleanup_free_ char *where = NULL;
        bool slash = isempty(prefix) || prefix[strlen(prefix) - 1] == '/';
        if (asprintf(&where, "s3://%s/%s%s%s/", strempty(bucket), strempty(prefix), slash ? "" : "/", task) <
            0)
                return -ENOMEM;
        struct plan_action act = {
            .policy = p->name, .region = region, .snapshot = task, .rule = "aurora-backupctl cancel-export"};
        r = ledger_intent_begin(a, 0, LEDGER_CANCEL_EXPORT, &act, region, bucket, &ledger_id);
        if (r < 0)
                return r;
        r = rds_cancel_export_task(client, task, &done, &e);
        const char *rid = e.request_id[0] ? e.request_id : aws_client_last_request_id(client);
        int k = ledger_intent_finish(a, ledger_id, r >= 0, r >= 0 ? NULL : &e, rid);
        rds_export_task_done(&done);
        if (k < 0)
                return k;
        if (r < 0)
                return control_reply_aws_error(reply, &e, "canceling export task %s failed", task);
        struct event_fields f = act_fields(&act, "cancel-export");
        f.reason = NULL;
        f.target = where;
        f.request_id = rid && *rid ? rid : NULL;
        journal_event(
            EVENT_EXPORT_CANCELED, &f,
            "Canceled export task %s (aurora-backupctl, uid %u); data already exported stays in %s", task,
            (unsigned)q->uid, where);
        control_reply_set(reply, CONTROL_OK,
                          "Canceling export task %s. Canceling does not remove the data already exported: "
                          "delete what was written under %s yourself",
                          task, where);
        control_reply_add_string(reply, "export_task", task);
        control_reply_add_string(reply, "s3_prefix_to_clean", where);
        return control_reply_request_id(reply, f.request_id);
}
