/* Problems as state (issue 14): after each cycle the conditions it saw are raised in state.db (failed and
 * refused actions, failed drills, missed windows, an exhausted quota, AWS Backup points that cannot be
 * deleted, policies that select nothing, regions that could not be observed), and the open ones whose
 * condition cleared are resolved. `aurora-backupctl status`, `check` and the metrics read them. */
#pragma once

#include <stdint.h>

#include "act-outcome.h"
#include "observation.h"
#include "plan.h"

/* What the full plan says, taken before a wake-up narrows the plan to what it looked at. */
struct problem_scan {
        struct problem *current; /* raised this cycle (borrow nothing: owned strings) */
        size_t n_current, cap_current;
        char **planned; /* "<ledger kind>\t<snapshot>" of every mutating action the full plan holds */
        size_t n_planned;
        char **selected; /* "<region>\t<cluster>" of every cluster a policy selects */
        size_t n_selected;
};

void problem_scan_done(struct problem_scan *s);
/* Reads the plan (before keep_looked_actions) and the observation. */
int problems_scan_plan(struct agent *a, const struct plan *p, const struct observation *o,
                       struct problem_scan *s);
/* After the act step: adds this cycle's failed ledger rows (those created at or after `started`), raises
 * what is current and resolves what cleared (one "problem-resolved" event each), and stores the plan's
 * next slots. Returns the number of open quota-exhausted problems (`--once` fails on them), or a
 * negative errno. Writes nothing in dry-run (returns 0). */
int problems_update(struct agent *a, struct problem_scan *s, const struct plan *p,
                    const struct observation *o, const struct act_counts *c, int64_t started);

/* Manual cluster snapshots that the quota counts in `region` after this cycle's successful deletions and
 * creations (the observation is from before them). */
int64_t problems_quota_count(struct agent *a, const struct observation *o, const struct act_counts *c,
                             const char *region);
