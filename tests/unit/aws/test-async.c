/* The asynchronous transport against a loopback HTTP server: the loop keeps running while calls are in
 * flight, retries wait on timers, cancellation is immediate and closes the connection, the rate limiter
 * follows throttling, the concurrency cap queues in order, and streamed bodies arrive in chunks under
 * the cap. Every wait is the event loop's; the only time bounds are generous safety nets. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-event.h>
#include <time.h>
#include <unistd.h>

#include "aws-call.h"
#include "aws-client.h"
#include "aws-multi.h"
#include "aws-rate.h"
#include "http-test-server.h"
#include "macro.h"
#include "test-suite.h"

#define SAFETY_NET_USEC (20ULL * 1000000) /* a test that needs this long is broken, not slow */
#define TICK_USEC (50ULL * 1000)
#define MAX_GAP_USEC (500ULL * 1000)

static const char ok_body[] = "<DescribeDBClustersResponse><DescribeDBClustersResult><DBClusters/>"
                              "</DescribeDBClustersResult><ResponseMetadata><RequestId>rid-ok</RequestId>"
                              "</ResponseMetadata></DescribeDBClustersResponse>";

static const char unavailable_body[] =
    "<ErrorResponse><Error><Code>ServiceUnavailable</Code><Message>try "
    "later</Message></Error><RequestId>rid-503</RequestId></ErrorResponse>";

static const char throttling_body[] =
    "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>"
    "<Message>Rate exceeded</Message></Error><RequestId>rid-429</RequestId>"
    "</ErrorResponse>";

static const char invalid_body[] = "<ErrorResponse><Error><Code>InvalidParameterValue</Code><Message>bad "
                                   "marker</Message></Error><RequestId>rid-400</RequestId></ErrorResponse>";

/* ---- fixture ---- */

struct fixture {
        sd_event *event;
        struct aws_multi *multi;
        struct aws_client *client;
        struct test_http_server *server;
        unsigned sleeps; /* calls of the client's sleep_ms: the async path must make none */
};

static double random_value = 0.5;

static double fixed_random(void *userdata)
{
        return random_value;
}

static void counting_sleep(uint64_t ms, void *userdata)
{
        struct fixture *f = userdata;
        f->sleeps++;
}

static void test_env(unsigned port)
{
        char url[64];
        snprintf(url, sizeof(url), "http://127.0.0.1:%u", port);
        setenv("AWS_ENDPOINT_URL", url, 1);
        setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", 1);
        setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", 1);
        setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
        setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config", 1);
        setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials", 1);
        const char *unset[] = {"AWS_SESSION_TOKEN",
                               "AWS_SECURITY_TOKEN",
                               "AWS_PROFILE",
                               "AWS_WEB_IDENTITY_TOKEN_FILE",
                               "AWS_ROLE_ARN",
                               "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                               "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                               "AWS_ENDPOINT_URL_RDS",
                               "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
                               "http_proxy",
                               "https_proxy",
                               "HTTPS_PROXY",
                               "ALL_PROXY",
                               "all_proxy"};
        for (size_t i = 0; i < ELEMENTSOF(unset); i++)
                unsetenv(unset[i]);
}

static void fixture_start(struct fixture *f, test_http_handler handler, void *userdata,
                          const struct aws_async_options *ao)
{
        struct aws_error e = {};

        *f = (struct fixture){};
        ck_assert_int_eq(test_http_server_start(handler, userdata, &f->server), 0);
        test_env(test_http_server_port(f->server));
        ck_assert_int_ge(sd_event_new(&f->event), 0);
        ck_assert_int_eq(aws_multi_new(f->event, &f->multi), 0);
        struct aws_client_options o = {
            .region = "us-east-1",
            .sleep_ms = counting_sleep,
            .random = fixed_random,
            .userdata = f,
        };
        ck_assert_int_eq(aws_client_new(&o, &f->client, &e), 0);
        ck_assert_int_eq(aws_client_attach_multi(f->client, f->multi, ao), 0);
}

static void fixture_stop(struct fixture *f)
{
        aws_client_free(f->client);
        aws_multi_unref(f->multi);
        sd_event_unref(f->event);
        test_http_server_stop(f->server);
}

static uint64_t monotonic_usec(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Run the loop until `done(arg)`; the safety net only stops a broken test from hanging. */
static void run_until(struct fixture *f, bool (*done)(void *arg), void *arg)
{
        uint64_t start = monotonic_usec();
        while (!done(arg)) {
                ck_assert_int_ge(sd_event_run(f->event, 100 * 1000), 0);
                if (monotonic_usec() - start > SAFETY_NET_USEC)
                        ck_abort_msg("the event loop did not get there");
        }
}

/* ---- what a call reports ---- */

struct outcome {
        bool done;
        int r;
        long status;
        size_t body_len;
        struct aws_error e;
        char request_id[AWS_ERROR_REQUEST_ID_MAX];
};

static void on_outcome(struct aws_call *call, int r, struct aws_response *resp, const struct aws_error *e,
                       void *userdata)
{
        struct outcome *o = userdata;
        o->done = true;
        o->r = r;
        o->e = *e;
        if (resp) {
                o->status = resp->status;
                o->body_len = resp->body_len;
        }
        snprintf(o->request_id, sizeof(o->request_id), "%s", aws_call_request_id(call));
}

struct outcomes {
        struct outcome *o;
        size_t n;
};

static bool all_done(void *arg)
{
        struct outcomes *os = arg;
        for (size_t i = 0; i < os->n; i++)
                if (!os->o[i].done)
                        return false;
        return true;
}

static bool one_done(void *arg)
{
        return ((struct outcome *)arg)->done;
}

static struct aws_request describe(const char *query)
{
        static const char body[] = "Action=DescribeDBClusters&Version=2014-10-31";
        return (struct aws_request){
            .service = AWS_SERVICE_RDS,
            .protocol = AWS_PROTOCOL_QUERY,
            .method = "POST",
            .path = "/",
            .query = query,
            .content_type = "application/x-www-form-urlencoded; charset=utf-8",
            .body = body,
            .body_len = sizeof(body) - 1,
        };
}

/* One DescribeDBClusters call (with `co`, may be NULL), and the loop run until it has answered. */
static void call_and_wait(struct fixture *f, const struct aws_call_options *co, struct outcome *o)
{
        struct aws_request req = describe(NULL);
        ck_assert_int_eq(aws_client_send_async(f->client, &req, co, on_outcome, o, NULL), 0);
        run_until(f, one_done, o);
}

/* One DescribeDBClusters call per outcome, all queued before the loop runs. */
static void send_each(struct fixture *f, struct outcomes *os)
{
        for (size_t i = 0; i < os->n; i++) {
                struct aws_request req = describe(NULL);
                ck_assert_int_eq(aws_client_send_async(f->client, &req, NULL, on_outcome, &os->o[i], NULL),
                                 0);
        }
}

/* ---- a timer that proves the loop keeps turning ---- */

struct ticker {
        sd_event_source *source;
        struct aws_client *client;
        uint64_t last_usec, max_gap_usec;
        unsigned ticks;
        unsigned max_in_flight, max_queued, backoff_ticks;
};

static int on_tick(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct ticker *t = userdata;
        uint64_t now = monotonic_usec();
        struct aws_async_stats st;

        if (t->last_usec && now - t->last_usec > t->max_gap_usec)
                t->max_gap_usec = now - t->last_usec;
        t->last_usec = now;
        t->ticks++;
        if (aws_client_async_stats(t->client, &st) >= 0) {
                t->max_in_flight = MAX(t->max_in_flight, st.in_flight);
                t->max_queued = MAX(t->max_queued, st.queued);
                t->backoff_ticks += st.backoff > 0;
        }
        ck_assert_int_ge(sd_event_source_set_time_relative(s, TICK_USEC), 0);
        ck_assert_int_ge(sd_event_source_set_enabled(s, SD_EVENT_ONESHOT), 0);
        return 0;
}

static void ticker_start(struct fixture *f, struct ticker *t)
{
        *t = (struct ticker){.client = f->client, .last_usec = monotonic_usec()};
        ck_assert_int_ge(
            sd_event_add_time_relative(f->event, &t->source, CLOCK_MONOTONIC, TICK_USEC, 1000, on_tick, t),
            0);
}

static void ticker_stop(struct ticker *t)
{
        sd_event_source_disable_unref(t->source);
}

/* ---- (a) the loop is never blocked ---- */

static void reply_slowly(const struct test_http_request *req, struct test_http_reply *reply, void *userdata)
{
        reply->delay_ms = *(unsigned *)userdata;
        reply->extra_headers = "x-amzn-RequestId: rid-ok\r\n";
        reply->body = ok_body;
}

START_TEST(twenty_slow_calls_complete_while_a_50ms_timer_keeps_firing)
{
        struct fixture f;
        struct ticker t;
        unsigned delay_ms = 300;
        struct outcome o[20] = {};
        struct outcomes os = {o, ELEMENTSOF(o)};
        struct aws_async_options ao = {.max_in_flight = 20, .max_rate = 1000};

        fixture_start(&f, reply_slowly, &delay_ms, &ao);
        ticker_start(&f, &t);
        send_each(&f, &os);
        run_until(&f, all_done, &os);
        for (size_t i = 0; i < ELEMENTSOF(o); i++) {
                ck_assert_int_eq(o[i].r, 0);
                ck_assert_int_eq(o[i].status, 200);
                ck_assert_str_eq(o[i].request_id, "rid-ok");
        }
        /* Served side by side, and the loop turned every 50 ms meanwhile (a blocking transport would
         * leave one gap of 20 x 300 ms). */
        ck_assert_uint_ge(test_http_server_max_active(f.server), 2);
        ck_assert_uint_ge(t.ticks, 3);
        ck_assert_msg(t.max_gap_usec < MAX_GAP_USEC, "longest gap between ticks: %llu us",
                      (unsigned long long)t.max_gap_usec);
        ck_assert_uint_eq(f.sleeps, 0);
        ticker_stop(&t);
        fixture_stop(&f);
}
END_TEST

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

START_TEST(service_unavailable_is_retried_after_a_backoff_timer_not_a_sleep)
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
END_TEST

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

START_TEST(clock_skew_is_re_signed_once_with_the_servers_time)
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
END_TEST

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

START_TEST(cancelling_a_call_in_flight_calls_back_at_once_and_closes_its_connection)
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
END_TEST

START_TEST(cancelling_a_queued_call_reports_that_it_was_never_sent)
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
END_TEST

START_TEST(cancel_waiting_spares_the_call_on_the_wire)
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
END_TEST

START_TEST(freeing_the_client_drops_pending_calls_without_calling_back)
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
END_TEST

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

START_TEST(throttling_lowers_the_rate_and_successes_restore_it)
{
        struct fixture f;
        struct aws_async_stats st;
        struct aws_async_options ao = {.max_rate = 10, .min_rate = 0.5};
        struct outcome o = {};

        random_value = 0; /* no backoff delay: the limiter alone paces the retries */
        fixture_start(&f, throttle_twice, NULL, &ao);
        call_and_wait(&f, NULL, &o);
        ck_assert_int_eq(o.r, 0);
        ck_assert_uint_eq(test_http_server_requests(f.server), 3);
        ck_assert_int_eq(aws_client_async_stats(f.client, &st), 0);
        ck_assert_uint_eq(st.throttles[AWS_SERVICE_RDS], 2);
        /* 10 x 0.7 x 0.7, then one success's step back up. */
        ck_assert_double_eq_tol(st.rate[AWS_SERVICE_RDS], 10 * 0.7 * 0.7 + (10 - 0.5) / 20, 1e-9);
        ck_assert_double_eq_tol(st.rate[AWS_SERVICE_BACKUP], 10, 1e-9); /* per service */

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
END_TEST

START_TEST(rate_limiter_makes_a_call_wait_for_its_token)
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
END_TEST

START_TEST(rate_limiter_default_allows_a_burst_of_a_hundred_then_ten_a_second)
{
        struct aws_rate_limiter l;

        aws_rate_init(&l, 0, 0, 0, 0);
        for (unsigned i = 0; i < 100; i++)
                ck_assert_uint_eq(aws_rate_acquire(&l, 0), 0);
        ck_assert_uint_eq(aws_rate_acquire(&l, 0), 100000); /* 10 a second: the next in 0.1 s */
}
END_TEST

START_TEST(rate_limiter_burst_shrinks_with_the_rate)
{
        struct aws_rate_limiter l;
        unsigned n = 0;

        aws_rate_init(&l, 10, 0.5, 100, 0);
        aws_rate_on_throttle(&l, 0); /* 7 a second: a burst of 70 */
        while (aws_rate_acquire(&l, 0) == 0)
                n++;
        ck_assert_uint_eq(n, 70);
}
END_TEST

START_TEST(rate_limiter_stays_between_its_floor_and_its_ceiling)
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
END_TEST

/* ---- (e) the concurrency cap ---- */

static void reply_after_50ms(const struct test_http_request *req, struct test_http_reply *reply,
                             void *userdata)
{
        reply->delay_ms = 50;
        reply->body = ok_body;
}

START_TEST(calls_beyond_the_cap_wait_and_start_in_fifo_order)
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
END_TEST

START_TEST(no_more_than_the_cap_are_in_flight)
{
        struct fixture f;
        struct ticker t;
        struct aws_async_stats st;
        unsigned delay_ms = 200;
        struct outcome o[6] = {};
        struct outcomes os = {o, ELEMENTSOF(o)};
        struct aws_async_options ao = {.max_in_flight = 2, .max_rate = 1000};

        fixture_start(&f, reply_slowly, &delay_ms, &ao);
        ticker_start(&f, &t);
        send_each(&f, &os);
        /* Nothing starts inside aws_client_send_async: the loop does it. */
        ck_assert_int_eq(aws_client_async_stats(f.client, &st), 0);
        ck_assert_uint_eq(st.queued, 6);
        ck_assert_uint_eq(st.in_flight, 0);
        run_until(&f, all_done, &os);
        for (size_t i = 0; i < ELEMENTSOF(o); i++)
                ck_assert_int_eq(o[i].r, 0);
        ck_assert_uint_le(test_http_server_max_active(f.server), 2);
        ck_assert_uint_le(t.max_in_flight, 2);
        ck_assert_uint_eq(test_http_server_requests(f.server), 6);
        ticker_stop(&t);
        fixture_stop(&f);
}
END_TEST

/* ---- (f) streaming ---- */

struct collected {
        char *data;
        size_t len;
        unsigned chunks, resets;
        int refuse; /* < 0: refuse the first chunk with this */
};

static int collect(const void *data, size_t len, void *userdata)
{
        struct collected *c = userdata;
        if (!data) {
                c->resets++;
                c->len = 0;
                return 0;
        }
        if (c->refuse < 0)
                return c->refuse;
        c->chunks++;
        if (c->data) {
                memcpy(c->data + c->len, data, len);
        }
        c->len += len;
        return 0;
}

static char stream_body[5000];

static void reply_in_chunks(const struct test_http_request *req, struct test_http_reply *reply,
                            void *userdata)
{
        reply->body = stream_body;
        reply->body_len = sizeof(stream_body);
        reply->chunks = 5;
        reply->chunk_delay_ms = 50;
}

START_TEST(a_streamed_answer_reaches_the_sink_in_chunks)
{
        struct fixture f;
        struct outcome o = {};
        char got[sizeof(stream_body)];
        struct collected c = {.data = got};
        struct aws_call_options co = {.sink = collect, .sink_userdata = &c};

        for (size_t i = 0; i < sizeof(stream_body); i++)
                stream_body[i] = (char)('a' + i / 1000);
        fixture_start(&f, reply_in_chunks, NULL, NULL);
        call_and_wait(&f, &co, &o);
        ck_assert_int_eq(o.r, 0);
        ck_assert_int_eq(o.status, 200);
        ck_assert_uint_eq(o.body_len, 0); /* it all went to the sink */
        ck_assert_uint_eq(c.len, sizeof(stream_body));
        ck_assert(memcmp(got, stream_body, sizeof(stream_body)) == 0);
        ck_assert_uint_ge(c.chunks, 2);
        ck_assert_uint_eq(c.resets, 0);
        fixture_stop(&f);
}
END_TEST

static void reply_too_large(const struct test_http_request *req, struct test_http_reply *reply,
                            void *userdata)
{
        reply->filler_len = 16u * 1024 * 1024 + 1;
}

START_TEST(a_streamed_answer_over_16_mib_is_refused)
{
        struct fixture f;
        struct outcome o = {};
        struct collected c = {};
        struct aws_call_options co = {.sink = collect, .sink_userdata = &c};

        fixture_start(&f, reply_too_large, NULL, NULL);
        call_and_wait(&f, &co, &o);
        ck_assert_int_eq(o.r, -EFBIG);
        ck_assert_str_eq(o.e.code, "ResponseTooLarge");
        ck_assert_uint_le(c.len, 16u * 1024 * 1024);
        ck_assert_uint_eq(test_http_server_requests(f.server), 1); /* it would be too large again */
        fixture_stop(&f);
}
END_TEST

static void reply_invalid(const struct test_http_request *req, struct test_http_reply *reply, void *userdata)
{
        reply->status = 400;
        reply->body = invalid_body;
}

START_TEST(an_error_body_is_parsed_not_streamed)
{
        struct fixture f;
        struct outcome o = {};
        struct collected c = {};
        struct aws_call_options co = {.sink = collect, .sink_userdata = &c};

        fixture_start(&f, reply_invalid, NULL, NULL);
        call_and_wait(&f, &co, &o);
        ck_assert_int_eq(o.r, -EREMOTEIO);
        ck_assert_int_eq(o.e.kind, AWS_ERROR_SERVICE);
        ck_assert_str_eq(o.e.code, "InvalidParameterValue");
        ck_assert_str_eq(o.e.request_id, "rid-400");
        ck_assert_uint_eq(c.chunks, 0);
        fixture_stop(&f);
}
END_TEST

static void cut_then_whole(const struct test_http_request *req, struct test_http_reply *reply,
                           void *userdata)
{
        reply->body = stream_body;
        reply->body_len = sizeof(stream_body);
        if (req->seq == 0)
                reply->cut_after = 1000;
}

START_TEST(a_retried_stream_tells_the_sink_to_start_over)
{
        struct fixture f;
        struct outcome o = {};
        char got[sizeof(stream_body)];
        struct collected c = {.data = got};
        struct aws_call_options co = {.sink = collect, .sink_userdata = &c};

        memset(stream_body, 'z', sizeof(stream_body));
        random_value = 0;
        fixture_start(&f, cut_then_whole, NULL, NULL);
        call_and_wait(&f, &co, &o);
        ck_assert_int_eq(o.r, 0);
        ck_assert_uint_eq(test_http_server_requests(f.server), 2);
        ck_assert_uint_eq(c.resets, 1);
        ck_assert_uint_eq(c.len, sizeof(stream_body));
        ck_assert(memcmp(got, stream_body, sizeof(stream_body)) == 0);
        fixture_stop(&f);
}
END_TEST

START_TEST(a_sink_that_refuses_ends_the_call)
{
        struct fixture f;
        struct outcome o = {};
        struct collected c = {.refuse = -EBADMSG};
        struct aws_call_options co = {.sink = collect, .sink_userdata = &c};
        unsigned delay_ms = 0;

        fixture_start(&f, reply_slowly, &delay_ms, NULL);
        call_and_wait(&f, &co, &o);
        ck_assert_int_eq(o.r, -EBADMSG);
        ck_assert_str_eq(o.e.code, "BodySinkFailed");
        ck_assert_uint_eq(test_http_server_requests(f.server), 1);
        fixture_stop(&f);
}
END_TEST

/* ---- credentials refreshed for an async call: synchronous, but bounded ---- */

static void sts_unavailable(const struct test_http_request *req, struct test_http_reply *reply,
                            void *userdata)
{
        reply->status = 503;
        reply->body = unavailable_body;
        reply->delay_ms = *(unsigned *)userdata;
}

static void web_identity_env(char *path, size_t size)
{
        snprintf(path, size, "/tmp/aws-async-token-XXXXXX");
        int fd = mkstemp(path);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(write(fd, "header.payload.signature", 24), 24);
        close(fd);
        unsetenv("AWS_ACCESS_KEY_ID");
        unsetenv("AWS_SECRET_ACCESS_KEY");
        setenv("AWS_WEB_IDENTITY_TOKEN_FILE", path, 1);
        setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/backup", 1);
}

START_TEST(a_credentials_refresh_for_an_async_call_makes_one_sts_attempt)
{
        struct fixture f;
        struct outcome o = {};
        unsigned delay_ms = 0;
        char token[64];

        fixture_start(&f, sts_unavailable, &delay_ms, NULL);
        web_identity_env(token, sizeof(token));
        call_and_wait(&f, NULL, &o);
        ck_assert_int_lt(o.r, 0);
        /* One STS attempt and no backoff (the blocking path makes three); no RDS request without keys. */
        ck_assert_uint_eq(test_http_server_requests(f.server), 1);
        ck_assert_uint_eq(f.sleeps, 0);
        unlink(token);
        fixture_stop(&f);
}
END_TEST

START_TEST(a_slow_sts_holds_an_async_call_for_4_seconds_at_most)
{
        struct fixture f;
        struct outcome o = {};
        unsigned delay_ms = 30 * 1000; /* the client's own timeout is 60 s; the bounded refresh's 4 s */
        char token[64];

        fixture_start(&f, sts_unavailable, &delay_ms, NULL);
        web_identity_env(token, sizeof(token));
        call_and_wait(&f, NULL, &o);
        ck_assert_int_lt(o.r, 0);
        ck_assert_int_eq(o.e.kind, AWS_ERROR_TIMEOUT);
        ck_assert_uint_eq(test_http_server_requests(f.server), 1);
        unlink(token);
        fixture_stop(&f);
}
END_TEST

/* ---- the API's edges ---- */

START_TEST(an_invalid_endpoint_is_reported_from_the_loop_not_from_send)
{
        struct fixture f;
        struct outcome o = {};
        struct aws_request req = describe(NULL);
        unsigned delay_ms = 0;

        fixture_start(&f, reply_slowly, &delay_ms, NULL);
        setenv("AWS_ENDPOINT_URL", "http://rds.example.com", 1); /* plain http off loopback */
        ck_assert_int_eq(aws_client_send_async(f.client, &req, NULL, on_outcome, &o, NULL), 0);
        ck_assert(!o.done);
        run_until(&f, one_done, &o);
        ck_assert_int_eq(o.r, -EPROTO);
        ck_assert_str_eq(o.e.code, "InsecureEndpoint");
        ck_assert_uint_eq(test_http_server_requests(f.server), 0);
        fixture_stop(&f);
}
END_TEST

START_TEST(a_client_without_an_event_loop_refuses_async_calls)
{
        struct aws_client *c = NULL;
        struct aws_error e = {};
        struct aws_client_options o = {.region = "us-east-1"};
        struct aws_request req = describe(NULL);
        struct outcome out = {};

        test_env(9);
        ck_assert_int_eq(aws_client_new(&o, &c, &e), 0);
        ck_assert_int_eq(aws_client_send_async(c, &req, NULL, on_outcome, &out, NULL), -ENXIO);
        ck_assert(!out.done);
        aws_client_free(c);
}
END_TEST

TEST_SUITE(aws_async_suite)
{
        Suite *s = suite_create("aws-async");
        TCase *tc = tcase_create("async");
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, twenty_slow_calls_complete_while_a_50ms_timer_keeps_firing);
        tcase_add_test(tc, service_unavailable_is_retried_after_a_backoff_timer_not_a_sleep);
        tcase_add_test(tc, clock_skew_is_re_signed_once_with_the_servers_time);
        tcase_add_test(tc, cancelling_a_call_in_flight_calls_back_at_once_and_closes_its_connection);
        tcase_add_test(tc, cancelling_a_queued_call_reports_that_it_was_never_sent);
        tcase_add_test(tc, cancel_waiting_spares_the_call_on_the_wire);
        tcase_add_test(tc, freeing_the_client_drops_pending_calls_without_calling_back);
        tcase_add_test(tc, throttling_lowers_the_rate_and_successes_restore_it);
        tcase_add_test(tc, rate_limiter_makes_a_call_wait_for_its_token);
        tcase_add_test(tc, rate_limiter_stays_between_its_floor_and_its_ceiling);
        tcase_add_test(tc, rate_limiter_default_allows_a_burst_of_a_hundred_then_ten_a_second);
        tcase_add_test(tc, rate_limiter_burst_shrinks_with_the_rate);
        tcase_add_test(tc, calls_beyond_the_cap_wait_and_start_in_fifo_order);
        tcase_add_test(tc, no_more_than_the_cap_are_in_flight);
        tcase_add_test(tc, a_streamed_answer_reaches_the_sink_in_chunks);
        tcase_add_test(tc, a_streamed_answer_over_16_mib_is_refused);
        tcase_add_test(tc, an_error_body_is_parsed_not_streamed);
        tcase_add_test(tc, a_retried_stream_tells_the_sink_to_start_over);
        tcase_add_test(tc, a_sink_that_refuses_ends_the_call);
        tcase_add_test(tc, a_credentials_refresh_for_an_async_call_makes_one_sts_attempt);
        tcase_add_test(tc, a_slow_sts_holds_an_async_call_for_4_seconds_at_most);
        tcase_add_test(tc, an_invalid_endpoint_is_reported_from_the_loop_not_from_send);
        tcase_add_test(tc, a_client_without_an_event_loop_refuses_async_calls);
        suite_add_tcase(s, tc);
        return s;
}
