/* The agent's control socket: aurora-backupctl's mutating commands, carried out by the running agent.
 * An AF_UNIX SOCK_SEQPACKET socket (agent.control_socket): one JSON object per request and per reply,
 * one request at a time per connection; callers are checked by SO_PEERCRED (root, the agent's own user,
 * or a member of agent.control_group). */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "macro.h"

struct agent;

#define CONTROL_REQUEST_MAX (64 * 1024)                /* bytes of one request; a bigger one is refused */
#define CONTROL_REPLY_MAX (256 * 1024)                 /* bytes of one reply */
#define CONTROL_IDLE_TIMEOUT_USEC (10ULL * 1000000ULL) /* a connection that sends nothing is closed */
#define CONTROL_MAX_CONNECTIONS 16
#define CONTROL_PROTOCOL_VERSION 1

/* Exit statuses the reply carries for aurora-backupctl (cli.h's EXIT_*). */
enum {
        CONTROL_OK = 0,
        CONTROL_FAILED = 1, /* refused, or AWS said no */
        CONTROL_USAGE = 2,  /* a malformed request */
};

struct control_request {
        const char *command;            /* "snapshot", "hold", ... */
        const struct json_object *args; /* the request's "args" object (may be NULL) */
        uid_t uid;                      /* the caller, from SO_PEERCRED */
        pid_t pid;
};

struct control_reply {
        int status;               /* CONTROL_OK, CONTROL_FAILED, CONTROL_USAGE */
        char *message;            /* for the operator, one or more lines */
        struct json_object *data; /* extra fields for --json (owned), NULL: none */
        int error;                /* the first failure to add to data (-ENOMEM), sticky */
};

void control_reply_done(struct control_reply *r);
/* Set status and message (printf). Returns 0: a handler answers with `return control_reply_set(...)`. */
int control_reply_set(struct control_reply *r, int status, const char *fmt, ...) _printf_(3, 4);
/* data[key] = string / int (creates data on first use). Once one fails (r->error = -ENOMEM), the later
 * ones do nothing: add every field, then check once. Return r->error. */
int control_reply_add_string(struct control_reply *r, const char *key, const char *value);
int control_reply_add_int(struct control_reply *r, const char *key, int64_t value);

/* The string / bool argument `key` of a request, NULL / false when absent. */
const char *control_arg_string(const struct control_request *q, const char *key);
bool control_arg_bool(const struct control_request *q, const char *key);

/* Each command: fills `reply` (refusals are replies, CONTROL_FAILED) and returns 0, or a negative errno
 * when the agent itself failed (store, memory): then the reply says so. Plain synchronous functions: one
 * request runs to its end before the loop goes on. */
int control_handle_snapshot(struct agent *a, const struct control_request *q, struct control_reply *reply);
int control_handle_hold(struct agent *a, const struct control_request *q, struct control_reply *reply);
int control_handle_release(struct agent *a, const struct control_request *q, struct control_reply *reply);
int control_handle_delete(struct agent *a, const struct control_request *q, struct control_reply *reply);
int control_handle_export(struct agent *a, const struct control_request *q, struct control_reply *reply);
int control_handle_cancel_export(struct agent *a, const struct control_request *q,
                                 struct control_reply *reply);
int control_handle_restore(struct agent *a, const struct control_request *q, struct control_reply *reply);
int control_handle_restore_status(struct agent *a, const struct control_request *q,
                                  struct control_reply *reply);
int control_handle_ping(struct agent *a, const struct control_request *q, struct control_reply *reply);

/* The one entry point of every request: looks the command up and calls its handler. */
int control_dispatch(struct agent *a, const struct control_request *q, struct control_reply *reply);

/* Whether a caller may use the socket: uid 0, `own_uid`, or `gid` (when valid) among its primary and
 * supplementary groups. */
bool control_peer_allowed(uid_t uid, gid_t primary, const gid_t *groups, size_t n_groups, uid_t own_uid,
                          gid_t allowed_gid, bool have_gid);

/* Listen on agent.control_socket in `event` (the socket file is replaced if stale, made 0660 and given
 * agent.control_group when the agent may). A failure is logged and returned; the agent runs on without
 * the socket. */
int control_server_attach(sd_event *event, struct agent *a);
/* Close the socket and every connection and remove the socket file. Accepts an agent without one. */
void control_server_detach(struct agent *a);

/* ---- The client side (aurora-backupctl). ---- */

/* Send one request ({"version", "command", "args"}) to the agent at `path` and read its reply
 * (*ret_reply owns a JSON object with at least "status" and "message"). -ENOENT / -ECONNREFUSED: no agent
 * listens there; -EACCES: the socket's permissions refuse this user; -ETIMEDOUT: no answer within
 * `timeout_usec`; -EBADMSG: not a reply. */
int control_client_call(const char *path, const char *command, struct json_object *args,
                        uint64_t timeout_usec, struct json_object **ret_reply);
