"""Harness of the agent's integration tests: the local AWS world, a private journald where one can run,
configs, runs of aurora-backup-agent, its events, its state.db, and the slot arithmetic of the planner.

One in-process world per test process (moto's state is global), reset before every test; each test
has its own temporary state directory and config, so the test processes meson runs in parallel do not
share anything. Events are read from a private journald (`journalctl -o json`) when the machine can
run one, else from the agent's stderr lines (journal_format_line in agent/journal.c);
AGENT_TEST_EVENTS=stderr forces the second way, AGENT_TEST_EVENTS=journal requires the first.
"""

import contextlib
import datetime
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import unittest

SKIP = 77
SRC = os.environ.get("ABA_SOURCE_ROOT",
                     os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
BUILD = os.environ.get("ABA_BUILD_ROOT", os.path.join(SRC, "build"))
# The source tree of the agent under test (its event table and catalog); the same tree under meson.
AGENT_SRC = os.environ.get("AGENT_TEST_SOURCE_ROOT", SRC)
AGENT = os.environ.get("AURORA_BACKUP_AGENT", os.path.join(BUILD, "agent", "aurora-backup-agent"))
CTL = os.environ.get("AURORA_BACKUPCTL", os.path.join(BUILD, "agent", "aurora-backupctl"))
REGION = "us-east-1"
ACCOUNT = "123456789012"
PREFIX = "aba"
IDENTIFIER = "aurora-backup-agent"
RUN_TIMEOUT = 120  # a safety net against a hung agent, not an assertion

# Test keys: recognisable, so that a leak is easy to find in any output.
ACCESS_KEY = "AKIDAGENTTESTKEY0001"
SECRET_KEY = "agent-test-SECRET-0123456789abcdefSECRET"

# Where the tests' export policies send a snapshot (the test creates the bucket).
EXPORT = {"bucket": "exports", "prefix": "aurora/", "iam_role": f"arn:aws:iam::{ACCOUNT}:role/export",
          "kms_key": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"}

# Calls that change AWS. Anything else the agent sends must be a Describe/List/Get.
READ_PREFIXES = ("Describe", "List", "Get")

# journald PRIORITY -> the level word of the stderr line.
LEVELS = {"0": "error", "1": "error", "2": "error", "3": "error", "4": "warning", "5": "notice",
          "6": "info", "7": "info"}

# The stderr line's field names (journal_format_line) -> the journal's.
STDERR_FIELDS = {"policy": "AURORA_POLICY", "cluster": "AURORA_CLUSTER", "snapshot": "AURORA_SNAPSHOT",
                 "action": "AURORA_ACTION", "reason": "AURORA_REASON", "region": "AURORA_REGION",
                 "target": "AURORA_TARGET", "duration": "AURORA_DURATION_SEC", "code": "AWS_ERROR_CODE",
                 "request-id": "AWS_REQUEST_ID", "event": "AURORA_EVENT"}

sys.path.insert(0, os.path.join(SRC, "tests", "aws-world"))
sys.path.insert(0, os.path.join(SRC, "tests", "integration", "journald"))

# Never let a client here look beyond loopback (instance metadata, config files, proxies).
for _var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID",
             "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy",
             "https_proxy", "ALL_PROXY", "all_proxy", "STATE_DIRECTORY", "NOTIFY_SOCKET",
             "JOURNAL_STREAM", "AURORA_BACKUP_TEST_NOW", "AURORA_BACKUP_TEST_CRASH_AT"):
    os.environ.pop(_var, None)
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1"


def has_test_hooks(binary=None):
    """Whether the agent was built with -Dtest_hooks=true: only then does it know AURORA_BACKUP_TEST_NOW
    (the string is absent from a build without the hooks)."""
    with open(binary or AGENT, "rb") as f:
        return b"AURORA_BACKUP_TEST_NOW" in f.read()


def skip_unless_world():
    """Exit 77 (meson: skipped) where the world cannot run, or the agent lacks the test hooks that every
    test here needs (a fixed clock, crash points)."""
    try:
        import boto3  # noqa: F401
        import moto  # noqa: F401
    except ImportError as e:
        print(f"SKIP: moto/boto3 not importable: {e}")
        sys.exit(SKIP)
    if not os.access(AGENT, os.X_OK):
        print(f"FAIL: no agent binary at {AGENT}")
        sys.exit(1)
    if not has_test_hooks():
        print(f"SKIP: {AGENT} was built without the test hooks (meson configure BUILDDIR -Dtest_hooks=true)")
        sys.exit(SKIP)


# ---------------------------------------------------------------- time and slots (scheduler/slot.c)


def fnv1a64(s):
    h = 14695981039346656037
    for b in s.encode():
        h ^= b
        h = (h * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h


def iso(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def hhmm(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%H:%M")


def minute_floor(t):
    return int(t) // 60 * 60


class Window:
    """A daily window "hh:mm-hh:mm" (UTC) and its slots, as scheduler/slot.c computes them."""

    def __init__(self, open_at, length_min):
        self.start_min = (minute_floor(open_at) % 86400) // 60
        self.length_min = length_min

    @property
    def text(self):
        end = (self.start_min + self.length_min) % 1440
        return f"{self.start_min // 60:02d}:{self.start_min % 60:02d}-{end // 60:02d}:{end % 60:02d}"

    def open_latest(self, t):
        """Opening time of the latest window that opened at or before t."""
        anchor = self.start_min * 60
        return (t - anchor) // 86400 * 86400 + anchor

    def slot(self, cluster, t):
        """(open, start, close) of the cluster's latest slot at time t."""
        o = self.open_latest(t)
        half = self.length_min // 2
        start = o + (fnv1a64(cluster) % half) * 60 if half else o
        return o, start, o + self.length_min * 60


def snapshot_id(cluster, slot_start, prefix=PREFIX):
    """plan_snapshot_identifier for short, already valid cluster names."""
    stamp = datetime.datetime.fromtimestamp(slot_start, datetime.timezone.utc).strftime("%Y%m%dt%H%M")
    return f"{prefix}-{cluster.lower()}-{stamp}"


def window_open_now(now, length_min=120):
    """A window open at `now` in which every cluster's slot has started: it opened length/2 + 2
    minutes ago, so each slot start (open + at most length/2 - 1 minutes) is at least 3 minutes back,
    and it closes length/2 - 2 minutes from now."""
    return Window(minute_floor(now) - (length_min // 2 + 2) * 60, length_min)


def agent_snapshot(cluster, window, t, policy_name="prod", status=None, **extra_tags):
    """Seed spec of the snapshot the agent would have made in the cluster's latest slot at time t
    (deterministic identifier, ownership tags), created two minutes after the slot start."""
    _, start, _ = window.slot(cluster, t)
    tags = {"aurora-backup:policy": policy_name, "aurora-backup:slot": iso(start)}
    tags.update(extra_tags)
    spec = {"cluster": cluster, "origin": "agent", "id": snapshot_id(cluster, start),
            "created": start + 120, "tags": tags}
    if status:
        spec["status"] = status
    return spec


DAY = 86400


# ---------------------------------------------------------------- configuration


def _value(v, indent):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, (list, tuple)) and any(isinstance(x, dict) for x in v):
        return "( " + ", ".join(_value(x, indent) for x in v) + " )"  # groups go in a list
    if isinstance(v, (list, tuple)):
        return "[ " + ", ".join(_value(x, indent) for x in v) + " ]"
    if isinstance(v, dict):
        pad = "  " * (indent + 1)
        inner = "".join(f"{pad}{k} = {_value(x, indent + 1)};\n" for k, x in v.items())
        return "{\n" + inner + "  " * indent + "}"
    raise TypeError(f"no libconfig form for {v!r}")


def policy(name="prod", clusters=("db-*",), window=None, every="daily", retention=None, **extra):
    """One policy group as a dict; `window` is a Window, a string, or None for "cluster"."""
    p = {"name": name, "clusters": list(clusters),
         "schedule": {"every": every,
                      "window": window.text if isinstance(window, Window) else (window or "cluster")},
         "retention": retention or {"daily": 7, "min_keep": 1}}
    p.update(extra)
    return p


def config_text(state_dir, policies, **agent):
    a = {"region": REGION, "state_directory": state_dir, "snapshot_prefix": PREFIX,
         # A daemon's control socket beside its state, never the host's /run/aurora-backup/control.
         "control_socket": os.path.join(os.path.dirname(state_dir), "control")}
    a.update(agent)
    groups = ",\n  ".join(_value(p, 1) for p in policies)
    return f"agent: {_value(a, 0)};\n\npolicies = (\n  {groups}\n);\n"


# ---------------------------------------------------------------- events


class Event(dict):
    """One event: the journal's fields (AURORA_EVENT, AURORA_CLUSTER, AWS_ERROR_CODE, MESSAGE, ...) and
    LEVEL (error, warning, notice, info)."""

    @property
    def name(self):
        return self.get("AURORA_EVENT")

    @property
    def level(self):
        return self.get("LEVEL")

    def __getattr__(self, key):  # ev.cluster -> AURORA_CLUSTER
        for k in ("AURORA_" + key.upper(), "AWS_" + key.upper()):
            if k in self:
                return self[k]
        return None


_TOKEN = re.compile(r'\s*([A-Za-z0-9_-]+)=("(?:[^"\\]|\\.)*"|[^\s"\]]+)')


def _parse_fields(block):
    """'k=v k="a b"]' -> dict, or None if `block` is not exactly a field list closed by ']'."""
    fields, pos = {}, 0
    while True:
        m = _TOKEN.match(block, pos)
        if not m:
            return fields if block[pos:] == "]" and fields else None
        key, value = m.group(1), m.group(2)
        if value.startswith('"'):
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        fields[key] = value
        pos = m.end()


def parse_stderr_line(line):
    """An event line "level: message [key=value ...]" -> Event, or None for any other line."""
    m = re.match(r"^(error|warning|notice|info): (.*)$", line)
    if not m:
        return None
    level, rest = m.groups()
    ev = Event(LEVEL=level)
    message = rest
    start = 0
    while True:
        i = rest.find(" [", start)
        if i < 0:
            break
        fields = _parse_fields(rest[i + 2:])
        if fields is not None:
            message = rest[:i]
            for k, v in fields.items():
                key = STDERR_FIELDS.get(k) or "AURORA_" + k.upper().replace("-", "_")
                if key == "AURORA_DURATION_SEC":
                    v = v.rstrip("s")
                ev[key] = v
            break
        start = i + 1
    ev["MESSAGE"] = message
    # journal_format_line ends every event line with event=<kind>: a line without it is not an event.
    return ev if "AURORA_EVENT" in ev else None


def journal_entry_event(entry):
    ev = Event(entry)
    ev["LEVEL"] = LEVELS.get(str(entry.get("PRIORITY", "6")), "info")
    return ev


PRIORITIES = {"LOG_ERR": "3", "LOG_WARNING": "4", "LOG_NOTICE": "5", "LOG_INFO": "6"}


def event_table():
    """{name: (MESSAGE_ID, PRIORITY)} as agent/journal.c defines them."""
    with open(os.path.join(AGENT_SRC, "agent", "journal.c")) as f:
        text = f.read()
    table = {}
    for name, mid, prio in re.findall(r'\{"([a-z-]+)",\s*"([0-9a-f]{32})",\s*(LOG_[A-Z]+)\}', text):
        table[name] = (mid, PRIORITIES[prio])
    return table


def catalog_ids():
    with open(os.path.join(AGENT_SRC, "systemd", "aurora-backup-agent.catalog")) as f:
        return set(re.findall(r"^-- ([0-9a-f]{32})\s*$", f.read(), re.M))


# ---------------------------------------------------------------- runs


class Run:
    """What one agent process did: exit status, output, events (oldest first)."""

    def __init__(self, returncode, stdout, stderr, events, output_lines):
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.events = events
        self.output_lines = output_lines  # every line the agent wrote (stderr, or journal MESSAGEs)

    @property
    def output(self):
        """All the agent wrote anywhere, for "is this string there" checks."""
        parts = [self.stdout or "", self.stderr or ""] + self.output_lines
        parts += [json.dumps(e, sort_keys=True) for e in self.events]
        return "\n".join(parts)

    def named(self, name, **fields):
        """Events of one kind whose fields match (field names as Event.__getattr__: cluster=...)."""
        out = []
        for e in self.events:
            if e.name != name:
                continue
            if all(getattr(e, k) == v for k, v in fields.items()):
                out.append(e)
        return out

    def describe(self):
        return (f"exit {self.returncode}\n--- stdout\n{self.stdout}\n--- output\n"
                + "\n".join(self.output_lines) + "\n--- events\n"
                + "\n".join(f"{e.name} {e.get('MESSAGE')} " + json.dumps(
                    {k: v for k, v in e.items() if k.startswith(("AURORA_", "AWS_"))}, sort_keys=True)
                    for e in self.events))


class Journal:
    """Where events are read from: a private journald, or the agent's stderr."""

    def __init__(self, mode):
        self.mode = mode
        self.private = None
        self._stack = contextlib.ExitStack()

    @classmethod
    def open(cls):
        want = os.environ.get("AGENT_TEST_EVENTS", "auto")
        if want not in ("auto", "journal", "stderr"):
            raise SystemExit(f"AGENT_TEST_EVENTS={want}: want auto, journal or stderr")
        if want != "stderr":
            import journald_harness

            reason = journald_harness.unavailable_reason()
            if reason is None:
                j = cls("journal")
                j.private = j._stack.enter_context(journald_harness.private_journal())
                return j
            if want == "journal":
                print(f"SKIP: {reason}")
                sys.exit(SKIP)
        return cls("stderr")

    def close(self):
        self._stack.close()

    def cursor(self):
        if self.mode != "journal":
            return None
        entries = self._read(None)
        return entries[-1]["__CURSOR"] if entries else None

    def _read(self, after):
        self.private.sync()
        args = ["journalctl", "-D", self.private.journal_dir, "-o", "json", "--no-pager", "--all",
                f"SYSLOG_IDENTIFIER={IDENTIFIER}"]
        if after:
            args.append(f"--after-cursor={after}")
        out = subprocess.run(args, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        import journald_harness

        return [journald_harness.decode_entry(json.loads(line))
                for line in out.stdout.splitlines() if line.strip()]

    def collect(self, after, stderr_text):
        """(events, output lines) written since `after`."""
        if self.mode == "journal":
            entries = self._read(after)
            events = [journal_entry_event(e) for e in entries if e.get("AURORA_EVENT")]
            lines = [e.get("MESSAGE", "") for e in entries]
            return events, lines
        lines = (stderr_text or "").splitlines()
        return [e for e in (parse_stderr_line(line) for line in lines) if e is not None], lines

    def command(self, argv):
        if self.mode == "journal":
            return self.private.command(argv, journal_stream=True, identifier=IDENTIFIER)
        return list(argv)


class Notify:
    """A NOTIFY_SOCKET for the daemon: collects sd_notify datagrams in a thread."""

    def __init__(self, directory):
        self.path = os.path.join(directory, "notify")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.messages = []
        self.cond = threading.Condition()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self):
        while True:
            try:
                data = self.sock.recv(65536)
            except OSError:
                return
            with self.cond:
                self.messages.extend(data.decode("utf-8", "replace").split("\n"))
                self.cond.notify_all()

    def wait_for(self, line, after=0, timeout=RUN_TIMEOUT):
        """Index just past the first message equal to `line` (or starting with it when it ends in
        '='), looking from index `after`."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for i in range(after, len(self.messages)):
                    m = self.messages[i]
                    if m == line or (line.endswith("=") and m.startswith(line)):
                        return i + 1
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {line!r} from the daemon; got {self.messages[after:]}")
                self.cond.wait(left)

    def close(self):
        self.sock.close()


class Daemon:
    """aurora-backup-agent without --once, with its own NOTIFY_SOCKET; events collected as they come."""

    def __init__(self, harness, config_path, env):
        self.h = harness
        self.notify = Notify(harness.tmp)
        env = dict(env, NOTIFY_SOCKET=self.notify.path)
        self.cursor = harness.journal.cursor()
        self.stderr_lines = []
        self.proc = subprocess.Popen(harness.journal.command([AGENT, "--config", config_path]),
                                     env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE if harness.journal.mode == "stderr"
                                     else subprocess.STDOUT, text=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        stream = self.proc.stderr if self.proc.stderr else self.proc.stdout
        for line in stream:
            self.stderr_lines.append(line.rstrip("\n"))

    def events(self):
        events, _ = self.h.journal.collect(self.cursor, "\n".join(self.stderr_lines))
        return events

    def output(self):
        """Every line the daemon wrote so far."""
        _, lines = self.h.journal.collect(self.cursor, "\n".join(self.stderr_lines))
        if self.h.journal.mode == "journal":
            lines = self.stderr_lines + lines  # what nsenter/systemd-cat said, if anything
        return "\n".join(lines)

    def wait_event(self, name, count=1, timeout=RUN_TIMEOUT, **fields):
        """The events named `name` once there are at least `count` of them (waiting for the daemon)."""
        deadline = time.monotonic() + timeout
        while True:
            found = Run(None, "", "", self.events(), []).named(name, **fields)
            if len(found) >= count:
                return found
            if self.proc.poll() is not None:
                raise AssertionError(f"daemon exited ({self.proc.returncode}) before {count} {name} "
                                     f"event(s):\n" + self.output())
            if time.monotonic() > deadline:
                raise AssertionError(f"no {count} {name} event(s) from the daemon:\n" + self.output())
            time.sleep(0.2)

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, timeout=RUN_TIMEOUT):
        """SIGTERM, wait, and return the exit status (after checking for sanitizer reports)."""
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            status = self.proc.wait(timeout=timeout)
        finally:
            self._close()
        self.h.assertNoSanitizerReport(self.output())
        return status

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._close()

    def _close(self):
        self._reader.join(timeout=5)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream:
                stream.close()
        self.notify.close()


class AgentTestCase(unittest.TestCase):
    """A world for the whole process (reset before each test) and a fresh state directory per test."""

    world = None
    journal = None
    events_table = None
    catalog = None

    def setUp(self):
        self.admin = self.world.admin
        self.admin.set_auth(False)
        self.admin.reset()
        self._tmp = tempfile.TemporaryDirectory(prefix="aba-agent-test-")
        self.addCleanup(self._tmp.cleanup)
        self.tmp = self._tmp.name
        self.state_dir = os.path.join(self.tmp, "state")
        os.mkdir(self.state_dir)
        self.home = os.path.join(self.tmp, "home")
        os.mkdir(self.home)
        self.config_path = os.path.join(self.tmp, "agent.conf")
        self.now = minute_floor(time.time())
        self.runs = []

    # ---- configuration and environment
    def write_config(self, policies, path=None, **agent):
        path = path or self.config_path
        with open(path, "w") as f:
            f.write(config_text(self.state_dir, policies, **agent))
        return path

    def env(self, now=None, crash_at=None, access_key=ACCESS_KEY, secret_key=SECRET_KEY, **extra):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AURORA_BACKUP_TEST_"))}
        env.update(AWS_ACCESS_KEY_ID=access_key, AWS_SECRET_ACCESS_KEY=secret_key, AWS_REGION=REGION,
                   AWS_ENDPOINT_URL=self.world.url, AWS_EC2_METADATA_DISABLED="true",
                   AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull, HOME=self.home)
        if now is not None:
            env["AURORA_BACKUP_TEST_NOW"] = str(int(now))
        if crash_at:
            env["AURORA_BACKUP_TEST_CRASH_AT"] = crash_at
        env.update(extra)
        return env

    # ---- runs
    def run_agent(self, *args, now=None, crash_at=None, config=None, env=None):
        """One `aurora-backup-agent --config ... ARGS` process to its end; returns a Run."""
        argv = [AGENT, "--config", config or self.config_path] + list(args)
        env = env or self.env(now=self.now if now is None else now, crash_at=crash_at)
        cursor = self.journal.cursor()
        p = subprocess.run(self.journal.command(argv), env=env, stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=RUN_TIMEOUT)
        events, lines = self.journal.collect(cursor, p.stderr)
        run = Run(p.returncode, p.stdout, p.stderr, events, lines)
        self.assertEventsWellFormed(run)
        self.assertNoSanitizerReport(run.output)
        self.runs.append(run)
        return run

    def assertNoSanitizerReport(self, text):
        """Under ASan/UBSan (meson -Db_sanitize=...), a report fails the test even where the exit status
        would not show it (UBSan keeps running)."""
        markers = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")
        reports = [line for line in text.splitlines() if any(m in line for m in markers)]
        self.assertEqual(reports, [], "sanitizer report from the agent")

    def assertEventsWellFormed(self, run):
        """Every event is a known kind with its MESSAGE_ID (explained in the catalog), PRIORITY and
        identifier in the journal; its level on stderr."""
        table = type(self).events_table
        if table is None:
            table = type(self).events_table = event_table()
            type(self).catalog = catalog_ids()
        for e in run.events:
            self.assertIn(e.name, table, f"unknown event {e}\n" + run.describe())
            mid, prio = table[e.name]
            self.assertEqual(e.level, LEVELS[prio], f"level of {e}")
            if self.journal.mode == "journal":
                self.assertEqual(e.get("MESSAGE_ID"), mid, f"MESSAGE_ID of {e}")
                self.assertEqual(str(e.get("PRIORITY")), prio, f"PRIORITY of {e}")
                self.assertEqual(e.get("SYSLOG_IDENTIFIER"), IDENTIFIER, e)
                self.assertIn(mid, type(self).catalog, f"{e.name}: MESSAGE_ID {mid} not in the catalog")

    def once(self, *args, expect=0, **kw):
        run = self.run_agent("--once", *args, **kw)
        if expect is not None:
            self.assertEqual(run.returncode, expect, run.describe())
        return run

    def daemon(self, config=None, env=None):
        d = Daemon(self, config or self.config_path, env or self.env())
        self.addCleanup(d.kill)
        return d

    def started_daemon(self, config=None, env=None):
        """A daemon that has said READY=1 and finished its first cycle."""
        d = self.daemon(config, env)
        d.notify.wait_for("READY=1")
        d.wait_event("cycle-summary", count=1)
        return d

    # ---- the world
    def seed(self, clusters=(), snapshots=()):
        return self.admin.seed(clusters=list(clusters), snapshots=list(snapshots))

    def seed_daily_export(self, cluster):
        """`cluster` with yesterday's snapshot of the agent's, under a config whose policy exports it daily
        to EXPORT's bucket (made in the world); the window is open now."""
        self.client("s3").create_bucket(Bucket=EXPORT["bucket"])
        w = window_open_now(self.now)
        self.seed(clusters=[{"id": cluster}], snapshots=[agent_snapshot(cluster, w, self.now - DAY)])
        self.write_config([policy(clusters=[cluster], window=w, export=dict(EXPORT, every="daily"))])

    def client(self, service, region=REGION, **config):
        """A boto3 client of the world, with keys of the harness's own (not the agent's); `config`:
        botocore.config.Config's settings."""
        import boto3
        import botocore.config

        return boto3.client(service, endpoint_url=self.world.url, region_name=region,
                            aws_access_key_id="AKIDHARNESS", aws_secret_access_key="harness",
                            config=botocore.config.Config(**config) if config else None)

    def rds(self):
        return self.client("rds", retries={"max_attempts": 1})

    def snapshots(self, cluster=None):
        """{identifier: DBClusterSnapshot} in the world (any type)."""
        kw = {"DBClusterIdentifier": cluster} if cluster else {}
        out = {}
        for page in self.rds().get_paginator("describe_db_cluster_snapshots").paginate(**kw):
            for s in page["DBClusterSnapshots"]:
                out[s["DBClusterSnapshotIdentifier"]] = s
        return out

    def tags(self, snapshot):
        return {t["Key"]: t["Value"] for t in snapshot.get("TagList", [])}

    def requests(self, action=None, service=None):
        out = self.admin.requests()
        if action:
            out = [r for r in out if r["action"] == action]
        if service:
            out = [r for r in out if r["service"] == service]
        return out

    def mutating_requests(self):
        return [r for r in self.admin.requests()
                if not (r["action"] or "").startswith(READ_PREFIXES)]

    # ---- state.db
    def db(self):
        path = os.path.join(self.state_dir, "state.db")
        self.assertTrue(os.path.exists(path), f"no {path}")
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        con.row_factory = sqlite3.Row
        self.addCleanup(con.close)
        return con

    def ledger(self, **where):
        sql = "SELECT * FROM ledger"
        if where:
            sql += " WHERE " + " AND ".join(f"{k} = ?" for k in where)
        return [dict(r) for r in self.db().execute(sql + " ORDER BY id", tuple(where.values()))]

    def window_history(self, cluster=None):
        sql, args = "SELECT * FROM window_history", ()
        if cluster:
            sql, args = sql + " WHERE cluster = ?", (cluster,)
        return [dict(r) for r in self.db().execute(sql + " ORDER BY slot_start", args)]

    def assertLedgerComplete(self, run=None):
        open_rows = self.ledger(state="intent")
        self.assertEqual(open_rows, [], "intents left open" + ("\n" + run.describe() if run else ""))

    def assertNoMutatingCalls(self, run=None):
        self.assertEqual(self.mutating_requests(), [],
                         "mutating requests" + ("\n" + run.describe() if run else ""))


def main():
    """Run this file's tests (arguments as unittest's: test names), with one world and one journal."""
    skip_unless_world()
    import logging

    from aws_world import World

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    AgentTestCase.journal = Journal.open()
    prog = None
    try:
        AgentTestCase.world = World(port=0).start()
        print(f"events from: {AgentTestCase.journal.mode}", flush=True)
        prog = unittest.main(module="__main__", verbosity=2, exit=False)
    finally:
        if AgentTestCase.world is not None:
            AgentTestCase.world.stop()
        AgentTestCase.journal.close()
    sys.exit(0 if prog.result.wasSuccessful() else 1)
