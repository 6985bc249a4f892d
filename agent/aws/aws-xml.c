/* libxml2 helpers: parsing with safe options and child/text access by local name. */
#include "aws-xml.h"

#include <errno.h>
#include <inttypes.h>
#include <libxml/parser.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "time-util.h"

int aws_xml_parse(const char *buf, size_t len, xmlDoc **ret, struct aws_error *e)
{
        if (!buf || len == 0 || len > INT32_MAX)
                return aws_error_set(e, -EBADMSG, AWS_ERROR_PARSE, "MalformedResponse",
                                     "empty or oversized XML response");
        xmlDoc *d =
            xmlReadMemory(buf, (int)len, "response.xml", NULL,
                          XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOBLANKS);
        if (!d || !xmlDocGetRootElement(d)) {
                if (d)
                        xmlFreeDoc(d);
                return aws_error_set(e, -EBADMSG, AWS_ERROR_PARSE, "MalformedResponse",
                                     "response is not well-formed XML");
        }
        *ret = d;
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
