#!/usr/bin/env python3
"""Issue 14: problems are state, not only events. Each kind stays in `status`, `check` and the metrics
across cycles until its condition clears; `check` warns for a policy selecting nothing and reports
clusters whose first slot has not come as pending; the next slot shows in `status --json` and
`plan --json`; the Prometheus textfile parses strictly and its counters only increase."""

import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from agent_harness import (CTL, DAY, AgentTestCase, Window, agent_snapshot, main, policy,  # noqa: E402
                           window_open_now)

# ---------------------------------------------------------------- a strict text-format parser

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\\\|\\"|\\n)*"'
SAMPLE = re.compile(rf"^({NAME})(\{{(?:{LABEL})(?:,{LABEL})*\}})? (-?(?:\d+(?:\.\d+)?(?:e[+-]?\d+)?|NaN|\+Inf|-Inf))$")
LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_prometheus(text):
    """{(name, ((label, value), ...)): float}, checking the Prometheus text format strictly: HELP then
    TYPE once per family before its samples, a family's samples together, no duplicate series,
    counters named *_total, the text ends with a newline."""
    assert text.endswith("\n"), "the text ends with a newline"
    samples, types, helps, seen_families, current = {}, {}, set(), [], None
    for n, line in enumerate(text.split("\n")[:-1], 1):
        if line.startswith("# HELP "):
            name = line.split(" ")[2]
            assert re.fullmatch(NAME, name) and name not in helps, f"line {n}: HELP {name}"
            helps.add(name)
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            assert name in helps and name not in types, f"line {n}: TYPE {name} before HELP, or twice"
            assert kind in ("counter", "gauge", "histogram", "summary", "untyped"), line
            types[name] = kind
            if kind == "counter":
                assert name.endswith("_total"), f"counter {name} must end in _total"
            else:
                assert not name.endswith("_total"), f"{kind} {name} must not end in _total"
            continue
        assert not line.startswith("#") and line, f"line {n}: {line!r}"
        m = SAMPLE.match(line)
        assert m, f"line {n}: not a sample: {line!r}"
        name, labels, value = m.group(1), m.group(2) or "", m.group(3)
        assert name in types, f"line {n}: {name} has no TYPE"
        if name != current:
            assert name not in seen_families, f"line {n}: samples of {name} are not together"
            seen_families.append(name)
            current = name
        key = (name, tuple(LABEL_RE.findall(labels)))
        assert key not in samples, f"line {n}: duplicate series {key}"
        samples[key] = float(value)
    return samples


def series(samples, name, **labels):
    return {k: v for k, v in samples.items()
            if k[0] == name and all((lk, lv) in k[1] for lk, lv in labels.items())}


class Problems(AgentTestCase):
    def ctl(self, *args, now=None, expect=0):
        p = subprocess.run([CTL, *args, "--config", self.config_path], env=self.env(now=now or self.now),
                           capture_output=True, text=True, timeout=120)
        if expect is not None:
            self.assertEqual(p.returncode, expect, f"{args}: {p.stdout}\n{p.stderr}")
        return p

    def status(self, now=None):
        return json.loads(self.ctl("status", "--json", now=now).stdout)

    def problems(self, kind=None, now=None):
        return [p for p in self.status(now)["problems"] if kind is None or p["kind"] == kind]

    def check(self, now=None):
        p = self.ctl("check", "--json", now=now, expect=None)
        j = json.loads(p.stdout)
        self.assertEqual(p.returncode, j["exit_code"], p.stdout)
        return j

    def metrics(self):
        with open(self.prom) as f:
            return parse_prometheus(f.read())

    def config(self, policies, **agent):
        self.prom = os.path.join(self.tmp, "aurora-backup.prom")
        self.write_config(policies, prometheus_textfile=self.prom, **agent)

    def problem_gauge(self, kind):
        return series(self.metrics(), "aurora_backup_problems", kind=kind)[
            ("aurora_backup_problems", (("kind", kind),))]

    def assertOpen(self, kind, now, count=None, **fields):
        """One open problem of `kind` in `status --json` (with these fields), counted by `check` (its
        exit code and its text) and in the metrics textfile; returns it."""
        [p] = self.problems(kind, now=now)
        for k, v in fields.items():
            self.assertEqual(p[k], v, p)
        if count is not None:
            self.assertEqual(p["count"], count, p)
        self.assertTrue(p["since"] and p["error_message"], p)
        chk = self.check(now=now)
        self.assertIn(chk["status"], ("WARNING", "CRITICAL"), chk)
        self.assertGreaterEqual(chk["problems"], 1, chk)
        self.assertIn(kind, [q["kind"] for q in chk["problem_list"]], chk)
        text = self.ctl("check", now=now, expect=None)
        self.assertIn(text.returncode, (1, 2), text.stdout)
        self.assertRegex(text.stdout, rf"\d+ unresolved problems? \(oldest ", text.stdout)
        self.assertIn(kind, self.ctl("status", now=now).stdout)
        self.assertEqual(self.problem_gauge(kind), 1.0)
        return p

    def assertCleared(self, kind, run, now):
        """No open problem of `kind` any more: one problem-resolved event for it in `run`, 0 in the
        metrics, and the resolved row in `history --json`."""
        self.assertEqual(self.problems(kind, now=now), [], run.describe())
        self.assertEqual(len(run.named("problem-resolved", reason=kind)), 1, run.describe())
        self.assertNotIn(kind, [q["kind"] for q in self.check(now=now)["problem_list"]])
        self.assertEqual(self.problem_gauge(kind), 0.0)
        hist = json.loads(self.ctl("history", "--json", now=now).stdout)
        self.assertIn(kind, [p["kind"] for p in hist["problems"] if p["resolved"]], hist["problems"])

    # ---- a policy selecting nothing
    def test_policy_selecting_nothing_warns_until_it_selects_a_cluster(self):
        w = window_open_now(self.now)
        self.seed(clusters=[{"id": "db-a"}])
        self.config([policy(window=w), policy(name="ghost", clusters=["nomatch-*"], window=w)])
        self.once()
        for k in range(2):  # kept across cycles
            if k:
                self.once(now=self.now + 600)
            chk = self.check(now=self.now + 600 * k)
            self.assertEqual(chk["status"], "WARNING", chk)
            self.assertEqual(chk["policies_selecting_nothing"], 1, chk)
            self.assertIn("policy ghost selects no cluster", chk["message"])
            [p] = self.problems("policy-selects-nothing", now=self.now + 600 * k)
            self.assertEqual(p["policy"], "ghost")
            self.assertEqual(p["since"], self.problems(now=self.now)[0]["since"], "first seen is kept")
            self.assertEqual(series(self.metrics(), "aurora_backup_problems", kind="policy-selects-nothing"),
                             {("aurora_backup_problems", (("kind", "policy-selects-nothing"),)): 1.0})
        self.seed(clusters=[{"id": "nomatch-1"}])
        run = self.once(now=self.now + 1800)
        self.assertEqual(self.problems("policy-selects-nothing", now=self.now + 1800), [])
        self.assertEqual(len(run.named("problem-resolved")), 1, run.describe())
        self.assertEqual(series(self.metrics(), "aurora_backup_problems", kind="policy-selects-nothing")
                         [("aurora_backup_problems", (("kind", "policy-selects-nothing"),))], 0.0)

    # ---- day one
    def test_day_one_clusters_are_pending_with_their_next_slot(self):
        w = Window(self.now + 3 * 3600, 60)  # opens in three hours
        self.seed(clusters=[{"id": "db-a"}, {"id": "db-b"}])
        self.config([policy(window=w)])
        self.once()
        chk = self.check()
        self.assertEqual((chk["status"], chk["pending"], chk["critical"]), ("OK", 2, 0), chk)
        self.assertTrue(all(c["pending"] and c["status"] == "PENDING" for c in chk["clusters"]), chk)
        st = self.status()
        clusters = {c["cluster"]: c for p in st["policies"] for c in p["clusters"]}
        for cid in ("db-a", "db-b"):
            o, start, close = w.slot(cid, self.now + 4 * 3600)
            ns = clusters[cid]["next_slot"]
            self.assertEqual(ns["slot"], _iso(start), ns)
            self.assertEqual((ns["window_open"], ns["window_close"]), (_iso(o), _iso(close)), ns)
            self.assertEqual((ns["window"], ns["then"]), (w.text, "scheduled"), ns)
        plan = json.loads(self.ctl("plan", "--json").stdout)
        self.assertEqual(sorted(n["cluster"] for n in plan["next_slots"]), ["db-a", "db-b"], plan)
        m = self.metrics()
        self.assertEqual(len(series(m, "aurora_backup_next_slot_timestamp_seconds", policy="prod")), 2)
        # Far past the critical threshold with still no snapshot, the cluster is no longer pending.
        chk = self.check(now=self.now + 10 * DAY)
        self.assertEqual(chk["status"], "CRITICAL", chk)

    # ---- plan narrowed and as JSON
    def test_plan_json_lists_selected_clusters_only_and_narrows(self):
        w = window_open_now(self.now)
        self.seed(clusters=[{"id": "db-a"}, {"id": "db-b"}, {"id": "other"}],
                  snapshots=[{"cluster": "other", "origin": "foreign", "id": "by-hand"}])
        self.config([policy(window=w)])
        plan = json.loads(self.ctl("plan", "--json").stdout)
        self.assertEqual({a["cluster"] for a in plan["actions"] if a["kind"] == "create"}, {"db-a", "db-b"})
        self.assertNotIn("other", {v["cluster"] for v in plan["verdicts"]}, "only clusters a policy selects")
        self.assertEqual({n["then"] for n in plan["next_slots"]}, {"create-now"}, plan["next_slots"])
        everything = json.loads(self.ctl("plan", "--json", "--all").stdout)
        self.assertIn("other", {v["cluster"] for v in everything["verdicts"]})
        one = json.loads(self.ctl("plan", "--json", "--cluster", "db-b").stdout)
        self.assertEqual({a["cluster"] for a in one["actions"]}, {"db-b"})
        self.assertEqual([n["cluster"] for n in one["next_slots"]], ["db-b"])
        self.assertEqual(json.loads(self.ctl("plan", "--json", "--policy", "prod").stdout)["actions"], plan["actions"])
        self.ctl("plan", "--policy", "nosuch", expect=2)
        text = self.ctl("plan", "--cluster", "db-a").stdout
        self.assertRegex(text, r"(?m)^next-slot policy=prod region=\S+ cluster=db-a slot=\S+ window=")

    # ---- a region that cannot be observed
    def test_region_not_observed_stays_until_observed(self):
        w = window_open_now(self.now)
        self.seed(clusters=[{"id": "db-a"}])
        self.config([policy(window=w)])
        self.once()
        self.admin.add_faults({"kind": "500", "service": "rds", "action": "DescribeDBClusters", "probability": 1})
        for k in (1, 2):
            self.once(now=self.now + 600 * k, expect=None)
        [p] = self.problems("region-unobserved", now=self.now + 1200)
        self.assertEqual(p["count"], 2, p)
        self.assertEqual(p["error_code"], "InternalFailure", p)
        chk = self.check(now=self.now + 1200)
        self.assertIn(chk["status"], ("WARNING", "CRITICAL"), chk)
        self.assertEqual(chk["problems"], 1, chk)
        self.assertEqual(self.check(now=self.now + 1200 + 2 * DAY)["problems_critical"], 1, "older than 24h")
        self.admin.clear_faults()
        self.once(now=self.now + 1800)
        self.assertEqual(self.problems(now=self.now + 1800), [])
        hist = json.loads(self.ctl("history", "--json", now=self.now + 1800).stdout)
        self.assertEqual([p["kind"] for p in hist["problems"]], ["region-unobserved"])
        self.assertIsNotNone(hist["problems"][0]["resolved"])

    # ---- a failed action
    def test_failed_create_stays_until_it_succeeds_and_counters_only_grow(self):
        w = window_open_now(self.now)
        self.seed(clusters=[{"id": "db-a"}])
        self.config([policy(window=w)])
        self.admin.add_faults({"kind": "500", "service": "rds", "action": "CreateDBClusterSnapshot",
                               "probability": 1})
        self.once(expect=None)
        totals = []
        for k in (0, 1):
            if k:
                self.once(now=self.now + 600, expect=None)
            [p] = self.problems("action-failed", now=self.now + 600 * k)
            self.assertEqual((p["action"], p["cluster"], p["count"]), ("create", "db-a", k + 1), p)
            self.assertEqual(p["error_code"], "InternalFailure", p)
            totals.append(series(self.metrics(), "aurora_backup_actions_total", kind="create", outcome="failed"))
        text = self.ctl("status", now=self.now + 600).stdout
        self.assertRegex(text, r"action-failed create policy prod cluster db-a \S+ in \S+: since ")
        self.assertIn("last error: InternalFailure", text)
        self.admin.clear_faults()
        self.once(now=self.now + 1200)
        self.assertEqual(self.problems(now=self.now + 1200), [])
        m = self.metrics()
        done = series(m, "aurora_backup_actions_total", kind="create", outcome="done")
        self.assertEqual(list(done.values()), [1.0])
        failed = list(series(m, "aurora_backup_actions_total", kind="create", outcome="failed").values())
        self.assertEqual([list(t.values())[0] for t in totals] + failed, [1.0, 2.0, 2.0], "counters never go down")
        self.assertEqual(list(series(m, "aurora_backup_manual_snapshots").values()), [1.0])
        self.assertTrue(series(m, "aurora_backup_quota_limit"))
        self.assertEqual(self.check(now=self.now + 1200)["status"], "OK")

    # ---- the quota
    def test_quota_exhausted_fails_once_and_is_critical_until_there_is_room(self):
        w = window_open_now(self.now)
        self.seed(clusters=[{"id": "db-a"}],
                  snapshots=[{"cluster": "db-a", "origin": "foreign", "id": f"by-hand-{k}"} for k in range(3)])
        self.admin.quota(limit=3)
        self.config([policy(window=w, quota={"reserve": 0})])
        run = self.once(expect=1)
        self.assertEqual(len(run.named("quota-exhausted")), 1, run.describe())
        chk = self.check()
        self.assertEqual(chk["status"], "CRITICAL", chk)
        self.assertTrue(chk["quota_exhausted"], chk)
        self.once(now=self.now + 600, expect=1)
        self.assertEqual(len(self.problems("quota-exhausted", now=self.now + 600)), 1)
        self.assertEqual(list(series(self.metrics(), "aurora_backup_problems", kind="quota-exhausted").values()), [1.0])
        self.assertEqual(list(series(self.metrics(), "aurora_backup_manual_snapshots").values()), [3.0])
        self.admin.quota(limit=10)
        self.once(now=self.now + 1200)
        self.assertEqual(self.problems("quota-exhausted", now=self.now + 1200), [])

    # ---- a failed drill
    def test_failed_drill_stays_until_the_next_drill_succeeds(self):
        t0 = self.now
        w = window_open_now(t0)
        self.seed(clusters=[{"id": "db-a", "engine": "aurora-postgresql"}],
                  snapshots=[agent_snapshot("db-a", w, t0 - DAY)])

        def drill_config(probe):
            self.config([policy(clusters=["db-a"], window=w,
                                restore_test={"every": "daily", "instance_class": "db.r6g.large",
                                              "keep_minutes": 0, "probe_command": probe})])

        drill_config("echo probe says no >&2; exit 3")
        for i in range(3):  # restore, instance, probe (fails)
            self.once(now=t0 + 60 * i, expect=None)
        self.assertEqual(len(self.runs[-1].named("restore-failed")), 1, self.runs[-1].describe())
        first = self.assertOpen("drill-failed", t0 + 120, cluster="db-a")
        for i in (3, 4):  # the teardown, and a cycle with no drill at all: the problem stays
            self.once(now=t0 + 60 * i, expect=None)
            p = self.assertOpen("drill-failed", t0 + 60 * i, cluster="db-a")
            self.assertEqual(p["since"], first["since"], "first seen is kept")
        # The next period's drill passes: cleared.
        drill_config("true")
        for i in range(3):
            run = self.once(now=t0 + DAY + 60 * i)
            if i < 2:
                self.assertOpen("drill-failed", t0 + DAY + 60 * i)
        self.assertEqual(len(run.named("restore-completed")), 1, run.describe())
        self.assertCleared("drill-failed", run, t0 + DAY + 120)

    # ---- a missed window
    def test_missed_window_stays_until_a_later_slot_is_taken(self):
        w = window_open_now(self.now)
        _, _, close = w.slot("db-down", self.now)
        self.seed(clusters=[{"id": "db-down", "status": "modifying"}],
                  snapshots=[agent_snapshot("db-down", w, self.now - DAY)])
        self.config([policy(window=w)])
        self.once()
        self.assertEqual(self.problems("missed-window"), [], "not missed while the window is open")
        run = self.once(now=close + 5 * 60)
        self.assertEqual(len(run.named("window-missed")), 1, run.describe())
        first = self.assertOpen("missed-window", close + 5 * 60, cluster="db-down", policy="prod")
        self.once(now=close + 20 * 60)  # reported once, kept as a problem
        p = self.assertOpen("missed-window", close + 20 * 60, cluster="db-down")
        self.assertEqual(p["since"], first["since"])
        # The cluster is back, and the next day's slot is taken: cleared.
        self.admin.set_cluster_status("db-down", "available")
        t = self.now + DAY
        run = self.once(now=t)
        if not run.named("problem-resolved", reason="missed-window"):
            run = self.once(now=t + 120)  # the slot counts as taken once its snapshot is seen
            t += 120
        self.assertTrue(run.named("snapshot-created", cluster="db-down") or
                        self.runs[-2].named("snapshot-created", cluster="db-down"), run.describe())
        self.assertCleared("missed-window", run, t)

    def test_missed_window_is_not_cleared_by_an_earlier_slot_recorded_late(self):
        # The agent dies right after today's create call and comes back after tomorrow's window has closed
        # with the cluster busy: at the restart it settles today's slot as taken (recorded now) and reports
        # tomorrow's as missed. Today's slot is not later than the missed one: the problem stays.
        w = window_open_now(self.now)
        self.seed(clusters=[{"id": "db-a"}], snapshots=[agent_snapshot("db-a", w, self.now - DAY)])
        self.config([policy(window=w)])
        crashed = self.once(crash_at="after-call", expect=None)
        self.assertNotEqual(crashed.returncode, 0, crashed.describe())
        self.admin.set_cluster_status("db-a", "modifying")
        _, _, close = w.slot("db-a", self.now + DAY)
        run = self.once(now=close + 5 * 60)
        self.assertEqual(len(run.named("window-missed", cluster="db-a")), 1, run.describe())
        first = self.assertOpen("missed-window", close + 5 * 60, cluster="db-a")
        run = self.once(now=close + 15 * 60)
        self.assertEqual(run.named("problem-resolved"), [], run.describe())
        p = self.assertOpen("missed-window", close + 15 * 60, cluster="db-a")
        self.assertEqual(p["since"], first["since"])

    # ---- a refused action
    def test_refused_action_stays_while_it_is_refused(self):
        w = window_open_now(self.now)
        recent = agent_snapshot("db-00", w, self.now - DAY)
        other = agent_snapshot("db-00", w, self.now - 100 * DAY, policy_name="staging")
        self.seed(clusters=[{"id": "db-00"}, {"id": "stage-1"}], snapshots=[recent, other])
        self.config([policy(window=w, retention={"max_age": "30d", "min_keep": 0}),
                     policy(name="staging", clusters=["stage-*"], window=w)])
        run = self.once()
        self.assertEqual(len(run.named("action-refused", snapshot=other["id"])), 1, run.describe())
        first = self.assertOpen("action-refused", self.now, cluster="db-00", snapshot=other["id"])
        for k in (1, 2):  # the refusal is reported once; the problem stays
            run = self.once(now=self.now + 600 * k)
            self.assertEqual(run.named("action-refused", snapshot=other["id"]), [], run.describe())
            p = self.assertOpen("action-refused", self.now + 600 * k, snapshot=other["id"])
            self.assertEqual((p["since"], p["count"]), (first["since"], k + 1), p)
        # A person sorts it out (the snapshot is deleted by hand): no longer refused, cleared.
        self.rds().delete_db_cluster_snapshot(DBClusterSnapshotIdentifier=other["id"])
        run = self.once(now=self.now + 1800)
        self.assertCleared("action-refused", run, self.now + 1800)

    # ---- an AWS Backup point that cannot be deleted
    def test_undeletable_backup_point_stays_until_it_is_gone(self):
        w = window_open_now(self.now)
        seeded = self.seed(clusters=[{"id": "db-k"}],
                           snapshots=[{"cluster": "db-k", "origin": "awsbackup", "created": self.now - d * DAY,
                                       "vault": "Default"} for d in (1, 40)])
        old = [s for s in seeded["snapshots"] if s.startswith("awsbackup:")][1]
        self.admin.expire_trap(old)
        p = policy(clusters=["db-k"], window=w, retention={"daily": 30, "min_keep": 1})
        p["aws_backup"] = {"manage": True, "max_age": "35d"}
        self.config([p])
        run = self.once(expect=1)
        self.assertEqual([e.snapshot for e in run.named("backup-delete-expired")], [old], run.describe())
        first = self.assertOpen("backup-undeletable", self.now, snapshot=old, action="delete-backup",
                                error_code="RecoveryPointExpired")
        for k in (1, 2):  # not retried every cycle, and still there: the problem stays
            self.once(now=self.now + 600 * k)
            q = self.assertOpen("backup-undeletable", self.now + 600 * k, snapshot=old)
            self.assertEqual(q["since"], first["since"])
        self.assertEqual(len(self.requests("DeleteRecoveryPoint")), 1)
        # Someone with the permission deletes the point: cleared.
        self.admin.expire_trap(old, enabled=False)
        [point] = [rp for rp in self.admin.recovery_points() if rp["SnapshotId"] == old]
        self.client("backup").delete_recovery_point(BackupVaultName=point["BackupVaultName"],
                                                    RecoveryPointArn=point["RecoveryPointArn"])
        self.assertNotIn(old, self.snapshots("db-k"))
        run = self.once(now=self.now + 1800)
        self.assertCleared("backup-undeletable", run, self.now + 1800)

    # ---- history
    def test_history_shows_failed_and_refused_rows(self):
        w = window_open_now(self.now)
        other = agent_snapshot("db-a", w, self.now - 100 * DAY, policy_name="staging")
        self.seed(clusters=[{"id": "db-a"}, {"id": "stage-1"}], snapshots=[other])
        self.config([policy(window=w, retention={"max_age": "30d", "min_keep": 0}),
                     policy(name="staging", clusters=["stage-*"], window=w)])
        self.admin.add_faults({"kind": "500", "service": "rds", "action": "CreateDBClusterSnapshot",
                               "probability": 1})
        self.once(expect=None)
        hist = json.loads(self.ctl("history", "--json").stdout)
        failed = [r for r in hist["ledger"] if (r["kind"], r["state"], r["policy"]) == ("create", "failed", "prod")]
        self.assertEqual([(r["cluster"], r["error_code"]) for r in failed], [("db-a", "InternalFailure")], hist)
        refused = [p for p in hist["problems"] if p["kind"] == "action-refused"]
        self.assertEqual([p["snapshot"] for p in refused], [other["id"]], hist["problems"])
        text = self.ctl("history").stdout
        self.assertRegex(text, r"(?m)^  \S+ +create +failed +prod +db-a ", text)
        self.assertRegex(text, r"(?m)^    error: InternalFailure: ", text)
        self.assertRegex(text, rf"(?m)^  action-refused policy prod cluster db-a {re.escape(other['id'])} ", text)


def _iso(t):
    import datetime
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


if __name__ == "__main__":
    main()
