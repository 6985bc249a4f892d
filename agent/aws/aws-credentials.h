/* AWS credentials: the value type (wiped when freed) and the standard provider chain
 * (env -> web identity -> shared files/profile incl. assume role -> ECS container -> EC2 IMDSv2). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "aws-error.h"

struct aws_client;

struct aws_credentials {
        char *access_key_id;
        char *secret_access_key;
        char *session_token; /* NULL: long-term keys */
        int64_t expiration;  /* UTC epoch seconds; 0: does not expire */
        const char *
            source; /* static string: "env", "web-identity", "profile", "assume-role", "container", "imds" */
};

/* Wipe and free the strings; the struct itself is reset. Accepts NULL. */
void aws_credentials_done(struct aws_credentials *c);
int aws_credentials_copy(const struct aws_credentials *src, struct aws_credentials *ret);

/* Refresh this long before expiry (the issue asks for at least 5 minutes). */
#define AWS_CREDENTIALS_REFRESH_BEFORE_SEC (10 * 60)

/* Resolve credentials through the standard chain, without the cache. The client supplies the clock,
 * transport and STS endpoint. Returns 0 or a negative errno with `e` filled (kind CREDENTIALS when no
 * provider had any). */
int aws_credentials_resolve_chain(struct aws_client *client, struct aws_credentials *ret,
                                  struct aws_error *e);

/* Individual providers (exposed for tests). Each returns 1 if it produced credentials, 0 if it does
 * not apply (its settings are absent), or a negative errno with `e` filled if it applies and failed. */
int aws_credentials_from_env(struct aws_credentials *ret, struct aws_error *e);
int aws_credentials_from_web_identity(struct aws_client *client, struct aws_credentials *ret,
                                      struct aws_error *e);
int aws_credentials_from_profile(struct aws_client *client, struct aws_credentials *ret,
                                 struct aws_error *e);
int aws_credentials_from_container(struct aws_client *client, struct aws_credentials *ret,
                                   struct aws_error *e);
int aws_credentials_from_imds(struct aws_client *client, struct aws_credentials *ret, struct aws_error *e);

/* Shared config/credentials files: value of `key` in profile `profile` (config: "[profile X]" or
 * "[default]"; credentials: "[X]"). Returns 1 and a malloc'ed value, 0 if absent, negative errno. */
int aws_profile_get(const char *profile, const char *key, char **ret);
/* The same lookup in the text of one such file (config: true for ~/.aws/config), NUL-terminated; the
 * text is cut into lines in place. */
int aws_profile_ini_get(char *text, bool config, const char *profile, const char *key, char **ret);
/* AWS_PROFILE, else AWS_DEFAULT_PROFILE, else "default". */
const char *aws_profile_name(void);

/* Region from IMDS (placement/region), unless AWS_EC2_METADATA_DISABLED. */
int aws_imds_region(struct aws_client *client, char **ret, struct aws_error *e);
