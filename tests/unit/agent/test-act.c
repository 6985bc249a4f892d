/* The act step's own safety belt: whatever a plan says, the agent refuses to delete through RDS anything
 * it did not observe as its own available snapshot, and through AWS Backup anything that is not an AWS
 * Backup snapshot of a policy that manages them. Refusals happen before any AWS client or ledger row. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "act.h"
#include "agent-internal.h"
#include "journal.h"
#include "observe.h"
#include "store.h"
#include "test-helpers.h"
#include "test-suite.h"

TEST_FILE("act", .unchecked_setup = test_tmp_base_setup, .unchecked_teardown = test_tmp_base_teardown);

#define REGION "eu-west-1"

static struct tag ours[] = {{(char *)TAG_MANAGED_BY, (char *)TAG_MANAGED_BY_VALUE},
                            {(char *)TAG_POLICY, (char *)"prod"},
                            {(char *)TAG_SLOT, (char *)"2026-11-01T02:00:00Z"}};
static struct tag other_policy[] = {{(char *)TAG_MANAGED_BY, (char *)TAG_MANAGED_BY_VALUE},
                                    {(char *)TAG_POLICY, (char *)"staging"},
                                    {(char *)TAG_SLOT, (char *)"2026-11-02T02:00:00Z"}};

/* The cluster "db"'s snapshots in REGION, sorted by identifier as observe() leaves them; only what decides
 * ownership differs from one to the next. */
static const struct {
        const char *identifier, *status, *type;
        struct tag *tags; /* three of them, or none */
} observed[] = {
    {"aba-db-20261101t0200", "creating", "manual", ours},          /* not available yet */
    {"aba-db-20261102t0200", "available", "manual", other_policy}, /* another policy's */
    {"aba-mine", "available", "manual", ours},                     /* a name the agent never gives */
    {"awsbackup:job-1", "available", "manual", ours}, /* AWS Backup's: deleted only through it */
    {"before-upgrade", "available", "manual", NULL},  /* an operator's, untagged */
    /* An operator's copy made with CopyTags: every tag of the agent's, a name it never gives. */
    {"db-keep-forever-copy", "available", "manual", ours},
    {"rds:db-2026-11-01-02-00", "available", "automated", ours}, /* RDS's own */
};

/* What a buggy plan asks to delete: every observed snapshot and one never observed through RDS, and two of
 * them through AWS Backup, which manages none of them. */
static const struct {
        enum action_kind kind;
        const char *snapshot;
} deletions[] = {
    {ACTION_DELETE_RDS, "aba-db-20261101t0200"},
    {ACTION_DELETE_RDS, "aba-db-20261102t0200"},
    {ACTION_DELETE_RDS, "aba-mine"},
    {ACTION_DELETE_RDS, "db-keep-forever-copy"},
    {ACTION_DELETE_RDS, "awsbackup:job-1"},
    {ACTION_DELETE_RDS, "before-upgrade"},
    {ACTION_DELETE_RDS, "rds:db-2026-11-01-02-00"},
    {ACTION_DELETE_RDS, "not-observed"},
    {ACTION_DELETE_BACKUP, "aba-mine"},
    {ACTION_DELETE_BACKUP, "before-upgrade"},
};

TEST(act_refuses_deletions_of_what_is_not_plainly_ours)
{
        char dir[PATH_MAX];
        struct policy pol = {.name = (char *)"prod", .aws_backup_manage = true};
        struct agent_config cfg = {.policies = &pol, .n_policies = 1};
        struct agent a = {.config = &cfg};
        struct observed_region regions[] = {{.region = (char *)REGION, .ok = true}};
        struct observed_snapshot snaps[ELEMENTSOF(observed)];
        struct plan_action actions[ELEMENTSOF(deletions)];

        for (size_t i = 0; i < ELEMENTSOF(observed); i++)
                snaps[i] = (struct observed_snapshot){.identifier = observed[i].identifier,
                                                      .cluster_identifier = "db",
                                                      .region = REGION,
                                                      .status = observed[i].status,
                                                      .snapshot_type = observed[i].type,
                                                      .create_time = 1,
                                                      .tags = observed[i].tags,
                                                      .n_tags = observed[i].tags ? 3 : 0};
        for (size_t i = 0; i < ELEMENTSOF(deletions); i++)
                actions[i] = (struct plan_action){.kind = deletions[i].kind,
                                                  .policy = "prod",
                                                  .cluster = "db",
                                                  .region = REGION,
                                                  .snapshot = deletions[i].snapshot,
                                                  .rule = "bug"};
        struct observation o = {
            .regions = regions, .n_regions = 1, .snapshots = snaps, .n_snapshots = ELEMENTSOF(snaps)};
        struct plan p = {.actions = actions, .n_actions = ELEMENTSOF(actions)};
        struct act_counts c = {};
        struct ledger_entry *rows = NULL;
        size_t n_rows = 0;
        char *out = NULL;
        size_t out_len = 0;
        FILE *f = open_memstream(&out, &out_len);

        ck_assert_int_eq(store_open(test_tmp_dir(dir, sizeof(dir)), &a.store), 0);
        journal_set_sink(JOURNAL_SINK_STDERR);
        journal_set_stream(f);
        ck_assert_int_eq(act_plan(&a, &p, &o, 0, &c), 0);
        journal_set_stream(NULL);
        fclose(f);

        ck_assert_uint_eq(c.failed, ELEMENTSOF(actions));
        ck_assert_uint_eq(c.succeeded, 0);
        ck_assert_uint_eq(c.deleted + c.backup_deleted, 0);
        ck_assert_uint_eq(a.n_clients, 0); /* refused before any AWS client existed */
        ck_assert_int_eq(store_ledger_list(a.store, &LEDGER_FILTER_ALL, &rows, &n_rows), 0);
        ck_assert_uint_eq(n_rows, 0); /* and before any intent */
        size_t refusals = 0;
        for (const char *l = out; (l = strstr(l, "event=action-refused")); l++)
                refusals++;
        ck_assert_uint_eq(refusals, ELEMENTSOF(actions));
        ledger_entries_free(rows, n_rows);
        act_counts_done(&c);
        free(out);
        store_close(a.store);
}
