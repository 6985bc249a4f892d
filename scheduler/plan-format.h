/* The plan as text: deterministic, used by `aurora-backupctl plan` and the journal. */
#pragma once

#include <stdio.h>

#include "plan-action.h"
#include "plan-verdict.h"
#include "plan.h"

/* Deterministic text, used by `aurora-backupctl plan` and the journal. */
int plan_format(const struct plan *p, FILE *f);
/* The same text in a new NUL-terminated string. */
int plan_format_string(const struct plan *p, char **ret);
/* One "next-slot policy=... cluster=... slot=... window=... then=..." line per plan->next_slots, after
 * plan_format()'s text in `aurora-backupctl plan` and a dry run. */
int plan_format_next_slots(const struct plan *p, FILE *f);
void plan_next_slot_write(const struct plan_next_slot *n, FILE *f);
/* One action, one line (no newline), for the journal. */
int plan_action_format(const struct plan_action *a, char **ret);
/* One verdict, one line (no newline): "keep ..." or "delete ...". */
int plan_verdict_format(const struct snapshot_verdict *v, char **ret);
