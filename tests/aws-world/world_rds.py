"""RDS behaviour that moto lacks or gets wrong, patched into moto's RDS responder.

AWS's manual cluster snapshot quota (AWS Backup, continuous and automated snapshots do not count),
MaxRecords/Marker paging, SnapshotType per snapshot, the refusal to delete Backup-managed
snapshots through RDS, and DBClusterAlreadyExistsFault for a restore to a name that is taken (moto
replaces the existing cluster).  Installed once per process by install(); the quota limit lives in STATE.
"""

import operator
import uuid
from xml.sax.saxutils import escape as xml_escape

from moto.rds import models as rds_models
from moto.rds import exceptions as rds_exceptions
from moto.rds import responses as rds_responses
from moto.rds.exceptions import (
    RDSClientError,
    DBClusterNotFoundError,
    DBClusterSnapshotNotFoundError,
    InvalidDBClusterSnapshotStateFault,
    InvalidDBClusterStateFault,
    InvalidParameterCombination,
    InvalidParameterValue,
    SnapshotQuotaExceededFault,
)
from moto.core.responses import ActionResult

DEFAULT_QUOTA = 100
RDS_XMLNS = "http://rds.amazonaws.com/doc/2014-10-31/"
BACKUP_PREFIXES = ("awsbackup:", "continuous:")


class _State:
    """Per-process RDS world settings (reset by the world's reset)."""

    def __init__(self):
        self.quota_limit = DEFAULT_QUOTA
        # DescribeDBClusterSnapshots pages rendered here rather than by moto's generic
        # serializer, which costs ~80 ms per 100 snapshots (16 s for a 20000-snapshot fleet).
        self.fast_snapshot_xml = True

    def reset(self):
        self.quota_limit = DEFAULT_QUOTA


STATE = _State()
_installed = False


def is_backup_managed(snapshot_id):
    return snapshot_id.startswith(BACKUP_PREFIXES)


def counts_toward_quota(snapshot):
    """AWS's rule: only manual snapshots that AWS Backup does not manage count."""
    return snapshot.snapshot_type == "manual" and not is_backup_managed(
        snapshot.db_cluster_snapshot_identifier
    )


def quota_counts(backend):
    counts = {"counted": 0, "awsbackup": 0, "continuous": 0, "automated": 0, "other": 0}
    for snap in backend.cluster_snapshots.values():
        sid = snap.db_cluster_snapshot_identifier
        if sid.startswith("awsbackup:"):
            counts["awsbackup"] += 1
        elif sid.startswith("continuous:"):
            counts["continuous"] += 1
        elif snap.snapshot_type == "automated":
            counts["automated"] += 1
        elif counts_toward_quota(snap):
            counts["counted"] += 1
        else:
            counts["other"] += 1
    counts["total"] = len(backend.cluster_snapshots)
    return counts


def _check_quota(backend):
    used = sum(1 for s in backend.cluster_snapshots.values() if counts_toward_quota(s))
    if used >= STATE.quota_limit:
        raise SnapshotQuotaExceededFault()


def _page_args(params):
    max_records = params.get("MaxRecords")
    if max_records is None:
        max_records = 100
    max_records = int(max_records)
    if max_records < 20 or max_records > 100:
        raise InvalidParameterValue(
            f"Invalid value {max_records} for MaxRecords. Must be between 20 and 100"
        )
    return max_records, params.get("Marker")


def _paginate(items, key, max_records, marker):
    """Items sorted by key; the marker is the key of the last item returned (stable when
    items are deleted between pages, as the agent does while it pages)."""
    items = sorted(items, key=key)
    if marker:
        items = [i for i in items if key(i) > marker]
    page = items[:max_records]
    next_marker = key(page[-1]) if len(items) > max_records else None
    return page, next_marker


def _strip_arn(value, kind):
    # DBClusterIdentifier / DBClusterSnapshotIdentifier accept an ARN as well.
    if value and value.startswith("arn:"):
        marker = f":{kind}:"
        if marker in value:
            return value.split(marker, 1)[1]
    return value


def _filters(params):
    return {f["Name"]: [v for v in f.get("Values", [])] for f in params.get("Filters", []) or []}


def _lower_id(kind):
    return lambda value: _strip_arn(value, kind).lower()


def _same(value):
    return value


# The Filters each Describe honours: name -> (the form a value is compared in, the item's value).
CLUSTER_FILTERS = {
    "db-cluster-id": (_lower_id("cluster"), lambda c: c.db_cluster_identifier.lower()),
    "db-cluster-resource-id": (_same, lambda c: c.db_cluster_resource_id),
    "engine": (_same, lambda c: c.engine),
}
SNAPSHOT_FILTERS = {
    "db-cluster-id": (_lower_id("cluster"), lambda s: s.db_cluster_identifier.lower()),
    "db-cluster-snapshot-id": (_lower_id("cluster-snapshot"), lambda s: s.db_cluster_snapshot_identifier),
    "snapshot-type": (_same, lambda s: s.snapshot_type),
    "engine": (_same, lambda s: s.engine),
}


def _apply_filters(items, filters, known):
    """The items that match every filter `known` names (any of its values); others are not looked at."""
    for name, (value_form, item_value) in known.items():
        if name in filters:
            wanted = {value_form(v) for v in filters[name]}
            items = [i for i in items if item_value(i) in wanted]
    return items


def describe_db_clusters(self):
    max_records, marker = _page_args(self.params)
    cluster_id = _strip_arn(self.params.get("DBClusterIdentifier"), "cluster")
    filters = _filters(self.params)
    clusters = list(self.backend.clusters.values())
    if cluster_id:
        clusters = [c for c in clusters if c.db_cluster_identifier == cluster_id.lower()
                    or c.db_cluster_identifier == cluster_id]
        if not clusters:
            raise DBClusterNotFoundError(cluster_id)
    clusters = _apply_filters(clusters, filters, CLUSTER_FILTERS)
    page, next_marker = _paginate(clusters, lambda c: c.db_cluster_identifier, max_records, marker)
    result = {"DBClusters": page}
    if next_marker:
        result["Marker"] = next_marker
    return ActionResult(result)


def describe_db_cluster_snapshots(self):
    max_records, marker = _page_args(self.params)
    cluster_id = _strip_arn(self.params.get("DBClusterIdentifier"), "cluster")
    snap_id = _strip_arn(self.params.get("DBClusterSnapshotIdentifier"), "cluster-snapshot")
    snap_type = self.params.get("SnapshotType")
    filters = _filters(self.params)
    if cluster_id and snap_id:
        raise InvalidParameterCombination(
            "Cannot specify both DBClusterIdentifier and DBClusterSnapshotIdentifier"
        )
    if snap_type and snap_type not in ("automated", "manual", "shared", "public"):
        # The values the API documents for cluster snapshots ("awsbackup" is for DB instance snapshots).
        raise InvalidParameterValue(f"Invalid snapshot type: {snap_type}")
    if snap_type in ("shared", "public"):
        snaps = []
        if snap_type == "shared":
            snaps = list(self.backend.get_shared_db_cluster_snapshots())
    else:
        snaps = list(self.backend.cluster_snapshots.values())
        if snap_type:
            snaps = [s for s in snaps if s.snapshot_type == snap_type]
    if cluster_id:
        snaps = [s for s in snaps if s.db_cluster_identifier.lower() == cluster_id.lower()]
    if snap_id:
        snaps = [s for s in snaps if s.db_cluster_snapshot_identifier == snap_id.lower()]
        if not snaps:
            raise DBClusterSnapshotNotFoundError(snap_id)
    snaps = _apply_filters(snaps, filters, SNAPSHOT_FILTERS)
    # _db_cluster_snapshot_identifier: the property costs a call per snapshot per page.
    page, next_marker = _paginate(
        snaps, operator.attrgetter("_db_cluster_snapshot_identifier"), max_records, marker
    )
    if STATE.fast_snapshot_xml:
        return snapshots_xml(page, next_marker), {"status": 200, "Content-Type": "text/xml"}
    result = {"DBClusterSnapshots": page}
    if next_marker:
        result["Marker"] = next_marker
    return ActionResult(result)


def _x(text):
    return xml_escape(str(text))


def _ts(dt):
    # AWS's form: 2022-10-12T17:42:48.271Z
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def _elements(fields):
    """<Name>value</Name> for each (name, value) in order; a value of None is an element AWS leaves out."""
    return "".join(f"<{name}>{value}</{name}>" for name, value in fields if value is not None)


def _query_response(action, result):
    """The RDS Query API's envelope around an action's result: the form botocore parses."""
    return (
        f'<{action}Response xmlns="{RDS_XMLNS}"><{action}Result>{result}</{action}Result>'
        f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata>"
        f"</{action}Response>"
    )


def _tag_list(tags):
    if not tags:
        return "<TagList/>"
    return "<TagList>" + "".join(
        f"<Tag><Key>{_x(t['Key'])}</Key><Value>{_x(t.get('Value', ''))}</Value></Tag>"
        for t in tags) + "</TagList>"


def snapshot_xml(s):
    return "".join([
        "<DBClusterSnapshot>",
        _elements([
            ("DBClusterSnapshotIdentifier", _x(s._db_cluster_snapshot_identifier)),
            ("DBClusterIdentifier", _x(s.db_cluster_identifier)),
            ("SnapshotCreateTime", _ts(s.created)),
            ("Engine", _x(s.engine)),
            ("AllocatedStorage", int(s.allocated_storage or 0)),
            ("Status", _x(s.status)),
            ("Port", int(s.port) if s.port else None),
            ("ClusterCreateTime", _ts(s.cluster_create_time)),
            ("MasterUsername", _x(s.master_username) if s.master_username else None),
            ("EngineVersion", _x(s.engine_version)),
            ("SnapshotType", _x(s.snapshot_type)),
            ("PercentProgress", int(s.percent_progress)),
            ("StorageEncrypted", "true" if s.storage_encrypted else "false"),
            ("KmsKeyId", _x(s.kms_key_id) if s.kms_key_id else None),
            ("DBClusterSnapshotArn", _x(s.arn)),
        ]),
        _tag_list(s.tags),
        _elements([("DbClusterResourceId", _x(s.cluster.db_cluster_resource_id))]),
        "</DBClusterSnapshot>",
    ])


def snapshots_xml(page, marker):
    body = "".join(snapshot_xml(s) for s in page)
    marker_xml = f"<Marker>{_x(marker)}</Marker>" if marker else ""
    return _query_response("DescribeDBClusterSnapshots",
                           f"<DBClusterSnapshots>{body}</DBClusterSnapshots>{marker_xml}")


def create_db_cluster_snapshot(self):
    params = self.params
    snap_id = params.get("DBClusterSnapshotIdentifier", "")
    cluster_id = params.get("DBClusterIdentifier", "")
    if snap_id.lower() not in self.backend.cluster_snapshots:
        cluster = self.backend.clusters.get(cluster_id)
        if cluster is None:
            raise DBClusterNotFoundError(cluster_id)
        # Read _status: moto's status property flips creating -> available on read.
        if cluster._status != "available":
            raise InvalidDBClusterStateFault(
                f"Cannot create a snapshot because the database cluster {cluster_id} is "
                f"not currently in the available state."
            )
        _check_quota(self.backend)
    return _ORIGINAL["create_db_cluster_snapshot"](self)


def copy_db_cluster_snapshot(self):
    target = self.params.get("TargetDBClusterSnapshotIdentifier", "")
    if target.lower() not in self.backend.cluster_snapshots:
        _check_quota(self.backend)
    return _ORIGINAL["copy_db_cluster_snapshot"](self)


def delete_db_cluster_snapshot(self):
    snap_id = self.params.get("DBClusterSnapshotIdentifier", "")
    snap = self.backend.cluster_snapshots.get(snap_id.lower())
    if snap is not None:
        if is_backup_managed(snap.db_cluster_snapshot_identifier):
            raise InvalidDBClusterSnapshotStateFault(
                f"Cannot delete the snapshot {snap.db_cluster_snapshot_identifier} because it "
                f"is managed by AWS Backup. Delete it through AWS Backup."
            )
        if snap.snapshot_type == "automated":
            raise InvalidDBClusterSnapshotStateFault("Only manual snapshots may be deleted.")
        if snap.status != "available":
            raise InvalidDBClusterSnapshotStateFault(
                f"Cannot delete the snapshot {snap.db_cluster_snapshot_identifier} because it "
                f"is in state {snap.status}."
            )
    return _ORIGINAL["delete_db_cluster_snapshot"](self)


def describe_account_attributes(self):
    """DescribeAccountAttributes, which moto lacks: the account's RDS quotas, ManualClusterSnapshots
    (Max: the world's quota limit; Used: what AWS's rule counts) among them, as the API documents."""
    backend = self.backend
    used = quota_counts(backend)["counted"]
    quotas = [
        ("DBClusters", len(backend.clusters), 40),
        ("DBInstances", len(backend.databases), 40),
        ("ManualClusterSnapshots", used, STATE.quota_limit),
        ("ManualSnapshots", 0, 100),
    ]
    body = "".join("<AccountQuota>" + _elements([("AccountQuotaName", name), ("Used", u), ("Max", m)])
                   + "</AccountQuota>" for name, u, m in quotas)
    return (_query_response("DescribeAccountAttributes", f"<AccountQuotas>{body}</AccountQuotas>"),
            {"status": 200, "Content-Type": "text/xml"})


class DBClusterAlreadyExistsFault(RDSClientError):
    def __init__(self, cluster_id):
        super().__init__("DBClusterAlreadyExistsFault", f"DB Cluster {cluster_id} already exists")


def _restore_checked(name):
    def restore(self):
        cluster_id = self.params.get("DBClusterIdentifier", "")
        if cluster_id in self.backend.clusters:
            raise DBClusterAlreadyExistsFault(cluster_id)
        return _ORIGINAL[name](self)
    return restore


_ORIGINAL = {}


def start_export_task(self, kwargs):
    """StartExportTask with a DB cluster's ARN as source (exporting DB cluster data), which moto lacks: the
    task is made from the cluster, which must exist and be available; snapshot sources go to moto."""
    source_arn = kwargs.get("source_arn") or ""
    parts = source_arn.split(":")
    if len(parts) >= 7 and parts[5] == "cluster":
        cluster = self.clusters.get(parts[6])
        if cluster is None:
            raise rds_exceptions.DBClusterNotFoundError(parts[6])
        task_id = kwargs.get("export_task_identifier")
        if task_id in self.export_tasks:
            raise rds_exceptions.ExportTaskAlreadyExistsError(task_id)
        task = rds_models.ExportTask(self, cluster, kwargs)
        self.export_tasks[task_id] = task
        return task
    return _ORIGINAL["start_export_task"](self, kwargs)


def install():
    """Patch moto's RDS responder and backend once per process."""
    global _installed
    if _installed:
        return
    resp = rds_responses.RDSResponse
    for name in ("create_db_cluster_snapshot", "copy_db_cluster_snapshot",
                 "delete_db_cluster_snapshot", "restore_db_cluster_from_snapshot",
                 "restore_db_cluster_to_point_in_time"):
        _ORIGINAL[name] = getattr(resp, name)
    resp.restore_db_cluster_from_snapshot = _restore_checked("restore_db_cluster_from_snapshot")
    resp.describe_account_attributes = describe_account_attributes
    resp.restore_db_cluster_to_point_in_time = _restore_checked("restore_db_cluster_to_point_in_time")
    resp.describe_db_clusters = describe_db_clusters
    resp.describe_db_cluster_snapshots = describe_db_cluster_snapshots
    resp.create_db_cluster_snapshot = create_db_cluster_snapshot
    resp.copy_db_cluster_snapshot = copy_db_cluster_snapshot
    resp.delete_db_cluster_snapshot = delete_db_cluster_snapshot
    _ORIGINAL["start_export_task"] = rds_models.RDSBackend.start_export_task
    rds_models.RDSBackend.start_export_task = start_export_task
    # moto's own counter counts every cluster snapshot; AWS's rule above replaces it.
    rds_models.RDSBackend.SNAPSHOT_QUOTA = 10**9
    _installed = True
