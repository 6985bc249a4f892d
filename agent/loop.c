/* The daemon loop. A cycle runs inside the timer callback; SIGTERM/SIGINT arriving meanwhile are
 * blocked (sd-event receives them through a signalfd), and the cycle checks for them between actions,
 * so the call in flight finishes and is recorded before the agent stops. */
#include "loop.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-event.h>
#include <time.h>

#include "agent-internal.h"
#include "control.h"
#include "notify.h"
#include "plan.h"

#define MIN_DELAY_USEC (1000000ULL) /* never spin: at least a second between cycles */

struct loop {
        struct agent *agent;
        sd_event *event;
        sd_event_source *timer;
        bool stopping;
};

static bool stop_pending(void *userdata)
{
        struct loop *l = userdata;
        sigset_t pending;

        if (l->stopping)
                return true;
        if (sigpending(&pending) < 0)
                return false;
        return sigismember(&pending, SIGTERM) == 1 || sigismember(&pending, SIGINT) == 1;
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
        uint64_t now;
        int r;

        r = sd_event_now(l->event, CLOCK_BOOTTIME, &now);
        if (r < 0)
                return r;
        r = sd_event_source_set_time(l->timer, now + delay_usec);
        if (r < 0)
                return r;
        return sd_event_source_set_enabled(l->timer, SD_EVENT_ONESHOT);
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct loop *l = userdata;
        struct cycle_result res = {};
        int r;

        (void)s;
        (void)usec;
        r = agent_cycle(l->agent, &res);
        if (r < 0) {
                fprintf(stderr, "aurora-backup-agent: cycle could not run: %s\n", strerror(-r));
                res.next_wakeup = PLAN_NO_WAKEUP;
        }
        if (res.stopped || stop_pending(l)) {
                /* Let the signal source see it: the loop exits from there. */
                return 0;
        }
        r = arm(l, next_delay_usec(l->agent, res.next_wakeup));
        if (r < 0)
                return sd_event_exit(l->event, r);
        return 0;
}

static int on_stop(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
        struct loop *l = userdata;
        (void)s;
        (void)si;
        l->stopping = true;
        (void)notify_stopping();
        return sd_event_exit(l->event, 0);
}

static int on_reload(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
        struct loop *l = userdata;
        (void)s;
        (void)si;
        (void)notify_reloading();
        if (agent_reload(l->agent) >= 0)
                (void)arm(l, 0); /* a new config may change what is due: plan now */
        (void)notify_ready();
        return 0;
}

int agent_loop_run(struct agent *a)
{
        struct loop l = {.agent = a};
        sigset_t mask;
        int r;

        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return -errno;

        r = sd_event_default(&l.event);
        if (r < 0)
                return r;
        r = sd_event_add_signal(l.event, NULL, SIGTERM, on_stop, &l);
        if (r >= 0)
                r = sd_event_add_signal(l.event, NULL, SIGINT, on_stop, &l);
        if (r >= 0)
                r = sd_event_add_signal(l.event, NULL, SIGHUP, on_reload, &l);
        if (r >= 0)
                r = sd_event_add_time(l.event, &l.timer, CLOCK_BOOTTIME, 0, 0, on_timer, &l);
        if (r >= 0)
                r = sd_event_source_set_enabled(l.timer, SD_EVENT_ONESHOT);
        /* WATCHDOG=1 at half of WatchdogSec, from the loop itself: a wedged loop stops the pings. */
        if (r >= 0)
                r = sd_event_set_watchdog(l.event, true);
        if (r < 0) {
                fprintf(stderr, "aurora-backup-agent: cannot set up the event loop: %s\n", strerror(-r));
                goto out;
        }
        agent_set_stop_check(a, stop_pending, &l);
        (void)control_server_attach(l.event, a); /* failure logged; the agent runs on without the socket */

        (void)notify_ready();
        (void)notify_status("Starting the first cycle");
        r = sd_event_loop(l.event);
        if (r < 0)
                fprintf(stderr, "aurora-backup-agent: event loop failed: %s\n", strerror(-r));
out:
        control_server_detach(a);
        agent_set_stop_check(a, NULL, NULL);
        sd_event_source_unref(l.timer);
        sd_event_unref(l.event);
        return r < 0 ? r : 0;
}
