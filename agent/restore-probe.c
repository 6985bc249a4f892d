/* Running restore_test.probe_command. */
#include "restore-probe.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "notify.h"

static void set_env(const char *key, const char *value)
{
        if (value)
                setenv(key, value, 1);
        else
                unsetenv(key);
}

int restore_probe_run(const char *command, const struct restore_probe_env *env, int64_t timeout_sec)
{
        struct timespec start, now;
        int status;
        pid_t pid;

        clock_gettime(CLOCK_MONOTONIC, &start);
        pid = fork();
        if (pid < 0)
                return negative_errno();
        if (pid == 0) {
                char port[16];
                int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

                /* The probe gets its own process group, so that a timeout kills all it started. */
                (void)setpgid(0, 0);
                if (null >= 0)
                        (void)dup2(null, STDIN_FILENO);
                set_env("AURORA_RESTORE_CLUSTER", env->cluster);
                set_env("AURORA_RESTORE_INSTANCE", env->instance);
                set_env("AURORA_RESTORE_ENDPOINT", env->endpoint);
                snprintf(port, sizeof(port), "%u", env->port);
                set_env("AURORA_RESTORE_PORT", env->port ? port : NULL);
                set_env("AURORA_RESTORE_ENGINE", env->engine);
                set_env("AURORA_SOURCE_CLUSTER", env->source);
                set_env("AURORA_SOURCE_SNAPSHOT", env->snapshot);
                set_env("AURORA_REGION", env->region);
                /* The daemon blocks these for sd-event; the probe starts with a clean mask. */
                sigset_t none;
                sigemptyset(&none);
                (void)sigprocmask(SIG_SETMASK, &none, NULL);
                execl("/bin/sh", "sh", "-c", command, (char *)NULL);
                _exit(127);
        }

        for (;;) {
                pid_t w = waitpid(pid, &status, WNOHANG);
                if (w == pid)
                        break;
                if (w < 0 && errno != EINTR)
                        return negative_errno();
                clock_gettime(CLOCK_MONOTONIC, &now);
                if (now.tv_sec - start.tv_sec >= timeout_sec) {
                        (void)kill(-pid, SIGKILL);
                        (void)kill(pid, SIGKILL);
                        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                                ;
                        return 128 + SIGKILL;
                }
                (void)notify_watchdog(); /* a slow probe is not a wedged agent */
                (void)usleep(100 * 1000);
        }
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}
