/* Growing arrays: one helper instead of a hand-written realloc at every site that appends. */
#pragma once

#include <stddef.h>

/* Makes room for element `n` (0-based) of *array, which has *allocated elements: doubles the allocation
 * (at least 16), zeroes the new elements, updates both. Returns 0, or -ENOMEM leaving *array and
 * *allocated as they were. */
int array_grow(void **array, size_t *allocated, size_t n, size_t size);

/* ARRAY_GROW(items, allocated, n): array_grow for a typed pointer. */
#define ARRAY_GROW(array, allocated, n) array_grow((void **)&(array), &(allocated), (n), sizeof(*(array)))
