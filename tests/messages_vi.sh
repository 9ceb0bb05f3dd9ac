#!/usr/bin/env bash
# Every message format the library and the commands hand to diagnostics has a Vietnamese form in
# src/messages_vi.c, with the same conversion specifications (%s, %d, %zu, %.*s, %%...) in the
# same order.
#
#   bash tests/messages_vi.sh ROOT          check (prints the missing and mismatched ones)
#   bash tests/messages_vi.sh ROOT --list   print the formats found, one a line: file:line<TAB>format
#
# The formats are found the way the C compiler sees them: src/*.c, src/*.h, grammar/*.l and
# grammar/*.y are split into tokens (comments dropped; adjacent string literals joined, as C
# joins them over several lines), and the format argument is taken from every call of
#   - a message function: one declared with __attribute__((format(printf, N, M))) (argument N)
#     whose definition hands the format to the sink (its body calls diag_emit or diag_vemit, or a
#     function defined before it in the same file that does):
#     diag_emit, parse_error, emit_row, emit_file, emit_at...; a `static` one is known only in
#     its own file (facts.c's emit_file is not table.c's), and a printf-like helper that writes
#     a report (explain.c's outf) is not one;
#   - the two functions that format pieces of messages: whyf in facts.c (why a value is
#     refused, shown inside a diagnostic) and add in audit.c (the message of a finding);
#   - a macro that passes its `...` to such a function's format (check.c's ERR and WARN,
#     table.c's ROW_EMIT);
#   - diag_tr (argument 1), the commands' own formats, and cli_usage_error (argument 2), their
#     messages for bad usage.
# A format argument `c ? "a" : "b"` gives both strings. A format that is not a string literal
# (a variable) is shown as a note and not checked. Formats and table entries are compared as the
# bytes they stand for (escapes decoded: "\xc4\x90" is "Đ"). A Vietnamese form may write %.0s
# where the English one has %s, to drop a piece such as a plural ending (same argument, nothing
# printed). An entry no code uses is shown as a note (its conversions are still checked).
#
# Needs only bash and awk (mawk or gawk): no python3.
set -u
export LC_ALL=C
root=${1:?usage: messages_vi.sh ROOT [--list]}
mode=${2:-check}
table=$root/src/messages_vi.c
if [ ! -r "$table" ]; then
    echo "FAIL: cannot read $table"
    echo "0 passed, 1 failed"
    exit 1
fi

awk -v mode="$mode" -v table="$table" '
# The bytes that the text of a C string literal stands for (\n, \t, \", \\, \xHH, octal...).
function unescape(s,    out, p, c, v, h, k) {
    out = ""
    while ((p = index(s, "\\")) > 0) {
        out = out substr(s, 1, p - 1)
        c = substr(s, p + 1, 1)
        s = substr(s, p + 2)
        if (c == "x") {
            v = 0
            while (s != "" && (h = index(HEX, tolower(substr(s, 1, 1)))) > 0) {
                v = v * 16 + h - 1
                s = substr(s, 2)
            }
            out = out sprintf("%c", v % 256)
        } else if (c ~ /[0-7]/) {
            v = c + 0
            for (k = 0; k < 2 && substr(s, 1, 1) ~ /[0-7]/; k++) {
                v = v * 8 + substr(s, 1, 1)
                s = substr(s, 2)
            }
            out = out sprintf("%c", v % 256)
        } else if (c == "n") out = out "\n"
        else if (c == "t") out = out "\t"
        else if (c == "r") out = out "\r"
        else out = out c
    }
    return out s
}

# A format as shown on one line: a newline or tab written again as \n or \t.
function show(s) {
    gsub(/\n/, "\\n", s)
    gsub(/\t/, "\\t", s)
    return s
}

# ---------------------------------------------------------------- tokens
# tokenize(path): fills T (type: s string, c char, i identifier, n number, p punctuation),
# V (value; a string without its quotes, escapes decoded) and L (line), 1..NT.
function tokenize(path,    line, ln, p, n, c, q, j, incom, r) {
    NT = 0
    ln = 0
    incom = 0
    while ((r = (getline line < path)) > 0) {
        ln++
        n = length(line)
        p = 1
        while (p <= n) {
            if (incom) {
                j = index(substr(line, p), "*/")
                if (j == 0) { p = n + 1; continue }
                p += j + 1
                incom = 0
                continue
            }
            c = substr(line, p, 1)
            if (c == " " || c == "\t" || c == "\r" || c == "\f" || c == "\v") { p++; continue }
            if (substr(line, p, 2) == "//") break
            if (substr(line, p, 2) == "/*") { incom = 1; p += 2; continue }
            if (c == "\"" || c == SQ) {
                # a string or character literal; it ends on its line (a flex pattern such as
                # [^"\n] leaves one open, harmlessly, up to the end of the line)
                q = c
                j = p + 1
                while (j <= n) {
                    c = substr(line, j, 1)
                    if (c == "\\") { j += 2; continue }
                    if (c == q) break
                    j++
                }
                NT++
                T[NT] = q == "\"" ? "s" : "c"
                V[NT] = q == "\"" ? unescape(substr(line, p + 1, j - p - 1)) : substr(line, p + 1, j - p - 1)
                L[NT] = ln
                p = j + 1
                continue
            }
            if (c ~ /[A-Za-z_]/) {
                j = p
                while (j <= n && substr(line, j, 1) ~ /[A-Za-z0-9_]/) j++
                NT++; T[NT] = "i"; V[NT] = substr(line, p, j - p); L[NT] = ln
                p = j
                continue
            }
            if (c ~ /[0-9]/) {
                j = p
                while (j <= n && substr(line, j, 1) ~ /[A-Za-z0-9_.]/) j++
                NT++; T[NT] = "n"; V[NT] = substr(line, p, j - p); L[NT] = ln
                p = j
                continue
            }
            if (substr(line, p, 3) == "...") {
                NT++; T[NT] = "p"; V[NT] = "..."; L[NT] = ln
                p += 3
                continue
            }
            NT++; T[NT] = "p"; V[NT] = c; L[NT] = ln
            p++
        }
    }
    if (r < 0) {
        print "FAIL: cannot read " path
        nfail++
    }
    close(path)
}

# The end (index of the closing parenthesis) of the call whose "(" is at token o; sets NA and
# AS[k], AE[k]: the token range of argument k (AS > AE: empty).
function split_args(o,    i, d, k) {
    d = 0
    k = 1
    AS[1] = o + 1
    for (i = o; i <= NT; i++) {
        if (T[i] != "p") continue
        if (V[i] == "(" || V[i] == "[" || V[i] == "{") d++
        else if (V[i] == ")" || V[i] == "]" || V[i] == "}") {
            d--
            if (d == 0) { AE[k] = i - 1; NA = k; return i }
        } else if (V[i] == "," && d == 1) {
            AE[k] = i - 1
            k++
            AS[k] = i + 1
        }
    }
    AE[k] = NT
    NA = k
    return NT
}

# ---------------------------------------------------------------- pass 1: the format functions
# ATTR[scope SUBSEP name] = position of the format argument of a function declared with
# format(printf, N, M); scope "" for a header, the file for a .c file (a static function).
# DIAG[scope SUBSEP name] = 1 when a definition of the function hands its format to the sink
# (its body calls diag_emit or diag_vemit): only those are message functions, not, say, a
# printf-like helper that writes a report. A definition outside a header counts for both its
# file and "" (a function declared in a header and defined in a .c file).
function find_functions(path, scope,    i, j, last, d, b, e, k) {
    d = 0
    b = 0
    last = ""
    for (i = 1; i <= NT; i++) {
        if (T[i] == "p" && V[i] == "{") b++
        else if (T[i] == "p" && V[i] == "}") { if (b > 0) b-- }
        else if (T[i] == "p" && V[i] == "(") {
            if (d == 0 && T[i - 1] == "i" && V[i - 1] != "__attribute__" && V[i - 1] != "format" &&
                V[i - 1] != "__format__") {
                last = V[i - 1]
                if (b == 0) {
                    e = split_args(i)
                    if (V[e + 1] == "{") {
                        # a definition: does its body (up to the matching brace) reach the sink,
                        # directly or through a function defined before it that does (facts.c:
                        # emit_row -> emit_vcells -> diag_vemit)?
                        k = body_end(e + 1)
                        for (j = e + 2; j < k; j++)
                            if (T[j] == "i" && (V[j] == "diag_emit" || V[j] == "diag_vemit" ||
                                                ((scope SUBSEP V[j]) in DIAG))) {
                                DIAG[scope SUBSEP last] = 1
                                DIAG["" SUBSEP last] = 1
                                break
                            }
                    }
                }
            }
            d++
        } else if (T[i] == "p" && V[i] == ")") {
            if (d > 0) d--
        } else if (T[i] == "p" && V[i] == ";" && d == 0) {
            last = ""
        } else if (T[i] == "i" && (V[i] == "format" || V[i] == "__format__") && V[i + 1] == "(" &&
                   (V[i + 2] == "printf" || V[i + 2] == "__printf__") && V[i + 3] == "," &&
                   T[i + 4] == "n" && last != "") {
            ATTR[scope SUBSEP last] = V[i + 4] + 0
        }
    }
}

# The index of the brace that closes the one at token o.
function body_end(o,    i, d) {
    d = 0
    for (i = o; i <= NT; i++) {
        if (T[i] != "p") continue
        if (V[i] == "{") d++
        else if (V[i] == "}" && --d == 0) return i
    }
    return NT
}

# FMT[scope SUBSEP name]: the message functions, from ATTR and DIAG; and the two functions whose
# formats make pieces of messages: whyf of facts.c (why a value is refused, shown in the
# diagnostic) and add of audit.c (the message of an audit finding).
function message_functions(    key, parts, file) {
    for (key in ATTR) {
        split(key, parts, SUBSEP)
        file = parts[1]
        sub(/.*\//, "", file)
        if ((key in DIAG) || (file == "facts.c" && parts[2] == "whyf") || (file == "audit.c" && parts[2] == "add"))
            FMT[key] = ATTR[key]
    }
}
# Macros: #define NAME(a, b, ...) ...f(..., __VA_ARGS__...) where f takes its format at the
# position of __VA_ARGS__.
function find_macros(path, scope,    i, j, name, named, var, o, e, k, pos) {
    for (i = 1; i < NT; i++) {
        if (!(T[i] == "p" && V[i] == "#" && V[i + 1] == "define" && T[i + 2] == "i" && V[i + 3] == "(" &&
              L[i + 3] == L[i + 2]))
            continue
        name = V[i + 2]
        named = 0
        var = 0
        for (j = i + 4; j <= NT && V[j] != ")"; j++) {
            if (T[j] == "i") named++
            else if (V[j] == "...") var = 1
        }
        if (!var) continue
        # the body: the rest of the line, and the next ones after a backslash
        for (j++; j <= NT && (L[j] == L[j - 1] || (V[j - 1] == "\\" && L[j] == L[j - 1] + 1)); j++) {
            if (T[j] != "i" || V[j + 1] != "(") continue
            pos = known(scope, V[j])
            if (!pos) continue
            e = split_args(j + 1)
            if (pos <= NA && AS[pos] == AE[pos] && V[AS[pos]] == "__VA_ARGS__") {
                FMT[scope SUBSEP name] = named + 1
                break
            }
        }
    }
}

function known(scope, name) {
    if ((scope SUBSEP name) in FMT) return FMT[scope SUBSEP name]
    if (("" SUBSEP name) in FMT) return FMT["" SUBSEP name]
    return 0
}

# ---------------------------------------------------------------- pass 2: the calls
function find_calls(path, scope, shown,    i, pos, e, k, s, lit, any, prev) {
    for (i = 2; i < NT; i++) {
        if (T[i] != "i" || V[i + 1] != "(") continue
        pos = known(scope, V[i])
        if (!pos) continue
        prev = V[i - 1]
        # a declaration or definition (after its type), not a call
        if ((T[i - 1] == "i" && prev != "return" && prev != "else" && prev != "do") || prev == "*" ||
            (T[i - 1] == "p" && prev == "#"))
            continue
        if (prev == "define" && V[i - 2] == "#") continue
        e = split_args(i + 1)
        if (pos > NA) continue
        s = ""
        lit = 0
        any = 0
        for (k = AS[pos]; k <= AE[pos] + 1; k++) {
            if (k <= AE[pos] && T[k] == "s") {
                s = s V[k]
                lit = 1
                continue
            }
            if (lit) {
                NF_++
                FF[NF_] = s
                FW[NF_] = shown ":" L[i]
                any = 1
            }
            s = ""
            lit = 0
        }
        if (!any && AS[pos] <= AE[pos] && V[AS[pos]] != "__VA_ARGS__")
            NOTES[++NN] = "note: " shown ":" L[i] ": " V[i] "(): the format is not a string literal, not checked"
    }
}

# ---------------------------------------------------------------- the table
# messages[] = { {"en" "...", "vi" "..."}, ... };
function read_table(    i, d, en, vi, side, s) {
    tokenize(table)
    for (i = 1; i <= NT; i++)
        if (T[i] == "i" && V[i] == "messages" && V[i + 1] == "[") break
    if (i > NT) {
        print "FAIL: " table ": no messages[] table"
        nfail++
        return
    }
    while (i <= NT && V[i] != "{") i++
    d = 0
    for (; i <= NT; i++) {
        if (T[i] == "p" && V[i] == "{") {
            d++
            if (d == 2) { en = ""; vi = ""; side = 1 }
        } else if (T[i] == "p" && V[i] == "}") {
            if (d == 2) {
                NE++
                EN[NE] = en
                VI[NE] = vi
                EL[NE] = L[i]
                if (side != 2) BADROW[NE] = 1
            }
            d--
            if (d == 0) break
        } else if (d == 2 && T[i] == "p" && V[i] == ",") {
            side++
        } else if (d == 2 && T[i] == "s") {
            if (side == 1) en = en V[i]
            else if (side == 2) vi = vi V[i]
        } else if (d == 2) {
            BADROW[NE + 1] = 1
        }
    }
}

# The conversion specifications of a format, one after another, separated by spaces; "?" marks
# one that is not valid. With vi set, %.0s counts as %s: a Vietnamese form writes it to drop a
# piece of the English sentence, such as the plural ending of "argument%s" (it takes the same
# argument and prints nothing).
function specs(f, vi,    out, p, c) {
    out = ""
    while ((p = index(f, "%")) > 0) {
        f = substr(f, p)
        if (match(f, /^%[-+ #0]*([*]|[0-9]+)?([.]([*]|[0-9]+)?)?(hh|h|ll|l|j|z|t|L)?[diouxXeEfFgGaAcspn%]/)) {
            c = substr(f, 1, RLENGTH)
            if (vi && c == "%.0s") c = "%s"
            out = out " " c
            f = substr(f, RLENGTH + 1)
        } else {
            out = out " ?"
            f = substr(f, 2)
        }
    }
    return out == "" ? "(none)" : substr(out, 2)
}

function ok() { npass++ }
function bad(msg) { print "FAIL: " msg; nfail++ }

BEGIN {
    nfail = npass = 0
    SQ = sprintf("%c", 39)
    HEX = "0123456789abcdef"
    FMT["" SUBSEP "diag_tr"] = 1
    FMT["" SUBSEP "cli_usage_error"] = 2
    for (a = 1; a < ARGC; a++) {
        path = ARGV[a]
        if (path ~ /messages_vi[.]c$/) continue
        n = split(path, parts, "/")
        shown = parts[n - 1] "/" parts[n]
        scope = path ~ /[.]h$/ ? "" : path
        tokenize(path)
        find_functions(path, scope)
    }
    message_functions()
    for (a = 1; a < ARGC; a++) {
        path = ARGV[a]
        if (path ~ /messages_vi[.]c$/ || path ~ /[.]h$/) continue
        tokenize(path)
        find_macros(path, path)
    }
    NF_ = 0
    for (a = 1; a < ARGC; a++) {
        path = ARGV[a]
        if (path ~ /messages_vi[.]c$/) continue
        n = split(path, parts, "/")
        shown = parts[n - 1] "/" parts[n]
        tokenize(path)
        find_calls(path, path ~ /[.]h$/ ? "" : path, shown)
    }
    if (mode == "--list") {
        for (k = 1; k <= NF_; k++) print FW[k] "\t" show(FF[k])
        exit 0
    }
    if (NF_ < 50) bad("only " NF_ " message formats found: is the extraction broken?")

    read_table()
    for (k = 1; k <= NE; k++) {
        if (BADROW[k]) bad(table ":" EL[k] ": an entry is not {\"English\", \"Vietnamese\"}")
        if (EN[k] in ENTRY) bad(table ":" EL[k] ": a second entry for \"" show(EN[k]) "\"")
        ENTRY[EN[k]] = k
    }
    # each format used: an entry with the same conversions
    for (k = 1; k <= NF_; k++) {
        f = FF[k]
        if (f in SEEN) { SEEN[f] = SEEN[f] ", " FW[k]; continue }
        SEEN[f] = FW[k]
        ORDER[++NU] = f
    }
    for (u = 1; u <= NU; u++) {
        f = ORDER[u]
        if (!(f in ENTRY)) {
            bad("no Vietnamese form (" SEEN[f] "): \"" show(f) "\"")
            continue
        }
        e = ENTRY[f]
        USED[e] = 1
        a1 = specs(f)
        a2 = specs(VI[e], 1)
        if (a1 != a2 || a1 ~ /[?]/)
            bad(table ":" EL[e] ": conversions differ: \"" show(f) "\" has " a1 "; \"" show(VI[e]) "\" has " a2)
        else ok()
    }
    # entries no code uses any more: their conversions are still checked
    for (k = 1; k <= NE; k++) {
        if (USED[k]) continue
        print "note: " table ":" EL[k] ": no code uses \"" show(EN[k]) "\""
        a1 = specs(EN[k])
        a2 = specs(VI[k], 1)
        if (a1 != a2 || a1 ~ /[?]/)
            bad(table ":" EL[k] ": conversions differ: \"" show(EN[k]) "\" has " a1 "; \"" show(VI[k]) "\" has " a2)
        else ok()
    }
    for (k = 1; k <= NN; k++) print NOTES[k]
    print NU " message formats, " NE " entries"
    print npass " passed, " nfail " failed"
    exit (nfail > 0)
}
' "$root"/src/*.h "$root"/src/*.c "$root"/grammar/*.l "$root"/grammar/*.y
