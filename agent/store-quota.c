/* The account's manual cluster snapshot quota in state.db (see store.h), per region, as last observed. */
#include <errno.h>

#include "store-internal.h"

static const char *const quota_sql[_STMT_MAX] = {
    [STMT_QUOTA_PUT] =
        "INSERT INTO account_quotas (region, max, used, counted, observed_at) VALUES (?1, ?2, ?3, ?4, ?5) "
        "ON CONFLICT (region) DO UPDATE SET max = excluded.max, used = excluded.used, "
        "counted = excluded.counted, observed_at = excluded.observed_at",
    [STMT_QUOTA_GET] = "SELECT max, used, counted, observed_at FROM account_quotas WHERE region = ?1",
};

int store_account_quota_put(struct store *s, const char *region, const struct account_quota_record *q)
{
        if (!s || !region || !q)
                return -EINVAL;
        return store_run(s, quota_sql, STMT_QUOTA_PUT, ARG_TEXT(region), ARG_INT(q->max), ARG_INT(q->used),
                         ARG_INT(q->counted), ARG_INT(q->observed_at));
}

static int quota_read(struct store *s, sqlite3_stmt *st, void *ret)
{
        (void)s;
        *(struct account_quota_record *)ret = (struct account_quota_record){
            .max = sqlite3_column_int64(st, 0),
            .used = sqlite3_column_int64(st, 1),
            .counted = sqlite3_column_int64(st, 2),
            .observed_at = sqlite3_column_int64(st, 3),
        };
        return 0;
}

int store_account_quota_get(struct store *s, const char *region, struct account_quota_record *ret)
{
        if (!s || !region || !ret)
                return -EINVAL;
        return store_get(s, quota_sql, STMT_QUOTA_GET, quota_read, ret, ARG_TEXT(region));
}
