/* The act step: each planned action, with a ledger intent committed before every mutating call and its
 * outcome after, and one journal event per outcome. */
#pragma once

#include <stdint.h>

#include "act-outcome.h"
#include "agent-internal.h"
#include "observation.h"
#include "plan.h"

/* Runs the plan in order. Stops early (between actions) when agent_should_stop(). Returns 0, or a
 * negative errno if the state store failed (the cycle cannot record what it does, so it stops). */
int act_plan(struct agent *a, const struct plan *p, const struct observation *o, int64_t cycle_id,
             struct act_counts *c);
