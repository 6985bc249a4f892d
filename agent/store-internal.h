/* What the store's files (store.c, store-*.c) share: the connection, sqlite errors as negative errno,
 * statements, transactions and the one row collector. Internal to the store: nothing else talks to sqlite.
 */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "store.h"
#include "string-table.h"

/* The statements kept prepared for the life of a connection: those a cycle runs again and again. Each
 * concern's SQL is in its own file, in a table indexed by these ids (see store_stmt()). */
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

struct store {
        sqlite3 *db;
        int version;
        sqlite3_stmt *stmts[_STMT_MAX];
        char error[512];
};

/* ---- Enum names: each concern keeps a table of names indexed by its enum (common/string-table.h). ---- */

/* DEFINE_STORE_NAMES(ledger_kind, enum ledger_kind, table): ledger_kind_to_string() (NULL when out of
 * range) and ledger_kind_from_string() (-EINVAL when unknown) over `table`. */
#define DEFINE_STORE_NAMES(name, type, table) DEFINE_STRING_TABLE_LOOKUP(name, type, table, NULL)

/* DEFINE_STORE_ARRAY_FREE(ledger_entries_free, struct ledger_entry, ledger_rows): frees an array of n
 * elements and what each owns (see struct store_rows); accepts NULL, returns NULL. */
#define DEFINE_STORE_ARRAY_FREE(name, type, rows)                                                           \
        type *name(type *array, size_t n)                                                                   \
        {                                                                                                   \
                store_rows_free(&(rows), array, n);                                                         \
                return NULL;                                                                                \
        }

/* DEFINE_STORE_RECORD_FREE(ledger_entry_done, ledger_entries_free, struct ledger_entry, ledger_rows): a
 * record's destructors, both from its rows: done() frees what one element owns and zeroes it (accepts
 * NULL), free() is DEFINE_STORE_ARRAY_FREE()'s. */
#define DEFINE_STORE_RECORD_FREE(done, free, type, rows)                                                    \
        void done(type *element)                                                                            \
        {                                                                                                   \
                store_row_done(&(rows), element);                                                           \
        }                                                                                                   \
        DEFINE_STORE_ARRAY_FREE(free, type, rows)

/* ---- Errors: sqlite's result codes become negative errno here and nowhere else. ---- */

void store_set_error(struct store *s, const char *fmt, ...) _printf_(2, 3);
/* Record sqlite's message for `rc` and return the matching negative errno. */
int store_fail(struct store *s, int rc);

/* ---- Statements. ---- */

/* The statement `id`, prepared from sql[id] the first time and kept; reset it after use (_cleanup_reset_).
 */
int store_stmt(struct store *s, const char *const *sql, enum stmt_id id, sqlite3_stmt **ret);
/* A statement prepared for one call, for what runs once per cycle or per operator request: finalize it
 * after use (_cleanup_finalize_). */
int store_prepare(struct store *s, const char *sql, sqlite3_stmt **ret);

void store_stmt_resetp(sqlite3_stmt **st);
#define _cleanup_reset_ _cleanup_(store_stmt_resetp)
void store_stmt_finalizep(sqlite3_stmt **st);
#define _cleanup_finalize_ _cleanup_(store_stmt_finalizep)

/* Run SQL text that returns no row (transaction control, pragmas, a fixed DELETE). */
int store_exec(struct store *s, const char *sql);
/* Run a statement that returns no row. */
int store_step_done(struct store *s, sqlite3_stmt *st);
/* Step a query: 1 when a row is ready, 0 when there are no more, or a negative errno. */
int store_step_row(struct store *s, sqlite3_stmt *st);

/* End the transaction begun before the work whose result is `r`: commit when r >= 0, else (or when the
 * commit fails) roll back. Returns 0 or the first error. */
int store_commit_or_rollback(struct store *s, int r);

#define STORE_BEGIN_WRITE "BEGIN IMMEDIATE"
#define STORE_BEGIN_READ "BEGIN"

/* The work `expr` (an int, >= 0 or a negative errno; not evaluated when the BEGIN fails) in a transaction
 * begun with `begin`: STORE_BEGIN_WRITE for a write (the lock is taken up front, so that it cannot fail
 * half-way with SQLITE_BUSY), STORE_BEGIN_READ for reads that must see one state. Committed when it
 * succeeds, else rolled back: 0 or the first error. */
#define STORE_TRANSACTION(s, begin, expr)                                                                   \
        ({                                                                                                  \
                int _begin_r_ = store_exec((s), (begin));                                                   \
                _begin_r_ < 0 ? _begin_r_ : store_commit_or_rollback((s), (expr));                          \
        })

static inline int bind_text(sqlite3_stmt *st, int idx, const char *v)
{
        return v ? sqlite3_bind_text(st, idx, v, -1, SQLITE_STATIC) : sqlite3_bind_null(st, idx);
}

/* LIMIT for a size_t where 0 means "no limit". */
static inline int64_t sql_limit(size_t limit)
{
        return limit == 0 || limit > INT64_MAX ? -1 : (int64_t)limit;
}

/* ---- Rows as structs: each query's columns, in SELECT order, say which field each is read into. ---- */

enum store_column_kind {
        STORE_COLUMN_OTHER,    /* left to the table's read_rest() */
        STORE_COLUMN_TEXT,     /* char *, a fresh copy; NULL for SQL NULL */
        STORE_COLUMN_KEY,      /* char *, as TEXT, but '' (a key column's "not applicable") is NULL too */
        STORE_COLUMN_NAME,     /* an enum stored by its name in the column's `names` */
        STORE_COLUMN_NAME_OR,  /* the same, but a name it does not know (or NULL) reads as `fallback` */
        STORE_COLUMN_INT64,    /* int64_t; SQL NULL reads as 0, as for every number */
        STORE_COLUMN_UINT64,   /* uint64_t: sqlite integers are signed, the bits are stored */
        STORE_COLUMN_UNSIGNED, /* unsigned */
        STORE_COLUMN_INT,      /* int */
        STORE_COLUMN_BOOL,     /* bool: non-zero */
};

struct store_column {
        enum store_column_kind kind;
        size_t offset; /* of the field in the element */
        /* The field's name: without what it is a member of (counts.planned: planned), the column's in the
         * table, which a query's STORE_COLUMNS names; and the label in the error on a NAME this build does
         * not know. */
        const char *name;
        /* NAME, NAME_OR: the enum's names indexed by value. */
        const char *const *names;
        size_t n_names;
        int fallback; /* NAME_OR */
};

/* 0; and the build fails unless `check` holds: the reader writes through an offset, so a struct's field
 * and its column's kind must agree. */
#define STORE_CHECK_(check) (0 * sizeof(char[(check) ? 1 : -1]))
#define STORE_FIELD_IS_(type, field, ctype)                                                                 \
        __builtin_types_compatible_p(typeof(((type *)NULL)->field), ctype)
#define STORE_COLUMN_(k, ctype, type, field)                                                                \
        {                                                                                                   \
                .kind = (k),                                                                                \
                .offset = offsetof(type, field) + STORE_CHECK_(STORE_FIELD_IS_(type, field, ctype)),        \
                .name = #field                                                                              \
        }
#define STORE_TEXT(type, field) STORE_COLUMN_(STORE_COLUMN_TEXT, char *, type, field)
#define STORE_KEY(type, field) STORE_COLUMN_(STORE_COLUMN_KEY, char *, type, field)
#define STORE_INT64(type, field) STORE_COLUMN_(STORE_COLUMN_INT64, int64_t, type, field)
#define STORE_UINT64(type, field) STORE_COLUMN_(STORE_COLUMN_UINT64, uint64_t, type, field)
#define STORE_UNSIGNED(type, field) STORE_COLUMN_(STORE_COLUMN_UNSIGNED, unsigned, type, field)
#define STORE_INT(type, field) STORE_COLUMN_(STORE_COLUMN_INT, int, type, field)
#define STORE_BOOL(type, field) STORE_COLUMN_(STORE_COLUMN_BOOL, bool, type, field)
#define STORE_NAME_(k, type, field, table, fallback_value)                                                  \
        {                                                                                                   \
                .kind = (k),                                                                                \
                .offset =                                                                                   \
                    offsetof(type, field) + STORE_CHECK_(sizeof(((type *)NULL)->field) == sizeof(int)),     \
                .name = #field, .names = (table), .n_names = ELEMENTSOF(table),                             \
                .fallback = (fallback_value)                                                                \
        }
/* An enum `field` (int-sized) stored by its name in the array `table`. */
#define STORE_NAME(type, field, table) STORE_NAME_(STORE_COLUMN_NAME, type, field, table, 0)
/* Same, for a column whose unknown names (and NULL) read as `fallback` rather than failing the row. */
#define STORE_NAME_OR(type, field, table, fallback)                                                         \
        STORE_NAME_(STORE_COLUMN_NAME_OR, type, field, table, fallback)
/* A column that read_rest() reads into `field`, whatever its type. */
#define STORE_OTHER(type, field)                                                                            \
        {                                                                                                   \
                .kind = STORE_COLUMN_OTHER, .offset = offsetof(type, field), .name = #field                 \
        }

/* A store_row_read() result for a row it leaves out. */
#define STORE_ROW_SKIP 1

/* How the rows of one query become elements. Every string an element owns is a TEXT or KEY column:
 * store_row_done() frees them, so that a struct's _done() is its table. */
struct store_rows {
        size_t size; /* of an element */
        const struct store_column *columns;
        size_t n_columns;
        const char *what;  /* "ledger row": for the error on a name this build does not know */
        bool skip_unknown; /* leave such a row out (STORE_ROW_SKIP) rather than fail with -EBADMSG */
        /* The STORE_OTHER() columns, into *element once the others are read: 0 or a negative errno (with
         * store_set_error() for a row it cannot read). Allocates nothing. NULL when there are none. */
        int (*read_rest)(struct store *s, sqlite3_stmt *st, void *element);
};

/* DEFINE_STORE_ROWS(rows, type, columns, ...): `static const struct store_rows rows` for elements of `type`
 * read by the array `columns`; the rest are more of its fields (.what = "ledger row", .read_rest = ...). */
#define DEFINE_STORE_ROWS(rows, type, column_array, ...)                                                    \
        static const struct store_rows rows = {.size = sizeof(type),                                        \
                                               .columns = column_array,                                     \
                                               .n_columns = ELEMENTSOF(column_array),                       \
                                               __VA_ARGS__}

/* Where a query's SQL lists the columns it selects: replaced, when the statement is prepared, by the names
 * of the columns of the rows it is read with, in their order (`"SELECT " STORE_COLUMNS " FROM ledger"`), so
 * that a column is named once, in its table, and read in the order it is selected. */
#define STORE_COLUMNS "{columns}"

/* Rows of one integer column, read into an int64_t (a MAX(), a time). */
extern const struct store_rows store_int64_rows;
/* Rows of one text column, read into a char * (a fresh copy, NULL for SQL NULL). */
extern const struct store_rows store_text_rows;

/* The current row of `st` into *element (overwritten, even on failure): 0, STORE_ROW_SKIP or a negative
 * errno; on anything but 0 it owns nothing. */
int store_row_read(struct store *s, sqlite3_stmt *st, const struct store_rows *rows, void *element);
/* Free the strings *element owns and zero it; accepts NULL. */
void store_row_done(const struct store_rows *rows, void *element);
/* Free an array of n elements and what each owns; accepts NULL. */
void store_rows_free(const struct store_rows *rows, void *array, size_t n);

/* The rows of `st` into an array grown with array_grow(). `ret` is a pointer to the element pointer (e.g.
 * struct ledger_entry **). On failure the rows read so far are freed, and *ret, *ret_n are untouched. An
 * empty result is (NULL, 0). */
int store_collect(struct store *s, sqlite3_stmt *st, const struct store_rows *rows, void *ret,
                  size_t *ret_n);
/* The one row of `st` into *ret (untouched on failure); -ENOENT when there is none (or it is skipped). */
int store_read_one(struct store *s, sqlite3_stmt *st, const struct store_rows *rows, void *ret);

/* ---- One statement: prepare, bind, step, reset or finalize. ----
 *
 * The helpers below check what the store's public functions take from their callers and pass on: `s`,
 * and `ret` / `ret_n` for a query; -EINVAL when one is NULL, so that a function that only passes them on
 * need not check them again. */

/* A statement's parameter: an integer, a double, text (NULL binds SQL NULL) or SQL NULL. Built with
 * ARG_INT(), ARG_DOUBLE(), ARG_TEXT(), ARG_NULL; a list of them with STORE_ARGS(a, b, ...) binds ?1, ?2,
 * ... in order. */
struct store_arg {
        enum { STORE_ARG_INT, STORE_ARG_DOUBLE, STORE_ARG_TEXT, STORE_ARG_NULL } kind;
        int64_t i;
        double d;
        const char *text;
};
#define ARG_INT(v) ((struct store_arg){.kind = STORE_ARG_INT, .i = (v)})
#define ARG_DOUBLE(v) ((struct store_arg){.kind = STORE_ARG_DOUBLE, .d = (v)})
#define ARG_TEXT(v) ((struct store_arg){.kind = STORE_ARG_TEXT, .text = (v)})
#define ARG_NULL ((struct store_arg){.kind = STORE_ARG_NULL})
#define STORE_ARGS(...)                                                                                     \
        (const struct store_arg[]){__VA_ARGS__}, ELEMENTSOF(((const struct store_arg[]){__VA_ARGS__}))

void store_bind(sqlite3_stmt *st, const struct store_arg *args, size_t n);

/* The statement `st` (prepared by the caller, for a batch of rows) run once with `args`, then reset for
 * the next: 0 or a negative errno. */
int store_step_args(struct store *s, sqlite3_stmt *st, const struct store_arg *args, size_t n);
#define store_step(s, st, ...) store_step_args(s, st, STORE_ARGS(__VA_ARGS__))

/* The kept statement sql[id] run once with `args`, then reset: a statement that returns no row (0, or a
 * negative errno); sqlite3_last_insert_rowid() tells what it inserted. */
int store_run_args(struct store *s, const char *const *sql, enum stmt_id id, const struct store_arg *args,
                   size_t n);
#define store_run(s, sql, id, ...) store_run_args(s, sql, id, STORE_ARGS(__VA_ARGS__))
/* Same, for an INSERT: the id of the row it inserted into *ret_id (when not NULL). */
int store_insert_args(struct store *s, const char *const *sql, enum stmt_id id, int64_t *ret_id,
                      const struct store_arg *args, size_t n);
#define store_insert(s, sql, id, ret_id, ...) store_insert_args(s, sql, id, ret_id, STORE_ARGS(__VA_ARGS__))
/* Same, returning how many rows it changed (>= 0): for an UPDATE or an INSERT OR IGNORE whose caller must
 * tell "done" from "nothing to do": `r == 0 ? <why nothing> : MIN(r, 0)`. */
int store_run_changes_args(struct store *s, const char *const *sql, enum stmt_id id,
                           const struct store_arg *args, size_t n);
#define store_run_changes(s, sql, id, ...) store_run_changes_args(s, sql, id, STORE_ARGS(__VA_ARGS__))
/* The one row of the kept statement sql[id] with `args`, read into *ret; -ENOENT when none. */
int store_get_args(struct store *s, const char *const *sql, enum stmt_id id, const struct store_rows *rows,
                   void *ret, const struct store_arg *args, size_t n);
#define store_get(s, sql, id, rows, ret, ...) store_get_args(s, sql, id, rows, ret, STORE_ARGS(__VA_ARGS__))
/* The rows of the kept statement sql[id] with `args`, as store_collect(). */
int store_list_args(struct store *s, const char *const *sql, enum stmt_id id, const struct store_rows *rows,
                    void *ret, size_t *ret_n, const struct store_arg *args, size_t n);
#define store_list(s, sql, id, rows, ret, ret_n, ...)                                                       \
        store_list_args(s, sql, id, rows, ret, ret_n, STORE_ARGS(__VA_ARGS__))
/* Same as store_run_changes(), store_get() and store_list(), for SQL text prepared for this one call (what
 * runs once per cycle or per operator request). */
int store_run_changes_once_args(struct store *s, const char *sql, const struct store_arg *args, size_t n);
#define store_run_changes_once(s, sql, ...) store_run_changes_once_args(s, sql, STORE_ARGS(__VA_ARGS__))
int store_get_once_args(struct store *s, const char *sql, const struct store_rows *rows, void *ret,
                        const struct store_arg *args, size_t n);
#define store_get_once(s, sql, rows, ret, ...)                                                              \
        store_get_once_args(s, sql, rows, ret, STORE_ARGS(__VA_ARGS__))
int store_list_once_args(struct store *s, const char *sql, const struct store_rows *rows, void *ret,
                         size_t *ret_n, const struct store_arg *args, size_t n);
#define store_list_once(s, sql, rows, ret, ret_n, ...)                                                      \
        store_list_once_args(s, sql, rows, ret, ret_n, STORE_ARGS(__VA_ARGS__))
