/* Restore drills (policy restore_test), one step per cycle, driven by what the cycle observed and the
 * ledger: restore the newest agent snapshot to a temporary cluster, create its primary instance, report
 * the measured time to restore once the instance is the writer, and after keep_minutes tear both down.
 * Every mutating call is preceded by its ledger intent; dry-run makes none. */
#pragma once

#include <stdint.h>

#include "act.h"
#include "agent-internal.h"
#include "observe.h"

/* Returns 0, or a negative errno if the state store failed. AWS failures are reported as
 * restore-failed events and counted in `c`. */
int restore_drills_run(struct agent *a, const struct observation *o, int64_t cycle_id, struct act_counts *c);
