/* Problems in state.db (see store.h): conditions kept open until they clear, raised again each cycle that
 * sees them, resolved when the caller's rule says so. A cycle runs these once: statements are prepared per
 * call. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "store-internal.h"

#define PROBLEM_COLUMNS                                                                                     \
        "id, kind, policy, cluster, snapshot, region, action, first_seen, last_seen, count, error_code, "   \
        "error_message, request_id, resolved_at"

static const char *const problem_kind_table[_PROBLEM_KIND_MAX] = {
    [PROBLEM_ACTION_FAILED] = "action-failed",         [PROBLEM_ACTION_REFUSED] = "action-refused",
    [PROBLEM_DRILL_FAILED] = "drill-failed",           [PROBLEM_MISSED_WINDOW] = "missed-window",
    [PROBLEM_QUOTA_EXHAUSTED] = "quota-exhausted",     [PROBLEM_BACKUP_UNDELETABLE] = "backup-undeletable",
    [PROBLEM_POLICY_EMPTY] = "policy-selects-nothing", [PROBLEM_REGION_UNOBSERVED] = "region-unobserved",
};

DEFINE_STORE_NAMES(problem_kind, enum problem_kind, problem_kind_table)

void problem_done(struct problem *p)
{
        if (!p)
                return;
        free(p->policy);
        free(p->cluster);
        free(p->snapshot);
        free(p->region);
        free(p->action);
        free(p->error_code);
        free(p->error_message);
        free(p->request_id);
        memset(p, 0, sizeof(*p));
}

DEFINE_STORE_ARRAY_FREE(problems_free, struct problem, problem_done)

/* A key column: '' in the table is NULL in the struct. */
static int column_key(sqlite3_stmt *st, int col, char **ret)
{
        const unsigned char *t = sqlite3_column_text(st, col);
        if (!t || !*t) {
                *ret = NULL;
                return 0;
        }
        return column_strdup(st, col, ret);
}

static int problem_read(struct store *s, sqlite3_stmt *st, void *ret)
{
        struct problem p = {
            .id = sqlite3_column_int64(st, 0),
            .first_seen = sqlite3_column_int64(st, 7),
            .last_seen = sqlite3_column_int64(st, 8),
            .count = (unsigned)sqlite3_column_int64(st, 9),
            .resolved_at = sqlite3_column_int64(st, 13),
        };
        int k = problem_kind_from_string((const char *)sqlite3_column_text(st, 1));
        if (k < 0) {
                store_set_error(s, "problem row %" PRId64 " has unknown kind '%s'", p.id,
                                strna((const char *)sqlite3_column_text(st, 1)));
                return -EBADMSG;
        }
        p.kind = k;
        if (column_key(st, 2, &p.policy) < 0 || column_key(st, 3, &p.cluster) < 0 ||
            column_key(st, 4, &p.snapshot) < 0 || column_key(st, 5, &p.region) < 0 ||
            column_key(st, 6, &p.action) < 0 || column_strdup(st, 10, &p.error_code) < 0 ||
            column_strdup(st, 11, &p.error_message) < 0 || column_strdup(st, 12, &p.request_id) < 0) {
                problem_done(&p);
                return -ENOMEM;
        }
        *(struct problem *)ret = p;
        return 0;
}

DEFINE_STORE_ROWS(problem_rows, struct problem, problem_read, problem_done);

int store_problems_list(struct store *s, int64_t resolved_since, struct problem **ret, size_t *ret_n)
{
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int r;

        if (!s || !ret || !ret_n)
                return -EINVAL;
        r = store_prepare(s,
                          "SELECT " PROBLEM_COLUMNS " FROM problems WHERE resolved_at IS NULL "
                          "OR (?1 > 0 AND resolved_at >= ?1) "
                          "ORDER BY resolved_at IS NOT NULL, first_seen, id",
                          &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, resolved_since);
        return store_collect(s, st, &problem_rows, ret, ret_n);
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
        _cleanup_finalize_ sqlite3_stmt *raise = NULL, *resolve = NULL, *forget = NULL, *open = NULL;
        struct problem *list = NULL;
        size_t n = 0;
        int r;

        r = store_prepare(
            s,
            "INSERT INTO problems (kind, policy, cluster, snapshot, region, action, first_seen, "
            "last_seen, count, error_code, error_message, request_id) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, 1, ?8, ?9, ?10) "
            "ON CONFLICT (kind, policy, cluster, snapshot, region, action) WHERE resolved_at IS NULL "
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
        if (r >= 0)
                r = store_prepare(s,
                                  "SELECT " PROBLEM_COLUMNS " FROM problems WHERE resolved_at IS NULL "
                                  "ORDER BY first_seen, id",
                                  &open);
        if (r < 0)
                return r;
        r = store_collect(s, open, &problem_rows, &list, &n);
        if (r < 0)
                return r;

        for (size_t i = 0; r >= 0 && i < n_current; i++) {
                const struct problem *p = &current[i];
                if (!problem_kind_to_string(p->kind)) {
                        r = -EINVAL;
                        break;
                }
                bind_text(raise, 1, problem_kind_to_string(p->kind));
                bind_text(raise, 2, strempty(p->policy));
                bind_text(raise, 3, strempty(p->cluster));
                bind_text(raise, 4, strempty(p->snapshot));
                bind_text(raise, 5, strempty(p->region));
                bind_text(raise, 6, strempty(p->action));
                sqlite3_bind_int64(raise, 7, now);
                bind_text(raise, 8, p->error_code);
                bind_text(raise, 9, p->error_message);
                bind_text(raise, 10, p->request_id);
                r = store_step_done(s, raise);
                sqlite3_reset(raise);
                sqlite3_clear_bindings(raise);
        }
        for (size_t i = 0; r >= 0 && i < n; i++) {
                bool seen = false;
                for (size_t k = 0; !seen && k < n_current; k++)
                        seen = problem_same_key(&list[i], &current[k]);
                if (seen || !resolved || !resolved(&list[i], userdata))
                        continue;
                sqlite3_bind_int64(resolve, 1, list[i].id);
                sqlite3_bind_int64(resolve, 2, now);
                r = store_step_done(s, resolve);
                sqlite3_reset(resolve);
        }
        if (r >= 0 && keep_sec > 0) {
                sqlite3_bind_int64(forget, 1, now - keep_sec);
                r = store_step_done(s, forget);
        }
        problems_free(list, n);
        return r;
}

int store_problems_update(struct store *s, const struct problem *current, size_t n_current,
                          problem_resolved_fn resolved, void *userdata, int64_t now, int64_t keep_sec)
{
        int r;

        if (!s || (n_current > 0 && !current))
                return -EINVAL;
        r = store_exec(s, "BEGIN IMMEDIATE");
        if (r < 0)
                return r;
        return store_commit_or_rollback(
            s, problems_write(s, current, n_current, resolved, userdata, now, keep_sec));
}
