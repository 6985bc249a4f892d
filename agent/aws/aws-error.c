/* struct aws_error: filling, formatting, scrubbing secrets, parsing REST-JSON error responses (Query/XML
 * ones are parsed next to the XML code, aws-xml.c), and the "standard" retry classification of codes. */
#include "aws-error.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "string-table.h"

void aws_error_clear(struct aws_error *e)
{
        if (e)
                *e = (struct aws_error){};
}

/* Keep errors on one line: they end up in logs and journal fields. */
static void one_line(char *s)
{
        for (char *p = s; *p; p++)
                if (*p == '\n' || *p == '\r' || *p == '\t')
                        *p = ' ';
}

static void copy_field(char *dst, size_t size, const char *src)
{
        if (!src)
                src = "";
        size_t l = strnlen(src, size - 1);
        memcpy(dst, src, l);
        dst[l] = '\0';
        one_line(dst);
}

int aws_error_set(struct aws_error *e, int r, enum aws_error_kind kind, const char *code, const char *fmt,
                  ...)
{
        if (!e)
                return r;
        e->kind = kind;
        copy_field(e->code, sizeof(e->code), code);
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->message, sizeof(e->message), fmt, ap);
        va_end(ap);
        copy_field(e->message, sizeof(e->message), e->message);
        aws_error_classify(e);
        return r;
}

static const char *const aws_error_kind_table[_AWS_ERROR_KIND_MAX] = {
    [AWS_ERROR_NONE] = "none",           [AWS_ERROR_SERVICE] = "service",
    [AWS_ERROR_TRANSPORT] = "transport", [AWS_ERROR_TIMEOUT] = "timeout",
    [AWS_ERROR_PARSE] = "parse",         [AWS_ERROR_CREDENTIALS] = "credentials",
    [AWS_ERROR_REFUSED] = "refused",     [AWS_ERROR_INVALID] = "invalid",
};

DEFINE_STRING_TABLE_TO_STRING(aws_error_kind, enum aws_error_kind, aws_error_kind_table, "unknown")

const char *aws_error_to_string(const struct aws_error *e, char *buf, size_t size)
{
        char status[32] = "";
        if (e->http_status > 0)
                snprintf(status, sizeof(status), " (HTTP %ld)", e->http_status);
        snprintf(
            buf, size, "%s%s%s: %s%s%s%s", isempty(e->code) ? aws_error_kind_to_string(e->kind) : e->code,
            status, e->attempts > 1 ? " after retries" : "", isempty(e->message) ? "no message" : e->message,
            isempty(e->request_id) ? "" : " [request id ", e->request_id, isempty(e->request_id) ? "" : "]");
        return buf;
}

static void scrub_field(char *field, size_t size, const char *secret)
{
        static const char redacted[] = "[redacted]";
        char out[AWS_ERROR_MESSAGE_MAX];
        size_t o = 0, sl = strlen(secret);
        if (size > sizeof(out))
                size = sizeof(out);
        for (const char *p = field; *p;) {
                size_t rest = strlen(p);
                /* A secret cut short by truncation still counts: redact a trailing prefix of it too. */
                if (strncmp(p, secret, sl) == 0 ||
                    (rest >= 8 && rest < sl && strncmp(p, secret, rest) == 0)) {
                        for (const char *r = redacted; *r && o < size - 1; r++)
                                out[o++] = *r;
                        p += rest < sl ? rest : sl;
                } else if (o < size - 1)
                        out[o++] = *p++;
                else
                        break;
        }
        out[o] = '\0';
        memcpy(field, out, o + 1);
}

void aws_error_scrub(struct aws_error *e, const char *const *secrets)
{
        if (!e || !secrets)
                return;
        for (const char *const *s = secrets; *s; s++) {
                /* Short strings would redact innocent text; real secrets are long. */
                if (strlen(*s) < 8)
                        continue;
                scrub_field(e->message, sizeof(e->message), *s);
                scrub_field(e->code, sizeof(e->code), *s);
                scrub_field(e->request_id, sizeof(e->request_id), *s);
        }
}

static void set_http_fallback(struct aws_error *e, long http_status)
{
        e->kind = AWS_ERROR_SERVICE;
        e->http_status = http_status;
        snprintf(e->code, sizeof(e->code), "HTTP%ld", http_status);
        snprintf(e->message, sizeof(e->message), "unexpected HTTP status %ld without an AWS error body",
                 http_status);
        aws_error_classify(e);
}

int aws_error_set_service(struct aws_error *e, long http_status, const char *code, const char *message,
                          const char *request_id)
{
        aws_error_clear(e);
        if (isempty(code)) {
                set_http_fallback(e, http_status);
                return -EBADMSG;
        }
        e->kind = AWS_ERROR_SERVICE;
        e->http_status = http_status;
        copy_field(e->code, sizeof(e->code), code);
        copy_field(e->message, sizeof(e->message), message);
        copy_field(e->request_id, sizeof(e->request_id), request_id);
        aws_error_classify(e);
        return 0;
}

static const char *json_str(json_object *o, const char *key)
{
        json_object *v;
        if (o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string))
                return json_object_get_string(v);
        return NULL;
}

/* "aws.protocoltests.restjson#FooError:http://internal" -> "FooError". */
static void clean_type(const char *in, char *out, size_t size)
{
        const char *start = strrchr(in, '#');
        start = start ? start + 1 : in;
        size_t l = strcspn(start, ":");
        if (l >= size)
                l = size - 1;
        memcpy(out, start, l);
        out[l] = '\0';
        one_line(out);
}

int aws_error_parse_json(struct aws_error *e, long http_status, const char *error_type_header,
                         const char *request_id_header, const char *body, size_t len)
{
        json_object *root = NULL;
        aws_error_clear(e);
        if (body && len > 0 && len < INT32_MAX) {
                json_tokener *tok = json_tokener_new();
                if (tok) {
                        root = json_tokener_parse_ex(tok, body, (int)len);
                        json_tokener_free(tok);
                }
                if (root && !json_object_is_type(root, json_type_object)) {
                        json_object_put(root);
                        root = NULL;
                }
        }
        const char *type = error_type_header;
        if (isempty(type))
                type = json_str(root, "__type") ?: json_str(root, "code") ?: json_str(root, "Code");
        if (!isempty(type))
                clean_type(type, e->code, sizeof(e->code));
        if (isempty(e->code)) { /* no type, or one that names none (":x", "ns#") */
                set_http_fallback(e, http_status);
                copy_field(e->request_id, sizeof(e->request_id), request_id_header);
                json_object_put(root);
                return -EBADMSG;
        }
        e->kind = AWS_ERROR_SERVICE;
        e->http_status = http_status;
        copy_field(e->message, sizeof(e->message), json_str(root, "message") ?: json_str(root, "Message"));
        copy_field(e->request_id, sizeof(e->request_id), request_id_header);
        json_object_put(root);
        aws_error_classify(e);
        return 0;
}

/* The error codes the SDKs' "standard" retry mode singles out, by what they mean. */
enum code_class {
        CODE_THROTTLING,
        CODE_TRANSIENT,
        CODE_CLOCK_SKEW,
};

static const struct {
        const char *code;
        enum code_class class;
} known_codes[] = {
    {"Throttling", CODE_THROTTLING},
    {"ThrottlingException", CODE_THROTTLING},
    {"ThrottledException", CODE_THROTTLING},
    {"RequestThrottledException", CODE_THROTTLING},
    {"TooManyRequestsException", CODE_THROTTLING},
    {"ProvisionedThroughputExceededException", CODE_THROTTLING},
    {"TransactionInProgressException", CODE_THROTTLING},
    {"RequestLimitExceeded", CODE_THROTTLING},
    {"BandwidthLimitExceeded", CODE_THROTTLING},
    {"LimitExceededException", CODE_THROTTLING},
    {"RequestThrottled", CODE_THROTTLING},
    {"SlowDown", CODE_THROTTLING},
    {"EC2ThrottledException", CODE_THROTTLING},
    {"RequestTimeout", CODE_TRANSIENT},
    {"RequestTimeoutException", CODE_TRANSIENT},
    {"PriorRequestNotComplete", CODE_TRANSIENT},
    {"IDPCommunicationError", CODE_TRANSIENT},
    {"RequestTimeTooSkewed", CODE_CLOCK_SKEW},
    {"RequestExpired", CODE_CLOCK_SKEW},
    {"RequestInTheFuture", CODE_CLOCK_SKEW},
    {"InvalidSignatureException", CODE_CLOCK_SKEW},
    {"SignatureDoesNotMatch", CODE_CLOCK_SKEW},
    {"AuthFailure", CODE_CLOCK_SKEW},
};

static bool code_is(const char *code, enum code_class class)
{
        if (!code)
                return false;
        for (size_t i = 0; i < ELEMENTSOF(known_codes); i++)
                if (known_codes[i].class == class && streq(code, known_codes[i].code))
                        return true;
        return false;
}

bool aws_error_code_is_clock_skew(const char *code)
{
        return code_is(code, CODE_CLOCK_SKEW);
}

void aws_error_classify(struct aws_error *e)
{
        e->throttling = false;
        e->retryable = false;
        switch (e->kind) {
        case AWS_ERROR_TRANSPORT:
        case AWS_ERROR_TIMEOUT:
                /* An oversized response will be oversized again. */
                e->retryable = !streq(e->code, "ResponseTooLarge") && !streq(e->code, "TLSError") &&
                               !streq(e->code, "OutOfMemory");
                break;
        case AWS_ERROR_SERVICE:
                e->throttling = code_is(e->code, CODE_THROTTLING) || e->http_status == 429;
                e->retryable = e->throttling || code_is(e->code, CODE_TRANSIENT) || e->http_status == 500 ||
                               e->http_status == 502 || e->http_status == 503 || e->http_status == 504;
                break;
        default:
                break;
        }
}

bool aws_error_outcome_unknown(const struct aws_error *e)
{
        if (!e)
                return false;
        return e->kind == AWS_ERROR_TRANSPORT || e->kind == AWS_ERROR_TIMEOUT ||
               (e->kind == AWS_ERROR_PARSE && e->http_status >= 200 && e->http_status < 300);
}
