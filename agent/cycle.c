/* One reconcile cycle: observe -> recover open intents -> plan -> act -> report.
 *
 * Observe is a full inventory (every region's clusters and snapshots) at the first cycle, after a reload,
 * every agent.inventory_interval and when a targeted look disagreed with the inventory; in between, the
 * daemon keeps the inventory (inventory.h) and a wake-up plans on it, looks again only at the clusters and
 * snapshots that plan concerns, plans again on what it saw and acts only there. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act.h"
#include "agent-internal.h"
#include "backup-cost.h"
#include "inventory.h"
#include "log.h"
#include "observe.h"
#include "plan-format.h"
#include "plan-state.h"
#include "plan.h"
#include "problems.h"
#include "recover.h"
#include "report.h"
#include "restore-drill.h"
#include "share-facts.h"
#include "store.h"
#include "time-util.h"

/* How far back the planner needs the window history (monthly schedules, plus margin). */
#define HISTORY_LOOKBACK_SEC (62 * SEC_PER_DAY)

static int plan_state_load(struct agent *a, int64_t now, struct plan_state *s)
{
        struct ledger_entry *open = NULL;
        struct window_record *history = NULL;
        size_t n_open = 0, n_history = 0;
        int r;

        if (a->store) { /* else read-only planning before the agent ever ran: nothing open, no history */
                r = store_ledger_open_intents(a->store, &open, &n_open);
                if (r < 0)
                        return r;
                r = store_window_list(a->store, NULL, now - HISTORY_LOOKBACK_SEC, 0, &history, &n_history);
                if (r < 0) {
                        ledger_entries_free(open, n_open);
                        return r;
                }
        }
        return plan_state_from_rows(s, open, n_open, history, n_history);
}

/* In dry-run, the plan itself is the report: print it where the operator is looking. */
static void print_plan(const struct plan *p)
{
        printf("Plan (dry run: nothing is changed):\n");
        (void)plan_format(p, stdout);
        (void)plan_format_next_slots(p, stdout);
        fflush(stdout);
}

/* Plans; when the plan would share snapshots, learns what sharing them needs (share-facts.h) and plans
 * again with it, at most a few times (a share may move to a re-encrypted copy, which has facts too). */
static int plan_with_facts(struct agent *a, struct observation *o, const struct plan_state *ps, int64_t now,
                           struct plan **ret)
{
        struct plan_input in = plan_state_input(ps, a->config, a->default_region, o, now);
        struct plan *p = NULL;
        int r;

        for (int round = 0;; round++) {
                r = plan_build(&in, &p);
                if (r < 0 || round == 2)
                        break;
                r = share_facts_fill(a, o, p);
                if (r <= 0)
                        break;
                p = plan_free(p);
        }
        if (r < 0) {
                plan_free(p);
                return r;
        }
        *ret = p;
        return 0;
}

int agent_plan(struct agent *a, struct plan **ret, unsigned *ret_failures)
{
        struct observation o = {};
        struct plan_state ps = {};
        int64_t now = agent_now(a);
        int r;

        r = observe(a, &o);
        if (r < 0)
                return r;
        *ret_failures = report_observe_errors(a, &o);
        r = restore_drills_observe(a, &o);
        if (r >= 0)
                r = plan_state_load(a, now, &ps);
        if (r >= 0)
                r = plan_with_facts(a, &o, &ps, now, ret);
        plan_state_done(&ps);
        observation_done(&o);
        return r;
}

/* A wake-up between full refreshes: plans on the kept inventory, then looks again at what that plan
 * concerns (inventory_look). */
static int targeted_look(struct agent *a, struct observation *o, int64_t now, struct inventory_looks *ret)
{
        struct plan_state ps = {};
        struct plan *stale = NULL;
        int r;

        r = plan_state_load(a, now, &ps);
        if (r >= 0) {
                struct plan_input in = plan_state_input(&ps, a->config, a->default_region, o, now);
                r = plan_build(&in, &stale);
        }
        if (r >= 0)
                r = inventory_look(a, o, stale, ps.open, ps.n_open, ret);
        plan_free(stale);
        plan_state_done(&ps);
        return r;
}

/* Acts only where the wake-up looked: retention runs on a fresh view of a cluster, never a stale one. */
static void keep_looked_actions(struct plan *p, const struct inventory_looks *looks)
{
        size_t w = 0;
        for (size_t i = 0; i < p->n_actions; i++)
                if (inventory_action_looked(looks, &p->actions[i]))
                        p->actions[w++] = p->actions[i];
        p->n_actions = w;
}

int agent_cycle(struct agent *a, struct cycle_result *ret)
{
        struct observation o = {};
        struct plan_state ps = {};
        _cleanup_(plan_freep) struct plan *p = NULL;
        struct act_counts c = {};
        struct inventory_looks looks = {};
        struct problem_scan scan = {};
        int quota_exhausted = 0;
        int64_t started = agent_now(a), cycle_id = 0;
        uint64_t calls0 = agent_api_calls(a);
        unsigned observe_failures = 0;
        /* Only the daemon keeps an inventory between cycles; --once observes in full. */
        bool keep = a->opts.daemon, full = true;
        int r;

        if (a->opts.read_only || !a->store)
                return -EROFS;
        r = store_cycle_begin(a->store, agent_dry_run(a), started, &cycle_id);
        if (r < 0) {
                log_error("cannot record the cycle in %s: %s", a->state_directory,
                          store_last_error(a->store));
                return r;
        }

        if (keep && !inventory_refresh_due(a, started) && inventory_take(a, &o)) {
                full = false;
                r = targeted_look(a, &o, started, &looks);
        } else {
                r = observe(a, &o);
                if (r >= 0)
                        observe_failures = report_observe_errors(a, &o);
        }
        if (r < 0)
                goto finish;

        if (!agent_dry_run(a)) {
                r = recover_open_intents(a, &o, full ? NULL : &looks, started);
                if (r < 0)
                        goto finish;
        }
        agent_watchdog_ping(a);
        r = report_completions(a, &o, started);
        if (r < 0)
                goto finish;

        r = restore_drills_observe(a, &o);
        if (r < 0)
                goto finish;
        r = plan_state_load(a, started, &ps);
        if (r < 0)
                goto finish;
        r = plan_with_facts(a, &o, &ps, started, &p);
        if (r < 0) {
                log_error("planning failed: %s", strerror(-r));
                goto finish;
        }
        if (agent_dry_run(a))
                print_plan(p);
        r = problems_scan_plan(a, p, &o, &scan); /* the whole plan, before a wake-up narrows it */
        if (r < 0)
                goto finish;
        if (!full)
                keep_looked_actions(p, &looks);

        agent_watchdog_ping(a);
        r = act_plan(a, p, &o, cycle_id, &c);
        if (r < 0)
                goto finish;
        agent_watchdog_ping(a);
        /* The stored inventory (for `status`) is rewritten whole: at each full observation, and between
         * them at most once a minute (a region of 20,000 snapshots is a second of sqlite). */
        if (full || agent_now(a) - a->inventory_stored_at >= 60) {
                r = report_inventory(a, &o, &c, agent_now(a));
                if (r < 0)
                        goto finish;
                a->inventory_stored_at = agent_now(a);
                agent_watchdog_ping(a);
        }
        /* Backup storage from CloudWatch: one GetMetricData per region (per 250 clusters) per full
         * inventory. */
        if (full) {
                r = backup_cost_observe(a, &o, agent_now(a));
                if (r < 0)
                        goto finish;
        }
        c.failed += observe_failures;
        quota_exhausted = problems_update(a, &scan, p, &o, &c, started);
        if (quota_exhausted < 0) {
                r = quota_exhausted;
                goto finish;
        }

        report_cycle(a, p, &o, &c, (unsigned)(agent_api_calls(a) - calls0), started, agent_now(a));

finish:
        if (r < 0) {
                agent_set_last_error(a, "cycle failed: %s", strerror(-r));
                c.failed++;
        }
        struct cycle_counts counts = {
            .planned = c.planned,
            .succeeded = c.succeeded,
            .failed = c.failed,
            .created = c.created,
            .deleted = c.deleted + c.backup_deleted,
            .missed = c.missed,
            .api_calls = (unsigned)(agent_api_calls(a) - calls0),
        };
        int k = store_cycle_finish(a->store, cycle_id, &counts, c.failed ? 1 : 0, agent_now(a));
        if (k < 0)
                log_error("cannot record the end of cycle %" PRIi64 ": %s", cycle_id,
                          store_last_error(a->store));
        *ret = (struct cycle_result){
            .planned = c.planned,
            .succeeded = c.succeeded,
            /* --once: not every action is known to have succeeded, or the quota leaves no room */
            .failed = c.failed + c.unconfirmed + (quota_exhausted > 0 ? (unsigned)quota_exhausted : 0),
            .next_wakeup = p ? p->next_wakeup : PLAN_NO_WAKEUP,
            .stopped = agent_should_stop(a),
        };
        /* The daemon keeps what it saw, with its own changes, for the next wake-up. */
        if (keep && r >= 0 && o.regions && inventory_apply(a, &o, &c) >= 0)
                inventory_keep(a, &o, full, started);
        else if (keep)
                agent_inventory_drop(
                    a); /* nothing trustworthy to keep: the next wake-up refreshes in full */
        if (keep && a->inventory) {
                int64_t refresh = inventory_next_refresh(a);
                if (refresh < ret->next_wakeup)
                        ret->next_wakeup = refresh;
        }
        inventory_looks_done(&looks);
        problem_scan_done(&scan);
        act_counts_done(&c);
        plan_state_done(&ps);
        observation_done(&o);
        return r == -ENOMEM ? r : 0;
}
