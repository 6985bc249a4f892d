/* The XML of AWS answers on expat: a hardened push parser building small trees (whole or item by item),
 * and child/text access by local name. */
#include "aws-xml.h"

#include <errno.h>
#include <expat.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "aws-list.h"
#include "macro.h"
#include "time-util.h"

enum {
        NODE_COUNTED = 1 << 0,    /* text: counted toward the cap (not a blank between elements) */
        NODE_TOO_LONG = 1 << 1,   /* text: over AWS_XML_MAX_TEXT, the rest was dropped */
        NODE_CDATA = 1 << 2,      /* text: a CDATA section, never merged with what follows */
        NODE_ON_PATH = 1 << 3,    /* element: on the streamed items' path */
        NODE_PATH_TAKEN = 1 << 4, /* element on the path: its child on the path was seen already */
};

/* ---- expat's memory: every block it frees or moves is wiped first, since it holds the body (an STS answer
 * carries credentials) and nothing of a response may linger in freed memory. ---- */

static void *xml_malloc(size_t size)
{
        return malloc(size);
}

static void xml_free(void *p)
{
        if (p) {
                explicit_bzero(p, malloc_usable_size(p));
                free(p);
        }
}

static void *xml_realloc(void *p, size_t size)
{
        if (!p)
                return malloc(size);
        void *n = malloc(size);
        if (!n)
                return NULL;
        size_t old = malloc_usable_size(p);
        memcpy(n, p, MIN(old, size));
        xml_free(p);
        return n;
}

static const XML_Memory_Handling_Suite xml_memory = {xml_malloc, xml_realloc, xml_free};

/* ---- the tree ---- */

static struct aws_xml_node *node_new(const char *name, size_t name_len)
{
        struct aws_xml_node *n = calloc(1, sizeof(*n) + name_len + 1);
        if (!n)
                return NULL;
        memcpy(n->name, name, name_len);
        return n;
}

struct aws_xml_node *aws_xml_free(struct aws_xml_node *top)
{
        /* Children first, without recursion. */
        for (struct aws_xml_node *n = top; n;) {
                if (n->children) {
                        n = n->children;
                        continue;
                }
                struct aws_xml_node *up = n->parent, *next = n->next;
                bool last = n == top;
                if (n->text) {
                        explicit_bzero(n->text, n->text_cap);
                        free(n->text);
                }
                free(n);
                if (last)
                        break;
                if (next)
                        n = next;
                else {
                        up->children = NULL; /* all of them are gone */
                        n = up;
                }
        }
        return NULL;
}

static void node_append(struct aws_xml_node *parent, struct aws_xml_node *n)
{
        n->parent = parent;
        DLIST_INSERT_AFTER(parent->children, parent->last, parent->last, n);
}

static void node_detach(struct aws_xml_node *n)
{
        DLIST_REMOVE(n->parent->children, n->parent->last, n);
        n->parent = NULL;
}

static bool is_text(const struct aws_xml_node *n)
{
        return n && n->text;
}

/* ---- the parser ---- */

struct aws_xml_parser {
        XML_Parser xp;
        const char *const *item_path; /* NULL: the whole document */
        size_t path_len;
        aws_xml_item_cb cb;
        void *userdata;
        struct aws_xml_node *root, *cur; /* cur: the innermost open element */
        unsigned depth;                  /* open elements */
        size_t nodes, bytes;
        bool in_cdata;
        int r; /* once < 0, the document is refused: err says why */
        struct aws_error err;
};

static void fail(struct aws_xml_parser *p, int r, const char *fmt, ...) _printf_(3, 4);
static void fail(struct aws_xml_parser *p, int r, const char *fmt, ...)
{
        char msg[AWS_ERROR_MESSAGE_MAX];
        va_list ap;
        if (p->r < 0)
                return;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        p->r = aws_error_set(&p->err, r, AWS_ERROR_PARSE, r == -ENOMEM ? "OutOfMemory" : "MalformedResponse",
                             "%s", msg);
        if (p->xp)
                XML_StopParser(p->xp, XML_FALSE); /* harmless outside XML_Parse: it is never called again */
}

static bool count(struct aws_xml_parser *p, size_t n)
{
        p->nodes += n;
        if (p->nodes <= AWS_XML_MAX_NODES)
                return true;
        fail(p, -EBADMSG, "response has more than %u XML nodes", AWS_XML_MAX_NODES);
        return false;
}

/* Called as soon as "<!DOCTYPE name" has been read, before its internal subset: no entity is ever declared,
 * so none can be expanded, and no external subset is ever looked at. */
static void XMLCALL on_doctype(void *userdata, const XML_Char *name, const XML_Char *sysid,
                               const XML_Char *pubid, int has_internal_subset)
{
        fail(userdata, -EBADMSG, "response has a DTD (<!DOCTYPE>): refused, AWS never sends one");
}

/* Unreachable while a DOCTYPE stops the parse; kept so that an entity declaration can never be honoured. */
static void XMLCALL on_entity(void *userdata, const XML_Char *name, int is_parameter_entity,
                              const XML_Char *value, int value_length, const XML_Char *base,
                              const XML_Char *system_id, const XML_Char *public_id,
                              const XML_Char *notation_name)
{
        fail(userdata, -EBADMSG, "response has a DTD (<!DOCTYPE>): refused, AWS never sends one");
}

/* Whitespace between elements is no node: drop the blank text that ended up last in `parent`. */
static void drop_trailing_blank(struct aws_xml_node *parent)
{
        struct aws_xml_node *t = parent->last;
        if (is_text(t) && !(t->flags & (NODE_COUNTED | NODE_CDATA))) {
                node_detach(t);
                aws_xml_free(t);
        }
}

/* Whether a child of `parent` named `name`, at p->depth (the root is at 0), is on the items' path. */
static bool on_item_path(struct aws_xml_parser *p, struct aws_xml_node *parent, const char *name)
{
        if (!(parent->flags & NODE_ON_PATH) || p->depth < 1 || p->depth > p->path_len)
                return false;
        if (!streq(name, p->item_path[p->depth - 1]))
                return false;
        if (p->depth == p->path_len)
                return true; /* an item: every one of them */
        if (parent->flags & NODE_PATH_TAKEN)
                return false; /* only the first element of each name on the way, as aws_xml_child reads it */
        parent->flags |= NODE_PATH_TAKEN;
        return true;
}

static void XMLCALL on_start(void *userdata, const XML_Char *qname, const XML_Char **atts)
{
        struct aws_xml_parser *p = userdata;
        size_t n_atts = 0;
        const char *colon = strrchr(qname, ':'), *name = colon ? colon + 1 : qname;
        struct aws_xml_node *n;

        if (p->r < 0) /* expat may call one more handler after XML_StopParser */
                return;
        for (; atts[2 * n_atts]; n_atts++)
                ;
        if (!count(p, 1 + n_atts))
                return;
        if (p->depth >= AWS_XML_MAX_DEPTH) {
                fail(p, -EBADMSG, "response has XML nested deeper than %u elements", AWS_XML_MAX_DEPTH);
                return;
        }
        n = node_new(name, strlen(name));
        if (!n) {
                fail(p, -ENOMEM, "out of memory");
                return;
        }
        if (p->cur) {
                drop_trailing_blank(p->cur);
                node_append(p->cur, n);
        } else
                p->root = n; /* expat allows one root element only */
        if (p->item_path && (!p->cur || on_item_path(p, p->cur, name)))
                n->flags |= NODE_ON_PATH;
        p->depth++;
        p->cur = n;
}

static void XMLCALL on_end(void *userdata, const XML_Char *qname)
{
        struct aws_xml_parser *p = userdata;
        struct aws_xml_node *n = p->cur;

        if (p->r < 0 || !n)
                return;
        /* Blank text is kept only as the whole content of a leaf (<Marker> </Marker>), as libxml2 did. */
        struct aws_xml_node *t = n->last;
        if (is_text(t) && !(t->flags & NODE_COUNTED)) {
                if (t == n->children) {
                        t->flags |= NODE_COUNTED;
                        if (!count(p, 1))
                                return;
                } else
                        drop_trailing_blank(n);
        }
        p->cur = n->parent;
        p->depth--; /* now n's own level */
        if (p->item_path && (n->flags & NODE_ON_PATH) && p->depth == p->path_len) {
                int r;
                node_detach(n);
                r = p->cb(n, p->userdata, &p->err);
                aws_xml_free(n);
                if (r < 0 && p->r >= 0) {
                        p->r = r;
                        XML_StopParser(p->xp, XML_FALSE);
                }
        }
}

static bool blank(const char *s, int len)
{
        for (int i = 0; i < len; i++)
                if (!strchr(" \t\r\n", s[i]))
                        return false;
        return true;
}

static struct aws_xml_node *text_new(struct aws_xml_parser *p, uint8_t flags)
{
        struct aws_xml_node *t = node_new("", 0);
        if (!t || !(t->text = calloc(1, 1))) {
                free(t);
                fail(p, -ENOMEM, "out of memory");
                return NULL;
        }
        t->text_cap = 1;
        t->flags = flags;
        node_append(p->cur, t);
        return t;
}

static void XMLCALL on_text(void *userdata, const XML_Char *s, int len)
{
        struct aws_xml_parser *p = userdata;
        struct aws_xml_node *t;

        if (p->r < 0 || !p->cur || len <= 0)
                return;
        /* Text that follows text is the same node; a CDATA section is a node of its own (on_cdata_start). */
        t = p->cur->last;
        if (!is_text(t) || (!p->in_cdata && (t->flags & NODE_CDATA)))
                t = text_new(p, 0);
        if (!t)
                return;
        if (!(t->flags & NODE_COUNTED) && !blank(s, len)) {
                t->flags |= NODE_COUNTED;
                if (!count(p, 1))
                        return;
        }
        if (t->flags & NODE_TOO_LONG)
                return;
        if ((size_t)t->text_len + (size_t)len > AWS_XML_MAX_TEXT) {
                t->flags |= NODE_TOO_LONG; /* aws_xml_text() refuses it: the rest need not be kept */
                return;
        }
        if (t->text_len + (uint32_t)len + 1 > t->text_cap) {
                uint32_t cap = MAX(t->text_cap * 2, t->text_len + (uint32_t)len + 1);
                char *b = malloc(cap);
                if (!b) {
                        fail(p, -ENOMEM, "out of memory");
                        return;
                }
                memcpy(b, t->text, t->text_len);
                explicit_bzero(t->text, t->text_cap); /* not realloc: no copy of the text is left behind */
                free(t->text);
                t->text = b;
                t->text_cap = cap;
        }
        memcpy(t->text + t->text_len, s, (size_t)len);
        t->text_len += (uint32_t)len;
        t->text[t->text_len] = '\0';
}

static void XMLCALL on_cdata_start(void *userdata)
{
        struct aws_xml_parser *p = userdata;
        if (p->r < 0 || !p->cur || !count(p, 1) || !text_new(p, NODE_CDATA | NODE_COUNTED))
                return;
        p->in_cdata = true;
}

static void XMLCALL on_cdata_end(void *userdata)
{
        struct aws_xml_parser *p = userdata;
        p->in_cdata = false;
}

static int parser_start(struct aws_xml_parser *p)
{
        p->xp = XML_ParserCreate_MM(NULL, &xml_memory, NULL);
        if (!p->xp)
                return -ENOMEM;
        XML_SetUserData(p->xp, p);
        XML_SetStartDoctypeDeclHandler(p->xp, on_doctype);
        XML_SetEntityDeclHandler(p->xp, on_entity);
        XML_SetParamEntityParsing(p->xp, XML_PARAM_ENTITY_PARSING_NEVER);
        XML_SetElementHandler(p->xp, on_start, on_end);
        XML_SetCharacterDataHandler(p->xp, on_text);
        XML_SetCdataSectionHandler(p->xp, on_cdata_start, on_cdata_end);
        /* No comment or processing instruction handler: they are dropped, AWS's answers have none to keep.
         */
        return 0;
}

struct aws_xml_parser *aws_xml_parser_new(const char *const *item_path, aws_xml_item_cb cb, void *userdata)
{
        struct aws_xml_parser *p = calloc(1, sizeof(*p));
        if (!p)
                return NULL;
        *p = (struct aws_xml_parser){.item_path = item_path, .cb = cb, .userdata = userdata};
        for (; item_path && item_path[p->path_len]; p->path_len++)
                ;
        if (item_path && (p->path_len == 0 || !cb)) {
                free(p);
                return NULL;
        }
        if (parser_start(p) < 0) {
                free(p);
                return NULL;
        }
        return p;
}

static void parser_clear(struct aws_xml_parser *p)
{
        if (p->xp)
                XML_ParserFree(p->xp);
        p->xp = NULL;
        p->root = aws_xml_free(p->root);
        p->cur = NULL;
        p->depth = 0;
        p->nodes = p->bytes = 0;
        p->in_cdata = false;
        p->r = 0;
        p->err = (struct aws_error){};
}

struct aws_xml_parser *aws_xml_parser_free(struct aws_xml_parser *p)
{
        if (!p)
                return NULL;
        parser_clear(p);
        free(p);
        return NULL;
}

int aws_xml_parser_reset(struct aws_xml_parser *p)
{
        parser_clear(p);
        return parser_start(p);
}

static int refused(struct aws_xml_parser *p, struct aws_error *e)
{
        if (e)
                *e = p->err;
        return p->r;
}

static void not_well_formed(struct aws_xml_parser *p)
{
        fail(p, -EBADMSG, "response is not well-formed XML (%s at line %lu)",
             XML_ErrorString(XML_GetErrorCode(p->xp)), (unsigned long)XML_GetCurrentLineNumber(p->xp));
}

int aws_xml_parser_feed(struct aws_xml_parser *p, const void *data, size_t len, struct aws_error *e)
{
        if (p->r >= 0 && !p->xp)
                fail(p, -ENOMEM, "out of memory");
        if (p->r < 0)
                return refused(p, e);
        if (len > AWS_XML_MAX_BYTES - p->bytes) {
                fail(p, -EBADMSG, "response is larger than %u bytes", AWS_XML_MAX_BYTES);
                return refused(p, e);
        }
        p->bytes += len;
        /* XML_Parse takes an int: feed big buffers in slices. */
        for (size_t off = 0; off < len && p->r >= 0;) {
                int n = (int)MIN(len - off, (size_t)1 << 20);
                if (XML_Parse(p->xp, (const char *)data + off, n, XML_FALSE) != XML_STATUS_OK && p->r >= 0)
                        not_well_formed(p);
                off += (size_t)n;
        }
        return p->r < 0 ? refused(p, e) : 0;
}

int aws_xml_parser_finish(struct aws_xml_parser *p, struct aws_xml_node **ret, struct aws_error *e)
{
        if (p->r >= 0 && !p->xp)
                fail(p, -ENOMEM, "out of memory");
        if (p->r >= 0 && p->bytes == 0)
                fail(p, -EBADMSG, "empty XML response");
        if (p->r >= 0 && XML_Parse(p->xp, NULL, 0, XML_TRUE) != XML_STATUS_OK && p->r >= 0)
                not_well_formed(p);
        if (p->r >= 0 && !p->root)
                fail(p, -EBADMSG, "response is not well-formed XML (no root element)");
        if (p->r < 0)
                return refused(p, e);
        *ret = TAKE_PTR(p->root);
        parser_clear(p);
        return 0;
}

int aws_xml_parse(const char *buf, size_t len, struct aws_xml_node **ret, struct aws_error *e)
{
        _cleanup_xml_parser_ struct aws_xml_parser *p = NULL;
        int r;

        if (!buf || len == 0 || len > AWS_XML_MAX_BYTES)
                return aws_error_set(e, -EBADMSG, AWS_ERROR_PARSE, "MalformedResponse",
                                     "empty or oversized XML response");
        p = aws_xml_parser_new(NULL, NULL, NULL);
        if (!p)
                return aws_error_set(e, -ENOMEM, AWS_ERROR_PARSE, "OutOfMemory", "out of memory");
        r = aws_xml_parser_feed(p, buf, len, e);
        if (r < 0)
                return r;
        return aws_xml_parser_finish(p, ret, e);
}

/* ---- reading ---- */

struct aws_xml_node *aws_xml_child(const struct aws_xml_node *parent, const char *name)
{
        for (struct aws_xml_node *c = parent ? parent->children : NULL; c; c = c->next)
                if (aws_xml_is_named(c, name))
                        return c;
        return NULL;
}

struct aws_xml_node *aws_xml_next(const struct aws_xml_node *n, const char *name)
{
        for (struct aws_xml_node *c = n ? n->next : NULL; c; c = c->next)
                if (aws_xml_is_named(c, name))
                        return c;
        return NULL;
}

struct aws_xml_node *aws_xml_path(const struct aws_xml_node *from, ...)
{
        struct aws_xml_node *n = (struct aws_xml_node *)from;
        va_list ap;
        va_start(ap, from);
        for (const char *name; n && (name = va_arg(ap, const char *));)
                n = aws_xml_child(n, name);
        va_end(ap);
        return n;
}

/* Appends the text under `n` to out (NULL: only measures); false when some of it is over the cap. */
static bool gather_text(const struct aws_xml_node *n, char *out, size_t *len)
{
        if (n->flags & NODE_TOO_LONG)
                return false;
        if (n->text) {
                if (*len + n->text_len > AWS_XML_MAX_TEXT)
                        return false;
                if (out)
                        memcpy(out + *len, n->text, n->text_len);
                *len += n->text_len;
        }
        for (const struct aws_xml_node *c = n->children; c; c = c->next)
                if (!gather_text(c, out, len))
                        return false;
        return true;
}

int aws_xml_text(const struct aws_xml_node *n, char **ret)
{
        size_t len = 0;
        char *s;

        if (!n)
                return -ENOENT;
        if (!gather_text(n, NULL, &len))
                return -EBADMSG;
        s = malloc(len + 1);
        if (!s)
                return -ENOMEM;
        len = 0;
        (void)gather_text(n, s, &len);
        s[len] = '\0';
        *ret = s;
        return 0;
}

int aws_xml_child_text(const struct aws_xml_node *parent, const char *name, char **ret)
{
        struct aws_xml_node *c = aws_xml_child(parent, name);
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

/* A scalar from the child's text `s`, NULL when the child is absent (then false / 0). *ret is untouched
 * when `s` does not read as that type. */
static int parse_scalar(enum aws_field_type type, const char *s, void *ret)
{
        switch (type) {
        case AWS_FIELD_TYPE_BOOL:
                if (s && !streq(s, "true") && !streq(s, "false"))
                        return -EBADMSG;
                *(bool *)ret = s && streq(s, "true");
                return 0;
        case AWS_FIELD_TYPE_UINT: {
                unsigned long v = 0;
                if (s) {
                        char *end;
                        errno = 0;
                        v = strtoul(s, &end, 10);
                        if (errno || end == s || *end || v > UINT32_MAX || s[0] == '-')
                                return -EBADMSG;
                }
                *(unsigned *)ret = (unsigned)v;
                return 0;
        }
        case AWS_FIELD_TYPE_TIME: {
                int64_t t = 0;
                if (s && time_parse_iso8601(s, &t) < 0)
                        return -EBADMSG;
                *(int64_t *)ret = t;
                return 0;
        }
        default:
                return -EINVAL;
        }
}

static int child_value(const struct aws_xml_node *parent, const char *name, enum aws_field_type type,
                       void *ret)
{
        _cleanup_free_ char *s = NULL;
        if (type == AWS_FIELD_TYPE_TEXT)
                return aws_xml_child_text(parent, name, ret);
        int r = aws_xml_child_text(parent, name, &s);
        if (r < 0)
                return r;
        return parse_scalar(type, s, ret);
}

int aws_xml_child_bool(const struct aws_xml_node *parent, const char *name, bool *ret)
{
        return child_value(parent, name, AWS_FIELD_TYPE_BOOL, ret);
}

int aws_xml_child_uint(const struct aws_xml_node *parent, const char *name, unsigned *ret)
{
        return child_value(parent, name, AWS_FIELD_TYPE_UINT, ret);
}

int aws_xml_child_time(const struct aws_xml_node *parent, const char *name, int64_t *ret)
{
        return child_value(parent, name, AWS_FIELD_TYPE_TIME, ret);
}

int aws_xml_read_fields(const struct aws_xml_node *parent, const struct aws_field *fields, size_t n,
                        void *obj)
{
        for (size_t i = 0; i < n; i++) {
                int r = child_value(parent, fields[i].name, fields[i].type, aws_field_ptr(&fields[i], obj));
                if (r < 0)
                        return r;
        }
        return 0;
}

int aws_error_parse_xml(struct aws_error *e, long http_status, const char *body, size_t len)
{
        _cleanup_xml_ struct aws_xml_node *root = NULL;
        _cleanup_free_ char *code = NULL, *msg = NULL, *rid = NULL;
        struct aws_error ignore;

        if (aws_xml_parse(body, len, &root, &ignore) < 0)
                return aws_error_set_service(e, http_status, NULL, NULL, NULL);
        struct aws_xml_node *err = aws_xml_child(root, "Error");
        if (!err)
                err = aws_xml_path(root, "Errors", "Error", NULL);
        if (!err && aws_xml_is_named(root, "Error"))
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
