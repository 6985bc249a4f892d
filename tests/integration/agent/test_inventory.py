#!/usr/bin/env python3
"""Issue 11: an inventory that lives between cycles. The daemon observes in full once, then each wake-up
makes only targeted calls: at a slot, DescribeDBClusters and DescribeDBClusterSnapshots with the cluster's
identifier, then the create; a poll looks at the one snapshot. Someone else's snapshot, or a cluster gone,
seen by a targeted look brings a full refresh. The daemon runs on a test clock 120 times faster than real
time (AURORA_BACKUP_TEST_CLOCK_RATE), so half an hour of slots takes half a minute."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from agent_harness import DAY, AgentTestCase, Window, agent_snapshot, main, policy, snapshot_id  # noqa: E402

RATE = 120
CLUSTERS = [f"db-{i:02d}" for i in range(8)]
FULL = ("DescribeDBClusters", "DescribeDBClusterSnapshots", "DescribeAccountAttributes", "DescribeExportTasks", "GetMetricData")


def is_full_inventory_call(r):
    """A region-wide Describe (no identifier), or the backup storage figures: part of a full inventory."""
    p = r.get("params") or {}
    return r["action"] in FULL and not p.get("DBClusterIdentifier") and not p.get("DBClusterSnapshotIdentifier") \
        and not p.get("ExportTaskIdentifier")


class Inventory(AgentTestCase):
    def fleet(self):
        """Eight clusters whose slots start over the next half hour (a window that opened a minute ago), each
        with three older daily snapshots of the agent's."""
        self.w = Window(self.now - 60, 60)
        snaps = [agent_snapshot(c, self.w, self.now - d * DAY) for c in CLUSTERS for d in (1, 2, 3)]
        self.seed(clusters=[{"id": c} for c in CLUSTERS], snapshots=snaps)
        self.write_config([policy(clusters=["db-*"], window=self.w, retention={"daily": 7})],
                          reconcile_interval="15m")
        self.slot = {c: self.w.slot(c, self.now)[1] for c in CLUSTERS}

    def start(self):
        d = self.daemon(env=self.env(now=self.now, AURORA_BACKUP_TEST_CLOCK_RATE=str(RATE)))
        d.wait_event("cycle-summary", count=1)
        return d

    def wait_all_taken(self, d, clusters):
        for c in clusters:
            d.wait_event("snapshot-started", count=1, snapshot=snapshot_id(c, self.slot[c]))

    def test_after_one_full_inventory_each_slot_costs_targeted_calls_only(self):
        self.fleet()
        d = self.start()
        self.wait_all_taken(d, CLUSTERS)
        # The last creates' polls, then stop.
        d.wait_event("cycle-summary", count=len(d.wait_event("cycle-summary", count=1)) + 2)
        d.stop()

        requests = self.requests()
        full = [r for r in requests if is_full_inventory_call(r)]
        self.assertEqual(sorted({r["action"] for r in full}),
                         ["DescribeAccountAttributes", "DescribeDBClusterSnapshots", "DescribeDBClusters",
                          "GetMetricData"])  # the backup storage figures: one call per region per full inventory
        self.assertEqual(len([r for r in full if r["action"] == "DescribeDBClusters"]), 1, "one full inventory")
        created = [r for r in requests if r["action"] == "CreateDBClusterSnapshot" and r["status"] == 200]
        self.assertEqual(len(created), len(CLUSTERS), "one snapshot per cluster and slot")
        targeted = [r for r in requests if not is_full_inventory_call(r)]
        self.assertLessEqual(len(targeted), 4 * len(created),
                             f"{len(targeted)} calls beyond the full inventory for {len(created)} snapshots")
        for r in targeted:
            if r["action"] == "DescribeDBClusters":
                self.assertIn(r["params"].get("DBClusterIdentifier"), CLUSTERS, r)
        for c in CLUSTERS:
            self.assertEqual([s for s in self.snapshots(c) if s == snapshot_id(c, self.slot[c])],
                             [snapshot_id(c, self.slot[c])])

    def test_a_snapshot_made_by_someone_else_brings_a_full_refresh(self):
        self.fleet()
        late = max(CLUSTERS, key=lambda c: self.slot[c])
        d = self.start()
        self.seed(snapshots=[{"cluster": late, "origin": "foreign", "id": "made-by-hand"}])
        self.wait_all_taken(d, [late])
        d.wait_event("cycle-summary", count=len(d.wait_event("cycle-summary", count=1)) + 1)
        d.stop()
        full_lists = [r for r in self.requests("DescribeDBClusters") if is_full_inventory_call(r)]
        self.assertEqual(len(full_lists), 2, "the targeted look disagreed: one more full inventory")

    def test_a_cluster_deleted_between_refreshes_is_not_snapshotted(self):
        self.fleet()
        late = max(CLUSTERS, key=lambda c: self.slot[c])
        d = self.start()
        self.rds().delete_db_cluster(DBClusterIdentifier=late, SkipFinalSnapshot=True)
        others = [c for c in CLUSTERS if c != late]
        self.wait_all_taken(d, others)
        # Past the late cluster's slot.
        time.sleep(max(0, (self.slot[late] - self.now) / RATE) + 3)
        d.stop()
        creates = [r for r in self.requests("CreateDBClusterSnapshot") if r["params"].get("DBClusterIdentifier") == late]
        self.assertEqual(creates, [], "no create for a cluster that is gone")
        looks = [r for r in self.requests("DescribeDBClusters") if (r.get("params") or {}).get("DBClusterIdentifier") == late]
        self.assertTrue(looks, "its slot brought a targeted look, which found it gone")


if __name__ == "__main__":
    main()
