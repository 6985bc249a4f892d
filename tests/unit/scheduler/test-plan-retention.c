/* Retention, ownership and quota, through plan_build(): verdicts for every snapshot, deletions only of
 * what the agent owns, and creations only within quota. */
#include "hash.h"
#include "plan-world.h"
#include "select.h"

TEST_FILE("plan-retention");

#define T(y, mo, d, h, mi) time_from_civil(y, mo, d, h, mi, 0)
#define DAY SEC_PER_DAY

/* Noon is outside the 02:00-03:00 window, so only retention speaks. */
static int64_t noon(int y, int mo, int d)
{
        return T(y, mo, d, 12, 0);
}

static void assert_kept(const struct plan *p, const char *id, unsigned bits)
{
        const struct snapshot_verdict *v = plan_verdict_of(p, id);
        ck_assert_msg(!v->deleted, "%s deleted", id);
        ck_assert_msg((v->keep & bits) == bits, "%s keep %#x, wanted %#x", id, v->keep, bits);
}

static void assert_deleted(const struct plan *p, const char *id, enum delete_reason why)
{
        const struct snapshot_verdict *v = plan_verdict_of(p, id);
        ck_assert_msg(v->deleted, "%s kept (%#x)", id, v->keep);
        ck_assert_int_eq(v->why, why);
        ck_assert_uint_eq(v->keep, 0);
        bool found = false;
        for (size_t i = 0; i < p->n_actions; i++)
                if (p->actions[i].snapshot && strcmp(p->actions[i].snapshot, id) == 0) {
                        ck_assert(p->actions[i].kind == ACTION_DELETE_RDS ||
                                  p->actions[i].kind == ACTION_DELETE_BACKUP);
                        found = true;
                }
        ck_assert_msg(found, "no delete action for %s", id);
}

/* Neither through RDS nor through AWS Backup. */
static void assert_nothing_deleted(const struct plan *p)
{
        ck_assert_uint_eq(plan_count(p, ACTION_DELETE_RDS), 0);
        ck_assert_uint_eq(plan_count(p, ACTION_DELETE_BACKUP), 0);
}

/* One agent snapshot of cluster "c" in a retention case: when it was made, and the verdict the plan must
 * give it: kept for (at least) the reasons in `keep`, or, with `keep` 0, deleted for `why`. */
struct expected {
        int64_t created;
        unsigned keep;
        enum delete_reason why;
};

/* Plans a world at `now` whose retention is `r` and whose cluster "c" has one agent snapshot per row of
 * `e` (made in that order), and checks every snapshot's verdict. */
static void check_verdicts(int64_t now, struct retention r, const struct expected *e, size_t n)
{
        struct world w;
        const char *ids[16];
        ck_assert_uint_le(n, ELEMENTSOF(ids));
        world_retention(&w, now, r);
        for (size_t i = 0; i < n; i++)
                ids[i] = world_snap_id(&w, e[i].created);
        struct plan *p = world_plan(&w);
        for (size_t i = 0; i < n; i++)
                if (e[i].keep)
                        assert_kept(p, ids[i], e[i].keep);
                else
                        assert_deleted(p, ids[i], e[i].why);
        plan_free(p);
}

TEST(retention_zero_snapshots_plans_nothing)
{
        struct world w;
        world_retention(&w, noon(2026, 11, 24), (struct retention){.keep_last = 3, .max_age_sec = 10 * DAY});
        struct plan *p = world_plan(&w);
        ck_assert_uint_eq(p->n_verdicts, 0);
        assert_nothing_deleted(p);
        plan_free(p);
}

TEST(retention_one_expired_snapshot_is_kept_as_newest)
{
        struct world w;
        world_retention(&w, noon(2026, 11, 24), (struct retention){.max_age_sec = 10 * DAY});
        struct observed_snapshot *s = world_snap(&w, "c", noon(2025, 1, 1));
        struct plan *p = world_plan(&w);
        assert_kept(p, s->identifier, KEEP_NEWEST);
        assert_nothing_deleted(p);
        plan_free(p);
}

TEST(retention_keeps_newest_and_floor_when_all_expired)
{
        struct world w;
        world_retention(&w, noon(2026, 11, 24),
                        (struct retention){.daily = 30, .max_age_sec = 30 * DAY, .min_keep = 3});
        const char *ids[10];
        for (int i = 0; i < 10; i++)
                ids[i] = world_snap_id(&w, noon(2026, 11, 24) - (100 + i) * DAY);
        struct plan *p = world_plan(&w);
        assert_kept(p, ids[0], KEEP_NEWEST);
        assert_kept(p, ids[1], KEEP_MIN);
        assert_kept(p, ids[2], KEEP_MIN);
        for (int i = 3; i < 10; i++)
                assert_deleted(p, ids[i], DELETE_MAX_AGE);
        ck_assert_uint_eq(plan_count(p, ACTION_DELETE_RDS), 7);
        plan_free(p);
}

TEST(retention_keep_last_keeps_the_n_newest_of_many)
{
        struct world w;
        world_retention(&w, noon(2026, 11, 24), (struct retention){.keep_last = 3});
        const char *ids[20];
        for (int i = 0; i < 20; i++)
                ids[i] = world_snap_id(&w, noon(2026, 11, 24) - i * 3600);
        struct plan *p = world_plan(&w);
        assert_kept(p, ids[0], KEEP_LAST | KEEP_NEWEST);
        assert_kept(p, ids[2], KEEP_LAST);
        for (int i = 3; i < 20; i++)
                assert_deleted(p, ids[i], DELETE_NOT_KEPT);
        /* Verdicts are sorted newest first. */
        for (size_t i = 1; i < p->n_verdicts; i++)
                ck_assert_int_ge(p->verdicts[i - 1].create_time, p->verdicts[i].create_time);
        plan_free(p);
}

TEST(retention_daily_keeps_newest_of_each_of_the_last_n_days_with_one)
{
        /* Nov 23 has two; Nov 22 has none; Nov 21 has one; Nov 20 has one. */
        const struct expected e[] = {
            {.created = T(2026, 11, 23, 23, 0), .keep = KEEP_DAILY | KEEP_NEWEST},
            {.created = T(2026, 11, 23, 1, 0), .why = DELETE_NOT_KEPT},
            /* the days that have one, not calendar days back from now */
            {.created = T(2026, 11, 21, 2, 0), .keep = KEEP_DAILY},
            {.created = T(2026, 11, 20, 2, 0), .why = DELETE_NOT_KEPT},
        };
        check_verdicts(noon(2026, 11, 24), (struct retention){.daily = 2}, e, ELEMENTSOF(e));
}

TEST(retention_weekly_uses_iso_week_53)
{
        const struct expected e[] = {
            {.created = noon(2021, 1, 4), .keep = KEEP_WEEKLY},      /* 2021-W01 */
            {.created = noon(2021, 1, 3), .keep = KEEP_WEEKLY},      /* 2020-W53 */
            {.created = noon(2020, 12, 31), .why = DELETE_NOT_KEPT}, /* 2020-W53 */
            {.created = noon(2020, 12, 27), .why = DELETE_NOT_KEPT}, /* 2020-W52 */
        };
        check_verdicts(noon(2021, 1, 20), (struct retention){.weekly = 2}, e, ELEMENTSOF(e));
}

TEST(retention_monthly_month_ends_and_leap_day)
{
        const struct expected e[] = {
            {.created = T(2024, 3, 1, 0, 0), .keep = KEEP_MONTHLY | KEEP_YEARLY | KEEP_NEWEST},
            {.created = T(2024, 2, 29, 23, 59), .keep = KEEP_MONTHLY},
            {.created = T(2024, 2, 28, 23, 59), .why = DELETE_NOT_KEPT},
            {.created = T(2024, 1, 31, 23, 59), .keep = KEEP_MONTHLY},
            /* yearly = 1 keeps only 2024's newest */
            {.created = T(2023, 12, 31, 23, 59), .why = DELETE_NOT_KEPT},
        };
        check_verdicts(noon(2024, 4, 15), (struct retention){.monthly = 3, .yearly = 1}, e, ELEMENTSOF(e));
}

TEST(retention_yearly_keeps_newest_of_each_year)
{
        const struct expected e[] = {
            {.created = T(2026, 1, 1, 0, 0), .keep = KEEP_YEARLY},
            {.created = T(2025, 12, 31, 23, 59), .keep = KEEP_YEARLY},
            {.created = T(2025, 1, 1, 0, 0), .why = DELETE_NOT_KEPT},
            {.created = T(2024, 12, 31, 0, 0), .why = DELETE_NOT_KEPT},
        };
        check_verdicts(noon(2026, 6, 1), (struct retention){.yearly = 2}, e, ELEMENTSOF(e));
}

TEST(retention_keep_within_is_measured_from_newest_not_now)
{
        /* Backups failed for 60 days: what is kept does not erode. */
        int64_t newest = noon(2026, 11, 24) - 60 * DAY;
        const struct expected e[] = {
            {.created = newest, .keep = KEEP_WITHIN | KEEP_NEWEST},
            {.created = newest - 7 * DAY, .keep = KEEP_WITHIN},
            {.created = newest - 7 * DAY - 1, .why = DELETE_NOT_KEPT},
        };
        check_verdicts(noon(2026, 11, 24), (struct retention){.keep_within_sec = 7 * DAY}, e, ELEMENTSOF(e));
}

TEST(retention_max_age_only_keeps_unexpired)
{
        const struct expected e[] = {
            {.created = noon(2026, 11, 24) - 1 * DAY, .keep = KEEP_UNEXPIRED | KEEP_NEWEST},
            /* exactly max_age old is not older than it */
            {.created = noon(2026, 11, 24) - 10 * DAY, .keep = KEEP_UNEXPIRED},
            {.created = noon(2026, 11, 24) - 10 * DAY - 1, .why = DELETE_MAX_AGE},
        };
        check_verdicts(noon(2026, 11, 24), (struct retention){.max_age_sec = 10 * DAY}, e, ELEMENTSOF(e));
}

TEST(retention_no_rule_keeps_all)
{
        struct world w;
        world_retention(&w, noon(2026, 11, 24), (struct retention){0});
        world_snap_id(&w, noon(2026, 11, 24) - 1 * DAY);
        const char *old = world_snap_id(&w, noon(2026, 11, 24) - 10 * DAY - 1);
        struct plan *p = world_plan(&w);
        assert_kept(p, old, KEEP_NO_RULE);
        assert_nothing_deleted(p);
        plan_free(p);
}

TEST(retention_hold_tag_is_never_deleted)
{
        struct world w;
        world_retention(&w, noon(2026, 11, 24), (struct retention){.keep_last = 1, .max_age_sec = DAY});
        world_snap(&w, "c", noon(2026, 11, 24) - 3600);
        struct observed_snapshot *held = world_snap(&w, "c", noon(2020, 1, 1));
        world_snap_tag(&w, held, TAG_HOLD, "");
        struct observed_snapshot *old = world_snap(&w, "c", noon(2020, 1, 2));
        struct plan *p = world_plan(&w);
        assert_kept(p, held->identifier, KEEP_HOLD);
        assert_deleted(p, old->identifier, DELETE_MAX_AGE);
        plan_free(p);
}

TEST(retention_creating_snapshots_are_left_alone)
{
        struct world w;
        world_retention(&w, noon(2026, 11, 24), (struct retention){.keep_last = 1, .max_age_sec = DAY});
        const char *newest = world_snap_id(&w, noon(2026, 11, 24) - 60);
        struct observed_snapshot *creating = world_agent_snap(
            &w, WORLD_REGION, "c", noon(2026, 11, 24) - 3600, PLAN_TIME_UNKNOWN, "creating", NULL, NULL);
        struct observed_snapshot *copying = world_agent_snap(&w, WORLD_REGION, "c", noon(2020, 1, 1),
                                                             noon(2020, 1, 1), "copying", NULL, NULL);
        struct plan *p = world_plan(&w);
        assert_kept(p, newest, KEEP_NEWEST | KEEP_LAST);
        assert_kept(p, creating->identifier, KEEP_NOT_AVAILABLE);
        assert_kept(p, copying->identifier, KEEP_NOT_AVAILABLE);
        assert_nothing_deleted(p);
        ck_assert_uint_eq(plan_count(p, ACTION_POLL), 2);
        plan_free(p);
}

TEST(ownership_never_deletes_automated_foreign_or_continuous)
{
        struct world w;
        world_retention(&w, noon(2026, 11, 24), (struct retention){.keep_last = 1, .max_age_sec = DAY});
        w.pol[0].aws_backup_manage = true;
        w.pol[0].aws_backup_retention = (struct retention){.max_age_sec = 1000 * DAY};
        const char *mine = world_snap_id(&w, noon(2026, 11, 24));
        const char *auto1 = world_snap_full(&w, WORLD_REGION, "c", "rds:c-2020-01-01", noon(2020, 1, 1),
                                            "available", "automated", false)
                                ->identifier;
        /* The ownership tag does not make an automated or continuous snapshot ours. */
        const char *auto2 = world_snap_full(&w, WORLD_REGION, "c", "auto-typed", noon(2020, 1, 2),
                                            "available", "automated", true)
                                ->identifier;
        const char *cont = world_snap_full(&w, WORLD_REGION, "c", "continuous:cluster-c", noon(2020, 1, 3),
                                           "available", "awsbackup", true)
                               ->identifier;
        const char *foreign =
            world_snap_full(&w, WORLD_REGION, "c", "by-hand", noon(2020, 1, 4), "available", "manual", false)
                ->identifier;
        struct plan *p = world_plan(&w);
        assert_kept(p, mine, KEEP_NEWEST);
        assert_kept(p, auto1, KEEP_ORIGIN);
        assert_kept(p, auto2, KEEP_ORIGIN);
        assert_kept(p, cont, KEEP_ORIGIN);
        assert_kept(p, foreign, KEEP_ORIGIN);
        assert_nothing_deleted(p);
        ck_assert_int_eq(plan_verdict_of(p, cont)->origin, ORIGIN_AWS_BACKUP_CONTINUOUS);
        plan_free(p);
}

/* Policy "prod" keeps the newest one and 30 days; `cluster` has the agent's snapshot of yesterday, so
 * that any older snapshot of the agent's past 30 days is one retention deletes. */
static struct observed_cluster *managed_world(struct world *w, const char *cluster)
{
        world_init(w, noon(2026, 11, 24));
        w->pol[0].retention = (struct retention){.keep_last = 1, .max_age_sec = 30 * DAY};
        struct observed_cluster *c = world_cluster(w, cluster, "available");
        world_snap(w, cluster, noon(2026, 11, 23));
        return c;
}

TEST(ownership_managed_by_tag_alone_never_makes_a_snapshot_deletable)
{
        /* A DBA's 200-day-old snapshot carrying the agent's managed-by and policy tags, no slot tag. */
        struct world w;
        managed_world(&w, "db-00");
        struct observed_snapshot *forged =
            world_snap_full(&w, WORLD_REGION, "db-00", "db-00-compliance-hold-2026",
                            noon(2026, 11, 24) - 200 * DAY, "available", "manual", true);
        struct plan *p = world_plan(&w);
        assert_kept(p, forged->identifier, KEEP_ORIGIN);
        ck_assert_int_eq(plan_verdict_of(p, forged->identifier)->origin, ORIGIN_FOREIGN_MANUAL);
        assert_nothing_deleted(p);
        plan_free(p);
}

TEST(ownership_copy_made_with_copy_tags_is_never_deleted)
{
        /* An operator's CopyDBClusterSnapshot of the agent's snapshot with CopyTags=true: every tag of the
         * agent's (slot included), under a name the agent never gives. */
        struct world w;
        managed_world(&w, "db-00");
        struct observed_snapshot *src = world_snap(&w, "db-00", noon(2026, 11, 24) - 100 * DAY);
        struct observed_snapshot *copy =
            world_snap_full(&w, WORLD_REGION, "db-00", "db-00-keep-forever-copy",
                            noon(2026, 11, 24) - 90 * DAY, "available", "manual", true);
        world_snap_tag(&w, copy, TAG_SLOT, plan_tag_get(src->tags, src->n_tags, TAG_SLOT));
        struct plan *p = world_plan(&w);
        assert_kept(p, copy->identifier, KEEP_ORIGIN);
        assert_deleted(p, src->identifier, DELETE_MAX_AGE); /* the agent's own original is */
        ck_assert_str_eq(plan_only(p, ACTION_DELETE_RDS)->snapshot, src->identifier);
        plan_free(p);
}

TEST(ownership_snapshot_of_another_or_no_configured_policy_is_kept_and_reported)
{
        struct world w;
        managed_world(&w, "c");
        w.pol[1] = (struct policy){.name = (char *)"staging", .clusters = NULL};
        w.cfg.n_policies = 2;
        struct observed_snapshot *other = world_snap(&w, "c", noon(2026, 11, 24) - 100 * DAY);
        struct observed_snapshot *gone = world_snap(&w, "c", noon(2026, 11, 24) - 101 * DAY);
        /* world_snap tags "prod"; the first occurrence of a key wins, so retag by rewriting the value. */
        ((struct tag *)other->tags)[1].value = (char *)"staging";
        ((struct tag *)gone->tags)[1].value = (char *)"renamed-long-ago";
        struct plan *p = world_plan(&w);
        assert_kept(p, other->identifier, KEEP_OTHER_POLICY);
        assert_kept(p, gone->identifier, KEEP_OTHER_POLICY);
        assert_nothing_deleted(p);
        ck_assert_uint_eq(plan_count(p, ACTION_REFUSED), 2);
        for (size_t i = 0; i < p->n_actions; i++) {
                const struct plan_action *a = &p->actions[i];
                if (a->kind != ACTION_REFUSED)
                        continue;
                if (streq(a->snapshot, other->identifier))
                        ck_assert_ptr_nonnull(strstr(a->rule,
                                                     "aurora-backup:policy=staging, but cluster c is "
                                                     "selected by policy prod: kept, never deleted"));
                else
                        ck_assert_ptr_nonnull(strstr(a->rule, "names no configured policy"));
        }
        plan_free(p);
}

TEST(retention_deletes_nothing_for_a_cluster_with_an_unreadable_snapshot)
{
        struct world w;
        managed_world(&w, "c")->snapshots_incomplete = true;
        const char *old = world_snap_id(&w, noon(2026, 11, 24) - 100 * DAY);
        struct plan *p = world_plan(&w);
        assert_kept(p, old, KEEP_INCOMPLETE);
        assert_nothing_deleted(p);
        ck_assert_ptr_nonnull(strstr(plan_only(p, ACTION_REFUSED)->rule, "could not be read"));
        plan_free(p);
}

/* Cluster c with three AWS Backup snapshots: a new and an old "manual" one, and an old one tagged as ours
 * (still AWS Backup's: the prefix wins), under a 35-day AWS Backup retention. */
static void awsbackup_world(struct world *w, const char **ret_new_manual, const char **ret_old_manual,
                            const char **ret_old_backup)
{
        world_init(w, noon(2026, 11, 24));
        w->pol[0].aws_backup_retention = (struct retention){.max_age_sec = 35 * DAY};
        world_cluster(w, "c", "available");
        *ret_new_manual = world_snap_full(w, WORLD_REGION, "c", "awsbackup:job-new", noon(2026, 11, 20),
                                          "available", "manual", false)
                              ->identifier;
        *ret_old_manual = world_snap_full(w, WORLD_REGION, "c", "awsbackup:job-old-manual", noon(2026, 1, 1),
                                          "available", "manual", false)
                              ->identifier;
        *ret_old_backup = world_snap_full(w, WORLD_REGION, "c", "awsbackup:job-old-typed", noon(2026, 1, 2),
                                          "available", "awsbackup", true)
                              ->identifier;
}

TEST(awsbackup_snapshots_are_kept_when_aws_backup_is_not_managed)
{
        struct world w;
        const char *new_manual, *old_manual, *old_backup;

        awsbackup_world(&w, &new_manual, &old_manual, &old_backup);
        struct plan *p = world_plan(&w); /* manage is off */
        assert_kept(p, old_manual, KEEP_BACKUP_OFF);
        assert_kept(p, old_backup, KEEP_BACKUP_OFF);
        assert_nothing_deleted(p);
        plan_free(p);
}

TEST(awsbackup_snapshots_are_deleted_only_through_aws_backup)
{
        struct world w;
        const char *new_manual, *old_manual, *old_backup;

        awsbackup_world(&w, &new_manual, &old_manual, &old_backup);
        w.pol[0].aws_backup_manage = true;
        struct plan *p = world_plan(&w);
        assert_kept(p, new_manual, KEEP_NEWEST);
        assert_deleted(p, old_manual, DELETE_MAX_AGE);
        assert_deleted(p, old_backup, DELETE_MAX_AGE);
        ck_assert_uint_eq(plan_count(p, ACTION_DELETE_BACKUP), 2);
        ck_assert_uint_eq(plan_count(p, ACTION_DELETE_RDS), 0);
        ck_assert_int_eq(plan_verdict_of(p, old_manual)->group, GROUP_AWS_BACKUP);
        plan_free(p);
}

TEST(ownership_agent_snapshots_of_unselected_clusters_are_unmanaged)
{
        struct world w;
        world_init(&w, noon(2026, 11, 24));
        w.pol[0].retention = (struct retention){.keep_last = 1};
        world_snap(&w, "gone", noon(2026, 11, 1));
        const char *old = world_snap(&w, "gone", noon(2026, 10, 1))->identifier;
        struct plan *p = world_plan(&w);
        assert_kept(p, old, KEEP_UNMANAGED);
        ck_assert_ptr_null(plan_verdict_of(p, old)->policy);
        assert_nothing_deleted(p);
        plan_free(p);
}

/* Quota: limit 10, reserve 2: creations only while the count stays <= 8. */
static void quota_world(struct world *w, int manual, int expired)
{
        world_init(w, 0);
        w->pol[0].quota_limit = 10;
        w->pol[0].quota_reserve = 2;
        w->pol[0].retention = (struct retention){.max_age_sec = 30 * DAY};
        world_cluster(w, "c", "available");
        struct slot sl = world_slot(w, "c", T(2026, 11, 24, 2, 59));
        w->in.now = sl.start;
        for (int i = 0; i < manual; i++)
                world_snap(w, "c", sl.start - (i + 1) * DAY - (i < manual - expired ? 0 : 100 * DAY));
        /* Never counted: automated and AWS Backup. */
        world_snap_full(w, WORLD_REGION, "c", "rds:c-1", sl.start - DAY, "available", "automated", false);
        world_snap_full(w, WORLD_REGION, "c", "awsbackup:job-1", sl.start - DAY, "available", "manual",
                        false);
}

/* With room in the quota the slot's snapshot is created; without, the quota's exhaustion is reported
 * instead: never both, never neither. */
static void assert_quota_room(const struct plan *p, bool room)
{
        ck_assert_uint_eq(plan_count(p, ACTION_CREATE), room ? 1 : 0);
        ck_assert_uint_eq(plan_count(p, ACTION_QUOTA_EXHAUSTED), room ? 0 : 1);
}

TEST(quota_create_allowed_exactly_at_the_edge)
{
        struct world w;
        quota_world(&w, 7, 0); /* 7 + 1 = 8 = 10 - 2 */
        struct plan *p = world_plan(&w);
        assert_quota_room(p, true);
        plan_free(p);
}

TEST(quota_exhausted_one_past_the_edge_deletes_nothing_unexpired)
{
        struct world w;
        quota_world(&w, 8, 0);
        /* A foreign manual snapshot counts too. */
        struct plan *p = world_plan(&w);
        assert_quota_room(p, false);
        assert_nothing_deleted(p);
        plan_free(p);

        quota_world(&w, 7, 0);
        world_snap_full(&w, WORLD_REGION, "other", "by-hand", 1, "available", "manual", false);
        p = world_plan(&w);
        assert_quota_room(p, false);
        plan_free(p);
}

TEST(quota_counts_this_cycles_deletions_first)
{
        struct world w;
        quota_world(&w, 9, 2); /* 9 - 2 expired + 1 = 8 */
        struct plan *p = world_plan(&w);
        ck_assert_uint_eq(plan_count(p, ACTION_DELETE_RDS), 2);
        assert_quota_room(p, true);
        /* Deletions come before creations. */
        ck_assert_int_eq(p->actions[0].kind, ACTION_DELETE_RDS);
        ck_assert_int_eq(p->actions[2].kind, ACTION_CREATE);
        plan_free(p);
}

TEST(quota_counts_open_ledger_creates_not_yet_observed)
{
        struct world w;
        quota_world(&w, 7, 0);
        world_ledger(&w, ACTION_CREATE, "x", "aba-x-20261124t0200", WORLD_REGION);
        struct plan *p = world_plan(&w);
        assert_quota_room(p, false);
        plan_free(p);
}

TEST(shard_other_agents_policy_leaves_its_clusters_alone)
{
        struct world w;
        world_init(&w, time_from_civil(2026, 11, 24, 2, 59, 0));
        w.pol[0].retention.keep_last = 1;
        world_cluster(&w, "c", "available");
        world_snap(&w, "c", time_from_civil(2026, 11, 20, 2, 10, 0));
        world_snap(&w, "c", time_from_civil(2026, 11, 21, 2, 10, 0));

        /* Which of two shards "prod" falls in, by the documented hash. */
        unsigned mine = plan_policy_shard("prod", 2);
        ck_assert_uint_ge(mine, 1);
        ck_assert_uint_le(mine, 2);
        w.cfg.agent.shard_count = 2;
        w.cfg.agent.shard_index = mine == 1 ? 2 : 1; /* the other shard */
        struct plan *p = world_plan(&w);
        ck_assert_uint_eq(p->n_actions, 0); /* no create, no delete: the other agent's cluster */
        for (size_t i = 0; i < p->n_verdicts; i++) {
                ck_assert(!p->verdicts[i].deleted);
                ck_assert(p->verdicts[i].keep & KEEP_UNMANAGED);
        }
        plan_free(p);

        w.cfg.agent.shard_index = mine;
        p = world_plan(&w);
        ck_assert_uint_eq(plan_count(p, ACTION_CREATE), 1);
        ck_assert_uint_eq(plan_count(p, ACTION_DELETE_RDS), 1);
        plan_free(p);
}
