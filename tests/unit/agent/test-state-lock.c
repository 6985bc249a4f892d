/* One agent per state directory: the lock refuses a second taker and names the holder's PID. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "state-lock.h"
#include "test-helpers.h"
#include "test-suite.h"

TEST_FILE("state-lock", .unchecked_setup = test_tmp_base_setup,
          .unchecked_teardown = test_tmp_base_teardown);

TEST(second_taker_gets_ebusy_and_the_holders_pid)
{
        char dir[PATH_MAX];
        _cleanup_close_ int fd = -1;
        int fd2 = -1;
        pid_t holder = -1;

        test_tmp_dir(dir, sizeof(dir));
        ck_assert_int_eq(state_lock_acquire(dir, &fd, &holder), 0);
        /* flock belongs to the open file description: a second open conflicts even in one process. */
        ck_assert_int_eq(state_lock_acquire(dir, &fd2, &holder), -EBUSY);
        ck_assert_int_eq(fd2, -1);
        ck_assert_int_eq(holder, getpid());
}

TEST(closing_the_descriptor_releases_the_lock)
{
        char dir[PATH_MAX];
        int fd = -1;
        pid_t holder = 0;

        test_tmp_dir(dir, sizeof(dir));
        ck_assert_int_eq(state_lock_acquire(dir, &fd, &holder), 0);
        close(fd);
        ck_assert_int_eq(state_lock_acquire(dir, &fd, &holder), 0);
        close(fd);
}

TEST(lock_left_by_a_dead_agent_is_taken_and_rewritten)
{
        char dir[PATH_MAX], path[PATH_MAX + 8], buf[32] = "";
        _cleanup_close_ int fd = -1;
        pid_t holder = 0;
        FILE *f;

        test_tmp_dir(dir, sizeof(dir));
        snprintf(path, sizeof(path), "%s/.lock", dir);
        f = fopen(path, "we");
        ck_assert_ptr_nonnull(f);
        fputs("999999999\n", f); /* longer than our PID: the rewrite must truncate */
        fclose(f);
        ck_assert_int_eq(state_lock_acquire(dir, &fd, &holder), 0);
        ck_assert_int_gt(pread(fd, buf, sizeof(buf) - 1, 0), 0);
        ck_assert_int_eq(atoi(buf), getpid());
        ck_assert_ptr_nonnull(strchr(buf, '\n'));
        ck_assert_ptr_null(strchr(strchr(buf, '\n') + 1, '9'));
}

TEST(lock_file_is_0600_under_umask_022_and_close_on_exec)
{
        char dir[PATH_MAX], path[PATH_MAX + 8];
        _cleanup_close_ int fd = -1;
        pid_t holder = 0;
        struct stat st;

        umask(022);
        test_tmp_dir(dir, sizeof(dir));
        ck_assert_int_eq(state_lock_acquire(dir, &fd, &holder), 0);
        snprintf(path, sizeof(path), "%s/.lock", dir);
        ck_assert_int_eq(stat(path, &st), 0);
        ck_assert_uint_eq(st.st_mode & 07777, 0600);
        ck_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
}

TEST(missing_directory_is_an_error_not_a_lock)
{
        int fd = -1;
        pid_t holder = 0;

        ck_assert_int_eq(state_lock_acquire("/nonexistent/aba-state", &fd, &holder), -ENOENT);
        ck_assert_int_eq(fd, -1);
}
