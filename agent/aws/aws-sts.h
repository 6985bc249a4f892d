/* AWS STS (Query API 2011-06-15): AssumeRole, AssumeRoleWithWebIdentity, GetCallerIdentity. The requests
 * go out through a sender that the client supplies (aws_client_sts()), so that STS and the credential
 * providers built on it sit below the client and never include aws-client.h. */
#pragma once

#include <stddef.h>

#include "aws-credentials.h"
#include "aws-error.h"
#include "aws-response.h"

enum aws_sts_auth {
        AWS_STS_AUTH_OWNER,    /* signed with the sender's owner's (the client's) own credentials */
        AWS_STS_AUTH_EXPLICIT, /* signed with the credentials passed along */
        AWS_STS_AUTH_NONE,     /* unsigned (AssumeRoleWithWebIdentity: the token is the proof) */
};

/* `send` POSTs `form` (the whole "Action=...&Version=...&..." body; it may hold a token and is wiped by
 * the caller) to the STS endpoint with the owner's endpoint resolution, retries, timeouts and caps.
 * Returns 0 with a 2xx answer in `ret`, or a negative errno with `e` filled. */
struct aws_sts_sender {
        int (*send)(void *userdata, const char *form, size_t form_len, enum aws_sts_auth auth,
                    const struct aws_credentials *creds, struct aws_response *ret, struct aws_error *e);
        void *userdata;
};

struct sts_caller_identity {
        char *account;
        char *arn;
        char *user_id;
};
void sts_caller_identity_done(struct sts_caller_identity *id);

/* Signed with `source` (NULL: the owner's credentials). duration_sec 0: the service default. */
int sts_assume_role(const struct aws_sts_sender *s, const struct aws_credentials *source,
                    const char *role_arn, const char *external_id, const char *session_name,
                    unsigned duration_sec, struct aws_credentials *ret, struct aws_error *e);
/* Unsigned. `token` is the web identity token (a secret: never logged). */
int sts_assume_role_with_web_identity(const struct aws_sts_sender *s, const char *role_arn,
                                      const char *session_name, const char *token,
                                      struct aws_credentials *ret, struct aws_error *e);
int sts_get_caller_identity(const struct aws_sts_sender *s, struct sts_caller_identity *ret,
                            struct aws_error *e);

/* Parse <...Result><Credentials>; exposed for tests. */
int sts_parse_credentials(const char *xml, size_t len, struct aws_credentials *ret, struct aws_error *e);
