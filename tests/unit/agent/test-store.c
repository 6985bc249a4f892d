/* The sqlite state store's file (store.c): opening, permissions, read-only readers, reopening, two
 * connections, and a ledger row that survives a process killed right after store_ledger_begin(). Each
 * concern's functions are tested in test-store-<concern>.c. */
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
#include "test-store-fixture.h"
#include "test-suite.h"

/* Each test makes its own stores: opening, reopening and sharing the file. */
TEST_FILE("store", .unchecked_setup = test_tmp_base_setup, .unchecked_teardown = test_tmp_base_teardown);

TEST(store_open_creates_wal_database_at_latest_version)
{
        char dir[PATH_MAX], path[PATH_MAX + 16];
        _cleanup_store_close_ struct store *s = NULL;
        sqlite3 *db = NULL;
        sqlite3_stmt *st = NULL;
        struct stat stbuf;

        s = test_store_open(test_tmp_dir(dir, sizeof(dir)));
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

TEST(store_files_are_0600_under_umask_022)
{
        char dir[PATH_MAX], path[PATH_MAX + 16];
        _cleanup_store_close_ struct store *s = NULL;
        const char *names[] = {"state.db", "state.db-wal", "state.db-shm"};
        struct stat st;

        umask(022);
        s = test_store_open(test_tmp_dir(dir, sizeof(dir)));
        /* A write makes sure the WAL exists while the store is open. */
        ck_assert_int_eq(store_reported_once(s, "mode-test", T0), 1);
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
                ck_assert_msg(stat(path, &st) == 0, "%s: %s", path, strerror(errno));
                ck_assert_msg((st.st_mode & 07777) == 0600, "%s has mode %04o", names[i],
                              (unsigned)(st.st_mode & 07777));
        }
}

TEST(store_open_fails_on_a_missing_directory)
{
        char dir[PATH_MAX], path[PATH_MAX + 16];
        struct store *s = NULL;

        snprintf(path, sizeof(path), "%s/absent", test_tmp_dir(dir, sizeof(dir)));
        ck_assert_int_eq(store_open(path, &s), -ENOENT);
        ck_assert_ptr_null(s);
        ck_assert_ptr_nonnull(strstr(store_last_error(NULL), "absent"));
}

/* Creates `path` (0600) holding `copies` copies of `data`: an empty file for none. */
static void create_file(const char *path, const char *data, size_t size, int copies)
{
        int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);

        ck_assert_int_ge(fd, 0);
        for (int i = 0; i < copies; i++)
                ck_assert_int_eq(write(fd, data, size), (ssize_t)size);
        close(fd);
}

TEST(store_open_fails_on_a_file_that_is_not_a_directory)
{
        char dir[PATH_MAX], path[PATH_MAX + 16];
        struct store *s = NULL;

        snprintf(path, sizeof(path), "%s/file", test_tmp_dir(dir, sizeof(dir)));
        create_file(path, NULL, 0, 0);
        ck_assert_int_eq(store_open(path, &s), -ENOTDIR);
        ck_assert_ptr_null(s);
}

TEST(store_open_version_refuses_a_version_out_of_range)
{
        char dir[PATH_MAX];
        struct store *s = NULL;

        test_tmp_dir(dir, sizeof(dir));
        ck_assert_int_eq(store_open_version(dir, 0, &s), -EINVAL);
        ck_assert_int_eq(store_open_version(dir, STORE_SCHEMA_VERSION + 1, &s), -EINVAL);
        ck_assert_ptr_null(s);
}

TEST(store_open_rejects_a_file_that_is_not_a_database)
{
        static const char garbage[] = "this is not an sqlite database, it is a text file of some length....";
        char dir[PATH_MAX], path[PATH_MAX + 16];
        struct store *s = NULL;

        snprintf(path, sizeof(path), "%s/state.db", test_tmp_dir(dir, sizeof(dir)));
        create_file(path, garbage, sizeof(garbage), 64);
        ck_assert_int_eq(store_open(dir, &s), -EBADMSG);
        ck_assert_ptr_null(s);
        ck_assert_str_ne(store_last_error(NULL), "");
}

TEST(store_open_refuses_a_newer_schema)
{
        char dir[PATH_MAX], path[PATH_MAX + 16];
        struct store *s = NULL;
        sqlite3 *db = NULL;

        s = test_store_open(test_tmp_dir(dir, sizeof(dir)));
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

TEST(store_read_only_reads_what_the_writer_committed)
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

        w = test_store_open(dir);
        ck_assert_int_eq(store_ledger_begin(w, &create_intent, T0, &id), 0);
        ck_assert_int_eq(store_open_read_only(dir, &ro), 0);
        ck_assert_int_eq(store_ledger_open_intents(ro, &list, &n), 0);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(list[0].id, id);
        ledger_entries_free(list, n);
        ck_assert_int_eq(store_cycle_begin(ro, false, T0, &cycle), -EROFS);
        ck_assert_str_ne(store_last_error(ro), "");
}

TEST(store_read_only_refuses_an_unmigrated_file)
{
        char dir[PATH_MAX];
        struct store *s = NULL;

        ck_assert_int_eq(store_open_version(test_tmp_dir(dir, sizeof(dir)), 1, &s), 0);
        s = store_close(s);
        ck_assert_int_eq(store_open_read_only(dir, &s), -EPROTO);
        ck_assert_ptr_null(s);
        ck_assert_ptr_nonnull(strstr(store_last_error(NULL), "migrate"));
}

TEST(store_reopen_after_close_keeps_every_table)
{
        char dir[PATH_MAX];
        struct store *s;
        struct ledger_entry e = {};
        struct window_record w = {};
        struct cycle_record c = {};
        _cleanup_free_ char *vault = NULL;
        int64_t id, cycle;

        s = test_store_open(test_tmp_dir(dir, sizeof(dir)));
        ck_assert_int_eq(store_cycle_begin(s, false, T0, &cycle), 0);
        struct ledger_intent in = create_intent;
        in.cycle_id = cycle;
        ck_assert_int_eq(store_ledger_begin(s, &in, T0, &id), 0);
        ck_assert_int_eq(store_window_record(s, "prod", "prod-db-1", T0, WINDOW_MISSED, NULL, false, T0), 0);
        ck_assert_int_eq(store_vault_cache_put(s, "arn:aws:rds:eu-west-1:1:cluster:a", "Default", T0), 0);
        ck_assert_int_eq(store_reported_once(s, "vault-locked:rp-1", T0), 1);
        s = store_close(s);
        ck_assert_ptr_null(s);

        s = test_store_open(dir);
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

TEST(two_connections_see_each_others_commits)
{
        char dir[PATH_MAX];
        _cleanup_store_close_ struct store *a = NULL, *b = NULL;
        struct ledger_entry *list = NULL, e = {};
        struct inventory_cluster *c = NULL;
        struct inventory_snapshot *sn = NULL;
        size_t n, nc, ns;
        int64_t id;

        a = test_store_open(test_tmp_dir(dir, sizeof(dir)));
        b = test_store_open(dir);

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

TEST(ledger_intent_survives_sigkill_after_begin)
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

        s = test_store_open(dir);
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

static struct backup_storage_record figures(const char *region, const char *cluster, double billed,
                                            int64_t at)
{
        return (struct backup_storage_record){.region = (char *)region,
                                              .cluster = (char *)cluster,
                                              .has_billed = true,
                                              .billed_bytes = billed,
                                              .observed_at = at};
}

/* A region read again loses the clusters it no longer has; a region not read keeps its last figures. */
TEST(backup_storage_replaces_only_the_regions_read)
{
        char dir[PATH_MAX];
        _cleanup_store_close_ struct store *s = test_store_open(test_tmp_dir(dir, sizeof(dir)));
        struct backup_storage_record *b = NULL;
        size_t n = 0;
        char *both[] = {(char *)"us-east-1", (char *)"eu-west-1"}, *east[] = {(char *)"us-east-1"};
        struct backup_storage_record first[] = {
            figures("us-east-1", "db-b", 1.0, T0),
            figures("us-east-1", "db-a", 2.0, T0),
            figures("eu-west-1", "db-c", 3.0, T0),
        };
        struct backup_storage_record second[] = {figures("us-east-1", "db-a", 20.0, T0 + 60)};

        ck_assert_int_eq(store_backup_storage_replace(s, both, 2, first, 3), 0);
        ck_assert_int_eq(store_backup_storage_replace(s, east, 1, second, 1), 0);
        ck_assert_int_eq(store_backup_storage_load(s, &b, &n), 0);
        ck_assert_uint_eq(n, 2);
        ck_assert_str_eq(b[0].region, "eu-west-1");
        ck_assert(b[0].billed_bytes == 3.0);
        ck_assert_int_eq(b[0].observed_at, T0);
        ck_assert_str_eq(b[1].cluster, "db-a");
        ck_assert(b[1].billed_bytes == 20.0 && !b[1].has_snapshot);
        ck_assert_int_eq(b[1].observed_at, T0 + 60);
        backup_storage_records_free(b, n);

        /* A record of a region not being replaced is refused, and nothing changes. */
        ck_assert_int_eq(store_backup_storage_replace(s, east, 1, first, 3), -EINVAL);
        ck_assert_int_eq(store_backup_storage_load(s, &b, &n), 0);
        ck_assert_uint_eq(n, 2);
        backup_storage_records_free(b, n);
}
