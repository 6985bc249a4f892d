/* aurora-backupctl plan: what the agent would do now, and why each snapshot is kept or deleted. */
#pragma once

#include <stdio.h>

#include "ctl-context.h"

struct ctl_plan_args {
        const char *cluster; /* --cluster: only this cluster */
        const char *policy;  /* --policy: only this policy */
        bool all;            /* --all: also snapshots of clusters no policy selects */
};

/* Observes AWS read-only (paged Describe calls), plans, prints plan_format()'s text and the next slots,
 * or (--json) one JSON object {now, next_wakeup, regions_not_observed, actions, verdicts, next_slots}.
 * Changes nothing, in AWS or in the state. Exit status: 0, 1 when a region could not be observed (the
 * plan then lacks it), 2 for a bad configuration or an unknown --policy. */
int ctl_plan(const struct ctl_options *o, const struct ctl_plan_args *f, FILE *out, FILE *err);
