#!/usr/bin/env python3
"""Starts the local AWS world (tests/aws-world, else moto with RDS paging), seeds N clusters x M cluster
snapshots straight into its in-process RDS backend, and runs aws-calls-bench (the bench-aws-calls target)
against it with signatures checked off (the benchmark measures the inventory, not moto's IAM)."""

import os
import subprocess
import sys
import time

ACCOUNT = "123456789012"
REGION = "us-east-1"


def main():
    exe = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    m = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    src = os.environ.get("MESON_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))
    os.environ["MOTO_RDS_SNAPSHOT_LIMIT"] = str(10 * n * m + 1000)
    sys.path.insert(0, os.path.join(src, "tests", "aws-world"))
    sys.path.insert(0, os.path.join(src, "tests", "integration", "aws"))
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    try:
        import aws_world

        world = aws_world.World(port=0, auth=False)
        world.start()
        url, stop, kind = world.url.rstrip("/"), world.stop, "aws_world"
    except ImportError:
        import moto_paging
        from moto.server import ThreadedMotoServer

        moto_paging.enable()
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        url, stop, kind = f"http://{host}:{port}", server.stop, "moto"

    from moto.rds.models import rds_backends

    t = time.time()
    b = rds_backends[ACCOUNT][REGION]
    for i in range(n):
        cid = f"bench-{i:05d}"
        b.create_db_cluster({"db_cluster_identifier": cid, "engine": "aurora-postgresql",
                             "master_username": "admin", "master_user_password": "password123"})
        have = sum(1 for s in b.cluster_snapshots.values() if s.cluster.db_cluster_identifier == cid) \
            if i == 0 else 1  # moto adds one automated snapshot per cluster
        for j in range(m - have):
            b.create_db_cluster_snapshot(cid, f"{cid}-s{j:02d}",
                                         tags=[{"Key": "aurora-backup:policy", "Value": "bench"}])
    print(f"world: {kind} at {url}; seeded {n} clusters x {m} snapshots in {time.time() - t:.1f}s")
    env = dict(os.environ, AWS_ENDPOINT_URL=url, AWS_REGION=REGION, AWS_ACCESS_KEY_ID="AKIDBENCH",
               AWS_SECRET_ACCESS_KEY="bench-secret-not-checked", AWS_EC2_METADATA_DISABLED="true",
               AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null", NO_PROXY="127.0.0.1")
    r = subprocess.run([exe, str(n), str(m)], env=env)
    stop()
    return r.returncode


if __name__ == "__main__":
    sys.exit(main())
