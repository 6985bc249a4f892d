/* The one error type of the AWS layer: what failed (HTTP status, AWS code, message, request id), whether
 * a retry could help, and the parsers that fill it from Query/XML and REST-JSON error responses. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

enum aws_error_kind {
        AWS_ERROR_NONE = 0,
        AWS_ERROR_SERVICE,     /* AWS answered with an error response (code, message, request id) */
        AWS_ERROR_TRANSPORT,   /* connection refused/reset, DNS, TLS, too large */
        AWS_ERROR_TIMEOUT,     /* connect or total timeout */
        AWS_ERROR_PARSE,       /* the response did not parse or lacked a required element */
        AWS_ERROR_CREDENTIALS, /* no credentials could be found or refreshed */
        AWS_ERROR_REFUSED,     /* refused in code before any I/O (e.g. deleting an awsbackup: snapshot) */
        AWS_ERROR_INVALID,     /* bad argument or configuration (endpoint, region, identifier) */
        _AWS_ERROR_KIND_MAX,
};

#define AWS_ERROR_CODE_MAX 128
#define AWS_ERROR_MESSAGE_MAX 512
#define AWS_ERROR_REQUEST_ID_MAX 128

/* Fixed-size so that callers embed it and never free it. Never holds a secret: messages that echo
 * one are scrubbed before they are stored (aws_error_scrub). */
struct aws_error {
        enum aws_error_kind kind;
        long http_status; /* 0: no HTTP response */
        char code[AWS_ERROR_CODE_MAX];
        char message[AWS_ERROR_MESSAGE_MAX];
        char request_id[AWS_ERROR_REQUEST_ID_MAX];
        bool retryable;
        bool throttling;
        unsigned attempts; /* attempts made by the call that failed */
};

void aws_error_clear(struct aws_error *e);
/* Set kind/code/message (printf-style); returns `r` (a negative errno) so callers can `return
 * aws_error_set(...)`. */
int aws_error_set(struct aws_error *e, int r, enum aws_error_kind kind, const char *code, const char *fmt,
                  ...) __attribute__((format(printf, 5, 6)));
const char *aws_error_kind_to_string(enum aws_error_kind kind);
/* One line for logs: "DBClusterNotFoundFault (HTTP 404): message [request id …]". */
const char *aws_error_to_string(const struct aws_error *e, char *buf, size_t size);

/* Replace every occurrence of each non-empty string of `secrets` (NULL-terminated) by "[redacted]". */
void aws_error_scrub(struct aws_error *e, const char *const *secrets);

/* An error AWS answered: kind SERVICE, the code, message and request id (each kept on one line), classified.
 * A NULL or empty code gives "HTTP<status>" and -EBADMSG; else 0. For the body parsers. */
int aws_error_set_service(struct aws_error *e, long http_status, const char *code, const char *message,
                          const char *request_id);
/* Parse a REST-JSON error: type from the x-amzn-ErrorType header value (may be NULL), cut at ':' and after
 * the last '#'; else the body's __type/code/Code. Message from message/Message. */
int aws_error_parse_json(struct aws_error *e, long http_status, const char *error_type_header,
                         const char *request_id_header, const char *body, size_t len);

/* Whether `code` says the request's signature is off by the clock (the client then re-signs once). */
bool aws_error_code_is_clock_skew(const char *code);
/* Set e->throttling and e->retryable from the kind, HTTP status and code, per the SDK "standard" retry
 * mode. */
void aws_error_classify(struct aws_error *e);

/* Whether the request may have reached AWS and taken effect although no answer says so: the connection
 * was cut or timed out, or a 2xx answer could not be read. A mutating call that fails so has an unknown
 * outcome, to be settled from what AWS shows later, never recorded as failed. */
bool aws_error_outcome_unknown(const struct aws_error *e);
