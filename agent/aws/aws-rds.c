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

/* ---- calls that answer one item ---- */

/* One call whose answer is read as `k` says into *ret, or read and dropped when ret is NULL. */
static int result_call(struct aws_client *c, const char *action, struct aws_buf *params,
                       const struct rds_result_kind *k, void *ret, struct aws_error *e)
{
        _cleanup_xml_ struct aws_xml_node *doc = NULL;
        union {
                struct rds_db_cluster cluster;
                struct rds_db_cluster_snapshot snapshot;
                struct rds_db_instance instance;
                struct rds_export_task export_task;
                struct rds_snapshot_attributes attributes;
        } unwanted;
        int r = rds_call(c, action, params, &doc, e);
        if (r < 0)
                return r;
        if ((r = rds_result_from_doc(doc, action, k, ret ?: &unwanted, e)) < 0)
                return r;
        if (!ret)
                k->type->done(&unwanted);
        return 0;
}

/* A parameter the call cannot go without: sent as `param` (NULL: checked here, sent further on), named
 * `what` in the MissingParameter error. */
struct required {
        const char *param;
        const char *what;
        const char *value;
};

/* Starts `action`'s parameters: every required one is checked first, in order (nothing is built when one
 * is missing), then they are added in the same order. */
static int params_begin(struct aws_buf *p, struct aws_error *e, const char *action,
                        const struct required *req, size_t n)
{
        int r;
        aws_error_clear(e);
        for (size_t i = 0; i < n; i++)
                if ((r = rds_need(e, action, req[i].what, req[i].value)) < 0)
                        return r;
        for (size_t i = 0; i < n; i++)
                if (req[i].param)
                        aws_buf_param(p, req[i].param, req[i].value);
        return 0;
}
#define PARAMS_BEGIN(p, e, action, req) params_begin((p), (e), (action), (req), ELEMENTSOF(req))

int rds_create_db_cluster_snapshot(struct aws_client *c, const char *cluster_identifier,
                                   const char *snapshot_identifier, const struct aws_tag *tags,
                                   size_t n_tags, struct rds_db_cluster_snapshot *ret, struct aws_error *e)
{
        _cleanup_buf_ struct aws_buf p = {};
        const struct required req[] = {
            {"DBClusterIdentifier", "a cluster identifier", cluster_identifier},
            {"DBClusterSnapshotIdentifier", "a snapshot identifier", snapshot_identifier},
        };
        int r = PARAMS_BEGIN(&p, e, "CreateDBClusterSnapshot", req);
        if (r < 0)
                return r;
        add_tags(&p, tags, n_tags);
        return result_call(c, "CreateDBClusterSnapshot", &p, &rds_result_snapshot, ret, e);
}

int rds_delete_db_cluster_snapshot(struct aws_client *c, const char *snapshot_identifier,
                                   struct rds_db_cluster_snapshot *ret, struct aws_error *e)
{
        _cleanup_buf_ struct aws_buf p = {};
        const struct required req[] = {
            {"DBClusterSnapshotIdentifier", "a snapshot identifier", snapshot_identifier},
        };
        int r = PARAMS_BEGIN(&p, e, "DeleteDBClusterSnapshot", req);
        if (r < 0)
                return r;
        /* Invariant: AWS Backup recovery points are deleted only through AWS Backup. Checked here, in
         * code, so that no caller can get it wrong. */
        if (snapshot_id_deleted_only_through_backup(snapshot_identifier))
                return aws_error_set(e, -EPERM, AWS_ERROR_REFUSED, "AwsBackupManagedSnapshot",
                                     "refusing to delete %.200s through RDS: AWS Backup recovery points "
                                     "(awsbackup:, continuous:) are deleted only through AWS Backup",
                                     snapshot_identifier);
        return result_call(c, "DeleteDBClusterSnapshot", &p, &rds_result_snapshot, ret, e);
}

int rds_copy_db_cluster_snapshot(struct aws_client *c, const struct rds_copy_params *cp,
                                 struct rds_db_cluster_snapshot *ret, struct aws_error *e)
{
        _cleanup_buf_ struct aws_buf p = {};
        const struct required req[] = {
            {"SourceDBClusterSnapshotIdentifier", "a source snapshot", cp->source_snapshot},
            {"TargetDBClusterSnapshotIdentifier", "a target identifier", cp->target_identifier},
        };
        int r = PARAMS_BEGIN(&p, e, "CopyDBClusterSnapshot", req);
        if (r < 0)
                return r;
        if (cp->kms_key_id)
                aws_buf_param(&p, "KmsKeyId", cp->kms_key_id);
        if (cp->copy_tags)
                aws_buf_param(&p, "CopyTags", "true");
        add_tags(&p, cp->tags, cp->n_tags);
        return result_call(c, "CopyDBClusterSnapshot", &p, &rds_result_snapshot, ret, e);
}

int rds_modify_db_cluster_snapshot_attribute(struct aws_client *c, const char *snapshot_identifier,
                                             char *const *add, char *const *remove,
                                             struct rds_snapshot_attributes *ret, struct aws_error *e)
{
        _cleanup_buf_ struct aws_buf p = {};
        const struct required req[] = {
            {"DBClusterSnapshotIdentifier", "a snapshot identifier", snapshot_identifier},
        };
        int r = PARAMS_BEGIN(&p, e, "ModifyDBClusterSnapshotAttribute", req);
        if (r < 0)
                return r;
        aws_buf_param(&p, "AttributeName", "restore");
        add_list(&p, "ValuesToAdd.AttributeValue", add);
        add_list(&p, "ValuesToRemove.AttributeValue", remove);
        return result_call(c, "ModifyDBClusterSnapshotAttribute", &p, &rds_result_attributes, ret, e);
}

int rds_describe_db_cluster_snapshot_attributes(struct aws_client *c, const char *snapshot_identifier,
                                                struct rds_snapshot_attributes *ret, struct aws_error *e)
{
        _cleanup_buf_ struct aws_buf p = {};
        const struct required req[] = {
            {"DBClusterSnapshotIdentifier", "a snapshot identifier", snapshot_identifier},
        };
        int r = PARAMS_BEGIN(&p, e, "DescribeDBClusterSnapshotAttributes", req);
        if (r < 0)
                return r;
        return result_call(c, "DescribeDBClusterSnapshotAttributes", &p, &rds_result_attributes, ret, e);
}

int rds_start_export_task(struct aws_client *c, const struct rds_export_params *ep,
                          struct rds_export_task *ret, struct aws_error *e)
{
        _cleanup_buf_ struct aws_buf p = {};
        const struct required req[] = {
            {"ExportTaskIdentifier", "an identifier", ep->identifier},
            {"SourceArn", "a source ARN", ep->source_arn},
            {"S3BucketName", "an S3 bucket", ep->s3_bucket},
            {"IamRoleArn", "an IAM role ARN", ep->iam_role_arn},
            {"KmsKeyId", "a KMS key", ep->kms_key_id},
        };
        int r = PARAMS_BEGIN(&p, e, "StartExportTask", req);
        if (r < 0)
                return r;
        if (ep->s3_prefix)
                aws_buf_param(&p, "S3Prefix", ep->s3_prefix);
        add_list(&p, "ExportOnly.member", ep->export_only);
        return result_call(c, "StartExportTask", &p, &rds_result_export_task, ret, e);
}

int rds_cancel_export_task(struct aws_client *c, const char *identifier, struct rds_export_task *ret,
                           struct aws_error *e)
{
        _cleanup_buf_ struct aws_buf p = {};
        const struct required req[] = {
            {"ExportTaskIdentifier", "an identifier", identifier},
        };
        int r = PARAMS_BEGIN(&p, e, "CancelExportTask", req);
        if (r < 0)
                return r;
        return result_call(c, "CancelExportTask", &p, &rds_result_export_task, ret, e);
}

/* What both restores send after their source (DBClusterIdentifier among it: checked by the caller). */
static void add_restore_common(struct aws_buf *p, const struct rds_restore_params *rp)
{
        aws_buf_param(p, "DBClusterIdentifier", rp->cluster_identifier);
        if (rp->port > 0) {
                char port[16];
                snprintf(port, sizeof(port), "%u", rp->port);
                aws_buf_param(p, "Port", port);
        }
        if (rp->db_cluster_parameter_group_name)
                aws_buf_param(p, "DBClusterParameterGroupName", rp->db_cluster_parameter_group_name);
        if (rp->serverless_v2_min_capacity && rp->serverless_v2_max_capacity) {
                aws_buf_param(p, "ServerlessV2ScalingConfiguration.MinCapacity",
                              rp->serverless_v2_min_capacity);
                aws_buf_param(p, "ServerlessV2ScalingConfiguration.MaxCapacity",
                              rp->serverless_v2_max_capacity);
        }
        if (rp->enable_iam_database_authentication)
                aws_buf_param(p, "EnableIAMDatabaseAuthentication", "true");
        if (rp->copy_tags_to_snapshot)
                aws_buf_param(p, "CopyTagsToSnapshot", "true");
        if (rp->db_subnet_group_name)
                aws_buf_param(p, "DBSubnetGroupName", rp->db_subnet_group_name);
        add_list(p, "VpcSecurityGroupIds.VpcSecurityGroupId", rp->vpc_security_group_ids);
        if (rp->kms_key_id)
                aws_buf_param(p, "KmsKeyId", rp->kms_key_id);
        aws_buf_param(p, "DeletionProtection", rp->deletion_protection ? "true" : "false");
        add_tags(p, rp->tags, rp->n_tags);
}

int rds_restore_db_cluster_from_snapshot(struct aws_client *c, const struct rds_restore_params *rp,
                                         struct rds_db_cluster *ret, struct aws_error *e)
{
        _cleanup_buf_ struct aws_buf p = {};
        const struct required req[] = {
            {NULL, "a cluster identifier", rp->cluster_identifier},
            {"SnapshotIdentifier", "a snapshot identifier", rp->snapshot_identifier},
            {"Engine", "an engine", rp->engine},
        };
        int r = PARAMS_BEGIN(&p, e, "RestoreDBClusterFromSnapshot", req);
        if (r < 0)
                return r;
        if (rp->engine_version)
                aws_buf_param(&p, "EngineVersion", rp->engine_version);
        add_restore_common(&p, rp);
        return result_call(c, "RestoreDBClusterFromSnapshot", &p, &rds_result_cluster, ret, e);
}

int rds_restore_db_cluster_to_point_in_time(struct aws_client *c, const struct rds_restore_params *rp,
                                            struct rds_db_cluster *ret, struct aws_error *e)
{
        _cleanup_buf_ struct aws_buf p = {};
        const struct required req[] = {
            {NULL, "a cluster identifier", rp->cluster_identifier},
            {"SourceDBClusterIdentifier", "a source cluster", rp->source_cluster_identifier},
        };
        int r = PARAMS_BEGIN(&p, e, "RestoreDBClusterToPointInTime", req);
        if (r < 0)
                return r;
        if (rp->restore_time > 0) {
                char t[TIME_ISO8601_MAX];
                aws_buf_param(&p, "RestoreToTime", time_format_iso8601(rp->restore_time, t));
        } else
                aws_buf_param(&p, "UseLatestRestorableTime", "true");
        add_restore_common(&p, rp);
        return result_call(c, "RestoreDBClusterToPointInTime", &p, &rds_result_cluster, ret, e);
}

int rds_create_db_instance(struct aws_client *c, const struct rds_instance_params *ip,
                           struct rds_db_instance *ret, struct aws_error *e)
{
        _cleanup_buf_ struct aws_buf p = {};
        const struct required req[] = {
            {"DBInstanceIdentifier", "an instance identifier", ip->instance_identifier},
            {"DBInstanceClass", "an instance class", ip->instance_class},
            {"Engine", "an engine", ip->engine},
        };
        int r = PARAMS_BEGIN(&p, e, "CreateDBInstance", req);
        if (r < 0)
                return r;
        if (ip->cluster_identifier)
                aws_buf_param(&p, "DBClusterIdentifier", ip->cluster_identifier);
        aws_buf_param(&p, "PubliclyAccessible", ip->publicly_accessible ? "true" : "false");
        add_tags(&p, ip->tags, ip->n_tags);
        return result_call(c, "CreateDBInstance", &p, &rds_result_instance, ret, e);
}

int rds_delete_db_cluster(struct aws_client *c, const char *cluster_identifier,
                          bool delete_automated_backups, struct rds_db_cluster *ret, struct aws_error *e)
{
        _cleanup_buf_ struct aws_buf p = {};
        const struct required req[] = {
            {"DBClusterIdentifier", "a cluster identifier", cluster_identifier},
        };
        int r = PARAMS_BEGIN(&p, e, "DeleteDBCluster", req);
        if (r < 0)
                return r;
        aws_buf_param(&p, "SkipFinalSnapshot", "true");
        aws_buf_param(&p, "DeleteAutomatedBackups", delete_automated_backups ? "true" : "false");
        return result_call(c, "DeleteDBCluster", &p, &rds_result_cluster, ret, e);
}

int rds_delete_db_instance(struct aws_client *c, const char *instance_identifier,
                           struct rds_db_instance *ret, struct aws_error *e)
{
        _cleanup_buf_ struct aws_buf p = {};
        const struct required req[] = {
            {"DBInstanceIdentifier", "an instance identifier", instance_identifier},
        };
        int r = PARAMS_BEGIN(&p, e, "DeleteDBInstance", req);
        if (r < 0)
                return r;
        aws_buf_param(&p, "SkipFinalSnapshot", "true");
        return result_call(c, "DeleteDBInstance", &p, &rds_result_instance, ret, e);
}

int rds_add_tags_to_resource(struct aws_client *c, const char *resource_arn, const struct aws_tag *tags,
                             size_t n_tags, struct aws_error *e)
{
        _cleanup_buf_ struct aws_buf p = {};
        _cleanup_xml_ struct aws_xml_node *doc = NULL;
        const struct required req[] = {
            {"ResourceName", "a resource ARN", resource_arn},
        };
        int r = PARAMS_BEGIN(&p, e, "AddTagsToResource", req);
        if (r < 0)
                return r;
        if (n_tags == 0)
                return aws_error_set(e, -EINVAL, AWS_ERROR_INVALID, "MissingParameter",
                                     "AddTagsToResource needs tags");
        add_tags(&p, tags, n_tags);
        return rds_call(c, "AddTagsToResource", &p, &doc, e);
}

/* ---- Untagging (aurora-backupctl release) ---- */

int rds_remove_tags_from_resource(struct aws_client *c, const char *resource_arn, char *const *keys,
                                  struct aws_error *e)
{
        _cleanup_buf_ struct aws_buf p = {};
        _cleanup_xml_ struct aws_xml_node *doc = NULL;
        const struct required req[] = {
            {"ResourceName", "a resource ARN", resource_arn},
        };
        int r = PARAMS_BEGIN(&p, e, "RemoveTagsFromResource", req);
        if (r < 0)
                return r;
        if (!keys || !keys[0])
                return aws_error_set(e, -EINVAL, AWS_ERROR_INVALID, "MissingParameter",
                                     "RemoveTagsFromResource needs tag keys");
        /* KeyList has no member locationName: TagKeys.member.N (botocore's rds 2014-10-31 model). */
        add_list(&p, "TagKeys.member", keys);
        return rds_call(c, "RemoveTagsFromResource", &p, &doc, e);
}
