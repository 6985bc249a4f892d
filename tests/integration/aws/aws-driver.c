/* Test driver for the AWS layer's integration tests: runs one scenario against the endpoint named by
 * the standard environment (AWS_ENDPOINT_URL, credentials, region) and prints what it saw, one
 * "key=value" line per fact, for test_aws.py to check. Never prints a secret. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws-backup.h"
#include "aws-client.h"
#include "aws-rds.h"
#include "aws-s3.h"
#include "aws-sts.h"
#include "macro.h"
#include "strv.h"

static unsigned sleeps;
static uint64_t slept_ms;

/* Retries must not make the tests slow: count the backoff instead of waiting it. */
static void fake_sleep(uint64_t ms, void *userdata)
{
        sleeps++;
        slept_ms += ms;
}

static void refresh_failed(const struct aws_error *e, void *userdata)
{
        char buf[1024];
        printf("refresh_failed=%s\n", aws_error_to_string(e, buf, sizeof(buf)));
}

static int fail(const char *op, const struct aws_error *e)
{
        char buf[1024];
        printf("error op=%s kind=%s code=%s status=%ld attempts=%u retryable=%d\n", op,
               aws_error_kind_to_string(e->kind), e->code, e->http_status, e->attempts, e->retryable);
        printf("message=%s\n", aws_error_to_string(e, buf, sizeof(buf)));
        printf("sleeps=%u\n", sleeps);
        return 1;
}

static int new_client(struct aws_client **ret, const char *role_arn, const char *external_id,
                      struct aws_error *e)
{
        struct aws_client_options o = {
            .sleep_ms = fake_sleep,
            .role_arn = role_arn,
            .external_id = external_id,
            .credentials_refresh_failed = refresh_failed,
            .total_timeout_ms =
                getenv("DRIVER_TIMEOUT_MS") ? (unsigned)atoi(getenv("DRIVER_TIMEOUT_MS")) : 20000,
        };
        if (aws_client_new(&o, ret, e) < 0)
                return fail("client", e);
        return 0;
}

static void print_stats(struct aws_client *c)
{
        const struct aws_client_stats *s = aws_client_stats(c);
        printf("rds_calls=%" PRIu64 " rds_attempts=%" PRIu64 " retries=%" PRIu64 " sleeps=%u\n",
               s->calls[AWS_SERVICE_RDS], s->attempts[AWS_SERVICE_RDS], s->retries, sleeps);
}

static int cmd_inventory(struct aws_client *c, char **args, struct aws_error *e)
{
        struct rds_db_cluster_list cl = {};
        struct rds_db_cluster_snapshot_list sl = {};
        if (rds_describe_db_clusters(c, NULL, &cl, e) < 0)
                return fail("DescribeDBClusters", e);
        if (rds_describe_db_cluster_snapshots(c, NULL, &sl, e) < 0) {
                rds_db_cluster_list_done(&cl);
                return fail("DescribeDBClusterSnapshots", e);
        }
        size_t tagged = 0;
        for (size_t i = 0; i < sl.n; i++)
                if (aws_tags_get(sl.items[i].tags, sl.items[i].n_tags, "aurora-backup:policy"))
                        tagged++;
        printf("clusters=%zu snapshots=%zu tagged=%zu\n", cl.n, sl.n, tagged);
        for (size_t i = 0; i < cl.n && i < 3; i++)
                printf("cluster=%s status=%s engine=%s arn=%s\n", cl.items[i].identifier, cl.items[i].status,
                       strna(cl.items[i].engine), strna(cl.items[i].arn));
        print_stats(c);
        rds_db_cluster_list_done(&cl);
        rds_db_cluster_snapshot_list_done(&sl);
        return 0;
}

#define CHECK(op, expr)                                                                                     \
        do {                                                                                                \
                if ((expr) < 0)                                                                             \
                        return fail(op, e);                                                                 \
                printf("ok %s\n", op);                                                                      \
        } while (0)

/* Every RDS operation in a restore-drill-like order. args: cluster-id account-id bucket kms-key role-arn */
static int cmd_rds_ops(struct aws_client *c, char **args, struct aws_error *e)
{
        const char *cluster = args[0], *account = args[1], *bucket = args[2], *kms = args[3],
                   *role = args[4];
        struct aws_tag tags[] = {{(char *)"aurora-backup:policy", (char *)"prod"},
                                 {(char *)"aurora-backup:managed-by", (char *)"aurora-backup-agent"}};
        /* The answers, declared together: later steps read them, and several steps fill the same one. */
        struct rds_db_cluster_snapshot snap = {}, copy = {}, del = {};
        struct rds_snapshot_attributes attrs = {};
        struct rds_export_task task = {};
        struct rds_db_cluster restored = {};
        struct rds_db_instance inst = {};
        struct rds_db_cluster_list cl = {};
        struct rds_db_cluster_snapshot_list sl = {};

        if (!cluster || !account || !bucket || !kms || !role) {
                fprintf(stderr, "rds-ops needs: cluster account bucket kms-key role-arn\n");
                return 2;
        }
        CHECK("DescribeDBClusters", rds_describe_db_clusters(c, cluster, &cl, e));
        if (cl.n != 1 || !streq(cl.items[0].identifier, cluster))
                return printf("unexpected cluster list\n"), 1;
        printf("cluster_arn=%s status=%s window=%s retention=%u\n", strna(cl.items[0].arn),
               cl.items[0].status, strna(cl.items[0].preferred_backup_window),
               cl.items[0].backup_retention_period);
        const char *engine = cl.items[0].engine ?: "aurora-postgresql";

        CHECK("CreateDBClusterSnapshot",
              rds_create_db_cluster_snapshot(c, cluster, "drv-snap-1", tags, ELEMENTSOF(tags), &snap, e));
        printf("snapshot=%s status=%s arn=%s\n", snap.identifier, snap.status, strna(snap.arn));

        struct rds_snapshot_filter f = {.snapshot_identifier = "drv-snap-1"};
        CHECK("DescribeDBClusterSnapshots", rds_describe_db_cluster_snapshots(c, &f, &sl, e));
        if (sl.n != 1 || !aws_tags_get(sl.items[0].tags, sl.items[0].n_tags, "aurora-backup:policy"))
                return printf("snapshot tags missing from DescribeDBClusterSnapshots\n"), 1;
        printf("described_tags=%zu\n", sl.items[0].n_tags);

        struct rds_copy_params cp = {.source_snapshot = snap.arn ?: snap.identifier,
                                     .target_identifier = "drv-snap-copy",
                                     .copy_tags = true};
        CHECK("CopyDBClusterSnapshot", rds_copy_db_cluster_snapshot(c, &cp, &copy, e));
        printf("copy=%s\n", copy.identifier);

        char *accounts[] = {(char *)account, NULL};
        CHECK("ModifyDBClusterSnapshotAttribute",
              rds_modify_db_cluster_snapshot_attribute(c, "drv-snap-copy", accounts, NULL, &attrs, e));
        rds_snapshot_attributes_done(&attrs);
        CHECK("DescribeDBClusterSnapshotAttributes",
              rds_describe_db_cluster_snapshot_attributes(c, "drv-snap-copy", &attrs, e));
        printf("shared_with=%s\n",
               attrs.restore_accounts && attrs.restore_accounts[0] ? attrs.restore_accounts[0] : "none");
        rds_snapshot_attributes_done(&attrs);

        struct rds_export_params ep = {.identifier = "drv-export-1",
                                       .source_arn = snap.arn,
                                       .s3_bucket = bucket,
                                       .iam_role_arn = role,
                                       .kms_key_id = kms,
                                       .s3_prefix = "aurora/"};
        CHECK("StartExportTask", rds_start_export_task(c, &ep, &task, e));
        printf("export_status=%s\n", task.status);
        rds_export_task_done(&task);
        struct rds_export_task_list tl = {};
        CHECK("DescribeExportTasks", rds_describe_export_tasks(c, "drv-export-1", NULL, &tl, e));
        printf("export_tasks=%zu\n", tl.n);
        rds_export_task_list_done(&tl);
        CHECK("CancelExportTask", rds_cancel_export_task(c, "drv-export-1", &task, e));
        printf("export_status=%s\n", task.status);
        rds_export_task_done(&task);

        struct rds_restore_params rp = {.cluster_identifier = "drv-restored",
                                        .snapshot_identifier = "drv-snap-1",
                                        .engine = engine,
                                        .tags = tags,
                                        .n_tags = 1};
        CHECK("RestoreDBClusterFromSnapshot", rds_restore_db_cluster_from_snapshot(c, &rp, &restored, e));
        printf("restored=%s status=%s\n", restored.identifier, restored.status);
        rds_db_cluster_done(&restored);
        struct rds_restore_params pitr = {.cluster_identifier = "drv-pitr",
                                          .source_cluster_identifier = cluster};
        CHECK("RestoreDBClusterToPointInTime",
              rds_restore_db_cluster_to_point_in_time(c, &pitr, &restored, e));
        printf("pitr=%s\n", restored.identifier);
        rds_db_cluster_done(&restored);

        struct rds_instance_params ip = {.instance_identifier = "drv-restored-1",
                                         .instance_class = "db.r6g.large",
                                         .engine = engine,
                                         .cluster_identifier = "drv-restored"};
        CHECK("CreateDBInstance", rds_create_db_instance(c, &ip, &inst, e));
        printf("instance=%s status=%s\n", inst.identifier, strna(inst.status));
        rds_db_instance_done(&inst);
        struct rds_db_instance_list il = {};
        CHECK("DescribeDBInstances", rds_describe_db_instances(c, NULL, "drv-restored", &il, e));
        printf("instances=%zu\n", il.n);
        rds_db_instance_list_done(&il);

        struct aws_tag extra = {(char *)"aurora-backup:hold", (char *)"true"};
        CHECK("AddTagsToResource", rds_add_tags_to_resource(c, snap.arn, &extra, 1, e));

        CHECK("DeleteDBInstance", rds_delete_db_instance(c, "drv-restored-1", &inst, e));
        rds_db_instance_done(&inst);
        CHECK("DeleteDBCluster", rds_delete_db_cluster(c, "drv-restored", true, &restored, e));
        rds_db_cluster_done(&restored);
        CHECK("DeleteDBClusterSnapshot", rds_delete_db_cluster_snapshot(c, "drv-snap-copy", &del, e));
        rds_db_cluster_snapshot_done(&del);

        rds_db_cluster_list_done(&cl);
        rds_db_cluster_snapshot_list_done(&sl);
        rds_db_cluster_snapshot_done(&snap);
        rds_db_cluster_snapshot_done(&copy);
        print_stats(c);
        return 0;
}

/* Cross-region copy: this client is the destination region. args: source-arn target kms-key */
static int cmd_copy(struct aws_client *c, char **args, struct aws_error *e)
{
        struct rds_db_cluster_snapshot s = {};
        struct rds_copy_params cp = {.source_snapshot = args[0],
                                     .target_identifier = args[1],
                                     .kms_key_id = args[2],
                                     .copy_tags = true};
        CHECK("CopyDBClusterSnapshot", rds_copy_db_cluster_snapshot(c, &cp, &s, e));
        printf("copy=%s region=%s arn=%s tags=%zu\n", s.identifier, aws_client_region(c), strna(s.arn),
               s.n_tags);
        rds_db_cluster_snapshot_done(&s);
        return 0;
}

static int cmd_refuse_delete(struct aws_client *c, char **args, struct aws_error *e)
{
        int r = rds_delete_db_cluster_snapshot(c, args[0], NULL, e);
        printf("refused=%d kind=%s code=%s\n", r == -EPERM, aws_error_kind_to_string(e->kind), e->code);
        print_stats(c);
        return r == -EPERM ? 0 : 1;
}

static int cmd_whoami(struct aws_client *c, char **args, struct aws_error *e)
{
        struct sts_caller_identity id = {};
        struct aws_credentials cr = {};
        CHECK("GetCallerIdentity", sts_get_caller_identity(aws_client_sts(c), &id, e));
        if (aws_client_credentials(c, &cr, e) < 0)
                return fail("credentials", e);
        printf("account=%s arn=%s source=%s temporary=%d\n", id.account, id.arn, cr.source,
               cr.session_token != NULL);
        aws_credentials_done(&cr);
        sts_caller_identity_done(&id);
        return 0;
}

/* AssumeRole and AssumeRoleWithWebIdentity directly. args: role-arn token-file */
static int cmd_sts(struct aws_client *c, char **args, struct aws_error *e)
{
        struct aws_credentials cr = {};
        CHECK("AssumeRole",
              sts_assume_role(aws_client_sts(c), NULL, args[0], "ext-1", "drv-session", 900, &cr, e));
        printf("assumed_akid_prefix=%.4s expires=%d\n", cr.access_key_id, cr.expiration > 0);
        aws_credentials_done(&cr);
        if (args[1]) {
                _cleanup_fclose_ FILE *f = fopen(args[1], "re");
                char tok[4096] = "";
                if (!f || !fgets(tok, sizeof(tok), f))
                        return printf("cannot read token file\n"), 1;
                tok[strcspn(tok, "\n")] = '\0';
                CHECK("AssumeRoleWithWebIdentity",
                      sts_assume_role_with_web_identity(aws_client_sts(c), args[0], "drv-web", tok, &cr, e));
                printf("web_akid_prefix=%.4s\n", cr.access_key_id);
                aws_credentials_done(&cr);
        }
        return 0;
}

static int cmd_bucket_region(struct aws_client *c, char **args, struct aws_error *e)
{
        _cleanup_free_ char *region = NULL;
        CHECK("BucketRegion", s3_bucket_region(c, args[0], &region, e));
        printf("bucket_region=%s\n", region);
        return 0;
}

/* args: cluster-arn vault role-arn */
static int cmd_backup_ops(struct aws_client *c, char **args, struct aws_error *e)
{
        const char *resource = args[0], *vault = args[1], *role = args[2];
        struct backup_job job = {};
        struct backup_recovery_point_list l = {};
        struct backup_recovery_point p = {};
        struct backup_job_params jp = {.vault_name = vault,
                                       .resource_arn = resource,
                                       .iam_role_arn = role,
                                       .idempotency_token = "drv-1"};
        CHECK("StartBackupJob", backup_start_backup_job(c, &jp, &job, e));
        printf("job=%s\n", job.id);
        _cleanup_free_ char *job_id = strdup(job.id);
        backup_job_done(&job);
        CHECK("DescribeBackupJob", backup_describe_backup_job(c, job_id, &job, e));
        printf("job_state=%s recovery_point=%s\n", strna(job.state), strna(job.recovery_point_arn));
        backup_job_done(&job);
        CHECK("ListRecoveryPointsByResource", backup_list_recovery_points_by_resource(c, resource, &l, e));
        printf("points_by_resource=%zu\n", l.n);
        if (l.n == 0)
                return printf("no recovery point\n"), 1;
        _cleanup_free_ char *arn = strdup(l.items[0].arn);
        _cleanup_free_ char *pv = strdup(l.items[0].backup_vault_name ?: vault);
        backup_recovery_point_list_done(&l);
        CHECK("ListRecoveryPointsByBackupVault", backup_list_recovery_points_by_vault(c, pv, NULL, &l, e));
        printf("points_in_vault=%zu\n", l.n);
        backup_recovery_point_list_done(&l);
        CHECK("DescribeRecoveryPoint", backup_describe_recovery_point(c, pv, arn, &p, e));
        printf("point=%s status=%s\n", p.arn, p.status);
        backup_recovery_point_done(&p);
        CHECK("DeleteRecoveryPoint", backup_delete_recovery_point(c, pv, arn, e));
        int r = backup_describe_recovery_point(c, pv, arn, &p, e);
        printf("after_delete=%s\n", r >= 0 ? p.status : e->code);
        backup_recovery_point_done(&p);
        return 0;
}

/* One listing of a vault's recovery points, every page. args: vault */
static int cmd_points(struct aws_client *c, char **args, struct aws_error *e)
{
        struct backup_recovery_point_list l = {};
        CHECK("ListRecoveryPointsByBackupVault",
              backup_list_recovery_points_by_vault(c, args[0], NULL, &l, e));
        printf("points=%zu\n", l.n);
        backup_recovery_point_list_done(&l);
        return 0;
}

/* Keep calling under a 5xx storm until the retry quota cannot pay for a retry any more. */
static int cmd_quota(struct aws_client *c, char **args, struct aws_error *e)
{
        for (unsigned i = 1; i <= 200; i++) {
                struct rds_db_cluster_list l = {};
                aws_error_clear(e);
                if (rds_describe_db_clusters(c, NULL, &l, e) >= 0) {
                        rds_db_cluster_list_done(&l);
                        return printf("unexpected success\n"), 1;
                }
                if (e->attempts == 1) {
                        printf("exhausted_at=%u quota_message=%d\n", i,
                               strstr(e->message, "retry quota exhausted") != NULL);
                        print_stats(c);
                        return 0;
                }
        }
        return printf("quota never ran out\n"), 1;
}

int main(int argc, char **argv)
{
        /* A command runs on the client made here and fills the one error of the run, which fail() prints. */
        static const struct {
                const char *name;
                int (*fn)(struct aws_client *, char **, struct aws_error *);
                unsigned min_args;
        } cmds[] = {
            {"inventory", cmd_inventory, 0},
            {"rds-ops", cmd_rds_ops, 5},
            {"copy", cmd_copy, 3},
            {"refuse-delete", cmd_refuse_delete, 1},
            {"whoami", cmd_whoami, 0},
            {"sts", cmd_sts, 1},
            {"bucket-region", cmd_bucket_region, 1},
            {"backup-ops", cmd_backup_ops, 3},
            {"quota", cmd_quota, 0},
            {"points", cmd_points, 1},
        };
        if (argc < 2) {
                fprintf(stderr, "usage: aws-driver COMMAND [ARGS]\n");
                return 2;
        }
        setvbuf(stdout, NULL, _IOLBF, 0);
        for (size_t i = 0; i < ELEMENTSOF(cmds); i++) {
                if (!streq(argv[1], cmds[i].name))
                        continue;
                if ((unsigned)(argc - 2) < cmds[i].min_args) {
                        fprintf(stderr, "%s needs %u arguments\n", argv[1], cmds[i].min_args);
                        return 2;
                }
                struct aws_client *c = NULL;
                struct aws_error e = {};
                int r = new_client(&c, getenv("DRIVER_ROLE_ARN"), getenv("DRIVER_EXTERNAL_ID"), &e);
                if (r != 0)
                        return r;
                char *args[8] = {};
                for (int k = 2; k < argc && k - 2 < 7; k++)
                        args[k - 2] = argv[k];
                r = cmds[i].fn(c, args, &e);
                aws_client_free(c);
                return r;
        }
        fprintf(stderr, "unknown command %s\n", argv[1]);
        return 2;
}
