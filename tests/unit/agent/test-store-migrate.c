/* Forward migrations of state.db: from every earlier schema version to the latest, the rows written in
 * that version's shape are still there, and a failing migration leaves the file as it was. */
#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "store.h"
#include "test-helpers.h"
#include "test-suite.h"

TEST_FILE("store-migrate", .unchecked_setup = test_tmp_base_setup,
          .unchecked_teardown = test_tmp_base_teardown);

#define T0 INT64_C(1700000000)

/* Rows in the shape each version introduced, as an agent of that version wrote them. */
static const char *const rows_of_version[STORE_SCHEMA_VERSION + 1] = {
    [1] = "INSERT INTO cycles (id, started_at, finished_at, planned, succeeded, failed, created, "
          "  deleted, missed, api_calls, exit_status) VALUES (7, 1700000000, 1700000030, 3, 2, 1, 1, 1, 0, "
          "9, 1);"
          "INSERT INTO cycles (id, started_at) VALUES (8, 1700000900);"
          "INSERT INTO ledger (id, cycle_id, kind, policy, cluster, snapshot, region, slot_start, state, "
          "  request_id, created_at, updated_at, attempts) VALUES (1, 7, 'create', 'prod', 'db-a', "
          "  'aba-db-a-2023-11-14t2200z', 'eu-west-1', 1700000000, 'done', 'req-1', 1700000001, 1700000002, "
          "1);"
          "INSERT INTO ledger (id, cycle_id, kind, policy, cluster, snapshot, region, state, error_code, "
          "  error_message, created_at, updated_at, attempts) VALUES (2, 7, 'delete-rds', 'prod', 'db-a', "
          "  'aba-db-a-old', 'eu-west-1', 'failed', 'InvalidDBClusterSnapshotStateFault', 'busy', "
          "  1700000003, 1700000004, 2);"
          "INSERT INTO ledger (id, cycle_id, kind, policy, cluster, snapshot, region, slot_start, state, "
          "  created_at, updated_at) VALUES (3, 8, 'create', 'prod', 'db-b', 'aba-db-b-2023-11-14t2215z', "
          "  'eu-west-1', 1700000900, 'intent', 1700000901, 1700000901);",
    [2] =
        "INSERT INTO window_history (policy, cluster, slot_start, outcome, snapshot, reported, recorded_at) "
        "  VALUES ('prod', 'db-c', 1700000000, 'missed', NULL, 1, 1700003600);"
        "INSERT INTO inventory_clusters (region, identifier, status, arn, preferred_window, "
        "  backup_retention_days, policy, observed_at) VALUES ('eu-west-1', 'db-a', 'available', "
        "  'arn:aws:rds:eu-west-1:123456789012:cluster:db-a', '22:00-23:00', 7, 'prod', 1700000000);"
        "INSERT INTO inventory_snapshots (region, identifier, cluster, origin, status, create_time, "
        "  allocated_gib, encrypted, tags_digest, observed_at) VALUES ('eu-west-1', 'awsbackup:job-1', "
        "  'db-a', 'aws-backup', 'available', 1699990000, 10, 1, -1, 1700000000);",
    [3] = "INSERT INTO ledger (id, kind, snapshot, region, target, state, created_at, updated_at) "
          "  VALUES (4, 'copy', 'aba-db-a-2023-11-14t2200z', 'eu-west-1', 'us-west-2', 'done', 1700000100, "
          "  1700000200);"
          "INSERT INTO vault_cache VALUES ('arn:aws:rds:eu-west-1:123456789012:cluster:db-a', 'Default', 1);"
          "INSERT INTO reported_markers VALUES ('vault-locked:rp-1', 1700000000);",
    [4] = "INSERT INTO account_quotas VALUES ('eu-west-1', 9, 4, 5, 1700000300);",
    [5] = "UPDATE inventory_clusters SET earliest_restorable_time = 1699000000, "
          "  latest_restorable_time = 1700000000 WHERE identifier = 'db-a';"
          "INSERT INTO restore_requests (id, kind, source, region, restore_time, use_latest, new_cluster, "
          "  state, requested_by, created_at, updated_at) VALUES (3, 'point-in-time', 'db-a', 'eu-west-1', "
          "  1699500000, 0, 'db-a-restored', 'recorded', 0, 1700000400, 1700000400);",
    [6] =
        "INSERT INTO problems (id, kind, policy, cluster, snapshot, region, action, first_seen, last_seen, "
        "  count, error_code, error_message) VALUES (5, 'action-failed', 'prod', 'db-a', 'aba-db-a-old', "
        "  'eu-west-1', 'delete-rds', 1700000500, 1700000600, 2, 'InvalidDBClusterSnapshotStateFault', "
        "'busy');"
        "INSERT INTO next_slots (region, cluster, policy, window_open, slot_start, window_close, state, "
        "  schedule, window, window_from_cluster, planned_at) VALUES ('eu-west-1', 'db-a', 'prod', "
        "  1700006400, 1700007000, 1700010000, 'scheduled', 'daily', '22:00-23:00', 1, 1700000600);",
    [7] = "INSERT INTO backup_storage (region, cluster, billed_bytes, snapshot_bytes, observed_at) VALUES "
          "  ('eu-west-1', 'db-a', 1073741824.0, NULL, 1700000700);",
};

static void exec_raw(const char *dir, const char *sql)
{
        char path[PATH_MAX + 16];
        sqlite3 *db = NULL;
        char *msg = NULL;
        int rc;

        snprintf(path, sizeof(path), "%s/state.db", dir);
        ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
        rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
        ck_assert_msg(rc == SQLITE_OK, "%s: %s", sql, msg ? msg : "?");
        sqlite3_free(msg);
        sqlite3_close(db);
}

static void check_v1_rows(struct store *s)
{
        struct ledger_entry e = {}, *open = NULL;
        struct cycle_record c;
        size_t n;

        ck_assert_int_eq(store_cycle_get(s, 7, &c), 0);
        ck_assert_int_eq(c.finished_at, 1700000030);
        ck_assert_uint_eq(c.counts.api_calls, 9);
        ck_assert_int_eq(c.exit_status, 1);
        ck_assert_int_eq(store_cycle_get(s, 8, &c), 0);
        ck_assert_int_eq(c.finished_at, 0);

        ck_assert_int_eq(store_ledger_get(s, 1, &e), 0);
        ck_assert_int_eq(e.kind, LEDGER_CREATE);
        ck_assert_int_eq(e.state, LEDGER_DONE);
        ck_assert_str_eq(e.snapshot, "aba-db-a-2023-11-14t2200z");
        ck_assert_str_eq(e.request_id, "req-1");
        ck_assert_ptr_null(e.target); /* a column v1 did not have */
        ledger_entry_done(&e);
        ck_assert_int_eq(store_ledger_get(s, 2, &e), 0);
        ck_assert_int_eq(e.kind, LEDGER_DELETE_RDS);
        ck_assert_int_eq(e.state, LEDGER_FAILED);
        ck_assert_str_eq(e.error_code, "InvalidDBClusterSnapshotStateFault");
        ck_assert_uint_eq(e.attempts, 2);
        ledger_entry_done(&e);

        /* The intent left open by the old agent is still there to reconcile. */
        ck_assert_int_eq(store_ledger_open_intents(s, &open, &n), 0);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(open[0].id, 3);
        ck_assert_int_eq(open[0].cycle_id, 8);
        ledger_entries_free(open, n);
}

static void check_v2_rows(struct store *s)
{
        struct window_record w = {};
        struct inventory_cluster *c = NULL;
        struct inventory_snapshot *sn = NULL;
        size_t nc, ns;

        ck_assert_int_eq(store_window_lookup(s, "db-c", 1700000000, &w), 0);
        ck_assert_int_eq(w.outcome, WINDOW_MISSED);
        ck_assert(w.reported);
        window_record_done(&w);

        ck_assert_int_eq(store_inventory_load(s, "eu-west-1", &c, &nc, &sn, &ns, NULL), 0);
        ck_assert_uint_eq(nc, 1);
        ck_assert_str_eq(c[0].preferred_window, "22:00-23:00");
        ck_assert_uint_eq(ns, 1);
        ck_assert_int_eq(sn[0].origin, ORIGIN_AWS_BACKUP);
        ck_assert(sn[0].tags_digest == UINT64_MAX);
        inventory_clusters_free(c, nc);
        inventory_snapshots_free(sn, ns);
}

static void check_v3_rows(struct store *s)
{
        struct ledger_entry e = {};
        char *vault = NULL;

        ck_assert_int_eq(store_ledger_get(s, 4, &e), 0);
        ck_assert_int_eq(e.kind, LEDGER_COPY);
        ck_assert_str_eq(e.target, "us-west-2");
        ledger_entry_done(&e);
        ck_assert_int_eq(store_vault_cache_get(s, "arn:aws:rds:eu-west-1:123456789012:cluster:db-a", &vault),
                         0);
        ck_assert_str_eq(vault, "Default");
        free(vault);
        ck_assert_int_eq(store_reported_once(s, "vault-locked:rp-1", T0), 0);
}

static void check_v4_rows(struct store *s)
{
        struct account_quota_record q = {};

        ck_assert_int_eq(store_account_quota_get(s, "eu-west-1", &q), 0);
        ck_assert_int_eq(q.max, 9);
        ck_assert_int_eq(q.used, 4);
        ck_assert_int_eq(q.counted, 5);
        ck_assert_int_eq(store_account_quota_get(s, "us-east-1", &q), -ENOENT);
}

static void check_v5_rows(struct store *s)
{
        struct inventory_cluster *c = NULL;
        struct inventory_snapshot *sn = NULL;
        struct restore_request q = {};
        size_t nc = 0, ns = 0;

        ck_assert_int_eq(store_inventory_load(s, "eu-west-1", &c, &nc, &sn, &ns, NULL), 0);
        ck_assert_uint_eq(nc, 1);
        ck_assert_int_eq(c[0].earliest_restorable_time, 1699000000);
        ck_assert_int_eq(c[0].latest_restorable_time, 1700000000);
        inventory_clusters_free(c, nc);
        inventory_snapshots_free(sn, ns);
        ck_assert_int_eq(store_restore_request_find_open(s, "db-a-restored", &q), 0);
        ck_assert_int_eq(q.id, 3);
        ck_assert_int_eq(q.kind, RESTORE_TO_POINT_IN_TIME);
        ck_assert_int_eq(q.restore_time, 1699500000);
        restore_request_done(&q);
        /* One open request per new cluster name. */
        ck_assert_int_eq(
            store_restore_request_add(s,
                                      &(struct restore_request){.kind = RESTORE_FROM_SNAPSHOT,
                                                                .source = (char *)"snap",
                                                                .new_cluster = (char *)"db-a-restored"},
                                      T0, NULL),
            -EEXIST);
}

static void check_v6_rows(struct store *s)
{
        struct problem *p = NULL;
        struct next_slot_record *ns = NULL;
        size_t n = 0, nn = 0;

        ck_assert_int_eq(store_problems_list(s, 0, &p, &n), 0);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(p[0].kind, PROBLEM_ACTION_FAILED);
        ck_assert_str_eq(p[0].action, "delete-rds");
        ck_assert_uint_eq(p[0].count, 2);
        ck_assert_int_eq(p[0].resolved_at, 0);
        problems_free(p, n);
        ck_assert_int_eq(store_next_slots_load(s, &ns, &nn), 0);
        ck_assert_uint_eq(nn, 1);
        ck_assert_int_eq(ns[0].slot_start, 1700007000);
        ck_assert_str_eq(ns[0].state, "scheduled");
        next_slot_records_free(ns, nn);
}

static void check_v7_rows(struct store *s)
{
        struct backup_storage_record *b = NULL;
        size_t n = 0;

        ck_assert_int_eq(store_backup_storage_load(s, &b, &n), 0);
        ck_assert_uint_eq(n, 1);
        ck_assert_str_eq(b[0].region, "eu-west-1");
        ck_assert_str_eq(b[0].cluster, "db-a");
        ck_assert(b[0].has_billed);
        ck_assert(b[0].billed_bytes == 1073741824.0);
        ck_assert(!b[0].has_snapshot);
        ck_assert_int_eq(b[0].observed_at, 1700000700);
        backup_storage_records_free(b, n);
}

static void (*const check_rows_of_version[STORE_SCHEMA_VERSION + 1])(struct store *s) = {
    [1] = check_v1_rows, [2] = check_v2_rows, [3] = check_v3_rows, [4] = check_v4_rows,
    [5] = check_v5_rows, [6] = check_v6_rows, [7] = check_v7_rows,
};

/* _i: the version the file was left at before the current agent opens it. */
TEST_LOOP(migrate_from_every_version_keeps_rows, 1, STORE_SCHEMA_VERSION + 1)
{
        char dir[PATH_MAX];
        struct store *s = NULL;
        int from = _i;

        ck_assert_int_eq(store_open_version(test_tmp_dir(dir, sizeof(dir)), from, &s), 0);
        ck_assert_int_eq(store_schema_version(s), from);
        s = store_close(s);
        for (int v = 1; v <= from; v++)
                exec_raw(dir, rows_of_version[v]);

        ck_assert_int_eq(store_open(dir, &s), 0);
        ck_assert_int_eq(store_schema_version(s), STORE_SCHEMA_VERSION);
        for (int v = 1; v <= from; v++)
                check_rows_of_version[v](s);
        store_close(s);
}

TEST(migrate_v1_carries_created_slots_into_window_history)
{
        char dir[PATH_MAX];
        _cleanup_store_close_ struct store *s = NULL;
        struct window_record w = {};

        ck_assert_int_eq(store_open_version(test_tmp_dir(dir, sizeof(dir)), 1, &s), 0);
        s = store_close(s);
        exec_raw(dir, rows_of_version[1]);
        ck_assert_int_eq(store_open(dir, &s), 0);

        /* Ledger row 1 created db-a's slot: v2 knows that slot was taken and already reported. */
        ck_assert_int_eq(store_window_lookup(s, "db-a", 1700000000, &w), 0);
        ck_assert_int_eq(w.outcome, WINDOW_TAKEN);
        ck_assert_str_eq(w.snapshot, "aba-db-a-2023-11-14t2200z");
        ck_assert_str_eq(w.policy, "prod");
        ck_assert(w.reported);
        window_record_done(&w);
        /* The open intent of db-b says nothing yet about its slot. */
        ck_assert_int_eq(store_window_lookup(s, "db-b", 1700000900, &w), -ENOENT);
}

/* The figures were in backup-storage.json until v6: a v6 file migrates to an empty table that the next full
 * inventory fills, and the other tables are untouched. */
TEST(migrate_v6_to_v7_starts_backup_storage_empty)
{
        char dir[PATH_MAX];
        _cleanup_store_close_ struct store *s = NULL;
        struct backup_storage_record *b = NULL;
        size_t n = 7;
        char *regions[] = {(char *)"eu-west-1"};

        ck_assert_int_eq(store_open_version(test_tmp_dir(dir, sizeof(dir)), 6, &s), 0);
        s = store_close(s);
        for (int v = 1; v <= 6; v++)
                exec_raw(dir, rows_of_version[v]);
        ck_assert_int_eq(store_open(dir, &s), 0);
        ck_assert_int_eq(store_schema_version(s), 7);
        ck_assert_int_eq(store_backup_storage_load(s, &b, &n), 0);
        ck_assert_ptr_null(b);
        ck_assert_uint_eq(n, 0);
        check_v6_rows(s);

        ck_assert_int_eq(
            store_backup_storage_replace(s, regions, 1,
                                         &(struct backup_storage_record){.region = regions[0],
                                                                         .cluster = (char *)"db-a",
                                                                         .has_snapshot = true,
                                                                         .snapshot_bytes = 512.0,
                                                                         .observed_at = T0},
                                         1),
            0);
        ck_assert_int_eq(store_backup_storage_load(s, &b, &n), 0);
        ck_assert_uint_eq(n, 1);
        ck_assert(!b[0].has_billed && b[0].has_snapshot && b[0].snapshot_bytes == 512.0);
        backup_storage_records_free(b, n);
}

TEST(migrate_failure_rolls_back_to_the_old_version)
{
        char dir[PATH_MAX];
        struct store *s = NULL;
        struct ledger_entry e = {};

        ck_assert_int_eq(store_open_version(test_tmp_dir(dir, sizeof(dir)), 1, &s), 0);
        s = store_close(s);
        exec_raw(dir, rows_of_version[1]);
        /* Something v2 wants to create is already there (a hand-made table): v2 cannot apply. */
        exec_raw(dir, "CREATE TABLE inventory_clusters (x INTEGER);");

        ck_assert_int_lt(store_open(dir, &s), 0);
        ck_assert_ptr_null(s);
        ck_assert_ptr_nonnull(strstr(store_last_error(NULL), "inventory_clusters"));

        /* Still v1, rows intact, and no half-made v2 table. */
        ck_assert_int_eq(store_open_version(dir, 1, &s), 0);
        ck_assert_int_eq(store_schema_version(s), 1);
        store_close(s);
        exec_raw(dir, "DROP TABLE inventory_clusters;");
        ck_assert_int_eq(store_open(dir, &s), 0);
        check_v1_rows(s);
        ck_assert_int_eq(store_ledger_get(s, 3, &e), 0);
        ledger_entry_done(&e);
        store_close(s);
}

TEST(open_version_never_downgrades)
{
        char dir[PATH_MAX];
        struct store *s = NULL;

        ck_assert_int_eq(store_open(test_tmp_dir(dir, sizeof(dir)), &s), 0);
        s = store_close(s);
        ck_assert_int_eq(store_open_version(dir, 1, &s), 0);
        ck_assert_int_eq(store_schema_version(s), STORE_SCHEMA_VERSION);
        store_close(s);
}
