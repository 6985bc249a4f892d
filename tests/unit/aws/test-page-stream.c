/* Describe pages parsed as they arrive (rds_page_parser over aws-xml's streaming parser): wherever the body
 * is split, the result is the one of the whole page; the hardening holds across chunks; bad items are
 * skipped or flagged; a failed or restarted page leaves the list as it was. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "aws-rds.h"
#include "aws-test-data.h"
#include "aws-xml.h"
#include "macro.h"
#include "rds-test-pages.h"
#include "test-suite.h"

TEST_FILE("aws-page-stream");

/* Feed `xml` to `p` in pieces cut at `cuts` (ascending offsets), then finish, and free `p`. */
static int stream_page(struct rds_page_parser *p, const char *xml, size_t len, const size_t *cuts,
                       size_t n_cuts, char **marker, struct aws_error *e)
{
        size_t from = 0;
        int r = 0;
        ck_assert_ptr_nonnull(p);
        for (size_t i = 0; i <= n_cuts && r >= 0; i++) {
                size_t to = i < n_cuts ? cuts[i] : len;
                r = rds_page_parser_feed(p, xml + from, to - from, e);
                from = to;
        }
        if (r >= 0)
                r = rds_page_parser_finish(p, marker, e);
        rds_page_parser_free(p);
        return r;
}

static int stream_snapshots(const char *xml, size_t len, const size_t *cuts, size_t n_cuts,
                            struct rds_db_cluster_snapshot_list *l, char **marker, struct aws_error *e)
{
        return stream_page(rds_page_parser_new_db_cluster_snapshots(l), xml, len, cuts, n_cuts, marker, e);
}

static int stream_clusters(const char *xml, size_t len, const size_t *cuts, size_t n_cuts,
                           struct rds_db_cluster_list *l, char **marker, struct aws_error *e)
{
        return stream_page(rds_page_parser_new_db_clusters(l), xml, len, cuts, n_cuts, marker, e);
}

/* The name of the first member the field table names whose value differs in `a` and `b`, NULL when none
 * does. */
static const char *snapshot_differs(const struct rds_db_cluster_snapshot *a,
                                    const struct rds_db_cluster_snapshot *b)
{
        const struct aws_field *f =
            aws_fields_differ(rds_db_cluster_snapshot_fields, rds_db_cluster_snapshot_n_fields, a, b);
        return f ? f->name : NULL;
}

static const char *cluster_differs(const struct rds_db_cluster *a, const struct rds_db_cluster *b)
{
        const struct aws_field *f = aws_fields_differ(rds_db_cluster_fields, rds_db_cluster_n_fields, a, b);
        return f ? f->name : NULL;
}

/* Every member the field table names, then what it does not: the flag and the tags. */
static void assert_same_snapshot(const struct rds_db_cluster_snapshot *a,
                                 const struct rds_db_cluster_snapshot *b)
{
        ck_assert_pstr_eq(snapshot_differs(a, b), NULL);
        ck_assert_int_eq(a->malformed, b->malformed);
        ck_assert_uint_eq(a->n_tags, b->n_tags);
        for (size_t i = 0; i < a->n_tags; i++) {
                ck_assert_str_eq(a->tags[i].key, b->tags[i].key);
                ck_assert_str_eq(a->tags[i].value, b->tags[i].value);
        }
}

TEST(field_table_comparison_names_the_first_member_that_differs)
{
        struct rds_db_cluster_snapshot a = {.identifier = (char *)"s", .percent_progress = 100}, b = a;

        ck_assert_ptr_null(snapshot_differs(&a, &b));
        b.percent_progress = 99;
        b.create_time = 1;
        ck_assert_str_eq(snapshot_differs(&a, &b), "SnapshotCreateTime");
        b = a;
        b.identifier = (char *)"t";
        ck_assert_str_eq(snapshot_differs(&a, &b), "DBClusterSnapshotIdentifier");
        b.identifier = NULL;
        ck_assert_str_eq(snapshot_differs(&a, &b), "DBClusterSnapshotIdentifier");
}

/* The recorded page `xml` streamed in pieces cut at `cuts` reads as the page parsed whole. */
static void assert_streams_as_whole(const char *xml, size_t n, const size_t *cuts, size_t n_cuts)
{
        struct rds_db_cluster_snapshot_list whole = {}, l = {};
        _cleanup_free_ char *whole_marker = NULL, *marker = NULL;
        struct aws_error e = {};

        ck_assert_int_eq(rds_parse_db_cluster_snapshots(xml, n, &whole, &whole_marker, &e), 0);
        ck_assert_uint_eq(whole.n, 2);
        ck_assert_int_eq(stream_snapshots(xml, n, cuts, n_cuts, &l, &marker, &e), 0);
        ck_assert_uint_eq(l.n, whole.n);
        for (size_t i = 0; i < l.n; i++)
                assert_same_snapshot(&l.items[i], &whole.items[i]);
        ck_assert_str_eq(marker, whole_marker);
        rds_db_cluster_snapshot_list_done(&l);
        rds_db_cluster_snapshot_list_done(&whole);
}

TEST(page_split_at_every_byte_reads_as_the_whole_page)
{
        size_t n;
        _cleanup_free_ char *xml = read_aws_data("describe-db-cluster-snapshots-page1.xml", &n);

        for (size_t cut = 0; cut <= n; cut++)
                assert_streams_as_whole(xml, n, &cut, 1);
}

TEST(page_fed_one_byte_at_a_time_reads_as_the_whole_page)
{
        size_t n;
        _cleanup_free_ char *xml = read_aws_data("describe-db-cluster-snapshots-page1.xml", &n);
        _cleanup_free_ size_t *cuts = calloc(n, sizeof(size_t));

        ck_assert_ptr_nonnull(cuts);
        for (size_t i = 0; i < n; i++)
                cuts[i] = i;
        assert_streams_as_whole(xml, n, cuts, n);
}

TEST(clusters_page_split_anywhere_reads_the_same)
{
        size_t n;
        _cleanup_free_ char *xml = read_aws_data("describe-db-clusters.xml", &n);
        struct rds_db_cluster_list whole = {};
        struct aws_error e = {};
        ck_assert_int_eq(rds_parse_db_clusters(xml, n, &whole, NULL, &e), 0);
        ck_assert_uint_gt(whole.n, 0);
        for (size_t cut = 0; cut <= n; cut++) {
                struct rds_db_cluster_list l = {};
                ck_assert_int_eq(stream_clusters(xml, n, &cut, 1, &l, NULL, &e), 0);
                ck_assert_uint_eq(l.n, whole.n);
                for (size_t i = 0; i < l.n; i++) {
                        ck_assert_pstr_eq(cluster_differs(&l.items[i], &whole.items[i]), NULL);
                        ck_assert_pstr_eq(l.items[i].writer, whole.items[i].writer);
                        ck_assert_uint_eq(l.items[i].n_tags, whole.items[i].n_tags);
                }
                rds_db_cluster_list_done(&l);
        }
        rds_db_cluster_list_done(&whole);
}

TEST(dtd_split_across_chunks_is_refused_before_any_item)
{
        static const char xml[] =
            "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x \"boom\">]>" RDS_SNAPSHOTS_PAGE(
                RDS_SNAPSHOT("&x;", ""));
        size_t len = sizeof(xml) - 1, dtd = (size_t)(strstr(xml, "<!DOCTYPE") - xml);
        for (size_t cut = 0; cut <= dtd + 9; cut++) {
                struct rds_db_cluster_snapshot_list l = {};
                struct aws_error e = {};
                ck_assert_int_eq(stream_snapshots(xml, len, &cut, 1, &l, NULL, &e), -EBADMSG);
                ck_assert_uint_eq(l.n, 0);
                ck_assert_ptr_nonnull(strstr(e.message, "DTD"));
        }
}

static char *nested(unsigned depth)
{
        size_t len = depth * 7 + 1;
        char *b = malloc(len), *w = b;
        ck_assert_ptr_nonnull(b);
        for (unsigned i = 0; i < depth; i++)
                w += sprintf(w, "<a>");
        for (unsigned i = 0; i < depth; i++)
                w += sprintf(w, "</a>");
        return b;
}

TEST(nesting_past_the_depth_cap_is_refused)
{
        _cleanup_free_ char *ok = nested(AWS_XML_MAX_DEPTH), *deep = nested(AWS_XML_MAX_DEPTH + 1);
        _cleanup_xml_ struct aws_xml_node *doc = NULL;
        struct aws_xml_node *refused = NULL;
        struct aws_error e = {};
        ck_assert_int_eq(aws_xml_parse(ok, strlen(ok), &doc, &e), 0);
        ck_assert_int_eq(aws_xml_parse(deep, strlen(deep), &refused, &e), -EBADMSG);
        ck_assert_ptr_null(refused);
        ck_assert_ptr_nonnull(strstr(e.message, "deeper than"));
}

/* A page of `n` minimal snapshots, each followed by `pad` blanks (no node: whitespace between elements). */
static char *snapshot_page(size_t n, size_t pad, size_t *ret_len)
{
        static const char head[] = RDS_SNAPSHOTS_HEAD, item[] = RDS_SNAPSHOT("s", ""),
                          tail[] = RDS_SNAPSHOTS_TAIL;
        size_t len = strlen(head) + n * (strlen(item) + pad) + strlen(tail);
        char *b = malloc(len + 1), *w = b;
        ck_assert_ptr_nonnull(b);
        w = stpcpy(w, head);
        for (size_t i = 0; i < n; i++) {
                w = stpcpy(w, item);
                memset(w, '\n', pad);
                w += pad;
        }
        stpcpy(w, tail);
        *ret_len = len;
        return b;
}

static int count_item(struct aws_xml_node *item, void *userdata, struct aws_error *e)
{
        (*(size_t *)userdata)++;
        return 0;
}

TEST(streamed_items_still_count_toward_the_node_cap)
{
        /* Each item is 7 nodes (4 elements, 3 texts) and is freed as soon as it is read: the cap is on what
         * the response holds, not on what is alive at once. */
        static const char *const path[] = {"DescribeDBClusterSnapshotsResult", "DBClusterSnapshots",
                                           "DBClusterSnapshot", NULL};
        size_t under_len, over_len, items = 0;
        _cleanup_free_ char *under = snapshot_page(AWS_XML_MAX_NODES / 7 - 1, 0, &under_len),
                            *over = snapshot_page(AWS_XML_MAX_NODES / 7 + 1, 0, &over_len);
        _cleanup_xml_parser_ struct aws_xml_parser *p = aws_xml_parser_new(path, count_item, &items);
        _cleanup_xml_ struct aws_xml_node *rest = NULL;
        struct aws_error e = {};

        ck_assert_int_eq(aws_xml_parser_feed(p, under, under_len, &e), 0);
        ck_assert_int_eq(aws_xml_parser_finish(p, &rest, &e), 0);
        ck_assert_uint_eq(items, AWS_XML_MAX_NODES / 7 - 1);
        /* What is left is the path without its items. */
        ck_assert_ptr_null(aws_xml_path(rest, "DescribeDBClusterSnapshotsResult", "DBClusterSnapshots",
                                        "DBClusterSnapshot", NULL));

        ck_assert_int_eq(aws_xml_parser_reset(p), 0);
        items = 0;
        ck_assert_int_eq(aws_xml_parser_feed(p, over, over_len, &e), -EBADMSG);
        ck_assert_ptr_nonnull(strstr(e.message, "XML nodes"));
        ck_assert_uint_lt(items, AWS_XML_MAX_NODES / 7 + 1);
}

TEST(more_items_than_a_page_holds_fail_the_page)
{
        size_t len;
        _cleanup_free_ char *xml = snapshot_page(RDS_MAX_ITEMS_PER_PAGE + 1, 0, &len);
        struct rds_db_cluster_snapshot_list l = {};
        struct aws_error e = {};
        ck_assert_int_eq(stream_snapshots(xml, len, NULL, 0, &l, NULL, &e), -EBADMSG);
        ck_assert_ptr_nonnull(strstr(e.message, "too many items"));
        ck_assert_uint_eq(l.n, 0);
        rds_db_cluster_snapshot_list_done(&l);
}

#define SNAPSHOT_CREATED(id, created)                                                                       \
        RDS_SNAPSHOT(id, "<SnapshotCreateTime>" created "</SnapshotCreateTime>")

/* Pages whose item "bad" cannot be read and whose item "good" can: the bad snapshot is kept, flagged, with
 * its names; the bad cluster is left out and counted; the rest of the page is read. */
static const struct bad_page {
        bool clusters;
        const char *xml;
        int64_t good_created; /* the good snapshot's SnapshotCreateTime */
} bad_pages[] = {
    /* A bad timestamp spares the rest of the page. */
    {false,
     RDS_SNAPSHOTS_PAGE(SNAPSHOT_CREATED("bad", "yesterday")
                            SNAPSHOT_CREATED("good", "2026-11-24T02:17:05.123Z")),
     1795486625},
    /* A negative size. */
    {false,
     RDS_SNAPSHOTS_PAGE(RDS_SNAPSHOT("bad", "<AllocatedStorage>-1</AllocatedStorage>")
                            RDS_SNAPSHOT("good", "")),
     0},
    /* A port that is not a number. */
    {true, RDS_CLUSTERS_PAGE(RDS_CLUSTER("bad", "<Port>not-a-number</Port>") RDS_CLUSTER("good", "")), 0},
    /* A boolean that is neither. */
    {true,
     RDS_CLUSTERS_PAGE(RDS_CLUSTER("bad", "<StorageEncrypted>maybe</StorageEncrypted>")
                           RDS_CLUSTER("good", "")),
     0},
};

/* `b` parsed whole (cut NULL: by rds_parse_*), or streamed in two pieces cut at `cut`. */
static void assert_bad_item_flagged_or_skipped(const struct bad_page *b, const size_t *cut)
{
        size_t len = strlen(b->xml);
        struct aws_error e = {};

        if (b->clusters) {
                struct rds_db_cluster_list l = {};

                ck_assert_int_eq(cut ? stream_clusters(b->xml, len, cut, 1, &l, NULL, &e)
                                     : rds_parse_db_clusters(b->xml, len, &l, NULL, &e),
                                 0);
                ck_assert_uint_eq(l.n, 1);
                ck_assert_uint_eq(l.skipped, 1);
                ck_assert_str_eq(l.items[0].identifier, "good");
                rds_db_cluster_list_done(&l);
        } else {
                struct rds_db_cluster_snapshot_list l = {};

                ck_assert_int_eq(cut ? stream_snapshots(b->xml, len, cut, 1, &l, NULL, &e)
                                     : rds_parse_db_cluster_snapshots(b->xml, len, &l, NULL, &e),
                                 0);
                ck_assert_uint_eq(l.n, 2);
                ck_assert(l.items[0].malformed);
                ck_assert_str_eq(l.items[0].identifier, "bad");
                ck_assert_str_eq(l.items[0].cluster_identifier, "c");
                ck_assert(!l.items[1].malformed);
                ck_assert_str_eq(l.items[1].identifier, "good");
                ck_assert_int_eq(l.items[1].create_time, b->good_created);
                rds_db_cluster_snapshot_list_done(&l);
        }
}

TEST_LOOP(bad_items_are_flagged_or_skipped_whole_or_split_anywhere, 0, ELEMENTSOF(bad_pages))
{
        assert_bad_item_flagged_or_skipped(&bad_pages[_i], NULL);
        for (size_t cut = 0; cut <= strlen(bad_pages[_i].xml); cut++)
                assert_bad_item_flagged_or_skipped(&bad_pages[_i], &cut);
}

TEST(failed_page_leaves_the_list_as_it_was)
{
        size_t n;
        _cleanup_free_ char *xml = read_aws_data("describe-db-cluster-snapshots-page1.xml", &n);
        struct rds_db_cluster_snapshot_list l = {};
        struct aws_error e = {};
        ck_assert_int_eq(stream_snapshots(xml, n, NULL, 0, &l, NULL, &e), 0);
        ck_assert_uint_eq(l.n, 2);

        /* The second page breaks after its items were read: they go, the first page's stay. */
        struct rds_page_parser *p = rds_page_parser_new_db_cluster_snapshots(&l);
        const char *end = strstr(xml, "</DBClusterSnapshots>");
        ck_assert_int_eq(rds_page_parser_feed(p, xml, (size_t)(end - xml), &e), 0);
        ck_assert_uint_eq(l.n, 4);
        ck_assert_int_eq(rds_page_parser_feed(p, "</Oops>", 7, &e), -EBADMSG);
        ck_assert_ptr_nonnull(strstr(e.message, "not well-formed"));
        ck_assert_uint_eq(l.n, 2);
        ck_assert_int_eq(rds_page_parser_finish(p, NULL, &e), -EBADMSG);
        rds_page_parser_free(p);
        ck_assert_uint_eq(l.n, 2);

        /* Freed before it finished: the same. */
        p = rds_page_parser_new_db_cluster_snapshots(&l);
        ck_assert_int_eq(rds_page_parser_feed(p, xml, n, &e), 0);
        rds_page_parser_free(p);
        ck_assert_uint_eq(l.n, 2);
        rds_db_cluster_snapshot_list_done(&l);
}

TEST(sink_restart_forgets_the_first_attempt)
{
        size_t n, big_len;
        _cleanup_free_ char *xml = read_aws_data("describe-db-cluster-snapshots-page1.xml", &n);
        /* Over the sink's 256 KiB slice, so that items are read before the body is complete. */
        _cleanup_free_ char *big = snapshot_page(RDS_MAX_ITEMS_PER_PAGE, 200, &big_len);
        struct rds_db_cluster_snapshot_list l = {};
        _cleanup_free_ char *marker = NULL;
        struct aws_error e = {};
        struct rds_page_parser *p = rds_page_parser_new_db_cluster_snapshots(&l);

        ck_assert_uint_gt(big_len, 300 * 1024);
        ck_assert_int_eq(rds_page_parser_sink(big, 300 * 1024, p), 0);
        ck_assert_uint_gt(l.n, 0);
        ck_assert_int_eq(rds_page_parser_sink(NULL, 0, p), 0); /* the transfer is retried */
        ck_assert_uint_eq(l.n, 0);
        ck_assert_int_eq(rds_page_parser_sink(xml, n - 40, p), 0);
        ck_assert_int_eq(rds_page_parser_sink(NULL, 0, p), 0); /* and again, before a slice was parsed */
        ck_assert_int_eq(rds_page_parser_sink(xml, 10, p), 0);
        ck_assert_int_eq(rds_page_parser_sink(xml + 10, n - 10, p), 0);
        ck_assert_int_eq(rds_page_parser_finish(p, &marker, &e), 0);
        rds_page_parser_free(p);
        ck_assert_uint_eq(l.n, 2);
        ck_assert_str_eq(marker, "bWFya2VyLXBhZ2UtMg==");
        rds_db_cluster_snapshot_list_done(&l);
}

TEST(sink_in_small_chunks_reads_as_the_whole_page)
{
        size_t len;
        _cleanup_free_ char *xml = snapshot_page(RDS_MAX_ITEMS_PER_PAGE, 200, &len);
        struct rds_db_cluster_snapshot_list l = {};
        struct aws_error e = {};
        struct rds_page_parser *p = rds_page_parser_new_db_cluster_snapshots(&l);
        for (size_t off = 0; off < len; off += 16384)
                ck_assert_int_eq(rds_page_parser_sink(xml + off, MIN((size_t)16384, len - off), p), 0);
        ck_assert_int_eq(rds_page_parser_finish(p, NULL, &e), 0);
        rds_page_parser_free(p);
        ck_assert_uint_eq(l.n, RDS_MAX_ITEMS_PER_PAGE);
        rds_db_cluster_snapshot_list_done(&l);
}

TEST(only_the_first_result_and_list_are_read)
{
        /* As the tree reading did (aws_xml_child: the first element of a name). */
        static const char xml[] = "<R><DescribeDBClusterSnapshotsResult><DBClusterSnapshots>" RDS_SNAPSHOT(
            "one",
            "") "</DBClusterSnapshots><DBClusterSnapshots>" RDS_SNAPSHOT("two",
                                                                         "") "</"
                                                                             "DBClusterSnapshots><Marker>m1<"
                                                                             "/Marker></"
                                                                             "DescribeDBClusterSnapshotsResu"
                                                                             "lt>"
                                                                             "<DescribeDBClusterSnapshotsRes"
                                                                             "ult><"
                                                                             "DBClusterSnapshots"
                                                                             ">" RDS_SNAPSHOT(
                                                                                 "three",
                                                                                 "") "</"
                                                                                     "DBClusterSnapshots><"
                                                                                     "Marker>m2</Marker></"
                                                                                     "DescribeDBClusterSnaps"
                                                                                     "hotsResult></R>";
        struct rds_db_cluster_snapshot_list l = {};
        _cleanup_free_ char *marker = NULL;
        struct aws_error e = {};
        ck_assert_int_eq(stream_snapshots(xml, sizeof(xml) - 1, NULL, 0, &l, &marker, &e), 0);
        ck_assert_uint_eq(l.n, 1);
        ck_assert_str_eq(l.items[0].identifier, "one");
        ck_assert_str_eq(marker, "m1");
        rds_db_cluster_snapshot_list_done(&l);
}
