/* Asynchronous AWS calls on the agent's one sd-event loop.
 *
 * What it does. aws_client_send_async() is aws_client_send() without the waiting: the same endpoint
 * resolution, SigV4 signing, headers, 16 MiB body cap, error parsing (aws_error_parse_xml/json) and
 * "standard" retries (attempts, full-jitter backoff paid from the retry quota, one re-signed retry
 * after a clock skew), built from the same steps (aws_send_* in aws-internal.h). The transfer runs on
 * a curl multi handle driven by sd-event (aws-multi.h); the backoff is a CLOCK_BOOTTIME timer; the
 * answer arrives through a callback. Nothing here sleeps or waits on a socket, with one exception:
 * when the client's credentials must be refreshed over the network (STS, container or instance
 * metadata), the refresh is synchronous but bounded (STS: one attempt, 2 s connect, 4 s in all;
 * metadata: 1 s connect, 2 s in all, as today), about once an hour; see README.md.
 *
 * On top of that, per client (that is, per region):
 * - a concurrency cap: at most max_in_flight transfers at once, the rest wait in FIFO order (a retry
 *   goes back to the front, since it was admitted already);
 * - a rate limiter per service in the spirit of the SDKs' adaptive retry mode (aws-rate.h): every
 *   attempt takes a token; a throttling answer lowers the rate, other answers raise it back;
 * - cancellation that never blocks (SIGTERM): the transfer is removed from the multi handle (its
 *   connection is closed), and the callback runs at once with -ECANCELED and code "Cancelled": kind
 *   TRANSPORT when the request may have reached AWS (aws_error_outcome_unknown() is then true, and the
 *   ledger's recovery settles it), kind REFUSED when it never left;
 * - optional streaming: a 2xx body can go to a sink chunk by chunk as it arrives (a page parser), still
 *   under the 16 MiB cap; when an attempt that fed the sink is retried, the sink first receives
 *   (NULL, 0), meaning "start over".
 *
 * How the agent uses it. One aws_multi per sd_event; each client is attached to it once, with a waiter
 * (struct aws_waiter below): the cycle runs in a task (agent/task.h), and its aws_client_send() calls
 * become an asynchronous call plus "suspend the task until the answer". Regions are observed by tasks
 * of their own, actions of different clusters run a few at a time. The loop keeps serving the
 * watchdog, SIGHUP and SIGTERM meanwhile; on SIGTERM, after a grace period, the loop calls
 * aws_client_cancel_all() and the cycle records every TRANSPORT/"Cancelled" answer as outcome unknown.
 *
 * Rules. Callbacks run from the event loop, never from inside aws_client_send_async(); the one
 * exception is aws_call_cancel()/aws_client_cancel_all(), which call back before they return. A client
 * must not be freed from a callback that aws_client_cancel_all() runs, and a sink must not cancel (curl
 * cannot drop a transfer from inside its own write callback: return an error instead). Freeing a
 * client drops its pending calls without calling them back (cancel first to get the callbacks). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "aws-client.h"
#include "aws-multi.h"

#define AWS_ASYNC_DEFAULT_MAX_IN_FLIGHT 4
#define AWS_ASYNC_MAX_IN_FLIGHT 64

/* How aws_client_send() waits without blocking: when `current` names a context that can be suspended (a
 * task of the agent's loop), the call is sent with aws_client_send_async() and `suspend` is called until
 * the answer has come (the answer's callback calls `wake`). Outside such a context (`current` returns
 * NULL), aws_client_send() blocks as it always did. The AWS layer knows nothing more of the contexts. */
struct aws_waiter {
        void *(*current)(void *userdata);
        void (*suspend)(void *context);
        void (*wake)(void *context);
        void *userdata;
};

struct aws_async_options {
        unsigned max_in_flight; /* 0: AWS_ASYNC_DEFAULT_MAX_IN_FLIGHT; at most AWS_ASYNC_MAX_IN_FLIGHT */
        const struct aws_waiter *waiter; /* copied; NULL: aws_client_send() always blocks */
        double max_rate;                 /* requests per second per service; 0: AWS_RATE_DEFAULT_MAX */
        double min_rate; /* the floor throttling can push the rate to; 0: AWS_RATE_DEFAULT_MIN */
        double burst;    /* the largest burst at max_rate; 0: AWS_RATE_DEFAULT_BURST */
};

/* Run this client's asynchronous calls on `m` (a reference is taken). Once per client; a client made by
 * aws_client_new_for_region() is attached on its own. Returns 0, -EBUSY if attached already. */
int aws_client_attach_multi(struct aws_client *c, struct aws_multi *m, const struct aws_async_options *o);

struct aws_call;

/* r == 0: `resp` holds the status, headers and body (empty when streamed). The callback may keep the
 * response by moving it out (*mine = *resp; *resp = (struct aws_response){}); otherwise it is freed
 * when the callback returns. r < 0: `resp` is NULL and `e` says what failed (e is cleared on success). */
typedef void (*aws_response_cb)(struct aws_call *call, int r, struct aws_response *resp,
                                const struct aws_error *e, void *userdata);
/* A chunk of a 2xx body; (NULL, 0) means "a retry starts over: forget what you got". A negative return
 * aborts the call with that errno (kind PARSE, code "BodySinkFailed", not retried). */
typedef int (*aws_body_sink)(const void *data, size_t len, void *userdata);

struct aws_call_options {
        aws_body_sink sink; /* NULL: the body is collected into resp->body */
        void *sink_userdata;
};

/* Queue one call. `req` is copied (strings, body, explicit credentials): it need not outlive this.
 * `o` may be NULL. With `ret`, the caller gets a reference to the call (aws_call_unref when done with
 * it; dropping it does not cancel). Returns 0, or a negative errno without calling back: -ENXIO if the
 * client is not attached, -EINVAL, -ENOMEM. Every other failure arrives through `cb`. */
int aws_client_send_async(struct aws_client *c, const struct aws_request *req,
                          const struct aws_call_options *o, aws_response_cb cb, void *userdata,
                          struct aws_call **ret);

/* Cancel a call that has not called back yet: it calls back before this returns, with -ECANCELED.
 * Returns 1 if it was cancelled, 0 if it had finished already. Never blocks. */
int aws_call_cancel(struct aws_call *call);
/* Cancel every pending call of the client (SIGTERM). Returns how many were cancelled. */
unsigned aws_client_cancel_all(struct aws_client *c);
/* Cancel the calls that are not on the wire: queued for a slot or a token, or waiting to retry (the start
 * of a stop: what is in flight may still answer). Returns how many were cancelled. */
unsigned aws_client_cancel_waiting(struct aws_client *c);

struct aws_call *aws_call_ref(struct aws_call *call);
struct aws_call *aws_call_unref(struct aws_call *call);
static inline void aws_call_unrefp(struct aws_call **call)
{
        if (*call)
                aws_call_unref(*call);
}
bool aws_call_is_done(const struct aws_call *call);
/* The AWS request id of the answer, for the ledger ("" until a 2xx answer arrived). */
const char *aws_call_request_id(const struct aws_call *call);

struct aws_async_stats {
        unsigned queued;               /* waiting for a slot or a token */
        unsigned in_flight;            /* transfers running */
        unsigned backoff;              /* waiting for a retry timer */
        double rate[_AWS_SERVICE_MAX]; /* the rate limiter's current rate, requests per second */
        unsigned throttles[_AWS_SERVICE_MAX];
};
/* Returns 0, or -ENXIO if the client is not attached. */
int aws_client_async_stats(const struct aws_client *c, struct aws_async_stats *ret);
