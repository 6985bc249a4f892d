/* Error parsing (Query/XML and REST-JSON), classification for the standard retry mode, and scrubbing
 * of secrets from messages. */
#include <check.h>
#include <string.h>

#include "aws-error.h"
#include "aws-test-data.h"
#include "aws-xml.h"
#include "macro.h"
#include "test-suite.h"

TEST_FILE("aws-error");

TEST(rds_error_response_is_parsed)
{
        size_t n;
        _cleanup_free_ char *xml = read_aws_data("error-rds-not-found.xml", &n);
        struct aws_error e;
        ck_assert_int_eq(aws_error_parse_xml(&e, 404, xml, n), 0);
        ck_assert_int_eq(e.kind, AWS_ERROR_SERVICE);
        ck_assert_int_eq(e.http_status, 404);
        ck_assert_str_eq(e.code, "DBClusterSnapshotNotFoundFault");
        ck_assert_str_eq(e.message, "DBClusterSnapshot aba-prod-a-x not found.");
        ck_assert_str_eq(e.request_id, "5e6f7a8b-0000-4000-8000-000000000001");
        ck_assert(!e.retryable);
}

TEST(throttling_is_retryable)
{
        size_t n;
        _cleanup_free_ char *xml = read_aws_data("error-throttling.xml", &n);
        struct aws_error e;
        ck_assert_int_eq(aws_error_parse_xml(&e, 400, xml, n), 0);
        ck_assert_str_eq(e.code, "Throttling");
        ck_assert(e.throttling);
        ck_assert(e.retryable);
}

TEST(non_xml_body_falls_back_to_http_status)
{
        struct aws_error e;
        ck_assert_int_eq(aws_error_parse_xml(&e, 503, "<html>Service Unavailable", 25), -EBADMSG);
        ck_assert_str_eq(e.code, "HTTP503");
        ck_assert(e.retryable);
        ck_assert_int_eq(aws_error_parse_xml(&e, 403, "", 0), -EBADMSG);
        ck_assert(!e.retryable);
}

TEST(error_body_with_a_dtd_falls_back_to_http_status)
{
        /* The entity would put its text in Code: the body is refused whole instead. */
        const char *xml = "<!DOCTYPE e [<!ENTITY c \"Throttling\">]><ErrorResponse><Error><Code>&c;</Code>"
                          "</Error><RequestId>r-1</RequestId></ErrorResponse>";
        struct aws_error e;
        ck_assert_int_eq(aws_error_parse_xml(&e, 500, xml, strlen(xml)), -EBADMSG);
        ck_assert_str_eq(e.code, "HTTP500");
        ck_assert_str_eq(e.request_id, "");
}

TEST(json_error_type_comes_from_header)
{
        struct aws_error e;
        const char *body = "{\"Code\":\"ERROR_9101\",\"Message\":\"Recovery point not found\"}";
        ck_assert_int_eq(
            aws_error_parse_json(
                &e, 400, "ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.backup/",
                "req-9", body, strlen(body)),
            0);
        ck_assert_str_eq(e.code, "ResourceNotFoundException");
        ck_assert_str_eq(e.message, "Recovery point not found");
        ck_assert_str_eq(e.request_id, "req-9");
        ck_assert(!e.retryable);
}

TEST(json_error_type_falls_back_to_body)
{
        struct aws_error e;
        const char *body =
            "{\"__type\":\"com.amazonaws.backup#ThrottlingException\",\"message\":\"slow down\"}";
        ck_assert_int_eq(aws_error_parse_json(&e, 400, NULL, NULL, body, strlen(body)), 0);
        ck_assert_str_eq(e.code, "ThrottlingException");
        ck_assert_str_eq(e.message, "slow down");
        ck_assert(e.throttling && e.retryable);
        ck_assert_int_eq(aws_error_parse_json(&e, 500, NULL, NULL, "{\"trunc", 7), -EBADMSG);
        ck_assert(e.retryable);
}

/* Found by tests/fuzz/fuzz-error (tests/fuzz/regressions/error/): the code taken from x-amzn-ErrorType or
 * __type kept its CR/LF, so a peer could break a log line or a journal field. */
TEST(json_error_code_stays_on_one_line)
{
        struct aws_error e;
        const char *body = "{\"__type\": \"ThrottlingException\", \"Message\": \"Rate exceeded\"}";
        ck_assert_int_eq(aws_error_parse_json(&e, 400, "ThrottlingException\r\x01", "bc4e8c07-7051-4898",
                                              body, strlen(body)),
                         0);
        ck_assert_str_eq(e.code, "ThrottlingException \x01");
        body = "{\"__type\":\"com.amazonaws.backup#Forged\\nAURORA_ACTION=delete\",\"message\":\"m\"}";
        ck_assert_int_eq(aws_error_parse_json(&e, 400, NULL, NULL, body, strlen(body)), 0);
        ck_assert_str_eq(e.code, "Forged AURORA_ACTION=delete");
}

/* Found by tests/fuzz/fuzz-error: a type that cuts down to nothing gave a service error without a code. */
TEST(json_error_type_naming_no_code_falls_back_to_http_status)
{
        struct aws_error e;
        const char *body = "{\"__type\": \"ThrottlingException\", \"Message\": \"Rate exceeded\"}";
        ck_assert_int_eq(aws_error_parse_json(&e, 400, ":=hrottling", "r-1", body, strlen(body)), -EBADMSG);
        ck_assert_str_eq(e.code, "HTTP400");
        ck_assert_str_eq(e.request_id, "r-1");
        body = "{\"__type\": \"com.amazonaws.backup#\", \"message\": \"m\"}";
        ck_assert_int_eq(aws_error_parse_json(&e, 503, NULL, NULL, body, strlen(body)), -EBADMSG);
        ck_assert_str_eq(e.code, "HTTP503");
        ck_assert(e.retryable);
}

TEST(classification_follows_standard_mode)
{
        struct aws_error e = {.kind = AWS_ERROR_SERVICE, .http_status = 400};
        strcpy(e.code, "InvalidResourceStateException");
        aws_error_classify(&e);
        ck_assert(!e.retryable);
        strcpy(e.code, "RequestTimeout");
        aws_error_classify(&e);
        ck_assert(e.retryable && !e.throttling);
        e.http_status = 502;
        strcpy(e.code, "Whatever");
        aws_error_classify(&e);
        ck_assert(e.retryable);
        e = (struct aws_error){.kind = AWS_ERROR_TIMEOUT};
        aws_error_classify(&e);
        ck_assert(e.retryable);
        e = (struct aws_error){.kind = AWS_ERROR_TRANSPORT};
        strcpy(e.code, "TLSError");
        aws_error_classify(&e);
        ck_assert(!e.retryable);
        e = (struct aws_error){.kind = AWS_ERROR_REFUSED};
        aws_error_classify(&e);
        ck_assert(!e.retryable);
        ck_assert(aws_error_code_is_clock_skew("RequestTimeTooSkewed"));
        ck_assert(aws_error_code_is_clock_skew("SignatureDoesNotMatch"));
        ck_assert(!aws_error_code_is_clock_skew("AccessDenied"));
}

TEST(scrub_removes_secrets_even_when_cut)
{
        struct aws_error e = {};
        const char *secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
        aws_error_set(&e, -EIO, AWS_ERROR_SERVICE, "SignatureDoesNotMatch", "canonical had %s inside",
                      secret);
        const char *list[] = {secret, NULL};
        aws_error_scrub(&e, list);
        ck_assert_ptr_null(strstr(e.message, secret));
        ck_assert_ptr_nonnull(strstr(e.message, "[redacted]"));
        /* A message truncated in the middle of the secret loses the prefix too. */
        memset(e.message, 'x', sizeof(e.message));
        memcpy(e.message + sizeof(e.message) - 21, secret, 20);
        e.message[sizeof(e.message) - 1] = '\0';
        aws_error_scrub(&e, list);
        ck_assert_ptr_null(strstr(e.message, "wJalrXUtnFEMI"));
}

TEST(to_string_names_code_status_and_request_id)
{
        struct aws_error e = {.kind = AWS_ERROR_SERVICE, .http_status = 404};
        strcpy(e.code, "DBClusterNotFoundFault");
        strcpy(e.message, "not found");
        strcpy(e.request_id, "r-1");
        char buf[256];
        ck_assert_str_eq(aws_error_to_string(&e, buf, sizeof(buf)),
                         "DBClusterNotFoundFault (HTTP 404): not found [request id r-1]");
}
