#!/bin/sh
# The demo: build the agent, start the local AWS world (tests/aws-world, on 127.0.0.1 only), seed three
# clusters, run one reconcile cycle of aurora-backup-agent against it and show what happened.
#   orders-db   available, its backup window open now          -> a snapshot is created
#   billing-db  'modifying', its window open now               -> no snapshot; a retry is planned
#   reports-db  recent dailies plus snapshots 45-90 days old   -> the expired ones are deleted, with why
# Then the agent runs as a daemon for one operator restore (aurora-backupctl restore through its control
# socket): reports-db's newest snapshot into a new cluster, its primary instance, until it is the writer.
# Nothing leaves this machine; everything is removed at the end.
set -eu
cd "$(dirname "$0")/.."
tools/setup-deps.sh
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null

agent=build/agent/aurora-backup-agent
ctl=build/agent/aurora-backupctl
work=$(mktemp -d "${TMPDIR:-/tmp}/aurora-demo.XXXXXX")
world_pid=""
daemon_pid=""
cleanup() {
        if [ -n "$daemon_pid" ]; then
                kill "$daemon_pid" 2>/dev/null || true
                wait "$daemon_pid" 2>/dev/null || true
        fi
        if [ -n "$world_pid" ]; then
                kill "$world_pid" 2>/dev/null || true
                wait "$world_pid" 2>/dev/null || true
        fi
        rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

section() {
        printf '\n== %s\n' "$*"
}

# Never let anything here look beyond loopback.
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL http_proxy https_proxy HTTP_PROXY HTTPS_PROXY || true
export AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
export NO_PROXY=127.0.0.1 no_proxy=127.0.0.1

section "1. Starting the local AWS world (moto + AWS Backup layer) on 127.0.0.1"
mkfifo "$work/ready"
python3 tests/aws-world/serve.py --port 0 >"$work/ready" 2>"$work/world.log" &
world_pid=$!
read -r ready url <"$work/ready" || true
if [ "${ready:-}" != "READY" ]; then
        echo "demo: the world did not start:" >&2
        cat "$work/world.log" >&2
        exit 1
fi
echo "world: $url"

section "2. Seeding three clusters, and writing the agent's configuration"
python3 - "$url" "$work" <<'EOF'
import json, os, sys, time, urllib.request

url, work = sys.argv[1], sys.argv[2]
DAY = 86400
now = int(time.time()) // 60 * 60

def post(name, body):
    req = urllib.request.Request(f"{url}/_world/{name}", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(req, timeout=60) as r:
        return json.loads(r.read())

def hhmm(minute):
    minute %= 1440
    return f"{minute // 60:02d}:{minute % 60:02d}"

def fnv1a64(s):
    h = 14695981039346656037
    for b in s.encode():
        h = ((h ^ b) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h

def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))

# A 60-minute window that opened 40 minutes ago: every cluster's slot (window start plus a per-cluster
# offset of up to 29 minutes) has begun, and the window stays open for another 20 minutes.
open_at = now - 40 * 60
start_min = (open_at % DAY) // 60
window = f"{hhmm(start_min)}-{hhmm(start_min + 60)}"

def slot_start(cluster, t):
    """The cluster's slot in the window that opened on the day of t (scheduler/slot.c)."""
    day_open = (t - start_min * 60) // DAY * DAY + start_min * 60
    return day_open + (fnv1a64(cluster) % 30) * 60

def agent_snapshot(cluster, days_ago):
    s = slot_start(cluster, now - days_ago * DAY)
    return {"cluster": cluster, "origin": "agent",
            "id": "aba-%s-%s" % (cluster, time.strftime("%Y%m%dt%H%M", time.gmtime(s))),
            "created": s + 300,
            "tags": {"aurora-backup:policy": "demo", "aurora-backup:slot": iso(s)}}

clusters = [{"id": c, "backup_window": window, "engine": "aurora-postgresql"}
            for c in ("orders-db", "billing-db", "reports-db")]
clusters[1]["status"] = "modifying"
snapshots = [agent_snapshot("reports-db", d) for d in (1, 2, 3, 45, 60, 90)]
snapshots.append({"cluster": "reports-db", "origin": "foreign", "id": "reports-db-before-upgrade",
                  "created": now - 120 * DAY})
snapshots.append({"cluster": "reports-db", "origin": "automated", "created": now - 1 * DAY})
seeded = post("seed", {"clusters": clusters, "snapshots": snapshots})
with open(os.path.join(work, "restore-from"), "w") as f:
    f.write(agent_snapshot("reports-db", 1)["id"])
post("requests/clear", {})

print(f"backup window of all three clusters (UTC): {window}")
print("clusters:  orders-db (available), billing-db (modifying), reports-db (available)")
print("reports-db snapshots before the cycle:")
for s in snapshots:
    sid = s.get("id") or "rds:reports-db-... (automated)"
    age = (now - s["created"]) // DAY
    who = {"agent": "the agent's", "foreign": "someone else's", "automated": "automated"}[s["origin"]]
    print(f"  {sid:40s} {age:3d} days old, {who}")

with open(os.path.join(work, "agent.conf"), "w") as f:
    f.write(f"""agent: {{
  region = "us-east-1";
  state_directory = "{work}/state";
  snapshot_prefix = "aba";
  control_socket = "{work}/control";   # aurora-backupctl's mutating commands go through it
  control_group = "nogroup";
}};

policies = (
  {{
    name = "demo";
    clusters = [ "*-db" ];
    schedule = {{ every = "daily"; window = "cluster"; }};   # each cluster's PreferredBackupWindow
    retention = {{ daily = 7; max_age = "30d"; min_keep = 3; }};
    quota = {{ limit = 100; reserve = 5; }};
  }}
);
""")
EOF
echo "configuration ($work/agent.conf):"
sed -n '/^policies/,$p' "$work/agent.conf" | sed 's/^/  /'

export AWS_ACCESS_KEY_ID=demo-access-key AWS_SECRET_ACCESS_KEY=demo-secret-key AWS_REGION=us-east-1
export AWS_ENDPOINT_URL="$url"

section "3. One reconcile cycle: $agent --once"
echo "(in the foreground each event is one line on stderr; under systemd they go to the journal)"
rc=0
"$agent" --once --config "$work/agent.conf" 2>"$work/agent.log" || rc=$?
sed 's/^/  /' "$work/agent.log"
echo "exit status: $rc (0: every planned action succeeded)"

section "4. What happened"
show() {
        # $1: heading, $2: pattern on the agent's event lines
        echo "$1"
        grep -E "$2" "$work/agent.log" | sed 's/ \[.*//; s/^[a-z]*: /  /' || echo "  (none)"
}
show "Snapshot created (orders-db, reports-db: inside their window, tagged as the agent's):" \
        '^info: (Started|Snapshot .* is available)'
show "Retry planned (billing-db is 'modifying', so no snapshot now):" '^notice: Not creating '
show "Expired snapshots deleted, with the rule that expired them:" '^info: Deleted '
echo
echo "The AWS calls the agent made (the world's request log):"
python3 - "$url" <<'EOF'
import collections, json, sys, urllib.request
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
with opener.open(f"{sys.argv[1]}/_world/requests", timeout=60) as r:
    log = json.loads(r.read())["requests"]
for (action, status), n in sorted(collections.Counter((q["action"], q["status"]) for q in log).items()):
    print(f"  {n:3d} x {action} -> {status}")
EOF

echo
echo "Snapshots in the world now (kept: the newest dailies, someone else's manual snapshot, the automated one):"
python3 - "$url" <<'EOF'
import sys, boto3, botocore.config
rds = boto3.client("rds", endpoint_url=sys.argv[1], region_name="us-east-1",
                   aws_access_key_id="demo", aws_secret_access_key="demo",
                   config=botocore.config.Config(retries={"max_attempts": 1}))
rows = []
for page in rds.get_paginator("describe_db_cluster_snapshots").paginate():
    for s in page["DBClusterSnapshots"]:
        tags = {t["Key"]: t["Value"] for t in s.get("TagList", [])}
        owner = "agent" if tags.get("aurora-backup:managed-by") == "aurora-backup-agent" else s["SnapshotType"]
        rows.append((s["DBClusterIdentifier"], s["SnapshotCreateTime"], s["DBClusterSnapshotIdentifier"], owner))
for cluster, created, sid, owner in sorted(rows, key=lambda r: (r[0], r[1]), reverse=True):
    print(f"  {cluster:11s} {sid:40s} {created:%Y-%m-%d %H:%M}  {owner}")
EOF

echo
echo "The ledger (every mutating call, recorded before it was made):"
"$ctl" -c "$work/agent.conf" history --limit 10 2>&1 | sed 's/^/  /' || true

section "5. An operator's restore: the agent as a daemon, aurora-backupctl restore through its socket"
"$agent" --config "$work/agent.conf" 2>"$work/daemon.log" &
daemon_pid=$!
tries=0
until "$ctl" -c "$work/agent.conf" ping >/dev/null 2>&1; do
        tries=$((tries + 1))
        if [ "$tries" -gt 60 ]; then
                echo "demo: the daemon did not answer on its control socket:" >&2
                cat "$work/daemon.log" >&2
                exit 1
        fi
        sleep 0.5
done
from=$(cat "$work/restore-from")
echo "\$ aurora-backupctl restore --snapshot $from --new-cluster reports-db-restored --instance-class db.r6g.large"
"$ctl" -c "$work/agent.conf" restore --snapshot "$from" --new-cluster reports-db-restored \
        --instance-class db.r6g.large 2>&1 | sed 's/^/  /'
echo "The restore's ledger rows (each mutating call recorded before it was made):"
"$ctl" -c "$work/agent.conf" history --limit 2 2>&1 | sed 's/^/  /' || true
kill "$daemon_pid"
wait "$daemon_pid" 2>/dev/null || true
daemon_pid=""

section "6. Where to look in the journal (when it runs as aurora-backup-agent.service)"
cat <<'EOF'
  journalctl -u aurora-backup-agent                          every event, one line each
  journalctl -x -u aurora-backup-agent                       ... explained by the catalog (MESSAGE_ID)
  journalctl -u aurora-backup-agent AURORA_CLUSTER=billing-db -o verbose
  journalctl -u aurora-backup-agent AURORA_EVENT=snapshot-deleted -o json-pretty
  journalctl -u aurora-backup-agent AURORA_EVENT=snapshot-deferred
  systemctl status aurora-backup-agent                       next slot, clusters, quota use, last error
EOF

section "7. Stopping the world"
kill "$world_pid"
wait "$world_pid" 2>/dev/null || true
world_pid=""
echo "done"
exit "$rc"
