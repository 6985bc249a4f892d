/* The AWS shared config and credentials files: the profile in use, one key's value, bounded reads. */
#include "aws-profile.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

#define PROFILE_FILE_MAX (1024 * 1024)

int aws_profile_read_file(const char *path, size_t max, char **ret)
{
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        if (!f)
                return -errno;
        char *buf = malloc(max + 1);
        if (!buf)
                return -ENOMEM;
        size_t n = fread(buf, 1, max + 1, f);
        if (ferror(f) || n > max) {
                free_erase(buf);
                return n > max ? -EFBIG : -EIO;
        }
        while (n > 0 && isspace((unsigned char)buf[n - 1]))
                n--;
        buf[n] = '\0';
        *ret = buf;
        return 0;
}

const char *aws_profile_name(void)
{
        const char *p = getenv("AWS_PROFILE");
        if (isempty(p))
                p = getenv("AWS_DEFAULT_PROFILE");
        return isempty(p) ? "default" : p;
}

static int profile_file_path(bool config, char **ret)
{
        const char *env = getenv(config ? "AWS_CONFIG_FILE" : "AWS_SHARED_CREDENTIALS_FILE");
        if (!isempty(env)) {
                *ret = strdup(env);
                return *ret ? 0 : -ENOMEM;
        }
        const char *home = getenv("HOME");
        if (isempty(home))
                return -ENOENT;
        if (asprintf(ret, "%s/.aws/%s", home, config ? "config" : "credentials") < 0)
                return -ENOMEM;
        return 0;
}

static char *trim(char *s)
{
        while (isspace((unsigned char)*s))
                s++;
        size_t l = strlen(s);
        while (l > 0 && isspace((unsigned char)s[l - 1]))
                s[--l] = '\0';
        return s;
}

int aws_profile_ini_get(char *text, bool config, const char *profile, const char *key, char **ret)
{
        bool in_section = false;
        char *save = NULL;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                if (isspace((unsigned char)line[0]))
                        continue; /* nested sub-section values (e.g. "s3 =\n  addressing_style = ...") */
                char *l = trim(line);
                if (*l == '#' || *l == ';' || *l == '\0')
                        continue;
                if (*l == '[') {
                        char *end = strchr(l, ']');
                        if (!end)
                                continue;
                        *end = '\0';
                        char *name = trim(l + 1);
                        if (config) {
                                /* config: [default] or [profile NAME] */
                                const char *p = startswith(name, "profile ");
                                in_section = p ? streq(trim((char *)p), profile)
                                               : (streq(name, "default") && streq(profile, "default"));
                        } else
                                in_section = streq(name, profile);
                        continue;
                }
                if (!in_section)
                        continue;
                char *eq = strchr(l, '=');
                if (!eq)
                        continue;
                *eq = '\0';
                if (!streq(trim(l), key))
                        continue;
                char *v = strdup(trim(eq + 1));
                if (!v)
                        return -ENOMEM;
                *ret = v;
                return 1;
        }
        return 0;
}

/* INI lookup in one file. Returns 1 with value, 0 if absent (or no file), negative errno. */
static int ini_get(bool config, const char *profile, const char *key, char **ret)
{
        _cleanup_free_ char *path = NULL;
        _cleanup_erase_ char *data = NULL;
        int r = profile_file_path(config, &path);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        r = aws_profile_read_file(path, PROFILE_FILE_MAX, &data);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        return aws_profile_ini_get(data, config, profile, key, ret);
}

int aws_profile_get(const char *profile, const char *key, char **ret)
{
        int r = ini_get(false, profile, key, ret);
        if (r != 0)
                return r;
        return ini_get(true, profile, key, ret);
}
