/* The action ledger in state.db (see store.h): one row per mutating AWS call, written and committed
 * before the call, finished with its outcome, listed for recovery, history and metrics. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "store-internal.h"

static const char *const ledger_sql[_STMT_MAX] = {
    [STMT_LEDGER_BEGIN] = "INSERT INTO ledger (cycle_id, kind, policy, cluster, snapshot, region, target, "
                          "slot_start, state, created_at, updated_at, attempts) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'intent', ?9, ?9, 1)",
    [STMT_LEDGER_RETRY] = "UPDATE ledger SET attempts = attempts + 1, updated_at = ?2, request_id = NULL, "
                          "error_code = NULL, error_message = NULL WHERE id = ?1 AND state = 'intent'",
    [STMT_LEDGER_FINISH] = "UPDATE ledger SET state = ?2, request_id = ?3, error_code = ?4, "
                           "error_message = ?5, updated_at = ?6 WHERE id = ?1 AND state = 'intent'",
    [STMT_LEDGER_STATE] = "SELECT state FROM ledger WHERE id = ?1",
    [STMT_LEDGER_GET] = "SELECT " STORE_COLUMNS " FROM ledger WHERE id = ?1",
    [STMT_LEDGER_OPEN] = "SELECT " STORE_COLUMNS " FROM ledger WHERE state = 'intent' ORDER BY id",
    [STMT_LEDGER_LIST] = "SELECT " STORE_COLUMNS " FROM ledger "
                         "WHERE (?1 IS NULL OR policy = ?1) AND (?2 IS NULL OR cluster = ?2) "
                         "AND (?3 IS NULL OR state = ?3) AND created_at >= ?4 "
                         "AND (?6 IS NULL OR snapshot = ?6) AND (?7 IS NULL OR kind = ?7) "
                         "ORDER BY id DESC LIMIT ?5",
};

static const char *const ledger_kind_table[_LEDGER_KIND_MAX] = {
    [LEDGER_CREATE] = "create",
    [LEDGER_DELETE_RDS] = "delete-rds",
    [LEDGER_DELETE_BACKUP] = "delete-backup",
    [LEDGER_COPY] = "copy",
    [LEDGER_SHARE] = "share",
    [LEDGER_EXPORT] = "export",
    [LEDGER_CANCEL_EXPORT] = "cancel-export",
    [LEDGER_RESTORE] = "restore",
    [LEDGER_RESTORE_INSTANCE] = "restore-instance",
    [LEDGER_TEARDOWN] = "teardown",
    [LEDGER_TAG] = "tag",
    [LEDGER_PROBE] = "probe",
    [LEDGER_OPERATOR_RESTORE] = "operator-restore",
    [LEDGER_OPERATOR_INSTANCE] = "operator-instance",
};

DEFINE_STORE_NAMES(ledger_kind, enum ledger_kind, ledger_kind_table)

static const char *const ledger_state_table[_LEDGER_STATE_MAX] = {
    [LEDGER_INTENT] = "intent",
    [LEDGER_DONE] = "done",
    [LEDGER_FAILED] = "failed",
    [LEDGER_ABANDONED] = "abandoned",
};

DEFINE_STORE_NAMES(ledger_state, enum ledger_state, ledger_state_table)

static const struct store_column ledger_columns[] = {
    STORE_INT64(struct ledger_entry, id),
    STORE_INT64(struct ledger_entry, cycle_id),
    STORE_NAME(struct ledger_entry, kind, ledger_kind_table),
    STORE_NAME(struct ledger_entry, state, ledger_state_table),
    STORE_TEXT(struct ledger_entry, policy),
    STORE_TEXT(struct ledger_entry, cluster),
    STORE_TEXT(struct ledger_entry, snapshot),
    STORE_TEXT(struct ledger_entry, region),
    STORE_TEXT(struct ledger_entry, target),
    STORE_INT64(struct ledger_entry, slot_start),
    STORE_TEXT(struct ledger_entry, request_id),
    STORE_TEXT(struct ledger_entry, error_code),
    STORE_TEXT(struct ledger_entry, error_message),
    STORE_INT64(struct ledger_entry, created_at),
    STORE_INT64(struct ledger_entry, updated_at),
    STORE_UNSIGNED(struct ledger_entry, attempts),
};

DEFINE_STORE_ROWS(ledger_rows, struct ledger_entry, ledger_columns, .what = "ledger row");

DEFINE_STORE_RECORD_FREE(ledger_entry_done, ledger_entries_free, struct ledger_entry, ledger_rows)

int store_ledger_begin(struct store *s, const struct ledger_intent *in, int64_t now, int64_t *ret_id)
{
        if (!in || !ledger_kind_to_string(in->kind))
                return -EINVAL;
        /* Autocommit: the row is durable once sqlite3_step returns SQLITE_DONE. */
        return store_insert(
            s, ledger_sql, STMT_LEDGER_BEGIN, ret_id, in->cycle_id > 0 ? ARG_INT(in->cycle_id) : ARG_NULL,
            ARG_TEXT(ledger_kind_to_string(in->kind)), ARG_TEXT(in->policy), ARG_TEXT(in->cluster),
            ARG_TEXT(in->snapshot), ARG_TEXT(in->region), ARG_TEXT(in->target),
            in->slot_start != 0 ? ARG_INT(in->slot_start) : ARG_NULL, ARG_INT(now));
}

/* After an UPDATE ... WHERE state = 'intent' changed nothing: tell "no row" from "not open". */
static int ledger_not_open(struct store *s, int64_t id)
{
        _cleanup_free_ char *state = NULL;
        int r;

        r = store_get(s, ledger_sql, STMT_LEDGER_STATE, &store_text_rows, &state, ARG_INT(id));
        if (r == -ENOENT)
                store_set_error(s, "no ledger row %" PRId64, id);
        if (r < 0)
                return r;
        store_set_error(s, "ledger row %" PRId64 " is already %s", id, strna(state));
        return -EALREADY;
}

/* Run the UPDATE ... WHERE id = ?1 AND state = 'intent' `stmt` with `args` (the first is the id);
 * -ENOENT or -EALREADY when it changed nothing. */
static int ledger_update_open(struct store *s, enum stmt_id stmt, int64_t id, const struct store_arg *args,
                              size_t n)
{
        int r = store_run_changes_args(s, ledger_sql, stmt, args, n);

        return r == 0 ? ledger_not_open(s, id) : MIN(r, 0);
}

int store_ledger_retry(struct store *s, int64_t id, int64_t now)
{
        return ledger_update_open(s, STMT_LEDGER_RETRY, id, STORE_ARGS(ARG_INT(id), ARG_INT(now)));
}

int store_ledger_finish(struct store *s, int64_t id, enum ledger_state outcome, const char *request_id,
                        const char *error_code, const char *error_message, int64_t now)
{
        if (!s || outcome == LEDGER_INTENT || !ledger_state_to_string(outcome))
                return -EINVAL;
        return ledger_update_open(s, STMT_LEDGER_FINISH, id,
                                  STORE_ARGS(ARG_INT(id), ARG_TEXT(ledger_state_to_string(outcome)),
                                             ARG_TEXT(request_id), ARG_TEXT(error_code),
                                             ARG_TEXT(error_message), ARG_INT(now)));
}

int store_ledger_get(struct store *s, int64_t id, struct ledger_entry *ret)
{
        return store_get(s, ledger_sql, STMT_LEDGER_GET, &ledger_rows, ret, ARG_INT(id));
}

int store_ledger_open_intents(struct store *s, struct ledger_entry **ret, size_t *ret_n)
{
        return store_list_args(s, ledger_sql, STMT_LEDGER_OPEN, &ledger_rows, ret, ret_n, NULL, 0);
}

int store_ledger_list(struct store *s, const struct ledger_filter *f, struct ledger_entry **ret,
                      size_t *ret_n)
{
        if (!s || !f || !ret || !ret_n)
                return -EINVAL;
        if ((f->state >= 0 && !ledger_state_to_string(f->state)) ||
            (f->kind >= 0 && !ledger_kind_to_string(f->kind)))
                return -EINVAL;
        return store_list(s, ledger_sql, STMT_LEDGER_LIST, &ledger_rows, ret, ret_n, ARG_TEXT(f->policy),
                          ARG_TEXT(f->cluster),
                          ARG_TEXT(f->state >= 0 ? ledger_state_to_string(f->state) : NULL),
                          ARG_INT(f->since), ARG_INT(sql_limit(f->limit)), ARG_TEXT(f->snapshot),
                          ARG_TEXT(f->kind >= 0 ? ledger_kind_to_string(f->kind) : NULL));
}

/* ---- Settled rows counted by (kind, state), for the metrics. ---- */

static const struct store_column count_columns[] = {
    STORE_NAME(struct ledger_count, kind, ledger_kind_table),
    STORE_NAME(struct ledger_count, state, ledger_state_table),
    STORE_UINT64(struct ledger_count, count),
};

/* A kind this build does not know is not exported. */
DEFINE_STORE_ROWS(count_rows, struct ledger_count, count_columns, .skip_unknown = true);

int store_ledger_counts(struct store *s, struct ledger_count **ret, size_t *ret_n)
{
        return store_list_once_args(s,
                                    "SELECT kind, state, COUNT(*) FROM ledger WHERE state != 'intent' "
                                    "GROUP BY kind, state ORDER BY kind, state",
                                    &count_rows, ret, ret_n, NULL, 0);
}
