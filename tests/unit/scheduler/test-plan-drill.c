/* Restore drills in the plan: each step as a plan action with its reason, the short poll while a drill is in
 * progress, clusters that only look like drills, and a drill that continues from the ledger after a restart.
 */
#include "plan-world.h"

#define NOW (time_from_civil(2026, 11, 24, 10, 0, 0))
#define DRILL "aba-rt-db-a-20261124"
#define INSTANCE "aba-rt-db-a-20261124-1"

struct drill_world {
        struct world w;
        struct tag drill_tags[2];
        struct observed_instance instances[4];
        struct drill_record records[8];
        const struct observed_snapshot *newest;
        struct plan *plan; /* the last one planned: dropped by the next, or at the end of the test */
};

/* "prod" drills db-a daily (keep_minutes 30); db-a has two agent snapshots. */
static void drill_world_init(struct drill_world *d, int64_t now)
{
        world_init(&d->w, now);
        d->plan = NULL;
        d->w.pol[0].restore_test = (struct restore_test_spec){
            .enabled = true,
            .every = {.kind = SCHEDULE_DAILY},
            .instance_class = (char *)"db.r6g.large",
            .keep_minutes = 30,
        };
        d->newest = world_cluster_with_snaps(&d->w, "db-a", now - SEC_PER_DAY);
        d->w.clusters[0].engine = "aurora-postgresql";
        d->drill_tags[0] = (struct tag){(char *)TAG_MANAGED_BY, (char *)TAG_MANAGED_BY_VALUE};
        d->drill_tags[1] = (struct tag){(char *)TAG_RESTORE_TEST, (char *)"db-a"};
        d->w.in.instances = d->instances;
        d->w.in.drill_records = d->records;
}

static struct observed_cluster *drill_cluster(struct drill_world *d, const char *id, const char *status)
{
        struct observed_cluster *c = world_cluster(&d->w, id, status);
        c->tags = d->drill_tags;
        c->n_tags = 2;
        c->engine = "aurora-postgresql";
        return c;
}

static void drill_instance(struct drill_world *d, const char *id, const char *cluster, const char *status)
{
        d->instances[d->w.in.n_instances++] = (struct observed_instance){
            .identifier = id, .cluster_identifier = cluster, .region = WORLD_REGION, .status = status};
}

static void drill_record(struct drill_world *d, enum action_kind kind, enum drill_record_state state,
                         const char *resource, const char *target, int64_t started, int64_t finished)
{
        d->records[d->w.in.n_drill_records++] = (struct drill_record){
            .kind = kind,
            .state = state,
            .source_cluster = "db-a",
            .region = WORLD_REGION,
            .resource = resource,
            .target = target,
            .started_at = started,
            .finished_at = state == DRILL_RECORD_OPEN ? 0 : finished,
        };
}

/* The drill restored an hour ago (restore done, from the newest snapshot). */
static void restored(struct drill_world *d, const char *status)
{
        drill_cluster(d, DRILL, status);
        drill_record(d, ACTION_DRILL_RESTORE, DRILL_RECORD_DONE, DRILL, d->newest->identifier, NOW - 3600,
                     NOW - 3600);
}

/* The drill is restored and its instance is available and the cluster's writer. */
static void restored_with_writer(struct drill_world *d)
{
        restored(d, "available");
        d->w.clusters[1].writer = INSTANCE;
        drill_instance(d, INSTANCE, DRILL, "available");
}

static size_t drill_actions(const struct plan *p)
{
        size_t n = 0;
        for (size_t i = 0; i < p->n_actions; i++)
                n += p->actions[i].kind >= ACTION_DRILL_RESTORE;
        return n;
}

/* Plans the world afresh, as each cycle does. */
static const struct plan *replan(struct drill_world *d)
{
        plan_free(d->plan);
        d->plan = world_plan(&d->w);
        return d->plan;
}

/* Plans afresh; the plan's one drill action, of kind `k`, for db-a under "prod" with its reason. */
static const struct plan_action *step(struct drill_world *d, enum action_kind k)
{
        const struct plan *p = replan(d);
        ck_assert_uint_eq(drill_actions(p), 1);
        const struct plan_action *a = plan_only(p, k);
        ck_assert_str_eq(a->policy, "prod");
        ck_assert_str_eq(a->cluster, "db-a");
        ck_assert_str_eq(a->region, WORLD_REGION);
        ck_assert_ptr_nonnull(a->rule);
        return a;
}

/* Every test starts from the world of drill_world_init() at NOW. */
static struct drill_world d;

static void drill_setup(void)
{
        drill_world_init(&d, NOW);
}

static void drill_teardown(void)
{
        d.plan = plan_free(d.plan);
}

TEST_FILE("plan-drill", .checked_setup = drill_setup, .checked_teardown = drill_teardown);

TEST(drill_restores_the_newest_agent_snapshot_and_polls_soon)
{
        const struct plan_action *a = step(&d, ACTION_DRILL_RESTORE);
        ck_assert_str_eq(a->snapshot, DRILL);
        ck_assert_str_eq(a->target, DRILL);
        ck_assert_str_eq(a->source_snapshot, d.newest->identifier);
        ck_assert_ptr_nonnull(strstr(a->rule, "newest available agent snapshot"));
        ck_assert_int_eq(d.plan->next_wakeup, NOW + PLAN_DRILL_POLL_SEC);
}

TEST(drill_point_in_time_restores_the_cluster_itself)
{
        d.w.pol[0].restore_test.source = RESTORE_SOURCE_POINT_IN_TIME;
        d.w.in.n_snapshots = 0; /* no snapshot needed */
        const struct plan_action *a = step(&d, ACTION_DRILL_RESTORE);
        ck_assert_str_eq(a->snapshot, DRILL);
        ck_assert_ptr_null(a->source_snapshot);
        ck_assert_ptr_nonnull(strstr(a->rule, "point-in-time"));
        ck_assert_ptr_nonnull(strstr(a->rule, "latest restorable time"));
}

TEST(drill_without_an_agent_snapshot_fails_and_says_why)
{
        d.w.in.n_snapshots = 0;
        const struct plan_action *a = step(&d, ACTION_DRILL_FAILED);
        ck_assert_str_eq(a->target, DRILL);
        ck_assert_str_eq(a->rule, "no available snapshot made by the agent to restore");
        /* Nothing in progress: the next drill is next period. */
        ck_assert_int_eq(d.plan->next_wakeup <= NOW + PLAN_DRILL_POLL_SEC, false);
}

TEST(drill_waits_while_the_cluster_restores)
{
        restored(&d, "creating");
        const struct plan_action *a = step(&d, ACTION_DRILL_WAIT);
        ck_assert_str_eq(a->status, "creating");
        ck_assert_str_eq(a->target, DRILL);
        ck_assert_ptr_nonnull(strstr(a->rule, "restoring"));
        ck_assert_int_eq(d.plan->next_wakeup, NOW + PLAN_DRILL_POLL_SEC);
}

TEST(drill_creates_the_primary_instance_once_the_cluster_is_available)
{
        restored(&d, "available");
        const struct plan_action *a = step(&d, ACTION_DRILL_INSTANCE);
        ck_assert_str_eq(a->snapshot, INSTANCE);
        ck_assert_str_eq(a->target, DRILL);
        ck_assert_ptr_nonnull(strstr(a->rule, "primary (writer)"));
        ck_assert_int_eq(d.plan->next_wakeup, NOW + PLAN_DRILL_POLL_SEC);
}

TEST(drill_waits_until_the_instance_is_the_writer)
{
        restored(&d, "available");
        drill_instance(&d, INSTANCE, DRILL, "creating");
        drill_record(&d, ACTION_DRILL_INSTANCE, DRILL_RECORD_DONE, INSTANCE, DRILL, NOW - 600, NOW - 600);
        const struct plan_action *a = step(&d, ACTION_DRILL_WAIT);
        ck_assert_str_eq(a->status, "creating");
        ck_assert_ptr_nonnull(strstr(a->rule, "a reader until it is the writer"));
        ck_assert_int_eq(d.plan->next_wakeup, NOW + PLAN_DRILL_POLL_SEC);

        /* Available, but the cluster does not name it its writer yet. */
        d.instances[0].status = "available";
        ck_assert_ptr_nonnull(strstr(step(&d, ACTION_DRILL_WAIT)->rule, "not yet the cluster's writer"));
}

TEST(drill_probes_the_writer_with_the_restore_start)
{
        restored_with_writer(&d);
        drill_record(&d, ACTION_DRILL_INSTANCE, DRILL_RECORD_DONE, INSTANCE, DRILL, NOW - 600, NOW - 600);
        const struct plan_action *a = step(&d, ACTION_DRILL_PROBE);
        ck_assert_str_eq(a->snapshot, INSTANCE);
        ck_assert_str_eq(a->target, DRILL);
        ck_assert_str_eq(a->source_snapshot, d.newest->identifier);
        ck_assert_int_eq(a->since, NOW - 3600);
        ck_assert_ptr_nonnull(strstr(a->rule, "writer"));
}

TEST(drill_is_kept_keep_minutes_then_torn_down_instance_first)
{
        restored_with_writer(&d);
        drill_record(&d, ACTION_DRILL_PROBE, DRILL_RECORD_DONE, INSTANCE, DRILL, NOW - 60, NOW - 60);

        /* Kept: no poll while nothing happens, the wake-up is the teardown time. */
        const struct plan_action *a = step(&d, ACTION_DRILL_WAIT);
        ck_assert_str_eq(a->status, "completed");
        ck_assert_int_eq(a->retry_at, NOW - 60 + 30 * 60);
        ck_assert_int_eq(d.plan->next_wakeup, NOW - 60 + 30 * 60);

        d.w.in.now = NOW - 60 + 30 * 60;
        a = step(&d, ACTION_DRILL_TEARDOWN);
        ck_assert_str_eq(a->snapshot, INSTANCE);
        ck_assert_str_eq(a->target, DRILL);
        ck_assert_int_eq(d.plan->next_wakeup, d.w.in.now + PLAN_DRILL_POLL_SEC);

        d.instances[0].status = "deleting";
        ck_assert_str_eq(step(&d, ACTION_DRILL_WAIT)->status, "deleting");

        d.w.in.n_instances = 0; /* the instance is gone: the cluster goes */
        a = step(&d, ACTION_DRILL_TEARDOWN);
        ck_assert_str_eq(a->snapshot, DRILL);
        ck_assert_str_eq(a->target, DRILL);
}

TEST(drill_keep_minutes_zero_tears_down_right_after_the_probe)
{
        d.w.pol[0].restore_test.keep_minutes = 0;
        restored_with_writer(&d);
        const struct plan *p = replan(&d);

        ck_assert_uint_eq(drill_actions(p), 2);
        size_t probe = SIZE_MAX, teardown = SIZE_MAX;
        for (size_t i = 0; i < p->n_actions; i++) {
                if (p->actions[i].kind == ACTION_DRILL_PROBE)
                        probe = i;
                if (p->actions[i].kind == ACTION_DRILL_TEARDOWN)
                        teardown = i;
        }
        ck_assert_uint_lt(probe, teardown);
        ck_assert_uint_ne(teardown, SIZE_MAX);
        ck_assert_str_eq(p->actions[teardown].snapshot, INSTANCE);
}

TEST(drill_whose_instance_could_not_be_created_is_torn_down)
{
        restored(&d, "available");
        drill_record(&d, ACTION_DRILL_INSTANCE, DRILL_RECORD_FAILED, INSTANCE, DRILL, NOW - 60, NOW - 60);
        const struct plan_action *a = step(&d, ACTION_DRILL_TEARDOWN);
        ck_assert_str_eq(a->snapshot, DRILL);
        ck_assert_ptr_nonnull(strstr(a->rule, "could not be created"));
}

/* The test's world with three clusters that look like the agent's drills but have no restore of theirs in
 * the ledger, planned. */
static const struct plan *lookalike_plan(void)
{
        /* Yesterday's name, the agent's tags, available and with a writer: but no restore in the ledger. */
        struct observed_cluster *yesterday = drill_cluster(&d, "aba-rt-db-a-20261123", "available");
        yesterday->writer = "aba-rt-db-a-20261123-1";
        drill_instance(&d, "aba-rt-db-a-20261123-1", yesterday->identifier, "available");
        /* Another: its only restore was refused by AWS (the name was someone else's). */
        drill_cluster(&d, "aba-rt-db-a-20261122", "available");
        drill_record(&d, ACTION_DRILL_RESTORE, DRILL_RECORD_FAILED, "aba-rt-db-a-20261122",
                     d.newest->identifier, NOW - 2 * SEC_PER_DAY, NOW - 2 * SEC_PER_DAY);
        /* And one whose restore is recorded from another cluster. */
        drill_cluster(&d, "aba-rt-db-a-20261121", "available");
        drill_record(&d, ACTION_DRILL_RESTORE, DRILL_RECORD_DONE, "aba-rt-db-a-20261121", "x",
                     NOW - 3 * SEC_PER_DAY, NOW - 3 * SEC_PER_DAY);
        d.records[d.w.in.n_drill_records - 1].source_cluster = "db-b";
        return replan(&d);
}

TEST(drill_lookalike_is_refused)
{
        const struct plan *p = lookalike_plan();

        ck_assert_uint_eq(plan_count(p, ACTION_REFUSED), 3);
        for (size_t i = 0; i < p->n_actions; i++) {
                const struct plan_action *a = &p->actions[i];
                if (a->kind != ACTION_REFUSED)
                        continue;
                ck_assert(startswith(a->target, "aba-rt-db-a-202611"));
                ck_assert_ptr_nonnull(strstr(a->rule, "ledger has no restore"));
        }
}

TEST(drill_lookalike_is_never_touched)
{
        const struct plan *p = lookalike_plan();

        for (size_t i = 0; i < p->n_actions; i++) {
                const struct plan_action *a = &p->actions[i];
                if (a->kind == ACTION_REFUSED)
                        continue;
                /* Nothing else about them: today's drill is planned as if they were not there. */
                ck_assert_msg(!a->target || streq(a->target, DRILL), "action %s on %s",
                              action_kind_to_string(a->kind), a->target);
        }
        ck_assert_uint_eq(plan_count(p, ACTION_DRILL_RESTORE), 1);
}

TEST(drill_continues_from_the_ledger_after_a_restart)
{
        /* A crash after the restore's intent: recovery settled it as abandoned, and the cluster exists. */
        drill_cluster(&d, DRILL, "available");
        drill_record(&d, ACTION_DRILL_RESTORE, DRILL_RECORD_ABANDONED, DRILL, d.newest->identifier,
                     NOW - 300, NOW - 200);
        ck_assert_str_eq(step(&d, ACTION_DRILL_INSTANCE)->snapshot, INSTANCE);

        /* Its instance's creation was abandoned too and no instance shows: created again (the executor takes
         * "already exists" as done). */
        drill_record(&d, ACTION_DRILL_INSTANCE, DRILL_RECORD_ABANDONED, INSTANCE, DRILL, NOW - 100,
                     NOW - 50);
        ck_assert_str_eq(step(&d, ACTION_DRILL_INSTANCE)->snapshot, INSTANCE);

        /* The instance is the writer: the probe's time to restore runs from the first restore attempt. */
        d.w.clusters[1].writer = INSTANCE;
        drill_instance(&d, INSTANCE, DRILL, "available");
        ck_assert_int_eq(step(&d, ACTION_DRILL_PROBE)->since, NOW - 300);
}

TEST(drill_restore_in_flight_or_done_is_not_made_twice)
{
        /* An intent still open (its answer not known yet), the cluster not observed: wait, no second call.
         */
        drill_record(&d, ACTION_DRILL_RESTORE, DRILL_RECORD_OPEN, DRILL, d.newest->identifier, NOW - 5, 0);
        ck_assert_str_eq(step(&d, ACTION_DRILL_WAIT)->status, "not-yet-observed");
        ck_assert_int_eq(d.plan->next_wakeup, NOW + PLAN_DRILL_POLL_SEC);

        /* Done and torn down since: nothing until the next period, and the plan wakes for it. */
        d.records[0].state = DRILL_RECORD_DONE;
        d.records[0].finished_at = NOW - 5;
        const struct plan *p = replan(&d);
        ck_assert_uint_eq(drill_actions(p), 0);
        ck_assert_int_le(p->next_wakeup, time_from_civil(2026, 11, 25, 0, 0, 0));
        ck_assert_int_gt(p->next_wakeup, NOW + PLAN_DRILL_POLL_SEC);

        d.w.in.now = time_from_civil(2026, 11, 25, 0, 0, 0);
        ck_assert_str_eq(step(&d, ACTION_DRILL_RESTORE)->snapshot, "aba-rt-db-a-20261125");
}

TEST(drill_with_unknown_instances_waits)
{
        restored(&d, "available");
        drill_instance(&d, INSTANCE, DRILL, NULL); /* the agent could not look */
        step(&d, ACTION_DRILL_WAIT);
}

TEST(drill_actions_are_in_the_plan_text)
{
        restored_with_writer(&d);
        char *text = world_plan_text(&d.w);
        ck_assert_msg(strstr(text, "drill-probe policy=prod region=eu-west-1 cluster=db-a snapshot=" INSTANCE
                                   " drill=" DRILL " source="),
                      "%s", text);
        ck_assert_msg(strstr(text, "restore-started=2026-11-24T09:00:00Z"), "%s", text);
        free(text);
}
