/* Internals shared by the files of the AWS layer (not for the rest of the agent). */
#pragma once

#include "aws-client.h"
#include "aws-credentials.h"

/* An unsigned request straight to a URL with the client's transport (metadata services). `headers`
 * is a NULL-terminated list of "Name: value" lines. Returns 0 with any HTTP status. */
int aws_client_http_raw(struct aws_client *c, const char *method, const char *url, char *const *headers,
                        const char *body, size_t body_len, struct aws_response *ret, struct aws_error *e);
/* Query API call (RDS, STS; aws-query.c): POST Action=...&Version=...&params, with the standard retries.
 * `params` is an already encoded "k=v&k=v" string (may be empty). aws_query_send returns 0 with the raw 2xx
 * answer (for a streaming parser); aws_query_call returns 0 with the parsed document, which has an
 * {action}Result or at least an {action}Response root. */
struct aws_xml_node;
int aws_query_send(struct aws_client *c, enum aws_service svc, const char *action, const char *version,
                   const char *params, enum aws_signing signing, const struct aws_credentials *creds,
                   struct aws_response *ret, struct aws_error *e);
int aws_query_call(struct aws_client *c, enum aws_service svc, const char *action, const char *version,
                   const char *params, enum aws_signing signing, const struct aws_credentials *creds,
                   struct aws_xml_node **ret_doc, struct aws_error *e);
/* The <{action}Result> element of a Query response, or NULL. */
struct aws_xml_node *aws_query_result(const struct aws_xml_node *doc, const char *action);

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
