/* NULL-terminated string vectors. */
#include "strv.h"

#include <stdlib.h>
#include <string.h>

char **strv_free(char **l)
{
        if (!l)
                return NULL;
        for (char **s = l; *s; s++)
                free(*s);
        free(l);
        return NULL;
}

size_t strv_length(char *const *l)
{
        size_t n = 0;
        while (l && l[n])
                n++;
        return n;
}

int strv_push(char ***l, char *value)
{
        size_t n = strv_length(*l);
        char **c = realloc(*l, sizeof(char *) * (n + 2));
        if (!c)
                return -ENOMEM;
        c[n] = value;
        c[n + 1] = NULL;
        *l = c;
        return 0;
}

int strv_extend(char ***l, const char *value)
{
        char *v = strdup(value);
        if (!v)
                return -ENOMEM;
        int r = strv_push(l, v);
        if (r < 0)
                free(v);
        return r;
}

int strv_extend_assignment(char ***l, const char *key, const char *value)
{
        char *v;
        int r;

        if (!value)
                return 0;
        if (asprintf(&v, "%s=%s", key, value) < 0)
                return -ENOMEM;
        r = strv_push(l, v);
        if (r < 0)
                free(v);
        return r;
}

bool strv_contains(char *const *l, const char *value)
{
        STRV_FOREACH (s, l)
                if (streq(*s, value))
                        return true;
        return false;
}

char **strv_copy(char *const *l)
{
        _cleanup_strv_free_ char **c = calloc(strv_length(l) + 1, sizeof(char *));
        if (!c)
                return NULL;
        size_t i = 0;
        STRV_FOREACH (s, l) {
                c[i] = strdup(*s);
                if (!c[i])
                        return NULL;
                i++;
        }
        return TAKE_PTR(c);
}

bool strv_equal(char *const *a, char *const *b)
{
        size_t n = strv_length(a);
        if (n != strv_length(b))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!streq(a[i], b[i]))
                        return false;
        return true;
}
