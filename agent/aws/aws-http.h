/* libcurl transport: one reused easy handle per client, TLS verification always on, timeouts, caps on
 * response headers and body. Converts curl errors to negative errno plus an aws_error. */
#pragma once

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

#include "aws-buf.h"
#include "aws-error.h"
#include "aws-response.h"

#define AWS_HTTP_MAX_BODY (16u * 1024 * 1024)
#define AWS_HTTP_MAX_HEADER_LINE 8192

struct aws_http;

struct aws_http_options {
        const char *ca_bundle;
        unsigned connect_timeout_ms;
        unsigned total_timeout_ms;
        /* Called about once a second while a transfer runs; AWS_PROGRESS_ABANDON aborts it (error code
         * "Cancelled", kind TRANSPORT: its outcome is unknown). NULL: none. */
        int (*progress)(void *userdata);
        void *userdata;
};

int aws_http_new(const struct aws_http_options *o, struct aws_http **ret);
struct aws_http *aws_http_free(struct aws_http *h);

/* headers: "Name: value" lines. Returns 0 with any HTTP status in `ret`, or a negative errno with `e`
 * (kind TRANSPORT or TIMEOUT) when no complete response arrived. */
int aws_http_perform(struct aws_http *h, const char *method, const char *url, char *const *headers,
                     const char *body, size_t body_len, struct aws_response *ret, struct aws_error *e);

/* The same request in three steps, for transfers that a curl multi handle drives (aws-call.c). `t->resp`
 * must point to a zeroed response and `t` must stay put until aws_http_transfer_done. */
typedef int (*aws_http_sink)(const void *data, size_t len, void *userdata);
struct aws_http_transfer {
        struct aws_response *resp; /* headers arrive here, then status and body */
        /* Optional: a 2xx answer's body goes here in chunks as it arrives instead of into resp->body
         * (an error body is still kept for parsing). A negative return aborts the transfer. */
        aws_http_sink sink;
        void *sink_userdata;
        size_t sunk; /* bytes handed to the sink */
        /* Private to aws-http.c. */
        CURL *easy;
        struct curl_slist *headers;
        struct aws_buf body;
        size_t received; /* body bytes, kept or sunk: what AWS_HTTP_MAX_BODY caps */
        bool too_large;
        int sink_error;
};
/* Configure h's easy handle for the request (same options as aws_http_perform). */
int aws_http_transfer_setup(struct aws_http *h, struct aws_http_transfer *t, const char *method,
                            const char *url, char *const *headers, const char *body, size_t body_len,
                            struct aws_error *e);
/* After curl finished the transfer with `curl_code` (a CURLcode): as aws_http_perform returns. */
int aws_http_transfer_finish(struct aws_http_transfer *t, int curl_code, struct aws_response *ret,
                             struct aws_error *e);
/* Wipe and free the header copies; `t` may then be set up again. */
void aws_http_transfer_done(struct aws_http_transfer *t);
CURL *aws_http_easy(struct aws_http *h);

/* Split an http(s) URL. Returns 0 with malloc'ed scheme/host (no brackets)/authority ("host[:port]"),
 * and the path ("" if none), or -EINVAL. */
int aws_url_split(const char *url, char **ret_scheme, char **ret_host, char **ret_authority,
                  char **ret_path);
bool aws_host_is_loopback(const char *host);
