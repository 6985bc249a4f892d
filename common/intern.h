/* A process-wide pool of strings that repeat across thousands of records (cluster identifiers, KMS key
 * ARNs, tag keys and values): one copy each, never freed. The pool only grows with distinct values, which
 * a fleet has few of (clusters, keys, policies); the records that point into it must not free them. */
#pragma once

#include <stdbool.h>

/* The pooled copy of `s`; NULL for NULL, when out of memory, or when the pool is full (4 MiB, then callers
 * keep their own copies). */
const char *str_intern(const char *s);
/* Whether `p` points into the pool (and so must not be freed). */
bool str_interned(const char *p);
