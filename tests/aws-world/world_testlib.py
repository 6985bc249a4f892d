"""Shared fixtures for the world's boto3 suite: one world per test class, reset before each test."""

import contextlib
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

# Never let botocore look beyond loopback (IMDS, config files, proxies).
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
os.environ["NO_PROXY"] = "127.0.0.1"
os.environ["no_proxy"] = "127.0.0.1"
for _var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID",
             "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "HTTP_PROXY", "HTTPS_PROXY",
             "http_proxy", "https_proxy"):
    os.environ.pop(_var, None)

try:
    import boto3  # noqa: E402
    import botocore.config  # noqa: E402
    from botocore.exceptions import ClientError  # noqa: E402
    import moto  # noqa: E402

    del moto  # imported only to skip when it is missing
except ImportError as e:  # the runner exits 77 before this; direct runs skip loudly
    raise unittest.SkipTest(f"moto/boto3 not importable: {e}")

from aws_world import World  # noqa: E402

REGION = "us-east-1"
ACCOUNT = "123456789012"
DUMMY = {"AccessKeyId": "AKIDWORLDTEST", "SecretAccessKey": "dummy-secret"}


def cluster_arn(cluster_id, region=REGION):
    return f"arn:aws:rds:{region}:{ACCOUNT}:cluster:{cluster_id}"


class WorldTestCase(unittest.TestCase):
    """One in-process world per class; every test starts from a reset world."""

    auth = False

    @classmethod
    def setUpClass(cls):
        cls.world = World(auth=cls.auth).start()
        cls.admin = cls.world.admin

    @classmethod
    def tearDownClass(cls):
        cls.world.stop()

    def setUp(self):
        self.admin.reset()

    def client(self, service, creds=None, retries=1, region_name=REGION, **config):
        creds = creds or DUMMY
        cfg = botocore.config.Config(retries={"mode": "standard", "total_max_attempts": retries},
                                     **config)
        return boto3.client(service, endpoint_url=self.world.url, region_name=region_name,
                            aws_access_key_id=creds["AccessKeyId"],
                            aws_secret_access_key=creds["SecretAccessKey"],
                            aws_session_token=creds.get("SessionToken"), config=cfg)

    def assertAwsError(self, ctx, code, status=None):
        err = ctx.exception.response
        self.assertEqual(err["Error"]["Code"], code, err)
        if status is not None:
            self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], status, err)

    @contextlib.contextmanager
    def assertAwsRaises(self, code, status=None):
        """The block fails with the AWS error `code` (and HTTP `status`); `as ctx` gives the exception,
        as assertRaises does."""
        with self.assertRaises(ClientError) as ctx:
            yield ctx
        self.assertAwsError(ctx, code, status)
