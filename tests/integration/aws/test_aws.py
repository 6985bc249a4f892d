#!/usr/bin/env python3
"""Integration tests of agent/aws: aws-driver (C, linked with libaws) against the local AWS world with
signature checking on. Uses tests/aws-world (module aws_world) when it is there, else moto's server on
127.0.0.1. Faults come from a small proxy in this file; instance and container metadata from a loopback
server in this file. No traffic leaves 127.0.0.1: every driver run gets AWS_EC2_METADATA_DISABLED=true
unless it points the metadata endpoint at the loopback server."""

import datetime
import email.utils
import http.client
import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time

from driver_harness import DRIVER, SKIP, Handler, LoopbackServer, driver_env, driver_main, facts

SRC = os.environ.get("ABA_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), "..", "..", ".."))
REGION = "us-east-1"
ACCOUNT = "123456789012"

try:
    import boto3
    import botocore.config
except ImportError:
    print("SKIP: boto3 is not installed")
    sys.exit(SKIP)


# ---------------------------------------------------------------- backend


class Backend:
    """The world with auth on: aws_world if present, else moto's threaded server."""

    def __init__(self):
        self.world = None
        sys.path.insert(0, os.path.join(SRC, "tests", "aws-world"))
        try:
            import aws_world  # noqa: F401

            self.kind = "aws_world"
        except ImportError:
            self.kind = "moto"

    def start(self):
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        os.environ.setdefault("MOTO_ALLOW_NONEXISTENT_REGION", "true")
        if self.kind == "aws_world":
            import aws_world

            self.world = aws_world.World(port=0, auth=False)
            self.world.start()
            self.url = self.world.url.rstrip("/")
        else:
            from moto.server import ThreadedMotoServer

            sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
            import moto_paging

            moto_paging.enable()
            self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
            self.server.start()
            host, port = self.server.get_host_and_port()
            self.url = f"http://{host}:{port}"

    def enable_auth(self):
        """Turn signature checking on (after the IAM principals exist). The world is moto in this
        process, so the same switch applies to it."""
        from moto import settings
        from moto.core.authorization import ActionAuthenticatorMixin

        settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
        # AWS serves AssumeRoleWithWebIdentity unauthenticated (the token is the proof); moto's checker
        # expects an Authorization header on every Query call and fails with a 500 without one.
        orig = ActionAuthenticatorMixin._authenticate_and_authorize_normal_action

        def check(self, *a, **kw):
            if self._get_action() == "AssumeRoleWithWebIdentity":
                return None
            return orig(self, *a, **kw)

        ActionAuthenticatorMixin._authenticate_and_authorize_normal_action = check

    def stop(self):
        if self.world:
            self.world.stop()
        else:
            self.server.stop()


def client(svc, url, creds=None, region=REGION):
    creds = creds or {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    return boto3.client(svc, endpoint_url=url, region_name=region,
                        config=botocore.config.Config(retries={"max_attempts": 1}), **creds)


# ---------------------------------------------------------------- fault proxy


class Proxy:
    """Forwards to the backend; injects faults; records requests. Keeps the Host header, so signatures
    made for the proxy's address still verify at the backend."""

    def __init__(self, backend_url):
        self.backend = backend_url.split("//", 1)[1]
        self.faults = []  # consumed one per request: "throttle", "503", "cut", "short", "skew", "pass"
        self.storm = None  # status returned for every request while set
        self.log = []
        self.lock = threading.Lock()
        proxy = self

        class H(Handler):
            def handle_any(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                with proxy.lock:
                    proxy.log.append({"method": self.command, "path": self.path,
                                      "date": self.headers.get("X-Amz-Date"),
                                      "signed": "Authorization" in self.headers,
                                      "token": self.headers.get("X-Amz-Security-Token")})
                    fault = proxy.storm or (proxy.faults.pop(0) if proxy.faults else None)
                if fault == "throttle":
                    return self.reply(400, b'<ErrorResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">'
                                      b"<Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded"
                                      b"</Message></Error><RequestId>req-throttle</RequestId></ErrorResponse>")
                if fault in ("500", "503"):
                    return self.reply(int(fault), b"<ErrorResponse><Error><Code>ServiceUnavailable</Code>"
                                      b"<Message>storm</Message></Error><RequestId>req-storm</RequestId>"
                                      b"</ErrorResponse>")
                if fault == "hang":  # longer than the driver's total timeout
                    time.sleep(1.5)
                    return self.reply(500, b"")
                if fault == "skew":  # the server's clock is an hour ahead of ours
                    future = email.utils.formatdate(time.time() + 3600, usegmt=True)
                    self.date_time_string = lambda *a: future
                    return self.reply(400, b"<ErrorResponse><Error><Code>RequestExpired</Code><Message>Request "
                                      b"has expired</Message></Error><RequestId>req-skew</RequestId>"
                                      b"</ErrorResponse>")
                conn = http.client.HTTPConnection(proxy.backend, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection",)}
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                rh = {k: v for k, v in resp.getheaders()
                      if k.lower() not in ("transfer-encoding", "connection", "content-length", "date", "server")}
                conn.close()
                if fault == "noregion":  # an S3 that does not say x-amz-bucket-region on HEAD
                    rh = {k: v for k, v in rh.items() if k.lower() != "x-amz-bucket-region"}
                if fault == "cut":  # a body cut in half, honestly framed: the XML does not parse
                    return self.reply(resp.status, data[: len(data) // 2], rh)
                if fault == "short":  # the connection drops before the announced length
                    self.send_response(resp.status)
                    self.send_header("Content-Length", str(len(data)))
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(data[: len(data) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                return self.reply(resp.status, data, rh)

            def reply(self, status, data, headers=None):
                self.send_response(status)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = handle_any

        self.httpd = LoopbackServer(H)
        self.url = self.httpd.url

    def reset(self, faults=(), storm=None):
        with self.lock:
            self.faults = list(faults)
            self.storm = storm
            self.log = []

    def stop(self):
        self.httpd.shutdown()


# ---------------------------------------------------------------- metadata server


class Metadata:
    """IMDSv2 and ECS container credentials on loopback."""

    IMDS_TOKEN = "imds-session-token-0123456789"
    CONTAINER_TOKEN = "container-auth-token-0123456789"

    def __init__(self, creds):
        self.creds = creds
        self.log = []
        md = self

        class H(Handler):
            def send(self, status, text):
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_PUT(self):
                md.log.append(("PUT", self.path, dict(self.headers)))
                if self.path == "/latest/api/token" and self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                    return self.send(200, Metadata.IMDS_TOKEN)
                self.send(400, "bad token request")

            def do_GET(self):
                md.log.append(("GET", self.path, dict(self.headers)))
                body = json.dumps({"Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": md.creds["AccessKeyId"],
                                   "SecretAccessKey": md.creds["SecretAccessKey"], "Token": md.creds["SessionToken"],
                                   "Expiration": md.creds["Expiration"]})
                if self.path == "/container-creds":
                    if self.headers.get("Authorization") != Metadata.CONTAINER_TOKEN:
                        return self.send(401, "no")
                    return self.send(200, body)
                if self.headers.get("X-aws-ec2-metadata-token") != Metadata.IMDS_TOKEN:
                    return self.send(401, "missing IMDSv2 token")
                if self.path == "/latest/meta-data/iam/security-credentials/":
                    return self.send(200, "agent-instance-role")
                if self.path == "/latest/meta-data/iam/security-credentials/agent-instance-role":
                    return self.send(200, body)
                if self.path == "/latest/meta-data/placement/region":
                    return self.send(200, REGION)
                self.send(404, "not found")

        self.httpd = LoopbackServer(H)
        self.url = self.httpd.url

    def stop(self):
        self.httpd.shutdown()


# ---------------------------------------------------------------- harness


class Env:
    def __init__(self):
        self.outputs = []
        self.secrets = []
        self.tmp = tempfile.TemporaryDirectory(prefix="aws-it-")

    def base_env(self, endpoint, creds=None, **extra):
        env = driver_env(self.tmp.name, endpoint)
        env["NO_PROXY"] = "127.0.0.1,localhost"
        if creds:
            env["AWS_ACCESS_KEY_ID"] = creds["AccessKeyId"]
            env["AWS_SECRET_ACCESS_KEY"] = creds["SecretAccessKey"]
            if creds.get("SessionToken"):
                env["AWS_SESSION_TOKEN"] = creds["SessionToken"]
        env.update({k: v for k, v in extra.items() if v is not None})
        return env

    def run(self, env, *args, expect=0):
        p = subprocess.run([DRIVER, *args], env=env, capture_output=True, text=True, timeout=120)
        self.outputs.append(p.stdout + p.stderr)
        if p.returncode < 0:
            raise AssertionError(f"aws-driver {args[0]} died of signal {-p.returncode}:\n{p.stdout}{p.stderr}")
        if expect is not None and p.returncode != expect:
            raise AssertionError(f"aws-driver {' '.join(args)} exited {p.returncode}, wanted {expect}:\n"
                                 f"{p.stdout}{p.stderr}")
        return p.stdout, facts(p.stdout)


def tests(results, started):
    backend = Backend()
    try:
        backend.start()
    except Exception as e:  # moto missing or broken
        print(f"SKIP: cannot start the AWS world ({backend.kind}): {e}")
        return SKIP
    started(backend)
    print(f"world: {backend.kind} at {backend.url}")
    url = backend.url
    h = Env()
    test = results.test

    # Principals, created before signature checking is switched on.
    iam = client("iam", url)
    iam.create_user(UserName="agent")
    admin = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    iam.put_user_policy(UserName="agent", PolicyName="all", PolicyDocument=admin)
    key = iam.create_access_key(UserName="agent")["AccessKey"]
    user = {"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]}
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
                                                                "Action": "sts:AssumeRole"}]})
    role_arn = iam.create_role(RoleName="backup-role", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    iam.put_role_policy(RoleName="backup-role", PolicyName="all", PolicyDocument=admin)
    h.secrets.append(user["SecretAccessKey"])

    # Seed: 3 clusters, 230 snapshots (3 pages of 100), a bucket in another region, a KMS key.
    rds = client("rds", url)
    clusters = ["prod-a", "prod-b", "prod-c"]
    for c in clusters:
        rds.create_db_cluster(DBClusterIdentifier=c, Engine="aurora-postgresql", MasterUsername="admin",
                              MasterUserPassword="password123", PreferredBackupWindow="07:35-08:05",
                              BackupRetentionPeriod=7)
    if backend.kind == "aws_world":
        backend.world.admin.quota(limit=1000)  # 230 manual snapshots: above AWS's default of 100
    n_snaps = 0
    for i in range(230):
        rds.create_db_cluster_snapshot(DBClusterIdentifier=clusters[i % 3], DBClusterSnapshotIdentifier=f"s-{i:04d}",
                                       Tags=[{"Key": "aurora-backup:policy", "Value": "prod"}])
        n_snaps += 1
    s3 = client("s3", url, region="eu-west-1")
    s3.create_bucket(Bucket="exports-eu", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    client("s3", url).create_bucket(Bucket="exports-us")
    kms_key = client("kms", url).create_key()["KeyMetadata"]["Arn"]

    backend.enable_auth()
    proxy = started(Proxy(url))
    sts = client("sts", url, creds={"aws_access_key_id": user["AccessKeyId"],
                                     "aws_secret_access_key": user["SecretAccessKey"]})
    role_creds = sts.assume_role(RoleArn=role_arn, RoleSessionName="metadata")["Credentials"]
    role_creds["Expiration"] = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=6)) \
        .strftime("%Y-%m-%dT%H:%M:%SZ")
    h.secrets += [role_creds["SecretAccessKey"], role_creds["SessionToken"]]
    md = started(Metadata(role_creds))

    @test("auth is really checked: a wrong secret is refused")
    def _():
        bad = dict(user, SecretAccessKey="wrong-secret-0123456789abcdef")
        out, f = h.run(h.base_env(url, bad), "inventory", expect=1)
        assert f["kind"] == "service" and f["status"] in ("403", "400"), out

    @test("inventory pages through every snapshot with tags from the Describe response")
    def _():
        out, f = h.run(h.base_env(url, user), "inventory")
        assert f["clusters"] == "3" and f["tagged"] == str(n_snaps), out
        assert int(f["snapshots"]) >= n_snaps, out  # plus the automated ones the world made
        # 1 page of clusters + ceil(233/100) pages of snapshots, region-wide, never per cluster.
        assert int(f["rds_calls"]) == 1 + (int(f["snapshots"]) + 99) // 100, out
        print(f"  inventory: {out.strip().splitlines()[0]} calls={f['rds_calls']}")

    @test("every RDS operation with auth on")
    def _():
        out, f = h.run(h.base_env(url, user), "rds-ops", "prod-a", "210987654321", "exports-eu", kms_key, role_arn)
        for op in ("DescribeDBClusters", "CreateDBClusterSnapshot", "DescribeDBClusterSnapshots",
                   "CopyDBClusterSnapshot", "ModifyDBClusterSnapshotAttribute", "DescribeDBClusterSnapshotAttributes",
                   "StartExportTask", "DescribeExportTasks", "CancelExportTask", "RestoreDBClusterFromSnapshot",
                   "RestoreDBClusterToPointInTime", "CreateDBInstance", "DescribeDBInstances", "AddTagsToResource",
                   "DeleteDBInstance", "DeleteDBCluster", "DeleteDBClusterSnapshot"):
            assert f"ok {op}\n" in out, f"{op} missing:\n{out}"
        assert f["shared_with"] == "210987654321" and f["window"] == "07:35-08:05", out

    @test("cross-region copy calls the destination region with the source ARN")
    def _():
        src = client("rds", url, creds={"aws_access_key_id": user["AccessKeyId"],
                                         "aws_secret_access_key": user["SecretAccessKey"]})
        arn = src.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier="s-0000")["DBClusterSnapshots"][0][
            "DBClusterSnapshotArn"]
        west_key = client("kms", url, creds={"aws_access_key_id": user["AccessKeyId"],
                                              "aws_secret_access_key": user["SecretAccessKey"]},
                          region="us-west-2").create_key()["KeyMetadata"]["Arn"]
        out, f = h.run(h.base_env(url, user, AWS_REGION="us-west-2"), "copy", arn, "s-0000-west", west_key)
        assert f["region"] == "us-west-2" and ":us-west-2:" in f["arn"], out

    @test("session token from STS is signed and accepted")
    def _():
        tok = role_creds  # AssumeRole session credentials (ASIA… + token)
        proxy.reset()
        out, f = h.run(h.base_env(proxy.url, tok), "whoami")
        assert f["temporary"] == "1" and f["source"] == "env", out
        assert proxy.log and all(e["token"] == tok["SessionToken"] for e in proxy.log), proxy.log
        h.run(h.base_env(proxy.url, tok), "inventory")

    @test("STS AssumeRole, AssumeRoleWithWebIdentity and a per-policy assume_role")
    def _():
        tokfile = os.path.join(h.tmp.name, "web-token")
        with open(tokfile, "w") as fh:
            fh.write("eyJhbGciOiJSUzI1NiJ9.web-identity-token-secret.sig\n")
        h.secrets.append("web-identity-token-secret")
        out, f = h.run(h.base_env(url, user), "sts", role_arn, tokfile)
        assert f["assumed_akid_prefix"] == "ASIA" and f["expires"] == "1", out
        out, f = h.run(h.base_env(url, user, DRIVER_ROLE_ARN=role_arn, DRIVER_EXTERNAL_ID="policy-ext"), "whoami")
        assert "assumed-role/backup-role" in f["arn"], out

    @test("web identity credentials from the chain (unsigned STS call)")
    def _():
        tokfile = os.path.join(h.tmp.name, "web-token")
        out, f = h.run(h.base_env(url, None, AWS_WEB_IDENTITY_TOKEN_FILE=tokfile, AWS_ROLE_ARN=role_arn), "whoami")
        assert f["source"] == "web-identity" and "assumed-role/backup-role" in f["arn"], out

    @test("shared files: profile with role_arn + source_profile")
    def _():
        cfg = os.path.join(h.tmp.name, "config")
        cred = os.path.join(h.tmp.name, "credentials")
        with open(cfg, "w") as fh:
            fh.write(f"[default]\nregion = eu-west-1\n\n[profile ops]\nrole_arn = {role_arn}\n"
                     f"source_profile = base\nexternal_id = ext-42\nregion = {REGION}\n")
        with open(cred, "w") as fh:
            fh.write(f"[base]\naws_access_key_id = {user['AccessKeyId']}\n"
                     f"aws_secret_access_key = {user['SecretAccessKey']}\n")
        out, f = h.run(h.base_env(url, None, AWS_CONFIG_FILE=cfg, AWS_SHARED_CREDENTIALS_FILE=cred,
                                  AWS_PROFILE="ops"), "whoami")
        assert f["source"] == "assume-role" and "assumed-role/backup-role" in f["arn"], out

    helper_src = os.path.join(SRC, "tests", "data", "aws", "fake-credential-process")
    h.secrets.append("STDERR-SECRET-MARKER-0123456789")  # the helper writes it to stderr in every mode

    def process_profile(name, mode, *args, role=None, source=None):
        """A config file whose profile `name` runs the helper (copied to a path with a space, quoted as
        the AWS CLI documents) or assumes `role` from `source`."""
        d = os.path.join(h.tmp.name, "cred helper")
        os.makedirs(d, exist_ok=True)
        helper = os.path.join(d, "fake-credential-process")
        if not os.path.exists(helper):
            with open(helper_src) as src, open(helper, "w") as dst:
                dst.write(src.read())
            os.chmod(helper, 0o755)
        cfg = os.path.join(h.tmp.name, f"config-{name}")
        with open(cfg, "w") as fh:
            fh.write(f"[profile {name}]\nregion = {REGION}\n")
            if mode:
                fh.write(f'credential_process = "{helper}" {mode} {" ".join(args)}\n')
            if role:
                fh.write(f"role_arn = {role}\ncredential_source = {source}\n")
        return {"AWS_CONFIG_FILE": cfg, "AWS_PROFILE": name}

    @test("credential_process: the helper's session credentials sign calls the world accepts")
    def _():
        answer = os.path.join(h.tmp.name, "process-answer.json")
        with open(answer, "w") as fh:
            json.dump({"Version": 1, "AccessKeyId": role_creds["AccessKeyId"],
                       "SecretAccessKey": role_creds["SecretAccessKey"],
                       "SessionToken": role_creds["SessionToken"], "Expiration": role_creds["Expiration"]}, fh)
        out, f = h.run(h.base_env(url, None, **process_profile("proc", "ok", answer)), "whoami")
        assert f["source"] == "process" and f["temporary"] == "1", out
        assert "assumed-role/backup-role" in f["arn"], out
        h.run(h.base_env(url, None, **process_profile("proc", "ok", answer)), "inventory")

    @test("credential_process: garbage, a non-zero exit and a missing helper are clear errors")
    def _():
        out, f = h.run(h.base_env(url, None, **process_profile("garbage", "garbage")), "whoami", expect=1)
        assert f["kind"] == "credentials" and f["code"] == "CredentialProcessOutput", out
        assert "GARBAGE-SECRET" not in out, out
        out, f = h.run(h.base_env(url, None, **process_profile("fail", "fail", "--token", "arg-secret-0123")),
                       "whoami", expect=1)
        assert f["kind"] == "credentials" and f["code"] == "CredentialProcessFailed", out
        assert "exited with status 3" in out and "arg-secret-0123" not in out, out
        cfg = os.path.join(h.tmp.name, "config-missing")
        with open(cfg, "w") as fh:
            fh.write("[default]\ncredential_process = /nonexistent/helper\n")
        out, f = h.run(h.base_env(url, None, AWS_CONFIG_FILE=cfg), "whoami", expect=1)
        assert f["code"] == "CredentialProcessFailed" and "cannot be run" in out, out

    @test("credential_source = Environment: the environment's keys assume the profile's role")
    def _():
        # The environment's keys are the role's source, not the identity: the call is made as the role.
        out, f = h.run(h.base_env(url, user, **process_profile("envrole", None, role=role_arn,
                                                               source="Environment")), "whoami")
        assert f["source"] == "assume-role" and "assumed-role/backup-role" in f["arn"], out

    @test("credential_source = EcsContainer and Ec2InstanceMetadata assume the profile's role")
    def _():
        out, f = h.run(h.base_env(url, None, AWS_CONTAINER_CREDENTIALS_FULL_URI=md.url + "/container-creds",
                                  AWS_CONTAINER_AUTHORIZATION_TOKEN=Metadata.CONTAINER_TOKEN,
                                  **process_profile("ecsrole", None, role=role_arn, source="EcsContainer")),
                       "whoami")
        assert f["source"] == "assume-role" and "assumed-role/backup-role" in f["arn"], out
        env = h.base_env(url, None, AWS_EC2_METADATA_SERVICE_ENDPOINT=md.url,
                         **process_profile("imdsrole", None, role=role_arn, source="Ec2InstanceMetadata"))
        del env["AWS_EC2_METADATA_DISABLED"]
        out, f = h.run(env, "whoami")
        assert f["source"] == "assume-role" and "assumed-role/backup-role" in f["arn"], out

    @test("ECS container credentials from a loopback endpoint")
    def _():
        out, f = h.run(h.base_env(url, None, AWS_CONTAINER_CREDENTIALS_FULL_URI=md.url + "/container-creds",
                                  AWS_CONTAINER_AUTHORIZATION_TOKEN=Metadata.CONTAINER_TOKEN), "whoami")
        assert f["source"] == "container" and f["temporary"] == "1", out

    @test("EC2 IMDSv2 credentials and region from a loopback endpoint")
    def _():
        md.log.clear()
        env = h.base_env(url, None, AWS_EC2_METADATA_SERVICE_ENDPOINT=md.url)
        del env["AWS_EC2_METADATA_DISABLED"]
        del env["AWS_REGION"]
        out, f = h.run(env, "whoami")
        assert f["source"] == "imds" and f["temporary"] == "1", out
        assert md.log[0][0] == "PUT" and md.log[0][1] == "/latest/api/token", md.log
        assert all(e[2].get("X-aws-ec2-metadata-token") == Metadata.IMDS_TOKEN for e in md.log if e[0] == "GET")

    @test("no credentials anywhere is a clear credentials error")
    def _():
        out, f = h.run(h.base_env(url, None), "whoami", expect=1)
        assert f["kind"] == "credentials" and f["code"] == "NoCredentials", out

    @test("S3 bucket region")
    def _():
        out, f = h.run(h.base_env(url, user), "bucket-region", "exports-eu")
        assert f["bucket_region"] == "eu-west-1", out
        # Without the HEAD header: GetBucketLocation (empty LocationConstraint means us-east-1).
        for bucket, region in (("exports-eu", "eu-west-1"), ("exports-us", "us-east-1")):
            proxy.reset(["noregion"])
            out, f = h.run(h.base_env(proxy.url, user), "bucket-region", bucket)
            assert f["bucket_region"] == region, out
            assert [e["method"] for e in proxy.log] == ["HEAD", "GET"], proxy.log
        proxy.reset()

    @test("awsbackup: snapshots are refused before any request")
    def _():
        proxy.reset()
        for ident in ("awsbackup:job-1234", f"arn:aws:rds:{REGION}:{ACCOUNT}:cluster-snapshot:awsbackup:job-9",
                      "continuous:cluster-abc"):
            out, f = h.run(h.base_env(proxy.url, user), "refuse-delete", ident)
            assert f["refused"] == "1" and f["kind"] == "refused" and f["code"] == "AwsBackupManagedSnapshot", out
        assert proxy.log == [], proxy.log

    @test("throttling is retried and the call succeeds")
    def _():
        proxy.reset(["throttle", "throttle"])
        out, f = h.run(h.base_env(proxy.url, user), "whoami")
        proxy.reset(["throttle", "throttle"])
        out, f = h.run(h.base_env(proxy.url, user), "inventory")
        assert f["retries"] == "2" and f["sleeps"] == "2", out

    @test("a 5xx storm gives up with a clear error once the attempts are spent")
    def _():
        proxy.reset(storm="503")
        out, f = h.run(h.base_env(proxy.url, user), "inventory", expect=1)
        assert f["status"] == "503" and f["attempts"] == "3" and f["retryable"] == "1", out
        assert f["code"] == "ServiceUnavailable" and len(proxy.log) == 3, out
        proxy.reset()

    @test("the retry quota runs dry after 500/10 fully retried calls and then stops retrying")
    def _():
        proxy.reset(storm="500")
        out, f = h.run(h.base_env(proxy.url, user), "quota")
        assert f["exhausted_at"] == "51" and f["quota_message"] == "1", out
        assert f["retries"] == "100", out
        proxy.reset()

    @test("timeouts are retried and end in a timeout error")
    def _():
        proxy.reset(storm="hang")
        out, f = h.run(h.base_env(proxy.url, user, DRIVER_TIMEOUT_MS="300"), "inventory", expect=1)
        assert f["kind"] == "timeout" and f["attempts"] == "3" and f["retryable"] == "1", out
        proxy.reset()

    @test("a cut body is a parse error and nothing crashes")
    def _():
        proxy.reset(["cut"])
        out, f = h.run(h.base_env(proxy.url, user), "inventory", expect=1)
        assert f["kind"] == "parse", out
        proxy.reset(["short", "short", "short"])
        out, f = h.run(h.base_env(proxy.url, user), "inventory", expect=1)
        assert f["kind"] == "transport" and f["attempts"] == "3", out
        proxy.reset()

    @test("clock skew: one re-signed retry with the server's time")
    def _():
        proxy.reset(["skew"])
        out, f = h.run(h.base_env(proxy.url, user), "whoami")
        d0 = datetime.datetime.strptime(proxy.log[0]["date"], "%Y%m%dT%H%M%SZ")
        d1 = datetime.datetime.strptime(proxy.log[1]["date"], "%Y%m%dT%H%M%SZ")
        assert 3500 <= (d1 - d0).total_seconds() <= 3700, (d0, d1)

    @test("every AWS Backup operation, signatures checked by botocore")
    def _():
        arn = client("rds", url, creds={"aws_access_key_id": user["AccessKeyId"],
                                         "aws_secret_access_key": user["SecretAccessKey"]}) \
            .describe_db_clusters(DBClusterIdentifier="prod-b")["DBClusters"][0]["DBClusterArn"]
        if backend.kind == "aws_world":
            backup_url = url
            client("backup", url, creds={"aws_access_key_id": user["AccessKeyId"],
                                          "aws_secret_access_key": user["SecretAccessKey"]}) \
                .create_backup_vault(BackupVaultName="agent-vault")
        else:
            # moto has no recovery points: a loopback stand-in over moto's RDS state (backup_fake.py).
            sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
            import backup_fake

            fake = backup_fake.BackupFake({user["AccessKeyId"]: user["SecretAccessKey"]})
            backup_url = fake.url
        try:
            out, f = h.run(h.base_env(url, user, AWS_ENDPOINT_URL_BACKUP=backup_url), "backup-ops", arn,
                           "agent-vault", role_arn)
        finally:
            if backend.kind != "aws_world":
                fake.stop()
        for op in ("StartBackupJob", "DescribeBackupJob", "ListRecoveryPointsByResource",
                   "ListRecoveryPointsByBackupVault", "DescribeRecoveryPoint", "DeleteRecoveryPoint"):
            assert f"ok {op}\n" in out, f"{op} missing:\n{out}"
        assert "awsbackup:job-" in f["recovery_point"] and f["job_state"] == "COMPLETED", out
        assert f["after_delete"] == "ResourceNotFoundException", out
        if backend.kind != "aws_world":  # the stand-in's signature check is not vacuous
            fake = backup_fake.BackupFake({user["AccessKeyId"]: "not-the-secret-0123456789"})
            try:
                out, f = h.run(h.base_env(url, user, AWS_ENDPOINT_URL_BACKUP=fake.url), "backup-ops", arn,
                               "agent-vault", role_arn, expect=1)
            finally:
                fake.stop()
            assert f["code"] == "InvalidSignatureException" and f["status"] == "403", out

    @test("no secret appears in any output")
    def _():
        for out in h.outputs:
            for s in h.secrets:
                assert s not in out, "a secret leaked into driver output"


if __name__ == "__main__":
    driver_main(tests)
