/* The account's manual cluster snapshot quota in state.db (see store.h), per region, as last observed. */
#include <errno.h>

#include "store-internal.h"

static const char *const quota_sql[_STMT_MAX] = {
    [STMT_QUOTA_PUT] =
        "INSERT INTO account_quotas (region, max, used, counted, observed_at) VALUES (?1, ?2, ?3, ?4, ?5) "
        "ON CONFLICT (region) DO UPDATE SET max = excluded.max, used = excluded.used, "
        "counted = excluded.counted, observed_at = excluded.observed_at",
    [STMT_QUOTA_GET] = "SELECT " STORE_COLUMNS " FROM account_quotas WHERE region = ?1",
};

int store_account_quota_put(struct store *s, const char *region, const struct account_quota_record *q)
{
        if (!region || !q)
                return -EINVAL;
        return store_run(s, quota_sql, STMT_QUOTA_PUT, ARG_TEXT(region), ARG_INT(q->max), ARG_INT(q->used),
                         ARG_INT(q->counted), ARG_INT(q->observed_at));
}

static const struct store_column quota_columns[] = {
    STORE_INT64(struct account_quota_record, max),
    STORE_INT64(struct account_quota_record, used),
    STORE_INT64(struct account_quota_record, counted),
    STORE_INT64(struct account_quota_record, observed_at),
};

DEFINE_STORE_ROWS(quota_rows, struct account_quota_record, quota_columns);

int store_account_quota_get(struct store *s, const char *region, struct account_quota_record *ret)
{
        if (!region)
                return -EINVAL;
        return store_get(s, quota_sql, STMT_QUOTA_GET, &quota_rows, ret, ARG_TEXT(region));
}
