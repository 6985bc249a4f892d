/* The shared fixture of the asynchronous transport's tests (see async-fixture.h). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "async-fixture.h"
#include "aws-test-env.h"
#include "macro.h"

const char ok_body[] = "<DescribeDBClustersResponse><DescribeDBClustersResult><DBClusters/>"
                       "</DescribeDBClustersResult><ResponseMetadata><RequestId>rid-ok</RequestId>"
                       "</ResponseMetadata></DescribeDBClustersResponse>";

const char unavailable_body[] = "<ErrorResponse><Error><Code>ServiceUnavailable</Code><Message>try "
                                "later</Message></Error><RequestId>rid-503</RequestId></ErrorResponse>";

const char throttling_body[] = "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>"
                               "<Message>Rate exceeded</Message></Error><RequestId>rid-429</RequestId>"
                               "</ErrorResponse>";

const char invalid_body[] = "<ErrorResponse><Error><Code>InvalidParameterValue</Code><Message>bad "
                            "marker</Message></Error><RequestId>rid-400</RequestId></ErrorResponse>";

/* ---- fixture ---- */

double random_value = 0.5;

static double fixed_random(void *userdata)
{
        return random_value;
}

static void counting_sleep(uint64_t ms, void *userdata)
{
        struct fixture *f = userdata;
        f->sleeps++;
}

void fixture_start(struct fixture *f, test_http_handler handler, void *userdata,
                   const struct aws_async_options *ao)
{
        struct aws_error e = {};

        *f = (struct fixture){};
        ck_assert_int_eq(test_http_server_start(handler, userdata, &f->server), 0);
        aws_test_env_loopback(test_http_server_port(f->server));
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

void fixture_stop(struct fixture *f)
{
        aws_client_free(f->client);
        aws_multi_unref(f->multi);
        sd_event_unref(f->event);
        test_http_server_stop(f->server);
}

uint64_t monotonic_usec(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

void run_until(struct fixture *f, bool (*done)(void *arg), void *arg)
{
        uint64_t start = monotonic_usec();
        while (!done(arg)) {
                ck_assert_int_ge(sd_event_run(f->event, 100 * 1000), 0);
                if (monotonic_usec() - start > SAFETY_NET_USEC)
                        ck_abort_msg("the event loop did not get there");
        }
}

/* ---- what a call reports ---- */

void on_outcome(struct aws_call *call, int r, struct aws_response *resp, const struct aws_error *e,
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

bool all_done(void *arg)
{
        struct outcomes *os = arg;
        for (size_t i = 0; i < os->n; i++)
                if (!os->o[i].done)
                        return false;
        return true;
}

bool one_done(void *arg)
{
        return ((struct outcome *)arg)->done;
}

struct aws_request describe(const char *query)
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

void call_and_wait(struct fixture *f, const struct aws_call_options *co, struct outcome *o)
{
        struct aws_request req = describe(NULL);
        ck_assert_int_eq(aws_client_send_async(f->client, &req, co, on_outcome, o, NULL), 0);
        run_until(f, one_done, o);
}

void send_each(struct fixture *f, struct outcomes *os)
{
        for (size_t i = 0; i < os->n; i++) {
                struct aws_request req = describe(NULL);
                ck_assert_int_eq(aws_client_send_async(f->client, &req, NULL, on_outcome, &os->o[i], NULL),
                                 0);
        }
}

/* ---- a timer that proves the loop keeps turning ---- */

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

void ticker_start(struct fixture *f, struct ticker *t)
{
        *t = (struct ticker){.client = f->client, .last_usec = monotonic_usec()};
        ck_assert_int_ge(
            sd_event_add_time_relative(f->event, &t->source, CLOCK_MONOTONIC, TICK_USEC, 1000, on_tick, t),
            0);
}

void ticker_stop(struct ticker *t)
{
        sd_event_source_disable_unref(t->source);
}

void slow_calls_start(struct slow_calls *s, size_t n, unsigned delay_ms, const struct aws_async_options *ao)
{
        ck_assert_uint_le(n, SLOW_CALLS_MAX);
        *s = (struct slow_calls){.delay_ms = delay_ms, .os = {s->o, n}};
        fixture_start(&s->f, reply_slowly, &s->delay_ms, ao);
        ticker_start(&s->f, &s->t);
        send_each(&s->f, &s->os);
}

void slow_calls_stop(struct slow_calls *s)
{
        ticker_stop(&s->t);
        fixture_stop(&s->f);
}

void reply_slowly(const struct test_http_request *req, struct test_http_reply *reply, void *userdata)
{
        reply->delay_ms = *(unsigned *)userdata;
        reply->extra_headers = "x-amzn-RequestId: rid-ok\r\n";
        reply->body = ok_body;
}
