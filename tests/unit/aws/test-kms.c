/* KMS DescribeKey: the key's manager, the one fact the agent asks KMS for. */
#include <errno.h>
#include <string.h>

#include "aws-kms.h"
#include "test-suite.h"

TEST_FILE("kms");

static enum kms_key_manager parse(const char *body, int *ret_r)
{
        enum kms_key_manager m = KMS_KEY_MANAGER_UNKNOWN;
        struct aws_error e = {};
        *ret_r = kms_parse_key_manager(body, strlen(body), &m, &e);
        return m;
}

TEST(describe_key_aws_managed_key_is_aws)
{
        int r;
        enum kms_key_manager m =
            parse("{\"KeyMetadata\":{\"AWSAccountId\":\"111122223333\",\"KeyId\":\"1234abcd-12ab-34cd-56ef-"
                  "1234567890ab\","
                  "\"Arn\":\"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\","
                  "\"KeyManager\":\"AWS\",\"KeyState\":\"Enabled\",\"Origin\":\"AWS_KMS\"}}",
                  &r);
        ck_assert_int_eq(r, 0);
        ck_assert_int_eq(m, KMS_KEY_MANAGER_AWS);
}

TEST(describe_key_customer_key_is_customer)
{
        int r;
        ck_assert_int_eq(parse("{\"KeyMetadata\":{\"KeyManager\":\"CUSTOMER\"}}", &r),
                         KMS_KEY_MANAGER_CUSTOMER);
        ck_assert_int_eq(r, 0);
}

TEST(describe_key_without_a_manager_is_malformed)
{
        int r;
        const char *bad[] = {"{}", "{\"KeyMetadata\":{}}", "{\"KeyMetadata\":{\"KeyManager\":7}}",
                             "{\"KeyMetadata\":{\"KeyManager\":\"AWS\"}", "not json"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                parse(bad[i], &r);
                ck_assert_msg(r == -EBADMSG, "%s: %d", bad[i], r);
        }
}
