/* libxml2 helpers: parsing with safe options and child/text access by local name. */
#include "aws-xml.h"

#include <errno.h>
#include <inttypes.h>
#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlversion.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "time-util.h"

/* What the SAX hooks saw; the parser context's _private points here. */
struct parse_guard {
        bool dtd;
        bool too_many_nodes;
        size_t nodes;
};

/* Called as soon as "<!DOCTYPE name ..." has been read, before its internal subset: no entity is ever
 * declared, so none can be expanded, and no external subset is ever looked at. */
static void refuse_dtd(void *ctx, const xmlChar *name, const xmlChar *external_id, const xmlChar *system_id)
{
        xmlParserCtxt *ctxt = ctx;
        struct parse_guard *g = ctxt->_private;
        g->dtd = true;
        xmlStopParser(ctxt);
}

/* Tree nodes are what costs memory (some 130 bytes each, against 4 bytes for "<a/>"): count them. */
static bool count_node(xmlParserCtxt *ctxt, size_t n)
{
        struct parse_guard *g = ctxt->_private;
        g->nodes += n;
        if (g->nodes <= AWS_XML_MAX_NODES)
                return true;
        g->too_many_nodes = true;
        xmlStopParser(ctxt);
        return false;
}

static void count_element(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
                          int nb_namespaces, const xmlChar **namespaces, int nb_attributes, int nb_defaulted,
                          const xmlChar **attributes)
{
        if (count_node(ctx, 1 + (size_t)nb_attributes + (size_t)nb_namespaces))
                xmlSAX2StartElementNs(ctx, localname, prefix, uri, nb_namespaces, namespaces, nb_attributes,
                                      nb_defaulted, attributes);
}

/* Text that follows text is appended to the same node; any other text makes a new one. */
static void count_text(void *ctx, const xmlChar *ch, int len)
{
        xmlParserCtxt *ctxt = ctx;
        bool appends = ctxt->node && ctxt->node->last && ctxt->node->last->type == XML_TEXT_NODE;
        if (appends || count_node(ctxt, 1))
                xmlSAX2Characters(ctx, ch, len);
}

static void count_cdata(void *ctx, const xmlChar *value, int len)
{
        if (count_node(ctx, 1))
                xmlSAX2CDataBlock(ctx, value, len);
}

static void parser_ctxt_freep(xmlParserCtxt **c)
{
        if (*c)
                xmlFreeParserCtxt(*c);
}

int aws_xml_parse(const char *buf, size_t len, xmlDoc **ret, struct aws_error *e)
{
        _cleanup_(parser_ctxt_freep) xmlParserCtxt *ctxt = NULL;
        struct parse_guard g = {};
        /* Never XML_PARSE_NOENT (substitute entities) nor XML_PARSE_DTDLOAD/DTDATTR/DTDVALID. */
        int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOBLANKS;
#if LIBXML_VERSION >= 21300
        options |= XML_PARSE_NO_XXE;
#endif

        if (!buf || len == 0 || len > INT32_MAX)
                return aws_error_set(e, -EBADMSG, AWS_ERROR_PARSE, "MalformedResponse",
                                     "empty or oversized XML response");
        ctxt = xmlCreateMemoryParserCtxt(buf, (int)len);
        if (!ctxt)
                return aws_error_set(e, -ENOMEM, AWS_ERROR_PARSE, "OutOfMemory", "out of memory");
        xmlCtxtUseOptions(ctxt, options);
        /* The context has its own copy of the SAX2 tree builder's handlers: change a few of them. */
        ctxt->sax->internalSubset = refuse_dtd;
        ctxt->sax->externalSubset = refuse_dtd;
        ctxt->sax->startElementNs = count_element;
        ctxt->sax->characters = count_text;
        ctxt->sax->cdataBlock = count_cdata;
        /* Comments and processing instructions would be nodes too; AWS's answers have none worth keeping. */
        ctxt->sax->comment = NULL;
        ctxt->sax->processingInstruction = NULL;
        ctxt->_private = &g;

        (void)xmlParseDocument(ctxt);
        _cleanup_xml_ xmlDoc *d = TAKE_PTR(ctxt->myDoc);
        if (g.dtd)
                return aws_error_set(e, -EBADMSG, AWS_ERROR_PARSE, "MalformedResponse",
                                     "response has a DTD (<!DOCTYPE>): refused, AWS never sends one");
        if (g.too_many_nodes)
                return aws_error_set(e, -EBADMSG, AWS_ERROR_PARSE, "MalformedResponse",
                                     "response has more than %u XML nodes", AWS_XML_MAX_NODES);
        if (!ctxt->wellFormed || !d || !xmlDocGetRootElement(d))
                return aws_error_set(e, -EBADMSG, AWS_ERROR_PARSE, "MalformedResponse",
                                     "response is not well-formed XML");
        *ret = TAKE_PTR(d);
        return 0;
}

static bool named(xmlNode *n, const char *name)
{
        return n->type == XML_ELEMENT_NODE && n->name && streq((const char *)n->name, name);
}

xmlNode *aws_xml_child(xmlNode *parent, const char *name)
{
        if (!parent)
                return NULL;
        for (xmlNode *c = parent->children; c; c = c->next)
                if (named(c, name))
                        return c;
        return NULL;
}

xmlNode *aws_xml_next(xmlNode *n, const char *name)
{
        for (xmlNode *c = n ? n->next : NULL; c; c = c->next)
                if (named(c, name))
                        return c;
        return NULL;
}

xmlNode *aws_xml_path(xmlNode *from, ...)
{
        va_list ap;
        va_start(ap, from);
        for (const char *name; from && (name = va_arg(ap, const char *));)
                from = aws_xml_child(from, name);
        va_end(ap);
        return from;
}

int aws_xml_text(xmlNode *n, char **ret)
{
        if (!n)
                return -ENOENT;
        xmlChar *t = xmlNodeGetContent(n);
        if (!t)
                t = xmlStrdup((const xmlChar *)"");
        if (!t)
                return -ENOMEM;
        size_t l = strlen((const char *)t);
        if (l > AWS_XML_MAX_TEXT) {
                xmlFree(t);
                return -EBADMSG;
        }
        char *s = strdup((const char *)t);
        xmlFree(t);
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

int aws_xml_child_text(xmlNode *parent, const char *name, char **ret)
{
        xmlNode *c = aws_xml_child(parent, name);
        char *s = NULL;
        if (c) {
                int r = aws_xml_text(c, &s);
                if (r < 0)
                        return r;
        }
        free(*ret);
        *ret = s;
        return 0;
}

int aws_xml_child_bool(xmlNode *parent, const char *name, bool *ret)
{
        _cleanup_free_ char *s = NULL;
        int r = aws_xml_child_text(parent, name, &s);
        if (r < 0)
                return r;
        if (!s) {
                *ret = false;
                return 0;
        }
        if (streq(s, "true"))
                *ret = true;
        else if (streq(s, "false"))
                *ret = false;
        else
                return -EBADMSG;
        return 0;
}

int aws_xml_child_uint(xmlNode *parent, const char *name, unsigned *ret)
{
        _cleanup_free_ char *s = NULL;
        int r = aws_xml_child_text(parent, name, &s);
        if (r < 0)
                return r;
        if (!s) {
                *ret = 0;
                return 0;
        }
        char *end;
        errno = 0;
        unsigned long v = strtoul(s, &end, 10);
        if (errno || end == s || *end || v > UINT32_MAX || s[0] == '-')
                return -EBADMSG;
        *ret = (unsigned)v;
        return 0;
}

int aws_xml_child_time(xmlNode *parent, const char *name, int64_t *ret)
{
        _cleanup_free_ char *s = NULL;
        int r = aws_xml_child_text(parent, name, &s);
        if (r < 0)
                return r;
        if (!s) {
                *ret = 0;
                return 0;
        }
        int64_t t;
        if (time_parse_iso8601(s, &t) < 0)
                return -EBADMSG;
        *ret = t;
        return 0;
}

int aws_error_parse_xml(struct aws_error *e, long http_status, const char *body, size_t len)
{
        _cleanup_xml_ xmlDoc *doc = NULL;
        _cleanup_free_ char *code = NULL, *msg = NULL, *rid = NULL;
        struct aws_error ignore;

        if (aws_xml_parse(body, len, &doc, &ignore) < 0)
                return aws_error_set_service(e, http_status, NULL, NULL, NULL);
        xmlNode *root = xmlDocGetRootElement(doc);
        xmlNode *err = aws_xml_child(root, "Error");
        if (!err)
                err = aws_xml_path(root, "Errors", "Error", NULL);
        if (!err && root->name && streq((const char *)root->name, "Error"))
                err = root; /* S3 REST-XML */
        if (err) {
                (void)aws_xml_child_text(err, "Code", &code);
                (void)aws_xml_child_text(err, "Message", &msg);
                (void)aws_xml_child_text(err, "RequestId", &rid);
        }
        if (!rid)
                (void)aws_xml_child_text(root, "RequestId", &rid);
        if (!rid)
                (void)aws_xml_child_text(root, "RequestID", &rid);
        return aws_error_set_service(e, http_status, code, msg, rid);
}
