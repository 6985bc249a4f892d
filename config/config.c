/* Placeholder until the config module lands (issue 2): refuses every file. */
#include <errno.h>
#include <stdio.h>

#include "agent-config.h"

int config_load(const char *path, struct agent_config **ret, struct config_diags *diags)
{
        (void)path;
        (void)ret;
        (void)diags;
        return -EOPNOTSUPP;
}

struct agent_config *agent_config_free(struct agent_config *c)
{
        (void)c;
        return NULL;
}

void config_diags_clear(struct config_diags *d)
{
        (void)d;
}

void config_diags_print(const struct config_diags *d, FILE *f)
{
        (void)d;
        (void)f;
}
