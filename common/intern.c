/* The string pool (intern.h): an open-addressing hash set of pointers into 64 KiB chunks. */
#include "intern.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

#define CHUNK_SIZE (64U * 1024U)
#define MAX_POOLED_LENGTH 2048U /* longer strings are rare and not worth a slot: not pooled */
#define MAX_CHUNKS 64U          /* 4 MiB: past it, nothing more is pooled (callers keep their own copy) */

struct chunk {
        struct chunk *next;
        size_t used;
        char data[];
};

static struct chunk *chunks;
static unsigned n_chunks;
static const char **slots; /* the hash set; capacity a power of two */
static size_t n_slots, n_used;

static bool in_chunk(const struct chunk *c, const char *p)
{
        return p >= c->data && p < c->data + CHUNK_SIZE;
}

bool str_interned(const char *p)
{
        if (!p)
                return false;
        for (const struct chunk *c = chunks; c; c = c->next)
                if (in_chunk(c, p))
                        return true;
        return false;
}

static char *chunk_copy(const char *s, size_t len)
{
        if (!chunks || chunks->used + len + 1 > CHUNK_SIZE) {
                if (n_chunks >= MAX_CHUNKS)
                        return NULL;
                struct chunk *c = malloc(sizeof(*c) + CHUNK_SIZE);
                if (!c)
                        return NULL;
                c->next = chunks;
                c->used = 0;
                chunks = c;
                n_chunks++;
        }
        char *p = chunks->data + chunks->used;
        memcpy(p, s, len + 1);
        chunks->used += len + 1;
        return p;
}

static int grow(void)
{
        size_t n = n_slots ? n_slots * 2 : 1024;
        const char **t = calloc(n, sizeof(*t));
        if (!t)
                return -1;
        for (size_t i = 0; i < n_slots; i++) {
                if (!slots[i])
                        continue;
                size_t k = hash_fnv1a64(slots[i]) & (n - 1);
                while (t[k])
                        k = (k + 1) & (n - 1);
                t[k] = slots[i];
        }
        free(slots);
        slots = t;
        n_slots = n;
        return 0;
}

const char *str_intern(const char *s)
{
        if (!s)
                return NULL;
        size_t len = strlen(s);
        if (len > MAX_POOLED_LENGTH)
                return NULL;
        if ((n_used + 1) * 4 > n_slots * 3 && grow() < 0)
                return NULL;
        size_t k = hash_fnv1a64(s) & (n_slots - 1);
        while (slots[k]) {
                if (strcmp(slots[k], s) == 0)
                        return slots[k];
                k = (k + 1) & (n_slots - 1);
        }
        char *p = chunk_copy(s, len);
        if (!p)
                return NULL;
        slots[k] = p;
        n_used++;
        return p;
}
