/* One agent per state directory: an exclusive flock(2) on `<dir>/.lock`, held for the agent's life, the
 * holder's PID written into it so that a second agent can say who holds it. Readers never take it. */
#pragma once

#include <sys/types.h>

#define STATE_LOCK_FILE_NAME ".lock"

/* Take the lock of `dir` (which must exist), creating the lock file 0600. Returns 0 and the open, locked
 * descriptor (close it to release the lock; it is close-on-exec, so no child keeps it), or -EBUSY with
 * *ret_holder set to the holder's PID (0 when it could not be read), or another negative errno. */
int state_lock_acquire(const char *dir, int *ret_fd, pid_t *ret_holder);
