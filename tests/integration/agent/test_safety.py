#!/usr/bin/env python3
"""Issue 6: dry-run makes zero mutating calls; kill -9 at each step of an action, then a restart: no
duplicate and a complete ledger; throttling and 5xx: the agent converges; wrong credentials: exit 1,
a clear error and no secret anywhere."""

import glob
import os
import signal
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from agent_harness import (ACCESS_KEY, AGENT, CTL, DAY, SECRET_KEY, AgentTestCase, agent_snapshot,  # noqa: E402
                           iso, main, policy, snapshot_id, window_open_now)

CRASH_POINTS = ("before-intent", "after-intent", "after-call")


class Scenario(AgentTestCase):
    """db-a in its window with one expired snapshot: a cycle deletes one snapshot, then creates one."""

    def scenario(self, expired=True, **agent):
        self.w = window_open_now(self.now)
        _, self.start, _ = self.w.slot("db-a", self.now)
        self.sid = snapshot_id("db-a", self.start)
        snaps = [agent_snapshot("db-a", self.w, self.now - d * DAY) for d in (1, 2)]
        self.expired = agent_snapshot("db-a", self.w, self.now - 50 * DAY)
        if expired:
            snaps.append(self.expired)
        self.seed(clusters=[{"id": "db-a"}], snapshots=snaps)
        self.write_config([policy(window=self.w, retention={"daily": 7, "max_age": "30d"})], **agent)

    def assertConverged(self, run):
        """The world holds exactly the slot's one snapshot and no expired one; the ledger is closed."""
        snaps = self.snapshots("db-a")
        self.assertIn(self.sid, snaps, run.describe())
        self.assertNotIn(self.expired["id"], snaps, run.describe())
        slot = [sid for sid, s in snaps.items() if self.tags(s).get("aurora-backup:slot") == iso(self.start)]
        self.assertEqual(slot, [self.sid], run.describe())
        self.assertEqual(len([r for r in self.requests("CreateDBClusterSnapshot") if r["status"] == 200]),
                         1, "exactly one snapshot was created")
        self.assertLedgerComplete(run)
        done = self.ledger(kind="create", state="done")
        self.assertEqual([r["snapshot"] for r in done], [self.sid], self.ledger())


class DryRun(Scenario):
    def check_dry_run(self, run):
        self.assertNoMutatingCalls(run)
        self.assertTrue(self.requests("DescribeDBClusters"), "it still observes")
        self.assertNotIn(self.sid, self.snapshots())
        self.assertIn(self.expired["id"], self.snapshots())
        self.assertEqual(self.ledger(), [], "no intents without calls")
        # It still says what it would do: the plan (stdout), the verdicts as events.
        self.assertIn(self.sid, run.output, run.describe())
        self.assertIn(self.expired["id"], run.output, run.describe())
        self.assertIn(self.expired["id"], {e.snapshot for e in run.events}, run.describe())
        summary = run.named("cycle-summary")
        self.assertEqual(len(summary), 1, run.describe())
        cycles = self.db().execute("SELECT dry_run FROM cycles").fetchall()
        self.assertEqual([c[0] for c in cycles], [1])

    def test_dry_run_option_makes_zero_mutating_calls(self):
        self.scenario()
        self.check_dry_run(self.once("--dry-run"))

    def test_dry_run_setting_makes_zero_mutating_calls(self):
        self.scenario(dry_run=True)
        self.check_dry_run(self.once())


class Crash(Scenario):
    """AURORA_BACKUP_TEST_CRASH_AT makes the agent SIGKILL itself at the first mutating action."""

    def crash_then_restart(self, point, expired):
        self.scenario(expired=expired)
        crashed = self.once(crash_at=point, expect=None)
        self.assertIn(crashed.returncode, (-signal.SIGKILL, 128 + signal.SIGKILL), crashed.describe())
        first = "DeleteDBClusterSnapshot" if expired else "CreateDBClusterSnapshot"
        made = self.requests(first)
        self.assertEqual(len(made), 1 if point == "after-call" else 0, f"{point}: {made}")
        self.assertEqual(len(self.mutating_requests()), len(made), self.mutating_requests())
        open_rows = self.ledger(state="intent")
        self.assertEqual(len(open_rows), 0 if point == "before-intent" else 1, open_rows)

        restarted = self.once()

        self.assertConverged(restarted)
        if point == "after-call":
            # The first call's effect was found, not repeated with a second success.
            ok = [r for r in self.requests(first) if r["status"] == 200]
            self.assertEqual(len(ok), 1, self.requests(first))
        kind = "delete-rds" if expired else "create"
        target = self.expired["id"] if expired else self.sid
        rows = self.ledger(kind=kind, snapshot=target)
        self.assertEqual(len([r for r in rows if r["state"] == "done"]), 1, rows)
        self.assertTrue(all(r["state"] in ("done", "abandoned") for r in rows), rows)
        if expired:
            self.assertEqual(len([r for r in self.requests("DeleteDBClusterSnapshot")
                                  if r["status"] == 200]), 1)

    def test_open_create_intent_after_the_window_is_abandoned_not_retried(self):
        self.scenario(expired=False)
        crashed = self.once(crash_at="after-intent", expect=None)
        self.assertIn(crashed.returncode, (-signal.SIGKILL, 128 + signal.SIGKILL), crashed.describe())
        _, _, close = self.w.slot("db-a", self.now)

        run = self.once(now=close + 60)

        self.assertEqual(self.requests("CreateDBClusterSnapshot"), [], run.describe())
        self.assertLedgerComplete(run)
        rows = self.ledger(kind="create")
        self.assertEqual([(r["snapshot"], r["state"]) for r in rows], [(self.sid, "abandoned")], rows)


def crash_test(point, expired):
    """A test of Crash: kill -9 at `point` of the create (or, `expired`, of the expired one's delete)."""
    def test(self):
        self.crash_then_restart(point, expired=expired)
    return test


# test_crash_{before_intent,after_intent,after_call}_at_{create,delete}
for _point in CRASH_POINTS:
    for _action, _expired in (("create", False), ("delete", True)):
        setattr(Crash, f"test_crash_{_point.replace('-', '_')}_at_{_action}", crash_test(_point, _expired))


class TwoAgents(Scenario):
    def test_two_agents_with_the_same_config_create_the_slot_once(self):
        # Two hosts, same policies, separate state (one state is refused to a second agent: see
        # OneAgentPerState). The world holds the first create for a few seconds
        # and the second agent starts while it is in flight, so it too sees no snapshot and sends its
        # own create: the deterministic identifier makes that an AlreadyExists, which counts as done.
        self.scenario(expired=False)
        other_state = os.path.join(self.tmp, "state-2")
        os.mkdir(other_state)
        other_config = os.path.join(self.tmp, "agent-2.conf")
        with open(self.config_path) as f, open(other_config, "w") as g:
            g.write(f.read().replace(self.state_dir, other_state))
        self.admin.add_faults({"kind": "delay", "service": "rds", "action": "CreateDBClusterSnapshot",
                               "delay_ms": 4000, "count": 2})
        env = self.env(now=self.now)

        def start(config):
            return subprocess.Popen([AGENT, "--once", "--config", config], env=env, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

        first = start(self.config_path)
        deadline = time.monotonic() + 60
        while not self.requests("CreateDBClusterSnapshot") and first.poll() is None:
            self.assertLess(time.monotonic(), deadline, "the first agent never sent its create")
            time.sleep(0.05)
        second = start(other_config)
        outs = [p.communicate(timeout=120) for p in (first, second)]
        self.assertEqual([first.returncode, second.returncode], [0, 0], outs)

        creates = self.requests("CreateDBClusterSnapshot")
        self.assertEqual(len([r for r in creates if r["status"] == 200]), 1, creates)
        slot = [sid for sid, s in self.snapshots("db-a").items()
                if self.tags(s).get("aurora-backup:slot") == iso(self.start)]
        self.assertEqual(slot, [self.sid])
        ledgers = []
        for state in (self.state_dir, other_state):
            con = sqlite3.connect(f"file:{os.path.join(state, 'state.db')}?mode=ro", uri=True)
            ledgers.append(con.execute("SELECT snapshot, state FROM ledger WHERE kind = 'create'").fetchall())
            con.close()
        self.assertEqual(ledgers[0], [(self.sid, "done")], ledgers)
        # The second agent either raced (its create answered AlreadyExists: done) or, if the first
        # create landed before it looked, found the slot done and sent nothing.
        self.assertEqual(ledgers[1], [(self.sid, "done")] if len(creates) == 2 else [], (ledgers, creates))


class OneAgentPerState(Scenario):
    def test_second_agent_on_the_same_state_exits_1_naming_the_holder_and_ctl_still_reads(self):
        # Issue 13: two agents on one state corrupt each other's cycles (the second one's recovery
        # settles the first one's in-flight intents). The daemon holds the state; a --once is refused.
        self.scenario(expired=False)
        old_umask = os.umask(0o022)  # the daemon inherits it: its files must be 0600 all the same
        self.addCleanup(os.umask, old_umask)
        d = self.started_daemon(env=self.env(now=self.now))
        with open(os.path.join(self.state_dir, ".lock")) as f:
            holder = int(f.read().strip())
        self.assertTrue(os.readlink(f"/proc/{holder}/exe").endswith("aurora-backup-agent"), holder)
        for name in (".lock", "state.db", "state.db-wal", "state.db-shm"):
            mode = os.stat(os.path.join(self.state_dir, name)).st_mode & 0o7777
            self.assertEqual(mode, 0o600, f"{name} has mode {mode:04o} under umask 022")
        self.admin.clear_requests()
        ledger_before = self.ledger()

        second = self.once(expect=1)

        self.assertIn(f"state directory {self.state_dir} is in use by aurora-backup-agent PID {holder}",
                      second.output, second.describe())
        self.assertEqual(self.requests(), [], "the refused agent made no AWS call")
        self.assertEqual(self.ledger(), ledger_before, "the refused agent wrote nothing")
        self.assertEqual(second.named("cycle-summary"), [], second.describe())
        # The read-only commands take no lock.
        for verb, ok in (("status", (0,)), ("history", (0,)), ("check", (0, 1, 2)), ("plan", (0,))):
            p = subprocess.run([CTL, verb, "--config", self.config_path], env=self.env(now=self.now),
                               capture_output=True, text=True, timeout=120)
            self.assertIn(p.returncode, ok, f"aurora-backupctl {verb}: {p.stdout}{p.stderr}")
            self.assertNoSanitizerReport(p.stderr)
        self.assertEqual(d.stop(), 0, d.output())

        # Once the daemon is gone, the state is free again.
        self.once()


class Drain(Scenario):
    def test_sigterm_during_a_call_finishes_and_records_it_then_exits_0(self):
        self.scenario(expired=False)
        # The create takes a few seconds in the world; SIGTERM arrives while it is in flight.
        self.admin.add_faults({"kind": "delay", "service": "rds", "action": "CreateDBClusterSnapshot",
                               "delay_ms": 3000, "count": 1})
        d = self.daemon(env=self.env(now=self.now))
        d.notify.wait_for("READY=1")
        deadline = time.monotonic() + 60
        while not self.requests("CreateDBClusterSnapshot"):
            self.assertLess(time.monotonic(), deadline, "the daemon never sent its create\n" + d.output())
            time.sleep(0.05)
        d.signal(signal.SIGTERM)

        self.assertEqual(d.stop(), 0, d.output())
        self.assertEqual(self.requests("CreateDBClusterSnapshot")[0]["status"], 200)
        self.assertIn(self.sid, self.snapshots("db-a"))
        self.assertLedgerComplete()
        self.assertEqual([(r["snapshot"], r["state"]) for r in self.ledger(kind="create")],
                         [(self.sid, "done")])


class Faults(Scenario):
    def test_throttling_and_5xx_within_retries_converge_in_one_cycle(self):
        self.scenario()
        self.admin.add_faults(
            {"kind": "throttle", "service": "rds", "action": "DescribeDBClusters", "count": 2},
            {"kind": "503", "service": "rds", "action": "DescribeDBClusterSnapshots", "count": 2},
            {"kind": "500", "service": "rds", "action": "DeleteDBClusterSnapshot", "count": 1},
            {"kind": "throttle", "service": "rds", "action": "CreateDBClusterSnapshot", "count": 2})

        run = self.once()

        self.assertConverged(run)
        self.assertEqual([f["count"] for f in self.admin.faults()], [0, 0, 0, 0], self.admin.faults())
        self.assertEqual(run.named("snapshot-failed"), [], run.describe())

    def test_lost_create_response_converges_without_duplicate(self):
        # The world makes the snapshot but cuts the answer: the agent must recognise its own snapshot
        # (deterministic identifier, AlreadyExists means done), now or on the next cycle.
        self.scenario(expired=False)
        self.admin.add_faults({"kind": "cut", "service": "rds", "action": "CreateDBClusterSnapshot",
                               "count": 1})
        runs = [self.once(expect=None)]
        while runs[-1].returncode != 0 and len(runs) < 3:
            runs.append(self.once(expect=None))
        self.assertEqual(runs[-1].returncode, 0, "\n".join(r.describe() for r in runs))
        self.assertConverged(runs[-1])

    def test_lost_answer_is_an_open_intent_settled_as_done_not_a_failure(self):
        # Every attempt's answer is cut (the first one made the snapshot): the outcome is unknown, so the
        # ledger keeps the intent open with no borrowed request id and the journal says unconfirmed, not
        # failed; the next cycle finds the snapshot and settles the intent as done.
        self.scenario(expired=False)
        self.admin.add_faults({"kind": "cut", "service": "rds", "action": "CreateDBClusterSnapshot",
                               "count": 3})
        first = self.once(expect=1)
        self.assertIn(self.sid, self.snapshots("db-a"), first.describe())
        self.assertEqual(first.named("snapshot-failed"), [], first.describe())
        unconfirmed = first.named("action-unconfirmed", snapshot=self.sid)
        self.assertEqual(len(unconfirmed), 1, first.describe())
        rows = self.ledger(kind="create")
        self.assertEqual([(r["snapshot"], r["state"], r["request_id"]) for r in rows], [(self.sid, "intent", None)],
                         rows)

        self.admin.clear_faults()
        second = self.once()
        rows = self.ledger(kind="create")
        self.assertEqual([(r["snapshot"], r["state"]) for r in rows], [(self.sid, "done")], rows)
        self.assertConverged(second)
        self.assertEqual([h["outcome"] for h in self.window_history("db-a")], ["taken"], self.window_history("db-a"))

    def test_persistent_5xx_fails_the_cycle_then_recovers(self):
        self.scenario(expired=False)
        self.admin.add_faults({"kind": "503", "service": "rds", "action": "CreateDBClusterSnapshot",
                               "count": 50})
        failed = self.once(expect=1)
        self.assertEqual(self.snapshots("db-a").get(self.sid), None)
        events = failed.named("snapshot-failed", snapshot=self.sid) + failed.named("api-error")
        self.assertTrue(events, failed.describe())
        self.assertIn("ServiceUnavailable", {e.error_code for e in events}, failed.describe())
        self.assertLedgerComplete(failed)

        self.admin.clear_faults()
        ok = self.once()
        self.assertConverged(ok)


class Credentials(Scenario):
    def secret_nowhere(self, run, secret):
        self.assertNotIn(secret, run.output)
        for path in glob.glob(os.path.join(self.state_dir, "*")):
            with open(path, "rb") as f:
                self.assertNotIn(secret.encode(), f.read(), path)

    def test_unknown_access_key_exits_1_with_a_clear_error_and_no_secret(self):
        self.scenario()
        self.admin.set_auth(True)
        run = self.once(expect=1)
        self.admin.set_auth(False)

        self.assertIn("InvalidClientTokenId", run.output, run.describe())
        errors = [e for e in run.events if e.level == "error"]
        self.assertTrue(errors, run.describe())
        self.assertIn("InvalidClientTokenId", {e.error_code for e in errors}, run.describe())
        self.secret_nowhere(run, SECRET_KEY)
        self.assertNoMutatingCalls(run)
        self.assertIn(self.expired["id"], self.snapshots())

    def test_wrong_secret_exits_1_and_never_prints_either_secret(self):
        self.scenario()
        self.admin.set_auth(True)
        creds = self.admin.credentials()
        wrong = "wrong-" + creds["SecretAccessKey"]
        env = self.env(now=self.now, access_key=creds["AccessKeyId"], secret_key=wrong)
        run = self.run_agent("--once", env=env)
        self.admin.set_auth(False)

        self.assertEqual(run.returncode, 1, run.describe())
        self.assertIn("SignatureDoesNotMatch", run.output, run.describe())
        self.secret_nowhere(run, wrong)
        self.secret_nowhere(run, creds["SecretAccessKey"])
        self.assertNoMutatingCalls(run)

    def test_no_credentials_at_all_exits_1_with_a_clear_error(self):
        self.scenario()
        env = self.env(now=self.now)
        del env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]  # and instance metadata is disabled
        run = self.run_agent("--once", env=env)

        self.assertEqual(run.returncode, 1, run.describe())
        self.assertIn("credential", run.output.lower(), run.describe())
        self.assertEqual(self.admin.requests(), [], "nothing unsigned was sent")

    def test_issued_credentials_work_with_signature_checking(self):
        self.scenario()
        self.admin.set_auth(True)
        creds = self.admin.credentials()
        env = self.env(now=self.now, access_key=creds["AccessKeyId"], secret_key=creds["SecretAccessKey"])
        run = self.run_agent("--once", env=env)
        self.admin.set_auth(False)

        self.assertEqual(run.returncode, 0, run.describe())
        self.assertConverged(run)
        self.secret_nowhere(run, creds["SecretAccessKey"])
        self.assertNotIn(ACCESS_KEY, run.output)


if __name__ == "__main__":
    main()
