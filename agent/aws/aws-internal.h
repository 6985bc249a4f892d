/* Internals shared by the files of the AWS layer (not for the rest of the agent). */
#pragma once

#include "aws-client.h"

/* An unsigned request straight to a URL with the client's transport (metadata services). `headers`
 * is a NULL-terminated list of "Name: value" lines. Returns 0 with any HTTP status. */
int aws_client_http_raw(struct aws_client *c, const char *method, const char *url, char *const *headers,
                        const char *body, size_t body_len, struct aws_response *ret, struct aws_error *e);
/* Query API call (RDS, STS): POST Action=...&Version=...&params, with the standard retries. `params` is an
 * already encoded "k=v&k=v" string (may be empty). Returns 0 with the parsed XML document. */
struct _xmlDoc;
int aws_query_call(struct aws_client *c, enum aws_service svc, const char *action, const char *version,
                   const char *params, enum aws_signing signing, const struct aws_credentials *creds,
                   struct _xmlDoc **ret_doc, struct aws_error *e);
/* The <{action}Result> element of a Query response, or NULL. */
struct _xmlNode *aws_query_result(struct _xmlDoc *doc, const char *action);
