/* The daemon: one sd-event loop with a one-shot timer re-armed to the planner's next wake-up (capped by
 * agent.reconcile_interval), SIGHUP reload, SIGTERM/SIGINT stop, the watchdog and sd_notify. */
#pragma once

#include "agent.h"

/* Runs until SIGTERM or SIGINT; returns 0 then, or a negative errno if the loop could not run. */
int agent_loop_run(struct agent *a);
/* --once: one cycle on a loop of its own (the same concurrency as the daemon's), then returns its
 * result: 0 with *ret, or a negative errno if the cycle could not run. */
int agent_loop_run_once(struct agent *a, struct cycle_result *ret);
