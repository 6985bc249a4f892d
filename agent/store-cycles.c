/* Cycle history in state.db (see store.h): when each cycle started and finished, its counts and exit
 * status; a cycle with no finish was interrupted. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "store-internal.h"

#define CYCLE_COLUMNS                                                                                       \
        "id, started_at, finished_at, dry_run, planned, succeeded, failed, created, deleted, missed, "      \
        "api_calls, exit_status"

static const char *const cycle_sql[_STMT_MAX] = {
    [STMT_CYCLE_BEGIN] = "INSERT INTO cycles (started_at, dry_run) VALUES (?1, ?2)",
    [STMT_CYCLE_FINISH] = "UPDATE cycles SET finished_at = ?2, planned = ?3, succeeded = ?4, failed = ?5, "
                          "created = ?6, deleted = ?7, missed = ?8, api_calls = ?9, exit_status = ?10 "
                          "WHERE id = ?1 AND finished_at IS NULL",
    [STMT_CYCLE_EXISTS] = "SELECT 1 FROM cycles WHERE id = ?1",
    [STMT_CYCLE_GET] = "SELECT " CYCLE_COLUMNS " FROM cycles WHERE id = ?1",
    [STMT_CYCLE_LIST] = "SELECT " CYCLE_COLUMNS " FROM cycles ORDER BY id DESC LIMIT ?1",
};

int store_cycle_begin(struct store *s, bool dry_run, int64_t now, int64_t *ret_id)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r;

        if (!s)
                return -EINVAL;
        r = store_stmt(s, cycle_sql, STMT_CYCLE_BEGIN, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, now);
        sqlite3_bind_int(st, 2, dry_run);
        r = store_step_done(s, st);
        if (r < 0)
                return r;
        if (ret_id)
                *ret_id = sqlite3_last_insert_rowid(s->db);
        return 0;
}

int store_cycle_finish(struct store *s, int64_t id, const struct cycle_counts *c, int exit_status,
                       int64_t now)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        sqlite3_stmt *ex = NULL;
        int r, rc;

        if (!s || !c)
                return -EINVAL;
        r = store_stmt(s, cycle_sql, STMT_CYCLE_FINISH, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, now);
        sqlite3_bind_int64(st, 3, c->planned);
        sqlite3_bind_int64(st, 4, c->succeeded);
        sqlite3_bind_int64(st, 5, c->failed);
        sqlite3_bind_int64(st, 6, c->created);
        sqlite3_bind_int64(st, 7, c->deleted);
        sqlite3_bind_int64(st, 8, c->missed);
        sqlite3_bind_int64(st, 9, c->api_calls);
        sqlite3_bind_int(st, 10, exit_status);
        r = store_step_done(s, st);
        if (r < 0)
                return r;
        if (sqlite3_changes(s->db) > 0)
                return 0;

        r = store_stmt(s, cycle_sql, STMT_CYCLE_EXISTS, &ex);
        if (r < 0)
                return r;
        sqlite3_bind_int64(ex, 1, id);
        rc = sqlite3_step(ex);
        r = rc == SQLITE_ROW ? -EALREADY : rc == SQLITE_DONE ? -ENOENT : store_fail(s, rc);
        store_stmt_resetp(&ex);
        if (r == -EALREADY)
                store_set_error(s, "cycle %" PRId64 " is already finished", id);
        else if (r == -ENOENT)
                store_set_error(s, "no cycle %" PRId64, id);
        return r;
}

static int cycle_record_read(struct store *s, sqlite3_stmt *st, void *ret)
{
        (void)s;
        *(struct cycle_record *)ret = (struct cycle_record){
            .id = sqlite3_column_int64(st, 0),
            .started_at = sqlite3_column_int64(st, 1),
            .finished_at = sqlite3_column_int64(st, 2),
            .dry_run = sqlite3_column_int(st, 3) != 0,
            .counts =
                {
                    .planned = (unsigned)sqlite3_column_int64(st, 4),
                    .succeeded = (unsigned)sqlite3_column_int64(st, 5),
                    .failed = (unsigned)sqlite3_column_int64(st, 6),
                    .created = (unsigned)sqlite3_column_int64(st, 7),
                    .deleted = (unsigned)sqlite3_column_int64(st, 8),
                    .missed = (unsigned)sqlite3_column_int64(st, 9),
                    .api_calls = (unsigned)sqlite3_column_int64(st, 10),
                },
            .exit_status = sqlite3_column_int(st, 11),
        };
        return 0;
}

int store_cycle_get(struct store *s, int64_t id, struct cycle_record *ret)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r;

        if (!s || !ret)
                return -EINVAL;
        r = store_stmt(s, cycle_sql, STMT_CYCLE_GET, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        return store_read_one(s, st, cycle_record_read, ret);
}

int store_cycle_list(struct store *s, size_t limit, struct cycle_record **ret, size_t *ret_n)
{
        static const struct store_rows cycle_rows = {.size = sizeof(struct cycle_record),
                                                     .read = cycle_record_read};
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r;

        if (!s || !ret || !ret_n)
                return -EINVAL;
        r = store_stmt(s, cycle_sql, STMT_CYCLE_LIST, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, sql_limit(limit));
        return store_collect(s, st, &cycle_rows, ret, ret_n);
}

int store_cycle_first_started(struct store *s, int64_t *ret)
{
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int r, rc;

        if (!s || !ret)
                return -EINVAL;
        r = store_prepare(s, "SELECT MIN(started_at) FROM cycles", &st);
        if (r < 0)
                return r;
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
                return store_fail(s, rc);
        *ret = sqlite3_column_int64(st, 0); /* NULL (no cycle) reads as 0 */
        return 0;
}
