/* Fuzz target: SigV4 signing (agent/aws/aws-sigv4.c): canonical URI, query and headers, string to sign
 * and Authorization, at a fixed time with the test suite's key. An input is a request in the format of
 * the AWS SigV4 test suite's .req files, read as the suite's test reads them (tests/unit/aws/sigv4-req.h).
 */
#include <stdbool.h>
#include <string.h>

#include "aws-sigv4.h"
#include "fuzz.h"
#include "macro.h"
#include "sigv4-req.h"

#define MAX_HEADERS 80 /* more than the signer takes (64), to reach its cap */

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
        struct aws_sigv4_request r;
        /* Lines are C strings: the request ends at its first NUL, as it would in the client. */
        char *req = strndup((const char *)data, size);
        FUZZ_CHECK(req);

        /* Malformed requests are signed too (read as far as they go). */
        (void)sigv4_req_parse(req, headers, ELEMENTSOF(headers), &r);
        bool names_plain = true;
        for (size_t i = 0; i < r.n_headers; i++)
                names_plain = names_plain && !strchr(headers[i].name, ';');
        struct aws_sigv4_result res = {};
        int rr = aws_sigv4_sign(&r, &sigv4_req_params, &res);
        FUZZ_CHECK(rr == 0 || rr == -EINVAL || rr == -ENOMEM);
        if (rr == 0) {
                FUZZ_CHECK(res.canonical_request && res.string_to_sign && res.signed_headers &&
                           res.authorization);
                FUZZ_CHECK(strncmp(res.canonical_request, r.method, strlen(r.method)) == 0);
                FUZZ_CHECK(strncmp(res.string_to_sign, "AWS4-HMAC-SHA256\n20150830T123600Z\n", 34) == 0);
                FUZZ_CHECK(!strstr(res.authorization, sigv4_req_params.secret_access_key));
                check_signed_headers(res.signed_headers, names_plain);
                aws_sigv4_result_done(&res);
        }

        /* The canonical query is a fixed point: its pairs are already decoded, encoded and sorted. */
        char *q1 = aws_sigv4_canonical_query(r.query);
        if (q1) {
                char *q2 = aws_sigv4_canonical_query(q1);
                FUZZ_CHECK(q2 && streq(q1, q2));
                free(q2);
        }
        free(q1);
        /* S3 signs the path as sent. */
        char *s3 = aws_sigv4_canonical_uri(r.path, "s3");
        FUZZ_CHECK(!s3 || streq(s3, isempty(r.path) ? "/" : r.path));
        free(s3);

        free(req);
        return 0;
}
