"""AWS Backup recovery-point API of the world, driven by boto3 (shapes checked by botocore)."""

import datetime
import unittest

from botocore.exceptions import ClientError, ParamValidationError

from world_testlib import REGION, WorldTestCase, cluster_arn

ROLE = "arn:aws:iam::123456789012:role/service-role/AWSBackupDefaultServiceRole"


class BackupApiTest(WorldTestCase):
    def setUp(self):
        super().setUp()
        self.backup = self.client("backup")
        self.rds = self.client("rds")
        self.admin.seed(clusters=[{"id": "db1"}, {"id": "db2"}])
        self.backup.create_backup_vault(BackupVaultName="vault-a")

    def start_job(self, cluster="db1", vault="vault-a", **kw):
        return self.backup.start_backup_job(BackupVaultName=vault, ResourceArn=cluster_arn(cluster),
                                            IamRoleArn=ROLE, **kw)

    def assertNoRecoveryPoint(self, vault, arn):
        """DescribeRecoveryPoint of `arn` in `vault` is ResourceNotFoundException (400)."""
        with self.assertAwsRaises("ResourceNotFoundException", 400):
            self.backup.describe_recovery_point(BackupVaultName=vault, RecoveryPointArn=arn)

    def rds_snapshot_ids(self, cluster="db1"):
        snaps = self.rds.describe_db_cluster_snapshots(DBClusterIdentifier=cluster)
        return [s["DBClusterSnapshotIdentifier"] for s in snaps["DBClusterSnapshots"]]

    # StartBackupJob / DescribeBackupJob

    def test_start_backup_job_creates_awsbackup_cluster_snapshot(self):
        job = self.start_job()
        snap_id = job["RecoveryPointArn"].split(":cluster-snapshot:")[1]
        self.assertTrue(snap_id.startswith("awsbackup:job-"))
        self.assertEqual(job["RecoveryPointArn"],
                         f"arn:aws:rds:{REGION}:123456789012:cluster-snapshot:{snap_id}")
        self.assertIn(snap_id, self.rds_snapshot_ids())
        snap = self.rds.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier=snap_id)
        self.assertEqual(snap["DBClusterSnapshots"][0]["SnapshotType"], "manual")

    def test_describe_backup_job_reports_completed_job(self):
        job = self.start_job()
        desc = self.backup.describe_backup_job(BackupJobId=job["BackupJobId"])
        self.assertEqual(desc["State"], "COMPLETED")
        self.assertEqual(desc["RecoveryPointArn"], job["RecoveryPointArn"])
        self.assertEqual(desc["ResourceArn"], cluster_arn("db1"))
        self.assertEqual(desc["BackupVaultName"], "vault-a")

    def test_start_backup_job_with_same_idempotency_token_returns_same_job(self):
        a = self.start_job(IdempotencyToken="tok-1")
        b = self.start_job(IdempotencyToken="tok-1")
        self.assertEqual(a["BackupJobId"], b["BackupJobId"])
        self.assertEqual(len([s for s in self.rds_snapshot_ids() if s.startswith("awsbackup:")]), 1)

    def test_start_backup_job_in_unknown_vault_is_resource_not_found(self):
        with self.assertAwsRaises("ResourceNotFoundException", 400):
            self.start_job(vault="nope")

    def test_start_backup_job_for_unknown_cluster_is_resource_not_found(self):
        with self.assertAwsRaises("ResourceNotFoundException", 400):
            self.start_job(cluster="ghost")

    def test_start_backup_job_for_non_cluster_arn_is_invalid_parameter(self):
        with self.assertAwsRaises("InvalidParameterValueException", 400):
            self.backup.start_backup_job(BackupVaultName="vault-a", IamRoleArn=ROLE,
                                         ResourceArn="arn:aws:s3:::bucket")

    def test_start_backup_job_with_short_start_window_is_invalid_parameter(self):
        with self.assertAwsRaises("InvalidParameterValueException", 400):
            self.start_job(StartWindowMinutes=10)

    def test_describe_unknown_backup_job_is_resource_not_found(self):
        with self.assertAwsRaises("ResourceNotFoundException", 400):
            self.backup.describe_backup_job(BackupJobId="00000000-0000-0000-0000-000000000000")

    def test_error_carries_request_id_and_error_type_header(self):
        with self.assertRaises(ClientError) as ctx:
            self.backup.describe_backup_job(BackupJobId="missing")
        meta = ctx.exception.response["ResponseMetadata"]
        self.assertEqual(meta["HTTPHeaders"]["x-amzn-errortype"], "ResourceNotFoundException")
        self.assertTrue(meta["RequestId"])

    # DescribeRecoveryPoint

    def test_describe_recovery_point_returns_fields(self):
        job = self.start_job(Lifecycle={"DeleteAfterDays": 35})
        rp = self.backup.describe_recovery_point(BackupVaultName="vault-a",
                                                 RecoveryPointArn=job["RecoveryPointArn"])
        self.assertEqual(rp["Status"], "COMPLETED")
        self.assertEqual(rp["ResourceArn"], cluster_arn("db1"))
        self.assertEqual(rp["ResourceType"], "Aurora")
        self.assertEqual(rp["BackupVaultName"], "vault-a")
        self.assertEqual(rp["Lifecycle"]["DeleteAfterDays"], 35)
        self.assertIsInstance(rp["CreationDate"], datetime.datetime)
        self.assertEqual(rp["CalculatedLifecycle"]["DeleteAt"] - rp["CreationDate"],
                         datetime.timedelta(days=35))

    def test_describe_recovery_point_in_other_vault_is_resource_not_found(self):
        job = self.start_job()
        self.backup.create_backup_vault(BackupVaultName="vault-b")
        self.assertNoRecoveryPoint("vault-b", job["RecoveryPointArn"])

    def test_describe_recovery_point_in_unknown_vault_is_resource_not_found(self):
        self.assertNoRecoveryPoint("nope", "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:x")

    # ListRecoveryPointsByResource / ByBackupVault

    def test_list_by_resource_returns_only_that_clusters_points(self):
        a = self.start_job("db1")
        self.start_job("db2")
        points = self.backup.list_recovery_points_by_resource(
            ResourceArn=cluster_arn("db1"))["RecoveryPoints"]
        self.assertEqual([p["RecoveryPointArn"] for p in points], [a["RecoveryPointArn"]])
        self.assertEqual(points[0]["BackupVaultName"], "vault-a")
        self.assertNotIn("ResourceArn", points[0])

    def test_list_by_resource_of_cluster_without_points_is_empty(self):
        points = self.backup.list_recovery_points_by_resource(ResourceArn=cluster_arn("db2"))
        self.assertEqual(points["RecoveryPoints"], [])

    def test_list_by_resource_pages_with_next_token(self):
        self.admin.seed(snapshots=[{"cluster": "db1", "origin": "awsbackup", "vault": "vault-a",
                                    "created": 1700000000 + i * 60} for i in range(7)])
        seen, calls, token = [], 0, None
        while True:
            kw = {"ResourceArn": cluster_arn("db1"), "MaxResults": 3}
            if token:
                kw["NextToken"] = token
            page = self.backup.list_recovery_points_by_resource(**kw)
            calls += 1
            self.assertLessEqual(len(page["RecoveryPoints"]), 3)
            seen += [p["RecoveryPointArn"] for p in page["RecoveryPoints"]]
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual(calls, 3)
        self.assertEqual(len(set(seen)), 7)

    def test_list_by_resource_with_paginator(self):
        self.admin.seed(snapshots=[{"cluster": "db1", "origin": "awsbackup", "vault": "vault-a"}
                                   for _ in range(5)])
        pages = list(self.backup.get_paginator("list_recovery_points_by_resource").paginate(
            ResourceArn=cluster_arn("db1"), PaginationConfig={"PageSize": 2}))
        self.assertEqual(len(pages), 3)
        self.assertEqual(sum(len(p["RecoveryPoints"]) for p in pages), 5)

    def test_list_with_max_results_out_of_range_is_invalid_parameter(self):
        with self.assertAwsRaises("InvalidParameterValueException", 400):
            self.backup.list_recovery_points_by_resource(ResourceArn=cluster_arn("db1"),
                                                         MaxResults=1001)

    def test_list_with_garbage_next_token_is_invalid_parameter(self):
        with self.assertAwsRaises("InvalidParameterValueException", 400):
            self.backup.list_recovery_points_by_backup_vault(BackupVaultName="vault-a",
                                                             NextToken="!!not-a-token")
        with self.assertAwsRaises("InvalidParameterValueException", 400):  # valid base64, wrong content
            self.backup.list_recovery_points_by_backup_vault(BackupVaultName="vault-a",
                                                             NextToken="ImFiYyI=")

    def test_list_by_vault_filters_and_pages(self):
        self.backup.create_backup_vault(BackupVaultName="vault-b")
        self.admin.seed(snapshots=[{"cluster": "db1", "origin": "awsbackup", "vault": "vault-a",
                                    "created": 1700000000 + i * 3600} for i in range(5)]
                        + [{"cluster": "db2", "origin": "awsbackup", "vault": "vault-a"},
                           {"cluster": "db2", "origin": "awsbackup", "vault": "vault-b"}])
        pages = list(self.backup.get_paginator("list_recovery_points_by_backup_vault").paginate(
            BackupVaultName="vault-a", PaginationConfig={"PageSize": 4}))
        self.assertEqual(len(pages), 2)
        items = [p for page in pages for p in page["RecoveryPoints"]]
        self.assertEqual(len(items), 6)
        self.assertTrue(all(p["BackupVaultName"] == "vault-a" for p in items))
        only_db2 = self.backup.list_recovery_points_by_backup_vault(
            BackupVaultName="vault-a", ByResourceArn=cluster_arn("db2"))["RecoveryPoints"]
        self.assertEqual([p["ResourceArn"] for p in only_db2], [cluster_arn("db2")])
        early = self.backup.list_recovery_points_by_backup_vault(
            BackupVaultName="vault-a",
            ByCreatedBefore=datetime.datetime(2023, 11, 15, 0, 0, tzinfo=datetime.timezone.utc),
        )["RecoveryPoints"]
        self.assertEqual(len(early), 2)  # created 22:13:20 and 23:13:20 UTC
        late = self.backup.list_recovery_points_by_backup_vault(
            BackupVaultName="vault-a",
            ByCreatedAfter=datetime.datetime(2023, 11, 15, 0, 0, tzinfo=datetime.timezone.utc),
        )["RecoveryPoints"]
        self.assertEqual(len(late), 4)

    def test_list_by_unknown_vault_is_resource_not_found(self):
        with self.assertAwsRaises("ResourceNotFoundException", 400):
            self.backup.list_recovery_points_by_backup_vault(BackupVaultName="nope")

    def test_vault_calls_count_recovery_points(self):
        self.start_job()
        self.start_job()
        vault = self.backup.describe_backup_vault(BackupVaultName="vault-a")
        self.assertEqual(vault["NumberOfRecoveryPoints"], 2)
        names = [v["BackupVaultName"] for v in self.backup.list_backup_vaults()["BackupVaultList"]]
        self.assertIn("vault-a", names)

    # DeleteRecoveryPoint and the link to RDS

    def test_delete_recovery_point_removes_rds_snapshot(self):
        job = self.start_job()
        snap_id = job["RecoveryPointArn"].split(":cluster-snapshot:")[1]
        self.backup.delete_recovery_point(BackupVaultName="vault-a",
                                          RecoveryPointArn=job["RecoveryPointArn"])
        self.assertNotIn(snap_id, self.rds_snapshot_ids())
        self.assertNoRecoveryPoint("vault-a", job["RecoveryPointArn"])

    def test_delete_unknown_recovery_point_is_resource_not_found(self):
        with self.assertAwsRaises("ResourceNotFoundException", 400):
            self.backup.delete_recovery_point(
                BackupVaultName="vault-a",
                RecoveryPointArn=("arn:aws:rds:us-east-1:123456789012:cluster-snapshot:"
                                  "awsbackup:job-x"))

    def test_rds_refuses_to_delete_awsbackup_snapshot(self):
        job = self.start_job()
        snap_id = job["RecoveryPointArn"].split(":cluster-snapshot:")[1]
        with self.assertAwsRaises("InvalidDBClusterSnapshotStateFault", 400):
            self.rds.delete_db_cluster_snapshot(DBClusterSnapshotIdentifier=snap_id)
        self.assertIn(snap_id, self.rds_snapshot_ids())

    def test_seeded_awsbackup_snapshot_is_a_recovery_point(self):
        seeded = self.admin.seed(snapshots=[{"cluster": "db2", "origin": "awsbackup",
                                             "vault": "vault-a", "type": "awsbackup"}])
        arn = seeded["recovery_points"][0]
        points = self.backup.list_recovery_points_by_resource(ResourceArn=cluster_arn("db2"))
        self.assertEqual([p["RecoveryPointArn"] for p in points["RecoveryPoints"]], [arn])
        snap = self.rds.describe_db_cluster_snapshots(DBClusterIdentifier="db2")
        self.assertEqual(snap["DBClusterSnapshots"][0]["SnapshotType"], "awsbackup")

    def test_recovery_point_creation_date_follows_backdated_snapshot(self):
        job = self.start_job()
        snap_id = job["RecoveryPointArn"].split(":cluster-snapshot:")[1]
        self.admin.backdate(snap_id, created="2024-03-01T12:00:00Z")
        rp = self.backup.describe_recovery_point(BackupVaultName="vault-a",
                                                 RecoveryPointArn=job["RecoveryPointArn"])
        self.assertEqual(rp["CreationDate"],
                         datetime.datetime(2024, 3, 1, 12, 0, tzinfo=datetime.timezone.utc))

    def test_vault_lock_refuses_delete_inside_minimum_retention(self):
        job = self.start_job()
        self.admin.vault_lock("vault-a", min_retention_days=7)
        with self.assertAwsRaises("InvalidRequestException", 400):
            self.backup.delete_recovery_point(BackupVaultName="vault-a",
                                              RecoveryPointArn=job["RecoveryPointArn"])
        snap_id = job["RecoveryPointArn"].split(":cluster-snapshot:")[1]
        self.assertIn(snap_id, self.rds_snapshot_ids())

    def test_vault_lock_allows_delete_after_minimum_retention(self):
        job = self.start_job()
        self.backup.put_backup_vault_lock_configuration(BackupVaultName="vault-a",
                                                        MinRetentionDays=7)
        snap_id = job["RecoveryPointArn"].split(":cluster-snapshot:")[1]
        with self.assertAwsRaises("InvalidRequestException", 400):
            self.backup.delete_recovery_point(BackupVaultName="vault-a",
                                              RecoveryPointArn=job["RecoveryPointArn"])
        self.assertTrue(self.backup.describe_backup_vault(BackupVaultName="vault-a")["Locked"])
        self.admin.backdate(snap_id, age_days=8)
        self.backup.delete_recovery_point(BackupVaultName="vault-a",
                                          RecoveryPointArn=job["RecoveryPointArn"])
        self.assertNotIn(snap_id, self.rds_snapshot_ids())

    def test_expired_trap_answers_200_but_keeps_snapshot_and_marks_expired(self):
        job = self.start_job()
        self.admin.expire_trap(job["RecoveryPointArn"])
        resp = self.backup.delete_recovery_point(BackupVaultName="vault-a",
                                                 RecoveryPointArn=job["RecoveryPointArn"])
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 200)
        rp = self.backup.describe_recovery_point(BackupVaultName="vault-a",
                                                 RecoveryPointArn=job["RecoveryPointArn"])
        self.assertEqual(rp["Status"], "EXPIRED")
        snap_id = job["RecoveryPointArn"].split(":cluster-snapshot:")[1]
        self.assertIn(snap_id, self.rds_snapshot_ids())

    def test_missing_required_field_is_rejected_by_the_sdk_model(self):
        with self.assertRaises(ParamValidationError):
            self.backup.start_backup_job(BackupVaultName="vault-a", ResourceArn=cluster_arn("db1"))


if __name__ == "__main__":
    unittest.main()
