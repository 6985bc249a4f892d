/* Durations ("15m", "400d"), windows ("02:00-03:00") and schedule words ("daily", "weekly:sun",
 * "monthly:1", "monthly:last", "every:6h"): the one place that parses them. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "agent-config.h"

/* The longest duration anything accepts: 100 years of 366 days. Keeps arithmetic far from overflow. */
#define DURATION_MAX_SEC (INT64_C(100) * 366 * 86400)
/* every:DURATION bounds: at least an hour (a snapshot takes minutes), at most a week (use weekly). */
#define SCHEDULE_INTERVAL_MIN_SEC INT64_C(3600)
#define SCHEDULE_INTERVAL_MAX_SEC (INT64_C(7) * 86400)

/* Units: w, d, h, m, s, largest first, each at most once: "90m", "1h30m", "2w3d". No sign, no spaces,
 * no bare numbers. Returns 0 or -EINVAL (also on overflow, above DURATION_MAX_SEC, and on zero). */
int duration_parse(const char *s, int64_t *ret_sec);
/* Shortest form that duration_parse reads back: "1h30m", "400d" (never "w"). buf of at least 32 bytes. */
const char *duration_format(int64_t sec, char *buf, size_t size);

/* "hh:mm-hh:mm" in UTC, two digits each, as AWS writes PreferredBackupWindow. Syntax only: the
 * 30-minute minimum is the caller's rule (window_length_min). Returns 0 or -EINVAL. */
int window_parse(const char *s, struct window *ret);
/* Length in minutes, accounting for wrap past midnight. start == end is 0. */
int window_length_min(const struct window *w);
/* "hh:mm-hh:mm"; buf of at least 12 bytes. */
const char *window_format(const struct window *w, char *buf, size_t size);

/* "daily", "weekly:DAY" (sun..sat or sunday..saturday), "monthly:N" (1..28), "monthly:last",
 * "every:DURATION" (whole minutes, 1h..7d). Returns 0 or -EINVAL. */
int schedule_parse(const char *s, struct schedule *ret);
/* Inverse of schedule_parse, for messages and plan text. buf of at least 32 bytes. */
const char *schedule_format(const struct schedule *s, char *buf, size_t size);
/* The nominal time between two slots: 1d, 7d, 31d (monthly, its longest) or the interval. */
int64_t schedule_period_sec(const struct schedule *s);
