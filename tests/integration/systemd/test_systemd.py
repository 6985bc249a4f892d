#!/usr/bin/env python3
"""The agent's real unit under a real systemd (issue 8).

Boots this machine's systemd as PID 1 of fresh namespaces (./sandbox, from ../shared/systemd-sandbox),
installs systemd/aurora-backup-agent.service changed only by a drop-in (ExecStart= the built binary,
Environment= the local AWS world on 127.0.0.1), and checks, in order: start through READY=1 under
DynamicUser and the whole sandbox; the snapshot in an open window and state.db under StateDirectory=;
a valid reload; a broken reload; the journal's MESSAGE_IDs and AURORA_* fields; a clean stop; a
watchdog restart. Exits 77 where the sandbox cannot boot (not root, no unshare, no systemd).

The sandbox shares the host's network namespace (unshare without --net), so the world listening on the
host's 127.0.0.1 is the agent's 127.0.0.1 too. /etc is a private overlay (boot.sh): the agent's
/etc/aurora-backup holds this test's agent.conf and credentials.env, never the host's.

Usage: test_systemd.py --agent BIN --ctl BIN --event-ids BIN --unit FILE --workdir DIR [--sanitized]
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
SANDBOX = os.path.join(HERE, "sandbox")
UNIT = "aurora-backup-agent.service"
SKIP = 77
SYSTEMD = "/lib/systemd/systemd"
# Upper bounds, never asserted as durations: most waits end within a second, but an agent that acts only
# on its reconcile timer (1m here, the shortest allowed) may take that long to show a change.
WAIT_SEC = 150
CLUSTER = "sd-db1"   # selected by the first config
CLUSTER2 = "sd-db2"  # selected only after the valid reload ("sd-*")
CLUSTER3 = "sd-db3"  # appears after the broken reload; only the (kept) reloaded config selects it
POLICY = "sd"
OWNER_TAG = ("aurora-backup:managed-by", "aurora-backup-agent")
ACCESS_KEY = "AKIASANDBOXTEST00001"
SECRET_KEY = "sandbox-secret-key-never-logged-0123456789"
REGION = "us-east-1"
# systemd's own MESSAGE_IDs (sd-messages.h) for "main process exited" and "deactivated successfully".
SD_MESSAGE_UNIT_PROCESS_EXIT = "98e322203f7a4ed290d09fe03c09fe15"
SD_MESSAGE_UNIT_SUCCESS = "7ad2d189f7e94e70a38c781354912448"


class Failed(Exception):
    pass


def skip_reason():
    if os.geteuid() != 0:
        return "needs root to boot a systemd sandbox"
    if not os.access(SYSTEMD, os.X_OK):
        return f"{SYSTEMD} is not installed"
    for tool in ("unshare", "nsenter", "systemctl", "journalctl", "setsid", "pgrep", "mountpoint"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    for h in ("systemd", "unified", "pids", "devices"):
        if not os.path.isdir(f"/sys/fs/cgroup/{h}"):
            return f"/sys/fs/cgroup/{h} is missing (the sandbox needs the hybrid cgroup layout)"
    p = subprocess.run(["unshare", "--pid", "--fork", "--mount", "true"], capture_output=True, text=True)
    if p.returncode != 0:
        return "unshare fails: " + p.stderr.strip()
    p = subprocess.run(["unshare", "--mount", "sh", "-c",
                        "d=$(mktemp -d) && mkdir $d/u $d/w && "
                        "mount -t overlay overlay -o lowerdir=/etc,upperdir=$d/u,workdir=$d/w /etc; "
                        "r=$?; umount /etc 2>/dev/null; rm -rf $d; exit $r"], capture_output=True, text=True)
    if p.returncode != 0:
        return "cannot mount an overlay on /etc (the sandbox's private /etc): " + p.stderr.strip()
    try:
        import boto3  # noqa: F401
        import moto  # noqa: F401
    except ImportError as e:
        return f"the local AWS world needs moto and boto3: {e}"
    return None


def window_around(now):
    """A daily window of 60 minutes containing `now`, whose first half (where the slot starts) is past.

    The slot starts at the window start plus a per-cluster offset within the first half of the window,
    so a window that began 35 minutes ago has every cluster's slot open now, 25 minutes before it ends.
    """
    start = (now - timedelta(minutes=35)).replace(second=0, microsecond=0)
    end = start + timedelta(minutes=60)
    return f"{start:%H:%M}-{end:%H:%M}"


def config_text(window, clusters, retention_daily):
    return f"""# aurora-backup-agent test configuration (tests/integration/systemd/test_systemd.py)
agent: {{
  region = "{REGION}";
  snapshot_prefix = "aba";
  reconcile_interval = "1m";
}};
policies = (
  {{
    name = "{POLICY}";
    clusters = [ {", ".join('"%s"' % c for c in clusters)} ];
    schedule = {{ every = "daily"; window = "{window}"; }};
    retention = {{ daily = {retention_daily}; min_keep = 1; }};
  }}
);
"""


# Not valid: "daily" must be a number; the error names the file, the line and the setting.
BROKEN_CONFIG = f"""agent: {{ region = "{REGION}"; }};
policies = (
  {{ name = "{POLICY}"; clusters = [ "sd-*" ];
    retention = {{ daily = "seven"; }};
  }}
);
"""


class Sandbox:
    """The booted sandbox. Teardown is done by a reaper in its own session that runs stop.sh once this
    process closes the reaper's stdin, or dies: meson's timeout SIGKILLs the test's process group half a
    second after SIGTERM, too soon to stop a manager, and the reaper is outside that group."""

    def __init__(self, workdir):
        self.w = workdir
        self.pid = None
        self.reaper = None

    def boot(self):
        with open(os.path.join(self.w, "reaper.log"), "w") as log:
            self.reaper = subprocess.Popen(
                ["sh", "-c", 'cat >/dev/null; exec "$0" "$1"', os.path.join(SANDBOX, "stop.sh"), self.w],
                stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        p = subprocess.run([os.path.join(SANDBOX, "start.sh"), self.w], capture_output=True, text=True,
                           timeout=120)
        fields = p.stdout.split()
        if p.returncode != 0 or len(fields) != 2 or fields[1] not in ("running", "degraded"):
            raise Failed(f"sandbox did not boot: {p.stdout.strip()!r} {p.stderr.strip()!r}\n"
                         + self.file("unshare.log") + self.file("console.log"))
        self.pid = fields[0]

    def teardown(self):
        if self.reaper is None:
            return
        self.reaper.stdin.close()
        self.reaper.wait(timeout=120)
        self.reaper = None
        print("# teardown:", self.file("reaper.log").split("\n", 1)[-1].strip().replace("\n", "; "))

    def file(self, name):
        try:
            with open(os.path.join(self.w, name)) as f:
                return f"--- {name}:\n{f.read()}"
        except OSError:
            return ""

    def run(self, *cmd, check=True, input=None):
        p = subprocess.run(["timeout", "30", "nsenter", "-t", self.pid, "-a", *cmd], capture_output=True,
                           text=True, input=input)
        if check and p.returncode != 0:
            raise Failed(f"{' '.join(cmd)}: exit {p.returncode}: {p.stdout.strip()} {p.stderr.strip()}")
        return p

    def write(self, path, text, mode):
        self.run("sh", "-c", f'umask 077 && cat > "$1.new" && chmod {mode:o} "$1.new" && mv "$1.new" "$1"',
                 "sh", path, input=text)

    def show(self, prop):
        return self.run("systemctl", "show", "-P", prop, UNIT).stdout.strip()

    def journal(self, after=None):
        """The unit's journal entries (the agent's and the manager's about it), parsed, oldest first."""
        cmd = ["journalctl", "-u", UNIT, "-o", "json", "--no-pager"]
        if after:
            cmd += ["--after-cursor", after]
        out = self.run(*cmd, check=False).stdout
        return [json.loads(line) for line in out.splitlines() if line.startswith("{")]

    def cursor(self):
        entries = self.journal()
        return entries[-1]["__CURSOR"] if entries else None


def field(entry, name):
    v = entry.get(name)
    if isinstance(v, list):  # journald gives repeated fields as a list; ours are never repeated
        return v[-1]
    return v


def wait_for(what, predicate, timeout=WAIT_SEC):
    """Poll `predicate` until it returns something true; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        v = predicate()
        if v:
            return v
        if time.monotonic() > deadline:
            raise Failed(f"gave up waiting for {what}")
        time.sleep(0.2)


class Test:
    def __init__(self, args, world, sandbox, event_ids):
        self.world = world
        self.sb = sandbox
        self.ids = event_ids  # name -> MESSAGE_ID
        self.n = 0
        import boto3
        self.rds = boto3.client("rds", endpoint_url=world.url, region_name=REGION,
                                aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)

    def ok(self, text):
        self.n += 1
        print(f"ok {self.n} - {text}", flush=True)

    def events(self, name, after=None, pid=None):
        """The agent's events of kind `name` (by MESSAGE_ID), optionally after a cursor / from one PID."""
        return [e for e in self.sb.journal(after) if field(e, "MESSAGE_ID") == self.ids[name]
                and (pid is None or field(e, "_PID") == str(pid))]

    def notifications(self, pid, after=None):
        """What the manager logged receiving on the notify socket from `pid` (it runs at debug level)."""
        # "aurora-backup-agent.service: Got notification message from PID 72 (READY=1, STATUS=...)"
        tag = f"Got notification message from PID {pid} ("
        return [m for m in (str(field(e, "MESSAGE") or "") for e in self.sb.journal(after)) if tag in m]

    def agent_snapshots(self, cluster):
        out = []
        for page in self.rds.get_paginator("describe_db_cluster_snapshots").paginate(
                DBClusterIdentifier=cluster, SnapshotType="manual"):
            for s in page["DBClusterSnapshots"]:
                tags = {t["Key"]: t["Value"] for t in s.get("TagList", [])}
                if tags.get(OWNER_TAG[0]) == OWNER_TAG[1]:
                    out.append(s)
        return out

    def main_pid(self):
        pid = self.sb.show("MainPID")
        if pid in ("", "0"):
            raise Failed(f"{UNIT} has no main process")
        return pid

    def proc_status(self, pid):
        st = {}
        for line in self.sb.run("cat", f"/proc/{pid}/status").stdout.splitlines():
            k, _, v = line.partition(":")
            st[k] = v.strip()
        return st

    # ---- the checks, in the order of the issue ----

    def start(self):
        pid_before = self.sb.show("MainPID")
        self.sb.run("systemctl", "start", UNIT)
        if self.sb.show("ActiveState") != "active" or self.sb.show("SubState") != "running":
            raise Failed(f"after start: {self.sb.show('ActiveState')}/{self.sb.show('SubState')}")
        if self.sb.show("Type") != "notify":
            raise Failed("the unit is not Type=notify")
        pid = self.main_pid()
        if pid == pid_before:
            raise Failed("no new main process")
        # systemctl start returned only after the manager saw READY=1 (Type=notify); prove it was READY=1
        # from the main process, as NotifyAccess=main requires.
        if not any("READY=1" in m for m in self.notifications(pid)):
            raise Failed(f"no READY=1 from PID {pid}: {self.notifications(pid)}")
        self.ok("systemctl start: active (running) through READY=1 from the main process")

        st = self.proc_status(pid)
        uid = st["Uid"].split()
        if self.sb.show("DynamicUser") != "yes" or uid[0] == "0" or len(set(uid)) != 1:
            raise Failed(f"not a dynamic user: DynamicUser={self.sb.show('DynamicUser')} Uid={st['Uid']}")
        if st.get("NoNewPrivs") != "1" or st.get("Seccomp") != "2" or int(st.get("CapEff", "1"), 16) != 0 \
                or int(st.get("CapBnd", "1"), 16) != 0:
            raise Failed(f"sandbox not applied: {st}")
        for prop, want in (("ProtectSystem", "strict"), ("ProtectHome", "yes"), ("PrivateTmp", "yes"),
                           ("PrivateDevices", "yes"), ("ProtectProc", "invisible"), ("UMask", "0077"),
                           ("StateDirectory", "aurora-backup"), ("ConfigurationDirectory", "aurora-backup"),
                           ("LimitCORE", "0")):
            if self.sb.show(prop) != want:
                raise Failed(f"{prop}={self.sb.show(prop)}, the shipped unit says {want}")
        self.ok(f"runs as dynamic user {uid[0]} with NoNewPrivs, seccomp filter, no capabilities, "
                "ProtectSystem=strict and the rest of the unit's sandbox")
        # PR_SET_DUMPABLE 0: the kernel then shows the process's /proc files as root's, not its user's.
        owner = self.sb.run("stat", "-c", "%u", f"/proc/{pid}/status").stdout.strip()
        if owner != "0":
            raise Failed(f"/proc/{pid}/status is owned by {owner}, not root: the agent is dumpable")
        self.ok("no core dumps: LimitCORE=0, and the agent made itself non-dumpable (/proc/PID owned by root)")
        self.uid = uid[0]
        return pid

    def snapshot_and_state(self, pid):
        snaps = wait_for(f"an agent snapshot of {CLUSTER}",
                         lambda: [s for s in self.agent_snapshots(CLUSTER) if s["Status"] == "available"])
        if len(snaps) != 1:
            raise Failed(f"expected one agent snapshot of {CLUSTER}, found {[s['DBClusterSnapshotIdentifier'] for s in snaps]}")
        snap = snaps[0]["DBClusterSnapshotIdentifier"]
        self.ok(f"the agent took {snap} in the open window, tagged {OWNER_TAG[0]}={OWNER_TAG[1]}")

        created = wait_for("the snapshot-created event",
                           lambda: [e for e in self.events("snapshot-created", pid=pid)
                                    if field(e, "AURORA_SNAPSHOT") == snap])
        e = created[0]
        for k, want in (("AURORA_CLUSTER", CLUSTER), ("AURORA_POLICY", POLICY), ("AURORA_EVENT", "snapshot-created")):
            if field(e, k) != want:
                raise Failed(f"snapshot-created: {k}={field(e, k)!r}, want {want!r}: {e}")
        self.ok(f"journal: snapshot-created MESSAGE_ID={self.ids['snapshot-created']} "
                f"AURORA_CLUSTER={CLUSTER} AURORA_POLICY={POLICY} AURORA_SNAPSHOT={snap}")

        # StateDirectory= with DynamicUser=yes: /var/lib/private/aurora-backup, a symlink beside it.
        link = self.sb.run("readlink", "/var/lib/aurora-backup").stdout.strip()
        if link != "private/aurora-backup":
            raise Failed(f"/var/lib/aurora-backup -> {link!r}")
        owner = self.sb.run("stat", "-c", "%u %a %F", "/var/lib/private/aurora-backup/state.db",
                            "/var/lib/private/aurora-backup").stdout.split("\n")
        db, d = owner[0].split(" ", 2), owner[1].split(" ", 2)
        if db[0] != self.uid or d[0] != self.uid or db[2] != "regular file" or d[1] != "700" or db[1] != "600":
            raise Failed(f"state.db {db}, directory {d}, agent uid {self.uid}")
        self.ok(f"state.db is in /var/lib/private/aurora-backup (mode 0700), owned by the dynamic user, "
                "mode 0600 (UMask=0077)")

        # The ledger in that state.db records the create: read it the way an operator would.
        p = self.sb.run("/run/work/aurora-backupctl", "--config", "/etc/aurora-backup/agent.conf",
                        "--state-dir", "/var/lib/aurora-backup", "--json", "history", "--cluster", CLUSTER)
        ledger = json.loads(p.stdout)["ledger"]
        if not any(row.get("snapshot") == snap and row.get("kind") == "create" for row in ledger):
            raise Failed(f"no create of {snap} in the ledger: {ledger}")
        self.ok("aurora-backupctl history reads the create of that snapshot from the StateDirectory's ledger")
        return snap

    def reload_valid(self, pid, window):
        cur = self.sb.cursor()
        self.sb.write("/etc/aurora-backup/agent.conf", config_text(window, ["sd-*"], 14), 0o644)
        self.sb.run("systemctl", "reload", UNIT)
        ev = wait_for("config-reloaded", lambda: self.events("config-reloaded", after=cur, pid=pid))
        # READY=1 after RELOADING=1 (STATUS= updates of the next cycle may follow it).
        wait_for("RELOADING=1 then READY=1",
                 lambda: (lambda n: any("RELOADING=1" in m for m in n) and any(
                     "READY=1" in m for m in n[[i for i, m in enumerate(n) if "RELOADING=1" in m][0] + 1:]))(
                     self.notifications(pid, cur)))
        if self.sb.show("ActiveState") != "active" or self.main_pid() != pid:
            raise Failed(f"after reload: {self.sb.show('ActiveState')}, MainPID {self.sb.show('MainPID')} (was {pid})")
        self.ok(f"systemctl reload with a valid new config: config-reloaded (MESSAGE_ID="
                f"{field(ev[0], 'MESSAGE_ID')}), RELOADING=1 then READY=1, same PID {pid}")
        # Only the new config selects sd-db2: a snapshot of it shows the new config in force.
        snaps = wait_for(f"an agent snapshot of {CLUSTER2} (selected only by the reloaded config)",
                         lambda: [s for s in self.agent_snapshots(CLUSTER2) if s["Status"] == "available"])
        self.ok(f"the reloaded config is in force: the agent snapshotted {CLUSTER2} "
                f"({snaps[0]['DBClusterSnapshotIdentifier']})")

    def reload_broken(self, pid):
        cur = self.sb.cursor()
        self.sb.write("/etc/aurora-backup/agent.conf", BROKEN_CONFIG, 0o644)
        self.sb.run("systemctl", "reload", UNIT)
        ev = wait_for("config-rejected", lambda: self.events("config-rejected", after=cur, pid=pid))
        wait_for("READY=1 after the rejected reload",
                 lambda: (lambda n: n and "READY=1" in n[-1])(self.notifications(pid, cur)))
        if self.sb.show("ActiveState") != "active" or self.main_pid() != pid:
            raise Failed(f"after a broken reload: {self.sb.show('ActiveState')}, MainPID {self.sb.show('MainPID')}")
        text = " ".join(str(field(e, k) or "") for e in ev for k in ("MESSAGE", "AURORA_REASON"))
        if "agent.conf:4" not in text or "daily" not in text:
            raise Failed(f"config-rejected does not say where and why (file:line and setting): {text!r}")
        self.ok(f"reload with a broken config: still active, same PID, config-rejected says {text.strip()[:120]!r}")

        # The old config stays in force: a cluster that appears now and that only the kept config
        # ("sd-*") selects still gets its snapshot; the rejected file selects nothing at all.
        self.world.admin.seed(clusters=[{"id": CLUSTER3}], region=REGION)
        snaps = wait_for(f"an agent snapshot of {CLUSTER3} under the kept config",
                         lambda: [s for s in self.agent_snapshots(CLUSTER3) if s["Status"] == "available"])
        if self.main_pid() != pid:
            raise Failed("the agent restarted meanwhile")
        self.ok(f"the previous config stays in force: {CLUSTER3}, new since the rejected reload, got "
                f"{snaps[0]['DBClusterSnapshotIdentifier']} from the same PID")

    def journal_fields(self, pid):
        entries = [e for e in self.sb.journal() if field(e, "AURORA_EVENT")]
        if not entries:
            raise Failed("no agent events in the journal")
        for e in entries:
            name, mid = field(e, "AURORA_EVENT"), field(e, "MESSAGE_ID")
            if self.ids.get(name) != mid:
                raise Failed(f"event {name} has MESSAGE_ID {mid}, the agent's table says {self.ids.get(name)}")
            if field(e, "_SYSTEMD_UNIT") != UNIT:
                raise Failed(f"event {name} not attributed to {UNIT}: {field(e, '_SYSTEMD_UNIT')}")
        seen = {field(e, "AURORA_EVENT") for e in entries}
        for need in ("snapshot-created", "config-reloaded", "config-rejected", "cycle-summary"):
            if need not in seen:
                raise Failed(f"no {need} event in the journal (seen: {sorted(seen)})")
        leaked = [e for e in self.sb.journal() if SECRET_KEY in json.dumps(e)]
        if leaked:
            raise Failed(f"the secret access key appears in the journal: {leaked[0]}")
        self.ok(f"journalctl -u {UNIT} -o json: {len(entries)} events ({', '.join(sorted(seen))}), each with "
                "the MESSAGE_ID of its kind, AURORA_* fields, no secret")

    def stop(self, pid):
        cur = self.sb.cursor()
        self.sb.run("systemctl", "stop", UNIT)
        if self.sb.show("ActiveState") != "inactive":
            raise Failed(f"after stop: {self.sb.show('ActiveState')}")
        # The stopped unit is garbage-collected, so `systemctl show` forgets how it ended; the manager's
        # structured log does not: EXIT_CODE=exited (not killed by a signal), EXIT_STATUS=0, then success.
        log = self.sb.journal(cur)
        exits = [e for e in log if field(e, "MESSAGE_ID") == SD_MESSAGE_UNIT_PROCESS_EXIT
                 and "Main process exited" in str(field(e, "MESSAGE"))]
        if [(field(e, "EXIT_CODE"), field(e, "EXIT_STATUS")) for e in exits] != [("exited", "0")]:
            raise Failed(f"the agent did not exit with status 0: {[field(e, 'MESSAGE') for e in exits]}")
        if not any(field(e, "MESSAGE_ID") == SD_MESSAGE_UNIT_SUCCESS for e in log):
            raise Failed(f"the unit did not deactivate successfully: {[field(e, 'MESSAGE') for e in log]}")
        if not any("STOPPING=1" in m for m in self.notifications(pid, cur)):
            raise Failed(f"no STOPPING=1 from PID {pid}: {self.notifications(pid, cur)}")
        self.ok("systemctl stop: STOPPING=1, the agent exited with status 0, the unit deactivated successfully")

    def watchdog(self, window):
        # The file on disk is still the broken one: put the valid config back before starting again.
        self.sb.write("/etc/aurora-backup/agent.conf", config_text(window, ["sd-*"], 14), 0o644)
        # A short WatchdogSec= and a quick restart, in a second drop-in (the shipped LimitCORE=0 keeps the
        # watchdog's SIGABRT from dumping core).
        self.sb.run("sh", "-c", "cat > /run/work/units/aurora-backup-agent.service.d/60-watchdog.conf",
                    input="[Service]\nWatchdogSec=3s\nRestartSec=1s\n")
        self.sb.run("systemctl", "daemon-reload")
        restarts = int(self.sb.show("NRestarts"))
        self.sb.run("systemctl", "start", UNIT)
        pid = self.main_pid()
        if self.sb.show("WatchdogUSec") != "3s":
            raise Failed(f"WatchdogUSec={self.sb.show('WatchdogUSec')}")
        wait_for("two WATCHDOG=1 pings", lambda: sum("WATCHDOG=1" in m for m in self.notifications(pid)) >= 2)
        self.ok(f"with WatchdogSec=3s the agent (PID {pid}) sends WATCHDOG=1")
        cur = self.sb.cursor()
        self.sb.run("kill", "-STOP", pid)
        wait_for("a watchdog restart",
                 lambda: int(self.sb.show("NRestarts")) > restarts and self.sb.show("ActiveState") == "active"
                 and self.sb.show("MainPID") not in ("0", pid))
        log = [field(e, "MESSAGE") for e in self.sb.journal(cur)]
        if not any("Watchdog timeout" in str(m) for m in log):
            raise Failed(f"restarted, but not by the watchdog: {log}")
        new = self.main_pid()
        self.ok(f"kill -STOP stalls the loop: watchdog timeout, restarted as PID {new} "
                f"(NRestarts {restarts} -> {self.sb.show('NRestarts')})")
        # The restarted agent runs a cycle and, with the slot already taken, creates nothing new.
        wait_for("a cycle of the restarted agent", lambda: self.events("cycle-summary", after=cur, pid=new))
        for c in (CLUSTER, CLUSTER2, CLUSTER3):
            n = len(self.agent_snapshots(c))
            if n != 1:
                raise Failed(f"{c} has {n} agent snapshots after the restarts; one slot, one snapshot")
        self.ok("after the restart: still one snapshot per cluster for this slot")
        self.sb.run("systemctl", "stop", UNIT)

    def slow_world(self):
        """Every RDS answer 2.5 s late, WatchdogSec=3s still in force: a full inventory takes several
        watchdog periods, the loop keeps pinging, and systemctl stop in the middle of it is quick."""
        self.world.admin.add_faults({"kind": "delay", "service": "rds", "delay_ms": 2500, "probability": 1.0})
        restarts = int(self.sb.show("NRestarts"))
        cur = self.sb.cursor()
        self.sb.run("systemctl", "start", UNIT)
        pid = self.main_pid()
        # A full inventory is at least four RDS calls in a row (clusters, quota, snapshots, then the
        # targeted looks): over 10 s of answers 2.5 s late, with a 3 s watchdog.
        wait_for("a cycle under a slow world", lambda: self.events("cycle-summary", after=cur, pid=pid), timeout=120)
        log = [str(field(e, "MESSAGE")) for e in self.sb.journal(cur)]
        if any("Watchdog timeout" in m for m in log) or int(self.sb.show("NRestarts")) != restarts:
            raise Failed(f"the watchdog fired while AWS was slow: {log[-20:]}")
        pings = sum("WATCHDOG=1" in m for m in self.notifications(pid, cur))
        if pings < 4:
            raise Failed(f"only {pings} WATCHDOG=1 pings during a cycle of slow calls")
        self.ok(f"every RDS answer 2.5 s late, WatchdogSec=3s: a cycle completed, {pings} WATCHDOG=1 pings, "
                "no watchdog timeout")
        # Stop in the middle of the next full inventory: a reload brings one at once.
        self.world.admin.clear_requests()
        self.sb.run("systemctl", "reload", UNIT)
        wait_for("an RDS request of the reloaded agent", lambda: self.world.admin.requests())
        time.sleep(0.5)
        started = time.monotonic()
        self.sb.run("systemctl", "stop", UNIT)
        took = time.monotonic() - started
        if took >= 5.0 or self.sb.show("ActiveState") != "inactive":
            raise Failed(f"systemctl stop during slow calls took {took:.1f} s ({self.sb.show('ActiveState')})")
        exits = [(field(e, "EXIT_CODE"), field(e, "EXIT_STATUS")) for e in self.sb.journal(cur)
                 if field(e, "MESSAGE_ID") == SD_MESSAGE_UNIT_PROCESS_EXIT and "Main process exited" in
                 str(field(e, "MESSAGE"))]
        if exits[-1:] != [("exited", "0")]:
            raise Failed(f"the agent did not exit with status 0 when stopped mid-inventory: {exits}")
        self.world.admin.clear_faults()
        time.sleep(3.0)  # the world answers the call that was in flight: nothing new may follow it
        after = [r["action"] for r in self.world.admin.requests()]
        if len(after) > 2:
            raise Failed(f"calls went out after SIGTERM: {after}")
        self.ok(f"systemctl stop in the middle of a slow inventory: exited 0 in {took:.1f} s")


def under_private_dir(path):
    real = os.path.realpath(path)
    return any(real == bad or real.startswith(bad + "/") for bad in ("/tmp", "/var/tmp", "/run"))


def prepare_workdir(args, world_url):
    w = os.path.abspath(args.workdir)
    if under_private_dir(w):
        # A checkout under /tmp (the sandbox's manager gets a private /tmp): work from a directory of
        # our own outside it instead; everything the sandbox needs is copied into the workdir anyway.
        w = os.path.join("/var/cache", f"aurora-backup-sandbox.{os.getpid()}")
        args.workdir_is_ours = True
        print(f"# the build directory is under a directory the sandbox makes private; working in {w}",
              flush=True)
    if under_private_dir(w):
        raise Failed(f"workdir {w} is under /tmp, /var/tmp or /run: the sandbox's manager gets private ones")
    if os.path.exists(w):
        shutil.rmtree(w)
    os.makedirs(w)
    shutil.copytree(os.path.join(SANDBOX, "units"), os.path.join(w, "units"))
    shutil.copy(args.unit, os.path.join(w, "units", UNIT))
    shutil.copy(args.agent, os.path.join(w, "agent"))
    shutil.copy(args.ctl, os.path.join(w, "aurora-backupctl"))
    dropin = os.path.join(w, "units", UNIT + ".d")
    os.makedirs(dropin)
    # The only change to the shipped unit: the binary under test, and where AWS is.
    with open(os.path.join(dropin, "50-test.conf"), "w") as f:
        f.write("[Service]\n"
                "ExecStart=\n"
                "ExecStart=/run/work/agent --config /etc/aurora-backup/agent.conf\n"
                f"Environment=AWS_ENDPOINT_URL={world_url}\n"
                f"Environment=AWS_REGION={REGION}\n")
        if args.sanitized:
            # LeakSanitizer's exit-time scan needs ptrace, which the unit's seccomp filter refuses (it
            # would fail every clean exit); ASan and UBSan errors still end the agent with a failure.
            f.write("Environment=ASAN_OPTIONS=detect_leaks=0:abort_on_error=0\n"
                    "Environment=UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1\n")
    return w


def main():
    ap = argparse.ArgumentParser()
    for a in ("--agent", "--ctl", "--event-ids", "--unit", "--workdir"):
        ap.add_argument(a, required=True)
    ap.add_argument("--sanitized", action="store_true", help="the binaries are built with ASan/UBSan")
    args = ap.parse_args()

    reason = skip_reason()
    if reason:
        print("SKIP:", reason)
        return SKIP

    # meson's timeout sends SIGTERM: turn it into an exception so that the sandbox is torn down.
    def on_signal(sig, _frame):
        raise Failed(f"killed by signal {sig}")
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    sys.path.insert(0, os.path.join(os.environ.get("ABA_SOURCE_ROOT", os.path.join(HERE, "..", "..", "..")),
                                    "tests", "aws-world"))
    from aws_world import World

    ids = dict(line.split() for line in subprocess.run([args.event_ids], check=True, capture_output=True,
                                                       text=True).stdout.splitlines())
    world = World(subprocess=True)
    sandbox = None
    rc = 1
    try:
        world.start()
        now = datetime.now(timezone.utc)
        window = window_around(now)
        world.admin.seed(clusters=[{"id": CLUSTER}, {"id": CLUSTER2}], region=REGION)
        print(f"# world {world.url}, window {window} (now {now:%H:%M:%S}Z)", flush=True)

        sandbox = Sandbox(prepare_workdir(args, world.url))
        sandbox.boot()
        print(f"# sandbox manager PID {sandbox.pid}", flush=True)
        # The manager logs each notify message it receives at debug level: that is how the test sees
        # READY=1, RELOADING=1, STOPPING=1 and WATCHDOG=1.
        sandbox.run("systemctl", "log-level", "debug")
        sandbox.run("mkdir", "-p", "/etc/aurora-backup")
        sandbox.write("/etc/aurora-backup/credentials.env",
                      f"AWS_ACCESS_KEY_ID={ACCESS_KEY}\nAWS_SECRET_ACCESS_KEY={SECRET_KEY}\n", 0o600)
        sandbox.write("/etc/aurora-backup/agent.conf", config_text(window, [CLUSTER], 7), 0o644)

        t = Test(args, world, sandbox, ids)
        pid = t.start()
        t.snapshot_and_state(pid)
        t.reload_valid(pid, window)
        t.reload_broken(pid)
        t.journal_fields(pid)
        t.stop(pid)
        t.watchdog(window)
        t.slow_world()
        print(f"1..{t.n}")
        rc = 0
    except Failed as e:
        print(f"not ok - {e}", flush=True)
        if sandbox and sandbox.pid:
            for cmd in (["systemctl", "status", "--no-pager", "-l", "-n", "0", UNIT],
                        ["journalctl", "--no-pager", "-o", "short-precise", "-u", UNIT, "-n", "80", "-p", "info"]):
                p = sandbox.run(*cmd, check=False)
                print(f"--- {' '.join(cmd)}:\n{p.stdout}{p.stderr}")
            print(sandbox.file("console.log"))
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if sandbox:
            sandbox.teardown()
        world.stop()
        if getattr(args, "workdir_is_ours", False) and sandbox and sandbox.reaper is None:
            shutil.rmtree(sandbox.w, ignore_errors=True)  # the sandbox is down: nothing uses it now
    return rc


if __name__ == "__main__":
    sys.exit(main())
