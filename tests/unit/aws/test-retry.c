/* The standard retry mode's arithmetic: full-jitter backoff capped at 20 s and the retry quota. */
#include <check.h>

#include "aws-retry.h"
#include "test-suite.h"

TEST_FILE("aws-retry");

TEST(first_attempt_is_never_delayed)
{
        ck_assert_uint_eq(aws_retry_backoff_ms(1, 0.9), 0);
}

TEST(backoff_doubles_with_full_jitter)
{
        ck_assert_uint_eq(aws_retry_backoff_ms(2, 0.5), 500);
        ck_assert_uint_eq(aws_retry_backoff_ms(3, 0.5), 1000);
        ck_assert_uint_eq(aws_retry_backoff_ms(4, 0.5), 2000);
        ck_assert_uint_eq(aws_retry_backoff_ms(2, 0.0), 0);
}

TEST(backoff_is_capped_at_20_seconds)
{
        ck_assert_uint_le(aws_retry_backoff_ms(7, 0.999999), 20000);
        ck_assert_uint_eq(aws_retry_backoff_ms(40, 0.5), 10000);
        ck_assert_uint_lt(aws_retry_backoff_ms(1000, 1.5), 20000);
}

TEST(quota_pays_100_retries_then_stops)
{
        struct aws_retry_quota q;
        aws_retry_quota_init(&q);
        unsigned n = 0;
        while (aws_retry_quota_acquire(&q, false) == AWS_RETRY_COST)
                n++;
        ck_assert_uint_eq(n, 100);
        ck_assert_uint_eq(q.available, 0);
}

TEST(timeouts_cost_10)
{
        struct aws_retry_quota q;
        aws_retry_quota_init(&q);
        ck_assert_uint_eq(aws_retry_quota_acquire(&q, true), 10);
        ck_assert_uint_eq(q.available, 490);
        q.available = 7;
        ck_assert_uint_eq(aws_retry_quota_acquire(&q, true), 0);
        ck_assert_uint_eq(q.available, 7);
}

TEST(success_refunds_what_its_retry_took)
{
        struct aws_retry_quota q;
        aws_retry_quota_init(&q);
        ck_assert_uint_eq(aws_retry_quota_acquire(&q, false), 5);
        aws_retry_quota_release(&q, 5);
        ck_assert_uint_eq(q.available, 500);
}

TEST(first_try_success_adds_one_up_to_the_cap)
{
        struct aws_retry_quota q;
        aws_retry_quota_init(&q);
        aws_retry_quota_release(&q, 0);
        ck_assert_uint_eq(q.available, 500);
        q.available = 100;
        aws_retry_quota_release(&q, 0);
        ck_assert_uint_eq(q.available, 101);
}
