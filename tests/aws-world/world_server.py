"""The world's WSGI application and HTTP server: moto (RDS, STS, S3, KMS, IAM) plus the Backup
recovery-point API on one loopback port, with fault injection, a request log and /_world/ admin.

moto keeps its state in module-level backends, so there is one world per process; run more worlds
as subprocesses (serve.py, or aws_world.World(subprocess=True)).
"""

import io
import json
import random
import socket
import sys
import threading
import time
import traceback
import uuid
from http import HTTPStatus
from urllib.parse import parse_qs

from moto import settings as moto_settings
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.authorization import ActionAuthenticatorMixin
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.datastructures import EnvironHeaders
from werkzeug.serving import WSGIRequestHandler, make_server

import world_rds
from world_admin import Admin
from world_backup import BackupError, BackupState

# Error code and HTTP status of a throttle, per service, as AWS sends it.
THROTTLE = {
    "rds": ("Throttling", 400),
    "sts": ("Throttling", 400),
    "iam": ("Throttling", 400),
    "backup": ("ThrottlingException", 400),
    "kms": ("ThrottlingException", 400),
    "s3": ("SlowDown", 503),
}
JSON_SERVICES = ("backup", "kms")
JSON_AUTH_CODES = {
    "SignatureDoesNotMatch": "InvalidSignatureException",
    "InvalidClientTokenId": "UnrecognizedClientException",
    "AccessDenied": "AccessDeniedException",
}
RDS_XMLNS = "http://rds.amazonaws.com/doc/2014-10-31/"
XMLNS = {
    "rds": RDS_XMLNS,
    "sts": "https://sts.amazonaws.com/doc/2011-06-15/",
    "iam": "https://iam.amazonaws.com/doc/2010-05-08/",
}
# moto's Backup vault operations, named for the request log.
# STS calls that AWS accepts unsigned (the caller has no credentials yet).
UNSIGNED_STS_ACTIONS = ("AssumeRoleWithWebIdentity", "AssumeRoleWithSAML")
MOTO_BACKUP_OPS = [
    ("GET", "/backup-vaults/", "ListBackupVaults"),
    ("PUT", "/backup-vaults/*/vault-lock", "PutBackupVaultLockConfiguration"),
    ("DELETE", "/backup-vaults/*/vault-lock", "DeleteBackupVaultLockConfiguration"),
    ("PUT", "/backup-vaults/*", "CreateBackupVault"),
    ("GET", "/backup-vaults/*", "DescribeBackupVault"),
    ("DELETE", "/backup-vaults/*", "DeleteBackupVault"),
]


class _Dropped(ConnectionResetError):
    """Raised after the world closed a connection on purpose (werkzeug treats it as a drop)."""


def _scope(environ):
    """(service, region) from the SigV4 credential scope, as moto routes."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    try:
        scope = auth.split(",")[0].split()[1]
        _, _, region, service, _ = scope.split("/")
        return service.lower(), region
    except (IndexError, ValueError):
        return None, "us-east-1"


def _xml_escape(text):
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def error_response(service, code, message, status, request_id):
    """(status, headers, body) of an AWS error in the service's protocol."""
    if service in JSON_SERVICES:
        body = json.dumps({"__type": code, "Code": code, "Message": message,
                           "message": message}).encode()
        headers = [("Content-Type", "application/json"), ("x-amzn-ErrorType", code),
                   ("x-amzn-RequestId", request_id)]
    elif service == "s3":
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
                f"<Message>{_xml_escape(message)}</Message><RequestId>{request_id}</RequestId>"
                f"</Error>").encode()
        headers = [("Content-Type", "application/xml"), ("x-amz-request-id", request_id)]
    else:
        kind = "Receiver" if status >= 500 else "Sender"
        ns = XMLNS.get(service, RDS_XMLNS)
        body = (f'<ErrorResponse xmlns="{ns}"><Error><Type>{kind}</Type><Code>{code}</Code>'
                f"<Message>{_xml_escape(message)}</Message></Error>"
                f"<RequestId>{request_id}</RequestId></ErrorResponse>").encode()
        headers = [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)]
    headers.append(("Content-Length", str(len(body))))
    return status, headers, body


class Faults:
    """Rules applied to matching requests: the next N of them, or a share (probability)."""

    KINDS = ("throttle", "500", "503", "delay", "drop", "cut")

    def __init__(self):
        self.rules = []
        self.rng = random.Random()

    def add(self, spec):
        kind = str(spec.get("kind", ""))
        if kind not in self.KINDS:
            raise ValueError(f"fault kind must be one of {', '.join(self.KINDS)}")
        rule = {
            "kind": kind,
            "service": spec.get("service"),
            "action": spec.get("action"),
            "count": spec.get("count"),
            "probability": spec.get("probability"),
            "delay_ms": int(spec.get("delay_ms", 0 if kind != "delay" else 1000)),
            "applied": 0,
        }
        if rule["count"] is None and rule["probability"] is None:
            rule["count"] = 1
        if rule["probability"] is not None and not 0 <= float(rule["probability"]) <= 1:
            raise ValueError("probability must be within 0..1")
        if "seed" in spec:
            self.rng.seed(spec["seed"])
        self.rules.append(rule)
        return rule

    def clear(self):
        self.rules = []

    def pick(self, service, action):
        for rule in self.rules:
            if rule["service"] and rule["service"] != service:
                continue
            if rule["action"] and rule["action"] != action:
                continue
            if rule["count"] is not None:
                if rule["count"] <= 0:
                    continue
                rule["count"] -= 1
            elif self.rng.random() >= float(rule["probability"]):
                continue
            rule["applied"] += 1
            return rule
        return None


class WorldApp:
    """WSGI app: /_world/ admin, Backup recovery points, then moto for everything else."""

    def __init__(self, auth=False):
        world_rds.install()
        self.lock = threading.RLock()
        self.moto = DomainDispatcherApplication(create_backend_app)
        self.backup = BackupState()
        self.faults = Faults()
        self.log = []
        self.auth = auth
        self.admin = Admin(self)
        self.set_auth(auth)

    def set_auth(self, enabled):
        # moto checks signatures once its no-auth allowance is used up; 0 = check everything.
        self.auth = bool(enabled)
        moto_settings.INITIAL_NO_AUTH_ACTION_COUNT = 0 if self.auth else float("inf")
        ActionAuthenticatorMixin.request_count = 0

    # -- request plumbing ----------------------------------------------------------------------

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_world/") or path == "/_world":
            with self.lock:
                status, headers, body = self.admin.handle(environ)
            start_response(_status_line(status), headers)
            return [body]

        length = int(environ.get("CONTENT_LENGTH") or 0)
        if length:
            body = environ["wsgi.input"].read(length)
        elif environ.get("wsgi.input_terminated"):  # chunked request body
            body = environ["wsgi.input"].read()
        else:
            body = b""
        environ["CONTENT_LENGTH"] = str(len(body))
        environ["wsgi.input"] = io.BytesIO(body)
        service, region = _scope(environ)
        raw_uri = environ.get("RAW_URI") or environ.get("REQUEST_URI") or path
        method = environ.get("REQUEST_METHOD", "GET")
        backup_route = BackupState.match(method, raw_uri) if service == "backup" else None
        action = self._action(environ, service, method, raw_uri, body, backup_route)
        if service is None and action in UNSIGNED_STS_ACTIONS:
            service = "sts"
        entry = {"time": time.time(), "service": service, "action": action, "method": method,
                 "path": raw_uri.split("?", 1)[0], "status": None, "fault": None, "region": region,
                 "params": self._logged_params(environ, body)}
        with self.lock:
            self.log.append(entry)
            fault = self.faults.pick(service, action)
        request_id = str(uuid.uuid4())

        if fault is not None:
            entry["fault"] = fault["kind"]
            if fault["delay_ms"]:
                time.sleep(fault["delay_ms"] / 1000.0)
            kind = fault["kind"]
            if kind in ("throttle", "500", "503"):
                if kind == "throttle":
                    code, status = THROTTLE.get(service, ("Throttling", 400))
                    message = "Rate exceeded"
                elif kind == "500":
                    code, status, message = "InternalFailure", 500, "Internal failure (injected)"
                else:
                    code, status = "ServiceUnavailable", 503
                    message = "Service unavailable (injected)"
                status, headers, out = error_response(service, code, message, status, request_id)
                entry["status"] = status
                start_response(_status_line(status), headers)
                return [out]
            if kind == "drop":
                entry["status"] = 0
                _close(environ)
                raise _Dropped("connection dropped by the world (fault)")

        with self.lock:
            status, headers, out = self._dispatch(environ, service, region, method, raw_uri,
                                                  body, backup_route, request_id, action)
        entry["status"] = status
        if fault is not None and fault["kind"] == "cut":
            start_response(_status_line(status), headers)
            return _cut_body(environ, out)
        start_response(_status_line(status), headers)
        return [out]

    # What a request names, for tests that count targeted calls (never a secret: identifiers only).
    LOGGED_PARAMS = ("DBClusterIdentifier", "DBClusterSnapshotIdentifier", "ExportTaskIdentifier", "Marker",
                     "SnapshotType", "DBInstanceIdentifier", "SourceDBClusterIdentifier", "UseLatestRestorableTime",
                     "RestoreToTime", "SnapshotIdentifier", "DBInstanceClass", "Engine", "EngineVersion", "Port",
                     "DBClusterParameterGroupName", "DBSubnetGroupName", "EnableIAMDatabaseAuthentication",
                     "CopyTagsToSnapshot", "ServerlessV2ScalingConfiguration.MinCapacity",
                     "ServerlessV2ScalingConfiguration.MaxCapacity", "TopicArn", "Subject")

    @classmethod
    def _logged_params(cls, environ, body):
        if not body or not environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
            return {}
        fields = parse_qs(body.decode("utf-8", "replace"))
        out = {k: fields[k][0] for k in cls.LOGGED_PARAMS if k in fields}
        # SNS Publish: the message attributes by name (String values; events' fields, never secrets).
        attrs = {}
        for k, v in fields.items():
            if k.startswith("MessageAttributes.entry.") and k.endswith(".Name"):
                n = k[len("MessageAttributes.entry."):-len(".Name")]
                attrs[v[0]] = fields.get(f"MessageAttributes.entry.{n}.Value.StringValue", [""])[0]
        if attrs:
            out["MessageAttributes"] = attrs
        if "Message" in fields and out.get("TopicArn"):
            out["Message"] = fields["Message"][0]
        return out

    def _action(self, environ, service, method, raw_uri, body, backup_route):
        if backup_route:
            return backup_route[0]
        if service == "backup":
            path = raw_uri.split("?", 1)[0]
            for m, pattern, op in MOTO_BACKUP_OPS:
                if m == method and _glob(pattern, path):
                    return op
            return None
        target = environ.get("HTTP_X_AMZ_TARGET")
        if target:
            return target.split(".", 1)[-1]
        ctype = environ.get("CONTENT_TYPE", "")
        fields = {}
        if body and ctype.startswith("application/x-www-form-urlencoded"):
            fields = parse_qs(body.decode("utf-8", "replace"))
        if not fields.get("Action") and "?" in raw_uri:
            fields = parse_qs(raw_uri.split("?", 1)[1])
        if fields.get("Action"):
            return fields["Action"][0]
        return None

    def _dispatch(self, environ, service, region, method, raw_uri, body, backup_route,
                  request_id, action=None):
        if backup_route is not None:
            return self._backup(environ, region, method, raw_uri, body, backup_route, request_id)
        if service == "backup":
            self.backup.refresh_vault_counts(region)
        signed = "HTTP_AUTHORIZATION" in environ
        if self.auth and not signed and not (service == "sts" and action in UNSIGNED_STS_ACTIONS):
            return error_response(service or "rds", "MissingAuthenticationToken",
                                  "Request is missing Authentication Token", 403, request_id)
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"] = int(status.split(" ", 1)[0])
            captured["headers"] = list(headers)

        unsigned_allowed = self.auth and not signed
        try:
            if unsigned_allowed:
                # Under the world lock, so no other request sees auth switched off.
                moto_settings.INITIAL_NO_AUTH_ACTION_COUNT = float("inf")
            chunks = self.moto(environ, capture)
            out = b"".join(chunks)
            if hasattr(chunks, "close"):
                chunks.close()
        except Exception as e:  # moto bug: answer like AWS would, keep serving
            traceback.print_exc(file=sys.stderr)
            return error_response(service or "rds", "InternalFailure", str(e), 500, request_id)
        finally:
            if unsigned_allowed:
                self.set_auth(True)
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(out))))
        return captured["status"], headers, out

    def _backup(self, environ, region, method, raw_uri, body, route, request_id):
        op, labels = route
        try:
            if self.auth:
                self._check_backup_signature(environ, method, raw_uri, body, op)
            status, payload = self.backup.handle(op, labels, region,
                                                 raw_uri.split("?", 1)[1] if "?" in raw_uri else "",
                                                 body)
        except BackupError as e:
            return error_response("backup", e.code, e.message, e.status, request_id)
        except _AuthError as e:
            return error_response("backup", e.code, e.message, e.status, request_id)
        except Exception as e:
            traceback.print_exc(file=sys.stderr)
            return error_response("backup", "ServiceUnavailableException", str(e), 500, request_id)
        out = json.dumps(payload).encode() if payload is not None else b""
        headers = [("Content-Type", "application/json"), ("x-amzn-RequestId", request_id),
                   ("Content-Length", str(len(out)))]
        return status, headers, out

    def _check_backup_signature(self, environ, method, raw_uri, body, op):
        """moto's IAM signature and policy check, over the raw (still encoded) path."""
        from moto.iam.access_control import IAMRequest

        headers = EnvironHeaders(environ)
        if "Authorization" not in headers:
            raise _AuthError("MissingAuthenticationTokenException",
                             "Missing Authentication Token", 403)
        try:
            req = IAMRequest(account_id=DEFAULT_ACCOUNT_ID, method=method, path=raw_uri,
                             data={}, body=body, headers=headers, action=op)
            req.check_signature()
            req.check_action_permitted("*")
        except Exception as e:
            code = getattr(e, "error_type", None)
            if code is None:
                raise
            # REST-JSON services name these errors differently from the Query services.
            code = JSON_AUTH_CODES.get(code, code)
            raise _AuthError(code, getattr(e, "message", str(e)), getattr(e, "code", 403))

    # -- state shared with the admin API -------------------------------------------------------

    def reset(self):
        from moto.moto_api._internal.models import moto_api_backend

        moto_api_backend.reset()
        world_rds.STATE.reset()
        self.backup.reset()
        self.faults.clear()
        self.log = []
        self.set_auth(self.auth)


class _AuthError(Exception):
    def __init__(self, code, message, status):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def _glob(pattern, path):
    pp = pattern.split("/")
    sp = path.split("/")
    if len(pp) != len(sp):
        return False
    return all(p == "*" and s != "" or p == s for p, s in zip(pp, sp))


def _status_line(status):
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} Unknown"


def _close(environ):
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _cut_body(environ, out):
    # Headers promise the full Content-Length; half the body arrives, then the connection ends.
    yield out[: len(out) // 2]
    _close(environ)
    raise _Dropped("body cut by the world (fault)")


class _QuietHandler(WSGIRequestHandler):
    # Keep-alive like AWS endpoints, so clients that reuse connections are exercised.
    protocol_version = "HTTP/1.1"

    def log_request(self, *args, **kwargs):
        pass

    def connection_dropped(self, error, environ=None):
        pass


class WorldServer:
    """A threaded HTTP server for one WorldApp on 127.0.0.1."""

    def __init__(self, app, port=0):
        self.app = app
        self.httpd = make_server("127.0.0.1", port, app, threaded=True,
                                 request_handler=_QuietHandler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = None

    def start(self):
        # A short poll interval makes shutdown (SIGTERM, World.stop) quick.
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.1,),
                                       name="aws-world", daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        if self.thread is not None:
            self.thread.join()
