#!/usr/bin/env bash
# The two commands of the README's quick start:
#   bash scripts/dev.sh demo   install what is missing, build, score the bundled Ba Đình example
#   bash scripts/dev.sh test   install what is missing, build normally and under ASan+UBSan, run
#                              every test in both builds, then each fuzz target for 20 s
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian 12 packages the build and the tests need (see the README for why each is there).
packages=(build-essential cmake pkg-config flex bison libcsv-dev libjansson-dev libutf8proc-dev
          libxlsxwriter-dev libcmocka-dev)
# Only the tests need these: the xlsx round trip converts workbooks back to CSV with LibreOffice;
# the fuzz targets need clang and its libFuzzer runtime.
test_packages=(libreoffice-calc-nogui clang libclang-rt-14-dev)

install_missing() {
    local missing=()
    for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "installing: ${missing[*]}"
        local sudo=""
        [ "$(id -u)" = 0 ] || sudo=sudo
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
    fi
}

build() { # build DIR [cmake options...]
    local dir=$1
    shift
    cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
    cmake --build "$dir" -j "$(nproc)"
}

# The main job on the bundled example. Exit 1 is expected from both commands: the rule file's
# warnings are deliberate (faults of the guideline it records), and the example has offices that
# cannot be fully scored, on purpose. Anything else (2: could not run) stops the script.
demo_job() { # the explicit returns: set -e does not apply inside a function called with ||
    ./build/chiso check rules/ba-dinh-2024.chiso || [ $? = 1 ] || return 1
    ./build/chiso eval rules/ba-dinh-2024.chiso examples/ba-dinh-2024/batch.csv || [ $? = 1 ] || return 1
}

case "${1:-}" in
demo)
    install_missing
    build build
    demo_job
    ;;
test)
    packages+=("${test_packages[@]}")
    install_missing
    build build
    build build-asan -DCHISO_SANITIZE=ON
    echo "== tests (release build)"
    (cd build && ctest --output-on-failure -j "$(nproc)")
    echo "== tests (AddressSanitizer + UndefinedBehaviorSanitizer build)"
    (cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
        ctest --output-on-failure -j "$(nproc)")
    echo "== the demo's job (bash scripts/dev.sh demo), which must run to its end"
    demo_job >/dev/null 2>&1 || { echo "the demo's job failed: run bash scripts/dev.sh demo"; exit 1; }
    echo "== fuzz targets, 20 s each over their corpora (tests/fuzz/ci.sh)"
    FUZZ_SECONDS=20 bash tests/fuzz/ci.sh
    ;;
*)
    echo "usage: bash scripts/dev.sh demo|test" >&2
    exit 2
    ;;
esac
