"""A raw-HTTP SigV4 client that signs the way the C agent does (not through botocore): host
127.0.0.1:PORT, form POST bodies, and REST paths whose already-encoded ARNs are encoded again
in the canonical URI.  Used by the tests to prove the world accepts such a client with --auth.
"""

import datetime
import hashlib
import hmac
import http.client
from urllib.parse import quote, urlsplit

UNRESERVED = "-_.~"


def _enc(text, safe=""):
    return quote(text, safe=UNRESERVED + safe)


def canonical_uri(raw_path):
    """Normalise, then encode each segment of the wire path again (double encoding)."""
    parts = []
    for seg in raw_path.split("/"):
        if seg in ("", "."):
            continue
        if seg == "..":
            if parts:
                parts.pop()
            continue
        parts.append(seg)
    path = "/" + "/".join(_enc(p) for p in parts)
    if raw_path.endswith("/") and path != "/":
        path += "/"
    return path


def canonical_query(query):
    pairs = []
    for item in query.split("&") if query else []:
        k, _, v = item.partition("=")
        from urllib.parse import unquote

        pairs.append((_enc(unquote(k)), _enc(unquote(v))))
    return "&".join(f"{k}={v}" for k, v in sorted(pairs))


def sign(method, url, headers, body, access_key, secret_key, region, service, amz_date,
         session_token=None):
    """Returns headers (a new dict) with X-Amz-Date, the token if any, and Authorization."""
    parts = urlsplit(url)
    headers = dict(headers)
    headers["Host"] = parts.netloc
    headers["X-Amz-Date"] = amz_date
    if session_token:
        headers["X-Amz-Security-Token"] = session_token
    canon_headers = {}
    for k, v in headers.items():
        canon_headers.setdefault(k.lower(), []).append(" ".join(str(v).split()))
    names = sorted(canon_headers)
    header_block = "".join(f"{n}:{','.join(canon_headers[n])}\n" for n in names)
    signed = ";".join(names)
    payload_hash = hashlib.sha256(body).hexdigest()
    creq = "\n".join([method, canonical_uri(parts.path or "/"), canonical_query(parts.query),
                      header_block, signed, payload_hash])
    date = amz_date[:8]
    scope = f"{date}/{region}/{service}/aws4_request"
    sts = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                     hashlib.sha256(creq.encode()).hexdigest()])
    key = ("AWS4" + secret_key).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = (f"AWS4-HMAC-SHA256 Credential={access_key}/{scope}, "
                                f"SignedHeaders={signed}, Signature={signature}")
    return headers


def now_amz_date():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def request(method, url, body=b"", headers=None, creds=None, region="us-east-1",
            service="rds", amz_date=None, tamper=False):
    """Send one signed request; returns (status, headers dict lower-cased, body bytes)."""
    creds = creds or {}
    signed = sign(method, url, headers or {}, body, creds["AccessKeyId"],
                  creds["SecretAccessKey"], region, service, amz_date or now_amz_date(),
                  creds.get("SessionToken"))
    if tamper:
        auth = signed["Authorization"]
        last = auth[-1]
        signed["Authorization"] = auth[:-1] + ("0" if last != "0" else "1")
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request(method, target, body=body, headers=signed)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()
