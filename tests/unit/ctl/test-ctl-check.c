/* aurora-backupctl's pure pieces: check thresholds and verdicts, --since parsing, age formatting. */
#include <errno.h>

#include "ctl-check.h"
#include "ctl-context.h"
#include "ctl-output.h"
#include "test-suite.h"

TEST_FILE("ctl");

#define DAY 86400

TEST(thresholds_default_and_configured)
{
        struct policy p = {.every = {.kind = SCHEDULE_DAILY}};
        int64_t w, c;
        ctl_check_thresholds(&p, &w, &c);
        ck_assert_int_eq(w, DAY * 3 / 2);
        ck_assert_int_eq(c, DAY * 5 / 2);
        p.every = (struct schedule){.kind = SCHEDULE_INTERVAL, .interval_sec = 6 * 3600};
        ctl_check_thresholds(&p, &w, &c);
        ck_assert_int_eq(w, 9 * 3600);
        ck_assert_int_eq(c, 15 * 3600);
        p.check_warning_sec = 3600;
        p.check_critical_sec = 7200;
        ctl_check_thresholds(&p, &w, &c);
        ck_assert_int_eq(w, 3600);
        ck_assert_int_eq(c, 7200);
}

TEST(freshness_boundaries)
{
        int64_t now = 1000000;
        ck_assert_int_eq(ctl_check_freshness(now, 0, 100, 200), CHECK_CRITICAL);
        ck_assert_int_eq(ctl_check_freshness(now, now - 100, 100, 200), CHECK_OK);
        ck_assert_int_eq(ctl_check_freshness(now, now - 101, 100, 200), CHECK_WARNING);
        ck_assert_int_eq(ctl_check_freshness(now, now - 200, 100, 200), CHECK_WARNING);
        ck_assert_int_eq(ctl_check_freshness(now, now - 201, 100, 200), CHECK_CRITICAL);
        ck_assert_int_eq(ctl_check_freshness(now, now + 50, 100, 200), CHECK_OK); /* clock skew */
}

TEST(worse_ranks_like_plugins)
{
        ck_assert_int_eq(ctl_check_worse(CHECK_OK, CHECK_WARNING), CHECK_WARNING);
        ck_assert_int_eq(ctl_check_worse(CHECK_CRITICAL, CHECK_WARNING), CHECK_CRITICAL);
        ck_assert_int_eq(ctl_check_worse(CHECK_UNKNOWN, CHECK_OK), CHECK_UNKNOWN);
        ck_assert_int_eq(ctl_check_worse(CHECK_UNKNOWN, CHECK_WARNING), CHECK_WARNING);
        ck_assert_int_eq(ctl_check_worse(CHECK_CRITICAL, CHECK_UNKNOWN), CHECK_CRITICAL);
        ck_assert_str_eq(ctl_check_status_to_string(CHECK_WARNING), "WARNING");
        ck_assert_str_eq(ctl_check_status_to_string(CHECK_UNKNOWN), "UNKNOWN");
}

TEST(state_staleness)
{
        ck_assert(ctl_check_state_stale(10000, 0, 900));
        ck_assert(!ctl_check_state_stale(10000, 10000 - 1800, 900));
        ck_assert(ctl_check_state_stale(10000, 10000 - 1801, 900));
        /* Unset interval: the config default. */
        ck_assert(!ctl_check_state_stale(10000, 10000 - 2 * CONFIG_DEFAULT_RECONCILE_INTERVAL_SEC, 0));
}

TEST(since_parsing)
{
        int64_t t = 42;
        ck_assert_int_eq(ctl_parse_since("2026-01-02T03:04:05Z", 0, &t), 0);
        ck_assert_int_eq(t, 1767323045);
        ck_assert_int_eq(ctl_parse_since("2d", 1000000, &t), 0);
        ck_assert_int_eq(t, 1000000 - 2 * DAY);
        t = 42;
        ck_assert_int_eq(ctl_parse_since("yesterday", 1000000, &t), -EINVAL);
        ck_assert_int_eq(t, 42);
}

TEST(time_and_age_format)
{
        char t[TIME_ISO8601_MAX], a[CTL_AGE_MAX];
        ck_assert_str_eq(ctl_format_time(0, t), "-");
        ck_assert_str_eq(ctl_format_time(1767323045, t), "2026-01-02T03:04:05Z");
        ck_assert_str_eq(ctl_format_age(1000, 0, a), "-");
        ck_assert_str_eq(ctl_format_age(1000, 2000, a), "0s");
        ck_assert_str_eq(ctl_format_age(100000, 100000 - 5400, a), "1h30m");
}
