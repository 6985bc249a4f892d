/* Polls: whatever the agent started and is still in progress is looked at again in
 * PLAN_POLL_INTERVAL_SEC: snapshots creating or copying, ledger creates and copies not yet observed,
 * and exports of agent snapshots still running. Inputs come in any order; polls follow what they name. */
#include "plan-poll.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan-builder.h"
#include "plan-index.h"
#include "snapshot-id.h"
#include "time-util.h"

static bool status_in_progress(const char *status)
{
        return status && (streq(status, "creating") || streq(status, "copying"));
}

static int ledger_cmp(const void *x, const void *y)
{
        const struct ledger_action *a = *(const struct ledger_action *const *)x;
        const struct ledger_action *c = *(const struct ledger_action *const *)y;
        int r;
        if ((r = strcmp(plan_str(a->region), plan_str(c->region))) != 0 ||
            (r = strcmp(plan_str(a->cluster_identifier), plan_str(c->cluster_identifier))) != 0 ||
            (r = strcmp(plan_str(a->snapshot_identifier), plan_str(c->snapshot_identifier))) != 0 ||
            (r = strcmp(plan_str(a->source_region), plan_str(c->source_region))) != 0)
                return r;
        if (a->kind != c->kind)
                return a->kind < c->kind ? -1 : 1;
        return a->slot_start < c->slot_start ? -1 : a->slot_start > c->slot_start;
}

void plan_polls(struct builder *b)
{
        for (size_t i = 0; i < b->n_snaps; i++) {
                const struct snap *sn = &b->snaps[i];
                if (sn->origin != ORIGIN_AGENT || sn->available || !status_in_progress(sn->s->status))
                        continue;
                plan_add_action(b, &(struct plan_action){
                                       .kind = ACTION_POLL,
                                       .policy = b->verdicts[i].policy,
                                       .cluster = sn->s->cluster_identifier,
                                       .region = sn->s->region,
                                       .snapshot = sn->s->identifier,
                                       .status = sn->s->status,
                                       .rule = sn->copy_tag ? "copy in progress" : "snapshot in progress",
                                   });
                plan_wake(b, b->in->now + PLAN_POLL_INTERVAL_SEC);
        }

        /* The ledger comes in any order: poll in the order of what it names, once per entry. */
        _cleanup_free_ const struct ledger_action **open = calloc(b->in->n_ledger + 1, sizeof *open);
        if (!open) {
                b->error = b->error ?: -ENOMEM;
                return;
        }
        for (size_t i = 0; i < b->in->n_ledger; i++)
                open[i] = &b->in->ledger[i];
        if (b->in->n_ledger > 1)
                qsort(open, b->in->n_ledger, sizeof *open, ledger_cmp);
        for (size_t i = 0; i < b->in->n_ledger; i++) {
                const struct ledger_action *l = open[i];
                if ((l->kind != ACTION_CREATE && l->kind != ACTION_COPY) ||
                    (i > 0 && ledger_cmp(&open[i - 1], &open[i]) == 0) ||
                    plan_snap_find(b, l->region, l->cluster_identifier, l->snapshot_identifier))
                        continue;
                plan_add_action(b, &(struct plan_action){
                                       .kind = ACTION_POLL,
                                       .cluster = l->cluster_identifier,
                                       .region = l->region,
                                       .snapshot = l->snapshot_identifier,
                                       .source_region = l->source_region,
                                       .slot_start = l->kind == ACTION_CREATE ? l->slot_start : 0,
                                       .status = "not-yet-observed",
                                       .rule = l->kind == ACTION_CREATE ? "create started, not yet observed"
                                                                        : "copy started, not yet observed",
                                   });
                plan_wake(b, b->in->now + PLAN_POLL_INTERVAL_SEC);
        }
}

static bool export_active(const char *status)
{
        return status &&
               (streq(status, "STARTING") || streq(status, "IN_PROGRESS") || streq(status, "CANCELING"));
}

/* Exports in progress of agent snapshots are looked at again in a minute. */
static int export_cmp(const void *x, const void *y)
{
        const struct observed_export *a = *(const struct observed_export *const *)x;
        const struct observed_export *c = *(const struct observed_export *const *)y;
        int r;
        if ((r = strcmp(plan_str(a->identifier), plan_str(c->identifier))) != 0 ||
            (r = strcmp(plan_str(a->source_arn), plan_str(c->source_arn))) != 0)
                return r;
        return strcmp(plan_str(a->status), plan_str(c->status));
}

void plan_export_polls(struct builder *b)
{
        /* Exports come in any order: poll in the order of their identifiers. */
        size_t n = 0;
        _cleanup_free_ const struct observed_export **active = calloc(b->in->n_exports + 1, sizeof *active);
        if (!active) {
                if (b->error == 0)
                        b->error = -ENOMEM;
                return;
        }
        for (size_t i = 0; i < b->in->n_exports; i++) {
                const struct observed_export *x = &b->in->exports[i];
                if (export_active(x->status) && x->identifier && x->source_arn)
                        active[n++] = x;
        }
        if (n > 1)
                qsort(active, n, sizeof *active, export_cmp);
        for (size_t i = 0; i < n; i++) {
                const struct observed_export *x = active[i];
                if (i > 0 && export_cmp(&active[i - 1], &active[i]) == 0)
                        continue;
                const struct snap *owner = NULL;
                for (size_t j = 0; j < b->n_snaps && !owner; j++)
                        if (b->snaps[j].origin == ORIGIN_AGENT &&
                            streq_ptr(b->snaps[j].s->arn, x->source_arn))
                                owner = &b->snaps[j];
                if (!owner)
                        continue;
                plan_add_action(b, &(struct plan_action){
                                       .kind = ACTION_POLL,
                                       .policy = b->verdicts[owner - b->snaps].policy,
                                       .cluster = owner->s->cluster_identifier,
                                       .region = owner->s->region,
                                       .snapshot = x->identifier,
                                       .source_snapshot = owner->s->identifier,
                                       .status = x->status,
                                       .rule = "export in progress",
                                   });
                plan_wake(b, b->in->now + PLAN_POLL_INTERVAL_SEC);
        }
}
