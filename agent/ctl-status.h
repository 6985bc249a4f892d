/* aurora-backupctl status: per policy and cluster, what the agent last observed and did. */
#pragma once

#include <stdio.h>

#include "ctl-context.h"

/* How far back `status` lists missed windows. */
#define CTL_STATUS_MISSED_SEC (7 * 24 * 3600)

/* Print the status; returns an exit code (0, 1 on a store error, 2 on a config error). */
int ctl_status(const struct ctl_options *o, FILE *out, FILE *err);
