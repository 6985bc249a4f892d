/* The sqlite state store on real files: opening, reopening, two connections and a ledger row that
 * survives a process killed right after store_ledger_begin(); then every concern's functions, one
 * behaviour per test. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store.h"
#include "test-helpers.h"
#include "test-suite.h"

#define T0 INT64_C(1700000000)

static struct store *open_store(const char *dir)
{
        struct store *s = NULL;
        int r = store_open(dir, &s);
        ck_assert_msg(r == 0, "store_open(%s): %s: %s", dir, strerror(-r), store_last_error(NULL));
        return s;
}

static const struct ledger_intent create_intent = {
    .kind = LEDGER_CREATE,
    .policy = "prod",
    .cluster = "prod-db-1",
    .snapshot = "aba-prod-db-1-2023-11-14t2200z",
    .region = "eu-west-1",
    .slot_start = T0,
};

START_TEST(store_open_creates_wal_database_at_latest_version)
{
        char dir[PATH_MAX], path[PATH_MAX + 16];
        _cleanup_store_close_ struct store *s = NULL;
        sqlite3 *db = NULL;
        sqlite3_stmt *st = NULL;
        struct stat stbuf;

        s = open_store(test_tmp_dir(dir, sizeof(dir)));
        ck_assert_int_eq(store_schema_version(s), STORE_SCHEMA_VERSION);
        snprintf(path, sizeof(path), "%s/state.db", dir);
        ck_assert_int_eq(stat(path, &stbuf), 0);

        /* WAL is a property of the file: a second, raw connection sees it. */
        ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
        ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
        ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
        ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "wal");
        sqlite3_finalize(st);
        /* Every migration step is recorded. */
        ck_assert_int_eq(
            sqlite3_prepare_v2(db, "SELECT COUNT(*), MIN(version), MAX(version) FROM schema_version", -1,
                               &st, NULL),
            SQLITE_OK);
        ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
        ck_assert_int_eq(sqlite3_column_int(st, 0), STORE_SCHEMA_VERSION);
        ck_assert_int_eq(sqlite3_column_int(st, 1), 1);
        ck_assert_int_eq(sqlite3_column_int(st, 2), STORE_SCHEMA_VERSION);
        sqlite3_finalize(st);
        sqlite3_close(db);
}
END_TEST

START_TEST(store_files_are_0600_under_umask_022)
{
        char dir[PATH_MAX], path[PATH_MAX + 16];
        _cleanup_store_close_ struct store *s = NULL;
        const char *names[] = {"state.db", "state.db-wal", "state.db-shm"};
        struct stat st;

        umask(022);
        s = open_store(test_tmp_dir(dir, sizeof(dir)));
        /* A write makes sure the WAL exists while the store is open. */
        ck_assert_int_eq(store_reported_once(s, "mode-test", T0), 1);
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
                ck_assert_msg(stat(path, &st) == 0, "%s: %s", path, strerror(errno));
                ck_assert_msg((st.st_mode & 07777) == 0600, "%s has mode %04o", names[i],
                              (unsigned)(st.st_mode & 07777));
        }
}
END_TEST

START_TEST(store_open_fails_on_a_missing_directory)
{
        char dir[PATH_MAX], path[PATH_MAX + 16];
        struct store *s = NULL;

        snprintf(path, sizeof(path), "%s/absent", test_tmp_dir(dir, sizeof(dir)));
        ck_assert_int_eq(store_open(path, &s), -ENOENT);
        ck_assert_ptr_null(s);
        ck_assert_ptr_nonnull(strstr(store_last_error(NULL), "absent"));
}
END_TEST

START_TEST(store_open_fails_on_a_file_that_is_not_a_directory)
{
        char dir[PATH_MAX], path[PATH_MAX + 16];
        struct store *s = NULL;
        int fd;

        snprintf(path, sizeof(path), "%s/file", test_tmp_dir(dir, sizeof(dir)));
        fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
        ck_assert_int_ge(fd, 0);
        close(fd);
        ck_assert_int_eq(store_open(path, &s), -ENOTDIR);
        ck_assert_ptr_null(s);
}
END_TEST

START_TEST(store_open_version_refuses_a_version_out_of_range)
{
        char dir[PATH_MAX];
        struct store *s = NULL;

        test_tmp_dir(dir, sizeof(dir));
        ck_assert_int_eq(store_open_version(dir, 0, &s), -EINVAL);
        ck_assert_int_eq(store_open_version(dir, STORE_SCHEMA_VERSION + 1, &s), -EINVAL);
        ck_assert_ptr_null(s);
}
END_TEST

START_TEST(store_open_rejects_a_file_that_is_not_a_database)
{
        static const char garbage[] = "this is not an sqlite database, it is a text file of some length....";
        char dir[PATH_MAX], path[PATH_MAX + 16];
        struct store *s = NULL;
        int fd;

        snprintf(path, sizeof(path), "%s/state.db", test_tmp_dir(dir, sizeof(dir)));
        fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
        ck_assert_int_ge(fd, 0);
        for (int i = 0; i < 64; i++)
                ck_assert_int_eq(write(fd, garbage, sizeof(garbage)), (ssize_t)sizeof(garbage));
        close(fd);
        ck_assert_int_eq(store_open(dir, &s), -EBADMSG);
        ck_assert_ptr_null(s);
        ck_assert_str_ne(store_last_error(NULL), "");
}
END_TEST

START_TEST(store_open_refuses_a_newer_schema)
{
        char dir[PATH_MAX], path[PATH_MAX + 16];
        struct store *s = NULL;
        sqlite3 *db = NULL;

        s = open_store(test_tmp_dir(dir, sizeof(dir)));
        s = store_close(s);
        snprintf(path, sizeof(path), "%s/state.db", dir);
        ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
        ck_assert_int_eq(sqlite3_exec(db, "INSERT INTO schema_version VALUES (99, 0)", NULL, NULL, NULL),
                         SQLITE_OK);
        sqlite3_close(db);

        ck_assert_int_eq(store_open(dir, &s), -EPROTO);
        ck_assert_ptr_null(s);
        ck_assert_ptr_nonnull(strstr(store_last_error(NULL), "99"));
}
END_TEST

START_TEST(store_read_only_reads_what_the_writer_committed)
{
        char dir[PATH_MAX];
        _cleanup_store_close_ struct store *w = NULL, *ro = NULL;
        struct store *s = NULL;
        struct ledger_entry *list = NULL;
        size_t n;
        int64_t id, cycle;

        test_tmp_dir(dir, sizeof(dir));
        ck_assert_int_eq(store_open_read_only(dir, &s), -ENOENT); /* never creates */
        ck_assert_ptr_null(s);

        w = open_store(dir);
        ck_assert_int_eq(store_ledger_begin(w, &create_intent, T0, &id), 0);
        ck_assert_int_eq(store_open_read_only(dir, &ro), 0);
        ck_assert_int_eq(store_ledger_open_intents(ro, &list, &n), 0);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(list[0].id, id);
        ledger_entries_free(list, n);
        ck_assert_int_eq(store_cycle_begin(ro, false, T0, &cycle), -EROFS);
        ck_assert_str_ne(store_last_error(ro), "");
}
END_TEST

START_TEST(store_read_only_refuses_an_unmigrated_file)
{
        char dir[PATH_MAX];
        struct store *s = NULL;

        ck_assert_int_eq(store_open_version(test_tmp_dir(dir, sizeof(dir)), 1, &s), 0);
        s = store_close(s);
        ck_assert_int_eq(store_open_read_only(dir, &s), -EPROTO);
        ck_assert_ptr_null(s);
        ck_assert_ptr_nonnull(strstr(store_last_error(NULL), "migrate"));
}
END_TEST

START_TEST(store_reopen_after_close_keeps_every_table)
{
        char dir[PATH_MAX];
        struct store *s;
        struct ledger_entry e = {};
        struct window_record w = {};
        struct cycle_record c = {};
        _cleanup_free_ char *vault = NULL;
        int64_t id, cycle;

        s = open_store(test_tmp_dir(dir, sizeof(dir)));
        ck_assert_int_eq(store_cycle_begin(s, false, T0, &cycle), 0);
        struct ledger_intent in = create_intent;
        in.cycle_id = cycle;
        ck_assert_int_eq(store_ledger_begin(s, &in, T0, &id), 0);
        ck_assert_int_eq(store_window_record(s, "prod", "prod-db-1", T0, WINDOW_MISSED, NULL, false, T0), 0);
        ck_assert_int_eq(store_vault_cache_put(s, "arn:aws:rds:eu-west-1:1:cluster:a", "Default", T0), 0);
        ck_assert_int_eq(store_reported_once(s, "vault-locked:rp-1", T0), 1);
        s = store_close(s);
        ck_assert_ptr_null(s);

        s = open_store(dir);
        ck_assert_int_eq(store_ledger_get(s, id, &e), 0);
        ck_assert_int_eq(e.cycle_id, cycle);
        ck_assert_int_eq(e.state, LEDGER_INTENT);
        ck_assert_int_eq(store_window_lookup(s, "prod-db-1", T0, &w), 0);
        ck_assert_int_eq(w.outcome, WINDOW_MISSED);
        ck_assert_int_eq(store_cycle_get(s, cycle, &c), 0);
        ck_assert_int_eq(store_vault_cache_get(s, "arn:aws:rds:eu-west-1:1:cluster:a", &vault), 0);
        ck_assert_str_eq(vault, "Default");
        ck_assert_int_eq(store_reported_once(s, "vault-locked:rp-1", T0 + 60), 0);
        ledger_entry_done(&e);
        window_record_done(&w);
        store_close(s);
}
END_TEST

static const struct inventory_cluster clusters_eu[] = {
    {.identifier = "db-a",
     .status = "available",
     .arn = "arn:aws:rds:eu-west-1:123456789012:cluster:db-a",
     .preferred_window = "22:00-23:00",
     .backup_retention_days = 7,
     .policy = "prod"},
    {.identifier = "db-b", .status = "modifying"},
};

static const struct inventory_snapshot snapshots_eu[] = {
    {.identifier = "aba-db-a-2023-11-14t2200z",
     .cluster = "db-a",
     .origin = INVENTORY_ORIGIN_AGENT,
     .status = "available",
     .create_time = T0,
     .allocated_gib = 42,
     .encrypted = true,
     .tags_digest = UINT64_C(0xcbf29ce484222325)},
    {.identifier = "awsbackup:job-0f1e2d",
     .cluster = "db-a",
     .origin = INVENTORY_ORIGIN_AWS_BACKUP,
     .status = "available"},
    {.identifier = "rds:db-a-2023-11-14-03-10", .cluster = "db-a", .origin = INVENTORY_ORIGIN_AUTOMATED},
};

START_TEST(two_connections_see_each_others_commits)
{
        char dir[PATH_MAX];
        _cleanup_store_close_ struct store *a = NULL, *b = NULL;
        struct ledger_entry *list = NULL, e = {};
        struct inventory_cluster *c = NULL;
        struct inventory_snapshot *sn = NULL;
        size_t n, nc, ns;
        int64_t id;

        a = open_store(test_tmp_dir(dir, sizeof(dir)));
        b = open_store(dir);

        ck_assert_int_eq(store_ledger_begin(a, &create_intent, T0, &id), 0);
        ck_assert_int_eq(store_ledger_open_intents(b, &list, &n), 0);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(list[0].id, id);
        list = ledger_entries_free(list, n);

        ck_assert_int_eq(store_ledger_finish(b, id, LEDGER_DONE, "req-b", NULL, NULL, T0 + 1), 0);
        ck_assert_int_eq(store_ledger_get(a, id, &e), 0);
        ck_assert_int_eq(e.state, LEDGER_DONE);
        ck_assert_str_eq(e.request_id, "req-b");
        ledger_entry_done(&e);
        /* Both raced to finish: only one outcome is recorded. */
        ck_assert_int_eq(store_ledger_finish(a, id, LEDGER_FAILED, NULL, NULL, NULL, T0 + 2), -EALREADY);

        ck_assert_int_eq(store_inventory_replace(a, "eu-west-1", clusters_eu, 2, snapshots_eu, 3, T0), 0);
        ck_assert_int_eq(store_inventory_load(b, "eu-west-1", &c, &nc, &sn, &ns, NULL), 0);
        ck_assert_uint_eq(nc, 2);
        ck_assert_uint_eq(ns, 3);
        inventory_clusters_free(c, nc);
        inventory_snapshots_free(sn, ns);

        /* "Reported once" holds across agents sharing a state directory. */
        ck_assert_int_eq(store_reported_once(a, "k", T0), 1);
        ck_assert_int_eq(store_reported_once(b, "k", T0), 0);
}
END_TEST

START_TEST(ledger_intent_survives_sigkill_after_begin)
{
        char dir[PATH_MAX];
        _cleanup_store_close_ struct store *s = NULL;
        struct ledger_entry *list = NULL;
        int64_t id = 0;
        int fds[2], status;
        size_t n;
        pid_t pid;

        test_tmp_dir(dir, sizeof(dir));
        ck_assert_int_eq(pipe(fds), 0);
        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                struct store *child = NULL;
                int64_t child_id = 0;

                close(fds[0]);
                if (store_open(dir, &child) < 0 ||
                    store_ledger_begin(child, &create_intent, T0, &child_id) < 0)
                        _exit(1);
                /* The "AWS call" would start here; the parent kills us before anything else happens. */
                if (write(fds[1], &child_id, sizeof(child_id)) != (ssize_t)sizeof(child_id))
                        _exit(1);
                for (;;)
                        pause();
        }
        close(fds[1]);
        ck_assert_int_eq(read(fds[0], &id, sizeof(id)), (ssize_t)sizeof(id));
        close(fds[0]);
        ck_assert_int_eq(kill(pid, SIGKILL), 0);
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

        s = open_store(dir);
        ck_assert_int_eq(store_ledger_open_intents(s, &list, &n), 0);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(list[0].id, id);
        ck_assert_int_eq(list[0].kind, LEDGER_CREATE);
        ck_assert_str_eq(list[0].snapshot, create_intent.snapshot);
        ck_assert_int_eq(list[0].slot_start, T0);
        ledger_entries_free(list, n);
        /* The next start reconciles it: the snapshot exists, so the intent is done. */
        ck_assert_int_eq(store_ledger_finish(s, id, LEDGER_DONE, NULL, NULL, NULL, T0 + 30), 0);
}
END_TEST

/* ---- The tests below share one fixture: a fresh store in a fresh directory. ---- */

static char dir[PATH_MAX];
static struct store *s;

static void store_setup(void)
{
        s = open_store(test_tmp_dir(dir, sizeof(dir)));
}

static void store_teardown(void)
{
        s = store_close(s);
}

static int64_t ledger_begin(const struct ledger_intent *in, int64_t now)
{
        int64_t id = 0;

        ck_assert_int_eq(store_ledger_begin(s, in, now, &id), 0);
        ck_assert_int_gt(id, 0);
        return id;
}

/* The row `id` as store_ledger_get() reads it; free with ledger_entry_done(). */
static struct ledger_entry ledger_get(int64_t id)
{
        struct ledger_entry e = {};

        ck_assert_int_eq(store_ledger_get(s, id, &e), 0);
        return e;
}

START_TEST(ledger_begin_records_every_field_of_the_intent)
{
        int64_t id, cycle;
        struct ledger_entry e;

        ck_assert_int_eq(store_cycle_begin(s, false, T0, &cycle), 0);
        struct ledger_intent in = {
            .cycle_id = cycle,
            .kind = LEDGER_COPY,
            .policy = "prod",
            .cluster = "prod-db-1",
            .snapshot = "aba-prod-db-1-2023-11-14t2200z",
            .region = "eu-west-1",
            .target = "us-west-2",
            .slot_start = T0,
        };
        id = ledger_begin(&in, T0 + 5);

        e = ledger_get(id);
        ck_assert_int_eq(e.id, id);
        ck_assert_int_eq(e.cycle_id, cycle);
        ck_assert_int_eq(e.kind, LEDGER_COPY);
        ck_assert_int_eq(e.state, LEDGER_INTENT);
        ck_assert_str_eq(e.policy, "prod");
        ck_assert_str_eq(e.cluster, "prod-db-1");
        ck_assert_str_eq(e.snapshot, "aba-prod-db-1-2023-11-14t2200z");
        ck_assert_str_eq(e.region, "eu-west-1");
        ck_assert_str_eq(e.target, "us-west-2");
        ck_assert_int_eq(e.slot_start, T0);
        ck_assert_ptr_null(e.request_id);
        ck_assert_ptr_null(e.error_code);
        ck_assert_int_eq(e.created_at, T0 + 5);
        ck_assert_int_eq(e.updated_at, T0 + 5);
        ck_assert_uint_eq(e.attempts, 1);
        ledger_entry_done(&e);
}
END_TEST

START_TEST(ledger_finish_records_the_outcome_and_its_error)
{
        int64_t id = ledger_begin(&create_intent, T0 + 5);
        struct ledger_entry e;

        ck_assert_int_eq(store_ledger_finish(s, id, LEDGER_FAILED, "4c1d7c3e-0b6a-4f3e-9d0e-1a2b3c4d5e6f",
                                             "SnapshotQuotaExceeded",
                                             "Cannot create more than 100 snapshots", T0 + 9),
                         0);
        e = ledger_get(id);
        ck_assert_int_eq(e.state, LEDGER_FAILED);
        ck_assert_str_eq(e.request_id, "4c1d7c3e-0b6a-4f3e-9d0e-1a2b3c4d5e6f");
        ck_assert_str_eq(e.error_code, "SnapshotQuotaExceeded");
        ck_assert_str_eq(e.error_message, "Cannot create more than 100 snapshots");
        ck_assert_int_eq(e.created_at, T0 + 5);
        ck_assert_int_eq(e.updated_at, T0 + 9);
        ledger_entry_done(&e);
}
END_TEST

START_TEST(ledger_get_of_an_unknown_row_is_enoent)
{
        struct ledger_entry e = {};
        int64_t id = ledger_begin(&create_intent, T0);

        ck_assert_int_eq(store_ledger_get(s, id + 100, &e), -ENOENT);
}
END_TEST

START_TEST(ledger_optional_fields_may_be_absent)
{
        struct ledger_intent in = {.kind = LEDGER_DELETE_BACKUP, .snapshot = "awsbackup:job-1234"};
        int64_t id = ledger_begin(&in, T0);
        struct ledger_entry e;

        ck_assert_int_eq(store_ledger_finish(s, id, LEDGER_DONE, NULL, NULL, NULL, T0 + 1), 0);
        e = ledger_get(id);
        ck_assert_int_eq(e.cycle_id, 0);
        ck_assert_int_eq(e.slot_start, 0);
        ck_assert_ptr_null(e.policy);
        ck_assert_ptr_null(e.cluster);
        ck_assert_ptr_null(e.target);
        ck_assert_ptr_null(e.request_id);
        ck_assert_int_eq(e.state, LEDGER_DONE);
        ledger_entry_done(&e);
}
END_TEST

START_TEST(ledger_finish_refuses_intent_as_an_outcome)
{
        int64_t id = ledger_begin(&create_intent, T0);

        ck_assert_int_eq(store_ledger_finish(s, id, LEDGER_INTENT, NULL, NULL, NULL, T0), -EINVAL);
}
END_TEST

START_TEST(ledger_finish_refuses_a_second_outcome)
{
        int64_t id = ledger_begin(&create_intent, T0);
        struct ledger_entry e;

        ck_assert_int_eq(store_ledger_finish(s, id, LEDGER_DONE, "req-1", NULL, NULL, T0 + 1), 0);
        ck_assert_int_eq(store_ledger_finish(s, id, LEDGER_FAILED, "req-2", "X", "y", T0 + 2), -EALREADY);
        ck_assert_ptr_nonnull(strstr(store_last_error(s), "done"));
        /* The first outcome stands. */
        e = ledger_get(id);
        ck_assert_int_eq(e.state, LEDGER_DONE);
        ck_assert_str_eq(e.request_id, "req-1");
        ledger_entry_done(&e);
}
END_TEST

START_TEST(ledger_finish_of_an_unknown_row_is_enoent)
{
        int64_t id = ledger_begin(&create_intent, T0);

        ck_assert_int_eq(store_ledger_finish(s, id + 1, LEDGER_DONE, NULL, NULL, NULL, T0 + 2), -ENOENT);
}
END_TEST

START_TEST(ledger_retry_counts_attempts_of_an_open_intent)
{
        int64_t id = ledger_begin(&create_intent, T0);
        struct ledger_entry e;

        ck_assert_int_eq(store_ledger_retry(s, id, T0 + 60), 0);
        ck_assert_int_eq(store_ledger_retry(s, id, T0 + 120), 0);
        e = ledger_get(id);
        ck_assert_uint_eq(e.attempts, 3);
        ck_assert_int_eq(e.updated_at, T0 + 120);
        ck_assert_int_eq(e.state, LEDGER_INTENT);
        ledger_entry_done(&e);
}
END_TEST

START_TEST(ledger_retry_refuses_a_finished_row)
{
        int64_t id = ledger_begin(&create_intent, T0);

        ck_assert_int_eq(store_ledger_finish(s, id, LEDGER_ABANDONED, NULL, NULL, "window over", T0 + 3600),
                         0);
        ck_assert_int_eq(store_ledger_retry(s, id, T0 + 3700), -EALREADY);
}
END_TEST

START_TEST(ledger_retry_of_an_unknown_row_is_enoent)
{
        int64_t id = ledger_begin(&create_intent, T0);

        ck_assert_int_eq(store_ledger_retry(s, id + 7, T0 + 3700), -ENOENT);
}
END_TEST

START_TEST(ledger_open_intents_of_an_empty_ledger_is_empty)
{
        struct ledger_entry *list = NULL;
        size_t n = 99;

        ck_assert_int_eq(store_ledger_open_intents(s, &list, &n), 0);
        ck_assert_uint_eq(n, 0);
        ck_assert_ptr_null(list);
}
END_TEST

START_TEST(ledger_open_intents_lists_only_open_rows_oldest_first)
{
        struct ledger_entry *list = NULL;
        size_t n;
        int64_t a = ledger_begin(&create_intent, T0);
        int64_t b = ledger_begin(&create_intent, T0 + 1);
        int64_t c = ledger_begin(&create_intent, T0 + 2);

        ck_assert_int_eq(store_ledger_finish(s, b, LEDGER_DONE, NULL, NULL, NULL, T0 + 3), 0);
        ck_assert_int_eq(store_ledger_open_intents(s, &list, &n), 0);
        ck_assert_uint_eq(n, 2);
        ck_assert_int_eq(list[0].id, a);
        ck_assert_int_eq(list[1].id, c);
        ck_assert_str_eq(list[1].snapshot, create_intent.snapshot);
        ledger_entries_free(list, n);
}
END_TEST

/* Six creates a hundred seconds apart: policies prod, dev, prod, ...; clusters db-a for the first three,
 * db-b for the rest; the fifth failed with Throttling. */
static void ledger_six_rows(int64_t ids[static 6])
{
        for (int i = 0; i < 6; i++) {
                struct ledger_intent in = create_intent;
                in.policy = i % 2 ? "dev" : "prod";
                in.cluster = i < 3 ? "db-a" : "db-b";
                ids[i] = ledger_begin(&in, T0 + i * 100);
        }
        ck_assert_int_eq(store_ledger_finish(s, ids[4], LEDGER_FAILED, NULL, "Throttling", NULL, T0 + 999),
                         0);
}

/* The ids store_ledger_list() returns for `f`, newest first, in ids[]; returns how many. */
static size_t ledger_list_ids(const struct ledger_filter *f, int64_t *ids, size_t max)
{
        struct ledger_entry *list = NULL;
        size_t n;

        ck_assert_int_eq(store_ledger_list(s, f, &list, &n), 0);
        ck_assert_uint_le(n, max);
        for (size_t i = 0; i < n; i++)
                ids[i] = list[i].id;
        ledger_entries_free(list, n);
        return n;
}

START_TEST(ledger_list_without_a_filter_is_every_row_newest_first)
{
        int64_t ids[6], got[8];

        ledger_six_rows(ids);
        ck_assert_uint_eq(ledger_list_ids(&LEDGER_FILTER_ALL, got, 8), 6);
        for (size_t i = 0; i < 6; i++)
                ck_assert_int_eq(got[i], ids[5 - i]);
}
END_TEST

START_TEST(ledger_list_filters_by_policy)
{
        struct ledger_filter f = LEDGER_FILTER_ALL;
        int64_t ids[6], got[8];

        ledger_six_rows(ids);
        f.policy = "prod";
        ck_assert_uint_eq(ledger_list_ids(&f, got, 8), 3);
        ck_assert_int_eq(got[0], ids[4]);
        ck_assert_int_eq(got[1], ids[2]);
        ck_assert_int_eq(got[2], ids[0]);
}
END_TEST

START_TEST(ledger_list_filters_combine)
{
        struct ledger_filter f = LEDGER_FILTER_ALL;
        int64_t ids[6], got[8];

        ledger_six_rows(ids);
        f.policy = "prod";
        f.cluster = "db-b";
        ck_assert_uint_eq(ledger_list_ids(&f, got, 8), 1);
        ck_assert_int_eq(got[0], ids[4]);
}
END_TEST

START_TEST(ledger_list_filters_by_state)
{
        struct ledger_filter f = LEDGER_FILTER_ALL;
        struct ledger_entry *list = NULL;
        size_t n;
        int64_t ids[6];

        ledger_six_rows(ids);
        f.state = LEDGER_FAILED;
        ck_assert_int_eq(store_ledger_list(s, &f, &list, &n), 0);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(list[0].id, ids[4]);
        ck_assert_str_eq(list[0].error_code, "Throttling");
        ledger_entries_free(list, n);
}
END_TEST

START_TEST(ledger_list_since_with_a_limit_keeps_the_newest)
{
        struct ledger_filter f = LEDGER_FILTER_ALL;
        int64_t ids[6], got[8];

        ledger_six_rows(ids);
        f.since = T0 + 200;
        f.limit = 2;
        ck_assert_uint_eq(ledger_list_ids(&f, got, 8), 2);
        ck_assert_int_eq(got[0], ids[5]);
        ck_assert_int_eq(got[1], ids[4]);
}
END_TEST

START_TEST(ledger_list_filters_by_snapshot)
{
        /* What a restart asks: any row of this kind for this snapshot? */
        struct ledger_intent del = {.kind = LEDGER_DELETE_RDS, .cluster = "db-a", .snapshot = "aba-old"};
        struct ledger_filter f = LEDGER_FILTER_ALL;
        int64_t ids[6], got[8], del_id;

        ledger_six_rows(ids);
        del_id = ledger_begin(&del, T0 + 1000);
        f.snapshot = "aba-old";
        ck_assert_uint_eq(ledger_list_ids(&f, got, 8), 1);
        ck_assert_int_eq(got[0], del_id);
}
END_TEST

START_TEST(ledger_list_filters_by_kind)
{
        struct ledger_intent del = {.kind = LEDGER_DELETE_RDS, .cluster = "db-a", .snapshot = "aba-old"};
        struct ledger_filter f = LEDGER_FILTER_ALL;
        int64_t ids[6], got[8];

        ledger_six_rows(ids);
        ledger_begin(&del, T0 + 1000);
        f.kind = LEDGER_CREATE;
        f.cluster = "db-a";
        ck_assert_uint_eq(ledger_list_ids(&f, got, 8), 3);
        for (size_t i = 0; i < 3; i++)
                ck_assert_int_eq(got[i], ids[2 - i]);
}
END_TEST

START_TEST(ledger_list_rejects_an_unknown_kind_or_state)
{
        struct ledger_filter f = LEDGER_FILTER_ALL;
        struct ledger_entry *list = NULL;
        size_t n;

        f.kind = _LEDGER_KIND_MAX;
        ck_assert_int_eq(store_ledger_list(s, &f, &list, &n), -EINVAL);
        f = LEDGER_FILTER_ALL;
        f.state = _LEDGER_STATE_MAX;
        ck_assert_int_eq(store_ledger_list(s, &f, &list, &n), -EINVAL);
}
END_TEST

START_TEST(ledger_begin_rejects_an_unknown_cycle)
{
        struct ledger_intent in = create_intent;
        int64_t id = -1;

        /* Foreign keys are on: a row cannot name a cycle that does not exist. */
        in.cycle_id = 4242;
        ck_assert_int_eq(store_ledger_begin(s, &in, T0, &id), -EINVAL);
        ck_assert_int_eq(id, -1);
        ck_assert_ptr_nonnull(strstr(store_last_error(s), "FOREIGN KEY"));
}
END_TEST

START_TEST(ledger_begin_rejects_an_unknown_kind)
{
        struct ledger_intent in = create_intent;
        int64_t id = -1;

        in.kind = _LEDGER_KIND_MAX;
        ck_assert_int_eq(store_ledger_begin(s, &in, T0, &id), -EINVAL);
        ck_assert_int_eq(id, -1);
}
END_TEST

START_TEST(ledger_counts_only_settled_rows)
{
        struct ledger_count *c = NULL;
        size_t n = 0;
        int64_t a = ledger_begin(&(struct ledger_intent){.kind = LEDGER_CREATE, .snapshot = "s1"}, 1);
        int64_t b = ledger_begin(&(struct ledger_intent){.kind = LEDGER_CREATE, .snapshot = "s2"}, 1);

        ledger_begin(&(struct ledger_intent){.kind = LEDGER_COPY, .snapshot = "s3"}, 1);
        ck_assert_int_eq(store_ledger_finish(s, a, LEDGER_DONE, NULL, NULL, NULL, 2), 0);
        ck_assert_int_eq(store_ledger_finish(s, b, LEDGER_FAILED, NULL, "E", NULL, 2), 0);
        ck_assert_int_eq(store_ledger_counts(s, &c, &n), 0);
        ck_assert_uint_eq(n, 2); /* the open copy is not counted */
        ck_assert_int_eq(c[0].kind, LEDGER_CREATE);
        ck_assert_int_eq(c[0].state, LEDGER_DONE);
        ck_assert_uint_eq(c[0].count, 1);
        ck_assert_int_eq(c[1].state, LEDGER_FAILED);
        free(c);
}
END_TEST

START_TEST(enum_names_round_trip)
{
        for (int k = 0; k < _LEDGER_KIND_MAX; k++)
                ck_assert_int_eq(ledger_kind_from_string(ledger_kind_to_string(k)), k);
        for (int k = 0; k < _LEDGER_STATE_MAX; k++)
                ck_assert_int_eq(ledger_state_from_string(ledger_state_to_string(k)), k);
        for (int k = 0; k < _WINDOW_OUTCOME_MAX; k++)
                ck_assert_int_eq(window_outcome_from_string(window_outcome_to_string(k)), k);
        for (int k = 0; k < _INVENTORY_ORIGIN_MAX; k++)
                ck_assert_int_eq(inventory_origin_from_string(inventory_origin_to_string(k)), k);
        for (int k = 0; k < _PROBLEM_KIND_MAX; k++)
                ck_assert_int_eq(problem_kind_from_string(problem_kind_to_string(k)), k);
        ck_assert_str_eq(ledger_kind_to_string(LEDGER_DELETE_BACKUP), "delete-backup");
        ck_assert_str_eq(window_outcome_to_string(WINDOW_QUOTA_EXHAUSTED), "quota-exhausted");
}
END_TEST

START_TEST(enum_names_refuse_what_they_do_not_know)
{
        ck_assert_ptr_null(ledger_kind_to_string(_LEDGER_KIND_MAX));
        ck_assert_ptr_null(problem_kind_to_string(_PROBLEM_KIND_MAX));
        ck_assert_int_eq(ledger_kind_from_string("reboot"), -EINVAL);
        ck_assert_int_eq(ledger_state_from_string(NULL), -EINVAL);
}
END_TEST

/* ---- Window history. ---- */

/* The record of (cluster, slot) as store_window_lookup() reads it; free with window_record_done(). */
static struct window_record window_lookup(const char *cluster, int64_t slot)
{
        struct window_record w = {};

        ck_assert_int_eq(store_window_lookup(s, cluster, slot, &w), 0);
        return w;
}

START_TEST(window_lookup_of_an_unrecorded_slot_is_enoent)
{
        struct window_record w = {};

        ck_assert_int_eq(store_window_lookup(s, "db-a", T0, &w), -ENOENT);
}
END_TEST

START_TEST(window_record_then_lookup_returns_every_field)
{
        struct window_record w;

        ck_assert_int_eq(store_window_record(s, "prod", "db-a", T0, WINDOW_QUOTA_EXHAUSTED, NULL, false, T0),
                         0);
        ck_assert_int_eq(store_window_mark_reported(s, "db-a", T0), 0);
        w = window_lookup("db-a", T0);
        ck_assert_str_eq(w.policy, "prod");
        ck_assert_str_eq(w.cluster, "db-a");
        ck_assert_int_eq(w.slot_start, T0);
        ck_assert_int_eq(w.outcome, WINDOW_QUOTA_EXHAUSTED);
        ck_assert_ptr_null(w.snapshot);
        ck_assert(w.reported);
        ck_assert_int_eq(w.recorded_at, T0);
        window_record_done(&w);
}
END_TEST

START_TEST(window_record_of_the_same_outcome_stays_reported)
{
        struct window_record w;

        ck_assert_int_eq(store_window_record(s, "prod", "db-a", T0, WINDOW_QUOTA_EXHAUSTED, NULL, false, T0),
                         0);
        ck_assert_int_eq(store_window_mark_reported(s, "db-a", T0), 0);
        /* Same outcome again: still reported, nothing to repeat. */
        ck_assert_int_eq(
            store_window_record(s, "prod", "db-a", T0, WINDOW_QUOTA_EXHAUSTED, NULL, false, T0 + 60), 0);
        w = window_lookup("db-a", T0);
        ck_assert(w.reported);
        ck_assert_int_eq(w.recorded_at, T0 + 60);
        window_record_done(&w);
}
END_TEST

START_TEST(window_record_of_a_new_outcome_is_news_again)
{
        struct window_record w;

        ck_assert_int_eq(store_window_record(s, "prod", "db-a", T0, WINDOW_QUOTA_EXHAUSTED, NULL, false, T0),
                         0);
        ck_assert_int_eq(store_window_mark_reported(s, "db-a", T0), 0);
        /* Quota freed later in the window: the slot is taken, and that is news again. */
        ck_assert_int_eq(
            store_window_record(s, "prod", "db-a", T0, WINDOW_TAKEN, "aba-db-a-x", false, T0 + 120), 0);
        w = window_lookup("db-a", T0);
        ck_assert_int_eq(w.outcome, WINDOW_TAKEN);
        ck_assert_str_eq(w.snapshot, "aba-db-a-x");
        ck_assert(!w.reported);
        window_record_done(&w);
}
END_TEST

START_TEST(window_mark_reported_of_an_unrecorded_slot_is_enoent)
{
        ck_assert_int_eq(store_window_record(s, "prod", "db-a", T0, WINDOW_MISSED, NULL, false, T0), 0);
        ck_assert_int_eq(store_window_mark_reported(s, "db-a", T0 + 1), -ENOENT);
}
END_TEST

START_TEST(window_record_rejects_an_unknown_outcome)
{
        ck_assert_int_eq(store_window_record(s, "prod", "db-a", T0, _WINDOW_OUTCOME_MAX, NULL, false, T0),
                         -EINVAL);
}
END_TEST

/* Four daily slots of db-a (taken, taken, taken, missed) and of db-b (all taken). */
static void window_four_days(void)
{
        for (int day = 0; day < 4; day++) {
                int64_t slot = T0 + day * 86400;
                char snap[64];

                snprintf(snap, sizeof(snap), "aba-db-a-%d", day);
                ck_assert_int_eq(store_window_record(s, "prod", "db-a", slot,
                                                     day == 3 ? WINDOW_MISSED : WINDOW_TAKEN,
                                                     day == 3 ? NULL : snap, true, slot + 600),
                                 0);
                ck_assert_int_eq(store_window_record(s, "prod", "db-b", slot, WINDOW_TAKEN, "b", true, slot),
                                 0);
        }
}

START_TEST(window_last_taken_without_a_taken_slot_is_enoent)
{
        struct window_record w = {};

        ck_assert_int_eq(store_window_last_taken(s, "db-a", &w), -ENOENT);
}
END_TEST

START_TEST(window_last_taken_is_the_newest_taken_slot)
{
        struct window_record w = {};

        window_four_days();
        ck_assert_int_eq(store_window_last_taken(s, "db-a", &w), 0);
        ck_assert_str_eq(w.snapshot, "aba-db-a-2");
        ck_assert_int_eq(w.slot_start, T0 + 2 * 86400);
        window_record_done(&w);
}
END_TEST

START_TEST(window_list_of_a_cluster_is_newest_slot_first)
{
        struct window_record *list = NULL;
        size_t n;

        window_four_days();
        ck_assert_int_eq(store_window_list(s, "db-a", 0, 0, &list, &n), 0);
        ck_assert_uint_eq(n, 4);
        ck_assert_int_eq(list[0].outcome, WINDOW_MISSED);
        ck_assert_int_eq(list[0].slot_start, T0 + 3 * 86400);
        ck_assert_int_eq(list[3].slot_start, T0);
        window_records_free(list, n);
}
END_TEST

START_TEST(window_list_since_with_a_limit_orders_a_slot_by_cluster)
{
        struct window_record *list = NULL;
        size_t n;

        window_four_days();
        ck_assert_int_eq(store_window_list(s, NULL, T0 + 86400, 3, &list, &n), 0);
        ck_assert_uint_eq(n, 3);
        ck_assert_str_eq(list[0].cluster, "db-a"); /* same slot: ordered by cluster */
        ck_assert_str_eq(list[1].cluster, "db-b");
        ck_assert_int_eq(list[2].slot_start, T0 + 2 * 86400);
        window_records_free(list, n);
}
END_TEST

/* ---- Inventory. ---- */

START_TEST(inventory_replace_then_load_round_trips_every_field)
{
        struct inventory_cluster *c = NULL;
        struct inventory_snapshot *sn = NULL;
        size_t nc, ns;
        int64_t observed = -1;

        ck_assert_int_eq(store_inventory_replace(s, "eu-west-1", clusters_eu, 2, snapshots_eu, 3, T0), 0);
        ck_assert_int_eq(store_inventory_load(s, "eu-west-1", &c, &nc, &sn, &ns, &observed), 0);
        ck_assert_int_eq(observed, T0);
        ck_assert_uint_eq(nc, 2);
        ck_assert_str_eq(c[0].identifier, "db-a");
        ck_assert_str_eq(c[0].status, "available");
        ck_assert_str_eq(c[0].arn, clusters_eu[0].arn);
        ck_assert_str_eq(c[0].preferred_window, "22:00-23:00");
        ck_assert_uint_eq(c[0].backup_retention_days, 7);
        ck_assert_str_eq(c[0].policy, "prod");
        ck_assert_str_eq(c[1].identifier, "db-b");
        ck_assert_ptr_null(c[1].arn);
        ck_assert_ptr_null(c[1].policy);
        ck_assert_uint_eq(ns, 3);
        ck_assert_str_eq(sn[0].identifier, "aba-db-a-2023-11-14t2200z");
        ck_assert_int_eq(sn[0].origin, INVENTORY_ORIGIN_AGENT);
        ck_assert_int_eq(sn[0].create_time, T0);
        ck_assert_uint_eq(sn[0].allocated_gib, 42);
        ck_assert(sn[0].encrypted);
        ck_assert(sn[0].tags_digest == UINT64_C(0xcbf29ce484222325)); /* high bit survives */
        ck_assert_str_eq(sn[1].identifier, "awsbackup:job-0f1e2d");
        ck_assert_int_eq(sn[1].origin, INVENTORY_ORIGIN_AWS_BACKUP);
        ck_assert_int_eq(sn[2].origin, INVENTORY_ORIGIN_AUTOMATED);
        ck_assert_ptr_null(sn[2].status);
        inventory_clusters_free(c, nc);
        inventory_snapshots_free(sn, ns);
}
END_TEST

/* The stored inventory of `region`, checked to have `n_clusters` clusters and `n_snapshots` snapshots;
 * returns its observation time. */
static int64_t inventory_load_counts(const char *region, size_t n_clusters, size_t n_snapshots)
{
        struct inventory_cluster *c = NULL;
        struct inventory_snapshot *sn = NULL;
        size_t nc, ns;
        int64_t observed = -1;

        ck_assert_int_eq(store_inventory_load(s, region, &c, &nc, &sn, &ns, &observed), 0);
        ck_assert_uint_eq(nc, n_clusters);
        ck_assert_uint_eq(ns, n_snapshots);
        inventory_clusters_free(c, nc);
        inventory_snapshots_free(sn, ns);
        return observed;
}

static const struct inventory_cluster clusters_us[] = {{.identifier = "db-us", .status = "available"}};

START_TEST(inventory_load_of_nothing_stored_is_empty_and_never_observed)
{
        ck_assert_int_eq(inventory_load_counts(NULL, 0, 0), 0);
}
END_TEST

START_TEST(inventory_replace_of_a_region_leaves_the_others)
{
        ck_assert_int_eq(store_inventory_replace(s, "eu-west-1", clusters_eu, 2, snapshots_eu, 3, T0), 0);
        ck_assert_int_eq(store_inventory_replace(s, "us-west-2", clusters_us, 1, NULL, 0, T0 + 10), 0);
        ck_assert_int_eq(inventory_load_counts(NULL, 3, 3), T0 + 10);
        ck_assert_int_eq(inventory_load_counts("eu-west-1", 2, 3), T0);
}
END_TEST

START_TEST(inventory_replace_failing_half_way_keeps_the_previous_inventory)
{
        const struct inventory_snapshot bad[] = {
            {.identifier = "ok", .origin = INVENTORY_ORIGIN_MANUAL},
            {.identifier = NULL, .origin = INVENTORY_ORIGIN_MANUAL},
        };

        ck_assert_int_eq(store_inventory_replace(s, "eu-west-1", clusters_eu, 2, snapshots_eu, 3, T0), 0);
        ck_assert_int_eq(store_inventory_replace(s, "eu-west-1", clusters_us, 1, bad, 2, T0 + 20), -EINVAL);
        ck_assert_int_eq(inventory_load_counts("eu-west-1", 2, 3), T0);
}
END_TEST

START_TEST(inventory_replace_refuses_duplicates_whole)
{
        const struct inventory_cluster dup[] = {{.identifier = "x"}, {.identifier = "x"}};

        ck_assert_int_eq(store_inventory_replace(s, "eu-west-1", clusters_eu, 2, snapshots_eu, 3, T0), 0);
        ck_assert_int_eq(store_inventory_replace(s, "eu-west-1", dup, 2, NULL, 0, T0 + 30), -EEXIST);
        ck_assert_int_eq(inventory_load_counts("eu-west-1", 2, 3), T0);
}
END_TEST

START_TEST(inventory_replace_with_nothing_empties_the_region)
{
        ck_assert_int_eq(store_inventory_replace(s, "eu-west-1", clusters_eu, 2, snapshots_eu, 3, T0), 0);
        ck_assert_int_eq(store_inventory_replace(s, "eu-west-1", NULL, 0, NULL, 0, T0 + 40), 0);
        inventory_load_counts("eu-west-1", 0, 0);
}
END_TEST

/* ---- Cycles. ---- */

static const struct cycle_counts counts = {
    .planned = 5, .succeeded = 4, .failed = 1, .created = 2, .deleted = 2, .missed = 1, .api_calls = 17};

static int64_t cycle_begin(bool dry_run, int64_t now)
{
        int64_t id = 0;

        ck_assert_int_eq(store_cycle_begin(s, dry_run, now, &id), 0);
        return id;
}

START_TEST(cycle_begin_gives_increasing_ids)
{
        int64_t a = cycle_begin(false, T0);

        ck_assert_int_gt(cycle_begin(true, T0 + 900), a);
}
END_TEST

START_TEST(cycle_finish_then_get_returns_every_count)
{
        int64_t a = cycle_begin(false, T0);
        struct cycle_record c;

        ck_assert_int_eq(store_cycle_finish(s, a, &counts, 1, T0 + 30), 0);
        ck_assert_int_eq(store_cycle_get(s, a, &c), 0);
        ck_assert_int_eq(c.id, a);
        ck_assert_int_eq(c.started_at, T0);
        ck_assert_int_eq(c.finished_at, T0 + 30);
        ck_assert(!c.dry_run);
        ck_assert_int_eq(c.exit_status, 1);
        ck_assert_uint_eq(c.counts.planned, 5);
        ck_assert_uint_eq(c.counts.succeeded, 4);
        ck_assert_uint_eq(c.counts.failed, 1);
        ck_assert_uint_eq(c.counts.created, 2);
        ck_assert_uint_eq(c.counts.deleted, 2);
        ck_assert_uint_eq(c.counts.missed, 1);
        ck_assert_uint_eq(c.counts.api_calls, 17);
}
END_TEST

START_TEST(cycle_finish_refuses_a_second_finish)
{
        int64_t a = cycle_begin(false, T0);

        ck_assert_int_eq(store_cycle_finish(s, a, &counts, 1, T0 + 30), 0);
        ck_assert_int_eq(store_cycle_finish(s, a, &counts, 0, T0 + 31), -EALREADY);
}
END_TEST

START_TEST(cycle_finish_of_an_unknown_cycle_is_enoent)
{
        int64_t a = cycle_begin(false, T0);

        ck_assert_int_eq(store_cycle_finish(s, a + 1, &counts, 0, T0 + 31), -ENOENT);
}
END_TEST

START_TEST(cycle_get_of_an_unknown_cycle_is_enoent)
{
        int64_t a = cycle_begin(false, T0);
        struct cycle_record c;

        ck_assert_int_eq(store_cycle_get(s, a + 1, &c), -ENOENT);
}
END_TEST

START_TEST(cycle_list_is_newest_first_and_shows_unfinished_cycles)
{
        _cleanup_free_ struct cycle_record *list = NULL;
        int64_t a = cycle_begin(false, T0), b = cycle_begin(true, T0 + 900);
        size_t n;

        ck_assert_int_eq(store_cycle_finish(s, a, &counts, 1, T0 + 30), 0);
        ck_assert_int_eq(store_cycle_list(s, 0, &list, &n), 0);
        ck_assert_uint_eq(n, 2);
        ck_assert_int_eq(list[0].id, b);
        ck_assert(list[0].dry_run);
        ck_assert_int_eq(list[0].finished_at, 0); /* never finished: shows as interrupted */
        ck_assert_int_eq(list[1].id, a);
}
END_TEST

START_TEST(cycle_list_keeps_the_newest_up_to_the_limit)
{
        _cleanup_free_ struct cycle_record *list = NULL;
        size_t n;
        int64_t b;

        cycle_begin(false, T0);
        b = cycle_begin(true, T0 + 900);
        ck_assert_int_eq(store_cycle_list(s, 1, &list, &n), 0);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(list[0].id, b);
}
END_TEST

START_TEST(cycle_first_started_is_the_oldest_start)
{
        int64_t first = -1;

        ck_assert_int_eq(store_cycle_first_started(s, &first), 0);
        ck_assert_int_eq(first, 0);
        cycle_begin(false, T0);
        cycle_begin(false, T0 + 900);
        ck_assert_int_eq(store_cycle_first_started(s, &first), 0);
        ck_assert_int_eq(first, T0);
}
END_TEST

/* ---- Vault cache, account quota, reported-once markers. ---- */

static const char vault_arn[] = "arn:aws:rds:eu-west-1:123456789012:cluster:db-a";

START_TEST(vault_cache_get_of_an_unknown_resource_is_enoent)
{
        char *vault = NULL;

        ck_assert_int_eq(store_vault_cache_get(s, vault_arn, &vault), -ENOENT);
        ck_assert_ptr_null(vault);
}
END_TEST

START_TEST(vault_cache_put_overwrites)
{
        _cleanup_free_ char *vault = NULL;

        ck_assert_int_eq(store_vault_cache_put(s, vault_arn, "Default", T0), 0);
        ck_assert_int_eq(store_vault_cache_put(s, vault_arn, "prod-vault", T0 + 1), 0);
        ck_assert_int_eq(store_vault_cache_get(s, vault_arn, &vault), 0);
        ck_assert_str_eq(vault, "prod-vault");
}
END_TEST

START_TEST(vault_cache_forget_removes_and_may_repeat)
{
        char *vault = NULL;

        ck_assert_int_eq(store_vault_cache_put(s, vault_arn, "Default", T0), 0);
        ck_assert_int_eq(store_vault_cache_forget(s, vault_arn), 0);
        ck_assert_int_eq(store_vault_cache_forget(s, vault_arn), 0);
        ck_assert_int_eq(store_vault_cache_get(s, vault_arn, &vault), -ENOENT);
}
END_TEST

START_TEST(vault_cache_put_requires_a_vault)
{
        ck_assert_int_eq(store_vault_cache_put(s, vault_arn, NULL, T0), -EINVAL);
}
END_TEST

START_TEST(account_quota_put_then_get_round_trips)
{
        const struct account_quota_record q = {.max = 100, .used = 97, .counted = 95, .observed_at = T0};
        struct account_quota_record got = {};

        ck_assert_int_eq(store_account_quota_get(s, "eu-west-1", &got), -ENOENT);
        ck_assert_int_eq(store_account_quota_put(s, "eu-west-1", &q), 0);
        ck_assert_int_eq(store_account_quota_get(s, "eu-west-1", &got), 0);
        ck_assert_int_eq(got.max, 100);
        ck_assert_int_eq(got.used, 97);
        ck_assert_int_eq(got.counted, 95);
        ck_assert_int_eq(got.observed_at, T0);
}
END_TEST

static const char marker[] = "vault-locked:arn:aws:backup:rp-1";

START_TEST(reported_once_is_true_only_the_first_time)
{
        ck_assert_int_eq(store_reported_once(s, marker, T0), 1);
        ck_assert_int_eq(store_reported_once(s, marker, T0 + 900), 0);
        ck_assert_int_eq(store_reported_once(s, "vault-locked:arn:aws:backup:rp-2", T0 + 900), 1);
}
END_TEST

START_TEST(reported_forget_lets_a_recurrence_be_reported)
{
        ck_assert_int_eq(store_reported_once(s, marker, T0), 1);
        ck_assert_int_eq(store_reported_forget(s, marker), 0);
        ck_assert_int_eq(store_reported_once(s, marker, T0 + 1800), 1);
}
END_TEST

START_TEST(reported_at_says_when_it_was_first_marked)
{
        int64_t at = -1;

        ck_assert_int_eq(store_reported_at(s, marker, &at), 0);
        ck_assert_int_eq(at, -1);
        ck_assert_int_eq(store_reported_once(s, marker, T0), 1);
        ck_assert_int_eq(store_reported_once(s, marker, T0 + 900), 0);
        ck_assert_int_eq(store_reported_at(s, marker, &at), 1);
        ck_assert_int_eq(at, T0);
        ck_assert_int_eq(store_reported_check(s, marker), 1);
}
END_TEST

START_TEST(reported_once_requires_a_key)
{
        ck_assert_int_eq(store_reported_once(s, NULL, T0), -EINVAL);
}
END_TEST

/* ---- Problems. ---- */

static bool resolve_all(const struct problem *p, void *userdata)
{
        (void)p;
        (void)userdata;
        return true;
}

static bool resolve_none(const struct problem *p, void *userdata)
{
        (void)p;
        (void)userdata;
        return false;
}

/* Open problems, or with resolved_since > 0 also those resolved since then; free with problems_free(). */
static struct problem *problems_list(int64_t resolved_since, size_t n_expected)
{
        struct problem *l = NULL;
        size_t n = 0;

        ck_assert_int_eq(store_problems_list(s, resolved_since, &l, &n), 0);
        ck_assert_uint_eq(n, n_expected);
        return l;
}

START_TEST(problem_raised_again_counts_and_keeps_first_seen)
{
        struct problem cur = {.kind = PROBLEM_ACTION_FAILED,
                              .policy = (char *)"prod",
                              .cluster = (char *)"db-a",
                              .snapshot = (char *)"aba-db-a-1",
                              .region = (char *)"eu-west-1",
                              .action = (char *)"delete-rds",
                              .error_code = (char *)"Throttling",
                              .error_message = (char *)"slow down",
                              .request_id = (char *)"req-1"};
        struct problem *l;

        ck_assert_int_eq(store_problems_update(s, &cur, 1, resolve_none, NULL, 1000, 0), 0);
        cur.error_code = (char *)"InvalidDBClusterSnapshotStateFault";
        cur.request_id = (char *)"req-2";
        ck_assert_int_eq(store_problems_update(s, &cur, 1, resolve_none, NULL, 2000, 0), 0);
        l = problems_list(0, 1);
        ck_assert_int_eq(l[0].first_seen, 1000);
        ck_assert_int_eq(l[0].last_seen, 2000);
        ck_assert_uint_eq(l[0].count, 2);
        ck_assert_str_eq(l[0].error_code, "InvalidDBClusterSnapshotStateFault");
        ck_assert_str_eq(l[0].request_id, "req-2");
        ck_assert_str_eq(l[0].region, "eu-west-1");
        ck_assert_int_eq(l[0].resolved_at, 0);
        problems_free(l, 1);
}
END_TEST

/* A policy that selects nothing, and a copy and a share that failed for the same snapshot. */
static struct problem three_problems[] = {
    {.kind = PROBLEM_POLICY_EMPTY, .policy = (char *)"empty", .region = (char *)"eu-west-1"},
    {.kind = PROBLEM_ACTION_FAILED, .snapshot = (char *)"x", .action = (char *)"copy"},
    {.kind = PROBLEM_ACTION_FAILED, .snapshot = (char *)"x", .action = (char *)"share"},
};

START_TEST(problem_key_includes_the_action)
{
        ck_assert_int_eq(store_problems_update(s, three_problems, 3, resolve_none, NULL, 1000, 0), 0);
        problems_free(problems_list(0, 3), 3);
}
END_TEST

START_TEST(problem_not_seen_stays_open_when_the_rule_says_so)
{
        ck_assert_int_eq(store_problems_update(s, three_problems, 3, resolve_none, NULL, 1000, 0), 0);
        ck_assert_int_eq(store_problems_update(s, NULL, 0, resolve_none, NULL, 2000, 0), 0);
        problems_free(problems_list(0, 3), 3);
}
END_TEST

START_TEST(problem_not_seen_is_resolved_when_the_rule_says_so)
{
        struct problem *l;

        ck_assert_int_eq(store_problems_update(s, three_problems, 3, resolve_none, NULL, 1000, 0), 0);
        ck_assert_int_eq(store_problems_update(s, &three_problems[0], 1, resolve_all, NULL, 3000, 0), 0);
        l = problems_list(0, 1);
        ck_assert_int_eq(l[0].kind, PROBLEM_POLICY_EMPTY);
        problems_free(l, 1);
}
END_TEST

START_TEST(problem_list_keeps_resolved_rows_after_the_open_ones)
{
        struct problem *l;

        ck_assert_int_eq(store_problems_update(s, three_problems, 3, resolve_none, NULL, 1000, 0), 0);
        ck_assert_int_eq(store_problems_update(s, &three_problems[0], 1, resolve_all, NULL, 3000, 0), 0);
        l = problems_list(1, 3);
        ck_assert_int_eq(l[0].resolved_at, 0);
        ck_assert_int_eq(l[1].resolved_at, 3000);
        ck_assert_int_eq(l[2].resolved_at, 3000);
        problems_free(l, 3);
}
END_TEST

START_TEST(problem_recurring_after_resolution_is_a_new_problem)
{
        struct problem *l;

        ck_assert_int_eq(store_problems_update(s, three_problems, 3, resolve_none, NULL, 1000, 0), 0);
        ck_assert_int_eq(store_problems_update(s, &three_problems[0], 1, resolve_all, NULL, 3000, 0), 0);
        ck_assert_int_eq(store_problems_update(s, &three_problems[1], 1, resolve_none, NULL, 4000, 0), 0);
        l = problems_list(0, 2);
        ck_assert_int_eq(l[1].first_seen, 4000);
        ck_assert_uint_eq(l[1].count, 1);
        problems_free(l, 2);
}
END_TEST

START_TEST(problem_resolved_longer_than_keep_sec_is_forgotten)
{
        ck_assert_int_eq(store_problems_update(s, three_problems, 3, resolve_none, NULL, 1000, 0), 0);
        ck_assert_int_eq(store_problems_update(s, &three_problems[0], 1, resolve_all, NULL, 3000, 0), 0);
        ck_assert_int_eq(store_problems_update(s, &three_problems[1], 1, resolve_none, NULL, 4000, 0), 0);
        ck_assert_int_eq(store_problems_update(s, NULL, 0, resolve_none, NULL, 5000, 1000), 0);
        problems_free(problems_list(1, 2), 2);
}
END_TEST

/* ---- Next slots. ---- */

static struct next_slot_record next_slots[] = {
    {.policy = (char *)"prod",
     .cluster = (char *)"db-b",
     .region = (char *)"eu-west-1",
     .slot_start = 20,
     .state = (char *)"scheduled",
     .window = (char *)"02:00-03:00"},
    {.policy = (char *)"prod",
     .cluster = (char *)"db-a",
     .region = (char *)"eu-west-1",
     .slot_start = 10,
     .state = (char *)"retry",
     .retry_at = 70},
};

START_TEST(next_slots_load_orders_by_region_then_cluster)
{
        struct next_slot_record *l = NULL;
        size_t n = 0;

        ck_assert_int_eq(store_next_slots_replace(s, next_slots, 2, 5), 0);
        ck_assert_int_eq(store_next_slots_load(s, &l, &n), 0);
        ck_assert_uint_eq(n, 2);
        ck_assert_str_eq(l[0].cluster, "db-a");
        ck_assert_int_eq(l[0].retry_at, 70);
        ck_assert_int_eq(l[0].planned_at, 5);
        ck_assert_str_eq(l[1].window, "02:00-03:00");
        next_slot_records_free(l, n);
}
END_TEST

START_TEST(next_slots_replace_whole)
{
        struct next_slot_record *l = NULL;
        size_t n = 0;

        ck_assert_int_eq(store_next_slots_replace(s, next_slots, 2, 5), 0);
        ck_assert_int_eq(store_next_slots_replace(s, &next_slots[0], 1, 6), 0);
        ck_assert_int_eq(store_next_slots_load(s, &l, &n), 0);
        ck_assert_uint_eq(n, 1);
        ck_assert_str_eq(l[0].cluster, "db-b");
        next_slot_records_free(l, n);
}
END_TEST

TEST_SUITE(store_suite)
{
        Suite *suite = suite_create("store");
        /* Opening, reopening and sharing the file: each test makes its own stores. */
        TCase *files = tcase_create("files");
        /* One concern at a time, each test on a fresh store. */
        TCase *tables = tcase_create("tables");

        tcase_add_unchecked_fixture(files, test_tmp_base_setup, test_tmp_base_teardown);
        tcase_add_test(files, store_open_creates_wal_database_at_latest_version);
        tcase_add_test(files, store_files_are_0600_under_umask_022);
        tcase_add_test(files, store_open_fails_on_a_missing_directory);
        tcase_add_test(files, store_open_fails_on_a_file_that_is_not_a_directory);
        tcase_add_test(files, store_open_version_refuses_a_version_out_of_range);
        tcase_add_test(files, store_open_rejects_a_file_that_is_not_a_database);
        tcase_add_test(files, store_open_refuses_a_newer_schema);
        tcase_add_test(files, store_read_only_reads_what_the_writer_committed);
        tcase_add_test(files, store_read_only_refuses_an_unmigrated_file);
        tcase_add_test(files, store_reopen_after_close_keeps_every_table);
        tcase_add_test(files, two_connections_see_each_others_commits);
        tcase_add_test(files, ledger_intent_survives_sigkill_after_begin);
        suite_add_tcase(suite, files);

        tcase_add_unchecked_fixture(tables, test_tmp_base_setup, test_tmp_base_teardown);
        tcase_add_checked_fixture(tables, store_setup, store_teardown);
        tcase_add_test(tables, ledger_begin_records_every_field_of_the_intent);
        tcase_add_test(tables, ledger_finish_records_the_outcome_and_its_error);
        tcase_add_test(tables, ledger_get_of_an_unknown_row_is_enoent);
        tcase_add_test(tables, ledger_optional_fields_may_be_absent);
        tcase_add_test(tables, ledger_finish_refuses_intent_as_an_outcome);
        tcase_add_test(tables, ledger_finish_refuses_a_second_outcome);
        tcase_add_test(tables, ledger_finish_of_an_unknown_row_is_enoent);
        tcase_add_test(tables, ledger_retry_counts_attempts_of_an_open_intent);
        tcase_add_test(tables, ledger_retry_refuses_a_finished_row);
        tcase_add_test(tables, ledger_retry_of_an_unknown_row_is_enoent);
        tcase_add_test(tables, ledger_open_intents_of_an_empty_ledger_is_empty);
        tcase_add_test(tables, ledger_open_intents_lists_only_open_rows_oldest_first);
        tcase_add_test(tables, ledger_list_without_a_filter_is_every_row_newest_first);
        tcase_add_test(tables, ledger_list_filters_by_policy);
        tcase_add_test(tables, ledger_list_filters_combine);
        tcase_add_test(tables, ledger_list_filters_by_state);
        tcase_add_test(tables, ledger_list_since_with_a_limit_keeps_the_newest);
        tcase_add_test(tables, ledger_list_filters_by_snapshot);
        tcase_add_test(tables, ledger_list_filters_by_kind);
        tcase_add_test(tables, ledger_list_rejects_an_unknown_kind_or_state);
        tcase_add_test(tables, ledger_begin_rejects_an_unknown_cycle);
        tcase_add_test(tables, ledger_begin_rejects_an_unknown_kind);
        tcase_add_test(tables, ledger_counts_only_settled_rows);
        tcase_add_test(tables, enum_names_round_trip);
        tcase_add_test(tables, enum_names_refuse_what_they_do_not_know);
        tcase_add_test(tables, window_lookup_of_an_unrecorded_slot_is_enoent);
        tcase_add_test(tables, window_record_then_lookup_returns_every_field);
        tcase_add_test(tables, window_record_of_the_same_outcome_stays_reported);
        tcase_add_test(tables, window_record_of_a_new_outcome_is_news_again);
        tcase_add_test(tables, window_mark_reported_of_an_unrecorded_slot_is_enoent);
        tcase_add_test(tables, window_record_rejects_an_unknown_outcome);
        tcase_add_test(tables, window_last_taken_without_a_taken_slot_is_enoent);
        tcase_add_test(tables, window_last_taken_is_the_newest_taken_slot);
        tcase_add_test(tables, window_list_of_a_cluster_is_newest_slot_first);
        tcase_add_test(tables, window_list_since_with_a_limit_orders_a_slot_by_cluster);
        tcase_add_test(tables, inventory_replace_then_load_round_trips_every_field);
        tcase_add_test(tables, inventory_load_of_nothing_stored_is_empty_and_never_observed);
        tcase_add_test(tables, inventory_replace_of_a_region_leaves_the_others);
        tcase_add_test(tables, inventory_replace_failing_half_way_keeps_the_previous_inventory);
        tcase_add_test(tables, inventory_replace_refuses_duplicates_whole);
        tcase_add_test(tables, inventory_replace_with_nothing_empties_the_region);
        tcase_add_test(tables, cycle_begin_gives_increasing_ids);
        tcase_add_test(tables, cycle_finish_then_get_returns_every_count);
        tcase_add_test(tables, cycle_finish_refuses_a_second_finish);
        tcase_add_test(tables, cycle_finish_of_an_unknown_cycle_is_enoent);
        tcase_add_test(tables, cycle_get_of_an_unknown_cycle_is_enoent);
        tcase_add_test(tables, cycle_list_is_newest_first_and_shows_unfinished_cycles);
        tcase_add_test(tables, cycle_list_keeps_the_newest_up_to_the_limit);
        tcase_add_test(tables, cycle_first_started_is_the_oldest_start);
        tcase_add_test(tables, vault_cache_get_of_an_unknown_resource_is_enoent);
        tcase_add_test(tables, vault_cache_put_overwrites);
        tcase_add_test(tables, vault_cache_forget_removes_and_may_repeat);
        tcase_add_test(tables, vault_cache_put_requires_a_vault);
        tcase_add_test(tables, account_quota_put_then_get_round_trips);
        tcase_add_test(tables, reported_once_is_true_only_the_first_time);
        tcase_add_test(tables, reported_forget_lets_a_recurrence_be_reported);
        tcase_add_test(tables, reported_at_says_when_it_was_first_marked);
        tcase_add_test(tables, reported_once_requires_a_key);
        tcase_add_test(tables, problem_raised_again_counts_and_keeps_first_seen);
        tcase_add_test(tables, problem_key_includes_the_action);
        tcase_add_test(tables, problem_not_seen_stays_open_when_the_rule_says_so);
        tcase_add_test(tables, problem_not_seen_is_resolved_when_the_rule_says_so);
        tcase_add_test(tables, problem_list_keeps_resolved_rows_after_the_open_ones);
        tcase_add_test(tables, problem_recurring_after_resolution_is_a_new_problem);
        tcase_add_test(tables, problem_resolved_longer_than_keep_sec_is_forgotten);
        tcase_add_test(tables, next_slots_load_orders_by_region_then_cluster);
        tcase_add_test(tables, next_slots_replace_whole);
        suite_add_tcase(suite, tables);
        return suite;
}
