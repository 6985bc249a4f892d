#!/usr/bin/env python3
"""Issue 12, the control socket: aurora-backupctl's mutating commands carried out by the running agent
(snapshot, hold/release, export of both kinds, cancel-export, delete through the safety belt, restore
validation and acceptance; their execution is test_restore.py), callers refused by credentials, no agent -> exit 1, refused commands make no
mutating call, and the RPO in `status --json`. The daemon runs on the real clock."""

import json
import os
import stat
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from agent_harness import (CTL, DAY, EXPORT, AgentTestCase, agent_snapshot, main, policy,  # noqa: E402
                           window_open_now)


class Control(AgentTestCase):
    def start(self, policies=None, seed_clusters=("db-a",), snapshots=(), group="nogroup", **agent):
        self.w = window_open_now(self.now)
        # The window opens after this test: the daemon's first cycle makes no snapshot of its own.
        self.seed(clusters=[{"id": c} for c in seed_clusters], snapshots=list(snapshots))
        self.socket = os.path.join(self.tmp, "control")
        self.write_config(policies or [policy(clusters=["db-*"], window=self.later(),
                                              export=dict(EXPORT, every="monthly:1"))],
                          control_socket=self.socket, control_group=group, **agent)
        d = self.started_daemon()
        self.d = d
        self.admin.clear_requests()
        return d

    def later(self):
        """A daily window that opens 6 hours from now: no slot of its own during the test."""
        import datetime

        t = datetime.datetime.fromtimestamp(self.now + 6 * 3600, datetime.timezone.utc)
        u = datetime.datetime.fromtimestamp(self.now + 8 * 3600, datetime.timezone.utc)
        return f"{t:%H:%M}-{u:%H:%M}"

    def ctl(self, *args, user=None, expect=None):
        argv = [CTL, "--config", self.config_path, *args]
        if user:
            argv = ["setpriv", f"--reuid={user[0]}", f"--regid={user[1]}", "--clear-groups", *argv]
        p = subprocess.run(argv, env=self.env(), capture_output=True, text=True, timeout=120)
        if expect is not None:
            self.assertEqual(p.returncode, expect, f"{args}: exit {p.returncode}\n{p.stdout}\n{p.stderr}")
        return p

    def assertNoMutating(self, what):
        self.assertEqual(self.mutating_requests(), [], what)

    # ---- no agent, permissions

    def test_no_agent_running_exits_1(self):
        self.seed(clusters=[{"id": "db-a"}])
        self.write_config([policy(clusters=["db-*"])], control_socket=os.path.join(self.tmp, "control"))
        p = self.ctl("snapshot", "db-a", expect=1)
        self.assertIn("no agent is running", p.stderr)
        self.assertNoMutating("no agent, no call")

    def test_caller_without_permission_is_refused(self):
        if os.geteuid() != 0:
            print("SKIP: needs root to run aurora-backupctl as another user")
            return
        self.start()
        os.chmod(self.tmp, 0o755)
        # The socket file: 0660, so a stranger cannot even connect.
        mode = stat.S_IMODE(os.stat(self.socket).st_mode)
        self.assertEqual(mode, 0o660)
        p = self.ctl("--socket", self.socket, "snapshot", "db-a", user=(65533, 65533), expect=1)
        self.assertIn("permission denied", p.stderr)
        # Past the file mode, the agent's own check refuses: neither root nor in agent.control_group.
        os.chmod(self.socket, 0o666)
        p = self.ctl("--socket", self.socket, "snapshot", "db-a", user=(65533, 65533), expect=1)
        self.assertIn("permission denied: uid 65533", p.stderr)
        self.d.wait_event("control-refused", count=1)
        self.assertNoMutating("refused callers make no call")
        # A member of the control group (here its primary group) is served.
        p = self.ctl("--socket", self.socket, "ping", user=(65533, 65534), expect=0)
        self.assertIn("running", p.stdout)

    # ---- snapshot

    def test_snapshot_now_under_the_policy(self):
        self.start(seed_clusters=("db-a", "other-1"))
        p = self.ctl("--json", "snapshot", "db-a", expect=0)
        reply = json.loads(p.stdout)
        sid = reply["snapshot"]
        self.assertTrue(sid.startswith("aba-db-a-"), reply)
        snap = self.snapshots("db-a")[sid]
        tags = self.tags(snap)
        self.assertEqual(tags["aurora-backup:policy"], "prod")
        self.assertEqual(tags["aurora-backup:managed-by"], "aurora-backup-agent")
        self.assertIn("aurora-backup:slot", tags)
        rows = self.ledger(kind="create", snapshot=sid)
        self.assertEqual([r["state"] for r in rows], ["done"])
        self.assertTrue(rows[0]["request_id"])
        self.assertEqual(reply.get("aws_request_id"), rows[0]["request_id"])
        ev = self.d.wait_event("snapshot-started", snapshot=sid)[0]
        self.assertEqual(ev.request_id, rows[0]["request_id"])

        self.admin.clear_requests()
        p = self.ctl("snapshot", "other-1", expect=1)
        self.assertIn("no policy", p.stderr)
        p = self.ctl("snapshot", "db-nope", expect=1)
        self.assertIn("not found", p.stderr)
        self.assertNoMutating("refused snapshots make no call")

    def test_snapshot_refused_for_a_cluster_not_available(self):
        self.start()
        self.admin.set_cluster_status("db-a", "backing-up")
        self.admin.clear_requests()
        p = self.ctl("snapshot", "db-a", expect=1)
        self.assertIn("not available", p.stderr)
        self.assertNoMutating("no call for a cluster not available")

    # ---- hold / release

    def test_hold_and_release(self):
        snap = agent_snapshot("db-a", window_open_now(self.now), self.now - DAY)
        self.start(snapshots=[snap])
        self.ctl("hold", snap["id"], expect=0)
        self.assertIn("aurora-backup:hold", self.tags(self.snapshots("db-a")[snap["id"]]))
        self.assertEqual(len(self.requests("AddTagsToResource")), 1)
        self.d.wait_event("hold-changed", snapshot=snap["id"])
        self.ctl("release", snap["id"], expect=0)
        self.assertNotIn("aurora-backup:hold", self.tags(self.snapshots("db-a")[snap["id"]]))
        self.assertEqual(len(self.requests("RemoveTagsFromResource")), 1)
        self.assertEqual([r["state"] for r in self.ledger(kind="tag")], ["done", "done"])

    # ---- export / cancel-export

    def test_export_snapshot_and_cluster_then_cancel(self):
        self.client("s3").create_bucket(Bucket=EXPORT["bucket"])
        snap = agent_snapshot("db-a", window_open_now(self.now), self.now - DAY)
        self.start(snapshots=[snap])
        r1 = json.loads(self.ctl("--json", "export", "--snapshot", snap["id"], expect=0).stdout)
        r2 = json.loads(self.ctl("--json", "export", "--cluster", "db-a", expect=0).stdout)
        calls = self.requests("StartExportTask")
        self.assertEqual(len(calls), 2)
        tasks = {t["ExportTaskIdentifier"]: t for t in self.rds().describe_export_tasks()["ExportTasks"]}
        self.assertTrue(tasks[r1["export_task"]]["SourceArn"].endswith(":cluster-snapshot:" + snap["id"]))
        self.assertTrue(tasks[r2["export_task"]]["SourceArn"].endswith(":cluster:db-a"))
        self.assertEqual(tasks[r2["export_task"]]["S3Bucket"], "exports")

        # moto completes a task at once; AWS shows it in progress for a while.
        self.admin.set_export_status(r2["export_task"], "IN_PROGRESS")
        p = self.ctl("cancel-export", r2["export_task"], expect=0)
        self.assertIn("does not remove the data already exported", p.stdout)
        self.assertIn(f"s3://exports/aurora/{r2['export_task']}/", p.stdout)
        self.assertEqual(len(self.requests("CancelExportTask")), 1)
        self.assertEqual([r["state"] for r in self.ledger(kind="cancel-export")], ["done"])
        self.d.wait_event("export-canceled", snapshot=r2["export_task"])
        # A finished task cannot be canceled: refused before any call.
        self.admin.clear_requests()
        p = self.ctl("cancel-export", r1["export_task"], expect=1)
        self.assertIn("only a STARTING or IN_PROGRESS task", p.stderr)
        self.admin.clear_requests()
        self.ctl("cancel-export", "no-such-task", expect=1)
        self.assertNoMutating("no cancel for an unknown task")

    # ---- delete

    def test_delete_refused_for_what_is_not_the_agents(self):
        w = window_open_now(self.now)
        snaps = [{"cluster": "db-a", "id": "hand-made", "origin": "manual"},
                 {"cluster": "db-a", "origin": "awsbackup", "id": "awsbackup:job-1234"},
                 agent_snapshot("db-a", w, self.now - DAY)]
        self.start(snapshots=snaps)
        for sid, words in (("hand-made", "not the agent's own"), ("awsbackup:job-1234", "AWS Backup"),
                           (snaps[2]["id"], "newest available")):
            p = self.ctl("delete", sid, expect=1)
            self.assertIn(words, p.stderr)
        self.assertNoMutating("refused deletes make no call")
        self.assertIn("hand-made", self.snapshots("db-a"))

    def test_delete_own_snapshot_through_the_belt(self):
        w = window_open_now(self.now)
        old, new = agent_snapshot("db-a", w, self.now - 3 * DAY), agent_snapshot("db-a", w, self.now - DAY)
        self.start(snapshots=[old, new])
        self.ctl("delete", old["id"], expect=0)
        self.assertNotIn(old["id"], self.snapshots("db-a"))
        self.assertEqual(len(self.requests("DeleteDBClusterSnapshot")), 1)
        self.assertEqual([r["state"] for r in self.ledger(kind="delete-rds")], ["done"])
        self.d.wait_event("snapshot-deleted", snapshot=old["id"])

    # ---- restore

    def test_restore_validated_then_accepted(self):
        snap = agent_snapshot("db-a", window_open_now(self.now), self.now - DAY)
        self.start(seed_clusters=("db-a", "db-taken"), snapshots=[snap])
        p = self.ctl("restore", "--snapshot", "nope", "--new-cluster", "db-new", expect=1)
        self.assertIn("not found", p.stderr)
        p = self.ctl("restore", "--snapshot", snap["id"], "--new-cluster", "db-taken", expect=1)
        self.assertIn("already exists", p.stderr)
        p = self.ctl("restore", "--cluster", "db-a", "--time", "2020-01-01T00:00:00Z", "--new-cluster", "db-new",
                     expect=1)
        self.assertIn("outside the restorable range", p.stderr)
        self.assertRegex(p.stderr, r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \.\. \d{4}")
        p = self.ctl("restore", "--cluster", "nope", "--latest", "--new-cluster", "db-new", expect=1)
        self.assertIn("not found", p.stderr)
        # db-a has no instance: the primary's class cannot default to its writer's.
        p = self.ctl("restore", "--cluster", "db-a", "--latest", "--new-cluster", "db-pitr", expect=2)
        self.assertIn("--instance-class", p.stderr)
        self.assertNoMutating("refused restores make no call")
        self.assertEqual(list(self.db().execute("SELECT * FROM restore_requests")), [])

        p = self.ctl("--json", "restore", "--cluster", "db-a", "--latest", "--new-cluster", "db-pitr",
                     "--instance-class", "db.r6g.large", "--no-wait", expect=0)
        reply = json.loads(p.stdout)
        self.assertEqual((reply["state"], reply["instance_class"]), ("recorded", "db.r6g.large"))
        rows = [dict(r) for r in self.db().execute("SELECT * FROM restore_requests ORDER BY id")]
        self.assertEqual([(r["kind"], r["source"], r["new_cluster"]) for r in rows],
                         [("point-in-time", "db-a", "db-pitr")])
        self.d.wait_event("restore-requested", count=1)

    # ---- RPO

    def test_status_json_shows_rpo(self):
        snap = agent_snapshot("db-a", window_open_now(self.now), self.now - DAY)
        self.start(snapshots=[snap])
        st = json.loads(self.ctl("--json", "status", expect=0).stdout)
        c = st["policies"][0]["clusters"][0]
        rpo = c["rpo"]
        self.assertEqual(rpo["newest_snapshot_id"], snap["id"])
        self.assertIsNotNone(rpo["latest_restorable_time"])
        self.assertEqual(rpo["newest_point"], rpo["latest_restorable_time"])
        self.assertGreaterEqual(rpo["age_sec"], 0)
        self.assertEqual(rpo["backup_retention_days"], 1)


if __name__ == "__main__":
    main()
