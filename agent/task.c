/* Tasks on sd-event (task.h): each task is a fiber plus a one-shot defer source that resumes it. */
#include "task.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "event-util.h"
#include "fiber.h"

struct task {
        sd_event *event;
        struct fiber *fiber;
        sd_event_source *wake; /* defer, enabled one-shot by task_wake() */
        task_fn fn;
        task_done_fn done;
        void *userdata;
        bool joinable;
        bool finished;
        struct task *joiner; /* suspended in task_join() on this task */
};

static struct task *current;

static struct task *task_free(struct task *t)
{
        if (!t)
                return NULL;
        sd_event_source_disable_unref(t->wake);
        fiber_free(t->fiber);
        sd_event_unref(t->event);
        free(t);
        return NULL;
}

static void run(void *userdata)
{
        struct task *t = userdata;
        t->fn(t->userdata);
}

static int on_wake(sd_event_source *s, void *userdata)
{
        struct task *t = userdata;
        int r;

        (void)s;
        if (t->finished)
                return 0;
        current = t;
        r = fiber_resume(t->fiber);
        current = NULL;
        if (r < 0 || !fiber_finished(t->fiber))
                return 0;

        t->finished = true;
        if (t->done)
                t->done(t->userdata);
        if (t->joiner)
                task_wake(t->joiner);
        if (!t->joinable)
                task_free(t);
        return 0;
}

int task_spawn(sd_event *event, task_fn fn, task_done_fn done, void *userdata, struct task **ret)
{
        struct task *t;
        int r;

        if (!event || !fn)
                return -EINVAL;
        t = calloc(1, sizeof(*t));
        if (!t)
                return -ENOMEM;
        *t = (struct task){
            .event = sd_event_ref(event), .fn = fn, .done = done, .userdata = userdata, .joinable = !!ret};
        r = fiber_new(run, t, 0, &t->fiber);
        if (r >= 0)
                r = event_add_defer_full(event, &t->wake, on_wake, t, SD_EVENT_ONESHOT, "task");
        if (r < 0) {
                task_free(t);
                return r;
        }
        if (ret)
                *ret = t;
        return 0;
}

struct task *task_current(void)
{
        return current;
}

sd_event *task_event(void)
{
        return current ? current->event : NULL;
}

void task_suspend(void)
{
        fiber_yield();
}

void task_wake(struct task *t)
{
        if (t && !t->finished)
                (void)sd_event_source_set_enabled(t->wake, SD_EVENT_ONESHOT);
}

int task_join(struct task *t)
{
        if (!current)
                return -EDEADLK;
        if (t == current)
                return -EDEADLK;
        while (!t->finished) {
                t->joiner = current;
                task_suspend();
        }
        task_free(t);
        return 0;
}

static int on_task_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct task_timer *t = userdata;
        (void)s;
        (void)usec;
        t->elapsed = true;
        task_wake(t->task);
        return 0;
}

int task_timer_start(struct task_timer *t, uint64_t usec)
{
        if (!current)
                return -EDEADLK;
        *t = (struct task_timer){.task = current};
        return sd_event_add_time_relative(current->event, &t->source, CLOCK_BOOTTIME, usec, 0, on_task_timer,
                                          t);
}

void task_timer_stop(struct task_timer *t)
{
        t->source = sd_event_source_disable_unref(t->source);
}

int task_sleep(uint64_t usec)
{
        struct task_timer timer;
        int r;

        if (!current) {
                struct timespec ts = {.tv_sec = (time_t)(usec / 1000000ULL),
                                      .tv_nsec = (long)(usec % 1000000ULL) * 1000};
                while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                        ;
                return 0;
        }
        r = task_timer_start(&timer, usec);
        if (r < 0)
                return r;
        while (!timer.elapsed)
                task_suspend();
        task_timer_stop(&timer);
        return 0;
}

struct for_each {
        size_t n, next;
        void (*fn)(size_t i, void *userdata);
        void *userdata;
};

static void for_each_worker(void *userdata)
{
        struct for_each *w = userdata;
        while (w->next < w->n) {
                size_t i = w->next++;
                w->fn(i, w->userdata);
        }
}

void task_for_each(size_t n, unsigned width, void (*fn)(size_t i, void *userdata), void *userdata)
{
        struct for_each w = {.n = n, .fn = fn, .userdata = userdata};
        struct task *workers[TASK_FOR_EACH_MAX_WIDTH];
        size_t started = 0;

        if (width > TASK_FOR_EACH_MAX_WIDTH)
                width = TASK_FOR_EACH_MAX_WIDTH;
        /* The caller is one of the workers; a task that cannot be started only narrows the width. */
        for (size_t k = 1; current && k < width && k < n; k++) {
                if (task_spawn(current->event, for_each_worker, NULL, &w, &workers[started]) < 0)
                        break;
                started++;
        }
        for_each_worker(&w);
        for (size_t k = 0; k < started; k++)
                (void)task_join(workers[k]);
}
