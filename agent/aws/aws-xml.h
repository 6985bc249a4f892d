/* Small helpers over libxml2 for AWS Query/REST-XML responses (internal): safe parsing options, child
 * lookup by local name, capped text extraction. */
#pragma once

#include <libxml/tree.h>
#include <stdbool.h>
#include <stdint.h>

#include "aws-error.h"

#define AWS_XML_MAX_TEXT (64u * 1024)

/* Parses without network access, entity substitution or DTD loading. Returns 0 or -EBADMSG (e: PARSE). */
int aws_xml_parse(const char *buf, size_t len, xmlDoc **ret, struct aws_error *e);
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
