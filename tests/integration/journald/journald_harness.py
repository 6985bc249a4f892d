"""A private systemd-journald for integration tests, reusable by any suite.

journald runs in its own mount namespace (unshare -m --propagation private) with a fresh tmpfs on
/run, so its sockets and runtime journal never touch the host's /run/systemd or journal. Commands that
must log to it run inside that namespace (nsenter -t PID -m); its journal files are bind-mounted from
a temporary directory, so journalctl -D reads them from outside. Everything is torn down on exit.

    from journald_harness import private_journal, unavailable_reason, SKIP

    reason = unavailable_reason()
    if reason:
        print("SKIP:", reason); sys.exit(SKIP)
    with private_journal() as journal:
        journal.run([agent, "--once"], journal_stream=True)   # stderr is the journal stream
        entries = journal.entries(AURORA_CLUSTER="db-a")       # parsed `journalctl -o json`
"""

import contextlib
import json
import os
import shutil
import socket
import subprocess
import tempfile

SKIP = 77
JOURNALD_CANDIDATES = ("/usr/lib/systemd/systemd-journald", "/lib/systemd/systemd-journald")
READY_TIMEOUT_SEC = 30

# Volatile storage only, nothing forwarded anywhere, no kernel log or audit: the private journal sees
# exactly what the test sends. The drop-in lives in the namespace's own /run.
JOURNALD_CONF = """[Journal]
Storage=volatile
RuntimeMaxUse=16M
ReadKMsg=no
ForwardToSyslog=no
ForwardToKMsg=no
ForwardToConsole=no
ForwardToWall=no
RateLimitBurst=0
"""

SETUP_SCRIPT = r"""
set -e
mount -t tmpfs -o mode=0755,size=32m tmpfs /run
mkdir -p /run/systemd/journald.conf.d /run/log/journal
mount --bind "$HARNESS_JOURNAL_DIR" /run/log/journal
cat "$HARNESS_CONF" > /run/systemd/journald.conf.d/zz-aurora-test-harness.conf
exec "$HARNESS_JOURNALD"
"""

# Run "$@" with stderr and stdout connected to the journal (systemd-cat) and $JOURNAL_STREAM naming
# that stream, as systemd does for a service with StandardError=journal.
STREAM_WRAPPER = r'JOURNAL_STREAM=$(stat -L -c %d:%i /proc/self/fd/2) && export JOURNAL_STREAM && exec "$@"'


def find_journald():
    for path in JOURNALD_CANDIDATES:
        if os.access(path, os.X_OK):
            return path
    return None


def unavailable_reason():
    """Why a private journald cannot run here, or None if it can."""
    if os.geteuid() != 0:
        return "needs root to mount a private /run for systemd-journald"
    if find_journald() is None:
        return "systemd-journald is not installed"
    for tool in ("unshare", "nsenter", "journalctl", "systemd-cat", "stat"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    probe = subprocess.run(["unshare", "-m", "--propagation", "private", "--",
                            "mount", "-t", "tmpfs", "tmpfs", "/run"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if probe.returncode != 0:
        return "cannot create a mount namespace here: " + probe.stderr.strip()
    return None


class PrivateJournal:
    """A running private journald: run commands next to it and read what it stored."""

    def __init__(self, pid, journal_dir, tmp):
        self.pid = pid
        self.journal_dir = journal_dir
        self.tmp = tmp

    def command(self, argv, journal_stream=False, identifier="aurora-test"):
        """The argv that runs `argv` in the journal's namespace (for subprocess.Popen of daemons)."""
        # nsenter would start in the namespace's root directory: keep ours, so relative paths work.
        cmd = ["nsenter", "-t", str(self.pid), "-m", f"--wd={os.getcwd()}", "--"]
        if journal_stream:
            cmd += ["systemd-cat", "-t", identifier, "--", "sh", "-c", STREAM_WRAPPER, "sh"]
        return cmd + [str(a) for a in argv]

    def run(self, argv, journal_stream=False, identifier="aurora-test", **kwargs):
        """subprocess.run inside the namespace, where /run/systemd/journal/socket is this journald's.
        With journal_stream=True, stdout and stderr go to the journal as a service's would."""
        return subprocess.run(self.command(argv, journal_stream, identifier), **kwargs)

    def popen(self, argv, journal_stream=False, identifier="aurora-test", **kwargs):
        return subprocess.Popen(self.command(argv, journal_stream, identifier), **kwargs)

    def sync(self):
        """Make journald write out everything it received so far."""
        subprocess.run(self.command(["journalctl", "--sync"]), check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def entries(self, *matches, **fields):
        """Parsed `journalctl -o json` entries, oldest first, optionally filtered by FIELD=value
        matches (keyword arguments, or strings such as "MESSAGE_ID=...")."""
        self.sync()
        args = ["journalctl", "-D", self.journal_dir, "-o", "json", "--no-pager", "--all"]
        args += list(matches) + [f"{k}={v}" for k, v in fields.items()]
        out = subprocess.run(args, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        return [decode_entry(json.loads(line)) for line in out.stdout.splitlines() if line.strip()]


def decode_entry(entry):
    """journalctl writes non-UTF-8 or binary-framed values as byte arrays; make them strings."""
    out = {}
    for key, value in entry.items():
        if isinstance(value, list) and all(isinstance(b, int) for b in value):
            value = bytes(value).decode("utf-8", "replace")
        out[key] = value
    return out


def _wait_ready(sock, proc):
    sock.settimeout(READY_TIMEOUT_SEC)
    while True:
        try:
            data = sock.recv(4096).decode("utf-8", "replace")
        except socket.timeout:
            raise RuntimeError(f"systemd-journald sent no READY=1 within {READY_TIMEOUT_SEC}s") from None
        if "READY=1" in data.split("\n"):
            return
        if proc.poll() is not None:
            raise RuntimeError(f"systemd-journald exited with status {proc.returncode}")


@contextlib.contextmanager
def private_journal():
    """Start a private journald, yield a PrivateJournal, and always tear it all down."""
    journald = find_journald()
    tmp = tempfile.mkdtemp(prefix="aba-journald-")
    proc = None
    sock = None
    log = None
    try:
        journal_dir = os.path.join(tmp, "journal")
        os.mkdir(journal_dir)
        conf = os.path.join(tmp, "journald.conf")
        with open(conf, "w") as f:
            f.write(JOURNALD_CONF)
        notify = os.path.join(tmp, "notify")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(notify)
        env = dict(os.environ, NOTIFY_SOCKET=notify, HARNESS_JOURNAL_DIR=journal_dir,
                   HARNESS_CONF=conf, HARNESS_JOURNALD=journald)
        env.pop("JOURNAL_STREAM", None)
        log = open(os.path.join(tmp, "journald.log"), "w+")
        proc = subprocess.Popen(["unshare", "-m", "--propagation", "private", "--",
                                 "sh", "-c", SETUP_SCRIPT],
                                env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        try:
            _wait_ready(sock, proc)
        except RuntimeError:
            log.seek(0)
            raise RuntimeError("private journald did not start:\n" + log.read()) from None
        yield PrivateJournal(proc.pid, journal_dir, tmp)
    finally:
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if sock is not None:
            sock.close()
        if log is not None:
            log.close()
        shutil.rmtree(tmp, ignore_errors=True)
