/* UTC civil-time arithmetic and ISO 8601 as AWS writes it. */
#include <errno.h>

#include "test-suite.h"
#include "time-util.h"

TEST_FILE("time-util");

TEST(iso8601_parses_aws_fractional_timestamps)
{
        int64_t t;
        ck_assert_int_eq(time_parse_iso8601("2022-10-12T17:42:48.271Z", &t), 0);
        ck_assert_int_eq(t, 1665596568);
        ck_assert_int_eq(time_parse_iso8601("1970-01-01T00:00:00Z", &t), 0);
        ck_assert_int_eq(t, 0);
        ck_assert_int_eq(time_parse_iso8601("2015-03-07T23:45:00+01:00", &t), 0);
        ck_assert_int_eq(t, time_from_civil(2015, 3, 7, 22, 45, 0));
}

TEST(iso8601_rejects_malformed_input)
{
        int64_t t = 42;
        ck_assert_int_eq(time_parse_iso8601("2022-13-12T17:42:48Z", &t), -EINVAL);
        ck_assert_int_eq(time_parse_iso8601("2023-02-29T00:00:00Z", &t), -EINVAL);
        ck_assert_int_eq(time_parse_iso8601("2022-10-12T17:42:48", &t), -EINVAL);
        ck_assert_int_eq(time_parse_iso8601("2022-10-12T17:42:48Zjunk", &t), -EINVAL);
        ck_assert_int_eq(time_parse_iso8601("", &t), -EINVAL);
        ck_assert_int_eq(time_parse_iso8601(NULL, &t), -EINVAL);
        ck_assert_int_eq(t, 42);
}

TEST(iso8601_round_trips)
{
        char buf[TIME_ISO8601_MAX];
        int64_t t;
        for (int64_t x = -86400 * 400; x < INT64_C(4102444800); x += 7777777) {
                ck_assert_int_eq(time_parse_iso8601(time_format_iso8601(x, buf), &t), 0);
                ck_assert_int_eq(t, x);
        }
        ck_assert_str_eq(time_format_iso8601(951782400, buf), "2000-02-29T00:00:00Z");
}

TEST(civil_knows_weekdays_and_leap_years)
{
        int y, m, d, wday;
        time_to_civil(0, &y, &m, &d, NULL, NULL, NULL, &wday);
        ck_assert_int_eq(wday, 4); /* Thursday */
        time_to_civil(time_from_civil(2024, 2, 29, 12, 0, 0), &y, &m, &d, NULL, NULL, NULL, &wday);
        ck_assert_int_eq(y, 2024);
        ck_assert_int_eq(m, 2);
        ck_assert_int_eq(d, 29);
        ck_assert_int_eq(wday, 4);
        time_to_civil(-1, &y, &m, &d, NULL, NULL, NULL, &wday);
        ck_assert_int_eq(y, 1969);
        ck_assert_int_eq(d, 31);
        ck_assert_int_eq(wday, 3);
        ck_assert_int_eq(time_days_in_month(2100, 2), 28);
        ck_assert_int_eq(time_days_in_month(2000, 2), 29);
}
