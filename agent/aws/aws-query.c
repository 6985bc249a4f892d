/* The Query protocol (RDS, STS): a form-encoded POST of Action, Version and the parameters, answered in
 * XML, either parsed whole (small answers) or handed over raw to a streaming page parser. */
#include "aws-query.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "aws-buf.h"
#include "aws-client-internal.h"
#include "aws-xml.h"
#include "macro.h"

int aws_query_send(struct aws_client *c, enum aws_service svc, const char *action, const char *version,
                   const char *params, enum aws_signing signing, const struct aws_credentials *creds,
                   struct aws_response *ret, struct aws_error *e)
{
        struct aws_buf body = {.secret = true}; /* may carry a web identity token */
        int r;

        aws_buf_param(&body, "Action", action);
        aws_buf_param(&body, "Version", version);
        if (!isempty(params)) {
                aws_buf_putc(&body, '&');
                aws_buf_puts(&body, params);
        }
        if (body.oom) {
                aws_buf_done(&body);
                return aws_error_set(e, -ENOMEM, AWS_ERROR_INVALID, "OutOfMemory", "out of memory");
        }
        struct aws_request req = {
            .service = svc,
            .protocol = AWS_PROTOCOL_QUERY,
            .method = "POST",
            .path = "/",
            .content_type = "application/x-www-form-urlencoded; charset=utf-8",
            .body = body.data,
            .body_len = body.len,
            .signing = signing,
            .credentials = creds,
        };
        r = aws_client_send(c, &req, ret, e);
        aws_buf_done(&body);
        return r;
}

int aws_query_call(struct aws_client *c, enum aws_service svc, const char *action, const char *version,
                   const char *params, enum aws_signing signing, const struct aws_credentials *creds,
                   struct aws_xml_node **ret_doc, struct aws_error *e)
{
        struct aws_response resp = {};
        struct aws_xml_node *doc = NULL;
        int r;

        r = aws_query_send(c, svc, action, version, params, signing, creds, &resp, e);
        if (r < 0)
                return r;
        r = aws_xml_parse(resp.body, resp.body_len, &doc, e);
        if (r >= 0 && !aws_query_result(doc, action)) {
                /* Add/RemoveTags answer with no Result: only the Response root is required. */
                char want[128];
                snprintf(want, sizeof(want), "%sResponse", action);
                if (!aws_xml_is_named(doc, want)) {
                        doc = aws_xml_free(doc);
                        r = aws_error_set(e, -EBADMSG, AWS_ERROR_PARSE, "MalformedResponse",
                                          "%s: response has no %s element", action, want);
                }
        }
        if (r < 0)
                e->http_status = resp.status;
        else
                *ret_doc = doc;
        if (svc == AWS_SERVICE_STS && resp.body)
                OPENSSL_cleanse(resp.body, resp.body_len); /* may hold credentials */
        aws_response_done(&resp);
        return r;
}

struct aws_xml_node *aws_query_result(const struct aws_xml_node *doc, const char *action)
{
        char name[128];
        snprintf(name, sizeof(name), "%sResult", action);
        return aws_xml_child(doc, name);
}
