/* SigV4 canonicalisation edge cases beyond the official suite: ARN paths, S3, query encoding and
 * ordering, header normalisation, session tokens, input caps. */
#include <check.h>
#include <string.h>

#include "aws-sigv4.h"
#include "macro.h"
#include "sigv4-req.h"
#include "test-suite.h"

TEST_FILE("aws-sigv4");

TEST(canonical_uri_double_encodes_arn_path_labels)
{
        _cleanup_free_ char *u = aws_sigv4_canonical_uri(
            "/backup-vaults/v1/recovery-points/"
            "arn%3Aaws%3Ards%3Aus-east-1%3A123456789012%3Acluster-snapshot%3Aawsbackup%3Ajob-1",
            "backup");
        ck_assert_str_eq(u, "/backup-vaults/v1/recovery-points/"
                            "arn%253Aaws%253Ards%253Aus-east-1%253A123456789012%253Acluster-snapshot%"
                            "253Aawsbackup%253Ajob-1");
}

TEST(canonical_uri_for_s3_is_the_wire_path)
{
        _cleanup_free_ char *u = aws_sigv4_canonical_uri("/my-bucket//a%20b/./c", "s3");
        ck_assert_str_eq(u, "/my-bucket//a%20b/./c");
}

TEST(canonical_uri_normalises_dots_and_slashes)
{
        _cleanup_free_ char *a = aws_sigv4_canonical_uri("", "rds"),
                            *b = aws_sigv4_canonical_uri("/a/./b/../c/", "rds"),
                            *c = aws_sigv4_canonical_uri("/../..", "rds"),
                            *d = aws_sigv4_canonical_uri("/a b~", "rds");
        ck_assert_str_eq(a, "/");
        ck_assert_str_eq(b, "/a/c/");
        ck_assert_str_eq(c, "/");
        ck_assert_str_eq(d, "/a%20b~");
}

TEST(canonical_query_sorts_by_key_then_value_and_reencodes)
{
        _cleanup_free_ char *q =
            aws_sigv4_canonical_query("b=2&a=z&a=y&c&d=%2f&e=a+b&f=x%20y&maxResults=1000");
        ck_assert_str_eq(q, "a=y&a=z&b=2&c=&d=%2F&e=a%2Bb&f=x%20y&maxResults=1000");
}

TEST(canonical_query_sorts_by_encoded_key)
{
        /* 'B' (0x42) sorts before 'a' (0x61); '%' encodings sort by their upper-case hex. */
        _cleanup_free_ char *q = aws_sigv4_canonical_query("a=1&B=2&%3A=3");
        ck_assert_str_eq(q, "%3A=3&B=2&a=1");
}

TEST(empty_query_is_empty)
{
        _cleanup_free_ char *a = aws_sigv4_canonical_query(NULL), *b = aws_sigv4_canonical_query("&&");
        ck_assert_str_eq(a, "");
        ck_assert_str_eq(b, "");
}

TEST(get_vanilla_known_answer)
{
        struct aws_sigv4_header h[] = {{"Host", "example.amazonaws.com"},
                                       {"X-Amz-Date", "20150830T123600Z"}};
        struct aws_sigv4_request r = {.method = "GET", .path = "/", .headers = h, .n_headers = 2};
        struct aws_sigv4_result res = {};
        ck_assert_int_eq(aws_sigv4_sign(&r, &sigv4_req_params, &res), 0);
        ck_assert_str_eq(res.authorization,
                         "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                         "SignedHeaders=host;x-amz-date, "
                         "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
        aws_sigv4_result_done(&res);
}

TEST(headers_are_lowercased_trimmed_collapsed_and_joined)
{
        struct aws_sigv4_header h[] = {{"X-Amz-Date", "20150830T123600Z"},
                                       {"My-Header", "  a   b \t c  "},
                                       {"Host", "example.amazonaws.com"},
                                       {"my-header", "second"}};
        struct aws_sigv4_request r = {.method = "GET", .path = "/", .headers = h, .n_headers = 4};
        struct aws_sigv4_result res = {};
        ck_assert_int_eq(aws_sigv4_sign(&r, &sigv4_req_params, &res), 0);
        ck_assert_ptr_nonnull(strstr(res.canonical_request, "\nmy-header:a b c,second\n"));
        ck_assert_str_eq(res.signed_headers, "host;my-header;x-amz-date");
        aws_sigv4_result_done(&res);
}

TEST(session_token_is_a_signed_header)
{
        struct aws_sigv4_header h[] = {{"Host", "rds.us-east-1.amazonaws.com"},
                                       {"X-Amz-Date", "20150830T123600Z"},
                                       {"X-Amz-Security-Token", "TOKEN"},
                                       {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
        struct aws_sigv4_params p = sigv4_req_params;
        p.session_token = "TOKEN";
        p.service = "rds";
        struct aws_sigv4_request r = {.method = "POST",
                                      .path = "/",
                                      .headers = h,
                                      .n_headers = 4,
                                      .payload = "Action=DescribeDBClusters&Version=2014-10-31",
                                      .payload_len = 44};
        struct aws_sigv4_result res = {};
        ck_assert_int_eq(aws_sigv4_sign(&r, &p, &res), 0);
        ck_assert_str_eq(res.signed_headers, "content-type;host;x-amz-date;x-amz-security-token");
        ck_assert_ptr_nonnull(strstr(res.authorization, "/20150830/us-east-1/rds/aws4_request"));
        ck_assert_ptr_null(strstr(res.authorization, p.secret_access_key));
        aws_sigv4_result_done(&res);
}

TEST(payload_hash_of_empty_body)
{
        char hex[65];
        ck_assert_int_eq(aws_sha256_hex("", 0, hex), 0);
        ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(too_many_headers_is_rejected)
{
        struct aws_sigv4_header h[65];
        for (size_t i = 0; i < ELEMENTSOF(h); i++)
                h[i] = (struct aws_sigv4_header){"X-A", "b"};
        struct aws_sigv4_request r = {
            .method = "GET", .path = "/", .headers = h, .n_headers = ELEMENTSOF(h)};
        struct aws_sigv4_result res = {};
        ck_assert_int_eq(aws_sigv4_sign(&r, &sigv4_req_params, &res), -EINVAL);
        ck_assert_ptr_null(res.authorization);
}

TEST(date_format)
{
        char buf[AWS_SIGV4_DATE_MAX];
        ck_assert_str_eq(aws_sigv4_format_date(1440938160, buf), "20150830T123600Z");
        ck_assert_str_eq(aws_sigv4_format_date(0, buf), "19700101T000000Z");
}
