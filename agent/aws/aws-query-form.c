/* The Query protocol's form and answer envelope (see aws-query-form.h). */
#include "aws-query-form.h"

#include <errno.h>
#include <stdio.h>

#include "aws-xml.h"
#include "macro.h"

int aws_query_form(struct aws_buf *form, const char *action, const char *version, const char *params,
                   struct aws_error *e)
{
        aws_buf_param(form, "Action", action);
        aws_buf_param(form, "Version", version);
        if (!isempty(params)) {
                aws_buf_putc(form, '&');
                aws_buf_puts(form, params);
        }
        if (form->oom) {
                aws_buf_done(form);
                return aws_error_set(e, -ENOMEM, AWS_ERROR_INVALID, "OutOfMemory", "out of memory");
        }
        return 0;
}

struct aws_xml_node *aws_query_result(const struct aws_xml_node *doc, const char *action)
{
        char name[128];
        snprintf(name, sizeof(name), "%sResult", action);
        return aws_xml_child(doc, name);
}

int aws_query_answer(const struct aws_response *resp, const char *action, struct aws_xml_node **ret_doc,
                     struct aws_xml_node **ret_result, struct aws_error *e)
{
        _cleanup_xml_ struct aws_xml_node *doc = NULL;
        struct aws_xml_node *result;
        char name[128];
        int r = aws_xml_parse(resp->body, resp->body_len, &doc, e);
        if (r >= 0) {
                result = aws_query_result(doc, action);
                snprintf(name, sizeof(name), "%sResponse", action);
                if (!result && !aws_xml_is_named(doc, name))
                        r = aws_error_set(e, -EBADMSG, AWS_ERROR_PARSE, "MalformedResponse",
                                          "%s: response has no %s element", action, name);
        }
        if (r < 0) {
                e->http_status = resp->status;
                return r;
        }
        if (ret_result)
                *ret_result = result;
        *ret_doc = TAKE_PTR(doc);
        return 0;
}
