/* Small macros shared by every module: cleanup-scoped ownership, array sizes, errno helpers. */
#pragma once

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _pure_ __attribute__((pure))
#define _warn_unused_result_ __attribute__((warn_unused_result))
#define _likely_(x) (__builtin_expect(!!(x), 1))
#define _unlikely_(x) (__builtin_expect(!!(x), 0))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/* Hand ownership out of a cleanup-scoped variable. */
#define TAKE_PTR(p)                                                                                         \
        ({                                                                                                  \
                __typeof__(p) _ptr_ = (p);                                                                  \
                (p) = NULL;                                                                                 \
                _ptr_;                                                                                      \
        })

#define TAKE_FD(fd)                                                                                         \
        ({                                                                                                  \
                int _fd_ = (fd);                                                                            \
                (fd) = -1;                                                                                  \
                _fd_;                                                                                       \
        })

/* Define a cleanup function `name##p` for a pointer type freed by `func`. */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)                                                             \
        static inline void func##p(type *p)                                                                 \
        {                                                                                                   \
                if (*p)                                                                                     \
                        func(*p);                                                                           \
        }

/* Define `name##_ref` and `name##_unref` for a type counted in its `n_ref` field: both accept NULL, unref
 * returns NULL and hands the object to `free_func` (a void function) when the last reference goes. */
#define DEFINE_TRIVIAL_REF_UNREF_FUNC(type, name, free_func)                                                \
        type *name##_ref(type *p)                                                                           \
        {                                                                                                   \
                if (p)                                                                                      \
                        p->n_ref++;                                                                         \
                return p;                                                                                   \
        }                                                                                                   \
        type *name##_unref(type *p)                                                                         \
        {                                                                                                   \
                if (p && --p->n_ref == 0)                                                                   \
                        free_func(p);                                                                       \
                return NULL;                                                                                \
        }

static inline void freep(void *p)
{
        free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(freep)

/* free() that returns NULL, for `p = mfree(p);`. */
static inline void *mfree(void *p)
{
        free(p);
        return NULL;
}

static inline const char *strempty(const char *s)
{
        return s ? s : "";
}

static inline void fclosep(FILE **f)
{
        if (*f)
                fclose(*f);
}
#define _cleanup_fclose_ _cleanup_(fclosep)

static inline void closep(int *fd)
{
        if (*fd >= 0) {
                int saved = errno;
                close(*fd);
                errno = saved;
        }
}
#define _cleanup_close_ _cleanup_(closep)

/* Return a negative errno from the current errno, never 0. */
static inline int negative_errno(void)
{
        return errno > 0 ? -errno : -EIO;
}

static inline bool streq_ptr(const char *a, const char *b)
{
        if (!a || !b)
                return a == b;
        return strcmp(a, b) == 0;
}

#define streq(a, b) (strcmp((a), (b)) == 0)
#define strneq(a, b, n) (strncmp((a), (b), (n)) == 0)
#define isempty(s) (!(s) || (s)[0] == '\0')

static inline const char *startswith(const char *s, const char *prefix)
{
        size_t l = strlen(prefix);
        return strncmp(s, prefix, l) == 0 ? s + l : NULL;
}

static inline const char *strna(const char *s)
{
        return s ? s : "n/a";
}

/* vasprintf() as a negative errno: 0, or -ENOMEM with *ret set to NULL (glibc leaves it undefined, so that
 * every caller would have to reset it before its cleanup frees it). */
int vasprintf_safe(char **ret, const char *fmt, va_list ap) _printf_(2, 0);

/* Format into memory that the caller's allocator hands out once the length is known (measure, then print):
 * reserve(userdata, size) returns room for `size` bytes (the text and its NUL) or NULL. The text's length,
 * with *ret pointing at it; -EINVAL when the format fails, -ENOMEM when reserve() does (*ret untouched). */
int vsprintf_reserve(void *(*reserve)(void *userdata, size_t size), void *userdata, char **ret,
                     const char *fmt, va_list ap) _printf_(4, 0);

/* Free a string whose contents must not outlive it (secrets). */
void free_erase(char *s);
static inline void free_erasep(char **p)
{
        free_erase(*p);
}
#define _cleanup_erase_ _cleanup_(free_erasep)
