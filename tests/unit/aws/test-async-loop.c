/* The asynchronous transport never blocks the loop: slow calls, retries on a backoff timer, a re-signed
 * clock skew, and cancellation that calls back at once. */
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

TEST_FILE("aws-async-loop", .timeout = 60);

/* ---- (a) the loop is never blocked ---- */

TEST(twenty_slow_calls_complete_while_a_50ms_timer_keeps_firing)
{
        struct slow_calls s;

        slow_calls_start(&s, 20, 300, &(struct aws_async_options){.max_in_flight = 20, .max_rate = 1000});
        run_until(&s.f, all_done, &s.os);
        for (size_t i = 0; i < s.os.n; i++) {
                ck_assert_int_eq(s.o[i].r, 0);
                ck_assert_int_eq(s.o[i].status, 200);
                ck_assert_str_eq(s.o[i].request_id, "rid-ok");
        }
        /* Served side by side, and the loop turned every 50 ms meanwhile (a blocking transport would
         * leave one gap of 20 x 300 ms). */
        ck_assert_uint_ge(test_http_server_max_active(s.f.server), 2);
        ck_assert_uint_ge(s.t.ticks, 3);
        ck_assert_msg(s.t.max_gap_usec < MAX_GAP_USEC, "longest gap between ticks: %llu us",
                      (unsigned long long)s.t.max_gap_usec);
        ck_assert_uint_eq(s.f.sleeps, 0);
        slow_calls_stop(&s);
}

/* ---- (b) retries wait on a timer ---- */

static void unavailable_then_ok(const struct test_http_request *req, struct test_http_reply *reply,
                                void *userdata)
{
        if (req->seq == 0) {
                reply->status = 503;
                reply->body = unavailable_body;
        } else
                reply->body = ok_body;
}

TEST(service_unavailable_is_retried_after_a_backoff_timer_not_a_sleep)
{
        struct fixture f;
        struct ticker t;
        struct outcome o = {};

        random_value = 0.5; /* backoff before attempt 2: 0.5 x 1 s */
        fixture_start(&f, unavailable_then_ok, NULL, NULL);
        ticker_start(&f, &t);
        call_and_wait(&f, NULL, &o);
        ck_assert_int_eq(o.r, 0);
        ck_assert_int_eq(o.status, 200);
        ck_assert_uint_eq(test_http_server_requests(f.server), 2);
        ck_assert_uint_eq(aws_client_stats(f.client)->retries, 1);
        ck_assert_uint_eq(aws_client_stats(f.client)->attempts[AWS_SERVICE_RDS], 2);
        /* The 500 ms backoff was a timer the loop kept turning around, never the client's sleep. */
        ck_assert_uint_eq(f.sleeps, 0);
        ck_assert_uint_ge(t.backoff_ticks, 3);
        ck_assert_msg(t.max_gap_usec < MAX_GAP_USEC, "longest gap: %llu us",
                      (unsigned long long)t.max_gap_usec);
        ticker_stop(&t);
        fixture_stop(&f);
}

static void skewed_then_ok(const struct test_http_request *req, struct test_http_reply *reply,
                           void *userdata)
{
        static char date_header[64];
        if (req->seq == 0) {
                time_t ahead = time(NULL) + 3600;
                struct tm tm;
                gmtime_r(&ahead, &tm);
                strftime(date_header, sizeof(date_header), "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &tm);
                reply->status = 403;
                reply->extra_headers = date_header;
                reply->body = "<ErrorResponse><Error><Code>RequestTimeTooSkewed</Code><Message>skewed"
                              "</Message></Error><RequestId>rid-skew</RequestId></ErrorResponse>";
        } else
                reply->body = ok_body;
}

static time_t amz_date_seconds(const char *d)
{
        struct tm tm = {};
        ck_assert_ptr_nonnull(strptime(d, "%Y%m%dT%H%M%SZ", &tm));
        return timegm(&tm);
}

TEST(clock_skew_is_re_signed_once_with_the_servers_time)
{
        struct fixture f;
        struct outcome o = {};
        struct test_http_request first, second;

        fixture_start(&f, skewed_then_ok, NULL, NULL);
        call_and_wait(&f, NULL, &o);
        ck_assert_int_eq(o.r, 0);
        ck_assert(test_http_server_request(f.server, 0, &first));
        ck_assert(test_http_server_request(f.server, 1, &second));
        long diff = (long)(amz_date_seconds(second.amz_date) - amz_date_seconds(first.amz_date));
        ck_assert_int_ge(diff, 3600 - 60);
        ck_assert_int_le(diff, 3600 + 60);
        ck_assert_uint_eq(f.sleeps, 0);
        fixture_stop(&f);
}

/* ---- (c) cancellation ---- */

static void never_answer(const struct test_http_request *req, struct test_http_reply *reply, void *userdata)
{
        reply->delay_ms = 60 * 1000; /* ended by the client's close, or by the server's stop */
        reply->body = ok_body;
}

static bool server_saw_one(void *arg)
{
        return test_http_server_requests(arg) >= 1;
}

static bool server_saw_close(void *arg)
{
        return test_http_server_peer_closed(arg) >= 1;
}

TEST(cancelling_a_call_in_flight_calls_back_at_once_and_closes_its_connection)
{
        struct fixture f;
        struct outcome o = {};
        struct aws_request req = describe(NULL);
        _cleanup_(aws_call_unrefp) struct aws_call *call = NULL;

        fixture_start(&f, never_answer, NULL, NULL);
        ck_assert_int_eq(aws_client_send_async(f.client, &req, NULL, on_outcome, &o, &call), 0);
        run_until(&f, server_saw_one, f.server);
        ck_assert(!o.done);

        ck_assert_int_eq(aws_call_cancel(call), 1);
        /* Called back before aws_call_cancel returned. */
        ck_assert(o.done);
        ck_assert(aws_call_is_done(call));
        ck_assert_int_eq(o.r, -ECANCELED);
        ck_assert_int_eq(o.e.kind, AWS_ERROR_TRANSPORT);
        ck_assert_str_eq(o.e.code, "Cancelled");
        ck_assert(!o.e.retryable);
        ck_assert(aws_error_outcome_unknown(&o.e)); /* it reached the server: the ledger settles it */
        ck_assert_int_eq(aws_call_cancel(call), 0); /* once */

        run_until(&f, server_saw_close, f.server);
        ck_assert_uint_eq(test_http_server_requests(f.server), 1);
        fixture_stop(&f);
}

TEST(cancelling_a_queued_call_reports_that_it_was_never_sent)
{
        struct fixture f;
        struct outcome first = {}, second = {};
        struct aws_request req = describe(NULL);
        struct aws_async_options ao = {.max_in_flight = 1};
        _cleanup_(aws_call_unrefp) struct aws_call *queued = NULL;

        fixture_start(&f, never_answer, NULL, &ao);
        ck_assert_int_eq(aws_client_send_async(f.client, &req, NULL, on_outcome, &first, NULL), 0);
        ck_assert_int_eq(aws_client_send_async(f.client, &req, NULL, on_outcome, &second, &queued), 0);
        run_until(&f, server_saw_one, f.server);

        ck_assert_int_eq(aws_call_cancel(queued), 1);
        ck_assert_int_eq(second.r, -ECANCELED);
        ck_assert_int_eq(second.e.kind, AWS_ERROR_REFUSED);
        ck_assert(!aws_error_outcome_unknown(&second.e));

        /* SIGTERM: everything else at once. */
        ck_assert_uint_eq(aws_client_cancel_all(f.client), 1);
        ck_assert_int_eq(first.r, -ECANCELED);
        ck_assert(aws_error_outcome_unknown(&first.e));
        ck_assert_uint_eq(test_http_server_requests(f.server), 1);
        fixture_stop(&f);
}

TEST(cancel_waiting_spares_the_call_on_the_wire)
{
        struct fixture f;
        struct outcome first = {}, queued[2] = {};
        struct aws_request req = describe(NULL);
        struct aws_async_options ao = {.max_in_flight = 1};

        fixture_start(&f, never_answer, NULL, &ao);
        ck_assert_int_eq(aws_client_send_async(f.client, &req, NULL, on_outcome, &first, NULL), 0);
        for (size_t i = 0; i < ELEMENTSOF(queued); i++)
                ck_assert_int_eq(aws_client_send_async(f.client, &req, NULL, on_outcome, &queued[i], NULL),
                                 0);
        run_until(&f, server_saw_one, f.server);

        /* The start of a stop: what never left is cancelled, never sent... */
        ck_assert_uint_eq(aws_client_cancel_waiting(f.client), 2);
        for (size_t i = 0; i < ELEMENTSOF(queued); i++) {
                ck_assert_int_eq(queued[i].r, -ECANCELED);
                ck_assert_int_eq(queued[i].e.kind, AWS_ERROR_REFUSED);
                ck_assert(!aws_error_outcome_unknown(&queued[i].e));
        }
        /* ...and the call on the wire is still waiting for its answer. */
        ck_assert(!first.done);
        ck_assert_uint_eq(aws_client_cancel_all(f.client), 1);
        ck_assert(aws_error_outcome_unknown(&first.e));
        ck_assert_uint_eq(test_http_server_requests(f.server), 1);
        fixture_stop(&f);
}

TEST(freeing_the_client_drops_pending_calls_without_calling_back)
{
        struct fixture f;
        struct outcome o[3] = {};
        struct aws_request req = describe(NULL);
        struct aws_async_options ao = {.max_in_flight = 1};
        _cleanup_(aws_call_unrefp) struct aws_call *kept = NULL;

        fixture_start(&f, never_answer, NULL, &ao);
        for (size_t i = 0; i < ELEMENTSOF(o); i++)
                ck_assert_int_eq(
                    aws_client_send_async(f.client, &req, NULL, on_outcome, &o[i], i == 0 ? &kept : NULL),
                    0);
        run_until(&f, server_saw_one, f.server);
        f.client = aws_client_free(f.client);
        for (size_t i = 0; i < ELEMENTSOF(o); i++)
                ck_assert(!o[i].done);
        ck_assert(aws_call_is_done(kept));
        ck_assert_int_eq(aws_call_cancel(kept), 0);
        run_until(&f, server_saw_close, f.server);
        fixture_stop(&f);
}
