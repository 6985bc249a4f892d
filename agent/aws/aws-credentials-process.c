/* credential_process: run the program a profile names (no shell), read its JSON answer within a time and
 * size bound, and never let its standard error reach a log. */
#include "aws-credentials-process.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <openssl/crypto.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "strv.h"
#include "time-util.h"

#define PROCESS_MAX_ARGS 256

extern char **environ;

static bool is_blank(char c)
{
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int aws_credentials_process_split(const char *command, char ***ret)
{
        _cleanup_strv_free_ char **argv = NULL;
        size_t n_args = 0;
        const char *p = command;

        for (;;) {
                while (is_blank(*p))
                        p++;
                if (*p == '\0')
                        break;
                if (++n_args > PROCESS_MAX_ARGS)
                        return -E2BIG;
                _cleanup_free_ char *word = malloc(strlen(p) + 1);
                size_t n = 0;
                if (!word)
                        return -ENOMEM;
                while (*p && !is_blank(*p)) {
                        if (*p == '\'') {
                                for (p++; *p && *p != '\''; p++)
                                        word[n++] = *p;
                                if (*p != '\'')
                                        return -EINVAL;
                                p++;
                        } else if (*p == '"') {
                                for (p++; *p && *p != '"'; p++) {
                                        if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
                                                p++;
                                        word[n++] = *p;
                                }
                                if (*p != '"')
                                        return -EINVAL;
                                p++;
                        } else if (*p == '\\') {
                                if (p[1] == '\0')
                                        return -EINVAL;
                                word[n++] = p[1];
                                p += 2;
                        } else
                                word[n++] = *p++;
                }
                word[n] = '\0';
                if (strv_push(&argv, word) < 0)
                        return -ENOMEM;
                word = NULL; /* owned by argv now */
        }
        if (!argv)
                return -EINVAL;
        *ret = TAKE_PTR(argv);
        return 0;
}

static const char *json_string(json_object *o, const char *key)
{
        json_object *v;
        if (json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string))
                return json_object_get_string(v);
        return NULL;
}

int aws_credentials_process_parse(const char *json, size_t len, struct aws_credentials *ret,
                                  struct aws_error *e)
{
        json_tokener *tok = json_tokener_new();
        json_object *o = tok && len < INT32_MAX ? json_tokener_parse_ex(tok, json, (int)len) : NULL;
        json_object *version = NULL;
        int64_t exp = 0;
        int r;

        json_tokener_free(tok);
        if (!o || !json_object_is_type(o, json_type_object)) {
                r = aws_error_set(e, -EBADMSG, AWS_ERROR_CREDENTIALS, "CredentialProcessOutput",
                                  "credential_process output is not a JSON object");
                goto finish;
        }
        if (!json_object_object_get_ex(o, "Version", &version) ||
            !json_object_is_type(version, json_type_int) || json_object_get_int64(version) != 1) {
                r = aws_error_set(e, -EBADMSG, AWS_ERROR_CREDENTIALS, "CredentialProcessOutput",
                                  "credential_process output lacks \"Version\": 1");
                goto finish;
        }
        const char *akid = json_string(o, "AccessKeyId"), *secret = json_string(o, "SecretAccessKey"),
                   *token = json_string(o, "SessionToken"), *expiration = json_string(o, "Expiration");
        if (isempty(akid) || isempty(secret)) {
                r = aws_error_set(e, -EBADMSG, AWS_ERROR_CREDENTIALS, "CredentialProcessOutput",
                                  "credential_process output lacks AccessKeyId or SecretAccessKey");
                goto finish;
        }
        if (expiration && time_parse_iso8601(expiration, &exp) < 0) {
                r = aws_error_set(
                    e, -EBADMSG, AWS_ERROR_CREDENTIALS, "CredentialProcessOutput",
                    "credential_process output has an Expiration that is not an ISO 8601 time");
                goto finish;
        }
        struct aws_credentials in = {
            .access_key_id = (char *)akid,
            .secret_access_key = (char *)secret,
            .session_token = isempty(token) ? NULL : (char *)token,
            .expiration = exp,
            .source = "process",
        };
        r = aws_credentials_copy(&in, ret);
        if (r < 0)
                r = aws_error_set(e, r, AWS_ERROR_CREDENTIALS, "OutOfMemory", "out of memory");
finish:
        json_object_put(o); /* json-c does not wipe: the strings were only in its heap */
        return r;
}

static int close_fd(int fd)
{
        if (fd >= 0)
                close(fd);
        return -1;
}

static int64_t now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for `pid` to exit until `deadline` (CLOCK_MONOTONIC ms). Returns 1 with its status, 0 if it is
 * still running at the deadline, negative errno. A pidfd is polled where the kernel has them; else the
 * child is looked at every 10 ms (bounded by the deadline all the same). */
static int wait_until(pid_t pid, int64_t deadline, int *ret_status)
{
        _cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        for (;;) {
                pid_t w = waitpid(pid, ret_status, WNOHANG);
                if (w == pid)
                        return 1;
                if (w < 0 && errno != EINTR)
                        return -errno;
                int64_t left = deadline - now_ms();
                if (left <= 0)
                        return 0;
                if (pidfd >= 0) {
                        struct pollfd pf = {.fd = pidfd, .events = POLLIN};
                        (void)poll(&pf, 1, (int)MIN(left, (int64_t)INT32_MAX));
                } else {
                        struct timespec ts = {.tv_nsec = MIN(left, (int64_t)10) * 1000000L};
                        (void)nanosleep(&ts, NULL);
                }
        }
}

int aws_credentials_process_run(const char *command, unsigned timeout_ms, struct aws_credentials *ret,
                                struct aws_error *e)
{
        _cleanup_strv_free_ char **argv = NULL;
        _cleanup_close_ int out_r = -1, err_r = -1;
        int out_w = -1, err_w = -1, status = 0;
        char *out = NULL;
        size_t out_len = 0, err_len = 0;
        bool too_large = false;
        posix_spawn_file_actions_t fa;
        posix_spawnattr_t attr;
        sigset_t none, all;
        pid_t pid = 0;
        int r;

        r = aws_credentials_process_split(command, &argv);
        if (r < 0)
                return aws_error_set(
                    e, r, AWS_ERROR_CREDENTIALS, "CredentialProcessInvalid",
                    "credential_process is not a valid command (empty, an unterminated quote "
                    "or a trailing backslash)");
        const char *prog = argv[0];
        timeout_ms = timeout_ms ?: AWS_CREDENTIALS_PROCESS_TIMEOUT_MS;
        int64_t deadline = now_ms() + timeout_ms;

        out = malloc(AWS_CREDENTIALS_PROCESS_MAX_OUTPUT + 1);
        if (!out)
                return aws_error_set(e, -ENOMEM, AWS_ERROR_CREDENTIALS, "OutOfMemory", "out of memory");
        int p1[2], p2[2];
        if (pipe2(p1, O_CLOEXEC) < 0) {
                r = aws_error_set(e, -errno, AWS_ERROR_CREDENTIALS, "CredentialProcessFailed",
                                  "cannot make a pipe for credential_process: %s", strerror(errno));
                goto finish;
        }
        out_r = p1[0], out_w = p1[1];
        if (pipe2(p2, O_CLOEXEC) < 0) {
                r = aws_error_set(e, -errno, AWS_ERROR_CREDENTIALS, "CredentialProcessFailed",
                                  "cannot make a pipe for credential_process: %s", strerror(errno));
                goto finish;
        }
        err_r = p2[0], err_w = p2[1];

        /* The agent blocks the signals sd-event handles: the program must start with none blocked. */
        sigemptyset(&none);
        sigfillset(&all);
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_adddup2(&fa, out_w, STDOUT_FILENO);
        posix_spawn_file_actions_adddup2(&fa, err_w, STDERR_FILENO);
        posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1);
        posix_spawnattr_init(&attr);
        posix_spawnattr_setsigmask(&attr, &none);
        posix_spawnattr_setsigdefault(&attr, &all);
        posix_spawnattr_setpgroup(&attr, 0); /* its own group: a timeout kills its children too */
        posix_spawnattr_setflags(&attr,
                                 POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
        r = -posix_spawnp(&pid, prog, &fa, &attr, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&attr);
        close(out_w);
        close(err_w);
        out_w = err_w = -1;
        if (r < 0) {
                r = aws_error_set(e, r, AWS_ERROR_CREDENTIALS, "CredentialProcessFailed",
                                  "credential_process %s cannot be run: %s", prog, strerror(-r));
                goto finish;
        }

        /* Read both pipes to their end (or the deadline): stdout kept up to the cap, stderr counted and
         * dropped, so that a chatty program never blocks on a full pipe. */
        while (out_r >= 0 || err_r >= 0) {
                int64_t left = deadline - now_ms();
                if (left <= 0)
                        break;
                struct pollfd pf[2] = {{.fd = out_r, .events = POLLIN}, {.fd = err_r, .events = POLLIN}};
                if (poll(pf, 2, (int)MIN(left, (int64_t)INT32_MAX)) < 0) {
                        if (errno == EINTR)
                                continue;
                        r = aws_error_set(e, -errno, AWS_ERROR_CREDENTIALS, "CredentialProcessFailed",
                                          "cannot read credential_process output: %s", strerror(errno));
                        goto finish;
                }
                if (pf[0].revents) {
                        ssize_t k =
                            read(out_r, out + out_len, AWS_CREDENTIALS_PROCESS_MAX_OUTPUT + 1 - out_len);
                        if (k > 0)
                                out_len += (size_t)k;
                        else if (k == 0 || errno != EINTR)
                                out_r = close_fd(out_r);
                        if (out_len > AWS_CREDENTIALS_PROCESS_MAX_OUTPUT) {
                                too_large = true;
                                break;
                        }
                }
                if (pf[1].revents) {
                        char scratch[4096];
                        ssize_t k = read(err_r, scratch, sizeof(scratch));
                        if (k > 0) {
                                err_len += (size_t)k;
                                OPENSSL_cleanse(scratch, (size_t)k);
                        } else if (k == 0 || errno != EINTR)
                                err_r = close_fd(err_r);
                }
        }
        r = too_large ? 0 : wait_until(pid, deadline, &status);
        if (r <= 0) {
                /* Past the deadline, too much output, or waitpid failed: the group goes. */
                (void)kill(-pid, SIGKILL);
                (void)kill(pid, SIGKILL);
                while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                        ;
                if (too_large)
                        r = aws_error_set(e, -EFBIG, AWS_ERROR_CREDENTIALS, "CredentialProcessOutput",
                                          "credential_process %s wrote more than %d bytes; killed", prog,
                                          AWS_CREDENTIALS_PROCESS_MAX_OUTPUT);
                else if (r == 0)
                        r = aws_error_set(e, -ETIME, AWS_ERROR_CREDENTIALS, "CredentialProcessTimeout",
                                          "credential_process %s did not finish within %u ms; killed", prog,
                                          timeout_ms);
                else
                        r = aws_error_set(e, r, AWS_ERROR_CREDENTIALS, "CredentialProcessFailed",
                                          "cannot wait for credential_process %s: %s", prog, strerror(-r));
                goto finish;
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                char how[64];
                if (WIFEXITED(status))
                        snprintf(how, sizeof(how), "exited with status %d", WEXITSTATUS(status));
                else
                        snprintf(how, sizeof(how), "was killed by signal %d",
                                 WIFSIGNALED(status) ? WTERMSIG(status) : 0);
                r = aws_error_set(
                    e, -EIO, AWS_ERROR_CREDENTIALS, "CredentialProcessFailed",
                    "credential_process %s %s (its standard error, %zu bytes, is not shown: it may "
                    "hold secrets)",
                    prog, how, err_len);
                goto finish;
        }
        out[out_len] = '\0';
        r = aws_credentials_process_parse(out, out_len, ret, e);
        if (r >= 0)
                r = 1;
finish:
        if (out_w >= 0)
                close(out_w);
        if (err_w >= 0)
                close(err_w);
        if (out) {
                OPENSSL_cleanse(out, AWS_CREDENTIALS_PROCESS_MAX_OUTPUT + 1);
                free(out);
        }
        return r;
}
