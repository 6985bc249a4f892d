/* Asynchronous AWS calls: the aws_send_* steps of aws-client.c run as a state machine on a curl multi
 * handle and sd-event timers, with a FIFO concurrency cap and an adaptive rate limiter per client. */
#include "aws-call.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "aws-client-internal.h"
#include "aws-http.h"
#include "aws-list.h"
#include "aws-rate.h"
#include "event-util.h"
#include "macro.h"

#define BACKOFF_ACCURACY_USEC 1000

enum call_state {
        CALL_QUEUED,    /* in a->queue: waiting for a slot and a token */
        CALL_IN_FLIGHT, /* in a->active: a transfer on the multi handle */
        CALL_BACKOFF,   /* in a->active: waiting for the retry timer */
        CALL_FAILED,    /* in a->failed: failed before a transfer started; calls back from on_kick */
        CALL_DONE,      /* called back (or orphaned by aws_client_free): in no list */
};

struct aws_call {
        unsigned n_ref;
        struct aws_async *owner; /* NULL once done */
        struct aws_call *prev, *next;
        enum call_state state;

        struct aws_request req; /* points into the copies below */
        char *method, *path, *query, *content_type, *target, *body, *region, *endpoint;
        struct aws_credentials credentials;

        bool begun;
        struct aws_send send;
        struct aws_http *http; /* this call's easy handle, reused by its retries */
        struct aws_http_transfer transfer;
        struct aws_response partial; /* the transfer fills it */
        struct aws_response answer;
        struct aws_error e;
        int result;
        bool outcome_unknown; /* an attempt may have reached AWS without our seeing the answer */
        sd_event_source *backoff;

        aws_response_cb cb;
        void *userdata;
        aws_body_sink sink;
        void *sink_userdata;
        char request_id[AWS_ERROR_REQUEST_ID_MAX];
};

/* A FIFO of calls (doubly linked, with a tail). */
struct call_list {
        struct aws_call *head, *tail;
        unsigned n;
};

struct aws_async {
        struct aws_client *client;
        struct aws_multi *multi;
        sd_event_source *kick;       /* defer: start what can start, call back one failure */
        sd_event_source *rate_timer; /* wakes the queue when the limiter will have a token */
        unsigned max_in_flight, n_in_flight;
        struct call_list queue, active, failed;
        struct aws_rate_limiter limiters[_AWS_SERVICE_MAX];
        struct aws_waiter waiter;
};

/* Links `call` in after `prev` (NULL: at the head). */
static void list_insert_after(struct call_list *l, struct aws_call *prev, struct aws_call *call)
{
        DLIST_INSERT_AFTER(l->head, l->tail, prev, call);
        l->n++;
}

static void list_remove(struct call_list *l, struct aws_call *call)
{
        DLIST_REMOVE(l->head, l->tail, call);
        l->n--;
}

static struct call_list *list_of(struct aws_async *a, struct aws_call *call)
{
        switch (call->state) {
        case CALL_QUEUED:
                return &a->queue;
        case CALL_IN_FLIGHT:
        case CALL_BACKOFF:
                return &a->active;
        case CALL_FAILED:
                return &a->failed;
        default:
                return NULL;
        }
}

static void call_move(struct aws_async *a, struct aws_call *call, enum call_state to, bool at_head)
{
        struct call_list *from = list_of(a, call), *dest;
        if (from)
                list_remove(from, call);
        call->state = to;
        dest = list_of(a, call);
        if (dest)
                list_insert_after(dest, at_head ? NULL : dest->tail, call);
}

static uint64_t now_usec(struct aws_async *a)
{
        uint64_t now = 0;
        (void)sd_event_now(aws_multi_event(a->multi), CLOCK_BOOTTIME, &now);
        return now;
}

static void kick(struct aws_async *a)
{
        (void)sd_event_source_set_enabled(a->kick, SD_EVENT_ONESHOT);
}

static char *dup_or_null(const char *s, bool *oom)
{
        char *d;
        if (!s)
                return NULL;
        d = strdup(s);
        if (!d)
                *oom = true;
        return d;
}

static void call_drop_request(struct aws_call *call)
{
        if (call->body) {
                OPENSSL_cleanse(call->body, call->req.body_len); /* may carry a token */
                call->body = mfree(call->body);
        }
        call->method = mfree(call->method);
        call->path = mfree(call->path);
        call->query = mfree(call->query);
        call->content_type = mfree(call->content_type);
        call->target = mfree(call->target);
        call->region = mfree(call->region);
        call->endpoint = mfree(call->endpoint);
        aws_credentials_done(&call->credentials);
}

static int call_copy_request(struct aws_call *call, const struct aws_request *req)
{
        bool oom = false;

        call->req = *req;
        call->req.method = call->method = dup_or_null(req->method, &oom);
        call->req.path = call->path = dup_or_null(req->path, &oom);
        call->req.query = call->query = dup_or_null(req->query, &oom);
        call->req.content_type = call->content_type = dup_or_null(req->content_type, &oom);
        call->req.target = call->target = dup_or_null(req->target, &oom);
        call->req.region = call->region = dup_or_null(req->region, &oom);
        call->req.endpoint = call->endpoint = dup_or_null(req->endpoint, &oom);
        if (req->body) {
                /* One byte more: curl's POSTFIELDS is read by length, but keep it a string. */
                call->body = malloc(req->body_len + 1);
                if (call->body) {
                        memcpy(call->body, req->body, req->body_len);
                        call->body[req->body_len] = '\0';
                } else
                        oom = true;
        }
        call->req.body = call->body;
        if (req->signing == AWS_SIGN_EXPLICIT && req->credentials) {
                if (aws_credentials_copy(req->credentials, &call->credentials) < 0)
                        oom = true;
                call->req.credentials = &call->credentials;
        }
        return oom ? -ENOMEM : 0;
}

/* Release what the call holds while it runs; the copies of the request go too. */
static void call_release(struct aws_async *a, struct aws_call *call)
{
        if (call->state == CALL_IN_FLIGHT) {
                (void)aws_multi_remove(a->multi, aws_http_easy(call->http));
                a->n_in_flight--;
                kick(a); /* a slot is free */
        }
        aws_http_transfer_done(&call->transfer);
        aws_response_done(&call->partial);
        call->backoff = sd_event_source_disable_unref(call->backoff);
        call->http = aws_http_free(call->http);
        if (call->begun) {
                aws_send_end(a->client, &call->send, call->result, &call->e);
                call->begun = false;
        }
        call_drop_request(call);
}

/* The end of a call: out of every list, then its callback, then the owner's reference goes. Called
 * last by whoever calls it: the callback may free anything, the client included. */
static void call_complete(struct aws_async *a, struct aws_call *call, int r)
{
        call->result = r;
        if (r >= 0)
                snprintf(call->request_id, sizeof(call->request_id), "%s",
                         aws_client_last_request_id(a->client));
        call_release(a, call);
        call_move(a, call, CALL_DONE, false);
        call->owner = NULL;
        if (r >= 0)
                aws_error_clear(&call->e);
        call->cb(call, r, r >= 0 ? &call->answer : NULL, &call->e, call->userdata);
        aws_response_done(&call->answer);
        aws_call_unref(call);
}

static void on_transfer_done(struct aws_multi *m, CURL *easy, int result, void *userdata);

/* Sign and start the next attempt. On failure the call's error is set and it is left to the caller. */
static int call_start(struct aws_async *a, struct aws_call *call)
{
        struct aws_client *c = a->client;
        const struct aws_client_options *co = aws_client_options(c);
        struct aws_attempt at = {};
        int r;

        if (!call->begun) {
                call->begun = true;
                r = aws_send_begin(c, &call->req, &call->send, &call->e);
                call->send.bounded_refresh = true;
                if (r < 0)
                        return r;
        }
        r = aws_send_prepare(c, &call->send, &at, &call->e);
        if (r < 0)
                return r;
        if (!call->http) {
                struct aws_http_options ho = {
                    .ca_bundle = co->ca_bundle,
                    .connect_timeout_ms = co->connect_timeout_ms,
                    .total_timeout_ms = co->total_timeout_ms,
                };
                r = aws_http_new(&ho, &call->http);
                if (r < 0) {
                        aws_attempt_done(&at);
                        return aws_error_set(&call->e, r, AWS_ERROR_TRANSPORT, "OutOfMemory",
                                             "could not create a transfer");
                }
        }
        aws_response_done(&call->partial);
        call->transfer = (struct aws_http_transfer){
            .resp = &call->partial,
            .sink = call->sink,
            .sink_userdata = call->sink_userdata,
        };
        /* curl copies the URL and the header lines; the body stays ours until the transfer ends. */
        r = aws_http_transfer_setup(call->http, &call->transfer, call->req.method, at.url, at.headers,
                                    call->req.body, call->req.body_len, &call->e);
        aws_attempt_done(&at);
        if (r < 0)
                return r;
        r = aws_multi_add(a->multi, aws_http_easy(call->http), on_transfer_done, call);
        if (r < 0) {
                aws_http_transfer_done(&call->transfer);
                return aws_error_set(&call->e, r, AWS_ERROR_TRANSPORT, "ConnectionError",
                                     "could not start the transfer");
        }
        call->outcome_unknown = true; /* until an answer says otherwise */
        a->n_in_flight++;
        call_move(a, call, CALL_IN_FLIGHT, false);
        return 0;
}

/* Start queued calls while slots are free, in FIFO order per service: a call whose service has no
 * token waits, and the timer comes back when one is due. Calls nobody back: failures go to a->failed. */
static void start_queued(struct aws_async *a)
{
        uint64_t now = now_usec(a), wait_min = UINT64_MAX;
        unsigned blocked = 0; /* services without a token now */
        struct aws_call *call = a->queue.head;

        while (call && a->n_in_flight < a->max_in_flight) {
                struct aws_call *next = call->next;
                unsigned bit = 1u << call->req.service;
                if (blocked & bit) {
                        call = next;
                        continue;
                }
                uint64_t wait = aws_rate_acquire(&a->limiters[call->req.service], now);
                if (wait > 0) {
                        blocked |= bit;
                        wait_min = MIN(wait_min, wait);
                        call = next;
                        continue;
                }
                int r = call_start(a, call);
                if (r < 0) {
                        call->result = r;
                        call_move(a, call, CALL_FAILED, false);
                        kick(a);
                }
                call = next; /* nothing above calls back, so `next` is still queued */
        }
        if (wait_min == UINT64_MAX)
                return;
        if (sd_event_source_set_time(a->rate_timer, now + wait_min) >= 0)
                (void)sd_event_source_set_enabled(a->rate_timer, SD_EVENT_ONESHOT);
}

static int on_kick(sd_event_source *s, void *userdata)
{
        struct aws_async *a = userdata;

        start_queued(a);
        if (a->failed.head) {
                struct aws_call *call = a->failed.head;
                if (a->failed.n > 1 || a->queue.head)
                        kick(a); /* the rest on the next iteration: one callback per dispatch */
                call_complete(a, call, call->result);
        }
        return 0;
}

static int on_rate_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
        kick(userdata);
        return 0;
}

static int on_backoff(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct aws_call *call = userdata;
        struct aws_async *a = call->owner;

        call->backoff = sd_event_source_disable_unref(call->backoff);
        call_move(a, call, CALL_QUEUED, true); /* admitted already: back to the front */
        kick(a);
        return 0;
}

static void on_transfer_done(struct aws_multi *m, CURL *easy, int result, void *userdata)
{
        struct aws_call *call = userdata;
        struct aws_async *a = call->owner;
        struct aws_response resp = {};
        uint64_t delay_ms = 0;
        int r;

        a->n_in_flight--;
        kick(a);                    /* a slot is free */
        call->state = CALL_BACKOFF; /* still in a->active; not on the multi handle any more */
        r = aws_http_transfer_finish(&call->transfer, result, &resp, &call->e);
        size_t sunk = call->transfer.sunk;
        aws_http_transfer_done(&call->transfer);
        bool answered = r >= 0;
        call->outcome_unknown = !answered && aws_error_outcome_unknown(&call->e);

        r = aws_send_judge(a->client, &call->send, r, &resp, &call->answer, &call->e, &delay_ms);
        if (answered) {
                /* AWS answered: throttled or not, that steers the rate (e is clear after a success). */
                struct aws_rate_limiter *l = &a->limiters[call->req.service];
                if (call->e.throttling)
                        aws_rate_on_throttle(l, now_usec(a));
                else
                        aws_rate_on_success(l, now_usec(a));
        }
        if (r == AWS_SEND_RETRY || r == AWS_SEND_BACKOFF) {
                if (sunk > 0 && call->sink)
                        (void)call->sink(NULL, 0, call->sink_userdata); /* the retry starts over */
                if (r == AWS_SEND_RETRY || delay_ms == 0) {
                        call_move(a, call, CALL_QUEUED, true);
                        return;
                }
                r = sd_event_add_time_relative(aws_multi_event(a->multi), &call->backoff, CLOCK_BOOTTIME,
                                               delay_ms * 1000, BACKOFF_ACCURACY_USEC, on_backoff, call);
                if (r >= 0)
                        return;
                r = aws_error_set(&call->e, r, AWS_ERROR_TRANSPORT, "OutOfMemory",
                                  "could not arm the backoff");
        }
        call_complete(a, call, r);
}

int aws_client_attach_multi(struct aws_client *c, struct aws_multi *m, const struct aws_async_options *o)
{
        struct aws_async *a;
        int r;

        if (!c || !m)
                return -EINVAL;
        if (aws_client_async(c))
                return -EBUSY;
        a = calloc(1, sizeof(*a));
        if (!a)
                return -ENOMEM;
        a->client = c;
        a->multi = aws_multi_ref(m);
        a->max_in_flight = o && o->max_in_flight ? MIN(o->max_in_flight, AWS_ASYNC_MAX_IN_FLIGHT)
                                                 : AWS_ASYNC_DEFAULT_MAX_IN_FLIGHT;
        r = event_add_defer_full(aws_multi_event(m), &a->kick, on_kick, a, SD_EVENT_OFF, "aws-call-kick");
        if (r >= 0)
                r = sd_event_add_time(aws_multi_event(m), &a->rate_timer, CLOCK_BOOTTIME, 0,
                                      BACKOFF_ACCURACY_USEC, on_rate_timer, a);
        if (r >= 0)
                r = sd_event_source_set_enabled(a->rate_timer, SD_EVENT_OFF);
        if (r < 0) {
                aws_async_free(a);
                return r;
        }
        (void)sd_event_source_set_description(a->rate_timer, "aws-call-rate");
        uint64_t now = now_usec(a);
        for (size_t i = 0; i < _AWS_SERVICE_MAX; i++)
                aws_rate_init(&a->limiters[i], o ? o->max_rate : 0, o ? o->min_rate : 0, o ? o->burst : 0,
                              now);
        if (o && o->waiter)
                a->waiter = *o->waiter;
        aws_client_set_async(c, a);
        return 0;
}

void aws_async_free(struct aws_async *a)
{
        struct call_list *lists[3];

        if (!a)
                return;
        lists[0] = &a->queue;
        lists[1] = &a->active;
        lists[2] = &a->failed;
        /* Orphan what is pending, without callbacks: their owners are going away with the client. */
        for (size_t i = 0; i < ELEMENTSOF(lists); i++)
                while (lists[i]->head) {
                        struct aws_call *call = lists[i]->head;
                        call->result = -ECANCELED;
                        call_release(a, call);
                        call_move(a, call, CALL_DONE, false);
                        call->owner = NULL;
                        aws_call_unref(call);
                }
        sd_event_source_disable_unref(a->kick);
        sd_event_source_disable_unref(a->rate_timer);
        aws_multi_unref(a->multi);
        free(a);
}

int aws_client_send_async(struct aws_client *c, const struct aws_request *req,
                          const struct aws_call_options *o, aws_response_cb cb, void *userdata,
                          struct aws_call **ret)
{
        struct aws_async *a = c ? aws_client_async(c) : NULL;
        struct aws_call *call;
        int r;

        if (!c || !req || !req->method || !cb)
                return -EINVAL;
        if (!a)
                return -ENXIO;
        if ((unsigned)req->service >= _AWS_SERVICE_MAX)
                return -EINVAL;
        call = calloc(1, sizeof(*call));
        if (!call)
                return -ENOMEM;
        call->n_ref = 1; /* the owner's, until it calls back */
        r = call_copy_request(call, req);
        if (r < 0) {
                call_drop_request(call);
                free(call);
                return r;
        }
        call->cb = cb;
        call->userdata = userdata;
        if (o) {
                call->sink = o->sink;
                call->sink_userdata = o->sink_userdata;
        }
        call->owner = a;
        call->state = CALL_DONE; /* in no list yet */
        call_move(a, call, CALL_QUEUED, false);
        kick(a);
        if (ret)
                *ret = aws_call_ref(call);
        return 0;
}

int aws_call_cancel(struct aws_call *call)
{
        struct aws_async *a = call ? call->owner : NULL;

        if (!a)
                return 0;
        /* In flight: the request may have reached AWS. Otherwise it depends on the last attempt. */
        bool unknown = call->state == CALL_IN_FLIGHT || call->outcome_unknown;
        if (unknown)
                aws_error_set(&call->e, -ECANCELED, AWS_ERROR_TRANSPORT, "Cancelled",
                              "cancelled in flight: AWS may or may not have acted on the request");
        else
                aws_error_set(&call->e, -ECANCELED, AWS_ERROR_REFUSED, "Cancelled",
                              "cancelled before the request was sent");
        call->e.retryable = false;
        call_complete(a, call, -ECANCELED);
        return 1;
}

unsigned aws_client_cancel_all(struct aws_client *c)
{
        struct aws_async *a = c ? aws_client_async(c) : NULL;
        unsigned n = 0;

        /* Each callback may cancel others: take the first pending call again every time. */
        while (a && (a->active.head || a->queue.head || a->failed.head)) {
                struct aws_call *call = a->active.head ?: a->queue.head ?: a->failed.head;
                n += (unsigned)aws_call_cancel(call);
        }
        return n;
}

unsigned aws_client_cancel_waiting(struct aws_client *c)
{
        struct aws_async *a = c ? aws_client_async(c) : NULL;
        unsigned n = 0;

        for (bool again = true; a && again;) {
                again = false;
                struct aws_call *call = a->queue.head ?: a->failed.head;
                for (struct aws_call *x = a->active.head; !call && x; x = x->next)
                        if (x->state == CALL_BACKOFF)
                                call = x;
                if (call) {
                        n += (unsigned)aws_call_cancel(call);
                        again = true;
                }
        }
        return n;
}

/* The last reference goes only after the owner's, so the call is done and holds nothing else. */
static void call_free(struct aws_call *call)
{
        aws_response_done(&call->answer);
        call_drop_request(call);
        free(call);
}

DEFINE_TRIVIAL_REF_UNREF_FUNC(struct aws_call, aws_call, call_free);

bool aws_call_is_done(const struct aws_call *call)
{
        return call->state == CALL_DONE;
}

const char *aws_call_request_id(const struct aws_call *call)
{
        return call->request_id;
}

int aws_client_async_stats(const struct aws_client *c, struct aws_async_stats *ret)
{
        struct aws_async *a = aws_client_async(c);
        struct aws_async_stats st = {};

        if (!a)
                return -ENXIO;
        st.queued = a->queue.n;
        st.in_flight = a->n_in_flight;
        for (struct aws_call *call = a->active.head; call; call = call->next)
                if (call->state == CALL_BACKOFF)
                        st.backoff++;
        for (size_t i = 0; i < _AWS_SERVICE_MAX; i++) {
                st.rate[i] = a->limiters[i].rate;
                st.throttles[i] = a->limiters[i].throttles;
        }
        *ret = st;
        return 0;
}

/* ---- aws_client_send() in a suspendable context ---- */

struct suspended_send {
        const struct aws_waiter *waiter;
        void *context;
        bool done;
        int result;
        struct aws_response *ret;
        struct aws_error *e;
};

static void on_suspended_answer(struct aws_call *call, int r, struct aws_response *resp,
                                const struct aws_error *e, void *userdata)
{
        struct suspended_send *w = userdata;

        (void)call;
        w->result = r;
        if (r >= 0) {
                *w->ret = *resp;
                *resp = (struct aws_response){};
        } else
                *w->e = *e;
        w->done = true;
        w->waiter->wake(w->context);
}

int aws_async_send_suspending(struct aws_client *c, const struct aws_request *req, struct aws_response *ret,
                              struct aws_error *e)
{
        struct aws_async *a = aws_client_async(c);
        struct suspended_send w = {.ret = ret, .e = e, .waiter = a ? &a->waiter : NULL};
        _cleanup_(aws_call_unrefp) struct aws_call *call = NULL;
        int r;

        if (!a || !a->waiter.current || !(w.context = a->waiter.current(a->waiter.userdata)))
                return AWS_SEND_BLOCKING;
        r = aws_client_send_async(c, req, NULL, on_suspended_answer, &w, &call);
        if (r < 0)
                return aws_error_set(e, r, AWS_ERROR_INVALID, "NotSent", "the call could not be queued");
        while (!w.done)
                a->waiter.suspend(w.context);
        /* Other calls of this client may have answered meanwhile: the caller reads this call's id. */
        aws_client_set_last_request_id(c, w.result >= 0 ? call->request_id : "");
        return w.result;
}
