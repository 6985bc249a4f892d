/* The asynchronous path wipes secrets before freeing them too: its copies of explicit credentials, the
 * per-attempt credentials, the signed header lines (X-Amz-Security-Token) and curl's copies of them.
 * Linked with -Wl,--wrap=free like test-wipe.c: every free() of the agent's own code passes a scanner
 * (libcurl's, libsystemd's and OpenSSL's frees do not). */
#include <check.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-event.h>

#include "aws-call.h"
#include "aws-client.h"
#include "aws-multi.h"
#include "aws-test-env.h"
#include "http-test-server.h"
#include "macro.h"
#include "test-suite.h"
#include "wipe-scanner.h"

TEST_FILE("aws-async-wipe", .timeout = 60);

#define SECRET "async-wipe-SECRET-0123456789abcdefghijklmn"
#define TOKEN "async-wipe-TOKEN-FwoGZXIvYXdzEJr//////////wEaDOm0123456789"

static void reply(const struct test_http_request *req, struct test_http_reply *rp, void *userdata)
{
        /* The second request never gets an answer: it is cancelled in flight. */
        rp->delay_ms = req->seq == 1 ? 60 * 1000 : 0;
        rp->body = "<DescribeDBClustersResponse><DescribeDBClustersResult/></DescribeDBClustersResponse>";
}

static void on_done(struct aws_call *call, int r, struct aws_response *resp, const struct aws_error *e,
                    void *userdata)
{
        (*(unsigned *)userdata)++;
}

static void run_until_done(sd_event *event, unsigned *done, unsigned want)
{
        for (unsigned i = 0; *done < want && i < 200; i++)
                ck_assert_int_ge(sd_event_run(event, 100 * 1000), 0);
        ck_assert_uint_eq(*done, want);
}

static bool server_got_two(struct test_http_server *s)
{
        return test_http_server_requests(s) >= 2;
}

TEST(async_calls_wipe_keys_and_tokens_before_free)
{
        struct test_http_server *server = NULL;
        sd_event *event = NULL;
        struct aws_multi *multi = NULL;
        struct aws_client *client = NULL;
        struct aws_error e = {};
        struct aws_call *in_flight = NULL;
        unsigned done = 0;
        static const char body[] = "Action=DescribeDBClusters&Version=2014-10-31";
        const struct aws_credentials explicit = {
            .access_key_id = (char *)"AKIDEXPLICIT",
            .secret_access_key = (char *)SECRET,
            .session_token = (char *)TOKEN,
        };
        struct aws_request req = {
            .service = AWS_SERVICE_RDS,
            .protocol = AWS_PROTOCOL_QUERY,
            .method = "POST",
            .content_type = "application/x-www-form-urlencoded",
            .body = body,
            .body_len = sizeof(body) - 1,
        };

        ck_assert_int_eq(test_http_server_start(reply, NULL, &server), 0);
        aws_test_env_loopback(test_http_server_port(server));
        /* The secrets the scanner looks for. */
        setenv("AWS_SECRET_ACCESS_KEY", SECRET, 1);
        setenv("AWS_SESSION_TOKEN", TOKEN, 1);

        wipe_watch(SECRET, TOKEN);
        ck_assert_int_ge(sd_event_new(&event), 0);
        ck_assert_int_eq(aws_multi_new(event, &multi), 0);
        struct aws_client_options o = {.region = "us-east-1"};
        ck_assert_int_eq(aws_client_new(&o, &client, &e), 0);
        ck_assert_int_eq(aws_client_attach_multi(client, multi, NULL), 0);

        /* The client's credentials, answered; then explicit ones, cancelled in flight. */
        ck_assert_int_eq(aws_client_send_async(client, &req, NULL, on_done, &done, NULL), 0);
        run_until_done(event, &done, 1);
        req.signing = AWS_SIGN_EXPLICIT;
        req.credentials = &explicit;
        ck_assert_int_eq(aws_client_send_async(client, &req, NULL, on_done, &done, &in_flight), 0);
        for (unsigned i = 0; !server_got_two(server) && i < 200; i++)
                ck_assert_int_ge(sd_event_run(event, 100 * 1000), 0);
        ck_assert_int_eq(aws_call_cancel(in_flight), 1);
        ck_assert_uint_eq(done, 2);
        aws_call_unref(in_flight);

        aws_client_free(client);
        aws_multi_unref(multi);
        sd_event_unref(event);
        wipe_unwatch();
        test_http_server_stop(server);

        ck_assert_uint_gt(wipe_freed_blocks(), 0);
        ck_assert_uint_eq(wipe_blocks_with_secret(), 0);
}
