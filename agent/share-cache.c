/* The share cache (share-cache.h). */
#include "share-cache.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "macro.h"
#include "strv.h"

struct share_cache *share_cache_free(struct share_cache *c)
{
        if (!c)
                return NULL;
        for (size_t i = 0; i < c->n_keys; i++)
                free(c->keys[i].key);
        for (size_t i = 0; i < c->n_shares; i++) {
                free(c->shares[i].region);
                free(c->shares[i].snapshot);
                strv_free(c->shares[i].accounts);
        }
        free(c->keys);
        free(c->shares);
        free(c);
        return NULL;
}

int share_cache_key_get(const struct share_cache *c, const char *key, bool *ret_aws_managed)
{
        for (size_t i = 0; i < c->n_keys; i++)
                if (streq(c->keys[i].key, key)) {
                        *ret_aws_managed = c->keys[i].aws_managed;
                        return 1;
                }
        return 0;
}

int share_cache_key_put(struct share_cache *c, const char *key, bool aws_managed)
{
        if (ARRAY_GROW(c->keys, c->allocated_keys, c->n_keys) < 0)
                return -ENOMEM;
        c->keys[c->n_keys] = (struct share_cache_key){.key = strdup(key), .aws_managed = aws_managed};
        if (!c->keys[c->n_keys].key)
                return -ENOMEM;
        c->n_keys++;
        return 0;
}

struct share_cache_share *share_cache_find(struct share_cache *c, const char *region, const char *snapshot)
{
        for (size_t i = 0; i < c->n_shares; i++)
                if (streq(c->shares[i].region, region) && streq(c->shares[i].snapshot, snapshot))
                        return &c->shares[i];
        return NULL;
}

int share_cache_remember(struct share_cache *c, const char *region, const char *snapshot, char **accounts,
                         int64_t now)
{
        struct share_cache_share *s = share_cache_find(c, region, snapshot);
        if (!s) {
                if (ARRAY_GROW(c->shares, c->allocated_shares, c->n_shares) < 0) {
                        strv_free(accounts);
                        return -ENOMEM;
                }
                s = &c->shares[c->n_shares];
                *s = (struct share_cache_share){.region = strdup(region), .snapshot = strdup(snapshot)};
                if (!s->region || !s->snapshot) {
                        free(s->region);
                        free(s->snapshot);
                        *s = (struct share_cache_share){};
                        strv_free(accounts);
                        return -ENOMEM;
                }
                c->n_shares++;
        }
        strv_free(s->accounts);
        s->accounts = accounts;
        s->learnt_at = now;
        return 0;
}

void share_cache_shared(struct share_cache *c, const char *region, const char *snapshot,
                        const char *const *accounts)
{
        struct share_cache_share *s = c ? share_cache_find(c, region, snapshot) : NULL;
        if (!s)
                return; /* nothing known: the next share plan reads the attribute */
        for (const char *const *acc = accounts; acc && *acc; acc++)
                if (!strv_contains(s->accounts, *acc) && strv_extend(&s->accounts, *acc) < 0) {
                        s->learnt_at = 0; /* forget rather than keep a wrong list */
                        return;
                }
}
