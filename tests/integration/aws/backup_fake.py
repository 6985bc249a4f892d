"""A stand-in for the AWS Backup recovery-point API over moto's in-process RDS state, for when
tests/aws-world is not there (moto has no recovery points). It checks every request's SigV4 signature
with botocore's own signer, so ARN path labels must be encoded (and double-encoded for signing)
exactly as AWS expects. Recovery points are RDS cluster snapshots named awsbackup:job-<uuid>."""

import json
import re
import time
import urllib.parse
import uuid

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from driver_harness import Handler, LoopbackServer

AUTH_RE = re.compile(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, "
                     r"SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$")


class BackupFake:
    def __init__(self, secrets, account="123456789012", region="us-east-1"):
        from moto.rds.models import rds_backends

        self.rds = rds_backends[account][region]
        self.secrets = secrets  # access key id -> secret
        self.account, self.region = account, region
        self.jobs = {}
        self.points = {}  # arn -> dict
        self.requests = []
        fake = self

        class H(Handler):
            def reply(self, status, obj=None, error=None):
                data = json.dumps(obj).encode() if obj is not None else b""
                self.send_response(status)
                if error:
                    self.send_header("x-amzn-ErrorType", f"{error}:http://internal.amazon.com/coral/com.amazonaws.backup/")
                    data = json.dumps({"Code": "ERROR_9101", "Message": obj.get("Message", "")}).encode()
                self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def handle_any(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                fake.requests.append((self.command, self.path))
                if not fake.verify(self, body):
                    return self.reply(403, {"Message": "The request signature we calculated does not match"},
                                      error="InvalidSignatureException")
                try:
                    status, obj, err = fake.route(self.command, self.path, body)
                except KeyError as e:
                    status, obj, err = 400, {"Message": f"not found: {e}"}, "ResourceNotFoundException"
                self.reply(status, obj, err)

            do_GET = do_PUT = do_DELETE = do_POST = handle_any

        self.httpd = LoopbackServer(H)
        self.url = self.httpd.url

    def verify(self, h, body):
        m = AUTH_RE.match(h.headers.get("Authorization", ""))
        if not m or m.group(4) != "backup" or m.group(1) not in self.secrets:
            return False
        akid, _, region, service, signed, sig = m.groups()
        headers = {name: h.headers[name] for name in signed.split(";") if name in h.headers}
        creds = Credentials(akid, self.secrets[akid], h.headers.get("X-Amz-Security-Token"))
        req = AWSRequest(method=h.command, url=f"http://{h.headers['Host']}{h.path}", headers=headers, data=body)
        req.context["timestamp"] = h.headers["X-Amz-Date"]
        auth = SigV4Auth(creds, service, region)
        canonical = auth.canonical_request(req)
        return auth.signature(auth.string_to_sign(req, canonical), req) == sig

    def point_json(self, p, full=True):
        out = {k: v for k, v in p.items() if full or k not in ("ResourceArn",)}
        return out

    def page(self, items, query):
        size = int(query.get("maxResults", ["1000"])[0])
        start = int(query.get("nextToken", ["0"])[0])
        out = {"RecoveryPoints": items[start:start + size]}
        if start + size < len(items):
            out["NextToken"] = str(start + size)
        return out

    def route(self, method, raw_path, body):
        parts = urllib.parse.urlsplit(raw_path)
        query = urllib.parse.parse_qs(parts.query)
        segs = [urllib.parse.unquote(s) for s in parts.path.split("/")[1:]]
        if method == "PUT" and segs == ["backup-jobs"]:
            req = json.loads(body)
            cluster_arn = req["ResourceArn"]
            cluster_id = cluster_arn.rsplit(":", 1)[1]
            job = str(uuid.uuid4())
            snap_id = f"awsbackup:job-{job}"
            snap = self.rds.create_db_cluster_snapshot(cluster_id, snap_id, snapshot_type="manual")
            arn = f"arn:aws:rds:{self.region}:{self.account}:cluster-snapshot:{snap_id}"
            now = time.time()
            self.points[arn] = {"RecoveryPointArn": arn, "BackupVaultName": req["BackupVaultName"],
                                "ResourceArn": cluster_arn, "ResourceType": "Aurora", "Status": "COMPLETED",
                                "CreationDate": now, "IamRoleArn": req["IamRoleArn"], "_snap": snap_id}
            self.jobs[job] = {"BackupJobId": job, "State": "COMPLETED", "RecoveryPointArn": arn,
                              "ResourceArn": cluster_arn, "BackupVaultName": req["BackupVaultName"],
                              "CreationDate": now, "PercentDone": "100.0"}
            return 200, {"BackupJobId": job, "RecoveryPointArn": arn, "CreationDate": now}, None
        if method == "GET" and len(segs) == 2 and segs[0] == "backup-jobs":
            return 200, self.jobs[segs[1]], None
        clean = lambda p: {k: v for k, v in p.items() if not k.startswith("_")}  # noqa: E731
        if method == "GET" and len(segs) == 4 and segs[0] == "resources" and segs[2:] == ["recovery-points", ""]:
            pts = [dict(clean(p), ResourceArn=None) for p in self.points.values() if p["ResourceArn"] == segs[1]]
            for p in pts:
                del p["ResourceArn"]
            return 200, self.page(pts, query), None
        if len(segs) >= 3 and segs[0] == "backup-vaults" and segs[2] == "recovery-points":
            vault = segs[1]
            if method == "GET" and (len(segs) == 3 or segs[3] == ""):
                pts = [clean(p) for p in self.points.values() if p["BackupVaultName"] == vault]
                return 200, self.page(pts, query), None
            arn = segs[3]
            p = self.points[arn]
            if p["BackupVaultName"] != vault:
                raise KeyError(arn)
            if method == "GET":
                return 200, clean(p), None
            if method == "DELETE":
                del self.points[arn]
                self.rds.delete_db_cluster_snapshot(p["_snap"])
                return 200, None, None
        return 404, {"Message": f"no route {method} {raw_path}"}, "UnknownOperationException"

    def stop(self):
        self.httpd.shutdown()
