/* The sqlite state store on real files: every function, reopening, two connections, and a ledger row
 * that survives a process killed right after store_ledger_begin(). */
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

START_TEST(store_open_fails_on_missing_or_non_directory)
{
        char dir[PATH_MAX], path[PATH_MAX + 16];
        struct store *s = NULL;
        int fd;

        snprintf(path, sizeof(path), "%s/absent", test_tmp_dir(dir, sizeof(dir)));
        ck_assert_int_eq(store_open(path, &s), -ENOENT);
        ck_assert_ptr_null(s);
        ck_assert_ptr_nonnull(strstr(store_last_error(NULL), "absent"));

        snprintf(path, sizeof(path), "%s/file", dir);
        fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
        ck_assert_int_ge(fd, 0);
        close(fd);
        ck_assert_int_eq(store_open(path, &s), -ENOTDIR);
        ck_assert_ptr_null(s);
        ck_assert_int_eq(store_open_version(dir, 0, &s), -EINVAL);
        ck_assert_int_eq(store_open_version(dir, STORE_SCHEMA_VERSION + 1, &s), -EINVAL);
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

START_TEST(ledger_begin_then_finish_records_every_field)
{
        char dir[PATH_MAX];
        _cleanup_store_close_ struct store *s = NULL;
        struct ledger_entry e = {};
        int64_t id = 0, cycle;

        s = open_store(test_tmp_dir(dir, sizeof(dir)));
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
        ck_assert_int_eq(store_ledger_begin(s, &in, T0 + 5, &id), 0);
        ck_assert_int_gt(id, 0);

        ck_assert_int_eq(store_ledger_get(s, id, &e), 0);
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

        ck_assert_int_eq(store_ledger_finish(s, id, LEDGER_FAILED, "4c1d7c3e-0b6a-4f3e-9d0e-1a2b3c4d5e6f",
                                             "SnapshotQuotaExceeded",
                                             "Cannot create more than 100 snapshots", T0 + 9),
                         0);
        ck_assert_int_eq(store_ledger_get(s, id, &e), 0);
        ck_assert_int_eq(e.state, LEDGER_FAILED);
        ck_assert_str_eq(e.request_id, "4c1d7c3e-0b6a-4f3e-9d0e-1a2b3c4d5e6f");
        ck_assert_str_eq(e.error_code, "SnapshotQuotaExceeded");
        ck_assert_str_eq(e.error_message, "Cannot create more than 100 snapshots");
        ck_assert_int_eq(e.created_at, T0 + 5);
        ck_assert_int_eq(e.updated_at, T0 + 9);
        ledger_entry_done(&e);

        ck_assert_int_eq(store_ledger_get(s, id + 100, &e), -ENOENT);
}
END_TEST

START_TEST(ledger_optional_fields_may_be_absent)
{
        char dir[PATH_MAX];
        _cleanup_store_close_ struct store *s = NULL;
        struct ledger_entry e = {};
        int64_t id;

        s = open_store(test_tmp_dir(dir, sizeof(dir)));
        struct ledger_intent in = {.kind = LEDGER_DELETE_BACKUP, .snapshot = "awsbackup:job-1234"};
        ck_assert_int_eq(store_ledger_begin(s, &in, T0, &id), 0);
        ck_assert_int_eq(store_ledger_finish(s, id, LEDGER_DONE, NULL, NULL, NULL, T0 + 1), 0);
        ck_assert_int_eq(store_ledger_get(s, id, &e), 0);
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

START_TEST(ledger_finish_refuses_a_second_outcome_and_unknown_rows)
{
        char dir[PATH_MAX];
        _cleanup_store_close_ struct store *s = NULL;
        struct ledger_entry e = {};
        int64_t id;

        s = open_store(test_tmp_dir(dir, sizeof(dir)));
        ck_assert_int_eq(store_ledger_begin(s, &create_intent, T0, &id), 0);
        ck_assert_int_eq(store_ledger_finish(s, id, LEDGER_INTENT, NULL, NULL, NULL, T0), -EINVAL);
        ck_assert_int_eq(store_ledger_finish(s, id, LEDGER_DONE, "req-1", NULL, NULL, T0 + 1), 0);
        ck_assert_int_eq(store_ledger_finish(s, id, LEDGER_FAILED, "req-2", "X", "y", T0 + 2), -EALREADY);
        ck_assert_ptr_nonnull(strstr(store_last_error(s), "done"));
        ck_assert_int_eq(store_ledger_finish(s, id + 1, LEDGER_DONE, NULL, NULL, NULL, T0 + 2), -ENOENT);
        /* The first outcome stands. */
        ck_assert_int_eq(store_ledger_get(s, id, &e), 0);
        ck_assert_int_eq(e.state, LEDGER_DONE);
        ck_assert_str_eq(e.request_id, "req-1");
        ledger_entry_done(&e);
}
END_TEST

START_TEST(ledger_retry_counts_attempts_of_an_open_intent)
{
        char dir[PATH_MAX];
        _cleanup_store_close_ struct store *s = NULL;
        struct ledger_entry e = {};
        int64_t id;

        s = open_store(test_tmp_dir(dir, sizeof(dir)));
        ck_assert_int_eq(store_ledger_begin(s, &create_intent, T0, &id), 0);
        ck_assert_int_eq(store_ledger_retry(s, id, T0 + 60), 0);
        ck_assert_int_eq(store_ledger_retry(s, id, T0 + 120), 0);
        ck_assert_int_eq(store_ledger_get(s, id, &e), 0);
        ck_assert_uint_eq(e.attempts, 3);
        ck_assert_int_eq(e.updated_at, T0 + 120);
        ck_assert_int_eq(e.state, LEDGER_INTENT);
        ledger_entry_done(&e);

        ck_assert_int_eq(store_ledger_finish(s, id, LEDGER_ABANDONED, NULL, NULL, "window over", T0 + 3600),
                         0);
        ck_assert_int_eq(store_ledger_retry(s, id, T0 + 3700), -EALREADY);
        ck_assert_int_eq(store_ledger_retry(s, id + 7, T0 + 3700), -ENOENT);
}
END_TEST

START_TEST(ledger_open_intents_lists_only_open_rows_oldest_first)
{
        char dir[PATH_MAX];
        _cleanup_store_close_ struct store *s = NULL;
        struct ledger_entry *list = NULL;
        size_t n = 99;
        int64_t a, b, c;

        s = open_store(test_tmp_dir(dir, sizeof(dir)));
        ck_assert_int_eq(store_ledger_open_intents(s, &list, &n), 0);
        ck_assert_uint_eq(n, 0);
        list = ledger_entries_free(list, n);

        ck_assert_int_eq(store_ledger_begin(s, &create_intent, T0, &a), 0);
        ck_assert_int_eq(store_ledger_begin(s, &create_intent, T0 + 1, &b), 0);
        ck_assert_int_eq(store_ledger_begin(s, &create_intent, T0 + 2, &c), 0);
        ck_assert_int_eq(store_ledger_finish(s, b, LEDGER_DONE, NULL, NULL, NULL, T0 + 3), 0);

        ck_assert_int_eq(store_ledger_open_intents(s, &list, &n), 0);
        ck_assert_uint_eq(n, 2);
        ck_assert_int_eq(list[0].id, a);
        ck_assert_int_eq(list[1].id, c);
        ck_assert_str_eq(list[1].snapshot, create_intent.snapshot);
        ledger_entries_free(list, n);
}
END_TEST

START_TEST(ledger_list_filters_newest_first)
{
        char dir[PATH_MAX];
        _cleanup_store_close_ struct store *s = NULL;
        struct ledger_entry *list = NULL;
        struct ledger_filter f;
        size_t n;
        int64_t ids[6];

        s = open_store(test_tmp_dir(dir, sizeof(dir)));
        for (int i = 0; i < 6; i++) {
                struct ledger_intent in = create_intent;
                in.policy = i % 2 ? "dev" : "prod";
                in.cluster = i < 3 ? "db-a" : "db-b";
                ck_assert_int_eq(store_ledger_begin(s, &in, T0 + i * 100, &ids[i]), 0);
        }
        ck_assert_int_eq(store_ledger_finish(s, ids[4], LEDGER_FAILED, NULL, "Throttling", NULL, T0 + 999),
                         0);

        f = LEDGER_FILTER_ALL;
        ck_assert_int_eq(store_ledger_list(s, &f, &list, &n), 0);
        ck_assert_uint_eq(n, 6);
        ck_assert_int_eq(list[0].id, ids[5]);
        ck_assert_int_eq(list[5].id, ids[0]);
        list = ledger_entries_free(list, n);

        f.policy = "prod";
        ck_assert_int_eq(store_ledger_list(s, &f, &list, &n), 0);
        ck_assert_uint_eq(n, 3); /* 0, 2, 4 */
        ck_assert_int_eq(list[0].id, ids[4]);
        list = ledger_entries_free(list, n);

        f.cluster = "db-b";
        ck_assert_int_eq(store_ledger_list(s, &f, &list, &n), 0);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(list[0].id, ids[4]);
        list = ledger_entries_free(list, n);

        f = LEDGER_FILTER_ALL;
        f.state = LEDGER_FAILED;
        ck_assert_int_eq(store_ledger_list(s, &f, &list, &n), 0);
        ck_assert_uint_eq(n, 1);
        ck_assert_str_eq(list[0].error_code, "Throttling");
        list = ledger_entries_free(list, n);

        f = LEDGER_FILTER_ALL;
        f.since = T0 + 200;
        f.limit = 2;
        ck_assert_int_eq(store_ledger_list(s, &f, &list, &n), 0);
        ck_assert_uint_eq(n, 2);
        ck_assert_int_eq(list[0].id, ids[5]);
        ck_assert_int_eq(list[1].id, ids[4]);
        list = ledger_entries_free(list, n);

        /* What a restart asks: any row of this kind for this snapshot? */
        struct ledger_intent del = {.kind = LEDGER_DELETE_RDS, .cluster = "db-a", .snapshot = "aba-old"};
        int64_t del_id;
        ck_assert_int_eq(store_ledger_begin(s, &del, T0 + 1000, &del_id), 0);
        f = LEDGER_FILTER_ALL;
        f.snapshot = "aba-old";
        ck_assert_int_eq(store_ledger_list(s, &f, &list, &n), 0);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(list[0].id, del_id);
        list = ledger_entries_free(list, n);
        f = LEDGER_FILTER_ALL;
        f.kind = LEDGER_CREATE;
        f.cluster = "db-a";
        ck_assert_int_eq(store_ledger_list(s, &f, &list, &n), 0);
        ck_assert_uint_eq(n, 3);
        for (size_t i = 0; i < n; i++)
                ck_assert_int_eq(list[i].kind, LEDGER_CREATE);
        list = ledger_entries_free(list, n);

        f = LEDGER_FILTER_ALL;
        f.kind = _LEDGER_KIND_MAX;
        ck_assert_int_eq(store_ledger_list(s, &f, &list, &n), -EINVAL);
        f = LEDGER_FILTER_ALL;
        f.state = _LEDGER_STATE_MAX;
        ck_assert_int_eq(store_ledger_list(s, &f, &list, &n), -EINVAL);
}
END_TEST

START_TEST(ledger_rejects_unknown_cycle_and_kind)
{
        char dir[PATH_MAX];
        _cleanup_store_close_ struct store *s = NULL;
        struct ledger_intent in = create_intent;
        int64_t id = -1;

        s = open_store(test_tmp_dir(dir, sizeof(dir)));
        /* Foreign keys are on: a row cannot name a cycle that does not exist. */
        in.cycle_id = 4242;
        ck_assert_int_eq(store_ledger_begin(s, &in, T0, &id), -EINVAL);
        ck_assert_int_eq(id, -1);
        ck_assert_ptr_nonnull(strstr(store_last_error(s), "FOREIGN KEY"));
        in.cycle_id = 0;
        in.kind = _LEDGER_KIND_MAX;
        ck_assert_int_eq(store_ledger_begin(s, &in, T0, &id), -EINVAL);
        ck_assert_int_eq(id, -1);
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
        ck_assert_str_eq(ledger_kind_to_string(LEDGER_DELETE_BACKUP), "delete-backup");
        ck_assert_str_eq(window_outcome_to_string(WINDOW_QUOTA_EXHAUSTED), "quota-exhausted");
        ck_assert_ptr_null(ledger_kind_to_string(_LEDGER_KIND_MAX));
        ck_assert_int_eq(ledger_kind_from_string("reboot"), -EINVAL);
        ck_assert_int_eq(ledger_state_from_string(NULL), -EINVAL);
}
END_TEST

START_TEST(window_record_is_unique_per_cluster_and_slot)
{
        char dir[PATH_MAX];
        _cleanup_store_close_ struct store *s = NULL;
        struct window_record w = {};

        s = open_store(test_tmp_dir(dir, sizeof(dir)));
        ck_assert_int_eq(store_window_lookup(s, "db-a", T0, &w), -ENOENT);
        ck_assert_int_eq(store_window_record(s, "prod", "db-a", T0, WINDOW_QUOTA_EXHAUSTED, NULL, false, T0),
                         0);
        ck_assert_int_eq(store_window_mark_reported(s, "db-a", T0), 0);
        ck_assert_int_eq(store_window_lookup(s, "db-a", T0, &w), 0);
        ck_assert_str_eq(w.policy, "prod");
        ck_assert_str_eq(w.cluster, "db-a");
        ck_assert_int_eq(w.slot_start, T0);
        ck_assert_int_eq(w.outcome, WINDOW_QUOTA_EXHAUSTED);
        ck_assert_ptr_null(w.snapshot);
        ck_assert(w.reported);
        window_record_done(&w);

        /* Same outcome again: still reported, nothing to repeat. */
        ck_assert_int_eq(
            store_window_record(s, "prod", "db-a", T0, WINDOW_QUOTA_EXHAUSTED, NULL, false, T0 + 60), 0);
        ck_assert_int_eq(store_window_lookup(s, "db-a", T0, &w), 0);
        ck_assert(w.reported);
        ck_assert_int_eq(w.recorded_at, T0 + 60);
        window_record_done(&w);

        /* Quota freed later in the window: the slot is taken, and that is news again. */
        ck_assert_int_eq(
            store_window_record(s, "prod", "db-a", T0, WINDOW_TAKEN, "aba-db-a-x", false, T0 + 120), 0);
        ck_assert_int_eq(store_window_lookup(s, "db-a", T0, &w), 0);
        ck_assert_int_eq(w.outcome, WINDOW_TAKEN);
        ck_assert_str_eq(w.snapshot, "aba-db-a-x");
        ck_assert(!w.reported);
        window_record_done(&w);

        ck_assert_int_eq(store_window_mark_reported(s, "db-a", T0 + 1), -ENOENT);
        ck_assert_int_eq(store_window_record(s, "prod", "db-a", T0, _WINDOW_OUTCOME_MAX, NULL, false, T0),
                         -EINVAL);
}
END_TEST

START_TEST(window_list_and_last_taken)
{
        char dir[PATH_MAX];
        _cleanup_store_close_ struct store *s = NULL;
        struct window_record *list = NULL, w = {};
        size_t n;

        s = open_store(test_tmp_dir(dir, sizeof(dir)));
        ck_assert_int_eq(store_window_last_taken(s, "db-a", &w), -ENOENT);
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

        ck_assert_int_eq(store_window_last_taken(s, "db-a", &w), 0);
        ck_assert_str_eq(w.snapshot, "aba-db-a-2");
        ck_assert_int_eq(w.slot_start, T0 + 2 * 86400);
        window_record_done(&w);

        ck_assert_int_eq(store_window_list(s, "db-a", 0, 0, &list, &n), 0);
        ck_assert_uint_eq(n, 4);
        ck_assert_int_eq(list[0].outcome, WINDOW_MISSED);
        ck_assert_int_eq(list[0].slot_start, T0 + 3 * 86400);
        ck_assert_int_eq(list[3].slot_start, T0);
        list = window_records_free(list, n);

        ck_assert_int_eq(store_window_list(s, NULL, T0 + 86400, 3, &list, &n), 0);
        ck_assert_uint_eq(n, 3);
        ck_assert_str_eq(list[0].cluster, "db-a"); /* same slot: ordered by cluster */
        ck_assert_str_eq(list[1].cluster, "db-b");
        ck_assert_int_eq(list[2].slot_start, T0 + 2 * 86400);
        window_records_free(list, n);
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

START_TEST(inventory_replace_then_load_round_trips)
{
        char dir[PATH_MAX];
        _cleanup_store_close_ struct store *s = NULL;
        struct inventory_cluster *c = NULL;
        struct inventory_snapshot *sn = NULL;
        size_t nc, ns;
        int64_t observed = -1;

        s = open_store(test_tmp_dir(dir, sizeof(dir)));
        ck_assert_int_eq(store_inventory_load(s, NULL, &c, &nc, &sn, &ns, &observed), 0);
        ck_assert_uint_eq(nc + ns, 0);
        ck_assert_int_eq(observed, 0);
        c = inventory_clusters_free(c, nc);
        sn = inventory_snapshots_free(sn, ns);

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

START_TEST(inventory_replace_is_per_region_and_whole)
{
        char dir[PATH_MAX];
        _cleanup_store_close_ struct store *s = NULL;
        struct inventory_cluster *c = NULL;
        struct inventory_snapshot *sn = NULL;
        size_t nc, ns;
        int64_t observed;
        const struct inventory_cluster us[] = {{.identifier = "db-us", .status = "available"}};
        const struct inventory_snapshot bad[] = {
            {.identifier = "ok", .origin = INVENTORY_ORIGIN_MANUAL},
            {.identifier = NULL, .origin = INVENTORY_ORIGIN_MANUAL},
        };

        s = open_store(test_tmp_dir(dir, sizeof(dir)));
        ck_assert_int_eq(store_inventory_replace(s, "eu-west-1", clusters_eu, 2, snapshots_eu, 3, T0), 0);
        ck_assert_int_eq(store_inventory_replace(s, "us-west-2", us, 1, NULL, 0, T0 + 10), 0);

        /* The second region did not touch the first. */
        ck_assert_int_eq(store_inventory_load(s, NULL, &c, &nc, &sn, &ns, &observed), 0);
        ck_assert_uint_eq(nc, 3);
        ck_assert_uint_eq(ns, 3);
        ck_assert_int_eq(observed, T0 + 10);
        c = inventory_clusters_free(c, nc);
        sn = inventory_snapshots_free(sn, ns);

        /* A replace that fails half way leaves the previous inventory as it was. */
        ck_assert_int_eq(store_inventory_replace(s, "eu-west-1", us, 1, bad, 2, T0 + 20), -EINVAL);
        ck_assert_int_eq(store_inventory_load(s, "eu-west-1", &c, &nc, &sn, &ns, &observed), 0);
        ck_assert_uint_eq(nc, 2);
        ck_assert_uint_eq(ns, 3);
        ck_assert_int_eq(observed, T0);
        c = inventory_clusters_free(c, nc);
        sn = inventory_snapshots_free(sn, ns);

        /* Duplicates in one observation are refused whole, too. */
        const struct inventory_cluster dup[] = {{.identifier = "x"}, {.identifier = "x"}};
        ck_assert_int_eq(store_inventory_replace(s, "eu-west-1", dup, 2, NULL, 0, T0 + 30), -EEXIST);

        /* Replacing with nothing empties the region. */
        ck_assert_int_eq(store_inventory_replace(s, "eu-west-1", NULL, 0, NULL, 0, T0 + 40), 0);
        ck_assert_int_eq(store_inventory_load(s, "eu-west-1", &c, &nc, &sn, &ns, NULL), 0);
        ck_assert_uint_eq(nc + ns, 0);
        inventory_clusters_free(c, nc);
        inventory_snapshots_free(sn, ns);
}
END_TEST

START_TEST(cycle_begin_finish_get_and_list)
{
        char dir[PATH_MAX];
        _cleanup_store_close_ struct store *s = NULL;
        _cleanup_free_ struct cycle_record *list = NULL;
        struct cycle_record c;
        size_t n;
        int64_t a, b;
        const struct cycle_counts counts = {.planned = 5,
                                            .succeeded = 4,
                                            .failed = 1,
                                            .created = 2,
                                            .deleted = 2,
                                            .missed = 1,
                                            .api_calls = 17};

        s = open_store(test_tmp_dir(dir, sizeof(dir)));
        ck_assert_int_eq(store_cycle_begin(s, false, T0, &a), 0);
        ck_assert_int_eq(store_cycle_begin(s, true, T0 + 900, &b), 0);
        ck_assert_int_gt(b, a);
        ck_assert_int_eq(store_cycle_finish(s, a, &counts, 1, T0 + 30), 0);
        ck_assert_int_eq(store_cycle_finish(s, a, &counts, 0, T0 + 31), -EALREADY);
        ck_assert_int_eq(store_cycle_finish(s, b + 1, &counts, 0, T0 + 31), -ENOENT);

        ck_assert_int_eq(store_cycle_get(s, a, &c), 0);
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
        ck_assert_int_eq(store_cycle_get(s, b + 1, &c), -ENOENT);

        ck_assert_int_eq(store_cycle_list(s, 0, &list, &n), 0);
        ck_assert_uint_eq(n, 2);
        ck_assert_int_eq(list[0].id, b);
        ck_assert(list[0].dry_run);
        ck_assert_int_eq(list[0].finished_at, 0); /* never finished: shows as interrupted */
        ck_assert_int_eq(list[1].id, a);
        free(TAKE_PTR(list));
        ck_assert_int_eq(store_cycle_list(s, 1, &list, &n), 0);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(list[0].id, b);
}
END_TEST

START_TEST(vault_cache_put_get_overwrite_forget)
{
        static const char arn[] = "arn:aws:rds:eu-west-1:123456789012:cluster:db-a";
        char dir[PATH_MAX];
        _cleanup_store_close_ struct store *s = NULL;
        char *vault = NULL;

        s = open_store(test_tmp_dir(dir, sizeof(dir)));
        ck_assert_int_eq(store_vault_cache_get(s, arn, &vault), -ENOENT);
        ck_assert_ptr_null(vault);
        ck_assert_int_eq(store_vault_cache_put(s, arn, "Default", T0), 0);
        ck_assert_int_eq(store_vault_cache_put(s, arn, "prod-vault", T0 + 1), 0);
        ck_assert_int_eq(store_vault_cache_get(s, arn, &vault), 0);
        ck_assert_str_eq(vault, "prod-vault");
        free(vault);
        vault = NULL;
        ck_assert_int_eq(store_vault_cache_forget(s, arn), 0);
        ck_assert_int_eq(store_vault_cache_forget(s, arn), 0);
        ck_assert_int_eq(store_vault_cache_get(s, arn, &vault), -ENOENT);
        ck_assert_int_eq(store_vault_cache_put(s, arn, NULL, T0), -EINVAL);
}
END_TEST

START_TEST(reported_once_is_true_only_the_first_time)
{
        char dir[PATH_MAX];
        _cleanup_store_close_ struct store *s = NULL;

        s = open_store(test_tmp_dir(dir, sizeof(dir)));
        ck_assert_int_eq(store_reported_once(s, "vault-locked:arn:aws:backup:rp-1", T0), 1);
        ck_assert_int_eq(store_reported_once(s, "vault-locked:arn:aws:backup:rp-1", T0 + 900), 0);
        ck_assert_int_eq(store_reported_once(s, "vault-locked:arn:aws:backup:rp-2", T0 + 900), 1);
        ck_assert_int_eq(store_reported_forget(s, "vault-locked:arn:aws:backup:rp-1"), 0);
        ck_assert_int_eq(store_reported_once(s, "vault-locked:arn:aws:backup:rp-1", T0 + 1800), 1);
        ck_assert_int_eq(store_reported_once(s, NULL, T0), -EINVAL);
}
END_TEST

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

START_TEST(problem_raised_again_counts_and_keeps_first_seen)
{
        char dir[PATH_MAX];
        _cleanup_store_close_ struct store *s = open_store(test_tmp_dir(dir, sizeof(dir)));
        struct problem cur = {.kind = PROBLEM_ACTION_FAILED,
                              .policy = (char *)"prod",
                              .cluster = (char *)"db-a",
                              .snapshot = (char *)"aba-db-a-1",
                              .region = (char *)"eu-west-1",
                              .action = (char *)"delete-rds",
                              .error_code = (char *)"Throttling",
                              .error_message = (char *)"slow down",
                              .request_id = (char *)"req-1"};
        struct problem *l = NULL;
        size_t n = 0;

        ck_assert_int_eq(store_problems_update(s, &cur, 1, resolve_none, NULL, 1000, 0), 0);
        cur.error_code = (char *)"InvalidDBClusterSnapshotStateFault";
        cur.request_id = (char *)"req-2";
        ck_assert_int_eq(store_problems_update(s, &cur, 1, resolve_none, NULL, 2000, 0), 0);
        ck_assert_int_eq(store_problems_list(s, 0, &l, &n), 0);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(l[0].first_seen, 1000);
        ck_assert_int_eq(l[0].last_seen, 2000);
        ck_assert_uint_eq(l[0].count, 2);
        ck_assert_str_eq(l[0].error_code, "InvalidDBClusterSnapshotStateFault");
        ck_assert_str_eq(l[0].request_id, "req-2");
        ck_assert_str_eq(l[0].region, "eu-west-1");
        ck_assert_int_eq(l[0].resolved_at, 0);
        problems_free(l, n);
}
END_TEST

START_TEST(problem_not_seen_is_resolved_only_when_the_rule_says_so)
{
        char dir[PATH_MAX];
        _cleanup_store_close_ struct store *s = open_store(test_tmp_dir(dir, sizeof(dir)));
        struct problem cur[] = {
            {.kind = PROBLEM_POLICY_EMPTY, .policy = (char *)"empty", .region = (char *)"eu-west-1"},
            {.kind = PROBLEM_ACTION_FAILED, .snapshot = (char *)"x", .action = (char *)"copy"},
            {.kind = PROBLEM_ACTION_FAILED, .snapshot = (char *)"x", .action = (char *)"share"},
        };
        struct problem *l = NULL;
        size_t n = 0;

        ck_assert_int_eq(store_problems_update(s, cur, 3, resolve_none, NULL, 1000, 0), 0);
        ck_assert_int_eq(store_problems_list(s, 0, &l, &n), 0);
        ck_assert_uint_eq(n, 3); /* the action is part of the key */
        l = problems_free(l, n);
        ck_assert_int_eq(store_problems_update(s, NULL, 0, resolve_none, NULL, 2000, 0), 0);
        ck_assert_int_eq(store_problems_list(s, 0, &l, &n), 0);
        ck_assert_uint_eq(n, 3);
        l = problems_free(l, n);
        ck_assert_int_eq(store_problems_update(s, &cur[0], 1, resolve_all, NULL, 3000, 0), 0);
        ck_assert_int_eq(store_problems_list(s, 0, &l, &n), 0);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(l[0].kind, PROBLEM_POLICY_EMPTY);
        l = problems_free(l, n);
        /* Resolved rows stay for history, open first. */
        ck_assert_int_eq(store_problems_list(s, 1, &l, &n), 0);
        ck_assert_uint_eq(n, 3);
        ck_assert_int_eq(l[0].resolved_at, 0);
        ck_assert_int_eq(l[1].resolved_at, 3000);
        l = problems_free(l, n);
        /* A recurrence after resolution is a new problem with its own first_seen. */
        ck_assert_int_eq(store_problems_update(s, &cur[1], 1, resolve_none, NULL, 4000, 0), 0);
        ck_assert_int_eq(store_problems_list(s, 0, &l, &n), 0);
        ck_assert_uint_eq(n, 2);
        ck_assert_int_eq(l[1].first_seen, 4000);
        ck_assert_uint_eq(l[1].count, 1);
        l = problems_free(l, n);
        /* Resolved rows older than keep_sec are forgotten. */
        ck_assert_int_eq(store_problems_update(s, NULL, 0, resolve_none, NULL, 5000, 1000), 0);
        ck_assert_int_eq(store_problems_list(s, 1, &l, &n), 0);
        ck_assert_uint_eq(n, 2);
        problems_free(l, n);
}
END_TEST

START_TEST(ledger_counts_only_settled_rows)
{
        char dir[PATH_MAX];
        _cleanup_store_close_ struct store *s = open_store(test_tmp_dir(dir, sizeof(dir)));
        struct ledger_count *c = NULL;
        size_t n = 0;
        int64_t a, b, x;

        ck_assert_int_eq(
            store_ledger_begin(s, &(struct ledger_intent){.kind = LEDGER_CREATE, .snapshot = "s1"}, 1, &a),
            0);
        ck_assert_int_eq(
            store_ledger_begin(s, &(struct ledger_intent){.kind = LEDGER_CREATE, .snapshot = "s2"}, 1, &b),
            0);
        ck_assert_int_eq(
            store_ledger_begin(s, &(struct ledger_intent){.kind = LEDGER_COPY, .snapshot = "s3"}, 1, &x), 0);
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

START_TEST(next_slots_replace_whole)
{
        char dir[PATH_MAX];
        _cleanup_store_close_ struct store *s = open_store(test_tmp_dir(dir, sizeof(dir)));
        struct next_slot_record r[] = {
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
        struct next_slot_record *l = NULL;
        size_t n = 0;

        ck_assert_int_eq(store_next_slots_replace(s, r, 2, 5), 0);
        ck_assert_int_eq(store_next_slots_load(s, &l, &n), 0);
        ck_assert_uint_eq(n, 2);
        ck_assert_str_eq(l[0].cluster, "db-a");
        ck_assert_int_eq(l[0].retry_at, 70);
        ck_assert_int_eq(l[0].planned_at, 5);
        ck_assert_str_eq(l[1].window, "02:00-03:00");
        l = next_slot_records_free(l, n);
        ck_assert_int_eq(store_next_slots_replace(s, &r[0], 1, 6), 0);
        ck_assert_int_eq(store_next_slots_load(s, &l, &n), 0);
        ck_assert_uint_eq(n, 1);
        next_slot_records_free(l, n);
}
END_TEST

TEST_SUITE(store_suite)
{
        Suite *s = suite_create("store");
        TCase *tc = tcase_create("store");

        tcase_add_unchecked_fixture(tc, test_tmp_base_setup, test_tmp_base_teardown);
        tcase_add_test(tc, store_open_creates_wal_database_at_latest_version);
        tcase_add_test(tc, store_files_are_0600_under_umask_022);
        tcase_add_test(tc, store_open_fails_on_missing_or_non_directory);
        tcase_add_test(tc, store_open_rejects_a_file_that_is_not_a_database);
        tcase_add_test(tc, store_open_refuses_a_newer_schema);
        tcase_add_test(tc, store_reopen_after_close_keeps_every_table);
        tcase_add_test(tc, store_read_only_reads_what_the_writer_committed);
        tcase_add_test(tc, store_read_only_refuses_an_unmigrated_file);
        tcase_add_test(tc, ledger_begin_then_finish_records_every_field);
        tcase_add_test(tc, ledger_optional_fields_may_be_absent);
        tcase_add_test(tc, ledger_finish_refuses_a_second_outcome_and_unknown_rows);
        tcase_add_test(tc, ledger_retry_counts_attempts_of_an_open_intent);
        tcase_add_test(tc, ledger_open_intents_lists_only_open_rows_oldest_first);
        tcase_add_test(tc, ledger_list_filters_newest_first);
        tcase_add_test(tc, ledger_rejects_unknown_cycle_and_kind);
        tcase_add_test(tc, enum_names_round_trip);
        tcase_add_test(tc, window_record_is_unique_per_cluster_and_slot);
        tcase_add_test(tc, window_list_and_last_taken);
        tcase_add_test(tc, inventory_replace_then_load_round_trips);
        tcase_add_test(tc, inventory_replace_is_per_region_and_whole);
        tcase_add_test(tc, cycle_begin_finish_get_and_list);
        tcase_add_test(tc, vault_cache_put_get_overwrite_forget);
        tcase_add_test(tc, reported_once_is_true_only_the_first_time);
        tcase_add_test(tc, two_connections_see_each_others_commits);
        tcase_add_test(tc, ledger_intent_survives_sigkill_after_begin);
        tcase_add_test(tc, problem_raised_again_counts_and_keeps_first_seen);
        tcase_add_test(tc, problem_not_seen_is_resolved_only_when_the_rule_says_so);
        tcase_add_test(tc, ledger_counts_only_settled_rows);
        tcase_add_test(tc, next_slots_replace_whole);
        suite_add_tcase(s, tc);
        return s;
}
