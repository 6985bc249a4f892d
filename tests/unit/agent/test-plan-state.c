/* The planner's input from the state (plan-state.h): open ledger intents become the plan actions they
 * started, window history rows become entries, and the input borrows the observation's views. */
#include <stdlib.h>
#include <string.h>

#include "plan-state.h"
#include "test-suite.h"

TEST_FILE("plan-state");

#define T0 INT64_C(1700000000)

static struct ledger_entry intent(enum ledger_kind kind, const char *cluster, const char *snapshot,
                                  const char *region, const char *target)
{
        return (struct ledger_entry){
            .kind = kind,
            .state = LEDGER_INTENT,
            .cluster = strdup(cluster),
            .snapshot = strdup(snapshot),
            .region = strdup(region),
            .target = target ? strdup(target) : NULL,
            .slot_start = T0,
        };
}

static struct ledger_entry *rows(size_t n, const struct ledger_entry *e)
{
        struct ledger_entry *r = calloc(n, sizeof(*r));
        ck_assert_ptr_nonnull(r);
        memcpy(r, e, n * sizeof(*r));
        return r;
}

TEST(open_create_intent_becomes_a_create_in_its_region)
{
        struct plan_state s = {};
        struct ledger_entry e[] = {intent(LEDGER_CREATE, "db-a", "aurora-backup-db-a-1", "eu-west-1", NULL)};

        ck_assert_int_eq(plan_state_from_rows(&s, rows(1, e), 1, NULL, 0), 0);
        ck_assert_uint_eq(s.n_ledger, 1);
        ck_assert_int_eq(s.ledger[0].kind, ACTION_CREATE);
        ck_assert_str_eq(s.ledger[0].cluster_identifier, "db-a");
        ck_assert_str_eq(s.ledger[0].snapshot_identifier, "aurora-backup-db-a-1");
        ck_assert_str_eq(s.ledger[0].region, "eu-west-1");
        ck_assert_ptr_null(s.ledger[0].source_region);
        ck_assert_int_eq(s.ledger[0].slot_start, T0);
        plan_state_done(&s);
}

TEST(open_copy_intent_runs_in_its_destination_from_its_source)
{
        struct plan_state s = {};
        struct ledger_entry e[] = {intent(LEDGER_COPY, "db-a", "copy-1", "eu-west-1", "us-east-1")};

        ck_assert_int_eq(plan_state_from_rows(&s, rows(1, e), 1, NULL, 0), 0);
        ck_assert_uint_eq(s.n_ledger, 1);
        ck_assert_int_eq(s.ledger[0].kind, ACTION_COPY);
        ck_assert_str_eq(s.ledger[0].region, "us-east-1");
        ck_assert_str_eq(s.ledger[0].source_region, "eu-west-1");
        plan_state_done(&s);
}

TEST(open_copy_intent_without_a_target_stays_in_its_region)
{
        struct plan_state s = {};
        struct ledger_entry e[] = {intent(LEDGER_COPY, "db-a", "copy-1", "eu-west-1", NULL)};

        ck_assert_int_eq(plan_state_from_rows(&s, rows(1, e), 1, NULL, 0), 0);
        ck_assert_str_eq(s.ledger[0].region, "eu-west-1");
        ck_assert_str_eq(s.ledger[0].source_region, "eu-west-1");
        plan_state_done(&s);
}

TEST(intents_the_planner_does_not_track_are_left_out)
{
        struct plan_state s = {};
        struct ledger_entry e[] = {
            intent(LEDGER_TAG, "db-a", "s-1", "eu-west-1", "+hold"),
            intent(LEDGER_DELETE_RDS, "db-a", "s-2", "eu-west-1", NULL),
            intent(LEDGER_TEARDOWN, "db-a", "s-3", "eu-west-1", NULL),
            intent(LEDGER_EXPORT, "db-a", "s-4", "eu-west-1", "bucket"),
        };

        ck_assert_int_eq(plan_state_from_rows(&s, rows(4, e), 4, NULL, 0), 0);
        ck_assert_uint_eq(s.n_open, 4);
        ck_assert_uint_eq(s.n_ledger, 2);
        ck_assert_int_eq(s.ledger[0].kind, ACTION_DELETE_RDS);
        ck_assert_int_eq(s.ledger[1].kind, ACTION_EXPORT);
        plan_state_done(&s);
}

TEST(every_ledger_kind_maps_to_one_action_or_none)
{
        /* -1: the planner does not track that kind. */
        static const struct {
                enum ledger_kind ledger;
                int action;
        } expected[] = {
            {LEDGER_CREATE, ACTION_CREATE},
            {LEDGER_DELETE_RDS, ACTION_DELETE_RDS},
            {LEDGER_DELETE_BACKUP, ACTION_DELETE_BACKUP},
            {LEDGER_COPY, ACTION_COPY},
            {LEDGER_SHARE, ACTION_SHARE},
            {LEDGER_EXPORT, ACTION_EXPORT},
            {LEDGER_RESTORE, -1},
            {LEDGER_PROBE, -1},
            {LEDGER_OPERATOR_RESTORE, -1},
        };

        for (size_t i = 0; i < ELEMENTSOF(expected); i++)
                ck_assert_msg(plan_state_action_kind(expected[i].ledger) == expected[i].action,
                              "ledger kind %d: action %d, expected %d", expected[i].ledger,
                              plan_state_action_kind(expected[i].ledger), expected[i].action);
}

TEST(history_row_counts_as_taken_only_when_taken)
{
        struct plan_state s = {};
        struct window_record *h = calloc(3, sizeof(*h));
        ck_assert_ptr_nonnull(h);
        h[0] = (struct window_record){.cluster = strdup("db-a"), .slot_start = T0, .outcome = WINDOW_TAKEN};
        h[1] = (struct window_record){.cluster = strdup("db-b"), .slot_start = T0, .outcome = WINDOW_MISSED};
        h[2] = (struct window_record){
            .cluster = strdup("db-c"), .slot_start = T0 + 60, .outcome = WINDOW_QUOTA_EXHAUSTED};

        ck_assert_int_eq(plan_state_from_rows(&s, NULL, 0, h, 3), 0);
        ck_assert_uint_eq(s.n_ledger, 0);
        ck_assert(s.entries[0].taken);
        ck_assert(!s.entries[1].taken);
        ck_assert(!s.entries[2].taken);
        ck_assert_str_eq(s.entries[2].cluster_identifier, "db-c");
        ck_assert_int_eq(s.entries[2].slot_start, T0 + 60);
        plan_state_done(&s);
}

TEST(no_rows_give_empty_but_allocated_arrays)
{
        struct plan_state s = {};

        ck_assert_int_eq(plan_state_from_rows(&s, NULL, 0, NULL, 0), 0);
        ck_assert_ptr_nonnull(s.ledger);
        ck_assert_ptr_nonnull(s.entries);
        ck_assert_uint_eq(s.n_ledger, 0);
        ck_assert_uint_eq(s.n_history, 0);
        plan_state_done(&s);
        ck_assert_ptr_null(s.ledger);
}

TEST(plan_input_borrows_the_views_and_the_state)
{
        struct plan_state s = {};
        struct observed_cluster clusters[2] = {};
        struct account_quota quotas[1] = {};
        struct observation o = {
            .clusters = clusters, .n_clusters = 2, .account_quotas = quotas, .n_account_quotas = 1};
        struct agent_config config = {};
        struct ledger_entry e[] = {intent(LEDGER_SHARE, "db-a", "s-1", "eu-west-1", "123456789012")};

        ck_assert_int_eq(plan_state_from_rows(&s, rows(1, e), 1, NULL, 0), 0);
        struct plan_input in = plan_state_input(&s, &config, "eu-west-1", &o, T0);
        ck_assert_ptr_eq(in.config, &config);
        ck_assert_str_eq(in.default_region, "eu-west-1");
        ck_assert_ptr_eq(in.clusters, clusters);
        ck_assert_uint_eq(in.n_clusters, 2);
        ck_assert_ptr_eq(in.account_quotas, quotas);
        ck_assert_uint_eq(in.n_account_quotas, 1);
        ck_assert_ptr_eq(in.ledger, s.ledger);
        ck_assert_uint_eq(in.n_ledger, 1);
        ck_assert_ptr_eq(in.history, s.entries);
        ck_assert_int_eq(in.now, T0);
        plan_state_done(&s);
}
