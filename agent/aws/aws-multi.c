/* A curl multi handle driven by sd-event: socket callback -> io sources, timer callback -> one one-shot
 * time source, finished transfers -> their own completion callbacks. */
#include "aws-multi.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/epoll.h>

#include "aws-list.h"
#include "macro.h"

/* curl asks for "now" (0 ms) often: a coarse accuracy would add up to sd-event's default 250 ms each. */
#define TIMER_ACCURACY_USEC 1000

struct multi_transfer {
        struct multi_transfer *prev, *next;
        CURL *easy;
        aws_multi_done_fn done;
        void *userdata;
};

/* One socket curl waits on; curl_multi_assign() ties it to the socket. */
struct multi_socket {
        struct multi_socket *prev, *next;
        struct aws_multi *multi;
        sd_event_source *io;
};

struct aws_multi {
        unsigned n_ref;
        sd_event *event;
        CURLM *curl;
        sd_event_source *timer;
        struct multi_transfer *transfers;
        unsigned n_running;
        struct multi_socket *sockets;
};

static void socket_free(struct aws_multi *m, struct multi_socket *s)
{
        LIST_UNLINK(m->sockets, s);
        sd_event_source_disable_unref(s->io);
        free(s);
}

/* Hand every finished transfer to its owner. A callback may add or remove transfers, or drop the
 * caller's last reference to `m`: the event handlers hold one of their own meanwhile. */
static void dispatch_finished(struct aws_multi *m)
{
        CURLMsg *msg;
        int left;

        while ((msg = curl_multi_info_read(m->curl, &left))) {
                if (msg->msg != CURLMSG_DONE)
                        continue;
                CURL *easy = msg->easy_handle; /* msg dies with the removal below */
                CURLcode result = msg->data.result;
                char *private = NULL;
                if (curl_easy_getinfo(easy, CURLINFO_PRIVATE, &private) != CURLE_OK || !private)
                        continue;
                struct multi_transfer *t = (struct multi_transfer *)(void *)private;
                (void)curl_multi_remove_handle(m->curl, easy);
                LIST_UNLINK(m->transfers, t);
                m->n_running--;
                aws_multi_done_fn done = t->done;
                void *userdata = t->userdata;
                free(t);
                done(m, easy, (int)result, userdata);
        }
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        struct multi_socket *ms = userdata;
        struct aws_multi *m = aws_multi_ref(ms->multi); /* ms may be freed by curl below */
        int action = 0, running = 0;

        if (revents & (EPOLLIN | EPOLLHUP))
                action |= CURL_CSELECT_IN;
        if (revents & EPOLLOUT)
                action |= CURL_CSELECT_OUT;
        if (revents & EPOLLERR)
                action |= CURL_CSELECT_ERR;
        /* A failure here is the multi handle's own (out of memory): its transfers report it. */
        (void)curl_multi_socket_action(m->curl, fd, action, &running);
        dispatch_finished(m);
        aws_multi_unref(m);
        return 0;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct aws_multi *m = aws_multi_ref(userdata);
        int running = 0;

        (void)curl_multi_socket_action(m->curl, CURL_SOCKET_TIMEOUT, 0, &running);
        dispatch_finished(m);
        aws_multi_unref(m);
        return 0;
}

/* CURLMOPT_SOCKETFUNCTION: curl may not be called back into from here, only told -1 on failure (it
 * then fails the transfers on that socket). */
static int socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
        struct aws_multi *m = userp;
        struct multi_socket *ms = socketp;
        uint32_t events = 0;
        int r;

        if (what == CURL_POLL_REMOVE) {
                if (ms) {
                        (void)curl_multi_assign(m->curl, fd, NULL);
                        socket_free(m, ms);
                }
                return 0;
        }
        if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
                events |= EPOLLIN;
        if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
                events |= EPOLLOUT;
        if (ms) {
                r = sd_event_source_set_io_events(ms->io, events);
                if (r >= 0)
                        r = sd_event_source_set_enabled(ms->io, events ? SD_EVENT_ON : SD_EVENT_OFF);
                return r < 0 ? -1 : 0;
        }
        ms = calloc(1, sizeof(*ms));
        if (!ms)
                return -1;
        ms->multi = m;
        r = sd_event_add_io(m->event, &ms->io, fd, events, on_io, ms);
        if (r < 0) {
                free(ms);
                return -1;
        }
        (void)sd_event_source_set_description(ms->io, "aws-multi-socket");
        LIST_PREPEND(m->sockets, ms);
        if (curl_multi_assign(m->curl, fd, ms) != CURLM_OK) {
                socket_free(m, ms);
                return -1;
        }
        return 0;
}

/* CURLMOPT_TIMERFUNCTION: -1 disarms, otherwise (re)arm the one timer. */
static int timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
        struct aws_multi *m = userp;
        uint64_t now;
        int r;

        if (timeout_ms < 0)
                return m->timer && sd_event_source_set_enabled(m->timer, SD_EVENT_OFF) < 0 ? -1 : 0;
        r = sd_event_now(m->event, CLOCK_BOOTTIME, &now);
        if (r < 0)
                return -1;
        uint64_t when = now + (uint64_t)timeout_ms * 1000;
        if (!m->timer) {
                r = sd_event_add_time(m->event, &m->timer, CLOCK_BOOTTIME, when, TIMER_ACCURACY_USEC,
                                      on_timer, m);
                if (r < 0)
                        return -1;
                (void)sd_event_source_set_description(m->timer, "aws-multi-timer");
                return 0;
        }
        r = sd_event_source_set_time(m->timer, when);
        if (r >= 0)
                r = sd_event_source_set_enabled(m->timer, SD_EVENT_ONESHOT);
        return r < 0 ? -1 : 0;
}

static int map_curlm(CURLMcode mc)
{
        switch (mc) {
        case CURLM_OK:
                return 0;
        case CURLM_OUT_OF_MEMORY:
                return -ENOMEM;
        case CURLM_ADDED_ALREADY:
                return -EBUSY;
        default:
                return -EIO;
        }
}

int aws_multi_new(sd_event *event, struct aws_multi **ret)
{
        struct aws_multi *m;

        if (!event || !ret)
                return -EINVAL;
        if (curl_global_init(CURL_GLOBAL_DEFAULT) !=
            CURLE_OK) /* refcounted by curl; cheap after the first */
                return -EIO;
        m = calloc(1, sizeof(*m));
        if (!m) {
                curl_global_cleanup();
                return -ENOMEM;
        }
        m->n_ref = 1;
        m->event = sd_event_ref(event);
        m->curl = curl_multi_init();
        if (!m->curl || curl_multi_setopt(m->curl, CURLMOPT_SOCKETFUNCTION, socket_cb) != CURLM_OK ||
            curl_multi_setopt(m->curl, CURLMOPT_SOCKETDATA, m) != CURLM_OK ||
            curl_multi_setopt(m->curl, CURLMOPT_TIMERFUNCTION, timer_cb) != CURLM_OK ||
            curl_multi_setopt(m->curl, CURLMOPT_TIMERDATA, m) != CURLM_OK) {
                aws_multi_unref(m);
                return -ENOMEM;
        }
        *ret = m;
        return 0;
}

static void multi_free(struct aws_multi *m)
{
        while (m->transfers) {
                struct multi_transfer *t = m->transfers;
                (void)curl_multi_remove_handle(m->curl, t->easy);
                LIST_UNLINK(m->transfers, t);
                free(t);
        }
        /* curl may still call socket_cb and timer_cb while it closes its cached connections. */
        if (m->curl)
                curl_multi_cleanup(m->curl);
        while (m->sockets)
                socket_free(m, m->sockets);
        sd_event_source_disable_unref(m->timer);
        sd_event_unref(m->event);
        free(m);
        curl_global_cleanup();
}

DEFINE_TRIVIAL_REF_UNREF_FUNC(struct aws_multi, aws_multi, multi_free);

int aws_multi_add(struct aws_multi *m, CURL *easy, aws_multi_done_fn done, void *userdata)
{
        struct multi_transfer *t;
        int r;

        if (!m || !easy || !done)
                return -EINVAL;
        t = calloc(1, sizeof(*t));
        if (!t)
                return -ENOMEM;
        *t = (struct multi_transfer){.easy = easy, .done = done, .userdata = userdata};
        curl_easy_setopt(easy, CURLOPT_PRIVATE, t);
        r = map_curlm(curl_multi_add_handle(m->curl, easy));
        if (r < 0) {
                curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
                free(t);
                return r;
        }
        LIST_PREPEND(m->transfers, t);
        m->n_running++;
        return 0;
}

int aws_multi_remove(struct aws_multi *m, CURL *easy)
{
        struct multi_transfer *t;

        for (t = m->transfers; t; t = t->next)
                if (t->easy == easy)
                        break;
        if (!t)
                return -ENOENT;
        /* An unfinished transfer's connection is closed here (curl never reuses it). */
        (void)curl_multi_remove_handle(m->curl, easy);
        curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
        LIST_UNLINK(m->transfers, t);
        m->n_running--;
        free(t);
        return 0;
}

unsigned aws_multi_running(const struct aws_multi *m)
{
        return m->n_running;
}

sd_event *aws_multi_event(const struct aws_multi *m)
{
        return m->event;
}
