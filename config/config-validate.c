/* String-shape checks for AWS names and identifiers held in the config. */
#include "config-validate.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ascii.h"
#include "macro.h"

/* Only ASCII letters, digits and the characters of `extra`. */
static bool all_chars_in(const char *s, const char *extra)
{
        for (; *s; s++)
                if (!ascii_isalnum_or(*s, extra))
                        return false;
        return true;
}

/* Region: PREFIX[-QUALIFIER]-DIRECTION-N. The direction words are the ones AWS uses; they catch
 * misspellings such as "eu-wset-1" that a plain pattern would let through. */
static const char *const region_directions[] = {
    "north", "south", "east", "west", "central", "northeast", "northwest", "southeast", "southwest",
};
static const struct {
        const char *qualifier;
        const char *partition;
} region_qualifiers[] = {
    {"gov", "aws-us-gov"}, {"iso", "aws-iso"},    {"isob", "aws-iso-b"},
    {"isoe", "aws-iso-e"}, {"isof", "aws-iso-f"},
};

static const char *region_split(const char *s)
{
        char buf[32];
        char *parts[4];
        size_t n = 0;
        const char *partition = "aws";

        if (!s || strlen(s) >= sizeof(buf))
                return NULL;
        strcpy(buf, s);
        for (char *p = buf, *tok; (tok = strsep(&p, "-"));) {
                if (n >= ELEMENTSOF(parts))
                        return NULL;
                parts[n++] = tok;
        }
        if (n < 3)
                return NULL;

        /* two-letter area */
        if (strlen(parts[0]) != 2 || !ascii_islower(parts[0][0]) || !ascii_islower(parts[0][1]))
                return NULL;
        if (streq(parts[0], "cn"))
                partition = "aws-cn";
        if (n == 4) {
                size_t q;
                for (q = 0; q < ELEMENTSOF(region_qualifiers); q++)
                        if (streq(parts[1], region_qualifiers[q].qualifier))
                                break;
                if (q >= ELEMENTSOF(region_qualifiers))
                        return NULL;
                partition = region_qualifiers[q].partition;
        }

        const char *dir = parts[n - 2], *num = parts[n - 1];
        bool dir_ok = false;
        for (size_t i = 0; i < ELEMENTSOF(region_directions); i++)
                if (streq(dir, region_directions[i]))
                        dir_ok = true;
        if (!dir_ok)
                return NULL;
        /* 1..99, no leading zero */
        if (!ascii_isdigit(num[0]) || num[0] == '0' || (num[1] && (!ascii_isdigit(num[1]) || num[2])))
                return NULL;
        return partition;
}

bool region_name_is_valid(const char *s)
{
        return region_split(s) != NULL;
}

bool availability_zone_is_valid(const char *s)
{
        char region[32];
        size_t l = s ? strlen(s) : 0;

        if (l < 2 || l >= sizeof(region) || !ascii_islower(s[l - 1]))
                return false;
        memcpy(region, s, l - 1);
        region[l - 1] = '\0';
        return region_name_is_valid(region);
}

const char *region_partition(const char *region)
{
        return region_split(region);
}

bool account_id_is_valid(const char *s)
{
        if (!s || strlen(s) != 12)
                return false;
        for (; *s; s++)
                if (!ascii_isdigit(*s))
                        return false;
        return true;
}

static const char *const partitions[] = {
    "aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc",
};

int arn_parse(const char *s, struct arn *ret)
{
        struct arn a;
        char *fields[5], *p;
        size_t n = 0;

        if (!s || strlen(s) > ARN_MAX)
                return -EINVAL;
        strcpy(a.buf, s);
        p = a.buf;
        if (!startswith(p, "arn:"))
                return -EINVAL;
        p += 4;
        /* partition, service, region, account; the resource is the rest and may itself hold ':' */
        while (n < 4) {
                char *colon = strchr(p, ':');
                if (!colon)
                        return -EINVAL;
                *colon = '\0';
                fields[n++] = p;
                p = colon + 1;
        }
        fields[4] = p;

        bool partition_ok = false;
        for (size_t i = 0; i < ELEMENTSOF(partitions); i++)
                if (streq(fields[0], partitions[i]))
                        partition_ok = true;
        if (!partition_ok)
                return -EINVAL;
        if (isempty(fields[1]) || !all_chars_in(fields[1], "-"))
                return -EINVAL;
        if (!isempty(fields[2]) && !region_name_is_valid(fields[2]))
                return -EINVAL;
        if (!isempty(fields[3]) && !account_id_is_valid(fields[3]))
                return -EINVAL;
        if (isempty(fields[4]))
                return -EINVAL;
        for (const char *c = fields[4]; *c; c++)
                if ((unsigned char)*c <= ' ' || *c == 0x7f)
                        return -EINVAL;

        /* The fields point into the buffer, so they move with it. */
        memcpy(ret->buf, a.buf, sizeof(a.buf));
        ret->partition = ret->buf + (fields[0] - a.buf);
        ret->service = ret->buf + (fields[1] - a.buf);
        ret->region = ret->buf + (fields[2] - a.buf);
        ret->account = ret->buf + (fields[3] - a.buf);
        ret->resource = ret->buf + (fields[4] - a.buf);
        return 0;
}

bool iam_role_arn_is_valid(const char *s)
{
        struct arn a;
        const char *name, *slash;

        if (arn_parse(s, &a) < 0)
                return false;
        if (!streq(a.service, "iam") || !isempty(a.region) || !account_id_is_valid(a.account))
                return false;
        name = startswith(a.resource, "role/");
        if (!name || !*name)
                return false;
        /* optional path segments, then the role name (1..64 of [\w+=,.@-]) */
        slash = strrchr(name, '/');
        if (slash) {
                if (!all_chars_in(name, "/+=,.@_-") || name[0] == '/')
                        return false;
                name = slash + 1;
        }
        return strlen(name) >= 1 && strlen(name) <= 64 && all_chars_in(name, "+=,.@_-");
}

bool kms_key_arn_is_valid(const char *s, char region[static 32])
{
        struct arn a;
        const char *id;

        if (arn_parse(s, &a) < 0)
                return false;
        if (!streq(a.service, "kms") || isempty(a.region) || !account_id_is_valid(a.account))
                return false;
        if ((id = startswith(a.resource, "key/"))) {
                /* key ids are UUIDs, or "mrk-" + 32 hex digits for multi-Region keys */
                if (strlen(id) < 1 || strlen(id) > 64 || !all_chars_in(id, "-"))
                        return false;
        } else if ((id = startswith(a.resource, "alias/"))) {
                if (strlen(id) < 1 || strlen(id) > 250 || !all_chars_in(id, "/_-") || startswith(id, "aws/"))
                        return false;
        } else
                return false;
        snprintf(region, 32, "%s", a.region);
        return true;
}

bool sns_topic_arn_is_valid(const char *s, char region[static 32])
{
        const char *partition;
        struct arn a;
        size_t l;

        if (arn_parse(s, &a) < 0)
                return false;
        if (!streq(a.service, "sns") || isempty(a.region) || !account_id_is_valid(a.account))
                return false;
        partition = region_partition(a.region);
        if (!partition || !streq(partition, a.partition))
                return false;
        l = strlen(a.resource);
        if (l < 1 || l > 256 || !all_chars_in(a.resource, "_-"))
                return false;
        snprintf(region, 32, "%s", a.region);
        return true;
}

bool s3_bucket_name_is_valid(const char *s)
{
        size_t l;
        int dots = 0;
        bool all_numeric_groups = true;

        if (!s)
                return false;
        l = strlen(s);
        if (l < 3 || l > 63)
                return false;
        if (!(ascii_islower(s[0]) || ascii_isdigit(s[0])) ||
            !(ascii_islower(s[l - 1]) || ascii_isdigit(s[l - 1])))
                return false;
        for (size_t i = 0; i < l; i++) {
                if (!ascii_islower(s[i]) && !ascii_isdigit(s[i]) && s[i] != '.' && s[i] != '-')
                        return false;
                if (s[i] == '.') {
                        dots++;
                        if (s[i + 1] == '.' || s[i + 1] == '-' || (i > 0 && s[i - 1] == '-'))
                                return false;
                } else if (!ascii_isdigit(s[i]))
                        all_numeric_groups = false;
        }
        if (dots == 3 && all_numeric_groups)
                return false; /* looks like an IP address */
        if (startswith(s, "xn--") || startswith(s, "sthree-"))
                return false;
        return true;
}

bool s3_prefix_is_valid(const char *s)
{
        if (!s || strlen(s) > 512 || s[0] == '/')
                return false;
        for (; *s; s++)
                if ((unsigned char)*s < ' ' || *s == 0x7f)
                        return false;
        return true;
}

bool snapshot_prefix_is_valid(const char *s)
{
        size_t l;

        if (!s)
                return false;
        l = strlen(s);
        if (l < 1 || l > SNAPSHOT_PREFIX_MAX || !ascii_islower(s[0]) || s[l - 1] == '-')
                return false;
        for (size_t i = 0; i < l; i++) {
                if (!ascii_islower(s[i]) && !ascii_isdigit(s[i]) && s[i] != '-')
                        return false;
                if (s[i] == '-' && s[i + 1] == '-')
                        return false;
        }
        return true;
}

bool cluster_glob_is_valid(const char *s)
{
        bool in_bracket = false;
        size_t l;

        if (!s)
                return false;
        l = strlen(s);
        if (l < 1 || l > 63)
                return false;
        for (size_t i = 0; i < l; i++) {
                char c = s[i];
                if (c == '[') {
                        if (in_bracket)
                                return false;
                        in_bracket = true;
                } else if (c == ']') {
                        if (!in_bracket)
                                return false;
                        in_bracket = false;
                } else if (!ascii_isalnum(c) && !strchr("-*?!", c))
                        return false;
        }
        return !in_bracket;
}

bool policy_name_is_valid(const char *s)
{
        return s && strlen(s) >= 1 && strlen(s) <= POLICY_NAME_MAX && all_chars_in(s, "-_.");
}

bool instance_class_is_valid(const char *s)
{
        const char *rest;
        const char *dot;

        if (!s || strlen(s) > 64 || !(rest = startswith(s, "db.")))
                return false;
        if (streq(rest, "serverless"))
                return true;
        dot = strchr(rest, '.');
        if (!dot || dot == rest || !dot[1] || strchr(dot + 1, '.'))
                return false;
        for (const char *c = rest; *c; c++)
                if (!ascii_islower(*c) && !ascii_isdigit(*c) && *c != '.' && *c != '-')
                        return false;
        return true;
}

bool external_id_is_valid(const char *s)
{
        return s && strlen(s) >= 2 && strlen(s) <= 1224 && all_chars_in(s, "+=,.@:/_-");
}

static bool no_control_chars(const char *s)
{
        for (; *s; s++)
                if ((unsigned char)*s < ' ' || *s == 0x7f)
                        return false;
        return true;
}

bool tag_key_is_valid(const char *s)
{
        return s && strlen(s) >= 1 && strlen(s) <= 128 && no_control_chars(s);
}

bool tag_value_is_valid(const char *s)
{
        return s && strlen(s) <= 256 && no_control_chars(s);
}

bool absolute_path_is_valid(const char *s)
{
        return s && s[0] == '/' && strlen(s) < 4096 && no_control_chars(s);
}
