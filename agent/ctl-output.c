/* aurora-backupctl output helpers: times, ages and json-c values shared by the text and --json views. */
#include "ctl-output.h"

#include <errno.h>
#include <string.h>

#include "timespec.h"

const char *ctl_format_time(int64_t t, char buf[static TIME_ISO8601_MAX])
{
        if (t == 0) {
                strcpy(buf, "-");
                return buf;
        }
        return time_format_iso8601(t, buf);
}

const char *ctl_format_age(int64_t now, int64_t t, char buf[static CTL_AGE_MAX])
{
        if (t == 0) {
                strcpy(buf, "-");
                return buf;
        }
        int64_t age = now > t ? now - t : 0;
        if (age == 0) {
                strcpy(buf, "0s");
                return buf;
        }
        return duration_format(age, buf, CTL_AGE_MAX);
}

void ctl_json_add(int *r, struct json_object *obj, const char *key, struct json_object *value)
{
        if (*r >= 0 && json_object_object_add(obj, key, value) >= 0)
                return;
        json_object_put(value);
        if (*r >= 0)
                *r = -ENOMEM;
}

/* Add `v`, a value just made (NULL: it could not be made), and return it, or NULL. */
static struct json_object *add_new(int *r, struct json_object *obj, const char *key, struct json_object *v)
{
        if (!v && *r >= 0)
                *r = -ENOMEM;
        ctl_json_add(r, obj, key, v);
        return *r >= 0 ? v : NULL;
}

void ctl_json_add_string(int *r, struct json_object *obj, const char *key, const char *value)
{
        if (value)
                add_new(r, obj, key, json_object_new_string(value));
        else
                ctl_json_add(r, obj, key, NULL);
}

void ctl_json_add_int(int *r, struct json_object *obj, const char *key, int64_t value)
{
        add_new(r, obj, key, json_object_new_int64(value));
}

void ctl_json_add_time(int *r, struct json_object *obj, const char *key, int64_t t)
{
        char buf[TIME_ISO8601_MAX];
        ctl_json_add_string(r, obj, key, t == 0 ? NULL : time_format_iso8601(t, buf));
}

void ctl_json_add_age(int *r, struct json_object *obj, const char *key, int64_t now, int64_t t)
{
        ctl_json_add_int(r, obj, key, t ? MAX(now - t, 0) : -1);
}

void ctl_json_add_bool(int *r, struct json_object *obj, const char *key, int value)
{
        add_new(r, obj, key, json_object_new_boolean(value));
}

int ctl_json_print(FILE *f, struct json_object *obj)
{
        const char *s = json_object_to_json_string_ext(
            obj, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
        if (!s)
                return -ENOMEM;
        if (fprintf(f, "%s\n", s) < 0)
                return -EIO;
        return 0;
}

struct json_object *ctl_json_array_add_object(int *r, struct json_object *arr)
{
        if (*r < 0)
                return NULL;
        struct json_object *e = json_object_new_object();
        if (!e || json_object_array_add(arr, e) < 0) {
                json_object_put(e);
                *r = -ENOMEM;
                return NULL;
        }
        return e;
}

struct json_object *ctl_json_add_object(int *r, struct json_object *obj, const char *key)
{
        return add_new(r, obj, key, json_object_new_object());
}

struct json_object *ctl_json_add_array(int *r, struct json_object *obj, const char *key)
{
        return add_new(r, obj, key, json_object_new_array());
}
