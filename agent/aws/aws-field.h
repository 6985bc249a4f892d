/* Field tables: a struct's members named by offset, one row per member, so that a reader (aws-xml.h's
 * aws_xml_read_fields, AWS Backup's JSON) and the struct's destructor walk the same list. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "macro.h"

enum aws_field_type {
        AWS_FIELD_TYPE_TEXT,  /* char *, owned */
        AWS_FIELD_TYPE_BOOL,  /* bool */
        AWS_FIELD_TYPE_UINT,  /* unsigned */
        AWS_FIELD_TYPE_INT64, /* int64_t */
        AWS_FIELD_TYPE_TIME,  /* int64_t, UTC epoch seconds */
};

/* `name`: the member's name in the answer (an XML element, a JSON key). */
struct aws_field {
        const char *name;
        enum aws_field_type type;
        size_t offset;
};

/* The member's offset, its C type checked at compile time (a row cannot read a number into a string). */
#define AWS_FIELD_OFFSET(st, member, c_type)                                                                \
        (offsetof(st, member) +                                                                             \
         0 * sizeof(char[__builtin_types_compatible_p(__typeof__(((st *)0)->member), c_type) ? 1 : -1]))
#define AWS_FIELD(name_, type_, c_type, st, member)                                                         \
        {                                                                                                   \
                .name = (name_), .type = (type_), .offset = AWS_FIELD_OFFSET(st, member, c_type)            \
        }
#define AWS_FIELD_TEXT(name, st, member) AWS_FIELD(name, AWS_FIELD_TYPE_TEXT, char *, st, member)
#define AWS_FIELD_BOOL(name, st, member) AWS_FIELD(name, AWS_FIELD_TYPE_BOOL, bool, st, member)
#define AWS_FIELD_UINT(name, st, member) AWS_FIELD(name, AWS_FIELD_TYPE_UINT, unsigned, st, member)
#define AWS_FIELD_INT64(name, st, member) AWS_FIELD(name, AWS_FIELD_TYPE_INT64, int64_t, st, member)
#define AWS_FIELD_TIME(name, st, member) AWS_FIELD(name, AWS_FIELD_TYPE_TIME, int64_t, st, member)

static inline void *aws_field_ptr(const struct aws_field *f, void *obj)
{
        return (char *)obj + f->offset;
}

/* Frees (and sets to NULL) the text members of `obj`. */
void aws_fields_free(const struct aws_field *fields, size_t n, void *obj);

/* The first of `fields` whose member differs between `a` and `b` (texts by their content, NULL equal only to
 * NULL), or NULL when the two agree on every one. */
const struct aws_field *aws_fields_differ(const struct aws_field *fields, size_t n, const void *a,
                                          const void *b);

/* name##_done(): frees the text members `fields` names and empties the struct (NULL is fine): the whole
 * destructor of a record that owns nothing else. */
#define DEFINE_AWS_FIELDS_DONE(name, type, fields)                                                          \
        void name##_done(type *x)                                                                           \
        {                                                                                                   \
                if (!x)                                                                                     \
                        return;                                                                             \
                aws_fields_free((fields), ELEMENTSOF(fields), x);                                           \
                *x = (type){};                                                                              \
        }

/* list_type##_done(): frees every item of a `struct list_type` (items, n, allocated) with `item_done`, then
 * the array; other members (an RDS list's `skipped`) are left as they are. */
#define DEFINE_AWS_LIST_DONE(list_type, item_done)                                                          \
        void list_type##_done(struct list_type *l)                                                          \
        {                                                                                                   \
                if (!l)                                                                                     \
                        return;                                                                             \
                for (size_t i = 0; i < l->n; i++)                                                           \
                        item_done(&l->items[i]);                                                            \
                free(l->items);                                                                             \
                l->items = NULL;                                                                            \
                l->n = l->allocated = 0;                                                                    \
        }
