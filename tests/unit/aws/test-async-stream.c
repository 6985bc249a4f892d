/* The asynchronous transport's streamed answers: chunks reach the sink, the 16 MiB cap holds, an error
 * body is parsed, a retry starts the sink over. */
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

TEST_FILE("aws-async-stream", .timeout = 60);

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

/* One DescribeDBClusters call whose body goes to `c`, answered by `handler`, and the loop run until it has
 * answered; `f` is left started for the test to look at. */
static void call_into_sink(struct fixture *f, test_http_handler handler, void *userdata, struct collected *c,
                           struct outcome *o)
{
        struct aws_call_options co = {.sink = collect, .sink_userdata = c};

        fixture_start(f, handler, userdata, NULL);
        call_and_wait(f, &co, o);
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

TEST(a_streamed_answer_reaches_the_sink_in_chunks)
{
        struct fixture f;
        struct outcome o = {};
        char got[sizeof(stream_body)];
        struct collected c = {.data = got};

        for (size_t i = 0; i < sizeof(stream_body); i++)
                stream_body[i] = (char)('a' + i / 1000);
        call_into_sink(&f, reply_in_chunks, NULL, &c, &o);
        ck_assert_int_eq(o.r, 0);
        ck_assert_int_eq(o.status, 200);
        ck_assert_uint_eq(o.body_len, 0); /* it all went to the sink */
        ck_assert_uint_eq(c.len, sizeof(stream_body));
        ck_assert(memcmp(got, stream_body, sizeof(stream_body)) == 0);
        ck_assert_uint_ge(c.chunks, 2);
        ck_assert_uint_eq(c.resets, 0);
        fixture_stop(&f);
}

static void reply_too_large(const struct test_http_request *req, struct test_http_reply *reply,
                            void *userdata)
{
        reply->filler_len = 16u * 1024 * 1024 + 1;
}

TEST(a_streamed_answer_over_16_mib_is_refused)
{
        struct fixture f;
        struct outcome o = {};
        struct collected c = {};

        call_into_sink(&f, reply_too_large, NULL, &c, &o);
        ck_assert_int_eq(o.r, -EFBIG);
        ck_assert_str_eq(o.e.code, "ResponseTooLarge");
        ck_assert_uint_le(c.len, 16u * 1024 * 1024);
        ck_assert_uint_eq(test_http_server_requests(f.server), 1); /* it would be too large again */
        fixture_stop(&f);
}

static void reply_invalid(const struct test_http_request *req, struct test_http_reply *reply, void *userdata)
{
        reply->status = 400;
        reply->body = invalid_body;
}

TEST(an_error_body_is_parsed_not_streamed)
{
        struct fixture f;
        struct outcome o = {};
        struct collected c = {};

        call_into_sink(&f, reply_invalid, NULL, &c, &o);
        ck_assert_int_eq(o.r, -EREMOTEIO);
        ck_assert_int_eq(o.e.kind, AWS_ERROR_SERVICE);
        ck_assert_str_eq(o.e.code, "InvalidParameterValue");
        ck_assert_str_eq(o.e.request_id, "rid-400");
        ck_assert_uint_eq(c.chunks, 0);
        fixture_stop(&f);
}

static void cut_then_whole(const struct test_http_request *req, struct test_http_reply *reply,
                           void *userdata)
{
        reply->body = stream_body;
        reply->body_len = sizeof(stream_body);
        if (req->seq == 0)
                reply->cut_after = 1000;
}

TEST(a_retried_stream_tells_the_sink_to_start_over)
{
        struct fixture f;
        struct outcome o = {};
        char got[sizeof(stream_body)];
        struct collected c = {.data = got};

        memset(stream_body, 'z', sizeof(stream_body));
        random_value = 0;
        call_into_sink(&f, cut_then_whole, NULL, &c, &o);
        ck_assert_int_eq(o.r, 0);
        ck_assert_uint_eq(test_http_server_requests(f.server), 2);
        ck_assert_uint_eq(c.resets, 1);
        ck_assert_uint_eq(c.len, sizeof(stream_body));
        ck_assert(memcmp(got, stream_body, sizeof(stream_body)) == 0);
        fixture_stop(&f);
}

TEST(a_sink_that_refuses_ends_the_call)
{
        struct fixture f;
        struct outcome o = {};
        struct collected c = {.refuse = -EBADMSG};
        unsigned delay_ms = 0;

        call_into_sink(&f, reply_slowly, &delay_ms, &c, &o);
        ck_assert_int_eq(o.r, -EBADMSG);
        ck_assert_str_eq(o.e.code, "BodySinkFailed");
        ck_assert_uint_eq(test_http_server_requests(f.server), 1);
        fixture_stop(&f);
}
