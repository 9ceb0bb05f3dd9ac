#!/usr/bin/env bash
# The Vietnamese help (src/help_vi.c) says what the English help says, for chiso itself and for
# every command: both print with exit 0, the Vietnamese one is in Vietnamese ("Cách dùng"), both
# name the same options (every --long and -x token, wherever it appears: in the usage line, the
# option list, the prose), and no line is wider than 100 columns.
#
#   bash tests/help_vi.sh CHISO_BINARY
set -uo pipefail
bin=$1
fail=0
export LC_ALL=C.UTF-8

options() { # the option tokens of a text, one a line, sorted, once each
    grep -oE '(^|[^[:alnum:]_-])(--[a-z][a-z-]*|-[a-zA-Z])([^[:alnum:]_-]|$)' |
        grep -oE -- '--[a-z][a-z-]*|-[a-zA-Z]' | sort -u
}

for cmd in "" check eval import audit test explain fmt template; do
    name=${cmd:-chiso}
    if ! en=$("$bin" --lang en $cmd --help); then echo "FAIL: $name: the English help exits non-zero"; fail=1; fi
    if ! vi=$("$bin" --lang vi $cmd --help); then echo "FAIL: $name: the Vietnamese help exits non-zero"; fail=1; fi
    if [ "$en" = "$vi" ]; then echo "FAIL: $name: the Vietnamese help is the English one"; fail=1; continue; fi
    if ! grep -q '^Cách dùng' <<<"$vi"; then echo "FAIL: $name: the Vietnamese help has no 'Cách dùng'"; fail=1; fi
    d=$(diff <(options <<<"$en") <(options <<<"$vi"))
    if [ -n "$d" ]; then
        echo "FAIL: $name: the two helps name different options (< English only, > Vietnamese only):"
        echo "$d"
        fail=1
    fi
    w=$(wc -L <<<"$vi")
    if [ "$w" -gt 100 ]; then echo "FAIL: $name: a Vietnamese line is $w columns wide (at most 100)"; fail=1; fi
    if ! help=$(LANG=vi_VN.UTF-8 "$bin" help $cmd) || [ "$help" != "$vi" ]; then
        echo "FAIL: $name: LANG=vi_VN.UTF-8 chiso help ${cmd} does not give the Vietnamese help"
        fail=1
    fi
done
[ $fail = 0 ] && echo "help in Vietnamese: chiso and 8 commands, the same options as in English"
exit $fail
