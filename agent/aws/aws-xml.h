/* XML for AWS Query/REST-XML responses (internal), on expat: a push parser that refuses any DTD and caps
 * nodes, depth, text and bytes, building a small tree either of the whole document (errors, STS, one-item
 * results) or, streaming, of one item at a time (Describe pages: each item is handed over and freed as
 * soon as its end tag arrives, so a page never exists as a tree). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "aws-error.h"
#include "aws-field.h"

#define AWS_XML_MAX_TEXT (64u * 1024)
/* Elements, attributes, namespace declarations and text nodes in one response, counted as they are read
 * (a streamed item that was freed still counts). A full page of 100 clusters or instances with 50 tags
 * each is some 25,000. */
#define AWS_XML_MAX_NODES 100000u
/* AWS's answers nest 8 or 9 elements deep. */
#define AWS_XML_MAX_DEPTH 64u
/* Bytes in one response: the transport's body cap (AWS_HTTP_MAX_BODY), checked again here for parsers fed
 * by other means (a body sink, a test). */
#define AWS_XML_MAX_BYTES (16u * 1024 * 1024)

/* An element (name: its local name, namespace prefix dropped) or a text node (name "", text set). Adjacent
 * character data is one text node; whitespace between elements is no node; comments and processing
 * instructions are dropped; attributes are counted, not kept. */
struct aws_xml_node {
        struct aws_xml_node *parent, *prev, *next, *children, *last;
        char *text;        /* text nodes: the content, NUL-terminated */
        uint32_t text_len; /* bytes in text */
        uint32_t text_cap; /* bytes allocated for text */
        uint8_t flags;     /* internal */
        char name[];
};

/* Frees a node and its subtree (detached from nothing: call it on a root or a detached node). Text is
 * wiped before it is freed (an STS answer carries credentials). Returns NULL. */
struct aws_xml_node *aws_xml_free(struct aws_xml_node *n);
static inline void aws_xml_freep(struct aws_xml_node **n)
{
        if (*n)
                aws_xml_free(*n);
}
#define _cleanup_xml_ __attribute__((cleanup(aws_xml_freep)))

/* ---- The push parser ---- */

struct aws_xml_parser;

/* A streamed item: `item` is detached from the tree and freed when this returns. A negative return stops
 * the parse with that error (the callback fills `e`). */
typedef int (*aws_xml_item_cb)(struct aws_xml_node *item, void *userdata, struct aws_error *e);

/* item_path: NULL to build the whole document; or the element names from the root's child down to the
 * streamed items, NULL-terminated (e.g. {"DescribeDBClustersResult", "DBClusters", "DBCluster", NULL}):
 * each item under the first element of each name on that path goes to `cb` as soon as it ends, and the
 * rest of the document (the Marker, say) is kept. The path's strings must outlive the parser. Returns NULL
 * when out of memory. */
struct aws_xml_parser *aws_xml_parser_new(const char *const *item_path, aws_xml_item_cb cb, void *userdata);
struct aws_xml_parser *aws_xml_parser_free(struct aws_xml_parser *p);
static inline void aws_xml_parser_freep(struct aws_xml_parser **p)
{
        if (*p)
                aws_xml_parser_free(*p);
}
#define _cleanup_xml_parser_ __attribute__((cleanup(aws_xml_parser_freep)))
/* Feed the next bytes, split anywhere. Returns 0 or, once the document is refused, that error every time
 * after: -EBADMSG (e: PARSE, "MalformedResponse", the message says why), -ENOMEM, or the callback's. */
int aws_xml_parser_feed(struct aws_xml_parser *p, const void *data, size_t len, struct aws_error *e);
/* End of the body: 0 with the tree (the whole document, or what streaming left of it; the caller frees
 * it), or the error. A document with a DTD (any <!DOCTYPE>) is refused as soon as "<!DOCTYPE" is read,
 * before any entity can be declared; so is one over AWS_XML_MAX_NODES nodes, AWS_XML_MAX_DEPTH levels or
 * AWS_XML_MAX_BYTES bytes. */
int aws_xml_parser_finish(struct aws_xml_parser *p, struct aws_xml_node **ret, struct aws_error *e);
/* Forget everything fed so far (a retried transfer starts over). Returns 0 or -ENOMEM. */
int aws_xml_parser_reset(struct aws_xml_parser *p);

/* The whole document in one call. Returns 0, -EBADMSG (e: PARSE, the message says why) or -ENOMEM. */
int aws_xml_parse(const char *buf, size_t len, struct aws_xml_node **ret, struct aws_error *e);

/* Parse an RDS/STS Query error body:
 * <ErrorResponse><Error><Code/><Message/></Error><RequestId/></ErrorResponse> (also
 * <Response><Errors><Error> as EC2-style services send it, and S3's <Error>). Fills code/message/request
 * id and the service kind; returns 0, or -EBADMSG if the body is not such a document (e then names the
 * HTTP status). */
int aws_error_parse_xml(struct aws_error *e, long http_status, const char *body, size_t len);

/* ---- Reading a tree ---- */

static inline bool aws_xml_is_named(const struct aws_xml_node *n, const char *name)
{
        return n && n->name[0] && strcmp(n->name, name) == 0;
}
/* First element child named `name`, NULL if none (or if parent is NULL). */
struct aws_xml_node *aws_xml_child(const struct aws_xml_node *parent, const char *name);
/* Follow a NULL-terminated path of element names. */
struct aws_xml_node *aws_xml_path(const struct aws_xml_node *from, ...) __attribute__((sentinel));
/* Next element sibling named `name` after `n`. */
struct aws_xml_node *aws_xml_next(const struct aws_xml_node *n, const char *name);
#define AWS_XML_FOREACH(child, parent, name)                                                                \
        for (struct aws_xml_node *child = aws_xml_child((parent), (name)); child;                           \
             child = aws_xml_next(child, (name)))

/* Text of an element (all the text under it, in document order): 0 and a malloc'ed string (maybe empty),
 * -ENOENT if n is NULL, -EBADMSG if longer than AWS_XML_MAX_TEXT, -ENOMEM. */
int aws_xml_text(const struct aws_xml_node *n, char **ret);
/* Optional child text: sets *ret (NULL if absent). Returns 0 or negative errno. */
int aws_xml_child_text(const struct aws_xml_node *parent, const char *name, char **ret);
int aws_xml_child_bool(const struct aws_xml_node *parent, const char *name, bool *ret); /* absent: false */
int aws_xml_child_uint(const struct aws_xml_node *parent, const char *name, unsigned *ret); /* absent: 0 */
int aws_xml_child_time(const struct aws_xml_node *parent, const char *name, int64_t *ret);  /* absent: 0 */

/* A struct's members from the children of `parent`, one per row (aws-field.h; TEXT, BOOL, UINT, TIME), in
 * order; absent children read as NULL / false / 0. Stops at the first error (-EBADMSG, -ENOMEM; -EINVAL for
 * a type XML has no reader for), leaving what was read so far for aws_fields_free. */
int aws_xml_read_fields(const struct aws_xml_node *parent, const struct aws_field *fields, size_t n,
                        void *obj);
