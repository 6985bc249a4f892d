/* Typed Amazon RDS (Aurora) operations over the Query API, version 2014-10-31. Describe calls follow
 * every Marker page; tags come from the Describe responses (no per-snapshot ListTagsForResource). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws-client.h"
#include "aws-error.h"
#include "aws-field.h"

struct aws_tag {
        char *key;
        char *value;
};
void aws_tags_free(struct aws_tag *tags, size_t n);
/* Value of tag `key`, NULL if absent. */
const char *aws_tags_get(const struct aws_tag *tags, size_t n, const char *key);

/* Caps on what a response may carry (beyond them the response is rejected as malformed). */
#define RDS_MAX_ITEMS_PER_PAGE                                                                              \
        1000 /* AWS sends at most MaxRecords (100); this only bounds a broken peer                          \
              */
#define RDS_MAX_TAGS 50
#define RDS_MAX_LIST 1000000 /* total items a paged Describe may collect */
#define RDS_MAX_MEMBERS 64

struct rds_db_cluster {
        char *identifier;
        char *arn;
        char *resource_id;
        char *status;
        char *engine;
        char *engine_version;
        char *kms_key_id;
        char *preferred_backup_window; /* "hh24:mi-hh24:mi" UTC, NULL if absent */
        char *endpoint;                /* the writer endpoint's host name, NULL if absent */
        unsigned port;                 /* 0 if absent */
        char *aws_backup_recovery_point_arn;
        unsigned backup_retention_period;
        bool storage_encrypted;
        bool deletion_protection;
        int64_t cluster_create_time; /* UTC epoch seconds, 0 if absent */
        int64_t earliest_restorable_time;
        int64_t latest_restorable_time;
        char **members; /* DBInstanceIdentifier of each member (strv) */
        char *writer;   /* the member with IsClusterWriter=true, NULL if none */
        struct aws_tag *tags;
        size_t n_tags;
        /* The settings a restore copies from its source cluster (NULL / false when absent). */
        char *db_subnet_group;
        char **vpc_security_group_ids; /* strv */
        char *db_cluster_parameter_group;
        char *serverless_v2_min_capacity; /* ServerlessV2ScalingConfiguration, as AWS wrote the numbers */
        char *serverless_v2_max_capacity;
        bool iam_database_authentication;
        bool copy_tags_to_snapshot;
};

struct rds_db_cluster_snapshot {
        char *identifier;
        char *arn;
        char *cluster_identifier;
        char *status;
        char *snapshot_type; /* automated, manual, shared, public, awsbackup */
        char *engine;
        char *engine_version;
        char *kms_key_id;
        char *source_arn; /* SourceDBClusterSnapshotArn for copies */
        char *resource_id;
        int64_t create_time;         /* SnapshotCreateTime; 0 while creating and absent */
        int64_t cluster_create_time; /* 0 if absent */
        bool storage_encrypted;
        unsigned allocated_storage; /* GiB */
        unsigned percent_progress;
        struct aws_tag *tags;
        size_t n_tags;
        /* An item that could not be read (a bad timestamp or number, a missing field): only identifier and
         * cluster_identifier are set, as far as they could be read. The listing goes on without it; the
         * caller must treat what it knows of that cluster as incomplete. */
        bool malformed;
};

/* The members each item kind reads from its element (and frees), for a caller that walks them:
 * comparing two items through aws_fields_differ. Tags, a cluster's members and the like are not in them. */
extern const struct aws_field rds_db_cluster_fields[], rds_db_cluster_snapshot_fields[],
    rds_db_instance_fields[], rds_export_task_fields[];
extern const size_t rds_db_cluster_n_fields, rds_db_cluster_snapshot_n_fields, rds_db_instance_n_fields,
    rds_export_task_n_fields;

struct rds_db_instance {
        char *identifier;
        char *arn;
        char *cluster_identifier;
        char *status; /* DBInstanceStatus */
        char *instance_class;
        char *engine;
};

struct rds_export_task {
        char *identifier;
        char *source_arn;
        char *status; /* STARTING, IN_PROGRESS, COMPLETE, FAILED, CANCELING, CANCELED */
        char *s3_bucket;
        char *s3_prefix;
        char *kms_key_id;
        char *iam_role_arn;
        char *failure_cause;
        char *warning_message;
        unsigned percent_progress;
        int64_t snapshot_time, task_start_time, task_end_time;
};

struct rds_snapshot_attributes {
        char *snapshot_identifier;
        char **restore_accounts; /* values of the "restore" attribute (account ids or "all") */
};

/* A list of records, declared with its destructor name##_done() (every item, then the array). */
#define DEFINE_RDS_LIST(name, type)                                                                         \
        struct name {                                                                                       \
                type *items;                                                                                \
                size_t n;                                                                                   \
                size_t allocated; /* room in items (array_grow) */                                          \
                size_t skipped;   /* items that could not be read and were left out (clusters) */           \
        };                                                                                                  \
        void name##_done(struct name *l)
DEFINE_RDS_LIST(rds_db_cluster_list, struct rds_db_cluster);
DEFINE_RDS_LIST(rds_db_cluster_snapshot_list, struct rds_db_cluster_snapshot);
DEFINE_RDS_LIST(rds_db_instance_list, struct rds_db_instance);
DEFINE_RDS_LIST(rds_export_task_list, struct rds_export_task);

void rds_db_cluster_done(struct rds_db_cluster *c);
void rds_db_cluster_snapshot_done(struct rds_db_cluster_snapshot *s);
void rds_db_instance_done(struct rds_db_instance *i);
void rds_export_task_done(struct rds_export_task *t);
void rds_snapshot_attributes_done(struct rds_snapshot_attributes *a);

/* ---- Describe (all pages, MaxRecords=100) ---- */

/* cluster_identifier: one cluster (id or ARN), NULL for every cluster in the region. */
int rds_describe_db_clusters(struct aws_client *c, const char *cluster_identifier,
                             struct rds_db_cluster_list *ret, struct aws_error *e);

struct rds_snapshot_filter {
        const char *cluster_identifier;  /* NULL: region-wide */
        const char *snapshot_identifier; /* NULL: all */
        const char *snapshot_type;       /* NULL: AWS default (automated + manual) */
        bool include_shared;
};
int rds_describe_db_cluster_snapshots(struct aws_client *c, const struct rds_snapshot_filter *f,
                                      struct rds_db_cluster_snapshot_list *ret, struct aws_error *e);
/* Streaming variant: `cb` sees each snapshot (it may steal fields by setting them to NULL) and returns
 * >= 0 to go on or a negative errno to stop (returned as is). */
int rds_describe_db_cluster_snapshots_foreach(struct aws_client *c, const struct rds_snapshot_filter *f,
                                              int (*cb)(struct rds_db_cluster_snapshot *s, void *userdata),
                                              void *userdata, struct aws_error *e);

int rds_describe_db_instances(struct aws_client *c, const char *instance_identifier,
                              const char *cluster_identifier, struct rds_db_instance_list *ret,
                              struct aws_error *e);

/* ---- Snapshots ---- */

int rds_create_db_cluster_snapshot(struct aws_client *c, const char *cluster_identifier,
                                   const char *snapshot_identifier, const struct aws_tag *tags,
                                   size_t n_tags, struct rds_db_cluster_snapshot *ret, struct aws_error *e);
/* Refuses awsbackup:/continuous: identifiers (and their ARNs) with -EPERM and kind REFUSED, code
 * "AwsBackupManagedSnapshot", before any I/O. */
int rds_delete_db_cluster_snapshot(struct aws_client *c, const char *snapshot_identifier,
                                   struct rds_db_cluster_snapshot *ret, struct aws_error *e);

struct rds_copy_params {
        const char
            *source_snapshot; /* identifier, or the ARN when the source is in another region/account */
        const char *target_identifier;
        const char *kms_key_id; /* destination-region key; NULL: none */
        bool copy_tags;
        const struct aws_tag *tags;
        size_t n_tags;
};
/* `c` is a client for the destination region. */
int rds_copy_db_cluster_snapshot(struct aws_client *c, const struct rds_copy_params *p,
                                 struct rds_db_cluster_snapshot *ret, struct aws_error *e);

/* AttributeName=restore; add/remove are NULL-terminated account-id lists (or NULL). */
int rds_modify_db_cluster_snapshot_attribute(struct aws_client *c, const char *snapshot_identifier,
                                             char *const *add, char *const *remove,
                                             struct rds_snapshot_attributes *ret, struct aws_error *e);
/* DescribeAccountAttributes: the account's RDS quota `name` in the client's region
 * ("ManualClusterSnapshots": manual cluster snapshots, AWS Backup's not counted). 0 with *ret_used and
 * *ret_max, -ENOENT when the answer has no such quota, or another negative errno with `e` filled. */
#define RDS_QUOTA_MANUAL_CLUSTER_SNAPSHOTS "ManualClusterSnapshots"
int rds_describe_account_quota(struct aws_client *c, const char *name, int64_t *ret_used, int64_t *ret_max,
                               struct aws_error *e);
int rds_parse_account_quota(const char *xml, size_t len, const char *name, int64_t *ret_used,
                            int64_t *ret_max, struct aws_error *e);
int rds_describe_db_cluster_snapshot_attributes(struct aws_client *c, const char *snapshot_identifier,
                                                struct rds_snapshot_attributes *ret, struct aws_error *e);

/* ---- Export to S3 ---- */

struct rds_export_params {
        const char *identifier;
        const char *source_arn;
        const char *s3_bucket;
        const char *iam_role_arn;
        const char *kms_key_id;
        const char *s3_prefix;    /* NULL: none */
        char *const *export_only; /* NULL: everything */
};
int rds_start_export_task(struct aws_client *c, const struct rds_export_params *p,
                          struct rds_export_task *ret, struct aws_error *e);
/* identifier or source_arn may be NULL (both NULL: all tasks). */
int rds_describe_export_tasks(struct aws_client *c, const char *identifier, const char *source_arn,
                              struct rds_export_task_list *ret, struct aws_error *e);
int rds_cancel_export_task(struct aws_client *c, const char *identifier, struct rds_export_task *ret,
                           struct aws_error *e);

/* ---- Restore drills ---- */

struct rds_restore_params {
        const char *cluster_identifier;        /* the new cluster */
        const char *snapshot_identifier;       /* FromSnapshot: name or ARN */
        const char *source_cluster_identifier; /* ToPointInTime */
        int64_t restore_time;                  /* ToPointInTime: 0 = UseLatestRestorableTime */
        const char *engine;                    /* FromSnapshot: required */
        const char *engine_version;
        const char *db_subnet_group_name;
        char *const *vpc_security_group_ids;
        const char *kms_key_id;
        bool deletion_protection;
        const struct aws_tag *tags;
        size_t n_tags;
        /* Operators' restores copy these from the source cluster (0 / NULL / false: AWS's default). */
        unsigned port;
        const char *db_cluster_parameter_group_name;
        const char *serverless_v2_min_capacity; /* both or neither */
        const char *serverless_v2_max_capacity;
        bool enable_iam_database_authentication;
        bool copy_tags_to_snapshot;
};
/* EngineVersion is sent only with FromSnapshot (ToPointInTime has no such member: the source's version). */
int rds_restore_db_cluster_from_snapshot(struct aws_client *c, const struct rds_restore_params *p,
                                         struct rds_db_cluster *ret, struct aws_error *e);
int rds_restore_db_cluster_to_point_in_time(struct aws_client *c, const struct rds_restore_params *p,
                                            struct rds_db_cluster *ret, struct aws_error *e);

struct rds_instance_params {
        const char *instance_identifier;
        const char *instance_class;
        const char *engine;
        const char *cluster_identifier;
        bool publicly_accessible;
        const struct aws_tag *tags;
        size_t n_tags;
};
int rds_create_db_instance(struct aws_client *c, const struct rds_instance_params *p,
                           struct rds_db_instance *ret, struct aws_error *e);
/* SkipFinalSnapshot=true. delete_automated_backups=false is needed for clusters with an
 * AwsBackupRecoveryPointArn. */
int rds_delete_db_cluster(struct aws_client *c, const char *cluster_identifier,
                          bool delete_automated_backups, struct rds_db_cluster *ret, struct aws_error *e);
int rds_delete_db_instance(struct aws_client *c, const char *instance_identifier,
                           struct rds_db_instance *ret, struct aws_error *e);

int rds_add_tags_to_resource(struct aws_client *c, const char *resource_arn, const struct aws_tag *tags,
                             size_t n_tags, struct aws_error *e);
/* `keys`: NULL-terminated tag keys to remove (at least one). */
int rds_remove_tags_from_resource(struct aws_client *c, const char *resource_arn, char *const *keys,
                                  struct aws_error *e);

/* ---- Describe pages parsed as they arrive ----
 * A page parser appends a page's items to a list while the body streams in: each item exists as a tree only
 * from its start tag to its end tag, then it is read into the list (or skipped and counted, or kept as a
 * malformed snapshot) and freed. The page's items stay in the list only if rds_page_parser_finish()
 * succeeds; a failure or a free before it leaves the list as it was. The list must not be touched in
 * between. */
struct rds_page_parser;
struct rds_page_parser *rds_page_parser_new_db_clusters(struct rds_db_cluster_list *l);
struct rds_page_parser *rds_page_parser_new_db_cluster_snapshots(struct rds_db_cluster_snapshot_list *l);
struct rds_page_parser *rds_page_parser_new_db_instances(struct rds_db_instance_list *l);
struct rds_page_parser *rds_page_parser_new_export_tasks(struct rds_export_task_list *l);
struct rds_page_parser *rds_page_parser_free(struct rds_page_parser *p);
/* The next bytes of the body, split anywhere. 0, or the page's error (then every time after). */
int rds_page_parser_feed(struct rds_page_parser *p, const void *data, size_t len, struct aws_error *e);
/* An aws_body_sink (aws-call.h) over rds_page_parser_feed; (NULL, 0) starts the page over. It passes the
 * body on in slices of 256 KiB (a typical page, 100 items, is parsed at finish): expat before 2.6 would
 * otherwise tokenize a long token again at every small chunk. A failure shows at rds_page_parser_finish. */
int rds_page_parser_sink(const void *data, size_t len, void *userdata);
/* End of the body: 0 and the Marker (NULL on the last page; *ret_marker is freed first), or the page's
 * error: -EBADMSG (PARSE: a DTD, a cap, not well-formed, no Result, too many items), -ENOMEM. */
int rds_page_parser_finish(struct rds_page_parser *p, char **ret_marker, struct aws_error *e);

/* ---- Parsers (exposed for unit tests on recorded responses) ---- */
int rds_parse_db_clusters(const char *xml, size_t len, struct rds_db_cluster_list *ret, char **ret_marker,
                          struct aws_error *e);
int rds_parse_db_cluster_snapshots(const char *xml, size_t len, struct rds_db_cluster_snapshot_list *ret,
                                   char **ret_marker, struct aws_error *e);
/* Result of Create/Delete/CopyDBClusterSnapshot: one DBClusterSnapshot under {op}Result. */
int rds_parse_db_cluster_snapshot_result(const char *xml, size_t len, struct rds_db_cluster_snapshot *ret,
                                         struct aws_error *e);
int rds_parse_db_instances(const char *xml, size_t len, struct rds_db_instance_list *ret, char **ret_marker,
                           struct aws_error *e);
int rds_parse_export_tasks(const char *xml, size_t len, struct rds_export_task_list *ret, char **ret_marker,
                           struct aws_error *e);
/* The response body of `action`, parsed as the call itself parses it: one DBCluster under {action}Result
 * (RestoreDBClusterFromSnapshot, RestoreDBClusterToPointInTime, DeleteDBCluster), one DBInstance
 * (CreateDBInstance, DeleteDBInstance), the export task's fields (StartExportTask, CancelExportTask),
 * the "restore" attribute (Modify/DescribeDBClusterSnapshotAttributes). */
int rds_parse_db_cluster_result(const char *xml, size_t len, const char *action, struct rds_db_cluster *ret,
                                struct aws_error *e);
int rds_parse_db_instance_result(const char *xml, size_t len, const char *action,
                                 struct rds_db_instance *ret, struct aws_error *e);
int rds_parse_export_task_result(const char *xml, size_t len, const char *action,
                                 struct rds_export_task *ret, struct aws_error *e);
int rds_parse_snapshot_attributes(const char *xml, size_t len, const char *action,
                                  struct rds_snapshot_attributes *ret, struct aws_error *e);
