#!/usr/bin/env bash
# Runs a golden test file: blocks of inline files, a command, and its expected exit code,
# standard output and standard error. Format (see tests/README.md):
#
#   ### what the case shows
#   === file NAME            (any number; the lines up to the next === line are the file)
#   === run                  (one line: the command; `chiso` is the binary under test)
#   === exit N
#   === stdout               (optional; the exact expected standard output)
#   === stderr               (optional; the exact expected standard error)
#
# A case with files runs in a fresh temporary folder holding them (the repository root is in
# $ROOT); a case without files runs at the repository root. Every case runs; the script exits 1
# if any failed, and prints a diff for each failure.
set -u
bin=$1
file=$2
ROOT=$(pwd)
export ROOT LC_ALL=C.UTF-8 LANG=C.UTF-8
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pass=0
fail=0
case_no=0

run_case() {
    [ -n "$title" ] || return 0
    case_no=$((case_no + 1))
    local dir="$tmp/case$case_no" where
    mkdir -p "$dir"
    if [ -d "$tmp/files" ]; then
        cp -r "$tmp/files/." "$dir/"
        rm -rf "$tmp/files"
        where=$dir
    else
        where=$ROOT
    fi
    (cd "$where" && chiso() { "$bin" "$@"; } && eval "$run_line") >"$dir/.out" 2>"$dir/.err" </dev/null
    local code=$?
    # Trailing blank lines do not count (cases are separated by blank lines).
    local f
    for f in "$tmp/want_out" "$tmp/want_err" "$dir/.out" "$dir/.err"; do
        printf '%s\n' "$(cat "$f")" >"$f.n"
    done
    local ok=1
    if [ "$code" != "$want_exit" ]; then
        echo "FAIL: $file: $title: exit code $code, expected $want_exit"
        ok=0
    fi
    if [ -n "$has_stdout" ] && ! diff -u "$tmp/want_out.n" "$dir/.out.n" >"$dir/.diff"; then
        echo "FAIL: $file: $title: standard output differs:"
        cat "$dir/.diff"
        ok=0
    fi
    if [ -n "$has_stderr" ] && ! diff -u "$tmp/want_err.n" "$dir/.err.n" >"$dir/.diff"; then
        echo "FAIL: $file: $title: standard error differs:"
        cat "$dir/.diff"
        ok=0
    fi
    if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
}

title=""
section=""
target=""
run_line=""
want_exit=0
has_stdout=""
has_stderr=""
: >"$tmp/want_out"
: >"$tmp/want_err"
while IFS= read -r line || [ -n "$line" ]; do
    case $line in
    "### "*)
        run_case
        title=${line#\#\#\# }
        section="" run_line="" want_exit=0 has_stdout="" has_stderr=""
        : >"$tmp/want_out"
        : >"$tmp/want_err"
        continue ;;
    "=== file "*)
        section=file
        target="$tmp/files/${line#=== file }"
        mkdir -p "$(dirname "$target")"
        : >"$target"
        continue ;;
    "=== run") section=run; continue ;;
    "=== exit "*) want_exit=${line#=== exit }; section=""; continue ;;
    "=== stdout") section=stdout; has_stdout=1; continue ;;
    "=== stderr") section=stderr; has_stderr=1; continue ;;
    esac
    case $section in
    file) printf '%s\n' "$line" >>"$target" ;;
    run) [ -n "$line" ] && run_line=$line ;;
    stdout) printf '%s\n' "$line" >>"$tmp/want_out" ;;
    stderr) printf '%s\n' "$line" >>"$tmp/want_err" ;;
    "") ;;
    esac
done <"$file"
run_case

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
