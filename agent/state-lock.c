/* The state directory's lock (see state-lock.h). flock(2), not fcntl locks: it belongs to the open file
 * description, so sqlite closing its own descriptors of other files never drops it. */
#include "state-lock.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"

/* The PID the holder wrote, or 0 when the file holds none (the holder may not have written it yet). */
static pid_t read_holder(int fd)
{
        char buf[32];
        ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
        char *end;
        long v;

        if (n <= 0)
                return 0;
        buf[n] = '\0';
        errno = 0;
        v = strtol(buf, &end, 10);
        if (errno != 0 || end == buf || (*end != '\n' && *end != '\0') || v <= 0 || v > INT32_MAX)
                return 0;
        return (pid_t)v;
}

int state_lock_acquire(const char *dir, int *ret_fd, pid_t *ret_holder)
{
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *path = NULL;
        char pid[32];
        int n;

        if (!dir || !ret_fd || !ret_holder)
                return -EINVAL;
        if (asprintf(&path, "%s/" STATE_LOCK_FILE_NAME, dir) < 0) {
                path = NULL;
                return -ENOMEM;
        }
        /* 0600 whatever the umask: the umask can only take bits away. */
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
        if (fd < 0)
                return negative_errno();
        if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                if (errno == EWOULDBLOCK) {
                        *ret_holder = read_holder(fd);
                        return -EBUSY;
                }
                return negative_errno();
        }
        n = snprintf(pid, sizeof(pid), "%" PRIiMAX "\n", (intmax_t)getpid());
        if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)n, 0) != n)
                return negative_errno();
        *ret_fd = TAKE_FD(fd);
        return 0;
}
