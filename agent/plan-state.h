/* What the planner reads from the state besides the observation: the ledger's open intents, as the plan
 * actions they started, and the window history. Pure: cycle.c reads the rows from the store, this maps
 * them and assembles the planner's input. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "agent-config.h"
#include "observation.h"
#include "plan.h"
#include "store.h"

struct plan_state {
        struct ledger_entry *open;
        size_t n_open;
        struct window_record *history;
        size_t n_history;
        struct ledger_action *ledger; /* the open intents the planner knows, borrowing from `open` */
        size_t n_ledger;
        struct window_history_entry *entries; /* one per history row, borrowing from `history` */
};

void plan_state_done(struct plan_state *s);

/* The plan action an open intent of kind `k` started, or -1 when the planner does not track that kind. */
int plan_state_action_kind(enum ledger_kind k);

/* Takes the rows (`open` may be NULL with n_open 0, so may `history`) into `s` and maps them: open
 * intents of a kind the planner knows become ledger actions (a copy's region is its destination, its
 * source region the intent's region), every history row an entry (taken when its outcome is
 * WINDOW_TAKEN). 0, or -ENOMEM (the rows are kept in `s` for plan_state_done()). */
int plan_state_from_rows(struct plan_state *s, struct ledger_entry *open, size_t n_open,
                         struct window_record *history, size_t n_history);

/* The planner's input: the observation's views, `s`'s ledger and history, the config and `now`. */
struct plan_input plan_state_input(const struct plan_state *s, const struct agent_config *config,
                                   const char *default_region, const struct observation *o, int64_t now);
