/* The act step: each planned action, with a ledger intent committed before every mutating call and its
 * outcome after, and one journal event per outcome. */
#pragma once

#include <stdint.h>

#include "agent-internal.h"
#include "observe.h"
#include "journal.h"
#include "plan.h"
#include "store.h"

struct act_counts {
        unsigned planned; /* mutating actions attempted (or, in dry-run, that would be) */
        unsigned succeeded;
        unsigned failed;
        unsigned created;
        unsigned deleted;
        unsigned missed;
        unsigned backup_deleted;
        unsigned unconfirmed; /* calls whose answer was lost: intents left open for the next cycle */
        /* The plan's actions that changed the inventory (successful creates, copies and deletions), for
         * the stored inventory; they point into the plan. Freed by act_counts_done(). */
        const struct plan_action **changes;
        size_t n_changes;
};

void act_counts_done(struct act_counts *c);

/* Runs the plan in order. Stops early (between actions) when agent_should_stop(). Returns 0, or a
 * negative errno if the state store failed (the cycle cannot record what it does, so it stops). */
int act_plan(struct agent *a, const struct plan *p, const struct observation *o, int64_t cycle_id,
             struct act_counts *c);

/* Shared with backup-delete.c. */
const struct policy *act_find_policy(const struct agent *a, const char *name);
struct event_fields act_fields(const struct plan_action *act, const char *verb);
/* Commit the intent of `act` before its call (the test crash hook brackets it). */
int act_intent_begin(struct agent *a, int64_t cycle_id, enum ledger_kind kind, const struct plan_action *act,
                     const char *region, const char *target, int64_t *ret_id);
/* Record the outcome; `e` (may be NULL) gives the request id, and on failure the code and message; else
 * `request_id` (the successful call's, may be NULL) is recorded. */
int act_intent_finish(struct agent *a, int64_t id, bool ok, const struct aws_error *e, const char *request_id);

/* When the answer to a mutating call was lost (aws_error_outcome_unknown), the intent stays open for the
 * next cycle's recovery to settle from what AWS shows: reports an action-unconfirmed event ("<what>
 * <object>: ..."), counts it and returns true; else returns false and does nothing. */
bool act_outcome_unknown(struct agent *a, const struct aws_error *e, struct event_fields *f, const char *what,
                         const char *object, struct act_counts *c);

/* Event fields for an AWS error: its code (or its kind when AWS sent none) and request id. */
void act_error_fields(const struct aws_error *e, struct event_fields *f);
