/* Auditing a published table against a rule set's tree (see audit.h for what is compared).
 *
 * Per unit column, two values are worked out for every node, bottom-up (children have larger
 * pre-order ids than their parent):
 * - eff: what the node contributes to its parent's sum: its published value; when it has none,
 *   the sum of its children's eff (a parent that has no row, or an empty subtotal); else 0 when
 *   that is known (an empty cell of a leaf, or children all empty); else unknown (no row and
 *   nothing to recompute it from). Comparing each parent with the sum of its children's eff
 *   localises an error: an ancestor sees the published subtotal, not the error below it.
 * - full: the node recomputed from the leaves (for the ranking): a parent is the sum of its
 *   children's full when all are known and one has a value, else its published value, else 0 or
 *   unknown as above.
 * A value is VAL (from the table), EMPTY (counts 0, nothing was published) or UNKNOWN. */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include "audit.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "jsonutil.h"
#include "strbuf.h"
#include "textutil.h"

static const char *const KIND_NAMES[AUDIT_N_KINDS] = {
    "sum", "rounding", "max", "max-sum", "above-max", "negative",
    "extra-code", "missing-code", "duplicate-title", "empty", "rank",
};

const char *audit_kind_name(audit_kind k)
{
    return (unsigned)k < AUDIT_N_KINDS ? KIND_NAMES[k] : "?";
}

/* ---- building the result ---- */

typedef struct {
    audit_finding f;
    long pos;  /* node id; then extra rows; then the total row; then ranks */
    int unit;  /* -1 first */
    long seq;  /* emission order within the same place */
} keyed;

typedef struct {
    const ruleset *rs;
    const pub_table *t;
    keyed *items;
    int n, cap;
    long seq;
    bool oom;
    /* positions */
    long pos_extra, pos_total, pos_rank;
} builder;

static char *dup_str(builder *b, const char *s)
{
    if (!s) return NULL;
    char *p = strdup(s);
    if (!p) b->oom = true;
    return p;
}

static void fmt_dec(dec_t d, char *buf)
{
    dec_format(d, -1, buf, DEC_FMT_MAX);
}

/* Adds a finding; pub/rec may be NULL. The message is printf-formatted. */
static void add(builder *b, audit_kind kind, long pos, const char *code, int unit, int node, int line,
                const dec_t *pub, const dec_t *rec, const char *fmt, ...)
    __attribute__((format(printf, 10, 11)));

static void add(builder *b, audit_kind kind, long pos, const char *code, int unit, int node, int line,
                const dec_t *pub, const dec_t *rec, const char *fmt, ...)
{
    if (b->oom) return;
    if (b->n == b->cap) {
        int cap = b->cap ? b->cap * 2 : 32;
        keyed *p = realloc(b->items, (size_t)cap * sizeof *p);
        if (!p) {
            b->oom = true;
            return;
        }
        b->items = p;
        b->cap = cap;
    }
    keyed *k = &b->items[b->n];
    memset(k, 0, sizeof *k);
    k->pos = pos;
    k->unit = unit;
    k->seq = b->seq++;
    audit_finding *f = &k->f;
    f->kind = kind;
    f->unit_index = unit;
    f->node = node;
    f->line = line;
    f->code = dup_str(b, code ? code : "");
    f->unit = unit >= 0 ? dup_str(b, b->t->units[unit]) : NULL;
    if (pub) {
        f->has_published = true;
        f->published = *pub;
    }
    if (rec) {
        f->has_recomputed = true;
        f->recomputed = *rec;
    }
    if (pub && rec && dec_sub(*pub, *rec, &f->difference) != DEC_OK) {
        f->has_recomputed = false; /* cannot happen with table values; never a wrong digit */
    }
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, diag_tr(fmt), ap);
    va_end(ap);
    if (len >= 0) {
        f->message = malloc((size_t)len + 1);
        if (f->message) {
            va_start(ap, fmt);
            vsnprintf(f->message, (size_t)len + 1, diag_tr(fmt), ap);
            va_end(ap);
        }
    }
    if (!f->message || !f->code || (unit >= 0 && !f->unit)) b->oom = true;
    b->n++; /* counted even on failure, so that audit_free releases what was allocated */
}

static void free_finding(audit_finding *f)
{
    free(f->code);
    free(f->unit);
    free(f->message);
}

/* ---- helpers over the tree and the table ---- */

/* Scored by its own rule (a leaf, or a parent with a rule of its own): not a sum of children. */
static bool is_leaf(const node *n) { return n->n_children == 0 || n->rule.kind != RULE_NONE; }

static bool has_na(const node *n)
{
    for (; n; n = n->parent)
        if (n->n_na > 0) return true;
    return false;
}

/* Whether the rule set rounds this node's score (nodes: every node; leaves: rule-scored ones). */
static bool node_rounded(const ruleset *rs, const node *n)
{
    return rs->round_scope == ROUND_NODES || (rs->round_scope == ROUND_LEAVES && is_leaf(n));
}

static bool total_rounded(const ruleset *rs)
{
    return rs->round_scope == ROUND_NODES || rs->round_scope == ROUND_TOTAL;
}

/* Whether v has at most `places` decimals. */
static bool at_places(dec_t v, int places)
{
    dec_t r;
    return dec_round(v, places, DEC_HALF_UP, &r) == DEC_OK && dec_cmp(r, v) == 0;
}

/* NFC, ASCII letters folded to lower case, runs of whitespace (ASCII and U+00A0) as one space,
 * no leading or trailing space. NULL when out of memory or not UTF-8 (then not compared). */
static char *title_key(const char *title)
{
    if (!title) return NULL;
    char *nfc = text_nfc(title, strlen(title));
    if (!nfc) return NULL;
    size_t len = strlen(nfc), o = 0;
    bool space = false;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)nfc[i];
        size_t k = 0;
        if (c == ' ' || (c >= '\t' && c <= '\r')) k = 1;
        else if (c == 0xC2 && (unsigned char)nfc[i + 1] == 0xA0) k = 2;
        if (k) {
            space = true;
            i += k;
            continue;
        }
        if (space && o > 0) nfc[o++] = ' ';
        space = false;
        nfc[o++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : (char)c;
        i++;
    }
    nfc[o] = '\0';
    return nfc;
}

/* Whether `code` is `parent` plus one more dotted part ("1.2" under "1"); parent NULL: a code of
 * one part (a row under the total). */
static bool is_subcode(const char *code, const char *parent)
{
    if (!code || !*code) return false;
    if (parent) {
        size_t pl = strlen(parent);
        if (pl == 0 || strncmp(code, parent, pl) != 0 || code[pl] != '.') return false;
        code += pl + 1;
        if (!*code) return false;
    }
    return strchr(code, '.') == NULL;
}

/* ---- per-unit values ---- */

typedef enum { V_UNKNOWN = 0, V_EMPTY, V_VAL } vstate;

typedef struct {
    vstate st;
    dec_t v;
} cval;

typedef struct {
    bool known, any; /* all children known; one has a value */
    dec_t sum;
    int n;           /* children counted */
    int empty;       /* of which empty */
} agg;

static agg sum_of(int count, node *const *kids, const cval *arr)
{
    agg a = {true, false, dec_from_int(0), 0, 0};
    for (int i = 0; i < count; i++) {
        const cval *c = &arr[kids[i]->id];
        a.n++;
        if (c->st == V_UNKNOWN) {
            a.known = false;
        } else if (c->st == V_EMPTY) {
            a.empty++;
        } else {
            a.any = true;
            if (dec_add(a.sum, c->v, &a.sum) != DEC_OK) a.known = false;
        }
    }
    return a;
}

/* The number of roundings that may stand between the published value p and the exact sum of the
 * children `kids` (their eff values): children the rule set rounds whose value has at most N
 * places, plus the row itself when rounded and written with at most N places. */
static int roundings(const ruleset *rs, node *const *kids, int count, const cval *eff, bool self_rounded,
                     dec_t p)
{
    int k = 0, places = rs->round_places;
    for (int i = 0; i < count; i++) {
        const cval *c = &eff[kids[i]->id];
        if (c->st == V_VAL && node_rounded(rs, kids[i]) && at_places(c->v, places)) k++;
    }
    if (self_rounded && at_places(p, places)) k++;
    return k;
}

/* Compares a published subtotal p with the sum a of its children; adds a sum or rounding finding.
 * what: "its 2 children" style text. */
static void compare_sum(builder *b, long pos, const char *code, int u, int node_id, int line, dec_t p,
                        const agg *a, node *const *kids, int count, const cval *eff, bool self_rounded,
                        const char *what)
{
    if (dec_cmp(p, a->sum) == 0) return;
    const ruleset *rs = b->rs;
    char extra[64] = "";
    if (a->empty > 0)
        snprintf(extra, sizeof extra, "; %d empty cell%s counted as 0", a->empty, a->empty == 1 ? "" : "s");
    if (rs->round_scope != ROUND_NONE) {
        int places = rs->round_places;
        dec_rounding mode = rs->round_mode;
        dec_t rs_sum, rp, diff, tol;
        bool ok = dec_round(a->sum, places, mode, &rs_sum) == DEC_OK &&
                  dec_round(p, places, mode, &rp) == DEC_OK;
        char num[DEC_FMT_MAX];
        if (ok && self_rounded && dec_cmp(rs_sum, p) == 0) {
            add(b, AUDIT_ROUNDING, pos, code, u, node_id, line, &p, &a->sum,
                "the sum of %s rounded to %d decimal%s%s", what, places, places == 1 ? "" : "s", extra);
            return;
        }
        if (ok && self_rounded && dec_cmp(rs_sum, rp) == 0) {
            fmt_dec(rp, num);
            add(b, AUDIT_ROUNDING, pos, code, u, node_id, line, &p, &a->sum,
                "rounded to %d decimal%s, equals the sum of %s rounded alike (%s)%s", places,
                places == 1 ? "" : "s", what, num, extra);
            return;
        }
        int k = roundings(rs, kids, count, eff, self_rounded, p);
        int64_t scale = 10; /* half a unit of the last place: 5 / 10^(places + 1) */
        for (int i = 0; i < places; i++) scale *= 10;
        if (ok && k > 0 && dec_make(5 * (int64_t)k, scale, &tol) == DEC_OK && dec_sub(p, a->sum, &diff) == DEC_OK) {
            bool abs_ok = diff.num >= 0 || dec_neg(diff, &diff) == DEC_OK;
            if (abs_ok && dec_cmp(diff, tol) <= 0) {
                fmt_dec(tol, num);
                add(b, AUDIT_ROUNDING, pos, code, u, node_id, line, &p, &a->sum,
                    "not the sum of %s, within what rounding %d value%s to %d decimal%s explains "
                    "(±%s)%s", what, k, k == 1 ? "" : "s", places, places == 1 ? "" : "s", num, extra);
                return;
            }
        }
    }
    add(b, AUDIT_SUM, pos, code, u, node_id, line, &p, &a->sum, "not the sum of %s%s", what, extra);
}

/* Position of a table row's findings: its node's, or after every node (extra codes). */
static long row_pos(const builder *b, const int *matched, int r)
{
    return matched[r] >= 0 ? matched[r] : b->pos_extra + r;
}

static int cmp_keyed(const void *x, const void *y)
{
    const keyed *a = x, *c = y;
    if (a->pos != c->pos) return a->pos < c->pos ? -1 : 1;
    if (a->unit != c->unit) return a->unit < c->unit ? -1 : 1;
    return a->seq < c->seq ? -1 : a->seq > c->seq;
}

/* Ranks (1 + the number of strictly higher values) of the units with ok[u]. */
static void rank_units(const dec_t *v, const bool *ok, int n, long *rank)
{
    for (int u = 0; u < n; u++) {
        rank[u] = 0;
        if (!ok[u]) continue;
        long r = 1;
        for (int w = 0; w < n; w++)
            if (ok[w] && dec_cmp(v[w], v[u]) > 0) r++;
        rank[u] = r;
    }
}

audit_result *audit_run(const ruleset *rs, const pub_table *t)
{
    builder b;
    memset(&b, 0, sizeof b);
    b.rs = rs;
    b.t = t;
    int nn = rs->n_nodes, nr = t->n_rows, nu = t->n_units;
    b.pos_extra = nn;
    b.pos_total = (long)nn + nr;
    b.pos_rank = (long)nn + nr + 1;

    int *row_of = malloc(((size_t)nn + 1) * sizeof *row_of);
    int *matched = malloc(((size_t)nr + 1) * sizeof *matched);
    cval *eff = malloc(((size_t)nn + 1) * sizeof *eff);
    cval *full = malloc(((size_t)nn + 1) * sizeof *full);
    dec_t *pub_tot = calloc((size_t)nu + 1, sizeof *pub_tot);
    dec_t *rec_tot = calloc((size_t)nu + 1, sizeof *rec_tot);
    bool *pub_ok = calloc((size_t)nu + 1, sizeof *pub_ok);
    bool *rec_ok = calloc((size_t)nu + 1, sizeof *rec_ok);
    long *rank_pub = calloc((size_t)nu + 1, sizeof *rank_pub);
    long *rank_rec = calloc((size_t)nu + 1, sizeof *rank_rec);
    char **keys = calloc((size_t)nr + 1, sizeof *keys);
    audit_result *res = calloc(1, sizeof *res);
    if (!row_of || !matched || !eff || !full || !pub_tot || !rec_tot || !pub_ok || !rec_ok || !rank_pub ||
        !rank_rec || !keys || !res) {
        b.oom = true;
        goto done;
    }

    /* Rows and nodes. */
    for (int r = 0; r < nr; r++) matched[r] = -1;
    for (int i = 0; i < nn; i++) {
        const table_row *row = table_find(t, rs->nodes[i]->code);
        row_of[i] = -1;
        if (row && row >= t->rows && row < t->rows + nr) {
            int r = (int)(row - t->rows);
            if (matched[r] < 0) {
                matched[r] = i;
                row_of[i] = r;
            }
        }
    }
    for (int r = 0; r < nr; r++) keys[r] = title_key(t->rows[r].title);

    /* Findings about rows as a whole. */
    for (int i = 0; i < nn; i++) {
        const node *n = rs->nodes[i];
        if (row_of[i] < 0)
            add(&b, AUDIT_MISSING_CODE, i, n->code, -1, i, 0, NULL, NULL, "not in the table (%s:%d)",
                n->loc.file ? n->loc.file : (rs->file ? rs->file : "?"), n->loc.line);
    }
    for (int r = 0; r < nr; r++) {
        const table_row *row = &t->rows[r];
        long pos = row_pos(&b, matched, r);
        if (matched[r] < 0) {
            int other = -1;
            for (int j = 0; j < nr && other < 0; j++)
                if (j != r && matched[j] >= 0 && row->code && t->rows[j].code && strcmp(row->code, t->rows[j].code) == 0)
                    other = j;
            if (other >= 0)
                add(&b, AUDIT_EXTRA_CODE, pos, row->code, -1, -1, row->line, NULL, NULL,
                    "the code of another row (line %d)", t->rows[other].line);
            else
                add(&b, AUDIT_EXTRA_CODE, pos, row->code, -1, -1, row->line, NULL, NULL,
                    "not in the rule set: %s", row->title ? row->title : "");
        }
        const node *n = matched[r] >= 0 ? rs->nodes[matched[r]] : NULL;
        if (n && n->kind != NODE_BONUS && row->has_max && dec_cmp(row->max, n->max) != 0) {
            add(&b, AUDIT_MAX, pos, row->code, -1, matched[r], row->line, &row->max, &n->max, "%s",
                "the table's maximum is not the rule set's");
        }
        if (row->has_max) {
            dec_t s = dec_from_int(0);
            int cnt = 0;
            bool ok = true;
            for (int j = 0; j < nr; j++) {
                const table_row *sub = &t->rows[j];
                if (!sub->has_max || !is_subcode(sub->code, row->code)) continue;
                if (matched[j] >= 0 && rs->nodes[matched[j]]->kind == NODE_BONUS) continue;
                cnt++;
                if (dec_add(s, sub->max, &s) != DEC_OK) ok = false;
            }
            if (ok && cnt > 0 && dec_cmp(s, row->max) != 0)
                add(&b, AUDIT_MAX_SUM, pos, row->code, -1, matched[r], row->line, &row->max, &s,
                    "the table's maximum is not the sum of its %d sub-row%s' maxima", cnt, cnt == 1 ? "" : "s");
        }
        if (keys[r] && keys[r][0]) {
            for (int j = 0; j < r; j++)
                if (keys[j] && strcmp(keys[j], keys[r]) == 0) {
                    add(&b, AUDIT_DUPLICATE_TITLE, pos, row->code, -1, matched[r], row->line, NULL, NULL,
                        "same title as %s (line %d)", t->rows[j].code ? t->rows[j].code : "?", t->rows[j].line);
                    break;
                }
        }
    }
    const table_row *tot = t->total;
    if (tot && tot->has_max) {
        dec_t rule_max = dec_from_int(0), s = dec_from_int(0);
        bool ok = true;
        for (int i = 0; i < rs->n_top; i++)
            if (rs->top[i]->kind != NODE_BONUS && dec_add(rule_max, rs->top[i]->max, &rule_max) != DEC_OK) ok = false;
        if (ok && dec_cmp(tot->max, rule_max) != 0)
            add(&b, AUDIT_MAX, b.pos_total, AUDIT_TOTAL_CODE, -1, -1, tot->line, &tot->max, &rule_max, "%s",
                "the table's total maximum is not the sum of the rule set's areas' maxima");
        int cnt = 0;
        ok = true;
        for (int j = 0; j < nr; j++) {
            const table_row *sub = &t->rows[j];
            if (!sub->has_max || !is_subcode(sub->code, NULL)) continue;
            if (matched[j] >= 0 && rs->nodes[matched[j]]->kind == NODE_BONUS) continue;
            cnt++;
            if (dec_add(s, sub->max, &s) != DEC_OK) ok = false;
        }
        if (ok && cnt > 0 && dec_cmp(s, tot->max) != 0)
            add(&b, AUDIT_MAX_SUM, b.pos_total, AUDIT_TOTAL_CODE, -1, -1, tot->line, &tot->max, &s,
                "the table's total maximum is not the sum of its %d top-level row%s' maxima", cnt,
                cnt == 1 ? "" : "s");
    }

    /* Per unit. */
    for (int u = 0; u < nu && !b.oom; u++) {
        for (int i = nn - 1; i >= 0; i--) {
            const node *n = rs->nodes[i];
            int r = row_of[i];
            bool hasv = r >= 0 && t->rows[r].has_value[u];
            dec_t v = hasv ? t->rows[r].values[u] : dec_from_int(0);
            cval *e = &eff[i], *f = &full[i];
            if (is_leaf(n)) {
                e->st = hasv ? V_VAL : r >= 0 ? V_EMPTY : V_UNKNOWN;
                e->v = v;
                *f = *e;
                continue;
            }
            agg ae = sum_of(n->n_children, n->children, eff);
            agg af = sum_of(n->n_children, n->children, full);
            if (hasv) *e = (cval){V_VAL, v};
            else if (ae.known && ae.any) *e = (cval){V_VAL, ae.sum};
            else if (ae.known) *e = (cval){V_EMPTY, dec_from_int(0)};
            else *e = (cval){V_UNKNOWN, dec_from_int(0)};
            if (af.known && af.any) *f = (cval){V_VAL, af.sum};
            else if (hasv) *f = (cval){V_VAL, v};
            else if (af.known) *f = (cval){V_EMPTY, dec_from_int(0)};
            else *f = (cval){V_UNKNOWN, dec_from_int(0)};
        }
        for (int i = 0; i < nn; i++) {
            const node *n = rs->nodes[i];
            int r = row_of[i];
            if (r < 0) continue;
            const table_row *row = &t->rows[r];
            if (!row->has_value[u]) {
                add(&b, AUDIT_EMPTY, i, n->code, u, i, row->line, NULL, NULL, "%s",
                    has_na(n) ? "no value (a not-applicable clause may exclude it)" : "no value");
                continue;
            }
            dec_t v = row->values[u];
            if (!is_leaf(n)) {
                agg a = sum_of(n->n_children, n->children, eff);
                if (a.known && a.any) {
                    char what[48];
                    snprintf(what, sizeof what, "its %d child%s", a.n, a.n == 1 ? "" : "ren");
                    compare_sum(&b, i, n->code, u, i, row->line, v, &a, n->children, n->n_children, eff,
                                node_rounded(rs, n), what);
                }
                continue;
            }
            dec_t zero = dec_from_int(0);
            if (n->kind == NODE_BONUS) {
                char lo[DEC_FMT_MAX], hi[DEC_FMT_MAX];
                fmt_dec(n->range_lo, lo);
                fmt_dec(n->range_hi, hi);
                if (dec_cmp(v, n->range_hi) > 0)
                    add(&b, AUDIT_ABOVE_MAX, i, n->code, u, i, row->line, &v, &n->range_hi,
                        "above its range %s..%s", lo, hi);
                else if (dec_cmp(v, n->range_lo) < 0)
                    add(&b, AUDIT_NEGATIVE, i, n->code, u, i, row->line, &v, &n->range_lo,
                        "below its range %s..%s", lo, hi);
            } else if (dec_cmp(v, n->max) > 0) {
                add(&b, AUDIT_ABOVE_MAX, i, n->code, u, i, row->line, &v, &n->max, "%s", "above its maximum");
            } else if (dec_cmp(v, zero) < 0) {
                add(&b, AUDIT_NEGATIVE, i, n->code, u, i, row->line, &v, &zero, "below 0");
            }
        }
        /* The total row. */
        pub_ok[u] = rec_ok[u] = false;
        agg at = sum_of(rs->n_top, rs->top, eff);
        agg af = sum_of(rs->n_top, rs->top, full);
        if (af.known && af.any) {
            rec_ok[u] = true;
            rec_tot[u] = af.sum;
        }
        if (!tot) continue;
        if (!tot->has_value[u]) {
            add(&b, AUDIT_EMPTY, b.pos_total, AUDIT_TOTAL_CODE, u, -1, tot->line, NULL, NULL, "no value");
            continue;
        }
        pub_ok[u] = true;
        pub_tot[u] = tot->values[u];
        if (at.known && at.any) {
            char what[48];
            snprintf(what, sizeof what, "the %d area%s", at.n, at.n == 1 ? "" : "s");
            compare_sum(&b, b.pos_total, AUDIT_TOTAL_CODE, u, -1, tot->line, tot->values[u], &at, rs->top,
                        rs->n_top, eff, total_rounded(rs), what);
        }
    }

    /* The ranking. */
    if (tot && !b.oom) {
        bool *both = pub_ok; /* ranked: both totals known */
        for (int u = 0; u < nu; u++) both[u] = pub_ok[u] && rec_ok[u];
        rank_units(pub_tot, both, nu, rank_pub);
        rank_units(rec_tot, both, nu, rank_rec);
        for (int u = 0; u < nu; u++) {
            if (!both[u] || rank_pub[u] == rank_rec[u]) continue;
            dec_t rp = dec_from_int(rank_pub[u]), rr = dec_from_int(rank_rec[u]);
            char a[DEC_FMT_MAX], c[DEC_FMT_MAX];
            fmt_dec(pub_tot[u], a);
            fmt_dec(rec_tot[u], c);
            add(&b, AUDIT_RANK, b.pos_rank, AUDIT_TOTAL_CODE, u, -1, tot->line, &rp, &rr,
                "rank %ld by the published total %s, %ld by the total recomputed from the leaves %s",
                rank_pub[u], a, rank_rec[u], c);
        }
    }

done:
    if (!b.oom && res) {
        if (b.n > 1) qsort(b.items, (size_t)b.n, sizeof *b.items, cmp_keyed);
        res->items = b.n ? malloc((size_t)b.n * sizeof *res->items) : NULL;
        if (b.n && !res->items) b.oom = true;
    }
    if (b.oom) {
        for (int i = 0; i < b.n; i++) free_finding(&b.items[i].f);
        free(res);
        res = NULL;
    } else {
        for (int i = 0; i < b.n; i++) {
            res->items[i] = b.items[i].f;
            res->counts[b.items[i].f.kind]++;
        }
        res->n = b.n;
    }
    free(b.items);
    if (keys)
        for (int r = 0; r < nr; r++) free(keys[r]);
    free(keys);
    free(row_of);
    free(matched);
    free(eff);
    free(full);
    free(pub_tot);
    free(rec_tot);
    free(pub_ok);
    free(rec_ok);
    free(rank_pub);
    free(rank_rec);
    return res;
}

void audit_free(audit_result *r)
{
    if (!r) return;
    for (int i = 0; i < r->n; i++) free_finding(&r->items[i]);
    free(r->items);
    free(r);
}

size_t audit_summary(const audit_result *r, char *buf, size_t cap)
{
    char tmp[512];
    size_t len;
    if (!r || r->n == 0) {
        len = (size_t)snprintf(tmp, sizeof tmp, "no disagreement");
    } else {
        int k = snprintf(tmp, sizeof tmp, "%d finding%s:", r->n, r->n == 1 ? "" : "s");
        bool first = true;
        for (int i = 0; i < AUDIT_N_KINDS && k > 0 && (size_t)k < sizeof tmp; i++) {
            if (!r->counts[i]) continue;
            k += snprintf(tmp + k, sizeof tmp - (size_t)k, "%s %d %s", first ? "" : ",", r->counts[i],
                          KIND_NAMES[i]);
            first = false;
        }
        len = k > 0 ? (size_t)k : 0;
    }
    if (cap > 0) snprintf(buf, cap, "%s", tmp);
    return len;
}

/* ---- writing ---- */

static int cell_width(const char *s) { return s ? report_display_width(s, strlen(s)) : 0; }

static void csv_field(strbuf *b, const char *s)
{
    if (!s) return;
    if (!s[strcspn(s, ",\"\r\n")]) {
        sb_puts(b, s);
        return;
    }
    sb_putn(b, "\"", 1);
    for (const char *q; (q = strchr(s, '"')); s = q + 1) {
        sb_putn(b, s, (size_t)(q - s) + 1);
        sb_putn(b, "\"", 1);
    }
    sb_puts(b, s);
    sb_putn(b, "\"", 1);
}

/* Decimals a value is written with. */
static int frac_digits(dec_t d)
{
    if (!dec_is_terminating(d)) return 0;
    char num[DEC_FMT_MAX];
    dec_format(d, -1, num, sizeof num);
    const char *dot = strchr(num, '.');
    return dot ? (int)strlen(dot + 1) : 0;
}

/* The three numbers of a finding as text cells; empty when absent. */
static void number_cells(const audit_finding *f, int places, char cells[3][DEC_FMT_MAX])
{
    bool has[3] = {f->has_published, f->has_recomputed, f->has_published && f->has_recomputed};
    dec_t v[3] = {f->published, f->recomputed, f->difference};
    for (int i = 0; i < 3; i++) {
        cells[i][0] = '\0';
        if (has[i]) dec_format(v[i], places, cells[i], DEC_FMT_MAX);
    }
}

static void write_text(strbuf *b, const audit_result *r, const ruleset *rs)
{
    char line[512];
    if (r->n == 0) {
        sb_puts(b, "no disagreement\n");
        return;
    }
    int places = rs && rs->round_scope != ROUND_NONE ? rs->round_places : 0;
    for (int i = 0; i < r->n; i++) {
        const audit_finding *f = &r->items[i];
        if (f->kind == AUDIT_RANK) continue;
        if (f->has_published && frac_digits(f->published) > places) places = frac_digits(f->published);
        if (f->has_recomputed && frac_digits(f->recomputed) > places) places = frac_digits(f->recomputed);
        if (f->has_published && f->has_recomputed && frac_digits(f->difference) > places)
            places = frac_digits(f->difference);
    }
    static const char *const head[7] = {"kind", "code", "unit", "published", "recomputed", "difference", "message"};
    int w[6];
    for (int c = 0; c < 6; c++) w[c] = (int)strlen(head[c]);
    for (int i = 0; i < r->n; i++) {
        const audit_finding *f = &r->items[i];
        char cells[3][DEC_FMT_MAX];
        number_cells(f, f->kind == AUDIT_RANK ? 0 : places, cells);
        int cw[6] = {(int)strlen(audit_kind_name(f->kind)), cell_width(f->code), cell_width(f->unit),
                     (int)strlen(cells[0]), (int)strlen(cells[1]), (int)strlen(cells[2])};
        for (int c = 0; c < 6; c++)
            if (cw[c] > w[c]) w[c] = cw[c];
    }
    /* header */
    for (int c = 0; c < 7; c++) {
        int len = (int)strlen(head[c]);
        if (c >= 3 && c < 6) sb_spaces(b, w[c] - len);
        sb_puts(b, head[c]);
        if (c < 3) sb_spaces(b, w[c] - len);
        if (c < 6) sb_spaces(b, 2);
    }
    sb_putn(b, "\n", 1);
    for (int i = 0; i < r->n; i++) {
        const audit_finding *f = &r->items[i];
        char cells[3][DEC_FMT_MAX];
        number_cells(f, f->kind == AUDIT_RANK ? 0 : places, cells);
        const char *text[3] = {audit_kind_name(f->kind), f->code ? f->code : "", f->unit ? f->unit : ""};
        for (int c = 0; c < 3; c++) {
            sb_puts_flat(b, text[c]);
            sb_spaces(b, w[c] - cell_width(text[c]) + 2);
        }
        for (int c = 0; c < 3; c++) {
            sb_spaces(b, w[3 + c] - (int)strlen(cells[c]));
            sb_puts(b, cells[c]);
            sb_spaces(b, 2);
        }
        sb_puts_flat(b, f->message ? f->message : "");
        while (b->len > 0 && b->p[b->len - 1] == ' ') b->len--;
        sb_putn(b, "\n", 1);
    }
    audit_summary(r, line, sizeof line);
    sb_putn(b, "\n", 1);
    sb_puts(b, line);
    sb_putn(b, "\n", 1);
}

static void write_csv(strbuf *b, const audit_result *r)
{
    sb_puts(b, "kind,code,unit,published,recomputed,difference,message\n");
    for (int i = 0; i < r->n; i++) {
        const audit_finding *f = &r->items[i];
        char cells[3][DEC_FMT_MAX];
        number_cells(f, -1, cells);
        sb_puts(b, audit_kind_name(f->kind));
        sb_putn(b, ",", 1);
        csv_field(b, f->code);
        sb_putn(b, ",", 1);
        csv_field(b, f->unit);
        for (int c = 0; c < 3; c++) {
            sb_putn(b, ",", 1);
            sb_puts(b, cells[c]);
        }
        sb_putn(b, ",", 1);
        csv_field(b, f->message);
        sb_putn(b, "\n", 1);
    }
}


static json_t *jdec(bool has, dec_t d) { return has ? json_dec(d) : json_null(); }

static void jset(json_t *o, const char *key, json_t *v, bool *ok)
{
    if (!o || !v || json_object_set_new(o, key, v) != 0) *ok = false;
}

static void japp(json_t *a, json_t *v, bool *ok)
{
    if (!a || !v || json_array_append_new(a, v) != 0) *ok = false;
}

static json_t *build_json(const audit_result *r, const ruleset *rs, const pub_table *t, bool *ok)
{
    json_t *o = json_object();
    jset(o, "rules", json_text(rs ? rs->file : NULL), ok);
    jset(o, "table", json_text(t ? t->file : NULL), ok);
    json_t *units = json_array();
    for (int u = 0; t && u < t->n_units; u++) japp(units, json_text(t->units[u]), ok);
    jset(o, "units", units, ok);
    json_t *arr = json_array();
    for (int i = 0; i < r->n; i++) {
        const audit_finding *f = &r->items[i];
        json_t *x = json_object();
        jset(x, "kind", json_string(audit_kind_name(f->kind)), ok);
        jset(x, "code", json_text(f->code), ok);
        jset(x, "unit", json_text(f->unit), ok);
        jset(x, "published", jdec(f->has_published, f->published), ok);
        jset(x, "recomputed", jdec(f->has_recomputed, f->recomputed), ok);
        jset(x, "difference", jdec(f->has_published && f->has_recomputed, f->difference), ok);
        jset(x, "message", json_text(f->message), ok);
        jset(x, "line", f->line > 0 ? json_integer(f->line) : json_null(), ok);
        japp(arr, x, ok);
    }
    jset(o, "findings", arr, ok);
    json_t *sum = json_object();
    jset(sum, "findings", json_integer(r->n), ok);
    for (int k = 0; k < AUDIT_N_KINDS; k++) jset(sum, KIND_NAMES[k], json_integer(r->counts[k]), ok);
    jset(o, "summary", sum, ok);
    return o;
}

int audit_write(FILE *out, const audit_result *r, const ruleset *rs, const pub_table *t, report_format format)
{
    strbuf b = {0};
    int rc = 0;
    if (format == REPORT_JSON) {
        bool ok = true;
        json_t *j = build_json(r, rs, t, &ok);
        char *s = ok && j ? json_dumps(j, JSON_INDENT(2)) : NULL;
        json_decref(j);
        if (!s) return -1;
        sb_puts(&b, s);
        sb_putn(&b, "\n", 1);
        free(s);
    } else if (format == REPORT_CSV) {
        write_csv(&b, r);
    } else {
        write_text(&b, r, rs);
    }
    if (b.oom || (b.len && fwrite(b.p, 1, b.len, out) != b.len)) rc = -1;
    free(b.p);
    return rc;
}
