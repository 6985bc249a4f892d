#!/bin/sh
# Builds the Debian package from a temporary copy of the tree, checks its file list and lintian (issue 8).
# Usage: test-deb.sh SOURCE_ROOT WORKDIR
set -u
src=$1
for t in dpkg-buildpackage dh lintian dpkg-deb; do
  command -v $t >/dev/null || { echo "SKIP: $t missing (install debhelper dpkg-dev lintian)"; exit 77; }
done
dpkg-checkbuilddeps "$src/packaging/debian/control" 2>/dev/null ||
  { echo "SKIP: build dependencies missing:"; dpkg-checkbuilddeps "$src/packaging/debian/control"; exit 77; }
rm -rf "$2" && mkdir -p "$2/src" || exit 1
w=$(cd "$2" && pwd)
trap 'rm -rf "$w"' EXIT
# Copy the sources (not build trees), then make packaging/debian the package's debian/.
tar -C "$src" --exclude=./.git --exclude='./build*' --exclude=./debian -cf - . | tar -C "$w/src" -xf - || exit 1
cp -r "$src/packaging/debian" "$w/src/debian" || exit 1
(cd "$w/src" && DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -b -us -uc) >"$w/build.log" 2>&1 ||
  { cat "$w/build.log"; echo "FAIL: dpkg-buildpackage"; exit 1; }
deb=$(ls "$w"/aurora-backup-agent_*.deb) || exit 1
list=$(dpkg-deb -c "$deb" | awk '{print $6}')
rc=0
expect() { printf '%s\n' "$list" | grep -qx "\./$1" || { echo "FAIL: $1 not in package"; rc=1; }; }
expect usr/sbin/aurora-backup-agent
expect usr/bin/aurora-backupctl
expect lib/systemd/system/aurora-backup-agent.service
expect usr/share/man/man8/aurora-backup-agent.8.gz
expect usr/share/man/man8/aurora-backupctl.8.gz
# Files other changes provide: expected as soon as their source exists.
[ -f "$src/man/aurora-backup-agent.conf.5" ] && expect usr/share/man/man5/aurora-backup-agent.conf.5.gz
[ -f "$src/systemd/aurora-backup-agent.catalog" ] && expect usr/lib/systemd/catalog/aurora-backup-agent.catalog
if [ -f "$src/config/examples/full.conf" ] || [ -f "$src/config/examples/minimal.conf" ]; then
  expect etc/aurora-backup/agent.conf
  dpkg-deb -e "$deb" "$w/ctl" && grep -qx /etc/aurora-backup/agent.conf "$w/ctl/conffiles" ||
    { echo "FAIL: agent.conf is not a conffile"; rc=1; }
fi
# Packages are built without -Dtest_hooks: no test-only hook may be in the programs.
dpkg-deb -x "$deb" "$w/root" || exit 1
if grep -l -a -e AURORA_BACKUP_TEST_NOW -e AURORA_BACKUP_TEST_CRASH_AT "$w/root/usr/sbin/aurora-backup-agent" \
  "$w/root/usr/bin/aurora-backupctl"; then echo "FAIL: test hooks in the packaged programs"; rc=1; fi
# The unit must be wired by dh_installsystemd (postinst/prerm/postrm snippets).
dpkg-deb -e "$deb" "$w/ctl2" && grep -q deb-systemd-helper "$w/ctl2/postinst" ||
  { echo "FAIL: no dh_installsystemd snippet in postinst"; rc=1; }
lint=$(lintian --fail-on error "$w"/aurora-backup-agent_*.changes 2>&1) || { echo "$lint"; echo "FAIL: lintian errors"; rc=1; }
printf '%s\n' "$lint" | grep -E '^(E|W):' && echo "(lintian warnings above must be explained in packaging/debian/source/lintian-overrides)"
[ $rc -eq 0 ] && echo "package ok: $(printf '%s\n' "$list" | grep -c '[^/]$') files"
exit $rc
