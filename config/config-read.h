/* Typed, checked access to libconfig settings: every wrong type, unknown member or out-of-range value
 * becomes one diag with file:line and the setting's path. The only file that reads libconfig values. */
#pragma once

#include <libconfig.h>
#include <stdbool.h>
#include <stdint.h>

#include "agent-config.h"

#define CONF_PATH_MAX 512

struct arena;

struct conf_ctx {
        struct config_diags *diags;
        struct arena *arena; /* the config's: every string it keeps is copied here */
        const char *file;    /* for settings that carry no source file */
        unsigned n_errors;
        int oom; /* -ENOMEM once a diag could not be stored */
};

/* A setting and the path that names it in messages, e.g. "policies.[1].retention". */
struct conf_node {
        config_setting_t *s;
        char path[CONF_PATH_MAX];
};

/* Files are at most this large: a config is written by people. */
#define CONFIG_FILE_SIZE_MAX (1024 * 1024)

/* Read and parse one file into `cfg` (which the caller then destroys). The text is read once and
 * parsed from memory, so what is checked is what is parsed; "@include" and NUL bytes are refused.
 * Syntax errors become a diag with libconfig's line and return -EINVAL (cfg not initialized); I/O
 * errors return the negative errno, with a diag. */
int conf_read_file(struct conf_ctx *ctx, const char *path, config_t *cfg);
void conf_destroyp(config_t **c);
/* Record an error about a whole file (line 0) or a line of it, with no setting. Returns -EINVAL. */
int conf_file_error(struct conf_ctx *ctx, const char *file, unsigned line, const char *msg);

/* A copy of `s` in the config's arena, into *ret (which may already point into it). 0, or -ENOMEM (also
 * recorded in ctx). */
int conf_strdup(struct conf_ctx *ctx, const char *s, char **ret);

void conf_root(const config_t *c, struct conf_node *ret);
unsigned conf_line(const struct conf_node *n);
const char *conf_file(const struct conf_ctx *ctx, const struct conf_node *n);

/* Record an error at `n` (its line and path). */
_printf_(3, 4) void conf_error(struct conf_ctx *ctx, const struct conf_node *n, const char *fmt, ...);
/* Record an error about `key`, absent from `group`: the group's line, the path "group.key". */
_printf_(4, 5) void conf_error_missing(struct conf_ctx *ctx, const struct conf_node *group, const char *key,
                                       const char *fmt, ...);
/* Report every member of `group` whose name is not in `known` (NULL-terminated), suggesting the
 * closest known name. */
void conf_check_members(struct conf_ctx *ctx, const struct conf_node *group, const char *const *known);
/* The same, leaving out `skip`, which the caller reports in its own words. */
void conf_check_members_skip(struct conf_ctx *ctx, const struct conf_node *group, const char *const *known,
                             const char *skip);

bool conf_member(const struct conf_node *group, const char *key, struct conf_node *ret);
unsigned conf_length(const struct conf_node *n);
void conf_elem(const struct conf_node *aggregate, unsigned i, struct conf_node *ret);
/* The member's own name (groups), or NULL for list and array elements. */
const char *conf_name(const struct conf_node *n);
bool conf_is_group(const struct conf_node *n);
bool conf_is_list(const struct conf_node *n);
bool conf_is_string_seq(const struct conf_node *n); /* array or list */
/* The string value of a string setting, else NULL. */
const char *conf_string(const struct conf_node *n);
/* "a string", "an integer", ... for messages. */
const char *conf_type_name(const struct conf_node *n);

/* Getters for member `key` of `group`. Each returns 1 when present and valid (output set), 0 when
 * absent (output untouched), -EINVAL when present but wrong (error recorded, output untouched). */
int conf_get_group(struct conf_ctx *ctx, const struct conf_node *group, const char *key,
                   struct conf_node *ret);
/* A list "( ... )"; an empty list is fine. */
int conf_get_list(struct conf_ctx *ctx, const struct conf_node *group, const char *key,
                  struct conf_node *ret);
/* An array "[ ... ]" or list of strings; every non-string element is reported. */
int conf_get_string_seq(struct conf_ctx *ctx, const struct conf_node *group, const char *key,
                        struct conf_node *ret);
int conf_get_string(struct conf_ctx *ctx, const struct conf_node *group, const char *key, const char **ret,
                    struct conf_node *ret_node);
int conf_get_bool(struct conf_ctx *ctx, const struct conf_node *group, const char *key, bool *ret);
int conf_get_uint(struct conf_ctx *ctx, const struct conf_node *group, const char *key, unsigned min,
                  unsigned max, unsigned *ret);
/* A duration string ("15m"), within [min, max]. */
int conf_get_duration(struct conf_ctx *ctx, const struct conf_node *group, const char *key, int64_t min,
                      int64_t max, int64_t *ret);
int conf_get_schedule(struct conf_ctx *ctx, const struct conf_node *group, const char *key,
                      struct schedule *ret);
