/* The one classifier of a snapshot identifier's origin, as the planner and the RDS delete call both read it.
 */
#include "snapshot-origin.h"
#include "test-suite.h"

TEST_FILE("snapshot-origin");

TEST(origin_of_identifier_reads_the_prefix)
{
        ck_assert_int_eq(snapshot_origin_of_identifier("awsbackup:job-1a2b"), ORIGIN_AWS_BACKUP);
        ck_assert_int_eq(snapshot_origin_of_identifier("continuous:cluster-prod"),
                         ORIGIN_AWS_BACKUP_CONTINUOUS);
        ck_assert_int_eq(snapshot_origin_of_identifier("rds:prod-2019-06-20-09-16"), ORIGIN_AUTOMATED);
        ck_assert_int_eq(snapshot_origin_of_identifier("aba-prod-20261124t0215"), ORIGIN_FOREIGN_MANUAL);
        ck_assert_int_eq(snapshot_origin_of_identifier("aba-prod-awsbackup-1"), ORIGIN_FOREIGN_MANUAL);
        ck_assert_int_eq(snapshot_origin_of_identifier(NULL), ORIGIN_FOREIGN_MANUAL);
}

TEST(origin_of_arn_reads_the_resource_part)
{
        ck_assert_int_eq(snapshot_origin_of_identifier(
                             "arn:aws:rds:eu-west-1:123456789012:cluster-snapshot:awsbackup:job-1a2b"),
                         ORIGIN_AWS_BACKUP);
        ck_assert_int_eq(snapshot_origin_of_identifier(
                             "arn:aws:rds:eu-west-1:123456789012:cluster-snapshot:continuous:cluster-prod"),
                         ORIGIN_AWS_BACKUP_CONTINUOUS);
        ck_assert_int_eq(
            snapshot_origin_of_identifier("arn:aws:rds:eu-west-1:123456789012:cluster-snapshot:rds:prod-1"),
            ORIGIN_AUTOMATED);
        ck_assert_int_eq(
            snapshot_origin_of_identifier("arn:aws:rds:eu-west-1:123456789012:snapshot:awsbackup:job-9"),
            ORIGIN_AWS_BACKUP);
        ck_assert_int_eq(snapshot_origin_of_identifier(
                             "arn:aws:rds:eu-west-1:123456789012:cluster-snapshot:aba-prod-20261124t0215"),
                         ORIGIN_FOREIGN_MANUAL);
}

TEST(origin_of_recovery_point_arn_is_aws_backup)
{
        ck_assert_int_eq(
            snapshot_origin_of_identifier(
                "arn:aws:backup:eu-west-1:123456789012:recovery-point:0f1e2d3c-aaaa-bbbb-cccc-1234567890ab"),
            ORIGIN_AWS_BACKUP);
}

TEST(only_backup_origins_are_deleted_only_through_backup)
{
        ck_assert(snapshot_origin_deleted_only_through_backup(ORIGIN_AWS_BACKUP));
        ck_assert(snapshot_origin_deleted_only_through_backup(ORIGIN_AWS_BACKUP_CONTINUOUS));
        ck_assert(!snapshot_origin_deleted_only_through_backup(ORIGIN_AGENT));
        ck_assert(!snapshot_origin_deleted_only_through_backup(ORIGIN_FOREIGN_MANUAL));
        ck_assert(!snapshot_origin_deleted_only_through_backup(ORIGIN_AUTOMATED));
        ck_assert(snapshot_id_deleted_only_through_backup("awsbackup:job-1a2b"));
        ck_assert(!snapshot_id_deleted_only_through_backup("aba-prod-20261124t0215"));
}

TEST(only_manual_origins_count_toward_quota)
{
        ck_assert(snapshot_origin_counts_toward_quota(ORIGIN_AGENT));
        ck_assert(snapshot_origin_counts_toward_quota(ORIGIN_FOREIGN_MANUAL));
        ck_assert(!snapshot_origin_counts_toward_quota(ORIGIN_AWS_BACKUP));
        ck_assert(!snapshot_origin_counts_toward_quota(ORIGIN_AWS_BACKUP_CONTINUOUS));
        ck_assert(!snapshot_origin_counts_toward_quota(ORIGIN_AUTOMATED));
}
