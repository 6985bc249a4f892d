/* Shape checks for regions, account ids, ARNs, buckets, identifiers and shards. */
#include <errno.h>
#include <string.h>

#include "config-agent.h"
#include "config-validate.h"
#include "test-suite.h"

TEST_FILE("config-validate");

TEST_IN("aws-names", region_accepts_real_region_names)
{
        static const char *const good[] = {
            "us-east-1",      "eu-west-1",      "eu-central-2",  "ap-southeast-7", "ap-northeast-3",
            "il-central-1",   "ca-west-1",      "mx-central-1",  "sa-east-1",      "me-south-1",
            "cn-north-1",     "cn-northwest-1", "us-gov-west-1", "us-iso-east-1",  "us-isob-east-1",
            "eu-isoe-west-1", "af-south-1",
        };
        for (size_t i = 0; i < ELEMENTSOF(good); i++)
                ck_assert_msg(region_name_is_valid(good[i]), "refused %s", good[i]);
}

TEST_IN("aws-names", region_refuses_names_that_are_not_regions)
{
        static const char *const bad[] = {
            "",
            "europe",
            "eu-west",
            "eu-wset-1",
            "us-east-1a",
            "US-EAST-1",
            "us-east-0",
            "us-east-100",
            "us-east-01",
            "useast1",
            "u-east-1",
            "usa-east-1",
            "us-mars-east-1",
            "us-east-1 ",
            "us--east-1",
            "us-east-1-1",
            "eu-west-1.",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                ck_assert_msg(!region_name_is_valid(bad[i]), "accepted \"%s\"", bad[i]);
        ck_assert(!region_name_is_valid(NULL));
}

TEST_IN("aws-names", region_partition_follows_the_region)
{
        ck_assert_str_eq(region_partition("eu-west-1"), "aws");
        ck_assert_str_eq(region_partition("cn-north-1"), "aws-cn");
        ck_assert_str_eq(region_partition("us-gov-east-1"), "aws-us-gov");
        ck_assert_str_eq(region_partition("us-isob-east-1"), "aws-iso-b");
        ck_assert_ptr_null(region_partition("nowhere"));
}

TEST_IN("aws-names", availability_zone_is_a_region_and_one_letter)
{
        ck_assert(availability_zone_is_valid("us-east-1a"));
        ck_assert(availability_zone_is_valid("eu-west-1c"));
        ck_assert(!availability_zone_is_valid("us-east-1"));
        ck_assert(!availability_zone_is_valid("us-east-1ab"));
        ck_assert(!availability_zone_is_valid("a"));
        ck_assert(!availability_zone_is_valid(NULL));
}

TEST_IN("aws-names", account_id_is_exactly_twelve_digits)
{
        ck_assert(account_id_is_valid("123456789012"));
        ck_assert(account_id_is_valid("000000000000"));
        ck_assert(!account_id_is_valid("12345678901"));
        ck_assert(!account_id_is_valid("1234567890123"));
        ck_assert(!account_id_is_valid("12345678901x"));
        ck_assert(!account_id_is_valid(" 23456789012"));
        ck_assert(!account_id_is_valid(""));
        ck_assert(!account_id_is_valid(NULL));
}

TEST_IN("aws-names", arn_parse_splits_the_six_fields)
{
        struct arn a;
        ck_assert_int_eq(arn_parse("arn:aws:rds:eu-west-1:123456789012:cluster-snapshot:aba-x:y", &a), 0);
        ck_assert_str_eq(a.partition, "aws");
        ck_assert_str_eq(a.service, "rds");
        ck_assert_str_eq(a.region, "eu-west-1");
        ck_assert_str_eq(a.account, "123456789012");
        ck_assert_str_eq(a.resource, "cluster-snapshot:aba-x:y");
        ck_assert_int_eq(arn_parse("arn:aws:s3:::bucket/key", &a), 0);
        ck_assert_str_eq(a.region, "");
        ck_assert_str_eq(a.account, "");
}

TEST_IN("aws-names", arn_parse_refuses_what_is_not_an_arn)
{
        static const char *const bad[] = {
            "",
            "rds-s3-export",
            "arn:aws:iam",
            "arn:aws:iam::123456789012",
            "arn:aws:iam::123456789012:",
            "arn:aws-mars:iam::123456789012:role/x",
            "arn::iam::123456789012:role/x",
            "arn:aws::eu-west-1:123456789012:x",
            "arn:aws:rds:eu-wset-1:123456789012:db:x",
            "arn:aws:rds:eu-west-1:12345:db:x",
            "arn:aws:rds:eu-west-1:123456789012:db x",
            "ARN:aws:iam::123456789012:role/x",
        };
        struct arn a = {.partition = "untouched"};
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                ck_assert_msg(arn_parse(bad[i], &a) == -EINVAL, "accepted \"%s\"", bad[i]);
        ck_assert_str_eq(a.partition, "untouched");
}

TEST_IN("aws-names", arn_parse_refuses_arns_longer_than_the_cap)
{
        char buf[ARN_MAX + 64];
        struct arn a;
        strcpy(buf, "arn:aws:s3:::");
        memset(buf + strlen(buf), 'a', sizeof(buf) - strlen(buf) - 1);
        buf[sizeof(buf) - 1] = '\0';
        ck_assert_int_eq(arn_parse(buf, &a), -EINVAL);
}

TEST_IN("aws-names", iam_role_arn_needs_iam_role_account_and_no_region)
{
        ck_assert(iam_role_arn_is_valid("arn:aws:iam::123456789012:role/rds-s3-export"));
        ck_assert(iam_role_arn_is_valid("arn:aws:iam::123456789012:role/service-role/x+y=z,a.b@c_d-e"));
        ck_assert(iam_role_arn_is_valid("arn:aws-cn:iam::123456789012:role/x"));
        ck_assert(!iam_role_arn_is_valid("arn:aws:iam::123456789012:user/bob"));
        ck_assert(!iam_role_arn_is_valid("arn:aws:iam::123456789012:role/"));
        ck_assert(!iam_role_arn_is_valid("arn:aws:iam:eu-west-1:123456789012:role/x"));
        ck_assert(!iam_role_arn_is_valid("arn:aws:iam:::role/x"));
        ck_assert(!iam_role_arn_is_valid("arn:aws:sts::123456789012:role/x"));
        ck_assert(!iam_role_arn_is_valid("arn:aws:iam::123456789012:role/x y"));
        ck_assert(!iam_role_arn_is_valid("arn:aws:iam::123456789012:role/"
                                         "a234567890123456789012345678901234567890123456789012345678901234"
                                         "5"));
        ck_assert(!iam_role_arn_is_valid("rds-s3-export"));
}

TEST_IN("aws-names", kms_key_arn_accepts_keys_and_customer_aliases_and_reports_the_region)
{
        char region[32] = "";
        ck_assert(kms_key_arn_is_valid(
            "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", region));
        ck_assert_str_eq(region, "us-west-2");
        ck_assert(kms_key_arn_is_valid(
            "arn:aws:kms:eu-west-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab", region));
        ck_assert(kms_key_arn_is_valid("arn:aws:kms:eu-west-1:123456789012:alias/aurora-share", region));
        ck_assert_str_eq(region, "eu-west-1");
}

TEST_IN("aws-names", kms_key_arn_refuses_ids_other_services_and_aws_managed_aliases)
{
        char region[32] = "untouched";
        ck_assert(!kms_key_arn_is_valid("1234abcd-12ab-34cd-56ef-1234567890ab", region));
        ck_assert(!kms_key_arn_is_valid("alias/aurora", region));
        ck_assert(!kms_key_arn_is_valid("arn:aws:kms:eu-west-1:123456789012:alias/aws/rds", region));
        ck_assert(!kms_key_arn_is_valid("arn:aws:kms::123456789012:key/abc", region));
        ck_assert(!kms_key_arn_is_valid("arn:aws:iam::123456789012:role/x", region));
        ck_assert(!kms_key_arn_is_valid("arn:aws:kms:eu-west-1:123456789012:grant/x", region));
        ck_assert(!kms_key_arn_is_valid("arn:aws:kms:eu-west-1:123456789012:key/", region));
        ck_assert_str_eq(region, "untouched");
}

TEST_IN("identifiers", sns_topic_arn_is_a_standard_topic_in_its_partition_and_reports_the_region)
{
        char region[32] = "untouched";
        ck_assert(!sns_topic_arn_is_valid("aurora-alerts", region));
        ck_assert(!sns_topic_arn_is_valid("arn:aws:sns::123456789012:alerts", region));
        ck_assert(!sns_topic_arn_is_valid("arn:aws:sqs:eu-west-1:123456789012:alerts", region));
        ck_assert(!sns_topic_arn_is_valid("arn:aws:sns:eu-west-1:1234:alerts", region));
        ck_assert(!sns_topic_arn_is_valid("arn:aws:sns:eu-west-1:123456789012:", region));
        ck_assert(!sns_topic_arn_is_valid("arn:aws:sns:eu-west-1:123456789012:alerts.fifo", region));
        ck_assert(!sns_topic_arn_is_valid("arn:aws:sns:eu-west-1:123456789012:a/b", region));
        ck_assert(!sns_topic_arn_is_valid("arn:aws:sns:cn-north-1:123456789012:alerts", region));
        ck_assert_str_eq(region, "untouched");
        ck_assert(sns_topic_arn_is_valid("arn:aws:sns:eu-west-1:123456789012:aurora_backup-alerts", region));
        ck_assert_str_eq(region, "eu-west-1");
        ck_assert(sns_topic_arn_is_valid("arn:aws-cn:sns:cn-north-1:123456789012:alerts", region));
        ck_assert_str_eq(region, "cn-north-1");
}

TEST_IN("aws-names", s3_bucket_name_follows_the_naming_rules)
{
        ck_assert(s3_bucket_name_is_valid("prod-exports"));
        ck_assert(s3_bucket_name_is_valid("a.b-c"));
        ck_assert(s3_bucket_name_is_valid("abc"));
        ck_assert(!s3_bucket_name_is_valid("ab"));
        ck_assert(!s3_bucket_name_is_valid("Prod_Exports"));
        ck_assert(!s3_bucket_name_is_valid("-prod"));
        ck_assert(!s3_bucket_name_is_valid("prod-"));
        ck_assert(!s3_bucket_name_is_valid("a..b"));
        ck_assert(!s3_bucket_name_is_valid("a.-b"));
        ck_assert(!s3_bucket_name_is_valid("192.168.1.1"));
        ck_assert(!s3_bucket_name_is_valid("xn--abc"));
        ck_assert(
            !s3_bucket_name_is_valid("a234567890123456789012345678901234567890123456789012345678901234"));
        ck_assert(s3_prefix_is_valid("aurora/"));
        ck_assert(s3_prefix_is_valid(""));
        ck_assert(!s3_prefix_is_valid("/aurora"));
}

TEST_IN("identifiers", snapshot_prefix_must_start_a_valid_rds_identifier)
{
        ck_assert(snapshot_prefix_is_valid("aba"));
        ck_assert(snapshot_prefix_is_valid("backup-agent2"));
        ck_assert(snapshot_prefix_is_valid("a"));
        ck_assert(!snapshot_prefix_is_valid(""));
        ck_assert(!snapshot_prefix_is_valid("Aba"));
        ck_assert(!snapshot_prefix_is_valid("1aba"));
        ck_assert(!snapshot_prefix_is_valid("aba-"));
        ck_assert(!snapshot_prefix_is_valid("aba--x"));
        ck_assert(!snapshot_prefix_is_valid("aba_x"));
        ck_assert(!snapshot_prefix_is_valid("rds:x"));
        ck_assert(!snapshot_prefix_is_valid("a23456789012345678901234567890123"));
        ck_assert(snapshot_prefix_is_valid("a2345678901234567890123456789012"));
}

TEST_IN("identifiers", cluster_glob_allows_identifier_characters_and_wildcards)
{
        ck_assert(cluster_glob_is_valid("prod-*"));
        ck_assert(cluster_glob_is_valid("*"));
        ck_assert(cluster_glob_is_valid("db-?-[ab]"));
        ck_assert(cluster_glob_is_valid("db-[!x]"));
        ck_assert(!cluster_glob_is_valid(""));
        ck_assert(!cluster_glob_is_valid("prod_*"));
        ck_assert(!cluster_glob_is_valid("prod-[ab"));
        ck_assert(!cluster_glob_is_valid("prod-]"));
        ck_assert(!cluster_glob_is_valid("prod-[[a]]"));
        ck_assert(!cluster_glob_is_valid("prod *"));
}

TEST_IN("identifiers", policy_name_instance_class_and_external_id_shapes)
{
        ck_assert(policy_name_is_valid("prod.eu_1-a"));
        ck_assert(!policy_name_is_valid(""));
        ck_assert(!policy_name_is_valid("prod cluster"));
        ck_assert(!policy_name_is_valid("prod/x"));
        ck_assert(instance_class_is_valid("db.r6g.large"));
        ck_assert(instance_class_is_valid("db.serverless"));
        ck_assert(instance_class_is_valid("db.x2g.16xlarge"));
        ck_assert(!instance_class_is_valid("r6g.large"));
        ck_assert(!instance_class_is_valid("db.r6g"));
        ck_assert(!instance_class_is_valid("db.R6G.large"));
        ck_assert(!instance_class_is_valid("db..large"));
        ck_assert(external_id_is_valid("aurora-backup-prod"));
        ck_assert(!external_id_is_valid("x"));
        ck_assert(!external_id_is_valid("has space"));
}

TEST_IN("identifiers", shard_parses_index_over_count)
{
        unsigned i = 0, n = 0;
        ck_assert_int_eq(shard_parse("2/4", &i, &n), 0);
        ck_assert_uint_eq(i, 2);
        ck_assert_uint_eq(n, 4);
        ck_assert_int_eq(shard_parse("1/1", &i, &n), 0);
        ck_assert_int_eq(shard_parse("1024/1024", &i, &n), 0);
        i = n = 99;
        static const char *const bad[] = {"0/4", "5/4",  "1/0",  "1/1025", "2",    "2/",           "/4",
                                          "a/b", "2/4 ", "-1/4", "02/4",   "2//4", "99999999999/2"};
        for (size_t k = 0; k < ELEMENTSOF(bad); k++)
                ck_assert_msg(shard_parse(bad[k], &i, &n) == -EINVAL, "accepted %s", bad[k]);
        ck_assert_uint_eq(i, 99);
        ck_assert_uint_eq(n, 99);
}

TEST_IN("identifiers", absolute_paths_and_tags)
{
        ck_assert(absolute_path_is_valid("/var/lib/aurora-backup"));
        ck_assert(!absolute_path_is_valid("var/lib"));
        ck_assert(!absolute_path_is_valid("/var/\nlib"));
        ck_assert(tag_key_is_valid("aws:cloudformation:stack-name"));
        ck_assert(!tag_key_is_valid(""));
        ck_assert(tag_value_is_valid(""));
        ck_assert(!tag_value_is_valid("a\tb"));
}
