/* aurora-backupctl output helpers: times, ages and json-c values shared by the text and --json views. */
#pragma once

#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>

#include "time-util.h"

#define CTL_AGE_MAX 40

/* ISO 8601 UTC, or "-" for 0 (unknown / never). */
const char *ctl_format_time(int64_t t, char buf[static TIME_ISO8601_MAX]);
/* "3h20m" for a positive age, "0s" for none, "-" when t is 0 (never); clock skew shows as "0s". */
const char *ctl_format_age(int64_t now, int64_t t, char buf[static CTL_AGE_MAX]);

/* Add `value` to `obj` under `key`: NULL strings and 0 times become JSON null. Return 0 or -ENOMEM. */
int ctl_json_add_string(struct json_object *obj, const char *key, const char *value);
int ctl_json_add_int(struct json_object *obj, const char *key, int64_t value);
int ctl_json_add_time(struct json_object *obj, const char *key, int64_t t);
/* Seconds from `t` to `now` (0 for a t in the future), or -1 when t is 0 (never). */
int ctl_json_add_age(struct json_object *obj, const char *key, int64_t now, int64_t t);
int ctl_json_add_bool(struct json_object *obj, const char *key, int value);
int ctl_json_add(struct json_object *obj, const char *key, struct json_object *value);

/* Pretty JSON on `f`, one trailing newline. */
int ctl_json_print(FILE *f, struct json_object *obj);

static inline void json_object_putp(struct json_object **p)
{
        if (*p)
                json_object_put(*p);
}

/* A new JSON object appended to `arr`, or NULL on allocation failure. */
struct json_object *ctl_json_array_add_object(struct json_object *arr);
/* A new JSON object or array added to `obj` under `key`, or NULL on allocation failure. */
struct json_object *ctl_json_add_object(struct json_object *obj, const char *key);
struct json_object *ctl_json_add_array(struct json_object *obj, const char *key);
