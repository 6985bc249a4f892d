/* The AWS shared config and credentials files (~/.aws/config, ~/.aws/credentials): which profile is in
 * use and the value of one key in it, and the bounded reader for them and the small files they name. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* AWS_PROFILE, else AWS_DEFAULT_PROFILE, else "default". */
const char *aws_profile_name(void);

/* Value of `key` in profile `profile` (credentials file: "[X]", looked at first; config file:
 * "[profile X]" or "[default]"). Returns 1 and a malloc'ed value, 0 if absent, negative errno. */
int aws_profile_get(const char *profile, const char *key, char **ret);
/* The same lookup in the text of one such file (config: true for ~/.aws/config), NUL-terminated; the
 * text is cut into lines in place. */
int aws_profile_ini_get(char *text, bool config, const char *profile, const char *key, char **ret);

/* Read a file of at most `max` bytes whole, NUL-terminated, trailing whitespace removed (-EFBIG if
 * larger). A buffer that is freed on error is wiped: the file may hold a secret. */
int aws_profile_read_file(const char *path, size_t max, char **ret);
