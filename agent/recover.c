/* Crash recovery: close the ledger's open intents from what the observe step saw. */
#include "recover.h"

#include <string.h>

#include "inventory.h"
#include "journal.h"
#include "store.h"
#include <stdio.h>

/* How an open intent is settled from what the observe step saw: what its call makes (or removes), where it
 * would show, and why, in words, for each answer. */
enum effect {
        EFFECT_SNAPSHOT, /* the snapshot the row names */
        EFFECT_EXPORT,   /* the export task of that name */
        EFFECT_CLUSTER,  /* the restored cluster (a drill's, or an operator's new cluster): its name is in
                            the row's snapshot column */
};

struct settle_rule {
        enum effect effect;
        bool removes; /* a deletion: the call took effect when the object is gone */
        const char *found, *not_found;
};

static const struct settle_rule snapshot_made = {EFFECT_SNAPSHOT, false, "found: the call took effect",
                                                 "not found: the call did not take effect"};
static const struct settle_rule snapshot_deleted = {
    EFFECT_SNAPSHOT, true, "still present: the call did not take effect", "gone: the call took effect"};
static const struct settle_rule export_started = {EFFECT_EXPORT, false,
                                                  "export task found: the call took effect",
                                                  "export task not found: the call did not take effect"};
static const struct settle_rule cluster_restored = {EFFECT_CLUSTER, false,
                                                    "cluster found: the call took effect",
                                                    "cluster not found: the call did not take effect"};

/* NULL: a kind whose effect is not looked for (shares, tags, ...): abandoned, the planner decides again. */
static const struct settle_rule *settle_rule_of(enum ledger_kind k)
{
        switch (k) {
        case LEDGER_CREATE:
        case LEDGER_COPY:
                return &snapshot_made;
        case LEDGER_DELETE_RDS:
        case LEDGER_DELETE_BACKUP:
                return &snapshot_deleted;
        case LEDGER_EXPORT:
                return &export_started;
        case LEDGER_RESTORE:
        case LEDGER_OPERATOR_RESTORE:
                return &cluster_restored;
        default:
                return NULL;
        }
}

static bool effect_found(const struct observation *o, const char *region, const struct ledger_entry *e,
                         enum effect effect)
{
        switch (effect) {
        case EFFECT_SNAPSHOT:
                return e->snapshot && observation_find_snapshot(o, region, e->snapshot);
        case EFFECT_EXPORT:
                return observation_has_export(o, e->snapshot);
        case EFFECT_CLUSTER:
                return e->snapshot && observation_find_cluster(o, region, e->snapshot);
        }
        return false;
}

/* The region where the intent's effect would show. */
static const char *effect_region(const struct ledger_entry *e)
{
        if (e->kind == LEDGER_COPY && e->target)
                return e->target; /* a copy lands in its destination region */
        return e->region;
}

int recover_open_intents(struct agent *a, const struct observation *o, const struct inventory_looks *looks,
                         int64_t now)
{
        struct ledger_entry *open = NULL;
        size_t n = 0;
        int r, closed = 0;

        r = store_ledger_open_intents(a->store, &open, &n);
        if (r < 0)
                return r;

        for (size_t i = 0; i < n; i++) {
                const struct ledger_entry *e = &open[i];
                const char *region = effect_region(e);
                const struct settle_rule *rule = settle_rule_of(e->kind);
                enum ledger_state outcome = LEDGER_ABANDONED;
                const char *why = "outcome unknown; replanned";

                if (!region || !observation_region_ok(o, region))
                        continue;
                if (looks && !(e->cluster && inventory_looked(looks, region, e->cluster)))
                        continue; /* not looked at this wake-up: settled when it is */
                if (rule) {
                        bool found = effect_found(o, region, e, rule->effect);
                        outcome = found != rule->removes ? LEDGER_DONE : LEDGER_ABANDONED;
                        why = found ? rule->found : rule->not_found;
                }

                r = store_ledger_finish(a->store, e->id, outcome, NULL,
                                        outcome == LEDGER_DONE ? NULL : "Interrupted", why, now);
                if (r < 0 && r != -EALREADY)
                        goto out;
                if (e->kind == LEDGER_CREATE && outcome == LEDGER_DONE && e->cluster && e->slot_start > 0) {
                        r = store_window_record(a->store, e->policy, e->cluster, e->slot_start, WINDOW_TAKEN,
                                                e->snapshot, false, now);
                        if (r < 0)
                                goto out;
                }
                /* An event, so that the crash it explains is found by kind (and the ledger row says the
                 * same). */
                journal_event(EVENT_INTENT_SETTLED,
                              &(struct event_fields){.policy = e->policy,
                                                     .cluster = e->cluster,
                                                     .snapshot = e->snapshot,
                                                     .region = e->region,
                                                     .action = ledger_kind_to_string(e->kind),
                                                     .reason = why},
                              "Unsettled %s of %s (cluster %s) from an earlier cycle or run: %s; marked %s",
                              ledger_kind_to_string(e->kind), strempty(e->snapshot), strempty(e->cluster),
                              why, ledger_state_to_string(outcome));
                closed++;
        }
        r = closed;
out:
        ledger_entries_free(open, n);
        return r;
}
