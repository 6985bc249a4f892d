/* aurora-backupctl plan: what the agent would do now, and why each snapshot is kept or deleted. */
#pragma once

#include <stdio.h>

#include "ctl-context.h"

/* Observes AWS read-only (paged Describe calls), plans, prints plan_format()'s text. Changes nothing,
 * in AWS or in the state. Exit status: 0, 1 when a region could not be observed (the plan then lacks
 * it), 2 for a bad configuration. */
int ctl_plan(const struct ctl_options *o, FILE *out, FILE *err);
