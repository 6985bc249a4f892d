"""The /_world/ admin endpoints (JSON in, JSON out, never signed): seeding, time travel, quota,
vault lock, the EXPIRED trap, faults, the request log and credentials.  See README.md.
"""

import datetime
import json
import secrets
import time

from moto.core import DEFAULT_ACCOUNT_ID
from moto.iam.models import iam_backends
from moto.kms.models import kms_backends
from moto.rds.models import DBCluster, DBClusterSnapshot, rds_backends

import world_rds
from world_time import parse_time, utcnow

ACCOUNT = DEFAULT_ACCOUNT_ID


def aws_managed_rds_key(region):
    """The ARN of the region's AWS-managed RDS key (alias/aws/rds), which moto makes on first use as a
    customer key: KeyManager AWS, as AWS has it. RDS reports snapshots under it by key ARN."""
    kms = kms_backends[ACCOUNT][region]
    key = kms.keys[kms.get_key_id_from_alias("alias/aws/rds")]
    key.key_manager = "AWS"
    return key.arn
AGENT_TAGS = [{"Key": "aurora-backup:managed-by", "Value": "aurora-backup-agent"}]
ADMIN_POLICY = json.dumps({"Version": "2012-10-17",
                           "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


class AdminError(Exception):
    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


def _tags(value):
    """Tags as {"k": "v"} or [{"Key":..,"Value":..}] -> moto's list form."""
    if not value:
        return []
    if isinstance(value, dict):
        return [{"Key": k, "Value": str(v)} for k, v in value.items()]
    return [{"Key": t["Key"], "Value": t.get("Value", "")} for t in value]


def _iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Admin:
    def __init__(self, world):
        self.world = world

    def handle(self, environ):
        path = environ.get("PATH_INFO", "").rstrip("/")
        name = path[len("/_world/"):] if path.startswith("/_world/") else ""
        method = environ.get("REQUEST_METHOD", "GET")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        try:
            body = json.loads(raw) if raw.strip() else {}
            if not isinstance(body, dict):
                raise AdminError("the request body must be a JSON object")
            handler = getattr(self, "do_" + name.replace("-", "_").replace("/", "__"), None)
            if handler is None:
                raise AdminError(f"no admin endpoint /_world/{name}", 404)
            result = handler(method, body)
            status = 200
        except AdminError as e:
            status, result = e.status, {"error": str(e)}
        except (KeyError, ValueError, TypeError) as e:
            status, result = 400, {"error": f"{type(e).__name__}: {e}"}
        except Exception as e:  # a moto model refused the seed: say why, keep serving
            status, result = 400, {"error": f"{type(e).__name__}: {e}"}
        out = json.dumps(result).encode()
        return status, [("Content-Type", "application/json"),
                        ("Content-Length", str(len(out)))], out

    @staticmethod
    def _rds(body):
        return rds_backends[ACCOUNT][body.get("region", "us-east-1")]

    @staticmethod
    def _find(items, key, what):
        """items[key], or a 404 that names `what` as the caller asked for it."""
        found = items.get(key)
        if found is None:
            raise AdminError(f"{what} not found", 404)
        return found

    # -- endpoints -----------------------------------------------------------------------------

    def do_health(self, method, body):
        return {"ok": True, "auth": self.world.auth}

    def do_reset(self, method, body):
        self.world.reset()
        return {"ok": True}

    def do_seed(self, method, body):
        region = body.get("region", "us-east-1")
        rds = rds_backends[ACCOUNT][region]
        if "awsbackup_snapshot_type" in body:
            self.world.backup.snapshot_type = self._snapshot_type(body["awsbackup_snapshot_type"])
        made_clusters = []
        for spec in body.get("clusters", []):
            made_clusters.append(self._seed_cluster(rds, spec).db_cluster_identifier)
        made_snaps, points = [], []
        for spec in body.get("snapshots", []):
            snap, point = self._seed_snapshot(rds, region, spec)
            made_snaps.append(snap.db_cluster_snapshot_identifier)
            if point is not None:
                points.append(point.arn)
        return {"clusters": made_clusters, "snapshots": made_snaps, "recovery_points": points}

    @staticmethod
    def _snapshot_type(value):
        if value not in ("manual", "awsbackup"):
            raise AdminError("awsbackup snapshot type must be 'manual' or 'awsbackup'")
        return value

    def _seed_cluster(self, rds, spec):
        cid = spec["id"]
        if cid in rds.clusters:
            raise AdminError(f"cluster {cid} exists")
        kwargs = {
            "db_cluster_identifier": cid,
            "engine": spec.get("engine", "aurora-postgresql"),
            "master_username": "admin",
            "master_user_password": "world-password-1",
            "preferred_backup_window": spec.get("backup_window", "07:35-08:05"),
            "backup_retention_period": int(spec.get("retention", 1)),
            "storage_encrypted": bool(spec.get("encrypted", False)),
            "tags": _tags(spec.get("tags")),
            "deletion_protection": bool(spec.get("deletion_protection", False)),
        }
        if spec.get("engine_version"):
            kwargs["engine_version"] = spec["engine_version"]
        if spec.get("kms_key_id"):
            kwargs["kms_key_id"] = spec["kms_key_id"]
            kwargs["storage_encrypted"] = True
        elif kwargs["storage_encrypted"]:
            kwargs["kms_key_id"] = aws_managed_rds_key(rds.region_name)
        if spec.get("allocated_storage"):
            kwargs["allocated_storage"] = int(spec["allocated_storage"])
        # Built directly (no CreateDBCluster): seeds are exact, so no implicit automated snapshot.
        cluster = DBCluster(rds, **kwargs)
        cluster._status = spec.get("status", "available")
        if spec.get("created"):
            cluster.created = parse_time(spec["created"])
            cluster.cluster_create_time = cluster.created
        rds.clusters[cid] = cluster
        return cluster

    def _seed_snapshot(self, rds, region, spec):
        origin = spec.get("origin", "manual")
        cluster = rds.clusters.get(spec["cluster"])
        if cluster is None:
            raise AdminError(f"cluster {spec['cluster']} not found")
        created = parse_time(spec["created"]) if spec.get("created") else None
        tags = _tags(spec.get("tags"))
        snap_type = "manual"
        sid = spec.get("id")
        if origin == "agent":
            keys = {t["Key"] for t in tags}
            tags = tags + [t for t in AGENT_TAGS if t["Key"] not in keys]
        elif origin in ("manual", "foreign"):
            pass
        elif origin == "automated":
            snap_type = "automated"
            stamp = (created or utcnow()).strftime("%Y-%m-%d-%H-%M")
            sid = sid or f"rds:{cluster.db_cluster_identifier}-{stamp}"
        elif origin == "awsbackup":
            snap_type = self._snapshot_type(spec.get("type", self.world.backup.snapshot_type))
            sid = sid or f"awsbackup:job-{secrets.token_hex(4)}-{secrets.token_hex(2)}-" \
                         f"{secrets.token_hex(2)}-{secrets.token_hex(2)}-{secrets.token_hex(6)}"
        elif origin == "continuous":
            sid = sid or (f"continuous:cluster-{cluster.db_cluster_identifier}-"
                          f"{secrets.token_hex(4)}")
        else:
            raise AdminError(f"unknown snapshot origin {origin!r}")
        if not sid:
            raise AdminError("a manual snapshot needs an id")
        if "type" in spec and origin not in ("awsbackup",):
            snap_type = spec["type"]
        if sid.lower() in rds.cluster_snapshots:
            raise AdminError(f"snapshot {sid} exists")
        snap = DBClusterSnapshot(rds, cluster, sid, snap_type, tags)
        if created is not None:
            snap.created = created
        if spec.get("status"):
            snap.status = spec["status"]
        rds.cluster_snapshots[snap.db_cluster_snapshot_identifier] = snap
        point = None
        if origin in ("awsbackup", "continuous"):
            point = self.world.backup.add_point(region, spec.get("vault", "Default"), cluster,
                                                snap.db_cluster_snapshot_identifier)
            if spec.get("expire_on_delete"):
                point.expire_on_delete = True
        return snap, point

    def do_backdate(self, method, body):
        sid = body["snapshot"].lower()
        snap = self._find(self._rds(body).cluster_snapshots, sid, f"snapshot {body['snapshot']}")
        if "created" in body:
            snap.created = parse_time(body["created"])
        elif "age_seconds" in body:
            snap.created = utcnow() - datetime.timedelta(
                seconds=float(body["age_seconds"]))
        elif "age_days" in body:
            snap.created = utcnow() - datetime.timedelta(
                days=float(body["age_days"]))
        else:
            raise AdminError("give created, age_seconds or age_days")
        return {"snapshot": sid, "SnapshotCreateTime": _iso(snap.created)}

    def do_set_cluster_status(self, method, body):
        cluster = self._find(self._rds(body).clusters, body["cluster"], f"cluster {body['cluster']}")
        cluster._status = body["status"]
        return {"cluster": cluster.db_cluster_identifier, "status": cluster._status}

    def do_set_snapshot_status(self, method, body):
        snap = self._find(self._rds(body).cluster_snapshots, body["snapshot"].lower(),
                          f"snapshot {body['snapshot']}")
        snap.status = body["status"]
        return {"snapshot": snap.db_cluster_snapshot_identifier, "status": snap.status}

    def do_set_export_status(self, method, body):
        task = self._find(self._rds(body).export_tasks, body["task"], f"export task {body['task']}")
        task.status = body["status"]
        if "percent" in body:
            task.percent_progress = int(body["percent"])  # DescribeExportTasks' PercentProgress
        return {"task": body["task"], "status": task.status}

    def do_quota(self, method, body):
        if "limit" in body:
            limit = int(body["limit"])
            if limit < 0:
                raise AdminError("limit must be >= 0")
            world_rds.STATE.quota_limit = limit
        regions = {}
        for region, rds in rds_backends[ACCOUNT].items():
            if rds.cluster_snapshots:
                regions[region] = world_rds.quota_counts(rds)
        return {"limit": world_rds.STATE.quota_limit, "regions": regions}

    def do_vault_lock(self, method, body):
        region = body.get("region", "us-east-1")
        vault = self.world.backup.ensure_vault(region, body["vault"])
        if body.get("unlock"):
            vault.locked, vault.min_retention_days, vault.max_retention_days = False, None, None
            vault.lock_date = None
        else:
            vault.locked = True
            vault.min_retention_days = int(body["min_retention_days"])
            if body.get("max_retention_days") is not None:
                vault.max_retention_days = int(body["max_retention_days"])
            vault.lock_date = time.time()
        return {"vault": vault.backup_vault_name, "locked": vault.locked,
                "min_retention_days": vault.min_retention_days,
                "max_retention_days": vault.max_retention_days}

    def do_expire_trap(self, method, body):
        key = body.get("recovery_point_arn") or body.get("snapshot")
        if not key:
            raise AdminError("give recovery_point_arn or snapshot")
        point = self.world.backup.find_point(key if key.startswith("arn:") else key.lower())
        if point is None:
            raise AdminError(f"recovery point {key} not found", 404)
        point.expire_on_delete = bool(body.get("enabled", True))
        return {"recovery_point_arn": point.arn, "expire_on_delete": point.expire_on_delete}

    def do_recovery_points(self, method, body):
        return {"recovery_points": [
            dict(p.full(), SnapshotId=p.snapshot_id, ExpireOnDelete=p.expire_on_delete)
            for p in self.world.backup.live_points()]}

    def do_faults(self, method, body):
        if method == "POST":
            specs = body.get("faults", [body] if "kind" in body else [])
            for spec in specs:
                self.world.faults.add(spec)
        return {"faults": self.world.faults.rules}

    def do_faults__clear(self, method, body):
        self.world.faults.clear()
        return {"faults": []}

    def do_requests(self, method, body):
        return {"requests": self.world.log}

    def do_requests__clear(self, method, body):
        self.world.log = []
        return {"requests": []}

    def do_auth(self, method, body):
        if "enabled" in body:
            self.world.set_auth(body["enabled"])
        return {"auth": self.world.auth}

    def do_credentials(self, method, body):
        """An IAM user with an admin policy and a fresh access key, plus a role it may assume."""
        iam = iam_backends[ACCOUNT]["aws"]
        name = body.get("user") or f"world-{secrets.token_hex(4)}"
        if name not in iam.users:
            iam.create_user(region_name="us-east-1", user_name=name, path="/", tags=[])
            iam.put_user_policy(name, "world-admin", ADMIN_POLICY)
        key = iam.create_access_key(name)
        role_name = body.get("role", "world-admin-role")
        if role_name not in [r.name for r in iam.roles.values()]:
            trust = json.dumps({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"AWS": "*"},
                "Action": "sts:AssumeRole"}]})
            role = iam.create_role(role_name=role_name, assume_role_policy_document=trust,
                                   path="/", permissions_boundary=None, description="world",
                                   tags=[], max_session_duration="3600")
            iam.put_role_policy(role_name, "world-admin", ADMIN_POLICY)
        role = next(r for r in iam.roles.values() if r.name == role_name)
        return {"AccessKeyId": key.access_key_id, "SecretAccessKey": key.secret_access_key,
                "UserName": name, "RoleArn": role.arn}
