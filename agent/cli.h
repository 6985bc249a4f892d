/* Command-line pieces shared by aurora-backup-agent and aurora-backupctl. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

struct agent_config;

enum {
        EXIT_OK = 0,
        EXIT_FAILED = 1, /* a planned action or a check failed */
        EXIT_USAGE = 2,  /* bad command line or bad configuration */
};

/* getopt_long() values: CLI_ARG_VERSION for the --version both programs take, each program's own long
 * options from CLI_ARG_OWN on. */
enum {
        CLI_ARG_VERSION = 0x100,
        CLI_ARG_OWN,
};

/* What getopt_long() returned when it is none of the program's own options: -h/--help (help on stdout)
 * and --version ("PROGRAM VERSION") are EXIT_OK; anything else is a bad option: help on stderr,
 * EXIT_USAGE. */
int cli_help_version_option(int c, const char *program, void (*help)(FILE *f));

/* The config file to use: --config, else the build default. */
const char *cli_config_path(const char *arg);
/* Load the config at `path` into *ret. On failure prints why on `err` (its errors with file:line, or why
 * the file cannot be read) and returns -EINVAL. With `unreadable_ok`, a file that is missing or not ours to
 * read is no failure: 0, *ret NULL and nothing printed (the caller falls back to its defaults). */
int cli_config_load(const char *path, bool unreadable_ok, struct agent_config **ret, FILE *err);
/* Validate a config without contacting AWS: "OK: N policies" on `out` and 0, or the errors on `err`
 * and EXIT_FAILED. */
int cli_check_config(const char *path, FILE *out, FILE *err);
