/* Secrets are wiped before their memory is freed: this executable is linked with -Wl,--wrap=free, so
 * every free() made by the agent's own code (not by libcurl or OpenSSL; expat's, since its memory goes
 * through aws-xml.c's wiping allocator) passes a scanner that counts freed blocks still holding the secret
 * key or the session token. */
#include <check.h>
#include <stdbool.h>
#include <string.h>

#include "aws-credentials.h"
#include "aws-sigv4.h"
#include "aws-sts.h"
#include "macro.h"
#include "test-suite.h"
#include "wipe-scanner.h"

TEST_FILE("aws-wipe");

#define SECRET "wipe-test-SECRET-0123456789abcdefghijklmn"
#define TOKEN "wipe-test-TOKEN-FwoGZXIvYXdzEJr//////////wEaDOm0123456789"

static void watch(void)
{
        wipe_watch(SECRET, TOKEN);
}

TEST(scanner_sees_a_secret_freed_without_wiping)
{
        char *volatile s = strdup("before " SECRET " after"); /* volatile: not elided with the free */
        ck_assert_ptr_nonnull(s);
        watch();
        free(s);
        wipe_unwatch();
        ck_assert_uint_eq(wipe_freed_blocks(), 1);
        ck_assert_uint_eq(wipe_blocks_with_secret(), 1);
}

TEST(credentials_done_wipes_secret_and_token_before_free)
{
        struct aws_credentials src = {.access_key_id = (char *)"AKIDWIPETEST",
                                      .secret_access_key = (char *)SECRET,
                                      .session_token = (char *)TOKEN,
                                      .source = "env"};
        struct aws_credentials c = {};
        ck_assert_int_eq(aws_credentials_copy(&src, &c), 0);
        watch();
        aws_credentials_done(&c);
        wipe_unwatch();
        ck_assert_uint_eq(wipe_freed_blocks(), 3);
        ck_assert_uint_eq(wipe_blocks_with_secret(), 0);
        ck_assert_ptr_null(c.secret_access_key);
        ck_assert_ptr_null(c.session_token);
}

TEST(sigv4_signing_frees_no_copy_of_secret_or_token)
{
        struct aws_sigv4_header h[] = {{"Host", "rds.us-east-1.amazonaws.com"},
                                       {"X-Amz-Date", "20150830T123600Z"},
                                       {"X-Amz-Security-Token", TOKEN}};
        struct aws_sigv4_params p = {.access_key_id = "AKIDWIPETEST",
                                     .secret_access_key = SECRET,
                                     .session_token = TOKEN,
                                     .region = "us-east-1",
                                     .service = "rds",
                                     .time = 1440938160};
        struct aws_sigv4_request r = {.method = "POST",
                                      .path = "/",
                                      .headers = h,
                                      .n_headers = ELEMENTSOF(h),
                                      .payload = "Action=DescribeDBClusters",
                                      .payload_len = 25};
        struct aws_sigv4_result res = {};
        watch();
        ck_assert_int_eq(aws_sigv4_sign(&r, &p, &res), 0);
        aws_sigv4_result_done(&res);
        wipe_unwatch();
        ck_assert_uint_gt(wipe_freed_blocks(), 0);
        ck_assert_uint_eq(wipe_blocks_with_secret(), 0);
}

TEST(sts_credentials_parsing_frees_no_copy_of_secret_or_token)
{
        static const char xml[] =
            "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>"
            "<Credentials><AccessKeyId>ASIAWIPETEST</AccessKeyId><SecretAccessKey>" SECRET
            "</SecretAccessKey>"
            "<SessionToken>" TOKEN
            "</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration></Credentials>"
            "</AssumeRoleResult></AssumeRoleResponse>";
        struct aws_credentials c = {};
        struct aws_error e = {};
        watch();
        ck_assert_int_eq(sts_parse_credentials(xml, sizeof(xml) - 1, &c, &e), 0);
        ck_assert_str_eq(c.secret_access_key, SECRET);
        ck_assert_str_eq(c.session_token, TOKEN);
        aws_credentials_done(&c);
        wipe_unwatch();
        ck_assert_uint_gt(wipe_freed_blocks(), 0);
        ck_assert_uint_eq(wipe_blocks_with_secret(), 0);
}
