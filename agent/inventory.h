/* The inventory that lives between cycles (the daemon's): the observation of the last full refresh, kept in
 * memory, updated by the agent's own actions and by targeted looks. A wake-up between full refreshes plans
 * on it, looks again only at what the plan is about to act on or wait for (one cluster: DescribeDBClusters
 * and DescribeDBClusterSnapshots with its identifier, in its region and each copy region; one snapshot or
 * export task being polled), plans again on the fresh view and acts only where it looked. A targeted look
 * that finds what the inventory did not expect (a snapshot made or deleted by someone else, a cluster gone)
 * asks for a full refresh. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "act-outcome.h"
#include "agent-internal.h"
#include "observation.h"
#include "plan.h"
#include "store.h"

/* What a targeted wake-up looked at: deletions and the rest act only there. */
struct inventory_looks {
        struct inventory_look {
                const char *region;  /* the observation's region string */
                const char *cluster; /* owned */
        } * items;
        size_t n;
};
void inventory_looks_done(struct inventory_looks *l);
/* Whether (region, cluster)'s snapshots were looked at this wake-up. */
bool inventory_looked(const struct inventory_looks *l, const char *region, const char *cluster);
/* Whether the plan action may act on what was looked at (its cluster in every region it touches). */
bool inventory_action_looked(const struct inventory_looks *l, const struct plan_action *act);

/* Whether this cycle observes in full: no inventory yet, a refresh asked for (reload, disagreement), or
 * agent.inventory_interval since the last full refresh. */
bool inventory_refresh_due(const struct agent *a, int64_t now);
/* The next time a full refresh is due (PLAN_NO_WAKEUP without an inventory). */
int64_t inventory_next_refresh(const struct agent *a);

/* Looks again at what stale plan `p` and the open ledger intents concern, updating `o`. Returns 0 (a
 * look that failed is reported and that cluster is not acted on), or -ENOMEM. */
int inventory_look(struct agent *a, struct observation *o, const struct plan *p,
                   const struct ledger_entry *open, size_t n_open, struct inventory_looks *ret);

/* The agent's own successful changes of this cycle, applied to `o` so that the next wake-up's plan knows
 * them without looking: created and copied snapshots (as "creating"), deleted ones removed. */
int inventory_apply(struct agent *a, struct observation *o, const struct act_counts *c);

/* Keep `o` as the agent's inventory (taking it), or drop it. */
void inventory_keep(struct agent *a, struct observation *o, bool full, int64_t now);
/* Take the kept inventory out of the agent (into *ret); false if there is none. */
bool inventory_take(struct agent *a, struct observation *ret);
