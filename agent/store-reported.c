/* "Reported once" markers in state.db (see store.h): a condition is reported to the journal the first time
 * it is seen, not every cycle, until its marker is forgotten. */
#include <errno.h>

#include "store-internal.h"

static const char *const reported_sql[_STMT_MAX] = {
    [STMT_MARK_ONCE] = "INSERT OR IGNORE INTO reported_markers (key, first_at) VALUES (?1, ?2)",
    [STMT_MARK_FORGET] = "DELETE FROM reported_markers WHERE key = ?1",
    [STMT_MARK_CHECK] = "SELECT first_at FROM reported_markers WHERE key = ?1",
};

int store_reported_once(struct store *s, const char *key, int64_t now)
{
        if (!key)
                return -EINVAL;
        /* The key is unique: one row inserted the first time (1), none after (0). */
        return store_run_changes(s, reported_sql, STMT_MARK_ONCE, ARG_TEXT(key), ARG_INT(now));
}

int store_reported_forget(struct store *s, const char *key)
{
        if (!key)
                return -EINVAL;
        return store_run(s, reported_sql, STMT_MARK_FORGET, ARG_TEXT(key));
}

int store_reported_at(struct store *s, const char *key, int64_t *ret)
{
        int64_t at;
        int r;

        if (!key)
                return -EINVAL;
        r = store_get(s, reported_sql, STMT_MARK_CHECK, &store_int64_rows, &at, ARG_TEXT(key));
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        if (ret)
                *ret = at;
        return 1;
}

int store_reported_check(struct store *s, const char *key)
{
        return store_reported_at(s, key, NULL);
}
