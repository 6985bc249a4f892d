/* The observation (observation.h): Describe pages turned into views, views sorted, merged and looked up,
 * and the marks of what could not be read. No AWS call. */
#include <stdlib.h>
#include <string.h>

#include "aws-rds.h"
#include "observation.h"
#include "test-suite.h"

TEST_FILE("observation");

/* Streams one snapshot (strings copied) into `o` as a Describe page would. */
static void collect(struct observation *o, const char *region, const char *id, const char *cluster)
{
        struct snapshot_sink sink = {.o = o, .region = region};
        struct rds_db_cluster_snapshot s = {
            .identifier = id ? strdup(id) : NULL,
            .cluster_identifier = cluster ? strdup(cluster) : NULL,
            .status = strdup("available"),
            .create_time = 1700000000,
        };
        s.malformed = !id || !cluster;
        ck_assert_int_eq(observation_collect_view(&s, &sink), 0);
        rds_db_cluster_snapshot_done(&s);
}

TEST(collected_snapshot_becomes_a_view_with_shared_status)
{
        struct observation o = {};

        collect(&o, "eu-west-1", "snap-1", "db-a");
        ck_assert_uint_eq(o.n_snapshots, 1);
        ck_assert_str_eq(o.snapshots[0].identifier, "snap-1");
        ck_assert_str_eq(o.snapshots[0].cluster_identifier, "db-a");
        ck_assert_str_eq(o.snapshots[0].region, "eu-west-1");
        ck_assert_str_eq(o.snapshots[0].status, "available");
        ck_assert_int_eq(o.snapshots[0].create_time, 1700000000);
        ck_assert_uint_eq(o.n_incomplete, 0);
        observation_done(&o);
}

TEST(malformed_snapshot_marks_its_cluster_incomplete)
{
        struct observation o = {};

        collect(&o, "eu-west-1", NULL, "db-a");
        ck_assert_uint_eq(o.n_snapshots, 0);
        ck_assert_uint_eq(o.n_incomplete, 1);
        ck_assert(observation_incomplete(&o, "eu-west-1", "db-a"));
        ck_assert(!observation_incomplete(&o, "eu-west-1", "db-b"));
        ck_assert(!observation_incomplete(&o, "us-east-1", "db-a"));
        observation_done(&o);
}

TEST(snapshot_without_a_cluster_marks_the_whole_region_incomplete)
{
        struct observation o = {};

        collect(&o, "eu-west-1", "snap-1", NULL);
        ck_assert(observation_incomplete(&o, "eu-west-1", "db-a"));
        ck_assert(observation_incomplete(&o, "eu-west-1", "db-b"));
        ck_assert(!observation_incomplete(&o, "us-east-1", "db-a"));
        observation_done(&o);
}

/* Streams the snapshots `ids` (NULL-terminated), all of cluster db-a, into `o` in that order. */
static void collect_each(struct observation *o, const char *region, const char *const *ids)
{
        for (; *ids; ids++)
                collect(o, region, *ids, "db-a");
}

/* The views of `o` are exactly `ids` (NULL-terminated), in that order. */
static void assert_identifiers(const struct observation *o, const char *const *ids)
{
        size_t n = 0;

        for (; ids[n]; n++) {
                ck_assert_uint_lt(n, o->n_snapshots);
                ck_assert_str_eq(o->snapshots[n].identifier, ids[n]);
        }
        ck_assert_uint_eq(o->n_snapshots, n);
}

TEST(views_sort_by_region_then_identifier)
{
        struct observation o = {};

        collect(&o, "us-east-1", "a", "db-a");
        collect_each(&o, "eu-west-1", (const char *[]){"c", "b", NULL});
        observation_sort_views(&o, 0);
        assert_identifiers(&o, (const char *[]){"b", "c", "a", NULL});
        ck_assert_str_eq(o.snapshots[0].region, "eu-west-1");
        ck_assert_str_eq(o.snapshots[2].region, "us-east-1");
        observation_done(&o);
}

TEST(sorting_drops_a_snapshot_listed_twice)
{
        struct observation o = {};

        collect_each(&o, "eu-west-1", (const char *[]){"b", "a", "b", NULL});
        observation_sort_views(&o, 0);
        assert_identifiers(&o, (const char *[]){"a", "b", NULL});
        observation_done(&o);
}

TEST(sorting_from_an_index_leaves_the_views_before_it)
{
        struct observation o = {};

        collect_each(&o, "eu-west-1", (const char *[]){"z", "b", "a", NULL});
        observation_sort_views(&o, 1);
        assert_identifiers(&o, (const char *[]){"z", "a", "b", NULL});
        observation_done(&o);
}

TEST(merging_a_part_appends_its_views_and_marks)
{
        struct observation o = {}, part = {};

        collect(&o, "eu-west-1", "a", "db-a");
        collect(&part, "us-east-1", "b", "db-b");
        collect(&part, "us-east-1", NULL, "db-c");
        ck_assert_int_eq(observation_merge_part(&o, &part), 0);
        ck_assert_uint_eq(o.n_snapshots, 2);
        ck_assert_str_eq(o.snapshots[1].identifier, "b");
        ck_assert_uint_eq(o.n_incomplete, 1);
        ck_assert(observation_incomplete(&o, "us-east-1", "db-c"));
        ck_assert_uint_eq(part.n_snapshots, 0);
        ck_assert_ptr_null(part.snapshots);
        observation_done(&o);
}

TEST(find_snapshot_looks_up_the_sorted_views)
{
        struct observation o = {};

        collect(&o, "eu-west-1", "b", "db-a");
        collect(&o, "eu-west-1", "a", "db-a");
        collect(&o, "us-east-1", "a", "db-a");
        observation_sort_views(&o, 0);
        const struct observed_snapshot *s = observation_find_snapshot(&o, "us-east-1", "a");
        ck_assert_ptr_nonnull(s);
        ck_assert_str_eq(s->region, "us-east-1");
        ck_assert_ptr_null(observation_find_snapshot(&o, "us-east-1", "b"));
        ck_assert_ptr_null(observation_find_snapshot(&o, NULL, "a"));
        observation_done(&o);
}

TEST(region_is_ok_only_when_every_listing_of_it_succeeded)
{
        struct observed_region regions[] = {
            {.region = (char *)"eu-west-1", .ok = true},
            {.region = (char *)"us-east-1", .ok = true},
            {.region = (char *)"us-east-1", .ok = false, .repeat = true},
        };
        struct observation o = {.regions = regions, .n_regions = 3};

        ck_assert(observation_region_ok(&o, "eu-west-1"));
        ck_assert(!observation_region_ok(&o, "us-east-1"));
        ck_assert(!observation_region_ok(&o, "ap-south-1"));
}

TEST(rebuilt_views_skip_failed_regions_and_keep_known_quotas)
{
        struct observation o = {};
        struct observed_region *r = calloc(2, sizeof(*r));
        ck_assert_ptr_nonnull(r);
        r[0] = (struct observed_region){.region = strdup("eu-west-1"),
                                        .ok = true,
                                        .quota_known = true,
                                        .quota_used = 10,
                                        .quota_max = 100};
        r[1] = (struct observed_region){.region = strdup("us-east-1"), .ok = false, .quota_known = true};
        o.regions = r;
        o.n_regions = 2;

        ck_assert_int_eq(observation_rebuild_views(&o), 0);
        ck_assert_uint_eq(o.n_clusters, 0);
        ck_assert_uint_eq(o.n_account_quotas, 1);
        ck_assert_str_eq(o.account_quotas[0].region, "eu-west-1");
        ck_assert_int_eq(o.account_quotas[0].max, 100);
        ck_assert_int_eq(o.account_quotas[0].used, 10);
        observation_done(&o);
}

TEST(instance_add_copies_its_strings)
{
        struct observation o = {};
        char id[] = "drill-1-instance";

        ck_assert_int_eq(observation_instance_add(&o, "eu-west-1", id, "drill-1", NULL), 0);
        id[0] = 'X';
        ck_assert_uint_eq(o.n_instances, 1);
        ck_assert_str_eq(o.instances[0].identifier, "drill-1-instance");
        ck_assert_str_eq(o.instances[0].cluster_identifier, "drill-1");
        ck_assert_ptr_null(o.instances[0].status);
        observation_done(&o);
}
