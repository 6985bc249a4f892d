#!/bin/sh
# Builds the RPM with rpmbuild -bb from a tarball of the tree and checks its files and scriptlets (issue 8).
# Usage: test-rpm.sh SOURCE_ROOT WORKDIR   (--nodeps: Debian's rpm database knows no BuildRequires)
set -u
src=$1
command -v rpmbuild >/dev/null || { echo "SKIP: rpmbuild missing (Debian package rpm)"; exit 77; }
rm -rf "$2" && mkdir -p "$2/SOURCES" || exit 1
w=$(cd "$2" && pwd)
trap 'rm -rf "$w"' EXIT
v=$(sed -n 's/^Version: *//p' "$src/packaging/rpm/aurora-backup-agent.spec")
tar -C "$src" --exclude=./.git --exclude='./build*' --exclude=./debian \
  --transform "s|^\./|aurora-backup-agent-$v/|" -czf "$w/SOURCES/aurora-backup-agent-$v.tar.gz" . || exit 1
with=
[ -f "$src/man/aurora-backup-agent.conf.5" ] && with="$with --with conf_page"
[ -f "$src/systemd/aurora-backup-agent.catalog" ] && with="$with --with catalog"
{ [ -f "$src/config/examples/full.conf" ] || [ -f "$src/config/examples/minimal.conf" ]; } && with="$with --with example_config"
rpmbuild -bb --nodeps $with --define "_topdir $w" --define "_tmppath $w/tmp" \
  "$src/packaging/rpm/aurora-backup-agent.spec" >"$w/build.log" 2>&1 || { cat "$w/build.log"; echo "FAIL: rpmbuild"; exit 1; }
rpm=$(ls "$w"/RPMS/*/aurora-backup-agent-"$v"-*.rpm | head -n1)
files=$(rpm -qlp "$rpm") && scripts=$(rpm -qp --scripts "$rpm") || exit 1
rc=0
for f in /usr/sbin/aurora-backup-agent /usr/bin/aurora-backupctl /usr/lib/systemd/system/aurora-backup-agent.service; do
  printf '%s\n' "$files" | grep -qx "$f" || { echo "FAIL: $f not in rpm"; rc=1; }
done
for s in postinstall preuninstall postuninstall; do
  printf '%s\n' "$scripts" | grep -q "^$s scriptlet" || { echo "FAIL: no $s scriptlet"; rc=1; }
done
# Packages are built without -Dtest_hooks: no test-only hook may be in the programs.
mkdir -p "$w/root" && rpm2archive - <"$rpm" | tar -C "$w/root" -xzf - || exit 1
if grep -l -a -e AURORA_BACKUP_TEST_NOW -e AURORA_BACKUP_TEST_CRASH_AT "$w/root/usr/sbin/aurora-backup-agent" \
  "$w/root/usr/bin/aurora-backupctl"; then echo "FAIL: test hooks in the packaged programs"; rc=1; fi
[ $rc -eq 0 ] && echo "rpm ok:$with"
exit $rc
