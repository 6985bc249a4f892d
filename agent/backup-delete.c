/* Deleting AWS Backup recovery points through AWS Backup. An `awsbackup:` cluster snapshot's recovery
 * point ARN is the snapshot's own ARN; the vault that holds it is found with ListRecoveryPointsByResource
 * on the cluster's ARN and cached in the state store. */
#include "backup-delete.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act-outcome.h"
#include "aws-backup.h"
#include "aws-rds.h"
#include "journal.h"
#include "ledger-intent.h"
#include "snapshot-id.h"
#include "snapshot-origin.h"
#include "store.h"
#include "strv.h"

#define ERR_NOT_FOUND "ResourceNotFoundException"
#define ERR_INVALID_REQUEST "InvalidRequestException"
#define ERR_INVALID_STATE "InvalidResourceStateException"

char *backup_cluster_arn_from_snapshot(const char *snapshot_arn, const char *cluster)
{
        const char *p;
        char *ret;

        if (!snapshot_arn || !cluster || strncmp(snapshot_arn, "arn:", 4) != 0)
                return NULL;
        p = strstr(snapshot_arn, ":cluster-snapshot:");
        if (!p)
                return NULL;
        if (asprintf(&ret, "%.*s:cluster:%s", (int)(p - snapshot_arn), snapshot_arn, cluster) < 0)
                return NULL;
        return ret;
}

/* The vault holding `point_arn` (NULL: any point of the cluster), from the cache or from
 * ListRecoveryPointsByResource (then cached). -ENOENT: no vault lists it. */
static int find_vault(struct agent *a, struct aws_client *c, const char *cluster_arn, const char *point_arn,
                      bool use_cache, char **ret, struct aws_error *e)
{
        struct backup_recovery_point_list l = {};
        int r;

        if (use_cache) {
                r = store_vault_cache_get(a->store, cluster_arn, ret);
                if (r != -ENOENT)
                        return r;
        }
        r = backup_list_recovery_points_by_resource(c, cluster_arn, &l, e);
        if (r < 0)
                return r;
        r = -ENOENT;
        for (size_t i = 0; i < l.n; i++)
                if ((!point_arn || streq_ptr(l.items[i].arn, point_arn)) && l.items[i].backup_vault_name) {
                        *ret = strdup(l.items[i].backup_vault_name);
                        r = *ret ? 0 : -ENOMEM;
                        break;
                }
        backup_recovery_point_list_done(&l);
        if (r == 0)
                (void)store_vault_cache_put(a->store, cluster_arn, *ret, agent_now(a));
        return r;
}

int backup_known_vault(struct agent *a, const char *cluster_arn, char **ret)
{
        if (!a->store || !cluster_arn)
                return -ENOENT;
        return store_vault_cache_get(a->store, cluster_arn, ret);
}

int backup_vaults_observe(struct agent *a, const struct observation *o)
{
        _cleanup_strv_free_ char **seen = NULL;
        int r;

        if (!a->store || a->opts.read_only)
                return 0;
        for (size_t i = 0; i < o->n_snapshots; i++) {
                const struct observed_snapshot *s = &o->snapshots[i];
                enum snapshot_origin origin = snapshot_classify(s, agent_snapshot_prefix(a));
                _cleanup_free_ char *vault = NULL;
                struct aws_error e = {};
                struct aws_client *c = NULL;

                if (!snapshot_origin_deleted_only_through_backup(origin))
                        continue;
                const struct observed_cluster *cl =
                    observation_find_cluster(o, s->region, s->cluster_identifier);
                const char *policy = cl ? agent_cluster_policy(a, cl) : NULL;
                if (!policy || !cl->arn || strv_contains(seen, cl->arn))
                        continue;
                if (strv_extend(&seen, cl->arn) < 0)
                        return -ENOMEM;
                r = store_vault_cache_get(a->store, cl->arn, &vault);
                if (r != -ENOENT)
                        continue; /* known (or the store failed: only the summary is poorer for it) */
                r = agent_client_get(a, s->region, agent_find_policy(a, policy), &c, &e);
                if (r >= 0)
                        r = find_vault(a, c, cl->arn, NULL, false, &vault, &e);
                if (r == -ENOMEM)
                        return r;
                if (r < 0 && r != -ENOENT) {
                        /* Only the summary is poorer for it: say why, do not fail the cycle. */
                        struct event_fields f = {.policy = policy,
                                                 .cluster = cl->identifier,
                                                 .region = s->region,
                                                 .action = "list-recovery-points"};
                        char buf[512];
                        act_error_fields(&e, &f);
                        journal_event(EVENT_API_ERROR, &f,
                                      "Cannot list the AWS Backup recovery points of %s: %s", cl->arn,
                                      aws_error_to_string(&e, buf, sizeof(buf)));
                }
        }
        return 0;
}

static bool is_vault_lock_refusal(const struct aws_error *e)
{
        return streq(e->code, ERR_INVALID_REQUEST) &&
               (strstr(e->message, "lock") || strstr(e->message, "retention"));
}

static int blocked_key(const char *arn, char **ret)
{
        return asprintf(ret, "backup-delete-blocked:%s", arn) < 0 ? -ENOMEM : 0;
}

/* "<what> <snapshot><after>: <error>" */
static void failed_event(enum journal_event kind, struct event_fields *f, const struct aws_error *e,
                         const char *what, const char *snapshot, const char *after)
{
        char buf[1024];
        act_error_fields(e, f);
        journal_event(kind, f, "%s %s%s: %s", what, snapshot, after,
                      aws_error_to_string(e, buf, sizeof(buf)));
}

int backup_delete_act(struct agent *a, const struct plan_action *act, const struct observation *o,
                      int64_t cycle_id, struct act_counts *c)
{
        struct event_fields f = act_fields(act, "delete");
        const struct policy *p = agent_find_policy(a, act->policy);
        const struct observed_snapshot *s = observation_find_snapshot(o, act->region, act->snapshot);
        const struct observed_cluster *cl = observation_find_cluster(o, act->region, act->cluster);
        _cleanup_free_ char *key = NULL, *cluster_arn_owned = NULL, *vault = NULL;
        struct backup_recovery_point point = {};
        struct aws_error e = {};
        struct aws_client *client;
        const char *cluster_arn;
        int64_t id;
        int r;

        /* Only AWS Backup snapshots of a policy that manages them. */
        if (!s || !s->arn || snapshot_classify(s, agent_snapshot_prefix(a)) != ORIGIN_AWS_BACKUP || !p ||
            !p->aws_backup_manage) {
                f.reason = !s ? "not observed this cycle" : "not an AWS Backup snapshot this policy manages";
                journal_event(EVENT_ACTION_REFUSED, &f, "Refused to delete %s through AWS Backup: %s",
                              act->snapshot, f.reason);
                c->failed++;
                return 0;
        }
        r = blocked_key(s->arn, &key);
        if (r < 0)
                return r;
        r = store_reported_check(a->store, key);
        if (r < 0)
                return r;
        if (r > 0)
                return 1; /* locked vault or EXPIRED trap, reported once already: not retried every cycle */

        journal_event(EVENT_RETENTION_VERDICT, &f, "%s AWS Backup snapshot %s: %s",
                      agent_dry_run(a) ? "Would delete" : "Deleting", act->snapshot, act->rule);
        if (agent_dry_run(a))
                return 0;

        if (cl && cl->arn)
                cluster_arn = cl->arn;
        else {
                cluster_arn = cluster_arn_owned = backup_cluster_arn_from_snapshot(s->arn, act->cluster);
                if (!cluster_arn)
                        return -ENOMEM;
        }
        r = agent_client_get(a, act->region, p, &client, &e);
        if (r >= 0)
                r = find_vault(a, client, cluster_arn, s->arn, true, &vault, &e);
        if (r == -ENOENT) {
                f.reason = "no vault lists the recovery point";
                journal_event(EVENT_DELETE_FAILED, &f,
                              "Cannot delete %s: no AWS Backup vault lists it for %s", act->snapshot,
                              cluster_arn);
                c->failed++;
                return 0;
        }
        if (r < 0) {
                failed_event(EVENT_DELETE_FAILED, &f, &e, "Cannot find the AWS Backup vault of",
                             act->snapshot, "");
                c->failed++;
                return r == -ENOMEM ? r : 0;
        }

        r = ledger_intent_begin(a, cycle_id, LEDGER_DELETE_BACKUP, act, act->region, vault, &id);
        if (r < 0)
                return r;
        r = backup_delete_recovery_point(client, vault, s->arn, &e);
        if (r < 0 && act_outcome_unknown(a, &e, &f, "Deleting AWS Backup snapshot", act->snapshot, c))
                return 0;
        char delete_rid[AWS_ERROR_REQUEST_ID_MAX] = "";
        if (r >= 0)
                snprintf(delete_rid, sizeof(delete_rid), "%s", aws_client_last_request_id(client));
        if (r < 0 && streq(e.code, ERR_NOT_FOUND)) {
                /* The cached vault is stale (the point moved or the cache is old): look again, once. */
                (void)store_vault_cache_forget(a->store, cluster_arn);
                vault = mfree(vault);
                struct aws_error e2 = {};
                r = find_vault(a, client, cluster_arn, s->arn, false, &vault, &e2);
                if (r >= 0) {
                        aws_error_clear(&e);
                        r = backup_delete_recovery_point(client, vault, s->arn, &e);
                        if (r < 0 &&
                            act_outcome_unknown(a, &e, &f, "Deleting AWS Backup snapshot", act->snapshot, c))
                                return 0;
                        if (r >= 0)
                                snprintf(delete_rid, sizeof(delete_rid), "%s",
                                         aws_client_last_request_id(client));
                } else if (r != -ENOENT)
                        e = e2;
                else
                        r = -ENOENT; /* not in any vault: the point is gone already */
        }
        if (r == -ENOENT) {
                r = ledger_intent_finish(a, id, true, NULL, delete_rid);
                if (r < 0)
                        return r;
                c->succeeded++;
                c->backup_deleted++;
                journal_event(EVENT_BACKUP_DELETED, &f, "AWS Backup snapshot %s is already gone",
                              act->snapshot);
                return 0;
        }
        if (r < 0) {
                int k = ledger_intent_finish(a, id, false, &e, NULL);
                if (k < 0)
                        return k;
                c->failed++;
                if (is_vault_lock_refusal(&e)) {
                        if (store_reported_once(a->store, key, agent_now(a)) > 0)
                                failed_event(EVENT_BACKUP_VAULT_LOCKED, &f, &e,
                                             "AWS Backup refused to delete", act->snapshot,
                                             " because its vault is locked (not retried)");
                } else if (streq(e.code, ERR_INVALID_STATE))
                        failed_event(EVENT_DELETE_FAILED, &f, &e, "AWS Backup cannot delete", act->snapshot,
                                     " in its current state (retrying on a later cycle)");
                else
                        failed_event(EVENT_DELETE_FAILED, &f, &e, "Deleting AWS Backup snapshot",
                                     act->snapshot, " failed");
                agent_set_last_error(a, "delete %s: %s", act->snapshot, e.code);
                return 0;
        }

        /* A 200 does not prove deletion: without permission on the resource the point only goes EXPIRED. */
        f.target = vault;
        r = backup_describe_recovery_point(client, vault, s->arn, &point, &e);
        bool gone = r < 0 && streq(e.code, ERR_NOT_FOUND);
        bool deleting = r >= 0 && streq_ptr(point.status, "DELETING");
        bool expired = r >= 0 && streq_ptr(point.status, "EXPIRED");
        if (gone || deleting) {
                r = ledger_intent_finish(a, id, true, NULL, delete_rid);
                backup_recovery_point_done(&point);
                if (r < 0)
                        return r;
                c->succeeded++;
                c->backup_deleted++;
                f.request_id = delete_rid[0] ? delete_rid : NULL;
                journal_event(EVENT_BACKUP_DELETED, &f, "Deleted AWS Backup snapshot %s from vault %s (%s)",
                              act->snapshot, vault, act->rule);
                return 0;
        }
        struct aws_error fail = {};
        if (expired)
                aws_error_set(&fail, -EPERM, AWS_ERROR_SERVICE, "RecoveryPointExpired",
                              "the recovery point is EXPIRED, not deleted: %s",
                              strempty(point.status_message));
        else if (r >= 0)
                aws_error_set(&fail, -EIO, AWS_ERROR_SERVICE, "RecoveryPointNotDeleted",
                              "the recovery point is still %s after DeleteRecoveryPoint",
                              strempty(point.status));
        else
                fail = e;
        backup_recovery_point_done(&point);
        r = ledger_intent_finish(a, id, false, &fail, delete_rid);
        if (r < 0)
                return r;
        c->failed++;
        if (expired) {
                if (store_reported_once(a->store, key, agent_now(a)) > 0) {
                        f.reason = "EXPIRED: missing permissions";
                        f.error_code = fail.code;
                        journal_event(
                            EVENT_BACKUP_DELETE_EXPIRED, &f,
                            "AWS Backup accepted the deletion of %s but the recovery point is only EXPIRED: "
                            "the agent's role likely lacks rds:DeleteDBClusterSnapshot on the resource "
                            "(AWS Backup deletes with the caller's permissions); grant it and delete the "
                            "point, or delete it in the AWS Backup console",
                            act->snapshot);
                }
        } else
                failed_event(EVENT_DELETE_FAILED, &f, &fail, "Could not confirm the deletion of",
                             act->snapshot, "");
        agent_set_last_error(a, "delete %s: %s", act->snapshot, fail.code);
        return 0;
}
