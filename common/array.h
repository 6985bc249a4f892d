/* Growing arrays: one helper instead of a hand-written realloc at every site that appends. */
#pragma once

#include <stddef.h>

/* Makes room for element `n` (0-based) of *array, which has *allocated elements: doubles the allocation
 * (at least 16), zeroes the new elements, updates both. Returns 0, or -ENOMEM leaving *array and
 * *allocated as they were. */
int array_grow(void **array, size_t *allocated, size_t n, size_t size);

/* The same growth, from `first` elements when there are none, without zeroing: for a large first
 * reservation whose pages cost no memory until they are written. */
int array_reserve(void **array, size_t *allocated, size_t n, size_t first, size_t size);

/* ARRAY_GROW(items, allocated, n): array_grow for a typed pointer. */
#define ARRAY_GROW(array, allocated, n) array_grow((void **)&(array), &(allocated), (n), sizeof(*(array)))

/* Makes room for one element after the `n` of *array (reallocated to exactly n + 1 elements) and returns
 * it zeroed, for the caller to fill and then count; NULL (-ENOMEM) leaves *array as it was. */
void *array_add_slot(void **array, size_t n, size_t size);

/* ARRAY_ADD_SLOT(items, n): array_add_slot for a typed pointer; the slot has the elements' type. */
#define ARRAY_ADD_SLOT(array, n)                                                                            \
        ((typeof(&(array)[0]))array_add_slot((void **)&(array), (n), sizeof(*(array))))

/* Copies the `n_items` elements at `items` to the end of *array, which has *n elements and is reallocated
 * to exactly the new count (for arrays that grow by whole batches: a listing, a part merged in). Returns 0,
 * or -ENOMEM leaving *array and *n as they were. */
int array_append(void **array, size_t *n, const void *items, size_t n_items, size_t size);

/* ARRAY_APPEND(items, n, more, n_more): array_append for a typed pointer. */
#define ARRAY_APPEND(array, n, items, n_items)                                                              \
        array_append((void **)&(array), &(n), (items), (n_items), sizeof(*(array)))
