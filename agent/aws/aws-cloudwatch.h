/* Amazon CloudWatch GetMetricData over the Query protocol (version 2010-08-01; the service still accepts
 * it besides JSON 1.0 and the CBOR RPC its current model names). Used for the Aurora backup storage
 * metrics (AWS/RDS TotalBackupStorageBilled, SnapshotStorageUsed, per DBClusterIdentifier). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws-client.h"

#define CLOUDWATCH_MAX_QUERIES 500 /* MetricDataQueries per GetMetricData call */

/* One MetricStat query: Namespace, MetricName and one dimension. */
struct cloudwatch_query {
        const char *id; /* [a-z][a-zA-Z0-9_]*, unique in the call */
        const char *namespace_;
        const char *metric;
        const char *dimension_name;
        const char *dimension_value;
        const char *stat;    /* "Average", "Maximum", ... */
        unsigned period_sec; /* a multiple of 60 */
};

/* The newest datapoint of one query, if any came back. */
struct cloudwatch_result {
        char *id;
        bool has_value;
        double value;
        int64_t timestamp; /* UTC seconds */
};
struct cloudwatch_result *cloudwatch_results_free(struct cloudwatch_result *r, size_t n);

/* The form parameters (after Action and Version) of GetMetricData over [start, end), newest first
 * (ScanBy=TimestampDescending). -EINVAL for no queries, more than CLOUDWATCH_MAX_QUERIES, or a bad id. */
int cloudwatch_get_metric_data_params(const struct cloudwatch_query *q, size_t n, int64_t start, int64_t end,
                                      char **ret);

/* One GetMetricData call: the newest value of each query that has one (results in any order; the call's
 * first page only: with one value wanted per query it holds them). */
int cloudwatch_get_metric_data(struct aws_client *c, const struct cloudwatch_query *q, size_t n,
                               int64_t start, int64_t end, struct cloudwatch_result **ret, size_t *ret_n,
                               struct aws_error *e);
/* The results of a GetMetricDataResult element (exposed for tests). */
struct aws_xml_node;
int cloudwatch_parse_metric_data(const struct aws_xml_node *result, struct cloudwatch_result **ret,
                                 size_t *ret_n, struct aws_error *e);
