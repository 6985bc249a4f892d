/* Helpers declared in macro.h that need a body. */
#include <string.h>

#include "macro.h"

void free_erase(char *s)
{
        if (!s)
                return;
        explicit_bzero(s, strlen(s));
        free(s);
}
