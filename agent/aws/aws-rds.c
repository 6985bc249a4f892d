/* Amazon RDS Query API (2014-10-31) operations for Aurora clusters, snapshots, exports, restores and
 * instances: request building, Marker paging, and parsing into the typed structs (Describe pages item by
 * item as they are read, aws-xml.h). */
#include "aws-rds.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aws-buf.h"
#include "aws-query.h"
#include "aws-paging.h"
#include "aws-xml.h"
#include "macro.h"
#include "snapshot-origin.h"
#include "strv.h"
#include "time-util.h"

#define RDS_VERSION "2014-10-31"
#define RDS_PAGE_SIZE "100"

/* ---- freeing ---- */

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
        free(c->identifier);
        free(c->arn);
        free(c->resource_id);
        free(c->status);
        free(c->engine);
        free(c->engine_version);
        free(c->kms_key_id);
        free(c->preferred_backup_window);
        free(c->endpoint);
        free(c->aws_backup_recovery_point_arn);
        strv_free(c->members);
        free(c->writer);
        aws_tags_free(c->tags, c->n_tags);
        free(c->db_subnet_group);
        strv_free(c->vpc_security_group_ids);
        free(c->db_cluster_parameter_group);
        free(c->serverless_v2_min_capacity);
        free(c->serverless_v2_max_capacity);
        *c = (struct rds_db_cluster){};
}

void rds_db_cluster_snapshot_done(struct rds_db_cluster_snapshot *s)
{
        if (!s)
                return;
        free(s->identifier);
        free(s->arn);
        free(s->cluster_identifier);
        free(s->status);
        free(s->snapshot_type);
        free(s->engine);
        free(s->engine_version);
        free(s->kms_key_id);
        free(s->source_arn);
        free(s->resource_id);
        aws_tags_free(s->tags, s->n_tags);
        *s = (struct rds_db_cluster_snapshot){};
}

void rds_db_instance_done(struct rds_db_instance *i)
{
        if (!i)
                return;
        free(i->identifier);
        free(i->arn);
        free(i->cluster_identifier);
        free(i->status);
        free(i->instance_class);
        free(i->engine);
        *i = (struct rds_db_instance){};
}

void rds_export_task_done(struct rds_export_task *t)
{
        if (!t)
                return;
        free(t->identifier);
        free(t->source_arn);
        free(t->status);
        free(t->s3_bucket);
        free(t->s3_prefix);
        free(t->kms_key_id);
        free(t->iam_role_arn);
        free(t->failure_cause);
        free(t->warning_message);
        *t = (struct rds_export_task){};
}

void rds_snapshot_attributes_done(struct rds_snapshot_attributes *a)
{
        if (!a)
                return;
        free(a->snapshot_identifier);
        strv_free(a->restore_accounts);
        *a = (struct rds_snapshot_attributes){};
}

#define DEFINE_LIST_DONE(fn, list_type, item_done)                                                          \
        void fn(struct list_type *l)                                                                        \
        {                                                                                                   \
                if (!l)                                                                                     \
                        return;                                                                             \
                for (size_t i = 0; i < l->n; i++)                                                           \
                        item_done(&l->items[i]);                                                            \
                free(l->items);                                                                             \
                l->items = NULL;                                                                            \
                l->n = 0;                                                                                   \
        }
DEFINE_LIST_DONE(rds_db_cluster_list_done, rds_db_cluster_list, rds_db_cluster_done)
DEFINE_LIST_DONE(rds_db_cluster_snapshot_list_done, rds_db_cluster_snapshot_list,
                 rds_db_cluster_snapshot_done)
DEFINE_LIST_DONE(rds_db_instance_list_done, rds_db_instance_list, rds_db_instance_done)
DEFINE_LIST_DONE(rds_export_task_list_done, rds_export_task_list, rds_export_task_done)

/* Grow an array by one slot and return it zeroed, or NULL (out of memory or at `max`). The capacity is
 * implied by the count: 8, then the next power of two, so the list structs need no capacity field. */
static void *array_push(void **items, size_t *n, size_t size, size_t max)
{
        if (*n >= max)
                return NULL;
        if (*n == 0 || (*n >= 8 && (*n & (*n - 1)) == 0)) {
                size_t cap = *n == 0 ? 8 : *n * 2;
                void *p = reallocarray(*items, cap, size);
                if (!p)
                        return NULL;
                *items = p;
        }
        char *slot = (char *)*items + *n * size;
        memset(slot, 0, size);
        (*n)++;
        return slot;
}

/* ---- parsing ---- */

static int parse_error(struct aws_error *e, const char *what)
{
        return aws_error_set(e, -EBADMSG, AWS_ERROR_PARSE, "MalformedResponse", "%s", what);
}

static int parse_tags(const struct aws_xml_node *parent, struct aws_tag **ret, size_t *ret_n)
{
        const struct aws_xml_node *list = aws_xml_child(parent, "TagList");
        struct aws_tag *tags = NULL;
        size_t n = 0;
        AWS_XML_FOREACH(t, list, "Tag")
        {
                struct aws_tag *slot = array_push((void **)&tags, &n, sizeof(*tags), RDS_MAX_TAGS);
                if (!slot || aws_xml_child_text(t, "Key", &slot->key) < 0 ||
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
            (r = aws_xml_child_bool(n, "IAMDatabaseAuthenticationEnabled", &c.iam_database_authentication)) < 0 ||
            (r = aws_xml_child_bool(n, "CopyTagsToSnapshot", &c.copy_tags_to_snapshot)) < 0 ||
            (r = parse_tags(n, &c.tags, &c.n_tags)) < 0)
                goto fail;
        /* (No local for the node: its type differs between the XML back-ends; a NULL parent reads as absent.) */
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

static int parse_attributes(const struct aws_xml_node *result, struct rds_snapshot_attributes *ret)
{
        struct rds_snapshot_attributes a = {};
        const struct aws_xml_node *n = aws_xml_child(result, "DBClusterSnapshotAttributesResult");
        int r;
        if (!n)
                return -EBADMSG;
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

/* ---- Describe pages, parsed item by item as the body arrives ---- */

struct page_kind {
        const char *action;
        const char *path[4]; /* {action}Result, the list, the item */
        size_t item_size;
        int (*parse_item)(const struct aws_xml_node *item, void *slot);
        int (*salvage)(const struct aws_xml_node *item, void *slot);
        void (*item_done)(void *slot);
};

static int parse_cluster_slot(const struct aws_xml_node *n, void *slot)
{
        return parse_cluster(n, slot);
}
static int parse_snapshot_slot(const struct aws_xml_node *n, void *slot)
{
        return parse_snapshot(n, slot);
}
static int parse_instance_slot(const struct aws_xml_node *n, void *slot)
{
        return parse_instance(n, slot);
}
static int parse_export_task_slot(const struct aws_xml_node *n, void *slot)
{
        return parse_export_task(n, slot);
}
static void cluster_slot_done(void *slot)
{
        rds_db_cluster_done(slot);
}
static void snapshot_slot_done(void *slot)
{
        rds_db_cluster_snapshot_done(slot);
}
static void instance_slot_done(void *slot)
{
        rds_db_instance_done(slot);
}
static void export_task_slot_done(void *slot)
{
        rds_export_task_done(slot);
}

static const struct page_kind page_clusters = {
    .action = "DescribeDBClusters",
    .path = {"DescribeDBClustersResult", "DBClusters", "DBCluster", NULL},
    .item_size = sizeof(struct rds_db_cluster),
    .parse_item = parse_cluster_slot,
    .salvage = salvage_none,
    .item_done = cluster_slot_done,
};
static const struct page_kind page_snapshots = {
    .action = "DescribeDBClusterSnapshots",
    .path = {"DescribeDBClusterSnapshotsResult", "DBClusterSnapshots", "DBClusterSnapshot", NULL},
    .item_size = sizeof(struct rds_db_cluster_snapshot),
    .parse_item = parse_snapshot_slot,
    .salvage = salvage_snapshot,
    .item_done = snapshot_slot_done,
};
static const struct page_kind page_instances = {
    .action = "DescribeDBInstances",
    .path = {"DescribeDBInstancesResult", "DBInstances", "DBInstance", NULL},
    .item_size = sizeof(struct rds_db_instance),
    .parse_item = parse_instance_slot,
    .salvage = salvage_none,
    .item_done = instance_slot_done,
};
static const struct page_kind page_exports = {
    .action = "DescribeExportTasks",
    .path = {"DescribeExportTasksResult", "ExportTasks", "ExportTask", NULL},
    .item_size = sizeof(struct rds_export_task),
    .parse_item = parse_export_task_slot,
    .salvage = salvage_none,
    .item_done = export_task_slot_done,
};

struct rds_page_parser {
        const struct page_kind *kind;
        struct aws_xml_parser *xml;
        /* The caller's list (items, n, skipped), and what it held before this page. */
        void **items;
        size_t *n, *skipped;
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
        while (*p->n > p->n0) {
                (*p->n)--;
                p->kind->item_done((char *)*p->items + *p->n * p->kind->item_size);
        }
        *p->skipped = p->skipped0;
        p->count = 0;
}

static int page_item(struct aws_xml_node *item, void *userdata, struct aws_error *e)
{
        struct rds_page_parser *p = userdata;
        const struct page_kind *k = p->kind;
        void *slot;
        int r;

        if (++p->count > RDS_MAX_ITEMS_PER_PAGE)
                return aws_error_set(e, -EBADMSG, AWS_ERROR_PARSE, "MalformedResponse",
                                     "%s: too many items in one page", k->action);
        slot = array_push(p->items, p->n, k->item_size, RDS_MAX_LIST);
        if (!slot)
                return aws_error_set(e, -ENOMEM, AWS_ERROR_PARSE, "TooManyItems",
                                     "%s: out of memory or over %d items", k->action, RDS_MAX_LIST);
        r = k->parse_item(item, slot);
        if (r == -EBADMSG) /* one bad item must not blind the listing */
                r = k->salvage(item, slot);
        if (r == -EBADMSG) {
                (*p->n)--;
                (*p->skipped)++;
                return 0;
        }
        if (r < 0) {
                (*p->n)--;
                return aws_error_set(e, r, AWS_ERROR_PARSE, "OutOfMemory", "out of memory");
        }
        return 0;
}

static struct rds_page_parser *page_parser_new(const struct page_kind *k, void **items, size_t *n,
                                               size_t *skipped)
{
        struct rds_page_parser *p = calloc(1, sizeof(*p));
        if (!p)
                return NULL;
        *p = (struct rds_page_parser){
            .kind = k, .items = items, .n = n, .skipped = skipped, .n0 = *n, .skipped0 = *skipped};
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
                return page_parser_new(&kind, (void **)&l->items, &l->n, &l->skipped);                      \
        }
DEFINE_PAGE_PARSER_NEW(rds_page_parser_new_db_clusters, rds_db_cluster_list, page_clusters)
DEFINE_PAGE_PARSER_NEW(rds_page_parser_new_db_cluster_snapshots, rds_db_cluster_snapshot_list,
                       page_snapshots)
DEFINE_PAGE_PARSER_NEW(rds_page_parser_new_db_instances, rds_db_instance_list, page_instances)
DEFINE_PAGE_PARSER_NEW(rds_page_parser_new_export_tasks, rds_export_task_list, page_exports)

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
        if (p->pending_len + len > p->pending_cap) {
                size_t cap = MAX(MIN(2 * p->pending_cap, (size_t)PAGE_SINK_SLICE), p->pending_len + len);
                char *b = realloc(p->pending, MAX(cap, (size_t)4096));
                if (!b)
                        return -ENOMEM;
                p->pending = b;
                p->pending_cap = MAX(cap, (size_t)4096);
        }
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

/* One whole page from memory, into `items`/`n`/`skipped` (emptied on failure). */
static int parse_page(const struct page_kind *k, const char *xml, size_t len, void **items, size_t *n,
                      size_t *skipped, char **ret_marker, struct aws_error *e)
{
        _cleanup_page_parser_ struct rds_page_parser *p = page_parser_new(k, items, n, skipped);
        _cleanup_free_ char *marker = NULL;
        int r;

        if (!p)
                return aws_error_set(e, -ENOMEM, AWS_ERROR_PARSE, "OutOfMemory", "out of memory");
        if ((r = rds_page_parser_feed(p, xml, len, e)) < 0 ||
            (r = rds_page_parser_finish(p, &marker, e)) < 0)
                return r;
        if (ret_marker)
                *ret_marker = TAKE_PTR(marker);
        return 0;
}

#define DEFINE_PARSE_LIST(fn, list_type, list_done, kind)                                                   \
        int fn(const char *xml, size_t len, struct list_type *ret, char **ret_marker, struct aws_error *e)  \
        {                                                                                                   \
                struct list_type l = {};                                                                    \
                int r = parse_page(&kind, xml, len, (void **)&l.items, &l.n, &l.skipped, ret_marker, e);    \
                if (r < 0) {                                                                                \
                        list_done(&l);                                                                      \
                        return r;                                                                           \
                }                                                                                           \
                *ret = l;                                                                                   \
                return 0;                                                                                   \
        }
DEFINE_PARSE_LIST(rds_parse_db_clusters, rds_db_cluster_list, rds_db_cluster_list_done, page_clusters)
DEFINE_PARSE_LIST(rds_parse_db_cluster_snapshots, rds_db_cluster_snapshot_list,
                  rds_db_cluster_snapshot_list_done, page_snapshots)
DEFINE_PARSE_LIST(rds_parse_db_instances, rds_db_instance_list, rds_db_instance_list_done, page_instances)
DEFINE_PARSE_LIST(rds_parse_export_tasks, rds_export_task_list, rds_export_task_list_done, page_exports)

/* The one item of a mutating call's Result (e.g. <CreateDBClusterSnapshotResult><DBClusterSnapshot>). */
static const struct aws_xml_node *single_item(const struct aws_xml_node *doc, const char *action,
                                              const char *item)
{
        return aws_xml_child(aws_query_result(doc, action), item);
}

/* The typed result of one call's response document: shared by the calls below and by the
 * rds_parse_*_result() entry points, which take the response body. */
static int snapshot_from_doc(const struct aws_xml_node *doc, const char *action,
                             struct rds_db_cluster_snapshot *ret, struct aws_error *e)
{
        const struct aws_xml_node *n = single_item(doc, action, "DBClusterSnapshot");
        if (!n || parse_snapshot(n, ret) < 0)
                return aws_error_set(e, -EBADMSG, AWS_ERROR_PARSE, "MalformedResponse",
                                     "%s: response lacks a complete DBClusterSnapshot", action);
        return 0;
}

static int cluster_from_doc(const struct aws_xml_node *doc, const char *action, struct rds_db_cluster *ret,
                            struct aws_error *e)
{
        const struct aws_xml_node *n = single_item(doc, action, "DBCluster");
        if (!n || parse_cluster(n, ret) < 0)
                return aws_error_set(e, -EBADMSG, AWS_ERROR_PARSE, "MalformedResponse",
                                     "%s: response lacks a complete DBCluster", action);
        return 0;
}

static int instance_from_doc(const struct aws_xml_node *doc, const char *action, struct rds_db_instance *ret,
                             struct aws_error *e)
{
        const struct aws_xml_node *n = single_item(doc, action, "DBInstance");
        if (!n || parse_instance(n, ret) < 0)
                return aws_error_set(e, -EBADMSG, AWS_ERROR_PARSE, "MalformedResponse",
                                     "%s: response lacks a complete DBInstance", action);
        return 0;
}

static int export_task_from_doc(const struct aws_xml_node *doc, const char *action,
                                struct rds_export_task *ret, struct aws_error *e)
{
        /* ExportTask fields sit directly in the Result. */
        const struct aws_xml_node *n = aws_query_result(doc, action);
        if (!n || parse_export_task(n, ret) < 0)
                return aws_error_set(e, -EBADMSG, AWS_ERROR_PARSE, "MalformedResponse",
                                     "%s: response lacks ExportTaskIdentifier/Status", action);
        return 0;
}

static int attributes_from_doc(const struct aws_xml_node *doc, const char *action,
                               struct rds_snapshot_attributes *ret, struct aws_error *e)
{
        if (parse_attributes(aws_query_result(doc, action), ret) < 0)
                return aws_error_set(e, -EBADMSG, AWS_ERROR_PARSE, "MalformedResponse",
                                     "%s: response lacks DBClusterSnapshotAttributesResult", action);
        return 0;
}

#define DEFINE_RESULT_PARSER(fn, type, from_doc)                                                            \
        int fn(const char *xml, size_t len, const char *action, type *ret, struct aws_error *e)             \
        {                                                                                                   \
                _cleanup_xml_ struct aws_xml_node *doc = NULL;                                              \
                int r = aws_xml_parse(xml, len, &doc, e);                                                   \
                if (r < 0)                                                                                  \
                        return r;                                                                           \
                return from_doc(doc, action, ret, e);                                                       \
        }
DEFINE_RESULT_PARSER(rds_parse_db_cluster_result, struct rds_db_cluster, cluster_from_doc)
DEFINE_RESULT_PARSER(rds_parse_db_instance_result, struct rds_db_instance, instance_from_doc)
DEFINE_RESULT_PARSER(rds_parse_export_task_result, struct rds_export_task, export_task_from_doc)
DEFINE_RESULT_PARSER(rds_parse_snapshot_attributes, struct rds_snapshot_attributes, attributes_from_doc)

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
                return parse_error(e, "response lacks a complete DBClusterSnapshot");
        return 0;
}

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

static int buf_take(struct aws_buf *b, char **ret, struct aws_error *e)
{
        *ret = aws_buf_steal(b);
        if (!*ret)
                return aws_error_set(e, -ENOMEM, AWS_ERROR_INVALID, "OutOfMemory", "out of memory");
        return 0;
}

static int rds_call(struct aws_client *c, const char *action, struct aws_buf *params,
                    struct aws_xml_node **ret_doc, struct aws_error *e)
{
        _cleanup_free_ char *p = NULL;
        int r = buf_take(params, &p, e);
        if (r < 0)
                return r;
        return aws_query_call(c, AWS_SERVICE_RDS, action, RDS_VERSION, p, AWS_SIGN_CLIENT, NULL, ret_doc, e);
}

/* One Describe page through the blocking client, into the list (left as it was on failure). The client has
 * the body whole already; what streaming saves here is the page's tree: only one item exists as one. */
static int page_call(struct aws_client *c, const struct page_kind *k, struct aws_buf *params, void **items,
                     size_t *n, size_t *skipped, char **marker, struct aws_error *e)
{
        _cleanup_free_ char *q = NULL;
        struct aws_response resp = {};
        int r = buf_take(params, &q, e);
        if (r < 0)
                return r;
        r = aws_query_send(c, AWS_SERVICE_RDS, k->action, RDS_VERSION, q, AWS_SIGN_CLIENT, NULL, &resp, e);
        if (r < 0)
                return r;
        r = parse_page(k, resp.body, resp.body_len, items, n, skipped, marker, e);
        if (r < 0)
                e->http_status = resp.status;
        aws_response_done(&resp);
        return r;
}

static int need(struct aws_error *e, const char *action, const char *name, const char *value)
{
        if (isempty(value))
                return aws_error_set(e, -EINVAL, AWS_ERROR_INVALID, "MissingParameter", "%s needs %s",
                                     action, name);
        return 0;
}

/* ---- Describe ---- */

int rds_describe_db_clusters(struct aws_client *c, const char *cluster_identifier,
                             struct rds_db_cluster_list *ret, struct aws_error *e)
{
        struct rds_db_cluster_list l = {};
        _cleanup_free_ char *marker = NULL;
        _cleanup_paging_ struct aws_paging pg = AWS_PAGING_INIT("DescribeDBClusters", "Marker");
        int r;
        aws_error_clear(e);
        do {
                struct aws_buf p = {};
                if (cluster_identifier)
                        aws_buf_param(&p, "DBClusterIdentifier", cluster_identifier);
                aws_buf_param(&p, "MaxRecords", RDS_PAGE_SIZE);
                if (marker)
                        aws_buf_param(&p, "Marker", marker);
                if ((r = page_call(c, &page_clusters, &p, (void **)&l.items, &l.n, &l.skipped, &marker, e)) <
                    0) {
                        rds_db_cluster_list_done(&l);
                        return r;
                }
        } while ((r = aws_paging_next(&pg, marker, e)) > 0);
        if (r < 0) {
                rds_db_cluster_list_done(&l);
                return r;
        }
        *ret = l;
        return 0;
}

int rds_describe_db_cluster_snapshots_foreach(struct aws_client *c, const struct rds_snapshot_filter *f,
                                              int (*cb)(struct rds_db_cluster_snapshot *s, void *userdata),
                                              void *userdata, struct aws_error *e)
{
        static const struct rds_snapshot_filter none = {};
        _cleanup_free_ char *marker = NULL;
        _cleanup_paging_ struct aws_paging pg = AWS_PAGING_INIT("DescribeDBClusterSnapshots", "Marker");
        int r;
        if (!f)
                f = &none;
        aws_error_clear(e);
        do {
                struct aws_buf p = {};
                struct rds_db_cluster_snapshot_list page = {};
                if (f->cluster_identifier)
                        aws_buf_param(&p, "DBClusterIdentifier", f->cluster_identifier);
                if (f->snapshot_identifier)
                        aws_buf_param(&p, "DBClusterSnapshotIdentifier", f->snapshot_identifier);
                if (f->snapshot_type)
                        aws_buf_param(&p, "SnapshotType", f->snapshot_type);
                if (f->include_shared)
                        aws_buf_param(&p, "IncludeShared", "true");
                aws_buf_param(&p, "MaxRecords", RDS_PAGE_SIZE);
                if (marker)
                        aws_buf_param(&p, "Marker", marker);
                r = page_call(c, &page_snapshots, &p, (void **)&page.items, &page.n, &page.skipped, &marker,
                              e);
                for (size_t i = 0; r >= 0 && i < page.n; i++) {
                        r = cb(&page.items[i], userdata);
                        if (r < 0)
                                aws_error_set(e, r, AWS_ERROR_INVALID, "Aborted",
                                              "snapshot callback stopped the listing");
                }
                rds_db_cluster_snapshot_list_done(&page);
                if (r < 0)
                        return r;
        } while ((r = aws_paging_next(&pg, marker, e)) > 0);
        return r;
}

static int collect_snapshot(struct rds_db_cluster_snapshot *s, void *userdata)
{
        struct rds_db_cluster_snapshot_list *l = userdata;
        struct rds_db_cluster_snapshot *slot =
            array_push((void **)&l->items, &l->n, sizeof(*slot), RDS_MAX_LIST);
        if (!slot)
                return -ENOMEM;
        *slot = *s; /* steal every field */
        *s = (struct rds_db_cluster_snapshot){};
        return 0;
}

int rds_describe_db_cluster_snapshots(struct aws_client *c, const struct rds_snapshot_filter *f,
                                      struct rds_db_cluster_snapshot_list *ret, struct aws_error *e)
{
        struct rds_db_cluster_snapshot_list l = {};
        int r = rds_describe_db_cluster_snapshots_foreach(c, f, collect_snapshot, &l, e);
        if (r < 0) {
                rds_db_cluster_snapshot_list_done(&l);
                return r;
        }
        *ret = l;
        return 0;
}

int rds_describe_db_instances(struct aws_client *c, const char *instance_identifier,
                              const char *cluster_identifier, struct rds_db_instance_list *ret,
                              struct aws_error *e)
{
        struct rds_db_instance_list l = {};
        _cleanup_free_ char *marker = NULL;
        _cleanup_paging_ struct aws_paging pg = AWS_PAGING_INIT("DescribeDBInstances", "Marker");
        int r;
        aws_error_clear(e);
        do {
                struct aws_buf p = {};
                if (instance_identifier)
                        aws_buf_param(&p, "DBInstanceIdentifier", instance_identifier);
                if (cluster_identifier) {
                        aws_buf_param(&p, "Filters.Filter.1.Name", "db-cluster-id");
                        aws_buf_param(&p, "Filters.Filter.1.Values.Value.1", cluster_identifier);
                }
                aws_buf_param(&p, "MaxRecords", RDS_PAGE_SIZE);
                if (marker)
                        aws_buf_param(&p, "Marker", marker);
                if ((r = page_call(c, &page_instances, &p, (void **)&l.items, &l.n, &l.skipped, &marker,
                                   e)) < 0) {
                        rds_db_instance_list_done(&l);
                        return r;
                }
        } while ((r = aws_paging_next(&pg, marker, e)) > 0);
        if (r < 0) {
                rds_db_instance_list_done(&l);
                return r;
        }
        *ret = l;
        return 0;
}

/* ---- single-item calls ---- */

static int snapshot_call(struct aws_client *c, const char *action, struct aws_buf *p,
                         struct rds_db_cluster_snapshot *ret, struct aws_error *e)
{
        _cleanup_xml_ struct aws_xml_node *doc = NULL;
        struct rds_db_cluster_snapshot s = {};
        int r = rds_call(c, action, p, &doc, e);
        if (r < 0)
                return r;
        if ((r = snapshot_from_doc(doc, action, &s, e)) < 0)
                return r;
        if (ret)
                *ret = s;
        else
                rds_db_cluster_snapshot_done(&s);
        return 0;
}

static int cluster_call(struct aws_client *c, const char *action, struct aws_buf *p,
                        struct rds_db_cluster *ret, struct aws_error *e)
{
        _cleanup_xml_ struct aws_xml_node *doc = NULL;
        struct rds_db_cluster cl = {};
        int r = rds_call(c, action, p, &doc, e);
        if (r < 0)
                return r;
        if ((r = cluster_from_doc(doc, action, &cl, e)) < 0)
                return r;
        if (ret)
                *ret = cl;
        else
                rds_db_cluster_done(&cl);
        return 0;
}

static int instance_call(struct aws_client *c, const char *action, struct aws_buf *p,
                         struct rds_db_instance *ret, struct aws_error *e)
{
        _cleanup_xml_ struct aws_xml_node *doc = NULL;
        struct rds_db_instance in = {};
        int r = rds_call(c, action, p, &doc, e);
        if (r < 0)
                return r;
        if ((r = instance_from_doc(doc, action, &in, e)) < 0)
                return r;
        if (ret)
                *ret = in;
        else
                rds_db_instance_done(&in);
        return 0;
}

static int export_call(struct aws_client *c, const char *action, struct aws_buf *p,
                       struct rds_export_task *ret, struct aws_error *e)
{
        _cleanup_xml_ struct aws_xml_node *doc = NULL;
        struct rds_export_task t = {};
        int r = rds_call(c, action, p, &doc, e);
        if (r < 0)
                return r;
        if ((r = export_task_from_doc(doc, action, &t, e)) < 0)
                return r;
        if (ret)
                *ret = t;
        else
                rds_export_task_done(&t);
        return 0;
}

int rds_create_db_cluster_snapshot(struct aws_client *c, const char *cluster_identifier,
                                   const char *snapshot_identifier, const struct aws_tag *tags,
                                   size_t n_tags, struct rds_db_cluster_snapshot *ret, struct aws_error *e)
{
        struct aws_buf p = {};
        int r;
        aws_error_clear(e);
        if ((r = need(e, "CreateDBClusterSnapshot", "a cluster identifier", cluster_identifier)) < 0 ||
            (r = need(e, "CreateDBClusterSnapshot", "a snapshot identifier", snapshot_identifier)) < 0)
                return r;
        aws_buf_param(&p, "DBClusterIdentifier", cluster_identifier);
        aws_buf_param(&p, "DBClusterSnapshotIdentifier", snapshot_identifier);
        add_tags(&p, tags, n_tags);
        return snapshot_call(c, "CreateDBClusterSnapshot", &p, ret, e);
}

int rds_delete_db_cluster_snapshot(struct aws_client *c, const char *snapshot_identifier,
                                   struct rds_db_cluster_snapshot *ret, struct aws_error *e)
{
        struct aws_buf p = {};
        int r;
        aws_error_clear(e);
        if ((r = need(e, "DeleteDBClusterSnapshot", "a snapshot identifier", snapshot_identifier)) < 0)
                return r;
        /* Invariant: AWS Backup recovery points are deleted only through AWS Backup. Checked here, in
         * code, so that no caller can get it wrong. */
        if (snapshot_id_deleted_only_through_backup(snapshot_identifier))
                return aws_error_set(e, -EPERM, AWS_ERROR_REFUSED, "AwsBackupManagedSnapshot",
                                     "refusing to delete %.200s through RDS: AWS Backup recovery points "
                                     "(awsbackup:, continuous:) are deleted only through AWS Backup",
                                     snapshot_identifier);
        aws_buf_param(&p, "DBClusterSnapshotIdentifier", snapshot_identifier);
        return snapshot_call(c, "DeleteDBClusterSnapshot", &p, ret, e);
}

int rds_copy_db_cluster_snapshot(struct aws_client *c, const struct rds_copy_params *cp,
                                 struct rds_db_cluster_snapshot *ret, struct aws_error *e)
{
        struct aws_buf p = {};
        int r;
        aws_error_clear(e);
        if ((r = need(e, "CopyDBClusterSnapshot", "a source snapshot", cp->source_snapshot)) < 0 ||
            (r = need(e, "CopyDBClusterSnapshot", "a target identifier", cp->target_identifier)) < 0)
                return r;
        aws_buf_param(&p, "SourceDBClusterSnapshotIdentifier", cp->source_snapshot);
        aws_buf_param(&p, "TargetDBClusterSnapshotIdentifier", cp->target_identifier);
        if (cp->kms_key_id)
                aws_buf_param(&p, "KmsKeyId", cp->kms_key_id);
        if (cp->copy_tags)
                aws_buf_param(&p, "CopyTags", "true");
        add_tags(&p, cp->tags, cp->n_tags);
        return snapshot_call(c, "CopyDBClusterSnapshot", &p, ret, e);
}

static int attributes_call(struct aws_client *c, const char *action, struct aws_buf *p,
                           struct rds_snapshot_attributes *ret, struct aws_error *e)
{
        _cleanup_xml_ struct aws_xml_node *doc = NULL;
        struct rds_snapshot_attributes a = {};
        int r = rds_call(c, action, p, &doc, e);
        if (r < 0)
                return r;
        if ((r = attributes_from_doc(doc, action, &a, e)) < 0)
                return r;
        if (ret)
                *ret = a;
        else
                rds_snapshot_attributes_done(&a);
        return 0;
}

int rds_modify_db_cluster_snapshot_attribute(struct aws_client *c, const char *snapshot_identifier,
                                             char *const *add, char *const *remove,
                                             struct rds_snapshot_attributes *ret, struct aws_error *e)
{
        struct aws_buf p = {};
        int r;
        aws_error_clear(e);
        if ((r = need(e, "ModifyDBClusterSnapshotAttribute", "a snapshot identifier", snapshot_identifier)) <
            0)
                return r;
        aws_buf_param(&p, "DBClusterSnapshotIdentifier", snapshot_identifier);
        aws_buf_param(&p, "AttributeName", "restore");
        add_list(&p, "ValuesToAdd.AttributeValue", add);
        add_list(&p, "ValuesToRemove.AttributeValue", remove);
        return attributes_call(c, "ModifyDBClusterSnapshotAttribute", &p, ret, e);
}

int rds_describe_db_cluster_snapshot_attributes(struct aws_client *c, const char *snapshot_identifier,
                                                struct rds_snapshot_attributes *ret, struct aws_error *e)
{
        struct aws_buf p = {};
        int r;
        aws_error_clear(e);
        if ((r = need(e, "DescribeDBClusterSnapshotAttributes", "a snapshot identifier",
                      snapshot_identifier)) < 0)
                return r;
        aws_buf_param(&p, "DBClusterSnapshotIdentifier", snapshot_identifier);
        return attributes_call(c, "DescribeDBClusterSnapshotAttributes", &p, ret, e);
}

int rds_start_export_task(struct aws_client *c, const struct rds_export_params *ep,
                          struct rds_export_task *ret, struct aws_error *e)
{
        struct aws_buf p = {};
        int r;
        aws_error_clear(e);
        if ((r = need(e, "StartExportTask", "an identifier", ep->identifier)) < 0 ||
            (r = need(e, "StartExportTask", "a source ARN", ep->source_arn)) < 0 ||
            (r = need(e, "StartExportTask", "an S3 bucket", ep->s3_bucket)) < 0 ||
            (r = need(e, "StartExportTask", "an IAM role ARN", ep->iam_role_arn)) < 0 ||
            (r = need(e, "StartExportTask", "a KMS key", ep->kms_key_id)) < 0)
                return r;
        aws_buf_param(&p, "ExportTaskIdentifier", ep->identifier);
        aws_buf_param(&p, "SourceArn", ep->source_arn);
        aws_buf_param(&p, "S3BucketName", ep->s3_bucket);
        aws_buf_param(&p, "IamRoleArn", ep->iam_role_arn);
        aws_buf_param(&p, "KmsKeyId", ep->kms_key_id);
        if (ep->s3_prefix)
                aws_buf_param(&p, "S3Prefix", ep->s3_prefix);
        add_list(&p, "ExportOnly.member", ep->export_only);
        return export_call(c, "StartExportTask", &p, ret, e);
}

int rds_describe_export_tasks(struct aws_client *c, const char *identifier, const char *source_arn,
                              struct rds_export_task_list *ret, struct aws_error *e)
{
        struct rds_export_task_list l = {};
        _cleanup_free_ char *marker = NULL;
        _cleanup_paging_ struct aws_paging pg = AWS_PAGING_INIT("DescribeExportTasks", "Marker");
        int r;
        aws_error_clear(e);
        do {
                struct aws_buf p = {};
                if (identifier)
                        aws_buf_param(&p, "ExportTaskIdentifier", identifier);
                if (source_arn)
                        aws_buf_param(&p, "SourceArn", source_arn);
                aws_buf_param(&p, "MaxRecords", RDS_PAGE_SIZE);
                if (marker)
                        aws_buf_param(&p, "Marker", marker);
                if ((r = page_call(c, &page_exports, &p, (void **)&l.items, &l.n, &l.skipped, &marker, e)) <
                    0) {
                        rds_export_task_list_done(&l);
                        return r;
                }
        } while ((r = aws_paging_next(&pg, marker, e)) > 0);
        if (r < 0) {
                rds_export_task_list_done(&l);
                return r;
        }
        *ret = l;
        return 0;
}

int rds_cancel_export_task(struct aws_client *c, const char *identifier, struct rds_export_task *ret,
                           struct aws_error *e)
{
        struct aws_buf p = {};
        int r;
        aws_error_clear(e);
        if ((r = need(e, "CancelExportTask", "an identifier", identifier)) < 0)
                return r;
        aws_buf_param(&p, "ExportTaskIdentifier", identifier);
        return export_call(c, "CancelExportTask", &p, ret, e);
}

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
                aws_buf_param(p, "ServerlessV2ScalingConfiguration.MinCapacity", rp->serverless_v2_min_capacity);
                aws_buf_param(p, "ServerlessV2ScalingConfiguration.MaxCapacity", rp->serverless_v2_max_capacity);
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
        struct aws_buf p = {};
        int r;
        aws_error_clear(e);
        if ((r = need(e, "RestoreDBClusterFromSnapshot", "a cluster identifier", rp->cluster_identifier)) <
                0 ||
            (r = need(e, "RestoreDBClusterFromSnapshot", "a snapshot identifier", rp->snapshot_identifier)) <
                0 ||
            (r = need(e, "RestoreDBClusterFromSnapshot", "an engine", rp->engine)) < 0)
                return r;
        aws_buf_param(&p, "SnapshotIdentifier", rp->snapshot_identifier);
        aws_buf_param(&p, "Engine", rp->engine);
        if (rp->engine_version)
                aws_buf_param(&p, "EngineVersion", rp->engine_version);
        add_restore_common(&p, rp);
        return cluster_call(c, "RestoreDBClusterFromSnapshot", &p, ret, e);
}

int rds_restore_db_cluster_to_point_in_time(struct aws_client *c, const struct rds_restore_params *rp,
                                            struct rds_db_cluster *ret, struct aws_error *e)
{
        struct aws_buf p = {};
        int r;
        aws_error_clear(e);
        if ((r = need(e, "RestoreDBClusterToPointInTime", "a cluster identifier", rp->cluster_identifier)) <
                0 ||
            (r = need(e, "RestoreDBClusterToPointInTime", "a source cluster",
                      rp->source_cluster_identifier)) < 0)
                return r;
        aws_buf_param(&p, "SourceDBClusterIdentifier", rp->source_cluster_identifier);
        if (rp->restore_time > 0) {
                char t[TIME_ISO8601_MAX];
                aws_buf_param(&p, "RestoreToTime", time_format_iso8601(rp->restore_time, t));
        } else
                aws_buf_param(&p, "UseLatestRestorableTime", "true");
        add_restore_common(&p, rp);
        return cluster_call(c, "RestoreDBClusterToPointInTime", &p, ret, e);
}

int rds_create_db_instance(struct aws_client *c, const struct rds_instance_params *ip,
                           struct rds_db_instance *ret, struct aws_error *e)
{
        struct aws_buf p = {};
        int r;
        aws_error_clear(e);
        if ((r = need(e, "CreateDBInstance", "an instance identifier", ip->instance_identifier)) < 0 ||
            (r = need(e, "CreateDBInstance", "an instance class", ip->instance_class)) < 0 ||
            (r = need(e, "CreateDBInstance", "an engine", ip->engine)) < 0)
                return r;
        aws_buf_param(&p, "DBInstanceIdentifier", ip->instance_identifier);
        aws_buf_param(&p, "DBInstanceClass", ip->instance_class);
        aws_buf_param(&p, "Engine", ip->engine);
        if (ip->cluster_identifier)
                aws_buf_param(&p, "DBClusterIdentifier", ip->cluster_identifier);
        aws_buf_param(&p, "PubliclyAccessible", ip->publicly_accessible ? "true" : "false");
        add_tags(&p, ip->tags, ip->n_tags);
        return instance_call(c, "CreateDBInstance", &p, ret, e);
}

int rds_delete_db_cluster(struct aws_client *c, const char *cluster_identifier,
                          bool delete_automated_backups, struct rds_db_cluster *ret, struct aws_error *e)
{
        struct aws_buf p = {};
        int r;
        aws_error_clear(e);
        if ((r = need(e, "DeleteDBCluster", "a cluster identifier", cluster_identifier)) < 0)
                return r;
        aws_buf_param(&p, "DBClusterIdentifier", cluster_identifier);
        aws_buf_param(&p, "SkipFinalSnapshot", "true");
        aws_buf_param(&p, "DeleteAutomatedBackups", delete_automated_backups ? "true" : "false");
        return cluster_call(c, "DeleteDBCluster", &p, ret, e);
}

int rds_delete_db_instance(struct aws_client *c, const char *instance_identifier,
                           struct rds_db_instance *ret, struct aws_error *e)
{
        struct aws_buf p = {};
        int r;
        aws_error_clear(e);
        if ((r = need(e, "DeleteDBInstance", "an instance identifier", instance_identifier)) < 0)
                return r;
        aws_buf_param(&p, "DBInstanceIdentifier", instance_identifier);
        aws_buf_param(&p, "SkipFinalSnapshot", "true");
        return instance_call(c, "DeleteDBInstance", &p, ret, e);
}

int rds_add_tags_to_resource(struct aws_client *c, const char *resource_arn, const struct aws_tag *tags,
                             size_t n_tags, struct aws_error *e)
{
        struct aws_buf p = {};
        _cleanup_xml_ struct aws_xml_node *doc = NULL;
        int r;
        aws_error_clear(e);
        if ((r = need(e, "AddTagsToResource", "a resource ARN", resource_arn)) < 0)
                return r;
        if (n_tags == 0)
                return aws_error_set(e, -EINVAL, AWS_ERROR_INVALID, "MissingParameter",
                                     "AddTagsToResource needs tags");
        aws_buf_param(&p, "ResourceName", resource_arn);
        add_tags(&p, tags, n_tags);
        return rds_call(c, "AddTagsToResource", &p, &doc, e);
}

/* ---- Account quotas ---- */

static int quota_value(const struct aws_xml_node *q, const char *name, int64_t *ret)
{
        _cleanup_free_ char *s = NULL;
        char *end;
        if (aws_xml_child_text(q, name, &s) < 0 || isempty(s))
                return -EBADMSG;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (errno != 0 || *end || v < 0)
                return -EBADMSG;
        *ret = v;
        return 0;
}

static int find_account_quota(const struct aws_xml_node *result, const char *name, int64_t *ret_used,
                              int64_t *ret_max, struct aws_error *e)
{
        const struct aws_xml_node *list = aws_xml_child(result, "AccountQuotas");
        if (!result || !list)
                return aws_error_set(e, -EBADMSG, AWS_ERROR_PARSE, "MalformedResponse",
                                     "DescribeAccountAttributes: response lacks AccountQuotas");
        for (const struct aws_xml_node *q = aws_xml_child(list, "AccountQuota"); q;
             q = aws_xml_next(q, "AccountQuota")) {
                _cleanup_free_ char *n = NULL;
                int64_t used, max;
                if (aws_xml_child_text(q, "AccountQuotaName", &n) < 0 || !streq_ptr(n, name))
                        continue;
                if (quota_value(q, "Used", &used) < 0 || quota_value(q, "Max", &max) < 0)
                        return aws_error_set(e, -EBADMSG, AWS_ERROR_PARSE, "MalformedResponse",
                                             "DescribeAccountAttributes: quota %s lacks a valid Used or Max", name);
                *ret_used = used;
                *ret_max = max;
                return 0;
        }
        return aws_error_set(e, -ENOENT, AWS_ERROR_PARSE, "QuotaNotFound",
                             "DescribeAccountAttributes: no quota named %s", name);
}

int rds_parse_account_quota(const char *xml, size_t len, const char *name, int64_t *ret_used, int64_t *ret_max,
                            struct aws_error *e)
{
        _cleanup_xml_ struct aws_xml_node *doc = NULL;
        int r = aws_xml_parse(xml, len, &doc, e);
        if (r < 0)
                return r;
        return find_account_quota(aws_query_result(doc, "DescribeAccountAttributes"), name, ret_used, ret_max, e);
}

int rds_describe_account_quota(struct aws_client *c, const char *name, int64_t *ret_used, int64_t *ret_max,
                               struct aws_error *e)
{
        _cleanup_xml_ struct aws_xml_node *doc = NULL;
        struct aws_buf p = {};
        int r;

        aws_error_clear(e);
        if ((r = need(e, "DescribeAccountAttributes", "a quota name", name)) < 0)
                return r;
        if ((r = rds_call(c, "DescribeAccountAttributes", &p, &doc, e)) < 0)
                return r;
        return find_account_quota(aws_query_result(doc, "DescribeAccountAttributes"), name, ret_used, ret_max, e);
}

/* ---- Untagging (aurora-backupctl release) ---- */

int rds_remove_tags_from_resource(struct aws_client *c, const char *resource_arn, char *const *keys,
                                  struct aws_error *e)
{
        struct aws_buf p = {};
        _cleanup_xml_ struct aws_xml_node *doc = NULL;
        int r;

        aws_error_clear(e);
        if ((r = need(e, "RemoveTagsFromResource", "a resource ARN", resource_arn)) < 0)
                return r;
        if (!keys || !keys[0])
                return aws_error_set(e, -EINVAL, AWS_ERROR_INVALID, "MissingParameter",
                                     "RemoveTagsFromResource needs tag keys");
        aws_buf_param(&p, "ResourceName", resource_arn);
        /* KeyList has no member locationName: TagKeys.member.N (botocore's rds 2014-10-31 model). */
        add_list(&p, "TagKeys.member", keys);
        return rds_call(c, "RemoveTagsFromResource", &p, &doc, e);
}
