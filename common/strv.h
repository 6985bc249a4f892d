/* NULL-terminated string vectors. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

char **strv_free(char **l);
DEFINE_TRIVIAL_CLEANUP_FUNC(char **, strv_free);
#define _cleanup_strv_free_ _cleanup_(strv_freep)

size_t strv_length(char *const *l);
/* Append a copy of `value`; returns 0 or -ENOMEM, leaving `*l` intact on failure. */
int strv_extend(char ***l, const char *value);
/* Append "key=value" (an environment entry, a journal field); nothing when `value` is NULL. */
int strv_extend_assignment(char ***l, const char *key, const char *value);
/* Append `value` itself, taking ownership only on success. */
int strv_push(char ***l, char *value);
bool strv_contains(char *const *l, const char *value);
char **strv_copy(char *const *l);
bool strv_equal(char *const *a, char *const *b);

#define STRV_FOREACH(s, l) for (char *const *s = (l); s && *s; s++)
