/* The action ledger (store-ledger.c): intents, outcomes, retries, the lists recovery and history read,
 * and the counts the metrics export. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "test-store-fixture.h"
#include "test-suite.h"

TEST_FILE("store-ledger", TEST_STORE_FIXTURE);

static int64_t ledger_begin(const struct ledger_intent *in, int64_t now)
{
        int64_t id = 0;

        ck_assert_int_eq(store_ledger_begin(store, in, now, &id), 0);
        ck_assert_int_gt(id, 0);
        return id;
}

/* The row `id` as store_ledger_get() reads it; free with ledger_entry_done(). */
static struct ledger_entry ledger_get(int64_t id)
{
        struct ledger_entry e = {};

        ck_assert_int_eq(store_ledger_get(store, id, &e), 0);
        return e;
}

TEST(ledger_begin_records_every_field_of_the_intent)
{
        int64_t id, cycle;
        struct ledger_entry e;

        ck_assert_int_eq(store_cycle_begin(store, false, T0, &cycle), 0);
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

TEST(ledger_finish_records_the_outcome_and_its_error)
{
        int64_t id = ledger_begin(&create_intent, T0 + 5);
        struct ledger_entry e;

        ck_assert_int_eq(store_ledger_finish(store, id, LEDGER_FAILED,
                                             "4c1d7c3e-0b6a-4f3e-9d0e-1a2b3c4d5e6f", "SnapshotQuotaExceeded",
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

TEST(ledger_get_of_an_unknown_row_is_enoent)
{
        struct ledger_entry e = {};
        int64_t id = ledger_begin(&create_intent, T0);

        ck_assert_int_eq(store_ledger_get(store, id + 100, &e), -ENOENT);
}

TEST(ledger_optional_fields_may_be_absent)
{
        struct ledger_intent in = {.kind = LEDGER_DELETE_BACKUP, .snapshot = "awsbackup:job-1234"};
        int64_t id = ledger_begin(&in, T0);
        struct ledger_entry e;

        ck_assert_int_eq(store_ledger_finish(store, id, LEDGER_DONE, NULL, NULL, NULL, T0 + 1), 0);
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

TEST(ledger_finish_refuses_intent_as_an_outcome)
{
        int64_t id = ledger_begin(&create_intent, T0);

        ck_assert_int_eq(store_ledger_finish(store, id, LEDGER_INTENT, NULL, NULL, NULL, T0), -EINVAL);
}

TEST(ledger_finish_refuses_a_second_outcome)
{
        int64_t id = ledger_begin(&create_intent, T0);
        struct ledger_entry e;

        ck_assert_int_eq(store_ledger_finish(store, id, LEDGER_DONE, "req-1", NULL, NULL, T0 + 1), 0);
        ck_assert_int_eq(store_ledger_finish(store, id, LEDGER_FAILED, "req-2", "X", "y", T0 + 2),
                         -EALREADY);
        ck_assert_ptr_nonnull(strstr(store_last_error(store), "done"));
        /* The first outcome stands. */
        e = ledger_get(id);
        ck_assert_int_eq(e.state, LEDGER_DONE);
        ck_assert_str_eq(e.request_id, "req-1");
        ledger_entry_done(&e);
}

TEST(ledger_finish_of_an_unknown_row_is_enoent)
{
        int64_t id = ledger_begin(&create_intent, T0);

        ck_assert_int_eq(store_ledger_finish(store, id + 1, LEDGER_DONE, NULL, NULL, NULL, T0 + 2), -ENOENT);
}

TEST(ledger_retry_counts_attempts_of_an_open_intent)
{
        int64_t id = ledger_begin(&create_intent, T0);
        struct ledger_entry e;

        ck_assert_int_eq(store_ledger_retry(store, id, T0 + 60), 0);
        ck_assert_int_eq(store_ledger_retry(store, id, T0 + 120), 0);
        e = ledger_get(id);
        ck_assert_uint_eq(e.attempts, 3);
        ck_assert_int_eq(e.updated_at, T0 + 120);
        ck_assert_int_eq(e.state, LEDGER_INTENT);
        ledger_entry_done(&e);
}

TEST(ledger_retry_refuses_a_finished_row)
{
        int64_t id = ledger_begin(&create_intent, T0);

        ck_assert_int_eq(
            store_ledger_finish(store, id, LEDGER_ABANDONED, NULL, NULL, "window over", T0 + 3600), 0);
        ck_assert_int_eq(store_ledger_retry(store, id, T0 + 3700), -EALREADY);
}

TEST(ledger_retry_of_an_unknown_row_is_enoent)
{
        int64_t id = ledger_begin(&create_intent, T0);

        ck_assert_int_eq(store_ledger_retry(store, id + 7, T0 + 3700), -ENOENT);
}

TEST(ledger_open_intents_of_an_empty_ledger_is_empty)
{
        struct ledger_entry *list = NULL;
        size_t n = 99;

        ck_assert_int_eq(store_ledger_open_intents(store, &list, &n), 0);
        ck_assert_uint_eq(n, 0);
        ck_assert_ptr_null(list);
}

TEST(ledger_open_intents_lists_only_open_rows_oldest_first)
{
        struct ledger_entry *list = NULL;
        size_t n;
        int64_t a = ledger_begin(&create_intent, T0);
        int64_t b = ledger_begin(&create_intent, T0 + 1);
        int64_t c = ledger_begin(&create_intent, T0 + 2);

        ck_assert_int_eq(store_ledger_finish(store, b, LEDGER_DONE, NULL, NULL, NULL, T0 + 3), 0);
        ck_assert_int_eq(store_ledger_open_intents(store, &list, &n), 0);
        ck_assert_uint_eq(n, 2);
        ck_assert_int_eq(list[0].id, a);
        ck_assert_int_eq(list[1].id, c);
        ck_assert_str_eq(list[1].snapshot, create_intent.snapshot);
        ledger_entries_free(list, n);
}

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
        ck_assert_int_eq(
            store_ledger_finish(store, ids[4], LEDGER_FAILED, NULL, "Throttling", NULL, T0 + 999), 0);
}

/* store_ledger_list() for `f` returns exactly the rows `want`, in that order. */
static void ledger_list_expect(const struct ledger_filter *f, const int64_t *want, size_t n_want)
{
        struct ledger_entry *list = NULL;
        size_t n;

        ck_assert_int_eq(store_ledger_list(store, f, &list, &n), 0);
        ck_assert_uint_eq(n, n_want);
        for (size_t i = 0; i < n; i++)
                ck_assert_int_eq(list[i].id, want[i]);
        ledger_entries_free(list, n);
}

TEST(ledger_list_without_a_filter_is_every_row_newest_first)
{
        int64_t ids[6];

        ledger_six_rows(ids);
        ledger_list_expect(&LEDGER_FILTER_ALL, (int64_t[]){ids[5], ids[4], ids[3], ids[2], ids[1], ids[0]},
                           6);
}

TEST(ledger_list_filters_by_policy)
{
        struct ledger_filter f = LEDGER_FILTER_ALL;
        int64_t ids[6];

        ledger_six_rows(ids);
        f.policy = "prod";
        ledger_list_expect(&f, (int64_t[]){ids[4], ids[2], ids[0]}, 3);
}

TEST(ledger_list_filters_combine)
{
        struct ledger_filter f = LEDGER_FILTER_ALL;
        int64_t ids[6];

        ledger_six_rows(ids);
        f.policy = "prod";
        f.cluster = "db-b";
        ledger_list_expect(&f, (int64_t[]){ids[4]}, 1);
}

TEST(ledger_list_filters_by_state)
{
        struct ledger_filter f = LEDGER_FILTER_ALL;
        struct ledger_entry *list = NULL;
        size_t n;
        int64_t ids[6];

        ledger_six_rows(ids);
        f.state = LEDGER_FAILED;
        ck_assert_int_eq(store_ledger_list(store, &f, &list, &n), 0);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(list[0].id, ids[4]);
        ck_assert_str_eq(list[0].error_code, "Throttling");
        ledger_entries_free(list, n);
}

TEST(ledger_list_since_with_a_limit_keeps_the_newest)
{
        struct ledger_filter f = LEDGER_FILTER_ALL;
        int64_t ids[6];

        ledger_six_rows(ids);
        f.since = T0 + 200;
        f.limit = 2;
        ledger_list_expect(&f, (int64_t[]){ids[5], ids[4]}, 2);
}

/* What a restart asks: any row of this kind for this snapshot? */
static const struct ledger_intent delete_old = {
    .kind = LEDGER_DELETE_RDS, .cluster = "db-a", .snapshot = "aba-old"};

TEST(ledger_list_filters_by_snapshot)
{
        struct ledger_filter f = LEDGER_FILTER_ALL;
        int64_t ids[6], del_id;

        ledger_six_rows(ids);
        del_id = ledger_begin(&delete_old, T0 + 1000);
        f.snapshot = "aba-old";
        ledger_list_expect(&f, (int64_t[]){del_id}, 1);
}

TEST(ledger_list_filters_by_kind)
{
        struct ledger_filter f = LEDGER_FILTER_ALL;
        int64_t ids[6];

        ledger_six_rows(ids);
        ledger_begin(&delete_old, T0 + 1000);
        f.kind = LEDGER_CREATE;
        f.cluster = "db-a";
        ledger_list_expect(&f, (int64_t[]){ids[2], ids[1], ids[0]}, 3);
}

TEST(ledger_list_rejects_an_unknown_kind_or_state)
{
        struct ledger_filter f = LEDGER_FILTER_ALL;
        struct ledger_entry *list = NULL;
        size_t n;

        f.kind = _LEDGER_KIND_MAX;
        ck_assert_int_eq(store_ledger_list(store, &f, &list, &n), -EINVAL);
        f = LEDGER_FILTER_ALL;
        f.state = _LEDGER_STATE_MAX;
        ck_assert_int_eq(store_ledger_list(store, &f, &list, &n), -EINVAL);
}

/* A row a newer agent wrote (a kind this build does not know) is refused, and the error names the row. */
TEST(ledger_get_of_a_row_of_an_unknown_kind_names_the_row)
{
        char dir[PATH_MAX], path[PATH_MAX + 16], want[64];
        struct store *s = test_store_open(test_tmp_dir(dir, sizeof(dir)));
        struct ledger_entry e = {};
        sqlite3 *db = NULL;
        int64_t id = 0;

        ck_assert_int_eq(store_ledger_begin(s, &create_intent, T0, &id), 0);
        snprintf(path, sizeof(path), "%s/state.db", dir);
        ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
        ck_assert_int_eq(sqlite3_exec(db, "UPDATE ledger SET kind = 'from-the-future'", NULL, NULL, NULL),
                         SQLITE_OK);
        sqlite3_close(db);

        ck_assert_int_eq(store_ledger_get(s, id, &e), -EBADMSG);
        snprintf(want, sizeof(want), "ledger row %" PRId64 " has unknown kind 'from-the-future'", id);
        ck_assert_str_eq(store_last_error(s), want);
        store_close(s);
}

TEST(ledger_begin_rejects_an_unknown_cycle)
{
        struct ledger_intent in = create_intent;
        int64_t id = -1;

        /* Foreign keys are on: a row cannot name a cycle that does not exist. */
        in.cycle_id = 4242;
        ck_assert_int_eq(store_ledger_begin(store, &in, T0, &id), -EINVAL);
        ck_assert_int_eq(id, -1);
        ck_assert_ptr_nonnull(strstr(store_last_error(store), "FOREIGN KEY"));
}

TEST(ledger_begin_rejects_an_unknown_kind)
{
        struct ledger_intent in = create_intent;
        int64_t id = -1;

        in.kind = _LEDGER_KIND_MAX;
        ck_assert_int_eq(store_ledger_begin(store, &in, T0, &id), -EINVAL);
        ck_assert_int_eq(id, -1);
}

TEST(ledger_counts_only_settled_rows)
{
        struct ledger_count *c = NULL;
        size_t n = 0;
        int64_t a = ledger_begin(&(struct ledger_intent){.kind = LEDGER_CREATE, .snapshot = "s1"}, 1);
        int64_t b = ledger_begin(&(struct ledger_intent){.kind = LEDGER_CREATE, .snapshot = "s2"}, 1);

        ledger_begin(&(struct ledger_intent){.kind = LEDGER_COPY, .snapshot = "s3"}, 1);
        ck_assert_int_eq(store_ledger_finish(store, a, LEDGER_DONE, NULL, NULL, NULL, 2), 0);
        ck_assert_int_eq(store_ledger_finish(store, b, LEDGER_FAILED, NULL, "E", NULL, 2), 0);
        ck_assert_int_eq(store_ledger_counts(store, &c, &n), 0);
        ck_assert_uint_eq(n, 2); /* the open copy is not counted */
        ck_assert_int_eq(c[0].kind, LEDGER_CREATE);
        ck_assert_int_eq(c[0].state, LEDGER_DONE);
        ck_assert_uint_eq(c[0].count, 1);
        ck_assert_int_eq(c[1].state, LEDGER_FAILED);
        free(c);
}

TEST(enum_names_round_trip)
{
        for (int k = 0; k < _LEDGER_KIND_MAX; k++)
                ck_assert_int_eq(ledger_kind_from_string(ledger_kind_to_string(k)), k);
        for (int k = 0; k < _LEDGER_STATE_MAX; k++)
                ck_assert_int_eq(ledger_state_from_string(ledger_state_to_string(k)), k);
        for (int k = 0; k < _WINDOW_OUTCOME_MAX; k++)
                ck_assert_int_eq(window_outcome_from_string(window_outcome_to_string(k)), k);
        for (int k = 0; k < _ORIGIN_MAX; k++)
                ck_assert_int_eq(inventory_origin_from_string(inventory_origin_to_string(k)), k);
        for (int k = 0; k < _PROBLEM_KIND_MAX; k++)
                ck_assert_int_eq(problem_kind_from_string(problem_kind_to_string(k)), k);
        ck_assert_str_eq(ledger_kind_to_string(LEDGER_DELETE_BACKUP), "delete-backup");
        ck_assert_str_eq(window_outcome_to_string(WINDOW_QUOTA_EXHAUSTED), "quota-exhausted");
}

TEST(enum_names_refuse_what_they_do_not_know)
{
        ck_assert_ptr_null(ledger_kind_to_string(_LEDGER_KIND_MAX));
        ck_assert_ptr_null(problem_kind_to_string(_PROBLEM_KIND_MAX));
        ck_assert_int_eq(ledger_kind_from_string("reboot"), -EINVAL);
        ck_assert_int_eq(ledger_state_from_string(NULL), -EINVAL);
}
