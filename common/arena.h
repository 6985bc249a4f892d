/* An arena: one owner for every string and array of something built once and freed at once (a plan, a
 * config). */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

struct arena;

struct arena *arena_new(void);
struct arena *arena_free(struct arena *a);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct arena *, arena_free);

/* Zeroed memory, aligned for any type. NULL on failure, and the arena remembers it failed. */
void *arena_alloc(struct arena *a, size_t size);
/* Zeroed room for `n` elements of `size` bytes, as calloc(): NULL on failure or overflow. */
void *arena_alloc_array(struct arena *a, size_t n, size_t size);
/* The same as arena_alloc(), not zeroed, for memory the caller fills completely. */
void *arena_alloc_raw(struct arena *a, size_t size);
/* Copies; NULL in gives NULL out. */
char *arena_strdup(struct arena *a, const char *s);
/* A shared copy for strings that repeat (regions, clusters, statuses, policy names). */
const char *arena_intern(struct arena *a, const char *s);
char *arena_printf(struct arena *a, const char *fmt, ...) _printf_(2, 3);
/* Takes ownership of a malloc()ed block, freed with the arena. 0, or -ENOMEM (the block is not taken). */
int arena_adopt(struct arena *a, void *p);
/* Whether any allocation failed: a plan built with a failed arena is incomplete. */
bool arena_failed(const struct arena *a);
