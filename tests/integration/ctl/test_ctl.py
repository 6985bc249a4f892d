#!/usr/bin/env python3
"""aurora-backupctl status, history and check against state files built by ctl-fixture (the store API)."""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

ARGS = None

CONFIG = """
agent: {{ region = "eu-west-1"; {agent} }};
policies = (
  {{
    name = "prod";
    clusters = [ "prod-*" ];
    schedule = {{ every = "daily"; window = "02:00-03:00"; }};
    retention = {{ daily = 7; }};
    quota = {{ limit = 20; reserve = 5; }};
    {extra}
  }}
);
"""


class Ctl(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.state = os.path.join(self.tmp.name, "state")
        os.mkdir(self.state)
        self.now = int(time.time())

    def config(self, agent="", extra=""):
        path = os.path.join(self.tmp.name, "agent.conf")
        with open(path, "w") as f:
            f.write(CONFIG.format(agent=agent, extra=extra))
        return path

    def fixture(self, scenario):
        subprocess.run([ARGS.fixture, self.state, str(self.now), scenario], check=True)

    def ctl(self, *args, config=None, state=True):
        cmd = [ARGS.ctl, "-c", config or self.config()]
        if state:
            cmd += ["--state-dir", self.state]
        env = dict(os.environ)
        env.pop("STATE_DIRECTORY", None)
        return subprocess.run(cmd + list(args), capture_output=True, text=True, env=env, timeout=30)

    def check(self, scenario, **kw):
        self.fixture(scenario)
        return self.ctl("check", **kw)

    # ---- check: every exit code ----
    def test_check_ok(self):
        p = self.check("fresh")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(p.stdout.count("\n"), 1)
        self.assertTrue(p.stdout.startswith("AURORA-BACKUP OK - 2 clusters fresh | clusters=2 fresh=2 "), p.stdout)
        self.assertIn("warning=0 critical=0", p.stdout)

    def test_check_warning_freshness(self):
        p = self.check("warning")
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertTrue(p.stdout.startswith("AURORA-BACKUP WARNING - 0 critical, 1 warning of 2 clusters: prod-b"),
                        p.stdout)
        self.assertIn("fresh=1 warning=1 critical=0", p.stdout)

    def test_check_critical(self):
        p = self.check("critical")
        self.assertEqual(p.returncode, 2, p.stdout)
        self.assertIn("AURORA-BACKUP CRITICAL - 1 critical", p.stdout)
        self.assertRegex(p.stdout, r"prod-b \(3d(\d+s)?\)")  # the fixture ages while the suite runs

    def test_check_stale_state_is_warning(self):
        p = self.check("stale")
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertRegex(p.stdout, r"agent not running\? state 3h(\d+s)?")

    def test_check_failed_cycle_is_warning(self):
        p = self.check("failed")
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("last cycle failed (exit 1)", p.stdout)
        self.assertIn("last_cycle_failed=1", p.stdout)

    def test_check_policy_thresholds_from_config(self):
        cfg = self.config(extra='check = { warning = "1h"; critical = "90d"; };')
        p = self.check("fresh", config=cfg)
        self.assertEqual(p.returncode, 1, p.stdout)  # prod-b's newest is 2h old
        self.assertRegex(p.stdout, r"prod-b \(2h(\d+s)?\)")  # the fixture ages while the suite runs

    def test_check_missing_state_unknown(self):
        p = self.ctl("check")
        self.assertEqual(p.returncode, 3, p.stdout)
        self.assertTrue(p.stdout.startswith("AURORA-BACKUP UNKNOWN - "), p.stdout)
        self.assertIn("no state yet", p.stderr)

    def test_check_bad_config_unknown(self):
        self.fixture("fresh")
        bad = os.path.join(self.tmp.name, "bad.conf")
        with open(bad, "w") as f:
            f.write("policies = ( { name = 1; } );\n")
        p = self.ctl("check", config=bad)
        self.assertEqual(p.returncode, 3, p.stdout)
        self.assertIn("UNKNOWN", p.stdout)

    def test_check_unreadable_state_unknown(self):
        with open(os.path.join(self.state, "state.db"), "w") as f:
            f.write("this is not sqlite\n" * 100)
        p = self.ctl("check")
        self.assertEqual(p.returncode, 3, p.stdout + p.stderr)

    def test_check_json(self):
        p = self.check("critical", state=True)
        p = self.ctl("check", "--json")
        self.assertEqual(p.returncode, 2)
        j = json.loads(p.stdout)
        self.assertEqual(j["status"], "CRITICAL")
        self.assertEqual(j["exit_code"], 2)
        by = {c["cluster"]: c for c in j["clusters"]}
        self.assertEqual(set(by), {"prod-a", "prod-b"})
        self.assertEqual(by["prod-a"]["status"], "OK")
        self.assertAlmostEqual(by["prod-a"]["age_sec"], 3600, delta=5)  # fixture is "now - 1h"; a second may tick
        self.assertEqual(by["prod-b"]["status"], "CRITICAL")
        self.assertFalse(j["state_stale"])

    # ---- status ----
    def test_status_text(self):
        self.fixture("fresh")
        p = self.ctl("status")
        self.assertEqual(p.returncode, 0, p.stderr)
        out = p.stdout
        self.assertIn("Policy prod (daily, region eu-west-1)", out)
        self.assertIn("prod-a: available, window 02:00-03:00, automated retention 7d", out)
        self.assertIn("prod-b: modifying", out)
        self.assertNotIn("other-x:", out)
        self.assertIn("open intents: 1", out)
        self.assertIn("missed: ", out)
        self.assertIn("quota-exhausted: ", out)
        # agent 4 (a creating one counts too) + manual 2 (before-upgrade, old-x) in eu-west-1; cap = 20 - 5
        self.assertIn("quota (region eu-west-1): 6 of 15 manual snapshots (limit 20 - reserve 5)", out)
        self.assertIn("ok: planned 3, succeeded 2, failed 1, created 1, deleted 1, missed 1, 7 API calls", out)

    def test_status_json(self):
        self.fixture("fresh")
        p = self.ctl("status", "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        j = json.loads(p.stdout)
        self.assertEqual(j["last_cycle"]["result"], "ok")
        self.assertEqual(j["last_cycle"]["api_calls"], 7)
        self.assertEqual([i["snapshot"] for i in j["open_intents"]], ["aba-prod-b-2"])
        (pol,) = j["policies"]
        self.assertEqual(pol["policy"], "prod")
        self.assertEqual(pol["quota"], {"used": 6, "limit": 20, "limit_source": "config", "reserve": 5, "available": 9})
        self.assertEqual(pol["allocated_gib"], 10 + 10 + 20 + 10 + 10 + 10 + 0 + 5 + 0)
        a = {c["cluster"]: c for c in pol["clusters"]}
        self.assertEqual(a["prod-a"]["backup_retention_days"], 7)
        self.assertEqual(a["prod-a"]["agent"]["count"], 2)
        self.assertEqual(a["prod-a"]["manual"]["count"], 1)
        self.assertEqual(a["prod-a"]["automated"]["count"], 1)
        self.assertEqual(a["prod-a"]["aws_backup"]["count"], 2)
        self.assertEqual(a["prod-a"]["aws_backup_continuous"]["count"], 1)
        self.assertEqual(a["prod-a"]["last_taken_snapshot"], "aba-prod-a-1")
        self.assertAlmostEqual(a["prod-a"]["last_taken_age_sec"], 3600, delta=5)
        self.assertEqual(a["prod-b"]["agent"]["count"], 2)
        self.assertEqual(sorted(w["outcome"] for w in a["prod-b"]["missed_windows"]), ["missed", "quota-exhausted"])

    def test_state_dir_from_config(self):
        self.fixture("fresh")
        cfg = self.config(agent='state_directory = "%s";' % self.state)
        p = self.ctl("status", config=cfg, state=False)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Agent (state %s)" % self.state, p.stdout)

    def test_store_never_written(self):
        self.fixture("fresh")
        db = os.path.join(self.state, "state.db")
        with open(db, "rb") as f:
            before = f.read()
        for cmd in (["status"], ["history"], ["check"], ["status", "--json"]):
            self.ctl(*cmd)
        with open(db, "rb") as f:
            self.assertEqual(f.read(), before)

    def test_reads_while_a_writer_holds_the_lock(self):
        """The daemon may be mid-transaction: WAL readers must not wait for it or fail."""
        import sqlite3
        self.fixture("fresh")
        db = sqlite3.connect(os.path.join(self.state, "state.db"), isolation_level=None)
        self.addCleanup(db.close)
        db.execute("BEGIN EXCLUSIVE")  # in WAL mode: holds the write lock, readers continue
        self.assertEqual(self.ctl("check").returncode, 0)
        self.assertEqual(self.ctl("status").returncode, 0)
        self.assertEqual(self.ctl("history").returncode, 0)
        db.execute("ROLLBACK")

    # ---- history ----
    def test_history_text(self):
        self.fixture("fresh")
        p = self.ctl("history")
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stdout.splitlines()
        self.assertEqual(lines[0], "Ledger (3):")
        self.assertIn("aba-prod-b-2", lines[2])  # newest first
        self.assertIn("intent", lines[2])
        self.assertIn("error: InvalidDBClusterSnapshotStateFault: snapshot is being copied", p.stdout)
        self.assertIn("req-create-1", p.stdout)
        self.assertIn("Windows (4):", p.stdout)

    def test_history_filters_json(self):
        self.fixture("fresh")
        j = json.loads(self.ctl("history", "--json", "--cluster", "prod-b").stdout)
        self.assertEqual([e["snapshot"] for e in j["ledger"]], ["aba-prod-b-2", "aba-prod-b-0"])
        self.assertEqual(j["ledger"][1]["error_code"], "InvalidDBClusterSnapshotStateFault")
        self.assertEqual(j["ledger"][1]["request_id"], "req-delete-1")
        self.assertEqual([w["outcome"] for w in j["windows"]], ["taken", "missed", "quota-exhausted"])
        j = json.loads(self.ctl("history", "--json", "--since", "61m").stdout)  # 1h, plus a margin for the ticking clock
        self.assertEqual(len(j["ledger"]), 3)
        self.assertEqual([w["cluster"] for w in j["windows"]], ["prod-a"])  # prod-b taken 2h ago
        j = json.loads(self.ctl("history", "--json", "--limit", "1", "--policy", "prod").stdout)
        self.assertEqual(len(j["ledger"]), 1)
        self.assertEqual(len(j["windows"]), 1)
        j = json.loads(self.ctl("history", "--json", "--policy", "none").stdout)
        self.assertEqual((j["ledger"], j["windows"]), ([], []))
        since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.now - 1700))
        j = json.loads(self.ctl("history", "--json", "--since", since).stdout)
        self.assertEqual([e["snapshot"] for e in j["ledger"]], ["aba-prod-b-2"])

    # ---- usage ----
    def test_usage_errors(self):
        self.fixture("fresh")
        for args in ([], ["frobnicate"], ["status", "--limit", "3"], ["history", "--limit", "x"],
                     ["history", "--since", "yesterday"], ["status", "extra"], ["--bogus"]):
            p = self.ctl(*args)
            self.assertEqual(p.returncode, 2, (args, p.stdout, p.stderr))
        p = subprocess.run([ARGS.ctl, "--help"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0)
        for word in ("status", "history", "check", "check-config", "--json", "--state-dir"):
            self.assertIn(word, p.stdout)
        # The control commands (issue 12) are listed; run-now does not exist.
        for word in ("snapshot CLUSTER", "restore --snapshot", "export", "cancel-export", "--socket"):
            self.assertIn(word, p.stdout)
        self.assertNotIn("run-now", p.stdout)
        p = subprocess.run([ARGS.ctl, "--version"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0)
        self.assertTrue(p.stdout.startswith("aurora-backupctl "))


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--ctl", required=True)
    ap.add_argument("--fixture", required=True)
    ARGS, rest = ap.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
