/* The observed snapshots, indexed for one plan_build(): sorted into runs by (region, cluster), newest
 * first within a run, with hash lookups by (region, cluster) and by (region, identifier). Sorting is a
 * bucket pass over the (region, cluster) pairs and a small sort per run, so 100,000 snapshots cost
 * O(S log(S/C)) and almost no string comparisons. */
#include "plan-index.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "hash.h"
#include "plan-builder.h"

/* FNV-1a mixes upwards only: its low bits, which pick a table slot, barely change between identifiers
 * that differ in a few characters. A final avalanche (MurmurHash3's fmix64) spreads them. */
static uint64_t mix(uint64_t h)
{
        h ^= h >> 33;
        h *= UINT64_C(0xff51afd7ed558ccd);
        h ^= h >> 33;
        h *= UINT64_C(0xc4ceb9fe1a85ec53);
        h ^= h >> 33;
        return h;
}

static uint64_t pair_hash(uint64_t region_hash, const char *cluster)
{
        return mix(hash_fnv1a64(cluster) ^ (region_hash * UINT64_C(0x100000001b3)));
}

static size_t pair_probe(const struct builder *b, uint64_t h, const char *region, const char *cluster)
{
        size_t j = h & (b->pair_cap - 1);
        for (; b->pair_table[j]; j = (j + 1) & (b->pair_cap - 1)) {
                const struct snap_pair *p = &b->pairs[b->pair_table[j] - 1];
                if (p->hash == h && streq(p->cluster, cluster) && streq(p->region, region))
                        break;
        }
        return j;
}

void plan_snap_range(const struct builder *b, const char *region, const char *cluster, size_t *lo,
                     size_t *hi)
{
        region = plan_str(region);
        cluster = plan_str(cluster);
        size_t j = pair_probe(b, pair_hash(hash_fnv1a64(region), cluster), region, cluster);
        if (b->pair_table[j]) {
                *lo = b->pairs[b->pair_table[j] - 1].lo;
                *hi = b->pairs[b->pair_table[j] - 1].hi;
        } else
                *lo = *hi = 0;
}

/* Few lookups per cluster, each in one run of about a hundred: a scan is cheaper than a table of every
 * identifier, whose construction alone costs a cache miss per snapshot. */
const struct snap *plan_snap_find(const struct builder *b, const char *region, const char *cluster,
                                  const char *identifier)
{
        size_t lo = 0, hi = b->n_snaps;
        if (!identifier)
                return NULL;
        if (cluster)
                plan_snap_range(b, region, cluster, &lo, &hi);
        for (size_t i = lo; i < hi; i++) {
                const struct observed_snapshot *s = b->snaps[i].s;
                if (streq(s->identifier, identifier) && streq(plan_str(s->region), plan_str(region)))
                        return &b->snaps[i];
        }
        return NULL;
}

static int pair_cmp(const void *x, const void *y)
{
        const struct snap_pair *a = x, *c = y;
        int r = strcmp(a->region, c->region);
        return r != 0 ? r : strcmp(a->cluster, c->cluster);
}

/* Newest first; among equal times the smaller identifier counts as newer. Unknown times last. */
static int snap_time_cmp(const void *x, const void *y)
{
        const struct observed_snapshot *a = *(const struct observed_snapshot *const *)x;
        const struct observed_snapshot *c = *(const struct observed_snapshot *const *)y;
        if (a->create_time != c->create_time)
                return a->create_time > c->create_time ? -1 : 1;
        return strcmp(a->identifier, c->identifier);
}

/* Rebuilds the pair table for the pairs as they are now, with room for as many again. */
static int pair_table_rebuild(struct builder *b, size_t cap)
{
        size_t *t = calloc(cap, sizeof *t);
        if (!t)
                return -ENOMEM;
        free(b->pair_table);
        b->pair_table = t;
        b->pair_cap = cap;
        for (size_t k = 0; k < b->n_pairs; k++)
                b->pair_table[pair_probe(b, b->pairs[k].hash, b->pairs[k].region, b->pairs[k].cluster)] =
                    k + 1;
        return 0;
}

static int pair_add(struct builder *b, const char *region, const char *cluster, uint64_t h)
{
        if ((b->n_pairs + 1) * 2 > b->pair_cap && pair_table_rebuild(b, b->pair_cap * 2) < 0)
                return -ENOMEM;
        if (ARRAY_GROW(b->pairs, b->cap_pairs, b->n_pairs) < 0)
                return -ENOMEM;
        b->pairs[b->n_pairs] = (struct snap_pair){.region = region, .cluster = cluster, .hash = h};
        b->pair_table[pair_probe(b, h, region, cluster)] = ++b->n_pairs;
        return 0;
}

/* Finds or adds the pair of every snapshot; returns the pair index of each in `of`. */
static int pairs_collect(struct builder *b, size_t *of)
{
        const struct plan_input *in = b->in;
        const char *last_region = NULL, *last_cluster = NULL;
        uint64_t region_hash = 0;
        size_t last = 0;

        for (size_t i = 0; i < in->n_snapshots; i++) {
                const struct observed_snapshot *s = &in->snapshots[i];
                const char *region = plan_str(s->region), *cluster = plan_str(s->cluster_identifier);
                /* The agent lists a cluster's snapshots together: most lookups are the previous one. */
                if (i > 0 && (region == last_region || streq(region, last_region)) &&
                    (cluster == last_cluster || streq(cluster, last_cluster))) {
                        of[i] = last;
                        b->pairs[last].hi++;
                        continue;
                }
                if (!last_region || !streq(region, last_region))
                        region_hash = hash_fnv1a64(region);
                uint64_t h = pair_hash(region_hash, cluster);
                size_t j = pair_probe(b, h, region, cluster);
                if (!b->pair_table[j]) {
                        if (pair_add(b, region, cluster, h) < 0)
                                return -ENOMEM;
                        last = b->n_pairs - 1;
                } else
                        last = b->pair_table[j] - 1;
                last_region = region;
                last_cluster = cluster;
                of[i] = last;
                b->pairs[last].hi++; /* a count until the runs are laid out */
        }
        return 0;
}

int plan_index_build(struct builder *b)
{
        const struct plan_input *in = b->in;
        size_t n = in->n_snapshots;
        _cleanup_free_ const struct observed_snapshot **sorted = calloc(n + 1, sizeof *sorted);
        _cleanup_free_ size_t *of = calloc(n + 1, sizeof *of);
        b->cap_pairs = 64;
        b->pairs = calloc(b->cap_pairs, sizeof *b->pairs);
        b->pair_cap = 128;
        b->pair_table = calloc(b->pair_cap, sizeof *b->pair_table);
        b->snaps = arena_alloc_array(b->scratch, n + 1, sizeof *b->snaps);
        if (!sorted || !of || !b->pairs || !b->pair_table || !b->snaps)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                if (!in->snapshots[i].identifier)
                        return -EINVAL;

        if (pairs_collect(b, of) < 0)
                return -ENOMEM;

        /* Sort the pairs, then lay out one run per pair in that order. */
        qsort(b->pairs, b->n_pairs, sizeof *b->pairs, pair_cmp);
        memset(b->pair_table, 0, b->pair_cap * sizeof *b->pair_table);
        size_t at = 0;
        for (size_t k = 0; k < b->n_pairs; k++) {
                struct snap_pair *p = &b->pairs[k];
                size_t count = p->hi;
                p->lo = at;
                p->hi = at; /* filled below */
                at += count;
                size_t j = pair_probe(b, p->hash, p->region, p->cluster);
                b->pair_table[j] = k + 1;
        }
        size_t cur = 0;
        for (size_t i = 0; i < n; i++) {
                const struct observed_snapshot *s = &in->snapshots[i];
                /* Pairs moved in the sort: look the pair up again when it changes. */
                if (i == 0 || of[i] != of[i - 1]) {
                        const char *region = plan_str(s->region), *cluster = plan_str(s->cluster_identifier);
                        size_t j = pair_probe(b, pair_hash(hash_fnv1a64(region), cluster), region, cluster);
                        cur = b->pair_table[j] - 1;
                }
                sorted[b->pairs[cur].hi++] = s;
        }
        for (size_t k = 0; k < b->n_pairs; k++) {
                struct snap_pair *p = &b->pairs[k];
                /* The agent lists snapshots in some stable order, often already newest first. */
                bool in_order = true;
                for (size_t i = p->lo + 1; i < p->hi && in_order; i++)
                        in_order = snap_time_cmp(&sorted[i - 1], &sorted[i]) < 0;
                if (!in_order)
                        qsort(sorted + p->lo, p->hi - p->lo, sizeof *sorted, snap_time_cmp);
                p->region_out = arena_intern(b->arena, p->region);
                p->cluster_out = arena_intern(b->arena, p->cluster);
        }

        b->n_snaps = n;
        for (size_t i = 0; i < n; i++)
                b->snaps[i].s = sorted[i];
        return 0;
}

void plan_index_free(struct builder *b)
{
        free(b->pairs);
        free(b->pair_table);
}

bool plan_ledger_open(const struct builder *b, enum action_kind kind, const char *region,
                      const char *identifier)
{
        for (size_t i = 0; i < b->in->n_ledger; i++) {
                const struct ledger_action *l = &b->in->ledger[i];
                if (l->kind == kind && streq_ptr(l->snapshot_identifier, identifier) &&
                    (!l->region || !region || streq(l->region, region)))
                        return true;
        }
        return false;
}

static int history_cmp(const void *x, const void *y)
{
        const struct window_history_entry *a = *(const struct window_history_entry *const *)x;
        const struct window_history_entry *c = *(const struct window_history_entry *const *)y;
        int r = strcmp(plan_str(a->cluster_identifier), plan_str(c->cluster_identifier));
        if (r != 0)
                return r;
        return a->slot_start < c->slot_start ? -1 : a->slot_start > c->slot_start;
}

/* The first history entry at or after (cluster, slot_start). */
static size_t history_lower_bound(const struct builder *b, const char *cluster, int64_t slot_start)
{
        size_t l = 0, h = b->n_history;
        while (l < h) {
                size_t m = l + (h - l) / 2;
                const struct window_history_entry *e = b->history[m];
                int r = strcmp(plan_str(e->cluster_identifier), cluster);
                if (r < 0 || (r == 0 && e->slot_start < slot_start))
                        l = m + 1;
                else
                        h = m;
        }
        return l;
}

bool plan_history_has(const struct builder *b, const char *cluster, int64_t slot_start)
{
        size_t i = history_lower_bound(b, cluster, slot_start);
        return i < b->n_history && streq(plan_str(b->history[i]->cluster_identifier), cluster) &&
               b->history[i]->slot_start == slot_start;
}

bool plan_history_has_before(const struct builder *b, const char *cluster, int64_t before)
{
        size_t i = history_lower_bound(b, cluster, INT64_MIN); /* the cluster's earliest entry */
        return i < b->n_history && streq(plan_str(b->history[i]->cluster_identifier), cluster) &&
               b->history[i]->slot_start < before;
}

const struct snap *plan_group_newest(const struct builder *b, const char *region, const char *cluster,
                                     const char *copy_tag)
{
        size_t lo, hi;
        plan_snap_range(b, region, cluster, &lo, &hi);
        for (size_t i = lo; i < hi; i++) {
                const struct snap *sn = &b->snaps[i];
                if (sn->origin == ORIGIN_AGENT && !sn->other_policy && sn->available &&
                    streq_ptr(sn->copy_tag, copy_tag))
                        return sn;
        }
        return NULL;
}

void plan_history_index(struct builder *b)
{
        for (size_t i = 0; i < b->in->n_history; i++)
                b->history[i] = &b->in->history[i];
        b->n_history = b->in->n_history;
        if (b->n_history > 1)
                qsort(b->history, b->n_history, sizeof *b->history, history_cmp);
}
