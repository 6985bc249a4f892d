/* Parsing recorded RDS, STS and Backup responses: fields, tags, markers, unknown elements ignored,
 * missing required elements and broken documents rejected. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "aws-backup.h"
#include "aws-rds.h"
#include "aws-sts.h"
#include "aws-test-data.h"
#include "macro.h"
#include "rds-test-pages.h"
#include "snapshot-origin.h"
#include "strv.h"
#include "test-suite.h"
#include "time-util.h"

TEST_FILE("aws-parse");

TEST(snapshots_page_with_tags_and_marker)
{
        struct rds_db_cluster_snapshot_list l = {};
        _cleanup_free_ char *marker = NULL;

        PARSE_RECORDED("describe-db-cluster-snapshots-page1.xml", rds_parse_db_cluster_snapshots, &l,
                       &marker);
        ck_assert_uint_eq(l.n, 2);
        ck_assert_str_eq(marker, "bWFya2VyLXBhZ2UtMg==");
        struct rds_db_cluster_snapshot *s = &l.items[0];
        ck_assert_str_eq(s->identifier, "aba-prod-a-20221012t0735z");
        ck_assert_str_eq(s->cluster_identifier, "prod-a");
        ck_assert_str_eq(s->status, "available");
        ck_assert_str_eq(s->snapshot_type, "manual");
        ck_assert_int_eq(s->create_time, time_from_civil(2022, 10, 12, 17, 42, 48));
        ck_assert(s->storage_encrypted);
        ck_assert_uint_eq(s->allocated_storage, 120);
        ck_assert_str_eq(s->kms_key_id, "arn:aws:kms:us-east-1:123456789012:key/1111-2222");
        ck_assert_uint_eq(s->n_tags, 3);
        ck_assert_str_eq(aws_tags_get(s->tags, s->n_tags, "aurora-backup:policy"), "prod");
        ck_assert_str_eq(aws_tags_get(s->tags, s->n_tags, "empty"), "");
        /* An AWS Backup snapshot still creating: no SnapshotCreateTime yet. */
        ck_assert_int_eq(l.items[1].create_time, 0);
        ck_assert_str_eq(l.items[1].status, "creating");
        ck_assert(snapshot_id_deleted_only_through_backup(l.items[1].identifier));
        ck_assert(snapshot_id_deleted_only_through_backup(l.items[1].arn));
        ck_assert_uint_eq(l.items[1].n_tags, 0);
        rds_db_cluster_snapshot_list_done(&l);
}

TEST(snapshot_without_status_is_kept_as_malformed_with_its_names)
{
        struct rds_db_cluster_snapshot_list l = {};

        PARSE_RECORDED("describe-db-cluster-snapshots-missing-status.xml", rds_parse_db_cluster_snapshots,
                       &l, NULL);
        ck_assert_uint_eq(l.n, 1);
        ck_assert(l.items[0].malformed);
        ck_assert_str_eq(l.items[0].identifier, "no-status");
        ck_assert_str_eq(l.items[0].cluster_identifier, "prod-a");
        ck_assert_ptr_null(l.items[0].status);
        rds_db_cluster_snapshot_list_done(&l);
}

TEST(cut_document_is_a_parse_error)
{
        size_t n;
        _cleanup_free_ char *xml = read_aws_data("describe-db-cluster-snapshots-page1.xml", &n);
        struct rds_db_cluster_snapshot_list l = {};
        struct aws_error e = {};
        ck_assert_int_eq(rds_parse_db_cluster_snapshots(xml, n / 2, &l, NULL, &e), -EBADMSG);
        ck_assert_int_eq(e.kind, AWS_ERROR_PARSE);
        ck_assert_int_eq(rds_parse_db_cluster_snapshots("", 0, &l, NULL, &e), -EBADMSG);
        ck_assert_int_eq(rds_parse_db_cluster_snapshots("<Other/>", 8, &l, NULL, &e), -EBADMSG);
}

TEST(too_many_tags_make_the_item_malformed)
{
        char tags[16384], xml[16384];
        int o = 0;
        for (int i = 0; i < RDS_MAX_TAGS + 1; i++)
                o += snprintf(tags + o, sizeof(tags) - (size_t)o,
                              "<Tag><Key>k%d</Key><Value>v</Value></Tag>", i);
        o = snprintf(xml, sizeof(xml), RDS_SNAPSHOTS_PAGE(RDS_SNAPSHOT("a", "<TagList>%s</TagList>")), tags);
        struct rds_db_cluster_snapshot_list l = {};
        struct aws_error e = {};
        ck_assert_int_eq(rds_parse_db_cluster_snapshots(xml, (size_t)o, &l, NULL, &e), 0);
        ck_assert_uint_eq(l.n, 1);
        ck_assert(l.items[0].malformed);
        ck_assert_uint_eq(l.items[0].n_tags, 0);
        rds_db_cluster_snapshot_list_done(&l);
}

TEST(external_entities_are_not_expanded)
{
        const char *xml = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM "
                          "\"file:///etc/passwd\">]>" RDS_SNAPSHOTS_PAGE(RDS_SNAPSHOT("&x;", ""));
        struct rds_db_cluster_snapshot_list l = {};
        struct aws_error e = {};
        /* Refused whole (a DTD), so nothing of /etc/passwd can reach an identifier. */
        ck_assert_int_eq(rds_parse_db_cluster_snapshots(xml, strlen(xml), &l, NULL, &e), -EBADMSG);
        ck_assert_ptr_null(l.items);
        ck_assert_int_eq(e.kind, AWS_ERROR_PARSE);
        ck_assert_ptr_nonnull(strstr(e.message, "DTD"));
}

TEST(clusters_with_members_window_and_times)
{
        struct rds_db_cluster_list l = {};
        _cleanup_free_ char *marker = NULL;

        PARSE_RECORDED("describe-db-clusters.xml", rds_parse_db_clusters, &l, &marker);
        ck_assert_ptr_null(marker);
        ck_assert_uint_eq(l.n, 1);
        struct rds_db_cluster *c = &l.items[0];
        ck_assert_str_eq(c->identifier, "prod-a");
        ck_assert_str_eq(c->preferred_backup_window, "07:35-08:05");
        ck_assert_str_eq(c->endpoint, "prod-a.cluster-xyz.us-east-1.rds.amazonaws.com");
        ck_assert_uint_eq(c->port, 5432);
        ck_assert_uint_eq(c->backup_retention_period, 7);
        ck_assert_str_eq(c->writer, "prod-a-2");
        ck_assert_uint_eq(strv_length(c->members), 2);
        ck_assert(c->deletion_protection && c->storage_encrypted);
        ck_assert_int_eq(c->earliest_restorable_time, time_from_civil(2022, 10, 5, 7, 40, 0));
        ck_assert_int_eq(c->latest_restorable_time, time_from_civil(2022, 10, 12, 17, 40, 0));
        ck_assert_str_eq(aws_tags_get(c->tags, c->n_tags, "env"), "production");
        ck_assert_ptr_nonnull(c->aws_backup_recovery_point_arn);
        rds_db_cluster_list_done(&l);
}

TEST(sts_credentials)
{
        struct aws_credentials c = {};
        struct aws_error e = {};

        PARSE_RECORDED("sts-assume-role.xml", sts_parse_credentials, &c);
        ck_assert_str_eq(c.access_key_id, "ASIAIOSFODNN7EXAMPLE");
        ck_assert_str_eq(c.session_token, "IQoJb3JpZ2luX2VjEXAMPLETOKENFORTESTSONLY==");
        ck_assert_int_eq(c.expiration, time_from_civil(2026, 11, 24, 10, 0, 0));
        aws_credentials_done(&c);
        ck_assert_ptr_null(c.secret_access_key);
        ck_assert_int_eq(sts_parse_credentials("<AssumeRoleResponse/>", 21, &c, &e), -EBADMSG);
}

TEST(backup_recovery_points_page)
{
        size_t n;
        _cleanup_free_ char *json = read_aws_data("list-recovery-points-by-resource.json", &n);
        struct backup_recovery_point_list l = {};
        _cleanup_free_ char *next = NULL;
        struct aws_error e = {};
        ck_assert_int_eq(backup_parse_recovery_points(json, n, &l, &next, &e), 0);
        ck_assert_str_eq(next, "token-page-2");
        ck_assert_uint_eq(l.n, 2);
        ck_assert_str_eq(l.items[0].status, "COMPLETED");
        ck_assert_str_eq(l.items[0].backup_vault_name, "agent-vault");
        ck_assert_int_eq(l.items[0].creation_date, 1665596568);
        ck_assert_int_eq(l.items[0].backup_size_bytes, 1073741824);
        ck_assert_ptr_null(l.items[0].resource_arn);
        ck_assert(snapshot_id_deleted_only_through_backup(l.items[0].arn));
        backup_recovery_point_list_done(&l);
        ck_assert_int_eq(backup_parse_recovery_points(json, n - 10, &l, &next, &e), -EBADMSG);
        ck_assert_int_eq(
            backup_parse_recovery_points("{\"RecoveryPoints\":[{\"Status\":\"X\"}]}", 35, &l, NULL, &e),
            -EBADMSG);
}

TEST(backup_recovery_point_expired_with_lifecycle)
{
        struct backup_recovery_point p = {};

        PARSE_RECORDED("describe-recovery-point.json", backup_parse_recovery_point, &p);
        ck_assert_str_eq(p.status, "EXPIRED");
        ck_assert_uint_eq(p.delete_after_days, 35);
        ck_assert_int_eq(p.completion_date, 1665597000);
        ck_assert_str_eq(p.resource_arn, "arn:aws:rds:us-east-1:123456789012:cluster:prod-a");
        backup_recovery_point_done(&p);
}

/* Found by tests/fuzz/fuzz-backup: a PercentDone string beyond int64 or NaN was cast from double unchecked
 * (undefined; clang's UBSan reports it, gcc's -fsanitize=undefined does not check float casts). */
TEST(backup_job_percent_done_out_of_range_is_zero)
{
        static const char *const bodies[] = {
            "{\"BackupJobId\":\"j-1\",\"PercentDone\":\"92233720368547758071$k0tru\"}",
            "{\"BackupJobId\":\"j-1\",\"PercentDone\":\"nan\"}",
            "{\"BackupJobId\":\"j-1\",\"PercentDone\":\"-1e300\"}",
            "{\"BackupJobId\":\"j-1\",\"PercentDone\":\"100.5\"}",
        };
        for (size_t i = 0; i < ELEMENTSOF(bodies); i++) {
                struct backup_job j = {};
                struct aws_error e = {};
                ck_assert_int_eq(
                    backup_parse_backup_job(bodies[i], strlen(bodies[i]), "DescribeBackupJob", &j, &e), 0);
                ck_assert_uint_eq(j.percent_done, 0);
                backup_job_done(&j);
        }
        struct backup_job j = {};
        struct aws_error e = {};
        const char *body = "{\"BackupJobId\":\"j-1\",\"PercentDone\":\"12.5\"}";
        ck_assert_int_eq(backup_parse_backup_job(body, strlen(body), "DescribeBackupJob", &j, &e), 0);
        ck_assert_uint_eq(j.percent_done, 12);
        backup_job_done(&j);
}

TEST(backup_path_encodes_arn_labels)
{
        _cleanup_free_ char *p = backup_recovery_point_path(
            "agent-vault", "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:awsbackup:job-1/x");
        ck_assert_str_eq(
            p, "/backup-vaults/agent-vault/recovery-points/"
               "arn%3Aaws%3Ards%3Aus-east-1%3A123456789012%3Acluster-snapshot%3Aawsbackup%3Ajob-1%2Fx");
}

/* What parsing a body gave: the result, and enough of the list to judge it. */
struct parsed {
        int r;
        size_t n;
        bool has_items; /* the list holds an array (it must not after a failure) */
        char *first;    /* the first item's name, where its kind has one */
        char *marker;   /* the marker or NextToken */
        struct aws_error e;
};

static void parsed_done(struct parsed *p)
{
        free(p->first);
        free(p->marker);
}

/* Keeps what the test judges of a list of `n` `items`, whose first is named `first`. */
static void parsed_list(struct parsed *p, const void *items, size_t n, const char *first)
{
        p->n = n;
        p->has_items = items;
        p->first = first ? strdup(first) : NULL;
}

static void parse_snapshots(const char *body, size_t len, struct parsed *ret)
{
        struct rds_db_cluster_snapshot_list l = {};

        ret->r = rds_parse_db_cluster_snapshots(body, len, &l, &ret->marker, &ret->e);
        parsed_list(ret, l.items, l.n, l.n ? l.items[0].identifier : NULL);
        rds_db_cluster_snapshot_list_done(&l);
}

static void parse_clusters(const char *body, size_t len, struct parsed *ret)
{
        struct rds_db_cluster_list l = {};

        ret->r = rds_parse_db_clusters(body, len, &l, &ret->marker, &ret->e);
        parsed_list(ret, l.items, l.n, l.n ? l.items[0].identifier : NULL);
        rds_db_cluster_list_done(&l);
}

static void parse_recovery_points(const char *body, size_t len, struct parsed *ret)
{
        struct backup_recovery_point_list l = {};

        ret->r = backup_parse_recovery_points(body, len, &l, &ret->marker, &ret->e);
        parsed_list(ret, l.items, l.n, NULL); /* recovery points have an ARN, not a name */
        backup_recovery_point_list_done(&l);
}

/* Recorded responses, and what each reads as whole. */
static const struct {
        const char *file;
        char last; /* the document's last character: a body cut after it is still the whole document */
        void (*parse)(const char *body, size_t len, struct parsed *ret);
        size_t n;
        const char *first;  /* NULL: the kind has no name to check */
        const char *marker; /* NULL: none */
} recorded[] = {
    {"describe-db-cluster-snapshots-page1.xml", '>', parse_snapshots, 2, "aba-prod-a-20221012t0735z",
     "bWFya2VyLXBhZ2UtMg=="},
    {"describe-db-clusters.xml", '>', parse_clusters, 1, "prod-a", NULL},
    {"list-recovery-points-by-resource.json", '}', parse_recovery_points, 2, NULL, "token-page-2"},
};

/* Every prefix of a recorded response (a body cut anywhere) is refused as a parse error, leaving nothing
 * behind, unless it still holds the whole document (only trailing whitespace was cut): then it reads as the
 * whole body does. ASan/LSan watch the failures. */
TEST_LOOP(every_truncation_fails_cleanly, 0, ELEMENTSOF(recorded))
{
        size_t n;
        _cleanup_free_ char *body = read_aws_data(recorded[_i].file, &n);
        size_t end = (size_t)(strrchr(body, recorded[_i].last) - body) + 1;

        for (size_t len = 0; len < n; len++) {
                struct parsed p = {};

                recorded[_i].parse(body, len, &p);
                if (len < end) {
                        ck_assert_msg(p.r == -EBADMSG, "%s cut at %zu: %d, not -EBADMSG", recorded[_i].file,
                                      len, p.r);
                        ck_assert_int_eq(p.e.kind, AWS_ERROR_PARSE);
                        ck_assert(!p.has_items);
                        ck_assert_ptr_null(p.marker);
                } else {
                        ck_assert_msg(p.r == 0, "%s cut at %zu (after its end): %d", recorded[_i].file, len,
                                      p.r);
                        ck_assert_uint_eq(p.n, recorded[_i].n);
                        if (recorded[_i].first)
                                ck_assert_str_eq(p.first, recorded[_i].first);
                        ck_assert_pstr_eq(p.marker, recorded[_i].marker);
                }
                parsed_done(&p);
        }
}
