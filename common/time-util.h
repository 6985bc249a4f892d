/* UTC time helpers. Time is `int64_t` seconds since the epoch, UTC, everywhere. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define SEC_PER_MINUTE INT64_C(60)
#define SEC_PER_HOUR INT64_C(3600)
#define SEC_PER_DAY INT64_C(86400)
#define SEC_PER_WEEK (7 * SEC_PER_DAY)

/* Parse ISO 8601 as AWS sends it: "2022-10-12T17:42:48.271Z", "2015-03-07T23:45:00Z",
 * also with a "+00:00" offset. Fractions are dropped. Returns 0 or -EINVAL. */
int time_parse_iso8601(const char *s, int64_t *ret);
/* "2015-03-07T23:45:00Z"; buf needs TIME_ISO8601_MAX bytes. */
#define TIME_ISO8601_MAX 32
const char *time_format_iso8601(int64_t t, char buf[static TIME_ISO8601_MAX]);
/* timegm() without the environment: civil UTC date to epoch seconds. */
int64_t time_from_civil(int year, int month, int day, int hour, int minute, int second);
/* Epoch seconds to civil UTC parts. `wday` is 0 for Sunday. Any pointer may be NULL. */
void time_to_civil(int64_t t, int *year, int *month, int *day, int *hour, int *minute, int *second,
                   int *wday);
int time_days_in_month(int year, int month);
