"""Events from libagent's journal.c as a real systemd-journald stores them: MESSAGE_ID, PRIORITY and the
AURORA_*/AWS_* fields of every kind, the automatic sink under a journal stream, and the stderr fallback.

usage: test_journald.py JOURNALD_SEND CATALOG   (exit 77 where no private journald can run)
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from journald_harness import SKIP, private_journal, unavailable_reason  # noqa: E402

# Independent of journal.c: what operators and the catalog rely on.
EXPECTED_PRIORITY = {
    "window-missed": 4,
    "quota-exhausted": 4,
    "snapshot-failed": 3,
    "delete-failed": 3,
    "api-error": 3,
    "snapshot-created": 6,
    "cycle-summary": 6,
}

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def read_manifest(path):
    with open(path) as f:
        lines = [json.loads(line) for line in f if line.strip()]
    return lines[0]["sink"], lines[1:]


def catalog_ids(path):
    with open(path) as f:
        return set(re.findall(r"^-- ([0-9a-f]{32})$", f.read(), re.M))


def send(journal, sender, tmp, sink, journal_stream=False, **kwargs):
    run = uuid.uuid4().hex
    manifest = os.path.join(tmp, f"manifest-{run}")
    proc = journal.run([sender, "--sink", sink, "--run", run, "--manifest", manifest],
                       journal_stream=journal_stream, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, **kwargs)
    check(proc.returncode == 0, f"sink={sink}: journald-send exited {proc.returncode}: {proc.stdout}{proc.stderr}")
    resolved, sent = read_manifest(manifest)
    return run, resolved, sent, proc


def check_structured(entries, sent, label, catalog):
    by_seq = {int(e.get("AURORA_SEQ", -1)): e for e in entries}
    check(len(entries) == len(sent), f"{label}: {len(entries)} entries in the journal, {len(sent)} sent")
    for ev in sent:
        e = by_seq.get(ev["seq"])
        name = ev["event"]
        if e is None:
            check(False, f"{label}: {name} not in the journal")
            continue
        check(e.get("MESSAGE_ID") == ev["message_id"], f"{label}: {name} MESSAGE_ID {e.get('MESSAGE_ID')}")
        check(ev["message_id"] in catalog, f"{label}: {name} MESSAGE_ID missing from the catalog")
        check(e.get("PRIORITY") == str(ev["priority"]), f"{label}: {name} PRIORITY {e.get('PRIORITY')}")
        if name in EXPECTED_PRIORITY:
            check(e.get("PRIORITY") == str(EXPECTED_PRIORITY[name]), f"{label}: {name} priority is wrong")
        check(e.get("MESSAGE") == f"Event {name} for {ev['cluster']}", f"{label}: {name} MESSAGE {e.get('MESSAGE')!r}")
        check(e.get("AURORA_EVENT") == name, f"{label}: {name} AURORA_EVENT")
        check(e.get("AURORA_POLICY") == "prod", f"{label}: {name} AURORA_POLICY")
        check(e.get("AURORA_CLUSTER") == ev["cluster"], f"{label}: {name} AURORA_CLUSTER")
        check(e.get("AURORA_SNAPSHOT") == ev["snapshot"], f"{label}: {name} AURORA_SNAPSHOT")
        check(e.get("AURORA_ACTION") == name, f"{label}: {name} AURORA_ACTION")
        check(e.get("AURORA_REGION") == "eu-west-1", f"{label}: {name} AURORA_REGION")
        check(e.get("AURORA_DURATION_SEC") == str(ev["duration"]), f"{label}: {name} AURORA_DURATION_SEC")
        if name == "retention-verdict":
            check(e.get("AURORA_REASON") == "kept by daily\nand by weekly",
                  f"{label}: multi-line AURORA_REASON arrived as {e.get('AURORA_REASON')!r}")
        else:
            check(e.get("AURORA_REASON") == f"reason number {ev['seq']}", f"{label}: {name} AURORA_REASON")
        if ev["aws"]:
            check(e.get("AWS_ERROR_CODE") == "InvalidDBClusterStateFault", f"{label}: {name} AWS_ERROR_CODE")
            check(e.get("AWS_REQUEST_ID") == "4c1d7c3e-0b6a-4f3e-9d0e-1a2b3c4d5e6f", f"{label}: {name} AWS_REQUEST_ID")
        else:
            check("AWS_ERROR_CODE" not in e and "AWS_REQUEST_ID" not in e,
                  f"{label}: {name} carries AWS fields that were not set")
        check("AURORA_TARGET" not in e, f"{label}: {name} carries an unset AURORA_TARGET")


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    sender, catalog_path = sys.argv[1], sys.argv[2]
    reason = unavailable_reason()
    if reason:
        print("SKIP:", reason)
        return SKIP
    catalog = catalog_ids(catalog_path)

    with tempfile.TemporaryDirectory(prefix="aba-journald-test-") as tmp, private_journal() as journal:
        # 1. The journal sink, forced: every kind with its fields.
        run, resolved, sent, _ = send(journal, sender, tmp, "journal")
        check(resolved == "journal", "forced journal sink did not resolve to the journal")
        check(len(sent) >= 20, f"only {len(sent)} event kinds sent")
        check(len({ev["message_id"] for ev in sent}) == len(sent), "MESSAGE_IDs are not distinct")
        check_structured(journal.entries(AURORA_RUN=run), sent, "journal sink", catalog)
        for ev in sent:
            by_id = journal.entries(f"MESSAGE_ID={ev['message_id']}", AURORA_RUN=run)
            check(len(by_id) == 1, f"journalctl MESSAGE_ID={ev['message_id']} finds {len(by_id)} entries")

        # 2. Auto sink under a service-like journal stream: structured events, not text lines.
        run, resolved, sent, _ = send(journal, sender, tmp, "auto", journal_stream=True)
        check(resolved == "journal", "auto sink under $JOURNAL_STREAM did not choose the journal")
        check_structured(journal.entries(AURORA_RUN=run), sent, "auto sink (journal stream)", catalog)

        # 3. Auto sink with stderr redirected (foreground run): one line per event on stderr, nothing
        #    structured, even though the journal socket exists.
        env = dict(os.environ, JOURNAL_STREAM="1:1")
        run, resolved, sent, proc = send(journal, sender, tmp, "auto", env=env)
        check(resolved == "stderr", "auto sink with a redirected stderr did not choose stderr")
        check(journal.entries(AURORA_RUN=run) == [], "redirected run still wrote structured entries")
        lines = proc.stderr.splitlines()
        check(len(lines) == len(sent), f"{len(lines)} stderr lines for {len(sent)} events")
        for line, ev in zip(lines, sent):
            level = {3: "error", 4: "warning", 5: "notice", 6: "info"}[ev["priority"]]
            check(line.startswith(f"{level}: Event {ev['event']} for {ev['cluster']} ["),
                  f"stderr line {line!r}")
            check(f"cluster={ev['cluster']}" in line and f"snapshot={ev['snapshot']}" in line,
                  f"stderr line lacks fields: {line!r}")
            check(("code=InvalidDBClusterStateFault" in line) == ev["aws"], f"stderr line code: {line!r}")

        # 4. The journal sink forced where no journald listens (a namespace with an empty /run): the
        #    events are not lost, they come out on stderr.
        run = uuid.uuid4().hex
        manifest = os.path.join(tmp, f"manifest-{run}")
        proc = subprocess.run(["unshare", "-m", "--propagation", "private", "--", "sh", "-c",
                               'mount -t tmpfs tmpfs /run && exec "$@"', "sh",
                               os.path.abspath(sender), "--sink", "journal", "--run", run,
                               "--manifest", manifest],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        resolved, sent = read_manifest(manifest)
        check(resolved == "stderr", "no journald: the journal sink did not fall back to stderr")
        check(proc.returncode == 0, f"no journald: journald-send exited {proc.returncode}: {proc.stdout}")
        lines = proc.stderr.splitlines()
        check(len(lines) == len(sent), f"no journald: {len(lines)} stderr lines for {len(sent)} events")
        check(journal.entries(AURORA_RUN=run) == [], "no journald: entries appeared in the private journal")

    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print("OK: journald stored every event kind with its MESSAGE_ID, PRIORITY and fields")
    return 0


if __name__ == "__main__":
    sys.exit(main())
