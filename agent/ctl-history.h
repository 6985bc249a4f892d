/* aurora-backupctl history: the action ledger and the window history, newest first. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ctl-context.h"

struct ctl_history_args {
        const char *cluster; /* NULL: all */
        const char *policy;  /* NULL: all */
        const char *since;   /* ISO 8601 or a duration back from now; NULL: all */
        size_t limit;        /* per list; 0: all */
};

/* Print the history; returns an exit code (0, 1 on a store error, 2 on a bad --since or config). */
int ctl_history(const struct ctl_options *o, const struct ctl_history_args *a, FILE *out, FILE *err);
