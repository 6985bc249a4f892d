/* The schema history of state.db. Migrations are append-only: a released one is never edited, a change
 * is a new version, and tests/unit/agent/test-store-migrate.c migrates every older version forward. */
#include <stddef.h>

#include "store-migrate.h"

static const char *const migrations[] = {
    /* v1: the ledger of mutating calls and the cycles they belong to. The ledger is written before
     * each call (state 'intent'), so a crash leaves an open row that the next start reconciles. */
    [1] = "CREATE TABLE schema_version (\n"
          "        version INTEGER PRIMARY KEY,\n"
          "        applied_at INTEGER NOT NULL\n"
          ");\n"
          "CREATE TABLE cycles (\n"
          "        id INTEGER PRIMARY KEY,\n"
          "        started_at INTEGER NOT NULL,\n"
          "        finished_at INTEGER,\n"
          "        dry_run INTEGER NOT NULL DEFAULT 0,\n"
          "        planned INTEGER NOT NULL DEFAULT 0,\n"
          "        succeeded INTEGER NOT NULL DEFAULT 0,\n"
          "        failed INTEGER NOT NULL DEFAULT 0,\n"
          "        created INTEGER NOT NULL DEFAULT 0,\n"
          "        deleted INTEGER NOT NULL DEFAULT 0,\n"
          "        missed INTEGER NOT NULL DEFAULT 0,\n"
          "        api_calls INTEGER NOT NULL DEFAULT 0,\n"
          "        exit_status INTEGER\n"
          ");\n"
          "CREATE TABLE ledger (\n"
          "        id INTEGER PRIMARY KEY,\n"
          "        cycle_id INTEGER REFERENCES cycles(id) ON DELETE SET NULL,\n"
          "        kind TEXT NOT NULL,\n"
          "        policy TEXT,\n"
          "        cluster TEXT,\n"
          "        snapshot TEXT,\n"
          "        region TEXT,\n"
          "        slot_start INTEGER,\n"
          "        state TEXT NOT NULL DEFAULT 'intent'\n"
          "                CHECK (state IN ('intent', 'done', 'failed', 'abandoned')),\n"
          "        request_id TEXT,\n"
          "        error_code TEXT,\n"
          "        error_message TEXT,\n"
          "        created_at INTEGER NOT NULL,\n"
          "        updated_at INTEGER NOT NULL,\n"
          "        attempts INTEGER NOT NULL DEFAULT 1\n"
          ");\n"
          "CREATE INDEX ledger_open ON ledger(id) WHERE state = 'intent';\n"
          "CREATE INDEX ledger_cycle ON ledger(cycle_id);\n"
          "CREATE INDEX ledger_cluster ON ledger(cluster, created_at);\n",

    /* v2: window history (one row per cluster and slot) and the last observed inventory. Slots that
     * v1 ledgers show as created are carried over as 'taken', already reported. */
    [2] = "CREATE TABLE window_history (\n"
          "        policy TEXT NOT NULL,\n"
          "        cluster TEXT NOT NULL,\n"
          "        slot_start INTEGER NOT NULL,\n"
          "        outcome TEXT NOT NULL CHECK (outcome IN ('taken', 'missed', 'quota-exhausted')),\n"
          "        snapshot TEXT,\n"
          "        reported INTEGER NOT NULL DEFAULT 0,\n"
          "        recorded_at INTEGER NOT NULL,\n"
          "        PRIMARY KEY (cluster, slot_start)\n"
          ");\n"
          "CREATE TABLE inventory_clusters (\n"
          "        region TEXT NOT NULL,\n"
          "        identifier TEXT NOT NULL,\n"
          "        status TEXT,\n"
          "        arn TEXT,\n"
          "        preferred_window TEXT,\n"
          "        backup_retention_days INTEGER NOT NULL DEFAULT 0,\n"
          "        policy TEXT,\n"
          "        observed_at INTEGER NOT NULL,\n"
          "        PRIMARY KEY (region, identifier)\n"
          ");\n"
          "CREATE TABLE inventory_snapshots (\n"
          "        region TEXT NOT NULL,\n"
          "        identifier TEXT NOT NULL,\n"
          "        cluster TEXT,\n"
          "        origin TEXT NOT NULL,\n"
          "        status TEXT,\n"
          "        create_time INTEGER NOT NULL DEFAULT 0,\n"
          "        allocated_gib INTEGER NOT NULL DEFAULT 0,\n"
          "        encrypted INTEGER NOT NULL DEFAULT 0,\n"
          "        tags_digest INTEGER NOT NULL DEFAULT 0,\n"
          "        observed_at INTEGER NOT NULL,\n"
          "        PRIMARY KEY (region, identifier)\n"
          ");\n"
          "INSERT OR IGNORE INTO window_history\n"
          "        (policy, cluster, slot_start, outcome, snapshot, reported, recorded_at)\n"
          "    SELECT COALESCE(policy, ''), cluster, slot_start, 'taken', snapshot, 1, updated_at\n"
          "    FROM ledger\n"
          "    WHERE kind = 'create' AND state = 'done' AND cluster IS NOT NULL\n"
          "          AND slot_start IS NOT NULL AND slot_start != 0\n"
          "    ORDER BY id;\n",

    /* v3: AWS Backup support (vault cache, reported-once markers for conditions such as a locked
     * vault) and a ledger target for copy/share/export (destination region, accounts, bucket). */
    [3] = "ALTER TABLE ledger ADD COLUMN target TEXT;\n"
          "CREATE TABLE vault_cache (\n"
          "        resource_arn TEXT PRIMARY KEY,\n"
          "        vault TEXT NOT NULL,\n"
          "        updated_at INTEGER NOT NULL\n"
          ");\n"
          "CREATE TABLE reported_markers (\n"
          "        key TEXT PRIMARY KEY,\n"
          "        first_at INTEGER NOT NULL\n"
          ");\n",

    /* v4: the account's manual cluster snapshot quota per region (DescribeAccountAttributes), with the
     * agent's own count of what that quota counts, as last observed, for `aurora-backupctl status`. */
    [4] = "CREATE TABLE account_quotas (\n"
          "        region TEXT PRIMARY KEY,\n"
          "        max INTEGER NOT NULL,\n"
          "        used INTEGER NOT NULL,\n"
          "        counted INTEGER NOT NULL,\n"
          "        observed_at INTEGER NOT NULL\n"
          ");\n",

    /* v5 (issue 12): each cluster's restorable range as last observed (RPO in status and check), and the
     * operators' restore requests (aurora-backupctl restore), recorded once validated. At most one open
     * request per new cluster name. */
    [5] = "ALTER TABLE inventory_clusters ADD COLUMN earliest_restorable_time INTEGER NOT NULL DEFAULT 0;\n"
          "ALTER TABLE inventory_clusters ADD COLUMN latest_restorable_time INTEGER NOT NULL DEFAULT 0;\n"
          "CREATE TABLE restore_requests (\n"
          "        id INTEGER PRIMARY KEY,\n"
          "        kind TEXT NOT NULL CHECK (kind IN ('snapshot', 'point-in-time')),\n"
          "        source TEXT NOT NULL,\n"
          "        region TEXT,\n"
          "        restore_time INTEGER NOT NULL DEFAULT 0,\n"
          "        use_latest INTEGER NOT NULL DEFAULT 0,\n"
          "        new_cluster TEXT NOT NULL,\n"
          "        instance_class TEXT,\n"
          "        wait INTEGER NOT NULL DEFAULT 1,\n"
          "        state TEXT NOT NULL DEFAULT 'recorded'\n"
          "                CHECK (state IN ('recorded', 'started', 'done', 'failed', 'canceled')),\n"
          "        requested_by INTEGER,\n"
          "        message TEXT,\n"
          "        created_at INTEGER NOT NULL,\n"
          "        updated_at INTEGER NOT NULL\n"
          ");\n"
          "CREATE UNIQUE INDEX restore_requests_open ON restore_requests(new_cluster)\n"
          "        WHERE state IN ('recorded', 'started');\n",

    /* v6 (issue 14): problems are state, not only events. One row per problem, open (resolved_at NULL)
     * until its condition clears, then kept (resolved) for `history`; at most one open row per key. Key
     * columns hold '' rather than NULL so that the unique index sees equal keys as equal. And each
     * selected cluster's next slot as the last plan saw it (status, check, metrics). */
    [6] = "CREATE TABLE problems (\n"
          "        id INTEGER PRIMARY KEY,\n"
          "        kind TEXT NOT NULL,\n"
          "        policy TEXT NOT NULL DEFAULT '',\n"
          "        cluster TEXT NOT NULL DEFAULT '',\n"
          "        snapshot TEXT NOT NULL DEFAULT '',\n"
          "        region TEXT NOT NULL DEFAULT '',\n"
          "        action TEXT NOT NULL DEFAULT '',\n"
          "        first_seen INTEGER NOT NULL,\n"
          "        last_seen INTEGER NOT NULL,\n"
          "        count INTEGER NOT NULL DEFAULT 1,\n"
          "        error_code TEXT,\n"
          "        error_message TEXT,\n"
          "        request_id TEXT,\n"
          "        resolved_at INTEGER\n"
          ");\n"
          "CREATE UNIQUE INDEX problems_open ON problems(kind, policy, cluster, snapshot, region, action)\n"
          "        WHERE resolved_at IS NULL;\n"
          "CREATE INDEX problems_resolved ON problems(resolved_at) WHERE resolved_at IS NOT NULL;\n"
          "CREATE TABLE next_slots (\n"
          "        region TEXT NOT NULL,\n"
          "        cluster TEXT NOT NULL,\n"
          "        policy TEXT NOT NULL,\n"
          "        window_open INTEGER NOT NULL,\n"
          "        slot_start INTEGER NOT NULL,\n"
          "        window_close INTEGER NOT NULL,\n"
          "        retry_at INTEGER NOT NULL DEFAULT 0,\n"
          "        state TEXT NOT NULL,\n"
          "        schedule TEXT,\n"
          "        window TEXT,\n"
          "        window_from_cluster INTEGER NOT NULL DEFAULT 0,\n"
          "        planned_at INTEGER NOT NULL,\n"
          "        PRIMARY KEY (region, cluster)\n"
          ");\n",

    /* v7 (issue 14): each selected cluster's backup storage from CloudWatch, as last read (status). Until
     * v6 the agent kept these in backup-storage.json beside state.db; that file is not read any more, and
     * the next full inventory fills the table. NULL: CloudWatch had no data point. */
    [7] = "CREATE TABLE backup_storage (\n"
          "        region TEXT NOT NULL,\n"
          "        cluster TEXT NOT NULL,\n"
          "        billed_bytes REAL,\n"
          "        snapshot_bytes REAL,\n"
          "        observed_at INTEGER NOT NULL,\n"
          "        PRIMARY KEY (region, cluster)\n"
          ");\n",
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == STORE_SCHEMA_VERSION + 1,
               "every schema version needs its migration");

const char *store_migration_sql(int version)
{
        if (version < 1 || version > STORE_SCHEMA_VERSION)
                return NULL;
        return migrations[version];
}
