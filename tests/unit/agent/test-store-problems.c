/* How conditions are reported: problems kept until they clear (store-problems.c) and reported-once
 * markers (store-reported.c). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "test-store-fixture.h"
#include "test-suite.h"

TEST_FILE("store-problems", TEST_STORE_FIXTURE);

/* ---- Problems. ---- */

static bool resolve_all(const struct problem *p, void *userdata)
{
        (void)p;
        (void)userdata;
        return true;
}

static bool resolve_none(const struct problem *p, void *userdata)
{
        (void)p;
        (void)userdata;
        return false;
}

/* Open problems, or with resolved_since > 0 also those resolved since then; free with problems_free(). */
static struct problem *problems_list(int64_t resolved_since, size_t n_expected)
{
        struct problem *l = NULL;
        size_t n = 0;

        ck_assert_int_eq(store_problems_list(store, resolved_since, &l, &n), 0);
        ck_assert_uint_eq(n, n_expected);
        return l;
}

static void problems_update(const struct problem *current, size_t n_current, problem_resolved_fn resolved,
                            int64_t now, int64_t keep_sec)
{
        ck_assert_int_eq(store_problems_update(store, current, n_current, resolved, NULL, now, keep_sec), 0);
}

TEST(problem_raised_again_counts_and_keeps_first_seen)
{
        struct problem cur = {.kind = PROBLEM_ACTION_FAILED,
                              .policy = (char *)"prod",
                              .cluster = (char *)"db-a",
                              .snapshot = (char *)"aba-db-a-1",
                              .region = (char *)"eu-west-1",
                              .action = (char *)"delete-rds",
                              .error_code = (char *)"Throttling",
                              .error_message = (char *)"slow down",
                              .request_id = (char *)"req-1"};
        struct problem *l;

        problems_update(&cur, 1, resolve_none, 1000, 0);
        cur.error_code = (char *)"InvalidDBClusterSnapshotStateFault";
        cur.request_id = (char *)"req-2";
        problems_update(&cur, 1, resolve_none, 2000, 0);
        l = problems_list(0, 1);
        ck_assert_int_eq(l[0].first_seen, 1000);
        ck_assert_int_eq(l[0].last_seen, 2000);
        ck_assert_uint_eq(l[0].count, 2);
        ck_assert_str_eq(l[0].error_code, "InvalidDBClusterSnapshotStateFault");
        ck_assert_str_eq(l[0].request_id, "req-2");
        ck_assert_str_eq(l[0].region, "eu-west-1");
        ck_assert_int_eq(l[0].resolved_at, 0);
        problems_free(l, 1);
}

/* A policy that selects nothing, and a copy and a share that failed for the same snapshot. */
static struct problem three_problems[] = {
    {.kind = PROBLEM_POLICY_EMPTY, .policy = (char *)"empty", .region = (char *)"eu-west-1"},
    {.kind = PROBLEM_ACTION_FAILED, .snapshot = (char *)"x", .action = (char *)"copy"},
    {.kind = PROBLEM_ACTION_FAILED, .snapshot = (char *)"x", .action = (char *)"share"},
};

/* The three raised at 1000; at 3000 only the empty policy is seen, and the rule resolves the others. */
static void three_problems_then_the_empty_policy_alone(void)
{
        problems_update(three_problems, 3, resolve_none, 1000, 0);
        problems_update(&three_problems[0], 1, resolve_all, 3000, 0);
}

TEST(problem_key_includes_the_action)
{
        problems_update(three_problems, 3, resolve_none, 1000, 0);
        problems_free(problems_list(0, 3), 3);
}

TEST(problem_not_seen_stays_open_when_the_rule_says_so)
{
        problems_update(three_problems, 3, resolve_none, 1000, 0);
        problems_update(NULL, 0, resolve_none, 2000, 0);
        problems_free(problems_list(0, 3), 3);
}

TEST(problem_not_seen_is_resolved_when_the_rule_says_so)
{
        struct problem *l;

        three_problems_then_the_empty_policy_alone();
        l = problems_list(0, 1);
        ck_assert_int_eq(l[0].kind, PROBLEM_POLICY_EMPTY);
        problems_free(l, 1);
}

TEST(problem_list_keeps_resolved_rows_after_the_open_ones)
{
        struct problem *l;

        three_problems_then_the_empty_policy_alone();
        l = problems_list(1, 3);
        ck_assert_int_eq(l[0].resolved_at, 0);
        ck_assert_int_eq(l[1].resolved_at, 3000);
        ck_assert_int_eq(l[2].resolved_at, 3000);
        problems_free(l, 3);
}

TEST(problem_recurring_after_resolution_is_a_new_problem)
{
        struct problem *l;

        three_problems_then_the_empty_policy_alone();
        problems_update(&three_problems[1], 1, resolve_none, 4000, 0);
        l = problems_list(0, 2);
        ck_assert_int_eq(l[1].first_seen, 4000);
        ck_assert_uint_eq(l[1].count, 1);
        problems_free(l, 2);
}

TEST(problem_resolved_longer_than_keep_sec_is_forgotten)
{
        three_problems_then_the_empty_policy_alone();
        problems_update(&three_problems[1], 1, resolve_none, 4000, 0);
        problems_update(NULL, 0, resolve_none, 5000, 1000);
        problems_free(problems_list(1, 2), 2);
}

/* ---- Reported-once markers. ---- */

static const char marker[] = "vault-locked:arn:aws:backup:rp-1";

TEST(reported_once_is_true_only_the_first_time)
{
        ck_assert_int_eq(store_reported_once(store, marker, T0), 1);
        ck_assert_int_eq(store_reported_once(store, marker, T0 + 900), 0);
        ck_assert_int_eq(store_reported_once(store, "vault-locked:arn:aws:backup:rp-2", T0 + 900), 1);
}

TEST(reported_forget_lets_a_recurrence_be_reported)
{
        ck_assert_int_eq(store_reported_once(store, marker, T0), 1);
        ck_assert_int_eq(store_reported_forget(store, marker), 0);
        ck_assert_int_eq(store_reported_once(store, marker, T0 + 1800), 1);
}

TEST(reported_at_says_when_it_was_first_marked)
{
        int64_t at = -1;

        ck_assert_int_eq(store_reported_at(store, marker, &at), 0);
        ck_assert_int_eq(at, -1);
        ck_assert_int_eq(store_reported_once(store, marker, T0), 1);
        ck_assert_int_eq(store_reported_once(store, marker, T0 + 900), 0);
        ck_assert_int_eq(store_reported_at(store, marker, &at), 1);
        ck_assert_int_eq(at, T0);
        ck_assert_int_eq(store_reported_check(store, marker), 1);
}

TEST(reported_once_requires_a_key)
{
        ck_assert_int_eq(store_reported_once(store, NULL, T0), -EINVAL);
}
