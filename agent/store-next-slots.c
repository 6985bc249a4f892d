/* Each selected cluster's next slot in state.db (see store.h), as the last plan saw it: replaced whole
 * each cycle, read by `aurora-backupctl status` and the metrics. */
#include <errno.h>
#include <stdlib.h>

#include "store-internal.h"

static const struct store_column next_slot_columns[] = {
    STORE_TEXT(struct next_slot_record, region),
    STORE_TEXT(struct next_slot_record, cluster),
    STORE_TEXT(struct next_slot_record, policy),
    STORE_INT64(struct next_slot_record, window_open),
    STORE_INT64(struct next_slot_record, slot_start),
    STORE_INT64(struct next_slot_record, window_close),
    STORE_INT64(struct next_slot_record, retry_at),
    STORE_TEXT(struct next_slot_record, state),
    STORE_TEXT(struct next_slot_record, schedule),
    STORE_TEXT(struct next_slot_record, window),
    STORE_BOOL(struct next_slot_record, window_from_cluster),
    STORE_INT64(struct next_slot_record, planned_at),
};

DEFINE_STORE_ROWS(next_slot_rows, struct next_slot_record, next_slot_columns);

DEFINE_STORE_ARRAY_FREE(next_slot_records_free, struct next_slot_record, next_slot_rows)

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
                r = store_step(s, add, ARG_TEXT(strempty(rec[i].region)), ARG_TEXT(rec[i].cluster),
                               ARG_TEXT(rec[i].policy), ARG_INT(rec[i].window_open),
                               ARG_INT(rec[i].slot_start), ARG_INT(rec[i].window_close),
                               ARG_INT(rec[i].retry_at), ARG_TEXT(rec[i].state), ARG_TEXT(rec[i].schedule),
                               ARG_TEXT(rec[i].window), ARG_INT(rec[i].window_from_cluster), ARG_INT(now));
        }
        return r;
}

int store_next_slots_replace(struct store *s, const struct next_slot_record *rec, size_t n, int64_t now)
{
        if (!s || (n > 0 && !rec))
                return -EINVAL;
        return STORE_TRANSACTION(s, STORE_BEGIN_WRITE, next_slots_write(s, rec, n, now));
}

int store_next_slots_load(struct store *s, struct next_slot_record **ret, size_t *ret_n)
{
        return store_list_once_args(s, "SELECT " STORE_COLUMNS " FROM next_slots ORDER BY region, cluster",
                                    &next_slot_rows, ret, ret_n, NULL, 0);
}
