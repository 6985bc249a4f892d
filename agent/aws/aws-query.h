/* The Query protocol (RDS, STS): a form-encoded POST of Action, Version and the parameters, answered in
 * XML. Above the client (it sends through aws_client_send), below the service modules. */
#pragma once

#include "aws-client.h"
#include "aws-credentials.h"
#include "aws-query-form.h"

struct aws_xml_node;

/* POST Action=...&Version=...&params with the standard retries. `params` is an already encoded "k=v&k=v"
 * string (may be empty). aws_query_send returns 0 with the raw 2xx answer (for a streaming parser);
 * aws_query_call returns 0 with the parsed document, which has an {action}Result or at least an
 * {action}Response root. */
int aws_query_send(struct aws_client *c, enum aws_service svc, const char *action, const char *version,
                   const char *params, enum aws_signing signing, const struct aws_credentials *creds,
                   struct aws_response *ret, struct aws_error *e);
int aws_query_call(struct aws_client *c, enum aws_service svc, const char *action, const char *version,
                   const char *params, enum aws_signing signing, const struct aws_credentials *creds,
                   struct aws_xml_node **ret_doc, struct aws_error *e);
