/* The restore probe is a stranger: a clean environment, no descriptor but 0-2, its own process group,
 * killed whole at the timeout and when it exits. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macro.h"
#include "restore-probe.h"
#include "test-helpers.h"
#include "test-suite.h"

TEST_FILE("restore-probe", .unchecked_setup = test_tmp_base_setup,
          .unchecked_teardown = test_tmp_base_teardown);

static const struct restore_probe_env probe_env = {
    .cluster = "aba-rt-db-a-20240101",
    .instance = "aba-rt-db-a-20240101-1",
    .endpoint = "aba-rt-db-a.cluster-x.us-east-1.rds.amazonaws.com",
    .port = 5432,
    .engine = "aurora-postgresql",
    .source = "db-a",
    .snapshot = "aba-db-a-20231231t2200z",
    .region = "us-east-1",
};

/* A file in a fresh directory for the probe to write. */
static const char *probe_out(char *out, size_t size)
{
        char dir[PATH_MAX];

        test_tmp_dir(dir, sizeof(dir));
        ck_assert_int_lt(snprintf(out, size, "%s/out", dir), (int)size);
        return out;
}

/* Run the probe command `fmt` (a literal; %s is the file `out`). */
#define RUN_PROBE(fmt, out, timeout)                                                                        \
        ({                                                                                                  \
                char _cmd[PATH_MAX * 2];                                                                    \
                ck_assert_int_lt(snprintf(_cmd, sizeof(_cmd), fmt, probe_out(out, sizeof(out))),            \
                                 (int)sizeof(_cmd));                                                        \
                restore_probe_run(_cmd, &probe_env, timeout);                                               \
        })

static char *read_file(const char *path)
{
        FILE *f = fopen(path, "re");
        char *buf = calloc(1, 65536);
        ck_assert_ptr_nonnull(f);
        ck_assert_ptr_nonnull(buf);
        ck_assert_uint_lt(fread(buf, 1, 65535, f), 65535);
        fclose(f);
        return buf;
}

TEST(probe_environment_has_no_aws_credentials)
{
        /* Variables the shell adds by itself. */
        static const char *const shell_own[] = {"PWD=", "OLDPWD=", "SHLVL=", "_=", NULL};
        static const char *const allowed[] = {"PATH=",
                                              "HOME=",
                                              "LANG=",
                                              "AURORA_RESTORE_CLUSTER=",
                                              "AURORA_RESTORE_INSTANCE=",
                                              "AURORA_RESTORE_ENDPOINT=",
                                              "AURORA_RESTORE_PORT=",
                                              "AURORA_RESTORE_ENGINE=",
                                              "AURORA_SOURCE_CLUSTER=",
                                              "AURORA_SOURCE_SNAPSHOT=",
                                              "AURORA_REGION=",
                                              NULL};
        char out[PATH_MAX];
        _cleanup_free_ char *env = NULL;

        setenv("AWS_ACCESS_KEY_ID", "AKIDPROBETEST", 1);
        setenv("AWS_SECRET_ACCESS_KEY", "probe-test-SECRET", 1);
        setenv("AWS_SESSION_TOKEN", "probe-test-TOKEN", 1);
        setenv("NOTIFY_SOCKET", "/nonexistent/notify", 1);
        setenv("LANG", "C.UTF-8", 1);
        ck_assert_int_eq(RUN_PROBE("env > %s", out, 30), 0);
        env = read_file(out);
        ck_assert_ptr_null(strstr(env, "probe-test-SECRET"));
        ck_assert_ptr_null(strstr(env, "probe-test-TOKEN"));
        for (char *line = strtok(env, "\n"); line; line = strtok(NULL, "\n")) {
                bool ok = false;
                for (const char *const *a = allowed; *a && !ok; a++)
                        ok = startswith(line, *a) != NULL;
                for (const char *const *a = shell_own; *a && !ok; a++)
                        ok = startswith(line, *a) != NULL;
                ck_assert_msg(ok, "the probe's environment has %s", line);
        }
}

TEST(probe_environment_has_path_lang_and_the_drill)
{
        char out[PATH_MAX];
        _cleanup_free_ char *env = NULL;

        setenv("LANG", "C.UTF-8", 1);
        ck_assert_int_eq(RUN_PROBE("env > %s", out, 30), 0);
        env = read_file(out);
        ck_assert_ptr_nonnull(strstr(env, "PATH="));
        ck_assert_ptr_nonnull(strstr(env, "LANG=C.UTF-8\n"));
        ck_assert_ptr_nonnull(strstr(env, "AURORA_RESTORE_CLUSTER=aba-rt-db-a-20240101\n"));
        ck_assert_ptr_nonnull(strstr(env, "AURORA_RESTORE_PORT=5432\n"));
        ck_assert_ptr_nonnull(strstr(env, "AURORA_REGION=us-east-1\n"));
}

TEST(probe_inherits_no_descriptor_beyond_stderr)
{
        char out[PATH_MAX];
        _cleanup_free_ char *fds = NULL;
        int sv[2];

        /* Like curl's socketpair and a kept-alive connection: not close-on-exec. */
        ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
        ck_assert_int_eq(RUN_PROBE("ls -l /proc/self/fd > %s", out, 30), 0);
        fds = read_file(out);
        for (char *line = strtok(fds, "\n"); line; line = strtok(NULL, "\n")) {
                const char *arrow = strstr(line, " -> ");
                if (!arrow)
                        continue; /* "total 0" */
                int fd = -1;
                const char *p = arrow;
                while (p > line && p[-1] != ' ')
                        p--;
                fd = atoi(p);
                if (fd <= 2)
                        continue;
                /* ls's own handle on the directory it lists is the only other one. */
                ck_assert_msg(startswith(arrow + 4, "/proc/") && strstr(arrow, "/fd"),
                              "the probe inherited %s", line);
        }
        close(sv[0]);
        close(sv[1]);
}

TEST(probe_runs_in_its_own_process_group)
{
        char out[PATH_MAX];
        _cleanup_free_ char *text = NULL;
        long pid = 0, pgid = 0;

        ck_assert_int_eq(RUN_PROBE("echo $$ $(cut -d' ' -f5 /proc/$$/stat) > %s", out, 30), 0);
        text = read_file(out);
        ck_assert_int_eq(sscanf(text, "%ld %ld", &pid, &pgid), 2);
        ck_assert_int_eq(pgid, pid);
        ck_assert_int_ne(pgid, getpgrp());
}

/* The probe's background child: reaped here (we are the subreaper), killed by SIGKILL. */
static void assert_background_child_killed(const char *pidfile)
{
        _cleanup_free_ char *text = read_file(pidfile);
        pid_t bg = (pid_t)atoi(text);
        int status = 0;

        ck_assert_int_gt(bg, 0);
        ck_assert_int_eq(waitpid(bg, &status, 0), bg);
        ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "background child status %#x",
                      status);
}

TEST(probe_timeout_kills_its_whole_process_group)
{
        char out[PATH_MAX];

        ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
        ck_assert_int_eq(RUN_PROBE("sleep 60 & echo $! > %s; wait", out, 1), 128 + SIGKILL);
        assert_background_child_killed(out);
}

TEST(probe_leftovers_are_killed_when_it_exits)
{
        char out[PATH_MAX];

        ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
        ck_assert_int_eq(RUN_PROBE("sleep 60 & echo $! > %s; exit 3", out, 30), 3);
        assert_background_child_killed(out);
}
