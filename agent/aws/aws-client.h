/* The AWS client: options, region and endpoint resolution, cached credentials, and one signed call with
 * the SDK "standard" retries. Service modules (aws-rds, aws-backup, aws-s3, aws-kms) build on it; STS
 * sits below it and reaches AWS through the sender it gets from aws_client_sts(). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws-credentials.h"
#include "aws-error.h"
#include "aws-response.h"

enum aws_service {
        AWS_SERVICE_RDS,
        AWS_SERVICE_BACKUP,
        AWS_SERVICE_STS,
        AWS_SERVICE_S3,
        AWS_SERVICE_KMS,
        AWS_SERVICE_SNS,
        AWS_SERVICE_CLOUDWATCH, /* signing name and host "monitoring", AWS_ENDPOINT_URL_CLOUDWATCH */
        _AWS_SERVICE_MAX,
};

struct aws_client_options {
        const char *region;          /* NULL: AWS_REGION, AWS_DEFAULT_REGION, profile region, IMDS */
        const char *ca_bundle;       /* NULL: the system default */
        unsigned connect_timeout_ms; /* 0: 5000 */
        unsigned total_timeout_ms;   /* 0: 60000 */
        unsigned max_attempts;       /* 0: 3 (counts the first try) */
        /* Per-policy assume role: the chain's credentials assume this role (NULL: use them directly). */
        const char *role_arn;
        const char *external_id;
        const char *role_session_name; /* NULL: "aurora-backup-agent" */
        /* Injectable for tests; NULL means the real thing. */
        void (*sleep_ms)(uint64_t ms, void *userdata);
        int64_t (*now)(void *userdata);   /* UTC epoch seconds */
        double (*random)(void *userdata); /* uniform in [0, 1) for backoff jitter */
        /* Called about once a second while a request is in flight and between retries (the backoff is
         * slept in slices): AWS_PROGRESS_CONTINUE; AWS_PROGRESS_STOPPING (the transfer in flight may finish,
         * no retry starts); AWS_PROGRESS_ABANDON (the transfer is abandoned too). A stopped call fails with
         * code "Cancelled" (outcome unknown). For the daemon's watchdog and SIGTERM while the cycle still
         * runs synchronously. NULL: none. */
        int (*progress)(void *userdata);
        /* Called when a credentials refresh failed but the previous, still valid credentials stay in use. */
        void (*credentials_refresh_failed)(const struct aws_error *e, void *userdata);
        void *userdata;
};

/* One client per thread: it owns one reused curl handle, a credentials cache and a retry quota, and
 * takes no locks. Calls block for at most (attempts x total timeout + backoff); pass `sleep_ms` to
 * run the backoff elsewhere (tests pass a no-op). */
struct aws_client;

struct aws_client_stats {
        uint64_t calls[_AWS_SERVICE_MAX];    /* logical operations */
        uint64_t attempts[_AWS_SERVICE_MAX]; /* HTTP requests, retries included */
        uint64_t retries;
        uint64_t credential_refreshes;
};

/* Resolves the region (may query IMDS) but no credentials: those are fetched on first use.
 * Returns 0 or a negative errno with `e` filled. */
int aws_client_new(const struct aws_client_options *opts, struct aws_client **ret, struct aws_error *e);
/* A client for another region sharing nothing but the options (used for cross-region copies). */
int aws_client_new_for_region(const struct aws_client *c, const char *region, struct aws_client **ret,
                              struct aws_error *e);
struct aws_client *aws_client_free(struct aws_client *c);
static inline void aws_client_freep(struct aws_client **c)
{
        if (*c)
                aws_client_free(*c);
}

const char *aws_client_region(const struct aws_client *c);
const struct aws_client_stats *aws_client_stats(const struct aws_client *c);
int64_t aws_client_now(const struct aws_client *c);
/* The AWS request id of the last call that succeeded on `c` ("" if it had none), for the ledger. */
const char *aws_client_last_request_id(const struct aws_client *c);
/* The clock offset learnt from server Date headers after a skew error (seconds, server - local). */
int64_t aws_client_clock_offset(const struct aws_client *c);

/* Current credentials from the cache, refreshing them when they expire within
 * AWS_CREDENTIALS_REFRESH_BEFORE_SEC. If the refresh fails and the old ones are still valid they are
 * kept and credentials_refresh_failed is called. `ret` is a copy the caller frees with
 * aws_credentials_done. */
int aws_client_credentials(struct aws_client *c, struct aws_credentials *ret, struct aws_error *e);

/* The sender through which STS calls (aws-sts.h) go out on this client: its endpoint resolution,
 * signing, retries and caps. Valid as long as the client. */
struct aws_sts_sender;
const struct aws_sts_sender *aws_client_sts(const struct aws_client *c);

/* Endpoint for a service: AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, else
 * https://{svc}.{region}.amazonaws.com
 * (".amazonaws.com.cn" for cn- regions). Plain http is accepted only for loopback hosts. Returns a
 * malloc'ed URL without a trailing slash. */
int aws_endpoint_resolve(enum aws_service svc, const char *region, char **ret, struct aws_error *e);
/* The service's signing name, also its endpoint's host prefix ("monitoring" for CloudWatch); NULL when out
 * of range. */
const char *aws_service_to_string(enum aws_service svc);

/* ---- Low level: one signed request with retries. Used by the service modules. ---- */

enum aws_signing {
        AWS_SIGN_CLIENT = 0, /* the client's cached credentials */
        AWS_SIGN_EXPLICIT,   /* `credentials` below */
        AWS_SIGN_NONE,       /* unsigned (AssumeRoleWithWebIdentity) */
};

enum aws_protocol {
        AWS_PROTOCOL_QUERY, /* errors in XML ErrorResponse */
        AWS_PROTOCOL_REST_JSON,
        AWS_PROTOCOL_REST_XML, /* S3 */
        AWS_PROTOCOL_JSON,     /* JSON 1.1 with X-Amz-Target (KMS); errors as REST-JSON's */
};

struct aws_request {
        enum aws_service service;
        enum aws_protocol protocol;
        const char *method;       /* "GET", "POST", "PUT", "DELETE", "HEAD" */
        const char *path;         /* wire path, already encoded; NULL: "/" */
        const char *query;        /* wire query without '?', may be NULL */
        const char *content_type; /* NULL: the protocol's (content_type_of() in aws-client.c) */
        const char *target;       /* X-Amz-Target (JSON protocol), signed; NULL: none */
        const char *body;
        size_t body_len;
        enum aws_signing signing;
        const struct aws_credentials *credentials; /* for AWS_SIGN_EXPLICIT */
        const char *region;                        /* NULL: the client's */
        const char *endpoint;                      /* NULL: resolved for service/region */
};

/* Sign and send with retries. A 2xx (or 3xx for HEAD) answer returns 0 and fills `ret`; an AWS error
 * returns a negative errno with `e` filled (kind SERVICE, code from the body or header). */
int aws_client_send(struct aws_client *c, const struct aws_request *req, struct aws_response *ret,
                    struct aws_error *e);
