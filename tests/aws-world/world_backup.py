"""AWS Backup recovery points and backup jobs over moto's RDS state (REST-JSON, 2018-11-15).

An Aurora recovery point IS an RDS cluster snapshot `awsbackup:job-<uuid>` (or `continuous:...`);
this module keeps only what RDS has no place for (vault, job, lifecycle, status, EXPIRED trap).
Vault create/describe/list/lock stay with moto's backup backend.
"""

import base64
import json
import re
import time
import uuid
from urllib.parse import parse_qs, unquote

from moto.backup.models import backup_backends
from moto.core import DEFAULT_ACCOUNT_ID
from moto.rds.models import rds_backends

from world_time import epoch, parse_time, utcnow

ACCOUNT = DEFAULT_ACCOUNT_ID
CLUSTER_ARN_RE = re.compile(r"^arn:aws:rds:([a-z0-9-]+):(\d{12}):cluster:(.+)$")


class BackupError(Exception):
    def __init__(self, code, message, status=400):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


class RecoveryPoint:
    def __init__(self, region, vault_name, resource_arn, snapshot_id, job_id=None,
                 iam_role_arn=None, lifecycle=None, tags=None):
        self.region = region
        self.vault_name = vault_name
        self.resource_arn = resource_arn
        self.snapshot_id = snapshot_id
        self.arn = f"arn:aws:rds:{region}:{ACCOUNT}:cluster-snapshot:{snapshot_id}"
        self.job_id = job_id
        self.iam_role_arn = iam_role_arn or (
            f"arn:aws:iam::{ACCOUNT}:role/service-role/AWSBackupDefaultServiceRole")
        self.lifecycle = lifecycle or {}
        self.tags = tags or {}
        self.status = "COMPLETED"
        self.status_message = None
        self.expire_on_delete = False  # the EXPIRED permission trap

    def snapshot(self):
        return rds_backends[ACCOUNT][self.region].cluster_snapshots.get(self.snapshot_id)

    def creation(self):
        snap = self.snapshot()
        return snap.created if snap is not None else utcnow()

    def _common(self):
        snap = self.snapshot()
        created = epoch(self.creation())
        d = {
            "RecoveryPointArn": self.arn,
            "CreationDate": created,
            "Status": self.status,
            "BackupVaultName": self.vault_name,
            "IsParent": False,
            "ResourceName": self.resource_arn.rsplit(":", 1)[-1],
            "VaultType": "BACKUP_VAULT",
        }
        if self.status_message:
            d["StatusMessage"] = self.status_message
        if snap is not None and snap.encrypted and snap.kms_key_id:
            d["EncryptionKeyArn"] = snap.kms_key_id
        if snap is not None:
            d["BackupSizeBytes"] = int(snap.allocated_storage or 1) * 1024**3
        return d

    def by_resource(self):
        return self._common()

    def full(self):
        d = self._common()
        snap = self.snapshot()
        d.pop("BackupSizeBytes", None)
        d.update({
            "BackupVaultArn": vault_arn(self.region, self.vault_name),
            "ResourceArn": self.resource_arn,
            "ResourceType": "Aurora",
            "IamRoleArn": self.iam_role_arn,
            "CompletionDate": d["CreationDate"],
            "IsEncrypted": bool(snap is not None and snap.encrypted),
            "CreatedBy": {},
        })
        if snap is not None:
            d["BackupSizeInBytes"] = int(snap.allocated_storage or 1) * 1024**3
        if self.lifecycle:
            d["Lifecycle"] = self.lifecycle
            if self.lifecycle.get("DeleteAfterDays"):
                d["CalculatedLifecycle"] = {
                    "DeleteAt": d["CreationDate"] + 86400 * int(self.lifecycle["DeleteAfterDays"])
                }
        return d


def vault_arn(region, name):
    return f"arn:aws:backup:{region}:{ACCOUNT}:backup-vault:{name}"


class BackupJob:
    def __init__(self, region, point, vault_name, resource_arn, iam_role_arn, token):
        self.id = str(uuid.uuid4()).upper()
        self.region = region
        self.point_arn = point.arn
        self.vault_name = vault_name
        self.resource_arn = resource_arn
        self.iam_role_arn = iam_role_arn
        self.token = token
        self.created = time.time()
        self.size = point.full().get("BackupSizeInBytes", 0)

    def describe(self):
        return {
            "AccountId": ACCOUNT,
            "BackupJobId": self.id,
            "BackupVaultName": self.vault_name,
            "BackupVaultArn": vault_arn(self.region, self.vault_name),
            "RecoveryPointArn": self.point_arn,
            "ResourceArn": self.resource_arn,
            "ResourceType": "Aurora",
            "ResourceName": self.resource_arn.rsplit(":", 1)[-1],
            "CreationDate": self.created,
            "CompletionDate": self.created,
            "StartBy": self.created + 8 * 3600,
            "State": "COMPLETED",
            "PercentDone": "100.0",
            "BackupSizeInBytes": self.size,
            "BytesTransferred": self.size,
            "IamRoleArn": self.iam_role_arn,
            "CreatedBy": {},
            "IsParent": False,
            "BackupType": "",
        }


class BackupState:
    """Recovery points and jobs of one world, across regions."""

    def __init__(self):
        self.points = {}  # arn -> RecoveryPoint
        self.jobs = {}  # id -> BackupJob
        self.snapshot_type = "manual"  # SnapshotType of new awsbackup snapshots

    def reset(self):
        self.points.clear()
        self.jobs.clear()
        self.snapshot_type = "manual"

    # -- helpers shared with the admin API ------------------------------------------------------

    def ensure_vault(self, region, name):
        backend = backup_backends[ACCOUNT][region]
        if name not in backend.vaults:
            backend.create_backup_vault(name, None, None, None)
        return backend.vaults[name]

    def live_points(self):
        """Points whose RDS snapshot still exists (the snapshot is the source of truth)."""
        dead = [arn for arn, p in self.points.items() if p.snapshot() is None]
        for arn in dead:
            del self.points[arn]
        return list(self.points.values())

    def refresh_vault_counts(self, region):
        counts = {}
        for p in self.live_points():
            if p.region == region:
                counts[p.vault_name] = counts.get(p.vault_name, 0) + 1
        for name, vault in backup_backends[ACCOUNT][region].vaults.items():
            # moto lists num_of_recovery_points; its DescribeBackupVault serializer reads
            # number_of_recovery_points.
            vault.num_of_recovery_points = counts.get(name, 0)
            vault.number_of_recovery_points = counts.get(name, 0)

    def add_point(self, region, vault_name, cluster, snapshot_id, **kw):
        self.ensure_vault(region, vault_name)
        resource_arn = cluster.db_cluster_arn
        point = RecoveryPoint(region, vault_name, resource_arn, snapshot_id, **kw)
        self.points[point.arn] = point
        return point

    def find_point(self, arn_or_snapshot):
        for p in self.live_points():
            if p.arn == arn_or_snapshot or p.snapshot_id == arn_or_snapshot:
                return p
        return None

    # -- the REST API --------------------------------------------------------------------------

    ROUTES = [
        ("GET", ("resources", None, "recovery-points", ""), "ListRecoveryPointsByResource"),
        ("GET", ("backup-vaults", None, "recovery-points", ""), "ListRecoveryPointsByBackupVault"),
        ("GET", ("backup-vaults", None, "recovery-points", None), "DescribeRecoveryPoint"),
        ("DELETE", ("backup-vaults", None, "recovery-points", None), "DeleteRecoveryPoint"),
        ("PUT", ("backup-jobs",), "StartBackupJob"),
        ("PUT", ("backup-jobs", ""), "StartBackupJob"),
        ("GET", ("backup-jobs", None), "DescribeBackupJob"),
    ]

    @classmethod
    def match(cls, method, raw_path):
        """(operation, decoded path labels) for a recovery-point/job request, else None."""
        segments = raw_path.split("?", 1)[0].split("/")[1:]
        for m, pattern, op in cls.ROUTES:
            if m != method or len(pattern) != len(segments):
                continue
            labels = []
            for want, seg in zip(pattern, segments):
                if want is None:
                    if seg == "":
                        break
                    labels.append(unquote(seg))
                elif want != seg:
                    break
            else:
                return op, labels
        return None

    def handle(self, op, labels, region, query, body):
        q = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
        try:
            data = json.loads(body) if body else {}
        except ValueError:
            raise BackupError("SerializationException", "Request body is not valid JSON")
        return getattr(self, "op_" + op)(labels, region, q, data)

    def _vault(self, region, name):
        backend = backup_backends[ACCOUNT][region]
        vault = backend.vaults.get(name)
        if vault is None:
            raise BackupError(
                "ResourceNotFoundException",
                f"Backup vault {name} does not exist in account {ACCOUNT} in {region}.",
            )
        return vault

    @staticmethod
    def _paging(q):
        max_results = q.get("maxResults")
        if max_results is not None:
            try:
                max_results = int(max_results)
            except ValueError:
                max_results = -1
            if max_results < 1 or max_results > 1000:
                raise BackupError(
                    "InvalidParameterValueException",
                    "maxResults must be between 1 and 1000",
                )
        else:
            max_results = 1000
        token = q.get("nextToken")
        after = None
        if token:
            try:
                after = json.loads(base64.b64decode(token.encode(), validate=True).decode())
            except (ValueError, UnicodeDecodeError):
                after = None
            if not (isinstance(after, list) and len(after) == 2
                    and isinstance(after[0], (int, float)) and isinstance(after[1], str)):
                raise BackupError("InvalidParameterValueException", "Invalid NextToken")
            after = tuple(after)
        return max_results, after

    @staticmethod
    def _page(points, max_results, after):
        keyed = sorted(((epoch(p.creation()), p.arn), p) for p in points)
        if after is not None:
            keyed = [(k, p) for k, p in keyed if k > after]
        page = keyed[:max_results]
        token = None
        # Standard base64 ('+', '/', '='), so clients must encode the token in the query string.
        if len(keyed) > max_results:
            token = base64.b64encode(json.dumps(list(page[-1][0])).encode()).decode()
        return [p for _, p in page], token

    def op_ListRecoveryPointsByResource(self, labels, region, q, data):
        resource_arn = labels[0]
        max_results, after = self._paging(q)
        points = [p for p in self.live_points() if p.resource_arn == resource_arn]
        # managedByAWSBackupOnly: every point here is managed by AWS Backup, so it filters nothing.
        page, token = self._page(points, max_results, after)
        out = {"RecoveryPoints": [p.by_resource() for p in page]}
        if token:
            out["NextToken"] = token
        return 200, out

    def op_ListRecoveryPointsByBackupVault(self, labels, region, q, data):
        vault = self._vault(region, labels[0])
        max_results, after = self._paging(q)
        points = [p for p in self.live_points()
                  if p.vault_name == vault.backup_vault_name and p.region == region]
        if q.get("resourceArn"):
            points = [p for p in points if p.resource_arn == q["resourceArn"]]
        if q.get("resourceType"):
            points = [p for p in points if q["resourceType"] == "Aurora"]
        if q.get("createdBefore"):
            before = parse_time(q["createdBefore"])
            points = [p for p in points if p.creation() < before]
        if q.get("createdAfter"):
            after_t = parse_time(q["createdAfter"])
            points = [p for p in points if p.creation() > after_t]
        if q.get("parentRecoveryPointArn"):
            points = []
        page, token = self._page(points, max_results, after)
        out = {"RecoveryPoints": [p.full() for p in page]}
        if token:
            out["NextToken"] = token
        return 200, out

    def _point_in_vault(self, region, vault_name, arn):
        vault = self._vault(region, vault_name)
        point = self.points.get(arn)
        if point is None or point.snapshot() is None or point.vault_name != vault.backup_vault_name:
            raise BackupError(
                "ResourceNotFoundException",
                f"Recovery point {arn} was not found in backup vault {vault_name}.",
            )
        return vault, point

    def op_DescribeRecoveryPoint(self, labels, region, q, data):
        _, point = self._point_in_vault(region, labels[0], labels[1])
        d = point.full()
        d["StorageClass"] = "WARM"
        return 200, d

    def op_DeleteRecoveryPoint(self, labels, region, q, data):
        vault, point = self._point_in_vault(region, labels[0], labels[1])
        if vault.min_retention_days:
            age_days = (utcnow() - point.creation()).total_seconds() / 86400
            if age_days < vault.min_retention_days:
                raise BackupError(
                    "InvalidRequestException",
                    f"Recovery point {point.arn} cannot be deleted: the backup vault "
                    f"{vault.backup_vault_name} is locked with a minimum retention period of "
                    f"{vault.min_retention_days} days.",
                )
        snap = point.snapshot()
        if snap is not None and snap.status not in ("available", "failed"):
            raise BackupError(
                "InvalidResourceStateException",
                f"Recovery point {point.arn} is {snap.status}; try again later.",
            )
        if point.expire_on_delete:
            # AWS answers 200 but, lacking permission on the resource, only marks it EXPIRED.
            point.status = "EXPIRED"
            point.status_message = (
                "Insufficient privileges to delete the recovery point; it has expired instead."
            )
            return 200, None
        rds_backends[ACCOUNT][point.region].cluster_snapshots.pop(point.snapshot_id, None)
        del self.points[point.arn]
        return 200, None

    def op_StartBackupJob(self, labels, region, q, data):
        for field in ("BackupVaultName", "ResourceArn", "IamRoleArn"):
            if not data.get(field):
                raise BackupError("MissingParameterValueException", f"{field} is required.")
        vault = self._vault(region, data["BackupVaultName"])
        token = data.get("IdempotencyToken")
        if token:
            for job in self.jobs.values():
                if job.token == token and job.region == region:
                    return 200, self._start_result(job)
        m = CLUSTER_ARN_RE.match(data["ResourceArn"])
        if not m:
            raise BackupError(
                "InvalidParameterValueException",
                f"Invalid ARN {data['ResourceArn']}: only Aurora cluster ARNs are supported here.",
            )
        rds = rds_backends[ACCOUNT][m.group(1)]
        cluster = rds.clusters.get(m.group(3))
        if cluster is None or m.group(1) != region:
            raise BackupError(
                "ResourceNotFoundException", f"Resource {data['ResourceArn']} was not found."
            )
        lifecycle = data.get("Lifecycle") or {}
        start = data.get("StartWindowMinutes")
        if start is not None and int(start) < 60:
            raise BackupError(
                "InvalidParameterValueException", "StartWindowMinutes must be at least 60."
            )
        job_uuid = str(uuid.uuid4())
        snapshot_id = f"awsbackup:job-{job_uuid}"
        tags = [{"Key": k, "Value": v} for k, v in (data.get("RecoveryPointTags") or {}).items()]
        rds.create_db_cluster_snapshot(cluster.db_cluster_identifier, snapshot_id,
                                       snapshot_type=self.snapshot_type, tags=tags)
        point = self.add_point(region, vault.backup_vault_name, cluster, snapshot_id,
                               iam_role_arn=data["IamRoleArn"], lifecycle=lifecycle,
                               tags=data.get("RecoveryPointTags"))
        job = BackupJob(region, point, vault.backup_vault_name, cluster.db_cluster_arn,
                        data["IamRoleArn"], token)
        job.id = job_uuid.upper()
        point.job_id = job.id
        self.jobs[job.id] = job
        return 200, self._start_result(job)

    @staticmethod
    def _start_result(job):
        return {"BackupJobId": job.id, "RecoveryPointArn": job.point_arn,
                "CreationDate": job.created, "IsParent": False}

    def op_DescribeBackupJob(self, labels, region, q, data):
        job = self.jobs.get(labels[0]) or self.jobs.get(labels[0].upper())
        if job is None or job.region != region:
            raise BackupError("ResourceNotFoundException", f"Backup job {labels[0]} not found.")
        return 200, job.describe()
