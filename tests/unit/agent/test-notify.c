/* sd_notify wrapper: the exact messages a service manager receives, and silence outside systemd. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "notify.h"
#include "test-helpers.h"
#include "test-suite.h"

TEST_FILE("notify", .unchecked_setup = test_tmp_base_setup, .unchecked_teardown = test_tmp_base_teardown);

static int notify_fd = -1;

/* A datagram socket standing in for systemd's notify socket. */
static void listen_notify(void)
{
        char dir[PATH_MAX];
        struct sockaddr_un sa = {.sun_family = AF_UNIX};

        test_tmp_dir(dir, sizeof(dir));
        ck_assert_int_lt(snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/notify", dir),
                         (int)sizeof(sa.sun_path));
        notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        ck_assert_int_ge(notify_fd, 0);
        ck_assert_int_eq(bind(notify_fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
        ck_assert_int_eq(setenv("NOTIFY_SOCKET", sa.sun_path, 1), 0);
}

/* The next datagram; the sender has already returned, so it is queued (no waiting). */
static const char *received(void)
{
        static char buf[1024];
        ssize_t n = recv(notify_fd, buf, sizeof(buf) - 1, 0);

        ck_assert_int_gt(n, 0);
        buf[n] = '\0';
        return buf;
}

TEST(lifecycle_messages_reach_the_service_manager)
{
        const char *m;

        listen_notify();
        ck_assert_int_eq(notify_ready(), 1);
        ck_assert_str_eq(received(), "READY=1");
        ck_assert_int_eq(notify_reloading(), 1);
        m = received();
        ck_assert_ptr_nonnull(startswith(m, "RELOADING=1\nMONOTONIC_USEC="));
        ck_assert_int_gt(strtoull(m + strlen("RELOADING=1\nMONOTONIC_USEC="), NULL, 10), 0);
        ck_assert_int_eq(notify_watchdog(), 1);
        ck_assert_str_eq(received(), "WATCHDOG=1");
        ck_assert_int_eq(notify_stopping(), 1);
        ck_assert_str_eq(received(), "STOPPING=1");
        ck_assert_int_eq(notify_status("Reloading %s\nnow", "agent.conf"), 1);
        ck_assert_str_eq(received(), "STATUS=Reloading agent.conf now");
        close(notify_fd);
}

TEST(status_summary_names_slot_clusters_quota_and_last_error)
{
        _cleanup_free_ char *text = NULL;
        const struct notify_summary s = {
            .next_slot = 1700000000,
            .next_cluster = "db-a",
            .clusters = 12,
            .quota_used = 40,
            .quota_limit = 95,
            .last_error = "Throttling: Rate exceeded",
        };
        const struct notify_summary idle = {.clusters = 1};

        ck_assert_int_eq(notify_format_summary(&s, &text), 0);
        ck_assert_str_eq(text, "Next slot 2023-11-14T22:13:20Z (db-a); 12 clusters; quota 40/95; "
                               "last error: Throttling: Rate exceeded");
        free(TAKE_PTR(text));
        ck_assert_int_eq(notify_format_summary(&idle, &text), 0);
        ck_assert_str_eq(text, "No slot scheduled; 1 cluster");

        listen_notify();
        ck_assert_int_eq(notify_status_summary(&s), 1);
        ck_assert_str_eq(received(),
                         "STATUS=Next slot 2023-11-14T22:13:20Z (db-a); 12 clusters; quota 40/95; "
                         "last error: Throttling: Rate exceeded");
        close(notify_fd);
}

TEST(outside_systemd_nothing_is_sent)
{
        ck_assert_int_eq(unsetenv("NOTIFY_SOCKET"), 0);
        ck_assert_int_eq(notify_ready(), 0);
        ck_assert_int_eq(notify_status("x"), 0);
        ck_assert_int_eq(notify_stopping(), 0);
}
