/* Collecting validation errors (struct config_diags, declared in agent-config.h) so that one pass
 * reports every mistake, each with its file, line and setting path. */
#pragma once

#include "agent-config.h"

/* Append one error. `setting` may be NULL (a whole-file error such as a syntax error). Returns 0 or
 * -ENOMEM (the list is left as it was). */
_printf_(5, 6) int config_diags_add(struct config_diags *d, const char *file, unsigned line,
                                    const char *setting, const char *fmt, ...);
/* Order by file (in the order files were first mentioned), then by line; stable otherwise, so that
 * cross-policy checks made after the walk land next to the lines they name. */
void config_diags_sort(struct config_diags *d);
