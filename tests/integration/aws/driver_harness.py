"""What the aws-driver tests share (test_aws.py, test_aws_bounds.py, backup_fake.py): loopback HTTP
servers for the stand-ins they put in front of the driver, the driver's environment and the facts it
prints, the list of results they report, and their main. Needs only Python's standard library."""

import http.server
import os
import socket
import sys
import threading
import time
import traceback

SKIP = 77
DRIVER = os.environ.get("AWS_DRIVER")


class Handler(http.server.BaseHTTPRequestHandler):
    """Keep-alive as the driver's libcurl uses it, and quiet: a test's output is its results."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # no 40 ms delayed-ACK stalls on keep-alive

    def log_message(self, *a):
        pass


class LoopbackServer(http.server.ThreadingHTTPServer):
    """`handler` on a free port of `host` (a loopback address), served from a daemon thread from
    construction on; shutdown() stops it."""

    daemon_threads = True

    def __init__(self, handler, host="127.0.0.1"):
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        super().__init__((host, 0), handler)
        self.port = self.server_address[1]
        self.url = f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"
        threading.Thread(target=self.serve_forever, daemon=True).start()


def driver_env(home, endpoint):
    """The driver's environment: `home` for HOME and the (absent) AWS config files, no instance
    metadata, the endpoint for every service, and the sanitizers' options when a sanitizer build
    runs the tests. The caller adds the credentials and the proxy settings its tests need."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": home,
        "AWS_CONFIG_FILE": os.path.join(home, "none-config"),
        "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, "none-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_REGION": "us-east-1",
    }
    for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
        if k in os.environ:
            env[k] = os.environ[k]
    return env


def facts(text):
    """The driver's "key=value" tokens, the first of each key."""
    out = {}
    for line in text.splitlines():
        for tok in line.split(" "):
            if "=" in tok:
                k, v = tok.split("=", 1)
                out.setdefault(k, v)
    return out


class Results:
    """Tests as decorated functions, run at once in the order they are written; report() prints them
    and returns the exit status."""

    def __init__(self):
        self.rows = []

    def test(self, name):
        def wrap(fn):
            t0 = time.monotonic()
            try:
                fn()
                self.rows.append((name, "ok", f"({time.monotonic() - t0:.1f}s)"))
            except Exception:
                self.rows.append((name, "FAIL", traceback.format_exc()))
            return fn
        return wrap

    def report(self):
        failed = 0
        for name, status, detail in self.rows:
            print(f"{status:4} {name} {detail if status != 'FAIL' else ''}")
            if status == "FAIL":
                failed += 1
                print(detail)
        print(f"{len(self.rows)} tests, {failed} failed")
        return 1 if failed else 0


def driver_main(tests):
    """A test file's main: skipped without the driver; else tests(results, started) writes and runs its
    tests, handing each server it starts to started() (which returns it) to have it stopped once they have
    run, last started first. Exits with the report's status, or with what tests() returns instead (SKIP)."""
    if not DRIVER or not os.path.exists(DRIVER):
        print("SKIP: AWS_DRIVER not set (run through meson test)")
        sys.exit(SKIP)
    results = Results()
    servers = []

    def started(server):
        servers.append(server)
        return server

    try:
        status = tests(results, started)
    finally:
        for server in reversed(servers):
            server.stop()
    sys.exit(results.report() if status is None else status)
