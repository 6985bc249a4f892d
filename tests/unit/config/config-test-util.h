/* Helpers for config tests: a scratch directory with files written from strings, and diag lookups. */
#pragma once

#include "agent-config.h"

/* A fresh directory under $TMPDIR (or /tmp); removed with its contents by scratch_remove(). */
char *scratch_new(void);
void scratch_remove(char *dir);
/* Write `text` to dir/name (creating dir/policies.d when name starts with it). Returns the path. */
char *scratch_write(const char *dir, const char *name, const char *text);
/* The same for `len` bytes of `text`, which may hold NUL bytes. */
char *scratch_write_len(const char *dir, const char *name, const char *text, size_t len);
/* config_load() of `path`, which must succeed without a diagnostic (they are printed if it fails). */
struct agent_config *load_ok(const char *path);
/* The first diag whose setting equals `setting` (NULL matches a diag without a setting), or NULL. */
const struct config_diag *diag_find(const struct config_diags *d, const char *setting);
