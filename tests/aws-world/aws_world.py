"""Python API of the local AWS world: World (in-process or as a serve.py subprocess) and
WorldAdmin, a client of the /_world/ admin endpoints.  See README.md.

    with World() as w:                      # or World(subprocess=True, auth=True)
        rds = boto3.client("rds", endpoint_url=w.url, region_name="us-east-1", ...)
        w.admin.seed(clusters=[{"id": "c1"}])
"""

import json
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


class WorldAdminError(Exception):
    def __init__(self, status, message):
        super().__init__(f"{status}: {message}")
        self.status = status


class WorldAdmin:
    """JSON client of http://127.0.0.1:PORT/_world/ (never signed)."""

    def __init__(self, url):
        self.url = url.rstrip("/")

    def call(self, name, body=None, method=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"{self.url}/_world/{name}", data=data,
                                     method=method or ("POST" if body is not None else "GET"),
                                     headers={"Content-Type": "application/json"})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(req, timeout=60) as resp:
                return json.loads(resp.read() or b"{}")
        except urllib.error.HTTPError as e:
            try:
                message = json.loads(e.read()).get("error", e.reason)
            except ValueError:
                message = e.reason
            raise WorldAdminError(e.code, message) from None

    def health(self):
        return self.call("health")

    def reset(self):
        return self.call("reset", {})

    def seed(self, clusters=(), snapshots=(), region="us-east-1", awsbackup_snapshot_type=None):
        body = {"region": region, "clusters": list(clusters), "snapshots": list(snapshots)}
        if awsbackup_snapshot_type:
            body["awsbackup_snapshot_type"] = awsbackup_snapshot_type
        return self.call("seed", body)

    def backdate(self, snapshot, created=None, age_days=None, age_seconds=None,
                 region="us-east-1"):
        body = {"snapshot": snapshot, "region": region}
        if created is not None:
            body["created"] = created
        if age_days is not None:
            body["age_days"] = age_days
        if age_seconds is not None:
            body["age_seconds"] = age_seconds
        return self.call("backdate", body)

    def set_cluster_status(self, cluster, status, region="us-east-1"):
        return self.call("set-cluster-status", {"cluster": cluster, "status": status,
                                                "region": region})

    def set_snapshot_status(self, snapshot, status, region="us-east-1"):
        return self.call("set-snapshot-status", {"snapshot": snapshot, "status": status,
                                                 "region": region})

    def set_export_status(self, task, status, region="us-east-1", percent=None):
        """An export task's status (and PercentProgress) as DescribeExportTasks shows it (moto completes
        tasks at once)."""
        body = {"task": task, "status": status, "region": region}
        if percent is not None:
            body["percent"] = percent
        return self.call("set-export-status", body)

    def quota(self, limit=None):
        return self.call("quota", {} if limit is None else {"limit": limit})

    def vault_lock(self, vault, min_retention_days=None, max_retention_days=None, unlock=False,
                   region="us-east-1"):
        body = {"vault": vault, "region": region}
        if unlock:
            body["unlock"] = True
        else:
            body["min_retention_days"] = min_retention_days
            body["max_retention_days"] = max_retention_days
        return self.call("vault-lock", body)

    def expire_trap(self, recovery_point, enabled=True):
        key = "recovery_point_arn" if recovery_point.startswith("arn:") else "snapshot"
        return self.call("expire-trap", {key: recovery_point, "enabled": enabled})

    def recovery_points(self):
        return self.call("recovery-points")["recovery_points"]

    def add_faults(self, *faults):
        return self.call("faults", {"faults": list(faults)})["faults"]

    def faults(self):
        return self.call("faults")["faults"]

    def clear_faults(self):
        return self.call("faults/clear", {})

    def requests(self):
        return self.call("requests")["requests"]

    def clear_requests(self):
        return self.call("requests/clear", {})

    def set_auth(self, enabled):
        return self.call("auth", {"enabled": bool(enabled)})

    def credentials(self, user=None):
        return self.call("credentials", {"user": user} if user else {})


class World:
    """One local AWS world on 127.0.0.1.

    In-process (default): moto's backends are reachable directly (world.app, world.rds(region));
    one per process, because moto's state is process-wide.  subprocess=True runs serve.py, so any
    number can run at once.
    """

    _inprocess_lock = threading.Lock()
    _inprocess_active = None

    def __init__(self, port=0, auth=False, subprocess=False):
        self.port = port
        self.auth = auth
        self.use_subprocess = subprocess
        self.url = None
        self.admin = None
        self.app = None
        self._server = None
        self._proc = None

    def start(self):
        if self.use_subprocess:
            self._start_subprocess()
        else:
            self._start_inprocess()
        self.admin = WorldAdmin(self.url)
        return self

    def _start_inprocess(self):
        with World._inprocess_lock:
            if World._inprocess_active is not None:
                raise RuntimeError("one in-process world per process (moto's state is global); "
                                   "use World(subprocess=True) for more")
            World._inprocess_active = self
        try:
            if HERE not in sys.path:
                sys.path.insert(0, HERE)
            from world_server import WorldApp, WorldServer

            self.app = WorldApp(auth=self.auth)
            self.app.reset()
            self._server = WorldServer(self.app, self.port)
            self._server.start()
            self.url = self._server.url
        except BaseException:
            World._inprocess_active = None
            raise

    def _start_subprocess(self):
        cmd = [sys.executable, os.path.join(HERE, "serve.py"), "--port", str(self.port)]
        if self.auth:
            cmd.append("--auth")
        self._proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        line = self._proc.stdout.readline().strip()
        if not line.startswith("READY "):
            self._proc.kill()
            self._proc.wait()
            raise RuntimeError(f"serve.py did not start (said {line!r})")
        self.url = line.split(" ", 1)[1]

    def rds(self, region="us-east-1"):
        """moto's RDS backend (in-process worlds only)."""
        if self.app is None:
            raise RuntimeError("backends are reachable only in an in-process world")
        from moto.rds.models import rds_backends
        from moto.core import DEFAULT_ACCOUNT_ID

        return rds_backends[DEFAULT_ACCOUNT_ID][region]

    def stop(self):
        if self._server is not None:
            self._server.stop()
            self._server = None
            with World._inprocess_lock:
                World._inprocess_active = None
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc.stdout.close()
            self._proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
