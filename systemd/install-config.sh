#!/bin/sh
# meson install script: installs the example config as agent.conf only when none exists yet.
# Usage: install-config.sh EXAMPLE SYSCONFDIR   (honours $DESTDIR; never overwrites an admin's file)
set -eu
src=$1
dir="${DESTDIR:-}$2/aurora-backup"
[ -e "$dir/agent.conf" ] && exit 0
mkdir -p "$dir"
install -m 0644 "$src" "$dir/agent.conf"
