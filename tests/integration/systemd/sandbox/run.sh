#!/bin/bash
# Harness for the real-systemd test: boots the sandbox with the project's REAL unit plus a drop-in,
# runs the caller's checks, always tears down. Usage: run.sh WORKDIR UNIT BINARY DROPIN_EXTRA CHECKS
#   WORKDIR outside /tmp (e.g. the meson build dir); BINARY is copied to WORKDIR (seen as /run/work);
#   DROPIN_EXTRA: extra [Service] lines file (Environment=... for the AWS world on 127.0.0.1);
#   CHECKS: script sourced with $X = "timeout 30 nsenter -t PID -a" to drive systemctl/journalctl.
set -u
H=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
unshare --pid --fork --mount true 2>/dev/null || { echo "SKIP: unshare fails"; exit 77; }
case "$(realpath -m "$1")" in /tmp|/tmp/*) echo "WORKDIR must be outside /tmp"; exit 1;; esac
W=$1; rm -rf "$W"; mkdir -p "$W" && W=$(cd "$W" && pwd)
cp -r "$H/units" "$W/units" && cp "$2" "$W/units/aurora-backup-agent.service" && cp "$3" "$W/agent" || exit 1
mkdir -p "$W/units/aurora-backup-agent.service.d"
{ echo "[Service]"; echo "ExecStart="; echo "ExecStart=/run/work/agent --config /run/work/agent.conf"
  [ -n "$4" ] && cat "$4"; } > "$W/units/aurora-backup-agent.service.d/50-test.conf"
trap '"$H/stop.sh" "$W" >/dev/null' EXIT
read SD st < <("$H/start.sh" "$W")
case "$st" in running|degraded) ;; *) echo "sandbox did not boot: $st"; cat "$W/unshare.log"; exit 1;; esac
X="timeout 30 nsenter -t $SD -a"
. "$5"
