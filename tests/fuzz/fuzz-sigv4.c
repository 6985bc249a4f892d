/* Fuzz target: SigV4 signing (agent/aws/aws-sigv4.c): canonical URI, query and headers, string to sign
 * and Authorization, at a fixed time with the test suite's key. An input is a request in the format of
 * the AWS SigV4 test suite's .req files: "METHOD TARGET HTTP/1.1", "Name:value" header lines (a line
 * starting with a blank continues the previous header), a blank line, the body. */
#include <stdbool.h>
#include <string.h>

#include "aws-sigv4.h"
#include "fuzz.h"
#include "macro.h"

#define MAX_HEADERS 80  /* more than the signer takes (64), to reach its cap */
#define TIME 1440938160 /* 20150830T123600Z */

/* Lower-case names, each once, in order (when no name holds the separator: the client signs only the
 * headers it writes itself, so names are never checked). */
static void check_signed_headers(const char *sh, bool names_plain)
{
        const char *prev = NULL;
        size_t prev_len = 0;
        for (const char *p = sh; *p;) {
                size_t l = strcspn(p, ";");
                for (size_t i = 0; i < l; i++)
                        FUZZ_CHECK(!(p[i] >= 'A' && p[i] <= 'Z'));
                if (prev && names_plain) {
                        int c = strncmp(prev, p, MIN(prev_len, l));
                        FUZZ_CHECK(c < 0 || (c == 0 && prev_len < l));
                }
                prev = p;
                prev_len = l;
                p += l;
                if (*p == ';')
                        p++;
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct aws_sigv4_header headers[MAX_HEADERS];
        size_t n = 0;
        /* Lines are C strings: the request ends at its first NUL, as it would in the client. */
        char *req = strndup((const char *)data, size);
        FUZZ_CHECK(req);

        /* Request line: METHOD SP TARGET SP HTTP/1.1 (the target may hold spaces); else all of it is the
         * method and the path is "/". */
        char *eol = strchr(req, '\n');
        char *rest = eol ? eol + 1 : req + strlen(req);
        if (eol)
                *eol = '\0';
        char *method = req, *target = (char *)"/", *query = NULL;
        char *sp = strchr(req, ' ');
        if (sp) {
                *sp = '\0';
                target = sp + 1;
                char *http = strstr(target, " HTTP/");
                for (char *h = http; h; h = strstr(h + 1, " HTTP/"))
                        http = h;
                if (http)
                        *http = '\0';
                query = strchr(target, '?');
                if (query)
                        *query++ = '\0';
        }

        const char *body = "", *last_name = NULL;
        for (char *p = rest; *p;) {
                char *e = strchr(p, '\n');
                if (e)
                        *e = '\0';
                if (*p == '\0') {
                        body = e ? e + 1 : "";
                        break;
                }
                if (n < ELEMENTSOF(headers)) {
                        if ((*p == ' ' || *p == '\t') && last_name)
                                headers[n++] = (struct aws_sigv4_header){last_name, p};
                        else {
                                char *colon = strchr(p, ':');
                                if (colon)
                                        *colon = '\0';
                                headers[n++] = (struct aws_sigv4_header){p, colon ? colon + 1 : ""};
                                last_name = p;
                        }
                }
                if (!e)
                        break;
                p = e + 1;
        }

        struct aws_sigv4_request r = {
            .method = method,
            .path = target,
            .query = query,
            .headers = headers,
            .n_headers = n,
            .payload = body,
            .payload_len = strlen(body),
        };
        struct aws_sigv4_params params = {
            .access_key_id = "AKIDEXAMPLE",
            .secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            .region = "us-east-1",
            .service = "service",
            .time = TIME,
        };
        bool names_plain = true;
        for (size_t i = 0; i < n; i++)
                names_plain = names_plain && !strchr(headers[i].name, ';');
        struct aws_sigv4_result res = {};
        int rr = aws_sigv4_sign(&r, &params, &res);
        FUZZ_CHECK(rr == 0 || rr == -EINVAL || rr == -ENOMEM);
        if (rr == 0) {
                FUZZ_CHECK(res.canonical_request && res.string_to_sign && res.signed_headers &&
                           res.authorization);
                FUZZ_CHECK(strncmp(res.canonical_request, method, strlen(method)) == 0);
                FUZZ_CHECK(strncmp(res.string_to_sign, "AWS4-HMAC-SHA256\n20150830T123600Z\n", 34) == 0);
                FUZZ_CHECK(!strstr(res.authorization, params.secret_access_key));
                check_signed_headers(res.signed_headers, names_plain);
                aws_sigv4_result_done(&res);
        }

        /* The canonical query is a fixed point: its pairs are already decoded, encoded and sorted. */
        char *q1 = aws_sigv4_canonical_query(query);
        if (q1) {
                char *q2 = aws_sigv4_canonical_query(q1);
                FUZZ_CHECK(q2 && streq(q1, q2));
                free(q2);
        }
        free(q1);
        /* S3 signs the path as sent. */
        char *s3 = aws_sigv4_canonical_uri(target, "s3");
        FUZZ_CHECK(!s3 || streq(s3, isempty(target) ? "/" : target));
        free(s3);

        free(req);
        return 0;
}
