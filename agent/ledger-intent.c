/* Ledger intents around mutating calls (ledger-intent.h). */
#include "ledger-intent.h"

#include <inttypes.h>
#include <string.h>

#include "log.h"

int ledger_intent_begin(struct agent *a, int64_t cycle_id, enum ledger_kind kind,
                        const struct plan_action *act, const char *region, const char *target,
                        int64_t *ret_id)
{
        int r;

        agent_crash_point(a, CRASH_BEFORE_INTENT);
        r = store_ledger_begin(a->store,
                               &(struct ledger_intent){.cycle_id = cycle_id,
                                                       .kind = kind,
                                                       .policy = act->policy,
                                                       .cluster = act->cluster,
                                                       .snapshot = act->snapshot,
                                                       .region = region,
                                                       .target = target,
                                                       .slot_start = act->slot_start},
                               agent_now(a), ret_id);
        if (r < 0) {
                log_error("cannot record intent in %s: %s (%s); not acting\n", a->state_directory,
                          store_last_error(a->store), strerror(-r));
                return r;
        }
        agent_crash_point(a, CRASH_AFTER_INTENT);
        return 0;
}

int ledger_intent_finish(struct agent *a, int64_t id, bool ok, const struct aws_error *e,
                         const char *request_id)
{
        int r;

        agent_crash_point(a, CRASH_AFTER_CALL);
        /* aws_client_last_request_id() is cleared by each call, so a failed call never lends an earlier
         * call's id. */
        if (e && e->request_id[0])
                request_id = e->request_id;
        r = store_ledger_finish(a->store, id, ok ? LEDGER_DONE : LEDGER_FAILED,
                                request_id && *request_id ? request_id : NULL,
                                !ok && e && e->code[0] ? e->code : NULL,
                                !ok && e && e->message[0] ? e->message : NULL, agent_now(a));
        if (r < 0)
                log_error("cannot record outcome of ledger row %" PRIi64 ": %s (%s)", id,
                          store_last_error(a->store), strerror(-r));
        return r;
}
