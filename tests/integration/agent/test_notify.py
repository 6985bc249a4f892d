#!/usr/bin/env python3
"""What operators see beyond the journal (issue 14): SNS notifications of failures and drill results
(agent.sns_topic), backup storage from CloudWatch in `status`, the priority of every stderr line on the
journal stream, and export progress events."""

import datetime
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from agent_harness import (ACCOUNT, CTL, DAY, REGION, AgentTestCase, agent_snapshot, main, policy,  # noqa: E402
                           window_open_now)

TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:aurora-alerts"


class Notifications(AgentTestCase):
    def publishes(self):
        return [r for r in self.requests("Publish") if r["service"] == "sns"]

    def notify_topic_of_failing(self, action, create_topic=True):
        """db-b in its window under a config that notifies TOPIC (made in the world unless not
        `create_topic`); `action` fails with a 500 at each of its 3 attempts."""
        if create_topic:
            self.client("sns").create_topic(Name="aurora-alerts")
        w = window_open_now(self.now)
        self.seed(clusters=[{"id": "db-b"}])
        self.write_config([policy(clusters=["db-*"], window=w)], sns_topic=TOPIC)
        self.admin.add_faults({"kind": "500", "service": "rds", "action": action, "count": 3})

    def test_a_failure_is_published_with_its_fields_info_events_are_not(self):
        # db-b's snapshot fails; the cycle summary is an info event.
        self.notify_topic_of_failing("CreateDBClusterSnapshot")
        run = self.once(expect=None)
        failed = [e for e in run.events if e.level in ("error", "warning")]
        self.assertTrue(failed, run.describe())
        sent = self.publishes()
        self.assertEqual(len(sent), len(failed), run.describe() + "\n" + json.dumps(sent, indent=1))
        for r in sent:
            p = r["params"]
            self.assertEqual(p["TopicArn"], TOPIC)
            self.assertEqual(r["region"], REGION, "Publish goes to the topic's region")
            attrs = p["MessageAttributes"]
            self.assertLessEqual(len(attrs), 10, attrs)
            self.assertIn(attrs["AURORA_EVENT"], {e.name for e in failed})
            self.assertIn(attrs["AURORA_PRIORITY"], ("err", "warning"))
            self.assertNotIn("SECRET", json.dumps(r), "no secret in a notification")
        snapshot_failed = [r for r in sent if r["params"]["MessageAttributes"]["AURORA_EVENT"] == "snapshot-failed"]
        self.assertEqual(len(snapshot_failed), 1, json.dumps(sent, indent=1))
        self.assertEqual(snapshot_failed[0]["params"]["MessageAttributes"]["AWS_ERROR_CODE"], "InternalFailure")
        self.assertTrue(run.named("cycle-summary"), "an info event happened and was not published")

    def test_a_publish_failure_is_an_event_and_is_not_published_again(self):
        # No such topic: moto answers NotFound; the failure is logged once per notification, never published.
        self.notify_topic_of_failing("CreateDBClusterSnapshot", create_topic=False)
        run = self.once(expect=None)
        failures = run.named("notification-failed")
        self.assertEqual(len(failures), 1, run.describe())
        self.assertEqual(failures[0].reason, "snapshot-failed")
        self.assertEqual(len(self.publishes()), 1, "one attempt (the error is not retried), no publish of the failure")

    def test_no_topic_no_publish_and_dry_run_publishes_nothing(self):
        self.notify_topic_of_failing("DescribeDBClusters")
        self.once("--dry-run", expect=None)
        self.assertEqual(self.publishes(), [])

    def test_a_drill_result_is_published(self):
        self.client("sns").create_topic(Name="aurora-alerts")
        w = window_open_now(self.now)
        prev = agent_snapshot("db-a", w, self.now - DAY)
        self.seed(clusters=[{"id": "db-a", "engine": "aurora-postgresql"}], snapshots=[prev])
        drill = {"every": "daily", "instance_class": "db.r6g.large", "keep_minutes": 30}
        self.write_config([policy(clusters=["*"], window=w, restore_test=drill)], sns_topic=TOPIC)
        for i in range(3):
            run = self.once(now=self.now + 60 * i, expect=None)
        self.assertEqual(len(run.named("restore-completed")), 1, run.describe())
        self.assertTrue(self.runs[1].named("restore-instance-created"), self.runs[1].describe())
        events = [r["params"]["MessageAttributes"]["AURORA_EVENT"] for r in self.publishes()]
        self.assertIn("restore-completed", events)
        self.assertNotIn("restore-started", events)
        self.assertNotIn("snapshot-created", events)


class BackupStorage(AgentTestCase):
    def test_status_shows_cloudwatch_backup_storage_per_cluster(self):
        cw = self.client("cloudwatch")
        when = datetime.datetime.fromtimestamp(self.now - 1800, datetime.timezone.utc)
        for cluster, billed, used in (("db-a", 5 * 2**30, 3 * 2**30), ("db-b", 2**20, 2**20)):
            cw.put_metric_data(Namespace="AWS/RDS", MetricData=[
                {"MetricName": "TotalBackupStorageBilled", "Value": billed, "Unit": "Bytes", "Timestamp": when,
                 "Dimensions": [{"Name": "DBClusterIdentifier", "Value": cluster}]},
                {"MetricName": "SnapshotStorageUsed", "Value": used, "Unit": "Bytes", "Timestamp": when,
                 "Dimensions": [{"Name": "DBClusterIdentifier", "Value": cluster}]}])
        self.seed(clusters=[{"id": "db-a"}, {"id": "db-b"}, {"id": "other"}])
        self.write_config([policy(clusters=["db-*"])])
        self.admin.clear_requests()
        run = self.once()
        calls = self.requests("GetMetricData")
        self.assertEqual(len(calls), 1, "one GetMetricData per region per full inventory\n" + run.describe())
        env = self.env()
        out = subprocess.run([CTL, "--config", self.config_path, "status", "--json"], env=env,
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        rows = {r["cluster"]: r for r in json.loads(out.stdout)["backup_storage"]}
        self.assertEqual(set(rows), {"db-a", "db-b"}, "only the clusters a policy selects")
        self.assertEqual(rows["db-a"]["total_backup_storage_billed_bytes"], 5 * 2**30)
        self.assertEqual(rows["db-a"]["snapshot_storage_used_bytes"], 3 * 2**30)
        self.assertEqual(rows["db-b"]["region"], REGION)
        text = subprocess.run([CTL, "--config", self.config_path, "status"], env=env, capture_output=True,
                              text=True, timeout=60).stdout
        self.assertIn("backup storage billed 5.0 GiB, snapshot storage 3.0 GiB", text)
        # Kept in state.db (schema v7), no file beside it.
        stored = {r["cluster"]: r["billed_bytes"] for r in self.db().execute("SELECT * FROM backup_storage")}
        self.assertEqual(stored, {"db-a": 5 * 2**30, "db-b": 2**20})
        self.assertFalse(os.path.exists(os.path.join(self.state_dir, "backup-storage.json")))


class Priorities(AgentTestCase):
    def write_config_with_state_under_a_file(self):
        """A config whose state directory cannot be created: the agent fails at its start."""
        blocker = os.path.join(self.tmp, "not-a-dir")
        with open(blocker, "w") as f:
            f.write("x")
        with open(self.config_path, "w") as f:
            f.write(f'agent: {{ region = "{REGION}"; state_directory = "{blocker}/state"; }};\n'
                    'policies = ( { name = "p"; clusters = [ "db-*" ]; retention = { daily = 1; }; } );\n')

    def test_an_internal_error_line_carries_its_priority_on_the_journal_stream(self):
        # stderr is a file that $JOURNAL_STREAM names, as systemd sets it for a unit.
        self.write_config_with_state_under_a_file()
        err_path = os.path.join(self.tmp, "stderr")
        with open(err_path, "w") as err:
            st = os.fstat(err.fileno())
            env = self.env(JOURNAL_STREAM=f"{st.st_dev}:{st.st_ino}")
            from agent_harness import AGENT
            p = subprocess.run([AGENT, "--config", self.config_path, "--once"], env=env, stderr=err,
                               stdout=subprocess.DEVNULL, timeout=60)
        self.assertNotEqual(p.returncode, 0)
        with open(err_path) as f:
            lines = f.read().splitlines()
        self.assertTrue(lines, "an error line")
        self.assertTrue(all(line.startswith("<3>aurora-backup-agent: ") for line in lines), lines)

    def test_without_the_journal_stream_lines_have_no_prefix(self):
        self.write_config_with_state_under_a_file()
        from agent_harness import AGENT
        p = subprocess.run([AGENT, "--config", self.config_path, "--once"], env=self.env(),
                           capture_output=True, text=True, timeout=60)
        self.assertNotEqual(p.returncode, 0)
        self.assertTrue(p.stderr.startswith("aurora-backup-agent: cannot create state directory"), p.stderr)


class ExportProgress(AgentTestCase):
    def test_export_progress_is_reported_as_it_changes(self):
        self.seed_daily_export("db-e")
        run = self.once()
        task = run.named("export-started")[0].snapshot
        seen = []
        for i, (status, percent) in enumerate((("STARTING", 0), ("IN_PROGRESS", 40), ("IN_PROGRESS", 40),
                                               ("IN_PROGRESS", 85), ("COMPLETE", 100)), start=1):
            self.admin.set_export_status(task, status, percent=percent)
            run = self.once(now=self.now + 60 * i)
            seen.append([(e.get("AURORA_EXPORT_STATUS"), e.get("AURORA_PERCENT"))
                         for e in run.named("export-progress", snapshot=task)])
            if status == "COMPLETE":
                self.assertEqual(len(run.named("export-completed", snapshot=task)), 1, run.describe())
        # Each --once run is a new process: it reports the state it finds once; COMPLETE is export-completed.
        self.assertEqual(seen, [[("STARTING", "0")], [("IN_PROGRESS", "40")], [("IN_PROGRESS", "40")],
                                [("IN_PROGRESS", "85")], []])
        progress = self.runs[2].named("export-progress")[0]
        self.assertIn("40%", progress.get("MESSAGE"))


if __name__ == "__main__":
    main()
