#!/usr/bin/env python3
"""The test-only hooks exist only in builds configured with -Dtest_hooks=true (issue 13).

With --expect absent (a build without the option, such as a release or package build): neither program
contains the string AURORA_BACKUP_TEST_NOW, and an agent given AURORA_BACKUP_TEST_NOW records its cycle
at the wall clock's time. With --expect present: the hook moves the cycle's clock, and a malformed value
is refused. A cycle with no policy makes no AWS call, so no AWS world is needed.

Usage: test_hooks.py --expect present|absent
"""
import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time

SRC = os.environ.get("ABA_SOURCE_ROOT", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
BUILD = os.environ.get("ABA_BUILD_ROOT", os.path.join(SRC, "build"))
AGENT = os.environ.get("AURORA_BACKUP_AGENT", os.path.join(BUILD, "agent", "aurora-backup-agent"))
CTL = os.environ.get("AURORA_BACKUPCTL", os.path.join(BUILD, "agent", "aurora-backupctl"))
HOOKS = ("AURORA_BACKUP_TEST_NOW", "AURORA_BACKUP_TEST_CRASH_AT")
FAKE_NOW = 978307200  # 2001-01-01T00:00:00Z


def fail(msg):
    print(f"not ok - {msg}")
    sys.exit(1)


def run_once(tmp, now_value):
    state = tempfile.mkdtemp(dir=tmp)
    conf = os.path.join(state, "agent.conf")
    with open(conf, "w") as f:
        f.write(f'agent: {{ region = "us-east-1"; state_directory = "{state}"; }};\npolicies = ( );\n')
    # Loopback only, and nothing here is ever asked: the cycle has no policy.
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tmp, "AWS_ACCESS_KEY_ID": "AKIDHOOKS",
           "AWS_SECRET_ACCESS_KEY": "hooks", "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
           "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": os.devnull,
           "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "AURORA_BACKUP_TEST_NOW": now_value}
    for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
        if k in os.environ:
            env[k] = os.environ[k]
    p = subprocess.run([AGENT, "--once", "--config", conf], env=env, stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=60)
    started = None
    db = os.path.join(state, "state.db")
    if os.path.exists(db):
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        row = con.execute("SELECT started_at FROM cycles ORDER BY id DESC LIMIT 1").fetchone()
        con.close()
        started = row[0] if row else None
    return p, started


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--expect", choices=("present", "absent"), required=True)
    args = ap.parse_args()

    for binary in (AGENT, CTL):
        with open(binary, "rb") as f:
            data = f.read()
        found = [h for h in HOOKS if h.encode() in data]
        if args.expect == "absent" and found:
            fail(f"{binary} contains {found}: built without -Dtest_hooks, it must not")
    if args.expect == "present" and HOOKS[0].encode() not in open(AGENT, "rb").read():
        fail(f"{AGENT} lacks {HOOKS[0]} although built with -Dtest_hooks=true")
    print(f"ok 1 - the hook names are {args.expect} in the binaries")

    with tempfile.TemporaryDirectory(prefix="aba-hooks-") as tmp:
        before = int(time.time())
        p, started = run_once(tmp, str(FAKE_NOW))
        after = int(time.time())
        if p.returncode != 0 or started is None:
            fail(f"a cycle with no policy: exit {p.returncode}, cycle {started}\n{p.stderr}")
        if args.expect == "present" and started != FAKE_NOW:
            fail(f"with the hooks, the cycle started at {started}, not at AURORA_BACKUP_TEST_NOW={FAKE_NOW}")
        if args.expect == "absent" and not before <= started <= after:
            fail(f"without the hooks, AURORA_BACKUP_TEST_NOW moved the clock: the cycle started at {started}, "
                 f"the wall clock said {before}..{after}")
        print(f"ok 2 - AURORA_BACKUP_TEST_NOW {'sets' if args.expect == 'present' else 'does not change'} "
              "the cycle's clock")

        p, _ = run_once(tmp, "not-a-time")
        if args.expect == "present" and (p.returncode != 2 or HOOKS[0] not in p.stderr):
            fail(f"with the hooks, a malformed AURORA_BACKUP_TEST_NOW must be refused (exit 2): "
                 f"exit {p.returncode}\n{p.stderr}")
        if args.expect == "absent" and (p.returncode != 0 or HOOKS[0] in p.stderr):
            fail(f"without the hooks, AURORA_BACKUP_TEST_NOW must be ignored: exit {p.returncode}\n{p.stderr}")
        print(f"ok 3 - a malformed AURORA_BACKUP_TEST_NOW is {'refused' if args.expect == 'present' else 'ignored'}")
    print("1..3")
    return 0


if __name__ == "__main__":
    sys.exit(main())
