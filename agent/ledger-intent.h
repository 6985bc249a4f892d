/* The ledger's side of one mutating AWS call: an intent committed before the call (so that a crash at any
 * point is recovered from the ledger, see recover.c) and its outcome after. The test crash hook
 * (AURORA_BACKUP_TEST_CRASH_AT) brackets both. Shared by every executor of the act step. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "agent-internal.h"
#include "plan.h"
#include "store.h"

/* Commit the intent of `act` before its call. 0, or a negative errno (logged: the caller does not act). */
int ledger_intent_begin(struct agent *a, int64_t cycle_id, enum ledger_kind kind,
                        const struct plan_action *act, const char *region, const char *target,
                        int64_t *ret_id);
/* Record the outcome; `e` (may be NULL) gives the request id, and on failure the code and message; else
 * `request_id` (the successful call's, may be NULL) is recorded. 0, or a negative errno (logged). */
int ledger_intent_finish(struct agent *a, int64_t id, bool ok, const struct aws_error *e,
                         const char *request_id);
