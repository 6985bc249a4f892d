/* Names of an enum's values, as systemd's string-table.h: one table indexed by the enum, and the two lookups
 * defined over it, so that a name is written once. */
#pragma once

#include <stddef.h>

#include "macro.h"

/* The index of `s` in `table` (n entries, NULL holes allowed), or -EINVAL when it names none. */
int string_table_lookup(const char *const *table, size_t n, const char *s);

/* name##_to_string(): the table's entry for `i`, `fallback` when `i` is out of range. */
#define DEFINE_STRING_TABLE_TO_STRING(name, type, table, fallback)                                          \
        const char *name##_to_string(type i)                                                                \
        {                                                                                                   \
                return (unsigned)i < ELEMENTSOF(table) ? (table)[i] : (fallback);                           \
        }

/* name##_from_string(): the value named `s`, or -EINVAL. */
#define DEFINE_STRING_TABLE_FROM_STRING(name, table)                                                        \
        int name##_from_string(const char *s)                                                               \
        {                                                                                                   \
                return string_table_lookup(table, ELEMENTSOF(table), s);                                    \
        }

#define DEFINE_STRING_TABLE_LOOKUP(name, type, table, fallback)                                             \
        DEFINE_STRING_TABLE_TO_STRING(name, type, table, fallback)                                          \
        DEFINE_STRING_TABLE_FROM_STRING(name, table)
