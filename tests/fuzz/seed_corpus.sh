#!/usr/bin/env bash
# Rebuilds the seed corpora tests/fuzz/corpus/<target>/ from the repository's own inputs:
#   rules  rules/*.chiso, stdlib/**/*.chiso, the inline *.chiso files of tests/*/*.test
#   facts  examples/ba-dinh-2024/*.csv and the inline fact sheets / batch tables of the tests
#   table  examples/*/published.csv and the inline published tables of the tests
# plus the hand-written seeds in tests/fuzz/seeds/<target>/. Files are named by the SHA-1 of
# their content (as libFuzzer names them), so running this again adds nothing twice. Inputs
# found by fuzzing and merged into the corpus (README.md) are kept: this only adds.
# Usage: bash tests/fuzz/seed_corpus.sh   (from anywhere)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=tests/fuzz/corpus
mkdir -p "$out/rules" "$out/facts" "$out/table"

add() { # add TARGET FILE
    local h
    h=$(sha1sum <"$2" | cut -d' ' -f1)
    [ -s "$2" ] && cp "$2" "$out/$1/$h"
    return 0
}

for f in rules/*.chiso $(find stdlib -name '*.chiso' | sort); do add rules "$f"; done
for f in examples/ba-dinh-2024/*.csv; do add facts "$f"; done
for f in examples/*/published.csv; do add table "$f"; done
for t in rules facts table; do
    [ -d "tests/fuzz/seeds/$t" ] && for f in tests/fuzz/seeds/$t/*; do add "$t" "$f"; done
done

# Inline files of the golden tests: a *.chiso goes to rules; a *.csv whose first row is a
# published table's header (code/STT/Mã first) to table, any other *.csv to facts.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
for t in tests/golden/*.test tests/diag/*.test; do
    awk -v dir="$tmp" '
        /^=== file / { if (f) close(f); name = substr($0, 10); gsub("/", "_", name);
                       f = dir "/" (++k) "-" FILENAME_BASE "-" name; next }
        /^===|^### / { if (f) close(f); f = ""; next }
        f { print > f }
    ' FILENAME_BASE="$(basename "$t" .test)" "$t"
done
for f in "$tmp"/*; do
    [ -f "$f" ] || continue
    case $f in
    *.chiso) add rules "$f" ;;
    *.csv)
        first=$(head -n1 "$f" | sed 's/^\xEF\xBB\xBF//' | cut -d, -f1 | tr 'A-Z' 'a-z')
        case $first in
        code | stt | mã | tt) add table "$f" ;;
        *) add facts "$f" ;;
        esac ;;
    esac
done
for t in rules facts table; do
    echo "$t: $(find "$out/$t" -type f | wc -l) files, $(du -sk "$out/$t" | cut -f1) KiB"
done
