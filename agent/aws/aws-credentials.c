/* The standard credentials provider chain: environment, web identity (STS), shared config/credentials
 * files with assume role, ECS container credentials, EC2 IMDSv2. Secrets are wiped when freed. */
#include "aws-credentials.h"

#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws-client.h"
#include "aws-http.h"
#include "aws-internal.h"
#include "aws-sts.h"
#include "macro.h"
#include "time-util.h"

#define PROFILE_FILE_MAX (1024 * 1024)
#define TOKEN_FILE_MAX (64 * 1024)
#define PROFILE_MAX_DEPTH 4

void aws_credentials_done(struct aws_credentials *c)
{
        if (!c)
                return;
        free_erase(c->access_key_id);
        free_erase(c->secret_access_key);
        free_erase(c->session_token);
        *c = (struct aws_credentials){};
}

int aws_credentials_copy(const struct aws_credentials *src, struct aws_credentials *ret)
{
        struct aws_credentials c = {
            .access_key_id = strdup(src->access_key_id ?: ""),
            .secret_access_key = strdup(src->secret_access_key ?: ""),
            .session_token = src->session_token ? strdup(src->session_token) : NULL,
            .expiration = src->expiration,
            .source = src->source,
        };
        if (!c.access_key_id || !c.secret_access_key || (src->session_token && !c.session_token)) {
                aws_credentials_done(&c);
                return -ENOMEM;
        }
        *ret = c;
        return 0;
}

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

/* Read a small file whole, NUL-terminated, trailing whitespace removed. */
static int read_small_file(const char *path, size_t max, char **ret)
{
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        if (!f)
                return -errno;
        char *buf = malloc(max + 1);
        if (!buf)
                return -ENOMEM;
        size_t n = fread(buf, 1, max + 1, f);
        if (ferror(f) || n > max) {
                free_erase(buf);
                return n > max ? -EFBIG : -EIO;
        }
        while (n > 0 && isspace((unsigned char)buf[n - 1]))
                n--;
        buf[n] = '\0';
        *ret = buf;
        return 0;
}

static int web_identity(struct aws_client *client, const char *token_file, const char *role_arn,
                        const char *session_name, struct aws_credentials *ret, struct aws_error *e)
{
        _cleanup_erase_ char *token = NULL;
        /* Re-read on every call: the orchestrator rotates the file. */
        int r = read_small_file(token_file, TOKEN_FILE_MAX, &token);
        if (r < 0)
                return aws_error_set(e, r, AWS_ERROR_CREDENTIALS, "WebIdentityTokenFile",
                                     "cannot read the web identity token file %s: %s", token_file,
                                     strerror(-r));
        if (isempty(token))
                return aws_error_set(e, -EINVAL, AWS_ERROR_CREDENTIALS, "WebIdentityTokenFile",
                                     "web identity token file %s is empty", token_file);
        char name[64];
        if (isempty(session_name)) {
                snprintf(name, sizeof(name), "aurora-backup-agent-%lld", (long long)aws_client_now(client));
                session_name = name;
        }
        r = sts_assume_role_with_web_identity(client, role_arn, session_name, token, ret, e);
        if (r < 0)
                return r;
        ret->source = "web-identity";
        return 1;
}

int aws_credentials_from_web_identity(struct aws_client *client, struct aws_credentials *ret,
                                      struct aws_error *e)
{
        const char *file = getenv("AWS_WEB_IDENTITY_TOKEN_FILE"), *role = getenv("AWS_ROLE_ARN");
        if (isempty(file) && isempty(role))
                return 0;
        if (isempty(file) || isempty(role))
                return aws_error_set(e, -EINVAL, AWS_ERROR_CREDENTIALS, "IncompleteWebIdentity",
                                     "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN must be set together");
        return web_identity(client, file, role, getenv("AWS_ROLE_SESSION_NAME"), ret, e);
}

const char *aws_profile_name(void)
{
        const char *p = getenv("AWS_PROFILE");
        if (isempty(p))
                p = getenv("AWS_DEFAULT_PROFILE");
        return isempty(p) ? "default" : p;
}

static int profile_file_path(bool config, char **ret)
{
        const char *env = getenv(config ? "AWS_CONFIG_FILE" : "AWS_SHARED_CREDENTIALS_FILE");
        if (!isempty(env)) {
                *ret = strdup(env);
                return *ret ? 0 : -ENOMEM;
        }
        const char *home = getenv("HOME");
        if (isempty(home))
                return -ENOENT;
        if (asprintf(ret, "%s/.aws/%s", home, config ? "config" : "credentials") < 0)
                return -ENOMEM;
        return 0;
}

static char *trim(char *s)
{
        while (isspace((unsigned char)*s))
                s++;
        size_t l = strlen(s);
        while (l > 0 && isspace((unsigned char)s[l - 1]))
                s[--l] = '\0';
        return s;
}

int aws_profile_ini_get(char *text, bool config, const char *profile, const char *key, char **ret)
{
        bool in_section = false;
        char *save = NULL;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                if (isspace((unsigned char)line[0]))
                        continue; /* nested sub-section values (e.g. "s3 =\n  addressing_style = ...") */
                char *l = trim(line);
                if (*l == '#' || *l == ';' || *l == '\0')
                        continue;
                if (*l == '[') {
                        char *end = strchr(l, ']');
                        if (!end)
                                continue;
                        *end = '\0';
                        char *name = trim(l + 1);
                        if (config) {
                                /* config: [default] or [profile NAME] */
                                const char *p = startswith(name, "profile ");
                                in_section = p ? streq(trim((char *)p), profile)
                                               : (streq(name, "default") && streq(profile, "default"));
                        } else
                                in_section = streq(name, profile);
                        continue;
                }
                if (!in_section)
                        continue;
                char *eq = strchr(l, '=');
                if (!eq)
                        continue;
                *eq = '\0';
                if (!streq(trim(l), key))
                        continue;
                char *v = strdup(trim(eq + 1));
                if (!v)
                        return -ENOMEM;
                *ret = v;
                return 1;
        }
        return 0;
}

/* INI lookup in one file. Returns 1 with value, 0 if absent (or no file), negative errno. */
static int ini_get(bool config, const char *profile, const char *key, char **ret)
{
        _cleanup_free_ char *path = NULL;
        _cleanup_erase_ char *data = NULL;
        int r = profile_file_path(config, &path);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        r = read_small_file(path, PROFILE_FILE_MAX, &data);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        return aws_profile_ini_get(data, config, profile, key, ret);
}

int aws_profile_get(const char *profile, const char *key, char **ret)
{
        int r = ini_get(false, profile, key, ret);
        if (r != 0)
                return r;
        return ini_get(true, profile, key, ret);
}

static int profile_creds(struct aws_client *client, const char *profile, unsigned depth,
                         struct aws_credentials *ret, struct aws_error *e)
{
        _cleanup_free_ char *role_arn = NULL, *source = NULL, *external_id = NULL, *session = NULL,
                            *token_file = NULL, *akid = NULL;
        _cleanup_erase_ char *secret = NULL, *token = NULL;
        int r;

        if (depth > PROFILE_MAX_DEPTH)
                return aws_error_set(e, -ELOOP, AWS_ERROR_CREDENTIALS, "ProfileLoop",
                                     "source_profile chain from profile %s is too deep", profile);
        if ((r = aws_profile_get(profile, "role_arn", &role_arn)) < 0 ||
            (r = aws_profile_get(profile, "aws_access_key_id", &akid)) < 0 ||
            (r = aws_profile_get(profile, "aws_secret_access_key", &secret)) < 0 ||
            (r = aws_profile_get(profile, "aws_session_token", &token)) < 0)
                return aws_error_set(e, r, AWS_ERROR_CREDENTIALS, "ProfileError",
                                     "cannot read the AWS shared config/credentials files");

        if (role_arn && depth == 0) {
                if ((r = aws_profile_get(profile, "source_profile", &source)) < 0 ||
                    (r = aws_profile_get(profile, "external_id", &external_id)) < 0 ||
                    (r = aws_profile_get(profile, "role_session_name", &session)) < 0 ||
                    (r = aws_profile_get(profile, "web_identity_token_file", &token_file)) < 0)
                        return aws_error_set(e, r, AWS_ERROR_CREDENTIALS, "ProfileError",
                                             "cannot read the AWS shared config/credentials files");
                if (token_file)
                        return web_identity(client, token_file, role_arn, session, ret, e);
                if (!source)
                        return aws_error_set(
                            e, -EOPNOTSUPP, AWS_ERROR_CREDENTIALS, "UnsupportedProfile",
                            "profile %s has role_arn without source_profile (credential_source "
                            "is not supported)",
                            profile);
                struct aws_credentials base = {};
                /* A source profile that names itself uses its own static keys. */
                if (streq(source, profile)) {
                        r = 0;
                        if (akid && secret) {
                                if (set_creds(&base, akid, secret, token, 0, "profile") < 0)
                                        return aws_error_set(e, -ENOMEM, AWS_ERROR_CREDENTIALS,
                                                             "OutOfMemory", "out of memory");
                                r = 1;
                        }
                } else
                        r = profile_creds(client, source, depth + 1, &base, e);
                if (r == 0)
                        return aws_error_set(e, -ENOENT, AWS_ERROR_CREDENTIALS, "ProfileError",
                                             "source_profile %s of profile %s has no credentials", source,
                                             profile);
                if (r < 0)
                        return r;
                char name[64] = "";
                if (!session) {
                        snprintf(name, sizeof(name), "aurora-backup-agent-%lld",
                                 (long long)aws_client_now(client));
                }
                r = sts_assume_role(client, &base, role_arn, external_id, session ?: name, 0, ret, e);
                aws_credentials_done(&base);
                if (r < 0)
                        return r;
                ret->source = "assume-role";
                return 1;
        }
        if (role_arn && depth > 0) {
                /* A role-assuming source profile: assume its role first, then ours (chained roles). */
                struct aws_credentials base = {};
                if ((r = aws_profile_get(profile, "source_profile", &source)) < 0)
                        return aws_error_set(e, r, AWS_ERROR_CREDENTIALS, "ProfileError",
                                             "cannot read profile");
                if (!source || streq(source, profile)) {
                        if (!akid || !secret)
                                return 0;
                        if (set_creds(&base, akid, secret, token, 0, "profile") < 0)
                                return aws_error_set(e, -ENOMEM, AWS_ERROR_CREDENTIALS, "OutOfMemory",
                                                     "out of memory");
                        r = 1;
                } else
                        r = profile_creds(client, source, depth + 1, &base, e);
                if (r <= 0)
                        return r;
                (void)aws_profile_get(profile, "external_id", &external_id);
                r = sts_assume_role(client, &base, role_arn, external_id, "aurora-backup-agent-chain", 0,
                                    ret, e);
                aws_credentials_done(&base);
                return r < 0 ? r : 1;
        }
        if (!akid && !secret)
                return 0;
        if (!akid || !secret)
                return aws_error_set(
                    e, -EINVAL, AWS_ERROR_CREDENTIALS, "IncompleteCredentials",
                    "profile %s has only one of aws_access_key_id and aws_secret_access_key", profile);
        if (set_creds(ret, akid, secret, token, 0, "profile") < 0)
                return aws_error_set(e, -ENOMEM, AWS_ERROR_CREDENTIALS, "OutOfMemory", "out of memory");
        return 1;
}

int aws_credentials_from_profile(struct aws_client *client, struct aws_credentials *ret, struct aws_error *e)
{
        return profile_creds(client, aws_profile_name(), 0, ret, e);
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

int aws_credentials_from_container(struct aws_client *client, struct aws_credentials *ret,
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
                r = read_small_file(token_file, TOKEN_FILE_MAX, &token);
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
                r = aws_client_http_raw(client, "GET", url, headers, NULL, 0, &resp, e);
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
static int imds_get(struct aws_client *client, const char *base, const char *token, const char *path,
                    struct aws_response *ret, struct aws_error *e)
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
        int r = aws_client_http_raw(client, "GET", url, headers, NULL, 0, &resp, e);
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
static int imds_token(struct aws_client *client, const char *base, char **ret, struct aws_error *e)
{
        _cleanup_free_ char *url = NULL;
        char *headers[] = {(char *)"X-aws-ec2-metadata-token-ttl-seconds: 21600", NULL};
        struct aws_response resp = {};
        if (asprintf(&url, "%s/latest/api/token", base) < 0)
                return aws_error_set(e, -ENOMEM, AWS_ERROR_CREDENTIALS, "OutOfMemory", "out of memory");
        int r = aws_client_http_raw(client, "PUT", url, headers, NULL, 0, &resp, e);
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

int aws_credentials_from_imds(struct aws_client *client, struct aws_credentials *ret, struct aws_error *e)
{
        _cleanup_free_ char *base = NULL, *role = NULL, *path = NULL;
        _cleanup_erase_ char *token = NULL;
        struct aws_response resp = {};
        int r;

        if (env_true("AWS_EC2_METADATA_DISABLED"))
                return 0;
        if ((r = imds_endpoint(&base, e)) < 0)
                return r;
        if ((r = imds_token(client, base, &token, e)) < 0)
                return r;
        if ((r = imds_get(client, base, token, "/latest/meta-data/iam/security-credentials/", &resp, e)) < 0)
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
        if ((r = imds_get(client, base, token, path, &resp, e)) < 0)
                return r;
        r = parse_metadata_creds(resp.body, resp.body_len, "imds", ret, e);
        OPENSSL_cleanse(resp.body, resp.body_len);
        aws_response_done(&resp);
        return r;
}

int aws_imds_region(struct aws_client *client, char **ret, struct aws_error *e)
{
        _cleanup_free_ char *base = NULL;
        _cleanup_erase_ char *token = NULL;
        struct aws_response resp = {};
        int r;

        if (env_true("AWS_EC2_METADATA_DISABLED"))
                return aws_error_set(e, -ENXIO, AWS_ERROR_INVALID, "ImdsDisabled",
                                     "instance metadata is disabled");
        if ((r = imds_endpoint(&base, e)) < 0 || (r = imds_token(client, base, &token, e)) < 0 ||
            (r = imds_get(client, base, token, "/latest/meta-data/placement/region", &resp, e)) < 0)
                return r;
        char *region = strndup(resp.body, strcspn(resp.body, "\r\n"));
        aws_response_done(&resp);
        if (!region)
                return aws_error_set(e, -ENOMEM, AWS_ERROR_INVALID, "OutOfMemory", "out of memory");
        *ret = region;
        return 0;
}

int aws_credentials_resolve_chain(struct aws_client *client, struct aws_credentials *ret,
                                  struct aws_error *e)
{
        static const struct {
                const char *name;
                int (*fn)(struct aws_client *, struct aws_credentials *, struct aws_error *);
        } providers[] = {
            {"web identity", aws_credentials_from_web_identity},
            {"shared config/credentials files", aws_credentials_from_profile},
            {"container", aws_credentials_from_container},
            {"instance metadata", aws_credentials_from_imds},
        };
        int r = aws_credentials_from_env(ret, e);
        if (r != 0)
                return r < 0 ? r : 0;
        for (size_t i = 0; i < ELEMENTSOF(providers); i++) {
                struct aws_error pe = {};
                r = providers[i].fn(client, ret, &pe);
                if (r > 0)
                        return 0;
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
