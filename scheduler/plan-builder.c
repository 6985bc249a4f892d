/* Adding to the plan being built: actions and next slots deep-copied into its arena, wake-ups. */
#include "plan-builder.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "macro.h"

const char *plan_str(const char *s)
{
        return s ? s : "";
}

void plan_wake(struct builder *b, int64_t t)
{
        if (t < b->wakeup)
                b->wakeup = t;
}

void plan_fail(struct builder *b, int r)
{
        if (b->error == 0)
                b->error = r;
}

const char *plan_memo_copy(struct builder *b, struct str_memo *m, const char *s, bool intern)
{
        if (!s)
                return NULL;
        if (m->out && streq(m->out, s))
                return m->out;
        const char *c = intern ? arena_intern(b->arena, s) : arena_strdup(b->arena, s);
        if (c)
                m->out = c;
        return c;
}

/* A row's policy, cluster and region, replaced by their copies in the plan (they repeat row after row). */
static void copy_place(struct builder *b, const char **policy, const char **cluster, const char **region)
{
        *policy = plan_memo_copy(b, &b->memo_policy, *policy, true);
        *cluster = plan_memo_copy(b, &b->memo_cluster, *cluster, true);
        *region = plan_memo_copy(b, &b->memo_region, *region, true);
}

void plan_add_next_slot(struct builder *b, const struct plan_next_slot *n)
{
        if (array_reserve((void **)&b->next_slots, &b->cap_next_slots, b->n_next_slots, b->n_clusters + 1,
                          sizeof(*b->next_slots)) < 0)
                return plan_fail(b, -ENOMEM);
        struct plan_next_slot c = *n;
        copy_place(b, &c.policy, &c.cluster, &c.region);
        c.schedule = arena_strdup(b->arena, n->schedule);
        c.window = arena_strdup(b->arena, n->window);
        b->next_slots[b->n_next_slots++] = c;
}

void plan_add_action(struct builder *b, const struct plan_action *a)
{
        /* Room for a deletion of every snapshot and a few actions per cluster up front: pages never written
         * cost no memory, and the vector is not copied as it grows. */
        size_t first = b->in->n_snapshots + 8 * b->in->n_clusters + b->in->n_ledger + b->in->n_exports + 64;
        if (array_reserve((void **)&b->actions, &b->cap_actions, b->n_actions, first, sizeof(*b->actions)) <
            0)
                return plan_fail(b, -ENOMEM);
        struct plan_action c = *a;
        copy_place(b, &c.policy, &c.cluster, &c.region);
        c.snapshot = arena_strdup(b->arena, a->snapshot);
        c.source_snapshot = arena_strdup(b->arena, a->source_snapshot);
        c.source_region = plan_memo_copy(b, &b->memo_source_region, a->source_region, true);
        c.kms_key = plan_memo_copy(b, &b->memo_kms, a->kms_key, true);
        c.status = plan_memo_copy(b, &b->memo_status, a->status, true);
        c.rule = plan_memo_copy(b, &b->memo_rule, a->rule, false);
        c.target = arena_strdup(b->arena, a->target);
        c.tags = NULL;
        c.n_tags = 0;
        if (a->n_tags > 0) {
                struct tag *t = arena_alloc(b->arena, a->n_tags * sizeof *t);
                if (t) {
                        for (size_t i = 0; i < a->n_tags; i++) {
                                t[i].key = (char *)arena_intern(b->arena, a->tags[i].key);
                                t[i].value = arena_strdup(b->arena, a->tags[i].value);
                        }
                        c.tags = t;
                        c.n_tags = a->n_tags;
                }
        }
        c.accounts = NULL;
        if (a->accounts) {
                size_t n = 0;
                while (a->accounts[n])
                        n++;
                const char **l = arena_alloc(b->arena, (n + 1) * sizeof *l);
                if (l) {
                        for (size_t i = 0; i < n; i++)
                                l[i] = arena_intern(b->arena, a->accounts[i]);
                        c.accounts = l;
                }
        }
        b->actions[b->n_actions++] = c;
}

void plan_add_cluster_action(struct builder *b, const struct cluster_plan *cp, struct plan_action a)
{
        a.policy = cp->p->name;
        a.cluster = cp->c->identifier;
        if (!a.region)
                a.region = cp->region;
        plan_add_action(b, &a);
}

void plan_refuse(struct builder *b, const struct cluster_plan *cp, const char *region, const char *snapshot,
                 const char *why)
{
        plan_add_cluster_action(b, cp,
                                (struct plan_action){
                                    .kind = ACTION_REFUSED,
                                    .region = region,
                                    .snapshot = snapshot,
                                    .rule = why,
                                });
}
