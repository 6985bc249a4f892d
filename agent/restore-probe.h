/* restore_test.probe_command: run against a restored drill cluster before the drill counts as done. */
#pragma once

#include <stdint.h>

struct restore_probe_env {
        const char *cluster;  /* AURORA_RESTORE_CLUSTER */
        const char *instance; /* AURORA_RESTORE_INSTANCE */
        const char *endpoint; /* AURORA_RESTORE_ENDPOINT (may be NULL) */
        unsigned port;        /* AURORA_RESTORE_PORT (0: left out) */
        const char *engine;   /* AURORA_RESTORE_ENGINE */
        const char *source;   /* AURORA_SOURCE_CLUSTER */
        const char *snapshot; /* AURORA_SOURCE_SNAPSHOT */
        const char *region;   /* AURORA_REGION */
};

/* Runs `command` with /bin/sh -c in its own process group, with stdin from /dev/null, its stdout and
 * stderr going where the agent's go (the journal), no other descriptor, and an environment of only PATH,
 * HOME and LANG (the agent's; PATH defaults to the standard one) plus the variables above: never the
 * agent's AWS credentials. Pings the watchdog while it waits; kills the probe's whole process group
 * (SIGKILL) after `timeout_sec`, and whatever is left in it once the probe exits. Returns the exit
 * status (0..255), 128 + signal number when it was killed, or a negative errno when it could not be
 * started. */
int restore_probe_run(const char *command, const struct restore_probe_env *env, int64_t timeout_sec);
