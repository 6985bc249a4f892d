/* The arena a plan lives in: one owner for every string and array of a plan, freed at once. */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

struct plan_arena;

struct plan_arena *plan_arena_new(void);
struct plan_arena *plan_arena_free(struct plan_arena *a);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct plan_arena *, plan_arena_free);

/* Zeroed memory, aligned for any type. NULL on failure, and the arena remembers it failed. */
void *plan_arena_alloc(struct plan_arena *a, size_t size);
/* The same, not zeroed, for memory the caller fills completely. */
void *plan_arena_alloc_raw(struct plan_arena *a, size_t size);
/* Copies; NULL in gives NULL out. */
char *plan_arena_strdup(struct plan_arena *a, const char *s);
/* A shared copy for strings that repeat (regions, clusters, statuses, policy names). */
const char *plan_arena_intern(struct plan_arena *a, const char *s);
char *plan_arena_printf(struct plan_arena *a, const char *fmt, ...) _printf_(2, 3);
/* Takes ownership of a malloc()ed block, freed with the arena. 0, or -ENOMEM (the block is not taken). */
int plan_arena_adopt(struct plan_arena *a, void *p);
/* Whether any allocation failed: a plan built with a failed arena is incomplete. */
bool plan_arena_failed(const struct plan_arena *a);
