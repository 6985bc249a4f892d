/* aurora-backupctl's mutating commands (snapshot, hold, release, export, cancel-export, delete, restore):
 * each one is a request to the running agent over its control socket (control.h). */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "ctl-context.h"

struct ctl_control_args {
        const char *socket;   /* --socket; NULL: agent.control_socket of the config */
        const char *target;   /* the positional argument: CLUSTER, SNAPSHOT or TASK */
        const char *snapshot; /* --snapshot */
        const char *cluster;  /* --cluster */
        const char *new_cluster;
        const char *time;
        const char *instance_class;
        bool latest;
        bool no_wait;
};

/* Whether `verb` is one of these commands. */
bool ctl_control_command(const char *verb);
/* Check the arguments, send the request, print the reply (or the JSON reply with --json); returns the exit
 * status: the agent's answer (0 done, 1 refused or failed), 1 when no agent runs or the socket refuses this
 * user, 2 for a bad command line. */
int ctl_control(const struct ctl_options *o, const char *verb, const struct ctl_control_args *args,
                FILE *out, FILE *err);
