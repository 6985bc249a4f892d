/* Fuzz target: the AWS error body parsers (agent/aws/aws-error.c), Query/XML and REST-JSON, with and
 * without the x-amzn-ErrorType and request id headers, then formatting and scrubbing of the result.
 * An input is an HTTP response ("HTTP/1.1 400 ...", headers, blank line, body) or a bare body (HTTP 400). */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws-error.h"
#include "aws-xml.h"
#include "fuzz.h"
#include "macro.h"

#define HEADER_VALUE_MAX 1024

static const char secret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

struct response {
        long status;
        char error_type[HEADER_VALUE_MAX];
        char request_id[HEADER_VALUE_MAX];
        bool has_error_type, has_request_id;
        const char *body;
        size_t body_len;
};

/* One header line into `r` if it is one of the two the client reads (as aws-http.c keeps them: trimmed;
 * the first of a name is the one aws_response_header() answers). */
static void take_header(struct response *r, const char *line, size_t len)
{
        const char *colon = memchr(line, ':', len);
        char *dst;
        if (!colon)
                return;
        size_t nl = (size_t)(colon - line);
        if (nl == strlen("x-amzn-ErrorType") && strncasecmp(line, "x-amzn-ErrorType", nl) == 0 &&
            !r->has_error_type) {
                dst = r->error_type;
                r->has_error_type = true;
        } else if (nl == strlen("x-amzn-RequestId") && strncasecmp(line, "x-amzn-RequestId", nl) == 0 &&
                   !r->has_request_id) {
                dst = r->request_id;
                r->has_request_id = true;
        } else
                return;
        const char *v = colon + 1, *end = line + len;
        while (v < end && (*v == ' ' || *v == '\t'))
                v++;
        while (end > v && isspace((unsigned char)end[-1]))
                end--;
        size_t vl = MIN((size_t)(end - v), (size_t)HEADER_VALUE_MAX - 1);
        memcpy(dst, v, vl);
        dst[vl] = '\0';
        /* A header value ends at its first NUL, as a C string. */
}

static void split_response(const uint8_t *data, size_t size, struct response *r)
{
        const char *p = (const char *)data, *end = p + size;

        *r = (struct response){.status = 400, .body = p, .body_len = size};
        if (size < 12 || memcmp(p, "HTTP/1.1 ", 9) != 0)
                return;
        r->status = 0;
        for (size_t i = 9; i < 12 && isdigit((unsigned char)p[i]); i++)
                r->status = r->status * 10 + (p[i] - '0');
        for (const char *l = memchr(p, '\n', size); l; l = memchr(l, '\n', (size_t)(end - l))) {
                l++;
                const char *eol = memchr(l, '\n', (size_t)(end - l));
                size_t len = (size_t)((eol ? eol : end) - l);
                if (len > 0 && l[len - 1] == '\r')
                        len--;
                if (len == 0) { /* the blank line: the body follows */
                        r->body = eol ? eol + 1 : end;
                        r->body_len = (size_t)(end - r->body);
                        return;
                }
                take_header(r, l, len);
        }
        r->body = end;
        r->body_len = 0;
}

static void check_field(const char *f, size_t size)
{
        FUZZ_CHECK(strnlen(f, size) < size);
        /* Errors end up in log lines and journal fields: one line each. */
        FUZZ_CHECK(!strpbrk(f, "\r\n"));
}

static void check(int r, struct aws_error *e, long status)
{
        static const char *const secrets[] = {secret, "AKIDEXAMPLE", NULL};
        char buf[1024];

        FUZZ_CHECK(r == 0 || r == -EBADMSG);
        FUZZ_CHECK(e->kind == AWS_ERROR_SERVICE && e->http_status == status && !isempty(e->code));
        check_field(e->code, sizeof(e->code));
        check_field(e->message, sizeof(e->message));
        check_field(e->request_id, sizeof(e->request_id));
        FUZZ_CHECK(!e->throttling || e->retryable);
        (void)aws_error_to_string(e, buf, sizeof(buf));

        aws_error_scrub(e, secrets);
        FUZZ_CHECK(!strstr(e->code, secret) && !strstr(e->message, secret) &&
                   !strstr(e->request_id, secret));
        check_field(e->code, sizeof(e->code));
        check_field(e->message, sizeof(e->message));
        check_field(e->request_id, sizeof(e->request_id));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct response resp;
        struct aws_error e;

        split_response(data, size, &resp);

        check(aws_error_parse_xml(&e, resp.status, resp.body, resp.body_len), &e, resp.status);
        check(aws_error_parse_json(&e, resp.status, NULL, NULL, resp.body, resp.body_len), &e, resp.status);
        /* An absent header is NULL, as aws_response_header() answers. */
        if (resp.has_error_type || resp.has_request_id)
                check(aws_error_parse_json(&e, resp.status, resp.has_error_type ? resp.error_type : NULL,
                                           resp.has_request_id ? resp.request_id : NULL, resp.body,
                                           resp.body_len),
                      &e, resp.status);
        return 0;
}
