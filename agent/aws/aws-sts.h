/* AWS STS (Query API 2011-06-15): AssumeRole, AssumeRoleWithWebIdentity, GetCallerIdentity. */
#pragma once

#include "aws-client.h"
#include "aws-credentials.h"
#include "aws-error.h"

struct sts_caller_identity {
        char *account;
        char *arn;
        char *user_id;
};
void sts_caller_identity_done(struct sts_caller_identity *id);

/* Signed with `source` (NULL: the client's credentials). duration_sec 0: the service default. */
int sts_assume_role(struct aws_client *c, const struct aws_credentials *source, const char *role_arn,
                    const char *external_id, const char *session_name, unsigned duration_sec,
                    struct aws_credentials *ret, struct aws_error *e);
/* Unsigned. `token` is the web identity token (a secret: never logged). */
int sts_assume_role_with_web_identity(struct aws_client *c, const char *role_arn, const char *session_name,
                                      const char *token, struct aws_credentials *ret, struct aws_error *e);
int sts_get_caller_identity(struct aws_client *c, struct sts_caller_identity *ret, struct aws_error *e);

/* Parse <...Result><Credentials>; exposed for tests. */
int sts_parse_credentials(const char *xml, size_t len, struct aws_credentials *ret, struct aws_error *e);
