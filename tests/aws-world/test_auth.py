"""Signature checking (--auth): issued credentials, STS session credentials, bad signatures,
and a raw SigV4 client that signs like the C agent (double-encoded Backup ARN paths)."""

import json
import re
import unittest
import urllib.error
import urllib.parse
import urllib.request

from botocore.exceptions import ClientError

import rawsig
from world_testlib import DUMMY, WorldTestCase, cluster_arn

class RawSignerTest(unittest.TestCase):
    """The raw signer itself must match AWS's published known answer."""

    def test_get_vanilla_known_answer(self):
        headers = rawsig.sign("GET", "http://example.amazonaws.com/", {}, b"", "AKIDEXAMPLE",
                              "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1", "service",
                              "20150830T123600Z")
        self.assertTrue(headers["Authorization"].endswith(
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"))

    def test_canonical_uri_encodes_encoded_arn_again(self):
        self.assertEqual(rawsig.canonical_uri("/backup-vaults/v/recovery-points/arn%3Aaws%3Ax"),
                         "/backup-vaults/v/recovery-points/arn%253Aaws%253Ax")
        self.assertEqual(rawsig.canonical_uri("/resources/a%3Ab/recovery-points/"),
                         "/resources/a%253Ab/recovery-points/")


class AuthOnTest(WorldTestCase):
    auth = True

    def setUp(self):
        super().setUp()
        self.creds = self.admin.credentials()
        self.admin.seed(clusters=[{"id": "db1"}])
        self.admin.clear_requests()

    def test_issued_credentials_are_accepted_by_rds_and_backup(self):
        self.client("rds", self.creds).describe_db_clusters()
        backup = self.client("backup", self.creds)
        backup.create_backup_vault(BackupVaultName="v1")
        backup.list_recovery_points_by_resource(ResourceArn=cluster_arn("db1"))

    def assertRefused(self, creds, rds_code, backup_code):
        """A call signed with `creds` is refused with a 403 by RDS (Query, XML) and by AWS Backup (REST,
        JSON), each with its own code."""
        with self.assertAwsRaises(rds_code, 403):
            self.client("rds", creds).describe_db_clusters()
        with self.assertAwsRaises(backup_code, 403):
            self.client("backup", creds).list_recovery_points_by_resource(
                ResourceArn=cluster_arn("db1"))

    def test_unknown_access_key_is_refused(self):
        self.assertRefused(DUMMY, "InvalidClientTokenId", "UnrecognizedClientException")

    def test_wrong_secret_is_signature_does_not_match(self):
        bad = dict(self.creds, SecretAccessKey="wrong" + self.creds["SecretAccessKey"])
        self.assertRefused(bad, "SignatureDoesNotMatch", "InvalidSignatureException")

    def test_sts_session_credentials_are_accepted_and_token_checked(self):
        sts = self.client("sts", self.creds)
        resp = sts.assume_role(RoleArn=self.creds["RoleArn"], RoleSessionName="world-test")
        session = resp["Credentials"]
        self.client("rds", session).describe_db_clusters()
        self.client("backup", session).list_recovery_points_by_resource(
            ResourceArn=cluster_arn("db1"))
        forged = dict(session, SessionToken="forged-token")
        with self.assertRaises(ClientError) as ctx:
            self.client("rds", forged).describe_db_clusters()
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 403)

    def test_unsigned_web_identity_call_issues_accepted_session_credentials(self):
        body = urllib.parse.urlencode({
            "Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15",
            "RoleArn": self.creds["RoleArn"], "RoleSessionName": "web",
            "WebIdentityToken": "token-from-file"}).encode()
        req = urllib.request.Request(self.world.url + "/", data=body, headers={
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(req, timeout=30) as resp:
            out = resp.read().decode()
        session = {k: re.search(f"<{k}>(.*?)</{k}>", out).group(1)
                   for k in ("AccessKeyId", "SecretAccessKey", "SessionToken")}
        self.client("rds", session).describe_db_clusters()
        self.assertEqual(self.admin.requests()[0]["service"], "sts")

    def test_unsigned_rds_call_is_missing_authentication_token(self):
        req = urllib.request.Request(
            self.world.url + "/", data=b"Action=DescribeDBClusters&Version=2014-10-31",
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with self.assertRaises(urllib.error.HTTPError) as ctx:
            opener.open(req, timeout=30)
        self.assertEqual(ctx.exception.code, 403)
        self.assertIn(b"<Code>MissingAuthenticationToken</Code>", ctx.exception.read())
        ctx.exception.close()

    def test_admin_endpoints_need_no_signature(self):
        self.assertTrue(self.admin.health()["auth"])

    # raw client, signing as the C agent does

    def test_raw_rds_form_post_is_accepted(self):
        body = b"Action=DescribeDBClusters&Version=2014-10-31&MaxRecords=20"
        status, headers, out = rawsig.request(
            "POST", self.world.url + "/", body, creds=self.creds, service="rds",
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        self.assertEqual(status, 200, out)
        self.assertIn(b"<DBClusterIdentifier>db1</DBClusterIdentifier>", out)

    def test_raw_rds_tampered_signature_is_signature_does_not_match(self):
        body = b"Action=DescribeDBClusters&Version=2014-10-31"
        status, _, out = rawsig.request(
            "POST", self.world.url + "/", body, creds=self.creds, service="rds", tamper=True,
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        self.assertEqual(status, 403)
        self.assertIn(b"<Code>SignatureDoesNotMatch</Code>", out)

    def test_raw_backup_paths_with_encoded_arns_are_accepted(self):
        backup = self.client("backup", self.creds)
        backup.create_backup_vault(BackupVaultName="v1")
        job = backup.start_backup_job(BackupVaultName="v1", ResourceArn=cluster_arn("db1"),
                                      IamRoleArn="arn:aws:iam::123456789012:role/r")
        rp = urllib.parse.quote(job["RecoveryPointArn"], safe="")
        res = urllib.parse.quote(cluster_arn("db1"), safe="")
        status, headers, out = rawsig.request(
            "GET", f"{self.world.url}/resources/{res}/recovery-points/?maxResults=10",
            creds=self.creds, service="backup")
        self.assertEqual(status, 200, out)
        self.assertEqual(json.loads(out)["RecoveryPoints"][0]["RecoveryPointArn"],
                         job["RecoveryPointArn"])
        self.assertTrue(headers["x-amzn-requestid"])
        status, _, out = rawsig.request(
            "GET", f"{self.world.url}/backup-vaults/v1/recovery-points/{rp}",
            creds=self.creds, service="backup")
        self.assertEqual(status, 200, out)
        status, _, out = rawsig.request(
            "DELETE", f"{self.world.url}/backup-vaults/v1/recovery-points/{rp}",
            creds=self.creds, service="backup")
        self.assertEqual(status, 200, out)

    def test_raw_backup_start_job_and_paging_with_next_token(self):
        self.client("backup", self.creds).create_backup_vault(BackupVaultName="v1")
        for _ in range(3):
            body = json.dumps({"BackupVaultName": "v1", "ResourceArn": cluster_arn("db1"),
                               "IamRoleArn": "arn:aws:iam::123456789012:role/r"}).encode()
            status, _, out = rawsig.request("PUT", f"{self.world.url}/backup-jobs", body,
                                            creds=self.creds, service="backup",
                                            headers={"Content-Type": "application/json"})
            self.assertEqual(status, 200, out)
        res = urllib.parse.quote(cluster_arn("db1"), safe="")
        seen, token = [], None
        while True:
            query = "maxResults=1" + (f"&nextToken={urllib.parse.quote(token, safe='')}"
                                      if token else "")
            status, _, out = rawsig.request(
                "GET", f"{self.world.url}/resources/{res}/recovery-points/?{query}",
                creds=self.creds, service="backup")
            self.assertEqual(status, 200, out)
            page = json.loads(out)
            seen += [p["RecoveryPointArn"] for p in page["RecoveryPoints"]]
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual(len(set(seen)), 3)

    def test_raw_backup_single_encoded_canonical_uri_is_refused(self):
        # A signer that forgets the second encoding (curl < 8.14) must fail as it does on AWS.
        res = urllib.parse.quote(cluster_arn("db1"), safe="")
        url = f"{self.world.url}/resources/{res}/recovery-points/"
        orig = rawsig.canonical_uri
        rawsig.canonical_uri = lambda path: path
        try:
            status, headers, out = rawsig.request("GET", url, creds=self.creds, service="backup")
        finally:
            rawsig.canonical_uri = orig
        self.assertEqual(status, 403)
        self.assertEqual(headers["x-amzn-errortype"], "InvalidSignatureException")

    def test_raw_session_token_is_signed_and_accepted(self):
        session = self.client("sts", self.creds).assume_role(
            RoleArn=self.creds["RoleArn"], RoleSessionName="raw")["Credentials"]
        status, _, out = rawsig.request(
            "POST", self.world.url + "/", b"Action=DescribeDBClusters&Version=2014-10-31",
            creds=session, service="rds",
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        self.assertEqual(status, 200, out)


class AuthOffTest(WorldTestCase):
    auth = False

    def test_any_credentials_are_accepted(self):
        self.admin.seed(clusters=[{"id": "db1"}])
        self.client("rds", DUMMY).describe_db_clusters()
        self.client("backup", DUMMY).list_recovery_points_by_resource(
            ResourceArn=cluster_arn("db1"))
        status, _, _ = rawsig.request(
            "POST", self.world.url + "/", b"Action=DescribeDBClusters&Version=2014-10-31",
            creds=DUMMY, service="rds", tamper=True,
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        self.assertEqual(status, 200)
        self.assertFalse(self.admin.health()["auth"])


if __name__ == "__main__":
    unittest.main()
