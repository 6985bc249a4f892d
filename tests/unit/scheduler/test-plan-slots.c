/* Slots: create now, retry, in flight, done, missed, wake-up, identifiers and tags on creates. */
#include "plan-world.h"
#include "snapshot-id.h"

TEST_FILE("plan-slots");

#define T(y, mo, d, h, mi) time_from_civil(y, mo, d, h, mi, 0)

/* prod-db planned in its open window at 02:45: its slot, the plan (the test frees it), its one create. */
struct open_window {
        struct world w;
        struct slot slot;
        struct plan *plan;
        const struct plan_action *create;
};

static void open_window_plan(struct open_window *o)
{
        world_init(&o->w, T(2026, 11, 24, 2, 45));
        world_cluster(&o->w, "prod-db", "available");
        o->slot = world_slot(&o->w, "prod-db", o->w.in.now);
        o->plan = world_plan(&o->w);
        o->create = plan_only(o->plan, ACTION_CREATE);
}

/* Nothing for `cluster` now, neither a create nor a missed window: the plan wakes for its next slot. */
static void assert_nothing_until_next_slot(struct world *w, const char *cluster)
{
        struct plan *p = world_plan(w);
        ck_assert_uint_eq(plan_count(p, ACTION_CREATE), 0);
        ck_assert_uint_eq(plan_count(p, ACTION_MISSED), 0);
        ck_assert_int_eq(p->next_wakeup, world_next_slot(w, cluster, w->in.now).start);
        plan_free(p);
}

TEST(plan_creates_in_open_window)
{
        struct open_window o;
        open_window_plan(&o);
        ck_assert_str_eq(o.create->region, WORLD_REGION);
        ck_assert_str_eq(o.create->policy, "prod");
        ck_assert_int_eq(o.create->slot_start, o.slot.start);
        ck_assert_ptr_nonnull(o.create->rule);
        plan_free(o.plan);
}

TEST(create_names_its_snapshot_from_policy_cluster_and_slot)
{
        struct open_window o;
        char id[PLAN_SNAPSHOT_ID_MAX];
        open_window_plan(&o);
        ck_assert_int_eq(plan_snapshot_identifier("aba", "prod-db", o.slot.start, id), 0);
        ck_assert_str_eq(o.create->snapshot, id);
        plan_free(o.plan);
}

TEST(create_carries_the_agents_tags)
{
        struct open_window o;
        char iso[TIME_ISO8601_MAX];
        open_window_plan(&o);
        ck_assert_str_eq(plan_action_tag(o.create, TAG_MANAGED_BY), TAG_MANAGED_BY_VALUE);
        ck_assert_str_eq(plan_action_tag(o.create, TAG_POLICY), "prod");
        ck_assert_str_eq(plan_action_tag(o.create, TAG_SLOT), time_format_iso8601(o.slot.start, iso));
        plan_free(o.plan);
}

TEST(create_in_progress_looks_again_in_a_minute)
{
        struct open_window o;
        open_window_plan(&o);
        ck_assert_int_eq(o.plan->next_wakeup, o.w.in.now + PLAN_POLL_INTERVAL_SEC);
        plan_free(o.plan);
}

TEST(plan_waits_for_the_slot_start_inside_the_window)
{
        struct world w;
        world_init(&w, T(2026, 11, 24, 2, 0));
        world_cluster(&w, "c", "available");
        struct slot sl = world_slot(&w, "c", w.in.now);
        if (sl.start == sl.open) /* offset 0 for this name: look one second before the window instead */
                w.in.now = sl.open - 1;
        else
                w.in.now = sl.start - 1;
        struct plan *p = world_plan(&w);
        ck_assert_uint_eq(p->n_actions, 0);
        ck_assert_int_eq(p->next_wakeup, sl.start);
        plan_free(p);
}

TEST(plan_retries_inside_the_window_when_cluster_not_available)
{
        struct world w;
        struct slot sl = world_at_slot(&w, "c", "backing-up", 10);
        struct plan *p = world_plan(&w);
        ck_assert_uint_eq(plan_count(p, ACTION_CREATE), 0);
        const struct plan_action *a = plan_find(p, ACTION_WAIT);
        ck_assert_ptr_nonnull(a);
        ck_assert_int_eq(a->retry_at, sl.start + 60);
        ck_assert_str_eq(a->status, "backing-up");
        ck_assert_int_eq(p->next_wakeup, sl.start + 60);
        plan_free(p);

        /* Later retries back off, and never go past the window close. */
        w.in.now = sl.start + 150;
        p = world_plan(&w);
        ck_assert_int_eq(plan_find(p, ACTION_WAIT)->retry_at, sl.start + 300);
        plan_free(p);
        w.in.now = sl.close - 5;
        p = world_plan(&w);
        ck_assert_int_eq(plan_find(p, ACTION_WAIT)->retry_at, sl.close);
        ck_assert_int_le(p->next_wakeup, sl.close);
        plan_free(p);
}

TEST(plan_polls_a_creating_snapshot_and_never_creates_twice)
{
        struct world w;
        struct slot sl = world_at_slot(&w, "c", "available", 120);
        const char *id = world_slot_id(&w, "c", sl.start);
        world_agent_snap(&w, WORLD_REGION, "c", sl.start, PLAN_TIME_UNKNOWN, "creating", NULL, NULL);
        struct plan *p = world_plan(&w);
        ck_assert_uint_eq(plan_count(p, ACTION_CREATE), 0);
        const struct plan_action *a = plan_find(p, ACTION_POLL);
        ck_assert_ptr_nonnull(a);
        ck_assert_str_eq(a->snapshot, id);
        ck_assert_str_eq(a->status, "creating");
        ck_assert_int_eq(p->next_wakeup, w.in.now + PLAN_POLL_INTERVAL_SEC);
        /* A creating snapshot is left alone by retention. */
        const struct snapshot_verdict *v = plan_verdict_of(p, id);
        ck_assert(!v->deleted);
        ck_assert(v->keep & KEEP_NOT_AVAILABLE);
        plan_free(p);
}

TEST(plan_open_ledger_create_is_in_flight_not_created_again)
{
        struct world w;
        struct slot sl = world_at_slot(&w, "c", "available", 60);
        const char *id = world_slot_id(&w, "c", sl.start);
        world_ledger(&w, ACTION_CREATE, "c", id, WORLD_REGION)->slot_start = sl.start;
        struct plan *p = world_plan(&w);
        ck_assert_uint_eq(plan_count(p, ACTION_CREATE), 0);
        ck_assert_str_eq(plan_only(p, ACTION_POLL)->snapshot, id);
        plan_free(p);
}

TEST(plan_slot_done_by_slot_tag_of_an_agent_snapshot)
{
        struct world w;
        struct slot sl = world_at_slot(&w, "c", "available", 60);
        char iso[TIME_ISO8601_MAX];
        struct observed_snapshot *s = world_snap(&w, "c", sl.start + 5);
        world_snap_tag(&w, s, TAG_SLOT, time_format_iso8601(sl.start, iso));
        assert_nothing_until_next_slot(&w, "c");
}

TEST(plan_slot_done_by_any_snapshot_with_the_identifier)
{
        struct world w;
        struct slot sl = world_at_slot(&w, "c", "available", 60);
        const char *id = world_slot_id(&w, "c", sl.start);
        /* Someone else (no ownership tag) already holds the name: AlreadyExists would answer; done. */
        world_snap_full(&w, WORLD_REGION, "c", id, sl.start + 1, "available", "manual", false);
        ck_assert_uint_eq(world_plan_count(&w, ACTION_CREATE), 0);
}

TEST(plan_window_wrapping_midnight_creates_after_midnight)
{
        struct world w;
        world_init(&w, T(2026, 11, 25, 0, 20));
        w.pol[0].window = (struct window){.start_min = 23 * 60 + 30, .end_min = 30};
        world_cluster(&w, "night", "available");
        struct plan *p = world_plan(&w);
        const struct plan_action *a = plan_find(p, ACTION_CREATE);
        ck_assert_ptr_nonnull(a);
        /* The slot belongs to the window that opened on the 24th at 23:30. */
        ck_assert_int_ge(a->slot_start, T(2026, 11, 24, 23, 30));
        ck_assert_int_lt(a->slot_start, T(2026, 11, 25, 0, 0));
        ck_assert_ptr_nonnull(strstr(a->snapshot, "aba-night-20261124t23"));
        plan_free(p);

        /* At 00:30 that window has closed. */
        w.in.now = T(2026, 11, 25, 0, 30);
        ck_assert_uint_eq(world_plan_count(&w, ACTION_CREATE), 0);
}

TEST(plan_missed_once_for_most_recent_closed_slot)
{
        struct world w;
        world_init(&w, T(2026, 11, 24, 12, 0));
        world_cluster(&w, "c", "available");
        world_snap(&w, "c", T(2026, 11, 20, 2, 10)); /* the agent knows this cluster */
        struct slot sl = world_slot(&w, "c", w.in.now);
        struct plan *p = world_plan(&w);
        ck_assert_int_eq(plan_only(p, ACTION_MISSED)->slot_start, sl.start);
        ck_assert_uint_eq(plan_count(p, ACTION_CREATE), 0);
        plan_free(p);

        /* Reported once: the history entry says so. */
        world_history(&w, "c", sl.start, false);
        ck_assert_uint_eq(world_plan_count(&w, ACTION_MISSED), 0);
}

TEST(plan_first_slot_of_a_new_cluster_is_not_missed)
{
        struct world w;
        world_init(&w, T(2026, 11, 24, 12, 0));
        world_cluster(&w, "fresh", "available");
        assert_nothing_until_next_slot(&w, "fresh");
}

TEST(plan_slot_before_the_agents_first_snapshot_is_not_missed)
{
        /* The agent's first snapshot of the cluster was taken today (in the open window): yesterday's
         * slot is before the agent's time, not a missed window. */
        struct world w;
        struct slot today = world_at_slot(&w, "c", "available", 120);
        world_snap(&w, "c", today.start + 5);
        world_history(&w, "c", today.start, true);
        ck_assert_uint_eq(world_plan_count(&w, ACTION_MISSED), 0);

        /* With a snapshot from the day before yesterday, yesterday's empty slot is missed. */
        world_snap(&w, "c", T(2026, 11, 22, 2, 10));
        ck_assert_uint_eq(world_plan_count(&w, ACTION_MISSED), 1);
}

TEST(plan_missed_previous_slot_reported_while_next_window_is_open)
{
        struct world w;
        world_init(&w, 0);
        world_cluster(&w, "c", "available");
        world_history(&w, "c", T(2026, 11, 1, 2, 0), true);
        struct slot today = world_slot(&w, "c", T(2026, 11, 24, 2, 59));
        struct slot yesterday = world_slot(&w, "c", T(2026, 11, 23, 2, 59));
        w.in.now = today.start;
        struct plan *p = world_plan(&w);
        ck_assert_uint_eq(plan_count(p, ACTION_CREATE), 1);
        ck_assert_int_eq(plan_only(p, ACTION_MISSED)->slot_start, yesterday.start);
        plan_free(p);
}

TEST(plan_monthly_last_schedule_creates_on_leap_day)
{
        struct world w;
        world_init(&w, T(2028, 2, 29, 2, 59));
        w.pol[0].every = (struct schedule){.kind = SCHEDULE_MONTHLY, .mday = SCHEDULE_MDAY_LAST};
        world_cluster(&w, "c", "available");
        struct plan *p = world_plan(&w);
        ck_assert_ptr_nonnull(strstr(plan_only(p, ACTION_CREATE)->snapshot, "20280229t02"));
        /* The next slot is the end of March. */
        ck_assert_int_le(p->next_wakeup, T(2028, 3, 31, 3, 0));
        plan_free(p);

        w.in.now = T(2028, 2, 28, 2, 59);
        p = world_plan(&w);
        ck_assert_uint_eq(plan_count(p, ACTION_CREATE), 0);
        ck_assert_int_ge(p->next_wakeup, T(2028, 2, 29, 2, 0));
        plan_free(p);
}

TEST(plan_cluster_window_from_preferred_backup_window)
{
        struct world w;
        world_init(&w, T(2026, 11, 24, 5, 59));
        w.pol[0].window_from_cluster = true;
        struct observed_cluster *c = world_cluster(&w, "c", "available");
        struct plan *p = world_plan(&w);
        ck_assert_uint_eq(plan_count(p, ACTION_REFUSED), 1);
        ck_assert_uint_eq(plan_count(p, ACTION_CREATE), 0);
        plan_free(p);

        c->has_preferred_window = true;
        c->preferred_window = (struct window){.start_min = 5 * 60, .end_min = 6 * 60};
        ck_assert_uint_eq(world_plan_count(&w, ACTION_CREATE), 1);
}

TEST(plan_policy_selection_first_match_by_region_glob_and_tags)
{
        struct world w;
        world_init(&w, T(2026, 11, 24, 2, 59));
        char *globs[] = {(char *)"prod-*", NULL};
        struct tag env = {(char *)"env", (char *)"production"};
        w.pol[0].clusters = globs;
        w.pol[0].match_tags = &env;
        w.pol[0].n_match_tags = 1;
        w.pol[1] = w.pol[0];
        w.pol[1].name = (char *)"catch-all";
        w.pol[1].clusters = NULL;
        w.pol[1].match_tags = NULL;
        w.pol[1].n_match_tags = 0;
        w.pol[2] = w.pol[1];
        w.pol[2].name = (char *)"elsewhere";
        w.pol[2].region = (char *)"us-east-1";
        w.cfg.n_policies = 3;
        struct observed_cluster *a = world_cluster(&w, "prod-a", "available");
        a->tags = &env;
        a->n_tags = 1;
        world_cluster(&w, "prod-b", "available"); /* no tag: the catch-all */
        world_cluster(&w, "dev-c", "available");  /* catch-all too */
        struct observed_cluster *far = world_cluster(&w, "prod-far", "available");
        far->region = "ap-south-1"; /* no policy in that region */
        struct plan *p = world_plan(&w);
        ck_assert_uint_eq(plan_count(p, ACTION_CREATE), 3);
        for (size_t i = 0; i < p->n_actions; i++) {
                const struct plan_action *x = &p->actions[i];
                if (x->kind != ACTION_CREATE)
                        continue;
                ck_assert_str_eq(x->policy, strcmp(x->cluster, "prod-a") == 0 ? "prod" : "catch-all");
                ck_assert_str_ne(x->cluster, "prod-far");
        }
        plan_free(p);
}

TEST(plan_build_rejects_missing_config)
{
        struct plan_input in = {.now = 1};
        struct plan *p = (struct plan *)0x1;
        ck_assert_int_eq(plan_build(&in, &p), -EINVAL);
        ck_assert_ptr_eq(p, (struct plan *)0x1);
        ck_assert_int_eq(plan_build(NULL, &p), -EINVAL);
}

TEST(plan_nothing_selected_has_no_wakeup)
{
        struct world w;
        world_init(&w, T(2026, 11, 24, 2, 59));
        struct plan *p = world_plan(&w);
        ck_assert_uint_eq(p->n_actions, 0);
        ck_assert_uint_eq(p->n_verdicts, 0);
        ck_assert_int_eq(p->next_wakeup, PLAN_NO_WAKEUP);
        plan_free(p);
}
