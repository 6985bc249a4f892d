#!/bin/sh
# The whole test suite, as CI runs it: install what is missing, then build and test twice, once
# normally and once under ASan+UBSan (both with the test-only hooks the integration tests need), compile
# a release build without them and check that it has none, and end with the line "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
tools/setup-deps.sh || exit 1

rc=0
run_build() {
        dir=$1
        shift
        if [ -f "$dir/build.ninja" ]; then
                meson setup --reconfigure "$dir" "$@" >/dev/null || return 1
        else
                meson setup "$dir" "$@" >/dev/null || return 1
        fi
        ninja -C "$dir" || return 1
        # The log of a previous run must not be counted again.
        rm -f "$dir/meson-logs/testlog.json"
        meson test -C "$dir" --print-errorlogs --num-processes 2 --timeout-multiplier "${TIMEOUT_MULTIPLIER:-1}"
}

run_build build -Dtest_hooks=true || rc=1
TIMEOUT_MULTIPLIER=3 run_build build-sanitize -Dtest_hooks=true -Db_sanitize=address,undefined -Db_lundef=false || rc=1
# Optimised builds see warnings (-Werror) the others do not: compile one, without the test hooks as
# packages are built, and run only the test that proves the hooks are not there.
rm -f build-release/meson-logs/testlog.json
if [ -f build-release/build.ninja ]; then
        meson setup --reconfigure build-release --buildtype=release -Dtest_hooks=false >/dev/null
else
        meson setup build-release --buildtype=release -Dtest_hooks=false >/dev/null
fi && ninja -C build-release >/dev/null || { echo "test.sh: the release build does not compile"; rc=1; }
meson test -C build-release --print-errorlogs agent-test-hooks || rc=1

python3 tools/summarize-tests.py build/meson-logs/testlog.json build-sanitize/meson-logs/testlog.json \
        build-release/meson-logs/testlog.json || rc=1
exit $rc
