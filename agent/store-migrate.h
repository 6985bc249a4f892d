/* The schema of state.db as an ordered list of forward migrations; store.c applies them, one
 * transaction each. Internal to the store. */
#pragma once

/* The schema this build writes; store_open() migrates older files forward to it. */
#define STORE_SCHEMA_VERSION 7

/* The SQL that takes the schema from `version - 1` to `version` (1..STORE_SCHEMA_VERSION), or NULL. */
const char *store_migration_sql(int version);
