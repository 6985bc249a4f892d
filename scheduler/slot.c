/* Windows, schedules and slots. A slot's offset spreads a fleet across the first half of its window,
 * deterministically, so every agent computes the same slot (and identifier) for a cluster. */
#include <errno.h>

#include "hash.h"
#include "slot.h"
#include "time-util.h"
#include "timespec.h"

int window_span_min(const struct window *w)
{
        int l = window_length_min(w);
        return l == 0 ? 1440 : l; /* a window that ends where it starts lasts all day */
}

bool schedule_selects_day(const struct schedule *s, int64_t day)
{
        int y, m, d, wday;

        switch (s->kind) {
        case SCHEDULE_DAILY:
        case SCHEDULE_INTERVAL:
                return true;
        case SCHEDULE_WEEKLY:
                /* 1970-01-01 was a Thursday (4). */
                return (int)(((day % 7) + 7 + 4) % 7) == s->weekday;
        case SCHEDULE_MONTHLY:
                time_to_civil(day * SEC_PER_DAY, &y, &m, &d, NULL, NULL, NULL, &wday);
                if (s->mday == SCHEDULE_MDAY_LAST)
                        return d == time_days_in_month(y, m);
                return d == s->mday;
        }
        return false;
}

static bool schedule_valid(const struct schedule *s, const struct window *w)
{
        if (w->start_min < 0 || w->start_min >= 1440 || w->end_min < 0 || w->end_min >= 1440)
                return false;
        switch (s->kind) {
        case SCHEDULE_DAILY:
                return true;
        case SCHEDULE_WEEKLY:
                return s->weekday >= 0 && s->weekday <= 6;
        case SCHEDULE_MONTHLY:
                return s->mday == SCHEDULE_MDAY_LAST || (s->mday >= 1 && s->mday <= 28);
        case SCHEDULE_INTERVAL:
                return s->interval_sec >= 60;
        }
        return false;
}

static struct slot slot_make(int64_t open, int64_t length_sec, const char *cluster)
{
        /* Whole minutes, so the minute-resolution identifier names exactly one slot. */
        int64_t half_min = length_sec / 60 / 2;
        int64_t offset = half_min > 0 ? (int64_t)(hash_fnv1a64(cluster) % (uint64_t)half_min) * 60 : 0;
        return (struct slot){.open = open, .start = open + offset, .close = open + length_sec};
}

static int64_t interval_length(const struct schedule *s, const struct window *w)
{
        int64_t l = window_length_min(w) * SEC_PER_MINUTE;
        return l < s->interval_sec ? l : s->interval_sec;
}

/* The slot that starts at or before t (after = false), or the first that starts after t (after = true):
 * the two searches differ only in where they begin and which way they walk. */
static int slot_find(const struct schedule *s, const struct window *w, const char *cluster, int64_t t,
                     bool after, struct slot *ret)
{
        if (!schedule_valid(s, w))
                return -EINVAL;
        int64_t anchor = w->start_min * SEC_PER_MINUTE, skip = after ? 1 : 0;
        if (s->kind == SCHEDULE_INTERVAL) {
                int64_t k = floor_div(t - anchor, s->interval_sec) + skip;
                *ret = slot_make(anchor + k * s->interval_sec, interval_length(s, w), cluster);
                return 0;
        }
        int64_t day = floor_div(t - anchor, SEC_PER_DAY) + skip;
        /* Monthly schedules select a day at least every 31 days; weekly every 7. */
        for (int i = 0; i < 32; i++, day += after ? 1 : -1)
                if (schedule_selects_day(s, day)) {
                        *ret = slot_make(day * SEC_PER_DAY + anchor, window_length_min(w) * SEC_PER_MINUTE,
                                         cluster);
                        return 0;
                }
        return -EINVAL;
}

int slot_latest(const struct schedule *s, const struct window *w, const char *cluster, int64_t t,
                struct slot *ret)
{
        return slot_find(s, w, cluster, t, false, ret);
}

int slot_next(const struct schedule *s, const struct window *w, const char *cluster, int64_t t,
              struct slot *ret)
{
        return slot_find(s, w, cluster, t, true, ret);
}

int iso_week_key(int64_t t)
{
        int64_t day = floor_div(t, SEC_PER_DAY);
        int64_t monday_based = ((day + 3) % 7 + 7) % 7; /* 0 = Monday; 1970-01-01 was a Thursday */
        int64_t thursday = day - monday_based + 3;
        int y;
        time_to_civil(thursday * SEC_PER_DAY, &y, NULL, NULL, NULL, NULL, NULL, NULL);
        int64_t jan1 = floor_div(time_from_civil(y, 1, 1, 0, 0, 0), SEC_PER_DAY);
        return y * 100 + (int)((thursday - jan1) / 7) + 1;
}
