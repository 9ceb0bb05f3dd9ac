#!/usr/bin/env bash
# xlsx round trip: chiso writes a workbook (tests/xlsx/rules.chiso on tests/xlsx/units.csv: the
# three units of tests/golden/reports.test plus two incomplete ones), LibreOffice converts both
# sheets back to CSV, and the text must equal tests/xlsx/*.expected.csv: numbers as LibreOffice
# shows cells formatted "0.00" (ranks "0"), empty cells where a unit has no score.
#
#   bash tests/xlsx_roundtrip.sh BUILD/chiso
#
# LibreOffice is required: without it the test FAILS (scripts/dev.sh installs
# libreoffice-calc-nogui); it is never skipped. A throwaway profile (-env:UserInstallation) makes it
# work as root and beside other running instances. Takes a few seconds.
set -u
bin=${1:?usage: xlsx_roundtrip.sh CHISO}
here=$(cd "$(dirname "$0")" && pwd)
data=$here/xlsx
# A fixed locale: LibreOffice formats "0.00" with the locale's decimal separator.
export LC_ALL=C.UTF-8 LANG=C.UTF-8

office=""
for c in libreoffice soffice; do
    if command -v "$c" >/dev/null 2>&1; then
        office=$c
        break
    fi
done
if [ -z "$office" ]; then
    echo "FAIL: LibreOffice (libreoffice or soffice) is not installed; install libreoffice-calc-nogui" \
         "(bash scripts/dev.sh test does)" >&2
    exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HOME=$tmp # LibreOffice may touch ~/.config even with its own profile

fail=0
"$bin" eval -q -f xlsx -o "$tmp/out.xlsx" "$data/rules.chiso" "$data/units.csv" 2>"$tmp/err"
rc=$?
if [ "$rc" != 1 ]; then # 1: two units are not fully scored (the workbook is written all the same)
    echo "FAIL: chiso eval -f xlsx exited $rc, expected 1:" >&2
    cat "$tmp/err" >&2
    exit 1
fi
if [ -n "$(find "$tmp" -maxdepth 1 -name 'out.xlsx.tmp*')" ]; then
    echo "FAIL: a temporary file was left beside out.xlsx" >&2
    fail=1
fi

# Token 12 = -1: every sheet, into out-<sheet name>.csv; 44,34,76: comma, quote, UTF-8;
# token 9 true: cell contents as shown (the "0.00" format).
filter='csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1'
if ! timeout 120 "$office" -env:UserInstallation="file://$tmp/profile" --headless --norestore \
        --convert-to "$filter" --outdir "$tmp/csv" "$tmp/out.xlsx" >"$tmp/office.log" 2>&1; then
    echo "FAIL: $office could not convert the workbook:" >&2
    cat "$tmp/office.log" >&2
    exit 1
fi

compare() { # sheet-name expected-file
    local got="$tmp/csv/out-$1.csv"
    if [ ! -f "$got" ]; then
        echo "FAIL: sheet '$1' was not exported; LibreOffice said:" >&2
        cat "$tmp/office.log" >&2
        ls "$tmp/csv" >&2
        fail=1
        return
    fi
    tr -d '\r' <"$got" >"$got.lf"
    if ! diff -u "$2" "$got.lf"; then
        echo "FAIL: sheet '$1' differs from $2" >&2
        fail=1
    fi
}
compare "Bảng điểm" "$data/scores.expected.csv"
compare "Xếp hạng" "$data/ranking.expected.csv"

[ $fail = 0 ] && echo "xlsx round trip: both sheets as expected"
exit $fail
