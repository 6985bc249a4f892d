#!/usr/bin/env python3
"""Record seed inputs for the rds, backup and error fuzz targets from the local AWS world (moto, on
127.0.0.1): each response body as the agent receives it, errors as HTTP responses (status line, the
headers the client reads, body). Run by hand when the world's answers change:

    python3 tests/fuzz/record-corpus.py

It writes tests/fuzz/corpus/{rds,backup,error}/world-*; the other seeds there are kept.
"""

import json
import os
import sys
from urllib.parse import quote, urlencode

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "aws-world"))

from aws_world import World  # noqa: E402
import rawsig  # noqa: E402

CREDS = {"AccessKeyId": "AKIDEXAMPLE", "SecretAccessKey": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}
ACCOUNT_ARN = "arn:aws:rds:us-east-1:123456789012"


def save(target, name, data):
    path = os.path.join(HERE, "corpus", target, "world-" + name)
    with open(path, "wb") as f:
        f.write(data)
    print(f"{path}: {len(data)} bytes")


def http_response(status, headers, body):
    keep = ("x-amzn-requestid", "x-amzn-errortype", "x-amz-request-id", "content-type")
    lines = [f"HTTP/1.1 {status} X"] + [f"{k}: {v}" for k, v in headers.items() if k in keep]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class Recorder:
    def __init__(self, url):
        self.url = url

    def rds(self, action, **params):
        body = urlencode({"Action": action, "Version": "2014-10-31", **params}).encode()
        return rawsig.request("POST", self.url + "/", body=body, creds=CREDS, service="rds",
                              headers={"Content-Type": "application/x-www-form-urlencoded"})

    def backup(self, method, path, query="", body=b""):
        url = self.url + path + (f"?{query}" if query else "")
        return rawsig.request(method, url, body=body, creds=CREDS, service="backup",
                              headers={"Content-Type": "application/json"} if body else {})

    def rds_ok(self, name, action, **params):
        status, headers, body = self.rds(action, **params)
        if status != 200:
            raise SystemExit(f"{action}: HTTP {status}: {body[:300]!r}")
        save("rds", name, body)
        return body

    def backup_ok(self, name, method, path, query="", body=b""):
        status, headers, data = self.backup(method, path, query, body)
        if status != 200:
            raise SystemExit(f"{method} {path}: HTTP {status}: {data[:300]!r}")
        save("backup", name, data)
        return json.loads(data)


def main():
    with World() as w:
        r = Recorder(w.url)
        seeded = w.admin.seed(
            clusters=[{"id": "orders-db", "encrypted": True,
                       "kms_key_id": "arn:aws:kms:us-east-1:123456789012:key/1111-2222",
                       "tags": {"env": "prod", "team": "orders"}},
                      {"id": "reports-db", "backup_window": "23:40-00:20"}],
            snapshots=[{"cluster": "orders-db", "origin": "agent", "id": "aba-orders-db-20260101t0735z",
                        "created": "2026-01-01T07:35:00Z",
                        "tags": {"aurora-backup:policy": "prod", "aurora-backup:slot": "20260101t0735z"}},
                       {"cluster": "orders-db", "origin": "automated", "created": "2026-01-02T03:00:00Z"},
                       {"cluster": "orders-db", "origin": "awsbackup", "created": "2026-01-03T03:00:00Z"},
                       {"cluster": "reports-db", "origin": "foreign", "id": "dba-keep-forever",
                        "created": "2025-06-01T00:00:00Z", "tags": {"owner": "dba"}}])
        recovery_point = seeded["recovery_points"][0]

        # RDS: every response the agent parses.
        r.rds_ok("describe-db-clusters.xml", "DescribeDBClusters", MaxRecords="100")
        r.rds_ok("describe-db-cluster-snapshots.xml", "DescribeDBClusterSnapshots", MaxRecords="100")
        r.rds_ok("describe-account-attributes.xml", "DescribeAccountAttributes")
        r.rds_ok("create-db-cluster-snapshot.xml", "CreateDBClusterSnapshot",
                 DBClusterIdentifier="orders-db", DBClusterSnapshotIdentifier="aba-orders-db-20260104t0735z",
                 **{"Tags.Tag.1.Key": "aurora-backup:managed-by", "Tags.Tag.1.Value": "aurora-backup-agent"})
        r.rds_ok("copy-db-cluster-snapshot.xml", "CopyDBClusterSnapshot",
                 SourceDBClusterSnapshotIdentifier="aba-orders-db-20260104t0735z",
                 TargetDBClusterSnapshotIdentifier="aba-orders-db-20260104t0735z-copy", CopyTags="true")
        r.rds_ok("modify-db-cluster-snapshot-attribute.xml", "ModifyDBClusterSnapshotAttribute",
                 DBClusterSnapshotIdentifier="aba-orders-db-20260104t0735z", AttributeName="restore",
                 **{"ValuesToAdd.AttributeValue.1": "210987654321", "ValuesToAdd.AttributeValue.2": "111122223333"})
        r.rds_ok("describe-db-cluster-snapshot-attributes.xml", "DescribeDBClusterSnapshotAttributes",
                 DBClusterSnapshotIdentifier="aba-orders-db-20260104t0735z")
        r.rds_ok("delete-db-cluster-snapshot.xml", "DeleteDBClusterSnapshot",
                 DBClusterSnapshotIdentifier="aba-orders-db-20260104t0735z-copy")
        r.rds_ok("restore-db-cluster-from-snapshot.xml", "RestoreDBClusterFromSnapshot",
                 DBClusterIdentifier="aba-rt-orders-db", SnapshotIdentifier="aba-orders-db-20260104t0735z",
                 Engine="aurora-postgresql", DeletionProtection="false",
                 **{"Tags.Tag.1.Key": "aurora-backup:restore-test", "Tags.Tag.1.Value": "orders-db"})
        r.rds_ok("restore-db-cluster-to-point-in-time.xml", "RestoreDBClusterToPointInTime",
                 DBClusterIdentifier="aba-rt-reports-db", SourceDBClusterIdentifier="reports-db",
                 UseLatestRestorableTime="true")
        r.rds_ok("create-db-instance.xml", "CreateDBInstance", DBInstanceIdentifier="aba-rt-orders-db-1",
                 DBInstanceClass="db.r6g.large", Engine="aurora-postgresql",
                 DBClusterIdentifier="aba-rt-orders-db", PubliclyAccessible="false")
        r.rds_ok("describe-db-instances.xml", "DescribeDBInstances", MaxRecords="100")
        r.rds_ok("describe-db-clusters-with-members.xml", "DescribeDBClusters",
                 DBClusterIdentifier="aba-rt-orders-db")
        r.rds_ok("delete-db-instance.xml", "DeleteDBInstance", DBInstanceIdentifier="aba-rt-orders-db-1",
                 SkipFinalSnapshot="true")
        r.rds_ok("delete-db-cluster.xml", "DeleteDBCluster", DBClusterIdentifier="aba-rt-reports-db",
                 SkipFinalSnapshot="true", DeleteAutomatedBackups="true")
        export = dict(SourceArn=f"{ACCOUNT_ARN}:cluster-snapshot:aba-orders-db-20260104t0735z",
                      S3BucketName="exports", IamRoleArn="arn:aws:iam::123456789012:role/export",
                      KmsKeyId="arn:aws:kms:us-east-1:123456789012:key/1111-2222", S3Prefix="aurora")
        r.rds_ok("start-export-task.xml", "StartExportTask", ExportTaskIdentifier="aba-export-1", **export)
        r.rds_ok("describe-export-tasks.xml", "DescribeExportTasks", MaxRecords="100")
        r.rds_ok("cancel-export-task.xml", "CancelExportTask", ExportTaskIdentifier="aba-export-1")

        # AWS Backup.
        cluster_arn = f"{ACCOUNT_ARN}:cluster:orders-db"
        r.backup_ok("list-recovery-points-by-resource.json", "GET",
                    f"/resources/{quote(cluster_arn, safe='')}/recovery-points/", "maxResults=1000")
        r.backup_ok("list-recovery-points-by-vault.json", "GET", "/backup-vaults/Default/recovery-points/",
                    "maxResults=1000")
        r.backup_ok("describe-recovery-point.json", "GET",
                    f"/backup-vaults/Default/recovery-points/{quote(recovery_point, safe='')}")
        job = r.backup_ok("start-backup-job.json", "PUT", "/backup-jobs", body=json.dumps({
            "BackupVaultName": "Default", "ResourceArn": cluster_arn,
            "IamRoleArn": "arn:aws:iam::123456789012:role/backup", "IdempotencyToken": "tok-1",
            "Lifecycle": {"DeleteAfterDays": 35}}).encode())
        r.backup_ok("describe-backup-job.json", "GET", f"/backup-jobs/{job['BackupJobId']}")

        # Errors, in both protocols, as HTTP responses.
        def rds_error(name, action, **params):
            status, headers, body = r.rds(action, **params)
            assert status >= 400, (action, status)
            save("error", name, http_response(status, headers, body))

        def backup_error(name, method, path, query="", body=b""):
            status, headers, data = r.backup(method, path, query, body)
            assert status >= 400, (path, status)
            save("error", name, http_response(status, headers, data))

        rds_error("rds-cluster-not-found.http", "DescribeDBClusters", DBClusterIdentifier="missing-db")
        rds_error("rds-snapshot-exists.http", "CreateDBClusterSnapshot", DBClusterIdentifier="orders-db",
                  DBClusterSnapshotIdentifier="aba-orders-db-20260101t0735z")
        rds_error("rds-delete-awsbackup-refused.http", "DeleteDBClusterSnapshot",
                  DBClusterSnapshotIdentifier=recovery_point.rsplit(":", 2)[-2] + ":" +
                  recovery_point.rsplit(":", 1)[-1])
        w.admin.call("faults", {"kind": "throttle", "service": "rds"})
        rds_error("rds-throttling.http", "DescribeDBClusters")
        w.admin.call("faults", {"kind": "503", "service": "rds"})
        rds_error("rds-503.http", "DescribeDBClusters")
        backup_error("backup-not-found.http", "GET",
                     f"/backup-vaults/Default/recovery-points/{quote(ACCOUNT_ARN + ':cluster-snapshot:x', safe='')}")
        backup_error("backup-bad-token.http", "GET", "/backup-vaults/Default/recovery-points/",
                     "maxResults=1000&nextToken=bogus")
        w.admin.call("faults", {"kind": "throttle", "service": "backup"})
        backup_error("backup-throttling.http", "GET", "/backup-vaults/Default/recovery-points/")
        w.admin.call("faults", {"kind": "500", "service": "backup"})
        backup_error("backup-500.http", "GET", "/backup-vaults/Default/recovery-points/")


if __name__ == "__main__":
    main()
