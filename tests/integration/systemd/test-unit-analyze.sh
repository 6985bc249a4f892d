#!/bin/sh
# Checks the shipped unit: systemd-analyze security exposure <= 1.2 and verify clean (issue 8).
# Usage: test-unit-analyze.sh UNIT_FILE
set -u
unit=$1
command -v systemd-analyze >/dev/null || { echo "SKIP: systemd-analyze missing"; exit 77; }
systemd-analyze security --help 2>&1 | grep -q -- '--offline' || { echo "SKIP: systemd-analyze lacks --offline"; exit 77; }
out=$(systemd-analyze security --offline=yes --no-pager "$unit" 2>&1) || { echo "$out"; exit 1; }
level=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
[ -n "$level" ] || { echo "FAIL: no exposure level in output"; echo "$out"; exit 1; }
awk -v l="$level" 'BEGIN { exit !(l <= 1.2) }' || { echo "FAIL: exposure $level > 1.2"; exit 1; }
echo "exposure $level"
# verify needs ExecStart's binary: verify a copy whose ExecStart names an existing executable.
d=$(mktemp -d) && trap 'rm -rf "$d"' EXIT
sed 's|^ExecStart=[^ ]*|ExecStart=/bin/true|' "$unit" > "$d/aurora-backup-agent.service"
vout=$(systemd-analyze verify --man=no "$d/aurora-backup-agent.service" 2>&1)
if [ -n "$vout" ]; then echo "FAIL: verify:"; echo "$vout"; exit 1; fi
echo "verify clean"
