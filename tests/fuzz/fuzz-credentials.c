/* Fuzz target: the shared credentials/config file parser (aws_profile_ini_get() in
 * agent/aws/aws-profile.c). Each input is read as ~/.aws/credentials and as ~/.aws/config, for the
 * keys the provider chain asks, in profile "default" and in the profile its first section names. */
#include <ctype.h>
#include <string.h>

#include "aws-profile.h"
#include "fuzz.h"
#include "macro.h"

#define PROFILE_NAME_MAX 128

static const char *const keys[] = {"aws_access_key_id", "aws_secret_access_key", "role_arn",
                                   "source_profile"};

/* The name inside the first "[...]" that starts a line, without "profile ": a cheap look, not a parse. */
static void first_section(const char *text, char *buf, size_t bufsize)
{
        const char *open = text[0] == '[' ? text : strstr(text, "\n[");
        buf[0] = '\0';
        if (!open)
                return;
        open += open[0] == '\n' ? 2 : 1;
        const char *close = strchr(open, ']');
        if (!close)
                return;
        if (strncmp(open, "profile ", 8) == 0)
                open += 8;
        while (open < close && isspace((unsigned char)*open))
                open++;
        while (close > open && isspace((unsigned char)close[-1]))
                close--;
        size_t n = MIN((size_t)(close - open), bufsize - 1);
        memcpy(buf, open, n);
        buf[n] = '\0';
}

static void lookup(const char *text, size_t len, bool config, const char *profile, const char *key)
{
        char *copy = strndup(text, len), *value = NULL;
        FUZZ_CHECK(copy);
        int r = aws_profile_ini_get(copy, config, profile, key, &value);
        FUZZ_CHECK(r == 0 || r == 1);
        if (r == 1) {
                /* A value is one trimmed line. */
                size_t vl = strlen(value);
                FUZZ_CHECK(!strchr(value, '\n'));
                FUZZ_CHECK(vl == 0 ||
                           (!isspace((unsigned char)value[0]) && !isspace((unsigned char)value[vl - 1])));
                free(value);
        } else
                FUZZ_CHECK(!value);
        free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        /* The agent reads the file as a C string: it ends at the first NUL. */
        char *text = strndup((const char *)data, size);
        char named[PROFILE_NAME_MAX];
        FUZZ_CHECK(text);
        size_t len = strlen(text);

        first_section(text, named, sizeof(named));
        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                for (int config = 0; config <= 1; config++) {
                        lookup(text, len, config, "default", keys[i]);
                        if (named[0] && !streq(named, "default"))
                                lookup(text, len, config, named, keys[i]);
                }
        free(text);
        return 0;
}
