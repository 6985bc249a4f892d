#!/bin/sh
# Fuzz the parsers (tests/fuzz) with libFuzzer: build build-fuzz (clang, ASan+UBSan) if needed, then run
# each target for SECONDS (default 60), one after the other, over a scratch copy of its corpus (the
# checked-in corpus is not changed). Prints per target the executions and whether it crashed; exits 1 if
# any did (the input is kept and named). Installs what is missing on Debian 12, as tools/test.sh does.
#
#   tools/fuzz.sh [SECONDS [RUNS]]      RUNS: stop a target after that many executions (default: no cap)
#   FUZZ_TARGETS="rds error" tools/fuzz.sh 600
#
# Other settings: FUZZ_BUILD_JOBS (ninja -j, default 2), FUZZ_SCRATCH (where the corpora and inputs go,
# default /dev/shm or $TMPDIR; FUZZ_KEEP=1 keeps it), FUZZ_TIMEOUT (seconds one input may take before it
# counts as a hang, 10).
set -u
cd "$(dirname "$0")/.."
seconds=${1:-60}
runs=${2:--1}
targets=${FUZZ_TARGETS:-config rds backup error credentials sigv4}

tools/setup-deps.sh || exit 1
# Debian 12's clang is 14; libFuzzer's runtime (libclang_rt.fuzzer) is a package of its own.
missing=""
for p in clang libclang-rt-14-dev; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
                missing="$missing $p"
        fi
done
if [ -n "$missing" ]; then
        sudo=""
        [ "$(id -u)" -ne 0 ] && sudo="sudo"
        echo "fuzz.sh: installing:$missing"
        $sudo apt-get update -qq &&
                DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
                exit 1
fi

if [ ! -f build-fuzz/build.ninja ]; then
        CC=clang meson setup build-fuzz -Dfuzz=true >/dev/null || exit 1
fi
build_targets=""
for t in $targets; do
        build_targets="$build_targets tests/fuzz/fuzz-$t"
done
ninja -C build-fuzz -j "${FUZZ_BUILD_JOBS:-2}" $build_targets >/dev/null || {
        echo "fuzz.sh: build-fuzz does not build"
        exit 1
}

base=${FUZZ_SCRATCH:-}
if [ -z "$base" ]; then
        if [ -d /dev/shm ] && [ -w /dev/shm ]; then
                base=/dev/shm # the config target writes its input to files on every run
        else
                base=${TMPDIR:-/tmp}
        fi
fi
scratch=$(mktemp -d "$base/aba-fuzz.XXXXXX") || exit 1
src=$(pwd)
# libconfig 1.5 leaks a token per syntax error (see tests/lsan.supp); UB is fatal (also compiled so).
export LSAN_OPTIONS="suppressions=$src/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"

crashed=0
for t in $targets; do
        dir="$scratch/$t"
        mkdir -p "$dir/tmp" && cp -r "tests/fuzz/corpus/$t" "$dir/corpus" || exit 1
        set -- -max_total_time="$seconds" -runs="$runs" -timeout="${FUZZ_TIMEOUT:-10}" -print_final_stats=1 \
                -artifact_prefix="$dir/"
        [ -f "tests/fuzz/dict/$t.dict" ] && set -- "$@" -dict="$src/tests/fuzz/dict/$t.dict"
        set -- "$@" "$dir/corpus"
        [ -d "tests/fuzz/regressions/$t" ] && set -- "$@" "$src/tests/fuzz/regressions/$t"
        (cd "$dir" && TMPDIR="$dir/tmp" "$src/build-fuzz/tests/fuzz/fuzz-$t" "$@" >"$dir/fuzz.log" 2>&1)
        rc=$?
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/fuzz.log" | tail -n 1)
        found=$(find "$dir" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
                -o -name 'oom-*' \) | head -n 1)
        if [ $rc -ne 0 ] || [ -n "$found" ]; then
                crashed=$((crashed + 1))
                echo "fuzz-$t: ${execs:-?} executions, CRASH (exit $rc): ${found:-see $dir/fuzz.log}"
                grep -m 3 -E 'ERROR:|check failed|SUMMARY' "$dir/fuzz.log" | sed 's/^/    /'
        else
                echo "fuzz-$t: ${execs:-?} executions, no crash"
        fi
done

n=$(echo $targets | wc -w)
if [ $crashed -gt 0 ]; then
        echo "fuzz.sh: $crashed of $n targets crashed; inputs and logs kept in $scratch"
        echo "fuzz.sh: copy each input to tests/fuzz/regressions/TARGET/ with its fix and a unit test"
        exit 1
fi
if [ "${FUZZ_KEEP:-0}" = 1 ]; then
        echo "fuzz.sh: $n targets, no crash; corpora and logs kept in $scratch"
else
        rm -rf "$scratch"
        echo "fuzz.sh: $n targets, no crash"
fi
