/* The planner's input from the state (plan-state.h). */
#include "plan-state.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

int plan_state_action_kind(enum ledger_kind k)
{
        switch (k) {
        case LEDGER_CREATE:
                return ACTION_CREATE;
        case LEDGER_DELETE_RDS:
                return ACTION_DELETE_RDS;
        case LEDGER_DELETE_BACKUP:
                return ACTION_DELETE_BACKUP;
        case LEDGER_COPY:
                return ACTION_COPY;
        case LEDGER_SHARE:
                return ACTION_SHARE;
        case LEDGER_EXPORT:
                return ACTION_EXPORT;
        default:
                return -1;
        }
}

void plan_state_done(struct plan_state *s)
{
        ledger_entries_free(s->open, s->n_open);
        window_records_free(s->history, s->n_history);
        free(s->ledger);
        free(s->entries);
        *s = (struct plan_state){};
}

int plan_state_from_rows(struct plan_state *s, struct ledger_entry *open, size_t n_open,
                         struct window_record *history, size_t n_history)
{
        s->open = open;
        s->n_open = n_open;
        s->history = history;
        s->n_history = n_history;
        s->ledger = calloc(s->n_open + 1, sizeof(*s->ledger));
        s->entries = calloc(s->n_history + 1, sizeof(*s->entries));
        if (!s->ledger || !s->entries)
                return -ENOMEM;
        for (size_t i = 0; i < s->n_open; i++) {
                const struct ledger_entry *e = &s->open[i];
                int k = plan_state_action_kind(e->kind);
                if (k < 0)
                        continue;
                bool copy = e->kind == LEDGER_COPY;
                s->ledger[s->n_ledger++] = (struct ledger_action){
                    .kind = (enum action_kind)k,
                    .cluster_identifier = e->cluster,
                    .snapshot_identifier = e->snapshot,
                    .slot_start = e->slot_start,
                    .region = copy && e->target ? e->target : e->region,
                    .source_region = copy ? e->region : NULL,
                };
        }
        for (size_t i = 0; i < s->n_history; i++)
                s->entries[i] = (struct window_history_entry){
                    .cluster_identifier = s->history[i].cluster,
                    .slot_start = s->history[i].slot_start,
                    .taken = s->history[i].outcome == WINDOW_TAKEN,
                };
        return 0;
}

struct plan_input plan_state_input(const struct plan_state *s, const struct agent_config *config,
                                   const char *default_region, const struct observation *o, int64_t now)
{
        return (struct plan_input){
            .config = config,
            .default_region = default_region,
            .clusters = o->clusters,
            .n_clusters = o->n_clusters,
            .snapshots = o->snapshots,
            .n_snapshots = o->n_snapshots,
            .exports = o->exports,
            .n_exports = o->n_exports,
            .ledger = s->ledger,
            .n_ledger = s->n_ledger,
            .history = s->entries,
            .n_history = s->n_history,
            .account_quotas = o->account_quotas,
            .n_account_quotas = o->n_account_quotas,
            .instances = o->instances,
            .n_instances = o->n_instances,
            .drill_records = o->drill_records,
            .n_drill_records = o->n_drill_records,
            .restore_orders = o->restore_orders,
            .n_restore_orders = o->n_restore_orders,
            .now = now,
        };
}
