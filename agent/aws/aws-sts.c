/* AWS STS over the Query API: AssumeRole (signed), AssumeRoleWithWebIdentity (unsigned) and
 * GetCallerIdentity. */
#include "aws-sts.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "aws-buf.h"
#include "aws-internal.h"
#include "aws-xml.h"
#include "macro.h"

#define STS_VERSION "2011-06-15"

void sts_caller_identity_done(struct sts_caller_identity *id)
{
        if (!id)
                return;
        free(id->account);
        free(id->arn);
        free(id->user_id);
        *id = (struct sts_caller_identity){};
}

/* The tree wipes its text when it is freed (aws-xml.h): the secret key and token leave no copy behind. */
static int parse_credentials_node(const struct aws_xml_node *result, struct aws_credentials *ret,
                                  struct aws_error *e)
{
        struct aws_xml_node *cn = aws_xml_child(result, "Credentials");
        _cleanup_free_ char *akid = NULL;
        _cleanup_erase_ char *secret = NULL, *token = NULL;
        int64_t exp = 0;
        int r = 0;
        if (!cn || aws_xml_child_text(cn, "AccessKeyId", &akid) < 0 ||
            aws_xml_child_text(cn, "SecretAccessKey", &secret) < 0 ||
            aws_xml_child_text(cn, "SessionToken", &token) < 0 ||
            aws_xml_child_time(cn, "Expiration", &exp) < 0)
                r = -EBADMSG;
        if (r < 0 || isempty(akid) || isempty(secret) || isempty(token))
                return aws_error_set(
                    e, -EBADMSG, AWS_ERROR_PARSE, "MalformedResponse",
                    "STS response lacks Credentials/{AccessKeyId,SecretAccessKey,SessionToken}");
        *ret = (struct aws_credentials){
            .access_key_id = TAKE_PTR(akid),
            .secret_access_key = TAKE_PTR(secret),
            .session_token = TAKE_PTR(token),
            .expiration = exp,
            .source = "assume-role",
        };
        return 0;
}

int sts_parse_credentials(const char *xml, size_t len, struct aws_credentials *ret, struct aws_error *e)
{
        _cleanup_xml_ struct aws_xml_node *doc = NULL;
        int r = aws_xml_parse(xml, len, &doc, e);
        if (r < 0)
                return r;
        struct aws_xml_node *result =
            aws_xml_child(doc, "AssumeRoleResult") ?: aws_xml_child(doc, "AssumeRoleWithWebIdentityResult");
        return parse_credentials_node(result, ret, e);
}

static int assume(struct aws_client *c, const char *action, const char *params, enum aws_signing signing,
                  const struct aws_credentials *source, struct aws_credentials *ret, struct aws_error *e)
{
        _cleanup_xml_ struct aws_xml_node *doc = NULL;
        int r = aws_query_call(c, AWS_SERVICE_STS, action, STS_VERSION, params, signing, source, &doc, e);
        if (r < 0)
                return r;
        return parse_credentials_node(aws_query_result(doc, action), ret, e);
}

int sts_assume_role(struct aws_client *c, const struct aws_credentials *source, const char *role_arn,
                    const char *external_id, const char *session_name, unsigned duration_sec,
                    struct aws_credentials *ret, struct aws_error *e)
{
        struct aws_buf p = {};
        if (isempty(role_arn) || isempty(session_name))
                return aws_error_set(e, -EINVAL, AWS_ERROR_INVALID, "MissingParameter",
                                     "AssumeRole needs a role ARN and a session name");
        aws_buf_param(&p, "RoleArn", role_arn);
        aws_buf_param(&p, "RoleSessionName", session_name);
        if (!isempty(external_id))
                aws_buf_param(&p, "ExternalId", external_id);
        if (duration_sec)
                aws_buf_printf(&p, "&DurationSeconds=%u", duration_sec);
        _cleanup_free_ char *params = aws_buf_steal(&p);
        if (!params)
                return aws_error_set(e, -ENOMEM, AWS_ERROR_INVALID, "OutOfMemory", "out of memory");
        int r =
            assume(c, "AssumeRole", params, source ? AWS_SIGN_EXPLICIT : AWS_SIGN_CLIENT, source, ret, e);
        if (r >= 0)
                ret->source = "assume-role";
        return r;
}

int sts_assume_role_with_web_identity(struct aws_client *c, const char *role_arn, const char *session_name,
                                      const char *token, struct aws_credentials *ret, struct aws_error *e)
{
        struct aws_buf p = {.secret = true};
        if (isempty(role_arn) || isempty(session_name) || isempty(token))
                return aws_error_set(
                    e, -EINVAL, AWS_ERROR_INVALID, "MissingParameter",
                    "AssumeRoleWithWebIdentity needs a role ARN, a session name and a token");
        aws_buf_param(&p, "RoleArn", role_arn);
        aws_buf_param(&p, "RoleSessionName", session_name);
        aws_buf_param(&p, "WebIdentityToken", token);
        char *params = aws_buf_steal(&p);
        if (!params)
                return aws_error_set(e, -ENOMEM, AWS_ERROR_INVALID, "OutOfMemory", "out of memory");
        int r = assume(c, "AssumeRoleWithWebIdentity", params, AWS_SIGN_NONE, NULL, ret, e);
        const char *secrets[] = {token, NULL};
        aws_error_scrub(e, secrets);
        free_erase(params);
        if (r >= 0)
                ret->source = "web-identity";
        return r;
}

int sts_get_caller_identity(struct aws_client *c, struct sts_caller_identity *ret, struct aws_error *e)
{
        _cleanup_xml_ struct aws_xml_node *doc = NULL;
        int r = aws_query_call(c, AWS_SERVICE_STS, "GetCallerIdentity", STS_VERSION, "", AWS_SIGN_CLIENT,
                               NULL, &doc, e);
        if (r < 0)
                return r;
        struct aws_xml_node *res = aws_query_result(doc, "GetCallerIdentity");
        struct sts_caller_identity id = {};
        if (!res || aws_xml_child_text(res, "Account", &id.account) < 0 ||
            aws_xml_child_text(res, "Arn", &id.arn) < 0 ||
            aws_xml_child_text(res, "UserId", &id.user_id) < 0 || !id.account || !id.arn) {
                sts_caller_identity_done(&id);
                return aws_error_set(e, -EBADMSG, AWS_ERROR_PARSE, "MalformedResponse",
                                     "GetCallerIdentity response lacks Account/Arn");
        }
        *ret = id;
        return 0;
}
