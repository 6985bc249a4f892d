/* The Query protocol's wire format without a client: the form it POSTs and the envelope of its XML answer.
 * Shared by aws-query (the services above the client) and aws-sts (below it, sent through its owner). */
#pragma once

#include <stddef.h>

#include "aws-buf.h"
#include "aws-error.h"
#include "aws-response.h"

struct aws_xml_node;

/* "Action={action}&Version={version}" and the already encoded `params` (may be empty or NULL) into the
 * empty `form`. 0, or -ENOMEM with `e` set and `form` emptied. */
int aws_query_form(struct aws_buf *form, const char *action, const char *version, const char *params,
                   struct aws_error *e);

/* The <{action}Result> element of a Query response, or NULL. */
struct aws_xml_node *aws_query_result(const struct aws_xml_node *doc, const char *action);

/* The 2xx answer of `action` parsed: 0 with the document, which has an {action}Result (*ret_result, if
 * asked for; NULL otherwise) or at least an {action}Response root (Add/RemoveTags answer with no Result).
 * On failure (-EBADMSG, -ENOMEM) `e` carries the answer's HTTP status. */
int aws_query_answer(const struct aws_response *resp, const char *action, struct aws_xml_node **ret_doc,
                     struct aws_xml_node **ret_result, struct aws_error *e);
