/* Running restore_test.probe_command. The probe is a stranger to the agent's secrets: it gets a clean
 * environment (no AWS credentials), no descriptor but 0-2 (no AWS connection, no state file), and its
 * own process group, killed whole at the timeout and whatever it leaves behind when it exits. */
#include "restore-probe.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <systemd/sd-event.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "notify.h"
#include "strv.h"
#include "task.h"

/* PATH when the agent has none (systemd always sets one). */
#define PROBE_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
/* Where close_range(2) is refused (an old kernel, a seccomp filter), descriptors up to this are closed. */
#define PROBE_FD_SCAN_MAX 65536

/* Built before fork(): the child only calls async-signal-safe functions. */
static int probe_env_build(const struct restore_probe_env *env, char ***ret)
{
        _cleanup_strv_free_ char **l = NULL;
        char port[16];
        int r;

        snprintf(port, sizeof(port), "%u", env->port);
        if ((r = strv_extend_assignment(&l, "PATH", getenv("PATH") ?: PROBE_DEFAULT_PATH)) < 0 ||
            (r = strv_extend_assignment(&l, "HOME", getenv("HOME"))) < 0 ||
            (r = strv_extend_assignment(&l, "LANG", getenv("LANG"))) < 0 ||
            (r = strv_extend_assignment(&l, "AURORA_RESTORE_CLUSTER", env->cluster)) < 0 ||
            (r = strv_extend_assignment(&l, "AURORA_RESTORE_INSTANCE", env->instance)) < 0 ||
            (r = strv_extend_assignment(&l, "AURORA_RESTORE_ENDPOINT", env->endpoint)) < 0 ||
            (r = strv_extend_assignment(&l, "AURORA_RESTORE_PORT", env->port ? port : NULL)) < 0 ||
            (r = strv_extend_assignment(&l, "AURORA_RESTORE_ENGINE", env->engine)) < 0 ||
            (r = strv_extend_assignment(&l, "AURORA_SOURCE_CLUSTER", env->source)) < 0 ||
            (r = strv_extend_assignment(&l, "AURORA_SOURCE_SNAPSHOT", env->snapshot)) < 0 ||
            (r = strv_extend_assignment(&l, "AURORA_REGION", env->region)) < 0)
                return r;
        *ret = TAKE_PTR(l);
        return 0;
}

/* In the child: every descriptor above stderr goes (curl's sockets, state.db, the state lock). */
static void close_from_3(void)
{
        struct rlimit rl;
        int max = PROBE_FD_SCAN_MAX;

#ifdef SYS_close_range
        if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0)
                return;
#endif
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)max)
                max = (int)rl.rlim_cur;
        for (int fd = 3; fd < max; fd++)
                (void)close(fd);
}

static _Noreturn void probe_exec(const char *command, char *const envp[])
{
        sigset_t none;
        int null;

        /* Its own process group, so that a timeout kills all it started (the parent sets it too). */
        (void)setpgid(0, 0);
        null = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (null > STDIN_FILENO)
                (void)dup2(null, STDIN_FILENO);
        else if (null == STDIN_FILENO)
                (void)fcntl(null, F_SETFD, 0);
        close_from_3();
        /* The daemon blocks signals for sd-event and ignores some: the probe starts with defaults. */
        for (int sig = 1; sig < NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        (void)signal(sig, SIG_DFL);
        sigemptyset(&none);
        (void)sigprocmask(SIG_SETMASK, &none, NULL);
        execve("/bin/sh", (char *const[]){(char *)"sh", (char *)"-c", (char *)command, NULL}, envp);
        _exit(127);
}

/* Kills the probe's group and reaps it: the timeout. */
static int probe_kill(pid_t pid, int *status)
{
        (void)kill(-pid, SIGKILL);
        (void)kill(pid, SIGKILL);
        while (waitpid(pid, status, 0) < 0)
                if (errno != EINTR)
                        return negative_errno();
        return 0;
}

/* Outside the loop (aurora-backupctl): polls, pinging the watchdog. */
static int probe_wait_blocking(pid_t pid, int64_t timeout_sec, int *status)
{
        struct timespec start, now;

        clock_gettime(CLOCK_MONOTONIC, &start);
        for (;;) {
                pid_t w = waitpid(pid, status, WNOHANG);
                if (w == pid)
                        return 0;
                if (w < 0 && errno != EINTR)
                        return negative_errno();
                clock_gettime(CLOCK_MONOTONIC, &now);
                if (now.tv_sec - start.tv_sec >= timeout_sec) {
                        int r = probe_kill(pid, status);
                        return r < 0 ? r : 0;
                }
                (void)notify_watchdog(); /* a slow probe is not a wedged agent */
                (void)usleep(100 * 1000);
        }
}

struct probe_wait {
        struct task *task;
        bool exited;
        int status;
};

static int on_probe_exit(sd_event_source *s, const siginfo_t *si, void *userdata)
{
        struct probe_wait *w = userdata;

        (void)s;
        w->exited = true;
        if (si->si_code == CLD_EXITED)
                w->status = W_EXITCODE(si->si_status, 0);
        else
                w->status = si->si_status & 0x7f; /* killed or dumped: WIFSIGNALED, WTERMSIG */
        task_wake(w->task);
        return 0; /* sd-event reaps it */
}

/* In the daemon: a child source and a timer, the task suspended in between; the loop runs on. */
static int probe_wait_task(pid_t pid, int64_t timeout_sec, int *status)
{
        struct probe_wait w = {.task = task_current()};
        struct task_timer timeout = {};
        sd_event_source *child = NULL;
        int r;

        r = sd_event_add_child(task_event(), &child, pid, WEXITED, on_probe_exit, &w);
        if (r >= 0)
                r = task_timer_start(&timeout, (uint64_t)timeout_sec * 1000000ULL);
        if (r < 0) {
                /* Not watched: it must not outlive the drill. */
                task_timer_stop(&timeout);
                sd_event_source_disable_unref(child);
                (void)probe_kill(pid, status);
                return r;
        }
        while (!w.exited && !timeout.elapsed)
                task_suspend();
        task_timer_stop(&timeout);
        sd_event_source_disable_unref(child);
        if (!w.exited)
                return probe_kill(pid, status);
        *status = w.status;
        return 0;
}

int restore_probe_run(const char *command, const struct restore_probe_env *env, int64_t timeout_sec)
{
        _cleanup_strv_free_ char **envp = NULL;
        int status = 0, r;
        pid_t pid;

        r = probe_env_build(env, &envp);
        if (r < 0)
                return r;
        pid = fork();
        if (pid < 0)
                return negative_errno();
        if (pid == 0)
                probe_exec(command, envp);
        envp = strv_free(envp);
        /* Also here: the group must exist before a timeout can kill it, whichever process runs first. */
        (void)setpgid(pid, pid);

        r = task_current() ? probe_wait_task(pid, timeout_sec, &status)
                           : probe_wait_blocking(pid, timeout_sec, &status);
        if (r < 0)
                return r;
        /* What the probe left running in its group goes too. Its number cannot have been reused: a
         * process group keeps its ID allocated while any member lives (ESRCH when none does). */
        (void)kill(-pid, SIGKILL);
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}
