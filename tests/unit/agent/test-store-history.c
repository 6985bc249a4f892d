/* Window history (store-windows.c), cycle history (store-cycles.c) and operators' restore requests
 * (store-restore.c). */
#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "test-store-fixture.h"
#include "test-suite.h"

TEST_FILE("store-history", TEST_STORE_FIXTURE);

/* ---- Window history. ---- */

/* The record of (cluster, slot) as store_window_lookup() reads it; free with window_record_done(). */
static struct window_record window_lookup(const char *cluster, int64_t slot)
{
        struct window_record w = {};

        ck_assert_int_eq(store_window_lookup(store, cluster, slot, &w), 0);
        return w;
}

TEST(window_lookup_of_an_unrecorded_slot_is_enoent)
{
        struct window_record w = {};

        ck_assert_int_eq(store_window_lookup(store, "db-a", T0, &w), -ENOENT);
}

/* db-a's slot T0 had no room under the quota, and that was reported. */
static void window_quota_exhausted_and_reported(void)
{
        ck_assert_int_eq(
            store_window_record(store, "prod", "db-a", T0, WINDOW_QUOTA_EXHAUSTED, NULL, false, T0), 0);
        ck_assert_int_eq(store_window_mark_reported(store, "db-a", T0), 0);
}

TEST(window_record_then_lookup_returns_every_field)
{
        struct window_record w;

        window_quota_exhausted_and_reported();
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

TEST(window_record_of_the_same_outcome_stays_reported)
{
        struct window_record w;

        window_quota_exhausted_and_reported();
        /* Same outcome again: still reported, nothing to repeat. */
        ck_assert_int_eq(
            store_window_record(store, "prod", "db-a", T0, WINDOW_QUOTA_EXHAUSTED, NULL, false, T0 + 60), 0);
        w = window_lookup("db-a", T0);
        ck_assert(w.reported);
        ck_assert_int_eq(w.recorded_at, T0 + 60);
        window_record_done(&w);
}

TEST(window_record_of_a_new_outcome_is_news_again)
{
        struct window_record w;

        window_quota_exhausted_and_reported();
        /* Quota freed later in the window: the slot is taken, and that is news again. */
        ck_assert_int_eq(
            store_window_record(store, "prod", "db-a", T0, WINDOW_TAKEN, "aba-db-a-x", false, T0 + 120), 0);
        w = window_lookup("db-a", T0);
        ck_assert_int_eq(w.outcome, WINDOW_TAKEN);
        ck_assert_str_eq(w.snapshot, "aba-db-a-x");
        ck_assert(!w.reported);
        window_record_done(&w);
}

TEST(window_mark_reported_of_an_unrecorded_slot_is_enoent)
{
        ck_assert_int_eq(store_window_record(store, "prod", "db-a", T0, WINDOW_MISSED, NULL, false, T0), 0);
        ck_assert_int_eq(store_window_mark_reported(store, "db-a", T0 + 1), -ENOENT);
}

TEST(window_record_rejects_an_unknown_outcome)
{
        ck_assert_int_eq(
            store_window_record(store, "prod", "db-a", T0, _WINDOW_OUTCOME_MAX, NULL, false, T0), -EINVAL);
}

/* Four daily slots of db-a (taken, taken, taken, missed) and of db-b (all taken). */
static void window_four_days(void)
{
        for (int day = 0; day < 4; day++) {
                int64_t slot = T0 + day * 86400;
                char snap[64];

                snprintf(snap, sizeof(snap), "aba-db-a-%d", day);
                ck_assert_int_eq(store_window_record(store, "prod", "db-a", slot,
                                                     day == 3 ? WINDOW_MISSED : WINDOW_TAKEN,
                                                     day == 3 ? NULL : snap, true, slot + 600),
                                 0);
                ck_assert_int_eq(
                    store_window_record(store, "prod", "db-b", slot, WINDOW_TAKEN, "b", true, slot), 0);
        }
}

TEST(window_last_taken_without_a_taken_slot_is_enoent)
{
        struct window_record w = {};

        ck_assert_int_eq(store_window_last_taken(store, "db-a", &w), -ENOENT);
}

TEST(window_last_taken_is_the_newest_taken_slot)
{
        struct window_record w = {};

        window_four_days();
        ck_assert_int_eq(store_window_last_taken(store, "db-a", &w), 0);
        ck_assert_str_eq(w.snapshot, "aba-db-a-2");
        ck_assert_int_eq(w.slot_start, T0 + 2 * 86400);
        window_record_done(&w);
}

TEST(window_list_of_a_cluster_is_newest_slot_first)
{
        struct window_record *list = NULL;
        size_t n;

        window_four_days();
        ck_assert_int_eq(store_window_list(store, "db-a", 0, 0, &list, &n), 0);
        ck_assert_uint_eq(n, 4);
        ck_assert_int_eq(list[0].outcome, WINDOW_MISSED);
        ck_assert_int_eq(list[0].slot_start, T0 + 3 * 86400);
        ck_assert_int_eq(list[3].slot_start, T0);
        window_records_free(list, n);
}

TEST(window_list_since_with_a_limit_orders_a_slot_by_cluster)
{
        struct window_record *list = NULL;
        size_t n;

        window_four_days();
        ck_assert_int_eq(store_window_list(store, NULL, T0 + 86400, 3, &list, &n), 0);
        ck_assert_uint_eq(n, 3);
        ck_assert_str_eq(list[0].cluster, "db-a"); /* same slot: ordered by cluster */
        ck_assert_str_eq(list[1].cluster, "db-b");
        ck_assert_int_eq(list[2].slot_start, T0 + 2 * 86400);
        window_records_free(list, n);
}

/* ---- Cycles. ---- */

static const struct cycle_counts counts = {
    .planned = 5, .succeeded = 4, .failed = 1, .created = 2, .deleted = 2, .missed = 1, .api_calls = 17};

static int64_t cycle_begin(bool dry_run, int64_t now)
{
        int64_t id = 0;

        ck_assert_int_eq(store_cycle_begin(store, dry_run, now, &id), 0);
        return id;
}

TEST(cycle_begin_gives_increasing_ids)
{
        int64_t a = cycle_begin(false, T0);

        ck_assert_int_gt(cycle_begin(true, T0 + 900), a);
}

TEST(cycle_finish_then_get_returns_every_count)
{
        int64_t a = cycle_begin(false, T0);
        struct cycle_record c;

        ck_assert_int_eq(store_cycle_finish(store, a, &counts, 1, T0 + 30), 0);
        ck_assert_int_eq(store_cycle_get(store, a, &c), 0);
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

TEST(cycle_finish_refuses_a_second_finish)
{
        int64_t a = cycle_begin(false, T0);

        ck_assert_int_eq(store_cycle_finish(store, a, &counts, 1, T0 + 30), 0);
        ck_assert_int_eq(store_cycle_finish(store, a, &counts, 0, T0 + 31), -EALREADY);
}

TEST(cycle_finish_of_an_unknown_cycle_is_enoent)
{
        int64_t a = cycle_begin(false, T0);

        ck_assert_int_eq(store_cycle_finish(store, a + 1, &counts, 0, T0 + 31), -ENOENT);
}

TEST(cycle_get_of_an_unknown_cycle_is_enoent)
{
        int64_t a = cycle_begin(false, T0);
        struct cycle_record c;

        ck_assert_int_eq(store_cycle_get(store, a + 1, &c), -ENOENT);
}

TEST(cycle_list_is_newest_first_and_shows_unfinished_cycles)
{
        _cleanup_free_ struct cycle_record *list = NULL;
        int64_t a = cycle_begin(false, T0), b = cycle_begin(true, T0 + 900);
        size_t n;

        ck_assert_int_eq(store_cycle_finish(store, a, &counts, 1, T0 + 30), 0);
        ck_assert_int_eq(store_cycle_list(store, 0, &list, &n), 0);
        ck_assert_uint_eq(n, 2);
        ck_assert_int_eq(list[0].id, b);
        ck_assert(list[0].dry_run);
        ck_assert_int_eq(list[0].finished_at, 0); /* never finished: shows as interrupted */
        ck_assert_int_eq(list[1].id, a);
}

TEST(cycle_list_keeps_the_newest_up_to_the_limit)
{
        _cleanup_free_ struct cycle_record *list = NULL;
        size_t n;
        int64_t b;

        cycle_begin(false, T0);
        b = cycle_begin(true, T0 + 900);
        ck_assert_int_eq(store_cycle_list(store, 1, &list, &n), 0);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(list[0].id, b);
}

TEST(cycle_first_started_is_the_oldest_start)
{
        int64_t first = -1;

        ck_assert_int_eq(store_cycle_first_started(store, &first), 0);
        ck_assert_int_eq(first, 0);
        cycle_begin(false, T0);
        cycle_begin(false, T0 + 900);
        ck_assert_int_eq(store_cycle_first_started(store, &first), 0);
        ck_assert_int_eq(first, T0);
}

/* ---- Restore requests. ---- */

/* Request `kind` of `new_cluster`, recorded and read back by id. */
static struct restore_request restore_round_trip(struct store *s, enum restore_request_kind kind,
                                                 const char *new_cluster)
{
        struct restore_request in = {.kind = kind, .source = "db-a", .new_cluster = (char *)new_cluster};
        struct restore_request q = {};
        int64_t id = 0;

        ck_assert_int_eq(store_restore_request_add(s, &in, T0, &id), 0);
        ck_assert_int_eq(store_restore_request_get(s, id, &q), 0);
        ck_assert_int_eq(q.id, id);
        ck_assert_str_eq(q.new_cluster, new_cluster);
        return q;
}

TEST(restore_request_round_trips_its_kind)
{
        struct restore_request q = restore_round_trip(store, RESTORE_TO_POINT_IN_TIME, "db-a-pitr");

        ck_assert_int_eq(q.kind, RESTORE_TO_POINT_IN_TIME);
        restore_request_done(&q);
        q = restore_round_trip(store, RESTORE_FROM_SNAPSHOT, "db-a-snap");
        ck_assert_int_eq(q.kind, RESTORE_FROM_SNAPSHOT);
        restore_request_done(&q);
}

/* Unlike a ledger row's, a request's kind this build does not know does not fail the read. */
TEST(restore_request_of_an_unknown_kind_reads_as_a_snapshot_restore)
{
        char dir[PATH_MAX], path[PATH_MAX + 16];
        struct store *s = test_store_open(test_tmp_dir(dir, sizeof(dir)));
        struct restore_request q = restore_round_trip(s, RESTORE_TO_POINT_IN_TIME, "db-a-pitr");
        int64_t id = q.id;
        sqlite3 *db = NULL;

        restore_request_done(&q);
        snprintf(path, sizeof(path), "%s/state.db", dir);
        ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
        /* The schema's CHECK allows only the kinds there are: a row from elsewhere is what gets past it. */
        ck_assert_int_eq(sqlite3_exec(db,
                                      "PRAGMA ignore_check_constraints = ON; "
                                      "UPDATE restore_requests SET kind = 'from-the-future'",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
        sqlite3_close(db);

        ck_assert_int_eq(store_restore_request_get(s, id, &q), 0);
        ck_assert_int_eq(q.kind, RESTORE_FROM_SNAPSHOT);
        ck_assert_str_eq(q.new_cluster, "db-a-pitr");
        restore_request_done(&q);
        store_close(s);
}
