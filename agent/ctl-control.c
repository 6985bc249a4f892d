/* aurora-backupctl snapshot / hold / release / export / cancel-export / delete / restore: argument checks
 * here, the work in the running agent (control-*.c), one request and one reply over the control socket. */
#include "ctl-control.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "control.h"
#include "ctl-output.h"
#include "time-util.h"

#define CTL_CONTROL_TIMEOUT_USEC (300ULL * 1000000ULL) /* the agent answers after its AWS calls */

static const char *const verbs[] = {"snapshot",      "hold",   "release", "export",
                                    "cancel-export", "delete", "restore", "ping"};

bool ctl_control_command(const char *verb)
{
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq_ptr(verb, verbs[i]))
                        return true;
        return false;
}

#define CTL_RESTORE_POLL_NSEC                                                                               \
        (1000000000L) /* how often a waiting restore asks the agent where it stands                         \
                       */

/* The socket to use: --socket, else the config's agent.control_socket; an unreadable config (an operator
 * who may use the socket need not read the config) falls back to the default path. */
static int socket_path(const struct ctl_options *o, const struct ctl_control_args *args, char **ret,
                       FILE *err)
{
        _cleanup_(agent_config_freep) struct agent_config *cfg = NULL;
        int r;

        if (args->socket) {
                *ret = strdup(args->socket);
                return *ret ? 0 : -ENOMEM;
        }
        r = cli_config_load(cli_config_path(o->config), /* unreadable_ok= */ true, &cfg, err);
        if (r < 0)
                return r;
        *ret = strdup(cfg && cfg->agent.control_socket ? cfg->agent.control_socket
                                                       : CONFIG_DEFAULT_CONTROL_SOCKET);
        return *ret ? 0 : -ENOMEM;
}

/* An argument given on the command line; those not given are left out. */
static void add(int *r, struct json_object *args, const char *key, const char *value)
{
        if (value)
                ctl_json_add_string(r, args, key, value);
}

/* The request's "args", or a usage message and -EINVAL. */
static int build_args(const char *verb, const struct ctl_control_args *a, struct json_object *j, FILE *err)
{
        bool restore = streq(verb, "restore"), export = streq(verb, "export");
        int r = 0;

        if ((a->new_cluster || a->time || a->latest || a->instance_class || a->no_wait) && !restore) {
                fprintf(err, "aurora-backupctl: --new-cluster, --time, --latest, --instance-class and "
                             "--no-wait apply "
                             "to restore only\n");
                return -EINVAL;
        }
        if ((a->snapshot || a->cluster) && !restore && !export) {
                fprintf(err,
                        "aurora-backupctl: %s takes its object as an argument, not --snapshot/--cluster\n",
                        verb);
                return -EINVAL;
        }
        if (restore || export) {
                if (a->target) {
                        fprintf(err, "aurora-backupctl: %s: unexpected argument '%s'\n", verb, a->target);
                        return -EINVAL;
                }
                if (!!a->snapshot == !!a->cluster) {
                        fprintf(err, "aurora-backupctl: %s: give either --snapshot ID or --cluster ID\n",
                                verb);
                        return -EINVAL;
                }
        }
        if (restore) {
                if (!a->new_cluster) {
                        fprintf(err, "aurora-backupctl: restore: --new-cluster NAME is required\n");
                        return -EINVAL;
                }
                if (a->snapshot && (a->time || a->latest)) {
                        fprintf(
                            err,
                            "aurora-backupctl: restore --snapshot: --time and --latest are for --cluster\n");
                        return -EINVAL;
                }
                if (a->cluster && !!a->time == a->latest) {
                        fprintf(
                            err,
                            "aurora-backupctl: restore --cluster: give either --time ISO8601 or --latest\n");
                        return -EINVAL;
                }
                int64_t t;
                if (a->time && time_parse_iso8601(a->time, &t) < 0) {
                        fprintf(err,
                                "aurora-backupctl: --time '%s': not an ISO 8601 UTC time such as "
                                "2026-11-24T02:15:00Z\n",
                                a->time);
                        return -EINVAL;
                }
        }
        if (restore || export) {
                add(&r, j, "snapshot", a->snapshot);
                add(&r, j, "cluster", a->cluster);
                add(&r, j, "new_cluster", a->new_cluster);
                add(&r, j, "time", a->time);
                add(&r, j, "instance_class", a->instance_class);
                if (a->latest)
                        ctl_json_add_bool(&r, j, "latest", 1);
                if (a->no_wait)
                        ctl_json_add_bool(&r, j, "no_wait", 1);
                return r;
        }
        if (streq(verb, "ping"))
                return 0;
        if (!a->target) {
                fprintf(err, "aurora-backupctl: %s: which %s?\n", verb,
                        streq(verb, "snapshot")        ? "cluster"
                        : streq(verb, "cancel-export") ? "export task"
                                                       : "snapshot");
                return -EINVAL;
        }
        const char *key = streq(verb, "snapshot")        ? "cluster"
                          : streq(verb, "cancel-export") ? "task"
                                                         : "snapshot";
        add(&r, j, key, a->target);
        return r;
}

/* Why a call to the agent failed, for the operator. */
static int call_failed(int r, const char *path, FILE *err)
{
        if (r == -ENOENT || r == -ECONNREFUSED)
                fprintf(
                    err,
                    "aurora-backupctl: no agent is running: nothing listens on %s (is aurora-backup-agent "
                    "started?)\n",
                    path);
        else if (r == -EACCES || r == -EPERM)
                fprintf(
                    err,
                    "aurora-backupctl: permission denied on %s: run as root or as a member of the agent's "
                    "control group (agent.control_group)\n",
                    path);
        else if (r == -ETIMEDOUT)
                fprintf(
                    err,
                    "aurora-backupctl: no answer from the agent within %llu s; it goes on with the request: "
                    "see aurora-backupctl history\n",
                    CTL_CONTROL_TIMEOUT_USEC / 1000000ULL);
        else
                fprintf(err, "aurora-backupctl: talking to the agent on %s failed: %s\n", path,
                        strerror(-r));
        return EXIT_FAILED;
}

static const char *reply_string(struct json_object *reply, const char *key)
{
        struct json_object *v;
        return json_object_object_get_ex(reply, key, &v) && json_object_is_type(v, json_type_string)
                   ? json_object_get_string(v)
                   : NULL;
}

static int64_t reply_int(struct json_object *reply, const char *key)
{
        struct json_object *v;
        return json_object_object_get_ex(reply, key, &v) ? json_object_get_int64(v) : 0;
}

/* The restore is accepted: ask the agent where it stands every second, one line per change of phase, until
 * it is done or failed. Interrupting this stops the waiting, not the restore (the agent carries it out). */
static int restore_wait(const struct ctl_options *o, const char *path, const char *new_cluster,
                        const char *accepted, FILE *out, FILE *err)
{
        _cleanup_free_ char *last = NULL;
        int r;

        if (!o->json) {
                fprintf(out, "%s\n", accepted);
                fprintf(
                    out,
                    "Waiting for the primary instance to be the writer (interrupting this does not stop the "
                    "restore: aurora-backupctl status shows it)\n");
                fflush(out);
        }
        for (;;) {
                _cleanup_(json_object_putp) struct json_object *args = json_object_new_object(),
                                                               *reply = NULL;
                r = args ? 0 : -ENOMEM;
                ctl_json_add_string(&r, args, "new_cluster", new_cluster);
                if (r < 0)
                        return EXIT_FAILED;
                r = control_client_call(path, "restore-status", args, CTL_CONTROL_TIMEOUT_USEC, &reply);
                if (r < 0)
                        return call_failed(r, path, err);
                const char *state = reply_string(reply, "state"), *phase = reply_string(reply, "phase");
                int64_t elapsed = reply_int(reply, "elapsed_sec");
                bool done = streq_ptr(state, "done");
                bool over = done || !state || (!streq(state, "recorded") && !streq(state, "started"));
                if (!o->json && phase && !streq_ptr(phase, last)) {
                        fprintf(out, "%5" PRIi64 "s  %s\n", elapsed, phase);
                        fflush(out);
                        free(last);
                        last = strdup(phase);
                }
                if (over && o->json) {
                        (void)ctl_json_print(out, reply);
                        return done ? EXIT_OK : EXIT_FAILED;
                }
                if (done) {
                        const char *endpoint = reply_string(reply, "endpoint");
                        fprintf(out,
                                "Restored: new cluster %s, writer %s, endpoint %s port %" PRIi64
                                ", time to restore %" PRIi64 "s\n",
                                new_cluster, strna(reply_string(reply, "writer")),
                                endpoint ? endpoint : "(not known)", reply_int(reply, "port"),
                                reply_int(reply, "time_to_restore_sec"));
                        return EXIT_OK;
                }
                if (over) {
                        fprintf(err, "aurora-backupctl: %s\n", strna(reply_string(reply, "message")));
                        return EXIT_FAILED;
                }
                (void)nanosleep(&(struct timespec){.tv_nsec = CTL_RESTORE_POLL_NSEC - 1}, NULL);
        }
}

int ctl_control(const struct ctl_options *o, const char *verb, const struct ctl_control_args *args,
                FILE *out, FILE *err)
{
        _cleanup_(json_object_putp) struct json_object *j = json_object_new_object(), *reply = NULL;
        _cleanup_free_ char *path = NULL;
        struct json_object *v;
        int r;

        if (!j)
                return EXIT_FAILED;
        r = build_args(verb, args, j, err);
        if (r == -EINVAL)
                return EXIT_USAGE;
        if (r < 0)
                return EXIT_FAILED;
        r = socket_path(o, args, &path, err);
        if (r < 0)
                return r == -EINVAL ? EXIT_USAGE : EXIT_FAILED;

        r = control_client_call(path, verb, j, CTL_CONTROL_TIMEOUT_USEC, &reply);
        if (r < 0)
                return call_failed(r, path, err);
        int status = json_object_object_get_ex(reply, "status", &v) ? json_object_get_int(v) : EXIT_FAILED;
        const char *message =
            json_object_object_get_ex(reply, "message", &v) ? json_object_get_string(v) : "";
        if (status < 0 || status > EXIT_USAGE)
                status = EXIT_FAILED;
        if (status == EXIT_OK && streq(verb, "restore") && !args->no_wait)
                return restore_wait(o, path, args->new_cluster, message, out, err);
        if (o->json)
                (void)ctl_json_print(out, reply);
        else if (status == EXIT_OK)
                fprintf(out, "%s\n", message);
        else
                fprintf(err, "aurora-backupctl: %s\n", message);
        return status;
}
