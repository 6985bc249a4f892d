/* Counting and reporting an action's outcome (act-outcome.h). */
#include "act-outcome.h"

#include <errno.h>
#include <stdlib.h>

#include "array.h"
#include "aws-client.h"
#include "ledger-intent.h"

void act_counts_done(struct act_counts *c)
{
        c->changes = mfree(c->changes);
        c->n_changes = c->allocated_changes = 0;
}

int act_counts_record_change(struct act_counts *c, const struct plan_action *act)
{
        if (ARRAY_GROW(c->changes, c->allocated_changes, c->n_changes) < 0)
                return -ENOMEM;
        c->changes[c->n_changes++] = act;
        return 0;
}

struct event_fields act_fields(const struct plan_action *act, const char *verb)
{
        return (struct event_fields){
            .policy = act->policy,
            .cluster = act->cluster,
            .snapshot = act->snapshot,
            .region = act->region,
            .action = verb,
            .reason = act->rule,
        };
}

void act_error_fields(const struct aws_error *e, struct event_fields *f)
{
        f->error_code = e->code[0] ? e->code : aws_error_kind_to_string(e->kind);
        f->request_id = e->request_id[0] ? e->request_id : NULL;
}

bool act_outcome_unknown(struct agent *a, const struct aws_error *e, struct event_fields *f,
                         const char *what, const char *object, struct act_counts *c)
{
        char buf[1024];

        if (!aws_error_outcome_unknown(e))
                return false;
        c->unconfirmed++;
        act_error_fields(e, f);
        journal_event(
            EVENT_ACTION_UNCONFIRMED, f,
            "%s %s: the answer was lost (%s); the call may have taken effect, the next cycle settles it "
            "from what AWS shows",
            what, strempty(object), aws_error_to_string(e, buf, sizeof(buf)));
        agent_set_last_error(a, "%s %s: outcome unknown (%s)", what, strempty(object), f->error_code);
        return true;
}

int act_settle(struct agent *a, int64_t id, int r, bool already, const struct aws_error *e,
               struct aws_client *client, struct event_fields *f, struct act_counts *c)
{
        bool ok = r >= 0 || already;
        int k;

        k = ledger_intent_finish(a, id, ok, r >= 0 ? NULL : e, aws_client_last_request_id(client));
        if (k < 0)
                return k;
        if (!ok)
                return 0;
        c->succeeded++;
        if (f)
                f->request_id = e->request_id[0] ? e->request_id : aws_client_last_request_id(client);
        return 1;
}

void act_failed(struct agent *a, enum journal_event kind, struct event_fields *f, const struct aws_error *e,
                struct act_counts *c, const char *what, const char *object)
{
        char buf[1024];

        c->failed++;
        act_error_fields(e, f);
        journal_event(kind, f, "%s %s failed: %s", what, strempty(object),
                      aws_error_to_string(e, buf, sizeof(buf)));
        agent_set_last_error(a, "%s %s: %s", what, strempty(object), f->error_code);
}
