/* libcurl transport: one reused easy handle per client, TLS verification always on, timeouts, caps on
 * response headers and body. Converts curl errors to negative errno plus an aws_error. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "aws-client.h"
#include "aws-error.h"

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

/* Split an http(s) URL. Returns 0 with malloc'ed scheme/host (no brackets)/authority ("host[:port]"),
 * and the path ("" if none), or -EINVAL. */
int aws_url_split(const char *url, char **ret_scheme, char **ret_host, char **ret_authority,
                  char **ret_path);
bool aws_host_is_loopback(const char *host);
