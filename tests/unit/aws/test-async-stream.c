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

static char stream_body[5000];

/* One DescribeDBClusters call whose body goes to the sink `c`, and what it reported. */
struct sink_call {
        struct fixture f;
        struct outcome o;
        struct collected c;
        char got[sizeof(
            stream_body)]; /* where the sink keeps what it is given: stream_body, if all goes well */
};

/* The call answered by `handler`, and the loop run until it has answered; `t->f` is left started for the
 * test to look at. */
static void call_into_sink(struct sink_call *t, test_http_handler handler, void *userdata)
{
        struct aws_call_options co = {.sink = collect, .sink_userdata = &t->c};

        fixture_start(&t->f, handler, userdata, NULL);
        call_and_wait(&t->f, &co, &t->o);
}

/* The sink kept all of stream_body, as sent. */
static void assert_sink_got_stream_body(const struct collected *c)
{
        ck_assert_uint_eq(c->len, sizeof(stream_body));
        ck_assert(memcmp(c->data, stream_body, sizeof(stream_body)) == 0);
}

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
        struct sink_call t = {};
        t.c.data = t.got;

        for (size_t i = 0; i < sizeof(stream_body); i++)
                stream_body[i] = (char)('a' + i / 1000);
        call_into_sink(&t, reply_in_chunks, NULL);
        ck_assert_int_eq(t.o.r, 0);
        ck_assert_int_eq(t.o.status, 200);
        ck_assert_uint_eq(t.o.body_len, 0); /* it all went to the sink */
        assert_sink_got_stream_body(&t.c);
        ck_assert_uint_ge(t.c.chunks, 2);
        ck_assert_uint_eq(t.c.resets, 0);
        fixture_stop(&t.f);
}

static void reply_too_large(const struct test_http_request *req, struct test_http_reply *reply,
                            void *userdata)
{
        reply->filler_len = 16u * 1024 * 1024 + 1;
}

TEST(a_streamed_answer_over_16_mib_is_refused)
{
        struct sink_call t = {};

        call_into_sink(&t, reply_too_large, NULL);
        ck_assert_int_eq(t.o.r, -EFBIG);
        ck_assert_str_eq(t.o.e.code, "ResponseTooLarge");
        ck_assert_uint_le(t.c.len, 16u * 1024 * 1024);
        ck_assert_uint_eq(test_http_server_requests(t.f.server), 1); /* it would be too large again */
        fixture_stop(&t.f);
}

static void reply_invalid(const struct test_http_request *req, struct test_http_reply *reply, void *userdata)
{
        reply->status = 400;
        reply->body = invalid_body;
}

TEST(an_error_body_is_parsed_not_streamed)
{
        struct sink_call t = {};

        call_into_sink(&t, reply_invalid, NULL);
        ck_assert_int_eq(t.o.r, -EREMOTEIO);
        ck_assert_int_eq(t.o.e.kind, AWS_ERROR_SERVICE);
        ck_assert_str_eq(t.o.e.code, "InvalidParameterValue");
        ck_assert_str_eq(t.o.e.request_id, "rid-400");
        ck_assert_uint_eq(t.c.chunks, 0);
        fixture_stop(&t.f);
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
        struct sink_call t = {};
        t.c.data = t.got;

        memset(stream_body, 'z', sizeof(stream_body));
        random_value = 0;
        call_into_sink(&t, cut_then_whole, NULL);
        ck_assert_int_eq(t.o.r, 0);
        ck_assert_uint_eq(test_http_server_requests(t.f.server), 2);
        ck_assert_uint_eq(t.c.resets, 1);
        assert_sink_got_stream_body(&t.c);
        fixture_stop(&t.f);
}

TEST(a_sink_that_refuses_ends_the_call)
{
        struct sink_call t = {.c.refuse = -EBADMSG};
        unsigned delay_ms = 0;

        call_into_sink(&t, reply_slowly, &delay_ms);
        ck_assert_int_eq(t.o.r, -EBADMSG);
        ck_assert_str_eq(t.o.e.code, "BodySinkFailed");
        ck_assert_uint_eq(test_http_server_requests(t.f.server), 1);
        fixture_stop(&t.f);
}
