/* Paged listings that cannot run away: every marker a listing was given is remembered (as a hash), a
 * repeat ends the listing, and so does the page cap. One guard for every paging loop of the layer. */
#include "aws-paging.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* FNV-1a. Markers come from the server we are talking to, which could fail the listing anyway: a
 * collision (odds ~ pages² / 2^65) can only end a listing early with an error, never skip a page. */
static uint64_t marker_hash(const char *s)
{
        uint64_t h = UINT64_C(14695981039346656037);
        for (; *s; s++) {
                h ^= (unsigned char)*s;
                h *= UINT64_C(1099511628211);
        }
        return h ?: 1; /* 0 marks a free slot */
}

/* Returns true if `h` was in the set already; else adds it. The table stays at most half full. */
static bool set_add(uint64_t *table, size_t size, uint64_t h)
{
        for (size_t i = h & (size - 1);; i = (i + 1) & (size - 1)) {
                if (table[i] == h)
                        return true;
                if (table[i] == 0) {
                        table[i] = h;
                        return false;
                }
        }
}

static int grow(struct aws_paging *p)
{
        size_t size = p->size ? 2 * p->size : 64;
        uint64_t *t = calloc(size, sizeof(*t));
        if (!t)
                return -ENOMEM;
        for (size_t i = 0; i < p->size; i++)
                if (p->seen[i])
                        (void)set_add(t, size, p->seen[i]);
        free(p->seen);
        p->seen = t;
        p->size = size;
        return 0;
}

int aws_paging_next(struct aws_paging *p, const char *marker, struct aws_error *e)
{
        p->pages++;
        if (!marker || !*marker)
                return 0;
        if (p->pages >= AWS_PAGING_MAX_PAGES)
                return aws_error_set(e, -E2BIG, AWS_ERROR_PARSE, "TooManyPages",
                                     "%s: still another page after %u pages: listing stopped", p->operation,
                                     p->pages);
        if (2 * (p->n_seen + 1) > p->size && grow(p) < 0)
                return aws_error_set(e, -ENOMEM, AWS_ERROR_PARSE, "OutOfMemory", "out of memory");
        if (set_add(p->seen, p->size, marker_hash(marker)))
                return aws_error_set(e, -ELOOP, AWS_ERROR_PARSE, "RepeatedMarker",
                                     "%s: page %u returned the %s of an earlier page: listing stopped",
                                     p->operation, p->pages, p->token_name);
        p->n_seen++;
        return 1;
}

void aws_paging_done(struct aws_paging *p)
{
        if (!p)
                return;
        free(p->seen);
        p->seen = NULL;
        p->n_seen = p->size = 0;
}
