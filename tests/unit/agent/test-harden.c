/* Process hardening: after harden_process() no core dump can hold the credentials. */
#include <sys/prctl.h>
#include <sys/resource.h>

#include "harden.h"
#include "test-suite.h"

/* Each test runs in its own forked process (CK_FORK): the hardening does not leak out. */
TEST_FILE("harden");

TEST(hardened_process_is_not_dumpable_and_has_no_core_limit)
{
        struct rlimit rl;

        ck_assert_int_eq(harden_process(), 0);
        ck_assert_int_eq(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
        ck_assert_int_eq(getrlimit(RLIMIT_CORE, &rl), 0);
        ck_assert_uint_eq(rl.rlim_cur, 0);
}
