/* Window history in state.db (see store.h): what became of each cluster's scheduled slot (taken, missed,
 * no room under the quota) and whether its journal event was sent. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store-internal.h"

#define WINDOW_COLUMNS "policy, cluster, slot_start, outcome, snapshot, reported, recorded_at"

static const char *const window_sql[_STMT_MAX] = {
    [STMT_WINDOW_RECORD] = "INSERT INTO window_history (" WINDOW_COLUMNS ") "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
                           "ON CONFLICT (cluster, slot_start) DO UPDATE SET "
                           "policy = excluded.policy, snapshot = excluded.snapshot, "
                           "reported = CASE WHEN outcome = excluded.outcome "
                           "THEN (reported OR excluded.reported) ELSE excluded.reported END, "
                           "outcome = excluded.outcome, recorded_at = excluded.recorded_at",
    [STMT_WINDOW_LOOKUP] = "SELECT " WINDOW_COLUMNS " FROM window_history "
                           "WHERE cluster = ?1 AND slot_start = ?2",
    [STMT_WINDOW_MARK] = "UPDATE window_history SET reported = 1 WHERE cluster = ?1 AND slot_start = ?2",
    [STMT_WINDOW_LIST] = "SELECT " WINDOW_COLUMNS " FROM window_history "
                         "WHERE (?1 IS NULL OR cluster = ?1) AND slot_start >= ?2 "
                         "ORDER BY slot_start DESC, cluster LIMIT ?3",
    [STMT_WINDOW_LAST_TAKEN] = "SELECT " WINDOW_COLUMNS " FROM window_history "
                               "WHERE cluster = ?1 AND outcome = 'taken' "
                               "ORDER BY slot_start DESC LIMIT 1",
};

static const char *const window_outcome_table[_WINDOW_OUTCOME_MAX] = {
    [WINDOW_TAKEN] = "taken",
    [WINDOW_MISSED] = "missed",
    [WINDOW_QUOTA_EXHAUSTED] = "quota-exhausted",
};

DEFINE_STORE_NAMES(window_outcome, enum window_outcome, window_outcome_table)

void window_record_done(struct window_record *w)
{
        if (!w)
                return;
        free(w->policy);
        free(w->cluster);
        free(w->snapshot);
        memset(w, 0, sizeof(*w));
}

DEFINE_STORE_ARRAY_FREE(window_records_free, struct window_record, window_record_done)

static int window_record_read(struct store *s, sqlite3_stmt *st, void *ret)
{
        struct window_record w = {
            .slot_start = sqlite3_column_int64(st, 2),
            .reported = sqlite3_column_int(st, 5) != 0,
            .recorded_at = sqlite3_column_int64(st, 6),
        };
        int o;

        o = window_outcome_from_string((const char *)sqlite3_column_text(st, 3));
        if (o < 0) {
                store_set_error(s, "window row has unknown outcome '%s'",
                                strna((const char *)sqlite3_column_text(st, 3)));
                return -EBADMSG;
        }
        w.outcome = o;
        if (column_strdup(st, 0, &w.policy) < 0 || column_strdup(st, 1, &w.cluster) < 0 ||
            column_strdup(st, 4, &w.snapshot) < 0) {
                window_record_done(&w);
                return -ENOMEM;
        }
        *(struct window_record *)ret = w;
        return 0;
}

DEFINE_STORE_ROWS(window_rows, struct window_record, window_record_read, window_record_done);

int store_window_record(struct store *s, const char *policy, const char *cluster, int64_t slot_start,
                        enum window_outcome outcome, const char *snapshot, bool reported, int64_t now)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r;

        if (!s || !policy || !cluster || !window_outcome_to_string(outcome))
                return -EINVAL;
        r = store_stmt(s, window_sql, STMT_WINDOW_RECORD, &st);
        if (r < 0)
                return r;
        bind_text(st, 1, policy);
        bind_text(st, 2, cluster);
        sqlite3_bind_int64(st, 3, slot_start);
        bind_text(st, 4, window_outcome_to_string(outcome));
        bind_text(st, 5, snapshot);
        sqlite3_bind_int(st, 6, reported);
        sqlite3_bind_int64(st, 7, now);
        return store_step_done(s, st);
}

int store_window_lookup(struct store *s, const char *cluster, int64_t slot_start, struct window_record *ret)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r;

        if (!s || !cluster || !ret)
                return -EINVAL;
        r = store_stmt(s, window_sql, STMT_WINDOW_LOOKUP, &st);
        if (r < 0)
                return r;
        bind_text(st, 1, cluster);
        sqlite3_bind_int64(st, 2, slot_start);
        return store_read_one(s, st, window_record_read, ret);
}

int store_window_last_taken(struct store *s, const char *cluster, struct window_record *ret)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r;

        if (!s || !cluster || !ret)
                return -EINVAL;
        r = store_stmt(s, window_sql, STMT_WINDOW_LAST_TAKEN, &st);
        if (r < 0)
                return r;
        bind_text(st, 1, cluster);
        return store_read_one(s, st, window_record_read, ret);
}

int store_window_mark_reported(struct store *s, const char *cluster, int64_t slot_start)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r;

        if (!s || !cluster)
                return -EINVAL;
        r = store_stmt(s, window_sql, STMT_WINDOW_MARK, &st);
        if (r < 0)
                return r;
        bind_text(st, 1, cluster);
        sqlite3_bind_int64(st, 2, slot_start);
        r = store_step_done(s, st);
        if (r < 0)
                return r;
        return sqlite3_changes(s->db) > 0 ? 0 : -ENOENT;
}

int store_window_list(struct store *s, const char *cluster, int64_t since, size_t limit,
                      struct window_record **ret, size_t *ret_n)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r;

        if (!s || !ret || !ret_n)
                return -EINVAL;
        r = store_stmt(s, window_sql, STMT_WINDOW_LIST, &st);
        if (r < 0)
                return r;
        bind_text(st, 1, cluster);
        sqlite3_bind_int64(st, 2, since);
        sqlite3_bind_int64(st, 3, sql_limit(limit));
        return store_collect(s, st, &window_rows, ret, ret_n);
}
