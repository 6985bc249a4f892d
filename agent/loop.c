/* The daemon loop. A one-shot CLOCK_BOOTTIME timer starts each cycle as a task (task.h): the cycle reads
 * as straight code, and every AWS call it makes suspends it while the loop goes on serving the watchdog,
 * SIGTERM and SIGHUP. Its calls run on a curl multi handle driven by this loop (aws-multi.h).
 *
 * SIGTERM during a cycle: no new call goes out, the calls in flight have STOP_GRACE_USEC to answer
 * (their outcome is then recorded), after which they are cancelled (an intent left open is settled by
 * the next start's recovery: never a lost record), and the loop ends when the cycle has wound down, or
 * after STOP_HARD_USEC whatever it does. SIGHUP during a cycle: the cycle starts no further action, and
 * the reload is applied as soon as it has ended. */
#include "loop.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-event.h>
#include <time.h>

#include "agent-internal.h"
#include "control.h"
#include "log.h"
#include "notifier.h"
#include "notify.h"
#include "plan.h"
#include "task.h"

#define MIN_DELAY_USEC (1000000ULL) /* never spin: at least a second between cycles */
#define STOP_GRACE_USEC (3000000ULL)
#define STOP_HARD_USEC (4500000ULL)

struct loop {
        struct agent *agent;
        sd_event *event;
        sd_event_source *timer;
        sd_event_source *stop_timer;
        sd_event_source *watchdog;
        bool in_cycle;
        bool stopping;
        bool calls_cancelled;
        bool reload_pending;
        bool once;
        int once_result;
        struct cycle_result res;
};

static bool stop_pending(void *userdata)
{
        struct loop *l = userdata;
        sigset_t pending;

        if (l->stopping)
                return true;
        if (l->once || sigpending(&pending) < 0)
                return false;
        return sigismember(&pending, SIGTERM) == 1 || sigismember(&pending, SIGINT) == 1;
}

static bool wind_down_pending(void *userdata)
{
        struct loop *l = userdata;
        return l->reload_pending || stop_pending(l);
}

/* Seconds from now until the next cycle: the planner's wake-up, capped by the reconcile interval. */
static uint64_t next_delay_usec(const struct agent *a, int64_t next_wakeup)
{
        int64_t now = agent_now(a), interval = a->config->agent.reconcile_interval_sec, delay = interval;

        if (next_wakeup != PLAN_NO_WAKEUP && next_wakeup - now < interval)
                delay = next_wakeup - now;
        if (delay < 1)
                return agent_real_usec(a, MIN_DELAY_USEC);
        return agent_real_usec(a, (uint64_t)delay * 1000000ULL);
}

static int arm(struct loop *l, uint64_t delay_usec)
{
        int r = sd_event_source_set_time_relative(l->timer, delay_usec);
        if (r < 0)
                return r;
        return sd_event_source_set_enabled(l->timer, SD_EVENT_ONESHOT);
}

/* A cycle or an operator request is under way: the config must stay, and a stop waits a little. */
static bool busy(const struct loop *l)
{
        return l->in_cycle || l->agent->jobs > 0;
}

static void reload(struct loop *l)
{
        l->reload_pending = false;
        (void)notify_reloading();
        if (agent_reload(l->agent) >= 0)
                (void)arm(l, 0); /* a new config may change what is due: plan now */
        (void)notify_ready();
}

static void cycle_run(void *userdata)
{
        struct loop *l = userdata;
        int r;

        l->res = (struct cycle_result){};
        r = agent_cycle(l->agent, &l->res);
        if (r < 0) {
                log_error("cycle could not run: %s", strerror(-r));
                l->res.next_wakeup = PLAN_NO_WAKEUP;
                l->once_result = r;
        }
}

/* The last operator request ended. */
static void jobs_done(void *userdata)
{
        struct loop *l = userdata;

        if (busy(l))
                return;
        if (l->stopping || l->once) /* --once waits for its notifications */
                (void)sd_event_exit(l->event, 0);
        else if (l->reload_pending)
                reload(l);
        else if (l->agent->cycle_soon)
                (void)arm(l, 0);
}

static void cycle_done(void *userdata)
{
        struct loop *l = userdata;
        int r;

        l->in_cycle = false;
        if (l->once) {
                if (!busy(l)) /* else jobs_done ends it, once the notifications are published */
                        (void)sd_event_exit(l->event, 0);
                return;
        }
        if (l->stopping) {
                if (!busy(l))
                        (void)sd_event_exit(l->event, 0);
                return;
        }
        if (l->reload_pending && !busy(l)) {
                reload(l);
                return;
        }
        r = arm(l, l->agent->cycle_soon ? 0 : next_delay_usec(l->agent, l->res.next_wakeup));
        if (r < 0)
                (void)sd_event_exit(l->event, r);
}

static int cycle_start(struct loop *l)
{
        int r = task_spawn(l->event, cycle_run, cycle_done, l, NULL);
        if (r < 0)
                return r;
        l->in_cycle = true;
        l->agent->cycle_soon = false;
        return 0;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct loop *l = userdata;
        int r;

        (void)s;
        (void)usec;
        if (l->in_cycle || l->stopping || l->reload_pending)
                return 0; /* the reload, once the operator's request has ended, starts the next cycle */
        r = cycle_start(l);
        if (r < 0) {
                log_error("cannot start a cycle: %s", strerror(-r));
                r = arm(l, next_delay_usec(l->agent, PLAN_NO_WAKEUP));
                if (r < 0)
                        return sd_event_exit(l->event, r);
        }
        return 0;
}

/* Stopping, step two: what is still in flight is abandoned (the ledger's recovery settles it); step
 * three: the loop ends even if the cycle could not wind down. */
static int on_stop_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct loop *l = userdata;

        if (!busy(l) || l->calls_cancelled)
                return sd_event_exit(l->event, 0);
        l->calls_cancelled = true;
        (void)agent_cancel_calls(l->agent, true);
        if (sd_event_source_set_time(s, usec + (STOP_HARD_USEC - STOP_GRACE_USEC)) >= 0 &&
            sd_event_source_set_enabled(s, SD_EVENT_ONESHOT) >= 0)
                return 0;
        return sd_event_exit(l->event, 0);
}

static int on_stop(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
        struct loop *l = userdata;
        uint64_t now;
        int r;

        (void)s;
        (void)si;
        if (l->stopping)
                return 0;
        l->stopping = true;
        (void)notify_stopping();
        if (!busy(l))
                return sd_event_exit(l->event, 0);
        /* Nothing more goes out: what waits for a slot, a token or a retry is cancelled now (never sent, or
         * settled by recovery), what is on the wire has the grace period to answer. */
        (void)agent_cancel_calls(l->agent, false);
        r = sd_event_now(l->event, CLOCK_BOOTTIME, &now);
        if (r >= 0)
                r = sd_event_add_time(l->event, &l->stop_timer, CLOCK_BOOTTIME, now + STOP_GRACE_USEC, 0,
                                      on_stop_timer, l);
        if (r < 0)
                return sd_event_exit(l->event, 0);
        return 0;
}

static int on_reload(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
        struct loop *l = userdata;
        (void)s;
        (void)si;
        if (l->stopping)
                return 0;
        if (busy(l)) {
                /* The config stays until the cycle (and any operator request) has ended: the cycle starts
                 * no further action meanwhile. */
                l->reload_pending = true;
                return 0;
        }
        reload(l);
        return 0;
}

/* WATCHDOG=1 every quarter of WatchdogSec, from the loop itself: a wedged loop stops the pings, and a
 * live one is never silent for more than about a quarter (sd-event's own watchdog pings only between
 * one half and three quarters of the period). */
static int on_watchdog(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct loop *l = userdata;

        (void)notify_watchdog();
        l->agent->watchdog_pinged_usec = usec; /* agent_watchdog_ping() counts from here */
        if (sd_event_source_set_time(s, usec + l->agent->watchdog_usec / 4) < 0 ||
            sd_event_source_set_enabled(s, SD_EVENT_ONESHOT) < 0)
                return sd_event_exit(l->event, -EIO);
        return 0;
}

static int watchdog_start(struct loop *l)
{
        uint64_t now;
        int r;

        if (l->agent->watchdog_usec == 0)
                return 0;
        r = sd_event_now(l->event, CLOCK_MONOTONIC, &now);
        if (r < 0)
                return r;
        return sd_event_add_time(l->event, &l->watchdog, CLOCK_MONOTONIC, now + l->agent->watchdog_usec / 4,
                                 l->agent->watchdog_usec / 40, on_watchdog, l);
}

static void loop_done(struct loop *l)
{
        notifier_detach(l->agent);
        l->agent->on_jobs_done = NULL;
        agent_set_stop_check(l->agent, NULL, NULL, NULL);
        agent_detach_event(l->agent);
        sd_event_source_disable_unref(l->stop_timer);
        sd_event_source_disable_unref(l->watchdog);
        sd_event_source_disable_unref(l->timer);
        sd_event_unref(l->event);
}

/* What the daemon and --once share: the signals blocked (the daemon's go to signal sources, SIGCHLD to the
 * restore probe's child sources), the loop, the AWS calls and the notifier on it, and the callbacks
 * through which the agent asks the loop whether to stop. On failure what was set up is undone by
 * loop_done(). */
static int loop_setup(struct loop *l, bool daemon)
{
        sigset_t mask;
        int r;

        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        if (daemon) {
                sigaddset(&mask, SIGTERM);
                sigaddset(&mask, SIGINT);
                sigaddset(&mask, SIGHUP);
        }
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return -errno;
        r = sd_event_new(&l->event);
        if (r < 0)
                return r;
        agent_set_stop_check(l->agent, stop_pending, wind_down_pending, l);
        l->agent->on_jobs_done = jobs_done;
        r = agent_attach_event(l->agent, l->event);
        if (r >= 0)
                r = notifier_attach(l->agent, l->event);
        return r;
}

int agent_loop_run(struct agent *a)
{
        struct loop l = {.agent = a};
        int r;

        r = loop_setup(&l, true);
        if (r >= 0)
                r = sd_event_add_signal(l.event, NULL, SIGTERM, on_stop, &l);
        if (r >= 0)
                r = sd_event_add_signal(l.event, NULL, SIGINT, on_stop, &l);
        if (r >= 0)
                r = sd_event_add_signal(l.event, NULL, SIGHUP, on_reload, &l);
        if (r >= 0)
                r = sd_event_add_time(l.event, &l.timer, CLOCK_BOOTTIME, 0, 0, on_timer, &l);
        if (r >= 0)
                r = sd_event_source_set_enabled(l.timer, SD_EVENT_ONESHOT);
        if (r >= 0)
                r = watchdog_start(&l);
        if (r < 0) {
                log_error("cannot set up the event loop: %s", strerror(-r));
                goto out;
        }
        (void)control_server_attach(l.event, a); /* failure logged; the agent runs on without the socket */

        (void)notify_ready();
        (void)notify_status("Starting the first cycle");
        r = sd_event_loop(l.event);
        if (r < 0)
                log_error("event loop failed: %s", strerror(-r));
out:
        control_server_detach(a);
        loop_done(&l);
        return r < 0 ? r : 0;
}

int agent_loop_run_once(struct agent *a, struct cycle_result *ret)
{
        struct loop l = {.agent = a, .once = true};
        int r;

        r = loop_setup(&l, false);
        if (r >= 0)
                r = cycle_start(&l);
        if (r >= 0)
                r = sd_event_loop(l.event);
        if (r >= 0 && l.in_cycle)
                r = -EIO; /* the loop ended with the cycle suspended */
        if (r >= 0)
                r = l.once_result;
        if (r >= 0)
                *ret = l.res;
        loop_done(&l);
        return r;
}
