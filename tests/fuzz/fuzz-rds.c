/* Fuzz target: the RDS Query API response parsers (agent/aws/aws-rds.c). Each input goes to the parser of
 * the action its root element names (<{Action}Response>), as the client would route it; any other root
 * goes to one of them, chosen by the input's size. A Describe page is also streamed in three chunks cut
 * where the input says, and must read exactly as the whole body does. */
#include <ctype.h>
#include <string.h>

#include "aws-rds.h"
#include "fuzz.h"
#include "macro.h"
#include "snapshot-origin.h"
#include "strv.h"

/* The local name of the first element, without "Response": a cheap look, not a parse. */
static void root_action(const uint8_t *data, size_t size, char *buf, size_t bufsize)
{
        size_t i = 0, n = 0;

        buf[0] = '\0';
        for (;;) {
                const uint8_t *lt = memchr(data + i, '<', size - i);
                if (!lt)
                        return;
                i = (size_t)(lt - data) + 1;
                if (i < size && data[i] != '?' && data[i] != '!')
                        break;
        }
        for (; i < size && n + 1 < bufsize && (isalnum(data[i]) || data[i] == ':' || data[i] == '_'); i++)
                buf[n++] = (char)data[i];
        buf[n] = '\0';
        char *colon = strrchr(buf, ':');
        if (colon)
                memmove(buf, colon + 1, strlen(colon + 1) + 1);
        n = strlen(buf);
        if (n > strlen("Response") && streq(buf + n - strlen("Response"), "Response"))
                buf[n - strlen("Response")] = '\0';
}

/* What every parser promises: a result with its required fields, or an error saying so. */
static void check_error(int r, const struct aws_error *e)
{
        FUZZ_CHECK(r == -EBADMSG || r == -ENOMEM || r == -ENOENT);
        FUZZ_CHECK(e->kind == AWS_ERROR_PARSE && !isempty(e->code));
}

/* Whether the parse that returned `r` succeeded; a failure must be a clean parse error. */
static bool parsed(int r, const struct aws_error *e)
{
        if (r < 0)
                check_error(r, e);
        return r >= 0;
}

static void check_tags(const struct aws_tag *tags, size_t n)
{
        FUZZ_CHECK(n <= RDS_MAX_TAGS);
        for (size_t i = 0; i < n; i++)
                FUZZ_CHECK(tags[i].key && tags[i].value);
        (void)aws_tags_get(tags, n, "aurora-backup:slot");
}

static void check_cluster(const struct rds_db_cluster *c)
{
        FUZZ_CHECK(!isempty(c->identifier) && !isempty(c->status));
        FUZZ_CHECK(strv_length(c->members) <= RDS_MAX_MEMBERS);
        FUZZ_CHECK(!c->writer || strv_contains(c->members, c->writer));
        check_tags(c->tags, c->n_tags);
}

static void check_snapshot(const struct rds_db_cluster_snapshot *s)
{
        if (s->malformed) {
                /* An item that could not be read keeps its names only. */
                FUZZ_CHECK(!s->status && !s->arn && !s->tags && s->n_tags == 0);
                return;
        }
        FUZZ_CHECK(!isempty(s->identifier) && !isempty(s->status) && !isempty(s->cluster_identifier));
        (void)snapshot_id_deleted_only_through_backup(s->identifier);
        (void)snapshot_id_deleted_only_through_backup(s->arn);
        check_tags(s->tags, s->n_tags);
}

static void check_instance(const struct rds_db_instance *in)
{
        FUZZ_CHECK(!isempty(in->identifier));
}

static void check_export(const struct rds_export_task *t)
{
        FUZZ_CHECK(!isempty(t->identifier) && !isempty(t->status));
}

static void check_attributes(const struct rds_snapshot_attributes *a)
{
        FUZZ_CHECK(a->snapshot_identifier);
}

static void check_marker(const char *marker)
{
        FUZZ_CHECK(!marker || marker[0] != '\0');
}

/* Two cut points taken from the input itself, so that the fuzzer explores them. */
static void cuts(const uint8_t *data, size_t size, size_t ret[2])
{
        size_t a = size ? (data[0] * 257u + data[size - 1]) % (size + 1) : 0,
               b = size ? (data[size / 2] * 131u) % (size + 1) : 0;
        ret[0] = MIN(a, b);
        ret[1] = MAX(a, b);
}

/* Feed the body to a page parser in three chunks; returns its result, `marker` set as finish sets it. */
static int stream(struct rds_page_parser *p, const uint8_t *data, size_t size, char **marker,
                  struct aws_error *e)
{
        size_t c[2];
        int r;
        cuts(data, size, c);
        FUZZ_CHECK(p);
        if ((r = rds_page_parser_feed(p, data, c[0], e)) >= 0 &&
            (r = rds_page_parser_feed(p, data + c[0], c[1] - c[0], e)) >= 0 &&
            (r = rds_page_parser_feed(p, data + c[1], size - c[1], e)) >= 0)
                r = rds_page_parser_finish(p, marker, e);
        rds_page_parser_free(p);
        return r;
}

static void check_same_outcome(int r, int rs, const char *marker, const char *ms, size_t n, size_t ns,
                               size_t skipped, size_t skipped_s)
{
        FUZZ_CHECK(r == rs);
        FUZZ_CHECK(streq_ptr(marker, ms));
        FUZZ_CHECK(n == ns && skipped == skipped_s);
}

/* One Describe page (the list types differ, hence a macro): parsed whole, a failure is a clean parse error;
 * streamed in chunks it reads as it does whole; it holds no more than a page may; every item read holds to
 * `check_item`. `list_type##_done` frees the list. */
#define DEFINE_CHECK_LIST(name, parse_fn, new_fn, list_type, same_item, check_item)                         \
        static void name(const uint8_t *data, size_t size, const char *action, char **marker)               \
        {                                                                                                   \
                const char *xml = (const char *)data;                                                       \
                struct list_type l = {}, ls = {};                                                           \
                struct aws_error e = {}, es = {};                                                           \
                char *ms = NULL;                                                                            \
                int r = parse_fn(xml, size, &l, marker, &e);                                                \
                (void)action;                                                                               \
                (void)parsed(r, &e);                                                                        \
                int rs = stream(new_fn(&ls), data, size, &ms, &es);                                         \
                check_same_outcome(r, rs, *marker, ms, l.n, ls.n, l.skipped, ls.skipped);                   \
                for (size_t i = 0; i < l.n; i++)                                                            \
                        FUZZ_CHECK(same_item(&l.items[i], &ls.items[i]));                                   \
                list_type##_done(&ls);                                                                      \
                free(ms);                                                                                   \
                FUZZ_CHECK(l.n + l.skipped <= RDS_MAX_ITEMS_PER_PAGE);                                      \
                for (size_t i = 0; r >= 0 && i < l.n; i++)                                                  \
                        check_item(&l.items[i]);                                                            \
                list_type##_done(&l);                                                                       \
        }

/* One mutating call's answer (the item types differ, hence a macro): a clean parse error, or an item that
 * holds to `check_item`. */
#define DEFINE_CHECK_RESULT(name, type, parse_fn, check_item, done)                                         \
        static void name(const uint8_t *data, size_t size, const char *action, char **marker)               \
        {                                                                                                   \
                struct aws_error e = {};                                                                    \
                type x = {};                                                                                \
                (void)marker;                                                                               \
                if (parsed(parse_fn((const char *)data, size, action, &x, &e), &e))                         \
                        check_item(&x);                                                                     \
                done(&x);                                                                                   \
        }

/* The snapshot answer's reader alone does not take the action (it reads every snapshot call's). */
static int parse_snapshot_result(const char *xml, size_t size, const char *action,
                                 struct rds_db_cluster_snapshot *ret, struct aws_error *e)
{
        (void)action;
        return rds_parse_db_cluster_snapshot_result(xml, size, ret, e);
}

/* Every member the field table names, and the ones it does not that the checks read. */
static bool same_cluster(const struct rds_db_cluster *a, const struct rds_db_cluster *b)
{
        return !aws_fields_differ(rds_db_cluster_fields, rds_db_cluster_n_fields, a, b) &&
               streq_ptr(a->writer, b->writer) && a->n_tags == b->n_tags;
}

static bool same_snapshot(const struct rds_db_cluster_snapshot *a, const struct rds_db_cluster_snapshot *b)
{
        return !aws_fields_differ(rds_db_cluster_snapshot_fields, rds_db_cluster_snapshot_n_fields, a, b) &&
               a->malformed == b->malformed && a->n_tags == b->n_tags;
}

static bool same_instance(const struct rds_db_instance *a, const struct rds_db_instance *b)
{
        return !aws_fields_differ(rds_db_instance_fields, rds_db_instance_n_fields, a, b);
}

static bool same_export(const struct rds_export_task *a, const struct rds_export_task *b)
{
        return !aws_fields_differ(rds_export_task_fields, rds_export_task_n_fields, a, b);
}

DEFINE_CHECK_LIST(check_clusters, rds_parse_db_clusters, rds_page_parser_new_db_clusters,
                  rds_db_cluster_list, same_cluster, check_cluster)
DEFINE_CHECK_LIST(check_snapshots, rds_parse_db_cluster_snapshots, rds_page_parser_new_db_cluster_snapshots,
                  rds_db_cluster_snapshot_list, same_snapshot, check_snapshot)
DEFINE_CHECK_LIST(check_instances, rds_parse_db_instances, rds_page_parser_new_db_instances,
                  rds_db_instance_list, same_instance, check_instance)
DEFINE_CHECK_LIST(check_exports, rds_parse_export_tasks, rds_page_parser_new_export_tasks,
                  rds_export_task_list, same_export, check_export)
DEFINE_CHECK_RESULT(check_snapshot_result, struct rds_db_cluster_snapshot, parse_snapshot_result,
                    check_snapshot, rds_db_cluster_snapshot_done)
DEFINE_CHECK_RESULT(check_cluster_result, struct rds_db_cluster, rds_parse_db_cluster_result, check_cluster,
                    rds_db_cluster_done)
DEFINE_CHECK_RESULT(check_instance_result, struct rds_db_instance, rds_parse_db_instance_result,
                    check_instance, rds_db_instance_done)
DEFINE_CHECK_RESULT(check_export_result, struct rds_export_task, rds_parse_export_task_result, check_export,
                    rds_export_task_done)
DEFINE_CHECK_RESULT(check_attributes_result, struct rds_snapshot_attributes, rds_parse_snapshot_attributes,
                    check_attributes, rds_snapshot_attributes_done)

static void check_account_quota(const uint8_t *data, size_t size, const char *action, char **marker)
{
        struct aws_error e = {};
        int64_t used = -1, max = -1;
        (void)action;
        (void)marker;
        if (parsed(rds_parse_account_quota((const char *)data, size, RDS_QUOTA_MANUAL_CLUSTER_SNAPSHOTS,
                                           &used, &max, &e),
                   &e))
                FUZZ_CHECK(used >= 0 && max >= 0);
}

/* Which check reads which actions' answers. An input whose root names none of them goes to the route its
 * size picks. */
static const struct route {
        void (*check)(const uint8_t *data, size_t size, const char *action, char **marker);
        const char *actions[4]; /* NULL-terminated */
} routes[] = {
    {check_clusters, {"DescribeDBClusters"}},
    {check_snapshots, {"DescribeDBClusterSnapshots"}},
    {check_instances, {"DescribeDBInstances"}},
    {check_exports, {"DescribeExportTasks"}},
    {check_snapshot_result, {"CreateDBClusterSnapshot", "DeleteDBClusterSnapshot", "CopyDBClusterSnapshot"}},
    {check_cluster_result,
     {"RestoreDBClusterFromSnapshot", "RestoreDBClusterToPointInTime", "DeleteDBCluster"}},
    {check_instance_result, {"CreateDBInstance", "DeleteDBInstance"}},
    {check_export_result, {"StartExportTask", "CancelExportTask"}},
    {check_attributes_result, {"ModifyDBClusterSnapshotAttribute", "DescribeDBClusterSnapshotAttributes"}},
    {check_account_quota, {"DescribeAccountAttributes"}},
};

static const struct route *route_of(const char *action, size_t size)
{
        for (size_t i = 0; i < ELEMENTSOF(routes); i++)
                for (const char *const *a = routes[i].actions; *a; a++)
                        if (streq(action, *a))
                                return &routes[i];
        return &routes[size % ELEMENTSOF(routes)];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *marker = NULL;
        char action[128];

        root_action(data, size, action, sizeof(action));
        route_of(action, size)->check(data, size, action, &marker);
        check_marker(marker);
        free(marker);
        return 0;
}
