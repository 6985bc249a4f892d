/* The AWS client: region and endpoint resolution, the credentials cache, and aws_client_send(), which
 * signs, sends and retries one request in the SDK "standard" mode (with clock-skew correction). */
#include "aws-client.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws-buf.h"
#include "aws-client-internal.h"
#include "aws-credentials-providers.h"
#include "aws-http.h"
#include "aws-profile.h"
#include "aws-retry.h"
#include "aws-sigv4.h"
#include "aws-sts.h"
#include "aws-xml.h"
#include "build-config.h"
#include "macro.h"
#include "string-table.h"
#include "strv.h"

#define DEFAULT_CONNECT_TIMEOUT_MS 5000
#define DEFAULT_TOTAL_TIMEOUT_MS 60000
#define CLOCK_SKEW_MIN_SEC 60 /* smaller differences are not worth a re-signed retry */

struct aws_client {
        struct aws_client_options opts;
        char *region;
        char *ca_bundle;
        char *role_arn;
        char *external_id;
        char *role_session_name;
        struct aws_http *http;
        struct aws_http *meta_http; /* short timeouts for instance/container metadata */
        /* While > 0 a credentials refresh runs for the asynchronous path: its STS calls get short
         * timeouts and one attempt, so that the event loop is never held long (aws-call.c). */
        unsigned bounded_refresh;
        struct aws_http *refresh_http;
        struct aws_async *async; /* aws-call.c; NULL until aws_client_attach_multi */
        struct aws_retry_quota quota;
        int64_t clock_offset;
        /* What the credential providers and STS get from the client (its metadata transport, its clock,
         * its STS sender), and the standard chain built on it: the client sees only the interface. */
        struct aws_credentials_context cctx;
        struct aws_credentials_provider *provider;
        struct aws_credentials creds;
        bool have_creds;
        struct aws_client_stats stats;
        char last_request_id[AWS_ERROR_REQUEST_ID_MAX]; /* of the last successful call */
};

static int client_sts_send(void *userdata, const char *form, size_t form_len, enum aws_sts_auth auth,
                           const struct aws_credentials *creds, struct aws_response *ret,
                           struct aws_error *e);

static const char *const aws_service_table[_AWS_SERVICE_MAX] = {
    [AWS_SERVICE_RDS] = "rds",
    [AWS_SERVICE_BACKUP] = "backup",
    [AWS_SERVICE_STS] = "sts",
    [AWS_SERVICE_S3] = "s3",
    [AWS_SERVICE_KMS] = "kms",
    [AWS_SERVICE_SNS] = "sns",
    [AWS_SERVICE_CLOUDWATCH] = "monitoring",
};

/* The SDKs' service ids, for AWS_ENDPOINT_URL_<ID>, where they differ from the signing name. */
static const char *const service_env_ids[_AWS_SERVICE_MAX] = {
    [AWS_SERVICE_CLOUDWATCH] = "CLOUDWATCH",
};

DEFINE_STRING_TABLE_TO_STRING(aws_service, enum aws_service, aws_service_table, NULL)

static bool region_is_valid(const char *r)
{
        size_t l = strlen(r);
        if (l == 0 || l > 32)
                return false;
        for (const char *p = r; *p; p++)
                if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '-'))
                        return false;
        return true;
}

int aws_endpoint_resolve(enum aws_service svc, const char *region, char **ret, struct aws_error *e)
{
        const char *name = aws_service_to_string(svc);
        char var[64];
        const char *url = NULL;
        _cleanup_free_ char *owned = NULL;

        if (!name)
                return aws_error_set(e, -EINVAL, AWS_ERROR_INVALID, "InvalidService", "unknown service");
        const char *ignore = getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
        if (!ignore || strcasecmp(ignore, "true") != 0) {
                snprintf(var, sizeof(var), "AWS_ENDPOINT_URL_%s",
                         service_env_ids[svc] ? service_env_ids[svc] : name);
                for (char *p = var; *p; p++)
                        *p = (char)toupper((unsigned char)*p);
                url = getenv(var);
                if (isempty(url))
                        url = getenv("AWS_ENDPOINT_URL");
                if (isempty(url))
                        url = NULL;
        }
        if (!url) {
                if (!region || !region_is_valid(region))
                        return aws_error_set(e, -EINVAL, AWS_ERROR_INVALID, "InvalidRegion",
                                             "no valid region to build the %s endpoint", name);
                if (asprintf(&owned, "https://%s.%s.amazonaws.com%s", name, region,
                             startswith(region, "cn-") ? ".cn" : "") < 0)
                        return aws_error_set(e, -ENOMEM, AWS_ERROR_INVALID, "OutOfMemory", "out of memory");
                *ret = TAKE_PTR(owned);
                return 0;
        }

        _cleanup_free_ char *scheme = NULL, *host = NULL, *authority = NULL, *path = NULL;
        if (aws_url_split(url, &scheme, &host, &authority, &path) < 0)
                return aws_error_set(e, -EINVAL, AWS_ERROR_INVALID, "InvalidEndpoint",
                                     "endpoint URL for %s is not a valid http(s) URL", name);
        /* Plain http only where nothing can be intercepted: the loopback interface. */
        if (streq(scheme, "http") && !aws_host_is_loopback(host))
                return aws_error_set(
                    e, -EPROTO, AWS_ERROR_INVALID, "InsecureEndpoint",
                    "endpoint %s for %s must use https (plain http is allowed only on loopback)", authority,
                    name);
        size_t pl = strlen(path);
        while (pl > 0 && path[pl - 1] == '/')
                path[--pl] = '\0';
        if (asprintf(&owned, "%s://%s%s", scheme, authority, path) < 0)
                return aws_error_set(e, -ENOMEM, AWS_ERROR_INVALID, "OutOfMemory", "out of memory");
        *ret = TAKE_PTR(owned);
        return 0;
}

static void default_sleep(uint64_t ms, void *userdata)
{
        struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

static int64_t default_now(void *userdata)
{
        return (int64_t)time(NULL);
}

static double default_random(void *userdata)
{
        uint64_t v = 0;
        if (RAND_bytes((unsigned char *)&v, sizeof(v)) != 1)
                return 0.5;
        return (double)(v >> 11) / (double)(UINT64_C(1) << 53);
}

static int dup_opt(const char *s, char **ret)
{
        if (!s) {
                *ret = NULL;
                return 0;
        }
        *ret = strdup(s);
        return *ret ? 0 : -ENOMEM;
}

static int client_alloc(const struct aws_client_options *opts, struct aws_client **ret)
{
        struct aws_client *c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->opts = *opts;
        if (dup_opt(opts->ca_bundle, &c->ca_bundle) < 0 || dup_opt(opts->role_arn, &c->role_arn) < 0 ||
            dup_opt(opts->external_id, &c->external_id) < 0 ||
            dup_opt(opts->role_session_name ?: "aurora-backup-agent", &c->role_session_name) < 0) {
                aws_client_free(c);
                return -ENOMEM;
        }
        c->opts.region = NULL;
        c->opts.ca_bundle = c->ca_bundle;
        c->opts.role_arn = c->role_arn;
        c->opts.external_id = c->external_id;
        c->opts.role_session_name = c->role_session_name;
        c->opts.connect_timeout_ms = c->opts.connect_timeout_ms ?: DEFAULT_CONNECT_TIMEOUT_MS;
        c->opts.total_timeout_ms = c->opts.total_timeout_ms ?: DEFAULT_TOTAL_TIMEOUT_MS;
        c->opts.max_attempts = c->opts.max_attempts ?: AWS_RETRY_MAX_ATTEMPTS;
        c->opts.sleep_ms = c->opts.sleep_ms ?: default_sleep;
        c->opts.now = c->opts.now ?: default_now;
        c->opts.random = c->opts.random ?: default_random;
        aws_retry_quota_init(&c->quota);
        struct aws_http_options ho = {
            .ca_bundle = c->ca_bundle,
            .connect_timeout_ms = c->opts.connect_timeout_ms,
            .total_timeout_ms = c->opts.total_timeout_ms,
            .progress = c->opts.progress,
            .userdata = c->opts.userdata,
        };
        int r = aws_http_new(&ho, &c->http);
        /* botocore uses 1-2 s for metadata services: off EC2/ECS they must fail fast. */
        struct aws_http_options mo = {.connect_timeout_ms = 1000, .total_timeout_ms = 2000};
        if (r >= 0)
                r = aws_http_new(&mo, &c->meta_http);
        struct aws_http_options so = {.ca_bundle = c->ca_bundle,
                                      .connect_timeout_ms = AWS_BOUNDED_REFRESH_CONNECT_MS,
                                      .total_timeout_ms = AWS_BOUNDED_REFRESH_TOTAL_MS,
                                      .progress = c->opts.progress,
                                      .userdata = c->opts.userdata};
        if (r >= 0)
                r = aws_http_new(&so, &c->refresh_http);
        c->cctx = (struct aws_credentials_context){
            .metadata_http = c->meta_http,
            .sts = {.send = client_sts_send, .userdata = c},
            .now = c->opts.now,
            .now_userdata = c->opts.userdata,
        };
        if (r >= 0)
                r = aws_credentials_chain_new(&c->cctx, &c->provider);
        if (r < 0) {
                aws_client_free(c);
                return r;
        }
        *ret = c;
        return 0;
}

static int resolve_region(struct aws_client *c, const char *explicit_region, struct aws_error *e)
{
        _cleanup_free_ char *region = NULL;
        const char *env;
        int r;

        if (!isempty(explicit_region))
                region = strdup(explicit_region);
        else if (!isempty(env = getenv("AWS_REGION")))
                region = strdup(env);
        else if (!isempty(env = getenv("AWS_DEFAULT_REGION")))
                region = strdup(env);
        else {
                r = aws_profile_get(aws_profile_name(), "region", &region);
                if (r < 0)
                        return aws_error_set(e, r, AWS_ERROR_INVALID, "ProfileError",
                                             "could not read the AWS config file");
                if (r == 0) {
                        r = aws_imds_region(&c->cctx, &region, e);
                        if (r < 0)
                                return aws_error_set(
                                    e, -ENXIO, AWS_ERROR_INVALID, "NoRegion",
                                    "no region configured (config, AWS_REGION, AWS_DEFAULT_REGION, "
                                    "profile) and none from instance metadata");
                }
        }
        if (!region)
                return aws_error_set(e, -ENOMEM, AWS_ERROR_INVALID, "OutOfMemory", "out of memory");
        if (!region_is_valid(region))
                return aws_error_set(e, -EINVAL, AWS_ERROR_INVALID, "InvalidRegion",
                                     "invalid region name '%.40s'", region);
        c->region = TAKE_PTR(region);
        return 0;
}

int aws_client_new(const struct aws_client_options *opts, struct aws_client **ret, struct aws_error *e)
{
        struct aws_client *c = NULL;
        struct aws_client_options none = {};
        aws_error_clear(e);
        int r = client_alloc(opts ?: &none, &c);
        if (r < 0)
                return aws_error_set(e, r, AWS_ERROR_INVALID, "ClientInit",
                                     "could not set up the HTTP client");
        r = resolve_region(c, opts ? opts->region : NULL, e);
        if (r < 0) {
                aws_client_free(c);
                return r;
        }
        *ret = c;
        return 0;
}

int aws_client_new_for_region(const struct aws_client *c, const char *region, struct aws_client **ret,
                              struct aws_error *e)
{
        struct aws_client_options o = c->opts;
        o.region = region;
        return aws_client_new(&o, ret, e);
}

struct aws_client *aws_client_free(struct aws_client *c)
{
        if (!c)
                return NULL;
        aws_async_free(c->async); /* first: its calls use the client */
        aws_http_free(c->http);
        aws_http_free(c->meta_http);
        aws_http_free(c->refresh_http);
        aws_credentials_provider_free(c->provider);
        aws_credentials_done(&c->creds);
        free(c->region);
        free(c->ca_bundle);
        free(c->role_arn);
        free(c->external_id);
        free(c->role_session_name);
        free(c);
        return NULL;
}

const char *aws_client_region(const struct aws_client *c)
{
        return c->region;
}

const struct aws_client_stats *aws_client_stats(const struct aws_client *c)
{
        return &c->stats;
}

int64_t aws_client_now(const struct aws_client *c)
{
        return c->opts.now(c->opts.userdata);
}

int64_t aws_client_clock_offset(const struct aws_client *c)
{
        return c->clock_offset;
}

const struct aws_client_options *aws_client_options(const struct aws_client *c)
{
        return &c->opts;
}

const struct aws_sts_sender *aws_client_sts(const struct aws_client *c)
{
        return &c->cctx.sts;
}

struct aws_async *aws_client_async(const struct aws_client *c)
{
        return c->async;
}

void aws_client_set_async(struct aws_client *c, struct aws_async *a)
{
        c->async = a;
}

static bool creds_fresh(const struct aws_credentials *cr, int64_t now)
{
        return cr->expiration == 0 || now < cr->expiration - AWS_CREDENTIALS_REFRESH_BEFORE_SEC;
}

static int fetch_credentials(struct aws_client *c, struct aws_credentials *ret, struct aws_error *e)
{
        struct aws_credentials base = {};
        int r = aws_credentials_provider_resolve(c->provider, &base, e);
        if (r < 0)
                return r;
        if (r == 0)
                return aws_error_set(e, -ENOKEY, AWS_ERROR_CREDENTIALS, "NoCredentials",
                                     "no AWS credentials found (%s)", c->provider->name);
        if (!c->role_arn) {
                *ret = base;
                return 0;
        }
        /* Per-policy role: the chain's credentials assume it. */
        r = sts_assume_role(&c->cctx.sts, &base, c->role_arn, c->external_id, c->role_session_name, 0, ret,
                            e);
        aws_credentials_done(&base);
        return r;
}

int aws_client_credentials(struct aws_client *c, struct aws_credentials *ret, struct aws_error *e)
{
        int64_t now = aws_client_now(c);
        if (!c->have_creds || !creds_fresh(&c->creds, now)) {
                struct aws_credentials fresh = {};
                struct aws_error fe = {};
                int r = fetch_credentials(c, &fresh, &fe);
                c->stats.credential_refreshes++;
                if (r >= 0) {
                        aws_credentials_done(&c->creds);
                        c->creds = fresh;
                        c->have_creds = true;
                } else if (c->have_creds && (c->creds.expiration == 0 || now < c->creds.expiration)) {
                        /* Keep working with what we have until it really expires, and say so. */
                        if (c->opts.credentials_refresh_failed)
                                c->opts.credentials_refresh_failed(&fe, c->opts.userdata);
                } else {
                        if (e)
                                *e = fe;
                        return r;
                }
        }
        int r = aws_credentials_copy(&c->creds, ret);
        if (r < 0)
                return aws_error_set(e, r, AWS_ERROR_CREDENTIALS, "OutOfMemory", "out of memory");
        return 0;
}

static void header_add(char **list, size_t *n, size_t cap, struct aws_sigv4_header *sh, size_t *nsh,
                       const char *name, const char *value, bool *oom)
{
        char *line = NULL;
        if (*n >= cap || asprintf(&line, "%s: %s", name, value) < 0) {
                *oom = true;
                return;
        }
        list[(*n)++] = line;
        list[*n] = NULL;
        if (sh)
                sh[(*nsh)++] = (struct aws_sigv4_header){name, value};
}

void aws_attempt_done(struct aws_attempt *a)
{
        for (size_t i = 0; i < a->n_headers; i++)
                free_erase(a->headers[i]); /* the token line is a secret */
        free(a->url);
        *a = (struct aws_attempt){};
}

/* The Content-Type a request's body is sent with: its protocol's, unless the request names one. */
static const char *content_type_of(const struct aws_request *req)
{
        if (req->content_type)
                return req->content_type;
        switch (req->protocol) {
        case AWS_PROTOCOL_QUERY:
                return "application/x-www-form-urlencoded; charset=utf-8";
        case AWS_PROTOCOL_JSON:
                return "application/x-amz-json-1.1";
        case AWS_PROTOCOL_REST_JSON:
                return req->body ? "application/json" : NULL;
        case AWS_PROTOCOL_REST_XML:
                break;
        }
        return NULL;
}

/* Sign one attempt: the URL and the header lines (Authorization included) for the transport. */
static int build_attempt(struct aws_client *c, const struct aws_request *req,
                         const struct aws_credentials *creds, const char *region, const char *endpoint,
                         struct aws_attempt *ret, struct aws_error *e)
{
        const char *svc = aws_service_to_string(req->service);
        _cleanup_free_ char *scheme = NULL, *host = NULL, *authority = NULL, *base_path = NULL, *path = NULL,
                            *url = NULL;
        char *lines[16] = {};
        struct aws_sigv4_header sh[16];
        size_t nl = 0, nsh = 0;
        bool oom = false;
        char date[AWS_SIGV4_DATE_MAX], payload_hash[65];
        struct aws_sigv4_result sig = {};
        int r;

        if (aws_url_split(endpoint, &scheme, &host, &authority, &base_path) < 0)
                return aws_error_set(e, -EINVAL, AWS_ERROR_INVALID, "InvalidEndpoint",
                                     "invalid endpoint URL");
        if (asprintf(&path, "%s%s", base_path, req->path ?: "/") < 0 ||
            asprintf(&url, "%s://%s%s%s%s", scheme, authority, path, isempty(req->query) ? "" : "?",
                     req->query ?: "") < 0) {
                path = url = NULL;
                return aws_error_set(e, -ENOMEM, AWS_ERROR_TRANSPORT, "OutOfMemory", "out of memory");
        }

        int64_t now = aws_client_now(c) + c->clock_offset;
        aws_sigv4_format_date(now, date);
        header_add(lines, &nl, ELEMENTSOF(lines) - 1, sh, &nsh, "Host", authority, &oom);
        header_add(lines, &nl, ELEMENTSOF(lines) - 1, sh, &nsh, "X-Amz-Date", date, &oom);
        const char *content_type = content_type_of(req);
        if (content_type)
                header_add(lines, &nl, ELEMENTSOF(lines) - 1, sh, &nsh, "Content-Type", content_type, &oom);
        if (req->target)
                header_add(lines, &nl, ELEMENTSOF(lines) - 1, sh, &nsh, "X-Amz-Target", req->target, &oom);
        if (creds && creds->session_token)
                header_add(lines, &nl, ELEMENTSOF(lines) - 1, sh, &nsh, "X-Amz-Security-Token",
                           creds->session_token, &oom);
        if (req->service == AWS_SERVICE_S3) {
                /* S3 wants the payload hash as a header too. */
                if ((r = aws_sha256_hex(req->body ?: "", req->body_len, payload_hash)) < 0)
                        goto finish;
                header_add(lines, &nl, ELEMENTSOF(lines) - 1, sh, &nsh, "X-Amz-Content-SHA256", payload_hash,
                           &oom);
        }
        if (oom) {
                r = aws_error_set(e, -ENOMEM, AWS_ERROR_TRANSPORT, "OutOfMemory", "out of memory");
                goto finish;
        }
        if (creds) {
                struct aws_sigv4_request sr = {
                    .method = req->method,
                    .path = path,
                    .query = req->query,
                    .headers = sh,
                    .n_headers = nsh,
                    .payload = req->body,
                    .payload_len = req->body_len,
                };
                struct aws_sigv4_params sp = {
                    .access_key_id = creds->access_key_id,
                    .secret_access_key = creds->secret_access_key,
                    .session_token = creds->session_token,
                    .region = region,
                    .service = svc,
                    .time = now,
                };
                r = aws_sigv4_sign(&sr, &sp, &sig);
                if (r < 0) {
                        r = aws_error_set(e, r, AWS_ERROR_INVALID, "SigningError",
                                          "could not sign the request");
                        goto finish;
                }
                header_add(lines, &nl, ELEMENTSOF(lines) - 1, NULL, NULL, "Authorization", sig.authorization,
                           &oom);
        }
        header_add(lines, &nl, ELEMENTSOF(lines) - 1, NULL, NULL, "User-Agent",
                   "aurora-backup-agent/" PACKAGE_VERSION, &oom);
        if (oom) {
                r = aws_error_set(e, -ENOMEM, AWS_ERROR_TRANSPORT, "OutOfMemory", "out of memory");
                goto finish;
        }
        c->stats.attempts[req->service]++;
        _Static_assert(sizeof(lines) == sizeof(ret->headers), "attempt header capacity");
        memcpy(ret->headers, lines, sizeof(lines));
        ret->n_headers = nl;
        ret->url = TAKE_PTR(url);
        nl = 0;
        r = 0;
finish:
        aws_sigv4_result_done(&sig);
        for (size_t i = 0; i < nl; i++)
                free_erase(lines[i]); /* the token line is a secret */
        return r;
}

static void parse_service_error(const struct aws_request *req, const struct aws_response *resp,
                                struct aws_error *e)
{
        const char *rid =
            aws_response_header(resp, "x-amzn-requestid") ?: aws_response_header(resp, "x-amz-request-id");
        if (req->protocol == AWS_PROTOCOL_REST_JSON || req->protocol == AWS_PROTOCOL_JSON)
                (void)aws_error_parse_json(e, resp->status, aws_response_header(resp, "x-amzn-errortype"),
                                           rid, resp->body, resp->body_len);
        else {
                (void)aws_error_parse_xml(e, resp->status, resp->body, resp->body_len);
                if (isempty(e->request_id) && rid)
                        snprintf(e->request_id, sizeof(e->request_id), "%s", rid);
        }
}

/* The request id of a successful answer: the header, else the Query API's <RequestId> element. */
static void remember_request_id(struct aws_client *c, const struct aws_response *resp)
{
        const char *rid =
            aws_response_header(resp, "x-amzn-requestid") ?: aws_response_header(resp, "x-amz-request-id");
        const char *b, *end;

        c->last_request_id[0] = '\0';
        if (rid) {
                snprintf(c->last_request_id, sizeof(c->last_request_id), "%s", rid);
                return;
        }
        if (!resp->body || !(b = strstr(resp->body, "<RequestId>")))
                return;
        b += strlen("<RequestId>");
        end = strstr(b, "</RequestId>");
        if (end && (size_t)(end - b) < sizeof(c->last_request_id))
                snprintf(c->last_request_id, sizeof(c->last_request_id), "%.*s", (int)(end - b), b);
}

void aws_client_set_last_request_id(struct aws_client *c, const char *request_id)
{
        snprintf(c->last_request_id, sizeof(c->last_request_id), "%s", request_id ?: "");
}

const char *aws_client_last_request_id(const struct aws_client *c)
{
        return c->last_request_id;
}

int aws_send_begin(struct aws_client *c, const struct aws_request *req, struct aws_send *s,
                   struct aws_error *e)
{
        int r;

        aws_error_clear(e);
        *s = (struct aws_send){
            .req = req,
            .region = req->region ?: c->region,
            .max_attempts = c->bounded_refresh > 0 ? 1 : c->opts.max_attempts,
        };
        if ((unsigned)req->service >= _AWS_SERVICE_MAX)
                return aws_error_set(e, -EINVAL, AWS_ERROR_INVALID, "InvalidService", "unknown service");
        if (req->endpoint)
                s->endpoint = strdup(req->endpoint);
        else if ((r = aws_endpoint_resolve(req->service, s->region, &s->endpoint, e)) < 0)
                return r;
        if (!s->endpoint)
                return aws_error_set(e, -ENOMEM, AWS_ERROR_INVALID, "OutOfMemory", "out of memory");
        c->stats.calls[req->service]++;
        return 0;
}

int aws_send_prepare(struct aws_client *c, struct aws_send *s, struct aws_attempt *ret, struct aws_error *e)
{
        const struct aws_request *req = s->req;
        const struct aws_credentials *use = NULL;
        int r;

        s->attempt++;
        aws_error_clear(e);
        if (req->signing == AWS_SIGN_CLIENT) {
                aws_credentials_done(&s->creds);
                if (s->bounded_refresh)
                        c->bounded_refresh++;
                r = aws_client_credentials(c, &s->creds, e);
                if (s->bounded_refresh)
                        c->bounded_refresh--;
                if (r < 0)
                        return r;
                use = &s->creds;
        } else if (req->signing == AWS_SIGN_EXPLICIT)
                use = req->credentials;
        return build_attempt(c, req, use, s->region, s->endpoint, ret, e);
}

int aws_send_judge(struct aws_client *c, struct aws_send *s, int r, struct aws_response *resp,
                   struct aws_response *ret, struct aws_error *e, uint64_t *ret_delay_ms)
{
        const struct aws_request *req = s->req;

        if (r >= 0) {
                bool ok = (resp->status >= 200 && resp->status < 300) ||
                          (streq(req->method, "HEAD") && resp->status < 500 && resp->status != 429);
                if (ok) {
                        remember_request_id(c, resp);
                        aws_retry_quota_release(&c->quota, s->last_cost);
                        *ret = *resp;
                        *resp = (struct aws_response){};
                        return 0;
                }
                parse_service_error(req, resp, e);
                r = resp->status == 404 ? -ENOENT : resp->status == 403 ? -EACCES : -EREMOTEIO;
                if (aws_error_code_is_clock_skew(e->code) && !s->skew_retried) {
                        const char *date = aws_response_header(resp, "date");
                        time_t server = date ? curl_getdate(date, NULL) : -1;
                        int64_t offset = server > 0 ? (int64_t)server - aws_client_now(c) : 0;
                        if (server > 0 && llabs(offset - c->clock_offset) >= CLOCK_SKEW_MIN_SEC) {
                                /* Our clock is off: sign with the server's time, once. */
                                c->clock_offset = offset;
                                s->skew_retried = true;
                                s->attempt--;
                                aws_response_done(resp);
                                c->stats.retries++;
                                return AWS_SEND_RETRY;
                        }
                }
        }
        aws_response_done(resp);
        /* "Cancelled": the progress hook abandoned the call (the agent is stopping). */
        if (!e->retryable || s->attempt >= s->max_attempts || streq(e->code, "Cancelled"))
                return r;
        unsigned cost = aws_retry_quota_acquire(&c->quota, e->kind == AWS_ERROR_TIMEOUT ||
                                                               e->kind == AWS_ERROR_TRANSPORT);
        if (cost == 0) {
                size_t l = strlen(e->message);
                snprintf(e->message + l, sizeof(e->message) - l, " (retry quota exhausted)");
                return r;
        }
        s->last_cost = cost;
        c->stats.retries++;
        *ret_delay_ms = aws_retry_backoff_ms(s->attempt + 1, c->opts.random(c->opts.userdata));
        return AWS_SEND_BACKOFF;
}

void aws_send_end(struct aws_client *c, struct aws_send *s, int r, struct aws_error *e)
{
        if (r < 0) {
                e->attempts = s->attempt;
                const struct aws_request *req = s->req;
                const struct aws_credentials *sc =
                    req->signing == AWS_SIGN_EXPLICIT ? req->credentials : &s->creds;
                const char *secrets[] = {sc ? sc->secret_access_key : NULL, sc ? sc->session_token : NULL,
                                         c->creds.secret_access_key, c->creds.session_token, NULL};
                /* Compact the list: a NULL ends it. */
                const char *list[5];
                size_t k = 0;
                for (size_t i = 0; i < 4; i++)
                        if (secrets[i])
                                list[k++] = secrets[i];
                list[k] = NULL;
                aws_error_scrub(e, list);
        }
        aws_credentials_done(&s->creds);
        s->endpoint = mfree(s->endpoint);
}

/* The blocking backoff. With a progress hook, in slices, so that it runs (watchdog, stop) while waiting
 * to retry. Returns 0, or -ECANCELED when the hook says stop. */
static int sleep_backoff(struct aws_client *c, uint64_t backoff, struct aws_error *e)
{
        if (!c->opts.progress) {
                c->opts.sleep_ms(backoff, c->opts.userdata);
                return 0;
        }
        for (uint64_t slept = 0; slept < backoff; slept += 250) {
                c->opts.sleep_ms(MIN(backoff - slept, (uint64_t)250), c->opts.userdata);
                if (c->opts.progress(c->opts.userdata) != AWS_PROGRESS_CONTINUE)
                        return aws_error_set(e, -ECANCELED, AWS_ERROR_TRANSPORT, "Cancelled",
                                             "the call was abandoned (the agent is stopping)");
        }
        return 0;
}

/* The blocking path, kept for aurora-backupctl and for the cycle until it runs on aws-call.c: a private
 * event loop per call would buy nothing there, and this one reuses its connection across calls. It
 * shares every step but the wait with aws_client_send_async, so both sign, classify and retry alike. */
int aws_client_send(struct aws_client *c, const struct aws_request *req, struct aws_response *ret,
                    struct aws_error *e)
{
        struct aws_send s;
        uint64_t delay_ms = 0;
        int r;

        c->last_request_id[0] = '\0'; /* a failed call must not carry the previous call's id */
        /* After a stop, no new call goes out (the one in flight may still finish: see progress). */
        if (c->opts.progress && c->opts.progress(c->opts.userdata) != AWS_PROGRESS_CONTINUE)
                return aws_error_set(e, -ECANCELED, AWS_ERROR_REFUSED, "Cancelled",
                                     "not sent: the agent is stopping");
        /* In one of the agent's tasks: the loop goes on while the answer comes. */
        r = aws_async_send_suspending(c, req, ret, e);
        if (r != AWS_SEND_BLOCKING)
                return r;
        r = aws_send_begin(c, req, &s, e);
        while (r >= 0) {
                struct aws_attempt a = {};
                struct aws_response resp = {};
                r = aws_send_prepare(c, &s, &a, e);
                if (r < 0)
                        break;
                r = aws_http_perform(c->bounded_refresh > 0 ? c->refresh_http : c->http, req->method, a.url,
                                     a.headers, req->body, req->body_len, &resp, e);
                aws_attempt_done(&a);
                r = aws_send_judge(c, &s, r, &resp, ret, e, &delay_ms);
                if (r == AWS_SEND_BACKOFF)
                        r = sleep_backoff(c, delay_ms, e);
                else if (r != AWS_SEND_RETRY)
                        break;
        }
        aws_send_end(c, &s, r, e);
        return r;
}

int aws_client_send_form(struct aws_client *c, enum aws_service svc, const char *form, size_t form_len,
                         enum aws_signing signing, const struct aws_credentials *creds,
                         struct aws_response *ret, struct aws_error *e)
{
        struct aws_request req = {
            .service = svc,
            .protocol = AWS_PROTOCOL_QUERY,
            .method = "POST",
            .body = form,
            .body_len = form_len,
            .signing = signing,
            .credentials = creds,
        };
        return aws_client_send(c, &req, ret, e);
}

/* aws_sts_sender.send for this client (aws-sts.h): STS requests get the client's endpoint resolution,
 * signing, retries and caps like any other call. */
static int client_sts_send(void *userdata, const char *form, size_t form_len, enum aws_sts_auth auth,
                           const struct aws_credentials *creds, struct aws_response *ret,
                           struct aws_error *e)
{
        return aws_client_send_form(userdata, AWS_SERVICE_STS, form, form_len,
                                    auth == AWS_STS_AUTH_NONE       ? AWS_SIGN_NONE
                                    : auth == AWS_STS_AUTH_EXPLICIT ? AWS_SIGN_EXPLICIT
                                                                    : AWS_SIGN_CLIENT,
                                    creds, ret, e);
}
