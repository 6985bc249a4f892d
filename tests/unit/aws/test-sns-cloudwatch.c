/* SNS Publish and CloudWatch GetMetricData requests: the form the agent sends, capped to the services'
 * limits, and the GetMetricData answer as the Query protocol gives it. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "aws-cloudwatch.h"
#include "aws-sns.h"
#include "aws-xml.h"
#include "macro.h"
#include "test-suite.h"

TEST_FILE("sns-cloudwatch");

TEST(sns_publish_keeps_ten_valid_string_attributes_and_a_clean_subject)
{
        struct sns_attribute a[16] = {
            {"AWS.reserved", "x"},
            {"a..b", "x"},
            {"EMPTY", ""},
            {"NONE", NULL},
        };
        char names[16][8];
        char *p = NULL;

        for (size_t i = 4; i < ELEMENTSOF(a); i++) {
                snprintf(names[i], sizeof(names[i]), "K%zu", i);
                a[i] = (struct sns_attribute){names[i], "v w"};
        }
        ck_assert_int_eq(sns_publish_params("arn:aws:sns:us-east-1:123456789012:t", "line\none", "hello", a,
                                            ELEMENTSOF(a), &p),
                         0);
        ck_assert_ptr_nonnull(strstr(p, "TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A123456789012%3At"));
        ck_assert_ptr_nonnull(strstr(p, "Subject=line%20one"));
        ck_assert_ptr_nonnull(strstr(p, "MessageAttributes.entry.1.Name=K4"));
        ck_assert_ptr_nonnull(strstr(p, "MessageAttributes.entry.1.Value.DataType=String"));
        ck_assert_ptr_nonnull(strstr(p, "MessageAttributes.entry.1.Value.StringValue=v%20w"));
        ck_assert_ptr_nonnull(strstr(p, "MessageAttributes.entry.10.Name=K13"));
        ck_assert_ptr_null(strstr(p, "entry.11."));
        ck_assert_ptr_null(strstr(p, "K14"));
        ck_assert_ptr_null(strstr(p, "AWS.reserved"));
        free(p);
        ck_assert_int_eq(sns_publish_params("arn:aws:sns:us-east-1:123456789012:t", NULL, "", a, 0, &p),
                         -EINVAL);
        ck_assert(!sns_attribute_name_is_valid(".a"));
        ck_assert(!sns_attribute_name_is_valid("amazon.x"));
        ck_assert(sns_attribute_name_is_valid("AURORA_EVENT"));
}

static const struct cloudwatch_query backup_billed = {.id = "b0",
                                                      .namespace_ = "AWS/RDS",
                                                      .metric = "TotalBackupStorageBilled",
                                                      .dimension_name = "DBClusterIdentifier",
                                                      .dimension_value = "db-a",
                                                      .stat = "Average",
                                                      .period_sec = 3600};

TEST(get_metric_data_names_each_query)
{
        char *p = NULL;

        ck_assert_int_eq(cloudwatch_get_metric_data_params(&backup_billed, 1, 0, 86400, &p), 0);
        ck_assert_ptr_nonnull(strstr(p, "MetricDataQueries.member.1.Id=b0"));
        ck_assert_ptr_nonnull(strstr(p, "MetricDataQueries.member.1.MetricStat.Metric.Namespace=AWS%2FRDS"));
        ck_assert_ptr_nonnull(
            strstr(p, "MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Value=db-a"));
        ck_assert_ptr_nonnull(strstr(p, "StartTime=1970-01-01T00%3A00%3A00Z"));
        free(p);
}

TEST(get_metric_data_refuses_more_than_500_queries)
{
        char *p = NULL;

        ck_assert_int_eq(
            cloudwatch_get_metric_data_params(&backup_billed, CLOUDWATCH_MAX_QUERIES + 1, 0, 1, &p),
            -EINVAL);
}

TEST(get_metric_data_refuses_an_id_that_does_not_start_lowercase)
{
        struct cloudwatch_query q = backup_billed;
        char *p = NULL;

        q.id = "B0";
        ck_assert_int_eq(cloudwatch_get_metric_data_params(&q, 1, 0, 86400, &p), -EINVAL);
}

TEST(get_metric_data_answer_gives_the_newest_value_of_each_query)
{
        static const char xml[] =
            "<GetMetricDataResponse "
            "xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\"><GetMetricDataResult>"
            "<MetricDataResults>"
            "<member><Id>b0</Id><StatusCode>Complete</StatusCode>"
            "<Timestamps><member>2026-01-01T00:00:00Z</member><member>2026-01-01T01:00:00Z</member></"
            "Timestamps>"
            "<Values><member>1.0</member><member>5368709120.0</member></Values></member>"
            "<member><Id>s0</Id><StatusCode>Complete</StatusCode><Timestamps/><Values/></member>"
            "</MetricDataResults></GetMetricDataResult>"
            "<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetMetricDataResponse>";
        struct cloudwatch_result *r = NULL;
        struct aws_error e = {};
        struct aws_xml_node *doc = NULL;
        size_t n = 0;

        ck_assert_int_eq(aws_xml_parse(xml, strlen(xml), &doc, &e), 0);
        struct aws_xml_node *result = aws_xml_child(doc, "GetMetricDataResult");
        ck_assert_int_eq(cloudwatch_parse_metric_data(result, &r, &n, &e), 0);
        ck_assert_uint_eq(n, 2);
        ck_assert_str_eq(r[0].id, "b0");
        ck_assert(r[0].has_value);
        ck_assert(r[0].value == 5368709120.0);
        ck_assert(!r[1].has_value);
        cloudwatch_results_free(r, n);
        aws_xml_free(doc);
}
