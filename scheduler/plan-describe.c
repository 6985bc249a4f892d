/* Short texts for the rules that plan actions carry: schedules, windows and durations as the config
 * writes them. */
#include "plan-describe.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "time-util.h"

const char *plan_schedule_describe(const struct schedule *s, char buf[static 32])
{
        static const char *const days[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
        switch (s->kind) {
        case SCHEDULE_DAILY:
                return "daily";
        case SCHEDULE_WEEKLY:
                snprintf(buf, 32, "weekly:%s", s->weekday >= 0 && s->weekday <= 6 ? days[s->weekday] : "?");
                return buf;
        case SCHEDULE_MONTHLY:
                if (s->mday == SCHEDULE_MDAY_LAST)
                        return "monthly:last";
                snprintf(buf, 32, "monthly:%d", s->mday);
                return buf;
        case SCHEDULE_INTERVAL: {
                char d[32];
                snprintf(buf, 32, "every:%s", plan_duration_describe(s->interval_sec, d));
                return buf;
        }
        }
        return "?";
}

const char *plan_window_describe(const struct window *w, char buf[static 16])
{
        snprintf(buf, 16, "%02d:%02d-%02d:%02d", (w->start_min / 60) % 100, w->start_min % 60,
                 (w->end_min / 60) % 100, w->end_min % 60);
        return buf;
}

const char *plan_duration_describe(int64_t sec, char buf[static 32])
{
        if (sec != 0 && sec % SEC_PER_DAY == 0)
                snprintf(buf, 32, "%" PRId64 "d", sec / SEC_PER_DAY);
        else if (sec != 0 && sec % SEC_PER_HOUR == 0)
                snprintf(buf, 32, "%" PRId64 "h", sec / SEC_PER_HOUR);
        else if (sec != 0 && sec % SEC_PER_MINUTE == 0)
                snprintf(buf, 32, "%" PRId64 "m", sec / SEC_PER_MINUTE);
        else
                snprintf(buf, 32, "%" PRId64 "s", sec);
        return buf;
}
