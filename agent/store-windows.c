/* Window history in state.db (see store.h): what became of each cluster's scheduled slot (taken, missed,
 * no room under the quota) and whether its journal event was sent. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store-internal.h"

static const char *const window_sql[_STMT_MAX] = {
    [STMT_WINDOW_RECORD] =
        "INSERT INTO window_history (policy, cluster, slot_start, outcome, snapshot, reported, recorded_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
        "ON CONFLICT (cluster, slot_start) DO UPDATE SET "
        "policy = excluded.policy, snapshot = excluded.snapshot, "
        "reported = CASE WHEN outcome = excluded.outcome "
        "THEN (reported OR excluded.reported) ELSE excluded.reported END, "
        "outcome = excluded.outcome, recorded_at = excluded.recorded_at",
    [STMT_WINDOW_LOOKUP] = "SELECT " STORE_COLUMNS " FROM window_history "
                           "WHERE cluster = ?1 AND slot_start = ?2",
    [STMT_WINDOW_MARK] = "UPDATE window_history SET reported = 1 WHERE cluster = ?1 AND slot_start = ?2",
    [STMT_WINDOW_LIST] = "SELECT " STORE_COLUMNS " FROM window_history "
                         "WHERE (?1 IS NULL OR cluster = ?1) AND slot_start >= ?2 "
                         "ORDER BY slot_start DESC, cluster LIMIT ?3",
    [STMT_WINDOW_LAST_TAKEN] = "SELECT " STORE_COLUMNS " FROM window_history "
                               "WHERE cluster = ?1 AND outcome = 'taken' "
                               "ORDER BY slot_start DESC LIMIT 1",
};

static const char *const window_outcome_table[_WINDOW_OUTCOME_MAX] = {
    [WINDOW_TAKEN] = "taken",
    [WINDOW_MISSED] = "missed",
    [WINDOW_QUOTA_EXHAUSTED] = "quota-exhausted",
};

DEFINE_STORE_NAMES(window_outcome, enum window_outcome, window_outcome_table)

static const struct store_column window_columns[] = {
    STORE_TEXT(struct window_record, policy),
    STORE_TEXT(struct window_record, cluster),
    STORE_INT64(struct window_record, slot_start),
    STORE_NAME(struct window_record, outcome, window_outcome_table),
    STORE_TEXT(struct window_record, snapshot),
    STORE_BOOL(struct window_record, reported),
    STORE_INT64(struct window_record, recorded_at),
};

DEFINE_STORE_ROWS(window_rows, struct window_record, window_columns, .what = "window row");

DEFINE_STORE_RECORD_FREE(window_record_done, window_records_free, struct window_record, window_rows)

int store_window_record(struct store *s, const char *policy, const char *cluster, int64_t slot_start,
                        enum window_outcome outcome, const char *snapshot, bool reported, int64_t now)
{
        if (!policy || !cluster || !window_outcome_to_string(outcome))
                return -EINVAL;
        return store_run(s, window_sql, STMT_WINDOW_RECORD, ARG_TEXT(policy), ARG_TEXT(cluster),
                         ARG_INT(slot_start), ARG_TEXT(window_outcome_to_string(outcome)),
                         ARG_TEXT(snapshot), ARG_INT(reported), ARG_INT(now));
}

int store_window_lookup(struct store *s, const char *cluster, int64_t slot_start, struct window_record *ret)
{
        if (!cluster)
                return -EINVAL;
        return store_get(s, window_sql, STMT_WINDOW_LOOKUP, &window_rows, ret, ARG_TEXT(cluster),
                         ARG_INT(slot_start));
}

int store_window_last_taken(struct store *s, const char *cluster, struct window_record *ret)
{
        if (!cluster)
                return -EINVAL;
        return store_get(s, window_sql, STMT_WINDOW_LAST_TAKEN, &window_rows, ret, ARG_TEXT(cluster));
}

int store_window_mark_reported(struct store *s, const char *cluster, int64_t slot_start)
{
        int r;

        if (!cluster)
                return -EINVAL;
        r = store_run_changes(s, window_sql, STMT_WINDOW_MARK, ARG_TEXT(cluster), ARG_INT(slot_start));
        return r == 0 ? -ENOENT : MIN(r, 0);
}

int store_window_list(struct store *s, const char *cluster, int64_t since, size_t limit,
                      struct window_record **ret, size_t *ret_n)
{
        return store_list(s, window_sql, STMT_WINDOW_LIST, &window_rows, ret, ret_n, ARG_TEXT(cluster),
                          ARG_INT(since), ARG_INT(sql_limit(limit)));
}
