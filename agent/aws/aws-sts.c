/* AWS STS over the Query API: AssumeRole (signed), AssumeRoleWithWebIdentity (unsigned) and
 * GetCallerIdentity, sent through the owner's aws_sts_sender. */
#include "aws-sts.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "aws-buf.h"
#include "aws-query-form.h"
#include "aws-xml.h"
#include "macro.h"

#define STS_VERSION "2011-06-15"

static const struct aws_field identity_fields[] = {
    AWS_FIELD_TEXT("Account", struct sts_caller_identity, account),
    AWS_FIELD_TEXT("Arn", struct sts_caller_identity, arn),
    AWS_FIELD_TEXT("UserId", struct sts_caller_identity, user_id),
};

DEFINE_AWS_FIELDS_DONE(sts_caller_identity, struct sts_caller_identity, identity_fields)

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

/* One STS call: the form built here, sent by the owner, the answer parsed here (as aws_query_call does
 * for the other Query services). `*ret_result` is the <{action}Result> element, NULL if an answer has
 * only its Response root. The answer's text is wiped before it is freed: it holds credentials. */
static int sts_call(const struct aws_sts_sender *s, const char *action, const char *params,
                    enum aws_sts_auth auth, const struct aws_credentials *creds,
                    struct aws_xml_node **ret_doc, struct aws_xml_node **ret_result, struct aws_error *e)
{
        _cleanup_buf_ struct aws_buf form = {.secret = true}; /* may carry a web identity token */
        struct aws_response resp = {};
        int r = aws_query_form(&form, action, STS_VERSION, params, e);
        if (r < 0)
                return r;
        r = s->send(s->userdata, form.data, form.len, auth, creds, &resp, e);
        if (r < 0)
                return r;
        r = aws_query_answer(&resp, action, ret_doc, ret_result, e);
        if (resp.body)
                OPENSSL_cleanse(resp.body, resp.body_len);
        aws_response_done(&resp);
        return r;
}

static int assume(const struct aws_sts_sender *s, const char *action, const char *params,
                  enum aws_sts_auth auth, const struct aws_credentials *source, struct aws_credentials *ret,
                  struct aws_error *e)
{
        _cleanup_xml_ struct aws_xml_node *doc = NULL;
        struct aws_xml_node *result = NULL;
        int r = sts_call(s, action, params, auth, source, &doc, &result, e);
        if (r < 0)
                return r;
        return parse_credentials_node(result, ret, e);
}

int sts_assume_role(const struct aws_sts_sender *s, const struct aws_credentials *source,
                    const char *role_arn, const char *external_id, const char *session_name,
                    unsigned duration_sec, struct aws_credentials *ret, struct aws_error *e)
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
        int r = assume(s, "AssumeRole", params, source ? AWS_STS_AUTH_EXPLICIT : AWS_STS_AUTH_OWNER, source,
                       ret, e);
        if (r >= 0)
                ret->source = "assume-role";
        return r;
}

int sts_assume_role_with_web_identity(const struct aws_sts_sender *s, const char *role_arn,
                                      const char *session_name, const char *token,
                                      struct aws_credentials *ret, struct aws_error *e)
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
        int r = assume(s, "AssumeRoleWithWebIdentity", params, AWS_STS_AUTH_NONE, NULL, ret, e);
        const char *secrets[] = {token, NULL};
        aws_error_scrub(e, secrets);
        free_erase(params);
        if (r >= 0)
                ret->source = "web-identity";
        return r;
}

int sts_get_caller_identity(const struct aws_sts_sender *s, struct sts_caller_identity *ret,
                            struct aws_error *e)
{
        _cleanup_xml_ struct aws_xml_node *doc = NULL;
        struct aws_xml_node *res = NULL;
        int r = sts_call(s, "GetCallerIdentity", "", AWS_STS_AUTH_OWNER, NULL, &doc, &res, e);
        if (r < 0)
                return r;
        struct sts_caller_identity id = {};
        if (!res || aws_xml_read_fields(res, identity_fields, ELEMENTSOF(identity_fields), &id) < 0 ||
            !id.account || !id.arn) {
                sts_caller_identity_done(&id);
                return aws_error_set(e, -EBADMSG, AWS_ERROR_PARSE, "MalformedResponse",
                                     "GetCallerIdentity response lacks Account/Arn");
        }
        *ret = id;
        return 0;
}
