/* Shape checks for regions, account ids, ARNs, buckets, identifiers and shards. */
#include <errno.h>
#include <string.h>

#include "config-agent.h"
#include "config-validate.h"
#include "test-suite.h"

TEST_FILE("config-validate");

/* `is_valid` accepts every string of `good` and refuses every one of `bad` (both NULL-terminated). */
static void assert_shape(bool (*is_valid)(const char *), const char *const *good, const char *const *bad)
{
        for (; *good; good++)
                ck_assert_msg(is_valid(*good), "refused \"%s\"", *good);
        for (; *bad; bad++)
                ck_assert_msg(!is_valid(*bad), "accepted \"%s\"", *bad);
}

/* `is_valid` refuses every string of `bad` (NULL-terminated) and reports no region for any of them. */
static void assert_refused_without_a_region(bool (*is_valid)(const char *, char *), const char *const *bad)
{
        char region[32] = "untouched";

        for (; *bad; bad++)
                ck_assert_msg(!is_valid(*bad, region), "accepted \"%s\"", *bad);
        ck_assert_str_eq(region, "untouched");
}

TEST_IN("aws-names", region_accepts_real_region_names)
{
        static const char *const good[] = {
            "us-east-1",      "eu-west-1",      "eu-central-2",
            "ap-southeast-7", "ap-northeast-3", "il-central-1",
            "ca-west-1",      "mx-central-1",   "sa-east-1",
            "me-south-1",     "cn-north-1",     "cn-northwest-1",
            "us-gov-west-1",  "us-iso-east-1",  "us-isob-east-1",
            "eu-isoe-west-1", "af-south-1",     NULL,
        };
        assert_shape(region_name_is_valid, good, (const char *const[]){NULL});
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
            NULL,
        };
        assert_shape(region_name_is_valid, (const char *const[]){NULL}, bad);
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
        assert_shape(availability_zone_is_valid, (const char *const[]){"us-east-1a", "eu-west-1c", NULL},
                     (const char *const[]){"us-east-1", "us-east-1ab", "a", NULL});
        ck_assert(!availability_zone_is_valid(NULL));
}

TEST_IN("aws-names", account_id_is_exactly_twelve_digits)
{
        assert_shape(
            account_id_is_valid, (const char *const[]){"123456789012", "000000000000", NULL},
            (const char *const[]){"12345678901", "1234567890123", "12345678901x", " 23456789012", "", NULL});
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
        assert_shape(
            iam_role_arn_is_valid,
            (const char *const[]){"arn:aws:iam::123456789012:role/rds-s3-export",
                                  "arn:aws:iam::123456789012:role/service-role/x+y=z,a.b@c_d-e",
                                  "arn:aws-cn:iam::123456789012:role/x", NULL},
            (const char *const[]){"arn:aws:iam::123456789012:user/bob", "arn:aws:iam::123456789012:role/",
                                  "arn:aws:iam:eu-west-1:123456789012:role/x", "arn:aws:iam:::role/x",
                                  "arn:aws:sts::123456789012:role/x", "arn:aws:iam::123456789012:role/x y",
                                  "arn:aws:iam::123456789012:role/"
                                  "a2345678901234567890123456789012345678901234567890123456789012345",
                                  "rds-s3-export", NULL});
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
        assert_refused_without_a_region(
            kms_key_arn_is_valid,
            (const char *const[]){"1234abcd-12ab-34cd-56ef-1234567890ab", "alias/aurora",
                                  "arn:aws:kms:eu-west-1:123456789012:alias/aws/rds",
                                  "arn:aws:kms::123456789012:key/abc", "arn:aws:iam::123456789012:role/x",
                                  "arn:aws:kms:eu-west-1:123456789012:grant/x",
                                  "arn:aws:kms:eu-west-1:123456789012:key/", NULL});
}

TEST_IN("identifiers", sns_topic_arn_is_a_standard_topic_in_its_partition_and_reports_the_region)
{
        char region[32] = "";
        assert_refused_without_a_region(
            sns_topic_arn_is_valid,
            (const char *const[]){
                "aurora-alerts", "arn:aws:sns::123456789012:alerts",
                "arn:aws:sqs:eu-west-1:123456789012:alerts", "arn:aws:sns:eu-west-1:1234:alerts",
                "arn:aws:sns:eu-west-1:123456789012:", "arn:aws:sns:eu-west-1:123456789012:alerts.fifo",
                "arn:aws:sns:eu-west-1:123456789012:a/b", "arn:aws:sns:cn-north-1:123456789012:alerts",
                NULL});
        ck_assert(sns_topic_arn_is_valid("arn:aws:sns:eu-west-1:123456789012:aurora_backup-alerts", region));
        ck_assert_str_eq(region, "eu-west-1");
        ck_assert(sns_topic_arn_is_valid("arn:aws-cn:sns:cn-north-1:123456789012:alerts", region));
        ck_assert_str_eq(region, "cn-north-1");
}

TEST_IN("aws-names", s3_bucket_name_follows_the_naming_rules)
{
        assert_shape(s3_bucket_name_is_valid, (const char *const[]){"prod-exports", "a.b-c", "abc", NULL},
                     (const char *const[]){
                         "ab", "Prod_Exports", "-prod", "prod-", "a..b", "a.-b", "192.168.1.1", "xn--abc",
                         "a234567890123456789012345678901234567890123456789012345678901234", NULL});
        assert_shape(s3_prefix_is_valid, (const char *const[]){"aurora/", "", NULL},
                     (const char *const[]){"/aurora", NULL});
}

TEST_IN("identifiers", snapshot_prefix_must_start_a_valid_rds_identifier)
{
        assert_shape(
            snapshot_prefix_is_valid,
            (const char *const[]){"aba", "backup-agent2", "a", "a2345678901234567890123456789012", NULL},
            (const char *const[]){"", "Aba", "1aba", "aba-", "aba--x", "aba_x", "rds:x",
                                  "a23456789012345678901234567890123", NULL});
}

TEST_IN("identifiers", cluster_glob_allows_identifier_characters_and_wildcards)
{
        assert_shape(
            cluster_glob_is_valid, (const char *const[]){"prod-*", "*", "db-?-[ab]", "db-[!x]", NULL},
            (const char *const[]){"", "prod_*", "prod-[ab", "prod-]", "prod-[[a]]", "prod *", NULL});
}

TEST_IN("identifiers", policy_name_instance_class_and_external_id_shapes)
{
        assert_shape(policy_name_is_valid, (const char *const[]){"prod.eu_1-a", NULL},
                     (const char *const[]){"", "prod cluster", "prod/x", NULL});
        assert_shape(instance_class_is_valid,
                     (const char *const[]){"db.r6g.large", "db.serverless", "db.x2g.16xlarge", NULL},
                     (const char *const[]){"r6g.large", "db.r6g", "db.R6G.large", "db..large", NULL});
        assert_shape(external_id_is_valid, (const char *const[]){"aurora-backup-prod", NULL},
                     (const char *const[]){"x", "has space", NULL});
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
        assert_shape(absolute_path_is_valid, (const char *const[]){"/var/lib/aurora-backup", NULL},
                     (const char *const[]){"var/lib", "/var/\nlib", NULL});
        assert_shape(tag_key_is_valid, (const char *const[]){"aws:cloudformation:stack-name", NULL},
                     (const char *const[]){"", NULL});
        assert_shape(tag_value_is_valid, (const char *const[]){"", NULL},
                     (const char *const[]){"a\tb", NULL});
}
