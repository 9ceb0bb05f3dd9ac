/* chiso fmt: a token-level formatter of rule files (the rules are in docs/fmt.md).
 *
 * The flex scanner drops comments, so the formatter has its own small scanner that keeps them;
 * the real parser is run first, and a file with syntax errors is refused, never reformatted.
 * Steps: scan into tokens and lines; find the file's language and which words are keywords (as the
 * scanner does); convert keywords if asked; drop blank lines where they do not belong; lay each line
 * out (indentation, one space between tokens with a few exceptions); align runs of arms, option
 * labels and trailing comments; write; check the result (same tokens, parses). */
#define _POSIX_C_SOURCE 200809L
#include "fmt.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "keywords.h"
#include "parse_internal.h"
#include "parser.h"
#include "report.h"
#include "strbuf.h"
#include "textutil.h"

/* ---------------------------------------------------------------------------------------------
 * Tokens
 * --------------------------------------------------------------------------------------------- */

typedef enum { K_WORD, K_NUM, K_STR, K_OP, K_COMMENT, K_NL } tkind;
enum { ROLE_NONE = 0, ROLE_LANG, ROLE_LANG_ARG }; /* `language vi`: the directive and its word */

typedef struct {
    tkind kind;
    const char *s; /* the text: into the input, or a keyword spelling (static) */
    size_t len;
    int line, col; /* 1-based; col in bytes */
    int kw;        /* K_WORD: the parser's token if it is a keyword of the file, else 0 */
    int role;
    bool drop;     /* left out of the output (the `language` line when converting to English) */
    bool unary;    /* a '-' or '+' that is a sign, not an operator */
} ftok;

typedef struct {
    ftok *v;
    int n, cap;
} tokvec;

static int push_tok(tokvec *tv, tkind k, const char *s, size_t len, int line, int col) {
    if (tv->n == tv->cap) {
        int cap = tv->cap ? tv->cap * 2 : 256;
        ftok *v = realloc(tv->v, (size_t)cap * sizeof *v);
        if (!v) return -1;
        tv->v = v;
        tv->cap = cap;
    }
    ftok *t = &tv->v[tv->n++];
    memset(t, 0, sizeof *t);
    t->kind = k;
    t->s = s;
    t->len = len;
    t->line = line;
    t->col = col;
    return 0;
}

static bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static bool is_idstart(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}
static bool is_idchar(unsigned char c) { return is_idstart(c) || is_digit(c); }

/* Length of a date DDDD-DD-DD at s (10), or 0. */
static size_t date_len(const char *s, size_t n) {
    static const char shape[] = "dddd-dd-dd";
    if (n < 10) return 0;
    for (int i = 0; i < 10; i++) {
        if (shape[i] == 'd' ? !is_digit((unsigned char)s[i]) : s[i] != '-') return 0;
    }
    return 10;
}

/* The tokens of the file, as the flex scanner splits them, plus comments and newlines. Comments
 * lose their trailing white space. The input has parsed, so every string ends on its line. */
static int scan(const char *s, size_t n, tokvec *tv) {
    size_t i = 0, bol = 0;
    int line = 1;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        int col = (int)(i - bol) + 1;
        size_t j = i + 1;
        if (c == '\n') {
            if (push_tok(tv, K_NL, s + i, 1, line, col)) return -1;
            line++;
            bol = i + 1;
            i++;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            i++;
            continue;
        }
        tkind k = K_OP;
        if (c == '#') {
            while (j < n && s[j] != '\n') j++;
            size_t e = j;
            while (e > i + 1 && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r')) e--;
            if (push_tok(tv, K_COMMENT, s + i, e - i, line, col)) return -1;
            i = j;
            continue;
        }
        if (c == '"') {
            k = K_STR;
            while (j < n && s[j] != '\n') {
                if (s[j] == '\\' && j + 1 < n && s[j + 1] != '\n') {
                    j += 2;
                    continue;
                }
                if (s[j++] == '"') break;
            }
        } else if (is_digit(c)) {
            k = K_NUM;
            size_t e = i;
            while (e < n && is_digit((unsigned char)s[e])) e++;
            while (e + 1 < n && s[e] == '.' && is_digit((unsigned char)s[e + 1])) {
                e++;
                while (e < n && is_digit((unsigned char)s[e])) e++;
            }
            if (e < n && s[e] == '%') e++;
            else
                while (e < n && is_idchar((unsigned char)s[e])) e++; /* 1abc: an error token */
            size_t d = date_len(s + i, n - i);
            j = i + (d > e - i ? d : e - i);
        } else if (is_idstart(c)) {
            k = K_WORD;
            while (j < n && is_idchar((unsigned char)s[j])) j++;
        } else if (i + 1 < n) {
            static const char *const two[] = {"=>", "..", "<=", ">=", "!="};
            for (int t = 0; t < 5; t++)
                if (s[i] == two[t][0] && s[i + 1] == two[t][1]) j = i + 2;
        }
        if (push_tok(tv, k, s + i, j - i, line, col)) return -1;
        i = j;
    }
    return 0;
}

static bool is_op(const ftok *t, const char *op) {
    size_t l = strlen(op);
    return t->kind == K_OP && t->len == l && memcmp(t->s, op, l) == 0;
}

static bool word_is(const char *w, size_t wl, const char *s) {
    return strlen(s) == wl && memcmp(w, s, wl) == 0;
}

/* The keyword token of a word in lang (0 if none); *lang_word is set for `language`/`ngôn_ngữ`.
 * As the scanner does, the word is compared in NFC. */
static int word_kw(const ftok *t, int lang, bool *lang_word, bool *is_vi, bool *is_en) {
    char *nfc = text_is_ascii(t->s, t->len) ? NULL : text_nfc(t->s, t->len);
    const char *w = nfc ? nfc : t->s;
    size_t wl = nfc ? strlen(nfc) : t->len;
    *lang_word = word_is(w, wl, "language") || word_is(w, wl, "ngôn_ngữ");
    if (is_vi) *is_vi = word_is(w, wl, "vi");
    if (is_en) *is_en = word_is(w, wl, "en");
    int kw = keyword_token(w, wl, lang);
    free(nfc);
    return kw;
}

/* Marks keywords and the language directive as the scanner reads them: the word after
 * `language` names the language, effective from the next word on. Returns the index of the
 * directive word, or -1. */
static int classify(tokvec *tv, int *lang_out) {
    int lang = KW_EN, dir = -1;
    bool lang_next = false;
    for (int i = 0; i < tv->n; i++) {
        ftok *t = &tv->v[i];
        if (t->kind != K_WORD) continue;
        bool lw, vi, en;
        int kw = word_kw(t, lang, &lw, &vi, &en);
        if (lang_next) {
            lang_next = false;
            t->role = ROLE_LANG_ARG;
            if (vi) lang = KW_VI;
            else if (en) lang = KW_EN;
        } else if (lw) {
            lang_next = true;
            t->role = ROLE_LANG;
            if (dir < 0) dir = i;
        } else {
            t->kw = kw;
        }
    }
    *lang_out = lang;
    return dir;
}

/* ---------------------------------------------------------------------------------------------
 * Checking with the real parser
 * --------------------------------------------------------------------------------------------- */

/* Parses text as `chiso check` does (one file, imports not followed, names not resolved).
 * Returns the number of errors (reported to d), or -1 when out of memory. */
static int parse_errors(const char *name, const char *text, size_t len, diag_sink *d) {
    arena *a = arena_new();
    if (!a) return -1;
    ruleset *rs = arena_alloc(a, sizeof *rs);
    if (!rs) {
        arena_free(a);
        return -1;
    }
    rs->arena = a;
    rs->file = arena_strdup(a, name);
    parse_ctx pc;
    memset(&pc, 0, sizeof pc);
    pc.arena = a;
    pc.diags = d;
    pc.rs = rs;
    pc.file = rs->file;
    pc.src = text;
    pc.len = len;
    int errors = parse_buffer(&pc);
    arena_free(a);
    return errors;
}

/* ---------------------------------------------------------------------------------------------
 * Output buffer
 * --------------------------------------------------------------------------------------------- */

/* ---------------------------------------------------------------------------------------------
 * Layout
 * --------------------------------------------------------------------------------------------- */

enum { BK_OTHER, BK_ARMS, BK_OPTIONS }; /* what a '{' opens */
enum { LK_OTHER, LK_ARM, LK_OPTION };   /* what a line holds, for alignment */

typedef struct {
    int cfirst, cn; /* its code tokens: code[cfirst .. cfirst + cn) */
    int comment;    /* token index of its comment, or -1 */
    bool removed;   /* held only dropped tokens: no line at all in the output */
} sline;

typedef struct {
    int src;        /* source line, or -1 for a blank line */
    int indent;     /* columns */
    int cgap;       /* spaces before the trailing comment */
    int kind;       /* LK_* */
    int align;      /* LK_ARM / LK_OPTION: code position of the `=>` or of the label */
} oline;

typedef struct {
    tokvec tv;
    int *code;  /* indices of the kept tokens that are not comments or newlines, in order */
    int ncode;
    int *gap;   /* gap[k]: spaces before code[k] on its line */
    int *width; /* width[k]: display width of code[k] */
    sline *sl;
    int nsl;
    oline *ol;
    int nol;
} layout;

static const ftok *ctok(const layout *L, int k) { return &L->tv.v[L->code[k]]; }

/* A '-' or '+' is a sign at the start of the file, after an operator or an opening bracket, and
 * after a keyword other than those that are values (`max`, `true`, `false`). */
static void mark_unary(layout *L) {
    for (int k = 0; k < L->ncode; k++) {
        ftok *t = &L->tv.v[L->code[k]];
        if (!is_op(t, "-") && !is_op(t, "+")) continue;
        if (k == 0) {
            t->unary = true;
            continue;
        }
        const ftok *p = ctok(L, k - 1);
        if (p->kind == K_OP) t->unary = !is_op(p, ")") && !is_op(p, "}");
        else if (p->kind == K_WORD) t->unary = p->kw && p->kw != MAX && p->kw != TRUE && p->kw != FALSE;
    }
}

/* The space before code[k] when code[k-1] is on the same line. */
static int space_before(const layout *L, int k) {
    const ftok *a = ctok(L, k - 1), *b = ctok(L, k);
    if (is_op(a, "(")) return 0;
    if (is_op(b, ")") || is_op(b, ",") || is_op(b, ";") || is_op(b, ":")) return 0;
    if (is_op(a, "..") || is_op(b, "..")) return 0;
    if (is_op(a, "<") && k >= 2 && is_op(ctok(L, k - 2), "..")) return 0; /* 85%..<100% */
    if (a->unary) return 0;
    if (is_op(b, "(") && a->kind == K_WORD && a->role == ROLE_NONE &&
        (a->kw == 0 || a->kw == MAX || a->kw == MIN))
        return 0; /* a call: max(a, b), f(x) */
    if (is_op(a, "{") && is_op(b, "}")) return 0;
    return 1;
}

/* What the '{' at code position k opens: arms after `score by X`, `score sum`, `match X` and
 * `classify`; options after `choice`; anything else otherwise. */
static int brace_kind(const layout *L, int k) {
    for (int j = k - 1; j >= 0; j--) {
        const ftok *t = ctok(L, j);
        if (is_op(t, "{") || is_op(t, "}") || is_op(t, ";")) return BK_OTHER;
        if (t->kind != K_WORD) continue;
        switch (t->kw) {
        case BY: case SUM: case MATCH: case CLASSIFY: return BK_ARMS;
        case T_CHOICE: return BK_OPTIONS;
        case AREA: case CRITERION: case BONUS: case RULESET: case TEST: return BK_OTHER;
        default: break;
        }
    }
    return BK_OTHER;
}

/* A line that ends with this token goes on on the next line. */
static bool ends_open(const ftok *t) {
    if (t->kind == K_OP)
        return !is_op(t, ")") && !is_op(t, "}") && !is_op(t, "{") && !is_op(t, ";") && !is_op(t, ",");
    if (t->kind != K_WORD) return false;
    switch (t->kw) {
    case AND: case OR: case NOT: case IF: case THEN: case ELSE: case UNLESS: case BY: case IN:
    case RANGE: case MATCH:
        return true;
    default:
        return false;
    }
}

/* A value: what an operator after it applies to (so the operator is binary). */
static bool is_operand(const ftok *t) {
    if (t->kind == K_NUM || t->kind == K_STR) return true;
    if (t->kind == K_OP) return is_op(t, ")") || is_op(t, "}");
    return t->kind == K_WORD && t->role == ROLE_NONE &&
           (t->kw == 0 || t->kw == MAX || t->kw == TRUE || t->kw == FALSE);
}

/* A line that starts with code[k] continues the previous one: no item, setting, arm or option
 * starts with a string, with these operators and words, or with a binary operator (one that
 * follows a value: a pattern such as `< 85%` or `-3..3` follows '{', ';' or ','). */
static bool starts_cont(const layout *L, int k) {
    const ftok *t = ctok(L, k);
    if (t->kind == K_STR) return true;
    if (t->kind == K_WORD) return t->kw == AND || t->kw == OR || t->kw == THEN;
    if (t->kind != K_OP || is_op(t, "(") || is_op(t, ")") || is_op(t, "{") || is_op(t, "}") ||
        is_op(t, ";") || is_op(t, ","))
        return false;
    if (is_op(t, "*") || is_op(t, "/") || is_op(t, "=>") || is_op(t, "..") || is_op(t, "=") ||
        is_op(t, "!=") || is_op(t, ":"))
        return true;
    return k > 0 && is_operand(ctok(L, k - 1));
}

/* `else` as a pattern (`else => 0`), not the `else` of an `if`. */
static bool else_pattern(const layout *L, int k) {
    return k + 1 < L->ncode && (is_op(ctok(L, k + 1), "=>") || is_op(ctok(L, k + 1), ","));
}

/* Which blank lines stay: at most one in a row, none at the start or the end, none right after a
 * line that ends with '{' and none before a line that starts with '}'. */
static int plan_lines(layout *L) {
    L->ol = calloc((size_t)L->nsl * 2 + 1, sizeof *L->ol);
    if (!L->ol) return -1;
    bool pending = false, after_open = false;
    for (int i = 0; i < L->nsl; i++) {
        const sline *s = &L->sl[i];
        if (s->removed) continue;
        if (s->cn == 0 && s->comment < 0) {
            pending = L->nol > 0;
            continue;
        }
        bool starts_close = s->cn > 0 && is_op(ctok(L, s->cfirst), "}");
        if (pending && !after_open && !starts_close) L->ol[L->nol++].src = -1;
        pending = false;
        oline *o = &L->ol[L->nol++];
        o->src = i;
        if (s->cn > 0) after_open = is_op(ctok(L, s->cfirst + s->cn - 1), "{");
        else after_open = false;
    }
    return 0;
}

/* Indentation, spaces and line kinds, in one pass over the lines in order. */
static int lay_out(layout *L) {
    int depth = 0, paren = 0;
    int *stack = malloc(((size_t)L->ncode + 1) * sizeof *stack);
    if (!stack) return -1;
    bool open_end = false; /* the previous code line ends with an operator or the like */
    int stmt_first = -1, stmt_indent = 0; /* the line the current statement starts on */
    int ifs = 0; /* `if`s waiting for their `else` */
    for (int i = 0; i < L->nol; i++) {
        oline *o = &L->ol[i];
        if (o->src < 0) continue;
        const sline *s = &L->sl[o->src];
        int c0 = s->cfirst, m = s->cn;
        int lead_brace = 0, lead_paren = 0;
        for (int k = c0; k < c0 + m; k++) {
            if (is_op(ctok(L, k), "}")) lead_brace++;
            else if (is_op(ctok(L, k), ")")) lead_paren++;
            else break;
        }
        int level = depth - lead_brace < 0 ? 0 : depth - lead_brace;
        int pd = paren - lead_paren < 0 ? 0 : paren - lead_paren;
        bool cont = open_end || (m > 0 && starts_cont(L, c0)) ||
                    (m > 0 && ifs > 0 && ctok(L, c0)->kw == ELSE && !else_pattern(L, c0));
        int extra = pd > 0 ? pd : cont ? 1 : 0;
        o->indent = 2 * (level + extra);
        if (pd == 0 && !cont && m > 0) {
            stmt_first = c0;
            stmt_indent = o->indent;
        } else if (pd == 0 && cont && stmt_first >= 0 && ctok(L, stmt_first)->kw == GIVEN) {
            /* given a = 1,
             *       b = 2     (hanging, under the first assignment) */
            o->indent = stmt_indent + L->width[stmt_first] + 1;
        }
        o->cgap = 2;
        o->kind = LK_OTHER;
        if (m == 0) continue; /* a comment line */
        for (int k = c0 + 1; k < c0 + m; k++) L->gap[k] = space_before(L, k);
        int block = depth > 0 && lead_brace == 0 && !cont && pd == 0 ? stack[depth - 1] : BK_OTHER;
        /* walk the line: blocks, brackets, arrows at the line's own depth */
        int rel = 0, relp = 0, arrows = 0, arrow_at = -1;
        for (int k = c0; k < c0 + m; k++) {
            const ftok *t = ctok(L, k);
            if (is_op(t, "{")) {
                stack[depth++] = brace_kind(L, k);
                rel++;
            } else if (is_op(t, "}")) {
                if (depth > 0) depth--;
                rel--;
            } else if (is_op(t, "(")) {
                paren++;
                relp++;
            } else if (is_op(t, ")")) {
                if (paren > 0) paren--;
                relp--;
            } else if (t->kw == IF) {
                ifs++;
            } else if (t->kw == ELSE && !else_pattern(L, k)) {
                if (ifs > 0) ifs--;
            } else if (is_op(t, "=>") && rel == 0 && relp == 0) {
                arrows++;
                arrow_at = k;
            }
        }
        if (block == BK_ARMS && arrows == 1 && arrow_at > c0) {
            o->kind = LK_ARM;
            o->align = arrow_at;
        } else if (block == BK_OPTIONS && m >= 2 && ctok(L, c0)->kind == K_WORD &&
                   ctok(L, c0)->kw == 0 && ctok(L, c0 + 1)->kind == K_STR) {
            bool only = true;
            for (int k = c0 + 2; k < c0 + m; k++) {
                const ftok *t = ctok(L, k);
                if (t->kind != K_STR && !(k == c0 + m - 1 && is_op(t, ","))) only = false;
            }
            if (only) {
                o->kind = LK_OPTION;
                o->align = c0 + 1;
            }
        }
        const ftok *last = ctok(L, c0 + m - 1);
        /* a list goes on after a comma, except a choice's options (one per line, or several) */
        open_end = ends_open(last) || (is_op(last, ",") && depth > 0 && stack[depth - 1] != BK_OPTIONS);
    }
    free(stack);
    return 0;
}

/* Display width of code[from, to) on one line, gaps included (not the gap before `from`). */
static int code_width(const layout *L, int from, int to) {
    int w = 0;
    for (int k = from; k < to; k++) w += (k > from ? L->gap[k] : 0) + L->width[k];
    return w;
}

/* Runs of consecutive lines of the same kind and indentation: pad so that their arrows (or
 * labels) line up; then the same for trailing comments. */
static void align(layout *L) {
    for (int i = 0; i < L->nol;) {
        const oline *o = &L->ol[i];
        if (o->src < 0 || o->kind == LK_OTHER) {
            i++;
            continue;
        }
        int j = i + 1;
        while (j < L->nol && L->ol[j].src >= 0 && L->ol[j].kind == o->kind &&
               L->ol[j].indent == o->indent)
            j++;
        int wmax = 0;
        for (int r = i; r < j; r++) {
            const sline *s = &L->sl[L->ol[r].src];
            int w = code_width(L, s->cfirst, L->ol[r].align);
            if (w > wmax) wmax = w;
        }
        for (int r = i; r < j; r++) {
            const sline *s = &L->sl[L->ol[r].src];
            L->gap[L->ol[r].align] = wmax - code_width(L, s->cfirst, L->ol[r].align) + 1;
        }
        i = j;
    }
    for (int i = 0; i < L->nol;) {
        const oline *o = &L->ol[i];
        const sline *s = o->src >= 0 ? &L->sl[o->src] : NULL;
        if (!s || s->cn == 0 || s->comment < 0) {
            i++;
            continue;
        }
        int j = i + 1;
        for (; j < L->nol; j++) {
            const oline *q = &L->ol[j];
            if (q->src < 0 || q->indent != o->indent) break;
            const sline *t = &L->sl[q->src];
            if (t->cn == 0 || t->comment < 0) break;
        }
        int wmax = 0;
        for (int r = i; r < j; r++) {
            const sline *t = &L->sl[L->ol[r].src];
            int w = code_width(L, t->cfirst, t->cfirst + t->cn);
            if (w > wmax) wmax = w;
        }
        for (int r = i; r < j; r++) {
            const sline *t = &L->sl[L->ol[r].src];
            L->ol[r].cgap = wmax - code_width(L, t->cfirst, t->cfirst + t->cn) + 2;
        }
        i = j;
    }
}

static void render(const layout *L, strbuf *b) {
    for (int i = 0; i < L->nol; i++) {
        const oline *o = &L->ol[i];
        if (o->src >= 0) {
            const sline *s = &L->sl[o->src];
            sb_spaces(b, o->indent);
            for (int k = s->cfirst; k < s->cfirst + s->cn; k++) {
                if (k > s->cfirst) sb_spaces(b, L->gap[k]);
                sb_putn(b, ctok(L, k)->s, ctok(L, k)->len);
            }
            if (s->comment >= 0) {
                if (s->cn > 0) sb_spaces(b, o->cgap);
                sb_putn(b, L->tv.v[s->comment].s, L->tv.v[s->comment].len);
            }
        }
        sb_putn(b, "\n", 1);
    }
}

/* ---------------------------------------------------------------------------------------------
 * Keyword conversion
 * --------------------------------------------------------------------------------------------- */

/* Respells every keyword in `to`, and rewrites or drops the language directive. Names that are
 * keywords of `to` are reported: converting would change what the file means. Sets *insert_vi
 * when a `ngôn_ngữ vi` line must be added at the top. Returns the number of conflicts. */
static int convert(tokvec *tv, int dir, int to, const char *name, diag_sink *d, bool *insert_vi) {
    int conflicts = 0;
    for (int i = 0; i < tv->n; i++) {
        ftok *t = &tv->v[i];
        if (t->kind != K_WORD || t->role != ROLE_NONE) continue;
        if (t->kw) {
            const char *sp = keyword_spelling(t->kw, to);
            if (sp) {
                t->s = sp;
                t->len = strlen(sp);
            }
            continue;
        }
        bool lw;
        int kw = word_kw(t, to, &lw, NULL, NULL);
        if (kw) {
            src_loc at = {name, t->line, t->col, (int)t->len, 0};
            if (to == KW_VI)
                diag_emit(d, DIAG_ERROR, &at, NULL, 0,
                          "'%.*s' is a name here, but the Vietnamese keyword for '%s'; rename it "
                          "before converting", (int)t->len, t->s, keyword_spelling(kw, KW_EN));
            else
                diag_emit(d, DIAG_ERROR, &at, NULL, 0,
                          "'%.*s' is a name here, but an English keyword; rename it before "
                          "converting", (int)t->len, t->s);
            conflicts++;
        }
    }
    *insert_vi = false;
    if (dir >= 0) {
        ftok *arg = NULL;
        for (int i = dir + 1; i < tv->n; i++)
            if (tv->v[i].kind == K_WORD) {
                arg = &tv->v[i];
                break;
            }
        if (to == KW_EN) {
            tv->v[dir].drop = true;
            if (arg && arg->role == ROLE_LANG_ARG) arg->drop = true;
        } else {
            tv->v[dir].s = "ngôn_ngữ";
            tv->v[dir].len = strlen("ngôn_ngữ");
            if (arg && arg->role == ROLE_LANG_ARG) {
                arg->s = "vi";
                arg->len = 2;
            }
        }
    } else if (to == KW_VI) {
        *insert_vi = true;
    }
    return conflicts;
}

/* ---------------------------------------------------------------------------------------------
 * The whole
 * --------------------------------------------------------------------------------------------- */

static int build_lines(layout *L) {
    tokvec *tv = &L->tv;
    L->code = malloc(((size_t)tv->n + 1) * sizeof *L->code);
    L->gap = calloc((size_t)tv->n + 1, sizeof *L->gap);
    L->width = calloc((size_t)tv->n + 1, sizeof *L->width);
    int lines = 1;
    for (int i = 0; i < tv->n; i++) lines += tv->v[i].kind == K_NL;
    L->sl = calloc((size_t)lines, sizeof *L->sl);
    if (!L->code || !L->gap || !L->width || !L->sl) return -1;
    sline *s = &L->sl[0];
    s->comment = -1;
    bool dropped = false;
    L->nsl = 1;
    for (int i = 0; i < tv->n; i++) {
        ftok *t = &tv->v[i];
        if (t->kind == K_NL) {
            s->removed = dropped && s->cn == 0 && s->comment < 0;
            s = &L->sl[L->nsl++];
            s->cfirst = L->ncode;
            s->comment = -1;
            dropped = false;
        } else if (t->drop) {
            dropped = true;
        } else if (t->kind == K_COMMENT) {
            s->comment = i;
        } else {
            L->width[L->ncode] = report_display_width(t->s, t->len);
            L->code[L->ncode++] = i;
            s->cn++;
        }
    }
    s->removed = dropped && s->cn == 0 && s->comment < 0;
    return 0;
}

static void layout_free(layout *L) {
    free(L->tv.v);
    free(L->code);
    free(L->gap);
    free(L->width);
    free(L->sl);
    free(L->ol);
}

/* The output has the input's tokens (after conversion) in the same order, and parses. */
static bool same_tokens(const tokvec *in, bool insert_vi, const tokvec *out) {
    int j = 0;
    if (insert_vi) {
        if (out->n < 2 || !word_is(out->v[0].s, out->v[0].len, "ngôn_ngữ") ||
            !word_is(out->v[1].s, out->v[1].len, "vi"))
            return false;
        j = 2;
    }
    for (int i = 0; i < in->n; i++) {
        const ftok *a = &in->v[i];
        if (a->kind == K_NL || a->drop) continue;
        while (j < out->n && out->v[j].kind == K_NL) j++;
        if (j >= out->n) return false;
        const ftok *b = &out->v[j++];
        if (a->kind != b->kind || a->len != b->len || memcmp(a->s, b->s, a->len) != 0) return false;
    }
    while (j < out->n && out->v[j].kind == K_NL) j++;
    return j == out->n;
}

fmt_status fmt_buffer(const char *name, const char *text, size_t len, const fmt_opts *opts,
                      diag_sink *d, char **out, size_t *out_len) {
    *out = NULL;
    if (out_len) *out_len = 0;
    int to = opts ? opts->to_lang : FMT_KEEP_LANG;
    size_t bom = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    const char *src = text + bom;
    size_t n = len - bom;
    diag_sink_add_source(d, name, src, n);
    int errors = parse_errors(name, src, n, d);
    if (errors < 0) return FMT_NOMEM;
    if (errors > 0) return FMT_SYNTAX;

    layout L;
    memset(&L, 0, sizeof L);
    fmt_status st = FMT_NOMEM;
    strbuf b = {NULL, 0, 0, false};
    tokvec check = {0};
    bool insert_vi = false;
    if (scan(src, n, &L.tv)) goto done;
    int lang;
    int dir = classify(&L.tv, &lang);
    if (to != FMT_KEEP_LANG && convert(&L.tv, dir, to, name, d, &insert_vi) > 0) {
        st = FMT_CONFLICT;
        goto done;
    }
    if (build_lines(&L) || plan_lines(&L)) goto done;
    mark_unary(&L);
    if (lay_out(&L)) goto done;
    align(&L);
    if (bom) sb_putn(&b, text, bom);
    if (insert_vi) {
        static const char line[] = "ngôn_ngữ vi\n\n";
        sb_putn(&b, line, sizeof line - (L.nol > 0 ? 1 : 2)); /* a blank line after it, if more follows */
    }
    render(&L, &b);
    if (b.oom) goto done;
    if (!b.p) sb_putn(&b, "", 0);
    if (b.oom) goto done;

    /* Never hand back a text that is not the same program. */
    if (scan(b.p + bom, b.len - bom, &check)) goto done;
    if (!same_tokens(&L.tv, insert_vi, &check)) {
        src_loc at = {name, 0, 0, 0, 0};
        diag_emit(d, DIAG_ERROR, &at, NULL, 0,
                  "internal error: formatting would change the tokens of the file; not formatted "
                  "(please report this with the file)");
        st = FMT_INTERNAL;
        goto done;
    }
    {
        size_t vl = strlen(name) + 16;
        char *vname = malloc(vl);
        if (!vname) goto done;
        snprintf(vname, vl, "%s (formatted)", name);
        diag_sink_add_source(d, vname, b.p + bom, b.len - bom);
        int e = parse_errors(vname, b.p + bom, b.len - bom, d);
        diag_sink_add_source(d, vname, NULL, 0);
        free(vname);
        if (e < 0) goto done;
        if (e > 0) {
            src_loc at = {name, 0, 0, 0, 0};
            diag_emit(d, DIAG_ERROR, &at, NULL, 0,
                      "internal error: the formatted text does not parse; not formatted (please "
                      "report this with the file)");
            st = FMT_INTERNAL;
            goto done;
        }
    }
    *out = b.p;
    if (out_len) *out_len = b.len;
    b.p = NULL;
    st = FMT_OK;
done:
    free(b.p);
    free(check.v);
    layout_free(&L);
    return st;
}
