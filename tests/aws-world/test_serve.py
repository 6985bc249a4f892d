"""serve.py and the module API: READY line, SIGTERM, several worlds at once."""

import os
import signal
import subprocess
import sys
import unittest

from world_testlib import DUMMY, HERE, REGION  # noqa: F401  (sets the loopback-only env)

import boto3

from aws_world import World, WorldAdmin


def rds_client(url):
    return boto3.client("rds", endpoint_url=url, region_name=REGION,
                        aws_access_key_id=DUMMY["AccessKeyId"],
                        aws_secret_access_key=DUMMY["SecretAccessKey"])


class ServeTest(unittest.TestCase):
    def test_serve_prints_ready_serves_and_stops_on_sigterm(self):
        proc = subprocess.Popen([sys.executable, os.path.join(HERE, "serve.py"), "--port", "0"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            line = proc.stdout.readline()
            self.assertRegex(line, r"^READY http://127\.0\.0\.1:\d+\n$")
            url = line.split()[1]
            WorldAdmin(url).seed(clusters=[{"id": "served"}])
            clusters = rds_client(url).describe_db_clusters()["DBClusters"]
            self.assertEqual([c["DBClusterIdentifier"] for c in clusters], ["served"])
            proc.send_signal(signal.SIGTERM)
            self.assertEqual(proc.wait(timeout=20), 0)
            self.assertEqual(proc.stdout.read(), "")
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()
            proc.stderr.close()

    def test_serve_with_auth_refuses_unsigned_credentials(self):
        with World(subprocess=True, auth=True) as w:
            with self.assertRaises(Exception) as ctx:
                rds_client(w.url).describe_db_clusters()
            self.assertEqual(ctx.exception.response["Error"]["Code"], "InvalidClientTokenId")
            creds = w.admin.credentials()
            rds = boto3.client("rds", endpoint_url=w.url, region_name=REGION,
                               aws_access_key_id=creds["AccessKeyId"],
                               aws_secret_access_key=creds["SecretAccessKey"])
            rds.describe_db_clusters()

    def test_two_subprocess_worlds_are_independent(self):
        with World(subprocess=True) as a, World(subprocess=True) as b:
            self.assertNotEqual(a.url, b.url)
            a.admin.seed(clusters=[{"id": "only-in-a"}])
            self.assertEqual(len(rds_client(a.url).describe_db_clusters()["DBClusters"]), 1)
            self.assertEqual(rds_client(b.url).describe_db_clusters()["DBClusters"], [])

    def test_in_process_world_exposes_backends_and_allows_one_per_process(self):
        with World() as w:
            w.admin.seed(clusters=[{"id": "direct"}])
            self.assertIn("direct", w.rds().clusters)
            with self.assertRaises(RuntimeError):
                World().start()
            with World(subprocess=True) as other:
                self.assertEqual(rds_client(other.url).describe_db_clusters()["DBClusters"], [])
        with World() as again:  # the slot is free after stop()
            self.assertTrue(again.admin.health()["ok"])


if __name__ == "__main__":
    unittest.main()
