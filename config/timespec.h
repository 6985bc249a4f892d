/* Durations ("15m", "400d"), windows ("02:00-03:00") and schedule words ("daily", "weekly:sun",
 * "monthly:1", "monthly:last", "every:6h"): the one place that parses them. */
#pragma once

#include <stdint.h>

#include "agent-config.h"

/* Units: s, m, h, d, w. "90m", "1h30m". Returns 0 or -EINVAL (also on overflow and on zero). */
int duration_parse(const char *s, int64_t *ret_sec);
int window_parse(const char *s, struct window *ret);
/* Length in minutes, accounting for wrap. */
int window_length_min(const struct window *w);
int schedule_parse(const char *s, struct schedule *ret);
/* Inverse of schedule_parse, for messages and plan text. buf of at least 32 bytes. */
const char *schedule_format(const struct schedule *s, char *buf, size_t size);
