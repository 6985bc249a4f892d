/* The agent: a loaded config, its state store and AWS clients, and one reconcile cycle
 * (observe -> plan -> act -> report). The daemon loop (loop.c) and --once both drive it. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "agent-config.h"
#include "macro.h"

struct agent;
struct aws_client;
struct store;

struct agent_options {
        const char *config_path;
        bool dry_run; /* --dry-run; agent.dry_run in the config also turns it on */
        bool daemon;  /* sd_notify STATUS and the watchdog are used */
        bool
            read_only; /* `aurora-backupctl plan`: open the state read-only (or not at all), write nothing */
        const char *state_directory; /* overrides agent.state_directory and $STATE_DIRECTORY; may be NULL */
};

/* What one cycle did, for the exit status of --once and the daemon's next timer. */
struct cycle_result {
        unsigned planned; /* mutating actions planned */
        unsigned succeeded;
        unsigned failed;     /* failed mutating actions, plus observations that failed */
        int64_t next_wakeup; /* UTC seconds; PLAN_NO_WAKEUP when nothing is scheduled */
        bool stopped;        /* a stop was requested between actions */
};

/* Loads the config (errors printed to stderr with file:line), opens the state store, creates no AWS
 * connection yet. -EINVAL: bad config (already reported). Other negative errno: reported too. */
int agent_new(const struct agent_options *opts, struct agent **ret);
struct agent *agent_free(struct agent *a);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct agent *, agent_free);

/* Re-read the config file. A config that fails validation is rejected (event config-rejected, with
 * every error) and the running one stays; -EINVAL then. 0 and event config-reloaded on success. */
int agent_reload(struct agent *a);

/* One full cycle. Returns 0 with *ret filled (failed actions are counted, not returned), or a negative
 * errno when the cycle could not run at all (state store broken). */
int agent_cycle(struct agent *a, struct cycle_result *ret);

/* Observe and plan, nothing else: no intent, no call that changes AWS, no write to the state (the
 * ledger's open intents and the window history are read when the state exists). *ret_failures counts
 * the regions (and policies) that could not be observed. For `aurora-backupctl plan`. */
struct plan;
int agent_plan(struct agent *a, struct plan **ret, unsigned *ret_failures);

/* The agent's idea of now: the wall clock, or AURORA_BACKUP_TEST_NOW (builds with -Dtest_hooks=true). */
int64_t agent_now(const struct agent *a);
const struct agent_config *agent_config(const struct agent *a);
/* Installed by the loop: returns true when the agent should stop after the action in flight. */
void agent_set_stop_check(struct agent *a, bool (*stop)(void *userdata), bool (*wind_down)(void *userdata),
                          void *userdata);
