/* ASCII character classes, whatever the locale (<ctype.h>'s follow it): AWS names, identifiers and
 * URL encoding are defined over ASCII. */
#pragma once

#include <stdbool.h>
#include <string.h>

static inline bool ascii_isdigit(char c)
{
        return c >= '0' && c <= '9';
}

static inline bool ascii_islower(char c)
{
        return c >= 'a' && c <= 'z';
}

static inline bool ascii_isupper(char c)
{
        return c >= 'A' && c <= 'Z';
}

static inline bool ascii_isalpha(char c)
{
        return ascii_islower(c) || ascii_isupper(c);
}

static inline bool ascii_isalnum(char c)
{
        return ascii_isalpha(c) || ascii_isdigit(c);
}

/* A letter, a digit or one of `extra` (never the terminating NUL). */
static inline bool ascii_isalnum_or(char c, const char *extra)
{
        return ascii_isalnum(c) || (c != '\0' && strchr(extra, c));
}
