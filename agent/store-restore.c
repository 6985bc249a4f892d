/* Operators' restore requests in state.db (see store.h): recorded once validated, then started, done,
 * failed or canceled. They run once per operator request: statements are prepared per call, not kept with
 * the cycle's. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store-internal.h"

static const char *const restore_kind_table[_RESTORE_REQUEST_KIND_MAX] = {
    [RESTORE_FROM_SNAPSHOT] = "snapshot",
    [RESTORE_TO_POINT_IN_TIME] = "point-in-time",
};

DEFINE_STRING_TABLE_TO_STRING(restore_request_kind, enum restore_request_kind, restore_kind_table, NULL)

static const struct store_column restore_columns[] = {
    STORE_INT64(struct restore_request, id),
    /* a name this build does not know reads as a snapshot restore */
    STORE_NAME_OR(struct restore_request, kind, restore_kind_table, RESTORE_FROM_SNAPSHOT),
    /* what to restore, and where */
    STORE_TEXT(struct restore_request, source),
    STORE_TEXT(struct restore_request, region),
    STORE_INT64(struct restore_request, restore_time),
    STORE_BOOL(struct restore_request, use_latest),
    STORE_TEXT(struct restore_request, new_cluster),
    STORE_TEXT(struct restore_request, instance_class),
    STORE_BOOL(struct restore_request, wait),
    /* who asked, and where it stands */
    STORE_TEXT(struct restore_request, state),
    STORE_INT64(struct restore_request, requested_by),
    STORE_TEXT(struct restore_request, message),
    STORE_INT64(struct restore_request, created_at),
    STORE_INT64(struct restore_request, updated_at),
};

DEFINE_STORE_ROWS(restore_rows, struct restore_request, restore_columns);

DEFINE_STORE_RECORD_FREE(restore_request_done, restore_requests_free, struct restore_request, restore_rows)

/* The requests still to run or running: their new cluster is taken. */
#define RESTORE_OPEN "state IN ('recorded', 'started')"

int store_restore_request_add(struct store *s, const struct restore_request *in, int64_t now,
                              int64_t *ret_id)
{
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int r, rc;

        if (!s || !in || !in->source || !in->new_cluster || !restore_request_kind_to_string(in->kind))
                return -EINVAL;
        /* Stepped here rather than by a helper: a constraint failure is the unique new cluster of an open
         * request, and says so. */
        r = store_prepare(
            s,
            "INSERT INTO restore_requests (kind, source, region, restore_time, use_latest, "
            "new_cluster, instance_class, wait, state, requested_by, message, created_at, "
            "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'recorded', ?9, ?10, ?11, ?11)",
            &st);
        if (r < 0)
                return r;
        store_bind(st, STORE_ARGS(ARG_TEXT(restore_request_kind_to_string(in->kind)), ARG_TEXT(in->source),
                                  ARG_TEXT(in->region), ARG_INT(in->restore_time), ARG_INT(in->use_latest),
                                  ARG_TEXT(in->new_cluster), ARG_TEXT(in->instance_class), ARG_INT(in->wait),
                                  ARG_INT(in->requested_by), ARG_TEXT(in->message), ARG_INT(now)));
        rc = sqlite3_step(st);
        if (rc == SQLITE_CONSTRAINT || (rc & 0xff) == SQLITE_CONSTRAINT) {
                store_set_error(s, "an open restore request already names %s", in->new_cluster);
                return -EEXIST;
        }
        if (rc != SQLITE_DONE)
                return store_fail(s, rc);
        if (ret_id)
                *ret_id = sqlite3_last_insert_rowid(s->db);
        return 0;
}

int store_restore_request_find_open(struct store *s, const char *new_cluster, struct restore_request *ret)
{
        if (!new_cluster)
                return -EINVAL;
        return store_get_once(s,
                              "SELECT " STORE_COLUMNS " FROM restore_requests WHERE new_cluster = ?1 "
                              "AND " RESTORE_OPEN,
                              &restore_rows, ret, ARG_TEXT(new_cluster));
}

int store_restore_requests_open(struct store *s, struct restore_request **ret, size_t *ret_n)
{
        return store_list_once_args(s,
                                    "SELECT " STORE_COLUMNS " FROM restore_requests "
                                    "WHERE " RESTORE_OPEN " ORDER BY id",
                                    &restore_rows, ret, ret_n, NULL, 0);
}

int store_restore_requests_recent(struct store *s, size_t limit, struct restore_request **ret, size_t *ret_n)
{
        if (!s || !ret || !ret_n)
                return -EINVAL;
        /* `settled` (an extra column the rows do not read) keeps the open ones first. */
        return store_list_once(s,
                               "SELECT * FROM (SELECT " STORE_COLUMNS ", 0 AS settled FROM restore_requests "
                               "WHERE " RESTORE_OPEN ") "
                               "UNION ALL SELECT * FROM (SELECT " STORE_COLUMNS ", 1 FROM restore_requests "
                               "WHERE NOT " RESTORE_OPEN " ORDER BY id DESC LIMIT ?1) "
                               "ORDER BY settled, id DESC",
                               &restore_rows, ret, ret_n, ARG_INT((int64_t)limit));
}

int store_restore_request_get(struct store *s, int64_t id, struct restore_request *ret)
{
        return store_get_once(s, "SELECT " STORE_COLUMNS " FROM restore_requests WHERE id = ?1",
                              &restore_rows, ret, ARG_INT(id));
}

int store_restore_request_find_latest(struct store *s, const char *new_cluster, struct restore_request *ret)
{
        if (!new_cluster)
                return -EINVAL;
        return store_get_once(s,
                              "SELECT " STORE_COLUMNS
                              " FROM restore_requests WHERE new_cluster = ?1 ORDER BY id DESC LIMIT 1",
                              &restore_rows, ret, ARG_TEXT(new_cluster));
}

int store_restore_request_update(struct store *s, int64_t id, const char *state, const char *message,
                                 int64_t now)
{
        struct restore_request q = {};
        int r;

        r = store_run_changes_once(
            s,
            "UPDATE restore_requests SET state = coalesce(?2, state), message = coalesce(?3, message), "
            "updated_at = ?4 WHERE id = ?1 AND (state IS NOT coalesce(?2, state) OR "
            "message IS NOT coalesce(?3, message))",
            ARG_INT(id), ARG_TEXT(state), ARG_TEXT(message), ARG_INT(now));
        if (r != 0)
                return MIN(r, 0);
        /* Nothing changed: tell "no such request" (-ENOENT) from "already so" (0). */
        r = store_restore_request_get(s, id, &q);
        restore_request_done(&q);
        return r < 0 ? r : 0;
}
