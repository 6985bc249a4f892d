/* libcurl's multi interface driven by an sd-event loop: no thread, no blocking call, no polling.
 *
 * curl says which sockets it waits on (CURLMOPT_SOCKETFUNCTION): each becomes an sd-event io source,
 * changed or dropped as curl asks. curl says when it next needs to run (CURLMOPT_TIMERFUNCTION): that
 * is one one-shot CLOCK_BOOTTIME time source. Either event calls curl_multi_socket_action, and every
 * transfer that finished is handed to the completion callback given with it. The same design as
 * systemd's src/import/curl-util.c, with a callback per transfer instead of one per glue.
 *
 * The AWS layer (aws-call.c) runs its asynchronous calls on one of these; it knows nothing of AWS. */
#pragma once

#include <curl/curl.h>
#include <systemd/sd-event.h>

struct aws_multi;

/* `result` is the CURLcode of the finished transfer; the easy handle is already out of the multi and
 * belongs to the caller again. */
typedef void (*aws_multi_done_fn)(struct aws_multi *m, CURL *easy, int result, void *userdata);

/* A multi handle attached to `event` (a reference is taken). Returns 0 or a negative errno. */
int aws_multi_new(sd_event *event, struct aws_multi **ret);
struct aws_multi *aws_multi_ref(struct aws_multi *m);
/* Dropping the last reference removes every transfer still running, without calling them back. */
struct aws_multi *aws_multi_unref(struct aws_multi *m);
static inline void aws_multi_unrefp(struct aws_multi **m)
{
        if (*m)
                aws_multi_unref(*m);
}

/* Start a configured easy handle. `done` runs once, from the event loop, never from here. */
int aws_multi_add(struct aws_multi *m, CURL *easy, aws_multi_done_fn done, void *userdata);
/* Stop a transfer without calling it back; a connection in mid-transfer is closed, never reused.
 * Returns 0, or -ENOENT if `easy` is not running here. Never blocks. */
int aws_multi_remove(struct aws_multi *m, CURL *easy);
/* Transfers added and not yet finished or removed. */
unsigned aws_multi_running(const struct aws_multi *m);
sd_event *aws_multi_event(const struct aws_multi *m);
