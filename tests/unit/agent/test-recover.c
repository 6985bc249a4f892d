/* Crash recovery against a real state file: each open intent is closed from what the observe step saw,
 * and intents in regions that could not be observed stay open. */
#include <limits.h>
#include <string.h>

#include "agent-internal.h"
#include "backup-delete.h"
#include "observe.h"
#include "recover.h"
#include "store.h"
#include "test-helpers.h"
#include "test-suite.h"

TEST_FILE("recover", .unchecked_setup = test_tmp_base_setup, .unchecked_teardown = test_tmp_base_teardown);

#define T0 INT64_C(1700000000)

static int64_t begin(struct store *s, enum ledger_kind kind, const char *snapshot, const char *region,
                     const char *target)
{
        int64_t id;
        ck_assert_int_eq(store_ledger_begin(s,
                                            &(struct ledger_intent){.kind = kind,
                                                                    .policy = "prod",
                                                                    .cluster = "db-a",
                                                                    .snapshot = snapshot,
                                                                    .region = region,
                                                                    .target = target,
                                                                    .slot_start = T0},
                                            T0, &id),
                         0);
        return id;
}

static enum ledger_state state_of(struct store *s, int64_t id)
{
        struct ledger_entry e = {};
        ck_assert_int_eq(store_ledger_get(s, id, &e), 0);
        enum ledger_state st = e.state;
        ledger_entry_done(&e);
        return st;
}

TEST(recover_closes_each_open_intent_from_the_observed_world)
{
        char dir[PATH_MAX];
        struct agent a = {};
        struct observed_region regions[] = {
            {.region = (char *)"eu-west-1", .ok = true},
            {.region = (char *)"us-east-1", .ok = false},
            {.region = (char *)"us-west-2", .ok = true},
        };
        struct observed_snapshot snaps[] = {
            {.region = "eu-west-1", .identifier = "created-and-there", .cluster_identifier = "db-a"},
            {.region = "eu-west-1", .identifier = "delete-not-done", .cluster_identifier = "db-a"},
            {.region = "us-west-2", .identifier = "copy-landed", .cluster_identifier = "db-a"},
        };
        struct observation o = {.regions = regions, .n_regions = 3, .snapshots = snaps, .n_snapshots = 3};
        struct window_record w = {};

        ck_assert_int_eq(store_open(test_tmp_dir(dir, sizeof(dir)), &a.store), 0);
        int64_t created = begin(a.store, LEDGER_CREATE, "created-and-there", "eu-west-1", NULL);
        int64_t lost = begin(a.store, LEDGER_CREATE, "never-made", "eu-west-1", NULL);
        int64_t del_pending = begin(a.store, LEDGER_DELETE_RDS, "delete-not-done", "eu-west-1", NULL);
        int64_t del_done = begin(a.store, LEDGER_DELETE_RDS, "delete-done", "eu-west-1", NULL);
        int64_t backup_done = begin(a.store, LEDGER_DELETE_BACKUP, "awsbackup:job-1", "eu-west-1", "vault");
        int64_t copy = begin(a.store, LEDGER_COPY, "copy-landed", "eu-west-1", "us-west-2");
        int64_t unobserved = begin(a.store, LEDGER_CREATE, "elsewhere", "us-east-1", NULL);

        ck_assert_int_eq(recover_open_intents(&a, &o, NULL, T0 + 60), 6);

        ck_assert_int_eq(state_of(a.store, created), LEDGER_DONE);
        ck_assert_int_eq(state_of(a.store, lost), LEDGER_ABANDONED);
        ck_assert_int_eq(state_of(a.store, del_pending), LEDGER_ABANDONED);
        ck_assert_int_eq(state_of(a.store, del_done), LEDGER_DONE);
        ck_assert_int_eq(state_of(a.store, backup_done), LEDGER_DONE);
        ck_assert_int_eq(state_of(a.store, copy), LEDGER_DONE);
        ck_assert_int_eq(state_of(a.store, unobserved), LEDGER_INTENT);

        /* A create found after the restart counts as the slot's snapshot, not yet reported. */
        ck_assert_int_eq(store_window_lookup(a.store, "db-a", T0, &w), 0);
        ck_assert_int_eq(w.outcome, WINDOW_TAKEN);
        ck_assert_str_eq(w.snapshot, "created-and-there");
        ck_assert(!w.reported);
        window_record_done(&w);

        /* Running it again changes nothing: only the unobserved intent is open. */
        ck_assert_int_eq(recover_open_intents(&a, &o, NULL, T0 + 120), 0);
        ck_assert_int_eq(state_of(a.store, unobserved), LEDGER_INTENT);
        store_close(a.store);
}

TEST(backup_cluster_arn_is_derived_from_the_snapshot_arn)
{
        _cleanup_free_ char *arn = backup_cluster_arn_from_snapshot(
            "arn:aws:rds:eu-west-1:123456789012:cluster-snapshot:awsbackup:job-abc", "db-a");
        ck_assert_str_eq(arn, "arn:aws:rds:eu-west-1:123456789012:cluster:db-a");
        ck_assert_ptr_null(backup_cluster_arn_from_snapshot("awsbackup:job-abc", "db-a"));
        ck_assert_ptr_null(backup_cluster_arn_from_snapshot("arn:aws:rds:eu-west-1:1:cluster:db-a", "db-a"));
        ck_assert_ptr_null(backup_cluster_arn_from_snapshot(NULL, "db-a"));
}
