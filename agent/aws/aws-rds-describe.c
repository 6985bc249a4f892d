/* The RDS Describe calls: every Marker page (MaxRecords=100) through the blocking client, each page parsed
 * item by item into the caller's list; and the account's snapshot quota (DescribeAccountAttributes). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "aws-paging.h"
#include "aws-query.h"
#include "aws-rds-internal.h"
#include "aws-xml.h"
#include "macro.h"

#define RDS_PAGE_SIZE "100"

/* One Describe page through the blocking client, appended to `l` (left as it was on failure). The client has
 * the body whole already; what streaming saves here is the page's tree: only one item exists as one. The
 * request carries `filter` (encoded parameters, may be empty), MaxRecords, and *marker when there is one;
 * *marker is then replaced by the page's Marker. */
static int page_call(struct aws_client *c, const struct rds_page_kind *k, const char *filter,
                     struct rds_list_ref l, char **marker, struct aws_error *e)
{
        _cleanup_free_ char *q = NULL;
        struct aws_buf p = {};
        struct aws_response resp = {};
        int r;

        aws_buf_puts(&p, filter);
        aws_buf_param(&p, "MaxRecords", RDS_PAGE_SIZE);
        if (*marker)
                aws_buf_param(&p, "Marker", *marker);
        if ((r = rds_params_take(&p, &q, e)) < 0)
                return r;
        r = aws_query_send(c, AWS_SERVICE_RDS, k->action, RDS_VERSION, q, AWS_SIGN_CLIENT, NULL, &resp, e);
        if (r < 0)
                return r;
        r = rds_parse_page(k, resp.body, resp.body_len, l, marker, e);
        if (r < 0)
                e->http_status = resp.status;
        aws_response_done(&resp);
        return r;
}

/* Every page of one Describe, appended to `l`; `on_page` (if set) sees the list after each page and may
 * empty it. On failure `l` keeps what the earlier pages added: the caller frees it. */
static int describe_pages(struct aws_client *c, const struct rds_page_kind *k, struct aws_buf *filter,
                          struct rds_list_ref l, int (*on_page)(void *userdata, struct aws_error *e),
                          void *userdata, struct aws_error *e)
{
        _cleanup_free_ char *f = NULL, *marker = NULL;
        _cleanup_paging_ struct aws_paging pg = AWS_PAGING_INIT(k->action, "Marker");
        int r;

        aws_error_clear(e);
        if ((r = rds_params_take(filter, &f, e)) < 0)
                return r;
        do {
                if ((r = page_call(c, k, f, l, &marker, e)) < 0 ||
                    (on_page && (r = on_page(userdata, e)) < 0))
                        return r;
        } while ((r = aws_paging_next(&pg, marker, e)) > 0);
        return r;
}

#define DEFINE_DESCRIBE_LIST(name, list_type, list_done, kind)                                              \
        static int name(struct aws_client *c, struct aws_buf *filter, struct list_type *ret,                \
                        struct aws_error *e)                                                                \
        {                                                                                                   \
                struct list_type l = {};                                                                    \
                int r = describe_pages(c, &kind, filter, RDS_LIST_REF(&l), NULL, NULL, e);                  \
                if (r < 0) {                                                                                \
                        list_done(&l);                                                                      \
                        return r;                                                                           \
                }                                                                                           \
                *ret = l;                                                                                   \
                return 0;                                                                                   \
        }
DEFINE_DESCRIBE_LIST(describe_clusters, rds_db_cluster_list, rds_db_cluster_list_done, rds_page_clusters)
DEFINE_DESCRIBE_LIST(describe_instances, rds_db_instance_list, rds_db_instance_list_done, rds_page_instances)
DEFINE_DESCRIBE_LIST(describe_exports, rds_export_task_list, rds_export_task_list_done, rds_page_exports)

int rds_describe_db_clusters(struct aws_client *c, const char *cluster_identifier,
                             struct rds_db_cluster_list *ret, struct aws_error *e)
{
        struct aws_buf filter = {};
        if (cluster_identifier)
                aws_buf_param(&filter, "DBClusterIdentifier", cluster_identifier);
        return describe_clusters(c, &filter, ret, e);
}

int rds_describe_db_instances(struct aws_client *c, const char *instance_identifier,
                              const char *cluster_identifier, struct rds_db_instance_list *ret,
                              struct aws_error *e)
{
        struct aws_buf filter = {};
        if (instance_identifier)
                aws_buf_param(&filter, "DBInstanceIdentifier", instance_identifier);
        if (cluster_identifier) {
                aws_buf_param(&filter, "Filters.Filter.1.Name", "db-cluster-id");
                aws_buf_param(&filter, "Filters.Filter.1.Values.Value.1", cluster_identifier);
        }
        return describe_instances(c, &filter, ret, e);
}

int rds_describe_export_tasks(struct aws_client *c, const char *identifier, const char *source_arn,
                              struct rds_export_task_list *ret, struct aws_error *e)
{
        struct aws_buf filter = {};
        if (identifier)
                aws_buf_param(&filter, "ExportTaskIdentifier", identifier);
        if (source_arn)
                aws_buf_param(&filter, "SourceArn", source_arn);
        return describe_exports(c, &filter, ret, e);
}

/* ---- snapshots: a page at a time to a callback ---- */

struct snapshot_pages {
        struct rds_db_cluster_snapshot_list page;
        int (*cb)(struct rds_db_cluster_snapshot *s, void *userdata);
        void *userdata;
};

static int snapshot_page_done(void *userdata, struct aws_error *e)
{
        struct snapshot_pages *sp = userdata;
        int r = 0;
        for (size_t i = 0; r >= 0 && i < sp->page.n; i++) {
                r = sp->cb(&sp->page.items[i], sp->userdata);
                if (r < 0)
                        aws_error_set(e, r, AWS_ERROR_INVALID, "Aborted",
                                      "snapshot callback stopped the listing");
        }
        rds_db_cluster_snapshot_list_done(&sp->page);
        return r;
}

int rds_describe_db_cluster_snapshots_foreach(struct aws_client *c, const struct rds_snapshot_filter *f,
                                              int (*cb)(struct rds_db_cluster_snapshot *s, void *userdata),
                                              void *userdata, struct aws_error *e)
{
        static const struct rds_snapshot_filter none = {};
        struct snapshot_pages sp = {.cb = cb, .userdata = userdata};
        struct aws_buf filter = {};
        int r;

        if (!f)
                f = &none;
        if (f->cluster_identifier)
                aws_buf_param(&filter, "DBClusterIdentifier", f->cluster_identifier);
        if (f->snapshot_identifier)
                aws_buf_param(&filter, "DBClusterSnapshotIdentifier", f->snapshot_identifier);
        if (f->snapshot_type)
                aws_buf_param(&filter, "SnapshotType", f->snapshot_type);
        if (f->include_shared)
                aws_buf_param(&filter, "IncludeShared", "true");
        r = describe_pages(c, &rds_page_snapshots, &filter, RDS_LIST_REF(&sp.page), snapshot_page_done, &sp,
                           e);
        rds_db_cluster_snapshot_list_done(&sp.page);
        return r;
}

static int collect_snapshot(struct rds_db_cluster_snapshot *s, void *userdata)
{
        struct rds_db_cluster_snapshot_list *l = userdata;
        if (l->n >= RDS_MAX_LIST || ARRAY_GROW(l->items, l->allocated, l->n) < 0)
                return -ENOMEM;
        l->items[l->n++] = *s; /* steal every field */
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
                                             "DescribeAccountAttributes: quota %s lacks a valid Used or Max",
                                             name);
                *ret_used = used;
                *ret_max = max;
                return 0;
        }
        return aws_error_set(e, -ENOENT, AWS_ERROR_PARSE, "QuotaNotFound",
                             "DescribeAccountAttributes: no quota named %s", name);
}

int rds_parse_account_quota(const char *xml, size_t len, const char *name, int64_t *ret_used,
                            int64_t *ret_max, struct aws_error *e)
{
        _cleanup_xml_ struct aws_xml_node *doc = NULL;
        int r = aws_xml_parse(xml, len, &doc, e);
        if (r < 0)
                return r;
        return find_account_quota(aws_query_result(doc, "DescribeAccountAttributes"), name, ret_used,
                                  ret_max, e);
}

int rds_describe_account_quota(struct aws_client *c, const char *name, int64_t *ret_used, int64_t *ret_max,
                               struct aws_error *e)
{
        _cleanup_xml_ struct aws_xml_node *doc = NULL;
        struct aws_buf p = {};
        int r;

        aws_error_clear(e);
        if ((r = rds_need(e, "DescribeAccountAttributes", "a quota name", name)) < 0)
                return r;
        if ((r = rds_call(c, "DescribeAccountAttributes", &p, &doc, e)) < 0)
                return r;
        return find_account_quota(aws_query_result(doc, "DescribeAccountAttributes"), name, ret_used,
                                  ret_max, e);
}
