/* Short texts for the rules that plan actions carry: schedules, windows and durations as the config
 * writes them. */
#pragma once

#include <stdint.h>

#include "agent-config.h"

/* "daily", "weekly:sun", "monthly:1", "monthly:last", "every:3600s". */
const char *plan_schedule_describe(const struct schedule *s, char buf[static 32]);
/* "02:00-03:00". */
const char *plan_window_describe(const struct window *w, char buf[static 16]);
/* "400d", "36h", "90m" or "45s". */
const char *plan_duration_describe(int64_t sec, char buf[static 32]);
