/* Crash recovery: close the ledger's open intents from what the observe step saw. */
#include "recover.h"

#include <string.h>

#include "inventory.h"
#include "journal.h"
#include "store.h"
#include <stdio.h>

static bool export_exists(const struct observation *o, const char *identifier)
{
        for (size_t i = 0; i < o->n_exports; i++)
                if (streq_ptr(o->exports[i].identifier, identifier))
                        return true;
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
                enum ledger_state outcome;
                const char *why;

                if (!region || !observation_region_ok(o, region))
                        continue;
                if (looks && !(e->cluster && inventory_looked(looks, region, e->cluster)))
                        continue; /* not looked at this wake-up: settled when it is */
                bool exists = e->snapshot && observation_find_snapshot(o, region, e->snapshot);

                switch (e->kind) {
                case LEDGER_CREATE:
                case LEDGER_COPY:
                        outcome = exists ? LEDGER_DONE : LEDGER_ABANDONED;
                        why = exists ? "found: the call took effect"
                                     : "not found: the call did not take effect";
                        break;
                case LEDGER_DELETE_RDS:
                case LEDGER_DELETE_BACKUP:
                        outcome = exists ? LEDGER_ABANDONED : LEDGER_DONE;
                        why = exists ? "still present: the call did not take effect"
                                     : "gone: the call took effect";
                        break;
                case LEDGER_EXPORT:
                        exists = export_exists(o, e->snapshot);
                        outcome = exists ? LEDGER_DONE : LEDGER_ABANDONED;
                        why = exists ? "export task found: the call took effect"
                                     : "export task not found: the call did not take effect";
                        break;
                case LEDGER_RESTORE:
                case LEDGER_OPERATOR_RESTORE:
                        /* The restored cluster (a drill's, or an operator's new cluster): its name is in the
                         * row's snapshot column. */
                        exists = e->snapshot && observation_find_cluster(o, region, e->snapshot);
                        outcome = exists ? LEDGER_DONE : LEDGER_ABANDONED;
                        why = exists ? "cluster found: the call took effect"
                                     : "cluster not found: the call did not take effect";
                        break;
                default:
                        outcome = LEDGER_ABANDONED;
                        why = "outcome unknown; replanned";
                        break;
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
