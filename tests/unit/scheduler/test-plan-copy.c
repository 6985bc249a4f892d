/* Copies to other regions, shares with other accounts and exports to S3. */
#include "plan-world.h"
#include "snapshot-id.h"

TEST_FILE("plan-copy");

#define T(y, mo, d, h, mi) time_from_civil(y, mo, d, h, mi, 0)
#define WEST "us-west-2"
#define WEST_KEY "arn:aws:kms:us-west-2:111122223333:key/west"
#define SHARE_KEY "arn:aws:kms:eu-west-1:111122223333:key/share"

static struct copy_target west = {.region = (char *)WEST, .kms_key = (char *)WEST_KEY, .copy_tags = true};

/* Noon, outside the 02:00-03:00 window: no create competes with what is tested. */
static struct observed_snapshot *copy_world(struct world *w)
{
        world_init(w, T(2026, 11, 24, 12, 0));
        west.retention = (struct retention){.keep_last = 2};
        w->pol[0].copies = &west;
        w->pol[0].n_copies = 1;
        struct observed_snapshot *s = world_cluster_with_snaps(w, "c", T(2026, 11, 23, 2, 10));
        world_snap_tag(w, s, TAG_SLOT, "2026-11-23T02:10:00Z");
        return s;
}

TEST(copy_newest_snapshot_to_the_target_region_with_tags)
{
        struct world w;
        struct observed_snapshot *src = copy_world(&w);
        struct plan *p = world_plan(&w);
        const struct plan_action *a = plan_only(p, ACTION_COPY);
        ck_assert_str_eq(a->region, WEST);
        ck_assert_str_eq(a->source_region, WORLD_REGION);
        ck_assert_str_eq(a->source_snapshot, src->identifier);
        ck_assert_str_eq(a->snapshot, src->identifier); /* names are per region */
        ck_assert_str_eq(a->kms_key, WEST_KEY);
        ck_assert_str_eq(plan_action_tag(a, PLAN_TAG_COPY), "copy:" WORLD_REGION);
        ck_assert_str_eq(plan_action_tag(a, TAG_MANAGED_BY), TAG_MANAGED_BY_VALUE);
        ck_assert_str_eq(plan_action_tag(a, TAG_SLOT), "2026-11-23T02:10:00Z");
        ck_assert_int_eq(p->next_wakeup, w.in.now + PLAN_POLL_INTERVAL_SEC);
        plan_free(p);
}

TEST(copy_not_repeated_when_done_or_in_flight)
{
        struct world w;
        struct observed_snapshot *src = copy_world(&w);
        /* Observed in the target under its name. */
        world_agent_snap(&w, WEST, "c", T(2026, 11, 23, 2, 10), PLAN_TIME_UNKNOWN, "copying",
                         "copy:" WORLD_REGION, NULL);
        struct plan *p = world_plan(&w);
        ck_assert_uint_eq(plan_count(p, ACTION_COPY), 0);
        ck_assert_uint_eq(plan_count(p, ACTION_POLL), 1);
        plan_free(p);

        /* Observed by its source ARN under another name. */
        src = copy_world(&w);
        struct observed_snapshot *c =
            world_snap_full(&w, WEST, "c", "renamed", T(2026, 11, 23, 3, 0), "available", "manual", true);
        c->source_arn = src->arn;
        ck_assert_uint_eq(world_plan_count(&w, ACTION_COPY), 0);

        /* Started and not yet observed: the ledger says so. */
        src = copy_world(&w);
        world_ledger(&w, ACTION_COPY, "c", src->identifier, WEST)->source_region = WORLD_REGION;
        p = world_plan(&w);
        ck_assert_uint_eq(plan_count(p, ACTION_COPY), 0);
        ck_assert_uint_eq(plan_count(p, ACTION_POLL), 1);
        plan_free(p);
}

TEST(copy_retention_applies_per_target_region)
{
        struct world w;
        copy_world(&w);
        const struct observed_snapshot *ids[4];
        for (int i = 0; i < 4; i++) {
                struct observed_snapshot *s = world_snap_full(
                    &w, WEST, "c", NULL, T(2026, 11, 20 - i, 2, 10), "available", "manual", true);
                world_snap_tag(&w, s, PLAN_TAG_COPY, "copy:" WORLD_REGION);
                ids[i] = s;
        }
        /* A copy from a region this policy does not copy from is not ours to judge. */
        struct observed_snapshot *stray = world_agent_snap(
            &w, WEST, "c", T(2026, 1, 1, 0, 0), T(2026, 1, 1, 0, 0), "available", "copy:ap-south-1", NULL);
        struct plan *p = world_plan(&w);
        ck_assert(!plan_verdict_for(p, ids[0])->deleted);
        ck_assert(!plan_verdict_for(p, ids[1])->deleted);
        ck_assert(plan_verdict_for(p, ids[2])->deleted);
        ck_assert(plan_verdict_for(p, ids[3])->deleted);
        ck_assert_int_eq(plan_verdict_for(p, ids[3])->group, GROUP_COPY);
        ck_assert_uint_eq(plan_verdict_for(p, stray)->keep, KEEP_UNMANAGED);
        ck_assert_uint_eq(plan_count(p, ACTION_DELETE_RDS), 2);
        for (size_t i = 0; i < p->n_actions; i++)
                if (p->actions[i].kind == ACTION_DELETE_RDS)
                        ck_assert_str_eq(p->actions[i].region, WEST);
        plan_free(p);
}

TEST(copy_retention_judges_copies_by_their_source_slot)
{
        /* Two copies made in the same second, the older backup's copy listed first: by create time they
         * tie; by the slots they copy, the copy of the 23rd is the newest and must be the one kept. */
        struct world w;
        copy_world(&w);
        west.retention = (struct retention){.daily = 1};
        struct observed_snapshot *old_copy =
            world_agent_snap(&w, WEST, "c", T(2026, 11, 22, 2, 10), T(2026, 11, 24, 11, 0), "available",
                             "copy:" WORLD_REGION, NULL);
        struct observed_snapshot *new_copy =
            world_agent_snap(&w, WEST, "c", T(2026, 11, 23, 2, 10), T(2026, 11, 24, 11, 0), "available",
                             "copy:" WORLD_REGION, NULL);
        struct plan *p = world_plan(&w);
        ck_assert(!plan_verdict_for(p, new_copy)->deleted);
        ck_assert(plan_verdict_for(p, old_copy)->deleted);
        ck_assert_str_eq(plan_only(p, ACTION_DELETE_RDS)->snapshot, old_copy->identifier);
        plan_free(p);
}

TEST(copy_whose_source_had_no_slot_tag_is_kept_and_not_copied_again)
{
        /* A copy in the target region under the source's name, from before copies carried a slot tag: it is
         * not provably the agent's, so copy retention never deletes it, and it counts as the copy (by its
         * source ARN), so the newest snapshot is not copied again. Twice, as two cycles would. */
        struct world w;
        struct observed_snapshot *src = copy_world(&w);
        west.retention = (struct retention){.keep_last = 1, .max_age_sec = SEC_PER_DAY};
        struct observed_snapshot *old = world_snap_full(&w, WEST, "c", "aba-c-20200101t0210",
                                                        T(2020, 1, 1, 2, 10), "available", "manual", true);
        world_snap_tag(&w, old, PLAN_TAG_COPY, "copy:" WORLD_REGION);
        struct observed_snapshot *untagged = world_snap_full(
            &w, WEST, "c", src->identifier, T(2026, 11, 23, 3, 0), "available", "manual", true);
        world_snap_tag(&w, untagged, PLAN_TAG_COPY, "copy:" WORLD_REGION);
        untagged->source_arn = src->arn;
        for (int cycle = 0; cycle < 2; cycle++) {
                struct plan *p = world_plan(&w);
                ck_assert_uint_eq(plan_count(p, ACTION_COPY), 0);
                ck_assert_uint_eq(plan_count(p, ACTION_DELETE_RDS), 0);
                ck_assert(!plan_verdict_for(p, untagged)->deleted);
                ck_assert(!plan_verdict_for(p, old)->deleted);
                plan_free(p);
        }
}

TEST(copy_waits_at_the_cross_region_copy_limit)
{
        struct world w;
        copy_world(&w);
        for (int i = 0; i < PLAN_CROSS_REGION_COPY_LIMIT; i++) {
                world_agent_snap(&w, WEST, "other", T(2026, 11, 23, 2, i), PLAN_TIME_UNKNOWN, "copying",
                                 "copy:" WORLD_REGION, NULL);
        }
        struct plan *p = world_plan(&w);
        ck_assert_uint_eq(plan_count(p, ACTION_COPY), 0);
        const struct plan_action *a = plan_find(p, ACTION_WAIT);
        ck_assert_ptr_nonnull(a);
        ck_assert_str_eq(a->region, WEST);
        ck_assert_int_eq(a->retry_at, w.in.now + PLAN_POLL_INTERVAL_SEC);
        plan_free(p);

        /* One fewer in flight: the copy starts. */
        w.in.n_snapshots--;
        ck_assert_uint_eq(world_plan_count(&w, ACTION_COPY), 1);
}

TEST(copy_kms_key_for_an_unencrypted_cluster_is_refused_before_any_snapshot)
{
        struct world w;
        world_init(&w, T(2026, 11, 24, 12, 0));
        w.pol[0].copies = &west;
        w.pol[0].n_copies = 1;
        world_cluster(&w, "c", "available")->storage_encrypted = false;
        struct plan *p = world_plan(&w); /* no snapshot yet */
        const struct plan_action *a = plan_only(p, ACTION_REFUSED);
        ck_assert_str_eq(a->region, WEST);
        ck_assert_ptr_nonnull(strstr(a->rule, "not encrypted"));
        ck_assert_uint_eq(plan_count(p, ACTION_COPY), 0);
        plan_free(p);
}

TEST(copy_refused_when_keys_do_not_allow_it)
{
        struct world w;
        struct observed_snapshot *src = copy_world(&w);
        src->encrypted = false;
        src->kms_key_id = NULL;
        struct plan *p = world_plan(&w);
        ck_assert_uint_eq(plan_count(p, ACTION_COPY), 0);
        ck_assert_ptr_nonnull(strstr(plan_only(p, ACTION_REFUSED)->rule, "unencrypted"));
        plan_free(p);

        src = copy_world(&w);
        west.kms_key = NULL;
        p = world_plan(&w);
        west.kms_key = (char *)WEST_KEY;
        ck_assert_uint_eq(plan_count(p, ACTION_COPY), 0);
        ck_assert_ptr_nonnull(strstr(plan_find(p, ACTION_REFUSED)->rule, "kms_key"));
        plan_free(p);
}

TEST(copy_needs_quota_in_the_target_region)
{
        struct world w;
        copy_world(&w);
        w.pol[0].quota_limit = 3;
        w.pol[0].quota_reserve = 0;
        for (int i = 0; i < 3; i++)
                world_snap_full(&w, WEST, "someone", NULL, T(2026, 1, 1, 0, 0), "available", "manual",
                                false);
        struct plan *p = world_plan(&w);
        ck_assert_uint_eq(plan_count(p, ACTION_COPY), 0);
        ck_assert_str_eq(plan_only(p, ACTION_QUOTA_EXHAUSTED)->region, WEST);
        plan_free(p);
}

/* ---- shares ---- */

static char *accounts[] = {(char *)"111111111111", (char *)"222222222222", NULL};

static struct observed_snapshot *share_world(struct world *w)
{
        world_init(w, T(2026, 11, 24, 12, 0));
        w->pol[0].share.accounts = accounts;
        return world_cluster_with_snaps(w, "c", T(2026, 11, 23, 2, 10));
}

TEST(share_newest_with_accounts_not_yet_shared)
{
        struct world w;
        struct observed_snapshot *s = share_world(&w);
        static const char *const one[] = {"222222222222", NULL};
        s->shared_accounts = one;
        struct plan *p = world_plan(&w);
        const struct plan_action *a = plan_find(p, ACTION_SHARE);
        ck_assert_ptr_nonnull(a);
        ck_assert_str_eq(a->snapshot, s->identifier);
        ck_assert_str_eq(a->accounts[0], "111111111111");
        ck_assert_ptr_null(a->accounts[1]);
        ck_assert_uint_eq(plan_count(p, ACTION_COPY), 0);
        plan_free(p);

        static const char *const both[] = {"111111111111", "222222222222", NULL};
        s->shared_accounts = both;
        ck_assert_uint_eq(world_plan_count(&w, ACTION_SHARE), 0);
}

TEST(share_copies_first_under_the_aws_managed_key)
{
        struct world w;
        struct observed_snapshot *s = share_world(&w);
        s->kms_key_id = "arn:aws:kms:eu-west-1:111122223333:alias/aws/rds";
        w.pol[0].share.kms_key = (char *)SHARE_KEY;
        struct plan *p = world_plan(&w);
        ck_assert_uint_eq(plan_count(p, ACTION_SHARE), 0);
        const struct plan_action *a = plan_find(p, ACTION_COPY);
        ck_assert_ptr_nonnull(a);
        ck_assert_str_eq(a->region, WORLD_REGION);
        ck_assert_str_eq(a->source_snapshot, s->identifier);
        ck_assert_str_eq(a->kms_key, SHARE_KEY);
        ck_assert_str_eq(plan_action_tag(a, PLAN_TAG_COPY), "share");
        ck_assert(plan_identifier_is_valid(a->snapshot, 63));
        char copy_id[PLAN_SNAPSHOT_ID_MAX];
        snprintf(copy_id, sizeof copy_id, "%s", a->snapshot);
        plan_free(p);

        /* The copy exists: it is shared, and judged as a share copy. */
        struct observed_snapshot *c = world_agent_snap(&w, WORLD_REGION, "c", T(2026, 11, 23, 2, 10),
                                                       T(2026, 11, 23, 3, 0), "available", "share", "share");
        ck_assert_str_eq(c->identifier, copy_id);
        c->kms_key_id = SHARE_KEY;
        p = world_plan(&w);
        ck_assert_uint_eq(plan_count(p, ACTION_COPY), 0);
        a = plan_find(p, ACTION_SHARE);
        ck_assert_ptr_nonnull(a);
        ck_assert_str_eq(a->snapshot, copy_id);
        ck_assert_int_eq(plan_verdict_of(p, copy_id)->group, GROUP_SHARE_COPY);
        /* The share copy is not the cluster's newest primary snapshot. */
        ck_assert(plan_verdict_for(p, s)->keep & KEEP_NEWEST);
        plan_free(p);
}

TEST(share_refused_without_a_key_for_the_aws_managed_key)
{
        struct world w;
        struct observed_snapshot *s = share_world(&w);
        s->kms_key_aws_managed = true;
        struct plan *p = world_plan(&w);
        ck_assert_uint_eq(plan_count(p, ACTION_SHARE) + plan_count(p, ACTION_COPY), 0);
        ck_assert_ptr_nonnull(strstr(plan_only(p, ACTION_REFUSED)->rule, "share.kms_key"));
        plan_free(p);
}

/* ---- exports ---- */

static struct observed_snapshot *export_world(struct world *w)
{
        world_init(w, T(2026, 12, 2, 12, 0));
        w->pol[0].export_ = (struct export_spec){.enabled = true,
                                                 .bucket = (char *)"exports",
                                                 .iam_role = (char *)"arn:aws:iam::111122223333:role/export",
                                                 .kms_key = (char *)SHARE_KEY,
                                                 .every = {.kind = SCHEDULE_MONTHLY, .mday = 1}};
        return world_cluster_with_snaps(w, "c", T(2026, 12, 1, 2, 10));
}

TEST(export_newest_snapshot_once_per_period)
{
        struct world w;
        struct observed_snapshot *s = export_world(&w);
        struct plan *p = world_plan(&w);
        const struct plan_action *a = plan_only(p, ACTION_EXPORT);
        ck_assert_str_eq(a->source_snapshot, s->identifier);
        ck_assert_str_eq(a->kms_key, SHARE_KEY);
        ck_assert(plan_identifier_is_valid(a->snapshot, 60));
        ck_assert_ptr_nonnull(strstr(a->snapshot, "aba-c-20261201t"));
        ck_assert_int_ge(a->slot_start, T(2026, 12, 1, 0, 0));
        ck_assert_int_lt(a->slot_start, T(2026, 12, 1, 12, 0));
        char task[PLAN_SNAPSHOT_ID_MAX];
        snprintf(task, sizeof task, "%s", a->snapshot);
        plan_free(p);

        /* This period's task exists, even for an older snapshot: nothing more this period. */
        world_export(&w, task, "older", "COMPLETE");
        world_snap(&w, "c", T(2026, 12, 2, 2, 10));
        /* No snapshot schedule to wake for (the cluster reports no window): the next export period's
         * start is the wake-up. */
        w.pol[0].window_from_cluster = true;
        p = world_plan(&w);
        ck_assert_uint_eq(plan_count(p, ACTION_EXPORT), 0);
        ck_assert_int_le(p->next_wakeup, T(2027, 1, 1, 12, 0));
        ck_assert_int_ge(p->next_wakeup, T(2027, 1, 1, 0, 0));
        plan_free(p);
}

TEST(export_skipped_when_the_newest_is_exported_and_polled_while_running)
{
        struct world w;
        struct observed_snapshot *s = export_world(&w);
        world_export(&w, "manual-export", s->arn, "IN_PROGRESS");
        struct plan *p = world_plan(&w);
        ck_assert_uint_eq(plan_count(p, ACTION_EXPORT), 0);
        const struct plan_action *a = plan_find(p, ACTION_POLL);
        ck_assert_ptr_nonnull(a);
        ck_assert_str_eq(a->snapshot, "manual-export");
        ck_assert_str_eq(a->status, "IN_PROGRESS");
        ck_assert_int_eq(p->next_wakeup, w.in.now + PLAN_POLL_INTERVAL_SEC);
        plan_free(p);

        /* A failed export of the snapshot does not count as exported. */
        w.exports[0].status = "FAILED";
        ck_assert_uint_eq(world_plan_count(&w, ACTION_EXPORT), 1);
}
