/* Notifications: events of priority warning or worse, and every restore drill result, published to the
 * SNS topic agent.sns_topic. journal_event() only queues them (bounded, in memory: the oldest are dropped
 * and counted); a task on the agent's loop publishes them, so neither the loop nor the code that emits an
 * event ever waits for SNS. A failed Publish is an event of its own (notification-failed), never
 * published. Nothing is queued in dry-run or when no topic is set. */
#pragma once

#include <stdbool.h>

#include "journal.h"

struct agent;
typedef struct sd_event sd_event;

#define NOTIFIER_QUEUE_MAX 64
/* Consecutive failed publishes after which the rest of the queue is dropped (SNS is down or the topic
 * refuses us: do not hold a stop or a --once run for every queued one). */
#define NOTIFIER_MAX_FAILURES 3

/* Whether an event of this kind is published. Pure. */
bool notifier_wants(enum journal_event kind);

/* Starts queueing events for `a` and publishing them from tasks on `event`. A publish in flight counts as
 * an agent job (agent_job_begin): a reload waits for it, a stop gives it the grace. Returns 0 or a negative
 * errno. */
int notifier_attach(struct agent *a, sd_event *event);
/* Stops queueing; what is still queued is dropped. */
void notifier_detach(struct agent *a);
/* Notifications queued and not yet published (for tests and --once). */
unsigned notifier_pending(const struct agent *a);
