/* sqlite3 state of the agent (see store.h). The only file that talks to sqlite: its result codes become
 * negative errno here, and its message is kept for the caller's log (store_last_error). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "store-migrate.h"
#include "store.h"
#include "array.h"

/* Long enough for another agent's migration or inventory replace, short enough to notice a hang. */
#define STORE_BUSY_TIMEOUT_MS 10000

enum stmt_id {
        STMT_LEDGER_BEGIN,
        STMT_LEDGER_RETRY,
        STMT_LEDGER_FINISH,
        STMT_LEDGER_STATE,
        STMT_LEDGER_GET,
        STMT_LEDGER_OPEN,
        STMT_LEDGER_LIST,
        STMT_WINDOW_RECORD,
        STMT_WINDOW_LOOKUP,
        STMT_WINDOW_MARK,
        STMT_WINDOW_LIST,
        STMT_WINDOW_LAST_TAKEN,
        STMT_INV_DEL_CLUSTERS,
        STMT_INV_DEL_SNAPSHOTS,
        STMT_INV_ADD_CLUSTER,
        STMT_INV_ADD_SNAPSHOT,
        STMT_INV_CLUSTERS,
        STMT_INV_SNAPSHOTS,
        STMT_INV_OBSERVED,
        STMT_CYCLE_BEGIN,
        STMT_CYCLE_FINISH,
        STMT_CYCLE_EXISTS,
        STMT_CYCLE_GET,
        STMT_CYCLE_LIST,
        STMT_VAULT_GET,
        STMT_VAULT_PUT,
        STMT_VAULT_FORGET,
        STMT_MARK_ONCE,
        STMT_MARK_FORGET,
        STMT_MARK_CHECK,
        STMT_QUOTA_PUT,
        STMT_QUOTA_GET,
        _STMT_MAX,
};

#define LEDGER_COLUMNS                                                                                      \
        "id, cycle_id, kind, state, policy, cluster, snapshot, region, target, slot_start, request_id, "    \
        "error_code, error_message, created_at, updated_at, attempts"
#define WINDOW_COLUMNS "policy, cluster, slot_start, outcome, snapshot, reported, recorded_at"
#define CYCLE_COLUMNS                                                                                       \
        "id, started_at, finished_at, dry_run, planned, succeeded, failed, created, deleted, missed, "      \
        "api_calls, exit_status"

static const char *const stmt_sql[_STMT_MAX] = {
    [STMT_LEDGER_BEGIN] = "INSERT INTO ledger (cycle_id, kind, policy, cluster, snapshot, region, target, "
                          "slot_start, state, created_at, updated_at, attempts) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'intent', ?9, ?9, 1)",
    [STMT_LEDGER_RETRY] = "UPDATE ledger SET attempts = attempts + 1, updated_at = ?2, request_id = NULL, "
                          "error_code = NULL, error_message = NULL WHERE id = ?1 AND state = 'intent'",
    [STMT_LEDGER_FINISH] = "UPDATE ledger SET state = ?2, request_id = ?3, error_code = ?4, "
                           "error_message = ?5, updated_at = ?6 WHERE id = ?1 AND state = 'intent'",
    [STMT_LEDGER_STATE] = "SELECT state FROM ledger WHERE id = ?1",
    [STMT_LEDGER_GET] = "SELECT " LEDGER_COLUMNS " FROM ledger WHERE id = ?1",
    [STMT_LEDGER_OPEN] = "SELECT " LEDGER_COLUMNS " FROM ledger WHERE state = 'intent' ORDER BY id",
    [STMT_LEDGER_LIST] = "SELECT " LEDGER_COLUMNS " FROM ledger "
                         "WHERE (?1 IS NULL OR policy = ?1) AND (?2 IS NULL OR cluster = ?2) "
                         "AND (?3 IS NULL OR state = ?3) AND created_at >= ?4 "
                         "AND (?6 IS NULL OR snapshot = ?6) AND (?7 IS NULL OR kind = ?7) "
                         "ORDER BY id DESC LIMIT ?5",
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
    [STMT_INV_DEL_CLUSTERS] = "DELETE FROM inventory_clusters WHERE region = ?1",
    [STMT_INV_DEL_SNAPSHOTS] = "DELETE FROM inventory_snapshots WHERE region = ?1",
    [STMT_INV_ADD_CLUSTER] = "INSERT INTO inventory_clusters (region, identifier, status, arn, "
                             "preferred_window, backup_retention_days, policy, observed_at, "
                             "earliest_restorable_time, latest_restorable_time) "
                             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    [STMT_INV_ADD_SNAPSHOT] = "INSERT INTO inventory_snapshots (region, identifier, cluster, origin, "
                              "status, create_time, allocated_gib, encrypted, tags_digest, observed_at) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    [STMT_INV_CLUSTERS] = "SELECT identifier, status, arn, preferred_window, backup_retention_days, policy, "
                          "earliest_restorable_time, latest_restorable_time FROM inventory_clusters WHERE (?1 IS NULL OR region = ?1) "
                          "ORDER BY identifier, region",
    [STMT_INV_SNAPSHOTS] = "SELECT identifier, cluster, origin, status, create_time, allocated_gib, "
                           "encrypted, tags_digest FROM inventory_snapshots "
                           "WHERE (?1 IS NULL OR region = ?1) ORDER BY identifier, region",
    [STMT_INV_OBSERVED] = "SELECT MAX(observed_at) FROM (SELECT observed_at FROM inventory_clusters "
                          "WHERE (?1 IS NULL OR region = ?1) UNION ALL SELECT observed_at "
                          "FROM inventory_snapshots WHERE (?1 IS NULL OR region = ?1))",
    [STMT_CYCLE_BEGIN] = "INSERT INTO cycles (started_at, dry_run) VALUES (?1, ?2)",
    [STMT_CYCLE_FINISH] = "UPDATE cycles SET finished_at = ?2, planned = ?3, succeeded = ?4, failed = ?5, "
                          "created = ?6, deleted = ?7, missed = ?8, api_calls = ?9, exit_status = ?10 "
                          "WHERE id = ?1 AND finished_at IS NULL",
    [STMT_CYCLE_EXISTS] = "SELECT 1 FROM cycles WHERE id = ?1",
    [STMT_CYCLE_GET] = "SELECT " CYCLE_COLUMNS " FROM cycles WHERE id = ?1",
    [STMT_CYCLE_LIST] = "SELECT " CYCLE_COLUMNS " FROM cycles ORDER BY id DESC LIMIT ?1",
    [STMT_VAULT_GET] = "SELECT vault FROM vault_cache WHERE resource_arn = ?1",
    [STMT_VAULT_PUT] = "INSERT INTO vault_cache (resource_arn, vault, updated_at) VALUES (?1, ?2, ?3) "
                       "ON CONFLICT (resource_arn) DO UPDATE SET vault = excluded.vault, "
                       "updated_at = excluded.updated_at",
    [STMT_VAULT_FORGET] = "DELETE FROM vault_cache WHERE resource_arn = ?1",
    [STMT_QUOTA_PUT] = "INSERT INTO account_quotas (region, max, used, counted, observed_at) VALUES (?1, ?2, ?3, ?4, ?5) "
                       "ON CONFLICT (region) DO UPDATE SET max = excluded.max, used = excluded.used, "
                       "counted = excluded.counted, observed_at = excluded.observed_at",
    [STMT_QUOTA_GET] = "SELECT max, used, counted, observed_at FROM account_quotas WHERE region = ?1",
    [STMT_MARK_ONCE] = "INSERT OR IGNORE INTO reported_markers (key, first_at) VALUES (?1, ?2)",
    [STMT_MARK_FORGET] = "DELETE FROM reported_markers WHERE key = ?1",
    [STMT_MARK_CHECK] = "SELECT first_at FROM reported_markers WHERE key = ?1",
};

struct store {
        sqlite3 *db;
        int version;
        sqlite3_stmt *stmts[_STMT_MAX];
        char error[512];
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

static const char *const ledger_state_table[_LEDGER_STATE_MAX] = {
    [LEDGER_INTENT] = "intent",
    [LEDGER_DONE] = "done",
    [LEDGER_FAILED] = "failed",
    [LEDGER_ABANDONED] = "abandoned",
};

static const char *const window_outcome_table[_WINDOW_OUTCOME_MAX] = {
    [WINDOW_TAKEN] = "taken",
    [WINDOW_MISSED] = "missed",
    [WINDOW_QUOTA_EXHAUSTED] = "quota-exhausted",
};

static const char *const origin_table[_INVENTORY_ORIGIN_MAX] = {
    [INVENTORY_ORIGIN_AGENT] = "agent",
    [INVENTORY_ORIGIN_MANUAL] = "manual",
    [INVENTORY_ORIGIN_AUTOMATED] = "automated",
    [INVENTORY_ORIGIN_AWS_BACKUP] = "aws-backup",
    [INVENTORY_ORIGIN_AWS_BACKUP_CONTINUOUS] = "aws-backup-continuous",
};

static int table_lookup(const char *const *table, size_t n, const char *s)
{
        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (table[i] && streq(table[i], s))
                        return (int)i;
        return -EINVAL;
}

#define TABLE_TO_STRING(table, i) ((unsigned)(i) < ELEMENTSOF(table) ? table[i] : NULL)

const char *ledger_kind_to_string(enum ledger_kind k)
{
        return TABLE_TO_STRING(ledger_kind_table, k);
}

int ledger_kind_from_string(const char *s)
{
        return table_lookup(ledger_kind_table, ELEMENTSOF(ledger_kind_table), s);
}

const char *ledger_state_to_string(enum ledger_state st)
{
        return TABLE_TO_STRING(ledger_state_table, st);
}

int ledger_state_from_string(const char *s)
{
        return table_lookup(ledger_state_table, ELEMENTSOF(ledger_state_table), s);
}

const char *window_outcome_to_string(enum window_outcome o)
{
        return TABLE_TO_STRING(window_outcome_table, o);
}

int window_outcome_from_string(const char *s)
{
        return table_lookup(window_outcome_table, ELEMENTSOF(window_outcome_table), s);
}

const char *inventory_origin_to_string(enum inventory_origin o)
{
        return TABLE_TO_STRING(origin_table, o);
}

int inventory_origin_from_string(const char *s)
{
        return table_lookup(origin_table, ELEMENTSOF(origin_table), s);
}

/* ---- sqlite result codes to errno: the one place where they are converted. ---- */

static int errno_from_sqlite(sqlite3 *db, int rc)
{
        int sys;

        switch (rc & 0xff) {
        case SQLITE_OK:
        case SQLITE_ROW:
        case SQLITE_DONE:
                return 0;
        case SQLITE_NOMEM:
                return -ENOMEM;
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
                return -EBUSY;
        case SQLITE_READONLY:
                return -EROFS;
        case SQLITE_PERM:
        case SQLITE_AUTH:
                return -EPERM;
        case SQLITE_FULL:
                return -ENOSPC;
        case SQLITE_TOOBIG:
                return -E2BIG;
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
                return -EBADMSG;
        case SQLITE_CONSTRAINT:
                if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
                        return -EEXIST;
                return -EINVAL;
        case SQLITE_MISUSE:
        case SQLITE_RANGE:
                return -EINVAL;
        case SQLITE_CANTOPEN:
        case SQLITE_IOERR:
                sys = db ? sqlite3_system_errno(db) : 0;
                return sys > 0 ? -sys : -EIO;
        default:
                return -EIO;
        }
}

static void store_set_error(struct store *s, const char *fmt, ...) _printf_(2, 3);
static void store_set_error(struct store *s, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(s->error, sizeof(s->error), fmt, ap);
        va_end(ap);
}

/* Record sqlite's message and return the matching negative errno. */
static int store_fail(struct store *s, int rc)
{
        int r = errno_from_sqlite(s->db, rc);

        store_set_error(s, "%s (sqlite %d)", s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc), rc);
        return r < 0 ? r : -EIO;
}

/* Why the last store_open() failed: the store it was building is gone by the time the caller logs. */
static char open_error[sizeof(((struct store *)NULL)->error)];

const char *store_last_error(const struct store *s)
{
        return s ? s->error : open_error;
}

/* ---- Statements: prepared once per connection, reset after each use. ---- */

static void stmt_resetp(sqlite3_stmt **st)
{
        if (*st) {
                sqlite3_reset(*st);
                sqlite3_clear_bindings(*st);
        }
}
#define _cleanup_reset_ _cleanup_(stmt_resetp)

static int store_stmt(struct store *s, enum stmt_id id, sqlite3_stmt **ret)
{
        int rc;

        if (!s->stmts[id]) {
                rc = sqlite3_prepare_v3(s->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &s->stmts[id],
                                        NULL);
                if (rc != SQLITE_OK)
                        return store_fail(s, rc);
        }
        *ret = s->stmts[id];
        return 0;
}

static int bind_text(sqlite3_stmt *st, int idx, const char *v)
{
        return v ? sqlite3_bind_text(st, idx, v, -1, SQLITE_STATIC) : sqlite3_bind_null(st, idx);
}

/* Run a statement that returns no row; the result is a negative errno or 0. */
static int step_done(struct store *s, sqlite3_stmt *st)
{
        int rc = sqlite3_step(st);
        if (rc != SQLITE_DONE)
                return store_fail(s, rc);
        return 0;
}

static int exec_sql(struct store *s, const char *sql)
{
        char *msg = NULL;
        int rc, r;

        rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);
        if (rc == SQLITE_OK)
                return 0;
        r = errno_from_sqlite(s->db, rc);
        store_set_error(s, "%s (sqlite %d)", msg ? msg : sqlite3_errstr(rc), rc);
        sqlite3_free(msg);
        return r < 0 ? r : -EIO;
}

/* A column as a fresh string (NULL for SQL NULL). */
static int column_strdup(sqlite3_stmt *st, int col, char **ret)
{
        const unsigned char *t = sqlite3_column_text(st, col);
        char *c;

        if (!t) {
                *ret = NULL;
                return 0;
        }
        c = strdup((const char *)t);
        if (!c)
                return -ENOMEM;
        *ret = c;
        return 0;
}

/* Make room for one more element in a growing array. */
static int grow(void **array, size_t *allocated, size_t n, size_t size)
{
        return array_grow(array, allocated, n, size);
}

/* ---- Open, migrate, close. ---- */

static int read_version(struct store *s, int *ret)
{
        sqlite3_stmt *st = NULL;
        int rc, v = 0;

        rc = sqlite3_prepare_v2(s->db,
                                "SELECT name FROM sqlite_master WHERE type = 'table' AND name = "
                                "'schema_version'",
                                -1, &st, NULL);
        if (rc != SQLITE_OK)
                return store_fail(s, rc);
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc == SQLITE_DONE) {
                *ret = 0;
                return 0;
        }
        if (rc != SQLITE_ROW)
                return store_fail(s, rc);

        rc =
            sqlite3_prepare_v2(s->db, "SELECT COALESCE(MAX(version), 0) FROM schema_version", -1, &st, NULL);
        if (rc != SQLITE_OK)
                return store_fail(s, rc);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
                v = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
        if (rc != SQLITE_ROW)
                return store_fail(s, rc);
        *ret = v;
        return 0;
}

/* Apply migration `version` in its own write transaction, unless another process got there first. */
static int migrate_one(struct store *s, int version)
{
        char sql[128];
        int r, current;

        r = exec_sql(s, "BEGIN IMMEDIATE");
        if (r < 0)
                return r;
        r = read_version(s, &current);
        if (r < 0)
                goto rollback;
        if (current >= version) {
                r = exec_sql(s, "COMMIT");
                goto done;
        }
        if (current != version - 1) {
                store_set_error(s, "state.db schema version %d cannot be migrated to %d", current, version);
                r = -EPROTO;
                goto rollback;
        }
        r = exec_sql(s, store_migration_sql(version));
        if (r < 0)
                goto rollback;
        snprintf(sql, sizeof(sql),
                 "INSERT INTO schema_version (version, applied_at) VALUES (%d, CAST(strftime('%%s', 'now') "
                 "AS INTEGER))",
                 version);
        r = exec_sql(s, sql);
        if (r < 0)
                goto rollback;
        r = exec_sql(s, "COMMIT");
        if (r < 0)
                goto rollback;
done:
        return r;
rollback:
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return r;
}

static int store_migrate(struct store *s, int target)
{
        int r, current;

        r = read_version(s, &current);
        if (r < 0)
                return r;
        if (current > STORE_SCHEMA_VERSION) {
                store_set_error(s, "state.db has schema version %d, newer than this agent's %d", current,
                                STORE_SCHEMA_VERSION);
                return -EPROTO;
        }
        for (int v = current + 1; v <= target; v++) {
                r = migrate_one(s, v);
                if (r < 0)
                        return r;
        }
        return read_version(s, &s->version);
}

static int store_pragma_text(struct store *s, const char *sql, char *buf, size_t size)
{
        sqlite3_stmt *st = NULL;
        int rc;

        rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
        if (rc != SQLITE_OK)
                return store_fail(s, rc);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
                snprintf(buf, size, "%s", strna((const char *)sqlite3_column_text(st, 0)));
        else if (rc == SQLITE_DONE)
                snprintf(buf, size, "%s", "");
        sqlite3_finalize(st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
                return store_fail(s, rc);
        return 0;
}

static void store_close_on_open_failure(struct store **s)
{
        if (!*s)
                return;
        memcpy(open_error, (*s)->error, sizeof(open_error));
        store_close(*s);
}

static int store_open_internal(const char *dir, int version, bool read_only, struct store **ret)
{
        _cleanup_(store_close_on_open_failure) struct store *s = NULL;
        _cleanup_free_ char *path = NULL;
        char mode[16];
        struct stat st;
        int rc, r;

        if (!dir || !ret || version < 1 || version > STORE_SCHEMA_VERSION)
                return -EINVAL;
        if (stat(dir, &st) < 0) {
                r = negative_errno();
                snprintf(open_error, sizeof(open_error), "state directory %s: %s", dir, strerror(-r));
                return r;
        }
        if (!S_ISDIR(st.st_mode)) {
                snprintf(open_error, sizeof(open_error), "state directory %s is not a directory", dir);
                return -ENOTDIR;
        }
        if (asprintf(&path, "%s/" STORE_FILE_NAME, dir) < 0)
                return -ENOMEM;

        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        if (read_only && access(path, F_OK) < 0) {
                /* sqlite would only say "unable to open database file". */
                r = negative_errno();
                snprintf(open_error, sizeof(open_error), "%s: %s", path, strerror(-r));
                return r;
        }
        if (!read_only) {
                /* sqlite would create the file 0644 & ~umask; its -wal and -shm files copy the database's
                 * mode. Create it 0600 first (an empty file is an empty database). */
                int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
                if (fd < 0) {
                        r = negative_errno();
                        store_set_error(s, "%s: %s", path, strerror(-r));
                        return r;
                }
                close(fd);
        }
        rc =
            sqlite3_open_v2(path, &s->db,
                            (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                                SQLITE_OPEN_NOMUTEX,
                            NULL);
        if (rc != SQLITE_OK)
                return store_fail(s, rc);
        sqlite3_extended_result_codes(s->db, 1);
        rc = sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);
        if (rc != SQLITE_OK)
                return store_fail(s, rc);

        if (read_only) {
                /* A reader never migrates: the file must be what this build's queries expect. */
                r = read_version(s, &s->version);
                if (r < 0)
                        return r;
                if (s->version != STORE_SCHEMA_VERSION) {
                        store_set_error(s, "state.db has schema version %d, this program reads %d%s",
                                        s->version, STORE_SCHEMA_VERSION,
                                        s->version < STORE_SCHEMA_VERSION
                                            ? " (start the agent once to migrate it)"
                                            : "");
                        return -EPROTO;
                }
                *ret = TAKE_PTR(s);
                return 0;
        }

        /* WAL lets `aurora-backupctl` read while the agent writes; synchronous=FULL makes each committed
         * intent durable before the AWS call it announces, even across a power loss. */
        r = store_pragma_text(s, "PRAGMA journal_mode = WAL", mode, sizeof(mode));
        if (r < 0)
                return r;
        if (!streq(mode, "wal")) {
                store_set_error(s, "state.db cannot use WAL (journal mode is '%s')", mode);
                return -EOPNOTSUPP;
        }
        /* A 256 KiB page cache (sqlite's default is 2 MiB): the agent's queries are few and indexed, and
         * rewriting the stored inventory is sequential; the OS caches the file anyway. */
        r = exec_sql(s, "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; PRAGMA cache_size = -256;");
        if (r < 0)
                return r;

        r = store_migrate(s, version);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(s);
        return 0;
}

int store_open_version(const char *dir, int version, struct store **ret)
{
        struct store *s = NULL;
        int r;

        open_error[0] = '\0';
        r = store_open_internal(dir, version, false, &s);
        if (r < 0)
                return r;
        *ret = s;
        return 0;
}

int store_open_read_only(const char *dir, struct store **ret)
{
        struct store *s = NULL;
        int r;

        open_error[0] = '\0';
        r = store_open_internal(dir, STORE_SCHEMA_VERSION, true, &s);
        if (r < 0)
                return r;
        *ret = s;
        return 0;
}

int store_open(const char *dir, struct store **ret)
{
        return store_open_version(dir, STORE_SCHEMA_VERSION, ret);
}

struct store *store_close(struct store *s)
{
        if (!s)
                return NULL;
        for (size_t i = 0; i < _STMT_MAX; i++)
                sqlite3_finalize(s->stmts[i]);
        /* sqlite3_close_v2 would defer on unfinalized statements; every statement is ours and gone. */
        sqlite3_close(s->db);
        free(s);
        return NULL;
}

int store_schema_version(struct store *s)
{
        int r, v = 0;

        if (!s)
                return -EINVAL;
        r = read_version(s, &v);
        if (r < 0)
                return r;
        return v;
}

/* ---- Ledger. ---- */

void ledger_entry_done(struct ledger_entry *e)
{
        if (!e)
                return;
        free(e->policy);
        free(e->cluster);
        free(e->snapshot);
        free(e->region);
        free(e->target);
        free(e->request_id);
        free(e->error_code);
        free(e->error_message);
        memset(e, 0, sizeof(*e));
}

struct ledger_entry *ledger_entries_free(struct ledger_entry *e, size_t n)
{
        for (size_t i = 0; e && i < n; i++)
                ledger_entry_done(&e[i]);
        free(e);
        return NULL;
}

static int ledger_entry_from_row(struct store *s, sqlite3_stmt *st, struct ledger_entry *ret)
{
        struct ledger_entry e = {
            .id = sqlite3_column_int64(st, 0),
            .cycle_id = sqlite3_column_int64(st, 1),
            .slot_start = sqlite3_column_int64(st, 9),
            .created_at = sqlite3_column_int64(st, 13),
            .updated_at = sqlite3_column_int64(st, 14),
            .attempts = (unsigned)sqlite3_column_int64(st, 15),
        };
        int kind, state;

        kind = ledger_kind_from_string((const char *)sqlite3_column_text(st, 2));
        state = ledger_state_from_string((const char *)sqlite3_column_text(st, 3));
        if (kind < 0 || state < 0) {
                store_set_error(s, "ledger row %" PRId64 " has unknown kind '%s' or state '%s'", e.id,
                                strna((const char *)sqlite3_column_text(st, 2)),
                                strna((const char *)sqlite3_column_text(st, 3)));
                return -EBADMSG;
        }
        e.kind = kind;
        e.state = state;
        if (column_strdup(st, 4, &e.policy) < 0 || column_strdup(st, 5, &e.cluster) < 0 ||
            column_strdup(st, 6, &e.snapshot) < 0 || column_strdup(st, 7, &e.region) < 0 ||
            column_strdup(st, 8, &e.target) < 0 || column_strdup(st, 10, &e.request_id) < 0 ||
            column_strdup(st, 11, &e.error_code) < 0 || column_strdup(st, 12, &e.error_message) < 0) {
                ledger_entry_done(&e);
                return -ENOMEM;
        }
        *ret = e;
        return 0;
}

/* Read every row of a prepared ledger query. */
static int ledger_collect(struct store *s, sqlite3_stmt *st, struct ledger_entry **ret, size_t *ret_n)
{
        struct ledger_entry *list = NULL;
        size_t n = 0, allocated = 0;
        int rc, r;

        for (;;) {
                rc = sqlite3_step(st);
                if (rc == SQLITE_DONE)
                        break;
                if (rc != SQLITE_ROW) {
                        r = store_fail(s, rc);
                        goto fail;
                }
                r = grow((void **)&list, &allocated, n, sizeof(*list));
                if (r < 0)
                        goto fail;
                r = ledger_entry_from_row(s, st, &list[n]);
                if (r < 0)
                        goto fail;
                n++;
        }
        *ret = list;
        *ret_n = n;
        return 0;
fail:
        ledger_entries_free(list, n);
        return r;
}

int store_ledger_begin(struct store *s, const struct ledger_intent *in, int64_t now, int64_t *ret_id)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r;

        if (!s || !in || !ledger_kind_to_string(in->kind))
                return -EINVAL;
        r = store_stmt(s, STMT_LEDGER_BEGIN, &st);
        if (r < 0)
                return r;
        if (in->cycle_id > 0)
                sqlite3_bind_int64(st, 1, in->cycle_id);
        else
                sqlite3_bind_null(st, 1);
        bind_text(st, 2, ledger_kind_to_string(in->kind));
        bind_text(st, 3, in->policy);
        bind_text(st, 4, in->cluster);
        bind_text(st, 5, in->snapshot);
        bind_text(st, 6, in->region);
        bind_text(st, 7, in->target);
        if (in->slot_start != 0)
                sqlite3_bind_int64(st, 8, in->slot_start);
        else
                sqlite3_bind_null(st, 8);
        sqlite3_bind_int64(st, 9, now);
        /* Autocommit: the row is durable once sqlite3_step returns SQLITE_DONE. */
        r = step_done(s, st);
        if (r < 0)
                return r;
        if (ret_id)
                *ret_id = sqlite3_last_insert_rowid(s->db);
        return 0;
}

/* After an UPDATE ... WHERE state = 'intent' changed nothing: tell "no row" from "not open". */
static int ledger_not_open(struct store *s, int64_t id)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int rc, r;

        r = store_stmt(s, STMT_LEDGER_STATE, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE) {
                store_set_error(s, "no ledger row %" PRId64, id);
                return -ENOENT;
        }
        if (rc != SQLITE_ROW)
                return store_fail(s, rc);
        store_set_error(s, "ledger row %" PRId64 " is already %s", id,
                        strna((const char *)sqlite3_column_text(st, 0)));
        return -EALREADY;
}

int store_ledger_retry(struct store *s, int64_t id, int64_t now)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r;

        if (!s)
                return -EINVAL;
        r = store_stmt(s, STMT_LEDGER_RETRY, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, now);
        r = step_done(s, st);
        if (r < 0)
                return r;
        if (sqlite3_changes(s->db) == 0)
                return ledger_not_open(s, id);
        return 0;
}

int store_ledger_finish(struct store *s, int64_t id, enum ledger_state outcome, const char *request_id,
                        const char *error_code, const char *error_message, int64_t now)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r;

        if (!s || outcome == LEDGER_INTENT || !ledger_state_to_string(outcome))
                return -EINVAL;
        r = store_stmt(s, STMT_LEDGER_FINISH, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        bind_text(st, 2, ledger_state_to_string(outcome));
        bind_text(st, 3, request_id);
        bind_text(st, 4, error_code);
        bind_text(st, 5, error_message);
        sqlite3_bind_int64(st, 6, now);
        r = step_done(s, st);
        if (r < 0)
                return r;
        if (sqlite3_changes(s->db) == 0)
                return ledger_not_open(s, id);
        return 0;
}

int store_ledger_get(struct store *s, int64_t id, struct ledger_entry *ret)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int rc, r;

        if (!s || !ret)
                return -EINVAL;
        r = store_stmt(s, STMT_LEDGER_GET, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return -ENOENT;
        if (rc != SQLITE_ROW)
                return store_fail(s, rc);
        return ledger_entry_from_row(s, st, ret);
}

int store_ledger_open_intents(struct store *s, struct ledger_entry **ret, size_t *ret_n)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r;

        if (!s || !ret || !ret_n)
                return -EINVAL;
        r = store_stmt(s, STMT_LEDGER_OPEN, &st);
        if (r < 0)
                return r;
        return ledger_collect(s, st, ret, ret_n);
}

static int64_t sql_limit(size_t limit)
{
        return limit == 0 || limit > INT64_MAX ? -1 : (int64_t)limit;
}

int store_ledger_list(struct store *s, const struct ledger_filter *f, struct ledger_entry **ret,
                      size_t *ret_n)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r;

        if (!s || !f || !ret || !ret_n)
                return -EINVAL;
        if ((f->state >= 0 && !ledger_state_to_string(f->state)) ||
            (f->kind >= 0 && !ledger_kind_to_string(f->kind)))
                return -EINVAL;
        r = store_stmt(s, STMT_LEDGER_LIST, &st);
        if (r < 0)
                return r;
        bind_text(st, 1, f->policy);
        bind_text(st, 2, f->cluster);
        bind_text(st, 3, f->state >= 0 ? ledger_state_to_string(f->state) : NULL);
        sqlite3_bind_int64(st, 4, f->since);
        sqlite3_bind_int64(st, 5, sql_limit(f->limit));
        bind_text(st, 6, f->snapshot);
        bind_text(st, 7, f->kind >= 0 ? ledger_kind_to_string(f->kind) : NULL);
        return ledger_collect(s, st, ret, ret_n);
}

/* ---- Window history. ---- */

void window_record_done(struct window_record *w)
{
        if (!w)
                return;
        free(w->policy);
        free(w->cluster);
        free(w->snapshot);
        memset(w, 0, sizeof(*w));
}

struct window_record *window_records_free(struct window_record *w, size_t n)
{
        for (size_t i = 0; w && i < n; i++)
                window_record_done(&w[i]);
        free(w);
        return NULL;
}

static int window_from_row(struct store *s, sqlite3_stmt *st, struct window_record *ret)
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
        *ret = w;
        return 0;
}

int store_window_record(struct store *s, const char *policy, const char *cluster, int64_t slot_start,
                        enum window_outcome outcome, const char *snapshot, bool reported, int64_t now)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r;

        if (!s || !policy || !cluster || !window_outcome_to_string(outcome))
                return -EINVAL;
        r = store_stmt(s, STMT_WINDOW_RECORD, &st);
        if (r < 0)
                return r;
        bind_text(st, 1, policy);
        bind_text(st, 2, cluster);
        sqlite3_bind_int64(st, 3, slot_start);
        bind_text(st, 4, window_outcome_to_string(outcome));
        bind_text(st, 5, snapshot);
        sqlite3_bind_int(st, 6, reported);
        sqlite3_bind_int64(st, 7, now);
        return step_done(s, st);
}

static int window_one(struct store *s, sqlite3_stmt *st, struct window_record *ret)
{
        int rc = sqlite3_step(st);

        if (rc == SQLITE_DONE)
                return -ENOENT;
        if (rc != SQLITE_ROW)
                return store_fail(s, rc);
        return window_from_row(s, st, ret);
}

int store_window_lookup(struct store *s, const char *cluster, int64_t slot_start, struct window_record *ret)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r;

        if (!s || !cluster || !ret)
                return -EINVAL;
        r = store_stmt(s, STMT_WINDOW_LOOKUP, &st);
        if (r < 0)
                return r;
        bind_text(st, 1, cluster);
        sqlite3_bind_int64(st, 2, slot_start);
        return window_one(s, st, ret);
}

int store_window_last_taken(struct store *s, const char *cluster, struct window_record *ret)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r;

        if (!s || !cluster || !ret)
                return -EINVAL;
        r = store_stmt(s, STMT_WINDOW_LAST_TAKEN, &st);
        if (r < 0)
                return r;
        bind_text(st, 1, cluster);
        return window_one(s, st, ret);
}

int store_window_mark_reported(struct store *s, const char *cluster, int64_t slot_start)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r;

        if (!s || !cluster)
                return -EINVAL;
        r = store_stmt(s, STMT_WINDOW_MARK, &st);
        if (r < 0)
                return r;
        bind_text(st, 1, cluster);
        sqlite3_bind_int64(st, 2, slot_start);
        r = step_done(s, st);
        if (r < 0)
                return r;
        return sqlite3_changes(s->db) > 0 ? 0 : -ENOENT;
}

int store_window_list(struct store *s, const char *cluster, int64_t since, size_t limit,
                      struct window_record **ret, size_t *ret_n)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        struct window_record *list = NULL;
        size_t n = 0, allocated = 0;
        int rc, r;

        if (!s || !ret || !ret_n)
                return -EINVAL;
        r = store_stmt(s, STMT_WINDOW_LIST, &st);
        if (r < 0)
                return r;
        bind_text(st, 1, cluster);
        sqlite3_bind_int64(st, 2, since);
        sqlite3_bind_int64(st, 3, sql_limit(limit));
        for (;;) {
                rc = sqlite3_step(st);
                if (rc == SQLITE_DONE)
                        break;
                if (rc != SQLITE_ROW) {
                        r = store_fail(s, rc);
                        goto fail;
                }
                r = grow((void **)&list, &allocated, n, sizeof(*list));
                if (r < 0)
                        goto fail;
                r = window_from_row(s, st, &list[n]);
                if (r < 0)
                        goto fail;
                n++;
        }
        *ret = list;
        *ret_n = n;
        return 0;
fail:
        window_records_free(list, n);
        return r;
}

/* ---- Inventory. ---- */

void inventory_cluster_done(struct inventory_cluster *c)
{
        if (!c)
                return;
        free(c->identifier);
        free(c->status);
        free(c->arn);
        free(c->preferred_window);
        free(c->policy);
        memset(c, 0, sizeof(*c));
}

struct inventory_cluster *inventory_clusters_free(struct inventory_cluster *c, size_t n)
{
        for (size_t i = 0; c && i < n; i++)
                inventory_cluster_done(&c[i]);
        free(c);
        return NULL;
}

void inventory_snapshot_done(struct inventory_snapshot *sn)
{
        if (!sn)
                return;
        free(sn->identifier);
        free(sn->cluster);
        free(sn->status);
        memset(sn, 0, sizeof(*sn));
}

struct inventory_snapshot *inventory_snapshots_free(struct inventory_snapshot *sn, size_t n)
{
        for (size_t i = 0; sn && i < n; i++)
                inventory_snapshot_done(&sn[i]);
        free(sn);
        return NULL;
}

static int inventory_write(struct store *s, const char *region, const struct inventory_cluster *clusters,
                           size_t n_clusters, const struct inventory_snapshot *snapshots, size_t n_snapshots,
                           int64_t now)
{
        sqlite3_stmt *st = NULL;
        int r;

        r = store_stmt(s, STMT_INV_DEL_CLUSTERS, &st);
        if (r < 0)
                return r;
        bind_text(st, 1, region);
        r = step_done(s, st);
        stmt_resetp(&st);
        if (r < 0)
                return r;
        r = store_stmt(s, STMT_INV_DEL_SNAPSHOTS, &st);
        if (r < 0)
                return r;
        bind_text(st, 1, region);
        r = step_done(s, st);
        stmt_resetp(&st);
        if (r < 0)
                return r;

        r = store_stmt(s, STMT_INV_ADD_CLUSTER, &st);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n_clusters; i++) {
                const struct inventory_cluster *c = &clusters[i];

                if (!c->identifier)
                        return -EINVAL;
                bind_text(st, 1, region);
                bind_text(st, 2, c->identifier);
                bind_text(st, 3, c->status);
                bind_text(st, 4, c->arn);
                bind_text(st, 5, c->preferred_window);
                sqlite3_bind_int64(st, 6, c->backup_retention_days);
                bind_text(st, 7, c->policy);
                sqlite3_bind_int64(st, 8, now);
                sqlite3_bind_int64(st, 9, c->earliest_restorable_time);
                sqlite3_bind_int64(st, 10, c->latest_restorable_time);
                r = step_done(s, st);
                stmt_resetp(&st);
                if (r < 0)
                        return r;
        }

        r = store_stmt(s, STMT_INV_ADD_SNAPSHOT, &st);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n_snapshots; i++) {
                const struct inventory_snapshot *sn = &snapshots[i];

                if (!sn->identifier || !inventory_origin_to_string(sn->origin))
                        return -EINVAL;
                bind_text(st, 1, region);
                bind_text(st, 2, sn->identifier);
                bind_text(st, 3, sn->cluster);
                bind_text(st, 4, inventory_origin_to_string(sn->origin));
                bind_text(st, 5, sn->status);
                sqlite3_bind_int64(st, 6, sn->create_time);
                sqlite3_bind_int64(st, 7, sn->allocated_gib);
                sqlite3_bind_int(st, 8, sn->encrypted);
                /* sqlite integers are signed: store the digest's bits, read them back the same way. */
                sqlite3_bind_int64(st, 9, (int64_t)sn->tags_digest);
                sqlite3_bind_int64(st, 10, now);
                r = step_done(s, st);
                stmt_resetp(&st);
                if (r < 0)
                        return r;
        }
        return 0;
}

int store_inventory_replace(struct store *s, const char *region, const struct inventory_cluster *clusters,
                            size_t n_clusters, const struct inventory_snapshot *snapshots,
                            size_t n_snapshots, int64_t now)
{
        int r;

        if (!s || !region || (n_clusters > 0 && !clusters) || (n_snapshots > 0 && !snapshots))
                return -EINVAL;
        r = exec_sql(s, "BEGIN IMMEDIATE");
        if (r < 0)
                return r;
        r = inventory_write(s, region, clusters, n_clusters, snapshots, n_snapshots, now);
        if (r >= 0)
                r = exec_sql(s, "COMMIT");
        if (r < 0) {
                sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
                return r;
        }
        return 0;
}

static int inventory_read_clusters(struct store *s, const char *region, struct inventory_cluster **ret,
                                   size_t *ret_n)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        struct inventory_cluster *list = NULL;
        size_t n = 0, allocated = 0;
        int rc, r;

        r = store_stmt(s, STMT_INV_CLUSTERS, &st);
        if (r < 0)
                return r;
        bind_text(st, 1, region);
        for (;;) {
                struct inventory_cluster *c;

                rc = sqlite3_step(st);
                if (rc == SQLITE_DONE)
                        break;
                if (rc != SQLITE_ROW) {
                        r = store_fail(s, rc);
                        goto fail;
                }
                r = grow((void **)&list, &allocated, n, sizeof(*list));
                if (r < 0)
                        goto fail;
                c = &list[n++];
                c->backup_retention_days = (unsigned)sqlite3_column_int64(st, 4);
                c->earliest_restorable_time = sqlite3_column_int64(st, 6);
                c->latest_restorable_time = sqlite3_column_int64(st, 7);
                if (column_strdup(st, 0, &c->identifier) < 0 || column_strdup(st, 1, &c->status) < 0 ||
                    column_strdup(st, 2, &c->arn) < 0 || column_strdup(st, 3, &c->preferred_window) < 0 ||
                    column_strdup(st, 5, &c->policy) < 0) {
                        r = -ENOMEM;
                        goto fail;
                }
        }
        *ret = list;
        *ret_n = n;
        return 0;
fail:
        inventory_clusters_free(list, n);
        return r;
}

static int inventory_read_snapshots(struct store *s, const char *region, struct inventory_snapshot **ret,
                                    size_t *ret_n)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        struct inventory_snapshot *list = NULL;
        size_t n = 0, allocated = 0;
        int rc, r, o;

        r = store_stmt(s, STMT_INV_SNAPSHOTS, &st);
        if (r < 0)
                return r;
        bind_text(st, 1, region);
        for (;;) {
                struct inventory_snapshot *sn;

                rc = sqlite3_step(st);
                if (rc == SQLITE_DONE)
                        break;
                if (rc != SQLITE_ROW) {
                        r = store_fail(s, rc);
                        goto fail;
                }
                r = grow((void **)&list, &allocated, n, sizeof(*list));
                if (r < 0)
                        goto fail;
                sn = &list[n++];
                o = inventory_origin_from_string((const char *)sqlite3_column_text(st, 2));
                if (o < 0) {
                        store_set_error(s, "inventory snapshot has unknown origin '%s'",
                                        strna((const char *)sqlite3_column_text(st, 2)));
                        r = -EBADMSG;
                        goto fail;
                }
                sn->origin = o;
                sn->create_time = sqlite3_column_int64(st, 4);
                sn->allocated_gib = (unsigned)sqlite3_column_int64(st, 5);
                sn->encrypted = sqlite3_column_int(st, 6) != 0;
                sn->tags_digest = (uint64_t)sqlite3_column_int64(st, 7);
                if (column_strdup(st, 0, &sn->identifier) < 0 || column_strdup(st, 1, &sn->cluster) < 0 ||
                    column_strdup(st, 3, &sn->status) < 0) {
                        r = -ENOMEM;
                        goto fail;
                }
        }
        *ret = list;
        *ret_n = n;
        return 0;
fail:
        inventory_snapshots_free(list, n);
        return r;
}

int store_inventory_load(struct store *s, const char *region, struct inventory_cluster **ret_clusters,
                         size_t *ret_n_clusters, struct inventory_snapshot **ret_snapshots,
                         size_t *ret_n_snapshots, int64_t *ret_observed_at)
{
        struct inventory_cluster *clusters = NULL;
        struct inventory_snapshot *snapshots = NULL;
        size_t n_clusters = 0, n_snapshots = 0;
        int64_t observed = 0;
        int r, rc;

        if (!s || !ret_clusters || !ret_n_clusters || !ret_snapshots || !ret_n_snapshots)
                return -EINVAL;
        /* One read transaction, so that the two lists come from the same replace. */
        r = exec_sql(s, "BEGIN");
        if (r < 0)
                return r;
        r = inventory_read_clusters(s, region, &clusters, &n_clusters);
        if (r < 0)
                goto fail;
        r = inventory_read_snapshots(s, region, &snapshots, &n_snapshots);
        if (r < 0)
                goto fail;
        if (ret_observed_at) {
                _cleanup_reset_ sqlite3_stmt *st = NULL;

                r = store_stmt(s, STMT_INV_OBSERVED, &st);
                if (r < 0)
                        goto fail;
                bind_text(st, 1, region);
                rc = sqlite3_step(st);
                if (rc != SQLITE_ROW) {
                        r = store_fail(s, rc);
                        goto fail;
                }
                observed = sqlite3_column_int64(st, 0);
        }
        r = exec_sql(s, "COMMIT");
        if (r < 0)
                goto fail;

        *ret_clusters = clusters;
        *ret_n_clusters = n_clusters;
        *ret_snapshots = snapshots;
        *ret_n_snapshots = n_snapshots;
        if (ret_observed_at)
                *ret_observed_at = observed;
        return 0;
fail:
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        inventory_clusters_free(clusters, n_clusters);
        inventory_snapshots_free(snapshots, n_snapshots);
        return r;
}

/* ---- Cycles. ---- */

int store_cycle_begin(struct store *s, bool dry_run, int64_t now, int64_t *ret_id)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r;

        if (!s)
                return -EINVAL;
        r = store_stmt(s, STMT_CYCLE_BEGIN, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, now);
        sqlite3_bind_int(st, 2, dry_run);
        r = step_done(s, st);
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
        r = store_stmt(s, STMT_CYCLE_FINISH, &st);
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
        r = step_done(s, st);
        if (r < 0)
                return r;
        if (sqlite3_changes(s->db) > 0)
                return 0;

        r = store_stmt(s, STMT_CYCLE_EXISTS, &ex);
        if (r < 0)
                return r;
        sqlite3_bind_int64(ex, 1, id);
        rc = sqlite3_step(ex);
        r = rc == SQLITE_ROW ? -EALREADY : rc == SQLITE_DONE ? -ENOENT : store_fail(s, rc);
        stmt_resetp(&ex);
        if (r == -EALREADY)
                store_set_error(s, "cycle %" PRId64 " is already finished", id);
        else if (r == -ENOENT)
                store_set_error(s, "no cycle %" PRId64, id);
        return r;
}

static void cycle_from_row(sqlite3_stmt *st, struct cycle_record *ret)
{
        *ret = (struct cycle_record){
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
}

int store_cycle_get(struct store *s, int64_t id, struct cycle_record *ret)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r, rc;

        if (!s || !ret)
                return -EINVAL;
        r = store_stmt(s, STMT_CYCLE_GET, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return -ENOENT;
        if (rc != SQLITE_ROW)
                return store_fail(s, rc);
        cycle_from_row(st, ret);
        return 0;
}

int store_cycle_list(struct store *s, size_t limit, struct cycle_record **ret, size_t *ret_n)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        _cleanup_free_ struct cycle_record *list = NULL;
        size_t n = 0, allocated = 0;
        int r, rc;

        if (!s || !ret || !ret_n)
                return -EINVAL;
        r = store_stmt(s, STMT_CYCLE_LIST, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, sql_limit(limit));
        for (;;) {
                rc = sqlite3_step(st);
                if (rc == SQLITE_DONE)
                        break;
                if (rc != SQLITE_ROW)
                        return store_fail(s, rc);
                r = grow((void **)&list, &allocated, n, sizeof(*list));
                if (r < 0)
                        return r;
                cycle_from_row(st, &list[n++]);
        }
        *ret = TAKE_PTR(list);
        *ret_n = n;
        return 0;
}

/* ---- AWS Backup vault cache. ---- */

int store_vault_cache_get(struct store *s, const char *resource_arn, char **ret_vault)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        char *v;
        int r, rc;

        if (!s || !resource_arn || !ret_vault)
                return -EINVAL;
        r = store_stmt(s, STMT_VAULT_GET, &st);
        if (r < 0)
                return r;
        bind_text(st, 1, resource_arn);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return -ENOENT;
        if (rc != SQLITE_ROW)
                return store_fail(s, rc);
        r = column_strdup(st, 0, &v);
        if (r < 0)
                return r;
        *ret_vault = v;
        return 0;
}

int store_vault_cache_put(struct store *s, const char *resource_arn, const char *vault, int64_t now)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r;

        if (!s || !resource_arn || !vault)
                return -EINVAL;
        r = store_stmt(s, STMT_VAULT_PUT, &st);
        if (r < 0)
                return r;
        bind_text(st, 1, resource_arn);
        bind_text(st, 2, vault);
        sqlite3_bind_int64(st, 3, now);
        return step_done(s, st);
}

int store_account_quota_put(struct store *s, const char *region, const struct account_quota_record *q)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r;

        if (!s || !region || !q)
                return -EINVAL;
        r = store_stmt(s, STMT_QUOTA_PUT, &st);
        if (r < 0)
                return r;
        bind_text(st, 1, region);
        sqlite3_bind_int64(st, 2, q->max);
        sqlite3_bind_int64(st, 3, q->used);
        sqlite3_bind_int64(st, 4, q->counted);
        sqlite3_bind_int64(st, 5, q->observed_at);
        return step_done(s, st);
}

int store_account_quota_get(struct store *s, const char *region, struct account_quota_record *ret)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r, rc;

        if (!s || !region || !ret)
                return -EINVAL;
        r = store_stmt(s, STMT_QUOTA_GET, &st);
        if (r < 0)
                return r;
        bind_text(st, 1, region);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return -ENOENT;
        if (rc != SQLITE_ROW)
                return store_fail(s, rc);
        *ret = (struct account_quota_record){
            .max = sqlite3_column_int64(st, 0),
            .used = sqlite3_column_int64(st, 1),
            .counted = sqlite3_column_int64(st, 2),
            .observed_at = sqlite3_column_int64(st, 3),
        };
        return 0;
}

int store_vault_cache_forget(struct store *s, const char *resource_arn)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r;

        if (!s || !resource_arn)
                return -EINVAL;
        r = store_stmt(s, STMT_VAULT_FORGET, &st);
        if (r < 0)
                return r;
        bind_text(st, 1, resource_arn);
        return step_done(s, st);
}

/* ---- Reported-once markers. ---- */

int store_reported_once(struct store *s, const char *key, int64_t now)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r;

        if (!s || !key)
                return -EINVAL;
        r = store_stmt(s, STMT_MARK_ONCE, &st);
        if (r < 0)
                return r;
        bind_text(st, 1, key);
        sqlite3_bind_int64(st, 2, now);
        r = step_done(s, st);
        if (r < 0)
                return r;
        return sqlite3_changes(s->db) > 0 ? 1 : 0;
}

int store_reported_forget(struct store *s, const char *key)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r;

        if (!s || !key)
                return -EINVAL;
        r = store_stmt(s, STMT_MARK_FORGET, &st);
        if (r < 0)
                return r;
        bind_text(st, 1, key);
        return step_done(s, st);
}

int store_reported_at(struct store *s, const char *key, int64_t *ret)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r;

        if (!s || !key)
                return -EINVAL;
        r = store_stmt(s, STMT_MARK_CHECK, &st);
        if (r < 0)
                return r;
        bind_text(st, 1, key);
        r = sqlite3_step(st);
        if (r == SQLITE_ROW) {
                if (ret)
                        *ret = sqlite3_column_int64(st, 0);
                return 1;
        }
        if (r == SQLITE_DONE)
                return 0;
        return store_fail(s, r);
}

int store_reported_check(struct store *s, const char *key)
{
        return store_reported_at(s, key, NULL);
}

/* ---- Operators' restore requests ---- */

#define RESTORE_COLUMNS                                                                                     \
        "id, kind, source, region, restore_time, use_latest, new_cluster, instance_class, wait, state, "   \
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

struct restore_request *restore_requests_free(struct restore_request *r, size_t n)
{
        for (size_t i = 0; r && i < n; i++)
                restore_request_done(&r[i]);
        free(r);
        return NULL;
}

/* These run once per operator request: prepared per call, not kept with the cycle's statements. */
static int restore_prepare(struct store *s, const char *sql, sqlite3_stmt **ret)
{
        int rc = sqlite3_prepare_v2(s->db, sql, -1, ret, NULL);
        return rc == SQLITE_OK ? 0 : store_fail(s, rc);
}

static void finalizep(sqlite3_stmt **st)
{
        if (*st)
                sqlite3_finalize(*st);
}

static int restore_row(sqlite3_stmt *st, struct restore_request *ret)
{
        struct restore_request q = {
            .id = sqlite3_column_int64(st, 0),
            .kind = streq_ptr((const char *)sqlite3_column_text(st, 1), "point-in-time") ? RESTORE_TO_POINT_IN_TIME
                                                                                           : RESTORE_FROM_SNAPSHOT,
            .restore_time = sqlite3_column_int64(st, 4),
            .use_latest = sqlite3_column_int64(st, 5) != 0,
            .wait = sqlite3_column_int64(st, 8) != 0,
            .requested_by = sqlite3_column_int64(st, 10),
            .created_at = sqlite3_column_int64(st, 12),
            .updated_at = sqlite3_column_int64(st, 13),
        };
        if (column_strdup(st, 2, &q.source) < 0 || column_strdup(st, 3, &q.region) < 0 ||
            column_strdup(st, 6, &q.new_cluster) < 0 || column_strdup(st, 7, &q.instance_class) < 0 ||
            column_strdup(st, 9, &q.state) < 0 || column_strdup(st, 11, &q.message) < 0) {
                restore_request_done(&q);
                return -ENOMEM;
        }
        *ret = q;
        return 0;
}

int store_restore_request_add(struct store *s, const struct restore_request *in, int64_t now, int64_t *ret_id)
{
        _cleanup_(finalizep) sqlite3_stmt *st = NULL;
        int r, rc;

        if (!s || !in || !in->source || !in->new_cluster || !restore_request_kind_to_string(in->kind))
                return -EINVAL;
        r = restore_prepare(s,
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
        _cleanup_(finalizep) sqlite3_stmt *st = NULL;
        int r, rc;

        if (!s || !new_cluster || !ret)
                return -EINVAL;
        r = restore_prepare(s,
                            "SELECT " RESTORE_COLUMNS " FROM restore_requests WHERE new_cluster = ?1 "
                            "AND state IN ('recorded', 'started')",
                            &st);
        if (r < 0)
                return r;
        bind_text(st, 1, new_cluster);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return -ENOENT;
        if (rc != SQLITE_ROW)
                return store_fail(s, rc);
        return restore_row(st, ret);
}

int store_restore_requests_open(struct store *s, struct restore_request **ret, size_t *ret_n)
{
        _cleanup_(finalizep) sqlite3_stmt *st = NULL;
        struct restore_request *list = NULL;
        size_t n = 0, allocated = 0;
        int r, rc;

        if (!s || !ret || !ret_n)
                return -EINVAL;
        r = restore_prepare(s,
                            "SELECT " RESTORE_COLUMNS " FROM restore_requests "
                            "WHERE state IN ('recorded', 'started') ORDER BY id",
                            &st);
        if (r < 0)
                return r;
        for (;;) {
                rc = sqlite3_step(st);
                if (rc == SQLITE_DONE)
                        break;
                if (rc != SQLITE_ROW) {
                        r = store_fail(s, rc);
                        goto fail;
                }
                r = grow((void **)&list, &allocated, n, sizeof(*list));
                if (r >= 0)
                        r = restore_row(st, &list[n]);
                if (r < 0)
                        goto fail;
                n++;
        }
        *ret = list;
        *ret_n = n;
        return 0;
fail:
        restore_requests_free(list, n);
        return r;
}

/* The statement's rows appended to (*list, *n). */
static int restore_rows(struct store *s, sqlite3_stmt *st, struct restore_request **list, size_t *n,
                        size_t *allocated)
{
        int r, rc;

        for (;;) {
                rc = sqlite3_step(st);
                if (rc == SQLITE_DONE)
                        return 0;
                if (rc != SQLITE_ROW)
                        return store_fail(s, rc);
                r = grow((void **)list, allocated, *n, sizeof(**list));
                if (r >= 0)
                        r = restore_row(st, &(*list)[*n]);
                if (r < 0)
                        return r;
                (*n)++;
        }
}

int store_restore_requests_recent(struct store *s, size_t limit, struct restore_request **ret, size_t *ret_n)
{
        _cleanup_(finalizep) sqlite3_stmt *open = NULL, *settled = NULL;
        struct restore_request *list = NULL;
        size_t n = 0, allocated = 0;
        int r;

        if (!s || !ret || !ret_n)
                return -EINVAL;
        r = restore_prepare(s,
                            "SELECT " RESTORE_COLUMNS " FROM restore_requests "
                            "WHERE state IN ('recorded', 'started') ORDER BY id DESC",
                            &open);
        if (r >= 0)
                r = restore_prepare(s,
                                    "SELECT " RESTORE_COLUMNS " FROM restore_requests "
                                    "WHERE state NOT IN ('recorded', 'started') ORDER BY id DESC LIMIT ?1",
                                    &settled);
        if (r >= 0) {
                sqlite3_bind_int64(settled, 1, (int64_t)limit);
                r = restore_rows(s, open, &list, &n, &allocated);
        }
        if (r >= 0)
                r = restore_rows(s, settled, &list, &n, &allocated);
        if (r < 0) {
                restore_requests_free(list, n);
                return r;
        }
        *ret = list;
        *ret_n = n;
        return 0;
}

static int restore_request_one(struct store *s, const char *sql, int64_t id, const char *text,
                               struct restore_request *ret)
{
        _cleanup_(finalizep) sqlite3_stmt *st = NULL;
        int r, rc;

        if (!s || !ret)
                return -EINVAL;
        r = restore_prepare(s, sql, &st);
        if (r < 0)
                return r;
        if (text)
                bind_text(st, 1, text);
        else
                sqlite3_bind_int64(st, 1, id);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return -ENOENT;
        if (rc != SQLITE_ROW)
                return store_fail(s, rc);
        return restore_row(st, ret);
}

int store_restore_request_get(struct store *s, int64_t id, struct restore_request *ret)
{
        return restore_request_one(s, "SELECT " RESTORE_COLUMNS " FROM restore_requests WHERE id = ?1", id, NULL,
                                   ret);
}

int store_restore_request_find_latest(struct store *s, const char *new_cluster, struct restore_request *ret)
{
        if (!new_cluster)
                return -EINVAL;
        return restore_request_one(
            s, "SELECT " RESTORE_COLUMNS " FROM restore_requests WHERE new_cluster = ?1 ORDER BY id DESC LIMIT 1", 0,
            new_cluster, ret);
}

int store_restore_request_update(struct store *s, int64_t id, const char *state, const char *message, int64_t now)
{
        _cleanup_(finalizep) sqlite3_stmt *st = NULL;
        int r, rc;

        if (!s)
                return -EINVAL;
        r = restore_prepare(s,
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

/* ---- Problems (issue 14). Per call statements, like the restore requests: a cycle runs these once. ---- */

static const char *const problem_kind_table[_PROBLEM_KIND_MAX] = {
    [PROBLEM_ACTION_FAILED] = "action-failed",
    [PROBLEM_ACTION_REFUSED] = "action-refused",
    [PROBLEM_DRILL_FAILED] = "drill-failed",
    [PROBLEM_MISSED_WINDOW] = "missed-window",
    [PROBLEM_QUOTA_EXHAUSTED] = "quota-exhausted",
    [PROBLEM_BACKUP_UNDELETABLE] = "backup-undeletable",
    [PROBLEM_POLICY_EMPTY] = "policy-selects-nothing",
    [PROBLEM_REGION_UNOBSERVED] = "region-unobserved",
};

const char *problem_kind_to_string(enum problem_kind k)
{
        return (unsigned)k < _PROBLEM_KIND_MAX ? problem_kind_table[k] : NULL;
}

int problem_kind_from_string(const char *s)
{
        return table_lookup(problem_kind_table, _PROBLEM_KIND_MAX, s);
}

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

struct problem *problems_free(struct problem *p, size_t n)
{
        for (size_t i = 0; p && i < n; i++)
                problem_done(&p[i]);
        free(p);
        return NULL;
}

#define PROBLEM_COLUMNS                                                                                     \
        "id, kind, policy, cluster, snapshot, region, action, first_seen, last_seen, count, error_code, "   \
        "error_message, request_id, resolved_at"

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

static int problem_row(struct store *s, sqlite3_stmt *st, struct problem *ret)
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
        *ret = p;
        return 0;
}

static int problems_collect(struct store *s, sqlite3_stmt *st, struct problem **ret, size_t *ret_n)
{
        struct problem *list = NULL;
        size_t n = 0, allocated = 0;
        int r, rc;

        for (;;) {
                rc = sqlite3_step(st);
                if (rc == SQLITE_DONE)
                        break;
                if (rc != SQLITE_ROW) {
                        r = store_fail(s, rc);
                        goto fail;
                }
                r = grow((void **)&list, &allocated, n, sizeof(*list));
                if (r >= 0)
                        r = problem_row(s, st, &list[n]);
                if (r < 0)
                        goto fail;
                n++;
        }
        *ret = list;
        *ret_n = n;
        return 0;
fail:
        problems_free(list, n);
        return r;
}

int store_problems_list(struct store *s, int64_t resolved_since, struct problem **ret, size_t *ret_n)
{
        _cleanup_(finalizep) sqlite3_stmt *st = NULL;
        int r;

        if (!s || !ret || !ret_n)
                return -EINVAL;
        r = restore_prepare(s,
                            "SELECT " PROBLEM_COLUMNS " FROM problems WHERE resolved_at IS NULL "
                            "OR (?1 > 0 AND resolved_at >= ?1) "
                            "ORDER BY resolved_at IS NOT NULL, first_seen, id",
                            &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, resolved_since);
        return problems_collect(s, st, ret, ret_n);
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
        _cleanup_(finalizep) sqlite3_stmt *raise = NULL, *resolve = NULL, *forget = NULL, *open = NULL;
        struct problem *list = NULL;
        size_t n = 0;
        int r;

        r = restore_prepare(s,
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
                r = restore_prepare(s, "UPDATE problems SET resolved_at = ?2 WHERE id = ?1 AND resolved_at IS NULL",
                                    &resolve);
        if (r >= 0)
                r = restore_prepare(s, "DELETE FROM problems WHERE resolved_at IS NOT NULL AND resolved_at < ?1",
                                    &forget);
        if (r >= 0)
                r = restore_prepare(s,
                                    "SELECT " PROBLEM_COLUMNS " FROM problems WHERE resolved_at IS NULL "
                                    "ORDER BY first_seen, id",
                                    &open);
        if (r < 0)
                return r;
        r = problems_collect(s, open, &list, &n);
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
                r = step_done(s, raise);
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
                r = step_done(s, resolve);
                sqlite3_reset(resolve);
        }
        if (r >= 0 && keep_sec > 0) {
                sqlite3_bind_int64(forget, 1, now - keep_sec);
                r = step_done(s, forget);
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
        r = exec_sql(s, "BEGIN IMMEDIATE");
        if (r < 0)
                return r;
        r = problems_write(s, current, n_current, resolved, userdata, now, keep_sec);
        if (r >= 0)
                r = exec_sql(s, "COMMIT");
        if (r < 0) {
                sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
                return r;
        }
        return 0;
}

/* ---- Next slots. ---- */

struct next_slot_record *next_slot_records_free(struct next_slot_record *r, size_t n)
{
        for (size_t i = 0; r && i < n; i++) {
                free(r[i].policy);
                free(r[i].cluster);
                free(r[i].region);
                free(r[i].state);
                free(r[i].schedule);
                free(r[i].window);
        }
        free(r);
        return NULL;
}

static int next_slots_write(struct store *s, const struct next_slot_record *rec, size_t n, int64_t now)
{
        _cleanup_(finalizep) sqlite3_stmt *add = NULL;
        int r;

        r = exec_sql(s, "DELETE FROM next_slots");
        if (r >= 0)
                r = restore_prepare(s,
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
                r = step_done(s, add);
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
        r = exec_sql(s, "BEGIN IMMEDIATE");
        if (r < 0)
                return r;
        r = next_slots_write(s, rec, n, now);
        if (r >= 0)
                r = exec_sql(s, "COMMIT");
        if (r < 0) {
                sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
                return r;
        }
        return 0;
}

int store_next_slots_load(struct store *s, struct next_slot_record **ret, size_t *ret_n)
{
        _cleanup_(finalizep) sqlite3_stmt *st = NULL;
        struct next_slot_record *list = NULL;
        size_t n = 0, allocated = 0;
        int r, rc;

        if (!s || !ret || !ret_n)
                return -EINVAL;
        r = restore_prepare(s,
                            "SELECT region, cluster, policy, window_open, slot_start, window_close, retry_at, "
                            "state, schedule, window, window_from_cluster, planned_at FROM next_slots "
                            "ORDER BY region, cluster",
                            &st);
        if (r < 0)
                return r;
        for (;;) {
                rc = sqlite3_step(st);
                if (rc == SQLITE_DONE)
                        break;
                if (rc != SQLITE_ROW) {
                        r = store_fail(s, rc);
                        goto fail;
                }
                r = grow((void **)&list, &allocated, n, sizeof(*list));
                if (r < 0)
                        goto fail;
                struct next_slot_record *x = &list[n++];
                x->window_open = sqlite3_column_int64(st, 3);
                x->slot_start = sqlite3_column_int64(st, 4);
                x->window_close = sqlite3_column_int64(st, 5);
                x->retry_at = sqlite3_column_int64(st, 6);
                x->window_from_cluster = sqlite3_column_int(st, 10) != 0;
                x->planned_at = sqlite3_column_int64(st, 11);
                if (column_strdup(st, 0, &x->region) < 0 || column_strdup(st, 1, &x->cluster) < 0 ||
                    column_strdup(st, 2, &x->policy) < 0 || column_strdup(st, 7, &x->state) < 0 ||
                    column_strdup(st, 8, &x->schedule) < 0 || column_strdup(st, 9, &x->window) < 0) {
                        r = -ENOMEM;
                        goto fail;
                }
        }
        *ret = list;
        *ret_n = n;
        return 0;
fail:
        next_slot_records_free(list, n);
        return r;
}

int store_ledger_counts(struct store *s, struct ledger_count **ret, size_t *ret_n)
{
        _cleanup_(finalizep) sqlite3_stmt *st = NULL;
        struct ledger_count *list = NULL;
        size_t n = 0, allocated = 0;
        int r, rc;

        if (!s || !ret || !ret_n)
                return -EINVAL;
        r = restore_prepare(s,
                            "SELECT kind, state, COUNT(*) FROM ledger WHERE state != 'intent' "
                            "GROUP BY kind, state ORDER BY kind, state",
                            &st);
        if (r < 0)
                return r;
        for (;;) {
                rc = sqlite3_step(st);
                if (rc == SQLITE_DONE)
                        break;
                if (rc != SQLITE_ROW) {
                        free(list);
                        return store_fail(s, rc);
                }
                int k = ledger_kind_from_string((const char *)sqlite3_column_text(st, 0));
                int state = ledger_state_from_string((const char *)sqlite3_column_text(st, 1));
                if (k < 0 || state < 0)
                        continue; /* a kind this build does not know: not exported */
                r = grow((void **)&list, &allocated, n, sizeof(*list));
                if (r < 0) {
                        free(list);
                        return r;
                }
                list[n++] = (struct ledger_count){k, state, (uint64_t)sqlite3_column_int64(st, 2)};
        }
        *ret = list;
        *ret_n = n;
        return 0;
}

int store_cycle_first_started(struct store *s, int64_t *ret)
{
        _cleanup_(finalizep) sqlite3_stmt *st = NULL;
        int r, rc;

        if (!s || !ret)
                return -EINVAL;
        r = restore_prepare(s, "SELECT MIN(started_at) FROM cycles", &st);
        if (r < 0)
                return r;
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
                return store_fail(s, rc);
        *ret = sqlite3_column_int64(st, 0); /* NULL (no cycle) reads as 0 */
        return 0;
}
