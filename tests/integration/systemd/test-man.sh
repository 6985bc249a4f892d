#!/bin/sh
# Renders the three manual pages with groff -ww (all warnings) and, where man-db is installed, with
# man --warnings; any warning or a missing page fails (issue 8). Skips only when groff is missing.
# With JOURNAL_C (agent/journal.c), aurora-backup-agent.8 must also list every event kind and its MESSAGE_ID.
# Usage: test-man.sh MANDIR [JOURNAL_C]
set -u
[ $# -eq 1 ] || [ $# -eq 2 ] || { echo "usage: test-man.sh MANDIR [JOURNAL_C]" >&2; exit 2; }
command -v groff >/dev/null || { echo "SKIP: groff missing"; exit 77; }
mandir=$1
# The pages are ASCII; a UTF-8 locale keeps man-db from warning about the locale instead of the page.
export LC_ALL=C.UTF-8 MANWIDTH=80
rc=0
for p in aurora-backup-agent.8 aurora-backupctl.8 aurora-backup-agent.conf.5; do
  f="$mandir/$p"
  if [ ! -f "$f" ]; then echo "FAIL: $p: missing from $mandir"; rc=1; continue; fi
  w=$(groff -man -ww -z -Tutf8 "$f" 2>&1)
  if [ -n "$w" ]; then echo "FAIL: $p: groff -ww:"; echo "$w"; rc=1; continue; fi
  if command -v man >/dev/null; then
    w=$(man --warnings=w -l "$f" 2>&1 >/dev/null)
    if [ -n "$w" ]; then echo "FAIL: $p: man --warnings:"; echo "$w"; rc=1; continue; fi
  fi
  # A page that renders to nothing would pass the checks above: it must at least have its NAME.
  groff -man -Tascii -P-cbou "$f" 2>/dev/null | grep -q '^NAME$' || { echo "FAIL: $p: renders no NAME section"; rc=1; continue; }
  echo "ok $p"
done

# The three pages name each other with the sections they really have.
for f in "$mandir"/aurora-backup-agent.8 "$mandir"/aurora-backupctl.8 "$mandir"/aurora-backup-agent.conf.5; do
  [ -f "$f" ] || continue
  bad=$(grep -n 'aurora\\-backup' "$f" | grep -E '\((1|[2-46-7])\)|backupctl \(5\)|agent \(5\)|conf \(8\)' || true)
  [ -z "$bad" ] || { echo "FAIL: $(basename "$f"): wrong section in a cross-reference:"; echo "$bad"; rc=1; }
done

if [ $# -eq 2 ] && [ -f "$mandir/aurora-backup-agent.8" ]; then
  # Rendered text: the page shows "name" then "MESSAGE_ID=id" for each kind of journal.c's table.
  page=$(groff -man -Tascii -P-cbou "$mandir/aurora-backup-agent.8" 2>/dev/null)
  n=0
  for e in $(sed -n 's/.*{"\([a-z-]*\)", "\([0-9a-f]\{32\}\)", LOG_[A-Z]*}.*/\1:\2/p' "$2"); do
    n=$((n + 1))
    name=${e%%:*} id=${e#*:}
    printf '%s\n' "$page" | grep -A1 -E "^ +$name\$" | grep -q "MESSAGE_ID=$id" ||
      { echo "FAIL: aurora-backup-agent.8 does not document $name MESSAGE_ID=$id"; rc=1; }
  done
  [ $n -gt 0 ] || { echo "FAIL: no MESSAGE_IDs found in $2"; rc=1; }
  [ $rc -ne 0 ] || echo "ok aurora-backup-agent.8 documents all $n MESSAGE_IDs"
fi
exit $rc
