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

/* The JSON writers carry a sticky error, `*r`: each one does nothing when *r is already negative (and
 * then accepts a NULL `obj`), and stores -ENOMEM in *r when it fails. So a writer adds its fields one
 * after another and checks *r once, at the end. */

/* Add `value` to `obj` under `key`: NULL strings and 0 times become JSON null. */
void ctl_json_add_string(int *r, struct json_object *obj, const char *key, const char *value);
void ctl_json_add_int(int *r, struct json_object *obj, const char *key, int64_t value);
void ctl_json_add_time(int *r, struct json_object *obj, const char *key, int64_t t);
/* Seconds from `t` to `now` (0 for a t in the future), or -1 when t is 0 (never). */
void ctl_json_add_age(int *r, struct json_object *obj, const char *key, int64_t now, int64_t t);
void ctl_json_add_bool(int *r, struct json_object *obj, const char *key, int value);
/* Takes `value` (NULL: JSON null), also when it adds nothing. */
void ctl_json_add(int *r, struct json_object *obj, const char *key, struct json_object *value);

/* Pretty JSON on `f`, one trailing newline. */
int ctl_json_print(FILE *f, struct json_object *obj);

static inline void json_object_putp(struct json_object **p)
{
        if (*p)
                json_object_put(*p);
}

/* A new JSON object appended to `arr`, or NULL (with *r set, or already negative). */
struct json_object *ctl_json_array_add_object(int *r, struct json_object *arr);
/* A new JSON object or array added to `obj` under `key`, or NULL (with *r set, or already negative). */
struct json_object *ctl_json_add_object(int *r, struct json_object *obj, const char *key);
struct json_object *ctl_json_add_array(int *r, struct json_object *obj, const char *key);
