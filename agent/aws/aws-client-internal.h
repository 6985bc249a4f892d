/* The client's private header: what the files above it in the AWS layer (aws-call, the service modules)
 * share with aws-client.c, not for the rest of the agent. */
#pragma once

#include "aws-client.h"
#include "aws-credentials.h"

/* ---- One call's way through the "standard" retries, step by step. aws_client_send (blocking) and
 * aws_client_send_async (aws-call.c) are both made of these, so that they resolve, sign, classify,
 * retry and scrub identically and differ only in how they wait. ---- */

/* A credentials refresh that runs for the asynchronous path is synchronous but bounded: its STS calls
 * get these timeouts and one attempt (instance and container metadata already use 1 s / 2 s). */
#define AWS_BOUNDED_REFRESH_CONNECT_MS 2000
#define AWS_BOUNDED_REFRESH_TOTAL_MS 4000

struct aws_send {
        const struct aws_request *req; /* must outlive the call */
        const char *region;
        char *endpoint;
        struct aws_credentials creds; /* AWS_SIGN_CLIENT: this attempt's copy */
        unsigned attempt;             /* attempts made so far (a clock-skew re-sign is not counted) */
        unsigned max_attempts;
        unsigned last_cost; /* retry quota taken by the last retry */
        bool skew_retried;
        bool bounded_refresh; /* refresh credentials with short timeouts (set by the async path) */
};

/* One signed attempt, ready for the transport. */
struct aws_attempt {
        char *url;
        char *headers[16]; /* "Name: value" lines, NULL-terminated; wiped when freed */
        size_t n_headers;
};
void aws_attempt_done(struct aws_attempt *a);

#define AWS_SEND_RETRY 1   /* send again at once (re-signed after a clock skew) */
#define AWS_SEND_BACKOFF 2 /* send again after *ret_delay_ms */

/* Resolve the endpoint and count the call. On failure `s` still needs aws_send_end. */
int aws_send_begin(struct aws_client *c, const struct aws_request *req, struct aws_send *s,
                   struct aws_error *e);
/* Credentials (may refresh them: see bounded_refresh) and signing of the next attempt. */
int aws_send_prepare(struct aws_client *c, struct aws_send *s, struct aws_attempt *ret, struct aws_error *e);
/* Judge an attempt: `r` and `resp` are what the transport returned (resp is consumed). Returns 0 with
 * the answer moved to `ret`, AWS_SEND_RETRY or AWS_SEND_BACKOFF (the retry quota paid), or the call's
 * final negative errno with `e` filled. */
int aws_send_judge(struct aws_client *c, struct aws_send *s, int r, struct aws_response *resp,
                   struct aws_response *ret, struct aws_error *e, uint64_t *ret_delay_ms);
/* Attempts count and secrets scrubbed from `e` on failure; frees what begin and prepare took. */
void aws_send_end(struct aws_client *c, struct aws_send *s, int r, struct aws_error *e);

/* The client's options after defaults (timeouts, attempts, clock, random). */
const struct aws_client_options *aws_client_options(const struct aws_client *c);
/* The asynchronous half of a client (aws-call.c), freed by aws_client_free through aws_async_free. */
struct aws_async;
struct aws_async *aws_client_async(const struct aws_client *c);
void aws_client_set_async(struct aws_client *c, struct aws_async *a);
void aws_async_free(struct aws_async *a);
/* aws_client_send() from a context its waiter can suspend: sends asynchronously and suspends until the
 * answer. Returns AWS_SEND_BLOCKING (> 0) when there is no such context (the caller then blocks). */
#define AWS_SEND_BLOCKING 3
int aws_async_send_suspending(struct aws_client *c, const struct aws_request *req, struct aws_response *ret,
                              struct aws_error *e);
/* A Query-protocol POST of the whole form body (aws-query.c builds it for the services, aws-sts.c for
 * STS): the one place that says how such a request looks. */
int aws_client_send_form(struct aws_client *c, enum aws_service svc, const char *form, size_t form_len,
                         enum aws_signing signing, const struct aws_credentials *creds,
                         struct aws_response *ret, struct aws_error *e);
void aws_client_set_last_request_id(struct aws_client *c, const char *request_id);
