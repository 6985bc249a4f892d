#!/usr/bin/env python3
"""Copies to another region, shares and exports, end to end: each call preceded by its ledger intent,
the copy carrying the agent's tags and its copy tag, the share adding the configured account, and the
export starting once per period; completions reported on a later cycle."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from agent_harness import (DAY, REGION, AgentTestCase, Window, agent_snapshot, main, policy,  # noqa: E402
                           window_open_now)

OTHER = "us-west-2"
ACCOUNT_B = "210987654321"


class CopyShareExport(AgentTestCase):
    def test_copy_to_another_region_then_completed(self):
        w = window_open_now(self.now)
        prev = agent_snapshot("db-c", w, self.now - DAY)
        self.seed(clusters=[{"id": "db-c"}], snapshots=[prev])
        self.write_config([policy(clusters=["db-c"], window=w,
                                  copy=[{"region": OTHER, "retention": {"daily": 3}}])])
        run = self.once()

        started = run.named("copy-started")
        self.assertEqual(len(started), 1, run.describe())
        self.assertEqual(started[0].target, OTHER)
        copies = self.client("rds", OTHER).describe_db_cluster_snapshots()["DBClusterSnapshots"]
        self.assertEqual(len(copies), 1, copies)
        tags = {t["Key"]: t["Value"] for t in copies[0].get("TagList", [])}
        self.assertEqual(tags.get("aurora-backup:managed-by"), "aurora-backup-agent", tags)
        self.assertEqual(tags.get("aurora-backup:copy"), f"copy:{REGION}", tags)
        rows = self.ledger(kind="copy")
        self.assertEqual([(r["state"], r["region"], r["target"]) for r in rows], [("done", REGION, OTHER)], rows)
        self.assertTrue(rows[0]["request_id"], rows)
        self.assertLedgerComplete(run)

        first = started[0].snapshot
        self.assertEqual(first, prev["id"], "the newest available snapshot at observation is copied")

        # The next cycle sees the copy available and reports it once; it copies the snapshot taken in the
        # first cycle (now the newest), and never the first one again.
        run2 = self.once(now=self.now + 120)
        self.assertEqual([e.snapshot for e in run2.named("copy-completed")], [first], run2.describe())
        second = [e.snapshot for e in run2.named("copy-started")]
        self.assertEqual(len(second), 1, run2.describe())
        self.assertNotEqual(second[0], first)
        for c in self.client("rds", OTHER).describe_db_cluster_snapshots()["DBClusterSnapshots"]:
            print("DEBUG", c["DBClusterSnapshotIdentifier"], c["SnapshotCreateTime"], c.get("Status"), self.now)
        for c in self.rds().describe_db_cluster_snapshots()["DBClusterSnapshots"]:
            print("DEBUG src", c["DBClusterSnapshotIdentifier"], c["SnapshotCreateTime"], c.get("Status"))
        run3 = self.once(now=self.now + 240)
        self.assertEqual([e.snapshot for e in run3.named("copy-completed")], second, run3.describe())
        self.assertEqual(run3.named("copy-started"), [], run3.describe())
        run4 = self.once(now=self.now + 360)
        self.assertEqual(run4.named("copy-completed"), [], "reported once")
        self.assertEqual(len(self.requests("CopyDBClusterSnapshot")), 2, [run.describe() for run in (run3, run4)])
        self.assertLedgerComplete(run4)

    def test_share_adds_the_account_once(self):
        w = window_open_now(self.now)
        prev = agent_snapshot("db-s", w, self.now - DAY)
        self.seed(clusters=[{"id": "db-s"}], snapshots=[prev])
        self.write_config([policy(clusters=["db-s"], window=w, share={"accounts": [ACCOUNT_B]})])
        run = self.once()
        shared = run.named("share-completed")
        self.assertEqual(len(shared), 1, run.describe())
        attrs = self.rds().describe_db_cluster_snapshot_attributes(DBClusterSnapshotIdentifier=shared[0].snapshot)
        values = [a.get("AttributeValues", []) for a in
                  attrs["DBClusterSnapshotAttributesResult"]["DBClusterSnapshotAttributes"]
                  if a["AttributeName"] == "restore"]
        self.assertEqual(values, [[ACCOUNT_B]], attrs)
        rows = self.ledger(kind="share")
        self.assertEqual([(r["state"], r["target"]) for r in rows], [("done", ACCOUNT_B)], rows)

    def test_share_settles_after_one_call(self):
        """Outside the window (nothing new to share): one share, then the attribute read back says it is
        done, and later cycles neither call ModifyDBClusterSnapshotAttribute nor report a share again."""
        w = Window(self.now + 6 * 3600, 60)
        snap = agent_snapshot("db-s", w, self.now)
        self.seed(clusters=[{"id": "db-s"}], snapshots=[snap])
        self.write_config([policy(clusters=["db-s"], window=w, share={"accounts": [ACCOUNT_B]})])
        runs = [self.once(now=self.now + 60 * i) for i in range(3)]
        self.assertEqual([len(r.named("share-completed")) for r in runs], [1, 0, 0], [r.describe() for r in runs])
        self.assertEqual(len(self.requests("ModifyDBClusterSnapshotAttribute")), 1)
        self.assertEqual([r["state"] for r in self.ledger(kind="share")], ["done"])

    def test_snapshot_under_the_aws_managed_key_is_copied_before_it_is_shared(self):
        """RDS names the default key by its ARN: KMS DescribeKey (KeyManager AWS) tells, and the snapshot is
        re-encrypted to share.kms_key by a copy, which is what gets shared; the original never is."""
        w = Window(self.now + 6 * 3600, 60)
        snap = agent_snapshot("db-k", w, self.now)
        self.seed(clusters=[{"id": "db-k", "encrypted": True}], snapshots=[snap])
        share_key = self.client("kms").create_key()["KeyMetadata"]["Arn"]
        self.write_config([policy(clusters=["db-k"], window=w,
                                  share={"accounts": [ACCOUNT_B], "kms_key": share_key})])
        first = self.once()
        self.assertTrue(self.requests("DescribeKey"), first.describe())
        self.assertEqual(self.requests("ModifyDBClusterSnapshotAttribute"), [], first.describe())
        copies = first.named("copy-started")
        self.assertEqual(len(copies), 1, first.describe())
        copy_id = copies[0].snapshot
        self.assertEqual(copy_id, snap["id"] + "-share")
        for i in range(1, 4):
            self.once(now=self.now + 60 * i)
        shares = self.requests("ModifyDBClusterSnapshotAttribute")
        self.assertEqual(len(shares), 1, shares)
        self.assertEqual([r["target"] for r in self.ledger(kind="share")], [ACCOUNT_B])
        self.assertEqual([r["snapshot"] for r in self.ledger(kind="share")], [copy_id])
        # A key's manager is asked once per process: the first run knows one key, each later run two (the
        # original's and the copy's).
        self.assertLessEqual(len(self.requests("DescribeKey")), 1 + 2 * 3)

    def test_export_once_per_period_then_completed(self):
        self.seed_daily_export("db-e")
        run = self.once()
        started = run.named("export-started")
        self.assertEqual(len(started), 1, run.describe())
        self.assertEqual(started[0].target, "exports")
        rows = self.ledger(kind="export")
        self.assertEqual([(r["state"], r["target"]) for r in rows], [("done", "exports")], rows)
        tasks = self.rds().describe_export_tasks()["ExportTasks"]
        self.assertEqual([t["ExportTaskIdentifier"] for t in tasks], [started[0].snapshot], tasks)

        # Same period: no second export; once the task is COMPLETE, reported once.
        run2 = self.once(now=self.now + 120)
        self.assertEqual(run2.named("export-started"), [], run2.describe())
        self.assertEqual(len(self.requests("StartExportTask")), 1)
        status = self.rds().describe_export_tasks()["ExportTasks"][0]["Status"]
        completed = run2.named("export-completed")
        if status == "COMPLETE":
            self.assertEqual([e.snapshot for e in completed], [started[0].snapshot], run2.describe())
            run3 = self.once(now=self.now + 240)
            self.assertEqual(run3.named("export-completed"), [], "reported once")
        else:
            self.assertEqual(completed, [], f"task {status}: not complete yet")

    def test_dry_run_plans_copy_and_share_but_calls_nothing(self):
        w = window_open_now(self.now)
        self.seed(clusters=[{"id": "db-d"}], snapshots=[agent_snapshot("db-d", w, self.now - DAY)])
        self.write_config([policy(clusters=["db-d"], window=w, share={"accounts": [ACCOUNT_B]},
                                  copy=[{"region": OTHER, "retention": {"daily": 3}}])])
        run = self.once("--dry-run")
        (summary,) = run.named("cycle-summary")
        self.assertEqual(summary.get("AURORA_PLANNED"), "3", run.describe())  # create, copy, share
        self.assertEqual(summary.get("AURORA_SUCCEEDED"), "0", run.describe())
        self.assertNoMutatingCalls(run)
        self.assertEqual(self.ledger(), [])
        self.assertEqual(self.client("rds", OTHER).describe_db_cluster_snapshots()["DBClusterSnapshots"], [])


if __name__ == "__main__":
    main()
