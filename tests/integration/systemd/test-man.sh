#!/bin/sh
# Renders the manual pages with groff -ww and fails on any warning (issue 8).
# Usage: test-man.sh MANDIR
set -u
command -v groff >/dev/null || { echo "SKIP: groff missing"; exit 77; }
rc=0
missing=
for p in aurora-backup-agent.8 aurora-backupctl.8 aurora-backup-agent.conf.5; do
  f="$1/$p"
  if [ ! -f "$f" ]; then echo "missing: $p"; missing="$missing $p"; continue; fi
  w=$(groff -man -ww -z "$f" 2>&1)
  if [ -n "$w" ]; then echo "FAIL: $p:"; echo "$w"; rc=1; else echo "ok $p"; fi
done
[ $rc -ne 0 ] && exit 1
# The .conf.5 page comes from another change; until it lands the check is incomplete, not passed.
[ -n "$missing" ] && { echo "SKIP: not yet written:$missing"; exit 77; }
exit 0
