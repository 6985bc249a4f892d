/* The paging guard shared by every Marker/NextToken loop: a repeated marker or a listing past the page
 * cap ends the listing with an error naming the operation. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "aws-paging.h"
#include "test-suite.h"

TEST_FILE("aws-paging");

TEST(no_marker_ends_the_listing)
{
        _cleanup_paging_ struct aws_paging p = AWS_PAGING_INIT("DescribeDBClusters", "Marker");
        struct aws_error e = {};
        ck_assert_int_eq(aws_paging_next(&p, NULL, &e), 0);
        ck_assert_int_eq(aws_paging_next(&p, "", &e), 0);
        ck_assert_int_eq(e.kind, AWS_ERROR_NONE);
}

TEST(new_markers_ask_for_more_pages)
{
        _cleanup_paging_ struct aws_paging p = AWS_PAGING_INIT("DescribeDBClusters", "Marker");
        struct aws_error e = {};
        ck_assert_int_eq(aws_paging_next(&p, "bWFya2VyLXBhZ2UtMg==", &e), 1);
        ck_assert_int_eq(aws_paging_next(&p, "bWFya2VyLXBhZ2UtMw==", &e), 1);
        ck_assert_int_eq(aws_paging_next(&p, NULL, &e), 0);
}

TEST(previous_marker_again_is_refused)
{
        _cleanup_paging_ struct aws_paging p = AWS_PAGING_INIT("DescribeDBClusterSnapshots", "Marker");
        struct aws_error e = {};
        ck_assert_int_eq(aws_paging_next(&p, "m-2", &e), 1);
        ck_assert_int_eq(aws_paging_next(&p, "m-2", &e), -ELOOP);
        ck_assert_int_eq(e.kind, AWS_ERROR_PARSE);
        ck_assert_str_eq(e.code, "RepeatedMarker");
        ck_assert_ptr_nonnull(strstr(e.message, "DescribeDBClusterSnapshots"));
        ck_assert_ptr_nonnull(strstr(e.message, "Marker"));
}

TEST(earlier_marker_after_others_is_refused)
{
        _cleanup_paging_ struct aws_paging p =
            AWS_PAGING_INIT("ListRecoveryPointsByBackupVault", "NextToken");
        struct aws_error e = {};
        ck_assert_int_eq(aws_paging_next(&p, "a", &e), 1);
        ck_assert_int_eq(aws_paging_next(&p, "b", &e), 1);
        ck_assert_int_eq(aws_paging_next(&p, "c", &e), 1);
        ck_assert_int_eq(aws_paging_next(&p, "a", &e), -ELOOP);
        ck_assert_str_eq(e.code, "RepeatedMarker");
        ck_assert_ptr_nonnull(strstr(e.message, "ListRecoveryPointsByBackupVault"));
        ck_assert_ptr_nonnull(strstr(e.message, "NextToken"));
}

TEST(marker_from_another_listing_is_not_a_repeat)
{
        _cleanup_paging_ struct aws_paging a = AWS_PAGING_INIT("DescribeDBClusters", "Marker");
        _cleanup_paging_ struct aws_paging b = AWS_PAGING_INIT("DescribeDBClusters", "Marker");
        struct aws_error e = {};
        ck_assert_int_eq(aws_paging_next(&a, "m", &e), 1);
        ck_assert_int_eq(aws_paging_next(&b, "m", &e), 1);
}

/* Every page up to the cap, each with a new marker: all of them go on. */
static void turn_pages_up_to_the_cap(struct aws_paging *p)
{
        struct aws_error e = {};
        char m[32];

        for (unsigned i = 1; i < AWS_PAGING_MAX_PAGES; i++) {
                snprintf(m, sizeof(m), "page-%u", i + 1);
                ck_assert_int_eq(aws_paging_next(p, m, &e), 1);
        }
}

TEST(listing_past_the_page_cap_is_stopped)
{
        _cleanup_paging_ struct aws_paging p = AWS_PAGING_INIT("DescribeDBInstances", "Marker");
        struct aws_error e = {};
        turn_pages_up_to_the_cap(&p);
        ck_assert_int_eq(aws_paging_next(&p, "one-more", &e), -E2BIG);
        ck_assert_str_eq(e.code, "TooManyPages");
        ck_assert_ptr_nonnull(strstr(e.message, "DescribeDBInstances"));
}

TEST(last_page_at_the_cap_completes)
{
        _cleanup_paging_ struct aws_paging p = AWS_PAGING_INIT("DescribeDBInstances", "Marker");
        struct aws_error e = {};
        turn_pages_up_to_the_cap(&p);
        ck_assert_int_eq(aws_paging_next(&p, NULL, &e), 0);
}
