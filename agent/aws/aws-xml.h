/* Small helpers over libxml2 for AWS Query/REST-XML responses (internal): safe parsing options, child
 * lookup by local name, capped text extraction. */
#pragma once

#include <libxml/tree.h>
#include <stdbool.h>
#include <stdint.h>

#include "aws-error.h"

#define AWS_XML_MAX_TEXT (64u * 1024)
/* Elements, attributes, namespace declarations and text nodes in one response. A full page of 100 clusters
 * or instances with 50 tags each is some 25,000; each node costs libxml2 130-250 bytes of tree (against 4
 * bytes for "<a/>"), so this keeps any tree near 25 MiB whatever the response. */
#define AWS_XML_MAX_NODES 100000u

/* Parses without network access. A document with a DTD (any <!DOCTYPE>) is refused while it is read,
 * before any entity can be declared, so none is ever expanded; so is one with more than
 * AWS_XML_MAX_NODES nodes. Comments and processing instructions are dropped. Returns 0, -EBADMSG (e: PARSE,
 * the message says why) or -ENOMEM. */
int aws_xml_parse(const char *buf, size_t len, xmlDoc **ret, struct aws_error *e);

/* Parse an RDS/STS Query error body:
 * <ErrorResponse><Error><Code/><Message/></Error><RequestId/></ErrorResponse> (also
 * <Response><Errors><Error> as EC2-style services send it, and S3's <Error>). Fills code/message/request
 * id and the service kind; returns 0, or -EBADMSG if the body is not such a document (e then names the
 * HTTP status). */
int aws_error_parse_xml(struct aws_error *e, long http_status, const char *body, size_t len);
static inline void aws_xml_freep(xmlDoc **d)
{
        if (*d)
                xmlFreeDoc(*d);
}
#define _cleanup_xml_ __attribute__((cleanup(aws_xml_freep)))

/* First element child named `name` (namespace ignored), NULL if none. */
xmlNode *aws_xml_child(xmlNode *parent, const char *name);
/* Follow a NULL-terminated path of element names. */
xmlNode *aws_xml_path(xmlNode *from, ...) __attribute__((sentinel));
/* Next element sibling named `name` after `n`. */
xmlNode *aws_xml_next(xmlNode *n, const char *name);
#define AWS_XML_FOREACH(child, parent, name)                                                                \
        for (xmlNode *child = aws_xml_child((parent), (name)); child; child = aws_xml_next(child, (name)))

/* Text of an element: 0 and a malloc'ed string (maybe empty), -ENOENT if n is NULL, -EBADMSG if longer
 * than the cap, -ENOMEM. */
int aws_xml_text(xmlNode *n, char **ret);
/* Optional child text: sets *ret (NULL if absent). Returns 0 or negative errno. */
int aws_xml_child_text(xmlNode *parent, const char *name, char **ret);
int aws_xml_child_bool(xmlNode *parent, const char *name, bool *ret);     /* absent: false */
int aws_xml_child_uint(xmlNode *parent, const char *name, unsigned *ret); /* absent: 0 */
int aws_xml_child_time(xmlNode *parent, const char *name, int64_t *ret);  /* absent: 0 */
