/* Fibers: a function run on its own stack that can suspend itself and be resumed later, on the one
 * thread the agent has. What lets the cycle read as straight code (observe, recover, plan, act, each
 * mutating call after its ledger intent) while every AWS call leaves the event loop free: a call
 * suspends its fiber, the loop runs, the answer resumes it. The same technique as QEMU's coroutines
 * (ucontext with a guard page, AddressSanitizer told of each switch).
 *
 * Rules. Only the main context resumes fibers and only a fiber yields; a fiber never resumes another.
 * Nothing here knows about the event loop: task.h builds on this. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Enough for libxml2, sqlite, journald and a credentials refresh (OpenSSL) on the stack; only the pages
 * touched cost memory. */
#define FIBER_STACK_SIZE (1024U * 1024U)

struct fiber;
typedef void (*fiber_fn)(void *userdata);

/* A fiber that will run fn(userdata) from its first fiber_resume(). Returns 0 or a negative errno. */
int fiber_new(fiber_fn fn, void *userdata, size_t stack_size, struct fiber **ret);
/* Frees a fiber that has finished or never started (a suspended one loses its stack: its cleanups never
 * run). Returns NULL. */
struct fiber *fiber_free(struct fiber *f);

/* From the main context: runs `f` until it yields or returns. Returns 0, -EBUSY when called from a fiber,
 * -ESRCH when `f` has finished. */
int fiber_resume(struct fiber *f);
/* From a fiber: back to whoever resumed it. */
void fiber_yield(void);
/* The fiber running now, NULL in the main context. */
struct fiber *fiber_current(void);
bool fiber_finished(const struct fiber *f);
