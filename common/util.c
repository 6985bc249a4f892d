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
