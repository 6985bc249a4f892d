#!/usr/bin/env python3
"""Issue 12, operators' restores end to end: aurora-backupctl restore (from a snapshot, to a point in time)
through the running agent, which restores the new cluster, creates its primary instance (CreateDBInstance
with the new cluster's identifier) and reports the writer; ctl follows it and ends with the endpoint; an
interrupted restore (ctl killed, or the agent killed between the restore and the instance) re-run completes
with nothing made twice; --no-wait; status shows restores in progress. The daemon runs on the real clock."""

import datetime
import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from agent_harness import CTL, DAY, AgentTestCase, agent_snapshot, main, policy, window_open_now  # noqa: E402

WRITER_CLASS = "db.r6g.xlarge"


class OperatorRestore(AgentTestCase):
    def start(self, crash_at=None, snapshots=True):
        self.snap = agent_snapshot("db-a", window_open_now(self.now), self.now - DAY)
        self.seed(clusters=[{"id": "db-a", "engine": "aurora-postgresql"}], snapshots=[self.snap] if snapshots else [])
        # The source cluster's writer: the new primary's class defaults to its class.
        self.rds().create_db_instance(DBInstanceIdentifier="db-a-w", DBInstanceClass=WRITER_CLASS,
                                      Engine="aurora-postgresql", DBClusterIdentifier="db-a")
        self.socket = os.path.join(self.tmp, "control")
        later = datetime.datetime.fromtimestamp(self.now + 6 * 3600, datetime.timezone.utc)
        end = datetime.datetime.fromtimestamp(self.now + 8 * 3600, datetime.timezone.utc)
        # The policy's globs do not match the new clusters, and its window opens after the test.
        self.write_config([policy(clusters=["db-a"], window=f"{later:%H:%M}-{end:%H:%M}")],
                          control_socket=self.socket, control_group="nogroup")
        return self.start_daemon(crash_at)

    def start_daemon(self, crash_at=None):
        self.d = self.started_daemon(env=self.env(crash_at=crash_at))
        return self.d

    def ctl(self, *args, expect=None, timeout=180):
        p = subprocess.run([CTL, "--config", self.config_path, *args], env=self.env(), capture_output=True,
                           text=True, timeout=timeout)
        if expect is not None:
            self.assertEqual(p.returncode, expect, f"{args}: exit {p.returncode}\n{p.stdout}\n{p.stderr}")
        return p

    def cluster(self, cid):
        return self.rds().describe_db_clusters(DBClusterIdentifier=cid)["DBClusters"][0]

    def request_rows(self):
        return [dict(r) for r in self.db().execute("SELECT * FROM restore_requests ORDER BY id")]

    def assertRestored(self, new, stdout, recovered=()):
        """The new cluster has its primary instance, the writer, created with the new cluster's identifier."""
        creates = [r for r in self.requests("CreateDBInstance") if r["params"].get("DBClusterIdentifier") == new]
        self.assertEqual(len(creates), 1, self.requests("CreateDBInstance"))
        self.assertEqual(creates[0]["params"]["DBInstanceIdentifier"], new + "-1")
        self.assertEqual(creates[0]["params"]["DBInstanceClass"], WRITER_CLASS, "the source writer's class")
        c = self.cluster(new)
        writers = [m["DBInstanceIdentifier"] for m in c["DBClusterMembers"] if m["IsClusterWriter"]]
        self.assertEqual(writers, [new + "-1"])
        tags = {t["Key"]: t["Value"] for t in c.get("TagList", [])}
        self.assertNotIn("aurora-backup:managed-by", tags, "the operator's cluster, never the agent's")
        self.assertNotIn("aurora-backup:restore-test", tags, "never taken for a drill")
        row = [r for r in self.request_rows() if r["new_cluster"] == new][-1]
        self.assertEqual(row["state"], "done", row)
        self.assertEqual(tags.get("aurora-backup:restore-request"), str(row["id"]))
        if stdout is not None:
            self.assertIn(f"instance {new}-1 available, writer", stdout)
            self.assertIn(f"endpoint {c['Endpoint']} port {c['Port']}", stdout)
            self.assertRegex(stdout, r"time to restore \d+s")
        for kind in ("operator-restore", "operator-instance"):
            rows = [r for r in self.ledger(kind=kind) if r["cluster"] == new]
            self.assertEqual([r["state"] for r in rows], ["done"], rows)
            if kind in recovered:  # its answer was lost: settled from the cluster AWS shows
                self.assertEqual(rows[0]["error_message"], "cluster found: the call took effect", rows)
            else:
                self.assertTrue(rows[0]["request_id"], rows)
        return tags

    def test_snapshot_restore_creates_the_primary_and_ends_with_the_writer(self):
        self.start()
        self.admin.clear_requests()
        p = self.ctl("restore", "--snapshot", self.snap["id"], "--new-cluster", "db-restored", expect=0)
        self.assertRegex(p.stdout, r"(?m)^\s+\d+s  cluster ")
        tags = self.assertRestored("db-restored", p.stdout)
        self.assertEqual(tags["aurora-backup:restored-from"], self.snap["id"])
        calls = self.requests("RestoreDBClusterFromSnapshot")
        self.assertEqual(len(calls), 1)
        self.assertEqual(calls[0]["params"]["SnapshotIdentifier"], self.snap["id"])
        self.assertEqual(calls[0]["params"]["Engine"], "aurora-postgresql")
        src = self.cluster("db-a")
        self.assertEqual(calls[0]["params"].get("Port"), str(src["Port"]), "the source cluster's port")
        self.assertEqual(calls[0]["params"].get("DBSubnetGroupName"), src["DBSubnetGroup"])
        started = self.d.wait_event("restore-started", target="db-restored", count=2)
        self.assertTrue(all(e.request_id for e in started), started)
        done = self.d.wait_event("restore-completed", target="db-restored")[0]
        self.assertTrue(done.duration_sec or done.get("AURORA_DURATION_SEC"))
        # Re-running the same command once it is done says so, and makes nothing.
        self.admin.clear_requests()
        p = self.ctl("restore", "--snapshot", self.snap["id"], "--new-cluster", "db-restored", expect=0)
        self.assertIn("done already", p.stdout)
        self.assertNoMutatingCalls()
        # The restored cluster is never a drill: no teardown, ever.
        st = json.loads(self.ctl("--json", "status", expect=0).stdout)
        self.assertEqual([(r["new_cluster"], r["state"], r["in_progress"]) for r in st["restores"]],
                         [("db-restored", "done", False)])

    def test_point_in_time_restore_to_a_time(self):
        self.start(snapshots=False)
        src = self.cluster("db-a")
        at = src["LatestRestorableTime"].astimezone(datetime.timezone.utc).replace(microsecond=0)
        when = at.strftime("%Y-%m-%dT%H:%M:%SZ")
        if at < src["EarliestRestorableTime"]:
            when = src["EarliestRestorableTime"].astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.admin.clear_requests()
        p = self.ctl("restore", "--cluster", "db-a", "--time", when, "--new-cluster", "db-pitr", expect=0)
        tags = self.assertRestored("db-pitr", p.stdout)
        self.assertEqual(tags["aurora-backup:restored-from"], f"db-a@{when}")
        calls = self.requests("RestoreDBClusterToPointInTime")
        self.assertEqual(len(calls), 1)
        self.assertEqual(calls[0]["params"]["SourceDBClusterIdentifier"], "db-a")
        self.assertEqual(calls[0]["params"]["RestoreToTime"], when)
        self.assertNotIn("UseLatestRestorableTime", calls[0]["params"])
        self.assertNotIn("EngineVersion", calls[0]["params"], "not a member of RestoreDBClusterToPointInTime")

    def test_no_wait_returns_at_once_and_status_shows_it_in_progress(self):
        self.start(snapshots=False)
        p = self.ctl("--json", "restore", "--cluster", "db-a", "--latest", "--new-cluster", "db-later", "--no-wait",
                     expect=0)
        reply = json.loads(p.stdout)
        self.assertEqual(reply["new_cluster"], "db-later")
        self.assertEqual(reply["instance"], "db-later-1")
        self.assertEqual(reply["instance_class"], WRITER_CLASS)
        st = json.loads(self.ctl("--json", "status", expect=0).stdout)
        self.assertEqual([(r["id"], r["in_progress"]) for r in st["restores"]], [(reply["restore_request"], True)])
        text = self.ctl("status", expect=0).stdout
        self.assertIn("db-later in progress from db-a@latest", text)
        self.d.wait_event("restore-completed", target="db-later", timeout=120)
        self.assertRestored("db-later", None)
        calls = self.requests("RestoreDBClusterToPointInTime")
        self.assertEqual([c["params"].get("UseLatestRestorableTime") for c in calls], ["true"])

    def test_ctl_interrupted_the_restore_goes_on_and_a_rerun_continues(self):
        self.start()
        self.admin.clear_requests()
        argv = [CTL, "--config", self.config_path, "restore", "--snapshot", self.snap["id"], "--new-cluster",
                "db-int"]
        p = subprocess.Popen(argv, env=self.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.assertIn("accepted", p.stdout.readline())
        p.send_signal(signal.SIGINT)
        p.wait(timeout=30)
        p.stdout.close()
        p.stderr.close()
        st = json.loads(self.ctl("--json", "status", expect=0).stdout)
        self.assertTrue(st["restores"][0]["in_progress"] or st["restores"][0]["state"] == "done", st["restores"])
        out = self.ctl("restore", "--snapshot", self.snap["id"], "--new-cluster", "db-int", expect=0).stdout
        self.assertRegex(out, r"is under way: continuing|done already")
        self.d.wait_event("restore-completed", target="db-int")
        self.assertRestored("db-int", None)
        self.assertEqual(len(self.requests("RestoreDBClusterFromSnapshot")), 1, "no second restore")
        self.assertEqual(len(self.request_rows()), 1, "one request")

    def test_agent_killed_between_restore_and_instance_rerun_completes(self):
        self.start(crash_at="after-call")
        self.admin.clear_requests()
        # The agent dies right after RestoreDBClusterFromSnapshot, before recording its outcome.
        p = self.ctl("restore", "--snapshot", self.snap["id"], "--new-cluster", "db-crash")
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.d.proc.wait(timeout=60)
        self.assertEqual(self.d.proc.returncode, -signal.SIGKILL)
        self.assertEqual(len(self.requests("RestoreDBClusterFromSnapshot")), 1)
        self.assertEqual(self.requests("CreateDBInstance"), [])
        self.assertEqual([r["state"] for r in self.ledger(kind="operator-restore")], ["intent"])

        self.d.kill()
        os.unlink(self.d.notify.path)  # the harness binds the same NOTIFY_SOCKET path for the new daemon
        self.start_daemon()
        p = self.ctl("restore", "--snapshot", self.snap["id"], "--new-cluster", "db-crash", expect=0)
        self.assertIn("under way: continuing", p.stdout)
        self.assertRestored("db-crash", p.stdout, recovered=("operator-restore",))
        self.assertEqual(len(self.requests("RestoreDBClusterFromSnapshot")), 1, "no second restore")
        self.assertLedgerComplete()

    def test_refused_restores_make_no_call(self):
        self.start()
        self.admin.clear_requests()
        p = self.ctl("restore", "--snapshot", self.snap["id"], "--new-cluster", "aba-rt-db-a-20200101", expect=2)
        self.assertIn("restore drills", p.stderr)
        p = self.ctl("restore", "--snapshot", self.snap["id"], "--new-cluster", "db-a", expect=1)
        self.assertIn("already exists", p.stderr)
        self.assertEqual(self.mutating_requests(), [])
        self.assertEqual(self.request_rows(), [])


if __name__ == "__main__":
    main()
