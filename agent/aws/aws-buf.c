/* A growable byte buffer with a sticky out-of-memory flag, and percent encoding/decoding. */
#include "aws-buf.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "macro.h"

static bool grow(struct aws_buf *b, size_t extra)
{
        if (b->oom)
                return false;
        if (extra > SIZE_MAX / 2 - b->len) {
                b->oom = true;
                return false;
        }
        size_t need = b->len + extra + 1;
        if (need <= b->cap)
                return true;
        size_t cap = b->cap ? b->cap : 64;
        while (cap < need)
                cap *= 2;
        char *n;
        if (b->secret) {
                /* realloc could leave a copy of the secret behind: copy and wipe by hand. */
                n = malloc(cap);
                if (n && b->data) {
                        memcpy(n, b->data, b->len + 1);
                        OPENSSL_cleanse(b->data, b->cap);
                        free(b->data);
                }
        } else
                n = realloc(b->data, cap);
        if (!n) {
                b->oom = true;
                return false;
        }
        b->data = n;
        b->cap = cap;
        return true;
}

void aws_buf_append(struct aws_buf *b, const void *p, size_t n)
{
        if (!grow(b, n))
                return;
        if (n)
                memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = '\0';
}

void aws_buf_puts(struct aws_buf *b, const char *s)
{
        aws_buf_append(b, s, strlen(s));
}

void aws_buf_putc(struct aws_buf *b, char c)
{
        aws_buf_append(b, &c, 1);
}

/* vsprintf_reserve()'s allocator: room at the buffer's end, so that the text is written in place (a secret
 * buffer's contents are never copied through a temporary). */
static void *reserve_at_end(void *userdata, size_t size)
{
        struct aws_buf *b = userdata;
        return grow(b, size - 1) ? b->data + b->len : NULL;
}

void aws_buf_printf(struct aws_buf *b, const char *fmt, ...)
{
        char *p;
        va_list ap;
        va_start(ap, fmt);
        int n = vsprintf_reserve(reserve_at_end, b, &p, fmt, ap);
        va_end(ap);
        if (n < 0)
                b->oom = true;
        else
                b->len += (size_t)n;
}

/* RFC 3986's unreserved characters, which SigV4 leaves as they are. */
static bool is_unreserved(unsigned char c)
{
        return ascii_isalnum_or((char)c, "-._~");
}

void aws_buf_encode(struct aws_buf *b, const char *s, size_t n, bool keep_slash)
{
        static const char hex[] = "0123456789ABCDEF";
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)s[i];
                if (is_unreserved(c) || (keep_slash && c == '/'))
                        aws_buf_putc(b, (char)c);
                else {
                        char e[3] = {'%', hex[c >> 4], hex[c & 15]};
                        aws_buf_append(b, e, 3);
                }
        }
}

void aws_buf_param(struct aws_buf *b, const char *key, const char *value)
{
        if (b->len > 0)
                aws_buf_putc(b, '&');
        aws_buf_encode(b, key, strlen(key), false);
        aws_buf_putc(b, '=');
        aws_buf_encode(b, value, strlen(value), false);
}

char *aws_buf_steal(struct aws_buf *b)
{
        if (b->oom) {
                aws_buf_done(b);
                return NULL;
        }
        if (!b->data)
                aws_buf_append(b, "", 0);
        if (b->oom) {
                aws_buf_done(b);
                return NULL;
        }
        char *d = b->data;
        *b = (struct aws_buf){.secret = b->secret};
        return d;
}

void aws_buf_done(struct aws_buf *b)
{
        if (b->data && b->secret)
                OPENSSL_cleanse(b->data, b->cap);
        free(b->data);
        *b = (struct aws_buf){.secret = b->secret};
}

static int hexval(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

char *aws_percent_decode(const char *s, size_t n)
{
        char *r = malloc(n + 1), *o = r;
        if (!r)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                int h, l;
                if (s[i] == '%' && i + 2 < n && (h = hexval(s[i + 1])) >= 0 && (l = hexval(s[i + 2])) >= 0) {
                        *o++ = (char)(h * 16 + l);
                        i += 2;
                } else
                        *o++ = s[i];
        }
        *o = '\0';
        return r;
}
