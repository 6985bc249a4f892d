#!/usr/bin/env python3
"""bench/reconcile: the daemon at fleet scale over simulated minutes, in the local AWS world.

N clusters x M daily snapshots of the agent's, one 60-minute window that opened a minute ago (slots spread
over its first half hour), the daemon for --minutes of its own clock, which runs --rate times faster than
real time (AURORA_BACKUP_TEST_CLOCK_RATE: needs a build with -Dtest_hooks=true). Reports, from the
world's request log:
  - the AWS calls: those of full inventories (region-wide Describes) and the rest, per snapshot taken,
    and an estimate per day for the fleet (24 full inventories at agent.inventory_interval = 1h, plus the
    calls per snapshot for N daily snapshots);
  - slot to request: from each slot's start (on the agent's clock, mapped to real time) to its
    CreateDBClusterSnapshot request, p50/p95/max in real seconds;
  - with --delay-ms, every request delayed that long: the longest silence between WATCHDOG=1 pings
    (the daemon runs with WATCHDOG_USEC=--watchdog-sec and a NOTIFY_SOCKET read here);
  - SIGTERM at the end: the time until the daemon exits.

    python3 bench/reconcile/run.py build/agent/aurora-backup-agent 1000 20 --minutes 10 --rate 20
"""

import datetime
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from bench_world import REGION, SRC, agent_env, fleet_arguments, world  # noqa: E402
FULL = ("DescribeDBClusters", "DescribeDBClusterSnapshots", "DescribeAccountAttributes", "DescribeExportTasks", "GetMetricData")


def is_full(r):
    p = r.get("params") or {}
    return r["action"] in FULL and not any(p.get(k) for k in ("DBClusterIdentifier", "DBClusterSnapshotIdentifier",
                                                              "ExportTaskIdentifier"))


def percentile(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))] if xs else float("nan")


class NotifyListener(threading.Thread):
    """The daemon's NOTIFY_SOCKET: records when each WATCHDOG=1 (and READY=1) arrives."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.settimeout(0.5)
        self.pings, self.ready = [], None
        self.stop = False

    def run(self):
        while not self.stop:
            try:
                msg = self.sock.recv(4096).decode(errors="replace")
            except socket.timeout:
                continue
            now = time.monotonic()
            if "WATCHDOG=1" in msg.split("\n"):
                self.pings.append(now)
            if "READY=1" in msg.split("\n") and self.ready is None:
                self.ready = now


def main():
    ap = fleet_arguments()
    ap.add_argument("--minutes", type=float, default=10, help="agent-clock minutes to run the daemon")
    ap.add_argument("--rate", type=int, default=20, help="the agent's clock runs this many times faster")
    ap.add_argument("--delay-ms", type=int, default=0, help="delay every AWS request this long")
    ap.add_argument("--watchdog-sec", type=int, default=10)
    ap.add_argument("--term-after", type=float, default=0,
                    help="SIGTERM this many real seconds after the start (e.g. in the first full inventory)")
    args = ap.parse_args()
    sys.path.insert(0, os.path.join(SRC, "tests", "integration", "agent"))
    from agent_harness import fnv1a64  # the slot offsets, as scheduler/slot.c computes them

    n, m = args.clusters, args.snapshots
    now = int(time.time())
    open_at = (now - 60) // 60 * 60
    start_min = (open_at % 86400) // 60
    end_min = (start_min + 60) % 1440
    window = f"{start_min // 60:02d}:{start_min % 60:02d}-{end_min // 60:02d}:{end_min % 60:02d}"
    ids = [f"fleet-{i:05d}" for i in range(n)]
    slot = {c: open_at + (fnv1a64(c) % 30) * 60 for c in ids}

    def stamp(t):
        return datetime.datetime.fromtimestamp(t, datetime.timezone.utc)

    with world() as w:
        w.admin.quota(limit=n * (m + 2) + 1000)
        snaps = []
        for c in ids:
            for k in range(1, m + 1):
                s = slot[c] - k * 86400
                snaps.append({"cluster": c, "origin": "agent", "id": f"aba-{c}-{stamp(s):%Y%m%dt%H%M}",
                              "created": f"{stamp(s + 120):%Y-%m-%dT%H:%M:%SZ}",
                              "tags": {"aurora-backup:policy": "fleet",
                                       "aurora-backup:slot": f"{stamp(s):%Y-%m-%dT%H:%M:%SZ}"}})
        t0 = time.monotonic()
        w.admin.seed(region=REGION, clusters=[{"id": c} for c in ids], snapshots=snaps)
        print(f"seeded {n} clusters x {m} snapshots in {time.monotonic() - t0:.1f} s")
        if args.delay_ms:
            w.admin.add_faults({"kind": "delay", "probability": 1.0, "delay_ms": args.delay_ms})

        d = tempfile.mkdtemp(prefix="bench-reconcile-")
        cfg = os.path.join(d, "agent.conf")
        with open(cfg, "w") as f:
            f.write(f'agent: {{ region = "{REGION}"; state_directory = "{d}/state"; snapshot_prefix = "aba"; }};\n'
                    'policies = ( { name = "fleet"; clusters = [ "fleet-*" ];\n'
                    f'  schedule = {{ every = "daily"; window = "{window}"; }};\n'
                    f'  retention = {{ daily = {m + 5}; }}; quota = {{ reserve = 5; }}; }} );\n')
        notify = NotifyListener(os.path.join(d, "notify"))
        notify.start()
        env = agent_env(w, AURORA_BACKUP_TEST_NOW=str(now), AURORA_BACKUP_TEST_CLOCK_RATE=str(args.rate),
                        NOTIFY_SOCKET=os.path.join(d, "notify"), WATCHDOG_USEC=str(args.watchdog_sec * 1000000))
        w.admin.clear_requests()
        log = os.path.join(d, "daemon.log")
        real0 = time.time()
        real0_mono = time.monotonic()
        with open(log, "w") as errf:
            proc = subprocess.Popen([args.agent, "--config", cfg], env=env, stdout=subprocess.DEVNULL, stderr=errf)
        run_real = args.term_after or args.minutes * 60 / args.rate
        time.sleep(run_real)
        calls_before_term = len(w.admin.requests())
        # SIGTERM in whatever the daemon is doing.
        t_term = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        stop_sec = time.monotonic() - t_term
        notify.stop = True

        reqs = w.admin.requests()
        full = [r for r in reqs if is_full(r)]
        rest = [r for r in reqs if not is_full(r)]
        creates = [r for r in reqs if r["action"] == "CreateDBClusterSnapshot" and r["status"] == 200]
        taken = len(creates)
        full_inventories = len([r for r in full if r["action"] == "DescribeDBClusters" and
                                not (r.get("params") or {}).get("Marker")])
        per_inventory = len(full) / max(full_inventories, 1)
        per_snapshot = len(rest) / taken if taken else float("nan")
        print(f"daemon: {args.minutes:g} agent minutes at {args.rate}x ({run_real:.1f} s real), exit status "
              f"{proc.returncode}")
        print(f"AWS calls: {len(reqs)} = {len(full)} in {full_inventories} full inventories "
              f"({per_inventory:.0f} each) + {len(rest)} targeted and actions; {taken} snapshots taken")
        print(f"calls per snapshot taken (beyond full inventories): {per_snapshot:.2f}")
        print(f"budget (one full inventory + 4 per snapshot taken): {per_inventory + 4 * taken:.0f}; "
              f"used {len(reqs)}: {'within' if len(reqs) <= per_inventory + 4 * taken else 'OVER'}")
        print(f"estimate per day for {n} clusters (daily snapshots, inventory_interval 1h): "
              f"{24 * per_inventory + n * per_snapshot:.0f} calls")
        lat = []
        for r in creates:
            c = (r.get("params") or {}).get("DBClusterIdentifier")
            if c in slot and slot[c] > now:  # (slots that started before the daemon did are not measured)
                lat.append(r["time"] - (real0 + (slot[c] - now) / args.rate))
        if lat:
            print(f"slot start to CreateDBClusterSnapshot (real seconds): p50 {percentile(lat, 0.5):.2f}, "
                  f"p95 {percentile(lat, 0.95):.2f}, max {max(lat):.2f} over {len(lat)} slots")
            # Where the time goes: from the slot's start to the targeted look at its cluster (the wake-up),
            # and from that look to the create (the look, the plan, the intent).
            wake, work = [], []
            for r in creates:
                c = (r.get("params") or {}).get("DBClusterIdentifier")
                if c not in slot or slot[c] <= now:
                    continue
                start = real0 + (slot[c] - now) / args.rate
                looks = [q["time"] for q in reqs if q["action"] == "DescribeDBClusters" and
                         (q.get("params") or {}).get("DBClusterIdentifier") == c and start - 1 <= q["time"] <= r["time"]]
                if looks:
                    wake.append(looks[0] - start)
                    work.append(r["time"] - looks[0])
            if wake:
                print(f"  of which slot start to its targeted look: p50 {percentile(wake, 0.5):.2f}, p95 "
                      f"{percentile(wake, 0.95):.2f}; look to create: p50 {percentile(work, 0.5):.2f}, p95 "
                      f"{percentile(work, 0.95):.2f}")
        pings = notify.pings
        if len(pings) >= 2:
            gaps = [b - a for a, b in zip(pings, pings[1:])]
            gaps.append(t_term - pings[-1])
            at = (pings + [t_term])[gaps.index(max(gaps))] - real0_mono
            print(f"watchdog: {len(pings)} WATCHDOG=1, longest silence {max(gaps):.1f} s from {at:.1f} s after the "
                  f"start (WatchdogSec {args.watchdog_sec} s: half is {args.watchdog_sec / 2:.1f} s)")
        else:
            print(f"watchdog: {len(pings)} WATCHDOG=1 pings")
        print(f"SIGTERM to exit: {stop_sec:.2f} s ({len(reqs) - calls_before_term} AWS calls sent after it)")
        if args.term_after:
            with open(log) as f:
                unsettled = [ln for ln in f if "event=action-unconfirmed" in ln]
            print(f"calls abandoned at the stop (left to the ledger's recovery): {len(unsettled)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
