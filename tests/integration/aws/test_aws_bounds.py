#!/usr/bin/env python3
"""Hostile-endpoint tests of agent/aws: aws-driver (C, linked with libaws) against a fake AWS endpoint on
127.0.0.1 that misbehaves on purpose: an XML entity bomb (peak memory of the driver measured), Marker and
NextToken values that repeat, and proxy variables in the environment pointing at a recording proxy.
Needs only Python's standard library; nothing leaves 127.0.0.1."""

import json
import os
import subprocess
import tempfile
import threading
import urllib.parse

from driver_harness import DRIVER, Handler, LoopbackServer, driver_env, driver_main, facts

MiB = 1024 * 1024

RDS_NS = "http://rds.amazonaws.com/doc/2014-10-31/"


def cluster_xml(ident):
    return (f"<DBCluster><DBClusterIdentifier>{ident}</DBClusterIdentifier><Status>available</Status>"
            f"<Engine>aurora-postgresql</Engine>"
            f"<DBClusterArn>arn:aws:rds:us-east-1:123456789012:cluster:{ident}</DBClusterArn></DBCluster>")


def query_response(action, list_name, items, marker=None):
    m = f"<Marker>{marker}</Marker>" if marker else ""
    return (f'<{action}Response xmlns="{RDS_NS}"><{action}Result><{list_name}>{"".join(items)}</{list_name}>{m}'
            f"</{action}Result><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>"
            f"</{action}Response>").encode()


def entity_bomb(size=110 * 1024):
    """One 10 KB internal entity referenced ~33,000 times: ~110 KB on the wire, ~330 MB once expanded."""
    ent = "a" * 10000
    head = (f'<?xml version="1.0"?><!DOCTYPE DescribeDBClustersResponse [<!ENTITY a "{ent}">]>'
            f'<DescribeDBClustersResponse xmlns="{RDS_NS}"><DescribeDBClustersResult><DBClusters><DBCluster>'
            "<DBClusterIdentifier>")
    tail = ("</DBClusterIdentifier><Status>available</Status></DBCluster></DBClusters></DescribeDBClustersResult>"
            "</DescribeDBClustersResponse>")
    refs = (size - len(head) - len(tail)) // 3
    return (head + "&a;" * refs + tail).encode()


class Server(LoopbackServer):
    def handle_error(self, request, client_address):
        pass  # a driver killed mid-request resets its connection: not worth a traceback


class Fake:
    """RDS Query and AWS Backup REST-JSON on one loopback port; `mode` says how to misbehave. Records
    every request (action or path, and the Marker/nextToken it carried)."""

    def __init__(self, host="127.0.0.1"):
        self.mode = "ok"
        self.log = []
        self.lock = threading.Lock()
        fake = self

        class H(Handler):
            def reply(self, status, data, ctype):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("x-amzn-RequestId", "req-1")
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                params = urllib.parse.parse_qs(self.rfile.read(n).decode())
                action = params.get("Action", [""])[0]
                marker = params.get("Marker", [None])[0]
                with fake.lock:
                    fake.log.append((action, marker))
                    mode = fake.mode
                self.reply(200, fake.query(mode, action, marker), "text/xml")

            def do_GET(self):
                parts = urllib.parse.urlsplit(self.path)
                token = urllib.parse.parse_qs(parts.query).get("nextToken", [None])[0]
                with fake.lock:
                    fake.log.append((parts.path, token))
                    mode = fake.mode
                page = {"RecoveryPoints": [{"RecoveryPointArn": "arn:aws:rds:us-east-1:123456789012:"
                                            "cluster-snapshot:awsbackup:job-1", "Status": "COMPLETED"}]}
                if mode == "token-repeats":
                    page["NextToken"] = "same-token"
                self.reply(200, json.dumps(page).encode(), "application/json")

        self.httpd = Server(H, host)
        self.port = self.httpd.port

    def query(self, mode, action, marker):
        if action == "DescribeDBClusters":
            if mode == "bomb":
                return entity_bomb()
            if mode == "marker-repeats":  # the previous page's Marker, again and again
                return query_response(action, "DBClusters", [cluster_xml(f"c-{len(self.log)}")], "page-2")
            return query_response(action, "DBClusters", [cluster_xml("prod-a")])
        if action == "DescribeDBClusterSnapshots":
            if mode == "marker-cycles":  # a, b, a, b, ...: a repeat that is not the previous Marker
                nxt = {None: "a", "a": "b", "b": "a"}[marker]
                return query_response(action, "DBClusterSnapshots", [], nxt)
            return query_response(action, "DBClusterSnapshots", [])
        return b"<ErrorResponse><Error><Code>InvalidAction</Code></Error></ErrorResponse>"

    def reset(self, mode):
        with self.lock:
            self.mode = mode
            self.log = []

    def stop(self):
        self.httpd.shutdown()


class RecordingProxy:
    """Accepts anything (plain proxy requests and CONNECT), records it and answers 502."""

    def __init__(self):
        self.log = []
        proxy = self

        class H(Handler):
            def handle_any(self):
                proxy.log.append((self.command, self.path, "Authorization" in self.headers))
                self.send_response(502)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_CONNECT = handle_any

        self.httpd = Server(H)
        self.url = self.httpd.url

    def stop(self):
        self.httpd.shutdown()


def base_env(tmp, endpoint, **extra):
    # No NO_PROXY: the proxy test needs the environment's proxy variables to stand unopposed.
    env = driver_env(tmp, endpoint)
    env.update(AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    env.update(extra)
    return env


def run(env, *args, expect=0):
    """Runs the driver; returns its output, its facts and its peak RSS in bytes (from wait4)."""
    with tempfile.TemporaryFile() as out:
        p = subprocess.Popen([DRIVER, *args], env=env, stdout=out, stderr=subprocess.STDOUT)
        # A listing that never ends must fail the test, not hang it.
        timer = threading.Timer(30, p.kill)
        timer.start()
        _, status, ru = os.wait4(p.pid, 0)
        timer.cancel()
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode(errors="replace")
    if p.returncode < 0:
        raise AssertionError(f"aws-driver {args[0]} died of signal {-p.returncode}:\n{text}")
    if expect is not None and p.returncode != expect:
        raise AssertionError(f"aws-driver {' '.join(args)} exited {p.returncode}, wanted {expect}:\n{text}")
    return text, facts(text), ru.ru_maxrss * 1024


def message(out):
    return next((line for line in out.splitlines() if line.startswith("message=")), "")


def tests(results, started):
    tmp = tempfile.TemporaryDirectory(prefix="aws-bounds-")
    fake = started(Fake())
    url = f"http://127.0.0.1:{fake.port}"
    test = results.test

    @test("a 110 KB entity bomb is refused as a DTD, with peak memory near a plain call's")
    def _():
        fake.reset("ok")
        _, _, baseline = run(base_env(tmp.name, url), "inventory")
        fake.reset("bomb")
        out, f, peak = run(base_env(tmp.name, url), "inventory", expect=1)
        print(f"  peak RSS: plain call {baseline / MiB:.1f} MiB, entity bomb {peak / MiB:.1f} MiB")
        assert f["op"] == "DescribeDBClusters" and f["kind"] == "parse", out
        assert "DTD" in message(out), out
        # The response may cost a small multiple of its 110 KB, nothing like the 330 MB its entity expands to.
        assert peak < baseline + 16 * MiB, f"peak {peak / MiB:.1f} MiB against {baseline / MiB:.1f} MiB"
        if baseline < 40 * MiB:  # a plain build (a sanitizer's shadow memory makes everything larger)
            assert peak < 64 * MiB, f"peak {peak / MiB:.1f} MiB"
        assert len(fake.log) == 1, fake.log  # a DTD is not a transient failure: no retry

    @test("a DescribeDBClusters Marker that repeats ends the listing with RepeatedMarker")
    def _():
        fake.reset("marker-repeats")
        out, f, _ = run(base_env(tmp.name, url), "inventory", expect=1)
        assert f["op"] == "DescribeDBClusters" and f["code"] == "RepeatedMarker", out
        assert "DescribeDBClusters" in message(out), out
        assert [m for _, m in fake.log] == [None, "page-2"], fake.log

    @test("a Marker that comes back after another one (a, b, a) also ends the listing")
    def _():
        fake.reset("marker-cycles")
        out, f, _ = run(base_env(tmp.name, url), "inventory", expect=1)
        assert f["op"] == "DescribeDBClusterSnapshots" and f["code"] == "RepeatedMarker", out
        snaps = [m for a, m in fake.log if a == "DescribeDBClusterSnapshots"]
        assert snaps == [None, "a", "b"], fake.log

    @test("an AWS Backup NextToken that repeats ends the listing with RepeatedMarker")
    def _():
        fake.reset("token-repeats")
        out, f, _ = run(base_env(tmp.name, url), "points", "agent-vault", expect=1)
        assert f["op"] == "ListRecoveryPointsByBackupVault" and f["code"] == "RepeatedMarker", out
        assert [t for _, t in fake.log] == [None, "same-token"], fake.log

    proxy = started(RecordingProxy())
    proxy_env = {"http_proxy": proxy.url, "HTTP_PROXY": proxy.url, "https_proxy": proxy.url,
                 "HTTPS_PROXY": proxy.url, "ALL_PROXY": proxy.url, "all_proxy": proxy.url}

    @test("loopback endpoints never go through a proxy from the environment")
    def _():
        for host in ("127.0.0.1", "localhost"):
            fake.reset("ok")
            proxy.log.clear()
            out, f, _ = run(base_env(tmp.name, f"http://{host}:{fake.port}", **proxy_env), "inventory")
            assert f["clusters"] == "1", out
            assert proxy.log == [], f"{host}: the proxy saw {proxy.log}"
            assert len(fake.log) == 2, fake.log
        try:
            fake6 = Fake("::1")
        except OSError:
            print("  no IPv6 loopback here: [::1] not tried")
            return
        try:
            proxy.log.clear()
            out, f, _ = run(base_env(tmp.name, f"http://[::1]:{fake6.port}", **proxy_env), "inventory")
            assert f["clusters"] == "1", out
            assert proxy.log == [], f"[::1]: the proxy saw {proxy.log}"
        finally:
            fake6.stop()


if __name__ == "__main__":
    driver_main(tests)
