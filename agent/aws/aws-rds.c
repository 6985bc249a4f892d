/* Amazon RDS Query API (2014-10-31) operations for Aurora clusters, snapshots, exports, restores and
 * instances: the calls that change something (one request, one item back). The Describe calls are in
 * aws-rds-describe.c; the typed structs are read and freed in aws-rds-parse.c. */
#include "aws-rds.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws-query.h"
#include "aws-rds-internal.h"
#include "aws-xml.h"
#include "macro.h"
#include "snapshot-origin.h"
#include "strv.h"
#include "time-util.h"

/* ---- request building ---- */

static void add_tags(struct aws_buf *b, const struct aws_tag *tags, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                char key[64];
                snprintf(key, sizeof(key), "Tags.Tag.%zu.Key", i + 1);
                aws_buf_param(b, key, tags[i].key);
                snprintf(key, sizeof(key), "Tags.Tag.%zu.Value", i + 1);
                aws_buf_param(b, key, tags[i].value ?: "");
        }
}

static void add_list(struct aws_buf *b, const char *prefix, char *const *values)
{
        size_t i = 0;
        STRV_FOREACH (v, values) {
                char key[128];
                snprintf(key, sizeof(key), "%s.%zu", prefix, ++i);
                aws_buf_param(b, key, *v);
        }
}

int rds_params_take(struct aws_buf *params, char **ret, struct aws_error *e)
{
        *ret = aws_buf_steal(params);
        if (!*ret)
                return aws_error_set(e, -ENOMEM, AWS_ERROR_INVALID, "OutOfMemory", "out of memory");
        return 0;
}

int rds_call(struct aws_client *c, const char *action, struct aws_buf *params, struct aws_xml_node **ret_doc,
             struct aws_error *e)
{
        _cleanup_free_ char *p = NULL;
        int r = rds_params_take(params, &p, e);
        if (r < 0)
                return r;
        return aws_query_call(c, AWS_SERVICE_RDS, action, RDS_VERSION, p, AWS_SIGN_CLIENT, NULL, ret_doc, e);
}

int rds_need(struct aws_error *e, const char *action, const char *name, const char *value)
{
        if (isempty(value))
                return aws_error_set(e, -EINVAL, AWS_ERROR_INVALID, "MissingParameter", "%s needs %s",
                                     action, name);
        return 0;
}

/* ---- one request, described by a table ---- */

/* One parameter of a call, in the order it is sent. A parameter with `what` is required: every required one
 * is checked, in order, before anything is built ("{action} needs {what}"); one without `name` is only
 * checked (it is sent by a later entry). */
struct param {
        enum {
                PARAM_TEXT,  /* `text`, when not NULL */
                PARAM_BOOL,  /* "true" or "false", always */
                PARAM_FLAG,  /* "true" when `flag` is set, else nothing */
                PARAM_LIST,  /* name.1, name.2, … from the NULL-terminated `list` */
                PARAM_TAGS,  /* Tags.Tag.N.Key / .Value */
                PARAM_GROUP, /* the `n` entries at `group`, as if written here */
        } kind;
        const char *name;
        const char *what;
        const char *text;
        bool flag;
        char *const *list;
        const struct aws_tag *tags;
        const struct param *group;
        size_t n;
};
#define REQUIRED(name, what, v) ((struct param){PARAM_TEXT, (name), (what), .text = (v)})
#define TEXT(name, v) ((struct param){PARAM_TEXT, (name), .text = (v)})
#define BOOL(name, v) ((struct param){PARAM_BOOL, (name), .flag = (v)})
#define FLAG(name, v) ((struct param){PARAM_FLAG, (name), .flag = (v)})
#define LIST(name, v) ((struct param){PARAM_LIST, (name), .list = (v)})
#define TAGS(t, count) ((struct param){PARAM_TAGS, .tags = (t), .n = (count)})
#define GROUP(g, count) ((struct param){PARAM_GROUP, .group = (g), .n = (count)})

static bool param_present(const struct param *p)
{
        switch (p->kind) {
        case PARAM_LIST:
                return p->list && p->list[0];
        case PARAM_TAGS:
                return p->n > 0;
        default:
                return !isempty(p->text);
        }
}

static int params_check(const char *action, const struct param *params, size_t n, struct aws_error *e)
{
        for (size_t i = 0; i < n; i++) {
                const struct param *p = &params[i];
                int r = 0;
                if (p->kind == PARAM_GROUP)
                        r = params_check(action, p->group, p->n, e);
                else if (p->what && !param_present(p))
                        r = rds_need(e, action, p->what, NULL); /* "{action} needs {what}" */
                if (r < 0)
                        return r;
        }
        return 0;
}

static void params_add(struct aws_buf *b, const struct param *params, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                const struct param *p = &params[i];
                switch (p->kind) {
                case PARAM_TEXT:
                        if (p->name && p->text)
                                aws_buf_param(b, p->name, p->text);
                        break;
                case PARAM_BOOL:
                        aws_buf_param(b, p->name, p->flag ? "true" : "false");
                        break;
                case PARAM_FLAG:
                        if (p->flag)
                                aws_buf_param(b, p->name, "true");
                        break;
                case PARAM_LIST:
                        add_list(b, p->name, p->list);
                        break;
                case PARAM_TAGS:
                        add_tags(b, p->tags, p->n);
                        break;
                case PARAM_GROUP:
                        params_add(b, p->group, p->n);
                        break;
                }
        }
}

/* `action` with `params` (nothing is sent when a required one is missing); its answer is read as `k` says
 * into *ret, or read and dropped when ret or k is NULL. */
static int request(struct aws_client *c, const char *action, const struct param *params, size_t n,
                   const struct rds_result_kind *k, void *ret, struct aws_error *e)
{
        _cleanup_buf_ struct aws_buf b = {};
        _cleanup_xml_ struct aws_xml_node *doc = NULL;
        union {
                struct rds_db_cluster cluster;
                struct rds_db_cluster_snapshot snapshot;
                struct rds_db_instance instance;
                struct rds_export_task export_task;
                struct rds_snapshot_attributes attributes;
        } unwanted;
        int r;

        aws_error_clear(e);
        if ((r = params_check(action, params, n, e)) < 0)
                return r;
        params_add(&b, params, n);
        if ((r = rds_call(c, action, &b, &doc, e)) < 0 || !k)
                return r;
        if ((r = rds_result_from_doc(doc, action, k, ret ?: &unwanted, e)) < 0)
                return r;
        if (!ret)
                k->type->done(&unwanted);
        return 0;
}
#define REQUEST(c, action, params, k, ret, e)                                                               \
        request((c), (action), (params), ELEMENTSOF(params), (k), (ret), (e))

/* ---- the calls ---- */

int rds_create_db_cluster_snapshot(struct aws_client *c, const char *cluster_identifier,
                                   const char *snapshot_identifier, const struct aws_tag *tags,
                                   size_t n_tags, struct rds_db_cluster_snapshot *ret, struct aws_error *e)
{
        const struct param params[] = {
            REQUIRED("DBClusterIdentifier", "a cluster identifier", cluster_identifier),
            REQUIRED("DBClusterSnapshotIdentifier", "a snapshot identifier", snapshot_identifier),
            TAGS(tags, n_tags),
        };
        return REQUEST(c, "CreateDBClusterSnapshot", params, &rds_result_snapshot, ret, e);
}

int rds_delete_db_cluster_snapshot(struct aws_client *c, const char *snapshot_identifier,
                                   struct rds_db_cluster_snapshot *ret, struct aws_error *e)
{
        const struct param params[] = {
            REQUIRED("DBClusterSnapshotIdentifier", "a snapshot identifier", snapshot_identifier),
        };
        /* Invariant: AWS Backup recovery points are deleted only through AWS Backup. Checked here, in
         * code, so that no caller can get it wrong. (A missing identifier is no Backup one: it fails in
         * the request as missing.) */
        if (snapshot_id_deleted_only_through_backup(snapshot_identifier)) {
                aws_error_clear(e);
                return aws_error_set(e, -EPERM, AWS_ERROR_REFUSED, "AwsBackupManagedSnapshot",
                                     "refusing to delete %.200s through RDS: AWS Backup recovery points "
                                     "(awsbackup:, continuous:) are deleted only through AWS Backup",
                                     snapshot_identifier);
        }
        return REQUEST(c, "DeleteDBClusterSnapshot", params, &rds_result_snapshot, ret, e);
}

int rds_copy_db_cluster_snapshot(struct aws_client *c, const struct rds_copy_params *cp,
                                 struct rds_db_cluster_snapshot *ret, struct aws_error *e)
{
        const struct param params[] = {
            REQUIRED("SourceDBClusterSnapshotIdentifier", "a source snapshot", cp->source_snapshot),
            REQUIRED("TargetDBClusterSnapshotIdentifier", "a target identifier", cp->target_identifier),
            TEXT("KmsKeyId", cp->kms_key_id),
            FLAG("CopyTags", cp->copy_tags),
            TAGS(cp->tags, cp->n_tags),
        };
        return REQUEST(c, "CopyDBClusterSnapshot", params, &rds_result_snapshot, ret, e);
}

int rds_modify_db_cluster_snapshot_attribute(struct aws_client *c, const char *snapshot_identifier,
                                             char *const *add, char *const *remove,
                                             struct rds_snapshot_attributes *ret, struct aws_error *e)
{
        const struct param params[] = {
            REQUIRED("DBClusterSnapshotIdentifier", "a snapshot identifier", snapshot_identifier),
            TEXT("AttributeName", "restore"),
            LIST("ValuesToAdd.AttributeValue", add),
            LIST("ValuesToRemove.AttributeValue", remove),
        };
        return REQUEST(c, "ModifyDBClusterSnapshotAttribute", params, &rds_result_attributes, ret, e);
}

int rds_describe_db_cluster_snapshot_attributes(struct aws_client *c, const char *snapshot_identifier,
                                                struct rds_snapshot_attributes *ret, struct aws_error *e)
{
        const struct param params[] = {
            REQUIRED("DBClusterSnapshotIdentifier", "a snapshot identifier", snapshot_identifier),
        };
        return REQUEST(c, "DescribeDBClusterSnapshotAttributes", params, &rds_result_attributes, ret, e);
}

int rds_start_export_task(struct aws_client *c, const struct rds_export_params *ep,
                          struct rds_export_task *ret, struct aws_error *e)
{
        const struct param params[] = {
            REQUIRED("ExportTaskIdentifier", "an identifier", ep->identifier),
            REQUIRED("SourceArn", "a source ARN", ep->source_arn),
            REQUIRED("S3BucketName", "an S3 bucket", ep->s3_bucket),
            REQUIRED("IamRoleArn", "an IAM role ARN", ep->iam_role_arn),
            REQUIRED("KmsKeyId", "a KMS key", ep->kms_key_id),
            TEXT("S3Prefix", ep->s3_prefix),
            LIST("ExportOnly.member", ep->export_only),
        };
        return REQUEST(c, "StartExportTask", params, &rds_result_export_task, ret, e);
}

int rds_cancel_export_task(struct aws_client *c, const char *identifier, struct rds_export_task *ret,
                           struct aws_error *e)
{
        const struct param params[] = {
            REQUIRED("ExportTaskIdentifier", "an identifier", identifier),
        };
        return REQUEST(c, "CancelExportTask", params, &rds_result_export_task, ret, e);
}

/* Both restores: `source` (the new cluster's identifier is checked there), then what both send. */
static int restore_request(struct aws_client *c, const char *action, const struct param *source, size_t n,
                           const struct rds_restore_params *rp, struct rds_db_cluster *ret,
                           struct aws_error *e)
{
        char port[16];
        bool serverless = rp->serverless_v2_min_capacity && rp->serverless_v2_max_capacity;

        snprintf(port, sizeof(port), "%u", rp->port);
        const struct param params[] = {
            GROUP(source, n),
            TEXT("DBClusterIdentifier", rp->cluster_identifier),
            TEXT("Port", rp->port > 0 ? port : NULL),
            TEXT("DBClusterParameterGroupName", rp->db_cluster_parameter_group_name),
            TEXT("ServerlessV2ScalingConfiguration.MinCapacity",
                 serverless ? rp->serverless_v2_min_capacity : NULL),
            TEXT("ServerlessV2ScalingConfiguration.MaxCapacity",
                 serverless ? rp->serverless_v2_max_capacity : NULL),
            FLAG("EnableIAMDatabaseAuthentication", rp->enable_iam_database_authentication),
            FLAG("CopyTagsToSnapshot", rp->copy_tags_to_snapshot),
            TEXT("DBSubnetGroupName", rp->db_subnet_group_name),
            LIST("VpcSecurityGroupIds.VpcSecurityGroupId", rp->vpc_security_group_ids),
            TEXT("KmsKeyId", rp->kms_key_id),
            BOOL("DeletionProtection", rp->deletion_protection),
            TAGS(rp->tags, rp->n_tags),
        };
        return REQUEST(c, action, params, &rds_result_cluster, ret, e);
}

int rds_restore_db_cluster_from_snapshot(struct aws_client *c, const struct rds_restore_params *rp,
                                         struct rds_db_cluster *ret, struct aws_error *e)
{
        const struct param source[] = {
            REQUIRED(NULL, "a cluster identifier", rp->cluster_identifier),
            REQUIRED("SnapshotIdentifier", "a snapshot identifier", rp->snapshot_identifier),
            REQUIRED("Engine", "an engine", rp->engine),
            TEXT("EngineVersion", rp->engine_version),
        };
        return restore_request(c, "RestoreDBClusterFromSnapshot", source, ELEMENTSOF(source), rp, ret, e);
}

int rds_restore_db_cluster_to_point_in_time(struct aws_client *c, const struct rds_restore_params *rp,
                                            struct rds_db_cluster *ret, struct aws_error *e)
{
        char t[TIME_ISO8601_MAX];
        const struct param source[] = {
            REQUIRED(NULL, "a cluster identifier", rp->cluster_identifier),
            REQUIRED("SourceDBClusterIdentifier", "a source cluster", rp->source_cluster_identifier),
            TEXT("RestoreToTime", rp->restore_time > 0 ? time_format_iso8601(rp->restore_time, t) : NULL),
            FLAG("UseLatestRestorableTime", rp->restore_time <= 0),
        };
        return restore_request(c, "RestoreDBClusterToPointInTime", source, ELEMENTSOF(source), rp, ret, e);
}

int rds_create_db_instance(struct aws_client *c, const struct rds_instance_params *ip,
                           struct rds_db_instance *ret, struct aws_error *e)
{
        const struct param params[] = {
            REQUIRED("DBInstanceIdentifier", "an instance identifier", ip->instance_identifier),
            REQUIRED("DBInstanceClass", "an instance class", ip->instance_class),
            REQUIRED("Engine", "an engine", ip->engine),
            TEXT("DBClusterIdentifier", ip->cluster_identifier),
            BOOL("PubliclyAccessible", ip->publicly_accessible),
            TAGS(ip->tags, ip->n_tags),
        };
        return REQUEST(c, "CreateDBInstance", params, &rds_result_instance, ret, e);
}

int rds_delete_db_cluster(struct aws_client *c, const char *cluster_identifier,
                          bool delete_automated_backups, struct rds_db_cluster *ret, struct aws_error *e)
{
        const struct param params[] = {
            REQUIRED("DBClusterIdentifier", "a cluster identifier", cluster_identifier),
            TEXT("SkipFinalSnapshot", "true"),
            BOOL("DeleteAutomatedBackups", delete_automated_backups),
        };
        return REQUEST(c, "DeleteDBCluster", params, &rds_result_cluster, ret, e);
}

int rds_delete_db_instance(struct aws_client *c, const char *instance_identifier,
                           struct rds_db_instance *ret, struct aws_error *e)
{
        const struct param params[] = {
            REQUIRED("DBInstanceIdentifier", "an instance identifier", instance_identifier),
            TEXT("SkipFinalSnapshot", "true"),
        };
        return REQUEST(c, "DeleteDBInstance", params, &rds_result_instance, ret, e);
}

int rds_add_tags_to_resource(struct aws_client *c, const char *resource_arn, const struct aws_tag *tags,
                             size_t n_tags, struct aws_error *e)
{
        const struct param params[] = {
            REQUIRED("ResourceName", "a resource ARN", resource_arn),
            {PARAM_TAGS, .what = "tags", .tags = tags, .n = n_tags},
        };
        return REQUEST(c, "AddTagsToResource", params, NULL, NULL, e);
}

/* ---- Untagging (aurora-backupctl release) ---- */

int rds_remove_tags_from_resource(struct aws_client *c, const char *resource_arn, char *const *keys,
                                  struct aws_error *e)
{
        const struct param params[] = {
            REQUIRED("ResourceName", "a resource ARN", resource_arn),
            /* KeyList has no member locationName: TagKeys.member.N (botocore's rds 2014-10-31 model). */
            {PARAM_LIST, "TagKeys.member", "tag keys", .list = keys},
        };
        return REQUEST(c, "RemoveTagsFromResource", params, NULL, NULL, e);
}
