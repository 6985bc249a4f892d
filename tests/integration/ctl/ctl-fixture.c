/* Builds a realistic state.db for the aurora-backupctl tests through the agent's own store API, so that
 * schema changes stay in store.c. Usage: ctl-fixture DIR NOW fresh|warning|critical|stale|failed */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

#define DAY 86400

static void check(int r, const char *what)
{
        if (r < 0) {
                fprintf(stderr, "ctl-fixture: %s: %d\n", what, r);
                exit(1);
        }
}

int main(int argc, char *argv[])
{
        _cleanup_store_close_ struct store *s = NULL;
        int64_t id, cycle, now;
        const char *scenario;

        if (argc != 4) {
                fprintf(stderr, "usage: ctl-fixture DIR NOW SCENARIO\n");
                return 2;
        }
        now = strtoll(argv[2], NULL, 10);
        scenario = argv[3];
        /* Everything the agent last did happened at `t`; "stale" puts it three hours back. */
        int64_t t = strcmp(scenario, "stale") == 0 ? now - 3 * 3600 : now - 60;
        int64_t age_b = strcmp(scenario, "warning") == 0    ? 140000 /* > 1.5 days */
                        : strcmp(scenario, "critical") == 0 ? 3 * DAY
                                                            : 2 * 3600;

        check(store_open(argv[1], &s), "store_open");

        struct inventory_cluster clusters[] = {
            {.identifier = (char *)"other-x", .status = (char *)"available", .backup_retention_days = 1},
            {.identifier = (char *)"prod-a",
             .status = (char *)"available",
             .preferred_window = (char *)"04:00-04:30",
             .backup_retention_days = 7,
             .policy = (char *)"prod"},
            {.identifier = (char *)"prod-b",
             .status = (char *)"modifying",
             .preferred_window = (char *)"05:00-05:30",
             .backup_retention_days = 14,
             .policy = (char *)"prod"},
        };
        struct inventory_snapshot snaps[] = {
            {(char *)"aba-prod-a-1", (char *)"prod-a", ORIGIN_AGENT, (char *)"available", now - 3600, 10,
             true, 1},
            {(char *)"aba-prod-a-0", (char *)"prod-a", ORIGIN_AGENT, (char *)"available", now - 2 * DAY, 10,
             true, 1},
            {(char *)"before-upgrade", (char *)"prod-a", ORIGIN_FOREIGN_MANUAL, (char *)"available",
             now - 30 * DAY, 20, true, 2},
            {(char *)"rds:prod-a-2026", (char *)"prod-a", ORIGIN_AUTOMATED, (char *)"available", now - DAY,
             10, true, 3},
            {(char *)"awsbackup:job-1", (char *)"prod-a", ORIGIN_AWS_BACKUP, (char *)"available",
             now - 5 * DAY, 10, true, 4},
            {(char *)"awsbackup:job-2", (char *)"prod-a", ORIGIN_AWS_BACKUP, (char *)"available",
             now - 4 * DAY, 10, true, 4},
            {(char *)"continuous:cluster-prod-a", (char *)"prod-a", ORIGIN_AWS_BACKUP_CONTINUOUS,
             (char *)"available", now - 6 * DAY, 0, true, 5},
            {(char *)"aba-prod-b-1", (char *)"prod-b", ORIGIN_AGENT, (char *)"available", now - age_b, 5,
             true, 6},
            /* Newer but not available: must not count as fresh. */
            {(char *)"aba-prod-b-2", (char *)"prod-b", ORIGIN_AGENT, (char *)"creating", now - 60, 0, true,
             7},
            {(char *)"old-x", (char *)"other-x", ORIGIN_FOREIGN_MANUAL, (char *)"available", now - 90 * DAY,
             1, false, 8},
        };
        check(store_inventory_replace(s, "eu-west-1", clusters, ELEMENTSOF(clusters), snaps,
                                      ELEMENTSOF(snaps), t),
              "inventory");

        check(store_cycle_begin(s, false, now - 2 * DAY, &cycle), "cycle");
        check(store_cycle_finish(s, cycle,
                                 &(struct cycle_counts){.planned = 1, .succeeded = 1, .created = 1}, 0,
                                 now - 2 * DAY + 5),
              "cycle finish");
        check(store_cycle_begin(s, false, t - 10, &cycle), "cycle");
        struct cycle_counts counts = {.planned = 3,
                                      .succeeded = 2,
                                      .failed = 1,
                                      .created = 1,
                                      .deleted = 1,
                                      .missed = 1,
                                      .api_calls = 7};
        check(store_cycle_finish(s, cycle, &counts, strcmp(scenario, "failed") == 0 ? 1 : 0, t),
              "cycle finish");

        /* Policy prod's calls in the last cycle, each finished 10 s after it began but the last: left
         * open, as by a crash. */
        const struct {
                enum ledger_kind kind;
                const char *cluster, *snapshot;
                int64_t slot_start, begun_at;
                enum ledger_state outcome; /* LEDGER_INTENT: not finished */
                const char *request_id, *error_code, *error_message;
        } ledger[] = {
            {LEDGER_CREATE, "prod-a", "aba-prod-a-1", now - 3600, now - 3600, LEDGER_DONE, "req-create-1",
             NULL, NULL},
            {LEDGER_DELETE_RDS, "prod-b", "aba-prod-b-0", 0, now - 1800, LEDGER_FAILED, "req-delete-1",
             "InvalidDBClusterSnapshotStateFault", "snapshot is being copied"},
            {LEDGER_CREATE, "prod-b", "aba-prod-b-2", now - 120, now - 120, LEDGER_INTENT, NULL, NULL, NULL},
        };
        for (size_t i = 0; i < ELEMENTSOF(ledger); i++) {
                struct ledger_intent in = {.cycle_id = cycle,
                                           .kind = ledger[i].kind,
                                           .policy = "prod",
                                           .cluster = ledger[i].cluster,
                                           .snapshot = ledger[i].snapshot,
                                           .region = "eu-west-1",
                                           .slot_start = ledger[i].slot_start};
                check(store_ledger_begin(s, &in, ledger[i].begun_at, &id), "ledger");
                if (ledger[i].outcome != LEDGER_INTENT)
                        check(store_ledger_finish(s, id, ledger[i].outcome, ledger[i].request_id,
                                                  ledger[i].error_code, ledger[i].error_message,
                                                  ledger[i].begun_at + 10),
                              "ledger");
        }

        /* Policy prod's slots; every outcome was reported. */
        const struct {
                const char *cluster;
                int64_t slot_start;
                enum window_outcome outcome;
                const char *snapshot;
                int64_t recorded_at;
        } windows[] = {
            {"prod-a", now - 3600, WINDOW_TAKEN, "aba-prod-a-1", now - 3590},
            {"prod-b", now - DAY, WINDOW_MISSED, NULL, now - DAY + 1800},
            {"prod-b", now - 2 * DAY, WINDOW_QUOTA_EXHAUSTED, NULL, now - 2 * DAY + 60},
            {"prod-b", now - age_b, WINDOW_TAKEN, "aba-prod-b-1", now - age_b},
        };
        for (size_t i = 0; i < ELEMENTSOF(windows); i++)
                check(store_window_record(s, "prod", windows[i].cluster, windows[i].slot_start,
                                          windows[i].outcome, windows[i].snapshot, true,
                                          windows[i].recorded_at),
                      "window");
        return 0;
}
