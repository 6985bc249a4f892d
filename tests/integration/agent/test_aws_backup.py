#!/usr/bin/env python3
"""Issue 7: AWS Backup snapshots (awsbackup:...) do not count toward the manual snapshot quota and are
deleted only through AWS Backup DeleteRecoveryPoint, only with aws_backup.manage; a locked vault and the
EXPIRED answer are each reported; dry-run touches nothing."""

import json
import os
import sqlite3
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from agent_harness import (DAY, AgentTestCase, iso, main, policy, snapshot_id,  # noqa: E402
                           window_open_now)

LIMIT = 20
YOUNG_DAYS = range(1, 21)   # 20 Backup snapshots inside aws_backup.max_age = 35d
OLD_DAYS = range(40, 50)    # 10 past it


class AwsBackup(AgentTestCase):
    def world_at_quota(self, manage=True, vault="Default", extra_snapshots=()):
        """db-k: LIMIT - 1 foreign manual snapshots, 30 AWS Backup snapshots (20 young, 10 old, half
        reported by RDS as SnapshotType manual, half as awsbackup), a continuous recovery point."""
        self.w = window_open_now(self.now)
        manual = [{"cluster": "db-k", "origin": "foreign", "id": f"manual-db-k-{i:02d}",
                   "created": self.now - (i + 1) * DAY} for i in range(LIMIT - 1)]
        backup = [{"cluster": "db-k", "origin": "awsbackup", "created": self.now - d * DAY,
                   "type": "manual" if d % 2 else "awsbackup", "vault": vault}
                  for d in list(YOUNG_DAYS) + list(OLD_DAYS)]
        continuous = [{"cluster": "db-k", "origin": "continuous", "created": self.now - 300 * DAY,
                       "vault": vault}]
        seeded = self.seed(clusters=[{"id": "db-k"}],
                           snapshots=manual + backup + continuous + list(extra_snapshots))
        extra_ids = {s.get("id") for s in extra_snapshots}
        ids = [s for s in seeded["snapshots"] if s.startswith("awsbackup:") and s not in extra_ids]
        self.assertEqual(len(ids), 30)
        self.young = set(ids[:len(YOUNG_DAYS)])
        self.old = set(ids[len(YOUNG_DAYS):len(YOUNG_DAYS) + len(OLD_DAYS)])
        self.continuous = [s for s in seeded["snapshots"] if s.startswith("continuous:")]
        self.admin.quota(LIMIT)
        self.world_at_quota_config(manage)
        _, start, _ = self.w.slot("db-k", self.now)
        self.sid = snapshot_id("db-k", start)

    def world_at_quota_config(self, manage):
        p = policy(clusters=["db-k"], window=self.w, retention={"daily": 30, "min_keep": 1},
                   quota={"limit": LIMIT, "reserve": 0})
        if manage:
            p["aws_backup"] = {"manage": True, "max_age": "35d"}
        self.write_config([p])

    def point_path_requests(self, snapshot_ids):
        """DeleteRecoveryPoint requests whose path names one of these snapshots' ARNs."""
        arns = {f"arn:aws:rds:us-east-1:123456789012:cluster-snapshot:{s}" for s in snapshot_ids}
        out = []
        for r in self.requests("DeleteRecoveryPoint"):
            arn = urllib.parse.unquote(r["path"].rsplit("/", 1)[-1])
            if arn in arns:
                out.append(r)
        return out

    def backup_snapshots(self):
        return {s for s in self.snapshots("db-k") if s.startswith(("awsbackup:", "continuous:"))}

    def test_agent_creates_at_quota_minus_one_because_backup_snapshots_do_not_count(self):
        self.world_at_quota(manage=False)

        run = self.once()

        self.assertIn(self.sid, self.snapshots("db-k"), run.describe())
        self.assertEqual(run.named("quota-exhausted"), [], run.describe())
        self.assertEqual(self.admin.quota()["regions"]["us-east-1"]["counted"], LIMIT)

    def test_expired_backup_snapshots_are_deleted_only_through_delete_recovery_point(self):
        self.world_at_quota()

        run = self.once()

        self.assertEqual(self.backup_snapshots(), self.young | set(self.continuous), run.describe())
        self.assertEqual(self.requests("DeleteDBClusterSnapshot"), [], "no RDS delete at all")
        deletes = self.requests("DeleteRecoveryPoint")
        self.assertEqual(len(deletes), len(self.old), deletes)
        self.assertEqual(len(self.point_path_requests(self.old)), len(self.old), deletes)
        self.assertTrue(all(r["status"] == 200 and r["method"] == "DELETE" for r in deletes), deletes)
        self.assertTrue(self.requests("ListRecoveryPointsByResource"), "the vault is looked up")
        events = run.named("backup-deleted")
        self.assertEqual({e.snapshot for e in events}, self.old, run.describe())
        self.assertTrue(all(e.cluster == "db-k" and e.policy == "prod" and e.reason for e in events),
                        run.describe())
        self.assertEqual(run.named("snapshot-deleted"), [], run.describe())
        rows = self.ledger(kind="delete-backup")
        self.assertEqual({r["snapshot"] for r in rows}, self.old, rows)
        self.assertEqual({r["state"] for r in rows}, {"done"}, rows)
        self.assertIn(self.sid, self.snapshots("db-k"), "and the create still happens")
        self.assertLedgerComplete(run)
        vault = self.db().execute("SELECT vault FROM vault_cache").fetchall()
        self.assertEqual([v[0] for v in vault], ["Default"])

        again = self.once()
        self.assertEqual(len(self.requests("DeleteRecoveryPoint")), len(self.old), again.describe())

    def test_stale_vault_cache_is_refreshed_when_the_point_is_not_found(self):
        self.world_at_quota(manage=False)
        self.once()  # creates state.db
        cluster_arn = "arn:aws:rds:us-east-1:123456789012:cluster:db-k"
        path = os.path.join(self.state_dir, "state.db")
        con = sqlite3.connect(path)
        con.execute("INSERT OR REPLACE INTO vault_cache (resource_arn, vault, updated_at) VALUES (?, ?, ?)",
                    (cluster_arn, "vault-that-moved", self.now))
        con.commit()
        con.close()
        self.world_at_quota_config(manage=True)

        run = self.once()

        self.assertEqual(self.backup_snapshots(), self.young | set(self.continuous), run.describe())
        vault = self.db().execute("SELECT vault FROM vault_cache WHERE resource_arn = ?",
                                  (cluster_arn,)).fetchall()
        self.assertEqual([v[0] for v in vault], ["Default"])
        stale = [r for r in self.requests("DeleteRecoveryPoint")
                 if r["path"].startswith("/backup-vaults/vault-that-moved/")]
        self.assertEqual([r["status"] for r in stale], [400], "one try in the stale vault, then a refresh")
        self.assertEqual(self.requests("DeleteDBClusterSnapshot"), [])

    def test_cycle_summary_shows_backup_snapshots_separately(self):
        self.world_at_quota(manage=False)

        run = self.once()

        summary = run.named("cycle-summary")
        self.assertEqual(len(summary), 1, run.describe())
        s = summary[0]
        self.assertEqual(s.get("AURORA_AWS_BACKUP_SNAPSHOTS"), "31", s)  # 30 + the continuous point
        self.assertEqual(s.get("AURORA_AWS_BACKUP_OLDEST"), iso(self.now - 300 * DAY), s)
        self.assertEqual(s.get("AURORA_AWS_BACKUP_NEWEST"), iso(self.now - 1 * DAY), s)
        # Issue 7: "count, oldest, newest and vaults".
        self.assertIn("Default", json.dumps(s), "the summary names the vaults\n" + run.describe())

        # The vault is learned by the observation and kept in the state: the report makes no AWS call, and a
        # later cycle asks AWS Backup nothing to name it again.
        self.admin.clear_requests()
        run = self.once()
        self.assertEqual(self.requests(service="backup"), [], run.describe())
        self.assertIn("Default", json.dumps(run.named("cycle-summary")[0]), run.describe())

    def test_backup_snapshot_newer_than_retention_is_kept(self):
        self.world_at_quota(extra_snapshots=[
            {"cluster": "db-k", "origin": "awsbackup", "id": "awsbackup:job-inside-34d",
             "created": self.now - 34 * DAY},
            {"cluster": "db-k", "origin": "awsbackup", "id": "awsbackup:job-outside-36d",
             "created": self.now - 36 * DAY}])

        run = self.once()

        left = self.backup_snapshots()
        self.assertIn("awsbackup:job-inside-34d", left, run.describe())
        self.assertNotIn("awsbackup:job-outside-36d", left, run.describe())
        self.assertTrue(self.young <= left)

    def test_locked_vault_refusal_is_reported_once_and_not_retried_every_cycle(self):
        self.world_at_quota(vault="locked")
        self.admin.vault_lock("locked", min_retention_days=365)

        first = self.once(expect=1)

        locked = first.named("backup-vault-locked")
        self.assertEqual({e.snapshot for e in locked}, self.old, first.describe())
        self.assertEqual(len(locked), len(self.old), first.describe())
        self.assertTrue(all(e.level == "warning" and e.error_code for e in locked), first.describe())
        self.assertEqual(self.backup_snapshots(), self.young | self.old | set(self.continuous))
        self.assertEqual(len(self.requests("DeleteRecoveryPoint")), len(self.old))
        self.assertEqual(self.requests("DeleteDBClusterSnapshot"), [])
        self.assertLedgerComplete(first)

        second = self.once()
        self.assertEqual(second.named("backup-vault-locked"), [], second.describe())
        self.assertEqual(len(self.requests("DeleteRecoveryPoint")), len(self.old),
                         "not retried every cycle\n" + second.describe())
        self.assertEqual(self.requests("DeleteDBClusterSnapshot"), [])

    def test_expired_answer_is_reported_as_a_failed_delete_with_a_hint(self):
        self.world_at_quota()
        trapped = sorted(self.old)[0]
        self.admin.expire_trap(trapped)

        run = self.once(expect=1)

        expired = run.named("backup-delete-expired")
        self.assertEqual([e.snapshot for e in expired], [trapped], run.describe())
        self.assertEqual(expired[0].level, "error")
        self.assertIn("permission", (expired[0].get("MESSAGE", "") + " " + (expired[0].reason or "")).lower(),
                      run.describe())
        self.assertNotIn(trapped, {e.snapshot for e in run.named("backup-deleted")}, run.describe())
        self.assertIn(trapped, self.backup_snapshots(), "EXPIRED keeps the snapshot")
        self.assertEqual(self.backup_snapshots(), self.young | {trapped} | set(self.continuous))
        rows = self.ledger(kind="delete-backup", snapshot=trapped)
        self.assertEqual([r["state"] for r in rows], ["failed"], rows)
        self.assertEqual(self.requests("DeleteDBClusterSnapshot"), [])

    def test_dry_run_touches_nothing(self):
        self.world_at_quota()
        before = set(self.snapshots())

        run = self.once("--dry-run")

        self.assertNoMutatingCalls(run)
        self.assertEqual(set(self.snapshots()), before)
        self.assertEqual(len(self.admin.recovery_points()), 31)
        self.assertEqual(self.ledger(), [])

    def test_without_manage_backup_snapshots_are_never_touched(self):
        self.world_at_quota(manage=False)

        run = self.once()

        self.assertEqual(self.backup_snapshots(), self.young | self.old | set(self.continuous))
        self.assertEqual(self.requests("DeleteRecoveryPoint"), [])
        self.assertEqual(self.requests("DeleteDBClusterSnapshot"), [])
        self.assertEqual([r for r in self.mutating_requests() if r["service"] == "backup"], [])
        self.assertEqual(run.named("backup-deleted"), [])
        self.assertEqual(self.ledger(kind="delete-backup"), [])


if __name__ == "__main__":
    main()
