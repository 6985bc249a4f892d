/* The control socket: its listening and connection sources on the agent's sd-event loop, the caller's
 * credentials, the framing (one JSON object per SOCK_SEQPACKET message) and the one dispatch function.
 * The commands themselves live in control-*.c. */
#include "control.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "agent-internal.h"
#include "journal.h"
#include "log.h"
#include "task.h"

#define CONTROL_MAX_GROUPS 256

static inline void json_object_putp_ctl(struct json_object **p)
{
        if (*p)
                json_object_put(*p);
}

struct control_conn {
        struct control_server *server;
        int fd;
        uid_t uid;
        pid_t pid;
        sd_event_source *io;
        sd_event_source *timer;
        struct control_job *job; /* the request being carried out (its task), NULL: none */
        bool refused; /* not allowed: its request is read, answered with a refusal, and it is closed */
};

/* One request, carried out in a task of its own (task.h): its AWS calls leave the loop free. */
struct control_job {
        struct control_conn *conn; /* NULL once the connection went away: the reply is dropped */
        struct agent *agent;
        struct json_object *request;
        struct control_request q;
        struct control_reply reply;
};

struct control_server {
        struct agent *agent;
        sd_event *event;
        int fd;
        char *path;
        sd_event_source *io;
        gid_t gid;
        bool have_gid;
        struct control_conn *conns[CONTROL_MAX_CONNECTIONS];
};

/* ---- replies and arguments ---- */

void control_reply_done(struct control_reply *r)
{
        if (!r)
                return;
        r->message = mfree(r->message);
        if (r->data)
                json_object_put(r->data);
        r->data = NULL;
        r->error = 0;
}

static void reply_setv(struct control_reply *r, int status, const char *fmt, va_list ap) _printf_(3, 0);
static void reply_setv(struct control_reply *r, int status, const char *fmt, va_list ap)
{
        char *m = NULL;

        (void)vasprintf_safe(&m, fmt, ap); /* out of memory: no message, the status still says it */
        free(r->message);
        r->message = m;
        r->status = status;
}

int control_reply_set(struct control_reply *r, int status, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        reply_setv(r, status, fmt, ap);
        va_end(ap);
        return 0;
}

/* Add `v`, a value just made for `key` (NULL: it could not be made, unless `null_ok`). */
static int reply_add(struct control_reply *r, const char *key, struct json_object *v, bool null_ok)
{
        if (r->error >= 0 && !r->data)
                r->data = json_object_new_object();
        if (r->error < 0 || !r->data || (!v && !null_ok) || json_object_object_add(r->data, key, v) < 0) {
                json_object_put(v);
                r->error = -ENOMEM; /* the only way adding fails */
        }
        return r->error;
}

int control_reply_add_string(struct control_reply *r, const char *key, const char *value)
{
        return reply_add(r, key, value ? json_object_new_string(value) : NULL, /* null_ok= */ !value);
}

int control_reply_add_int(struct control_reply *r, const char *key, int64_t value)
{
        return reply_add(r, key, json_object_new_int64(value), /* null_ok= */ false);
}

const char *control_arg_string(const struct control_request *q, const char *key)
{
        struct json_object *v;
        if (!q->args || !json_object_object_get_ex(q->args, key, &v) ||
            !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

bool control_arg_bool(const struct control_request *q, const char *key)
{
        struct json_object *v;
        if (!q->args || !json_object_object_get_ex(q->args, key, &v))
                return false;
        return json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v);
}

/* ---- dispatch ---- */

int control_handle_ping(struct agent *a, const struct control_request *q, struct control_reply *reply)
{
        (void)q;
        control_reply_set(reply, CONTROL_OK, "aurora-backup-agent is running (state %s)",
                          a->state_directory);
        return control_reply_add_int(reply, "pid", getpid());
}

static const struct {
        const char *name;
        int (*handle)(struct agent *a, const struct control_request *q, struct control_reply *reply);
} commands[] = {
    {"ping", control_handle_ping},
    {"snapshot", control_handle_snapshot},
    {"hold", control_handle_hold},
    {"release", control_handle_release},
    {"delete", control_handle_delete},
    {"export", control_handle_export},
    {"cancel-export", control_handle_cancel_export},
    {"restore", control_handle_restore},
    {"restore-status", control_handle_restore_status},
};

int control_dispatch(struct agent *a, const struct control_request *q, struct control_reply *reply)
{
        int r;

        for (size_t i = 0; i < ELEMENTSOF(commands); i++) {
                if (!streq_ptr(commands[i].name, q->command))
                        continue;
                r = commands[i].handle(a, q, reply);
                if (r < 0 && !reply->message)
                        control_reply_set(reply, CONTROL_FAILED, "%s: the agent failed: %s", q->command,
                                          strerror(-r));
                else if (r < 0)
                        reply->status = CONTROL_FAILED;
                return r;
        }
        control_reply_set(reply, CONTROL_USAGE, "unknown command '%s'", strempty(q->command));
        return 0;
}

/* ---- credentials ---- */

bool control_peer_allowed(uid_t uid, gid_t primary, const gid_t *groups, size_t n_groups, uid_t own_uid,
                          gid_t allowed_gid, bool have_gid)
{
        if (uid == 0 || uid == own_uid)
                return true;
        if (!have_gid)
                return false;
        if (primary == allowed_gid)
                return true;
        for (size_t i = 0; i < n_groups; i++)
                if (groups[i] == allowed_gid)
                        return true;
        return false;
}

/* The peer's supplementary groups as the kernel recorded them at connect() (SO_PEERGROUPS, Linux 4.13):
 * no /proc lookup, which the unit's ProtectProc=invisible would hide anyway. */
static int peer_groups(int fd, gid_t *groups, size_t *n)
{
        socklen_t len = (socklen_t)(CONTROL_MAX_GROUPS * sizeof(gid_t));
        if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0)
                return -errno; /* ERANGE: more than CONTROL_MAX_GROUPS: treated as none */
        *n = len / sizeof(gid_t);
        return 0;
}

/* ---- connections ---- */

static void conn_free(struct control_conn *c)
{
        if (!c)
                return;
        if (c->job)
                c->job->conn = NULL; /* the request runs to its end; nobody hears the answer */
        for (size_t i = 0; i < CONTROL_MAX_CONNECTIONS; i++)
                if (c->server->conns[i] == c)
                        c->server->conns[i] = NULL;
        sd_event_source_disable_unref(c->io);
        sd_event_source_disable_unref(c->timer);
        if (c->fd >= 0)
                close(c->fd);
        free(c);
}

static int send_reply(int fd, const struct control_reply *reply)
{
        _cleanup_(json_object_putp_ctl) struct json_object *j =
            reply->data ? json_object_get(reply->data) : json_object_new_object();
        if (!j)
                return -ENOMEM;
        if (json_object_object_add(j, "status", json_object_new_int(reply->status)) < 0 ||
            json_object_object_add(j, "message",
                                   json_object_new_string(reply->message ? reply->message : "")) < 0)
                return -ENOMEM;
        size_t len;
        const char *s = json_object_to_json_string_length(j, JSON_C_TO_STRING_PLAIN, &len);
        if (!s)
                return -ENOMEM;
        if (len > CONTROL_REPLY_MAX) {
                static const char too_big[] = "{\"status\":1,\"message\":\"the reply is too large\"}";
                s = too_big;
                len = sizeof(too_big) - 1;
        }
        /* The reply fits in the socket buffer of a fresh SEQPACKET connection; a client that does not read
         * cannot hold the loop: MSG_DONTWAIT, and the connection is dropped on EAGAIN. */
        if (send(fd, s, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
                return -errno;
        return 0;
}

/* A reply from the socket itself, not from a command: a malformed, oversized or refused request, or no
 * room for another connection. */
static int send_message(int fd, int status, const char *fmt, ...) _printf_(3, 4);
static int send_message(int fd, int status, const char *fmt, ...)
{
        struct control_reply reply = {};
        va_list ap;
        int r;

        va_start(ap, fmt);
        reply_setv(&reply, status, fmt, ap);
        va_end(ap);
        r = send_reply(fd, &reply);
        control_reply_done(&reply);
        return r;
}

static int arm_idle(struct control_conn *c)
{
        int r = sd_event_source_set_time_relative(c->timer, CONTROL_IDLE_TIMEOUT_USEC);
        if (r < 0)
                return r;
        return sd_event_source_set_enabled(c->timer, SD_EVENT_ONESHOT);
}

static int on_idle(sd_event_source *s, uint64_t usec, void *userdata)
{
        (void)s;
        (void)usec;
        conn_free(userdata);
        return 0;
}

static void job_run(void *userdata)
{
        struct control_job *job = userdata;
        (void)control_dispatch(job->agent, &job->q, &job->reply);
}

static void job_done(void *userdata)
{
        struct control_job *job = userdata;
        struct control_conn *c = job->conn;
        struct agent *a = job->agent;

        if (c) {
                c->job = NULL;
                /* Ready for the next request of this connection. */
                if (send_reply(c->fd, &job->reply) < 0 ||
                    sd_event_source_set_enabled(c->io, SD_EVENT_ON) < 0 || arm_idle(c) < 0)
                        conn_free(c);
        }
        control_reply_done(&job->reply);
        json_object_put(job->request);
        free(job);
        agent_job_end(a);
}

static int handle_message(struct control_conn *c, const char *buf, size_t len)
{
        struct json_object *args = NULL, *cmd = NULL;
        struct json_tokener *tok;
        struct json_object *j = NULL;
        int r;

        tok = json_tokener_new_ex(16);
        if (!tok)
                return -ENOMEM;
        j = json_tokener_parse_ex(tok, buf, (int)len);
        bool complete = json_tokener_get_error(tok) == json_tokener_success;
        json_tokener_free(tok);

        if (!j || !complete || !json_object_is_type(j, json_type_object) ||
            !json_object_object_get_ex(j, "command", &cmd) || !json_object_is_type(cmd, json_type_string)) {
                r = send_message(c->fd, CONTROL_USAGE,
                                 "malformed request: expected one JSON object with a \"command\"");
                if (j)
                        json_object_put(j);
                return r < 0 ? r : arm_idle(c);
        }
        if (json_object_object_get_ex(j, "args", &args) && !json_object_is_type(args, json_type_object))
                args = NULL;

        struct control_job *job = calloc(1, sizeof(*job));
        if (!job) {
                json_object_put(j);
                return -ENOMEM;
        }
        *job = (struct control_job){
            .conn = c,
            .agent = c->server->agent,
            .request = j,
            .q = {.command = json_object_get_string(cmd), .args = args, .uid = c->uid, .pid = c->pid},
        };
        /* One request at a time per connection: the next is read once this one is answered. */
        r = sd_event_source_set_enabled(c->io, SD_EVENT_OFF);
        if (r >= 0)
                r = sd_event_source_set_enabled(c->timer, SD_EVENT_OFF);
        if (r >= 0)
                r = task_spawn(c->server->event, job_run, job_done, job, NULL);
        if (r < 0) {
                json_object_put(j);
                free(job);
                return r;
        }
        c->job = job;
        agent_job_begin(job->agent);
        return 0;
}

/* The refusal is the answer to the caller's request, once read: closing a connection with its request
 * unread would reset it, and the caller would see "connection reset" instead of the reason. */
static void refuse_reply(const struct control_conn *c)
{
        const char *group = c->server->agent->config->agent.control_group;

        (void)send_message(
            c->fd, CONTROL_FAILED,
            "permission denied: uid %u is not root and not a member of group %s (agent.control_group)",
            (unsigned)c->uid, strempty(group));
}

static int on_conn(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        struct control_conn *c = userdata;
        _cleanup_free_ char *buf = NULL;
        ssize_t n;
        (void)s;

        if (revents & (EPOLLERR)) {
                conn_free(c);
                return 0;
        }
        buf = malloc(CONTROL_REQUEST_MAX + 1);
        if (!buf) {
                conn_free(c);
                return 0;
        }
        n = recv(fd, buf, CONTROL_REQUEST_MAX + 1, MSG_DONTWAIT | MSG_TRUNC);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return 0;
        if (n <= 0) {
                conn_free(c); /* end of file or an error: the caller went away */
                return 0;
        }
        if ((size_t)n > CONTROL_REQUEST_MAX) {
                (void)send_message(fd, CONTROL_USAGE, "request too large: at most %d bytes",
                                   CONTROL_REQUEST_MAX);
                conn_free(c);
                return 0;
        }
        buf[n] = '\0';
        if (c->refused) {
                refuse_reply(c);
                conn_free(c);
                return 0;
        }
        if (handle_message(c, buf, (size_t)n) < 0)
                conn_free(c);
        return 0;
}

static void refuse_log(uid_t uid, pid_t pid, const struct control_server *srv)
{
        const char *group = srv->agent->config->agent.control_group;
        char extra[64];

        snprintf(extra, sizeof extra, "AURORA_PEER_UID=%u", (unsigned)uid);
        char pidf[64];
        snprintf(pidf, sizeof pidf, "AURORA_PEER_PID=%d", (int)pid);
        const char *const fields[] = {extra, pidf, NULL};
        journal_event(
            EVENT_CONTROL_REFUSED,
            &(struct event_fields){
                .action = "control", .reason = "not root, not in the control group", .extra = fields},
            "Refused a control connection from uid %u (pid %d): not root and not a member of group %s",
            (unsigned)uid, (int)pid, strempty(group));
}

static int on_accept(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        struct control_server *srv = userdata;
        struct ucred cred = {};
        socklen_t len = sizeof(cred);
        gid_t groups[CONTROL_MAX_GROUPS];
        size_t n_groups = 0;
        int cfd, r;
        (void)s;
        (void)revents;

        cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (cfd < 0)
                return 0; /* EAGAIN, a connection reset before accept, EMFILE: the loop goes on */
        if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
                close(cfd);
                return 0;
        }
        if (peer_groups(cfd, groups, &n_groups) < 0)
                n_groups = 0;
        bool refused =
            !control_peer_allowed(cred.uid, cred.gid, groups, n_groups, geteuid(), srv->gid, srv->have_gid);
        if (refused)
                refuse_log(cred.uid, cred.pid, srv);
        size_t slot = CONTROL_MAX_CONNECTIONS;
        for (size_t i = 0; i < CONTROL_MAX_CONNECTIONS; i++)
                if (!srv->conns[i]) {
                        slot = i;
                        break;
                }
        if (slot == CONTROL_MAX_CONNECTIONS) {
                (void)send_message(cfd, CONTROL_FAILED, "too many control connections (%d); try again",
                                   CONTROL_MAX_CONNECTIONS);
                close(cfd);
                return 0;
        }
        struct control_conn *c = calloc(1, sizeof(*c));
        if (!c) {
                close(cfd);
                return 0;
        }
        *c = (struct control_conn){
            .server = srv, .fd = cfd, .uid = cred.uid, .pid = cred.pid, .refused = refused};
        srv->conns[slot] = c;
        r = sd_event_add_io(srv->event, &c->io, cfd, EPOLLIN, on_conn, c);
        if (r >= 0)
                r = sd_event_add_time(srv->event, &c->timer, CLOCK_MONOTONIC, 0, 0, on_idle, c);
        if (r >= 0)
                r = arm_idle(c);
        if (r < 0)
                conn_free(c);
        return 0;
}

/* ---- the listening socket ---- */

/* Whether something answers at `path` (an agent already serving it). */
static bool socket_in_use(const struct sockaddr_un *sa, socklen_t salen)
{
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return false;
        return connect(fd, (const struct sockaddr *)sa, salen) >= 0 || errno == EAGAIN;
}

static struct control_server *server_free(struct control_server *srv)
{
        if (!srv)
                return NULL;
        for (size_t i = 0; i < CONTROL_MAX_CONNECTIONS; i++)
                conn_free(srv->conns[i]);
        sd_event_source_disable_unref(srv->io);
        if (srv->fd >= 0) {
                close(srv->fd);
                if (srv->path)
                        (void)unlink(srv->path);
        }
        free(srv->path);
        sd_event_unref(srv->event);
        free(srv);
        return NULL;
}

int control_server_attach(sd_event *event, struct agent *a)
{
        const struct agent_settings *cfg = &a->config->agent;
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        struct control_server *srv;
        struct stat st;
        int r;

        if (a->control)
                return 0;
        if (!cfg->control_socket || strlen(cfg->control_socket) >= sizeof(sa.sun_path))
                return -EINVAL;
        memcpy(sa.sun_path, cfg->control_socket, strlen(cfg->control_socket) + 1);
        socklen_t salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(sa.sun_path) + 1);

        srv = calloc(1, sizeof(*srv));
        if (!srv)
                return -ENOMEM;
        srv->fd = -1;
        srv->agent = a;
        srv->event = sd_event_ref(event);
        srv->path = strdup(cfg->control_socket);
        if (!srv->path) {
                server_free(srv);
                return -ENOMEM;
        }
        if (cfg->control_group) {
                struct group *g = getgrnam(cfg->control_group);
                if (g) {
                        srv->gid = g->gr_gid;
                        srv->have_gid = true;
                } else
                        log_warning("control group %s does not exist: only root may use the control "
                                    "socket, ignoring",
                                    cfg->control_group);
        }

        if (lstat(srv->path, &st) >= 0) {
                if (!S_ISSOCK(st.st_mode)) {
                        log_error("%s exists and is not a socket; no control socket", srv->path);
                        server_free(srv);
                        return -EEXIST;
                }
                if (socket_in_use(&sa, salen)) {
                        log_error("another agent serves the control socket %s; none here", srv->path);
                        server_free(srv);
                        return -EADDRINUSE;
                }
                (void)unlink(srv->path); /* left by an agent that died */
        }
        srv->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (srv->fd < 0) {
                r = -errno;
                goto fail;
        }
        /* Born 0600 whatever the umask, then opened to the group: never a moment open to others. */
        mode_t old = umask(0177);
        r = bind(srv->fd, (struct sockaddr *)&sa, salen) < 0 ? -errno : 0;
        umask(old);
        if (r < 0)
                goto fail;
        if (srv->have_gid && chown(srv->path, (uid_t)-1, srv->gid) < 0)
                log_warning("cannot give %s to group %s: %s; only root and the agent's user may "
                            "connect, ignoring",
                            srv->path, cfg->control_group, strerror(errno));
        if (chmod(srv->path, 0660) < 0) {
                r = -errno;
                goto fail;
        }
        if (listen(srv->fd, CONTROL_MAX_CONNECTIONS) < 0) {
                r = -errno;
                goto fail;
        }
        r = sd_event_add_io(event, &srv->io, srv->fd, EPOLLIN, on_accept, srv);
        if (r < 0)
                goto fail;
        a->control = srv;
        return 0;
fail:
        log_error("cannot listen on the control socket %s: %s", srv->path, strerror(-r));
        if (srv->fd >= 0) {
                close(srv->fd);
                srv->fd = -1;
        }
        server_free(srv);
        return r;
}

void control_server_detach(struct agent *a)
{
        if (!a)
                return;
        a->control = server_free(a->control);
}

/* ---- the client ---- */

static uint64_t now_usec(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

static int wait_fd(int fd, short events, uint64_t deadline)
{
        for (;;) {
                uint64_t now = now_usec();
                if (now >= deadline)
                        return -ETIMEDOUT;
                struct pollfd p = {.fd = fd, .events = events};
                uint64_t left_ms = (deadline - now + 999) / 1000;
                int r = poll(&p, 1, left_ms > INT32_MAX ? INT32_MAX : (int)left_ms);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return -errno;
                if (r > 0)
                        return 0;
        }
}

int control_client_call(const char *path, const char *command, struct json_object *args,
                        uint64_t timeout_usec, struct json_object **ret_reply)
{
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *buf = NULL;
        uint64_t deadline = now_usec() + timeout_usec;
        ssize_t n;
        int r;

        if (!path || strlen(path) >= sizeof(sa.sun_path))
                return -EINVAL;
        memcpy(sa.sun_path, path, strlen(path) + 1);
        fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (connect(fd, (struct sockaddr *)&sa,
                    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1)) < 0)
                return -errno;

        struct json_object *req = json_object_new_object();
        if (!req)
                return -ENOMEM;
        json_object_object_add(req, "version", json_object_new_int(CONTROL_PROTOCOL_VERSION));
        json_object_object_add(req, "command", json_object_new_string(command));
        json_object_object_add(req, "args", args ? json_object_get(args) : json_object_new_object());
        size_t len;
        const char *s = json_object_to_json_string_length(req, JSON_C_TO_STRING_PLAIN, &len);
        r = s && len <= CONTROL_REQUEST_MAX ? 0 : -E2BIG;
        /* A refused caller's socket is closed by the agent right after its reply: the send fails, and the
         * reply waiting in the queue says why. */
        if (r == 0 && send(fd, s, len, MSG_NOSIGNAL) < 0 && errno != EPIPE && errno != ECONNRESET)
                r = -errno;
        json_object_put(req);
        if (r < 0)
                return r;

        buf = malloc(CONTROL_REPLY_MAX + 1);
        if (!buf)
                return -ENOMEM;
        r = wait_fd(fd, POLLIN, deadline);
        if (r < 0)
                return r;
        n = recv(fd, buf, CONTROL_REPLY_MAX + 1, MSG_TRUNC);
        if (n < 0)
                return -errno;
        if (n == 0)
                return -ECONNRESET;
        if ((size_t)n > CONTROL_REPLY_MAX)
                return -EBADMSG;
        buf[n] = '\0';
        struct json_object *j = json_tokener_parse(buf);
        struct json_object *st;
        if (!j || !json_object_is_type(j, json_type_object) ||
            !json_object_object_get_ex(j, "status", &st)) {
                if (j)
                        json_object_put(j);
                return -EBADMSG;
        }
        *ret_reply = j;
        return 0;
}
