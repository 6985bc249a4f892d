"""RDS behaviour the world adds over moto: AWS's quota rule, paging, SnapshotType, backdating."""

import datetime
import unittest

from world_testlib import WorldTestCase

UTC = datetime.timezone.utc


class RdsWorldTest(WorldTestCase):
    def setUp(self):
        super().setUp()
        self.rds = self.client("rds")

    def create(self, snapshot_id, cluster="db1"):
        return self.rds.create_db_cluster_snapshot(DBClusterIdentifier=cluster,
                                                   DBClusterSnapshotIdentifier=snapshot_id)

    def snapshots(self, **kw):
        return self.rds.describe_db_cluster_snapshots(**kw)["DBClusterSnapshots"]

    # quota

    def test_manual_snapshots_over_quota_fail_with_snapshot_quota_exceeded(self):
        self.admin.seed(clusters=[{"id": "db1"}])
        self.admin.quota(limit=2)
        self.create("m1")
        self.create("m2")
        with self.assertAwsRaises("SnapshotQuotaExceeded", 400):
            self.create("m3")
        with self.assertAwsRaises("SnapshotQuotaExceeded", 400):
            self.rds.copy_db_cluster_snapshot(SourceDBClusterSnapshotIdentifier="m1",
                                              TargetDBClusterSnapshotIdentifier="m1-copy")

    def test_awsbackup_continuous_and_automated_snapshots_do_not_count(self):
        self.admin.seed(clusters=[{"id": "db1"}], snapshots=(
            [{"cluster": "db1", "origin": "awsbackup", "vault": "v"} for _ in range(3)]
            + [{"cluster": "db1", "origin": "continuous", "vault": "v"}]
            + [{"cluster": "db1", "origin": "automated", "created": f"2026-01-0{d}T05:00:00Z"}
               for d in range(1, 4)]
            + [{"cluster": "db1", "origin": "foreign", "id": "someone-elses"}]))
        self.admin.quota(limit=2)
        counts = self.admin.quota()["regions"]["us-east-1"]
        self.assertEqual(counts["counted"], 1)
        self.assertEqual(counts["awsbackup"], 3)
        self.assertEqual(counts["automated"], 3)
        self.assertEqual(counts["continuous"], 1)
        self.create("m1")
        with self.assertAwsRaises("SnapshotQuotaExceeded", 400):
            self.create("m2")

    def test_default_quota_is_100_and_existing_identifier_is_already_exists(self):
        self.assertEqual(self.admin.quota()["limit"], 100)
        self.admin.seed(clusters=[{"id": "db1"}], snapshots=[
            {"cluster": "db1", "origin": "agent", "id": f"s{i}"} for i in range(100)])
        with self.assertAwsRaises("DBClusterSnapshotAlreadyExistsFault", 400):
            self.create("s5")
        with self.assertAwsRaises("SnapshotQuotaExceeded", 400):
            self.create("s100")

    def test_quota_is_per_region(self):
        self.admin.seed(clusters=[{"id": "db1"}],
                        snapshots=[{"cluster": "db1", "origin": "agent", "id": "s1"}])
        self.admin.quota(limit=1)
        west = self.client("rds", region_name="us-west-2")
        key = self.client("kms", region_name="us-west-2").create_key()["KeyMetadata"]["Arn"]
        west.copy_db_cluster_snapshot(
            SourceDBClusterSnapshotIdentifier=(
                "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:s1"),
            TargetDBClusterSnapshotIdentifier="s1-copy", KmsKeyId=key)
        regions = self.admin.quota()["regions"]
        self.assertEqual((regions["us-east-1"]["counted"], regions["us-west-2"]["counted"]), (1, 1))
        with self.assertAwsRaises("SnapshotQuotaExceeded", 400):
            west.copy_db_cluster_snapshot(
                SourceDBClusterSnapshotIdentifier=(
                    "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:s1"),
                TargetDBClusterSnapshotIdentifier="s1-copy2", KmsKeyId=key)

    def test_deleting_frees_quota(self):
        self.admin.seed(clusters=[{"id": "db1"}])
        self.admin.quota(limit=1)
        self.create("m1")
        self.rds.delete_db_cluster_snapshot(DBClusterSnapshotIdentifier="m1")
        self.create("m2")

    # deletes RDS refuses

    def test_automated_snapshot_cannot_be_deleted(self):
        out = self.admin.seed(clusters=[{"id": "db1"}],
                              snapshots=[{"cluster": "db1", "origin": "automated"}])
        with self.assertAwsRaises("InvalidDBClusterSnapshotStateFault", 400):
            self.rds.delete_db_cluster_snapshot(DBClusterSnapshotIdentifier=out["snapshots"][0])

    def test_seeded_awsbackup_snapshot_cannot_be_deleted_through_rds(self):
        out = self.admin.seed(clusters=[{"id": "db1"}],
                              snapshots=[{"cluster": "db1", "origin": "awsbackup", "vault": "v"}])
        with self.assertAwsRaises("InvalidDBClusterSnapshotStateFault", 400):
            self.rds.delete_db_cluster_snapshot(DBClusterSnapshotIdentifier=out["snapshots"][0])

    def test_restore_to_an_existing_cluster_name_is_already_exists(self):
        self.admin.seed(clusters=[{"id": "db1"}, {"id": "taken"}])
        self.create("s1")
        with self.assertAwsRaises("DBClusterAlreadyExistsFault", 400):
            self.rds.restore_db_cluster_from_snapshot(DBClusterIdentifier="taken", SnapshotIdentifier="s1",
                                                      Engine="aurora-postgresql")
        with self.assertAwsRaises("DBClusterAlreadyExistsFault", 400):
            self.rds.restore_db_cluster_to_point_in_time(DBClusterIdentifier="taken",
                                                         SourceDBClusterIdentifier="db1",
                                                         UseLatestRestorableTime=True)

    def test_unknown_snapshot_delete_is_not_found(self):
        with self.assertAwsRaises("DBClusterSnapshotNotFoundFault", 404):
            self.rds.delete_db_cluster_snapshot(DBClusterSnapshotIdentifier="nope")

    # cluster status

    def test_snapshot_of_unavailable_cluster_is_invalid_cluster_state(self):
        self.admin.seed(clusters=[{"id": "db1"}])
        self.admin.set_cluster_status("db1", "backing-up")
        cluster = self.rds.describe_db_clusters(DBClusterIdentifier="db1")["DBClusters"][0]
        self.assertEqual(cluster["Status"], "backing-up")
        with self.assertAwsRaises("InvalidDBClusterStateFault", 400):
            self.create("m1")

    def test_seeded_cluster_carries_window_encryption_and_tags(self):
        self.admin.seed(clusters=[{
            "id": "db1", "backup_window": "23:45-00:15", "encrypted": True,
            "kms_key_id": "arn:aws:kms:us-east-1:123456789012:key/k1",
            "tags": {"env": "prod"}, "engine": "aurora-mysql", "retention": 7}])
        c = self.rds.describe_db_clusters(DBClusterIdentifier="db1")["DBClusters"][0]
        self.assertEqual(c["PreferredBackupWindow"], "23:45-00:15")
        self.assertTrue(c["StorageEncrypted"])
        self.assertEqual(c["KmsKeyId"], "arn:aws:kms:us-east-1:123456789012:key/k1")
        self.assertEqual(c["TagList"], [{"Key": "env", "Value": "prod"}])
        self.assertEqual(c["Engine"], "aurora-mysql")
        self.assertEqual(c["BackupRetentionPeriod"], 7)
        self.assertEqual(c["Status"], "available")

    # SnapshotType, TagList, backdating

    def test_snapshot_types_and_tags_by_origin(self):
        self.admin.seed(clusters=[{"id": "db1"}], snapshots=[
            {"cluster": "db1", "origin": "agent", "id": "aba-db1-1",
             "tags": {"aurora-backup:policy": "p"}},
            {"cluster": "db1", "origin": "foreign", "id": "hand-made"},
            {"cluster": "db1", "origin": "automated", "created": "2026-02-03T04:05:00Z"},
            {"cluster": "db1", "origin": "awsbackup", "vault": "v", "type": "manual"},
            {"cluster": "db1", "origin": "awsbackup", "vault": "v", "type": "awsbackup"},
            {"cluster": "db1", "origin": "continuous", "vault": "v"}])
        snaps = {s["DBClusterSnapshotIdentifier"]: s
                 for s in self.snapshots(DBClusterIdentifier="db1")}
        self.assertEqual(len(snaps), 6)
        self.assertEqual(snaps["rds:db1-2026-02-03-04-05"]["SnapshotType"], "automated")
        self.assertEqual(snaps["hand-made"]["SnapshotType"], "manual")
        self.assertEqual(snaps["hand-made"]["TagList"], [])
        agent_tags = {t["Key"]: t["Value"] for t in snaps["aba-db1-1"]["TagList"]}
        self.assertEqual(agent_tags, {"aurora-backup:policy": "p",
                                      "aurora-backup:managed-by": "aurora-backup-agent"})
        backup_types = sorted(s["SnapshotType"] for k, s in snaps.items()
                              if k.startswith("awsbackup:"))
        self.assertEqual(backup_types, ["awsbackup", "manual"])
        only_auto = self.snapshots(SnapshotType="automated")
        self.assertEqual([s["DBClusterSnapshotIdentifier"] for s in only_auto],
                         ["rds:db1-2026-02-03-04-05"])

    def test_account_attributes_give_the_manual_cluster_snapshot_quota(self):
        self.admin.seed(clusters=[{"id": "db1"}], snapshots=[
            {"cluster": "db1", "origin": "foreign", "id": "m1"},
            {"cluster": "db1", "origin": "awsbackup", "vault": "v"}])
        self.admin.quota(limit=9)
        quotas = {q["AccountQuotaName"]: q for q in self.rds.describe_account_attributes()["AccountQuotas"]}
        self.assertEqual((quotas["ManualClusterSnapshots"]["Used"], quotas["ManualClusterSnapshots"]["Max"]), (1, 9))

    def test_awsbackup_snapshot_type_is_not_a_cluster_snapshot_type(self):
        self.admin.seed(clusters=[{"id": "db1"}],
                        snapshots=[{"cluster": "db1", "origin": "awsbackup", "vault": "v", "type": "awsbackup"}])
        with self.assertAwsRaises("InvalidParameterValue", 400):
            self.snapshots(SnapshotType="awsbackup")
        # The plain listing shows AWS Backup's snapshots.
        self.assertEqual([s["DBClusterSnapshotIdentifier"][:10] for s in self.snapshots()], ["awsbackup:"])

    def test_backdate_sets_snapshot_create_time(self):
        self.admin.seed(clusters=[{"id": "db1"}])
        self.create("m1")
        self.admin.backdate("m1", created="2025-12-31T23:59:00Z")
        s = self.snapshots(DBClusterSnapshotIdentifier="m1")[0]
        self.assertEqual(s["SnapshotCreateTime"],
                         datetime.datetime(2025, 12, 31, 23, 59, tzinfo=UTC))
        self.admin.backdate("m1", age_days=40)
        s = self.snapshots(DBClusterSnapshotIdentifier="m1")[0]
        self.assertGreater(datetime.datetime.now(UTC) - s["SnapshotCreateTime"],
                           datetime.timedelta(days=39))

    def test_describe_by_identifier_and_by_cluster_arn(self):
        self.admin.seed(clusters=[{"id": "db1"}, {"id": "db2"}], snapshots=[
            {"cluster": "db1", "origin": "foreign", "id": "a"},
            {"cluster": "db2", "origin": "foreign", "id": "b"}])
        by_arn = self.snapshots(
            DBClusterIdentifier="arn:aws:rds:us-east-1:123456789012:cluster:db2")
        self.assertEqual([s["DBClusterSnapshotIdentifier"] for s in by_arn], ["b"])
        with self.assertAwsRaises("DBClusterSnapshotNotFoundFault", 404):
            self.rds.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier="zzz")
        with self.assertAwsRaises("DBClusterNotFoundFault", 404):
            self.rds.describe_db_clusters(DBClusterIdentifier="zzz")

    def test_fast_snapshot_xml_parses_like_motos_serializer(self):
        import world_rds

        self.admin.seed(
            clusters=[{"id": "db1", "encrypted": True, "created": "2025-01-01T00:00:00Z"},
                      {"id": "db2", "engine": "aurora-mysql", "created": "2025-01-02T00:00:00Z"}],
            snapshots=[{"cluster": "db1", "origin": "agent", "id": "a1",
                        "created": "2026-01-01T01:02:03Z", "tags": {"k": "v & <w>"}},
                       {"cluster": "db2", "origin": "foreign", "id": "f1",
                        "created": "2026-01-02T00:00:00Z", "status": "creating"},
                       {"cluster": "db1", "origin": "automated", "created": "2026-01-03T00:00:00Z"},
                       {"cluster": "db2", "origin": "awsbackup", "vault": "v", "type": "awsbackup",
                        "created": "2026-01-04T00:00:00Z"}])
        self.assertTrue(world_rds.STATE.fast_snapshot_xml)
        fast = self.snapshots(MaxRecords=20)
        world_rds.STATE.fast_snapshot_xml = False
        try:
            slow = self.snapshots(MaxRecords=20)
        finally:
            world_rds.STATE.fast_snapshot_xml = True
        for s in fast:
            # The world adds what AWS sends and moto leaves out.
            self.assertTrue(s.pop("DbClusterResourceId").startswith("cluster-"))
        self.assertEqual(fast, slow)

    # paging

    def test_describe_db_clusters_pages_with_marker(self):
        self.admin.seed(clusters=[{"id": f"c{i:03d}"} for i in range(250)])
        ids, calls, marker = [], 0, None
        while True:
            kw = {"MaxRecords": 100}
            if marker:
                kw["Marker"] = marker
            page = self.rds.describe_db_clusters(**kw)
            calls += 1
            ids += [c["DBClusterIdentifier"] for c in page["DBClusters"]]
            marker = page.get("Marker")
            if not marker:
                break
        self.assertEqual(calls, 3)
        self.assertEqual(ids, [f"c{i:03d}" for i in range(250)])

    def test_exact_multiple_of_page_size_needs_no_extra_call(self):
        self.admin.seed(clusters=[{"id": f"c{i:03d}"} for i in range(200)])
        first = self.rds.describe_db_clusters(MaxRecords=100)
        second = self.rds.describe_db_clusters(MaxRecords=100, Marker=first["Marker"])
        self.assertEqual(len(second["DBClusters"]), 100)
        self.assertNotIn("Marker", second)

    def test_describe_db_cluster_snapshots_pages_with_paginator(self):
        self.admin.seed(clusters=[{"id": "db1"}], snapshots=[
            {"cluster": "db1", "origin": "foreign", "id": f"s{i:02d}"} for i in range(45)])
        pages = list(self.rds.get_paginator("describe_db_cluster_snapshots").paginate(
            PaginationConfig={"PageSize": 20}))
        self.assertEqual([len(p["DBClusterSnapshots"]) for p in pages], [20, 20, 5])
        default = self.rds.describe_db_cluster_snapshots()
        self.assertEqual(len(default["DBClusterSnapshots"]), 45)
        self.assertNotIn("Marker", default)

    def test_max_records_out_of_range_is_invalid_parameter(self):
        for bad in (19, 101):
            with self.assertAwsRaises("InvalidParameterValue", 400):
                self.rds.describe_db_clusters(MaxRecords=bad)


if __name__ == "__main__":
    unittest.main()
