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

/* The seed rules, one row per origin: what its origin alone decides about a snapshot. */
static const struct {
        bool deleted_only_through_backup, counts_toward_quota;
} seed_rules[_ORIGIN_MAX] = {
    [ORIGIN_AUTOMATED] = {.deleted_only_through_backup = false, .counts_toward_quota = false},
    [ORIGIN_AWS_BACKUP] = {.deleted_only_through_backup = true, .counts_toward_quota = false},
    [ORIGIN_AWS_BACKUP_CONTINUOUS] = {.deleted_only_through_backup = true, .counts_toward_quota = false},
    [ORIGIN_AGENT] = {.deleted_only_through_backup = false, .counts_toward_quota = true},
    [ORIGIN_FOREIGN_MANUAL] = {.deleted_only_through_backup = false, .counts_toward_quota = true},
};

TEST_LOOP(only_backup_origins_are_deleted_only_through_backup, 0, _ORIGIN_MAX)
{
        ck_assert_msg(snapshot_origin_deleted_only_through_backup(_i) ==
                          seed_rules[_i].deleted_only_through_backup,
                      "origin %s", snapshot_origin_to_string(_i));
}

TEST(only_backup_identifiers_are_deleted_only_through_backup)
{
        ck_assert(snapshot_id_deleted_only_through_backup("awsbackup:job-1a2b"));
        ck_assert(!snapshot_id_deleted_only_through_backup("aba-prod-20261124t0215"));
}

TEST_LOOP(only_manual_origins_count_toward_quota, 0, _ORIGIN_MAX)
{
        ck_assert_msg(snapshot_origin_counts_toward_quota(_i) == seed_rules[_i].counts_toward_quota,
                      "origin %s", snapshot_origin_to_string(_i));
}
