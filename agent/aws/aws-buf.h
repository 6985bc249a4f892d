/* A growable, NUL-terminated byte buffer for building requests and canonical strings (internal). */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct aws_buf {
        char *data;
        size_t len;
        size_t cap;
        bool oom;    /* sticky: one check at the end instead of one per append */
        bool secret; /* wipe on growth and on free */
};

void aws_buf_append(struct aws_buf *b, const void *p, size_t n);
void aws_buf_puts(struct aws_buf *b, const char *s);
void aws_buf_putc(struct aws_buf *b, char c);
void aws_buf_printf(struct aws_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append the percent-encoding of s (unreserved kept; '/' kept if keep_slash). */
void aws_buf_encode(struct aws_buf *b, const char *s, size_t n, bool keep_slash);
/* Form/query parameter "&k=v" (no '&' when the buffer is empty), both encoded. */
void aws_buf_param(struct aws_buf *b, const char *key, const char *value);
/* Hand the data out (never NULL unless oom) and reset; returns NULL if any append failed. */
char *aws_buf_steal(struct aws_buf *b);
void aws_buf_done(struct aws_buf *b);
static inline void aws_buf_donep(struct aws_buf *b)
{
        aws_buf_done(b);
}
#define _cleanup_buf_ __attribute__((cleanup(aws_buf_donep)))

/* Percent-decode into a new string (invalid escapes are kept literally). */
char *aws_percent_decode(const char *s, size_t n);
