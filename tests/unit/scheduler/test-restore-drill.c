/* Restore drills: the period a drill is due in, the drill cluster's name, what may be torn down, and
 * the planner leaving drill clusters alone. */
#include "drill-id.h"
#include "plan-world.h"
#include "select.h"
#include "snapshot-id.h"

TEST_FILE("restore-drill");

TEST(drill_period_monthly_starts_at_midnight_of_the_day)
{
        struct schedule s = {.kind = SCHEDULE_MONTHLY, .mday = 1};
        int64_t start, end;

        ck_assert_int_eq(restore_drill_period(&s, time_from_civil(2026, 11, 17, 13, 5, 0), &start, &end), 0);
        ck_assert_int_eq(start, time_from_civil(2026, 11, 1, 0, 0, 0));
        ck_assert_int_eq(end, time_from_civil(2026, 12, 1, 0, 0, 0));
        /* The first second of the next period belongs to it. */
        ck_assert_int_eq(restore_drill_period(&s, time_from_civil(2026, 12, 1, 0, 0, 0), &start, &end), 0);
        ck_assert_int_eq(start, time_from_civil(2026, 12, 1, 0, 0, 0));
        ck_assert_int_eq(end, time_from_civil(2027, 1, 1, 0, 0, 0));
}

TEST(drill_period_weekly_daily_and_interval)
{
        struct schedule weekly = {.kind = SCHEDULE_WEEKLY, .weekday = 0}; /* Sunday */
        struct schedule daily = {.kind = SCHEDULE_DAILY};
        struct schedule every6h = {.kind = SCHEDULE_INTERVAL, .interval_sec = 6 * 3600};
        int64_t start, end;

        /* 2026-11-24 is a Tuesday: the period began Sunday the 22nd. */
        ck_assert_int_eq(
            restore_drill_period(&weekly, time_from_civil(2026, 11, 24, 10, 0, 0), &start, &end), 0);
        ck_assert_int_eq(start, time_from_civil(2026, 11, 22, 0, 0, 0));
        ck_assert_int_eq(end, time_from_civil(2026, 11, 29, 0, 0, 0));
        ck_assert_int_eq(
            restore_drill_period(&daily, time_from_civil(2026, 11, 24, 23, 59, 59), &start, &end), 0);
        ck_assert_int_eq(start, time_from_civil(2026, 11, 24, 0, 0, 0));
        ck_assert_int_eq(end, time_from_civil(2026, 11, 25, 0, 0, 0));
        ck_assert_int_eq(
            restore_drill_period(&every6h, time_from_civil(2026, 11, 24, 13, 0, 0), &start, &end), 0);
        ck_assert_int_eq(start, time_from_civil(2026, 11, 24, 12, 0, 0));
        ck_assert_int_eq(end, time_from_civil(2026, 11, 24, 18, 0, 0));
}

TEST(drill_period_rejects_a_bad_schedule)
{
        struct schedule bad = {.kind = SCHEDULE_WEEKLY, .weekday = 9};
        int64_t start, end;
        ck_assert_int_eq(restore_drill_period(&bad, 0, &start, &end), -EINVAL);
}

TEST(drill_identifier_is_deterministic_and_valid)
{
        char a[PLAN_SNAPSHOT_ID_MAX], b[PLAN_SNAPSHOT_ID_MAX];
        int64_t t = time_from_civil(2026, 11, 1, 0, 0, 0);

        ck_assert_int_eq(restore_drill_cluster_identifier("aba", "db-a", t, a), 0);
        ck_assert_str_eq(a, "aba-rt-db-a-20261101");
        ck_assert_int_eq(restore_drill_cluster_identifier("aba", "db-a", t, b), 0);
        ck_assert_str_eq(a, b);
        ck_assert_int_eq(restore_drill_cluster_identifier("aba", "DB_A", t, b), 0);
        ck_assert_str_eq(b, "aba-rt-db-a-20261101");
        ck_assert_int_eq(restore_drill_instance_identifier(a, b), 0);
        ck_assert_str_eq(b, "aba-rt-db-a-20261101-1");
        ck_assert_int_eq(restore_drill_cluster_identifier("aba", "", t, b), -EINVAL);
        ck_assert_int_eq(restore_drill_cluster_identifier(NULL, "db-a", t, b), -EINVAL);
}

TEST(drill_identifier_of_a_long_name_keeps_prefix_and_date)
{
        const char *long1 = "a-very-long-cluster-name-that-goes-on-and-on-and-on-and-on-x1";
        const char *long2 = "a-very-long-cluster-name-that-goes-on-and-on-and-on-and-on-x2";
        const char *prefix32 = "abcdefghijklmnopqrstuvwxyz012345";
        char a[PLAN_SNAPSHOT_ID_MAX], b[PLAN_SNAPSHOT_ID_MAX], i[PLAN_SNAPSHOT_ID_MAX];
        int64_t t = time_from_civil(2026, 11, 1, 0, 0, 0);

        ck_assert_int_eq(restore_drill_cluster_identifier("aba", long1, t, a), 0);
        ck_assert_int_eq(restore_drill_cluster_identifier("aba", long2, t, b), 0);
        ck_assert_str_ne(a, b);
        ck_assert(plan_identifier_is_valid(a, 63));
        ck_assert(startswith(a, "aba-rt-"));
        ck_assert_str_eq(a + strlen(a) - 9, "-20261101");
        ck_assert_int_eq(restore_drill_cluster_identifier(prefix32, long1, t, a), 0);
        ck_assert(plan_identifier_is_valid(a, 63));
        ck_assert(startswith(a, "abcdefghijklmnopqrstuvwxyz012345-rt-"));
        ck_assert_int_eq(restore_drill_instance_identifier(a, i), 0);
        ck_assert(plan_identifier_is_valid(i, 63));
        ck_assert_str_ne(i, a);
}

static struct observed_cluster drill_cluster(const char *id, const struct tag *tags, size_t n)
{
        return (struct observed_cluster){
            .identifier = id, .region = WORLD_REGION, .tags = tags, .n_tags = n};
}

TEST(drill_teardown_needs_both_tags_and_the_prefix)
{
        const struct tag both[] = {{(char *)TAG_MANAGED_BY, (char *)TAG_MANAGED_BY_VALUE},
                                   {(char *)TAG_RESTORE_TEST, (char *)"db-a"}};
        const struct tag managed_only[] = {{(char *)TAG_MANAGED_BY, (char *)TAG_MANAGED_BY_VALUE}};
        const struct tag drill_only[] = {{(char *)TAG_RESTORE_TEST, (char *)"db-a"}};
        const struct tag foreign[] = {{(char *)TAG_MANAGED_BY, (char *)"someone-else"},
                                      {(char *)TAG_RESTORE_TEST, (char *)"db-a"}};
        struct observed_cluster c;

        c = drill_cluster("aba-rt-db-a-20261101", both, 2);
        ck_assert(restore_drill_cluster_is_ours("aba", &c));
        c = drill_cluster("aba-rt-db-a-20261101", managed_only, 1);
        ck_assert(!restore_drill_cluster_is_ours("aba", &c));
        c = drill_cluster("aba-rt-db-a-20261101", drill_only, 1);
        ck_assert(!restore_drill_cluster_is_ours("aba", &c));
        c = drill_cluster("aba-rt-db-a-20261101", foreign, 2);
        ck_assert(!restore_drill_cluster_is_ours("aba", &c));
        c = drill_cluster("db-a", both, 2); /* the tags alone are not enough */
        ck_assert(!restore_drill_cluster_is_ours("aba", &c));
        c = drill_cluster("other-rt-db-a-20261101", both, 2);
        ck_assert(!restore_drill_cluster_is_ours("aba", &c));
        c = drill_cluster("aba-rt-db-a-20261101", NULL, 0);
        ck_assert(!restore_drill_cluster_is_ours("aba", &c));
        ck_assert(!restore_drill_cluster_is_ours("aba", NULL));
}

TEST(planner_never_manages_a_drill_cluster)
{
        static struct world w;
        int64_t now = time_from_civil(2026, 11, 24, 2, 59, 0); /* every slot of 02:00-03:00 has started */
        struct tag drill_tags[] = {{(char *)TAG_MANAGED_BY, (char *)TAG_MANAGED_BY_VALUE},
                                   {(char *)TAG_RESTORE_TEST, (char *)"db-a"}};
        world_init(&w, now);
        world_cluster(&w, "db-a", "available");
        struct observed_cluster *drill = world_cluster(&w, "aba-rt-db-a-20261101", "available");
        drill->tags = drill_tags;
        drill->n_tags = 2;
        /* An old agent-made snapshot of the drill cluster (say, from before the tag was honoured): no
         * retention verdict may touch it either. */
        world_snap(&w, "aba-rt-db-a-20261101", now - 40 * SEC_PER_DAY);
        w.pol[0].retention.max_age_sec = 7 * SEC_PER_DAY;

        ck_assert(plan_policy_selects(&w.pol[0], WORLD_REGION, &w.clusters[0]));
        ck_assert(!plan_policy_selects(&w.pol[0], WORLD_REGION, drill));

        struct plan *p = world_plan(&w);
        bool created_source = false;
        for (size_t i = 0; i < p->n_actions; i++) {
                ck_assert_msg(!streq_ptr(p->actions[i].cluster, drill->identifier),
                              "action %zu (kind %d, %s) on the drill cluster", i, (int)p->actions[i].kind,
                              p->actions[i].rule);
                if (p->actions[i].kind == ACTION_CREATE && streq_ptr(p->actions[i].cluster, "db-a"))
                        created_source = true;
        }
        ck_assert_msg(created_source, "the source cluster is still snapshotted");
        for (size_t i = 0; i < p->n_verdicts; i++)
                if (streq_ptr(p->verdicts[i].cluster, drill->identifier)) {
                        ck_assert_msg(!p->verdicts[i].deleted, "a snapshot of the drill cluster is deleted");
                        ck_assert_ptr_null(p->verdicts[i].policy);
                }
        plan_free(p);
}
