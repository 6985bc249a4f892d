/* aurora-backupctl: what every read-only command needs: the options, the config and the state store. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "agent-config.h"
#include "store.h"

#define CTL_DEFAULT_STATE_DIR "/var/lib/aurora-backup"

struct ctl_options {
        const char *config;    /* NULL: the build default */
        const char *state_dir; /* NULL: agent.state_directory, $STATE_DIRECTORY, CTL_DEFAULT_STATE_DIR */
        bool json;
};

struct ctl_context {
        struct agent_config *config;
        struct store *store;
        const char *state_dir; /* borrowed from the options, the config or the environment */
        int64_t now;
        struct next_slot_record *next_slots; /* loaded by ctl_next_slot() on first use */
        size_t n_next_slots;
        bool next_slots_loaded;
};

/* The next slot the agent's last plan gave `cluster` (in `region`, NULL: any), or NULL. */
const struct next_slot_record *ctl_next_slot(struct ctl_context *c, const char *region, const char *cluster);
/* The open problems, one line per problem, and as JSON objects: shared by status and check. */
struct json_object;
/* The JSON writers here carry a sticky error, as ctl-output.h's do. */
/* One object per problem, appended to the array `arr`. */
void ctl_problems_json(int *r, struct json_object *arr, int64_t now, const struct problem *p, size_t n);
void ctl_problem_text(FILE *out, const char *indent, int64_t now, const struct problem *p);
void ctl_next_slot_json(int *r, struct json_object *obj, const char *key, const struct next_slot_record *n);
/* The fields of a next slot that status and check (the agent's last plan, from state.db) and plan (a plan
 * made now) all show, in this order. `then` is next_slot_state_to_string(); retry_at 0: not retrying. */
void ctl_slot_json(int *r, struct json_object *e, int64_t slot_start, int64_t window_open,
                   int64_t window_close, const char *window, bool window_from_cluster, const char *schedule,
                   const char *then, int64_t retry_at);

/* The state directory: --state-dir, else agent.state_directory, else $STATE_DIRECTORY, else the default. */
const char *ctl_state_dir(const char *arg, const struct agent_config *c);

/* Load the config and open the store read-only. On failure prints why on `err` (config diagnostics,
 * or the store error) and returns -EINVAL (config) or the store's negative errno. */
int ctl_context_open(const struct ctl_options *o, struct ctl_context *ret, FILE *err);
void ctl_context_done(struct ctl_context *c);
/* Why a read of the open store failed, on `err`: the file, the error and the store's own message. */
void ctl_store_error(const struct ctl_context *c, int r, FILE *err);

/* `--since`: an ISO 8601 UTC time, or a duration ("2d", "6h") counted back from `now`. -EINVAL. */
int ctl_parse_since(const char *s, int64_t now, int64_t *ret);
