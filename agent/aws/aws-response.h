/* What a transport hands back (an HTTP answer with its headers) and what a progress hook answers: the
 * types that the transport (aws-http), the STS calls and the client share, kept below all of them. */
#pragma once

#include <stddef.h>

/* The answers of a progress hook (aws_client_options.progress, aws_http_options.progress). */
enum {
        AWS_PROGRESS_CONTINUE = 0,
        AWS_PROGRESS_STOPPING = 1,
        AWS_PROGRESS_ABANDON = 2,
};

#define AWS_MAX_HEADERS 64

struct aws_response {
        long status;
        char *body; /* NUL-terminated, body_len bytes */
        size_t body_len;
        size_t n_headers;
        struct {
                char *name; /* lower-case */
                char *value;
        } headers[AWS_MAX_HEADERS];
};

void aws_response_done(struct aws_response *r);
const char *aws_response_header(const struct aws_response *r, const char *lower_name);
