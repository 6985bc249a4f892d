/* Scheduled snapshots: for each selected cluster, the slot whose window is open (create now, retry
 * later, or nothing because it is done or in flight), the most recent closed slot (one `missed`
 * event), and the next slot start as a wake-up. */
#include "plan-slot.h"

#include <inttypes.h>
#include <stdio.h>

#include "plan-builder.h"
#include "plan-describe.h"
#include "plan-index.h"
#include "plan-quota.h"
#include "slot.h"
#include "snapshot-id.h"
#include "time-util.h"

static const struct window *cluster_window(const struct cluster_plan *cp)
{
        if (!cp->p->window_from_cluster)
                return &cp->p->window;
        return cp->c->has_preferred_window ? &cp->c->preferred_window : NULL;
}

/* Done: the cluster has a snapshot in the policy region under the deterministic identifier (any status,
 * any origin), or an agent snapshot that is not a copy says it was taken for this slot. Such a snapshot
 * was created after its window opened (a day of slack for clocks that disagree) or has no time yet:
 * the run is newest first with unknown times last, so only its two ends are looked at. */
static bool snap_is_slot(const struct snap *sn, const char *id, const char *iso)
{
        return streq(sn->s->identifier, id) ||
               (sn->origin == ORIGIN_AGENT && !sn->copy_tag && sn->slot_tag && streq(sn->slot_tag, iso));
}

static bool slot_done(const struct builder *b, const struct cluster_plan *cp, const char *id,
                      const struct slot *sl)
{
        char iso[TIME_ISO8601_MAX];
        time_format_iso8601(sl->start, iso);
        size_t lo, hi, i;
        plan_snap_range(b, cp->region, cp->c->identifier, &lo, &hi);
        for (i = lo; i < hi; i++) {
                const struct snap *sn = &b->snaps[i];
                if (sn->s->create_time != PLAN_TIME_UNKNOWN && sn->s->create_time < sl->open - SEC_PER_DAY)
                        break;
                if (snap_is_slot(sn, id, iso))
                        return true;
        }
        for (size_t j = hi; j > i && b->snaps[j - 1].s->create_time == PLAN_TIME_UNKNOWN; j--)
                if (snap_is_slot(&b->snaps[j - 1], id, iso))
                        return true;
        return false;
}

static bool agent_snapshot_before(const struct builder *b, const char *region, const char *cluster,
                                  int64_t before)
{
        size_t lo, hi;
        plan_snap_range(b, region, cluster, &lo, &hi);
        for (size_t i = lo; i < hi; i++) {
                const struct observed_snapshot *s = b->snaps[i].s;
                if (b->snaps[i].origin == ORIGIN_AGENT && s->create_time != PLAN_TIME_UNKNOWN &&
                    s->create_time < before)
                        return true;
        }
        return false;
}

/* The agent was looking after this cluster before `slot_start`: a window history entry of an earlier
 * slot, or an agent snapshot created earlier. Slots before the agent's first record are not missed,
 * they are simply before its time (a first start, a new policy, a cluster that just appeared). */
static bool cluster_has_record_before(const struct builder *b, const struct cluster_plan *cp,
                                      int64_t slot_start)
{
        if (plan_history_has_before(b, cp->c->identifier, slot_start))
                return true;
        if (agent_snapshot_before(b, cp->region, cp->c->identifier, slot_start))
                return true;
        for (size_t t = 0; t < cp->p->n_copies; t++)
                if (agent_snapshot_before(b, cp->p->copies[t].region, cp->c->identifier, slot_start))
                        return true;
        return false;
}

/* Retries 60 s, 120 s and 300 s after the slot start, then every 300 s; never past the close. */
/* Seed rule: a cluster must be `available` to take a snapshot (else retry inside the window). */
static bool cluster_can_snapshot(const struct observed_cluster *c)
{
        return streq_ptr(c->status, "available");
}

int64_t plan_retry_at(int64_t slot_start, int64_t close, int64_t now)
{
        static const int64_t steps[] = {60, 120, 300};
        int64_t t = 0;
        for (size_t i = 0; i < ELEMENTSOF(steps) && t <= now; i++)
                t = slot_start + steps[i];
        if (t <= now)
                t = slot_start + 300 + ((now - slot_start - 300) / 300 + 1) * 300;
        return t < close ? t : close;
}

static void describe(const struct cluster_plan *cp, const struct window *w, char out[static 96])
{
        char sb[32], wb[16];
        snprintf(out, 96, "schedule %s, window %s%s", plan_schedule_describe(&cp->p->every, sb),
                 plan_window_describe(w, wb), cp->p->window_from_cluster ? " (cluster)" : "");
}

/* Plans the open slot; returns what becomes of it (a next_slot_state), or -1 when it needs nothing more
 * (done) or cannot be planned (refused). *ret_retry gets the retry time of NEXT_SLOT_RETRY. */
static int open_slot(struct builder *b, const struct cluster_plan *cp, const struct window *w,
                     const struct slot *sl, int64_t *ret_retry)
{
        const int64_t now = b->in->now;
        char id[PLAN_SNAPSHOT_ID_MAX], iso[TIME_ISO8601_MAX], what[96];

        if (plan_snapshot_identifier(b->prefix, cp->c->identifier, sl->start, id) < 0) {
                plan_add_cluster_action(
                    b, cp,
                    (struct plan_action){
                        .kind = ACTION_REFUSED,
                        .slot_start = sl->start,
                        .rule = "no valid snapshot identifier from the prefix and cluster",
                    });
                return -1;
        }
        if (slot_done(b, cp, id, sl))
                return -1;
        plan_wake(b, sl->close);
        if (plan_ledger_open(b, ACTION_CREATE, cp->region, id))
                return NEXT_SLOT_IN_FLIGHT; /* polled, never created twice */
        if (now < sl->start) {
                plan_wake(b, sl->start);
                return NEXT_SLOT_SCHEDULED;
        }
        describe(cp, w, what);
        if (!cluster_can_snapshot(cp->c)) {
                int64_t t = plan_retry_at(sl->start, sl->close, now);
                plan_add_cluster_action(
                    b, cp,
                    (struct plan_action){
                        .kind = ACTION_WAIT,
                        .snapshot = id,
                        .status = cp->c->status ?: "unknown",
                        .slot_start = sl->start,
                        .retry_at = t,
                        .rule = arena_printf(b->arena, "cluster not available in its window (%s)", what),
                    });
                plan_wake(b, t);
                *ret_retry = t;
                return NEXT_SLOT_RETRY;
        }
        if (!plan_quota_take(b, cp->region, cp->p)) {
                plan_quota_exhausted(b, cp, cp->region, id, sl->start, NULL);
                return NEXT_SLOT_QUOTA_EXHAUSTED;
        }
        time_format_iso8601(sl->start, iso);
        const struct tag tags[] = {
            {(char *)TAG_MANAGED_BY, (char *)TAG_MANAGED_BY_VALUE},
            {(char *)TAG_POLICY, cp->p->name},
            {(char *)TAG_SLOT, iso},
        };
        plan_add_cluster_action(b, cp,
                                (struct plan_action){
                                    .kind = ACTION_CREATE,
                                    .snapshot = id,
                                    .slot_start = sl->start,
                                    .rule = arena_printf(b->arena, "slot %s of %s", iso, what),
                                    .tags = tags,
                                    .n_tags = ELEMENTSOF(tags),
                                });
        plan_wake(b, now + PLAN_POLL_INTERVAL_SEC);
        return NEXT_SLOT_CREATE_NOW;
}

static void closed_slot(struct builder *b, const struct cluster_plan *cp, const struct window *w,
                        const struct slot *sl)
{
        char id[PLAN_SNAPSHOT_ID_MAX], what[96];
        if (plan_snapshot_identifier(b->prefix, cp->c->identifier, sl->start, id) < 0 ||
            slot_done(b, cp, id, sl) || plan_ledger_open(b, ACTION_CREATE, cp->region, id) ||
            plan_history_has(b, cp->c->identifier, sl->start) ||
            !cluster_has_record_before(b, cp, sl->start))
                return;
        describe(cp, w, what);
        plan_add_cluster_action(
            b, cp,
            (struct plan_action){
                .kind = ACTION_MISSED,
                .snapshot = id,
                .status = cp->c->status,
                .slot_start = sl->start,
                .rule = arena_printf(b->arena, "window closed with no snapshot (%s)", what),
            });
}

void plan_slots(struct builder *b, const struct cluster_plan *cp)
{
        const int64_t now = b->in->now;
        const struct window *w = cluster_window(cp);
        struct slot cur, prev, next;

        if (!w) {
                plan_refuse(b, cp, NULL, NULL,
                            "the policy uses the cluster's backup window and the cluster reports none");
                return;
        }
        if (slot_latest(&cp->p->every, w, cp->c->identifier, now, &cur) < 0 ||
            slot_next(&cp->p->every, w, cp->c->identifier, now, &next) < 0) {
                plan_refuse(b, cp, NULL, NULL, "invalid schedule or window");
                return;
        }
        int state = -1;
        int64_t retry = 0;
        if (now < cur.close) {
                state = open_slot(b, cp, w, &cur, &retry);
                if (slot_latest(&cp->p->every, w, cp->c->identifier, cur.open - 1, &prev) >= 0)
                        closed_slot(b, cp, w, &prev);
        } else
                closed_slot(b, cp, w, &cur);
        plan_wake(b, next.start);

        char sb[32], wb[16];
        const struct slot *shown = state >= 0 ? &cur : &next;
        plan_add_next_slot(b, &(struct plan_next_slot){
                                  .policy = cp->p->name,
                                  .cluster = cp->c->identifier,
                                  .region = cp->region,
                                  .window_open = shown->open,
                                  .slot_start = shown->start,
                                  .window_close = shown->close,
                                  .retry_at = retry,
                                  .state = state >= 0 ? (enum next_slot_state)state : NEXT_SLOT_SCHEDULED,
                                  .schedule = plan_schedule_describe(&cp->p->every, sb),
                                  .window = plan_window_describe(w, wb),
                                  .window_from_cluster = cp->p->window_from_cluster,
                              });
}
