/* A bump allocator with a string intern table: a plan of 100,000 verdicts is a few large blocks and
 * one copy of each region, cluster and status name, freed by one call. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "plan-arena.h"

/* Blocks double from 4 KiB to 1 MiB: a small plan costs one small allocation, a fleet's plan few. */
#define ARENA_BLOCK_MIN (4 * 1024)
#define ARENA_BLOCK_MAX (1024 * 1024)
#define ARENA_ALIGN 16

struct arena_block {
        struct arena_block *next;
        size_t size, used;
        _Alignas(ARENA_ALIGN) unsigned char data[];
};

struct plan_arena {
        struct arena_block *blocks;
        const char **interned; /* open addressing; size a power of two */
        size_t n_interned, cap_interned;
        size_t next_block;
        bool failed;
};

struct plan_arena *plan_arena_new(void)
{
        return calloc(1, sizeof(struct plan_arena));
}

struct plan_arena *plan_arena_free(struct plan_arena *a)
{
        if (!a)
                return NULL;
        for (struct arena_block *b = a->blocks, *next; b; b = next) {
                next = b->next;
                free(b);
        }
        free(a->interned);
        free(a);
        return NULL;
}

bool plan_arena_failed(const struct plan_arena *a)
{
        return a->failed;
}

void *plan_arena_alloc(struct plan_arena *a, size_t size)
{
        size = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
        if (size == 0)
                size = ARENA_ALIGN;
        struct arena_block *b = a->blocks;
        if (!b || b->size - b->used < size) {
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
        memset(p, 0, size);
        return p;
}

char *plan_arena_strdup(struct plan_arena *a, const char *s)
{
        if (!s)
                return NULL;
        size_t n = strlen(s) + 1;
        char *p = plan_arena_alloc(a, n);
        if (p)
                memcpy(p, s, n);
        return p;
}

static bool intern_grow(struct plan_arena *a)
{
        size_t cap = a->cap_interned ? a->cap_interned * 2 : 256;
        const char **t = calloc(cap, sizeof *t);
        if (!t)
                return false;
        for (size_t i = 0; i < a->cap_interned; i++)
                if (a->interned[i]) {
                        size_t j = hash_fnv1a64(a->interned[i]) & (cap - 1);
                        while (t[j])
                                j = (j + 1) & (cap - 1);
                        t[j] = a->interned[i];
                }
        free(a->interned);
        a->interned = t;
        a->cap_interned = cap;
        return true;
}

const char *plan_arena_intern(struct plan_arena *a, const char *s)
{
        if (!s)
                return NULL;
        if ((a->n_interned + 1) * 2 > a->cap_interned && !intern_grow(a)) {
                a->failed = true;
                return NULL;
        }
        size_t j = hash_fnv1a64(s) & (a->cap_interned - 1);
        for (; a->interned[j]; j = (j + 1) & (a->cap_interned - 1))
                if (streq(a->interned[j], s))
                        return a->interned[j];
        char *p = plan_arena_strdup(a, s);
        if (!p)
                return NULL;
        a->interned[j] = p;
        a->n_interned++;
        return p;
}

char *plan_arena_printf(struct plan_arena *a, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
                a->failed = true;
                return NULL;
        }
        char *p = plan_arena_alloc(a, (size_t)n + 1);
        if (!p)
                return NULL;
        va_start(ap, fmt);
        vsnprintf(p, (size_t)n + 1, fmt, ap);
        va_end(ap);
        return p;
}
