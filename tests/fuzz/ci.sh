#!/usr/bin/env bash
# A short fuzz run for CI: builds the libFuzzer targets (clang) and runs each over a copy of its
# seed corpus (and its crash regressions: clang's UBSan checks more than gcc's) for a few seconds. Not registered in ctest (see README.md).
#
#   bash tests/fuzz/ci.sh                 # 15 s per target
#   FUZZ_SECONDS=60 bash tests/fuzz/ci.sh # longer
#   FUZZ_BUILD=/tmp/bf bash tests/fuzz/ci.sh
#
# Exit 0 when every target ran clean (or clang / libFuzzer is missing: then it says so and skips);
# 1 when a target found a crash, a leak, undefined behaviour or a timeout: the input is kept in
# $FUZZ_BUILD/ci-artifacts/<target>/ and its name printed (README.md: turning it into a regression).
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
secs=${FUZZ_SECONDS:-15}
build=${FUZZ_BUILD:-$root/build-fuzz}
cc=${FUZZ_CC:-clang}

if ! command -v "$cc" >/dev/null 2>&1; then
    echo "fuzz/ci.sh: $cc not found; skipped (apt-get install clang libclang-rt-dev)"
    exit 0
fi
if ! echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }' |
    "$cc" -x c -fsanitize=fuzzer -o /dev/null - >/dev/null 2>&1; then
    echo "fuzz/ci.sh: $cc cannot link libFuzzer (-fsanitize=fuzzer); skipped (apt-get install libclang-rt-dev)"
    exit 0
fi

start=$SECONDS
cmake -S . -B "$build" -DCHISO_FUZZ=ON -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || exit 1
cmake --build "$build" -j "$(nproc)" --target fuzz_rules fuzz_facts fuzz_table >/dev/null || {
    echo "fuzz/ci.sh: the build failed"
    exit 1
}
echo "fuzz/ci.sh: built in $((SECONDS - start)) s; ${secs} s per target"

status=0
for t in rules facts table; do
    work=$(mktemp -d)
    mkdir -p "$work/corpus" "$build/ci-artifacts/$t"
    cp tests/fuzz/corpus/$t/* "$work/corpus/"
    case $t in facts) maxlen=8192 ;; *) maxlen=16384 ;; esac
    t0=$SECONDS
    "$build/tests/fuzz/fuzz_$t" -max_total_time="$secs" -max_len=$maxlen -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -dict=tests/fuzz/$t.dict -artifact_prefix="$build/ci-artifacts/$t/" \
        "$work/corpus" "tests/fuzz/regressions/$t" >"$work/log" 2>&1
    rc=$?
    last=$(grep -E '^#[0-9]+' "$work/log" | tail -n 1 | sed -E 's/^#([0-9]+)[[:space:]]+[A-Z]+[[:space:]]+/\1 runs, /; s/ lim:.*exec\/s/, exec\/s/; s/ rss:.*//')
    echo "fuzz_$t: ${last:-no run} ($((SECONDS - t0)) s)"
    if [ $rc != 0 ]; then
        status=1
        echo "fuzz_$t FAILED (exit $rc):"
        grep -E 'ERROR|SUMMARY|artifact_prefix|Test unit written' "$work/log" | head -n 8
    fi
    rm -rf "$work"
done
echo "fuzz/ci.sh: $((SECONDS - start)) s in all"
exit $status
