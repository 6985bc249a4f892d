#!/usr/bin/env python3
"""The shipped monitoring examples (packaging/monitoring/) load and use only metrics the agent exports.

usage: test_monitoring.py SOURCE_ROOT names     every metric of the rules and the dashboard is exported
                                                 by agent/metrics.c; the dashboard is valid JSON
       test_monitoring.py SOURCE_ROOT promtool  `promtool check rules` (exit 77 without promtool)"""

import json
import os
import re
import shutil
import subprocess
import sys

METRIC = re.compile(r"\baurora_backup_[a-z0-9_]+\b")


def exported(root):
    with open(os.path.join(root, "agent", "metrics.c")) as f:
        names = set(re.findall(r"# HELP (aurora_backup_[a-z0-9_]+) ", f.read()))
    assert "aurora_backup_actions_total" in names, names
    return names


def rule_exprs(path):
    try:
        import yaml
    except ImportError:  # a line-based reading is enough to find the names
        with open(path) as f:
            return [f.read()]
    with open(path) as f:
        doc = yaml.safe_load(f)
    exprs = []
    for g in doc["groups"]:
        assert g["name"] and g["rules"], g
        for r in g["rules"]:
            assert r.get("alert") and r.get("expr") and r.get("labels", {}).get("severity"), r
            exprs.append(str(r["expr"]))
    return exprs


def dashboard_exprs(path):
    with open(path) as f:
        d = json.load(f)
    assert d.get("title") and d.get("uid") and d.get("panels"), "a dashboard with a title, uid and panels"
    exprs, ids = [], set()
    for p in d["panels"]:
        assert p["id"] not in ids, f"panel id {p['id']} twice"
        ids.add(p["id"])
        assert p.get("targets"), f"panel {p['title']} has no query"
        exprs += [t["expr"] for t in p["targets"]]
    return exprs


def main():
    root, mode = sys.argv[1], sys.argv[2]
    mon = os.path.join(root, "packaging", "monitoring")
    rules = os.path.join(mon, "aurora-backup.rules.yml")
    if mode == "promtool":
        promtool = shutil.which("promtool")
        if not promtool:
            print("promtool not installed (Debian package prometheus): skipped")
            return 77
        p = subprocess.run([promtool, "check", "rules", rules], capture_output=True, text=True)
        print(p.stdout, p.stderr)
        return p.returncode
    names = exported(root)
    bad = []
    for what, exprs in (("rules", rule_exprs(rules)),
                        ("dashboard", dashboard_exprs(os.path.join(mon, "aurora-backup-dashboard.json")))):
        used = set()
        for e in exprs:
            used |= set(METRIC.findall(e))
        assert used, f"{what}: no aurora_backup metric used"
        bad += [f"{what}: {n} is not exported by the agent" for n in sorted(used - names)]
    for b in bad:
        print(b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
