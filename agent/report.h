/* The report step and the observations worth reporting: the stored inventory, snapshots that became
 * available since they were started, the cycle summary (with AWS Backup snapshots apart) and sd_notify. */
#pragma once

#include <stdint.h>

#include "act-outcome.h"
#include "observation.h"
#include "plan.h"

/* Replace the stored inventory of each region observed successfully: what was observed, as this
 * cycle's successful actions left it (deleted snapshots gone, created and copied ones `creating`). */
int report_inventory(struct agent *a, const struct observation *o, const struct act_counts *c, int64_t now);
/* snapshot-created (with its duration) or snapshot-failed for the agent's slot snapshots whose window
 * record says taken but not yet reported. */
int report_completions(struct agent *a, const struct observation *o, int64_t now);
/* api-error events for regions that could not be observed; returns how many. */
unsigned report_observe_errors(struct agent *a, const struct observation *o);
/* The cycle-summary event and the STATUS= line. */
void report_cycle(struct agent *a, const struct plan *p, const struct observation *o,
                  const struct act_counts *c, unsigned api_calls, int64_t started, int64_t now);
