/* credential_process: credentials from an external program named in a shared-config profile (IAM Roles
 * Anywhere's signing helper is the usual one), run without a shell, bounded in time and output. */
#pragma once

#include <stddef.h>

#include "aws-credentials.h"
#include "aws-error.h"

/* The program gets this long to exit, then it and its process group are killed. */
#define AWS_CREDENTIALS_PROCESS_TIMEOUT_MS 10000
/* Larger standard output is refused (the answer is a few hundred bytes). */
#define AWS_CREDENTIALS_PROCESS_MAX_OUTPUT (64 * 1024)

/* Split a credential_process value into argv the way the AWS CLI does (botocore: shlex.split in POSIX
 * mode), without a shell and without any expansion: words are separated by blanks; "double quotes" group
 * a word in which a backslash escapes only `"` and `\`; 'single quotes' group a word literally; outside
 * quotes a backslash takes the next character literally. No $VAR, ~, globs, pipes or redirections.
 * Returns 0 with a NULL-terminated strv, -EINVAL for an unterminated quote or an empty command. */
int aws_credentials_process_split(const char *command, char ***ret);

/* Parse the program's standard output: {"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken"
 * (optional), "Expiration" (optional, ISO 8601; absent: the credentials do not expire)}. Returns 0, or
 * a negative errno with `e` filled; the message never quotes the output. */
int aws_credentials_process_parse(const char *json, size_t len, struct aws_credentials *ret,
                                  struct aws_error *e);

/* Run `command` (split as above; stdin /dev/null, the environment inherited, every other descriptor
 * closed, signals at their defaults, in its own process group) and parse its standard output. Its
 * standard error is read and thrown away, never logged: only its size is reported when the program
 * fails. timeout_ms 0: AWS_CREDENTIALS_PROCESS_TIMEOUT_MS. Returns 1 with `ret` filled, or a negative
 * errno with `e` (kind CREDENTIALS, code CredentialProcess...) that names only the program, not its
 * arguments. */
int aws_credentials_process_run(const char *command, unsigned timeout_ms, struct aws_credentials *ret,
                                struct aws_error *e);
