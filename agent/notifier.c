/* SNS notifications of operator events (notifier.h): a bounded queue filled by the journal observer, drained
 * by a task on the agent's loop. */
#include "notifier.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <systemd/sd-event.h>

#include "agent-internal.h"
#include "aws-sns.h"
#include "config-validate.h"
#include "event-util.h"
#include "task.h"

struct notification {
        enum journal_event kind;
        char *subject;
        char *message; /* the event's line: message and every field */
        char *values[SNS_MAX_ATTRIBUTES];
};

static const char *const attribute_names[SNS_MAX_ATTRIBUTES] = {
    "AURORA_EVENT",  "AURORA_PRIORITY", "AURORA_POLICY", "AURORA_CLUSTER", "AURORA_SNAPSHOT",
    "AURORA_REGION", "AURORA_ACTION",   "AURORA_TARGET", "AWS_ERROR_CODE", "AWS_REQUEST_ID",
};

struct notifier {
        struct agent *agent;
        sd_event *event;
        sd_event_source *kick; /* defer: spawns the drain task from the loop, never from journal_event */
        struct notification queue[NOTIFIER_QUEUE_MAX];
        unsigned head, len;
        unsigned dropped; /* dropped since the last notifications-dropped event */
        bool job;         /* a job is held: from the first queued notification until the drain has ended */
        bool running;     /* the drain task exists */
};

bool notifier_wants(enum journal_event kind)
{
        if (kind == EVENT_NOTIFICATION_FAILED || kind == EVENT_NOTIFICATIONS_DROPPED)
                return false; /* about the notifications themselves: publishing them could loop */
        if (kind == EVENT_RESTORE_COMPLETED || kind == EVENT_RESTORE_FAILED)
                return true; /* every drill result, success too */
        int p = journal_event_priority(kind);
        return p >= 0 && p <= LOG_WARNING;
}

static void notification_done(struct notification *it)
{
        free(it->subject);
        free(it->message);
        for (size_t i = 0; i < ELEMENTSOF(it->values); i++)
                free(it->values[i]);
        *it = (struct notification){};
}

static const char *priority_word(int p)
{
        return p <= LOG_ERR ? "err" : p == LOG_WARNING ? "warning" : p == LOG_NOTICE ? "notice" : "info";
}

static int job_hold(struct notifier *n)
{
        if (!n->job) {
                n->job = true;
                agent_job_begin(n->agent);
        }
        if (!n->running)
                return sd_event_source_set_enabled(n->kick, SD_EVENT_ONESHOT);
        return 0;
}

static void job_release(struct notifier *n)
{
        if (!n->job)
                return;
        n->job = false;
        agent_job_end(n->agent); /* may end the loop (a stop, or --once) */
}

static void on_event(enum journal_event kind, int priority, const struct event_fields *f,
                     const char *message, void *userdata)
{
        struct notifier *n = userdata;
        struct notification it = {.kind = kind};
        const struct agent *a = n->agent;
        const char *who;

        if (!a->config || !a->config->agent.sns_topic || agent_dry_run(a) || !notifier_wants(kind))
                return;
        if (!f)
                f = &(const struct event_fields){};
        const char *values[SNS_MAX_ATTRIBUTES] = {
            journal_event_name(kind),
            priority_word(priority),
            f->policy,
            f->cluster,
            f->snapshot,
            f->region,
            f->action,
            f->target,
            f->error_code,
            f->request_id,
        };
        who = f->cluster ? f->cluster : f->policy ? f->policy : f->snapshot;
        if (journal_format_line(kind, f, message, &it.message) < 0 ||
            asprintf(&it.subject, "aurora-backup-agent %s%s%s", journal_event_name(kind), who ? ": " : "",
                     who ? who : "") < 0) {
                it.subject = NULL;
                notification_done(&it);
                return;
        }
        for (size_t i = 0; i < ELEMENTSOF(values); i++)
                if (values[i] && !(it.values[i] = strdup(values[i]))) {
                        notification_done(&it);
                        return;
                }

        if (n->len == NOTIFIER_QUEUE_MAX) {
                notification_done(&n->queue[n->head]);
                n->head = (n->head + 1) % NOTIFIER_QUEUE_MAX;
                n->len--;
                n->dropped++;
        }
        n->queue[(n->head + n->len) % NOTIFIER_QUEUE_MAX] = it;
        n->len++;
        (void)job_hold(n);
}

static bool pop(struct notifier *n, struct notification *ret)
{
        if (n->len == 0)
                return false;
        *ret = n->queue[n->head];
        n->queue[n->head] = (struct notification){};
        n->head = (n->head + 1) % NOTIFIER_QUEUE_MAX;
        n->len--;
        return true;
}

static void report_dropped(struct notifier *n, const char *why)
{
        char count[32];

        if (n->dropped == 0)
                return;
        snprintf(count, sizeof(count), "AURORA_DROPPED=%u", n->dropped);
        journal_event(
            EVENT_NOTIFICATIONS_DROPPED,
            &(struct event_fields){.target = n->agent->config ? n->agent->config->agent.sns_topic : NULL,
                                   .reason = why,
                                   .extra = (const char *const[]){count, NULL}},
            "%u notification(s) dropped unpublished: %s", n->dropped, why);
        n->dropped = 0;
}

static int publish(struct notifier *n, const struct notification *it)
{
        struct agent *a = n->agent;
        const char *topic = a->config ? a->config->agent.sns_topic : NULL;
        struct sns_attribute attrs[SNS_MAX_ATTRIBUTES];
        struct aws_client *c = NULL;
        struct aws_error e = {};
        char region[32], buf[512];
        int r;

        if (!topic || !sns_topic_arn_is_valid(topic, region))
                return 0; /* reloaded without a topic: nothing to do */
        for (size_t i = 0; i < ELEMENTSOF(attrs); i++)
                attrs[i] = (struct sns_attribute){attribute_names[i], it->values[i]};
        r = agent_client_get(a, region, NULL, &c, &e);
        if (r >= 0)
                r = sns_publish(c, topic, it->subject, it->message, attrs, ELEMENTSOF(attrs), NULL, &e);
        if (r >= 0)
                return 0;
        if (streq(e.code, "Cancelled"))
                return r; /* stopping: the drain says what it drops */
        struct event_fields f = {
            .region = region, .target = topic, .action = "publish", .reason = journal_event_name(it->kind)};
        f.error_code = e.code[0] ? e.code : NULL;
        f.request_id = e.request_id[0] ? e.request_id : NULL;
        journal_event(EVENT_NOTIFICATION_FAILED, &f, "Cannot publish the %s notification to %s: %s",
                      journal_event_name(it->kind), topic, aws_error_to_string(&e, buf, sizeof(buf)));
        return r;
}

static void drain(void *userdata)
{
        struct notifier *n = userdata;
        unsigned failures = 0;
        struct notification it;

        while (pop(n, &it)) {
                int r = publish(n, &it);
                notification_done(&it);
                failures = r < 0 ? failures + 1 : 0;
                if (failures >= NOTIFIER_MAX_FAILURES || agent_should_stop(n->agent)) {
                        while (pop(n, &it)) {
                                notification_done(&it);
                                n->dropped++;
                        }
                        report_dropped(n, failures >= NOTIFIER_MAX_FAILURES
                                              ? "SNS refused or could not be reached"
                                              : "the agent is stopping");
                        break;
                }
                report_dropped(n, "the queue was full");
        }
        report_dropped(n, "the queue was full");
}

static void drain_done(void *userdata)
{
        struct notifier *n = userdata;

        n->running = false;
        if (n->len > 0 && !agent_should_stop(n->agent) && job_hold(n) >= 0)
                return; /* queued while the last one was published: go on */
        job_release(n);
}

static int on_kick(sd_event_source *s, void *userdata)
{
        struct notifier *n = userdata;
        (void)s;
        if (n->running)
                return 0;
        if (n->len == 0 || task_spawn(n->event, drain, drain_done, n, NULL) < 0) {
                job_release(n); /* nothing to do, or no task: what is queued waits for the next event */
                return 0;
        }
        n->running = true;
        return 0;
}

int notifier_attach(struct agent *a, sd_event *event)
{
        struct notifier *n;
        int r;

        if (a->notifier)
                return -EBUSY;
        n = calloc(1, sizeof(*n));
        if (!n)
                return -ENOMEM;
        *n = (struct notifier){.agent = a, .event = sd_event_ref(event)};
        r = event_add_defer_full(event, &n->kick, on_kick, n, SD_EVENT_OFF, "notifier");
        if (r < 0) {
                sd_event_unref(n->event);
                free(n);
                return r;
        }
        a->notifier = n;
        journal_set_observer(on_event, n);
        return 0;
}

void notifier_detach(struct agent *a)
{
        struct notifier *n = a->notifier;
        struct notification it;

        if (!n)
                return;
        journal_set_observer(NULL, NULL);
        a->notifier = NULL;
        while (pop(n, &it))
                notification_done(&it);
        n->kick = sd_event_source_disable_unref(n->kick);
        if (n->job) {
                n->job = false;
                if (a->jobs > 0)
                        a->jobs--; /* the loop is gone: no on_jobs_done */
        }
        if (n->running)
                return; /* its task never resumes (the loop is gone); it keeps `n` */
        sd_event_unref(n->event);
        free(n);
}

unsigned notifier_pending(const struct agent *a)
{
        return a->notifier ? a->notifier->len : 0;
}
