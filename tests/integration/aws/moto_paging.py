"""Marker/MaxRecords paging for moto's RDS Describe calls, which moto 5.x answers in one page. Used
only when the tests run against bare moto (tests/aws-world does this itself): real RDS returns at most
MaxRecords (default 100, range 20-100) items and a Marker, and the client's paging must be exercised."""

from moto.core.responses import ActionResult
from moto.rds.responses import RDSResponse

PAGED = {
    "describe_db_clusters": "DBClusters",
    "describe_db_cluster_snapshots": "DBClusterSnapshots",
    "describe_db_instances": "DBInstances",
    "describe_export_tasks": "ExportTasks",
}


def _wrap(name, key):
    orig = getattr(RDSResponse, name)

    def paged(self):
        res = orig(self)
        result = getattr(res, "result", None)
        if not isinstance(result, dict) or not isinstance(result.get(key), list):
            return res
        items = result[key]
        size = int(self.params.get("MaxRecords") or 100)
        if size < 20 or size > 100:
            size = max(20, min(size, 100))
        start = int(self.params.get("Marker") or 0)
        page = dict(result)
        page[key] = items[start:start + size]
        if start + size < len(items):
            page["Marker"] = str(start + size)
        return ActionResult(page)

    paged._moto_paging = True
    setattr(RDSResponse, name, paged)


def enable():
    for name, key in PAGED.items():
        if not getattr(getattr(RDSResponse, name), "_moto_paging", False):
            _wrap(name, key)
