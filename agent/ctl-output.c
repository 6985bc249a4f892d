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

int ctl_json_add(struct json_object *obj, const char *key, struct json_object *value)
{
        if (json_object_object_add(obj, key, value) < 0) {
                json_object_put(value);
                return -ENOMEM;
        }
        return 0;
}

int ctl_json_add_string(struct json_object *obj, const char *key, const char *value)
{
        struct json_object *v = NULL;
        if (value) {
                v = json_object_new_string(value);
                if (!v)
                        return -ENOMEM;
        }
        return ctl_json_add(obj, key, v);
}

int ctl_json_add_int(struct json_object *obj, const char *key, int64_t value)
{
        struct json_object *v = json_object_new_int64(value);
        if (!v)
                return -ENOMEM;
        return ctl_json_add(obj, key, v);
}

int ctl_json_add_time(struct json_object *obj, const char *key, int64_t t)
{
        char buf[TIME_ISO8601_MAX];
        return ctl_json_add_string(obj, key, t == 0 ? NULL : time_format_iso8601(t, buf));
}

int ctl_json_add_age(struct json_object *obj, const char *key, int64_t now, int64_t t)
{
        return ctl_json_add_int(obj, key, t ? MAX(now - t, 0) : -1);
}

int ctl_json_add_bool(struct json_object *obj, const char *key, int value)
{
        struct json_object *v = json_object_new_boolean(value);
        if (!v)
                return -ENOMEM;
        return ctl_json_add(obj, key, v);
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

struct json_object *ctl_json_array_add_object(struct json_object *arr)
{
        struct json_object *e = json_object_new_object();
        if (!e)
                return NULL;
        if (json_object_array_add(arr, e) < 0) {
                json_object_put(e);
                return NULL;
        }
        return e;
}

static struct json_object *add_new(struct json_object *obj, const char *key, struct json_object *v)
{
        if (!v || ctl_json_add(obj, key, v) < 0)
                return NULL;
        return v;
}

struct json_object *ctl_json_add_object(struct json_object *obj, const char *key)
{
        return add_new(obj, key, json_object_new_object());
}

struct json_object *ctl_json_add_array(struct json_object *obj, const char *key)
{
        return add_new(obj, key, json_object_new_array());
}
