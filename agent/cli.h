/* Command-line pieces shared by aurora-backup-agent and aurora-backupctl. */
#pragma once

#include <stdio.h>

enum {
        EXIT_OK = 0,
        EXIT_FAILED = 1, /* a planned action or a check failed */
        EXIT_USAGE = 2,  /* bad command line or bad configuration */
};

/* The config file to use: --config, else the build default. */
const char *cli_config_path(const char *arg);
/* Validate a config without contacting AWS: "OK: N policies" on `out` and 0, or the errors on `err`
 * and EXIT_FAILED. */
int cli_check_config(const char *path, FILE *out, FILE *err);
