/* Each selected cluster's next slot in state.db (see store.h), as the last plan saw it: replaced whole
 * each cycle, read by `aurora-backupctl status` and the metrics. */
#include <errno.h>
#include <stdlib.h>

#include "store-internal.h"

static void next_slot_record_done(struct next_slot_record *x)
{
        free(x->policy);
        free(x->cluster);
        free(x->region);
        free(x->state);
        free(x->schedule);
        free(x->window);
}

DEFINE_STORE_ARRAY_FREE(next_slot_records_free, struct next_slot_record, next_slot_record_done)

static int next_slots_write(struct store *s, const struct next_slot_record *rec, size_t n, int64_t now)
{
        _cleanup_finalize_ sqlite3_stmt *add = NULL;
        int r;

        r = store_exec(s, "DELETE FROM next_slots");
        if (r >= 0)
                r = store_prepare(s,
                                  "INSERT OR REPLACE INTO next_slots (region, cluster, policy, window_open, "
                                  "slot_start, window_close, retry_at, state, schedule, window, "
                                  "window_from_cluster, planned_at) "
                                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                                  &add);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                if (!rec[i].cluster || !rec[i].policy || !rec[i].state)
                        return -EINVAL;
                bind_text(add, 1, strempty(rec[i].region));
                bind_text(add, 2, rec[i].cluster);
                bind_text(add, 3, rec[i].policy);
                sqlite3_bind_int64(add, 4, rec[i].window_open);
                sqlite3_bind_int64(add, 5, rec[i].slot_start);
                sqlite3_bind_int64(add, 6, rec[i].window_close);
                sqlite3_bind_int64(add, 7, rec[i].retry_at);
                bind_text(add, 8, rec[i].state);
                bind_text(add, 9, rec[i].schedule);
                bind_text(add, 10, rec[i].window);
                sqlite3_bind_int(add, 11, rec[i].window_from_cluster);
                sqlite3_bind_int64(add, 12, now);
                r = store_step_done(s, add);
                sqlite3_reset(add);
                sqlite3_clear_bindings(add);
        }
        return r;
}

int store_next_slots_replace(struct store *s, const struct next_slot_record *rec, size_t n, int64_t now)
{
        int r;

        if (!s || (n > 0 && !rec))
                return -EINVAL;
        r = store_exec(s, "BEGIN IMMEDIATE");
        if (r < 0)
                return r;
        return store_commit_or_rollback(s, next_slots_write(s, rec, n, now));
}

static int next_slot_record_read(struct store *s, sqlite3_stmt *st, void *ret)
{
        struct next_slot_record x = {
            .window_open = sqlite3_column_int64(st, 3),
            .slot_start = sqlite3_column_int64(st, 4),
            .window_close = sqlite3_column_int64(st, 5),
            .retry_at = sqlite3_column_int64(st, 6),
            .window_from_cluster = sqlite3_column_int(st, 10) != 0,
            .planned_at = sqlite3_column_int64(st, 11),
        };

        (void)s;
        if (column_strdup(st, 0, &x.region) < 0 || column_strdup(st, 1, &x.cluster) < 0 ||
            column_strdup(st, 2, &x.policy) < 0 || column_strdup(st, 7, &x.state) < 0 ||
            column_strdup(st, 8, &x.schedule) < 0 || column_strdup(st, 9, &x.window) < 0) {
                next_slot_record_done(&x);
                return -ENOMEM;
        }
        *(struct next_slot_record *)ret = x;
        return 0;
}

DEFINE_STORE_ROWS(next_slot_rows, struct next_slot_record, next_slot_record_read, next_slot_record_done);

int store_next_slots_load(struct store *s, struct next_slot_record **ret, size_t *ret_n)
{
        if (!s || !ret || !ret_n)
                return -EINVAL;
        return store_list_once_args(s,
                                    "SELECT region, cluster, policy, window_open, slot_start, window_close, "
                                    "retry_at, state, schedule, window, window_from_cluster, planned_at "
                                    "FROM next_slots ORDER BY region, cluster",
                                    &next_slot_rows, ret, ret_n, NULL, 0);
}
