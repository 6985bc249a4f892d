/* Process hardening (see harden.h). */
#include "harden.h"

#include <errno.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "macro.h"

int harden_process(void)
{
        /* The unit's SystemCallFilter refuses setrlimit (@resources): LimitCORE=0 already holds there. */
        (void)setrlimit(RLIMIT_CORE, &(struct rlimit){0, 0});
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                return negative_errno();
        return 0;
}
