/* What the agent last observed and planned: the inventory (store-inventory.c), the next slots
 * (store-next-slots.c), the account quota (store-quota.c) and the vault cache (store-vault.c). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "test-store-fixture.h"
#include "test-suite.h"

TEST_FILE("store-observed", TEST_STORE_FIXTURE);

/* ---- Inventory. ---- */

TEST(inventory_replace_then_load_round_trips_every_field)
{
        struct inventory_cluster *c = NULL;
        struct inventory_snapshot *sn = NULL;
        size_t nc, ns;
        int64_t observed = -1;

        ck_assert_int_eq(store_inventory_replace(store, "eu-west-1", clusters_eu, 2, snapshots_eu, 3, T0),
                         0);
        ck_assert_int_eq(store_inventory_load(store, "eu-west-1", &c, &nc, &sn, &ns, &observed), 0);
        ck_assert_int_eq(observed, T0);
        ck_assert_uint_eq(nc, 2);
        ck_assert_str_eq(c[0].identifier, "db-a");
        ck_assert_str_eq(c[0].status, "available");
        ck_assert_str_eq(c[0].arn, clusters_eu[0].arn);
        ck_assert_str_eq(c[0].preferred_window, "22:00-23:00");
        ck_assert_uint_eq(c[0].backup_retention_days, 7);
        ck_assert_str_eq(c[0].policy, "prod");
        ck_assert_str_eq(c[1].identifier, "db-b");
        ck_assert_ptr_null(c[1].arn);
        ck_assert_ptr_null(c[1].policy);
        ck_assert_uint_eq(ns, 3);
        ck_assert_str_eq(sn[0].identifier, "aba-db-a-2023-11-14t2200z");
        ck_assert_int_eq(sn[0].origin, ORIGIN_AGENT);
        ck_assert_int_eq(sn[0].create_time, T0);
        ck_assert_uint_eq(sn[0].allocated_gib, 42);
        ck_assert(sn[0].encrypted);
        ck_assert(sn[0].tags_digest == UINT64_C(0xcbf29ce484222325)); /* high bit survives */
        ck_assert_str_eq(sn[1].identifier, "awsbackup:job-0f1e2d");
        ck_assert_int_eq(sn[1].origin, ORIGIN_AWS_BACKUP);
        ck_assert_int_eq(sn[2].origin, ORIGIN_AUTOMATED);
        ck_assert_ptr_null(sn[2].status);
        inventory_clusters_free(c, nc);
        inventory_snapshots_free(sn, ns);
}

/* The stored inventory of `region`, checked to have `n_clusters` clusters and `n_snapshots` snapshots;
 * returns its observation time. */
static int64_t inventory_load_counts(const char *region, size_t n_clusters, size_t n_snapshots)
{
        struct inventory_cluster *c = NULL;
        struct inventory_snapshot *sn = NULL;
        size_t nc, ns;
        int64_t observed = -1;

        ck_assert_int_eq(store_inventory_load(store, region, &c, &nc, &sn, &ns, &observed), 0);
        ck_assert_uint_eq(nc, n_clusters);
        ck_assert_uint_eq(ns, n_snapshots);
        inventory_clusters_free(c, nc);
        inventory_snapshots_free(sn, ns);
        return observed;
}

static const struct inventory_cluster clusters_us[] = {{.identifier = "db-us", .status = "available"}};

TEST(inventory_load_of_nothing_stored_is_empty_and_never_observed)
{
        ck_assert_int_eq(inventory_load_counts(NULL, 0, 0), 0);
}

TEST(inventory_replace_of_a_region_leaves_the_others)
{
        ck_assert_int_eq(store_inventory_replace(store, "eu-west-1", clusters_eu, 2, snapshots_eu, 3, T0),
                         0);
        ck_assert_int_eq(store_inventory_replace(store, "us-west-2", clusters_us, 1, NULL, 0, T0 + 10), 0);
        ck_assert_int_eq(inventory_load_counts(NULL, 3, 3), T0 + 10);
        ck_assert_int_eq(inventory_load_counts("eu-west-1", 2, 3), T0);
}

TEST(inventory_replace_failing_half_way_keeps_the_previous_inventory)
{
        const struct inventory_snapshot bad[] = {
            {.identifier = "ok", .origin = ORIGIN_FOREIGN_MANUAL},
            {.identifier = NULL, .origin = ORIGIN_FOREIGN_MANUAL},
        };

        ck_assert_int_eq(store_inventory_replace(store, "eu-west-1", clusters_eu, 2, snapshots_eu, 3, T0),
                         0);
        ck_assert_int_eq(store_inventory_replace(store, "eu-west-1", clusters_us, 1, bad, 2, T0 + 20),
                         -EINVAL);
        ck_assert_int_eq(inventory_load_counts("eu-west-1", 2, 3), T0);
}

TEST(inventory_replace_refuses_duplicates_whole)
{
        const struct inventory_cluster dup[] = {{.identifier = "x"}, {.identifier = "x"}};

        ck_assert_int_eq(store_inventory_replace(store, "eu-west-1", clusters_eu, 2, snapshots_eu, 3, T0),
                         0);
        ck_assert_int_eq(store_inventory_replace(store, "eu-west-1", dup, 2, NULL, 0, T0 + 30), -EEXIST);
        ck_assert_int_eq(inventory_load_counts("eu-west-1", 2, 3), T0);
}

TEST(inventory_replace_with_nothing_empties_the_region)
{
        ck_assert_int_eq(store_inventory_replace(store, "eu-west-1", clusters_eu, 2, snapshots_eu, 3, T0),
                         0);
        ck_assert_int_eq(store_inventory_replace(store, "eu-west-1", NULL, 0, NULL, 0, T0 + 40), 0);
        inventory_load_counts("eu-west-1", 0, 0);
}

/* ---- Next slots. ---- */

static struct next_slot_record next_slots[] = {
    {.policy = (char *)"prod",
     .cluster = (char *)"db-b",
     .region = (char *)"eu-west-1",
     .slot_start = 20,
     .state = (char *)"scheduled",
     .window = (char *)"02:00-03:00"},
    {.policy = (char *)"prod",
     .cluster = (char *)"db-a",
     .region = (char *)"eu-west-1",
     .slot_start = 10,
     .state = (char *)"retry",
     .retry_at = 70},
};

TEST(next_slots_load_orders_by_region_then_cluster)
{
        struct next_slot_record *l = NULL;
        size_t n = 0;

        ck_assert_int_eq(store_next_slots_replace(store, next_slots, 2, 5), 0);
        ck_assert_int_eq(store_next_slots_load(store, &l, &n), 0);
        ck_assert_uint_eq(n, 2);
        ck_assert_str_eq(l[0].cluster, "db-a");
        ck_assert_int_eq(l[0].retry_at, 70);
        ck_assert_int_eq(l[0].planned_at, 5);
        ck_assert_str_eq(l[1].window, "02:00-03:00");
        next_slot_records_free(l, n);
}

TEST(next_slots_replace_whole)
{
        struct next_slot_record *l = NULL;
        size_t n = 0;

        ck_assert_int_eq(store_next_slots_replace(store, next_slots, 2, 5), 0);
        ck_assert_int_eq(store_next_slots_replace(store, &next_slots[0], 1, 6), 0);
        ck_assert_int_eq(store_next_slots_load(store, &l, &n), 0);
        ck_assert_uint_eq(n, 1);
        ck_assert_str_eq(l[0].cluster, "db-b");
        next_slot_records_free(l, n);
}

/* ---- AWS Backup vault cache. ---- */

static const char vault_arn[] = "arn:aws:rds:eu-west-1:123456789012:cluster:db-a";

TEST(vault_cache_get_of_an_unknown_resource_is_enoent)
{
        char *vault = NULL;

        ck_assert_int_eq(store_vault_cache_get(store, vault_arn, &vault), -ENOENT);
        ck_assert_ptr_null(vault);
}

TEST(vault_cache_put_overwrites)
{
        _cleanup_free_ char *vault = NULL;

        ck_assert_int_eq(store_vault_cache_put(store, vault_arn, "Default", T0), 0);
        ck_assert_int_eq(store_vault_cache_put(store, vault_arn, "prod-vault", T0 + 1), 0);
        ck_assert_int_eq(store_vault_cache_get(store, vault_arn, &vault), 0);
        ck_assert_str_eq(vault, "prod-vault");
}

TEST(vault_cache_forget_removes_and_may_repeat)
{
        char *vault = NULL;

        ck_assert_int_eq(store_vault_cache_put(store, vault_arn, "Default", T0), 0);
        ck_assert_int_eq(store_vault_cache_forget(store, vault_arn), 0);
        ck_assert_int_eq(store_vault_cache_forget(store, vault_arn), 0);
        ck_assert_int_eq(store_vault_cache_get(store, vault_arn, &vault), -ENOENT);
}

TEST(vault_cache_put_requires_a_vault)
{
        ck_assert_int_eq(store_vault_cache_put(store, vault_arn, NULL, T0), -EINVAL);
}

/* ---- Account quota. ---- */

TEST(account_quota_put_then_get_round_trips)
{
        const struct account_quota_record q = {.max = 100, .used = 97, .counted = 95, .observed_at = T0};
        struct account_quota_record got = {};

        ck_assert_int_eq(store_account_quota_get(store, "eu-west-1", &got), -ENOENT);
        ck_assert_int_eq(store_account_quota_put(store, "eu-west-1", &q), 0);
        ck_assert_int_eq(store_account_quota_get(store, "eu-west-1", &got), 0);
        ck_assert_int_eq(got.max, 100);
        ck_assert_int_eq(got.used, 97);
        ck_assert_int_eq(got.counted, 95);
        ck_assert_int_eq(got.observed_at, T0);
}
