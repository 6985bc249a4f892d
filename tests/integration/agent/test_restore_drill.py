#!/usr/bin/env python3
"""Restore drills (policy restore_test) over several cycles with the clock moved forward: the newest
agent snapshot restored to a tagged temporary cluster, its primary instance created, the time to
restore reported once the instance is the writer, both torn down after keep_minutes; every mutating
call behind a ledger row. Clusters that only look like drills are never deleted, dry-run changes
nothing, and no policy snapshots the drill cluster even when its globs match it."""

import datetime
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from agent_harness import (CTL, DAY, PREFIX, SECRET_KEY, AgentTestCase, agent_snapshot, main, policy,  # noqa: E402
                           window_open_now)

DRILL_MUTATIONS = ("RestoreDBClusterFromSnapshot", "CreateDBInstance", "DeleteDBInstance", "DeleteDBCluster")


def drill_id(cluster, t):
    """The drill cluster of `cluster` for the daily period containing t."""
    day = datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y%m%d")
    return f"{PREFIX}-rt-{cluster}-{day}"


class RestoreDrill(AgentTestCase):
    def setup_world(self, keep_minutes=30, extra_clusters=(), globs=("*",), probe=None):
        w = window_open_now(self.now)
        prev = agent_snapshot("db-a", w, self.now - DAY)
        self.seed(clusters=[{"id": "db-a", "engine": "aurora-postgresql"}] + list(extra_clusters), snapshots=[prev])
        # The globs match the drill's cluster, and the window is open all along.
        drill = {"every": "daily", "instance_class": "db.r6g.large", "keep_minutes": keep_minutes}
        if probe:
            drill["probe_command"] = probe
        self.write_config([policy(clusters=list(globs), window=w, restore_test=drill)])
        return prev

    def clusters(self):
        return {c["DBClusterIdentifier"]: c for c in self.rds().describe_db_clusters()["DBClusters"]}

    def instances(self):
        return {i["DBInstanceIdentifier"]: i for i in self.rds().describe_db_instances()["DBInstances"]}

    def count(self, action):
        return len(self.requests(action))

    def test_drill_restores_completes_and_tears_down(self):
        lookalikes = [
            # Named like a drill, without the agent's tags.
            {"id": drill_id("db-a", self.now - 40 * DAY)},
            # The drill tag but not the managed-by tag.
            {"id": drill_id("db-a", self.now - 41 * DAY), "tags": {"aurora-backup:restore-test": "db-a"}},
            # Both tags, but not the drill prefix.
            {"id": "other-rt-db-a-20200101",
             "tags": {"aurora-backup:restore-test": "db-a", "aurora-backup:managed-by": "aurora-backup-agent"}},
        ]
        t0 = self.now
        drill = drill_id("db-a", t0)
        # The policy's globs match today's drill cluster (not the lookalikes: a cluster without the tags
        # is an ordinary cluster, which a policy matching it would manage and drill in turn).
        prev = self.setup_world(keep_minutes=30, extra_clusters=lookalikes, globs=("db-*", drill))
        instance = drill + "-1"

        # Cycle 1: the restore, with its intent first and the drill's tags.
        run = self.once(now=t0)
        started = run.named("restore-started", cluster="db-a")
        self.assertEqual(len(started), 1, run.describe())
        self.assertEqual(started[0].snapshot, prev["id"], "the newest available agent snapshot is restored")
        self.assertEqual(started[0].target, drill)
        self.assertTrue(started[0].request_id, started[0])
        rows = self.ledger(kind="restore")
        self.assertEqual([(r["state"], r["cluster"], r["snapshot"], r["target"]) for r in rows],
                         [("done", "db-a", drill, prev["id"])], rows)
        restored = self.clusters()[drill]
        tags = {t["Key"]: t["Value"] for t in restored.get("TagList", [])}
        self.assertEqual(tags.get("aurora-backup:managed-by"), "aurora-backup-agent", tags)
        self.assertEqual(tags.get("aurora-backup:restore-test"), "db-a", tags)
        self.assertEqual(tags.get("aurora-backup:policy"), "prod", tags)
        self.assertEqual(restored["Engine"], "aurora-postgresql")
        self.assertEqual(self.count("CreateDBInstance"), 0, "no instance before the cluster is observed")
        self.assertLedgerComplete(run)

        # Cycle 2: the restored cluster is available without an instance: the primary is created.
        run = self.once(now=t0 + 60)
        self.assertEqual(self.count("CreateDBInstance"), 1, run.describe())
        self.assertEqual(self.instances()[instance]["DBInstanceClass"], "db.r6g.large")
        self.assertEqual(self.instances()[instance]["DBClusterIdentifier"], drill)
        rows = self.ledger(kind="restore-instance")
        self.assertEqual([(r["state"], r["snapshot"], r["target"]) for r in rows], [("done", instance, drill)], rows)
        self.assertEqual(run.named("restore-completed"), [], run.describe())

        # Cycle 3: the instance is the writer: completed, with the time since the restore call.
        run = self.once(now=t0 + 120)
        done = run.named("restore-completed", cluster="db-a")
        self.assertEqual(len(done), 1, run.describe())
        self.assertEqual(done[0].duration_sec or done[0].get("AURORA_DURATION_SEC"), "120", done[0])
        self.assertEqual(done[0].snapshot, prev["id"])
        self.assertEqual(done[0].target, drill)
        self.assertEqual(self.count("CreateDBInstance"), 1, "no second instance")

        # Within keep_minutes nothing is deleted, and completion is reported once.
        run = self.once(now=t0 + 120 + 29 * 60)
        self.assertEqual(run.named("restore-completed"), [], run.describe())
        self.assertEqual(self.count("DeleteDBInstance") + self.count("DeleteDBCluster"), 0, run.describe())

        # keep_minutes after completion: the instance goes, then (next cycle) the cluster.
        run = self.once(now=t0 + 120 + 30 * 60)
        self.assertEqual(self.count("DeleteDBInstance"), 1, run.describe())
        self.assertNotIn(instance, self.instances())
        run = self.once(now=t0 + 120 + 31 * 60)
        self.assertEqual(self.count("DeleteDBCluster"), 1, run.describe())
        self.assertNotIn(drill, self.clusters())
        rows = self.ledger(kind="teardown")
        self.assertEqual([(r["state"], r["snapshot"], r["target"]) for r in rows],
                         [("done", instance, drill), ("done", drill, drill)], rows)

        # Later in the same period: no second drill. Nothing left open, nothing failed.
        run = self.once(now=t0 + 120 + 40 * 60)
        self.assertEqual(self.count("RestoreDBClusterFromSnapshot"), 1, run.describe())
        self.assertLedgerComplete(run)
        for r in self.runs:
            self.assertEqual(r.named("restore-failed"), [], r.describe())
            self.assertEqual(r.named("action-refused"), [], r.describe())

        # The lookalikes are all still there, and none was ever the subject of a drill step.
        left = self.clusters()
        for c in lookalikes:
            self.assertIn(c["id"], left)
        # The drill cluster was never snapshotted, though the policy's globs match it and its window was
        # open: the planner does not manage a cluster tagged aurora-backup:restore-test.
        # (AWS's own automated snapshot of the restored cluster, "rds:...", is not the agent's.)
        self.assertEqual([s for s in self.snapshots().values() if s["DBClusterIdentifier"] == drill
                          and not s["DBClusterSnapshotIdentifier"].startswith("rds:")], [])
        self.assertTrue([s for s in self.snapshots().values() if s["DBClusterIdentifier"] == "db-a"
                         and s["DBClusterSnapshotIdentifier"] != prev["id"]],
                        "the source cluster itself is still snapshotted in its window")

        # The next period's drill starts again.
        run = self.once(now=t0 + DAY)
        started = run.named("restore-started", cluster="db-a")
        self.assertEqual([e.target for e in started], [drill_id("db-a", t0 + DAY)], run.describe())

    def test_keep_minutes_zero_tears_down_right_after_completion(self):
        self.setup_world(keep_minutes=0)
        t0 = self.now
        drill = drill_id("db-a", t0)
        for i in range(3):
            self.once(now=t0 + 60 * i)
        self.assertEqual(len(self.runs[2].named("restore-completed")), 1, self.runs[2].describe())
        self.assertEqual(self.count("DeleteDBInstance"), 1, self.runs[2].describe())
        run = self.once(now=t0 + 180)
        self.assertEqual(self.count("DeleteDBCluster"), 1, run.describe())
        self.assertNotIn(drill, self.clusters())
        self.assertLedgerComplete(run)

    def test_probe_sees_the_restored_cluster_and_gates_completion(self):
        out = os.path.join(self.tmp, "probe.env")
        self.setup_world(keep_minutes=0, probe=f"env | grep -E '^AURORA_(RESTORE|SOURCE)_' | sort > {out}")
        t0 = self.now
        drill = drill_id("db-a", t0)
        for i in range(3):
            self.once(now=t0 + 60 * i)
        self.assertEqual(len(self.runs[2].named("restore-completed")), 1, self.runs[2].describe())
        with open(out) as f:
            seen = dict(line.rstrip("\n").split("=", 1) for line in f)
        self.assertEqual(seen["AURORA_RESTORE_CLUSTER"], drill)
        self.assertEqual(seen["AURORA_RESTORE_INSTANCE"], drill + "-1")
        self.assertEqual(seen["AURORA_SOURCE_CLUSTER"], "db-a")
        self.assertEqual(seen["AURORA_RESTORE_ENGINE"], "aurora-postgresql")
        self.assertTrue(seen.get("AURORA_SOURCE_SNAPSHOT", "").startswith(PREFIX + "-db-a-"), seen)
        self.assertIn("AURORA_RESTORE_ENDPOINT", seen)

    def test_probe_gets_no_credentials_no_descriptors_and_its_own_process_group(self):
        # Issue 13: the probe is a stranger. The agent holds credentials (a session token too), its
        # AWS connection and state.db open while the probe runs.
        out = os.path.join(self.tmp, "probe")
        os.mkdir(out)
        script = os.path.join(self.tmp, "probe.sh")
        with open(script, "w") as f:
            f.write(f"""#!/bin/sh
env > {out}/env
ls -l /proc/self/fd > {out}/fds
pg=$(cut -d' ' -f5 /proc/$$/stat)
agent=$(cut -d' ' -f4 /proc/$pg/stat)
echo $pg $agent $(cut -d' ' -f5 /proc/$agent/stat) $(cat /proc/$agent/comm) > {out}/pgid
""")
        os.chmod(script, 0o755)
        self.setup_world(keep_minutes=0, probe=script)
        token = "probe-test-SESSION-TOKEN-0123456789"
        for i in range(3):
            self.once(now=self.now + 60 * i, env=self.env(now=self.now + 60 * i, AWS_SESSION_TOKEN=token))
        self.assertEqual(len(self.runs[2].named("restore-completed")), 1, self.runs[2].describe())

        with open(os.path.join(out, "env")) as f:
            env_text = f.read()
        self.assertNotIn(SECRET_KEY, env_text)
        self.assertNotIn(token, env_text)
        names = {line.split("=", 1)[0] for line in env_text.splitlines() if "=" in line}
        self.assertEqual({n for n in names if n.startswith("AWS_")}, set(), env_text)
        allowed = {"PATH", "HOME", "LANG", "PWD", "OLDPWD", "SHLVL", "_"}
        self.assertEqual({n for n in names if n not in allowed and not n.startswith("AURORA_")}, set(), env_text)
        self.assertIn("AURORA_RESTORE_CLUSTER", names)

        with open(os.path.join(out, "fds")) as f:
            fds = [line for line in f.read().splitlines() if " -> " in line]
        inherited = []
        for line in fds:
            left, target = line.split(" -> ", 1)
            fd = int(left.split()[-1])
            # 0-2, and ls's own handle on the directory it lists.
            if fd > 2 and not (target.startswith("/proc/") and target.endswith("/fd")):
                inherited.append(line)
        self.assertEqual(inherited, [], "descriptors the probe inherited from the agent")

        # The probe's group is led by the process the agent forked (its parent), not the agent's group.
        with open(os.path.join(out, "pgid")) as f:
            pgid, agent, agent_pgid, agent_comm = f.read().split()
        self.assertTrue("aurora-backup-agent".startswith(agent_comm), f"the group leader's parent is {agent_comm}")
        self.assertNotEqual(pgid, agent_pgid, "the probe has its own process group")

    def test_group_writable_config_holding_a_probe_is_warned_at_start(self):
        self.setup_world(probe="true")
        os.chmod(self.config_path, 0o664)
        run = self.once("--dry-run")
        warned = run.named("config-warning")
        self.assertEqual(len(warned), 1, run.describe())
        self.assertEqual(warned[0].target, "policies.[0].restore_test.probe_command")
        self.assertIn(self.config_path, warned[0].get("MESSAGE"))
        self.assertIn("mode 0664", warned[0].reason)
        self.assertEqual(warned[0].level, "warning")

        os.chmod(self.config_path, 0o644)
        self.assertEqual(self.once("--dry-run").named("config-warning"), [])

    def test_failing_probe_is_a_failed_drill_then_torn_down(self):
        self.setup_world(keep_minutes=0, probe="echo probe says no >&2; exit 3")
        t0 = self.now
        drill = drill_id("db-a", t0)
        for i in range(3):
            self.once(now=t0 + 60 * i, expect=None)
        run = self.runs[2]
        self.assertEqual(run.returncode, 1, run.describe())
        self.assertEqual(run.named("restore-completed"), [], run.describe())
        failed = run.named("restore-failed")
        self.assertEqual(len(failed), 1, run.describe())
        self.assertIn("probe_command exited 3", failed[0].reason)
        self.assertIn("probe says no", run.output)
        for i in range(3, 5):
            self.once(now=t0 + 60 * i)
        self.assertNotIn(drill, self.clusters())
        self.assertLedgerComplete()

    def test_dry_run_makes_no_mutating_call(self):
        self.setup_world()
        t0 = self.now
        self.admin.clear_requests()
        run = self.once("--dry-run", now=t0)
        self.assertIn("would restore", run.output, run.describe())
        self.assertNoMutatingCalls(run)

        # With a drill in progress (made by a real cycle), dry-run still changes nothing.
        self.once(now=t0)
        self.admin.clear_requests()
        run = self.once("--dry-run", now=t0 + 60)
        self.assertIn("would create instance", run.output, run.describe())
        self.assertNoMutatingCalls(run)
        self.assertEqual(self.ledger(kind="restore-instance"), [])

    def test_a_drill_needs_an_agent_snapshot(self):
        self.seed(clusters=[{"id": "db-a"}])
        w = window_open_now(self.now)
        self.write_config([policy(clusters=["db-a"], window=w.text.replace(w.text, "cluster"),
                                  restore_test={"every": "daily", "instance_class": "db.r6g.large"})])
        run = self.once(now=self.now, expect=None)
        failed = run.named("restore-failed", cluster="db-a")
        self.assertEqual(len(failed), 1, run.describe())
        self.assertIn("no available snapshot", failed[0].reason)
        self.assertEqual(self.count("RestoreDBClusterFromSnapshot"), 0)
        run = self.once(now=self.now + 60, expect=None)
        self.assertEqual(run.named("restore-failed"), [], "reported once per period")


    def test_point_in_time_drill_restores_the_cluster_and_its_writer(self):
        """restore_test.source = "point-in-time": RestoreDBClusterToPointInTime from the cluster itself with
        UseLatestRestorableTime (no snapshot needed), then the primary instance with the drill cluster's
        identifier, the time to restore once it is the writer, and the teardown."""
        self.seed(clusters=[{"id": "db-a", "engine": "aurora-postgresql"}])
        drill_cfg = {"every": "daily", "instance_class": "db.r6g.large", "keep_minutes": 0,
                     "source": "point-in-time"}
        self.write_config([policy(clusters=["db-a"], window=None, restore_test=drill_cfg)])
        t0 = self.now
        drill = drill_id("db-a", t0)
        instance = drill + "-1"

        run = self.once(now=t0)
        pitr = self.requests("RestoreDBClusterToPointInTime")
        self.assertEqual(len(pitr), 1, run.describe())
        params = pitr[0]["params"]
        self.assertEqual(params.get("DBClusterIdentifier"), drill, params)
        self.assertEqual(params.get("SourceDBClusterIdentifier"), "db-a", params)
        self.assertEqual(params.get("UseLatestRestorableTime"), "true", params)
        self.assertNotIn("RestoreToTime", params, "UseLatestRestorableTime and RestoreToTime exclude each other")
        self.assertEqual(self.count("RestoreDBClusterFromSnapshot"), 0, run.describe())
        started = run.named("restore-started", cluster="db-a")
        self.assertEqual([e.target for e in started], [drill], run.describe())
        rows = self.ledger(kind="restore")
        self.assertEqual([(r["state"], r["snapshot"], r["target"]) for r in rows],
                         [("done", drill, "point-in-time")], rows)
        tags = {t["Key"]: t["Value"] for t in self.clusters()[drill].get("TagList", [])}
        self.assertEqual(tags.get("aurora-backup:restore-test"), "db-a", tags)

        # The restored cluster is available: its primary instance, created with the drill cluster's identifier.
        run = self.once(now=t0 + 10)
        created = self.requests("CreateDBInstance")
        self.assertEqual(len(created), 1, run.describe())
        self.assertEqual(created[0]["params"].get("DBClusterIdentifier"), drill, created[0])
        self.assertEqual(self.instances()[instance]["DBClusterIdentifier"], drill)

        # The writer: completed, timed from the restore call (two 10 s polls).
        run = self.once(now=t0 + 20)
        done = run.named("restore-completed", cluster="db-a")
        self.assertEqual(len(done), 1, run.describe())
        self.assertEqual(done[0].duration_sec or done[0].get("AURORA_DURATION_SEC"), "20", done[0])
        self.assertEqual(done[0].target, drill)
        rows = self.ledger(kind="probe")
        self.assertEqual([(r["state"], r["snapshot"], r["target"]) for r in rows], [("done", instance, drill)], rows)
        self.assertEqual(self.count("DeleteDBInstance"), 1, "keep_minutes 0: the instance goes at once")

        run = self.once(now=t0 + 30)
        self.assertEqual(self.count("DeleteDBCluster"), 1, run.describe())
        self.assertNotIn(drill, self.clusters())
        self.assertIn("db-a", self.clusters(), "the source cluster is never touched")
        self.assertLedgerComplete(run)
        for r in self.runs:
            self.assertEqual(r.named("restore-failed"), [], r.describe())

    def test_plan_shows_the_drill_step_and_its_reason(self):
        prev = self.setup_world()
        p = subprocess.run([CTL, "plan", "--config", self.config_path], env=self.env(now=self.now),
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        lines = [line for line in p.stdout.splitlines() if line.startswith("drill-restore ")]
        self.assertEqual(len(lines), 1, p.stdout)
        self.assertIn("source=" + prev["id"], lines[0])
        self.assertIn("drill=" + drill_id("db-a", self.now), lines[0])
        self.assertIn("rule=", lines[0])
        self.assertNoMutatingCalls()

    def test_daemon_drill_advances_as_soon_as_aws_is_done(self):
        """The daemon, reconcile_interval 15m, its clock 10x: once the restore is made, the plan wakes every
        5 s while the drill is in progress and looks only at the drill, so an instant restore (the local
        world's) is reported after two short polls, not after a reconcile interval."""
        w = window_open_now(self.now)
        self.seed(clusters=[{"id": "db-a", "engine": "aurora-postgresql"}],
                  snapshots=[agent_snapshot("db-a", w, self.now - DAY)])
        self.write_config([policy(clusters=["db-a"], window=w,
                                  restore_test={"every": "daily", "instance_class": "db.r6g.large",
                                                "keep_minutes": 0})],
                          reconcile_interval="15m")
        d = self.daemon(env=self.env(now=self.now, AURORA_BACKUP_TEST_CLOCK_RATE="10"))
        done = d.wait_event("restore-completed", count=1, timeout=120)
        d.wait_event("cycle-summary", count=len(d.wait_event("cycle-summary", count=1)) + 1)
        d.stop()
        took = int(done[0].duration_sec or done[0].get("AURORA_DURATION_SEC"))
        self.assertLessEqual(took, 2 * 5 + 5, f"time to restore {took}s: the agent's polling, not AWS's")
        full = [r for r in self.requests("DescribeDBClusters") if not r["params"].get("DBClusterIdentifier")]
        self.assertEqual(len(full), 1, "the drill's wake-ups are targeted: one full inventory")
        looks = {r["params"].get("DBClusterIdentifier") for r in self.requests("DescribeDBClusters")} - {None}
        self.assertLessEqual(looks, {"db-a", drill_id("db-a", self.now)}, looks)
        self.assertGreaterEqual(len(self.requests("DescribeDBInstances")), 2, "the drill's instance is looked at")

    def test_drill_interrupted_by_a_crash_continues_after_the_restart(self):
        """SIGKILL right after CreateDBInstance (its answer never recorded): the restarted agent settles the
        intent, finds the instance, and the drill goes on from there; nothing is created twice."""
        self.setup_world(keep_minutes=0)
        t0 = self.now
        drill = drill_id("db-a", t0)
        self.once(now=t0)
        self.assertEqual(len(self.ledger(kind="restore")), 1)
        run = self.once(now=t0 + 10, crash_at="after-call", expect=None)
        self.assertNotEqual(run.returncode, 0, run.describe())
        self.assertEqual(self.count("CreateDBInstance"), 1, run.describe())
        self.assertEqual([r["state"] for r in self.ledger(kind="restore-instance")], ["intent"])

        run = self.once(now=t0 + 20)
        done = run.named("restore-completed", cluster="db-a")
        self.assertEqual(len(done), 1, run.describe())
        self.assertEqual(done[0].duration_sec or done[0].get("AURORA_DURATION_SEC"), "20", done[0])
        self.assertEqual(self.count("CreateDBInstance"), 1, "the instance is not created twice")
        self.assertEqual(self.count("RestoreDBClusterFromSnapshot"), 1, "nor the cluster restored twice")
        run = self.once(now=t0 + 30)
        self.assertNotIn(drill, self.clusters(), run.describe())
        self.assertLedgerComplete(run)

if __name__ == "__main__":
    main()
