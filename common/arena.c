/* The arena (arena.h): a bump allocator with a string intern table. A plan of 100,000 verdicts is a few
 * large blocks and one copy of each region, cluster and status name, freed by one call. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "array.h"
#include "hash.h"

/* Blocks double from 4 KiB to 1 MiB: a small plan costs one small allocation, a fleet's plan few. */
#define ARENA_BLOCK_MIN (4 * 1024)
#define ARENA_BLOCK_MAX (1024 * 1024)
#define ARENA_ALIGN 16

struct arena_block {
        struct arena_block *next;
        size_t size, used;
        _Alignas(ARENA_ALIGN) unsigned char data[];
};

struct arena {
        struct arena_block *blocks;
        const char **interned; /* open addressing; size a power of two */
        size_t n_interned, cap_interned;
        size_t next_block;
        void **adopted;
        size_t n_adopted;
        bool failed;
};

struct arena *arena_new(void)
{
        return calloc(1, sizeof(struct arena));
}

struct arena *arena_free(struct arena *a)
{
        if (!a)
                return NULL;
        for (struct arena_block *b = a->blocks, *next; b; b = next) {
                next = b->next;
                free(b);
        }
        for (size_t i = 0; i < a->n_adopted; i++)
                free(a->adopted[i]);
        free(a->adopted);
        free(a->interned);
        free(a);
        return NULL;
}

int arena_adopt(struct arena *a, void *p)
{
        return ARRAY_APPEND(a->adopted, a->n_adopted, &p, 1);
}

bool arena_failed(const struct arena *a)
{
        return a->failed;
}

/* `align` is 1 for strings, ARENA_ALIGN for everything else. */
static void *arena_take(struct arena *a, size_t size, size_t align)
{
        struct arena_block *b = a->blocks;
        if (size == 0)
                size = 1;
        if (b)
                b->used = (b->used + align - 1) & ~(align - 1);
        if (!b || b->used > b->size || b->size - b->used < size) {
                size = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
                if (a->next_block == 0)
                        a->next_block = ARENA_BLOCK_MIN;
                size_t bs = size > a->next_block / 4 ? size : a->next_block;
                if (bs == a->next_block && a->next_block < ARENA_BLOCK_MAX)
                        a->next_block *= 2;
                struct arena_block *n = malloc(sizeof *n + bs);
                if (!n) {
                        a->failed = true;
                        return NULL;
                }
                n->size = bs;
                n->used = 0;
                if (bs == size && b) {
                        /* A large block goes behind the current one, which keeps its free room. */
                        n->next = b->next;
                        b->next = n;
                } else {
                        n->next = b;
                        a->blocks = n;
                }
                b = n;
        }
        void *p = b->data + b->used;
        b->used += size;
        return p;
}

void *arena_alloc_raw(struct arena *a, size_t size)
{
        return arena_take(a, size, ARENA_ALIGN);
}

void *arena_alloc(struct arena *a, size_t size)
{
        void *p = arena_alloc_raw(a, size);
        if (p)
                memset(p, 0, size);
        return p;
}

void *arena_alloc_array(struct arena *a, size_t n, size_t size)
{
        if (size != 0 && n > SIZE_MAX / size) {
                a->failed = true;
                return NULL;
        }
        return arena_alloc(a, n * size);
}

char *arena_strdup(struct arena *a, const char *s)
{
        if (!s)
                return NULL;
        size_t n = strlen(s) + 1;
        char *p = arena_take(a, n, 1);
        if (p)
                memcpy(p, s, n);
        return p;
}

/* See plan-index.c: FNV-1a's low bits need a final mix before they pick a slot. */
static size_t slot_of(const char *s, size_t cap)
{
        uint64_t h = hash_fnv1a64(s);
        h ^= h >> 33;
        h *= UINT64_C(0xff51afd7ed558ccd);
        h ^= h >> 33;
        return (size_t)h & (cap - 1);
}

static bool intern_grow(struct arena *a)
{
        size_t cap = a->cap_interned ? a->cap_interned * 2 : 256;
        const char **t = calloc(cap, sizeof *t);
        if (!t)
                return false;
        for (size_t i = 0; i < a->cap_interned; i++)
                if (a->interned[i]) {
                        size_t j = slot_of(a->interned[i], cap);
                        while (t[j])
                                j = (j + 1) & (cap - 1);
                        t[j] = a->interned[i];
                }
        free(a->interned);
        a->interned = t;
        a->cap_interned = cap;
        return true;
}

const char *arena_intern(struct arena *a, const char *s)
{
        if (!s)
                return NULL;
        if ((a->n_interned + 1) * 2 > a->cap_interned && !intern_grow(a)) {
                a->failed = true;
                return NULL;
        }
        size_t j = slot_of(s, a->cap_interned);
        for (; a->interned[j]; j = (j + 1) & (a->cap_interned - 1))
                if (streq(a->interned[j], s))
                        return a->interned[j];
        char *p = arena_strdup(a, s);
        if (!p)
                return NULL;
        a->interned[j] = p;
        a->n_interned++;
        return p;
}

static void *arena_reserve(void *userdata, size_t size)
{
        return arena_take(userdata, size, 1);
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
        char *p = NULL;
        va_list ap;
        va_start(ap, fmt);
        /* A failed format marks the arena as a failed allocation would (arena_take() marks its own). */
        if (vsprintf_reserve(arena_reserve, a, &p, fmt, ap) < 0)
                a->failed = true;
        va_end(ap);
        return p;
}
