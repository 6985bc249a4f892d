/* Cycle history in state.db (see store.h): when each cycle started and finished, its counts and exit
 * status; a cycle with no finish was interrupted. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "store-internal.h"

static const char *const cycle_sql[_STMT_MAX] = {
    [STMT_CYCLE_BEGIN] = "INSERT INTO cycles (started_at, dry_run) VALUES (?1, ?2)",
    [STMT_CYCLE_FINISH] = "UPDATE cycles SET finished_at = ?2, planned = ?3, succeeded = ?4, failed = ?5, "
                          "created = ?6, deleted = ?7, missed = ?8, api_calls = ?9, exit_status = ?10 "
                          "WHERE id = ?1 AND finished_at IS NULL",
    [STMT_CYCLE_EXISTS] = "SELECT 1 FROM cycles WHERE id = ?1",
    [STMT_CYCLE_GET] = "SELECT " STORE_COLUMNS " FROM cycles WHERE id = ?1",
    [STMT_CYCLE_LIST] = "SELECT " STORE_COLUMNS " FROM cycles ORDER BY id DESC LIMIT ?1",
};

int store_cycle_begin(struct store *s, bool dry_run, int64_t now, int64_t *ret_id)
{
        return store_insert(s, cycle_sql, STMT_CYCLE_BEGIN, ret_id, ARG_INT(now), ARG_INT(dry_run));
}

int store_cycle_finish(struct store *s, int64_t id, const struct cycle_counts *c, int exit_status,
                       int64_t now)
{
        int64_t one;
        int r;

        if (!s || !c)
                return -EINVAL;
        r = store_run_changes(s, cycle_sql, STMT_CYCLE_FINISH, ARG_INT(id), ARG_INT(now),
                              ARG_INT(c->planned), ARG_INT(c->succeeded), ARG_INT(c->failed),
                              ARG_INT(c->created), ARG_INT(c->deleted), ARG_INT(c->missed),
                              ARG_INT(c->api_calls), ARG_INT(exit_status));
        if (r != 0)
                return MIN(r, 0);

        /* Nothing changed: tell "no such cycle" from "already finished". */
        r = store_get(s, cycle_sql, STMT_CYCLE_EXISTS, &store_int64_rows, &one, ARG_INT(id));
        if (r == -ENOENT)
                store_set_error(s, "no cycle %" PRId64, id);
        if (r < 0)
                return r;
        store_set_error(s, "cycle %" PRId64 " is already finished", id);
        return -EALREADY;
}

static const struct store_column cycle_columns[] = {
    STORE_INT64(struct cycle_record, id),
    STORE_INT64(struct cycle_record, started_at),
    STORE_INT64(struct cycle_record, finished_at),
    STORE_BOOL(struct cycle_record, dry_run),
    STORE_UNSIGNED(struct cycle_record, counts.planned),
    STORE_UNSIGNED(struct cycle_record, counts.succeeded),
    STORE_UNSIGNED(struct cycle_record, counts.failed),
    STORE_UNSIGNED(struct cycle_record, counts.created),
    STORE_UNSIGNED(struct cycle_record, counts.deleted),
    STORE_UNSIGNED(struct cycle_record, counts.missed),
    STORE_UNSIGNED(struct cycle_record, counts.api_calls),
    STORE_INT(struct cycle_record, exit_status),
};

DEFINE_STORE_ROWS(cycle_rows, struct cycle_record, cycle_columns);

int store_cycle_get(struct store *s, int64_t id, struct cycle_record *ret)
{
        return store_get(s, cycle_sql, STMT_CYCLE_GET, &cycle_rows, ret, ARG_INT(id));
}

int store_cycle_list(struct store *s, size_t limit, struct cycle_record **ret, size_t *ret_n)
{
        return store_list(s, cycle_sql, STMT_CYCLE_LIST, &cycle_rows, ret, ret_n, ARG_INT(sql_limit(limit)));
}

int store_cycle_first_started(struct store *s, int64_t *ret)
{
        if (!s || !ret)
                return -EINVAL;
        /* One row even with no cycle: its NULL reads as 0. */
        return store_get_once_args(s, "SELECT MIN(started_at) FROM cycles", &store_int64_rows, ret, NULL, 0);
}
