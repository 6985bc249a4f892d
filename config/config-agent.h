/* The "agent" group of the main file to struct agent_settings. */
#pragma once

#include "agent-config.h"
#include "config-read.h"

#define SHARD_COUNT_MAX 1024

/* Set the defaults of every agent setting (strings in ctx's arena). Returns 0 or -ENOMEM. */
int config_agent_defaults(struct conf_ctx *ctx, struct agent_settings *a);
/* Parse `group` (the "agent" setting) over the defaults in `a`. Errors go to ctx. */
void config_agent_parse(struct conf_ctx *ctx, const struct conf_node *group, struct agent_settings *a);
/* agent.control_group: a portable group name (1..31 of [A-Za-z0-9_.-], not starting with a digit or '-'). */
bool group_name_is_valid(const char *s);
/* "i/n" with 1 <= i <= n <= SHARD_COUNT_MAX. Returns 0 or -EINVAL. */
int shard_parse(const char *s, unsigned *ret_index, unsigned *ret_count);
