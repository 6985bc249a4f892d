/* The standard credential providers (environment, web identity, shared config/credentials files with
 * assume role, ECS container, EC2 IMDSv2) and the chain of them that a client holds behind the
 * aws_credentials_provider interface. What they need from the client comes in an
 * aws_credentials_context, so that nothing here includes aws-client.h. */
#pragma once

#include <stdint.h>

#include "aws-credentials.h"
#include "aws-error.h"
#include "aws-sts.h"

struct aws_http;

struct aws_credentials_context {
        struct aws_http *metadata_http; /* instance and container metadata: short timeouts */
        struct aws_sts_sender sts;      /* web identity and role profiles */
        int64_t (*now)(void *userdata); /* UTC epoch seconds, for session names */
        void *now_userdata;
        unsigned process_timeout_ms; /* credential_process; 0: AWS_CREDENTIALS_PROCESS_TIMEOUT_MS */
};

/* The standard chain: env -> web identity -> shared files/profile (static keys, credential_process, or
 * role_arn with source_profile or credential_source) -> ECS container -> EC2 IMDSv2. The environment is
 * skipped when the profile in use assumes a role with credential_source = Environment (its keys are that
 * role's source). The first provider that applies wins; one that applies and fails ends the chain (falling
 * through to another identity would act as the wrong principal). `ctx` is copied; what it points to
 * must outlive the chain. When nothing applies, resolving fails with code NoCredentials. */
int aws_credentials_chain_new(const struct aws_credentials_context *ctx,
                              struct aws_credentials_provider **ret);

/* Individual providers (exposed for tests). Each returns 1 if it produced credentials, 0 if it does
 * not apply (its settings are absent), or a negative errno with `e` filled if it applies and failed. */
int aws_credentials_from_env(struct aws_credentials *ret, struct aws_error *e);
int aws_credentials_from_web_identity(const struct aws_credentials_context *ctx, struct aws_credentials *ret,
                                      struct aws_error *e);
int aws_credentials_from_profile(const struct aws_credentials_context *ctx, struct aws_credentials *ret,
                                 struct aws_error *e);
int aws_credentials_from_container(const struct aws_credentials_context *ctx, struct aws_credentials *ret,
                                   struct aws_error *e);
int aws_credentials_from_imds(const struct aws_credentials_context *ctx, struct aws_credentials *ret,
                              struct aws_error *e);

/* Region from IMDS (placement/region), unless AWS_EC2_METADATA_DISABLED. */
int aws_imds_region(const struct aws_credentials_context *ctx, char **ret, struct aws_error *e);
