/* The loopback HTTP server of the asynchronous transport's tests (see http-test-server.h). */
#include "http-test-server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNECTIONS 128
#define MAX_LOGGED 256
#define SLICE_MS 50 /* how often a waiting thread looks at the stop flag */

struct connection {
        struct test_http_server *server;
        int fd;
        pthread_t thread;
};

struct test_http_server {
        int listen_fd;
        unsigned port;
        pthread_t accept_thread;
        pthread_mutex_t lock;
        volatile bool stop;
        test_http_handler handler;
        void *userdata;
        struct connection conns[MAX_CONNECTIONS];
        unsigned n_conns;
        unsigned requests, active, max_active, peer_closed;
        struct test_http_request log[MAX_LOGGED];
};

static uint64_t now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void pause_ms(unsigned ms)
{
        struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

/* Wait up to `ms`; true if the client closed the connection meanwhile (or the server stops). */
static bool wait_or_peer_closed(struct test_http_server *s, int fd, unsigned ms)
{
        uint64_t end = now_ms() + ms;
        bool data_pending = false;

        while (!s->stop) {
                uint64_t now = now_ms();
                if (now >= end)
                        return false;
                unsigned slice = (unsigned)(end - now) < SLICE_MS ? (unsigned)(end - now) : SLICE_MS;
                if (data_pending) {
                        pause_ms(slice);
                        continue;
                }
                struct pollfd p = {.fd = fd, .events = POLLIN};
                int r = poll(&p, 1, (int)slice);
                if (r <= 0)
                        continue;
                char c;
                ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
                if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
                        return true;
                data_pending = true; /* a pipelined request: not a close */
        }
        return true;
}

static bool send_all(int fd, const void *data, size_t len)
{
        const char *p = data;
        while (len > 0) {
                ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return false;
                p += n;
                len -= (size_t)n;
        }
        return true;
}

/* Read one request's head and body; false on EOF, error or stop. */
static bool read_request(struct test_http_server *s, int fd, struct test_http_request *req)
{
        char buf[16384];
        size_t len = 0;
        char *end = NULL;

        while (!end) {
                if (s->stop || len >= sizeof(buf) - 1)
                        return false;
                struct pollfd p = {.fd = fd, .events = POLLIN};
                int r = poll(&p, 1, SLICE_MS);
                if (r < 0 && errno != EINTR)
                        return false;
                if (r <= 0)
                        continue;
                ssize_t n = recv(fd, buf + len, sizeof(buf) - 1 - len, 0);
                if (n <= 0)
                        return false;
                len += (size_t)n;
                buf[len] = '\0';
                end = strstr(buf, "\r\n\r\n");
        }
        *req = (struct test_http_request){};
        if (sscanf(buf, "%15s %511s", req->method, req->target) != 2)
                return false;
        size_t content_length = 0;
        for (char *line = strstr(buf, "\r\n"); line && line < end; line = strstr(line + 2, "\r\n")) {
                char *h = line + 2;
                if (strncasecmp(h, "Content-Length:", 15) == 0)
                        content_length = strtoul(h + 15, NULL, 10);
                else if (strncasecmp(h, "X-Amz-Date:", 11) == 0)
                        sscanf(h + 11, " %31s", req->amz_date);
        }
        size_t have = len - (size_t)(end + 4 - buf);
        while (have < content_length) {
                char sink[4096];
                size_t want = content_length - have < sizeof(sink) ? content_length - have : sizeof(sink);
                ssize_t n = recv(fd, sink, want, 0);
                if (n <= 0)
                        return false;
                have += (size_t)n;
        }
        return true;
}

static bool send_reply(int fd, const struct test_http_reply *rp)
{
        char head[2048];
        char filler[16384];
        const char *body = rp->body ?: "";
        size_t body_len = rp->filler_len ?: rp->body_len ?: strlen(body);
        bool chunked = rp->chunks > 0;

        memset(filler, 'x', sizeof(filler));
        int n = snprintf(head, sizeof(head), "HTTP/1.1 %d Test\r\n%s%s", rp->status ?: 200,
                         rp->extra_headers ?: "", chunked ? "Transfer-Encoding: chunked\r\n" : "");
        if (!chunked)
                n += snprintf(head + n, sizeof(head) - (size_t)n, "Content-Length: %zu\r\n", body_len);
        n += snprintf(head + n, sizeof(head) - (size_t)n, "\r\n");
        if (!send_all(fd, head, (size_t)n))
                return false;
        if (chunked) {
                size_t per = (body_len + rp->chunks - 1) / rp->chunks;
                for (size_t off = 0; off < body_len; off += per) {
                        size_t l = body_len - off < per ? body_len - off : per;
                        char size_line[32];
                        int k = snprintf(size_line, sizeof(size_line), "%zx\r\n", l);
                        if (!send_all(fd, size_line, (size_t)k) || !send_all(fd, body + off, l) ||
                            !send_all(fd, "\r\n", 2))
                                return false;
                        pause_ms(rp->chunk_delay_ms);
                }
                return send_all(fd, "0\r\n\r\n", 5);
        }
        size_t limit = rp->cut_after ? rp->cut_after : body_len;
        for (size_t off = 0; off < limit;) {
                size_t l = limit - off;
                const char *p = body + off;
                if (rp->filler_len) {
                        p = filler;
                        l = l < sizeof(filler) ? l : sizeof(filler);
                }
                if (!send_all(fd, p, l))
                        return false;
                off += l;
        }
        return !rp->cut_after; /* a cut reply ends the connection */
}

static void *connection_main(void *arg)
{
        struct connection *c = arg;
        struct test_http_server *s = c->server;
        struct test_http_request req;

        while (read_request(s, c->fd, &req)) {
                struct test_http_reply reply = {};
                pthread_mutex_lock(&s->lock);
                req.seq = s->requests++;
                if (req.seq < MAX_LOGGED)
                        s->log[req.seq] = req;
                if (++s->active > s->max_active)
                        s->max_active = s->active;
                s->handler(&req, &reply, s->userdata);
                pthread_mutex_unlock(&s->lock);

                bool closed = reply.delay_ms > 0 && wait_or_peer_closed(s, c->fd, reply.delay_ms);
                bool ok = !closed && send_reply(c->fd, &reply);
                pthread_mutex_lock(&s->lock);
                s->active--;
                if (closed && !s->stop)
                        s->peer_closed++;
                pthread_mutex_unlock(&s->lock);
                if (!ok)
                        break;
        }
        shutdown(c->fd, SHUT_RDWR);
        return NULL;
}

static void *accept_main(void *arg)
{
        struct test_http_server *s = arg;

        while (!s->stop) {
                struct pollfd p = {.fd = s->listen_fd, .events = POLLIN};
                if (poll(&p, 1, SLICE_MS) <= 0)
                        continue;
                int fd = accept(s->listen_fd, NULL, NULL);
                if (fd < 0)
                        continue;
                pthread_mutex_lock(&s->lock);
                if (s->n_conns >= MAX_CONNECTIONS) {
                        pthread_mutex_unlock(&s->lock);
                        close(fd);
                        continue;
                }
                struct connection *c = &s->conns[s->n_conns];
                *c = (struct connection){.server = s, .fd = fd};
                if (pthread_create(&c->thread, NULL, connection_main, c) == 0)
                        s->n_conns++;
                else
                        close(fd);
                pthread_mutex_unlock(&s->lock);
        }
        return NULL;
}

int test_http_server_start(test_http_handler handler, void *userdata, struct test_http_server **ret)
{
        struct test_http_server *s = calloc(1, sizeof(*s));
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t al = sizeof(a);

        if (!s)
                return -ENOMEM;
        s->handler = handler;
        s->userdata = userdata;
        pthread_mutex_init(&s->lock, NULL);
        s->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s->listen_fd < 0 || bind(s->listen_fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
            listen(s->listen_fd, 64) < 0 || getsockname(s->listen_fd, (struct sockaddr *)&a, &al) < 0) {
                int r = -errno;
                if (s->listen_fd >= 0)
                        close(s->listen_fd);
                free(s);
                return r;
        }
        s->port = ntohs(a.sin_port);
        if (pthread_create(&s->accept_thread, NULL, accept_main, s) != 0) {
                close(s->listen_fd);
                free(s);
                return -EAGAIN;
        }
        *ret = s;
        return 0;
}

void test_http_server_stop(struct test_http_server *s)
{
        if (!s)
                return;
        s->stop = true;
        pthread_join(s->accept_thread, NULL);
        for (unsigned i = 0; i < s->n_conns; i++) {
                pthread_join(s->conns[i].thread, NULL);
                close(s->conns[i].fd);
        }
        close(s->listen_fd);
        pthread_mutex_destroy(&s->lock);
        free(s);
}

unsigned test_http_server_port(const struct test_http_server *s)
{
        return s->port;
}

#define LOCKED_READ(s, field)                                                                               \
        ({                                                                                                  \
                pthread_mutex_lock(&(s)->lock);                                                             \
                unsigned _v = (s)->field;                                                                   \
                pthread_mutex_unlock(&(s)->lock);                                                           \
                _v;                                                                                         \
        })

unsigned test_http_server_requests(struct test_http_server *s)
{
        return LOCKED_READ(s, requests);
}

unsigned test_http_server_max_active(struct test_http_server *s)
{
        return LOCKED_READ(s, max_active);
}

unsigned test_http_server_peer_closed(struct test_http_server *s)
{
        return LOCKED_READ(s, peer_closed);
}

bool test_http_server_request(struct test_http_server *s, unsigned n, struct test_http_request *ret)
{
        bool found;
        pthread_mutex_lock(&s->lock);
        found = n < s->requests && n < MAX_LOGGED;
        if (found)
                *ret = s->log[n];
        pthread_mutex_unlock(&s->lock);
        return found;
}
