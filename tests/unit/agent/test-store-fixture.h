/* What the store's tests share: a time, sample rows, and a test case whose every test gets a fresh store. */
#pragma once

#include <check.h>
#include <stdint.h>

#include "store.h"
#include "test-helpers.h"

#define T0 INT64_C(1700000000)

/* store_open() that fails the test when it fails. */
struct store *test_store_open(const char *dir);

/* A create of prod-db-1 in eu-west-1 for the slot T0. */
extern const struct ledger_intent create_intent;
/* An observation of eu-west-1: two clusters, three snapshots of every origin the agent tells apart. */
extern const struct inventory_cluster clusters_eu[2];
extern const struct inventory_snapshot snapshots_eu[3];

/* The store each test of a TEST_STORE_FIXTURE file gets, open on a fresh directory. */
extern struct store *store;
void test_store_setup(void);
void test_store_teardown(void);
/* TEST_FILE("store-x", TEST_STORE_FIXTURE): a fresh temporary base and, around each test, `store` opened
 * and closed. */
#define TEST_STORE_FIXTURE                                                                                  \
        .unchecked_setup = test_tmp_base_setup, .unchecked_teardown = test_tmp_base_teardown,               \
        .checked_setup = test_store_setup, .checked_teardown = test_store_teardown
