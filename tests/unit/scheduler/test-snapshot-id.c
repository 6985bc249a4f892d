/* Snapshot identifiers and origin classification. */
#include <ctype.h>
#include <string.h>

#include "plan.h"
#include "test-suite.h"
#include "time-util.h"

static void assert_valid_rds_id(const char *s)
{
        size_t n = strlen(s);
        ck_assert_uint_le(n, 63);
        ck_assert(isalpha((unsigned char)s[0]));
        ck_assert(s[n - 1] != '-');
        ck_assert_ptr_null(strstr(s, "--"));
        for (size_t i = 0; i < n; i++)
                ck_assert(isalnum((unsigned char)s[i]) || s[i] == '-');
}

START_TEST(identifier_is_prefix_cluster_slot)
{
        char buf[PLAN_SNAPSHOT_ID_MAX];
        ck_assert_int_eq(
            plan_snapshot_identifier("aba", "prod-db", time_from_civil(2026, 11, 24, 2, 15, 0), buf), 0);
        ck_assert_str_eq(buf, "aba-prod-db-20261124t0215");
        assert_valid_rds_id(buf);
}
END_TEST

START_TEST(identifier_shortens_long_names_with_hash_suffix)
{
        char a[PLAN_SNAPSHOT_ID_MAX], b[PLAN_SNAPSHOT_ID_MAX];
        const char *l1 = "a-very-long-cluster-name-that-goes-on-and-on-and-on-forever-number-one";
        const char *l2 = "a-very-long-cluster-name-that-goes-on-and-on-and-on-forever-number-two";
        int64_t t = time_from_civil(2026, 1, 1, 0, 0, 0);
        ck_assert_int_eq(plan_snapshot_identifier("aba", l1, t, a), 0);
        ck_assert_int_eq(plan_snapshot_identifier("aba", l2, t, b), 0);
        assert_valid_rds_id(a);
        assert_valid_rds_id(b);
        ck_assert_str_ne(a, b);
        ck_assert_int_eq(plan_snapshot_identifier("aba", "x--y-", t, a), 0);
        assert_valid_rds_id(a);
}
END_TEST

START_TEST(classify_awsbackup_prefix_wins_over_snapshot_type)
{
        struct observed_snapshot s = {.identifier = "awsbackup:job-1", .snapshot_type = "manual"};
        ck_assert_int_eq(snapshot_classify(&s), ORIGIN_AWS_BACKUP);
        s.snapshot_type = "awsbackup";
        ck_assert_int_eq(snapshot_classify(&s), ORIGIN_AWS_BACKUP);
        s.identifier = "continuous:cluster-x";
        ck_assert_int_eq(snapshot_classify(&s), ORIGIN_AWS_BACKUP_CONTINUOUS);
        s.identifier = "rds:prod-2026";
        ck_assert_int_eq(snapshot_classify(&s), ORIGIN_AUTOMATED);
        struct tag t = {(char *)TAG_MANAGED_BY, (char *)TAG_MANAGED_BY_VALUE};
        struct observed_snapshot a = {
            .identifier = "aba-x-20260101t0000", .snapshot_type = "manual", .tags = &t, .n_tags = 1};
        ck_assert_int_eq(snapshot_classify(&a), ORIGIN_AGENT);
        a.n_tags = 0;
        ck_assert_int_eq(snapshot_classify(&a), ORIGIN_FOREIGN_MANUAL);
}
END_TEST

TEST_SUITE(snapshot_id_suite)
{
        Suite *s = suite_create("snapshot-id");
        TCase *tc = tcase_create("snapshot-id");
        tcase_add_test(tc, identifier_is_prefix_cluster_slot);
        tcase_add_test(tc, identifier_shortens_long_names_with_hash_suffix);
        tcase_add_test(tc, classify_awsbackup_prefix_wins_over_snapshot_type);
        suite_add_tcase(s, tc);
        return s;
}
