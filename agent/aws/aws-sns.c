/* Amazon SNS Publish over the Query protocol (aws-sns.h). */
#include "aws-sns.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ascii.h"
#include "aws-buf.h"
#include "aws-client-internal.h"
#include "aws-query.h"
#include "aws-xml.h"
#include "macro.h"

#define SNS_VERSION "2010-03-31"

bool sns_attribute_name_is_valid(const char *name)
{
        size_t l = name ? strlen(name) : 0;

        if (l == 0 || l > SNS_MAX_ATTRIBUTE_NAME || name[0] == '.' || name[l - 1] == '.')
                return false;
        if (strncasecmp(name, "AWS.", 4) == 0 || strncasecmp(name, "Amazon.", 7) == 0)
                return false;
        for (size_t i = 0; i < l; i++) {
                if (!ascii_isalnum_or(name[i], "_-."))
                        return false;
                if (name[i] == '.' && name[i + 1] == '.')
                        return false;
        }
        return true;
}

/* The length of at most `max` bytes of `s` that ends on a UTF-8 character boundary. */
static size_t utf8_cut(const char *s, size_t max)
{
        size_t l = strlen(s);
        if (l <= max)
                return l;
        while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
                max--;
        return max;
}

static void param_n(struct aws_buf *b, const char *key, const char *value, size_t n)
{
        if (b->len > 0)
                aws_buf_putc(b, '&');
        aws_buf_encode(b, key, strlen(key), false);
        aws_buf_putc(b, '=');
        aws_buf_encode(b, value, n, false);
}

int sns_publish_params(const char *topic_arn, const char *subject, const char *message,
                       const struct sns_attribute *attrs, size_t n_attrs, char **ret)
{
        struct aws_buf b = {};
        char subj[SNS_MAX_SUBJECT + 1];
        unsigned n = 0;
        size_t k = 0;

        if (isempty(topic_arn) || isempty(message) || !ret)
                return -EINVAL;
        aws_buf_param(&b, "TopicArn", topic_arn);
        /* Subject: printable ASCII only (SNS refuses control characters and line breaks). */
        for (const char *p = subject ? subject : ""; *p && k < SNS_MAX_SUBJECT; p++)
                subj[k++] = (*p >= 0x20 && *p < 0x7f) ? *p : ' ';
        subj[k] = '\0';
        if (k > 0)
                aws_buf_param(&b, "Subject", subj);
        param_n(&b, "Message", message, utf8_cut(message, SNS_MAX_MESSAGE));
        for (size_t i = 0; i < n_attrs && n < SNS_MAX_ATTRIBUTES; i++) {
                char key[64];

                if (isempty(attrs[i].value) || !sns_attribute_name_is_valid(attrs[i].name))
                        continue;
                n++;
                snprintf(key, sizeof(key), "MessageAttributes.entry.%u.Name", n);
                aws_buf_param(&b, key, attrs[i].name);
                snprintf(key, sizeof(key), "MessageAttributes.entry.%u.Value.DataType", n);
                aws_buf_param(&b, key, "String");
                snprintf(key, sizeof(key), "MessageAttributes.entry.%u.Value.StringValue", n);
                param_n(&b, key, attrs[i].value, utf8_cut(attrs[i].value, SNS_MAX_ATTRIBUTE_VALUE));
        }
        *ret = aws_buf_steal(&b);
        return *ret ? 0 : -ENOMEM;
}

int sns_publish(struct aws_client *c, const char *topic_arn, const char *subject, const char *message,
                const struct sns_attribute *attrs, size_t n_attrs, char **ret_message_id,
                struct aws_error *e)
{
        _cleanup_free_ char *params = NULL;
        struct aws_xml_node *doc = NULL;
        int r;

        r = sns_publish_params(topic_arn, subject, message, attrs, n_attrs, &params);
        if (r < 0)
                return aws_error_set(e, r, AWS_ERROR_INVALID,
                                     r == -ENOMEM ? "OutOfMemory" : "InvalidParameterValue",
                                     "cannot build the Publish request");
        r = aws_query_call(c, AWS_SERVICE_SNS, "Publish", SNS_VERSION, params, AWS_SIGN_CLIENT, NULL, &doc,
                           e);
        if (r < 0)
                return r;
        if (ret_message_id &&
            aws_xml_child_text(aws_query_result(doc, "Publish"), "MessageId", ret_message_id) < 0)
                *ret_message_id = NULL;
        aws_xml_free(doc);
        return 0;
}
