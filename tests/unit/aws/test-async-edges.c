/* The asynchronous transport's edges: credentials refreshed for an async call, a bad endpoint, a client
 * without a loop. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-event.h>
#include <time.h>
#include <unistd.h>

#include "async-fixture.h"
#include "aws-test-env.h"
#include "macro.h"
#include "test-suite.h"

TEST_FILE("aws-async-edges", .timeout = 60);

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

TEST(a_credentials_refresh_for_an_async_call_makes_one_sts_attempt)
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

TEST(a_slow_sts_holds_an_async_call_for_4_seconds_at_most)
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

/* ---- the API's edges ---- */

TEST(an_invalid_endpoint_is_reported_from_the_loop_not_from_send)
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

TEST(a_client_without_an_event_loop_refuses_async_calls)
{
        struct aws_client *c = NULL;
        struct aws_error e = {};
        struct aws_client_options o = {.region = "us-east-1"};
        struct aws_request req = describe(NULL);
        struct outcome out = {};

        aws_test_env_loopback(9);
        ck_assert_int_eq(aws_client_new(&o, &c, &e), 0);
        ck_assert_int_eq(aws_client_send_async(c, &req, NULL, on_outcome, &out, NULL), -ENXIO);
        ck_assert(!out.done);
        aws_client_free(c);
}
