/* AWS Signature Version 4 (header signing). Pure: the time and the credentials are arguments, nothing is
 * read from the clock, the environment or the network. */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct aws_sigv4_header {
        const char *name;
        const char *value;
};

struct aws_sigv4_request {
        const char *method;
        /* The path as it goes on the wire (already percent-encoded by the caller where needed). It is
         * normalised and encoded once more for the canonical URI, except for S3 (`s3` service). */
        const char *path;
        const char *query; /* raw query string without '?', may be NULL */
        const struct aws_sigv4_header *headers;
        size_t n_headers;
        const void *payload; /* body bytes; hashed unless payload_sha256_hex is set */
        size_t payload_len;
        const char *payload_sha256_hex; /* e.g. from an x-amz-content-sha256 header; NULL: hash payload */
};

struct aws_sigv4_params {
        const char *access_key_id;
        const char *secret_access_key;
        const char *session_token; /* NULL: none; else must also appear in headers as X-Amz-Security-Token */
        const char *region;
        const char *service;
        int64_t time; /* UTC epoch seconds; the request's X-Amz-Date must be this time */
};

/* Outputs; each field is malloc'ed. canonical_request and string_to_sign hold no secret, but the
 * canonical request contains the session token when one is signed: treat it as secret. */
struct aws_sigv4_result {
        char *canonical_request;
        char *string_to_sign;
        char *signed_headers;
        char *authorization; /* the Authorization header value */
};

void aws_sigv4_result_done(struct aws_sigv4_result *r);

/* Returns 0, -EINVAL on a malformed input (header count/length caps, missing field), -ENOMEM, -EIO
 * (OpenSSL failure). `ret` is untouched on failure. */
int aws_sigv4_sign(const struct aws_sigv4_request *req, const struct aws_sigv4_params *params,
                   struct aws_sigv4_result *ret);

/* "20150830T123600Z" (16 characters). */
#define AWS_SIGV4_DATE_MAX 32
const char *aws_sigv4_format_date(int64_t t, char buf[static AWS_SIGV4_DATE_MAX]);

/* Percent-encode `len` bytes keeping only A-Za-z0-9-._~ (and '/' if keep_slash), upper-case hex. */
char *aws_uri_encode(const char *s, size_t len, int keep_slash);
/* Helpers exposed for tests. */
char *aws_sigv4_canonical_uri(const char *path, const char *service);
char *aws_sigv4_canonical_query(const char *query);
/* Hex SHA-256 into out[65]. Returns 0 or -EIO. */
int aws_sha256_hex(const void *data, size_t len, char out[static 65]);
