#!/usr/bin/env python3
"""Issue 6: snapshots in the window with the ownership tags; a busy cluster retried inside its window and
reported missed once after it; quota exhausted (the agent's own limit, and AWS's refusal)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from agent_harness import (DAY, AgentTestCase, agent_snapshot, iso, main, policy,  # noqa: E402
                           snapshot_id, window_open_now)


class Schedule(AgentTestCase):
    def one_cluster_in_its_window(self):
        """db-a under a policy whose window is open now; returns the start of db-a's slot and the
        identifier of the slot's snapshot."""
        w = window_open_now(self.now)
        self.seed(clusters=[{"id": "db-a"}])
        self.write_config([policy(window=w)])
        _, start, _ = w.slot("db-a", self.now)
        return start, snapshot_id("db-a", start)

    def test_snapshot_inside_window_carries_ownership_tags(self):
        start, sid = self.one_cluster_in_its_window()

        run = self.once()

        snaps = self.snapshots("db-a")
        self.assertEqual(sorted(snaps), [sid], run.describe())
        self.assertEqual(snaps[sid]["SnapshotType"], "manual")
        tags = self.tags(snaps[sid])
        self.assertEqual(tags.get("aurora-backup:managed-by"), "aurora-backup-agent", tags)
        self.assertEqual(tags.get("aurora-backup:policy"), "prod", tags)
        self.assertEqual(tags.get("aurora-backup:slot"), iso(start), tags)
        creates = self.requests("CreateDBClusterSnapshot")
        self.assertEqual([r["status"] for r in creates], [200], creates)

        started = run.named("snapshot-started", cluster="db-a", snapshot=sid)
        self.assertEqual(len(started), 1, run.describe())
        self.assertEqual(started[0].policy, "prod")
        self.assertEqual(started[0].level, "info")

        rows = self.ledger(kind="create")
        self.assertEqual(len(rows), 1, rows)
        self.assertEqual((rows[0]["snapshot"], rows[0]["cluster"], rows[0]["policy"], rows[0]["state"],
                          rows[0]["slot_start"]), (sid, "db-a", "prod", "done", start), rows)
        self.assertEqual(self.db().execute("SELECT count(*) FROM cycles WHERE finished_at IS NOT NULL")
                         .fetchone()[0], 1)

        # A second cycle in the same slot: the slot is done, so no second create; the snapshot's
        # creation is reported exactly once over both cycles (at the call, or by the poll after it).
        again = self.once()
        self.assertEqual(len(self.requests("CreateDBClusterSnapshot")), 1, again.describe())
        created = run.named("snapshot-created", snapshot=sid) + again.named("snapshot-created", snapshot=sid)
        self.assertEqual(len(created), 1, run.describe() + "\n" + again.describe())
        self.assertEqual(created[0].cluster, "db-a")
        self.assertEqual(sorted(self.snapshots("db-a")), [sid])
        self.assertLedgerComplete(again)
        summary = again.named("cycle-summary")
        self.assertEqual(len(summary), 1, again.describe())

    def test_successful_create_records_its_request_id(self):
        # Issue 6: the ledger holds outcomes "with AWS request ids", successes included.
        self.one_cluster_in_its_window()

        run = self.once()

        rows = self.ledger(kind="create", state="done")
        self.assertEqual(len(rows), 1, rows)
        self.assertTrue(rows[0]["request_id"], rows)
        started = run.named("snapshot-started", cluster="db-a")
        self.assertEqual([e.request_id for e in started], [rows[0]["request_id"]], run.describe())

    def test_creating_snapshot_is_polled_until_available_and_reported_with_its_duration(self):
        _, sid = self.one_cluster_in_its_window()
        # The create went out and the agent died before recording the answer; the snapshot is still
        # being made when the agent comes back.
        crashed = self.once(crash_at="after-call", expect=None)
        self.assertNotEqual(crashed.returncode, 0, crashed.describe())
        self.admin.set_snapshot_status(sid, "creating")

        polling = self.once(now=self.now + 60)
        self.assertEqual(polling.named("snapshot-created"), [], polling.describe())
        self.assertEqual(len(self.requests("CreateDBClusterSnapshot")), 1, polling.describe())
        self.assertLedgerComplete(polling)

        self.admin.set_snapshot_status(sid, "available")
        done = self.once(now=self.now + 120)
        created = done.named("snapshot-created", snapshot=sid)
        self.assertEqual(len(created), 1, done.describe())
        self.assertIsNotNone(created[0].duration_sec, done.describe())
        self.assertEqual(len(self.requests("CreateDBClusterSnapshot")), 1)

        again = self.once(now=self.now + 180)
        self.assertEqual(again.named("snapshot-created"), [], "reported once\n" + again.describe())

    def test_only_selected_available_clusters_in_their_window_get_snapshots(self):
        w = window_open_now(self.now)
        later = window_open_now(self.now + 6 * 3600)  # opens in ~5 hours
        self.seed(clusters=[{"id": "db-a"}, {"id": "db-b"}, {"id": "web-1"}])
        self.write_config([policy(name="now", clusters=["db-a"], window=w),
                           policy(name="later", clusters=["db-b"], window=later)])

        run = self.once()

        _, start, _ = w.slot("db-a", self.now)
        self.assertEqual(sorted(self.snapshots()), [snapshot_id("db-a", start)], run.describe())
        self.assertEqual(len(self.requests("CreateDBClusterSnapshot")), 1)
        self.assertEqual(run.named("window-missed"), [], run.describe())

    def test_cluster_preferred_window_is_used_by_default(self):
        w = window_open_now(self.now, length_min=60)
        self.seed(clusters=[{"id": "db-p", "backup_window": w.text}])
        self.write_config([policy(window=None)])  # window = "cluster"

        run = self.once()

        _, start, _ = w.slot("db-p", self.now)
        self.assertEqual(sorted(self.snapshots("db-p")), [snapshot_id("db-p", start)], run.describe())

    def test_unavailable_cluster_is_retried_inside_its_window(self):
        w = window_open_now(self.now)
        self.seed(clusters=[{"id": "db-busy", "status": "modifying"}])
        self.write_config([policy(window=w)])
        _, start, close = w.slot("db-busy", self.now)
        sid = snapshot_id("db-busy", start)

        busy = self.once()

        self.assertEqual(self.requests("CreateDBClusterSnapshot"), [], busy.describe())
        self.assertEqual(self.snapshots("db-busy"), {})
        waits = [e for e in busy.events if e.cluster == "db-busy" and e.action in ("wait", "retry")]
        self.assertTrue(waits, "a retry is planned and reported\n" + busy.describe())
        self.assertIn("modifying", " ".join(f"{e.get('MESSAGE')} {e.reason}" for e in waits),
                      busy.describe())
        self.assertEqual(busy.named("window-missed"), [], busy.describe())
        self.assertEqual(busy.named("snapshot-failed"), [], busy.describe())
        self.assertLedgerComplete(busy)

        # Later in the same window the cluster is available again: the retry takes the slot's snapshot.
        self.admin.set_cluster_status("db-busy", "available")
        retry = self.once(now=self.now + 5 * 60)
        self.assertLess(self.now + 5 * 60, close)
        self.assertEqual(sorted(self.snapshots("db-busy")), [sid], retry.describe())
        self.assertEqual(len(retry.named("snapshot-started", snapshot=sid)), 1, retry.describe())

        # After the window: the slot was taken, nothing is missed.
        after = self.once(now=close + 10 * 60)
        self.assertEqual(after.named("window-missed"), [], after.describe())
        self.assertEqual(len(self.requests("CreateDBClusterSnapshot")), 1)

    def test_window_missed_is_reported_once_after_the_window(self):
        w = window_open_now(self.now)
        _, start, close = w.slot("db-down", self.now)
        # Yesterday's snapshot: the agent has a record of this cluster, so its slots are owed.
        yesterday = agent_snapshot("db-down", w, self.now - DAY)
        self.seed(clusters=[{"id": "db-down", "status": "modifying"}], snapshots=[yesterday])
        self.write_config([policy(window=w)])

        inside = self.once()
        self.assertEqual(inside.named("window-missed"), [], inside.describe())

        after = self.once(now=close + 5 * 60)
        missed = after.named("window-missed", cluster="db-down")
        self.assertEqual(len(missed), 1, after.describe())
        self.assertEqual(missed[0].policy, "prod")
        self.assertEqual(missed[0].level, "warning")
        self.assertEqual(self.requests("CreateDBClusterSnapshot"), [])
        history = [h for h in self.window_history("db-down") if h["slot_start"] == start]
        self.assertEqual([(h["outcome"], h["reported"]) for h in history], [("missed", 1)], history)

        again = self.once(now=close + 20 * 60)
        self.assertEqual(again.named("window-missed"), [], "reported once, not every cycle\n"
                         + again.describe())
        self.assertEqual(sorted(self.snapshots("db-down")), [yesterday["id"]])

    def test_first_slot_of_a_new_cluster_is_not_reported_missed(self):
        w = window_open_now(self.now)
        _, _, close = w.slot("db-new", self.now)
        self.seed(clusters=[{"id": "db-new"}])
        self.write_config([policy(window=w)])

        run = self.once(now=close + 60)

        self.assertEqual(run.named("window-missed"), [], run.describe())
        self.assertEqual(self.requests("CreateDBClusterSnapshot"), [])

    def test_quota_exhausted_means_no_create_and_an_event(self):
        w = window_open_now(self.now)
        foreign = [{"cluster": "db-q", "origin": "foreign", "id": f"manual-db-q-{i}",
                    "created": self.now - (i + 1) * DAY} for i in range(8)]
        self.seed(clusters=[{"id": "db-q"}], snapshots=foreign)
        # limit - reserve = 8 manual snapshots, and 8 exist: no room for a ninth.
        self.write_config([policy(window=w, quota={"limit": 10, "reserve": 2})])

        run = self.once(expect=1)  # issue 14: --once fails while the quota leaves no room

        self.assertEqual(self.requests("CreateDBClusterSnapshot"), [], run.describe())
        self.assertNoMutatingCalls(run)
        events = run.named("quota-exhausted", cluster="db-q")
        self.assertEqual(len(events), 1, run.describe())
        self.assertEqual(events[0].policy, "prod")
        self.assertEqual(events[0].level, "warning")
        self.assertEqual(len(self.snapshots("db-q")), 8)
        self.assertEqual(self.ledger(kind="create"), [])

    def test_aws_quota_refusal_fails_the_create_and_is_reported(self):
        w = window_open_now(self.now)
        foreign = [{"cluster": "db-q", "origin": "foreign", "id": f"manual-db-q-{i}",
                    "created": self.now - (i + 1) * DAY} for i in range(5)]
        self.seed(clusters=[{"id": "db-q"}], snapshots=foreign)
        self.admin.quota(5)  # AWS's quota is lower than the policy believes
        self.write_config([policy(window=w, quota={"limit": 100, "reserve": 5})])
        _, start, _ = w.slot("db-q", self.now)
        sid = snapshot_id("db-q", start)

        run = self.once(expect=1)

        refused = [e for e in run.events if e.error_code == "SnapshotQuotaExceeded"]
        self.assertEqual(len(refused), 1, run.describe())
        self.assertIn(refused[0].name, ("quota-exhausted", "snapshot-failed"), run.describe())
        self.assertEqual((refused[0].cluster, refused[0].snapshot), ("db-q", sid), run.describe())
        self.assertTrue(refused[0].request_id, run.describe())
        self.assertIn(refused[0].level, ("warning", "error"))
        rows = self.ledger(kind="create")
        self.assertEqual([(r["snapshot"], r["state"], r["error_code"]) for r in rows],
                         [(sid, "failed", "SnapshotQuotaExceeded")], rows)
        self.assertTrue(rows[0]["request_id"], rows)
        self.assertNotIn(sid, self.snapshots())


if __name__ == "__main__":
    main()
