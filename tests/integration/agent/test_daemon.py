#!/usr/bin/env python3
"""Issue 6, the daemon: sd_notify (READY, STATUS, RELOADING, STOPPING), SIGHUP with a broken config
keeps the old one running (config-rejected), a good one is taken (config-reloaded), SIGTERM exits 0.
The daemon runs on the real clock, in a window open now."""

import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from agent_harness import AgentTestCase, main, policy, snapshot_id, window_open_now  # noqa: E402

# A setting that passes the parser but not validation, and an unknown one: rejected whole.
BROKEN_POLICY_EXTRA = {"quota": {"limit": 10, "reserve": 20}}


class Daemon(AgentTestCase):
    def configs(self):
        self.w = window_open_now(self.now)
        self.seed(clusters=[{"id": "db-a"}, {"id": "db-b"}])
        self.sid = {c: snapshot_id(c, self.w.slot(c, self.now)[1]) for c in ("db-a", "db-b")}
        good_a = [policy(clusters=["db-a"], window=self.w)]
        good_ab = [policy(clusters=["db-a", "db-b"], window=self.w)]
        broken_ab = [policy(clusters=["db-a", "db-b"], window=self.w, **BROKEN_POLICY_EXTRA)]
        return good_a, good_ab, broken_ab

    def test_sighup_with_broken_config_keeps_the_old_one_and_a_good_one_is_taken(self):
        good_a, good_ab, broken_ab = self.configs()
        self.write_config(good_a, reconcile_interval="1m")
        d = self.daemon()

        seen = d.notify.wait_for("READY=1")
        d.wait_event("cycle-summary", count=1)
        self.assertIn(self.sid["db-a"], self.snapshots())
        d.notify.wait_for("STATUS=")

        # A config that fails validation: rejected, with file, line and setting; the daemon lives on.
        self.write_config(broken_ab, reconcile_interval="1m")
        d.signal(signal.SIGHUP)
        rejected = d.wait_event("config-rejected", count=1)
        seen = d.notify.wait_for("RELOADING=1", after=seen)
        seen = d.notify.wait_for("READY=1", after=seen)
        self.assertEqual(rejected[0].level, "error")
        self.assertIn(self.config_path, d.output())
        self.assertIn("reserve", d.output())
        self.assertIsNone(d.proc.poll(), "the daemon keeps running")

        # The old config keeps working: the next cycle still selects only db-a.
        cycles = len(d.wait_event("cycle-summary", count=1))
        d.wait_event("cycle-summary", count=cycles + 1)
        self.assertNotIn(self.sid["db-b"], self.snapshots())
        self.assertEqual(len([e for e in d.events() if e.name == "config-reloaded"]), 0)

        # A good config: reloaded, and its new cluster gets its snapshot.
        self.write_config(good_ab, reconcile_interval="1m")
        d.signal(signal.SIGHUP)
        d.wait_event("config-reloaded", count=1)
        seen = d.notify.wait_for("RELOADING=1", after=seen)
        seen = d.notify.wait_for("READY=1", after=seen)
        d.wait_event("snapshot-started", count=1, snapshot=self.sid["db-b"])
        self.assertIn(self.sid["db-b"], self.snapshots())

        self.assertEqual(d.stop(), 0, d.output())
        d.notify.wait_for("STOPPING=1", after=seen)
        self.assertEqual(len([r for r in self.requests("CreateDBClusterSnapshot") if r["status"] == 200]), 2)
        self.assertLedgerComplete()

    def test_sigterm_exits_0_with_stopping_and_a_closed_ledger(self):
        good_a, _, _ = self.configs()
        self.write_config(good_a, reconcile_interval="1m")
        d = self.started_daemon()

        self.assertEqual(d.stop(), 0, d.output())
        d.notify.wait_for("STOPPING=1")
        self.assertLedgerComplete()
        finished = self.db().execute("SELECT count(*) FROM cycles WHERE finished_at IS NULL").fetchone()[0]
        self.assertEqual(finished, 0, "no cycle left unfinished")

    def test_status_names_next_slot_and_clusters(self):
        good_a, _, _ = self.configs()
        self.write_config(good_a, reconcile_interval="1m")
        d = self.started_daemon()
        d.notify.wait_for("STATUS=")
        status = [m for m in d.notify.messages if m.startswith("STATUS=")]
        summaries = [m for m in status if "1 cluster" in m]
        self.assertTrue(summaries, status)
        self.assertIn("quota ", summaries[-1])
        self.assertIn("Next slot ", summaries[-1])

    def test_bad_config_at_start_exits_2(self):
        _, _, broken_ab = self.configs()
        self.write_config(broken_ab)
        run = self.run_agent("--once")
        self.assertEqual(run.returncode, 2, run.describe())
        self.assertIn(self.config_path, run.output)
        self.assertEqual(self.admin.requests(), [], "a rejected config never reaches AWS")


if __name__ == "__main__":
    main()
