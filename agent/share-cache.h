/* What the agent remembers between cycles of the snapshots it shares (share-facts.h learns it): which KMS
 * keys are AWS-managed, and whom each snapshot's "restore" attribute named when it was last read. Pure
 * data, no AWS call. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct share_cache_key {
        char *key;
        bool aws_managed;
};

struct share_cache_share {
        char *region, *snapshot;
        char **accounts;
        int64_t learnt_at; /* 0: forgotten (read again) */
};

struct share_cache {
        struct share_cache_key *keys;
        size_t n_keys, allocated_keys;
        struct share_cache_share *shares;
        size_t n_shares, allocated_shares;
};

struct share_cache *share_cache_free(struct share_cache *c);

/* What is known of KMS key `key`: 1 with *ret_aws_managed set, 0 when unknown. */
int share_cache_key_get(const struct share_cache *c, const char *key, bool *ret_aws_managed);
/* Remembers whether `key` is AWS-managed. 0 or -ENOMEM. */
int share_cache_key_put(struct share_cache *c, const char *key, bool aws_managed);

/* What is known of (region, snapshot)'s sharing, however old; NULL when nothing. */
struct share_cache_share *share_cache_find(struct share_cache *c, const char *region, const char *snapshot);
/* Remembers (replacing) what `snapshot` is shared with, learnt at `now`. Takes `accounts` (freed on
 * failure). 0 or -ENOMEM. */
int share_cache_remember(struct share_cache *c, const char *region, const char *snapshot, char **accounts,
                         int64_t now);
/* After a successful share: the snapshot is now shared with `accounts` too (nothing when nothing is known
 * of it; forgotten when memory runs out rather than kept wrong). `c` may be NULL. */
void share_cache_shared(struct share_cache *c, const char *region, const char *snapshot,
                        const char *const *accounts);
