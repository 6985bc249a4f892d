"""Fault injection: throttles, 5xx, delays, dropped connections, cut bodies; the request log."""

import unittest

import botocore.exceptions
from botocore.exceptions import ClientError

from world_testlib import WorldTestCase, cluster_arn


class FaultTest(WorldTestCase):
    def setUp(self):
        super().setUp()
        self.admin.seed(clusters=[{"id": "db1"}])
        self.admin.clear_requests()

    def log(self, action=None):
        return [r for r in self.admin.requests() if action is None or r["action"] == action]

    def list_points(self, retries=1):
        """ListRecoveryPointsByResource of db1: these tests' AWS Backup (REST-JSON) call."""
        return self.client("backup", retries=retries).list_recovery_points_by_resource(
            ResourceArn=cluster_arn("db1"))

    def assert_backup_fault_retried(self, kind, count):
        """`count` faults of `kind` on AWS Backup, then a call allowed one retry more succeeds after
        exactly `count` retries."""
        self.admin.add_faults({"kind": kind, "service": "backup", "count": count})
        resp = self.list_points(retries=count + 1)
        self.assertEqual(resp["ResponseMetadata"]["RetryAttempts"], count)

    def test_rds_throttle_is_retried_by_boto3_and_succeeds(self):
        self.admin.add_faults({"kind": "throttle", "service": "rds", "count": 1})
        rds = self.client("rds", retries=3)
        resp = rds.describe_db_clusters()
        self.assertEqual(resp["ResponseMetadata"]["RetryAttempts"], 1)
        statuses = [r["status"] for r in self.log("DescribeDBClusters")]
        self.assertEqual(statuses, [400, 200])

    def test_rds_throttle_is_throttling_400_xml(self):
        self.admin.add_faults({"kind": "throttle", "service": "rds",
                               "action": "DescribeDBClusters"})
        with self.assertAwsRaises("Throttling", 400) as ctx:
            self.client("rds").describe_db_clusters()
        self.assertEqual(ctx.exception.response["Error"]["Message"], "Rate exceeded")
        self.assertEqual(ctx.exception.response["Error"]["Type"], "Sender")

    def test_backup_throttle_is_throttling_exception_400_json(self):
        self.admin.add_faults({"kind": "throttle", "service": "backup"})
        with self.assertAwsRaises("ThrottlingException", 400):
            self.list_points()

    def test_backup_throttle_is_retried_and_succeeds(self):
        self.assert_backup_fault_retried("throttle", 2)

    def test_sts_throttle_is_throttling(self):
        self.admin.add_faults({"kind": "throttle", "service": "sts"})
        with self.assertAwsRaises("Throttling", 400):
            self.client("sts").get_caller_identity()

    def test_500_and_503_are_returned_then_retried(self):
        self.admin.add_faults({"kind": "500", "service": "rds", "count": 1},
                              {"kind": "503", "service": "rds", "count": 1})
        with self.assertAwsRaises("InternalFailure", 500):
            self.client("rds").describe_db_clusters()
        with self.assertAwsRaises("ServiceUnavailable", 503):
            self.client("rds").describe_db_clusters()
        self.assert_backup_fault_retried("503", 1)

    def test_delay_longer_than_read_timeout_times_out(self):
        self.admin.add_faults({"kind": "delay", "service": "rds", "delay_ms": 1000})
        rds = self.client("rds", read_timeout=0.3, connect_timeout=2)
        with self.assertRaises(botocore.exceptions.ReadTimeoutError):
            rds.describe_db_clusters()

    def test_delayed_request_still_succeeds(self):
        self.admin.add_faults({"kind": "delay", "service": "rds", "delay_ms": 50})
        self.client("rds").describe_db_clusters()
        entry = self.log("DescribeDBClusters")[0]
        self.assertEqual((entry["fault"], entry["status"]), ("delay", 200))

    def test_dropped_connection_is_a_connection_error(self):
        self.admin.add_faults({"kind": "drop", "service": "rds"})
        with self.assertRaises(botocore.exceptions.ConnectionClosedError):
            self.client("rds").describe_db_clusters()
        entry = self.log("DescribeDBClusters")[0]
        self.assertEqual((entry["fault"], entry["status"]), ("drop", 0))

    def test_dropped_connection_is_retried(self):
        self.assert_backup_fault_retried("drop", 1)

    def test_cut_body_is_a_client_error(self):
        self.admin.add_faults({"kind": "cut", "service": "rds"})
        with self.assertRaises(botocore.exceptions.BotoCoreError):
            self.client("rds").describe_db_clusters()
        self.assertEqual(self.log("DescribeDBClusters")[0]["fault"], "cut")

    def test_fault_matches_only_its_action(self):
        self.admin.add_faults({"kind": "500", "action": "DescribeDBClusterSnapshots", "count": 1})
        rds = self.client("rds")
        rds.describe_db_clusters()
        with self.assertRaises(ClientError):
            rds.describe_db_cluster_snapshots()
        rds.describe_db_cluster_snapshots()

    def test_probability_one_hits_every_request_and_zero_none(self):
        self.admin.add_faults({"kind": "500", "service": "kms", "probability": 1.0})
        kms = self.client("kms")
        for _ in range(3):
            with self.assertRaises(ClientError):
                kms.list_keys()
        self.admin.clear_faults()
        self.admin.add_faults({"kind": "500", "service": "kms", "probability": 0.0})
        kms.list_keys()
        self.assertEqual(self.admin.faults()[0]["applied"], 0)

    def test_probability_share_is_seeded_and_partial(self):
        self.admin.add_faults({"kind": "500", "service": "sts", "probability": 0.5, "seed": 7})
        sts = self.client("sts")
        failures = 0
        for _ in range(40):
            try:
                sts.get_caller_identity()
            except ClientError:
                failures += 1
        self.assertGreater(failures, 0)
        self.assertLess(failures, 40)
        self.assertEqual(self.admin.faults()[0]["applied"], failures)

    def test_request_log_records_service_action_method_path_status(self):
        self.client("rds").describe_db_clusters()
        self.list_points()
        self.client("s3").list_buckets()
        log = self.admin.requests()
        self.assertEqual([(r["service"], r["action"], r["method"], r["status"]) for r in log],
                         [("rds", "DescribeDBClusters", "POST", 200),
                          ("backup", "ListRecoveryPointsByResource", "GET", 200),
                          ("s3", None, "GET", 200)])
        self.assertEqual(log[1]["path"], "/resources/arn%3Aaws%3Ards%3Aus-east-1%3A123456789012"
                                         "%3Acluster%3Adb1/recovery-points/")
        self.assertIsInstance(log[0]["time"], float)
        self.admin.clear_requests()
        self.assertEqual(self.admin.requests(), [])

    def test_bad_fault_kind_is_refused(self):
        from aws_world import WorldAdminError

        with self.assertRaises(WorldAdminError) as ctx:
            self.admin.add_faults({"kind": "explode"})
        self.assertEqual(ctx.exception.status, 400)


if __name__ == "__main__":
    unittest.main()
