/* How the act step's executors (act.c, backup-delete.c, restore-drill.c, operator-restore.c) count an
 * action's outcome and report it as a journal event. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent-internal.h"
#include "aws-error.h"
#include "journal.h"
#include "plan.h"

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
        size_t n_changes, allocated_changes;
};

/* An executor of one kind of plan action (act.c's table of kinds): 0 when done or failed (reported, counted
 * in `c`), 1 when skipped on purpose (e.g. a point behind a vault lock), or a negative errno when the cycle
 * cannot go on (no memory, the state store failed). Each executor is declared with it, so that they
 * keep the one signature the table calls. */
struct observation;
typedef int act_executor_fn(struct agent *a, const struct plan_action *act, const struct observation *o,
                            int64_t cycle_id, struct act_counts *c);

void act_counts_done(struct act_counts *c);
/* `act` changed the inventory. 0 or -ENOMEM. */
int act_counts_record_change(struct act_counts *c, const struct plan_action *act);

/* The event fields every event about `act` carries, its action named `verb`. */
struct event_fields act_fields(const struct plan_action *act, const char *verb);
/* Event fields for an AWS error: its code (or its kind when AWS sent none) and request id. */
void act_error_fields(const struct aws_error *e, struct event_fields *f);

/* When the answer to a mutating call was lost (aws_error_outcome_unknown), the intent stays open for the
 * next cycle's recovery to settle from what AWS shows: reports an action-unconfirmed event ("<what>
 * <object>: ..."), counts it and returns true; else returns false and does nothing. */
bool act_outcome_unknown(struct agent *a, const struct aws_error *e, struct event_fields *f,
                         const char *what, const char *object, struct act_counts *c);
/* After a mutating call (`r`, `e`, made on `client`): its intent `id` settled. It is done when the call
 * succeeded or when `already`: what it was for already holds ("already exists" to a create, "not found"
 * to a delete). 1: done, counted, and the success event's fields `f` (may be NULL) carry the request id;
 * the caller says what happened; 0: failed (the caller reports it); negative: the ledger could not be
 * written (the cycle stops). */
int act_settle(struct agent *a, int64_t id, int r, bool already, const struct aws_error *e,
               struct aws_client *client, struct event_fields *f, struct act_counts *c);
/* "<what> <object> failed: <AWS error>" as event `kind`, counted as failed, and remembered for STATUS=. */
void act_failed(struct agent *a, enum journal_event kind, struct event_fields *f, const struct aws_error *e,
                struct act_counts *c, const char *what, const char *object);
