/* The typed RDS structs: their fields, how they are freed, and how RDS Query answers are read into them
 * (Describe pages item by item as they arrive through aws-xml.h's push parser, and the one item a mutating
 * call answers). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "aws-query.h"
#include "aws-rds-internal.h"
#include "aws-xml.h"
#include "macro.h"
#include "strv.h"

/* ---- items: the fields each struct reads from its element (and frees) ---- */

const struct aws_field rds_db_cluster_fields[] = {
    AWS_FIELD_TEXT("DBClusterIdentifier", struct rds_db_cluster, identifier),
    AWS_FIELD_TEXT("DBClusterArn", struct rds_db_cluster, arn),
    AWS_FIELD_TEXT("DbClusterResourceId", struct rds_db_cluster, resource_id),
    AWS_FIELD_TEXT("Status", struct rds_db_cluster, status),
    AWS_FIELD_TEXT("Engine", struct rds_db_cluster, engine),
    AWS_FIELD_TEXT("EngineVersion", struct rds_db_cluster, engine_version),
    AWS_FIELD_TEXT("KmsKeyId", struct rds_db_cluster, kms_key_id),
    AWS_FIELD_TEXT("PreferredBackupWindow", struct rds_db_cluster, preferred_backup_window),
    AWS_FIELD_TEXT("Endpoint", struct rds_db_cluster, endpoint),
    AWS_FIELD_UINT("Port", struct rds_db_cluster, port),
    AWS_FIELD_TEXT("AwsBackupRecoveryPointArn", struct rds_db_cluster, aws_backup_recovery_point_arn),
    AWS_FIELD_UINT("BackupRetentionPeriod", struct rds_db_cluster, backup_retention_period),
    AWS_FIELD_BOOL("StorageEncrypted", struct rds_db_cluster, storage_encrypted),
    AWS_FIELD_BOOL("DeletionProtection", struct rds_db_cluster, deletion_protection),
    AWS_FIELD_TIME("ClusterCreateTime", struct rds_db_cluster, cluster_create_time),
    AWS_FIELD_TIME("EarliestRestorableTime", struct rds_db_cluster, earliest_restorable_time),
    AWS_FIELD_TIME("LatestRestorableTime", struct rds_db_cluster, latest_restorable_time),
    AWS_FIELD_TEXT("DBSubnetGroup", struct rds_db_cluster, db_subnet_group),
    AWS_FIELD_TEXT("DBClusterParameterGroup", struct rds_db_cluster, db_cluster_parameter_group),
    AWS_FIELD_BOOL("IAMDatabaseAuthenticationEnabled", struct rds_db_cluster, iam_database_authentication),
    AWS_FIELD_BOOL("CopyTagsToSnapshot", struct rds_db_cluster, copy_tags_to_snapshot),
};

const struct aws_field rds_db_cluster_snapshot_fields[] = {
    AWS_FIELD_TEXT("DBClusterSnapshotIdentifier", struct rds_db_cluster_snapshot, identifier),
    AWS_FIELD_TEXT("DBClusterSnapshotArn", struct rds_db_cluster_snapshot, arn),
    AWS_FIELD_TEXT("DBClusterIdentifier", struct rds_db_cluster_snapshot, cluster_identifier),
    AWS_FIELD_TEXT("Status", struct rds_db_cluster_snapshot, status),
    AWS_FIELD_TEXT("SnapshotType", struct rds_db_cluster_snapshot, snapshot_type),
    AWS_FIELD_TEXT("Engine", struct rds_db_cluster_snapshot, engine),
    AWS_FIELD_TEXT("EngineVersion", struct rds_db_cluster_snapshot, engine_version),
    AWS_FIELD_TEXT("KmsKeyId", struct rds_db_cluster_snapshot, kms_key_id),
    AWS_FIELD_TEXT("SourceDBClusterSnapshotArn", struct rds_db_cluster_snapshot, source_arn),
    AWS_FIELD_TEXT("DbClusterResourceId", struct rds_db_cluster_snapshot, resource_id),
    AWS_FIELD_TIME("SnapshotCreateTime", struct rds_db_cluster_snapshot, create_time),
    AWS_FIELD_TIME("ClusterCreateTime", struct rds_db_cluster_snapshot, cluster_create_time),
    AWS_FIELD_BOOL("StorageEncrypted", struct rds_db_cluster_snapshot, storage_encrypted),
    AWS_FIELD_UINT("AllocatedStorage", struct rds_db_cluster_snapshot, allocated_storage),
    AWS_FIELD_UINT("PercentProgress", struct rds_db_cluster_snapshot, percent_progress),
};

const size_t rds_db_cluster_n_fields = ELEMENTSOF(rds_db_cluster_fields),
             rds_db_cluster_snapshot_n_fields = ELEMENTSOF(rds_db_cluster_snapshot_fields);

const struct aws_field rds_db_instance_fields[] = {
    AWS_FIELD_TEXT("DBInstanceIdentifier", struct rds_db_instance, identifier),
    AWS_FIELD_TEXT("DBInstanceArn", struct rds_db_instance, arn),
    AWS_FIELD_TEXT("DBClusterIdentifier", struct rds_db_instance, cluster_identifier),
    AWS_FIELD_TEXT("DBInstanceStatus", struct rds_db_instance, status),
    AWS_FIELD_TEXT("DBInstanceClass", struct rds_db_instance, instance_class),
    AWS_FIELD_TEXT("Engine", struct rds_db_instance, engine),
};

const struct aws_field rds_export_task_fields[] = {
    AWS_FIELD_TEXT("ExportTaskIdentifier", struct rds_export_task, identifier),
    AWS_FIELD_TEXT("SourceArn", struct rds_export_task, source_arn),
    AWS_FIELD_TEXT("Status", struct rds_export_task, status),
    AWS_FIELD_TEXT("S3Bucket", struct rds_export_task, s3_bucket),
    AWS_FIELD_TEXT("S3Prefix", struct rds_export_task, s3_prefix),
    AWS_FIELD_TEXT("KmsKeyId", struct rds_export_task, kms_key_id),
    AWS_FIELD_TEXT("IamRoleArn", struct rds_export_task, iam_role_arn),
    AWS_FIELD_TEXT("FailureCause", struct rds_export_task, failure_cause),
    AWS_FIELD_TEXT("WarningMessage", struct rds_export_task, warning_message),
    AWS_FIELD_UINT("PercentProgress", struct rds_export_task, percent_progress),
    AWS_FIELD_TIME("SnapshotTime", struct rds_export_task, snapshot_time),
    AWS_FIELD_TIME("TaskStartTime", struct rds_export_task, task_start_time),
    AWS_FIELD_TIME("TaskEndTime", struct rds_export_task, task_end_time),
};

const size_t rds_db_instance_n_fields = ELEMENTSOF(rds_db_instance_fields),
             rds_export_task_n_fields = ELEMENTSOF(rds_export_task_fields);

#define READ_FIELDS(n, fields, obj) aws_xml_read_fields((n), (fields), ELEMENTSOF(fields), (obj))
#define FREE_FIELDS(fields, obj) aws_fields_free((fields), ELEMENTSOF(fields), (obj))

void aws_tags_free(struct aws_tag *tags, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(tags[i].key);
                free(tags[i].value);
        }
        free(tags);
}

const char *aws_tags_get(const struct aws_tag *tags, size_t n, const char *key)
{
        for (size_t i = 0; i < n; i++)
                if (streq(tags[i].key, key))
                        return tags[i].value;
        return NULL;
}

void rds_db_cluster_done(struct rds_db_cluster *c)
{
        if (!c)
                return;
        FREE_FIELDS(rds_db_cluster_fields, c);
        strv_free(c->members);
        free(c->writer);
        aws_tags_free(c->tags, c->n_tags);
        strv_free(c->vpc_security_group_ids);
        free(c->serverless_v2_min_capacity);
        free(c->serverless_v2_max_capacity);
        *c = (struct rds_db_cluster){};
}

void rds_db_cluster_snapshot_done(struct rds_db_cluster_snapshot *s)
{
        if (!s)
                return;
        FREE_FIELDS(rds_db_cluster_snapshot_fields, s);
        aws_tags_free(s->tags, s->n_tags);
        *s = (struct rds_db_cluster_snapshot){};
}

DEFINE_AWS_FIELDS_DONE(rds_db_instance, struct rds_db_instance, rds_db_instance_fields)
DEFINE_AWS_FIELDS_DONE(rds_export_task, struct rds_export_task, rds_export_task_fields)

void rds_snapshot_attributes_done(struct rds_snapshot_attributes *a)
{
        if (!a)
                return;
        free(a->snapshot_identifier);
        strv_free(a->restore_accounts);
        *a = (struct rds_snapshot_attributes){};
}

DEFINE_AWS_LIST_DONE(rds_db_cluster_list, rds_db_cluster_done)
DEFINE_AWS_LIST_DONE(rds_db_cluster_snapshot_list, rds_db_cluster_snapshot_done)
DEFINE_AWS_LIST_DONE(rds_db_instance_list, rds_db_instance_done)
DEFINE_AWS_LIST_DONE(rds_export_task_list, rds_export_task_done)

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

/* The item parsers read into a zeroed struct and return a negative errno when the item is incomplete or
 * unreadable; the struct is then freed by the item type's wrapper below (DEFINE_ITEM_TYPE), which hands
 * it out only on success. */

static int parse_cluster(const struct aws_xml_node *n, struct rds_db_cluster *c)
{
        int r;
        if ((r = READ_FIELDS(n, rds_db_cluster_fields, c)) < 0 ||
            (r = parse_tags(n, &c->tags, &c->n_tags)) < 0)
                return r;
        /* (No local for the node: its type differs between the XML back-ends; a NULL parent reads as
         * absent.) */
        if ((r = aws_xml_child_text(aws_xml_child(n, "ServerlessV2ScalingConfiguration"), "MinCapacity",
                                    &c->serverless_v2_min_capacity)) < 0 ||
            (r = aws_xml_child_text(aws_xml_child(n, "ServerlessV2ScalingConfiguration"), "MaxCapacity",
                                    &c->serverless_v2_max_capacity)) < 0)
                return r;
        size_t ng = 0;
        AWS_XML_FOREACH(g, aws_xml_child(n, "VpcSecurityGroups"), "VpcSecurityGroupMembership")
        {
                _cleanup_free_ char *id = NULL;
                if (++ng > RDS_MAX_MEMBERS)
                        return -EBADMSG;
                if ((r = aws_xml_child_text(g, "VpcSecurityGroupId", &id)) < 0)
                        return r;
                if (id && (r = strv_extend(&c->vpc_security_group_ids, id)) < 0)
                        return r;
        }
        size_t nm = 0;
        AWS_XML_FOREACH(m, aws_xml_child(n, "DBClusterMembers"), "DBClusterMember")
        {
                _cleanup_free_ char *id = NULL;
                bool writer = false;
                if (++nm > RDS_MAX_MEMBERS || aws_xml_child_text(m, "DBInstanceIdentifier", &id) < 0 ||
                    aws_xml_child_bool(m, "IsClusterWriter", &writer) < 0 || !id)
                        return -EBADMSG;
                if (writer && !c->writer && !(c->writer = strdup(id)))
                        return -ENOMEM;
                if ((r = strv_extend(&c->members, id)) < 0)
                        return r;
        }
        return isempty(c->identifier) || isempty(c->status) ? -EBADMSG : 0;
}

static int parse_snapshot(const struct aws_xml_node *n, struct rds_db_cluster_snapshot *s)
{
        int r;
        if ((r = READ_FIELDS(n, rds_db_cluster_snapshot_fields, s)) < 0 ||
            (r = parse_tags(n, &s->tags, &s->n_tags)) < 0)
                return r;
        return isempty(s->identifier) || isempty(s->status) || isempty(s->cluster_identifier) ? -EBADMSG : 0;
}

static int parse_instance(const struct aws_xml_node *n, struct rds_db_instance *i)
{
        int r = READ_FIELDS(n, rds_db_instance_fields, i);
        if (r < 0)
                return r;
        return isempty(i->identifier) ? -EBADMSG : 0;
}

static int parse_export_task(const struct aws_xml_node *n, struct rds_export_task *t)
{
        int r = READ_FIELDS(n, rds_export_task_fields, t);
        if (r < 0)
                return r;
        return isempty(t->identifier) || isempty(t->status) ? -EBADMSG : 0;
}

/* `n`: a DBClusterSnapshotAttributesResult. */
static int parse_attributes(const struct aws_xml_node *n, struct rds_snapshot_attributes *a)
{
        int r;
        if ((r = aws_xml_child_text(n, "DBClusterSnapshotIdentifier", &a->snapshot_identifier)) < 0)
                return r;
        AWS_XML_FOREACH(attr, aws_xml_child(n, "DBClusterSnapshotAttributes"), "DBClusterSnapshotAttribute")
        {
                _cleanup_free_ char *name = NULL;
                if ((r = aws_xml_child_text(attr, "AttributeName", &name)) < 0)
                        return r;
                if (!name || !streq(name, "restore"))
                        continue;
                size_t count = 0;
                AWS_XML_FOREACH(v, aws_xml_child(attr, "AttributeValues"), "AttributeValue")
                {
                        _cleanup_free_ char *val = NULL;
                        if (++count > RDS_MAX_LIST)
                                return -EBADMSG;
                        if ((r = aws_xml_text(v, &val)) < 0 ||
                            (r = strv_extend(&a->restore_accounts, val)) < 0)
                                return r;
                }
        }
        return a->snapshot_identifier ? 0 : -EBADMSG;
}

/* What is left of a snapshot that could not be read: its names, marked malformed (see aws-rds.h). */
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

/* The item parsers and destructors behind a void pointer, for the page and result kinds. The parse
 * wrapper leaves *item untouched on failure and frees what the parser had read. */
#define DEFINE_ITEM_TYPE(name, type, parse_fn, done_fn)                                                     \
        static int name##_parse(const struct aws_xml_node *n, void *item)                                   \
        {                                                                                                   \
                type x = {};                                                                                \
                int r = parse_fn(n, &x);                                                                    \
                if (r < 0) {                                                                                \
                        done_fn(&x);                                                                        \
                        return r;                                                                           \
                }                                                                                           \
                *(type *)item = x;                                                                          \
                return 0;                                                                                   \
        }                                                                                                   \
        static void name##_done(void *item)                                                                 \
        {                                                                                                   \
                done_fn((type *)item);                                                                      \
        }                                                                                                   \
        static const struct rds_item_type name = {sizeof(type), name##_parse, name##_done};
DEFINE_ITEM_TYPE(cluster_item, struct rds_db_cluster, parse_cluster, rds_db_cluster_done)
DEFINE_ITEM_TYPE(snapshot_item, struct rds_db_cluster_snapshot, parse_snapshot, rds_db_cluster_snapshot_done)
DEFINE_ITEM_TYPE(instance_item, struct rds_db_instance, parse_instance, rds_db_instance_done)
DEFINE_ITEM_TYPE(export_task_item, struct rds_export_task, parse_export_task, rds_export_task_done)
DEFINE_ITEM_TYPE(attributes_item, struct rds_snapshot_attributes, parse_attributes,
                 rds_snapshot_attributes_done)

const struct rds_page_kind rds_page_clusters = {
    .action = "DescribeDBClusters",
    .path = {"DescribeDBClustersResult", "DBClusters", "DBCluster", NULL},
    .item = &cluster_item,
};
const struct rds_page_kind rds_page_snapshots = {
    .action = "DescribeDBClusterSnapshots",
    .path = {"DescribeDBClusterSnapshotsResult", "DBClusterSnapshots", "DBClusterSnapshot", NULL},
    .item = &snapshot_item,
    .salvage = salvage_snapshot, /* one bad snapshot must not hide what its cluster has */
};
const struct rds_page_kind rds_page_instances = {
    .action = "DescribeDBInstances",
    .path = {"DescribeDBInstancesResult", "DBInstances", "DBInstance", NULL},
    .item = &instance_item,
};
const struct rds_page_kind rds_page_exports = {
    .action = "DescribeExportTasks",
    .path = {"DescribeExportTasksResult", "ExportTasks", "ExportTask", NULL},
    .item = &export_task_item,
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
                p->kind->item->done((char *)*l.items + *l.n * p->kind->item->size);
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
        if (*l.n >= RDS_MAX_LIST || array_grow(l.items, l.allocated, *l.n, k->item->size) < 0)
                return aws_error_set(e, -ENOMEM, AWS_ERROR_PARSE, "TooManyItems",
                                     "%s: out of memory or over %d items", k->action, RDS_MAX_LIST);
        slot = (char *)*l.items + (*l.n)++ * k->item->size;
        memset(slot, 0, k->item->size);
        r = k->item->parse(item, slot);
        if (r == -EBADMSG) /* one bad item must not blind the listing */
                r = k->salvage ? k->salvage(item, slot) : -EBADMSG;
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

const struct rds_result_kind rds_result_snapshot = {"DBClusterSnapshot", "a complete DBClusterSnapshot",
                                                    &snapshot_item};
const struct rds_result_kind rds_result_cluster = {"DBCluster", "a complete DBCluster", &cluster_item};
const struct rds_result_kind rds_result_instance = {"DBInstance", "a complete DBInstance", &instance_item};
/* ExportTask fields sit directly in the Result. */
const struct rds_result_kind rds_result_export_task = {NULL, "ExportTaskIdentifier/Status",
                                                       &export_task_item};
const struct rds_result_kind rds_result_attributes = {"DBClusterSnapshotAttributesResult",
                                                      "DBClusterSnapshotAttributesResult", &attributes_item};

int rds_result_from_doc(const struct aws_xml_node *doc, const char *action, const struct rds_result_kind *k,
                        void *ret, struct aws_error *e)
{
        const struct aws_xml_node *n = aws_query_result(doc, action);
        if (n && k->item)
                n = aws_xml_child(n, k->item);
        if (!n || k->type->parse(n, ret) < 0)
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
        if (!n || snapshot_item.parse(n, ret) < 0)
                return aws_error_set(e, -EBADMSG, AWS_ERROR_PARSE, "MalformedResponse",
                                     "response lacks a complete DBClusterSnapshot");
        return 0;
}
