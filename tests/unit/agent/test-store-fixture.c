/* The store's test fixture (test-store-fixture.h). */
#include <limits.h>
#include <string.h>

#include "test-helpers.h"
#include "test-store-fixture.h"

struct store *test_store_open(const char *dir)
{
        struct store *s = NULL;
        int r = store_open(dir, &s);
        ck_assert_msg(r == 0, "store_open(%s): %s: %s", dir, strerror(-r), store_last_error(NULL));
        return s;
}

const struct ledger_intent create_intent = {
    .kind = LEDGER_CREATE,
    .policy = "prod",
    .cluster = "prod-db-1",
    .snapshot = "aba-prod-db-1-2023-11-14t2200z",
    .region = "eu-west-1",
    .slot_start = T0,
};

const struct inventory_cluster clusters_eu[2] = {
    {.identifier = "db-a",
     .status = "available",
     .arn = "arn:aws:rds:eu-west-1:123456789012:cluster:db-a",
     .preferred_window = "22:00-23:00",
     .backup_retention_days = 7,
     .policy = "prod"},
    {.identifier = "db-b", .status = "modifying"},
};

const struct inventory_snapshot snapshots_eu[3] = {
    {.identifier = "aba-db-a-2023-11-14t2200z",
     .cluster = "db-a",
     .origin = ORIGIN_AGENT,
     .status = "available",
     .create_time = T0,
     .allocated_gib = 42,
     .encrypted = true,
     .tags_digest = UINT64_C(0xcbf29ce484222325)},
    {.identifier = "awsbackup:job-0f1e2d",
     .cluster = "db-a",
     .origin = ORIGIN_AWS_BACKUP,
     .status = "available"},
    {.identifier = "rds:db-a-2023-11-14-03-10", .cluster = "db-a", .origin = ORIGIN_AUTOMATED},
};

struct store *store;

/* Checked fixtures: they run in the test's process, around each test. */
void test_store_setup(void)
{
        char dir[PATH_MAX];

        store = test_store_open(test_tmp_dir(dir, sizeof(dir)));
}

void test_store_teardown(void)
{
        store = store_close(store);
}
