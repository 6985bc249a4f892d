#!/usr/bin/env python3
"""bench/cycle: one `aurora-backup-agent --once` cycle over N clusters x M snapshots in the local AWS world.

Reports the AWS calls the agent made (from the world's request log) against what they must be (the
Describe pages plus the actions), the wall time, the agent's peak RSS, and, with --idle SECONDS, the
daemon's CPU time and wake-ups (context switches) over that long with nothing due.

    meson compile -C build bench-cycle            # N=1000, M=20, idle 60 s
    python3 bench/cycle/run.py build/agent/aurora-backup-agent 1000 20 --idle 60
"""

import datetime
import math
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from bench_world import REGION, agent_env, fleet_arguments, world  # noqa: E402


def proc_stats(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
    switches = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                switches += int(line.split()[1])
    return cpu, switches


def main():
    ap = fleet_arguments()
    ap.add_argument("--idle", type=int, default=0, help="also measure the idle daemon for this many seconds")
    ap.add_argument("--peak-rss", help="the peak-rss helper (bench/cycle/peak-rss.c), built by meson",
                    default=os.path.join(os.path.dirname(os.path.abspath(sys.argv[0])), "..", "..", "build", "bench",
                                         "cycle", "peak-rss"))
    args = ap.parse_args()

    n, m = args.clusters, args.snapshots
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    # Windows far from now: the cycle plans no create, so its calls are the pages (and any deletions).
    start = (now + datetime.timedelta(hours=6)).strftime("%H:00")
    end = (now + datetime.timedelta(hours=7)).strftime("%H:00")
    with world() as w:
        w.admin.quota(limit=n * m + 1000)
        clusters = [{"id": f"bench-{i:05d}", "backup_window": f"{start}-{end}"} for i in range(n)]
        snaps = []
        for i in range(n):
            for k in range(m):
                created = now - datetime.timedelta(days=k + 1)
                snaps.append({"cluster": f"bench-{i:05d}", "origin": "agent", "id": f"aba-bench-{i:05d}-{k:03d}",
                              "created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
                              "tags": {"aurora-backup:policy": "bench"}})
        t0 = time.monotonic()
        w.admin.seed(region=REGION, clusters=clusters, snapshots=snaps)
        print(f"seeded {n} clusters x {m} snapshots in {time.monotonic() - t0:.1f} s")

        d = tempfile.mkdtemp(prefix="bench-cycle-")
        cfg = os.path.join(d, "agent.conf")
        with open(cfg, "w") as f:
            f.write(f'agent: {{ region = "{REGION}"; state_directory = "{d}/state"; }};\n'
                    'policies = ( { name = "bench"; clusters = [ "bench-*" ];\n'
                    '  schedule = { every = "daily"; window = "cluster"; };\n'
                    f'  retention = {{ keep_last = {m}; }}; quota = {{ limit = 10000; reserve = 5; }}; }} );\n')
        env = agent_env(w)
        w.admin.clear_requests()
        t0 = time.monotonic()
        with tempfile.TemporaryFile("w+") as out:
            proc = subprocess.run([args.peak_rss, args.agent, "--config", cfg, "--once"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=out)
            wall = time.monotonic() - t0
            out.seek(0)
            stderr = out.read()
        rss_lines = [line for line in stderr.splitlines() if line.startswith("peak-rss-kib ")]
        rss_kib = int(rss_lines[-1].split()[1]) if rss_lines else -1
        reqs = w.admin.requests()
        describes = sum(1 for r in reqs if r["action"] and r["action"].startswith("Describe"))
        # The backup storage figures: one GetMetricData per region and 250 selected clusters.
        metrics = sum(1 for r in reqs if r["action"] == "GetMetricData")
        mutating = len(reqs) - describes - metrics
        cluster_pages = math.ceil(n / 100)
        snap_pages = math.ceil(n * m / 100)
        quota_calls = 1  # DescribeAccountAttributes, once per region
        print(f"exit status {proc.returncode}")
        if proc.returncode != 0:
            print(stderr[-2000:])
        print(f"AWS calls: {len(reqs)} (Describe calls {describes}, expected {cluster_pages + snap_pages + quota_calls}; "
              f"GetMetricData {metrics}, expected {math.ceil(n / 250)}; actions {mutating})")
        print(f"wall time: {wall:.2f} s")
        print(f"agent peak RSS: {rss_kib / 1024:.1f} MiB (issue 11 target: <= 24 MiB)")
        # The same binary doing nothing: what its libraries alone cost (loading, relocations, constructors).
        base = subprocess.run([args.peak_rss, args.agent, "--version"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True).stderr
        base_lines = [line for line in base.splitlines() if line.startswith("peak-rss-kib ")]
        if base_lines:
            base_kib = int(base_lines[-1].split()[1])
            print(f"  of which the libraries alone (agent --version): {base_kib / 1024:.1f} MiB")

        if args.idle:
            # The daemon with nothing due: it should sleep on its one timer.
            log = os.path.join(d, "daemon.log")
            with open(log, "w") as errf:
                proc = subprocess.Popen([args.agent, "--config", cfg], env=env, stdout=subprocess.DEVNULL,
                                        stderr=errf)
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:  # until its first cycle is over
                with open(log) as f:
                    if "event=cycle-summary" in f.read():
                        break
                time.sleep(0.5)
            time.sleep(1)
            cpu0, sw0 = proc_stats(proc.pid)
            time.sleep(args.idle)
            cpu1, sw1 = proc_stats(proc.pid)
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
            print(f"idle daemon over {args.idle} s: CPU {cpu1 - cpu0:.3f} s, context switches {sw1 - sw0}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
