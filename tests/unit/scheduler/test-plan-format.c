/* The plan as text: stable lines, actions then verdicts, the same bytes for the same world. */
#include <stdlib.h>

#include "plan-format.h"
#include "plan-world.h"

TEST_FILE("plan-format");

#define T(y, mo, d, h, mi) time_from_civil(y, mo, d, h, mi, 0)

static void small_world(struct world *w)
{
        world_init(w, T(2026, 11, 24, 2, 59));
        w->pol[0].window = (struct window){.start_min = 120, .end_min = 180};
        w->pol[0].retention = (struct retention){.keep_last = 2, .max_age_sec = 30 * SEC_PER_DAY};
        world_cluster(w, "b", "available");
        world_cluster(w, "a", "backing-up");
        world_snap_full(w, WORLD_REGION, "a", NULL, T(2026, 1, 1, 2, 5), "available", "manual", true);
        world_snap_full(w, WORLD_REGION, "a", NULL, T(2026, 11, 23, 2, 5), "available", "manual", true);
        world_snap_full(w, WORLD_REGION, "a", NULL, T(2026, 11, 22, 2, 5), "available", "manual", true);
        world_snap_full(w, WORLD_REGION, "a", "by hand", T(2026, 1, 1, 2, 5), "available", "manual", false);
        world_snap_full(w, WORLD_REGION, "b", "rds:b-1", T(2026, 11, 23, 2, 5), "available", "automated",
                        false);
}

TEST(format_lists_actions_then_verdicts_in_order)
{
        struct world w;
        small_world(&w);
        struct plan *p = world_plan(&w);
        char *text = NULL;
        ck_assert_int_eq(plan_format_string(p, &text), 0);
        /* The whole text, as `aurora-backupctl plan` will print it. */
        const char *want = "delete-rds policy=prod region=eu-west-1 cluster=a snapshot=aba-a-20260101t0205 "
                           "rule=\"retention: older than max_age=30d\"\n";
        ck_assert_msg(strncmp(text, want, strlen(want)) == 0, "got:\n%s", text);
        ck_assert_ptr_nonnull(
            strstr(text, "\ncreate policy=prod region=eu-west-1 cluster=b snapshot=aba-b-"));
        ck_assert_ptr_nonnull(strstr(text, "\nwait policy=prod region=eu-west-1 cluster=a snapshot=aba-a-"));
        ck_assert_ptr_nonnull(strstr(text, "\nkeep region=eu-west-1 cluster=a snapshot=aba-a-20261123t0205 "
                                           "created=2026-11-23T02:05:00Z status=available origin=agent "
                                           "group=primary policy=prod by=keep-last,newest\n"));
        ck_assert_ptr_nonnull(strstr(text, "\nkeep region=eu-west-1 cluster=a snapshot=\"by hand\" "
                                           "created=2026-01-01T02:05:00Z status=available "
                                           "origin=foreign-manual group=none by=origin\n"));
        ck_assert_ptr_nonnull(strstr(text,
                                     "\ndelete region=eu-west-1 cluster=a snapshot=aba-a-20260101t0205 "
                                     "created=2026-01-01T02:05:00Z status=available origin=agent "
                                     "group=primary policy=prod why=max-age\n"));
        /* One line per action and per verdict. */
        size_t lines = 0;
        for (const char *c = text; *c; c++)
                lines += *c == '\n';
        ck_assert_uint_eq(lines, p->n_actions + p->n_verdicts);
        /* Verdicts: region, cluster, newest first. */
        ck_assert_str_eq(p->verdicts[0].snapshot, "aba-a-20261123t0205");
        ck_assert_str_eq(p->verdicts[p->n_verdicts - 1].snapshot, "rds:b-1");
        free(text);
        plan_free(p);
}

TEST(format_is_byte_identical_for_the_same_world_in_any_order)
{
        struct world w;
        small_world(&w);
        char *a = world_plan_text(&w), *b = world_plan_text(&w);
        assert_same_text(a, b);

        world_reverse(&w);
        char *c = world_plan_text(&w);
        assert_same_text(a, c);
        free(a);
        free(b);
        free(c);
}

TEST(format_is_byte_identical_with_ledger_exports_and_history_in_any_order)
{
        static struct world w;
        static struct copy_target west = {.region = (char *)"us-west-2",
                                          .kms_key = (char *)"arn:aws:kms:us-west-2:111122223333:key/w"};
        static char *accounts[] = {(char *)"111111111111", NULL};
        world_init(&w, T(2026, 11, 24, 2, 59));
        w.pol[0].retention = (struct retention){.keep_last = 2};
        w.pol[0].copies = &west;
        w.pol[0].n_copies = 1;
        w.pol[0].share.accounts = accounts;
        w.pol[0].export_ = (struct export_spec){.enabled = true, .every = {.kind = SCHEDULE_DAILY}};
        const char *names[] = {"c", "a", "d", "b"};
        const struct observed_snapshot *s[4];
        for (int i = 0; i < 4; i++) {
                world_cluster(&w, names[i], i == 2 ? "backing-up" : "available");
                world_snap(&w, names[i], T(2026, 11, 22, 2, 10));
                s[i] = world_snap(&w, names[i], T(2026, 11, 23, 2, 10));
                world_history(&w, names[i], T(2026, 11, 20, 2, 0), true);
        }
        static const char *const ids[] = {"aba-c-x", "aba-a-x", "aba-d-x"};
        for (int i = 0; i < 3; i++) {
                if (i == 1)
                        world_ledger(&w, ACTION_COPY, names[i], ids[i], "us-west-2")->source_region =
                            WORLD_REGION;
                else
                        world_ledger(&w, ACTION_CREATE, names[i], ids[i], WORLD_REGION);
                world_export(&w, ids[i], s[i]->arn, i == 2 ? "STARTING" : "IN_PROGRESS");
        }
        struct plan *p = world_plan(&w);
        char *a = NULL;
        ck_assert_int_eq(plan_format_string(p, &a), 0);
        /* Every kind of thing this world has to say is in it. */
        ck_assert_uint_eq(plan_count(p, ACTION_POLL), 6);
        ck_assert_uint_gt(plan_count(p, ACTION_COPY), 0);
        ck_assert_uint_gt(plan_count(p, ACTION_SHARE), 0);
        plan_free(p);

        world_reverse(&w);
        char *b = world_plan_text(&w);
        assert_same_text(a, b);
        free(a);
        free(b);
}

TEST(format_action_is_one_line_without_newline)
{
        struct world w;
        small_world(&w);
        struct plan *p = world_plan(&w);
        const struct plan_action *a = plan_find(p, ACTION_WAIT);
        ck_assert_ptr_nonnull(a);
        char *line = NULL;
        ck_assert_int_eq(plan_action_format(a, &line), 0);
        ck_assert_ptr_null(strchr(line, '\n'));
        ck_assert(strncmp(line, "wait policy=prod region=eu-west-1 cluster=a ", 44) == 0);
        ck_assert_ptr_nonnull(strstr(line, " status=backing-up slot=2026-11-24T02:"));
        ck_assert_ptr_nonnull(strstr(line, " retry-at=2026-11-24T0"));
        free(line);
        plan_free(p);
}

TEST(plan_owns_its_strings)
{
        struct world w;
        small_world(&w);
        char names[2][16] = {"b", "a"};
        w.clusters[0].identifier = names[0];
        w.clusters[1].identifier = names[1];
        struct plan *p = world_plan(&w);
        char *before = NULL, *after = NULL;
        ck_assert_int_eq(plan_format_string(p, &before), 0);
        /* Scribble over the input: the plan does not borrow from it. */
        memset(names, 'x', sizeof names);
        memset(w.snap_ids, 'x', sizeof w.snap_ids);
        ck_assert_int_eq(plan_format_string(p, &after), 0);
        ck_assert_str_eq(before, after);
        free(before);
        free(after);
        plan_free(p);
}
