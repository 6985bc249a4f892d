/* The Query protocol (RDS, STS): a form-encoded POST of Action, Version and the parameters, answered in
 * XML, either parsed whole (small answers) or handed over raw to a streaming page parser. */
#include "aws-query.h"

#include <errno.h>
#include <string.h>

#include "aws-buf.h"
#include "aws-client-internal.h"
#include "aws-query-form.h"
#include "aws-xml.h"
#include "macro.h"

int aws_query_send(struct aws_client *c, enum aws_service svc, const char *action, const char *version,
                   const char *params, enum aws_signing signing, const struct aws_credentials *creds,
                   struct aws_response *ret, struct aws_error *e)
{
        _cleanup_buf_ struct aws_buf form = {.secret = true}; /* may carry a web identity token */
        int r = aws_query_form(&form, action, version, params, e);
        if (r < 0)
                return r;
        return aws_client_send_form(c, svc, form.data, form.len, signing, creds, ret, e);
}

int aws_query_call(struct aws_client *c, enum aws_service svc, const char *action, const char *version,
                   const char *params, enum aws_signing signing, const struct aws_credentials *creds,
                   struct aws_xml_node **ret_doc, struct aws_error *e)
{
        struct aws_response resp = {};
        int r = aws_query_send(c, svc, action, version, params, signing, creds, &resp, e);
        if (r < 0)
                return r;
        r = aws_query_answer(&resp, action, ret_doc, NULL, e);
        aws_response_done(&resp);
        return r;
}
