/* Windows, schedules and slots: when a cluster's scheduled snapshot (or an export) is due. Pure. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "agent-config.h"

struct slot {
        int64_t open;  /* the window opens */
        int64_t start; /* open + the cluster's offset */
        int64_t close; /* the window closes (exclusive) */
};

/* Window length in minutes: (end - start) mod 1440, 0 meaning the whole day. */
int window_span_min(const struct window *w);
/* Whether the schedule selects this day (days since the epoch, UTC). Intervals select every day. */
bool schedule_selects_day(const struct schedule *s, int64_t day);
/* The latest slot whose window opened at or before t. Returns 0, or -EINVAL for a bad schedule. */
int slot_latest(const struct schedule *s, const struct window *w, const char *cluster, int64_t t,
                struct slot *ret);
/* The first slot whose window opens after t. */
int slot_next(const struct schedule *s, const struct window *w, const char *cluster, int64_t t,
              struct slot *ret);

/* ISO 8601 week: year * 100 + week (1..53) for the day containing t. */
int iso_week_key(int64_t t);

static inline int64_t floor_div(int64_t a, int64_t b)
{
        return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}
