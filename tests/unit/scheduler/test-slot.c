/* Windows, schedules, slot offsets and ISO weeks. */
#include "slot.h"
#include "test-suite.h"
#include "time-util.h"

TEST_FILE("slot");

TEST(slot_window_wrapping_midnight_closes_next_day)
{
        struct schedule s = {.kind = SCHEDULE_DAILY};
        struct window w = {.start_min = 23 * 60 + 30, .end_min = 30};
        struct slot sl;
        ck_assert_int_eq(window_span_min(&w), 60);
        /* 00:10 on the 25th belongs to the window that opened 23:30 on the 24th. */
        ck_assert_int_eq(slot_latest(&s, &w, "c", time_from_civil(2026, 11, 25, 0, 10, 0), &sl), 0);
        ck_assert_int_eq(sl.open, time_from_civil(2026, 11, 24, 23, 30, 0));
        ck_assert_int_eq(sl.close, time_from_civil(2026, 11, 25, 0, 30, 0));
        ck_assert_int_ge(sl.start, sl.open);
        ck_assert_int_lt(sl.start, sl.open + 30 * 60);
}

TEST(slot_offset_is_deterministic_and_in_first_half)
{
        struct schedule s = {.kind = SCHEDULE_DAILY};
        struct window w = {.start_min = 120, .end_min = 180};
        struct slot a, b;
        int64_t t = time_from_civil(2026, 11, 24, 2, 59, 0);
        ck_assert_int_eq(slot_latest(&s, &w, "prod-a", t, &a), 0);
        ck_assert_int_eq(slot_latest(&s, &w, "prod-a", t, &b), 0);
        ck_assert_int_eq(a.start, b.start);
        ck_assert_int_eq((a.start - a.open) % 60, 0);
        ck_assert_int_lt(a.start - a.open, 30 * 60);
}

TEST(slot_monthly_last_day_handles_leap_february)
{
        struct schedule s = {.kind = SCHEDULE_MONTHLY, .mday = SCHEDULE_MDAY_LAST};
        struct window w = {.start_min = 60, .end_min = 120};
        struct slot sl;
        ck_assert_int_eq(slot_next(&s, &w, "c", time_from_civil(2028, 2, 1, 0, 0, 0), &sl), 0);
        ck_assert_int_eq(sl.open, time_from_civil(2028, 2, 29, 1, 0, 0));
        ck_assert_int_eq(slot_next(&s, &w, "c", time_from_civil(2027, 2, 1, 0, 0, 0), &sl), 0);
        ck_assert_int_eq(sl.open, time_from_civil(2027, 2, 28, 1, 0, 0));
}

TEST(slot_weekly_selects_the_named_day)
{
        struct schedule s = {.kind = SCHEDULE_WEEKLY, .weekday = 0};
        struct window w = {.start_min = 60, .end_min = 120};
        struct slot sl;
        /* 2026-11-24 is a Tuesday; the next Sunday is the 29th. */
        ck_assert_int_eq(slot_next(&s, &w, "c", time_from_civil(2026, 11, 24, 0, 0, 0), &sl), 0);
        ck_assert_int_eq(sl.open, time_from_civil(2026, 11, 29, 1, 0, 0));
}

TEST(iso_week_53_and_year_boundaries)
{
        ck_assert_int_eq(iso_week_key(time_from_civil(2020, 12, 31, 12, 0, 0)), 202053);
        ck_assert_int_eq(iso_week_key(time_from_civil(2021, 1, 3, 12, 0, 0)), 202053);
        ck_assert_int_eq(iso_week_key(time_from_civil(2021, 1, 4, 0, 0, 0)), 202101);
        ck_assert_int_eq(iso_week_key(time_from_civil(2024, 12, 30, 0, 0, 0)), 202501);
}
