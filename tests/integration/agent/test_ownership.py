#!/usr/bin/env python3
"""Issue 13: ownership that one tag cannot fake. The agent deletes a snapshot only when its name, its
managed-by tag and its slot tag all agree (and its policy tag names the policy that selects the cluster);
it tears a cluster down as a restore drill only when its own ledger holds the restore of that cluster.
Each scenario runs several cycles against the local AWS world: what is not the agent's is never deleted."""

import datetime
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from agent_harness import (DAY, PREFIX, AgentTestCase, agent_snapshot, main, policy,  # noqa: E402
                           window_open_now)


def drill_id(cluster, t):
    """The drill cluster of `cluster` for the daily period containing t."""
    day = datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y%m%d")
    return f"{PREFIX}-rt-{cluster}-{day}"


class Snapshots(AgentTestCase):
    def test_managed_by_tag_alone_is_never_deleted(self):
        """A DBA's 200-day-old snapshot carrying only the agent's tags (no slot tag) survives retention."""
        w = window_open_now(self.now)
        mine = agent_snapshot("db-00", w, self.now - DAY)
        forged = {"cluster": "db-00", "origin": "agent", "id": "db-00-compliance-hold-2026",
                  "created": self.now - 200 * DAY, "tags": {"aurora-backup:policy": "prod"}}
        self.seed(clusters=[{"id": "db-00"}], snapshots=[mine, forged])
        self.write_config([policy(window=w, retention={"max_age": "30d", "min_keep": 0})])

        for i in range(2):
            run = self.once(now=self.now + i * 60)
            self.assertIn(forged["id"], self.snapshots("db-00"), run.describe())
        self.assertEqual(self.requests("DeleteDBClusterSnapshot"), [])

    def test_copy_made_with_copy_tags_is_never_deleted(self):
        """An operator's copy of an expired agent snapshot, made with CopyTags: every tag of the agent's,
        slot included, under another name. The original expires and goes; the copy stays."""
        w = window_open_now(self.now)
        recent = agent_snapshot("db-00", w, self.now - DAY)
        expired = agent_snapshot("db-00", w, self.now - 100 * DAY)
        copy = dict(expired, id="db-00-keep-forever-copy", created=self.now - 90 * DAY)
        self.seed(clusters=[{"id": "db-00"}], snapshots=[recent, expired, copy])
        self.write_config([policy(window=w, retention={"max_age": "30d", "min_keep": 0})])

        first = self.once()
        self.assertNotIn(expired["id"], self.snapshots("db-00"), first.describe())
        second = self.once(now=self.now + 60)
        self.assertIn(copy["id"], self.snapshots("db-00"), second.describe())
        deleted = [e.snapshot for run in (first, second) for e in run.named("snapshot-deleted")]
        self.assertEqual(deleted, [expired["id"]])

    def test_snapshot_of_another_or_no_configured_policy_is_kept_and_reported_once(self):
        w = window_open_now(self.now)
        recent = agent_snapshot("db-00", w, self.now - DAY)
        other = agent_snapshot("db-00", w, self.now - 100 * DAY, policy_name="staging")
        ghost = agent_snapshot("db-00", w, self.now - 101 * DAY, policy_name="renamed-long-ago")
        self.seed(clusters=[{"id": "db-00"}, {"id": "stage-1"}], snapshots=[recent, other, ghost])
        self.write_config([policy(window=w, retention={"max_age": "30d", "min_keep": 0}),
                           policy(name="staging", clusters=["stage-*"], window=w)])

        first = self.once()
        second = self.once(now=self.now + 60)
        left = self.snapshots("db-00")
        self.assertIn(other["id"], left, first.describe())
        self.assertIn(ghost["id"], left, first.describe())
        self.assertEqual(self.requests("DeleteDBClusterSnapshot"), [])
        refused = {e.snapshot: e.reason for e in first.named("action-refused")}
        self.assertIn("aurora-backup:policy=staging, but cluster db-00 is selected by policy prod",
                      refused.get(other["id"], ""), first.describe())
        self.assertIn("names no configured policy", refused.get(ghost["id"], ""), first.describe())
        self.assertEqual([e for e in second.named("action-refused") if e.snapshot in (other["id"], ghost["id"])],
                         [], "reported once, not every cycle")


class Drills(AgentTestCase):
    def test_cluster_that_only_looks_like_a_drill_is_never_probed_or_deleted(self):
        """Named and tagged exactly as the agent's drills (yesterday's and today's), with no restore in the
        agent's ledger: not probed, no instance created for it, not deleted; today's drill is not taken
        over either (the restore finds the name taken and says so)."""
        w = window_open_now(self.now)
        prev = agent_snapshot("db-a", w, self.now - DAY)
        drill_tags = {"aurora-backup:restore-test": "db-a", "aurora-backup:managed-by": "aurora-backup-agent",
                      "aurora-backup:policy": "prod"}
        yesterday = {"id": drill_id("db-a", self.now - DAY), "tags": drill_tags}
        today = {"id": drill_id("db-a", self.now), "tags": drill_tags}
        self.seed(clusters=[{"id": "db-a", "engine": "aurora-postgresql"}, yesterday, today], snapshots=[prev])
        marker = os.path.join(self.tmp, "probed")
        self.write_config([policy(clusters=["db-a"], window=w,
                                  restore_test={"every": "daily", "instance_class": "db.r6g.large",
                                                "keep_minutes": 0,
                                                "probe_command": f"echo $AURORA_RESTORE_CLUSTER >> {marker}"})])

        runs = [self.once(now=self.now + 60 * i, expect=None) for i in range(4)]

        clusters = {c["DBClusterIdentifier"] for c in self.rds().describe_db_clusters()["DBClusters"]}
        self.assertIn(yesterday["id"], clusters, runs[-1].describe())
        self.assertIn(today["id"], clusters, runs[-1].describe())
        self.assertEqual(self.requests("DeleteDBCluster"), [], runs[-1].describe())
        self.assertEqual(self.requests("DeleteDBInstance"), [], runs[-1].describe())
        self.assertEqual(self.requests("CreateDBInstance"), [], runs[-1].describe())
        self.assertFalse(os.path.exists(marker), "no probe ran against a cluster the agent did not restore")
        refused = [e for e in runs[0].named("action-refused") if e.target == yesterday["id"]]
        self.assertEqual(len(refused), 1, runs[0].describe())
        self.assertIn("ledger", refused[0].reason)
        failed = [e for run in runs for e in run.named("restore-failed")]
        self.assertEqual(len(failed), 1, [r.describe() for r in runs])
        self.assertIn("not the agent's", failed[0].reason)
        rows = self.ledger(kind="restore")
        self.assertEqual([(r["snapshot"], r["state"]) for r in rows], [(today["id"], "failed")], rows)


if __name__ == "__main__":
    main()
