/* Amazon SNS Publish (Query API, version 2010-03-31): one notification to a standard topic, with String
 * message attributes. Inputs are capped here to SNS's limits so that a call is never refused for size. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "aws-client.h"

#define SNS_MAX_ATTRIBUTES 10 /* message attributes per Publish (SQS raw delivery's limit) */
#define SNS_MAX_ATTRIBUTE_NAME                                                                              \
        256 /* A-Z a-z 0-9 _ - . ; not AWS./Amazon.; no leading/trailing/double '.'                         \
             */
#define SNS_MAX_ATTRIBUTE_VALUE 1024  /* our cap per value (SNS counts them in the 256 KiB message size) */
#define SNS_MAX_SUBJECT 100           /* ASCII, no control characters */
#define SNS_MAX_MESSAGE (64U * 1024U) /* our cap; SNS allows 256 KiB including the attributes */

struct sns_attribute {
        const char *name;
        const char
            *value; /* DataType String; NULL or "" leaves the attribute out (SNS refuses empty values) */
};

/* Whether `name` is a valid message attribute name. */
bool sns_attribute_name_is_valid(const char *name);

/* The form parameters of Publish (after Action and Version), already encoded: TopicArn, Subject
 * (cleaned to printable ASCII and cut to SNS_MAX_SUBJECT), Message (cut to SNS_MAX_MESSAGE on a UTF-8
 * boundary), and MessageAttributes.entry.N.{Name,Value.DataType,Value.StringValue} for the first
 * SNS_MAX_ATTRIBUTES valid, non-empty attributes (values cut to SNS_MAX_ATTRIBUTE_VALUE). Returns 0 with a
 * malloc'ed string, or -EINVAL (no topic, empty message) / -ENOMEM. */
int sns_publish_params(const char *topic_arn, const char *subject, const char *message,
                       const struct sns_attribute *attrs, size_t n_attrs, char **ret);

/* Publish through `c` (whose region must be the topic's). Returns 0, or a negative errno with `e`
 * filled. `ret_message_id` (may be NULL) gets the MessageId. */
int sns_publish(struct aws_client *c, const char *topic_arn, const char *subject, const char *message,
                const struct sns_attribute *attrs, size_t n_attrs, char **ret_message_id,
                struct aws_error *e);
