/* Tasks: fibers (fiber.h) scheduled by the agent's sd-event loop. A task runs until it waits for
 * something (an AWS answer, a timer, a child process, another task), then the loop goes on serving the
 * watchdog, signals and other tasks; whatever it waited for wakes it through a one-shot defer source,
 * so a task is always resumed from the loop, never from inside another callback.
 *
 * Everything that waits has a blocking fallback outside a task (aurora-backupctl, which has no loop), so
 * the same cycle code runs in both. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-event.h>

struct task;
typedef void (*task_fn)(void *userdata);
/* Runs in the main context once the task has returned; the task is freed after it. */
typedef void (*task_done_fn)(void *userdata);

/* Starts fn(userdata) at the loop's next iteration. `done` (may be NULL) runs when it has returned.
 * With `ret`, the task is joinable (task_join() frees it); without, it frees itself. Returns 0 or a
 * negative errno. */
int task_spawn(sd_event *event, task_fn fn, task_done_fn done, void *userdata, struct task **ret);

/* The task running now, NULL outside a task. */
struct task *task_current(void);
/* The loop of the task running now, NULL outside a task. */
sd_event *task_event(void);

/* From a task: suspends it until task_wake() is called for it. Callers wait in a loop on their own
 * condition (`while (!done) task_suspend();`). */
void task_suspend(void);
/* Schedules `t` to resume at the loop's next iteration (from anywhere: a callback, another task). */
void task_wake(struct task *t);

/* From a task: waits until `t` has returned, then frees it. Returns 0, or -EDEADLK outside a task. */
int task_join(struct task *t);

/* A one-shot CLOCK_BOOTTIME timer of the task that starts it: when it elapses it sets `elapsed` and wakes
 * the task, which waits on that with whatever else it waits for (a child, an answer). */
struct task_timer {
        struct task *task;
        sd_event_source *source;
        bool elapsed;
};
/* From a task: starts `t`, `usec` from now. 0 or a negative errno. */
int task_timer_start(struct task_timer *t, uint64_t usec);
/* Stops `t` (started or not). */
void task_timer_stop(struct task_timer *t);

/* From a task: waits `usec` of CLOCK_BOOTTIME. Outside a task it sleeps (the blocking fallback). Returns 0
 * or a negative errno. */
int task_sleep(uint64_t usec);

#define TASK_FOR_EACH_MAX_WIDTH 64
/* Runs fn(i, userdata) for every i below n, at most `width` at once (the caller being one of them), each
 * of the others in a task of its own, and returns when all have returned. Outside a task, or with width
 * 1, one after another in the caller; a task that cannot be started only narrows the width. */
void task_for_each(size_t n, unsigned width, void (*fn)(size_t i, void *userdata), void *userdata);
