/* The standard credentials provider chain: environment, web identity (STS), shared config/credentials
 * files with assume role, ECS container credentials, EC2 IMDSv2. Secrets are wiped when freed. */
#include "aws-credentials-providers.h"

#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws-credentials-process.h"
#include "aws-http.h"
#include "aws-profile.h"
#include "macro.h"
#include "time-util.h"

#define TOKEN_FILE_MAX (64 * 1024)
#define PROFILE_MAX_DEPTH 4

static bool env_true(const char *name)
{
        const char *v = getenv(name);
        return v && strcasecmp(v, "true") == 0;
}

static int set_creds(struct aws_credentials *ret, const char *akid, const char *secret, const char *token,
                     int64_t expiration, const char *source)
{
        struct aws_credentials in = {
            .access_key_id = (char *)akid,
            .secret_access_key = (char *)secret,
            .session_token = isempty(token) ? NULL : (char *)token,
            .expiration = expiration,
            .source = source,
        };
        return aws_credentials_copy(&in, ret);
}

int aws_credentials_from_env(struct aws_credentials *ret, struct aws_error *e)
{
        const char *akid = getenv("AWS_ACCESS_KEY_ID"), *secret = getenv("AWS_SECRET_ACCESS_KEY");
        const char *token = getenv("AWS_SESSION_TOKEN") ?: getenv("AWS_SECURITY_TOKEN");
        const char *exp = getenv("AWS_CREDENTIAL_EXPIRATION");
        int64_t expiration = 0;

        if (isempty(akid) && isempty(secret))
                return 0;
        if (isempty(akid) || isempty(secret))
                return aws_error_set(e, -EINVAL, AWS_ERROR_CREDENTIALS, "IncompleteCredentials",
                                     "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together");
        if (!isempty(exp) && time_parse_iso8601(exp, &expiration) < 0)
                return aws_error_set(e, -EINVAL, AWS_ERROR_CREDENTIALS, "InvalidExpiration",
                                     "AWS_CREDENTIAL_EXPIRATION is not an ISO 8601 time");
        if (set_creds(ret, akid, secret, token, expiration, "env") < 0)
                return aws_error_set(e, -ENOMEM, AWS_ERROR_CREDENTIALS, "OutOfMemory", "out of memory");
        return 1;
}

/* The role session name when the configuration names none: the agent and the time of the call. */
#define SESSION_NAME_MAX 64
static const char *default_session_name(const struct aws_credentials_context *ctx,
                                        char name[SESSION_NAME_MAX])
{
        snprintf(name, SESSION_NAME_MAX, "aurora-backup-agent-%lld", (long long)ctx->now(ctx->now_userdata));
        return name;
}

static int web_identity(const struct aws_credentials_context *ctx, const char *token_file,
                        const char *role_arn, const char *session_name, struct aws_credentials *ret,
                        struct aws_error *e)
{
        _cleanup_erase_ char *token = NULL;
        /* Re-read on every call: the orchestrator rotates the file. */
        int r = aws_profile_read_file(token_file, TOKEN_FILE_MAX, &token);
        if (r < 0)
                return aws_error_set(e, r, AWS_ERROR_CREDENTIALS, "WebIdentityTokenFile",
                                     "cannot read the web identity token file %s: %s", token_file,
                                     strerror(-r));
        if (isempty(token))
                return aws_error_set(e, -EINVAL, AWS_ERROR_CREDENTIALS, "WebIdentityTokenFile",
                                     "web identity token file %s is empty", token_file);
        char name[SESSION_NAME_MAX];
        if (isempty(session_name))
                session_name = default_session_name(ctx, name);
        /* (sts_assume_role_with_web_identity marks them "web-identity".) */
        r = sts_assume_role_with_web_identity(&ctx->sts, role_arn, session_name, token, ret, e);
        return r < 0 ? r : 1;
}

int aws_credentials_from_web_identity(const struct aws_credentials_context *ctx, struct aws_credentials *ret,
                                      struct aws_error *e)
{
        const char *file = getenv("AWS_WEB_IDENTITY_TOKEN_FILE"), *role = getenv("AWS_ROLE_ARN");
        if (isempty(file) && isempty(role))
                return 0;
        if (isempty(file) || isempty(role))
                return aws_error_set(e, -EINVAL, AWS_ERROR_CREDENTIALS, "IncompleteWebIdentity",
                                     "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN must be set together");
        return web_identity(ctx, file, role, getenv("AWS_ROLE_SESSION_NAME"), ret, e);
}

/* The credentials a profile holds itself: static keys (which win, as in the AWS CLI), else its
 * credential_process. 1, 0 if it has neither, or a negative errno. */
static int profile_own_creds(const struct aws_credentials_context *ctx, const char *profile,
                             struct aws_credentials *ret, struct aws_error *e)
{
        _cleanup_free_ char *akid = NULL, *process = NULL;
        _cleanup_erase_ char *secret = NULL, *token = NULL;
        int r;

        if ((r = aws_profile_get(profile, "aws_access_key_id", &akid)) < 0 ||
            (r = aws_profile_get(profile, "aws_secret_access_key", &secret)) < 0 ||
            (r = aws_profile_get(profile, "aws_session_token", &token)) < 0 ||
            (r = aws_profile_get(profile, "credential_process", &process)) < 0)
                return aws_error_set(e, r, AWS_ERROR_CREDENTIALS, "ProfileError",
                                     "cannot read the AWS shared config/credentials files");
        if (akid || secret) {
                if (!akid || !secret)
                        return aws_error_set(
                            e, -EINVAL, AWS_ERROR_CREDENTIALS, "IncompleteCredentials",
                            "profile %s has only one of aws_access_key_id and aws_secret_access_key",
                            profile);
                if (set_creds(ret, akid, secret, token, 0, "profile") < 0)
                        return aws_error_set(e, -ENOMEM, AWS_ERROR_CREDENTIALS, "OutOfMemory",
                                             "out of memory");
                return 1;
        }
        if (!isempty(process))
                return aws_credentials_process_run(process, ctx ? ctx->process_timeout_ms : 0, ret, e);
        return 0;
}

/* credential_source: where a role profile's source credentials come from when it names no
 * source_profile. 1 or a negative errno (a source that has nothing is an error: the profile asked for it).
 */
static int credential_source_creds(const struct aws_credentials_context *ctx, const char *profile,
                                   const char *source, struct aws_credentials *ret, struct aws_error *e)
{
        int r;

        if (streq(source, "Environment"))
                r = aws_credentials_from_env(ret, e);
        else if (streq(source, "Ec2InstanceMetadata"))
                r = aws_credentials_from_imds(ctx, ret, e);
        else if (streq(source, "EcsContainer"))
                r = aws_credentials_from_container(ctx, ret, e);
        else
                return aws_error_set(e, -EINVAL, AWS_ERROR_CREDENTIALS, "InvalidCredentialSource",
                                     "profile %s: credential_source %.40s is not one of Environment, "
                                     "Ec2InstanceMetadata, EcsContainer",
                                     profile, source);
        if (r == 0)
                return aws_error_set(e, -ENOKEY, AWS_ERROR_CREDENTIALS, "NoCredentials",
                                     "profile %s: credential_source %s has no credentials (%s)", profile,
                                     source,
                                     streq(source, "Environment")    ? "AWS_ACCESS_KEY_ID is not set"
                                     : streq(source, "EcsContainer") ? "no container credentials URI is set"
                                                                     : "instance metadata is disabled");
        return r;
}

static int profile_creds(const struct aws_credentials_context *ctx, const char *profile, unsigned depth,
                         struct aws_credentials *ret, struct aws_error *e)
{
        _cleanup_free_ char *role_arn = NULL, *source = NULL, *credential_source = NULL, *external_id = NULL,
                            *session = NULL, *token_file = NULL;
        struct aws_credentials base = {};
        int r;

        if (depth > PROFILE_MAX_DEPTH)
                return aws_error_set(e, -ELOOP, AWS_ERROR_CREDENTIALS, "ProfileLoop",
                                     "source_profile chain from profile %s is too deep", profile);
        if ((r = aws_profile_get(profile, "role_arn", &role_arn)) < 0)
                return aws_error_set(e, r, AWS_ERROR_CREDENTIALS, "ProfileError",
                                     "cannot read the AWS shared config/credentials files");
        if (!role_arn)
                return profile_own_creds(ctx, profile, ret, e);

        if ((r = aws_profile_get(profile, "source_profile", &source)) < 0 ||
            (r = aws_profile_get(profile, "credential_source", &credential_source)) < 0 ||
            (r = aws_profile_get(profile, "external_id", &external_id)) < 0 ||
            (r = aws_profile_get(profile, "role_session_name", &session)) < 0 ||
            (r = aws_profile_get(profile, "web_identity_token_file", &token_file)) < 0)
                return aws_error_set(e, r, AWS_ERROR_CREDENTIALS, "ProfileError",
                                     "cannot read the AWS shared config/credentials files");
        if (token_file && depth == 0)
                return web_identity(ctx, token_file, role_arn, session, ret, e);
        if (source && credential_source)
                return aws_error_set(e, -EINVAL, AWS_ERROR_CREDENTIALS, "InvalidProfile",
                                     "profile %s has both source_profile and credential_source", profile);
        if (credential_source)
                r = credential_source_creds(ctx, profile, credential_source, &base, e);
        else if (!source && depth == 0)
                return aws_error_set(e, -EINVAL, AWS_ERROR_CREDENTIALS, "InvalidProfile",
                                     "profile %s has role_arn without source_profile or credential_source",
                                     profile);
        else if (!source || streq(source, profile))
                /* A source profile that names itself (or, down a chain, names none) uses its own keys. */
                r = profile_own_creds(ctx, profile, &base, e);
        else
                r = profile_creds(ctx, source, depth + 1, &base, e);
        if (r == 0 && depth > 0)
                return 0;
        if (r == 0)
                return aws_error_set(e, -ENOENT, AWS_ERROR_CREDENTIALS, "ProfileError",
                                     "source_profile %s of profile %s has no credentials", source, profile);
        if (r < 0)
                return r;

        /* Down a chain of roles the intermediate sessions get a fixed name. */
        char name[SESSION_NAME_MAX] = "aurora-backup-agent-chain";
        if (depth == 0 && !session)
                default_session_name(ctx, name);
        r = sts_assume_role(&ctx->sts, &base, role_arn, external_id, depth == 0 && session ? session : name,
                            0, ret, e);
        aws_credentials_done(&base);
        return r < 0 ? r : 1; /* sts_assume_role marks them "assume-role" */
}

int aws_credentials_from_profile(const struct aws_credentials_context *ctx, struct aws_credentials *ret,
                                 struct aws_error *e)
{
        return profile_creds(ctx, aws_profile_name(), 0, ret, e);
}

static const char *json_string(json_object *o, const char *key)
{
        json_object *v;
        if (json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string))
                return json_object_get_string(v);
        return NULL;
}

/* {AccessKeyId, SecretAccessKey, Token, Expiration} as both metadata services send it. */
static int parse_metadata_creds(const char *body, size_t len, const char *source,
                                struct aws_credentials *ret, struct aws_error *e)
{
        json_tokener *tok = json_tokener_new();
        json_object *o = tok && len < INT32_MAX ? json_tokener_parse_ex(tok, body, (int)len) : NULL;
        json_tokener_free(tok);
        int r;
        int64_t exp = 0;
        if (!o || !json_object_is_type(o, json_type_object)) {
                r = aws_error_set(e, -EBADMSG, AWS_ERROR_PARSE, "MalformedResponse",
                                  "%s credentials response is not a JSON object", source);
                goto finish;
        }
        const char *code = json_string(o, "Code"), *akid = json_string(o, "AccessKeyId"),
                   *secret = json_string(o, "SecretAccessKey"), *token = json_string(o, "Token"),
                   *expiration = json_string(o, "Expiration");
        if (code && !streq(code, "Success")) {
                r = aws_error_set(e, -EACCES, AWS_ERROR_CREDENTIALS, code, "%s credentials not available",
                                  source);
                goto finish;
        }
        if (isempty(akid) || isempty(secret) || (expiration && time_parse_iso8601(expiration, &exp) < 0)) {
                r = aws_error_set(
                    e, -EBADMSG, AWS_ERROR_PARSE, "MalformedResponse",
                    "%s credentials response lacks AccessKeyId/SecretAccessKey or has a bad Expiration",
                    source);
                goto finish;
        }
        r = set_creds(ret, akid, secret, token, exp, source);
        if (r < 0)
                r = aws_error_set(e, r, AWS_ERROR_CREDENTIALS, "OutOfMemory", "out of memory");
        else
                r = 1;
finish:
        json_object_put(o); /* json-c does not wipe: the strings were only in its heap */
        return r;
}

static bool container_host_allowed(const char *scheme, const char *host)
{
        if (streq(scheme, "https"))
                return true;
        return aws_host_is_loopback(host) || streq(host, "169.254.170.2") || streq(host, "169.254.170.23") ||
               streq(host, "fd00:ec2::23");
}

int aws_credentials_from_container(const struct aws_credentials_context *ctx, struct aws_credentials *ret,
                                   struct aws_error *e)
{
        const char *rel = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"),
                   *full = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
        _cleanup_free_ char *url = NULL, *scheme = NULL, *host = NULL;
        _cleanup_erase_ char *token = NULL, *auth_line = NULL;
        struct aws_response resp = {};
        int r;

        if (!isempty(rel)) {
                if (asprintf(&url, "http://169.254.170.2%s", rel) < 0)
                        return aws_error_set(e, -ENOMEM, AWS_ERROR_CREDENTIALS, "OutOfMemory",
                                             "out of memory");
        } else if (!isempty(full)) {
                url = strdup(full);
                if (!url)
                        return aws_error_set(e, -ENOMEM, AWS_ERROR_CREDENTIALS, "OutOfMemory",
                                             "out of memory");
        } else
                return 0;
        if (aws_url_split(url, &scheme, &host, NULL, NULL) < 0 || !container_host_allowed(scheme, host))
                return aws_error_set(e, -EPERM, AWS_ERROR_CREDENTIALS, "InvalidContainerUri",
                                     "container credentials URI must be https or a loopback/ECS address");

        const char *token_file = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
        if (!isempty(token_file)) {
                r = aws_profile_read_file(token_file, TOKEN_FILE_MAX, &token);
                if (r < 0)
                        return aws_error_set(e, r, AWS_ERROR_CREDENTIALS, "ContainerToken",
                                             "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE %s: %s",
                                             token_file, strerror(-r));
        } else if (!isempty(getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN"))) {
                token = strdup(getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN"));
                if (!token)
                        return aws_error_set(e, -ENOMEM, AWS_ERROR_CREDENTIALS, "OutOfMemory",
                                             "out of memory");
        }
        char *headers[2] = {};
        if (token) {
                if (strpbrk(token, "\r\n"))
                        return aws_error_set(e, -EINVAL, AWS_ERROR_CREDENTIALS, "ContainerToken",
                                             "container authorization token contains a line break");
                if (asprintf(&auth_line, "Authorization: %s", token) < 0) {
                        auth_line = NULL;
                        return aws_error_set(e, -ENOMEM, AWS_ERROR_CREDENTIALS, "OutOfMemory",
                                             "out of memory");
                }
                headers[0] = auth_line;
        }
        /* botocore makes 3 attempts. */
        for (unsigned attempt = 0; attempt < 3; attempt++) {
                aws_response_done(&resp);
                r = aws_http_perform(ctx->metadata_http, "GET", url, headers, NULL, 0, &resp, e);
                if (r >= 0 && resp.status < 500)
                        break;
        }
        if (r < 0) {
                aws_response_done(&resp);
                return r;
        }
        if (resp.status != 200) {
                long st = resp.status;
                aws_response_done(&resp);
                r = aws_error_set(e, -EACCES, AWS_ERROR_CREDENTIALS, "ContainerCredentials",
                                  "container credentials endpoint answered HTTP %ld", st);
                e->http_status = st;
                return r;
        }
        r = parse_metadata_creds(resp.body, resp.body_len, "container", ret, e);
        OPENSSL_cleanse(resp.body, resp.body_len);
        aws_response_done(&resp);
        return r;
}

static int imds_endpoint(char **ret, struct aws_error *e)
{
        const char *ep = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT"),
                   *mode = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
        if (isempty(ep))
                ep = mode && strcasecmp(mode, "IPv6") == 0 ? "http://[fd00:ec2::254]"
                                                           : "http://169.254.169.254";
        _cleanup_free_ char *scheme = NULL, *host = NULL, *authority = NULL;
        if (aws_url_split(ep, &scheme, &host, &authority, NULL) < 0)
                return aws_error_set(e, -EINVAL, AWS_ERROR_CREDENTIALS, "InvalidImdsEndpoint",
                                     "AWS_EC2_METADATA_SERVICE_ENDPOINT is not a valid URL");
        if (streq(scheme, "http") && !aws_host_is_loopback(host) && !streq(host, "169.254.169.254") &&
            !streq(host, "fd00:ec2::254"))
                return aws_error_set(e, -EPERM, AWS_ERROR_CREDENTIALS, "InvalidImdsEndpoint",
                                     "plain http metadata endpoint must be link-local or loopback");
        if (asprintf(ret, "%s://%s", scheme, authority) < 0)
                return aws_error_set(e, -ENOMEM, AWS_ERROR_CREDENTIALS, "OutOfMemory", "out of memory");
        return 0;
}

/* GET base+path with the session token header (if any). Returns 0 with a 200 body. */
static int imds_get(const struct aws_credentials_context *ctx, const char *base, const char *token,
                    const char *path, struct aws_response *ret, struct aws_error *e)
{
        _cleanup_free_ char *url = NULL;
        _cleanup_erase_ char *line = NULL;
        char *headers[2] = {};
        if (asprintf(&url, "%s%s", base, path) < 0)
                return aws_error_set(e, -ENOMEM, AWS_ERROR_CREDENTIALS, "OutOfMemory", "out of memory");
        if (token) {
                if (asprintf(&line, "X-aws-ec2-metadata-token: %s", token) < 0) {
                        line = NULL;
                        return aws_error_set(e, -ENOMEM, AWS_ERROR_CREDENTIALS, "OutOfMemory",
                                             "out of memory");
                }
                headers[0] = line;
        }
        struct aws_response resp = {};
        int r = aws_http_perform(ctx->metadata_http, "GET", url, headers, NULL, 0, &resp, e);
        if (r < 0)
                return r;
        if (resp.status != 200) {
                long st = resp.status;
                aws_response_done(&resp);
                r = aws_error_set(e, st == 404 ? -ENOENT : -EACCES, AWS_ERROR_CREDENTIALS, "ImdsError",
                                  "instance metadata %s answered HTTP %ld", path, st);
                e->http_status = st;
                return r;
        }
        *ret = resp;
        return 0;
}

/* IMDSv2 session token; falls back to IMDSv1 (NULL token) on 403/404/405 unless v1 is disabled. */
static int imds_token(const struct aws_credentials_context *ctx, const char *base, char **ret,
                      struct aws_error *e)
{
        _cleanup_free_ char *url = NULL;
        char *headers[] = {(char *)"X-aws-ec2-metadata-token-ttl-seconds: 21600", NULL};
        struct aws_response resp = {};
        if (asprintf(&url, "%s/latest/api/token", base) < 0)
                return aws_error_set(e, -ENOMEM, AWS_ERROR_CREDENTIALS, "OutOfMemory", "out of memory");
        int r = aws_http_perform(ctx->metadata_http, "PUT", url, headers, NULL, 0, &resp, e);
        if (r < 0)
                return r;
        if (resp.status == 200 && resp.body_len > 0 && resp.body_len < 4096 && !strpbrk(resp.body, "\r\n")) {
                *ret = TAKE_PTR(resp.body);
                aws_response_done(&resp);
                return 0;
        }
        long st = resp.status;
        aws_response_done(&resp);
        if ((st == 403 || st == 404 || st == 405) && !env_true("AWS_EC2_METADATA_V1_DISABLED")) {
                *ret = NULL;
                return 0;
        }
        r = aws_error_set(e, -EACCES, AWS_ERROR_CREDENTIALS, "ImdsError",
                          "IMDSv2 token request answered HTTP %ld", st);
        e->http_status = st;
        return r;
}

int aws_credentials_from_imds(const struct aws_credentials_context *ctx, struct aws_credentials *ret,
                              struct aws_error *e)
{
        _cleanup_free_ char *base = NULL, *role = NULL, *path = NULL;
        _cleanup_erase_ char *token = NULL;
        struct aws_response resp = {};
        int r;

        if (env_true("AWS_EC2_METADATA_DISABLED"))
                return 0;
        if ((r = imds_endpoint(&base, e)) < 0)
                return r;
        if ((r = imds_token(ctx, base, &token, e)) < 0)
                return r;
        if ((r = imds_get(ctx, base, token, "/latest/meta-data/iam/security-credentials/", &resp, e)) < 0)
                return r;
        size_t l = strcspn(resp.body, "\r\n");
        role = strndup(resp.body, l);
        aws_response_done(&resp);
        if (!role)
                return aws_error_set(e, -ENOMEM, AWS_ERROR_CREDENTIALS, "OutOfMemory", "out of memory");
        if (isempty(role) || strchr(role, '/') || strlen(role) > 128)
                return aws_error_set(e, -ENOENT, AWS_ERROR_CREDENTIALS, "ImdsNoRole",
                                     "instance metadata lists no usable IAM role");
        if (asprintf(&path, "/latest/meta-data/iam/security-credentials/%s", role) < 0) {
                path = NULL;
                return aws_error_set(e, -ENOMEM, AWS_ERROR_CREDENTIALS, "OutOfMemory", "out of memory");
        }
        if ((r = imds_get(ctx, base, token, path, &resp, e)) < 0)
                return r;
        r = parse_metadata_creds(resp.body, resp.body_len, "imds", ret, e);
        OPENSSL_cleanse(resp.body, resp.body_len);
        aws_response_done(&resp);
        return r;
}

int aws_imds_region(const struct aws_credentials_context *ctx, char **ret, struct aws_error *e)
{
        _cleanup_free_ char *base = NULL;
        _cleanup_erase_ char *token = NULL;
        struct aws_response resp = {};
        int r;

        if (env_true("AWS_EC2_METADATA_DISABLED"))
                return aws_error_set(e, -ENXIO, AWS_ERROR_INVALID, "ImdsDisabled",
                                     "instance metadata is disabled");
        if ((r = imds_endpoint(&base, e)) < 0 || (r = imds_token(ctx, base, &token, e)) < 0 ||
            (r = imds_get(ctx, base, token, "/latest/meta-data/placement/region", &resp, e)) < 0)
                return r;
        char *region = strndup(resp.body, strcspn(resp.body, "\r\n"));
        aws_response_done(&resp);
        if (!region)
                return aws_error_set(e, -ENOMEM, AWS_ERROR_INVALID, "OutOfMemory", "out of memory");
        *ret = region;
        return 0;
}

/* The profile in use assumes a role with credential_source = Environment: the environment's keys are that
 * role's source, and taking them directly (the chain's first provider) would act as the wrong principal. */
static bool profile_sources_environment(void)
{
        _cleanup_free_ char *role_arn = NULL, *source = NULL;
        const char *profile = aws_profile_name();
        return aws_profile_get(profile, "role_arn", &role_arn) > 0 &&
               aws_profile_get(profile, "credential_source", &source) > 0 && streq(source, "Environment");
}

struct chain {
        struct aws_credentials_provider iface; /* first: the client holds a pointer to it */
        struct aws_credentials_context ctx;
};

static int chain_resolve(struct aws_credentials_provider *p, struct aws_credentials *ret,
                         struct aws_error *e)
{
        static const struct {
                const char *name;
                int (*fn)(const struct aws_credentials_context *, struct aws_credentials *,
                          struct aws_error *);
        } providers[] = {
            {"web identity", aws_credentials_from_web_identity},
            {"shared config/credentials files", aws_credentials_from_profile},
            {"container", aws_credentials_from_container},
            {"instance metadata", aws_credentials_from_imds},
        };
        const struct chain *ch = (const struct chain *)p;
        int r = profile_sources_environment() ? 0 : aws_credentials_from_env(ret, e);
        if (r != 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(providers); i++) {
                struct aws_error pe = {};
                r = providers[i].fn(&ch->ctx, ret, &pe);
                if (r > 0)
                        return 1;
                if (r < 0) {
                        /* A provider that applies and fails stops the chain: falling through to
                         * another identity silently would act as the wrong principal. IMDS failing
                         * off EC2 is the normal "nothing found" end of the chain. */
                        if (providers[i].fn == aws_credentials_from_imds)
                                return aws_error_set(e, -ENOKEY, AWS_ERROR_CREDENTIALS, "NoCredentials",
                                                     "no AWS credentials found (environment, web identity, "
                                                     "profile %s, container, instance metadata: %s)",
                                                     aws_profile_name(), pe.code);
                        if (e)
                                *e = pe;
                        if (e && e->kind != AWS_ERROR_CREDENTIALS) {
                                char msg[AWS_ERROR_MESSAGE_MAX + 64];
                                snprintf(msg, sizeof(msg), "%s credentials: %s", providers[i].name,
                                         e->message);
                                snprintf(e->message, sizeof(e->message), "%.*s", (int)sizeof(e->message) - 1,
                                         msg);
                        }
                        return r;
                }
        }
        return aws_error_set(e, -ENOKEY, AWS_ERROR_CREDENTIALS, "NoCredentials",
                             "no AWS credentials found (environment, web identity, profile %s, container; "
                             "instance metadata disabled)",
                             aws_profile_name());
}

static void chain_free(struct aws_credentials_provider *p)
{
        free(p);
}

int aws_credentials_chain_new(const struct aws_credentials_context *ctx,
                              struct aws_credentials_provider **ret)
{
        struct chain *ch = calloc(1, sizeof(*ch));
        if (!ch)
                return -ENOMEM;
        ch->iface = (struct aws_credentials_provider){
            .name = "standard chain",
            .resolve = chain_resolve,
            .free = chain_free,
        };
        ch->ctx = *ctx;
        *ret = &ch->iface;
        return 0;
}
