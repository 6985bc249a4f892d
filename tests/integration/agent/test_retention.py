#!/usr/bin/env python3
"""Issue 6: on a backdated inventory, retention deletes exactly the expected snapshots, and never an
automated, foreign, held, creating or unmanaged snapshot, the newest, or below min_keep."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from agent_harness import (CTL, DAY, AgentTestCase, agent_snapshot, main, policy,  # noqa: E402
                           snapshot_id, window_open_now)
import subprocess  # noqa: E402


class Retention(AgentTestCase):
    def inventory(self, w):
        """db-r: the agent's dailies 1..6, 20 and 40 days back, plus snapshots that must survive."""
        daily = {d: agent_snapshot("db-r", w, self.now - d * DAY) for d in (1, 2, 3, 4, 5, 6, 20, 40)}
        keepers = {
            "held": agent_snapshot("db-r", w, self.now - 25 * DAY, **{"aurora-backup:hold": "legal"}),
            "creating": agent_snapshot("db-r", w, self.now - 45 * DAY, status="creating"),
            "automated": {"cluster": "db-r", "origin": "automated", "created": self.now - 50 * DAY},
            # Looks like the agent's but lacks its ownership tag: someone else's.
            "foreign-lookalike": {"cluster": "db-r", "origin": "foreign",
                                  "id": snapshot_id("db-r", self.now - 60 * DAY),
                                  "created": self.now - 60 * DAY,
                                  "tags": {"aurora-backup:policy": "prod"}},
            "foreign": {"cluster": "db-r", "origin": "foreign", "id": "before-upgrade-db-r",
                        "created": self.now - 90 * DAY},
            # The agent's, of a cluster no policy selects any more.
            "unmanaged": agent_snapshot("legacy-1", w, self.now - 70 * DAY),
        }
        return daily, keepers

    def test_backdated_inventory_deletes_exactly_the_expired(self):
        w = window_open_now(self.now)
        daily, keepers = self.inventory(w)
        seeded = self.seed(clusters=[{"id": "db-r"}, {"id": "legacy-1"}],
                           snapshots=list(daily.values()) + list(keepers.values()))
        automated = [s for s in seeded["snapshots"] if s.startswith("rds:")]
        self.assertEqual(len(automated), 1)
        self.write_config([policy(clusters=["db-*"], window=w,
                                  retention={"daily": 3, "max_age": "30d", "min_keep": 2})])
        before = set(self.snapshots())

        run = self.once()

        # daily = 3 keeps days 1..3; days 4, 5, 6 and 20 are kept by no rule; day 40 is past max_age.
        expected = {daily[d]["id"] for d in (4, 5, 6, 20, 40)}
        _, start, _ = w.slot("db-r", self.now)
        created = snapshot_id("db-r", start)
        after = set(self.snapshots())
        self.assertEqual(before - after, expected, run.describe())
        self.assertEqual(after - before, {created}, run.describe())
        for name, spec in keepers.items():
            sid = spec.get("id") or automated[0]
            self.assertIn(sid, after, f"{name} snapshot deleted")

        deletes = self.requests("DeleteDBClusterSnapshot")
        self.assertEqual([r["status"] for r in deletes], [200] * len(expected), deletes)
        self.assertEqual(self.requests("DeleteRecoveryPoint"), [])
        events = run.named("snapshot-deleted")
        self.assertEqual({e.snapshot for e in events}, expected, run.describe())
        self.assertEqual(len(events), len(expected), run.describe())
        for e in events:
            self.assertEqual((e.cluster, e.policy), ("db-r", "prod"), e)
            self.assertTrue(e.reason, f"a deletion says why: {e}")
        self.assertIn("max", events_by(events)[daily[40]["id"]].reason.lower(), run.describe())
        rows = self.ledger(kind="delete-rds")
        self.assertEqual({r["snapshot"] for r in rows}, expected, rows)
        self.assertEqual({r["state"] for r in rows}, {"done"}, rows)
        self.assertLedgerComplete(run)

        # The next cycle sees today's new snapshot: daily = 3 now keeps today, day 1 and day 2, so day 3
        # goes, and only it.
        again = self.once()
        self.assertEqual([e.snapshot for e in again.named("snapshot-deleted")], [daily[3]["id"]],
                         again.describe())
        self.assertEqual(len(self.requests("DeleteDBClusterSnapshot")), len(expected) + 1)
        self.assertEqual(set(self.snapshots()), after - {daily[3]["id"]})

    def test_newest_and_min_keep_survive_when_everything_is_expired(self):
        w = window_open_now(self.now)
        old = {d: agent_snapshot("db-o", w, self.now - d * DAY) for d in (40, 41, 42, 43)}
        self.seed(clusters=[{"id": "db-o", "status": "modifying"}], snapshots=list(old.values()))
        self.write_config([policy(clusters=["db-*"], window=w,
                                  retention={"max_age": "30d", "min_keep": 2})])

        run = self.once()

        # All four are past max_age: the newest is kept, min_keep keeps one more, two go.
        remaining = set(self.snapshots("db-o"))
        self.assertEqual(remaining, {old[40]["id"], old[41]["id"]}, run.describe())
        self.assertEqual({e.snapshot for e in run.named("snapshot-deleted")},
                         {old[42]["id"], old[43]["id"]}, run.describe())

    def test_newest_available_snapshot_is_never_deleted(self):
        w = window_open_now(self.now)
        only = agent_snapshot("db-1", w, self.now - 100 * DAY)
        self.seed(clusters=[{"id": "db-1", "status": "modifying"}], snapshots=[only])
        self.write_config([policy(window=w, retention={"max_age": "30d", "min_keep": 0})])

        run = self.once()

        self.assertIn(only["id"], self.snapshots("db-1"), run.describe())
        self.assertEqual(self.requests("DeleteDBClusterSnapshot"), [])
        self.assertEqual(run.named("snapshot-deleted"), [])

    def test_backupctl_plan_explains_every_snapshot_and_changes_nothing(self):
        w = window_open_now(self.now)
        daily, keepers = self.inventory(w)
        self.seed(clusters=[{"id": "db-r"}, {"id": "legacy-1"}],
                  snapshots=list(daily.values()) + list(keepers.values()))
        self.write_config([policy(clusters=["db-*"], window=w,
                                  retention={"daily": 3, "max_age": "30d", "min_keep": 2})])
        self.admin.clear_requests()
        p = subprocess.run([CTL, "plan", "--config", self.config_path], env=self.env(now=self.now),
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNoSanitizerReport(p.stderr)
        lines = p.stdout.splitlines()
        verdicts = {}
        for line in lines:
            fields = dict(f.split("=", 1) for f in line.split()[1:] if "=" in f)
            if line.split()[0] in ("keep", "delete"):
                verdicts[fields["snapshot"]] = (line.split()[0], fields.get("why") or fields.get("by"))
        expected = {daily[d]["id"] for d in (4, 5, 6, 20, 40)}
        self.assertEqual({k for k, v in verdicts.items() if v[0] == "delete"}, expected, p.stdout)
        self.assertEqual(verdicts[daily[40]["id"]][1], "max-age")
        self.assertEqual(verdicts[keepers["held"]["id"]][0], "keep")
        self.assertIn("hold", verdicts[keepers["held"]["id"]][1])
        self.assertEqual(len([ln for ln in lines if ln.startswith("delete-rds ")]), len(expected), p.stdout)
        self.assertEqual(len([ln for ln in lines if ln.startswith("create ")]), 1, p.stdout)
        # Read-only: Describe calls only, and no state written.
        self.assertEqual(self.mutating_requests(), [])
        self.assertFalse(os.path.exists(os.path.join(self.state_dir, "state.db")))
        # The same plan, byte for byte, when asked again.
        again = subprocess.run([CTL, "plan", "--config", self.config_path], env=self.env(now=self.now),
                               capture_output=True, text=True, timeout=120)
        self.assertEqual(again.stdout, p.stdout)


def events_by(events):
    return {e.snapshot: e for e in events}


if __name__ == "__main__":
    main()
