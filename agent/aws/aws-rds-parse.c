/* Reading RDS Query answers into the typed structs: Describe pages item by item as they arrive (aws-xml.h's
 * push parser), and the one item a mutating call answers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "aws-query.h"
#include "aws-rds-internal.h"
#include "aws-xml.h"
#include "macro.h"
#include "strv.h"

/* ---- items ---- */

static int parse_tags(const struct aws_xml_node *parent, struct aws_tag **ret, size_t *ret_n)
{
        const struct aws_xml_node *list = aws_xml_child(parent, "TagList");
        struct aws_tag *tags = NULL;
        size_t n = 0, allocated = 0;
        AWS_XML_FOREACH(t, list, "Tag")
        {
                if (n >= RDS_MAX_TAGS || ARRAY_GROW(tags, allocated, n) < 0) {
                        aws_tags_free(tags, n);
                        return -EBADMSG;
                }
                struct aws_tag *slot = &tags[n++];
                if (aws_xml_child_text(t, "Key", &slot->key) < 0 ||
                    aws_xml_child_text(t, "Value", &slot->value) < 0 || !slot->key) {
                        aws_tags_free(tags, n);
                        return -EBADMSG;
                }
                if (!slot->value && !(slot->value = strdup(""))) {
                        aws_tags_free(tags, n);
                        return -ENOMEM;
                }
        }
        *ret = tags;
        *ret_n = n;
        return 0;
}

static int parse_cluster(const struct aws_xml_node *n, struct rds_db_cluster *ret)
{
        struct rds_db_cluster c = {};
        int r = 0;
        if ((r = aws_xml_child_text(n, "DBClusterIdentifier", &c.identifier)) < 0 ||
            (r = aws_xml_child_text(n, "DBClusterArn", &c.arn)) < 0 ||
            (r = aws_xml_child_text(n, "DbClusterResourceId", &c.resource_id)) < 0 ||
            (r = aws_xml_child_text(n, "Status", &c.status)) < 0 ||
            (r = aws_xml_child_text(n, "Engine", &c.engine)) < 0 ||
            (r = aws_xml_child_text(n, "EngineVersion", &c.engine_version)) < 0 ||
            (r = aws_xml_child_text(n, "KmsKeyId", &c.kms_key_id)) < 0 ||
            (r = aws_xml_child_text(n, "PreferredBackupWindow", &c.preferred_backup_window)) < 0 ||
            (r = aws_xml_child_text(n, "Endpoint", &c.endpoint)) < 0 ||
            (r = aws_xml_child_uint(n, "Port", &c.port)) < 0 ||
            (r = aws_xml_child_text(n, "AwsBackupRecoveryPointArn", &c.aws_backup_recovery_point_arn)) < 0 ||
            (r = aws_xml_child_uint(n, "BackupRetentionPeriod", &c.backup_retention_period)) < 0 ||
            (r = aws_xml_child_bool(n, "StorageEncrypted", &c.storage_encrypted)) < 0 ||
            (r = aws_xml_child_bool(n, "DeletionProtection", &c.deletion_protection)) < 0 ||
            (r = aws_xml_child_time(n, "ClusterCreateTime", &c.cluster_create_time)) < 0 ||
            (r = aws_xml_child_time(n, "EarliestRestorableTime", &c.earliest_restorable_time)) < 0 ||
            (r = aws_xml_child_time(n, "LatestRestorableTime", &c.latest_restorable_time)) < 0 ||
            (r = aws_xml_child_text(n, "DBSubnetGroup", &c.db_subnet_group)) < 0 ||
            (r = aws_xml_child_text(n, "DBClusterParameterGroup", &c.db_cluster_parameter_group)) < 0 ||
            (r = aws_xml_child_bool(n, "IAMDatabaseAuthenticationEnabled", &c.iam_database_authentication)) <
                0 ||
            (r = aws_xml_child_bool(n, "CopyTagsToSnapshot", &c.copy_tags_to_snapshot)) < 0 ||
            (r = parse_tags(n, &c.tags, &c.n_tags)) < 0)
                goto fail;
        /* (No local for the node: its type differs between the XML back-ends; a NULL parent reads as
         * absent.) */
        if ((r = aws_xml_child_text(aws_xml_child(n, "ServerlessV2ScalingConfiguration"), "MinCapacity",
                                    &c.serverless_v2_min_capacity)) < 0 ||
            (r = aws_xml_child_text(aws_xml_child(n, "ServerlessV2ScalingConfiguration"), "MaxCapacity",
                                    &c.serverless_v2_max_capacity)) < 0)
                goto fail;
        size_t ng = 0;
        AWS_XML_FOREACH(g, aws_xml_child(n, "VpcSecurityGroups"), "VpcSecurityGroupMembership")
        {
                _cleanup_free_ char *id = NULL;
                if (++ng > RDS_MAX_MEMBERS || (r = aws_xml_child_text(g, "VpcSecurityGroupId", &id)) < 0) {
                        r = r < 0 ? r : -EBADMSG;
                        goto fail;
                }
                if (id && (r = strv_extend(&c.vpc_security_group_ids, id)) < 0)
                        goto fail;
        }
        size_t nm = 0;
        AWS_XML_FOREACH(m, aws_xml_child(n, "DBClusterMembers"), "DBClusterMember")
        {
                _cleanup_free_ char *id = NULL;
                bool writer = false;
                if (++nm > RDS_MAX_MEMBERS || (r = aws_xml_child_text(m, "DBInstanceIdentifier", &id)) < 0 ||
                    (r = aws_xml_child_bool(m, "IsClusterWriter", &writer)) < 0 || !id) {
                        r = -EBADMSG;
                        goto fail;
                }
                if (writer && !c.writer && !(c.writer = strdup(id))) {
                        r = -ENOMEM;
                        goto fail;
                }
                if ((r = strv_extend(&c.members, id)) < 0)
                        goto fail;
        }
        if (isempty(c.identifier) || isempty(c.status)) {
                r = -EBADMSG;
                goto fail;
        }
        *ret = c;
        return 0;
fail:
        rds_db_cluster_done(&c);
        return r;
}

static int parse_snapshot(const struct aws_xml_node *n, struct rds_db_cluster_snapshot *ret)
{
        struct rds_db_cluster_snapshot s = {};
        int r;
        if ((r = aws_xml_child_text(n, "DBClusterSnapshotIdentifier", &s.identifier)) < 0 ||
            (r = aws_xml_child_text(n, "DBClusterSnapshotArn", &s.arn)) < 0 ||
            (r = aws_xml_child_text(n, "DBClusterIdentifier", &s.cluster_identifier)) < 0 ||
            (r = aws_xml_child_text(n, "Status", &s.status)) < 0 ||
            (r = aws_xml_child_text(n, "SnapshotType", &s.snapshot_type)) < 0 ||
            (r = aws_xml_child_text(n, "Engine", &s.engine)) < 0 ||
            (r = aws_xml_child_text(n, "EngineVersion", &s.engine_version)) < 0 ||
            (r = aws_xml_child_text(n, "KmsKeyId", &s.kms_key_id)) < 0 ||
            (r = aws_xml_child_text(n, "SourceDBClusterSnapshotArn", &s.source_arn)) < 0 ||
            (r = aws_xml_child_text(n, "DbClusterResourceId", &s.resource_id)) < 0 ||
            (r = aws_xml_child_time(n, "SnapshotCreateTime", &s.create_time)) < 0 ||
            (r = aws_xml_child_time(n, "ClusterCreateTime", &s.cluster_create_time)) < 0 ||
            (r = aws_xml_child_bool(n, "StorageEncrypted", &s.storage_encrypted)) < 0 ||
            (r = aws_xml_child_uint(n, "AllocatedStorage", &s.allocated_storage)) < 0 ||
            (r = aws_xml_child_uint(n, "PercentProgress", &s.percent_progress)) < 0 ||
            (r = parse_tags(n, &s.tags, &s.n_tags)) < 0)
                goto fail;
        if (isempty(s.identifier) || isempty(s.status) || isempty(s.cluster_identifier)) {
                r = -EBADMSG;
                goto fail;
        }
        *ret = s;
        return 0;
fail:
        rds_db_cluster_snapshot_done(&s);
        return r;
}

static int parse_instance(const struct aws_xml_node *n, struct rds_db_instance *ret)
{
        struct rds_db_instance i = {};
        int r;
        if ((r = aws_xml_child_text(n, "DBInstanceIdentifier", &i.identifier)) < 0 ||
            (r = aws_xml_child_text(n, "DBInstanceArn", &i.arn)) < 0 ||
            (r = aws_xml_child_text(n, "DBClusterIdentifier", &i.cluster_identifier)) < 0 ||
            (r = aws_xml_child_text(n, "DBInstanceStatus", &i.status)) < 0 ||
            (r = aws_xml_child_text(n, "DBInstanceClass", &i.instance_class)) < 0 ||
            (r = aws_xml_child_text(n, "Engine", &i.engine)) < 0)
                goto fail;
        if (isempty(i.identifier)) {
                r = -EBADMSG;
                goto fail;
        }
        *ret = i;
        return 0;
fail:
        rds_db_instance_done(&i);
        return r;
}

static int parse_export_task(const struct aws_xml_node *n, struct rds_export_task *ret)
{
        struct rds_export_task t = {};
        int r;
        if ((r = aws_xml_child_text(n, "ExportTaskIdentifier", &t.identifier)) < 0 ||
            (r = aws_xml_child_text(n, "SourceArn", &t.source_arn)) < 0 ||
            (r = aws_xml_child_text(n, "Status", &t.status)) < 0 ||
            (r = aws_xml_child_text(n, "S3Bucket", &t.s3_bucket)) < 0 ||
            (r = aws_xml_child_text(n, "S3Prefix", &t.s3_prefix)) < 0 ||
            (r = aws_xml_child_text(n, "KmsKeyId", &t.kms_key_id)) < 0 ||
            (r = aws_xml_child_text(n, "IamRoleArn", &t.iam_role_arn)) < 0 ||
            (r = aws_xml_child_text(n, "FailureCause", &t.failure_cause)) < 0 ||
            (r = aws_xml_child_text(n, "WarningMessage", &t.warning_message)) < 0 ||
            (r = aws_xml_child_uint(n, "PercentProgress", &t.percent_progress)) < 0 ||
            (r = aws_xml_child_time(n, "SnapshotTime", &t.snapshot_time)) < 0 ||
            (r = aws_xml_child_time(n, "TaskStartTime", &t.task_start_time)) < 0 ||
            (r = aws_xml_child_time(n, "TaskEndTime", &t.task_end_time)) < 0)
                goto fail;
        if (isempty(t.identifier) || isempty(t.status)) {
                r = -EBADMSG;
                goto fail;
        }
        *ret = t;
        return 0;
fail:
        rds_export_task_done(&t);
        return r;
}

/* `n`: a DBClusterSnapshotAttributesResult. */
static int parse_attributes(const struct aws_xml_node *n, struct rds_snapshot_attributes *ret)
{
        struct rds_snapshot_attributes a = {};
        int r;
        if ((r = aws_xml_child_text(n, "DBClusterSnapshotIdentifier", &a.snapshot_identifier)) < 0)
                goto fail;
        AWS_XML_FOREACH(attr, aws_xml_child(n, "DBClusterSnapshotAttributes"), "DBClusterSnapshotAttribute")
        {
                _cleanup_free_ char *name = NULL;
                if ((r = aws_xml_child_text(attr, "AttributeName", &name)) < 0)
                        goto fail;
                if (!name || !streq(name, "restore"))
                        continue;
                size_t count = 0;
                AWS_XML_FOREACH(v, aws_xml_child(attr, "AttributeValues"), "AttributeValue")
                {
                        _cleanup_free_ char *val = NULL;
                        if (++count > RDS_MAX_LIST || (r = aws_xml_text(v, &val)) < 0) {
                                r = r < 0 ? r : -EBADMSG;
                                goto fail;
                        }
                        if ((r = strv_extend(&a.restore_accounts, val)) < 0)
                                goto fail;
                }
        }
        if (!a.snapshot_identifier) {
                r = -EBADMSG;
                goto fail;
        }
        *ret = a;
        return 0;
fail:
        rds_snapshot_attributes_done(&a);
        return r;
}

/* What is left of an item that could not be read: nothing (leave it out, counted in `skipped`), or, for
 * snapshots, its names marked malformed (see aws-rds.h). */
static int salvage_none(const struct aws_xml_node *item, void *slot)
{
        return -EBADMSG;
}

static int salvage_snapshot(const struct aws_xml_node *item, void *slot)
{
        struct rds_db_cluster_snapshot *s = slot;
        *s = (struct rds_db_cluster_snapshot){.malformed = true};
        if (aws_xml_child_text(item, "DBClusterSnapshotIdentifier", &s->identifier) == -ENOMEM ||
            aws_xml_child_text(item, "DBClusterIdentifier", &s->cluster_identifier) == -ENOMEM) {
                rds_db_cluster_snapshot_done(s);
                return -ENOMEM;
        }
        return 0;
}

/* The item parsers and destructors behind a void slot, for the tables below. */
#define DEFINE_SLOT_FUNCTIONS(name, type, parse, done)                                                      \
        static int name##_parse_slot(const struct aws_xml_node *n, void *slot)                              \
        {                                                                                                   \
                return parse(n, (type *)slot);                                                              \
        }                                                                                                   \
        static void name##_slot_done(void *slot)                                                            \
        {                                                                                                   \
                done((type *)slot);                                                                         \
        }
DEFINE_SLOT_FUNCTIONS(cluster, struct rds_db_cluster, parse_cluster, rds_db_cluster_done)
DEFINE_SLOT_FUNCTIONS(snapshot, struct rds_db_cluster_snapshot, parse_snapshot, rds_db_cluster_snapshot_done)
DEFINE_SLOT_FUNCTIONS(instance, struct rds_db_instance, parse_instance, rds_db_instance_done)
DEFINE_SLOT_FUNCTIONS(export_task, struct rds_export_task, parse_export_task, rds_export_task_done)
DEFINE_SLOT_FUNCTIONS(attributes, struct rds_snapshot_attributes, parse_attributes,
                      rds_snapshot_attributes_done)

const struct rds_page_kind rds_page_clusters = {
    .action = "DescribeDBClusters",
    .path = {"DescribeDBClustersResult", "DBClusters", "DBCluster", NULL},
    .item_size = sizeof(struct rds_db_cluster),
    .parse_item = cluster_parse_slot,
    .salvage = salvage_none,
    .item_done = cluster_slot_done,
};
const struct rds_page_kind rds_page_snapshots = {
    .action = "DescribeDBClusterSnapshots",
    .path = {"DescribeDBClusterSnapshotsResult", "DBClusterSnapshots", "DBClusterSnapshot", NULL},
    .item_size = sizeof(struct rds_db_cluster_snapshot),
    .parse_item = snapshot_parse_slot,
    .salvage = salvage_snapshot,
    .item_done = snapshot_slot_done,
};
const struct rds_page_kind rds_page_instances = {
    .action = "DescribeDBInstances",
    .path = {"DescribeDBInstancesResult", "DBInstances", "DBInstance", NULL},
    .item_size = sizeof(struct rds_db_instance),
    .parse_item = instance_parse_slot,
    .salvage = salvage_none,
    .item_done = instance_slot_done,
};
const struct rds_page_kind rds_page_exports = {
    .action = "DescribeExportTasks",
    .path = {"DescribeExportTasksResult", "ExportTasks", "ExportTask", NULL},
    .item_size = sizeof(struct rds_export_task),
    .parse_item = export_task_parse_slot,
    .salvage = salvage_none,
    .item_done = export_task_slot_done,
};

/* ---- Describe pages, parsed item by item as the body arrives ---- */

struct rds_page_parser {
        const struct rds_page_kind *kind;
        struct aws_xml_parser *xml;
        /* The caller's list, and what it held before this page. */
        struct rds_list_ref list;
        size_t n0, skipped0;
        size_t count; /* items seen in this page, read or not */
        bool kept;    /* finished well: the page's items stay in the list */
        /* What the sink received and has not passed on yet (see rds_page_parser_sink). */
        char *pending;
        size_t pending_len, pending_cap;
};

/* expat before 2.6 (Debian 12 has 2.5) tokenizes a token that spans two feeds again from its start at each
 * feed (CVE-2023-52425): a 16 MiB start tag sent in curl's 16 KiB chunks would cost seconds of CPU in the
 * event loop. The sink passes the body on in slices of at least this much, which bounds the rescans to 64.
 */
#define PAGE_SINK_SLICE (256u * 1024)

static void pending_clear(struct rds_page_parser *p)
{
        p->pending_len = 0;
}

/* Drop what this page added to the list. */
static void page_truncate(struct rds_page_parser *p)
{
        struct rds_list_ref l = p->list;
        while (*l.n > p->n0) {
                (*l.n)--;
                p->kind->item_done((char *)*l.items + *l.n * p->kind->item_size);
        }
        *l.skipped = p->skipped0;
        p->count = 0;
}

static int page_item(struct aws_xml_node *item, void *userdata, struct aws_error *e)
{
        struct rds_page_parser *p = userdata;
        const struct rds_page_kind *k = p->kind;
        struct rds_list_ref l = p->list;
        void *slot;
        int r;

        if (++p->count > RDS_MAX_ITEMS_PER_PAGE)
                return aws_error_set(e, -EBADMSG, AWS_ERROR_PARSE, "MalformedResponse",
                                     "%s: too many items in one page", k->action);
        if (*l.n >= RDS_MAX_LIST || array_grow(l.items, l.allocated, *l.n, k->item_size) < 0)
                return aws_error_set(e, -ENOMEM, AWS_ERROR_PARSE, "TooManyItems",
                                     "%s: out of memory or over %d items", k->action, RDS_MAX_LIST);
        slot = (char *)*l.items + (*l.n)++ * k->item_size;
        memset(slot, 0, k->item_size);
        r = k->parse_item(item, slot);
        if (r == -EBADMSG) /* one bad item must not blind the listing */
                r = k->salvage(item, slot);
        if (r == -EBADMSG) {
                (*l.n)--;
                (*l.skipped)++;
                return 0;
        }
        if (r < 0) {
                (*l.n)--;
                return aws_error_set(e, r, AWS_ERROR_PARSE, "OutOfMemory", "out of memory");
        }
        return 0;
}

static struct rds_page_parser *page_parser_new(const struct rds_page_kind *k, struct rds_list_ref l)
{
        struct rds_page_parser *p = calloc(1, sizeof(*p));
        if (!p)
                return NULL;
        *p = (struct rds_page_parser){.kind = k, .list = l, .n0 = *l.n, .skipped0 = *l.skipped};
        p->xml = aws_xml_parser_new(k->path, page_item, p);
        if (!p->xml) {
                free(p);
                return NULL;
        }
        return p;
}

#define DEFINE_PAGE_PARSER_NEW(fn, list_type, kind)                                                         \
        struct rds_page_parser *fn(struct list_type *l)                                                     \
        {                                                                                                   \
                return page_parser_new(&kind, RDS_LIST_REF(l));                                             \
        }
DEFINE_PAGE_PARSER_NEW(rds_page_parser_new_db_clusters, rds_db_cluster_list, rds_page_clusters)
DEFINE_PAGE_PARSER_NEW(rds_page_parser_new_db_cluster_snapshots, rds_db_cluster_snapshot_list,
                       rds_page_snapshots)
DEFINE_PAGE_PARSER_NEW(rds_page_parser_new_db_instances, rds_db_instance_list, rds_page_instances)
DEFINE_PAGE_PARSER_NEW(rds_page_parser_new_export_tasks, rds_export_task_list, rds_page_exports)

struct rds_page_parser *rds_page_parser_free(struct rds_page_parser *p)
{
        if (!p)
                return NULL;
        if (!p->kept)
                page_truncate(p);
        aws_xml_parser_free(p->xml);
        free(p->pending);
        free(p);
        return NULL;
}

int rds_page_parser_feed(struct rds_page_parser *p, const void *data, size_t len, struct aws_error *e)
{
        int r = aws_xml_parser_feed(p->xml, data, len, e);
        if (r < 0)
                page_truncate(p);
        return r;
}

static int pending_flush(struct rds_page_parser *p, struct aws_error *e)
{
        int r = 0;
        if (p->pending_len > 0)
                r = rds_page_parser_feed(p, p->pending, p->pending_len, e);
        pending_clear(p);
        return r;
}

int rds_page_parser_sink(const void *data, size_t len, void *userdata)
{
        struct rds_page_parser *p = userdata;
        if (!data && len == 0) { /* a retry starts over */
                pending_clear(p);
                page_truncate(p);
                return aws_xml_parser_reset(p->xml);
        }
        if (len == 0)
                return 0;
        if (ARRAY_GROW(p->pending, p->pending_cap, p->pending_len + len - 1) < 0)
                return -ENOMEM;
        memcpy(p->pending + p->pending_len, data, len);
        p->pending_len += len;
        return p->pending_len >= PAGE_SINK_SLICE ? pending_flush(p, NULL) : 0;
}

int rds_page_parser_finish(struct rds_page_parser *p, char **ret_marker, struct aws_error *e)
{
        _cleanup_xml_ struct aws_xml_node *doc = NULL;
        _cleanup_free_ char *marker = NULL;
        const struct aws_xml_node *result;
        int r;

        r = pending_flush(p, e);
        if (r >= 0)
                r = aws_xml_parser_finish(p->xml, &doc, e);
        if (r < 0)
                goto fail;
        result = aws_query_result(doc, p->kind->action);
        if (!result) {
                r = aws_error_set(e, -EBADMSG, AWS_ERROR_PARSE, "MalformedResponse",
                                  "%s: response has no Result element", p->kind->action);
                goto fail;
        }
        if (aws_xml_child_text(result, "Marker", &marker) < 0) {
                r = aws_error_set(e, -EBADMSG, AWS_ERROR_PARSE, "MalformedResponse", "%s: bad Marker",
                                  p->kind->action);
                goto fail;
        }
        if (ret_marker) {
                free(*ret_marker);
                *ret_marker = isempty(marker) ? NULL : TAKE_PTR(marker);
        }
        p->kept = true;
        return 0;
fail:
        page_truncate(p);
        return r;
}

static void page_parser_freep(struct rds_page_parser **p)
{
        rds_page_parser_free(*p);
}
#define _cleanup_page_parser_ _cleanup_(page_parser_freep)

int rds_parse_page(const struct rds_page_kind *k, const char *xml, size_t len, struct rds_list_ref l,
                   char **ret_marker, struct aws_error *e)
{
        _cleanup_page_parser_ struct rds_page_parser *p = page_parser_new(k, l);
        int r;

        if (!p)
                return aws_error_set(e, -ENOMEM, AWS_ERROR_PARSE, "OutOfMemory", "out of memory");
        if ((r = rds_page_parser_feed(p, xml, len, e)) < 0)
                return r;
        return rds_page_parser_finish(p, ret_marker, e);
}

#define DEFINE_PARSE_LIST(fn, list_type, list_done, kind)                                                   \
        int fn(const char *xml, size_t len, struct list_type *ret, char **ret_marker, struct aws_error *e)  \
        {                                                                                                   \
                struct list_type l = {};                                                                    \
                _cleanup_free_ char *marker = NULL;                                                         \
                int r = rds_parse_page(&kind, xml, len, RDS_LIST_REF(&l), &marker, e);                      \
                if (r < 0) {                                                                                \
                        list_done(&l);                                                                      \
                        return r;                                                                           \
                }                                                                                           \
                *ret = l;                                                                                   \
                if (ret_marker)                                                                             \
                        *ret_marker = TAKE_PTR(marker);                                                     \
                return 0;                                                                                   \
        }
DEFINE_PARSE_LIST(rds_parse_db_clusters, rds_db_cluster_list, rds_db_cluster_list_done, rds_page_clusters)
DEFINE_PARSE_LIST(rds_parse_db_cluster_snapshots, rds_db_cluster_snapshot_list,
                  rds_db_cluster_snapshot_list_done, rds_page_snapshots)
DEFINE_PARSE_LIST(rds_parse_db_instances, rds_db_instance_list, rds_db_instance_list_done,
                  rds_page_instances)
DEFINE_PARSE_LIST(rds_parse_export_tasks, rds_export_task_list, rds_export_task_list_done, rds_page_exports)

/* ---- the one item a mutating call answers ---- */

const struct rds_result_kind rds_result_snapshot = {
    .item = "DBClusterSnapshot",
    .what = "a complete DBClusterSnapshot",
    .parse = snapshot_parse_slot,
    .done = snapshot_slot_done,
};
const struct rds_result_kind rds_result_cluster = {
    .item = "DBCluster",
    .what = "a complete DBCluster",
    .parse = cluster_parse_slot,
    .done = cluster_slot_done,
};
const struct rds_result_kind rds_result_instance = {
    .item = "DBInstance",
    .what = "a complete DBInstance",
    .parse = instance_parse_slot,
    .done = instance_slot_done,
};
const struct rds_result_kind rds_result_export_task = {
    .item = NULL, /* ExportTask fields sit directly in the Result. */
    .what = "ExportTaskIdentifier/Status",
    .parse = export_task_parse_slot,
    .done = export_task_slot_done,
};
const struct rds_result_kind rds_result_attributes = {
    .item = "DBClusterSnapshotAttributesResult",
    .what = "DBClusterSnapshotAttributesResult",
    .parse = attributes_parse_slot,
    .done = attributes_slot_done,
};

int rds_result_from_doc(const struct aws_xml_node *doc, const char *action, const struct rds_result_kind *k,
                        void *ret, struct aws_error *e)
{
        const struct aws_xml_node *n = aws_query_result(doc, action);
        if (n && k->item)
                n = aws_xml_child(n, k->item);
        if (!n || k->parse(n, ret) < 0)
                return aws_error_set(e, -EBADMSG, AWS_ERROR_PARSE, "MalformedResponse",
                                     "%s: response lacks %s", action, k->what);
        return 0;
}

#define DEFINE_RESULT_PARSER(fn, type, kind)                                                                \
        int fn(const char *xml, size_t len, const char *action, type *ret, struct aws_error *e)             \
        {                                                                                                   \
                _cleanup_xml_ struct aws_xml_node *doc = NULL;                                              \
                int r = aws_xml_parse(xml, len, &doc, e);                                                   \
                if (r < 0)                                                                                  \
                        return r;                                                                           \
                return rds_result_from_doc(doc, action, &kind, ret, e);                                     \
        }
DEFINE_RESULT_PARSER(rds_parse_db_cluster_result, struct rds_db_cluster, rds_result_cluster)
DEFINE_RESULT_PARSER(rds_parse_db_instance_result, struct rds_db_instance, rds_result_instance)
DEFINE_RESULT_PARSER(rds_parse_export_task_result, struct rds_export_task, rds_result_export_task)
DEFINE_RESULT_PARSER(rds_parse_snapshot_attributes, struct rds_snapshot_attributes, rds_result_attributes)

/* Create/Delete/CopyDBClusterSnapshot: the DBClusterSnapshot under whichever Result the answer has. */
int rds_parse_db_cluster_snapshot_result(const char *xml, size_t len, struct rds_db_cluster_snapshot *ret,
                                         struct aws_error *e)
{
        _cleanup_xml_ struct aws_xml_node *doc = NULL;
        int r = aws_xml_parse(xml, len, &doc, e);
        if (r < 0)
                return r;
        const struct aws_xml_node *n = NULL;
        for (const struct aws_xml_node *c = doc->children; c && !n; c = c->next)
                n = aws_xml_child(c, "DBClusterSnapshot");
        if (!n || parse_snapshot(n, ret) < 0)
                return aws_error_set(e, -EBADMSG, AWS_ERROR_PARSE, "MalformedResponse",
                                     "response lacks a complete DBClusterSnapshot");
        return 0;
}
