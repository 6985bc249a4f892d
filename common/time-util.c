/* UTC time helpers that never consult TZ or the clock. */
#include "time-util.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Howard Hinnant's days_from_civil / civil_from_days. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
        y -= m <= 2;
        const int64_t era = (y >= 0 ? y : y - 399) / 400;
        const unsigned yoe = (unsigned)(y - era * 400);
        const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
        const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *ry, int *rm, int *rd)
{
        z += 719468;
        const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
        const unsigned doe = (unsigned)(z - era * 146097);
        const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        const int64_t y = (int64_t)yoe + era * 400;
        const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        const unsigned mp = (5 * doy + 2) / 153;
        const unsigned d = doy - (153 * mp + 2) / 5 + 1;
        const unsigned m = mp < 10 ? mp + 3 : mp - 9;
        *ry = (int)(y + (m <= 2));
        *rm = (int)m;
        *rd = (int)d;
}

int64_t time_from_civil(int year, int month, int day, int hour, int minute, int second)
{
        return days_from_civil(year, (unsigned)month, (unsigned)day) * 86400 + hour * 3600 + minute * 60 +
               second;
}

void time_to_civil(int64_t t, int *year, int *month, int *day, int *hour, int *minute, int *second,
                   int *wday)
{
        int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
        int64_t rem = t - days * 86400;
        int y, m, d;
        civil_from_days(days, &y, &m, &d);
        if (year)
                *year = y;
        if (month)
                *month = m;
        if (day)
                *day = d;
        if (hour)
                *hour = (int)(rem / 3600);
        if (minute)
                *minute = (int)(rem % 3600 / 60);
        if (second)
                *second = (int)(rem % 60);
        if (wday) /* 1970-01-01 was a Thursday */
                *wday = (int)(((days % 7) + 11) % 7);
}

static bool is_leap(int y)
{
        return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int time_days_in_month(int year, int month)
{
        static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        if (month == 2 && is_leap(year))
                return 29;
        return dim[month - 1];
}

int time_parse_iso8601(const char *s, int64_t *ret)
{
        int y, mo, d, h, mi, sec, n = 0;

        if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 19)
                return -EINVAL;
        if (mo < 1 || mo > 12 || d < 1 || d > time_days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60)
                return -EINVAL;
        const char *p = s + n;
        if (*p == '.') {
                p++;
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                while (*p >= '0' && *p <= '9')
                        p++;
        }
        int64_t offset = 0;
        if (*p == 'Z')
                p++;
        else if (*p == '+' || *p == '-') {
                int oh, om, m = 0;
                if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &m) != 2 || m != 5)
                        return -EINVAL;
                offset = (oh * 3600 + om * 60) * (*p == '+' ? 1 : -1);
                p += 6;
        } else
                return -EINVAL;
        if (*p != '\0')
                return -EINVAL;
        *ret = time_from_civil(y, mo, d, h, mi, sec) - offset;
        return 0;
}

const char *time_format_iso8601(int64_t t, char buf[static TIME_ISO8601_MAX])
{
        int y, mo, d, h, mi, s;
        time_to_civil(t, &y, &mo, &d, &h, &mi, &s, NULL);
        snprintf(buf, TIME_ISO8601_MAX, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h, mi, s);
        return buf;
}
