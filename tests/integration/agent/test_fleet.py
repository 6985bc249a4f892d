#!/usr/bin/env python3
"""Fleet settings: agent.shard splits the policies between agents (each cluster is snapshotted by
exactly one, and an agent never deletes another shard's snapshots), and agent.prometheus_textfile is
written after each cycle with the newest snapshot of every managed cluster."""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from agent_harness import (DAY, AgentTestCase, agent_snapshot, fnv1a64, main, policy,  # noqa: E402
                           window_open_now)


def shard(name, n):
    """plan_policy_shard(): FNV-1a 64 through murmur3's finaliser, mod n, plus 1."""
    m = (1 << 64) - 1
    h = fnv1a64(name)
    h ^= h >> 33
    h = (h * 0xff51afd7ed558ccd) & m
    h ^= h >> 33
    h = (h * 0xc4ceb9fe1a85ec53) & m
    h ^= h >> 33
    return h % n + 1


class Fleet(AgentTestCase):
    def test_two_shards_split_the_policies_and_never_touch_each_other(self):
        w = window_open_now(self.now)
        names = ["alpha", "bravo", "charlie", "delta"]
        shard_of = {n: shard(n, 2) for n in names}
        self.assertEqual(set(shard_of.values()), {1, 2}, "pick names that land in both shards")
        clusters = [{"id": f"db-{n}"} for n in names]
        # One expired agent snapshot per cluster, and a newer one that stays.
        old = [agent_snapshot(f"db-{n}", w, self.now - 40 * DAY, policy_name=n) for n in names]
        new = [agent_snapshot(f"db-{n}", w, self.now - 1 * DAY, policy_name=n) for n in names]
        self.seed(clusters=clusters, snapshots=old + new)
        policies = [policy(name=n, clusters=[f"db-{n}"], window=w, retention={"max_age": "30d"}) for n in names]

        created, deleted = {}, {}
        for k in (1, 2):
            state = os.path.join(self.tmp, f"state-{k}")
            os.mkdir(state)
            cfg = self.write_config(policies, path=os.path.join(self.tmp, f"agent-{k}.conf"),
                                    shard=f"{k}/2", state_directory=state)
            run = self.once(config=cfg)
            created[k] = {e.cluster for e in run.named("snapshot-started")}
            deleted[k] = {e.cluster for e in run.named("snapshot-deleted")}
            mine = {f"db-{n}" for n in names if shard_of[n] == k}
            self.assertEqual(created[k], mine, run.describe())
            self.assertEqual(deleted[k], mine, run.describe())
        # Between them, every cluster exactly once.
        self.assertEqual(created[1] | created[2], {f"db-{n}" for n in names})
        self.assertEqual(created[1] & created[2], set())
        creates = self.requests("CreateDBClusterSnapshot")
        self.assertEqual(len(creates), len(names), creates)

    def test_two_roles_in_one_region_are_observed_once_each(self):
        # One policy with the agent's own credentials, one through STS AssumeRole, both in us-east-1 (the
        # world is one account, as two roles into the same account would be).
        w = window_open_now(self.now)
        self.seed(clusters=[{"id": "db-own"}, {"id": "db-role"}])
        self.write_config([policy(name="own", clusters=["db-own"], window=w),
                           policy(name="assumed", clusters=["db-role"], window=w,
                                  assume_role={"role_arn": "arn:aws:iam::123456789012:role/backup"})])
        run = self.once()
        self.assertEqual(len(self.requests("AssumeRole")), 1, run.describe())
        self.assertEqual(sorted(e.cluster for e in run.named("snapshot-started")), ["db-own", "db-role"])
        (summary,) = run.named("cycle-summary")
        self.assertEqual(summary.get("AURORA_CLUSTERS"), "2", run.describe())  # not counted once per role
        self.assertEqual(len(self.requests("CreateDBClusterSnapshot")), 2)
        self.assertLedgerComplete(run)

    def test_prometheus_textfile_after_each_cycle(self):
        w = window_open_now(self.now)
        prev = agent_snapshot("db-m", w, self.now - 2 * DAY)
        self.seed(clusters=[{"id": "db-m"}, {"id": "other"}], snapshots=[prev])
        prom = os.path.join(self.tmp, "aurora-backup.prom")
        self.write_config([policy(clusters=["db-*"], window=w)], prometheus_textfile=prom)

        run = self.once()
        with open(prom) as f:
            text = f.read()
        self.assertEqual(oct(os.stat(prom).st_mode & 0o777), "0o644")
        self.assertEqual([p for p in os.listdir(self.tmp) if p.startswith("aurora-backup.prom.")], [],
                         "the temporary file is renamed, not left behind")
        m = re.search(r'^aurora_backup_newest_snapshot_timestamp_seconds\{cluster="db-m",policy="prod",'
                      r'region="us-east-1"\} (\d+)$', text, re.M)
        self.assertIsNotNone(m, text)
        # As observed at the start of the cycle: the snapshot taken in it shows from the next cycle on.
        self.assertEqual(int(m.group(1)), prev["created"])
        self.assertNotIn('cluster="other"', text, "only managed clusters")
        self.assertRegex(text, r'(?m)^aurora_backup_cycle_actions\{outcome="created"\} 1$')
        self.assertRegex(text, r'(?m)^aurora_backup_cycle_actions\{outcome="failed"\} 0$')
        self.assertRegex(text, r'(?m)^aurora_backup_snapshots\{region="us-east-1",origin="agent"\} 1$')
        for line in text.splitlines():
            self.assertRegex(line, r'^(# (HELP|TYPE) \w+ .+|\w+(\{[^}]*\})? -?\d+)$', "text format")
        self.assertEqual(len(run.named("snapshot-started")), 1)

    def test_prometheus_gauges_leave_out_what_the_cycle_deleted(self):
        """aurora_backup_snapshots counts what is left after the cycle's deletions; the newest-snapshot
        gauges name each cluster's own newest, whatever else is in the region."""
        w = window_open_now(self.now)
        kept = [agent_snapshot("db-a", w, self.now - d * DAY) for d in (1, 2)]
        expired = [agent_snapshot("db-a", w, self.now - d * DAY) for d in (40, 50)]
        other = agent_snapshot("db-b", w, self.now - 3 * DAY)
        self.seed(clusters=[{"id": "db-a"}, {"id": "db-b"}, {"id": "db-c"}],
                  snapshots=kept + expired + [other])
        prom = os.path.join(self.tmp, "aurora-backup.prom")
        self.write_config([policy(clusters=["db-*"], window=w, retention={"max_age": "30d", "min_keep": 1})],
                          prometheus_textfile=prom)

        run = self.once()
        self.assertEqual(len(self.requests("DeleteDBClusterSnapshot")), 2, run.describe())
        with open(prom) as f:
            text = f.read()

        def gauge(name, **labels):
            sel = ",".join(f'{k}="{v}"' for k, v in labels.items())
            m = re.search(rf'(?m)^{name}\{{{sel}\}} (\d+)$', text)
            self.assertIsNotNone(m, f"{name}{{{sel}}} in\n{text}")
            return int(m.group(1))

        # Observed: 5 of the agent's; the cycle deleted 2 (its creations show from the next cycle on).
        self.assertEqual(gauge("aurora_backup_snapshots", region="us-east-1", origin="agent"), 3)
        for cluster, newest in (("db-a", kept[0]["created"]), ("db-b", other["created"]), ("db-c", 0)):
            self.assertEqual(gauge("aurora_backup_newest_snapshot_timestamp_seconds", cluster=cluster,
                                   policy="prod", region="us-east-1"), newest, cluster)
            self.assertEqual(gauge("aurora_backup_last_snapshot_timestamp_seconds", policy="prod",
                                   cluster=cluster), newest, cluster)


if __name__ == "__main__":
    main()
