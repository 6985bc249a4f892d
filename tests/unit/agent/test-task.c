/* Fibers and tasks: what the cycle relies on to wait without blocking the loop. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-event.h>
#include <time.h>

#include "fiber.h"
#include "restore-probe.h"
#include "task.h"
#include "test-suite.h"

TEST_FILE("task", .timeout = 30);

/* ---- fibers ---- */

struct trace {
        char steps[64];
        size_t n;
};

static void trace_add(struct trace *t, char c)
{
        ck_assert_uint_lt(t->n, sizeof(t->steps) - 1);
        t->steps[t->n++] = c;
}

static void yields_twice(void *userdata)
{
        struct trace *t = userdata;
        trace_add(t, 'a');
        fiber_yield();
        trace_add(t, 'b');
        fiber_yield();
        trace_add(t, 'c');
}

TEST_IN("fiber", fiber_runs_until_it_yields_and_goes_on_where_it_stopped)
{
        struct trace t = {};
        struct fiber *f = NULL;

        ck_assert_int_eq(fiber_new(yields_twice, &t, 0, &f), 0);
        ck_assert_str_eq(t.steps, "");
        ck_assert_int_eq(fiber_resume(f), 0);
        ck_assert_str_eq(t.steps, "a");
        ck_assert(!fiber_finished(f));
        ck_assert_int_eq(fiber_resume(f), 0);
        ck_assert_str_eq(t.steps, "ab");
        ck_assert_int_eq(fiber_resume(f), 0);
        ck_assert_str_eq(t.steps, "abc");
        ck_assert(fiber_finished(f));
        ck_assert_int_eq(fiber_resume(f), -ESRCH);
        ck_assert_ptr_null(fiber_current());
        fiber_free(f);
}

static void deep(unsigned depth, char *sink)
{
        char frame[1024];
        memset(frame, (int)depth, sizeof(frame));
        if (depth > 0)
                deep(depth - 1, sink);
        *sink ^= frame[depth % sizeof(frame)];
}

static void uses_half_its_stack(void *userdata)
{
        deep(400, userdata); /* ~400 KiB of frames */
}

TEST_IN("fiber", fiber_stack_holds_hundreds_of_kilobytes)
{
        char sink = 0;
        struct fiber *f = NULL;

        ck_assert_int_eq(fiber_new(uses_half_its_stack, &sink, 0, &f), 0);
        ck_assert_int_eq(fiber_resume(f), 0);
        ck_assert(fiber_finished(f));
        fiber_free(f);
}

static void resumes_itself(void *userdata)
{
        int *r = userdata;
        *r = fiber_resume(fiber_current());
}

TEST_IN("fiber", fiber_cannot_resume_from_a_fiber)
{
        int r = 0;
        struct fiber *f = NULL;

        ck_assert_int_eq(fiber_new(resumes_itself, &r, 0, &f), 0);
        ck_assert_int_eq(fiber_resume(f), 0);
        ck_assert_int_eq(r, -EBUSY);
        fiber_free(f);
}

/* ---- tasks on a loop ---- */

struct sleepers {
        struct trace order;
        unsigned running, most_running;
};

static void sleep_and_mark(size_t i, void *userdata)
{
        struct sleepers *s = userdata;
        s->running++;
        if (s->running > s->most_running)
                s->most_running = s->running;
        /* The later ones sleep less: they finish first if they really run side by side. */
        ck_assert_int_eq(task_sleep((uint64_t)(6 - i) * 10000), 0);
        trace_add(&s->order, (char)('0' + i));
        s->running--;
}

struct for_each_run {
        struct sleepers s;
        unsigned width;
        bool done;
        sd_event *event;
};

static void run_for_each(void *userdata)
{
        struct for_each_run *f = userdata;
        task_for_each(6, f->width, sleep_and_mark, &f->s);
        f->done = true;
}

static void exit_loop(void *userdata)
{
        struct for_each_run *f = userdata;
        sd_event_exit(f->event, 0);
}

static void for_each_on_a_loop(struct for_each_run *f)
{
        ck_assert_int_eq(sd_event_new(&f->event), 0);
        ck_assert_int_eq(task_spawn(f->event, run_for_each, exit_loop, f, NULL), 0);
        ck_assert_int_eq(sd_event_loop(f->event), 0);
        ck_assert(f->done);
        ck_assert_ptr_null(task_current());
        sd_event_unref(f->event);
}

TEST_IN("task", task_for_each_runs_at_most_width_at_once)
{
        struct for_each_run f = {.width = 3};

        for_each_on_a_loop(&f);
        ck_assert_uint_eq(f.s.most_running, 3);
        ck_assert_uint_eq(f.s.order.n, 6);
}

TEST_IN("task", task_for_each_with_width_one_keeps_the_order)
{
        struct for_each_run f = {.width = 1};

        for_each_on_a_loop(&f);
        ck_assert_uint_eq(f.s.most_running, 1);
        ck_assert_str_eq(f.s.order.steps, "012345");
}

TEST_IN("task", task_for_each_outside_a_task_runs_in_the_caller)
{
        struct sleepers s = {};

        task_for_each(3, 8, sleep_and_mark, &s);
        ck_assert_uint_eq(s.most_running, 1);
        ck_assert_str_eq(s.order.steps, "012");
}

/* The loop keeps running while a task waits: a timer of the loop fires in the middle of a task's sleep. */
struct interleave {
        struct trace t;
        sd_event *event;
};

static int on_tick(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct interleave *x = userdata;
        (void)s;
        (void)usec;
        trace_add(&x->t, 'T');
        return 0;
}

static void sleeper(void *userdata)
{
        struct interleave *x = userdata;
        trace_add(&x->t, 's');
        ck_assert_int_eq(task_sleep(50000), 0);
        trace_add(&x->t, 'w');
}

static void interleave_done(void *userdata)
{
        struct interleave *x = userdata;
        sd_event_exit(x->event, 0);
}

TEST_IN("task", task_waiting_leaves_the_loop_free)
{
        struct interleave x = {};
        uint64_t now;

        ck_assert_int_eq(sd_event_new(&x.event), 0);
        ck_assert_int_ge(sd_event_now(x.event, CLOCK_BOOTTIME, &now), 0);
        ck_assert_int_eq(sd_event_add_time(x.event, NULL, CLOCK_BOOTTIME, now + 10000, 0, on_tick, &x), 0);
        ck_assert_int_eq(task_spawn(x.event, sleeper, interleave_done, &x, NULL), 0);
        ck_assert_int_eq(sd_event_loop(x.event), 0);
        ck_assert_str_eq(x.t.steps, "sTw");
        sd_event_unref(x.event);
}

/* The restore probe, waited for as a child source from a task, while the loop serves a timer. */
struct probe_run {
        sd_event *event;
        int result;
        unsigned ticks;
        const char *command;
        int64_t timeout_sec;
};

static int on_probe_tick(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct probe_run *p = userdata;
        p->ticks++;
        (void)sd_event_source_set_time(s, usec + 20000);
        return 0;
}

static void run_probe(void *userdata)
{
        struct probe_run *p = userdata;
        p->result = restore_probe_run(p->command, &(struct restore_probe_env){.cluster = "c", .region = "r"},
                                      p->timeout_sec);
}

static void probe_done(void *userdata)
{
        struct probe_run *p = userdata;
        sd_event_exit(p->event, 0);
}

static void probe_on_a_loop(struct probe_run *p)
{
        sd_event_source *tick = NULL;
        sigset_t mask;
        uint64_t now;

        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        ck_assert_int_eq(sigprocmask(SIG_BLOCK, &mask, NULL), 0);
        ck_assert_int_eq(sd_event_new(&p->event), 0);
        ck_assert_int_ge(sd_event_now(p->event, CLOCK_BOOTTIME, &now), 0);
        ck_assert_int_eq(
            sd_event_add_time(p->event, &tick, CLOCK_BOOTTIME, now + 20000, 0, on_probe_tick, p), 0);
        ck_assert_int_eq(sd_event_source_set_enabled(tick, SD_EVENT_ON), 0);
        ck_assert_int_eq(task_spawn(p->event, run_probe, probe_done, p, NULL), 0);
        ck_assert_int_eq(sd_event_loop(p->event), 0);
        sd_event_source_disable_unref(tick);
        sd_event_unref(p->event);
        ck_assert_int_eq(sigprocmask(SIG_UNBLOCK, &mask, NULL), 0);
}

TEST_IN("probe", probe_in_a_task_reports_its_exit_status_while_the_loop_runs)
{
        struct probe_run p = {.command = "sleep 0.3; exit 7", .timeout_sec = 30};

        probe_on_a_loop(&p);
        ck_assert_int_eq(p.result, 7);
        ck_assert_uint_ge(p.ticks, 5); /* the loop ran every 20 ms meanwhile */
}

TEST_IN("probe", probe_in_a_task_is_killed_at_its_timeout)
{
        struct probe_run p = {.command = "exec sleep 30", .timeout_sec = 1};
        struct timespec t0, t1;

        clock_gettime(CLOCK_MONOTONIC, &t0);
        probe_on_a_loop(&p);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        ck_assert_int_eq(p.result, 128 + SIGKILL);
        ck_assert_int_lt(t1.tv_sec - t0.tv_sec, 10);
}
