#!/usr/bin/env bash
# The editor grammars know every keyword: each English and Vietnamese spelling of the keyword
# table (src/keywords.c), and the directive word `language` / `ngôn_ngữ` (grammar/lexer.l), must
# appear as a whole word in a pattern of
#   editor/vscode/syntaxes/chiso.tmLanguage.json   (a line holding "match", "begin" or "end")
#   editor/vim/syntax/chiso.vim                    (a `syn ...` line)
# and the JSON files of the VS Code extension must be well-formed JSON.
#
#   bash tests/editor_keywords.sh ROOT
#
# Needs only bash, grep and awk (mawk or gawk): no python3, jq, Vim or VS Code. Words are compared
# byte for byte (the grammars keep UTF-8 literal, NFC like the table); a word's neighbours must
# not be ASCII letters, digits, `_` or bytes of a multibyte UTF-8 character.
set -u
export LC_ALL=C
root=${1:?usage: editor_keywords.sh ROOT}
table=$root/src/keywords.c
tm=$root/editor/vscode/syntaxes/chiso.tmLanguage.json
vim=$root/editor/vim/syntax/chiso.vim
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() {
    echo "FAIL: $*"
    fail=$((fail + 1))
}

for f in "$table" "$tm" "$vim"; do
    if [ ! -r "$f" ]; then
        echo "FAIL: cannot read $f"
        echo "0 passed, 1 failed"
        exit 1
    fi
done

# --- the words: both string columns of every row of the table ---------------------------------
# Every line between `keywords[] = {` and `};` must be a row {"en", "vi", TOKEN}, (or blank): a
# table written another way fails here rather than being silently skipped.
rows=$(awk '
    /keywords\[\][ \t]*=[ \t]*\{/ { inside = 1; next }
    inside && /^[ \t]*\};/ { inside = 0; done = 1; next }
    inside {
        if ($0 ~ /^[ \t]*$/) next
        if ($0 ~ /^[ \t]*\{"[^"]+",[ \t]*"[^"]+",[ \t]*[A-Z_][A-Z0-9_]*\},[ \t]*$/) {
            split($0, f, "\"")
            print f[2] "\t" f[4]
        } else {
            print "BAD\t" $0
        }
    }
    END { if (!done) print "BAD\tno table `keywords[] = { ... };` found" }
' "$table")
if printf '%s\n' "$rows" | grep -q '^BAD'; then
    printf '%s\n' "$rows" | grep '^BAD' | cut -f2- | sed 's/^/FAIL: src\/keywords.c: cannot read the row: /'
    fail=$((fail + 1))
else
    ok
fi
words=$(printf '%s\n' "$rows" | grep -v '^BAD' | tr '\t' '\n'; printf '%s\n' language "ngôn_ngữ")
nrows=$(printf '%s\n' "$rows" | grep -vc '^BAD')
if [ "$nrows" -lt 40 ]; then
    bad "src/keywords.c: only $nrows keyword rows read (the table has about 45)"
fi

# --- each word in each grammar --------------------------------------------------------------
tm_lines=$(grep -E '"(match|begin|end)"[[:space:]]*:' "$tm")
vim_lines=$(grep -E '^[[:space:]]*syn(tax)?[[:space:]]' "$vim")
nonword=$'[^A-Za-z0-9_\x80-\xff]'
missing=""
while IFS= read -r w; do
    [ -n "$w" ] || continue
    case $w in
    *[!A-Za-z_$'\x80'-$'\xff']*)
        bad "unexpected character in keyword '$w' (a word regexp below would misread it)"
        continue ;;
    esac
    re="(^|$nonword)$w($nonword|\$)"
    if printf '%s\n' "$tm_lines" | grep -Eq "$re"; then ok; else
        bad "'$w' is not in editor/vscode/syntaxes/chiso.tmLanguage.json"
        missing="$missing $w"
    fi
    if printf '%s\n' "$vim_lines" | grep -Eq "$re"; then ok; else
        bad "'$w' is not in editor/vim/syntax/chiso.vim"
        missing="$missing $w"
    fi
done <<EOF
$words
EOF
[ -z "$missing" ] || echo "missing:$missing"

# --- the JSON files parse ---------------------------------------------------------------------
# A strict JSON (RFC 8259) syntax check in portable awk: objects, arrays, strings with their
# escapes and no raw control characters, numbers, true/false/null, nothing after the value.
json_check() {
    awk '
    function fail(msg) {
        # line of position p
        nl = 1
        for (i = 1; i < p && i <= n; i++) if (substr(s, i, 1) == "\n") nl++
        printf "%s: line %d: %s\n", FILENAME_, nl, msg
        bad = 1
        exit 1
    }
    function ws() { while (p <= n && index(" \t\r\n", substr(s, p, 1))) p++ }
    function value(   c) {
        ws()
        if (p > n) fail("unexpected end of file")
        c = substr(s, p, 1)
        if (c == "{") return object()
        if (c == "[") return array()
        if (c == "\"") return str()
        if (substr(s, p, 4) == "true" || substr(s, p, 4) == "null") { p += 4; return }
        if (substr(s, p, 5) == "false") { p += 5; return }
        if (c == "-" || (c >= "0" && c <= "9")) return num()
        fail("unexpected \"" c "\"")
    }
    function object(   c) {
        p++; ws()
        if (substr(s, p, 1) == "}") { p++; return }
        while (1) {
            ws()
            if (substr(s, p, 1) != "\"") fail("expected a string key")
            str(); ws()
            if (substr(s, p, 1) != ":") fail("expected \":\"")
            p++; value(); ws()
            c = substr(s, p, 1)
            if (c == ",") { p++; continue }
            if (c == "}") { p++; return }
            fail("expected \",\" or \"}\"")
        }
    }
    function array(   c) {
        p++; ws()
        if (substr(s, p, 1) == "]") { p++; return }
        while (1) {
            value(); ws()
            c = substr(s, p, 1)
            if (c == ",") { p++; continue }
            if (c == "]") { p++; return }
            fail("expected \",\" or \"]\"")
        }
    }
    function str(   c, e) {
        p++
        while (1) {
            if (p > n) fail("unterminated string")
            c = substr(s, p, 1)
            if (c == "\"") { p++; return }
            if (index(ctrl, c)) fail("a control character in a string")
            if (c == "\\") {
                e = substr(s, p + 1, 1)
                if (index("\"\\/bfnrt", e) && e != "") p += 2
                else if (e == "u" && substr(s, p + 2, 4) ~ /^[0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f]$/) p += 6
                else fail("bad escape in a string")
                continue
            }
            p++
        }
    }
    function num(   t) {
        t = substr(s, p, 64)
        if (!match(t, /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/)) fail("bad number")
        p += RLENGTH
    }
    { s = s $0 "\n" }
    END {
        if (bad) exit 1
        for (i = 1; i < 32; i++) ctrl = ctrl sprintf("%c", i)
        n = length(s); p = 1
        value(); ws()
        if (p <= n) fail("text after the JSON value")
    }' FILENAME_="$2" "$1"
}
for j in editor/vscode/package.json editor/vscode/language-configuration.json \
         editor/vscode/syntaxes/chiso.tmLanguage.json; do
    if [ ! -r "$root/$j" ]; then
        bad "cannot read $j"
    elif out=$(json_check "$root/$j" "$j"); then
        ok
    else
        bad "not valid JSON: $out"
    fi
done

# --- the extension contributes what the grammar is ----------------------------------------------
if grep -q '"scopeName"[[:space:]]*:[[:space:]]*"source.chiso"' "$tm" &&
   grep -q '"path"[[:space:]]*:[[:space:]]*"./syntaxes/chiso.tmLanguage.json"' "$root/editor/vscode/package.json"; then
    ok
else
    bad "editor/vscode/package.json does not contribute syntaxes/chiso.tmLanguage.json as source.chiso"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
