/* Helpers declared in macro.h that need a body. */
#include <stdio.h>
#include <string.h>

#include "macro.h"

void free_erase(char *s)
{
        if (!s)
                return;
        explicit_bzero(s, strlen(s));
        free(s);
}

int vasprintf_safe(char **ret, const char *fmt, va_list ap)
{
        if (vasprintf(ret, fmt, ap) < 0) {
                *ret = NULL;
                return -ENOMEM;
        }
        return 0;
}

int vsprintf_reserve(void *(*reserve)(void *userdata, size_t size), void *userdata, char **ret,
                     const char *fmt, va_list ap)
{
        va_list measure;
        va_copy(measure, ap);
        int n = vsnprintf(NULL, 0, fmt, measure);
        va_end(measure);
        if (n < 0)
                return -EINVAL;
        char *p = reserve(userdata, (size_t)n + 1);
        if (!p)
                return -ENOMEM;
        vsnprintf(p, (size_t)n + 1, fmt, ap);
        *ret = p;
        return n;
}
