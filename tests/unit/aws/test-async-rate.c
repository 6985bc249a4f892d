/* The asynchronous transport's pacing: the rate limiter follows throttling, the concurrency cap queues
 * calls in order. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-event.h>
#include <time.h>
#include <unistd.h>

#include "async-fixture.h"
#include "macro.h"
#include "test-suite.h"

TEST_FILE("aws-async-rate", .timeout = 60);

/* ---- (d) the rate limiter follows throttling ---- */

static void throttle_twice(const struct test_http_request *req, struct test_http_reply *reply,
                           void *userdata)
{
        if (req->seq < 2) {
                reply->status = 400;
                reply->body = throttling_body;
        } else
                reply->body = ok_body;
}

/* A fixture whose first call was throttled twice before it succeeded (the limiter alone paced it). */
static void throttled_twice(struct fixture *f, struct aws_async_options *ao)
{
        struct outcome o = {};

        random_value = 0; /* no backoff delay: the limiter alone paces the retries */
        fixture_start(f, throttle_twice, NULL, ao);
        call_and_wait(f, NULL, &o);
        ck_assert_int_eq(o.r, 0);
        ck_assert_uint_eq(test_http_server_requests(f->server), 3);
}

TEST(throttling_lowers_the_rate_of_its_service_only)
{
        struct fixture f;
        struct aws_async_stats st;
        struct aws_async_options ao = {.max_rate = 10, .min_rate = 0.5};

        throttled_twice(&f, &ao);
        ck_assert_int_eq(aws_client_async_stats(f.client, &st), 0);
        ck_assert_uint_eq(st.throttles[AWS_SERVICE_RDS], 2);
        /* 10 x 0.7 x 0.7, then one success's step back up. */
        ck_assert_double_eq_tol(st.rate[AWS_SERVICE_RDS], 10 * 0.7 * 0.7 + (10 - 0.5) / 20, 1e-9);
        ck_assert_double_eq_tol(st.rate[AWS_SERVICE_BACKUP], 10, 1e-9); /* per service */
        fixture_stop(&f);
}

TEST(successes_after_throttling_restore_the_rate)
{
        struct fixture f;
        struct aws_async_stats st;
        struct aws_async_options ao = {.max_rate = 10, .min_rate = 0.5};

        throttled_twice(&f, &ao);
        for (unsigned i = 0; i < AWS_RATE_RECOVERY_STEPS; i++) {
                struct outcome next = {};
                call_and_wait(&f, NULL, &next);
                ck_assert_int_eq(next.r, 0);
        }
        ck_assert_int_eq(aws_client_async_stats(f.client, &st), 0);
        ck_assert_double_eq_tol(st.rate[AWS_SERVICE_RDS], 10, 1e-9);
        ck_assert_uint_eq(st.throttles[AWS_SERVICE_RDS], 2);
        fixture_stop(&f);
}

TEST(rate_limiter_makes_a_call_wait_for_its_token)
{
        uint64_t t0 = 1000000;
        struct aws_rate_limiter l;

        aws_rate_init(&l, 2, 0.5, 2, t0);
        ck_assert_uint_eq(aws_rate_acquire(&l, t0), 0);
        ck_assert_uint_eq(aws_rate_acquire(&l, t0), 0); /* a burst of one second's worth */
        ck_assert_uint_eq(aws_rate_acquire(&l, t0), 500000);
        ck_assert_uint_eq(aws_rate_acquire(&l, t0 + 250000), 250000);
        ck_assert_uint_eq(aws_rate_acquire(&l, t0 + 500000), 0);
}

TEST(rate_limiter_default_allows_a_burst_of_a_hundred_then_ten_a_second)
{
        struct aws_rate_limiter l;

        aws_rate_init(&l, 0, 0, 0, 0);
        for (unsigned i = 0; i < 100; i++)
                ck_assert_uint_eq(aws_rate_acquire(&l, 0), 0);
        ck_assert_uint_eq(aws_rate_acquire(&l, 0), 100000); /* 10 a second: the next in 0.1 s */
}

TEST(rate_limiter_burst_shrinks_with_the_rate)
{
        struct aws_rate_limiter l;
        unsigned n = 0;

        aws_rate_init(&l, 10, 0.5, 100, 0);
        aws_rate_on_throttle(&l, 0); /* 7 a second: a burst of 70 */
        while (aws_rate_acquire(&l, 0) == 0)
                n++;
        ck_assert_uint_eq(n, 70);
}

TEST(rate_limiter_stays_between_its_floor_and_its_ceiling)
{
        struct aws_rate_limiter l;

        aws_rate_init(&l, 20, 0.5, 20, 0);
        for (unsigned i = 0; i < 100; i++)
                aws_rate_on_throttle(&l, 0);
        ck_assert_double_eq_tol(l.rate, 0.5, 1e-9);
        ck_assert_double_le(l.tokens, 1.0); /* the burst shrank with the rate */
        for (unsigned i = 0; i < 1000; i++)
                aws_rate_on_success(&l, 0);
        ck_assert_double_eq_tol(l.rate, 20, 1e-9);
}

/* ---- (e) the concurrency cap ---- */

static void reply_after_50ms(const struct test_http_request *req, struct test_http_reply *reply,
                             void *userdata)
{
        reply->delay_ms = 50;
        reply->body = ok_body;
}

TEST(calls_beyond_the_cap_wait_and_start_in_fifo_order)
{
        struct fixture f;
        struct outcome o[4] = {};
        struct outcomes os = {o, ELEMENTSOF(o)};
        struct aws_async_options ao = {.max_in_flight = 1, .max_rate = 1000};
        char queries[4][8];

        fixture_start(&f, reply_after_50ms, NULL, &ao);
        for (size_t i = 0; i < ELEMENTSOF(o); i++) {
                snprintf(queries[i], sizeof(queries[i]), "n=%zu", i);
                struct aws_request req = describe(queries[i]);
                ck_assert_int_eq(aws_client_send_async(f.client, &req, NULL, on_outcome, &o[i], NULL), 0);
        }
        run_until(&f, all_done, &os);
        ck_assert_uint_eq(test_http_server_max_active(f.server), 1);
        for (unsigned i = 0; i < ELEMENTSOF(o); i++) {
                struct test_http_request r;
                char want[16];
                ck_assert(test_http_server_request(f.server, i, &r));
                snprintf(want, sizeof(want), "/?n=%u", i);
                ck_assert_str_eq(r.target, want);
                ck_assert_int_eq(o[i].r, 0);
        }
        fixture_stop(&f);
}

TEST(no_more_than_the_cap_are_in_flight)
{
        struct slow_calls s;
        struct aws_async_stats st;

        slow_calls_start(&s, 6, 200, &(struct aws_async_options){.max_in_flight = 2, .max_rate = 1000});
        /* Nothing starts inside aws_client_send_async: the loop does it. */
        ck_assert_int_eq(aws_client_async_stats(s.f.client, &st), 0);
        ck_assert_uint_eq(st.queued, 6);
        ck_assert_uint_eq(st.in_flight, 0);
        run_until(&s.f, all_done, &s.os);
        for (size_t i = 0; i < s.os.n; i++)
                ck_assert_int_eq(s.o[i].r, 0);
        ck_assert_uint_le(test_http_server_max_active(s.f.server), 2);
        ck_assert_uint_le(s.t.max_in_flight, 2);
        ck_assert_uint_eq(test_http_server_requests(s.f.server), 6);
        slow_calls_stop(&s);
}
