/* AWS credentials: the value type (wiped when freed) and the interface of a credentials provider, which
 * the client holds and calls without knowing how credentials are made (the standard chain is in
 * aws-credentials-providers.h). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "aws-error.h"

struct aws_credentials {
        char *access_key_id;
        char *secret_access_key;
        char *session_token; /* NULL: long-term keys */
        int64_t expiration;  /* UTC epoch seconds; 0: does not expire */
        /* static string: "env", "web-identity", "profile", "assume-role", "process", "container", "imds" */
        const char *source;
};

/* Wipe and free the strings; the struct itself is reset. Accepts NULL. */
void aws_credentials_done(struct aws_credentials *c);
int aws_credentials_copy(const struct aws_credentials *src, struct aws_credentials *ret);

/* Refresh this long before expiry (the issue asks for at least 5 minutes). */
#define AWS_CREDENTIALS_REFRESH_BEFORE_SEC (10 * 60)

/* A source of credentials. `resolve` returns 1 with `ret` filled, 0 if the provider does not apply (its
 * settings are absent), or a negative errno with `e` filled (kind CREDENTIALS when nothing had any). */
struct aws_credentials_provider {
        const char *name; /* for messages: "standard chain" */
        int (*resolve)(struct aws_credentials_provider *p, struct aws_credentials *ret, struct aws_error *e);
        void (*free)(struct aws_credentials_provider *p);
};

int aws_credentials_provider_resolve(struct aws_credentials_provider *p, struct aws_credentials *ret,
                                     struct aws_error *e);
/* Accepts NULL; returns NULL. */
struct aws_credentials_provider *aws_credentials_provider_free(struct aws_credentials_provider *p);
