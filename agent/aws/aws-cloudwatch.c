/* CloudWatch GetMetricData over the Query protocol (aws-cloudwatch.h). */
#include "aws-cloudwatch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "ascii.h"
#include "aws-buf.h"
#include "aws-client-internal.h"
#include "aws-query.h"
#include "aws-xml.h"
#include "macro.h"
#include "time-util.h"

#define CLOUDWATCH_VERSION "2010-08-01"
#define CLOUDWATCH_MAX_VALUES_PER_RESULT 10000 /* cap on what one result may list */

struct cloudwatch_result *cloudwatch_results_free(struct cloudwatch_result *r, size_t n)
{
        for (size_t i = 0; r && i < n; i++)
                free(r[i].id);
        free(r);
        return NULL;
}

static bool query_id_is_valid(const char *id)
{
        size_t l = id ? strlen(id) : 0;
        if (l == 0 || l > 255 || !ascii_islower(id[0]))
                return false;
        for (size_t i = 0; i < l; i++)
                if (!ascii_isalnum_or(id[i], "_"))
                        return false;
        return true;
}

int cloudwatch_get_metric_data_params(const struct cloudwatch_query *q, size_t n, int64_t start, int64_t end,
                                      char **ret)
{
        struct aws_buf b = {};
        char ts[TIME_ISO8601_MAX];

        if (n == 0 || n > CLOUDWATCH_MAX_QUERIES || end <= start)
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (!query_id_is_valid(q[i].id) || isempty(q[i].namespace_) || isempty(q[i].metric) ||
                    isempty(q[i].dimension_name) || isempty(q[i].dimension_value) || isempty(q[i].stat) ||
                    q[i].period_sec == 0 || q[i].period_sec % 60 != 0)
                        return -EINVAL;
        for (size_t i = 0; i < n; i++) {
                char key[96], period[16];
                const struct {
                        const char *suffix, *value;
                } f[] = {
                    {"Id", q[i].id},
                    {"MetricStat.Metric.Namespace", q[i].namespace_},
                    {"MetricStat.Metric.MetricName", q[i].metric},
                    {"MetricStat.Metric.Dimensions.member.1.Name", q[i].dimension_name},
                    {"MetricStat.Metric.Dimensions.member.1.Value", q[i].dimension_value},
                    {"MetricStat.Period", period},
                    {"MetricStat.Stat", q[i].stat},
                    {"ReturnData", "true"},
                };
                snprintf(period, sizeof(period), "%u", q[i].period_sec);
                for (size_t k = 0; k < ELEMENTSOF(f); k++) {
                        snprintf(key, sizeof(key), "MetricDataQueries.member.%zu.%s", i + 1, f[k].suffix);
                        aws_buf_param(&b, key, f[k].value);
                }
        }
        time_format_iso8601(start, ts);
        aws_buf_param(&b, "StartTime", ts);
        time_format_iso8601(end, ts);
        aws_buf_param(&b, "EndTime", ts);
        aws_buf_param(&b, "ScanBy", "TimestampDescending");
        *ret = aws_buf_steal(&b);
        return *ret ? 0 : -ENOMEM;
}

int cloudwatch_parse_metric_data(const struct aws_xml_node *result, struct cloudwatch_result **ret,
                                 size_t *ret_n, struct aws_error *e)
{
        struct cloudwatch_result *out = NULL;
        size_t n = 0, cap = 0;
        struct aws_xml_node *list = aws_xml_child(result, "MetricDataResults");
        int r = 0;

        if (!result)
                return aws_error_set(e, -EBADMSG, AWS_ERROR_PARSE, "MalformedResponse",
                                     "GetMetricData: no result");
        AWS_XML_FOREACH(m, list, "member")
        {
                struct cloudwatch_result it = {};
                int64_t newest = 0;
                double v = 0;
                unsigned k = 0;

                if (n >= CLOUDWATCH_MAX_QUERIES) {
                        r = aws_error_set(e, -EBADMSG, AWS_ERROR_PARSE, "MalformedResponse",
                                          "GetMetricData: more results than queries");
                        break;
                }
                r = aws_xml_child_text(m, "Id", &it.id);
                if (r < 0 || !it.id) {
                        free(it.id);
                        r = aws_error_set(e, -EBADMSG, AWS_ERROR_PARSE, "MalformedResponse",
                                          "GetMetricData: result without Id");
                        break;
                }
                /* Values and Timestamps pair up by position; the newest wins whatever the order. */
                struct aws_xml_node *ts = aws_xml_child(aws_xml_child(m, "Timestamps"), "member");
                struct aws_xml_node *vs = aws_xml_child(aws_xml_child(m, "Values"), "member");
                for (; ts && vs && k < CLOUDWATCH_MAX_VALUES_PER_RESULT;
                     ts = aws_xml_next(ts, "member"), vs = aws_xml_next(vs, "member"), k++) {
                        _cleanup_free_ char *ttext = NULL, *vtext = NULL;
                        int64_t t;
                        char *end;

                        if (aws_xml_text(ts, &ttext) < 0 || aws_xml_text(vs, &vtext) < 0 ||
                            time_parse_iso8601(ttext, &t) < 0)
                                continue;
                        errno = 0;
                        v = strtod(vtext, &end);
                        if (errno != 0 || end == vtext || *end)
                                continue;
                        if (!it.has_value || t > newest) {
                                it.has_value = true;
                                it.value = v;
                                it.timestamp = newest = t;
                        }
                }
                if (ARRAY_GROW(out, cap, n) < 0) {
                        free(it.id);
                        r = aws_error_set(e, -ENOMEM, AWS_ERROR_INVALID, "OutOfMemory", "out of memory");
                        break;
                }
                out[n++] = it;
        }
        if (r < 0) {
                cloudwatch_results_free(out, n);
                return r;
        }
        *ret = out;
        *ret_n = n;
        return 0;
}

int cloudwatch_get_metric_data(struct aws_client *c, const struct cloudwatch_query *q, size_t n,
                               int64_t start, int64_t end, struct cloudwatch_result **ret, size_t *ret_n,
                               struct aws_error *e)
{
        _cleanup_free_ char *params = NULL;
        struct aws_xml_node *doc = NULL;
        int r;

        r = cloudwatch_get_metric_data_params(q, n, start, end, &params);
        if (r < 0)
                return aws_error_set(e, r, AWS_ERROR_INVALID,
                                     r == -ENOMEM ? "OutOfMemory" : "InvalidParameterValue",
                                     "cannot build the GetMetricData request");
        r = aws_query_call(c, AWS_SERVICE_CLOUDWATCH, "GetMetricData", CLOUDWATCH_VERSION, params,
                           AWS_SIGN_CLIENT, NULL, &doc, e);
        if (r < 0)
                return r;
        r = cloudwatch_parse_metric_data(aws_query_result(doc, "GetMetricData"), ret, ret_n, e);
        aws_xml_free(doc);
        return r;
}
