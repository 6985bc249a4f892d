/* Which policy selects a cluster: the first, in config order, whose region, globs and tags match. */
#include "select.h"

#include <fnmatch.h>

#include "hash.h"

bool plan_policy_selects(const struct policy *p, const char *region, const struct observed_cluster *c)
{
        bool glob_ok;

        /* No region known at all: the policy covers whatever region the agent observed. */
        if (!c->identifier || (region && !streq_ptr(region, c->region)))
                return false;
        /* A restore drill's cluster is temporary and torn down by the drill: no policy manages it. */
        if (plan_tag_get(c->tags, c->n_tags, TAG_RESTORE_TEST))
                return false;
        glob_ok = !p->clusters || !p->clusters[0];
        for (char *const *g = p->clusters; g && *g && !glob_ok; g++)
                glob_ok = fnmatch(*g, c->identifier, 0) == 0;
        if (!glob_ok)
                return false;
        for (size_t i = 0; i < p->n_match_tags; i++) {
                const char *v = plan_tag_get(c->tags, c->n_tags, p->match_tags[i].key);
                if (!v || !streq_ptr(v, p->match_tags[i].value))
                        return false;
        }
        return true;
}

unsigned plan_policy_shard(const char *name, unsigned n)
{
        /* FNV-1a's low bits follow the bytes' low bits (its "mod 2" is the parity of the name), so mix
         * it with murmur3's 64-bit finaliser before taking the remainder. */
        uint64_t h = hash_fnv1a64(name ? name : "");
        h ^= h >> 33;
        h *= UINT64_C(0xff51afd7ed558ccd);
        h ^= h >> 33;
        h *= UINT64_C(0xc4ceb9fe1a85ec53);
        h ^= h >> 33;
        return n ? (unsigned)(h % n) + 1 : 1;
}

bool plan_policy_in_shard(const struct agent_settings *agent, const struct policy *p)
{
        if (agent->shard_count == 0)
                return true;
        return plan_policy_shard(p->name, agent->shard_count) == agent->shard_index;
}
