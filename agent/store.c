/* sqlite3 state of the agent (see store.h): opening, migrating and closing state.db, and what every
 * concern's file (store-*.c) shares: sqlite's result codes become negative errno here, its message is kept
 * for the caller's log (store_last_error), and one collector reads the rows of every list. */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "array.h"
#include "macro.h"
#include "store-internal.h"
#include "store-migrate.h"
#include "store.h"

/* Long enough for another agent's migration or inventory replace, short enough to notice a hang. */
#define STORE_BUSY_TIMEOUT_MS 10000

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

void store_set_error(struct store *s, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(s->error, sizeof(s->error), fmt, ap);
        va_end(ap);
}

int store_fail(struct store *s, int rc)
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

void store_stmt_resetp(sqlite3_stmt **st)
{
        if (*st) {
                sqlite3_reset(*st);
                sqlite3_clear_bindings(*st);
        }
}

void store_stmt_finalizep(sqlite3_stmt **st)
{
        if (*st)
                sqlite3_finalize(*st);
}

/* The SQL column name of `c`: its field's, without what the field is a member of. */
static const char *column_sql_name(const struct store_column *c)
{
        const char *dot = strrchr(c->name, '.');

        return dot ? dot + 1 : c->name;
}

/* `sql` with each STORE_COLUMNS replaced by the names of the columns of `rows` (see STORE_COLUMNS); *ret is
 * NULL when there is nothing to replace. */
static int sql_with_columns(const char *sql, const struct store_rows *rows, char **ret)
{
        const size_t mark = strlen(STORE_COLUMNS);
        size_t list = 0, size = strlen(sql) + 1;
        char *out, *o;

        *ret = NULL;
        if (!rows || !strstr(sql, STORE_COLUMNS))
                return 0;
        for (size_t i = 0; i < rows->n_columns; i++)
                list += strlen(column_sql_name(&rows->columns[i])) + (i > 0 ? 2 : 0);
        for (const char *p = strstr(sql, STORE_COLUMNS); p; p = strstr(p + mark, STORE_COLUMNS))
                size += list;
        out = o = malloc(size);
        if (!out)
                return -ENOMEM;
        for (const char *p = sql, *m; *p; p = m + mark) {
                m = strstr(p, STORE_COLUMNS);
                if (!m) {
                        o = stpcpy(o, p);
                        break;
                }
                o = mempcpy(o, p, (size_t)(m - p));
                for (size_t i = 0; i < rows->n_columns; i++) {
                        if (i > 0)
                                o = stpcpy(o, ", ");
                        o = stpcpy(o, column_sql_name(&rows->columns[i]));
                }
        }
        *o = '\0';
        *ret = out;
        return 0;
}

/* Prepare `sql`, with the columns of `rows` in it (NULL: none), with sqlite's prepare `flags`. */
static int prepare_flags(struct store *s, const char *sql, const struct store_rows *rows, unsigned flags,
                         sqlite3_stmt **ret)
{
        _cleanup_free_ char *expanded = NULL;
        int rc, r;

        r = sql_with_columns(sql, rows, &expanded);
        if (r < 0)
                return r;
        rc = sqlite3_prepare_v3(s->db, expanded ?: sql, -1, flags, ret, NULL);
        return rc == SQLITE_OK ? 0 : store_fail(s, rc);
}

/* The kept statement sql[id]; a query is always read with the same `rows`, those it is prepared with. */
static int store_stmt_rows(struct store *s, const char *const *sql, enum stmt_id id,
                           const struct store_rows *rows, sqlite3_stmt **ret)
{
        int r;

        if (!s->stmts[id]) {
                r = prepare_flags(s, sql[id], rows, SQLITE_PREPARE_PERSISTENT, &s->stmts[id]);
                if (r < 0)
                        return r;
        }
        *ret = s->stmts[id];
        return 0;
}

int store_stmt(struct store *s, const char *const *sql, enum stmt_id id, sqlite3_stmt **ret)
{
        return store_stmt_rows(s, sql, id, NULL, ret);
}

int store_prepare(struct store *s, const char *sql, sqlite3_stmt **ret)
{
        return prepare_flags(s, sql, NULL, 0, ret);
}

int store_step_done(struct store *s, sqlite3_stmt *st)
{
        int rc = sqlite3_step(st);
        if (rc != SQLITE_DONE)
                return store_fail(s, rc);
        return 0;
}

int store_step_row(struct store *s, sqlite3_stmt *st)
{
        int rc = sqlite3_step(st);

        if (rc == SQLITE_ROW)
                return 1;
        if (rc == SQLITE_DONE)
                return 0;
        return store_fail(s, rc);
}

int store_exec(struct store *s, const char *sql)
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

int store_commit_or_rollback(struct store *s, int r)
{
        if (r >= 0)
                r = store_exec(s, "COMMIT");
        if (r < 0) {
                /* Its own error would hide the one that made us roll back. */
                sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
                return r;
        }
        return 0;
}

/* ---- Reading rows. ---- */

/* A text column as a fresh string: NULL for SQL NULL and, for a key column, for ''. */
static int column_strdup(sqlite3_stmt *st, int col, bool empty_is_null, char **ret)
{
        const unsigned char *t = sqlite3_column_text(st, col);
        char *c;

        if (!t || (empty_is_null && !*t)) {
                *ret = NULL;
                return 0;
        }
        c = strdup((const char *)t);
        if (!c)
                return -ENOMEM;
        *ret = c;
        return 0;
}

/* The enum value named by column `col`: >= 0, STORE_ROW_SKIP or -EBADMSG (see struct store_rows). */
static int column_name(struct store *s, sqlite3_stmt *st, int col, const struct store_rows *rows, int *ret)
{
        const struct store_column *c = &rows->columns[col];
        const char *t = (const char *)sqlite3_column_text(st, col);
        int v = string_table_lookup(c->names, c->n_names, t);

        if (v < 0 && c->kind == STORE_COLUMN_NAME_OR)
                v = c->fallback;
        if (v < 0) {
                if (rows->skip_unknown)
                        return STORE_ROW_SKIP;
                /* The first column names the row (its id, or its identifier), as in "ledger row 5". */
                store_set_error(s, "%s %s has unknown %s '%s'", strna(rows->what),
                                strna((const char *)sqlite3_column_text(st, 0)), c->name, strna(t));
                return -EBADMSG;
        }
        *ret = v;
        return 0;
}

static int column_read(struct store *s, sqlite3_stmt *st, int col, const struct store_rows *rows,
                       void *field)
{
        enum store_column_kind kind = rows->columns[col].kind;

        switch (kind) {
        case STORE_COLUMN_OTHER:
                return 0;
        case STORE_COLUMN_TEXT:
        case STORE_COLUMN_KEY:
                return column_strdup(st, col, kind == STORE_COLUMN_KEY, field);
        case STORE_COLUMN_NAME:
        case STORE_COLUMN_NAME_OR:
                return column_name(s, st, col, rows, field);
        case STORE_COLUMN_INT64:
                *(int64_t *)field = sqlite3_column_int64(st, col);
                return 0;
        case STORE_COLUMN_UINT64:
                *(uint64_t *)field = (uint64_t)sqlite3_column_int64(st, col);
                return 0;
        case STORE_COLUMN_UNSIGNED:
                *(unsigned *)field = (unsigned)sqlite3_column_int64(st, col);
                return 0;
        case STORE_COLUMN_INT:
                *(int *)field = sqlite3_column_int(st, col);
                return 0;
        case STORE_COLUMN_BOOL:
                *(bool *)field = sqlite3_column_int64(st, col) != 0;
                return 0;
        }
        return -EINVAL;
}

void store_row_done(const struct store_rows *rows, void *element)
{
        if (!element)
                return;
        for (size_t i = 0; i < rows->n_columns; i++)
                if (rows->columns[i].kind == STORE_COLUMN_TEXT || rows->columns[i].kind == STORE_COLUMN_KEY)
                        free(*(char **)((char *)element + rows->columns[i].offset));
        memset(element, 0, rows->size);
}

int store_row_read(struct store *s, sqlite3_stmt *st, const struct store_rows *rows, void *element)
{
        int r = 0;

        memset(element, 0, rows->size);
        for (size_t i = 0; r == 0 && i < rows->n_columns; i++)
                r = column_read(s, st, (int)i, rows, (char *)element + rows->columns[i].offset);
        if (r == 0 && rows->read_rest)
                r = rows->read_rest(s, st, element);
        if (r != 0)
                store_row_done(rows, element);
        return r;
}

static const struct store_column int64_column[] = {{.kind = STORE_COLUMN_INT64, .offset = 0}};
const struct store_rows store_int64_rows = {
    .size = sizeof(int64_t), .columns = int64_column, .n_columns = ELEMENTSOF(int64_column)};

static const struct store_column text_column[] = {{.kind = STORE_COLUMN_TEXT, .offset = 0}};
const struct store_rows store_text_rows = {
    .size = sizeof(char *), .columns = text_column, .n_columns = ELEMENTSOF(text_column)};

void store_rows_free(const struct store_rows *rows, void *array, size_t n)
{
        for (size_t i = 0; array && i < n; i++)
                store_row_done(rows, (char *)array + i * rows->size);
        free(array);
}

int store_collect(struct store *s, sqlite3_stmt *st, const struct store_rows *rows, void *ret, size_t *ret_n)
{
        void *items = NULL;
        size_t n = 0, allocated = 0;
        int r;

        for (;;) {
                r = store_step_row(s, st);
                if (r <= 0)
                        break;
                r = array_grow(&items, &allocated, n, rows->size);
                if (r < 0)
                        break;
                r = store_row_read(s, st, rows, (char *)items + n * rows->size);
                if (r < 0)
                        break;
                if (r != STORE_ROW_SKIP)
                        n++;
        }
        if (r < 0) {
                store_rows_free(rows, items, n);
                return r;
        }
        if (n == 0)
                items = mfree(items); /* every row skipped */
        *(void **)ret = items;
        *ret_n = n;
        return 0;
}

int store_read_one(struct store *s, sqlite3_stmt *st, const struct store_rows *rows, void *ret)
{
        /* Read aside, so that *ret is untouched unless the whole row could be read. */
        _cleanup_free_ void *element = NULL;
        int r = store_step_row(s, st);

        if (r < 0)
                return r;
        if (r == 0)
                return -ENOENT;
        element = malloc(rows->size);
        if (!element)
                return -ENOMEM;
        r = store_row_read(s, st, rows, element);
        if (r < 0)
                return r;
        if (r == STORE_ROW_SKIP)
                return -ENOENT;
        memcpy(ret, element, rows->size);
        return 0;
}

/* ---- One statement. ---- */

void store_bind(sqlite3_stmt *st, const struct store_arg *args, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                int idx = (int)i + 1;

                switch (args[i].kind) {
                case STORE_ARG_INT:
                        sqlite3_bind_int64(st, idx, args[i].i);
                        break;
                case STORE_ARG_DOUBLE:
                        sqlite3_bind_double(st, idx, args[i].d);
                        break;
                case STORE_ARG_TEXT:
                        bind_text(st, idx, args[i].text);
                        break;
                case STORE_ARG_NULL:
                        sqlite3_bind_null(st, idx);
                        break;
                }
        }
}

int store_step_args(struct store *s, sqlite3_stmt *st, const struct store_arg *args, size_t n)
{
        int r;

        if (!s)
                return -EINVAL;
        store_bind(st, args, n);
        r = store_step_done(s, st);
        store_stmt_resetp(&st);
        return r;
}

static int store_stmt_bound(struct store *s, const char *const *sql, enum stmt_id id,
                            const struct store_rows *rows, const struct store_arg *args, size_t n,
                            sqlite3_stmt **ret)
{
        int r = s ? store_stmt_rows(s, sql, id, rows, ret) : -EINVAL;

        if (r < 0)
                return r;
        store_bind(*ret, args, n);
        return 0;
}

static int store_prepare_bound(struct store *s, const char *sql, const struct store_rows *rows,
                               const struct store_arg *args, size_t n, sqlite3_stmt **ret)
{
        int r = s ? prepare_flags(s, sql, rows, 0, ret) : -EINVAL;

        if (r < 0)
                return r;
        store_bind(*ret, args, n);
        return 0;
}

int store_run_args(struct store *s, const char *const *sql, enum stmt_id id, const struct store_arg *args,
                   size_t n)
{
        sqlite3_stmt *st = NULL;
        int r = s ? store_stmt(s, sql, id, &st) : -EINVAL;

        return r < 0 ? r : store_step_args(s, st, args, n);
}

int store_insert_args(struct store *s, const char *const *sql, enum stmt_id id, int64_t *ret_id,
                      const struct store_arg *args, size_t n)
{
        int r = store_run_args(s, sql, id, args, n);

        if (r < 0)
                return r;
        if (ret_id)
                *ret_id = sqlite3_last_insert_rowid(s->db);
        return 0;
}

int store_run_changes_args(struct store *s, const char *const *sql, enum stmt_id id,
                           const struct store_arg *args, size_t n)
{
        int r = store_run_args(s, sql, id, args, n);

        return r < 0 ? r : sqlite3_changes(s->db);
}

int store_run_changes_once_args(struct store *s, const char *sql, const struct store_arg *args, size_t n)
{
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int r = store_prepare_bound(s, sql, NULL, args, n, &st);

        if (r >= 0)
                r = store_step_done(s, st);
        return r < 0 ? r : sqlite3_changes(s->db);
}

int store_get_args(struct store *s, const char *const *sql, enum stmt_id id, const struct store_rows *rows,
                   void *ret, const struct store_arg *args, size_t n)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r = ret ? store_stmt_bound(s, sql, id, rows, args, n, &st) : -EINVAL;

        return r < 0 ? r : store_read_one(s, st, rows, ret);
}

int store_list_args(struct store *s, const char *const *sql, enum stmt_id id, const struct store_rows *rows,
                    void *ret, size_t *ret_n, const struct store_arg *args, size_t n)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r = ret && ret_n ? store_stmt_bound(s, sql, id, rows, args, n, &st) : -EINVAL;

        return r < 0 ? r : store_collect(s, st, rows, ret, ret_n);
}

int store_get_once_args(struct store *s, const char *sql, const struct store_rows *rows, void *ret,
                        const struct store_arg *args, size_t n)
{
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int r = ret ? store_prepare_bound(s, sql, rows, args, n, &st) : -EINVAL;

        return r < 0 ? r : store_read_one(s, st, rows, ret);
}

int store_list_once_args(struct store *s, const char *sql, const struct store_rows *rows, void *ret,
                         size_t *ret_n, const struct store_arg *args, size_t n)
{
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int r = ret && ret_n ? store_prepare_bound(s, sql, rows, args, n, &st) : -EINVAL;

        return r < 0 ? r : store_collect(s, st, rows, ret, ret_n);
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

/* Inside the write transaction of migrate_one(): apply `version` unless another process got there first. */
static int migrate_step(struct store *s, int version)
{
        char sql[128];
        int r, current;

        r = read_version(s, &current);
        if (r < 0)
                return r;
        if (current >= version)
                return 0;
        if (current != version - 1) {
                store_set_error(s, "state.db schema version %d cannot be migrated to %d", current, version);
                return -EPROTO;
        }
        r = store_exec(s, store_migration_sql(version));
        if (r < 0)
                return r;
        snprintf(sql, sizeof(sql),
                 "INSERT INTO schema_version (version, applied_at) VALUES (%d, CAST(strftime('%%s', 'now') "
                 "AS INTEGER))",
                 version);
        return store_exec(s, sql);
}

/* Apply migration `version` in its own write transaction. */
static int migrate_one(struct store *s, int version)
{
        return STORE_TRANSACTION(s, STORE_BEGIN_WRITE, migrate_step(s, version));
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

        open_error[0] = '\0'; /* a failure before `s` exists says why here */
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
        r = store_exec(s, "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; PRAGMA cache_size = -256;");
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
        return store_open_internal(dir, version, false, ret);
}

int store_open_read_only(const char *dir, struct store **ret)
{
        return store_open_internal(dir, STORE_SCHEMA_VERSION, true, ret);
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
