/* Durations, windows and schedule words: every accepted form, every refused one, and round trips. */
#include <errno.h>
#include <stdio.h>

#include "test-suite.h"
#include "time-util.h"
#include "timespec.h"

TEST_FILE("timespec");

static int64_t dur(const char *s)
{
        int64_t v = -42;
        int r = duration_parse(s, &v);
        return r < 0 ? r : v;
}

TEST_IN("duration", duration_parses_each_unit)
{
        ck_assert_int_eq(dur("1s"), 1);
        ck_assert_int_eq(dur("15m"), 15 * 60);
        ck_assert_int_eq(dur("2h"), 2 * 3600);
        ck_assert_int_eq(dur("400d"), 400 * SEC_PER_DAY);
        ck_assert_int_eq(dur("1w"), SEC_PER_WEEK);
        ck_assert_int_eq(dur("90m"), 90 * 60);
        ck_assert_int_eq(dur("007m"), 7 * 60);
}

TEST_IN("duration", duration_parses_combined_units_largest_first)
{
        ck_assert_int_eq(dur("1h30m"), 5400);
        ck_assert_int_eq(dur("2w3d"), 17 * SEC_PER_DAY);
        ck_assert_int_eq(dur("1w1d1h1m1s"), SEC_PER_WEEK + SEC_PER_DAY + 3600 + 60 + 1);
        ck_assert_int_eq(dur("0h5m"), 300);
        ck_assert_int_eq(dur("1d0s"), SEC_PER_DAY);
}

TEST_IN("duration", duration_refuses_units_out_of_order_or_repeated)
{
        ck_assert_int_eq(dur("30m1h"), -EINVAL);
        ck_assert_int_eq(dur("1h1h"), -EINVAL);
        ck_assert_int_eq(dur("1s1m"), -EINVAL);
        ck_assert_int_eq(dur("1d1w"), -EINVAL);
}

TEST_IN("duration", duration_refuses_malformed_text)
{
        static const char *const bad[] = {
            "",   "15x", "15", "m",   "h1",  "1.5h", "-5m",  "+5m",   " 5m", "5m ",  "5 m",
            "5M", "5H",  "1y", "5ms", "1hh", "1h-",  "1e3s", "0x10s", "١m",  "5m\n", "\t5m",
        };
        int64_t v = 77;
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                ck_assert_msg(duration_parse(bad[i], &v) == -EINVAL, "accepted \"%s\"", bad[i]);
                ck_assert_int_eq(v, 77);
        }
        ck_assert_int_eq(duration_parse(NULL, &v), -EINVAL);
}

TEST_IN("duration", duration_refuses_zero)
{
        ck_assert_int_eq(dur("0s"), -EINVAL);
        ck_assert_int_eq(dur("0m"), -EINVAL);
        ck_assert_int_eq(dur("0d0h0m0s"), -EINVAL);
}

TEST_IN("duration", duration_refuses_overflow_and_values_above_the_maximum)
{
        char buf[64];
        ck_assert_int_eq(dur("36600d"), DURATION_MAX_SEC);
        snprintf(buf, sizeof(buf), "%llds", (long long)DURATION_MAX_SEC);
        ck_assert_int_eq(dur(buf), DURATION_MAX_SEC);
        snprintf(buf, sizeof(buf), "%llds", (long long)DURATION_MAX_SEC + 1);
        ck_assert_int_eq(dur(buf), -EINVAL);
        ck_assert_int_eq(dur("36601d"), -EINVAL);
        ck_assert_int_eq(dur("36600d1s"), -EINVAL);
        ck_assert_int_eq(dur("99999999999999999999s"), -EINVAL);
        ck_assert_int_eq(dur("9223372036854775807s"), -EINVAL);
        ck_assert_int_eq(dur("9223372036854775807w"), -EINVAL);
}

TEST_IN("duration", duration_format_round_trips_every_minute_of_a_week)
{
        char buf[32];
        for (int64_t sec = 1; sec <= SEC_PER_WEEK; sec += (sec < 7200 ? 1 : 59)) {
                duration_format(sec, buf, sizeof(buf));
                ck_assert_msg(dur(buf) == sec, "%lld -> \"%s\" -> %lld", (long long)sec, buf,
                              (long long)dur(buf));
        }
}

TEST_IN("duration", duration_format_writes_the_shortest_form)
{
        char buf[32];
        ck_assert_str_eq(duration_format(5400, buf, sizeof(buf)), "1h30m");
        ck_assert_str_eq(duration_format(400 * SEC_PER_DAY, buf, sizeof(buf)), "400d");
        ck_assert_str_eq(duration_format(SEC_PER_DAY + 1, buf, sizeof(buf)), "1d1s");
        ck_assert_str_eq(duration_format(45, buf, sizeof(buf)), "45s");
        ck_assert_str_eq(duration_format(0, buf, sizeof(buf)), "0s");
}

TEST_IN("window", window_parses_every_start_and_end_minute)
{
        char s[16];
        struct window w;
        for (int a = 0; a < 1440; a++)
                for (int b = 0; b < 1440; b++) {
                        snprintf(s, sizeof(s), "%02d:%02d-%02d:%02d", a / 60, a % 60, b / 60, b % 60);
                        if (window_parse(s, &w) < 0 || w.start_min != a || w.end_min != b)
                                ck_abort_msg("\"%s\" did not parse to %d-%d", s, a, b);
                        if (window_length_min(&w) != (b - a + 1440) % 1440)
                                ck_abort_msg("\"%s\" length %d", s, window_length_min(&w));
                }
}

TEST_IN("window", window_refuses_hours_past_23_and_minutes_past_59)
{
        char s[16];
        struct window w = {.start_min = -7};
        for (int h = 24; h < 100; h++)
                for (int m = 0; m < 60; m++) {
                        snprintf(s, sizeof(s), "%02d:%02d-01:00", h, m);
                        ck_assert_int_eq(window_parse(s, &w), -EINVAL);
                        snprintf(s, sizeof(s), "01:00-%02d:%02d", h, m);
                        ck_assert_int_eq(window_parse(s, &w), -EINVAL);
                }
        for (int m = 60; m < 100; m++) {
                snprintf(s, sizeof(s), "01:%02d-02:00", m);
                ck_assert_int_eq(window_parse(s, &w), -EINVAL);
        }
        ck_assert_int_eq(window_parse("25:00-26:00", &w), -EINVAL);
        ck_assert_int_eq(w.start_min, -7);
}

TEST_IN("window", window_refuses_malformed_text)
{
        static const char *const bad[] = {
            "",
            "cluster",
            "2:00-3:00",
            "02:00-3:00",
            "02:00 - 03:00",
            "02:00-03:00 ",
            "02.00-03.00",
            "0200-0300",
            "02:00_03:00",
            "02:00-03:0",
            "02:00-03:000",
            "-02:00-03:00",
            "02:00",
            "02:00-",
            "aa:bb-cc:dd",
            "02:00-03:00Z",
            "+2:00-03:00",
        };
        struct window w;
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                ck_assert_msg(window_parse(bad[i], &w) == -EINVAL, "accepted \"%s\"", bad[i]);
        ck_assert_int_eq(window_parse(NULL, &w), -EINVAL);
}

TEST_IN("window", window_length_counts_across_midnight)
{
        struct window w;
        ck_assert_int_eq(window_parse("23:50-00:10", &w), 0);
        ck_assert_int_eq(window_length_min(&w), 20);
        ck_assert_int_eq(window_parse("23:45-00:15", &w), 0);
        ck_assert_int_eq(window_length_min(&w), 30);
        ck_assert_int_eq(window_parse("22:00-04:00", &w), 0);
        ck_assert_int_eq(window_length_min(&w), 360);
        ck_assert_int_eq(window_parse("03:00-03:00", &w), 0);
        ck_assert_int_eq(window_length_min(&w), 0);
        ck_assert_int_eq(window_parse("00:00-23:59", &w), 0);
        ck_assert_int_eq(window_length_min(&w), 1439);
}

TEST_IN("window", window_format_is_the_inverse_of_parse)
{
        char buf[16];
        struct window w = {.start_min = 23 * 60 + 45, .end_min = 15};
        ck_assert_str_eq(window_format(&w, buf, sizeof(buf)), "23:45-00:15");
}

static int sched(const char *s, struct schedule *ret)
{
        *ret = (struct schedule){.kind = SCHEDULE_WEEKLY, .weekday = 99, .mday = 99, .interval_sec = 99};
        return schedule_parse(s, ret);
}

TEST_IN("schedule", schedule_parses_daily)
{
        struct schedule s;
        ck_assert_int_eq(sched("daily", &s), 0);
        ck_assert_int_eq(s.kind, SCHEDULE_DAILY);
}

TEST_IN("schedule", schedule_parses_every_weekday_short_and_long)
{
        static const char *const names[7][2] = {
            {"sun", "sunday"},   {"mon", "monday"}, {"tue", "tuesday"},  {"wed", "wednesday"},
            {"thu", "thursday"}, {"fri", "friday"}, {"sat", "saturday"},
        };
        char buf[32];
        struct schedule s;
        for (int d = 0; d < 7; d++)
                for (int k = 0; k < 2; k++) {
                        snprintf(buf, sizeof(buf), "weekly:%s", names[d][k]);
                        ck_assert_int_eq(sched(buf, &s), 0);
                        ck_assert_int_eq(s.kind, SCHEDULE_WEEKLY);
                        ck_assert_int_eq(s.weekday, d);
                }
}

/* sched() of "monthly:<mday>". */
static int sched_monthly(int mday, struct schedule *ret)
{
        char buf[32];

        snprintf(buf, sizeof(buf), "monthly:%d", mday);
        return sched(buf, ret);
}

TEST_IN("schedule", schedule_parses_monthly_days_1_to_28_and_last)
{
        struct schedule s;
        for (int d = 1; d <= 28; d++) {
                ck_assert_int_eq(sched_monthly(d, &s), 0);
                ck_assert_int_eq(s.kind, SCHEDULE_MONTHLY);
                ck_assert_int_eq(s.mday, d);
        }
        ck_assert_int_eq(sched("monthly:last", &s), 0);
        ck_assert_int_eq(s.mday, SCHEDULE_MDAY_LAST);
}

TEST_IN("schedule", schedule_refuses_monthly_days_that_some_months_lack)
{
        struct schedule s;
        for (int d = 29; d <= 99; d++)
                ck_assert_int_eq(sched_monthly(d, &s), -EINVAL);
        ck_assert_int_eq(sched("monthly:0", &s), -EINVAL);
        ck_assert_int_eq(sched("monthly:01", &s), -EINVAL);
        ck_assert_int_eq(sched("monthly:100", &s), -EINVAL);
        ck_assert_int_eq(sched("monthly:-1", &s), -EINVAL);
}

TEST_IN("schedule", schedule_parses_intervals_from_one_hour_to_one_week)
{
        struct schedule s;
        ck_assert_int_eq(sched("every:6h", &s), 0);
        ck_assert_int_eq(s.kind, SCHEDULE_INTERVAL);
        ck_assert_int_eq(s.interval_sec, 6 * 3600);
        ck_assert_int_eq(sched("every:1h", &s), 0);
        ck_assert_int_eq(sched("every:90m", &s), 0);
        ck_assert_int_eq(s.interval_sec, 5400);
        ck_assert_int_eq(sched("every:7d", &s), 0);
        ck_assert_int_eq(sched("every:1w", &s), 0);
        ck_assert_int_eq(s.interval_sec, SEC_PER_WEEK);
}

TEST_IN("schedule", schedule_refuses_intervals_out_of_range_or_not_whole_minutes)
{
        struct schedule s;
        ck_assert_int_eq(sched("every:59m", &s), -EINVAL);
        ck_assert_int_eq(sched("every:3599s", &s), -EINVAL);
        ck_assert_int_eq(sched("every:7d1m", &s), -EINVAL);
        ck_assert_int_eq(sched("every:8d", &s), -EINVAL);
        ck_assert_int_eq(sched("every:1h30s", &s), -EINVAL);
        ck_assert_int_eq(sched("every:6x", &s), -EINVAL);
        ck_assert_int_eq(sched("every:", &s), -EINVAL);
        ck_assert_int_eq(sched("every:6", &s), -EINVAL);
}

TEST_IN("schedule", schedule_refuses_unknown_words)
{
        static const char *const bad[] = {
            "",        "hourly",   "Daily",     "DAILY",          "daily ",        " daily",    "weekly",
            "weekly:", "monthly",  "monthly:",  "yearly",         "weekly:Sun",    "weekly:su", "weekly:7",
            "every",   "every 6h", "every:6h ", "weekly:sun:mon", "monthly:last1", "daily:1",
        };
        struct schedule s;
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                ck_assert_msg(sched(bad[i], &s) == -EINVAL, "accepted \"%s\"", bad[i]);
        ck_assert_int_eq(schedule_parse(NULL, &s), -EINVAL);
}

TEST_IN("schedule", schedule_format_round_trips_every_accepted_form)
{
        static const char *const good[] = {
            "daily",        "weekly:sun", "weekly:sat",  "monthly:1", "monthly:28",
            "monthly:last", "every:6h",   "every:1h30m", "every:7d",
        };
        char buf[32];
        struct schedule s;
        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                ck_assert_int_eq(sched(good[i], &s), 0);
                ck_assert_str_eq(schedule_format(&s, buf, sizeof(buf)), good[i]);
        }
        ck_assert_int_eq(sched("weekly:tuesday", &s), 0);
        ck_assert_str_eq(schedule_format(&s, buf, sizeof(buf)), "weekly:tue");
}

TEST_IN("schedule", schedule_period_matches_the_kind)
{
        struct schedule s;
        sched("daily", &s);
        ck_assert_int_eq(schedule_period_sec(&s), SEC_PER_DAY);
        sched("weekly:mon", &s);
        ck_assert_int_eq(schedule_period_sec(&s), SEC_PER_WEEK);
        sched("monthly:last", &s);
        ck_assert_int_eq(schedule_period_sec(&s), 31 * SEC_PER_DAY);
        sched("every:6h", &s);
        ck_assert_int_eq(schedule_period_sec(&s), 6 * 3600);
}
