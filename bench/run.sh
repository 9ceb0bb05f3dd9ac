#!/usr/bin/env bash
# Throughput and memory of `chiso eval` on large batch tables (see docs/performance.md).
#
#   bash bench/run.sh            build a Release copy in build-bench/, generate 100k and 1M
#                                synthetic units into bench/data/ (chiso_gen_units), time the
#                                CSV baselines (chiso_csv_baseline: libcsv, and --simple) and
#                                `chiso eval` (a) --detail total --no-rank, (b) --detail total
#                                with ranking, (c) --detail nodes --no-rank; print a Markdown
#                                table (also saved to bench/data/results.md)
#
# Environment:
#   BENCH_RULES=rules/ba-dinh-2024.chiso   the rule set
#   BENCH_SIZES="100000 1000000"           batch sizes; sizes < 1,000,000 get BENCH_REPEAT runs
#   BENCH_REPEAT=3                         runs per small case (best is reported)
#   BENCH_SEED=2024                        generator seed
#   BENCH_CPU=0                            the core every timed run is pinned to (taskset)
#   BENCH_OUT=null|file                    null (default): results go to stdout > /dev/null, which
#                                          measures the program and not the disk; file: `-o` to
#                                          bench/data/out.csv (deleted after each run)
#
# Each timed run is `taskset -c CPU /usr/bin/time -f '%e %M' CMD`: wall time (taken with
# bash's microsecond clock around the same call; /usr/bin/time's %e has only 10 ms resolution)
# and peak RSS (%M, KiB). Never `-o /dev/null`: chiso writes FILE.tmpPID and renames it onto
# FILE, which as root would replace the device node with a regular file.
set -euo pipefail
cd "$(dirname "$0")/.."

RULES=${BENCH_RULES:-rules/ba-dinh-2024.chiso}
SIZES=${BENCH_SIZES:-"100000 1000000"}
REPEAT=${BENCH_REPEAT:-3}
SEED=${BENCH_SEED:-2024}
CPU=${BENCH_CPU:-0}
OUTMODE=${BENCH_OUT:-null}
BUILD=build-bench
DATA=bench/data

# ---- tools ---------------------------------------------------------------------------------------
install_missing() { # Debian packages
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "installing: ${missing[*]}" >&2
        local sudo=""
        [ "$(id -u)" = 0 ] || sudo=sudo
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
    fi
}
[ -x /usr/bin/time ] || install_missing time
command -v taskset >/dev/null || install_missing util-linux

# ---- build ---------------------------------------------------------------------------------------
# Release at -O2, no sanitizers; warnings are not errors here (a new -O2-only warning in someone
# else's file must not stop a measurement).
echo "== building $BUILD (Release, -O2)" >&2
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" \
      -DCHISO_SANITIZE=OFF -DCHISO_WERROR=OFF >/dev/null
cmake --build "$BUILD" -j "$(nproc)" --target chiso_cli chiso_gen_units chiso_csv_baseline >/dev/null
CHISO=$BUILD/chiso
GEN=$BUILD/bench/chiso_gen_units
BASE=$BUILD/bench/chiso_csv_baseline

# ---- data ----------------------------------------------------------------------------------------
mkdir -p "$DATA"
label() { # 100000 -> 100k, 1000000 -> 1M
    local n=$1
    if (( n % 1000000 == 0 )); then echo "$((n / 1000000))M"
    elif (( n % 1000 == 0 )); then echo "$((n / 1000))k"
    else echo "$n"; fi
}
calc() { # calc FORMAT EXPR: awk arithmetic (bc is not always installed)
    awk "BEGIN { printf \"$1\", $2 }"
}
fmt_int() { # 1234567 -> 1,234,567
    local s=$1 out=""
    while [ ${#s} -gt 3 ]; do out=",${s: -3}$out"; s=${s:0:${#s}-3}; done
    echo "$s$out"
}

for n in $SIZES; do
    f=$DATA/units-$(label "$n").csv
    stamp=$f.seed
    if [ ! -s "$f" ] || [ "$GEN" -nt "$f" ] || [ "$RULES" -nt "$f" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$SEED" ]; then
        echo "== generating $f ($n units, seed $SEED)" >&2
        t0=$EPOCHREALTIME
        "$GEN" "$RULES" "$n" "$SEED" >"$f.part"
        mv "$f.part" "$f"
        echo "$SEED" >"$stamp"
        t1=$EPOCHREALTIME
        echo "   $(fmt_int "$(stat -c %s "$f")") bytes in $(calc %.2f "$t1 - $t0") s" >&2
    fi
done
# A header-only table: the fixed cost (load and check the rule set, open, close).
"$GEN" "$RULES" 0 "$SEED" >"$DATA/units-0.csv"

# ---- timing --------------------------------------------------------------------------------------
TIMEF=$(mktemp)
LOG=$DATA/bench.log
: >"$LOG"
trap 'rm -f "$TIMEF" "$DATA/out.csv"' EXIT

# run_once CMD... -> sets WALL (s, microsecond clock) and RSS (KiB). Exit codes 0 and 1 are fine
# (1 = some units not fully scored, expected with ~1% empty cells); anything else stops.
run_once() {
    local t0 t1 rc=0
    t0=$EPOCHREALTIME
    taskset -c "$CPU" /usr/bin/time -f '%e %M' -o "$TIMEF" "$@" >/dev/null 2>>"$LOG" || rc=$?
    t1=$EPOCHREALTIME
    rm -f "$DATA/out.csv"
    if [ "$rc" -gt 1 ]; then
        echo "failed (exit $rc): $*" >&2
        tail -5 "$LOG" >&2
        exit 1
    fi
    WALL=$(calc %.6f "$t1 - $t0")
    RSS=$(tail -1 "$TIMEF" | awk '{print $2}') # time writes "Command exited..." first when rc != 0
}

# best CMD... -> BEST_WALL, BEST_RSS (the RSS of the fastest run; max RSS over runs is MAX_RSS)
best() {
    local runs=$1
    shift
    BEST_WALL="" BEST_RSS="" MAX_RSS=0
    for ((i = 0; i < runs; i++)); do
        run_once "$@"
        if [ -z "$BEST_WALL" ] || [ "$(calc %d "$WALL < $BEST_WALL")" = 1 ]; then
            BEST_WALL=$WALL BEST_RSS=$RSS
        fi
        if [ "$RSS" -gt "$MAX_RSS" ]; then MAX_RSS=$RSS; fi
    done
}

ROWS=()
row() { # case, units, runs, wall, rss KiB, output bytes
    local ups="—"
    if [ "$2" -gt 0 ]; then ups=$(fmt_int "$(calc %d "$2 / $4")"); fi
    ROWS+=("| $1 | $(fmt_int "$2") | $3 | $(calc %.3f "$4") | $ups | $(calc %.1f "$5 / 1024") | $6 |")
    echo "${ROWS[-1]}" >&2
}

out_size() { # bytes a case writes (untimed, small sizes only)
    "$@" 2>/dev/null | wc -c || true
}

echo "== timing (pinned to core $CPU; output: $OUTMODE)" >&2
best "$REPEAT" "$CHISO" eval "$RULES" "$DATA/units-0.csv" --format csv --detail total --no-rank -q
row "startup: header only (load + check rules)" 0 "$REPEAT" "$BEST_WALL" "$BEST_RSS" "—"

for n in $SIZES; do
    f=$DATA/units-$(label "$n").csv
    runs=$REPEAT small=1
    if [ "$n" -ge 1000000 ]; then runs=1 small=0; fi
    cat "$f" >/dev/null # into the page cache
    in_mb=$(calc %.0f "$(stat -c %s "$f") / 1000000")

    best "$runs" "$BASE" "$f"
    row "baseline: libcsv csv_parse only (${in_mb} MB in)" "$n" "$runs" "$BEST_WALL" "$BEST_RSS" "—"
    best "$runs" "$BASE" --simple "$f"
    row "baseline: minimal tokenizer (csv_baseline --simple)" "$n" "$runs" "$BEST_WALL" "$BEST_RSS" "—"

    for c in "total,--detail total --no-rank" "total+rank,--detail total" "nodes,--detail nodes --no-rank"; do
        name=${c%%,*}
        # shellcheck disable=SC2206
        opts=(${c#*,})
        cmd=("$CHISO" eval "$RULES" "$f" --format csv "${opts[@]}" -q)
        out=()
        if [ "$OUTMODE" = file ]; then out=(-o "$DATA/out.csv"); fi
        best "$runs" "${cmd[@]}" "${out[@]}"
        size="—"
        if [ "$small" = 1 ]; then size="$(calc %.1f "$(out_size "${cmd[@]}") / 1000000") MB"; fi
        case $name in
        total) desc="(a) eval --detail total --no-rank" ;;
        total+rank) desc="(b) eval --detail total (ranking)" ;;
        nodes) desc="(c) eval --detail nodes --no-rank" ;;
        esac
        row "$desc" "$n" "$runs" "$BEST_WALL" "$BEST_RSS" "$size"
    done
done

{
    echo
    echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(awk '/MemTotal/ {printf "%.1f GiB RAM", $2 / 1048576}' /proc/meminfo), $(uname -sr); $(cc --version | head -1)"
    echo "source: $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- src grammar 2>/dev/null || echo ' + uncommitted changes in src/ or grammar/'), $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "rules: $RULES ($(( $(head -1 "$DATA/units-0.csv" | tr ',' '\n' | wc -l) - 1 )) facts), seed $SEED, CSV in / CSV out, core $CPU, output $OUTMODE"
    echo
    echo "| case | units | runs | wall s (best) | units/s | peak RSS MiB | output |"
    echo "|---|--:|--:|--:|--:|--:|--:|"
    printf '%s\n' "${ROWS[@]}"
} | tee "$DATA/results.md"
