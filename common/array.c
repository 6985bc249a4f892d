/* Growing arrays (array.h). */
#include "array.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int array_reserve(void **array, size_t *allocated, size_t n, size_t first, size_t size)
{
        size_t want;
        void *p;

        if (n < *allocated)
                return 0;
        want = *allocated ? *allocated * 2 : first;
        if (want <= n)
                want = n + 1;
        if (size == 0 || want > SIZE_MAX / size)
                return -ENOMEM;
        p = realloc(*array, want * size);
        if (!p)
                return -ENOMEM;
        *array = p;
        *allocated = want;
        return 0;
}

int array_grow(void **array, size_t *allocated, size_t n, size_t size)
{
        size_t before = *allocated;
        int r;

        r = array_reserve(array, allocated, n, 16, size);
        if (r < 0)
                return r;
        memset((char *)*array + before * size, 0, (*allocated - before) * size);
        return 0;
}

void *array_add_slot(void **array, size_t n, size_t size)
{
        void *p;

        if (size == 0 || n >= SIZE_MAX / size)
                return NULL;
        p = realloc(*array, (n + 1) * size);
        if (!p)
                return NULL;
        *array = p;
        return memset((char *)p + n * size, 0, size);
}

int array_append(void **array, size_t *n, const void *items, size_t n_items, size_t size)
{
        void *p;

        if (n_items == 0)
                return 0;
        if (size == 0 || *n > SIZE_MAX / size - n_items)
                return -ENOMEM;
        p = realloc(*array, (*n + n_items) * size);
        if (!p)
                return -ENOMEM;
        memcpy((char *)p + *n * size, items, n_items * size);
        *array = p;
        *n += n_items;
        return 0;
}
