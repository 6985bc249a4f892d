/* Snapshot identifiers and origin classification. */
#include <ctype.h>
#include <string.h>

#include "plan.h"
#include "snapshot-id.h"
#include "test-suite.h"
#include "time-util.h"

TEST_FILE("snapshot-id");

/* The slot tag the agent writes for the slot of 2026-01-01 02:15 (its names say "20260101t0215"). */
#define SLOT "2026-01-01T02:15:00Z"

static void assert_valid_rds_id(const char *s)
{
        size_t n = strlen(s);
        ck_assert_uint_le(n, 63);
        ck_assert(isalpha((unsigned char)s[0]));
        ck_assert(s[n - 1] != '-');
        ck_assert_ptr_null(strstr(s, "--"));
        for (size_t i = 0; i < n; i++)
                ck_assert(isalnum((unsigned char)s[i]) || s[i] == '-');
}

TEST(identifier_is_prefix_cluster_slot)
{
        char buf[PLAN_SNAPSHOT_ID_MAX];
        ck_assert_int_eq(
            plan_snapshot_identifier("aba", "prod-db", time_from_civil(2026, 11, 24, 2, 15, 0), buf), 0);
        ck_assert_str_eq(buf, "aba-prod-db-20261124t0215");
        assert_valid_rds_id(buf);
}

TEST(identifier_shortens_long_names_with_hash_suffix)
{
        char a[PLAN_SNAPSHOT_ID_MAX], b[PLAN_SNAPSHOT_ID_MAX];
        const char *l1 = "a-very-long-cluster-name-that-goes-on-and-on-and-on-forever-number-one";
        const char *l2 = "a-very-long-cluster-name-that-goes-on-and-on-and-on-forever-number-two";
        int64_t t = time_from_civil(2026, 1, 1, 0, 0, 0);
        ck_assert_int_eq(plan_snapshot_identifier("aba", l1, t, a), 0);
        ck_assert_int_eq(plan_snapshot_identifier("aba", l2, t, b), 0);
        assert_valid_rds_id(a);
        assert_valid_rds_id(b);
        ck_assert_str_ne(a, b);
        ck_assert_int_eq(plan_snapshot_identifier("aba", "x--y-", t, a), 0);
        assert_valid_rds_id(a);
}

TEST(classify_awsbackup_prefix_wins_over_snapshot_type)
{
        struct observed_snapshot s = {.identifier = "awsbackup:job-1", .snapshot_type = "manual"};
        ck_assert_int_eq(snapshot_classify(&s, "aba"), ORIGIN_AWS_BACKUP);
        s.snapshot_type = "awsbackup";
        ck_assert_int_eq(snapshot_classify(&s, "aba"), ORIGIN_AWS_BACKUP);
        s.identifier = "continuous:cluster-x";
        ck_assert_int_eq(snapshot_classify(&s, "aba"), ORIGIN_AWS_BACKUP_CONTINUOUS);
        s.identifier = "rds:prod-2026";
        ck_assert_int_eq(snapshot_classify(&s, "aba"), ORIGIN_AUTOMATED);
}

/* The agent's own snapshot: its name, the managed-by tag and a slot tag that agrees with the name. */
static struct observed_snapshot owned(struct tag t[static 4], const char *id, const char *slot)
{
        t[0] = (struct tag){(char *)TAG_MANAGED_BY, (char *)TAG_MANAGED_BY_VALUE};
        t[1] = (struct tag){(char *)TAG_SLOT, (char *)slot};
        return (struct observed_snapshot){
            .identifier = id, .cluster_identifier = "x", .snapshot_type = "manual", .tags = t, .n_tags = 2};
}

/* The origin that `prefix` gives a snapshot of `cluster` named `id` with the agent's managed-by tag and,
 * unless `slot` is NULL, a slot tag `slot`. */
static enum snapshot_origin origin_of_owned(const char *prefix, const char *cluster, const char *id,
                                            const char *slot)
{
        struct tag t[4];
        struct observed_snapshot s = owned(t, id, slot);
        s.cluster_identifier = cluster;
        s.n_tags = slot ? 2 : 1;
        return snapshot_classify(&s, prefix);
}

TEST(snapshot_with_name_managed_by_and_agreeing_slot_is_the_agents)
{
        ck_assert_int_eq(origin_of_owned("aba", "x", "aba-x-20260101t0215", SLOT), ORIGIN_AGENT);
}

TEST(managed_by_tag_alone_does_not_make_a_snapshot_the_agents)
{
        ck_assert_int_eq(origin_of_owned("aba", "x", "db-00-compliance-hold-2026", SLOT),
                         ORIGIN_FOREIGN_MANUAL);
        /* the managed-by tag only */
        ck_assert_int_eq(origin_of_owned("aba", "x", "db-00-compliance-hold-2026", NULL),
                         ORIGIN_FOREIGN_MANUAL);
}

TEST(copy_with_copied_tags_under_another_name_is_not_the_agents)
{
        /* An operator's CopyDBClusterSnapshot with CopyTags=true: every tag of the agent's, another name. */
        ck_assert_int_eq(origin_of_owned("aba", "db-00", "db-00-keep-forever-copy", SLOT),
                         ORIGIN_FOREIGN_MANUAL);
}

TEST(slot_tag_disagreeing_with_the_name_is_not_the_agents)
{
        ck_assert_int_eq(origin_of_owned("aba", "x", "aba-x-20260101t0215", "2026-01-02T02:15:00Z"),
                         ORIGIN_FOREIGN_MANUAL);
        /* The same instant, written otherwise than the agent writes it. */
        ck_assert_int_eq(origin_of_owned("aba", "x", "aba-x-20260101t0215", "2026-01-01T02:15:00.000Z"),
                         ORIGIN_FOREIGN_MANUAL);
        ck_assert_int_eq(origin_of_owned("aba", "x", "aba-x-20260101t0215", ""), ORIGIN_FOREIGN_MANUAL);
        /* no slot tag */
        ck_assert_int_eq(origin_of_owned("aba", "x", "aba-x-20260101t0215", NULL), ORIGIN_FOREIGN_MANUAL);
}

TEST(name_of_another_cluster_or_prefix_is_not_the_agents)
{
        ck_assert_int_eq(origin_of_owned("aba", "y", "aba-x-20260101t0215", SLOT), ORIGIN_FOREIGN_MANUAL);
        ck_assert_int_eq(origin_of_owned("zz", "x", "aba-x-20260101t0215", SLOT), ORIGIN_FOREIGN_MANUAL);
}

TEST(copies_are_the_agents_only_under_their_copy_names)
{
        struct tag t[4];
        struct observed_snapshot a = owned(t, "aba-x-20260101t0215", SLOT);
        t[2] = (struct tag){(char *)PLAN_TAG_COPY, (char *)"copy:eu-west-1"};
        a.n_tags = 3;
        ck_assert_int_eq(snapshot_classify(&a, "aba"), ORIGIN_AGENT); /* in another region: same name */
        a.identifier = "aba-x-20260101t0215-copy";
        ck_assert_int_eq(snapshot_classify(&a, "aba"), ORIGIN_AGENT); /* same region */
        a.identifier = "aba-x-20260101t0215-share";
        ck_assert_int_eq(snapshot_classify(&a, "aba"), ORIGIN_FOREIGN_MANUAL);
        t[2].value = (char *)"share";
        ck_assert_int_eq(snapshot_classify(&a, "aba"), ORIGIN_AGENT);
        a.identifier = "aba-x-20260101t0215";
        ck_assert_int_eq(snapshot_classify(&a, "aba"), ORIGIN_FOREIGN_MANUAL);
        t[2].value = (char *)"something-else";
        ck_assert_int_eq(snapshot_classify(&a, "aba"), ORIGIN_FOREIGN_MANUAL);
}

TEST(shortened_names_are_recognised)
{
        const char *cluster = "a-very-long-cluster-name-that-goes-on-and-on-and-on-forever-number-one";
        char id[PLAN_SNAPSHOT_ID_MAX], copy[PLAN_SNAPSHOT_ID_MAX];
        int64_t slot = time_from_civil(2026, 1, 1, 2, 15, 0);
        ck_assert_int_eq(plan_snapshot_identifier("aba", cluster, slot, id), 0);
        ck_assert_int_eq(plan_identifier_with_suffix(id, "copy", 63, copy), 0);
        ck_assert(snapshot_identifier_is_agents("aba", cluster, id, SLOT, NULL));
        ck_assert(snapshot_identifier_is_agents("aba", cluster, copy, SLOT, "copy:eu-west-1"));
        ck_assert(!snapshot_identifier_is_agents("aba", cluster, copy, SLOT, NULL));
}
