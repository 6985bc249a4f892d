/* Warnings about a valid configuration (see config_warnings() in agent-config.h): a file that holds a
 * probe_command is a command the agent runs with its credentials' reach, so nobody but its owner may
 * write it. */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

#include "agent-config.h"
#include "config-diag.h"
#include "macro.h"

static bool already_warned(const struct config_diags *d, const char *file)
{
        for (size_t i = 0; i < d->n; i++)
                if (streq(d->items[i].file, file))
                        return true;
        return false;
}

int config_warnings(const struct agent_config *c, struct config_diags *ret)
{
        for (size_t i = 0; c && i < c->n_policies; i++) {
                const struct policy *p = &c->policies[i];
                char setting[64];
                struct stat st;

                if (!p->restore_test.probe_command || !p->file || already_warned(ret, p->file))
                        continue;
                if (stat(p->file, &st) < 0 || !(st.st_mode & (S_IWGRP | S_IWOTH)))
                        continue;
                snprintf(setting, sizeof(setting), "policies.[%u].restore_test.probe_command", p->index);
                if (config_diags_add(ret, p->file, p->restore_test.probe_command_line, setting,
                                     "the file holds a command the agent runs, and is writable by %s (mode "
                                     "%04o): make it writable by its owner only (chmod go-w %s)",
                                     (st.st_mode & S_IWGRP) && (st.st_mode & S_IWOTH) ? "group and others"
                                     : (st.st_mode & S_IWGRP)                         ? "its group"
                                                                                      : "others",
                                     (unsigned)(st.st_mode & 07777), p->file) < 0)
                        return -ENOMEM;
        }
        return 0;
}
