/* What the asynchronous transport's tests (test-async-*.c) share: a loopback HTTP server, an event loop, a
 * client attached to it, what a call reports, and a timer that proves the loop keeps turning. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "aws-call.h"
#include "aws-client.h"
#include "aws-multi.h"
#include "aws-rate.h"
#include "http-test-server.h"

#define SAFETY_NET_USEC (20ULL * 1000000) /* a test that needs this long is broken, not slow */
#define TICK_USEC (50ULL * 1000)
#define MAX_GAP_USEC (500ULL * 1000)

extern const char ok_body[];
extern const char unavailable_body[];
extern const char throttling_body[];
extern const char invalid_body[];

/* What the client's jitter draws (0 to 1): a test sets it for the backoff it wants. */
extern double random_value;

struct fixture {
        sd_event *event;
        struct aws_multi *multi;
        struct aws_client *client;
        struct test_http_server *server;
        unsigned sleeps; /* calls of the client's sleep_ms: the async path must make none */
};

void fixture_start(struct fixture *f, test_http_handler handler, void *userdata,
                   const struct aws_async_options *ao);
void fixture_stop(struct fixture *f);
uint64_t monotonic_usec(void);
/* Run the loop until `done(arg)`; the safety net only stops a broken test from hanging. */
void run_until(struct fixture *f, bool (*done)(void *arg), void *arg);

struct outcome {
        bool done;
        int r;
        long status;
        size_t body_len;
        struct aws_error e;
        char request_id[AWS_ERROR_REQUEST_ID_MAX];
};

void on_outcome(struct aws_call *call, int r, struct aws_response *resp, const struct aws_error *e,
                void *userdata);

struct outcomes {
        struct outcome *o;
        size_t n;
};

bool all_done(void *arg);
bool one_done(void *arg);
struct aws_request describe(const char *query);
/* One DescribeDBClusters call (with `co`, may be NULL), and the loop run until it has answered. */
void call_and_wait(struct fixture *f, const struct aws_call_options *co, struct outcome *o);
/* One DescribeDBClusters call per outcome, all queued before the loop runs. */
void send_each(struct fixture *f, struct outcomes *os);

struct ticker {
        sd_event_source *source;
        struct aws_client *client;
        uint64_t last_usec, max_gap_usec;
        unsigned ticks;
        unsigned max_in_flight, max_queued, backoff_ticks;
};

/* A server handler: DescribeDBClusters answered after *(unsigned *)userdata ms. */
void reply_slowly(const struct test_http_request *req, struct test_http_reply *reply, void *userdata);

void ticker_start(struct fixture *f, struct ticker *t);
void ticker_stop(struct ticker *t);

#define SLOW_CALLS_MAX 20

/* Slow calls side by side: DescribeDBClusters calls answered after `delay_ms` (reply_slowly), all queued
 * before the loop runs, with a ticker watching the loop meanwhile. */
struct slow_calls {
        struct fixture f;
        struct ticker t;
        unsigned delay_ms;
        struct outcome o[SLOW_CALLS_MAX];
        struct outcomes os;
};

/* `n` (at most SLOW_CALLS_MAX) calls sent through a client made with `ao`. */
void slow_calls_start(struct slow_calls *s, size_t n, unsigned delay_ms, const struct aws_async_options *ao);
void slow_calls_stop(struct slow_calls *s);
