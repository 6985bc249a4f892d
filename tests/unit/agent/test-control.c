/* The control socket's credential rule and its dispatch of unknown or malformed requests. */
#include <string.h>

#include "agent-internal.h"
#include "control.h"
#include "test-helpers.h"
#include "test-suite.h"

TEST_FILE("control");

TEST(control_peer_allowed_is_root_own_user_or_group_member)
{
        const gid_t groups[] = {100, 4242};

        ck_assert(control_peer_allowed(0, 0, NULL, 0, 999, 4242, true));
        ck_assert(control_peer_allowed(999, 999, NULL, 0, 999, 4242, true));
        ck_assert(control_peer_allowed(1000, 4242, NULL, 0, 999, 4242, true));   /* primary group */
        ck_assert(control_peer_allowed(1000, 1000, groups, 2, 999, 4242, true)); /* supplementary */
        ck_assert(!control_peer_allowed(1000, 1000, groups, 1, 999, 4242, true));
        /* No such group on this host: only root and the agent's user. */
        ck_assert(!control_peer_allowed(1000, 4242, groups, 2, 999, 0, false));
}

TEST(control_dispatch_refuses_an_unknown_command_as_usage)
{
        struct control_reply reply = {};
        struct control_request q = {.command = "run-now"};

        ck_assert_int_eq(control_dispatch(NULL, &q, &reply), 0);
        ck_assert_int_eq(reply.status, CONTROL_USAGE);
        ck_assert_ptr_nonnull(strstr(reply.message, "unknown command 'run-now'"));
        control_reply_done(&reply);
}
