/* Operators' restore requests in state.db (see store.h): recorded once validated, then started, done,
 * failed or canceled. They run once per operator request: statements are prepared per call, not kept with
 * the cycle's. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store-internal.h"

#define RESTORE_COLUMNS                                                                                     \
        "id, kind, source, region, restore_time, use_latest, new_cluster, instance_class, wait, state, "    \
        "requested_by, message, created_at, updated_at"

static const char *const restore_kind_table[_RESTORE_REQUEST_KIND_MAX] = {
    [RESTORE_FROM_SNAPSHOT] = "snapshot",
    [RESTORE_TO_POINT_IN_TIME] = "point-in-time",
};

const char *restore_request_kind_to_string(enum restore_request_kind k)
{
        return TABLE_TO_STRING(restore_kind_table, k);
}

void restore_request_done(struct restore_request *r)
{
        if (!r)
                return;
        free(r->source);
        free(r->region);
        free(r->new_cluster);
        free(r->instance_class);
        free(r->state);
        free(r->message);
        memset(r, 0, sizeof(*r));
}

DEFINE_STORE_ARRAY_FREE(restore_requests_free, struct restore_request, restore_request_done)

static int restore_request_read(struct store *s, sqlite3_stmt *st, void *ret)
{
        struct restore_request q = {
            .id = sqlite3_column_int64(st, 0),
            .kind = streq_ptr((const char *)sqlite3_column_text(st, 1), "point-in-time")
                        ? RESTORE_TO_POINT_IN_TIME
                        : RESTORE_FROM_SNAPSHOT,
            .restore_time = sqlite3_column_int64(st, 4),
            .use_latest = sqlite3_column_int64(st, 5) != 0,
            .wait = sqlite3_column_int64(st, 8) != 0,
            .requested_by = sqlite3_column_int64(st, 10),
            .created_at = sqlite3_column_int64(st, 12),
            .updated_at = sqlite3_column_int64(st, 13),
        };

        (void)s;
        if (column_strdup(st, 2, &q.source) < 0 || column_strdup(st, 3, &q.region) < 0 ||
            column_strdup(st, 6, &q.new_cluster) < 0 || column_strdup(st, 7, &q.instance_class) < 0 ||
            column_strdup(st, 9, &q.state) < 0 || column_strdup(st, 11, &q.message) < 0) {
                restore_request_done(&q);
                return -ENOMEM;
        }
        *(struct restore_request *)ret = q;
        return 0;
}

DEFINE_STORE_ROWS(restore_rows, struct restore_request, restore_request_read, restore_request_done);

int store_restore_request_add(struct store *s, const struct restore_request *in, int64_t now,
                              int64_t *ret_id)
{
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int r, rc;

        if (!s || !in || !in->source || !in->new_cluster || !restore_request_kind_to_string(in->kind))
                return -EINVAL;
        r = store_prepare(
            s,
            "INSERT INTO restore_requests (kind, source, region, restore_time, use_latest, "
            "new_cluster, instance_class, wait, state, requested_by, message, created_at, "
            "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'recorded', ?9, ?10, ?11, ?11)",
            &st);
        if (r < 0)
                return r;
        bind_text(st, 1, restore_request_kind_to_string(in->kind));
        bind_text(st, 2, in->source);
        bind_text(st, 3, in->region);
        sqlite3_bind_int64(st, 4, in->restore_time);
        sqlite3_bind_int(st, 5, in->use_latest);
        bind_text(st, 6, in->new_cluster);
        bind_text(st, 7, in->instance_class);
        sqlite3_bind_int(st, 8, in->wait);
        sqlite3_bind_int64(st, 9, in->requested_by);
        bind_text(st, 10, in->message);
        sqlite3_bind_int64(st, 11, now);
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
        if (!s || !new_cluster || !ret)
                return -EINVAL;
        return store_get_once(s,
                              "SELECT " RESTORE_COLUMNS " FROM restore_requests WHERE new_cluster = ?1 "
                              "AND state IN ('recorded', 'started')",
                              restore_request_read, ret, ARG_TEXT(new_cluster));
}

int store_restore_requests_open(struct store *s, struct restore_request **ret, size_t *ret_n)
{
        if (!s || !ret || !ret_n)
                return -EINVAL;
        return store_list_once_args(s,
                                    "SELECT " RESTORE_COLUMNS " FROM restore_requests "
                                    "WHERE state IN ('recorded', 'started') ORDER BY id",
                                    &restore_rows, ret, ret_n, NULL, 0);
}

int store_restore_requests_recent(struct store *s, size_t limit, struct restore_request **ret, size_t *ret_n)
{
        _cleanup_finalize_ sqlite3_stmt *open = NULL, *settled = NULL;
        int r;

        if (!s || !ret || !ret_n)
                return -EINVAL;
        r = store_prepare(s,
                          "SELECT " RESTORE_COLUMNS " FROM restore_requests "
                          "WHERE state IN ('recorded', 'started') ORDER BY id DESC",
                          &open);
        if (r < 0)
                return r;
        r = store_prepare(s,
                          "SELECT " RESTORE_COLUMNS " FROM restore_requests "
                          "WHERE state NOT IN ('recorded', 'started') ORDER BY id DESC LIMIT ?1",
                          &settled);
        if (r < 0)
                return r;
        sqlite3_bind_int64(settled, 1, (int64_t)limit);
        return store_collect_many(s, (sqlite3_stmt *const[]){open, settled}, 2, &restore_rows, ret, ret_n);
}

int store_restore_request_get(struct store *s, int64_t id, struct restore_request *ret)
{
        if (!s || !ret)
                return -EINVAL;
        return store_get_once(s, "SELECT " RESTORE_COLUMNS " FROM restore_requests WHERE id = ?1",
                              restore_request_read, ret, ARG_INT(id));
}

int store_restore_request_find_latest(struct store *s, const char *new_cluster, struct restore_request *ret)
{
        if (!s || !new_cluster || !ret)
                return -EINVAL;
        return store_get_once(s,
                              "SELECT " RESTORE_COLUMNS
                              " FROM restore_requests WHERE new_cluster = ?1 ORDER BY id DESC LIMIT 1",
                              restore_request_read, ret, ARG_TEXT(new_cluster));
}

int store_restore_request_update(struct store *s, int64_t id, const char *state, const char *message,
                                 int64_t now)
{
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int r, rc;

        if (!s)
                return -EINVAL;
        r = store_prepare(
            s,
            "UPDATE restore_requests SET state = coalesce(?2, state), message = coalesce(?3, message), "
            "updated_at = ?4 WHERE id = ?1 AND (state IS NOT coalesce(?2, state) OR "
            "message IS NOT coalesce(?3, message))",
            &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        bind_text(st, 2, state);
        bind_text(st, 3, message);
        sqlite3_bind_int64(st, 4, now);
        rc = sqlite3_step(st);
        if (rc != SQLITE_DONE)
                return store_fail(s, rc);
        if (sqlite3_changes(s->db) == 0) {
                struct restore_request q = {};
                r = store_restore_request_get(s, id, &q);
                restore_request_done(&q);
                return r < 0 ? r : 0;
        }
        return 0;
}
