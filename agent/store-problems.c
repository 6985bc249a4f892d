/* Problems in state.db (see store.h): conditions kept open until they clear, raised again each cycle that
 * sees them, resolved when the caller's rule says so. A cycle runs these once: statements are prepared per
 * call. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store-internal.h"

static const char *const problem_kind_table[_PROBLEM_KIND_MAX] = {
    [PROBLEM_ACTION_FAILED] = "action-failed",         [PROBLEM_ACTION_REFUSED] = "action-refused",
    [PROBLEM_DRILL_FAILED] = "drill-failed",           [PROBLEM_MISSED_WINDOW] = "missed-window",
    [PROBLEM_QUOTA_EXHAUSTED] = "quota-exhausted",     [PROBLEM_BACKUP_UNDELETABLE] = "backup-undeletable",
    [PROBLEM_POLICY_EMPTY] = "policy-selects-nothing", [PROBLEM_REGION_UNOBSERVED] = "region-unobserved",
};

DEFINE_STORE_NAMES(problem_kind, enum problem_kind, problem_kind_table)

static const struct store_column problem_columns[] = {
    STORE_INT64(struct problem, id),
    STORE_NAME(struct problem, kind, problem_kind_table),
    /* The rest of the key: '' for "not applicable" in the table (a UNIQUE index takes NULLs as all
     * different), NULL in the struct. */
    STORE_KEY(struct problem, policy),
    STORE_KEY(struct problem, cluster),
    STORE_KEY(struct problem, snapshot),
    STORE_KEY(struct problem, region),
    STORE_KEY(struct problem, action),
    STORE_INT64(struct problem, first_seen),
    STORE_INT64(struct problem, last_seen),
    STORE_UNSIGNED(struct problem, count),
    STORE_TEXT(struct problem, error_code),
    STORE_TEXT(struct problem, error_message),
    STORE_TEXT(struct problem, request_id),
    STORE_INT64(struct problem, resolved_at),
};

DEFINE_STORE_ROWS(problem_rows, struct problem, problem_columns, .what = "problem row");

DEFINE_STORE_RECORD_FREE(problem_done, problems_free, struct problem, problem_rows)

int store_problems_list(struct store *s, int64_t resolved_since, struct problem **ret, size_t *ret_n)
{
        return store_list_once(s,
                               "SELECT " STORE_COLUMNS " FROM problems WHERE resolved_at IS NULL "
                               "OR (?1 > 0 AND resolved_at >= ?1) "
                               "ORDER BY resolved_at IS NOT NULL, first_seen, id",
                               &problem_rows, ret, ret_n, ARG_INT(resolved_since));
}

static bool problem_same_key(const struct problem *a, const struct problem *b)
{
        return a->kind == b->kind && streq(strempty(a->policy), strempty(b->policy)) &&
               streq(strempty(a->cluster), strempty(b->cluster)) &&
               streq(strempty(a->snapshot), strempty(b->snapshot)) &&
               streq(strempty(a->region), strempty(b->region)) &&
               streq(strempty(a->action), strempty(b->action));
}

static int problems_write(struct store *s, const struct problem *current, size_t n_current,
                          problem_resolved_fn resolved, void *userdata, int64_t now, int64_t keep_sec)
{
        _cleanup_finalize_ sqlite3_stmt *raise = NULL, *resolve = NULL, *forget = NULL;
        struct problem *list = NULL;
        size_t n = 0;
        int r;

        r = store_list_once_args(s,
                                 "SELECT " STORE_COLUMNS " FROM problems WHERE resolved_at IS NULL "
                                 "ORDER BY first_seen, id",
                                 &problem_rows, &list, &n, NULL, 0);
        if (r >= 0)
                r = store_prepare(
                    s,
                    "INSERT INTO problems (kind, policy, cluster, snapshot, region, action, first_seen, "
                    "last_seen, count, error_code, error_message, request_id) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, 1, ?8, ?9, ?10) "
                    "ON CONFLICT (kind, policy, cluster, snapshot, region, action) WHERE resolved_at IS "
                    "NULL "
                    "DO UPDATE SET last_seen = excluded.last_seen, count = count + 1, "

                    "error_code = COALESCE(excluded.error_code, error_code), "
                    "error_message = CASE WHEN excluded.error_code IS NULL AND excluded.error_message "
                    "IS NULL THEN error_message ELSE excluded.error_message END, "
                    "request_id = CASE WHEN excluded.error_code IS NULL AND excluded.error_message "
                    "IS NULL THEN request_id ELSE excluded.request_id END",
                    &raise);
        if (r >= 0)
                r = store_prepare(
                    s, "UPDATE problems SET resolved_at = ?2 WHERE id = ?1 AND resolved_at IS NULL",
                    &resolve);
        if (r >= 0)
                r = store_prepare(
                    s, "DELETE FROM problems WHERE resolved_at IS NOT NULL AND resolved_at < ?1", &forget);
        if (r < 0) {
                problems_free(list, n);
                return r;
        }

        for (size_t i = 0; r >= 0 && i < n_current; i++) {
                const struct problem *p = &current[i];
                if (!problem_kind_to_string(p->kind)) {
                        r = -EINVAL;
                        break;
                }
                r = store_step(s, raise, ARG_TEXT(problem_kind_to_string(p->kind)),
                               ARG_TEXT(strempty(p->policy)), ARG_TEXT(strempty(p->cluster)),
                               ARG_TEXT(strempty(p->snapshot)), ARG_TEXT(strempty(p->region)),
                               ARG_TEXT(strempty(p->action)), ARG_INT(now), ARG_TEXT(p->error_code),
                               ARG_TEXT(p->error_message), ARG_TEXT(p->request_id));
        }
        for (size_t i = 0; r >= 0 && i < n; i++) {
                bool seen = false;
                for (size_t k = 0; !seen && k < n_current; k++)
                        seen = problem_same_key(&list[i], &current[k]);
                if (seen || !resolved || !resolved(&list[i], userdata))
                        continue;
                r = store_step(s, resolve, ARG_INT(list[i].id), ARG_INT(now));
        }
        if (r >= 0 && keep_sec > 0)
                r = store_step(s, forget, ARG_INT(now - keep_sec));
        problems_free(list, n);
        return r;
}

int store_problems_update(struct store *s, const struct problem *current, size_t n_current,
                          problem_resolved_fn resolved, void *userdata, int64_t now, int64_t keep_sec)
{
        if (!s || (n_current > 0 && !current))
                return -EINVAL;
        return STORE_TRANSACTION(s, STORE_BEGIN_WRITE,
                                 problems_write(s, current, n_current, resolved, userdata, now, keep_sec));
}
