/* Parsers and formatters for durations, UTC windows and schedule words. Pure: no clock, no locale. */
#include "timespec.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "time-util.h"

static const struct {
        char unit;
        int64_t sec;
} duration_units[] = {
    {'w', SEC_PER_WEEK}, {'d', SEC_PER_DAY}, {'h', SEC_PER_HOUR}, {'m', SEC_PER_MINUTE}, {'s', 1},
};

static bool is_digit(char c)
{
        return c >= '0' && c <= '9';
}

int duration_parse(const char *s, int64_t *ret_sec)
{
        int64_t total = 0;
        size_t next_unit = 0; /* units must come largest first, each at most once */

        if (!s || !*s)
                return -EINVAL;

        while (*s) {
                int64_t n = 0;
                size_t digits = 0, u;

                for (; is_digit(*s); s++, digits++) {
                        /* Anything past DURATION_MAX_SEC is refused anyway; stop before int64 overflow. */
                        if (n > DURATION_MAX_SEC)
                                return -EINVAL;
                        n = n * 10 + (*s - '0');
                }
                if (digits == 0)
                        return -EINVAL;

                for (u = next_unit; u < ELEMENTSOF(duration_units); u++)
                        if (*s == duration_units[u].unit)
                                break;
                if (u >= ELEMENTSOF(duration_units))
                        return -EINVAL; /* no unit, unknown unit, or a unit out of order */
                s++;
                next_unit = u + 1;

                if (n > DURATION_MAX_SEC / duration_units[u].sec)
                        return -EINVAL;
                total += n * duration_units[u].sec;
                if (total > DURATION_MAX_SEC)
                        return -EINVAL;
        }

        if (total <= 0)
                return -EINVAL;
        *ret_sec = total;
        return 0;
}

const char *duration_format(int64_t sec, char *buf, size_t size)
{
        static const struct {
                char unit;
                int64_t sec;
        } units[] = {{'d', SEC_PER_DAY}, {'h', SEC_PER_HOUR}, {'m', SEC_PER_MINUTE}, {'s', 1}};
        size_t off = 0;

        if (size == 0)
                return buf;
        buf[0] = '\0';
        if (sec <= 0) {
                snprintf(buf, size, "0s");
                return buf;
        }
        for (size_t i = 0; i < ELEMENTSOF(units) && off < size; i++) {
                int64_t n = sec / units[i].sec;
                if (n == 0)
                        continue;
                sec -= n * units[i].sec;
                int k = snprintf(buf + off, size - off, "%lld%c", (long long)n, units[i].unit);
                if (k < 0)
                        break;
                off += (size_t)k;
        }
        return buf;
}

/* Exactly two digits, within [0, max]. */
static int parse_2digits(const char *s, int max, int *ret)
{
        if (!is_digit(s[0]) || !is_digit(s[1]))
                return -EINVAL;
        int v = (s[0] - '0') * 10 + (s[1] - '0');
        if (v > max)
                return -EINVAL;
        *ret = v;
        return 0;
}

static int parse_hhmm(const char *s, int *ret_min)
{
        int h, m;
        if (parse_2digits(s, 23, &h) < 0 || s[2] != ':' || parse_2digits(s + 3, 59, &m) < 0)
                return -EINVAL;
        *ret_min = h * 60 + m;
        return 0;
}

int window_parse(const char *s, struct window *ret)
{
        int start, end;

        if (!s || strlen(s) != 11 || s[5] != '-')
                return -EINVAL;
        if (parse_hhmm(s, &start) < 0 || parse_hhmm(s + 6, &end) < 0)
                return -EINVAL;
        *ret = (struct window){.start_min = start, .end_min = end};
        return 0;
}

int window_length_min(const struct window *w)
{
        return ((w->end_min - w->start_min) % 1440 + 1440) % 1440;
}

const char *window_format(const struct window *w, char *buf, size_t size)
{
        snprintf(buf, size, "%02d:%02d-%02d:%02d", w->start_min / 60, w->start_min % 60, w->end_min / 60,
                 w->end_min % 60);
        return buf;
}

static const char *const weekday_short[7] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
static const char *const weekday_long[7] = {"sunday",   "monday", "tuesday", "wednesday",
                                            "thursday", "friday", "saturday"};

int schedule_parse(const char *s, struct schedule *ret)
{
        const char *arg;

        if (!s)
                return -EINVAL;

        if (streq(s, "daily")) {
                *ret = (struct schedule){.kind = SCHEDULE_DAILY};
                return 0;
        }

        arg = startswith(s, "weekly:");
        if (arg) {
                for (int d = 0; d < 7; d++)
                        if (streq(arg, weekday_short[d]) || streq(arg, weekday_long[d])) {
                                *ret = (struct schedule){.kind = SCHEDULE_WEEKLY, .weekday = d};
                                return 0;
                        }
                return -EINVAL;
        }

        arg = startswith(s, "monthly:");
        if (arg) {
                if (streq(arg, "last")) {
                        *ret = (struct schedule){.kind = SCHEDULE_MONTHLY, .mday = SCHEDULE_MDAY_LAST};
                        return 0;
                }
                /* 1..28 only: every month has those days, so "monthly:31" cannot silently skip months. */
                if (!is_digit(arg[0]) || arg[0] == '0' || (arg[1] && (!is_digit(arg[1]) || arg[2])))
                        return -EINVAL;
                int mday = arg[1] ? (arg[0] - '0') * 10 + (arg[1] - '0') : arg[0] - '0';
                if (mday < 1 || mday > 28)
                        return -EINVAL;
                *ret = (struct schedule){.kind = SCHEDULE_MONTHLY, .mday = mday};
                return 0;
        }

        arg = startswith(s, "every:");
        if (arg) {
                int64_t sec;
                if (duration_parse(arg, &sec) < 0)
                        return -EINVAL;
                if (sec < SCHEDULE_INTERVAL_MIN_SEC || sec > SCHEDULE_INTERVAL_MAX_SEC ||
                    sec % SEC_PER_MINUTE != 0)
                        return -EINVAL;
                *ret = (struct schedule){.kind = SCHEDULE_INTERVAL, .interval_sec = sec};
                return 0;
        }

        return -EINVAL;
}

const char *schedule_format(const struct schedule *s, char *buf, size_t size)
{
        char d[32];

        switch (s->kind) {
        case SCHEDULE_DAILY:
                snprintf(buf, size, "daily");
                break;
        case SCHEDULE_WEEKLY:
                snprintf(buf, size, "weekly:%s",
                         s->weekday >= 0 && s->weekday < 7 ? weekday_short[s->weekday] : "?");
                break;
        case SCHEDULE_MONTHLY:
                if (s->mday == SCHEDULE_MDAY_LAST)
                        snprintf(buf, size, "monthly:last");
                else
                        snprintf(buf, size, "monthly:%d", s->mday);
                break;
        case SCHEDULE_INTERVAL:
                snprintf(buf, size, "every:%s", duration_format(s->interval_sec, d, sizeof(d)));
                break;
        default:
                snprintf(buf, size, "?");
        }
        return buf;
}

int64_t schedule_period_sec(const struct schedule *s)
{
        switch (s->kind) {
        case SCHEDULE_WEEKLY:
                return SEC_PER_WEEK;
        case SCHEDULE_MONTHLY:
                return 31 * SEC_PER_DAY;
        case SCHEDULE_INTERVAL:
                return s->interval_sec;
        case SCHEDULE_DAILY:
        default:
                return SEC_PER_DAY;
        }
}
