/* Explanations of a unit's scores: see explain.h and docs/explain.md.
 *
 * The evaluator (eval.c) scores a unit in one pass and keeps only what decided each node
 * (node_result). An explanation needs more: the value of every fact, let and def a rule reads,
 * why each band before the matching one did not match, each not-applicable clause tried. It gets
 * them by evaluating the pieces of the resolved tree again with eval_expression() against the
 * same facts (defs and lets stay memoised from eval_unit), and takes the final numbers (score,
 * raw value, status, effective maximum) from the node_result, so that an explanation never
 * disagrees with `chiso eval`.
 *
 * Everything is first built as a JSON object; the text is written from that object. */
#define _POSIX_C_SOURCE 200809L
#include "explain.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "jsonutil.h"
#include "strbuf.h"
#include "report.h"

/* ---- a growable string ---- */

/* ---- numbers, dates, values ---- */

__extension__ typedef __int128 i128;

static void put_exact(strbuf *b, dec_t v) {
    char num[DEC_FMT_MAX];
    size_t n = dec_format(v, -1, num, sizeof num);
    sb_putn(b, num, n < sizeof num ? n : sizeof num - 1);
}

/* A value with no finite decimal expansion: its first 6 decimals, cut (not rounded), and "…". */
static void put_cut(strbuf *b, dec_t v) {
    i128 num = v.num, den = v.den;
    if (num < 0) {
        sb_puts(b, "-");
        num = -num;
    }
    i128 whole = num / den, rem = num % den;
    char digits[48];
    int k = 0;
    if (whole == 0) digits[k++] = '0';
    while (whole > 0 && k < 40) {
        digits[k++] = (char)('0' + (int)(whole % 10));
        whole /= 10;
    }
    for (int i = k - 1; i >= 0; i--) sb_putn(b, &digits[i], 1);
    sb_puts(b, ".");
    for (int i = 0; i < 6; i++) {
        rem *= 10;
        char c = (char)('0' + (int)(rem / den));
        rem %= den;
        sb_putn(b, &c, 1);
    }
    sb_puts(b, "…");
}

/* A number as a reader writes it: exact decimals ("2.25"), a percentage as "99.68%", a value
 * with no finite decimal expansion cut with "…" and, with `fraction`, followed by its exact
 * value: "1.833333… (= 11/6)". */
static void put_number(strbuf *b, dec_t v, bool percent, bool fraction) {
    dec_t shown = v;
    if (percent && dec_mul(v, dec_from_int(100), &shown) != DEC_OK) percent = false, shown = v;
    if (dec_is_terminating(shown)) put_exact(b, shown);
    else put_cut(b, shown);
    if (percent) sb_puts(b, "%");
    if (fraction && !dec_is_terminating(shown)) {
        sb_puts(b, " (= ");
        put_exact(b, v);
        sb_puts(b, ")");
    }
}


static void put_date(strbuf *b, dec_t v, bool iso) {
    if (!dec_is_integer(v) || v.num > INT64_C(1) << 40 || v.num < -(INT64_C(1) << 40)) {
        put_exact(b, v);
        return;
    }
    char buf[48];
    date_format(v.num, iso, buf, sizeof buf);
    sb_puts(b, buf);
}

/* sheet: as a fact sheet writes it (có/không, "name (label)"); else as the rule language writes
 * it (true/false, the option's name). */
static void put_value(strbuf *b, dec_t v, value_type t, bool percent, const fact_decl *choice, bool sheet,
                      bool fraction) {
    switch (t) {
    case TY_BOOL:
        sb_puts(b, v.num ? (sheet ? "có" : "true") : (sheet ? "không" : "false"));
        return;
    case TY_DATE:
        put_date(b, v, false);
        return;
    case TY_CHOICE:
        if (choice && dec_is_integer(v) && v.num >= 0 && v.num < choice->n_options) {
            const option_decl *o = &choice->options[v.num];
            sb_puts(b, o->name);
            if (sheet && o->label && *o->label) {
                sb_puts(b, " (");
                sb_puts(b, o->label);
                sb_puts(b, ")");
            }
        } else {
            sb_puts(b, "option ");
            put_exact(b, v);
        }
        return;
    default:
        put_number(b, v, percent, fraction);
        return;
    }
}

size_t explain_format_value(dec_t v, value_type type, bool percent, const fact_decl *choice, char *buf,
                            size_t cap) {
    strbuf b = {0};
    put_value(&b, v, type, percent, choice, true, true);
    size_t n = b.oom ? 0 : b.len;
    if (cap > 0) {
        size_t k = n < cap - 1 ? n : cap - 1;
        while (k > 0 && k < n && ((unsigned char)b.p[k] & 0xC0) == 0x80) k--;
        if (k) memcpy(buf, b.p, k);
        buf[k] = '\0';
    }
    sb_free(&b);
    return n;
}

/* ---- patterns ---- */

static void put_bound(strbuf *b, const expr *lit, dec_t v) {
    if (lit && lit->kind == EX_DATE) put_date(b, v, true);
    else put_number(b, v, lit && lit->unit == NU_PERCENT, false);
}

static bool pattern_percent(const pattern *p) {
    return (p->lo_e && p->lo_e->unit == NU_PERCENT) || (p->hi_e && p->hi_e->unit == NU_PERCENT);
}

static bool arms_percent(const arm *arms, int n) {
    for (int i = 0; i < n; i++)
        for (int j = 0; j < arms[i].n_pats; j++)
            if (pattern_percent(&arms[i].pats[j])) return true;
    return false;
}

/* The pattern as written: 100%, 85%..<100%, <85%, du, true, else. */
static void put_pattern(strbuf *b, const pattern *p, const fact_decl *choice) {
    switch (p->kind) {
    case PAT_ELSE: sb_puts(b, "else"); return;
    case PAT_BOOL: sb_puts(b, p->lo.num ? "true" : "false"); return;
    case PAT_OPTION:
        if (choice && p->option >= 0 && p->option < choice->n_options) sb_puts(b, choice->options[p->option].name);
        else sb_puts(b, p->name ? p->name : "?");
        return;
    case PAT_EQ: put_bound(b, p->lo_e, p->lo); return;
    case PAT_RANGE:
        if (p->has_lo && p->has_hi) {
            put_bound(b, p->lo_e, p->lo);
            sb_puts(b, p->hi_incl ? ".." : "..<");
            put_bound(b, p->hi_e, p->hi);
        } else if (p->has_hi) {
            sb_puts(b, p->hi_incl ? "<=" : "<");
            put_bound(b, p->hi_e, p->hi);
        } else if (p->has_lo) {
            sb_puts(b, p->lo_incl ? ">=" : ">");
            put_bound(b, p->lo_e, p->lo);
        } else {
            sb_puts(b, "..");
        }
        return;
    }
}

/* After "SUBJECT ": "= 84.5% is not in 85%..<100%" (several patterns: "is not 100%, not in
 * 85%..<100%"), "is thieu, not du" (choices: "not du or khong"), "is false, not true". */
static void put_why_not(strbuf *b, const arm *a, dec_t v, bool percent, bool is_date, const fact_decl *choice) {
    bool named = false;
    for (int j = 0; j < a->n_pats; j++)
        if (a->pats[j].kind == PAT_OPTION || a->pats[j].kind == PAT_BOOL) named = true;
    if (named) {
        sb_puts(b, "is ");
        put_value(b, v, a->pats[0].kind == PAT_BOOL ? TY_BOOL : TY_CHOICE, false, choice, false, false);
        sb_puts(b, ", not ");
        for (int j = 0; j < a->n_pats; j++) {
            if (j) sb_puts(b, " or ");
            put_pattern(b, &a->pats[j], choice);
        }
        return;
    }
    sb_puts(b, "= ");
    if (is_date) put_date(b, v, false);
    else put_number(b, v, percent, false);
    sb_puts(b, " is ");
    for (int j = 0; j < a->n_pats; j++) {
        const pattern *p = &a->pats[j];
        if (j) sb_puts(b, ", ");
        sb_puts(b, "not ");
        if (p->kind == PAT_RANGE && p->has_lo && p->has_hi) sb_puts(b, "in ");
        else if (p->kind == PAT_RANGE) {
            /* "not < 85%" reads better with the operator apart from the bound */
            sb_puts(b, p->has_hi ? (p->hi_incl ? "<= " : "< ") : (p->lo_incl ? ">= " : "> "));
            put_bound(b, p->has_hi ? p->hi_e : p->lo_e, p->has_hi ? p->hi : p->lo);
            continue;
        }
        put_pattern(b, p, choice);
    }
}

size_t explain_why_not(const pattern *p, dec_t v, bool percent, bool is_date, const fact_decl *choice,
                       char *buf, size_t cap) {
    arm a;
    memset(&a, 0, sizeof a);
    a.pats = (pattern *)p;
    a.n_pats = 1;
    strbuf b = {0};
    put_why_not(&b, &a, v, percent, is_date, choice);
    size_t n = b.oom ? 0 : b.len;
    if (cap > 0) {
        size_t k = n < cap - 1 ? n : cap - 1;
        while (k > 0 && k < n && ((unsigned char)b.p[k] & 0xC0) == 0x80) k--;
        if (k) memcpy(buf, b.p, k);
        buf[k] = '\0';
    }
    sb_free(&b);
    return n;
}

/* ---- the explainer ---- */

typedef enum { VI_LET, VI_DEF, VI_CALL } value_item_kind;

typedef struct {
    value_item_kind kind;
    int slot;         /* VI_LET, VI_DEF */
    const expr *call; /* VI_CALL */
    const node *n;    /* the node an expression is evaluated for (a let: its owner) */
} value_item;

typedef struct {
    const expr *e;
    const node *n;
    const expr *in_call;     /* the call whose function body holds the match, or NULL */
    const node *in_call_node;
} match_item;

/* A parameter of a function put in as its argument's value, for the explanation of the
 * function's body: printed by its name as written, by its value with the values put in. */
typedef struct {
    const expr *lit;
    const char *name;
} param_lit;

struct explainer {
    const ruleset *rs;
    eval_state *st;
    int n_slots;
    const let_binding **slot_let; /* [n_slots] */
    const node **slot_owner;
    int *slot_def;                /* def index, -1 for a let */
    uint8_t *slot_pct;            /* 0 unknown, 1 computing, 2 plain, 3 percent */
    uint8_t *slot_subject_pct;    /* the slot is the subject of bands written in percentages */

    /* per unit */
    const fact_value *facts;
    const node_result *res;
    const char *facts_file;

    /* per node: what the explanation reads */
    uint8_t *fact_seen;
    int *fact_order;
    int n_fact_order;
    uint8_t *slot_seen;
    uint8_t *def_walked;
    value_item *values;
    int n_values, cap_values;
    match_item *matches;
    int n_matches, cap_matches;
    const expr *cur_call; /* walking the body of this call (with its arguments put in) */
    const node *cur_call_node;
    const expr **calls_walked; /* call sites whose body was walked, once each */
    int n_calls_walked, cap_calls_walked;
    param_lit *plits;
    int n_plits, cap_plits;
    void **blocks; /* the copies of function bodies, freed with the node's explanation */
    int n_blocks, cap_blocks;

    bool oom;
};

static eval_value evaluate(explainer *x, const expr *e, const node *n) {
    return eval_expression(x->st, e, n);
}

static const expr *binding_value(const explainer *x, int slot) {
    if (slot < 0 || slot >= x->n_slots) return NULL;
    if (x->slot_def[slot] >= 0) return x->rs->defs[x->slot_def[slot]].value;
    return x->slot_let[slot] ? x->slot_let[slot]->value : NULL;
}

static const char *binding_name(const explainer *x, int slot) {
    if (slot < 0 || slot >= x->n_slots) return "?";
    if (x->slot_def[slot] >= 0) return x->rs->defs[x->slot_def[slot]].name;
    return x->slot_let[slot] ? x->slot_let[slot]->name : "?";
}

static bool is_hundred_percent(const expr *e) {
    return e->kind == EX_NUM && e->unit == NU_PERCENT && e->u.num.num == 1 && e->u.num.den == 1;
}

/* Whether a numeric expression is a percentage, to show its value as one: a percent fact or
 * literal (the checker's unit), a let or def of one, `X / Y * 100%` (the guideline's "Z = X/Y ×
 * 100%"), or a let or def that bands written in percentages take as their subject. */
static bool pct(explainer *x, const expr *e, int depth) {
    if (!e || e->type != TY_NUM || depth > 64) return false;
    switch (e->kind) {
    case EX_LET: case EX_DEF: {
        int s = e->u.ref.slot;
        if (s < 0 || s >= x->n_slots) return false;
        if (x->slot_pct[s] == 0) {
            x->slot_pct[s] = 1;
            bool p = x->slot_subject_pct[s] || pct(x, binding_value(x, s), depth + 1);
            x->slot_pct[s] = p ? 3 : 2;
        }
        return x->slot_pct[s] == 3;
    }
    case EX_MUL:
        if (is_hundred_percent(e->u.op.a) || is_hundred_percent(e->u.op.b)) return true;
        break;
    case EX_IF:
        return pct(x, e->u.op.b, depth + 1) && pct(x, e->u.op.c, depth + 1);
    case EX_MIN: case EX_MAX:
        return e->u.call.n > 0 && pct(x, e->u.call.args[0], depth + 1);
    case EX_CALL:
        if (e->unit == NU_PERCENT) return true;
        return e->u.call.def >= 0 && pct(x, x->rs->defs[e->u.call.def].value, depth + 1);
    default:
        break;
    }
    return e->unit == NU_PERCENT;
}

static const fact_decl *choice_of(const explainer *x, const expr *e) {
    if (!e || e->type != TY_CHOICE || e->choice < 0 || e->choice >= x->rs->n_facts) return NULL;
    return &x->rs->facts[e->choice];
}

/* Bands in percentages over a let or def: its values are shown as percentages. */
static void scan_subjects(explainer *x, const expr *e, int depth) {
    if (!e || depth > 200) return;
    switch (e->kind) {
    case EX_MATCH:
        if ((e->u.match.subject->kind == EX_LET || e->u.match.subject->kind == EX_DEF) &&
            arms_percent(e->u.match.arms, e->u.match.n)) {
            int s = e->u.match.subject->u.ref.slot;
            if (s >= 0 && s < x->n_slots) x->slot_subject_pct[s] = 1;
        }
        scan_subjects(x, e->u.match.subject, depth + 1);
        for (int i = 0; i < e->u.match.n; i++) scan_subjects(x, e->u.match.arms[i].result, depth + 1);
        return;
    case EX_CALL: case EX_MIN: case EX_MAX:
        for (int i = 0; i < e->u.call.n; i++) scan_subjects(x, e->u.call.args[i], depth + 1);
        return;
    case EX_NUM: case EX_DATE: case EX_BOOL: case EX_NAME: case EX_FACT: case EX_DEF: case EX_LET:
    case EX_OPTION: case EX_MAXREF: case EX_PARAM:
        return;
    default:
        scan_subjects(x, e->u.op.a, depth + 1);
        if (e->kind != EX_NEG && e->kind != EX_NOT) scan_subjects(x, e->u.op.b, depth + 1);
        if (e->kind == EX_IF) scan_subjects(x, e->u.op.c, depth + 1);
        return;
    }
}

explainer *explain_new(const ruleset *rs, eval_state *st) {
    explainer *x = calloc(1, sizeof *x);
    if (!x) return NULL;
    x->rs = rs;
    x->st = st;
    x->n_slots = rs->n_slots;
    size_t ns = (size_t)rs->n_slots + 1, nf = (size_t)rs->n_facts + 1, nd = (size_t)rs->n_defs + 1;
    x->slot_let = calloc(ns, sizeof *x->slot_let);
    x->slot_owner = calloc(ns, sizeof *x->slot_owner);
    x->slot_def = malloc(ns * sizeof *x->slot_def);
    x->slot_pct = calloc(ns, 1);
    x->slot_subject_pct = calloc(ns, 1);
    x->slot_seen = calloc(ns, 1);
    x->fact_seen = calloc(nf, 1);
    x->fact_order = calloc(nf, sizeof *x->fact_order);
    x->def_walked = calloc(nd, 1);
    if (!x->slot_let || !x->slot_owner || !x->slot_def || !x->slot_pct || !x->slot_subject_pct ||
        !x->slot_seen || !x->fact_seen || !x->fact_order || !x->def_walked) {
        explain_free(x);
        return NULL;
    }
    for (size_t i = 0; i < ns; i++) x->slot_def[i] = -1;
    for (int i = 0; i < rs->n_defs; i++)
        if (rs->defs[i].slot >= 0 && rs->defs[i].slot < rs->n_slots) x->slot_def[rs->defs[i].slot] = i;
    for (int i = 0; i < rs->n_nodes; i++) {
        const node *n = rs->nodes[i];
        for (int k = 0; k < n->n_lets; k++) {
            int s = n->lets[k].slot;
            if (s < 0 || s >= rs->n_slots) continue;
            x->slot_let[s] = &n->lets[k];
            x->slot_owner[s] = n;
        }
    }
    /* Which lets and defs are read as percentages by bands. */
    for (int i = 0; i < rs->n_nodes; i++) {
        const node *n = rs->nodes[i];
        const rule *r = &n->rule;
        if (r->kind == RULE_BANDS && r->e && (r->e->kind == EX_LET || r->e->kind == EX_DEF) &&
            arms_percent(r->arms, r->n_arms)) {
            int s = r->e->u.ref.slot;
            if (s >= 0 && s < rs->n_slots) x->slot_subject_pct[s] = 1;
        }
        scan_subjects(x, r->e, 0);
        for (int k = 0; k < r->n_arms; k++) {
            scan_subjects(x, r->arms[k].result, 0);
            scan_subjects(x, r->arms[k].cond, 0);
        }
        for (int k = 0; k < n->n_lets; k++) scan_subjects(x, n->lets[k].value, 0);
        for (int k = 0; k < n->n_na; k++) {
            scan_subjects(x, n->na[k].cond, 0);
            scan_subjects(x, n->na[k].value, 0);
        }
    }
    for (int i = 0; i < rs->n_defs; i++) scan_subjects(x, rs->defs[i].value, 0);
    return x;
}

void explain_free(explainer *x) {
    if (!x) return;
    free(x->slot_let);
    free(x->slot_owner);
    free(x->slot_def);
    free(x->slot_pct);
    free(x->slot_subject_pct);
    free(x->slot_seen);
    free(x->fact_seen);
    free(x->fact_order);
    free(x->def_walked);
    free(x->values);
    free(x->matches);
    for (int i = 0; i < x->n_blocks; i++) free(x->blocks[i]);
    free(x->blocks);
    free(x->plits);
    free(x->calls_walked);
    free(x);
}

/* ---- what a node's explanation reads ---- */

static void reset_reads(explainer *x) {
    for (int i = 0; i < x->n_fact_order; i++) x->fact_seen[x->fact_order[i]] = 0;
    x->n_fact_order = 0;
    memset(x->slot_seen, 0, (size_t)x->n_slots + 1);
    memset(x->def_walked, 0, (size_t)x->rs->n_defs + 1);
    x->n_values = 0;
    x->n_matches = 0;
    x->n_calls_walked = 0;
    x->n_plits = 0;
    for (int i = 0; i < x->n_blocks; i++) free(x->blocks[i]);
    x->n_blocks = 0;
    x->cur_call = NULL;
    x->cur_call_node = NULL;
}

/* Grows *arr (elements of size elem) to hold one more; false when out of memory. */
static bool grow(explainer *x, void **arr, int *cap, int n, size_t elem) {
    if (n < *cap) return true;
    int c = *cap ? *cap * 2 : 16;
    void *p = realloc(*arr, (size_t)c * elem);
    if (!p) {
        x->oom = true;
        return false;
    }
    *arr = p;
    *cap = c;
    return true;
}

static void *xalloc(explainer *x, size_t size) {
    if (!grow(x, (void **)&x->blocks, &x->cap_blocks, x->n_blocks, sizeof *x->blocks)) return NULL;
    void *p = calloc(1, size);
    if (!p) {
        x->oom = true;
        return NULL;
    }
    x->blocks[x->n_blocks++] = p;
    return p;
}

static const char *param_name(const explainer *x, const expr *e) {
    for (int i = 0; i < x->n_plits; i++)
        if (x->plits[i].lit == e) return x->plits[i].name;
    return NULL;
}

/* A copy of a function's body with each parameter replaced by a literal holding its argument's
 * value (remembered in plits, so that it still prints as the parameter's name). Parts without a
 * parameter are shared, not copied. NULL when out of memory. */
static expr *put_in_args(explainer *x, const expr *e, const def_decl *d, const eval_value *args, int depth) {
    if (!e || depth > 200) return (expr *)e;
    expr *c;
    switch (e->kind) {
    case EX_PARAM: {
        int k = e->u.ref.slot;
        if (k < 0 || k >= d->n_params) return (expr *)e;
        c = xalloc(x, sizeof *c);
        if (!c || !grow(x, (void **)&x->plits, &x->cap_plits, x->n_plits, sizeof *x->plits)) return NULL;
        c->kind = d->params[k].type == TY_BOOL ? EX_BOOL : d->params[k].type == TY_DATE ? EX_DATE : EX_NUM;
        c->type = (uint8_t)d->params[k].type;
        c->unit = (uint8_t)d->params[k].unit;
        c->choice = -1;
        c->loc = e->loc;
        c->u.num = args[k].v;
        x->plits[x->n_plits].lit = c;
        x->plits[x->n_plits].name = d->params[k].name;
        x->n_plits++;
        return c;
    }
    case EX_NUM: case EX_DATE: case EX_BOOL: case EX_NAME: case EX_FACT: case EX_DEF: case EX_LET:
    case EX_OPTION: case EX_MAXREF:
        return (expr *)e;
    default:
        break;
    }
    c = xalloc(x, sizeof *c);
    if (!c) return NULL;
    *c = *e;
    switch (e->kind) {
    case EX_MATCH: {
        c->u.match.subject = put_in_args(x, e->u.match.subject, d, args, depth + 1);
        arm *arms = xalloc(x, (size_t)(e->u.match.n > 0 ? e->u.match.n : 1) * sizeof *arms);
        if (!arms || !c->u.match.subject) return NULL;
        for (int i = 0; i < e->u.match.n; i++) {
            arms[i] = e->u.match.arms[i];
            arms[i].result = put_in_args(x, e->u.match.arms[i].result, d, args, depth + 1);
            if (!arms[i].result) return NULL;
        }
        c->u.match.arms = arms;
        return c;
    }
    case EX_CALL: case EX_MIN: case EX_MAX: {
        expr **a = xalloc(x, (size_t)(e->u.call.n > 0 ? e->u.call.n : 1) * sizeof *a);
        if (!a) return NULL;
        for (int i = 0; i < e->u.call.n; i++)
            if (!(a[i] = put_in_args(x, e->u.call.args[i], d, args, depth + 1))) return NULL;
        c->u.call.args = a;
        return c;
    }
    default:
        if (e->u.op.a && !(c->u.op.a = put_in_args(x, e->u.op.a, d, args, depth + 1))) return NULL;
        if (e->kind != EX_NEG && e->kind != EX_NOT && e->u.op.b &&
            !(c->u.op.b = put_in_args(x, e->u.op.b, d, args, depth + 1)))
            return NULL;
        if (e->kind == EX_IF && e->u.op.c && !(c->u.op.c = put_in_args(x, e->u.op.c, d, args, depth + 1)))
            return NULL;
        return c;
    }
}

static void add_value(explainer *x, value_item v) {
    if (x->n_values == x->cap_values) {
        int cap = x->cap_values ? x->cap_values * 2 : 16;
        value_item *p = realloc(x->values, (size_t)cap * sizeof *p);
        if (!p) {
            x->oom = true;
            return;
        }
        x->values = p;
        x->cap_values = cap;
    }
    x->values[x->n_values++] = v;
}

static void add_match(explainer *x, const expr *e, const node *n) {
    if (x->n_matches == x->cap_matches) {
        int cap = x->cap_matches ? x->cap_matches * 2 : 8;
        match_item *p = realloc(x->matches, (size_t)cap * sizeof *p);
        if (!p) {
            x->oom = true;
            return;
        }
        x->matches = p;
        x->cap_matches = cap;
    }
    x->matches[x->n_matches].e = e;
    x->matches[x->n_matches].n = n;
    x->matches[x->n_matches].in_call = x->cur_call;
    x->matches[x->n_matches].in_call_node = x->cur_call_node;
    x->n_matches++;
}

/* Collects, in the order first read, the facts an expression reads and the lets, defs, calls
 * and matches whose values it uses (a let or def after those it reads). in_fn: inside the body
 * of a def with parameters, whose parts have no value of their own (they depend on the
 * arguments): only its facts are collected there. */
static void walk(explainer *x, const expr *e, const node *n, bool in_fn, int depth) {
    if (!e || depth > 500) return;
    switch (e->kind) {
    case EX_FACT: {
        int f = e->u.ref.slot;
        if (f >= 0 && f < x->rs->n_facts && !x->fact_seen[f]) {
            x->fact_seen[f] = 1;
            x->fact_order[x->n_fact_order++] = f;
        }
        return;
    }
    case EX_LET: case EX_DEF: {
        int s = e->u.ref.slot;
        if (s < 0 || s >= x->n_slots || x->slot_seen[s]) return;
        x->slot_seen[s] = 1;
        bool is_def = x->slot_def[s] >= 0;
        const node *owner = is_def ? NULL : x->slot_owner[s];
        walk(x, binding_value(x, s), owner, false, depth + 1);
        value_item v = {is_def ? VI_DEF : VI_LET, s, NULL, owner};
        add_value(x, v);
        return;
    }
    case EX_CALL: {
        for (int i = 0; i < e->u.call.n; i++) walk(x, e->u.call.args[i], n, in_fn, depth + 1);
        int d = e->u.call.def;
        if (d < 0 || d >= x->rs->n_defs) return;
        const def_decl *dd = &x->rs->defs[d];
        if (!in_fn) {
            value_item v = {VI_CALL, -1, e, n};
            add_value(x, v);
        }
        /* The body, with the arguments' values put in for the parameters: its bands are then
         * explained like a rule's. When an argument has no value, only the facts it reads. */
        eval_value args[16];
        bool ok = !in_fn && dd->n_params == e->u.call.n && dd->n_params <= 16;
        for (int i = 0; ok && i < e->u.call.n; i++) {
            args[i] = evaluate(x, e->u.call.args[i], n);
            ok = args[i].state == 0;
        }
        for (int i = 0; ok && i < x->n_calls_walked; i++) ok = x->calls_walked[i] != e;
        expr *body = ok ? put_in_args(x, dd->value, dd, args, 0) : NULL;
        if (body && grow(x, (void **)&x->calls_walked, &x->cap_calls_walked, x->n_calls_walked,
                         sizeof *x->calls_walked)) {
            x->calls_walked[x->n_calls_walked++] = e;
            const expr *saved = x->cur_call;
            const node *saved_n = x->cur_call_node;
            if (!saved) {
                x->cur_call = e;
                x->cur_call_node = n;
            }
            walk(x, body, n, false, depth + 1);
            x->cur_call = saved;
            x->cur_call_node = saved_n;
        } else if (!x->def_walked[d]) {
            x->def_walked[d] = 1;
            walk(x, dd->value, NULL, true, depth + 1);
        }
        return;
    }
    case EX_MATCH:
        walk(x, e->u.match.subject, n, in_fn, depth + 1);
        for (int i = 0; i < e->u.match.n; i++) walk(x, e->u.match.arms[i].result, n, in_fn, depth + 1);
        if (!in_fn) add_match(x, e, n);
        return;
    case EX_MIN: case EX_MAX:
        for (int i = 0; i < e->u.call.n; i++) walk(x, e->u.call.args[i], n, in_fn, depth + 1);
        return;
    case EX_NUM: case EX_DATE: case EX_BOOL: case EX_NAME: case EX_OPTION: case EX_MAXREF: case EX_PARAM:
        return;
    default:
        walk(x, e->u.op.a, n, in_fn, depth + 1);
        if (e->kind != EX_NEG && e->kind != EX_NOT) walk(x, e->u.op.b, n, in_fn, depth + 1);
        if (e->kind == EX_IF) walk(x, e->u.op.c, n, in_fn, depth + 1);
        return;
    }
}

/* ---- expressions, as written and with the values put in ---- */

static int prec(const expr *e) {
    switch (e->kind) {
    case EX_IF: return 1;
    case EX_OR: return 2;
    case EX_AND: return 3;
    case EX_NOT: return 4;
    case EX_EQ: case EX_NE: case EX_LT: case EX_LE: case EX_GT: case EX_GE: return 5;
    case EX_ADD: case EX_SUB: return 6;
    case EX_MUL: case EX_DIV: return 7;
    case EX_NEG: return 8;
    default: return 9;
    }
}

static const char *op_text(expr_kind k) {
    switch (k) {
    case EX_OR: return " or ";
    case EX_AND: return " and ";
    case EX_EQ: return " = ";
    case EX_NE: return " != ";
    case EX_LT: return " < ";
    case EX_LE: return " <= ";
    case EX_GT: return " > ";
    case EX_GE: return " >= ";
    case EX_ADD: return " + ";
    case EX_SUB: return " - ";
    case EX_MUL: return " * ";
    case EX_DIV: return " / ";
    default: return " ? ";
    }
}


/* A value inside a formula: as the language writes it; "?" when unknown; a negative number in
 * parentheses unless it stands alone. */
static void put_inline(explainer *x, strbuf *b, eval_value v, const expr *e, int min) {
    if (v.state != 0) {
        sb_puts(b, "?");
        return;
    }
    bool paren = min > 1 && e->type == TY_NUM && v.v.num < 0;
    if (paren) sb_puts(b, "(");
    put_value(b, v.v, (value_type)e->type, pct(x, e, 0), choice_of(x, e), false, false);
    if (paren) sb_puts(b, ")");
}

static void print_expr(explainer *x, strbuf *b, const expr *e, const node *n, bool subst, int min, int depth) {
    if (!e) {
        sb_puts(b, "?");
        return;
    }
    if (depth > 200) {
        sb_puts(b, "…");
        return;
    }
    const char *pname = (e->kind == EX_NUM || e->kind == EX_BOOL || e->kind == EX_DATE) ? param_name(x, e) : NULL;
    if (pname) {
        if (!subst) {
            sb_puts(b, pname);
        } else {
            eval_value v = {0, 0, -1, NULL, e->u.num};
            put_inline(x, b, v, e, min);
        }
        return;
    }
    int p = prec(e);
    bool paren = p < min;
    if (paren) sb_puts(b, "(");
    switch (e->kind) {
    case EX_NUM:
        put_number(b, e->u.num, e->unit == NU_PERCENT, false);
        break;
    case EX_DATE:
        put_date(b, e->u.num, true);
        break;
    case EX_BOOL:
        sb_puts(b, e->u.num.num ? "true" : "false");
        break;
    case EX_NAME:
        sb_puts(b, e->u.ref.name);
        break;
    case EX_OPTION: {
        const fact_decl *f = choice_of(x, e);
        if (f && e->u.ref.slot >= 0 && e->u.ref.slot < f->n_options) sb_puts(b, f->options[e->u.ref.slot].name);
        else sb_puts(b, e->u.ref.name ? e->u.ref.name : "?");
        break;
    }
    case EX_MAXREF:
        if (subst && n) put_number(b, n->max, false, false);
        else sb_puts(b, "max");
        break;
    case EX_FACT:
        if (subst) put_inline(x, b, evaluate(x, e, n), e, min);
        else sb_puts(b, x->rs->facts[e->u.ref.slot].name);
        break;
    case EX_LET: case EX_DEF:
        if (subst) put_inline(x, b, evaluate(x, e, n), e, min);
        else sb_puts(b, binding_name(x, e->u.ref.slot));
        break;
    case EX_PARAM: {
        sb_puts(b, e->u.ref.name ? e->u.ref.name : "?");
        break;
    }
    case EX_MATCH:
        if (subst) {
            put_inline(x, b, evaluate(x, e, n), e, min);
            break;
        }
        sb_puts(b, "match ");
        print_expr(x, b, e->u.match.subject, n, false, 2, depth + 1);
        sb_puts(b, " { ");
        for (int i = 0; i < e->u.match.n; i++) {
            if (i) sb_puts(b, "; ");
            sb_puts(b, e->u.match.arms[i].text ? e->u.match.arms[i].text : "…");
        }
        sb_puts(b, " }");
        break;
    case EX_CALL: case EX_MIN: case EX_MAX:
        sb_puts(b, e->kind == EX_MIN ? "min" : e->kind == EX_MAX ? "max" : e->u.call.name);
        sb_puts(b, "(");
        for (int i = 0; i < e->u.call.n; i++) {
            if (i) sb_puts(b, ", ");
            print_expr(x, b, e->u.call.args[i], n, subst, 1, depth + 1);
        }
        sb_puts(b, ")");
        break;
    case EX_NEG:
        sb_puts(b, "-");
        print_expr(x, b, e->u.op.a, n, subst, 8, depth + 1);
        break;
    case EX_NOT:
        sb_puts(b, "not ");
        print_expr(x, b, e->u.op.a, n, subst, 4, depth + 1);
        break;
    case EX_IF:
        sb_puts(b, "if ");
        print_expr(x, b, e->u.op.a, n, subst, 1, depth + 1);
        sb_puts(b, " then ");
        print_expr(x, b, e->u.op.b, n, subst, 1, depth + 1);
        sb_puts(b, " else ");
        print_expr(x, b, e->u.op.c, n, subst, 1, depth + 1);
        break;
    default: {
        /* binary: left-associative, comparisons do not chain */
        int lmin = p == 5 ? 6 : p, rmin = p + 1;
        print_expr(x, b, e->u.op.a, n, subst, lmin, depth + 1);
        sb_puts(b, op_text(e->kind));
        print_expr(x, b, e->u.op.b, n, subst, rmin, depth + 1);
        break;
    }
    }
    if (paren) sb_puts(b, ")");
}

/* ---- JSON helpers ---- */

static json_t *jstr(explainer *x, const char *s) {
    json_t *j = json_text(s);
    if (!j) x->oom = true;
    return j;
}

static json_t *jdec(explainer *x, dec_t d) {
    json_t *j = json_dec(d);
    if (!j) x->oom = true;
    return j;
}

/* "0.666666… (= 2/3)", "2.25" */
static json_t *jshown(explainer *x, dec_t d) {
    strbuf b = {0};
    put_number(&b, d, false, true);
    json_t *j = b.oom ? NULL : json_string(sb_str(&b));
    sb_free(&b);
    if (!j) x->oom = true;
    return j;
}

static void jset(explainer *x, json_t *o, const char *key, json_t *v) {
    if (!o || !v || json_object_set_new(o, key, v) != 0) x->oom = true;
}

static void jpush(explainer *x, json_t *a, json_t *v) {
    if (!a || !v || json_array_append_new(a, v) != 0) x->oom = true;
}

static const char *fact_name(const explainer *x, int f) {
    return f >= 0 && f < x->rs->n_facts ? x->rs->facts[f].name : "?";
}

/* "division by zero at r.chiso:15:44" */
static void put_loc(explainer *x, strbuf *b, const expr *at) {
    if (!at || at->loc.line <= 0) return;
    sb_puts(b, at->loc.file ? at->loc.file : x->rs->file ? x->rs->file : "?");
    sb_puts(b, ":");
    sb_int(b, at->loc.line);
    if (diag_char_col(&at->loc) > 0) {
        sb_puts(b, ":");
        sb_int(b, diag_char_col(&at->loc));
    }
}

static void put_problem(explainer *x, strbuf *b, uint8_t state, uint8_t error, int32_t fact, const expr *at) {
    if (state == 1) {
        sb_puts(b, "fact ");
        sb_puts(b, fact_name(x, fact));
        sb_puts(b, error == EV_BAD_FACT ? " has a bad value" : " is missing");
        return;
    }
    sb_puts(b, eval_error_text((eval_error)error));
    if (at && at->loc.line > 0) {
        sb_puts(b, " at ");
        put_loc(x, b, at);
    }
}

static const char *state_name(uint8_t state) { return state == 0 ? "ok" : state == 1 ? "missing" : "error"; }

/* {"expression", "substituted", "value", "shown", "state", "problem"}: an expression of node n
 * evaluated for the unit; percent: show the value as a percentage; sheet: bools and choices as a
 * fact sheet writes them. */
static json_t *jeval(explainer *x, const expr *e, const node *n, bool percent, bool sheet, eval_value *out) {
    json_t *o = json_object();
    strbuf b = {0};
    print_expr(x, &b, e, n, false, 0, 0);
    jset(x, o, "expression", jstr(x, sb_str(&b)));
    char *written = b.oom ? NULL : strdup(sb_str(&b));
    sb_reset(&b);
    print_expr(x, &b, e, n, true, 0, 0);
    /* A name or a literal put in is only its value: no "substituted" then. */
    bool leaf = e->kind == EX_FACT || e->kind == EX_LET || e->kind == EX_DEF || e->kind == EX_NUM ||
                e->kind == EX_DATE || e->kind == EX_BOOL || e->kind == EX_OPTION || e->kind == EX_MAXREF;
    if (!leaf && (!written || strcmp(written, sb_str(&b)) != 0)) jset(x, o, "substituted", jstr(x, sb_str(&b)));
    free(written);
    eval_value v = evaluate(x, e, n);
    if (out) *out = v;
    sb_reset(&b);
    if (v.state == 0) {
        jset(x, o, "value", jdec(x, v.v));
        put_value(&b, v.v, (value_type)e->type, percent, choice_of(x, e), sheet, true);
        jset(x, o, "shown", jstr(x, sb_str(&b)));
    } else {
        jset(x, o, "value", json_null());
        jset(x, o, "shown", json_string("?"));
    }
    jset(x, o, "state", json_string(state_name(v.state)));
    if (v.state != 0) {
        sb_reset(&b);
        put_problem(x, &b, v.state, v.error, v.fact, v.at);
        jset(x, o, "problem", jstr(x, sb_str(&b)));
        if (v.state == 1) jset(x, o, "fact", jstr(x, fact_name(x, v.fact)));
    }
    if (b.oom) x->oom = true;
    sb_free(&b);
    return o;
}

/* ---- arms ---- */

/* Bands or choices (a rule's or a match's): every arm in order, the matching one, why each
 * before it did not match, the ones after not tried. Returns the subject's evaluation. */
static void jarms(explainer *x, json_t *o, const expr *subject, const arm *arms, int n_arms, const node *n) {
    bool percent = pct(x, subject, 0) || arms_percent(arms, n_arms);
    const fact_decl *choice = choice_of(x, subject);
    eval_value sv;
    jset(x, o, "subject", jeval(x, subject, n, percent, subject->type == TY_CHOICE, &sv));
    json_t *list = json_array();
    int matched = -1;
    strbuf b = {0};
    for (int i = 0; i < n_arms; i++) {
        const arm *a = &arms[i];
        json_t *ao = json_object();
        jset(x, ao, "text", jstr(x, a->text ? a->text : "?"));
        if (sv.state != 0 || matched >= 0) {
            jset(x, ao, "outcome", json_string("not tried"));
        } else {
            bool hit = false;
            for (int j = 0; j < a->n_pats && !hit; j++) hit = eval_pattern_matches(&a->pats[j], sv.v);
            if (hit) {
                matched = i;
                jset(x, ao, "outcome", json_string("matches"));
                jset(x, ao, "result", jeval(x, a->result, n, pct(x, a->result, 0), false, NULL));
            } else {
                jset(x, ao, "outcome", json_string("no"));
                sb_reset(&b);
                strbuf s = {0};
                print_expr(x, &s, subject, n, false, 0, 0);
                sb_puts(&b, sb_str(&s));
                sb_free(&s);
                sb_puts(&b, " ");
                put_why_not(&b, a, sv.v, percent, subject->type == TY_DATE, choice);
                jset(x, ao, "why", jstr(x, sb_str(&b)));
            }
        }
        jpush(x, list, ao);
    }
    sb_free(&b);
    jset(x, o, "arms", list);
    jset(x, o, "matched", matched >= 0 ? json_integer(matched + 1) : json_null());
}

/* ---- not-applicable clauses ---- */

static const char *na_kind_name(na_kind k) {
    return k == NA_EXCLUDED ? "excluded" : k == NA_FULL ? "full" : "fixed";
}

/* The clauses of `owner` tried in order, as eval_node tries them, into list. Returns the index
 * of the clause that decided (it applied, or its condition could not be told), -1 if none did. */
static int jclauses(explainer *x, json_t *list, const node *owner, bool ancestor, bool walk_facts) {
    for (int i = 0; i < owner->n_na; i++) {
        const na_clause *c = &owner->na[i];
        json_t *o = json_object();
        jset(x, o, "node", jstr(x, owner->code));
        jset(x, o, "ancestor", json_boolean(ancestor));
        jset(x, o, "clause", jstr(x, c->text ? c->text : "not applicable"));
        jset(x, o, "kind", json_string(na_kind_name(c->kind)));
        jset(x, o, "unless", json_boolean(c->unless));
        eval_value v;
        jset(x, o, "condition", jeval(x, c->cond, owner, false, false, &v));
        if (walk_facts) walk(x, c->cond, owner, false, 0);
        int decided = -1;
        if (v.state != 0) {
            jset(x, o, "applies", json_null());
            decided = i;
        } else if ((v.v.num != 0) != c->unless) {
            jset(x, o, "applies", json_true());
            if (c->kind == NA_FIXED && c->value) {
                jset(x, o, "value", jeval(x, c->value, owner, pct(x, c->value, 0), false, NULL));
                if (walk_facts) walk(x, c->value, owner, false, 0);
            } else if (c->kind == NA_FULL) {
                jset(x, o, "value", jdec(x, owner->max));
            }
            decided = i;
        } else {
            jset(x, o, "applies", json_false());
        }
        jpush(x, list, o);
        if (decided >= 0) return decided;
    }
    return -1;
}

/* The ancestor whose not-applicable clause decided the node (it applied, or its condition could
 * not be told), NULL if none did. Evaluates the clauses again, top down, as eval_node met them. */
static const node *deciding_ancestor(explainer *x, const node *n) {
    const node *chain[256];
    int k = 0;
    for (const node *a = n->parent; a && k < 256; a = a->parent) chain[k++] = a;
    for (int i = k - 1; i >= 0; i--) {
        const node *a = chain[i];
        for (int j = 0; j < a->n_na; j++) {
            eval_value v = evaluate(x, a->na[j].cond, a);
            if (v.state != 0 || (v.v.num != 0) != a->na[j].unless) return a;
        }
    }
    return NULL;
}

/* ---- rules ---- */

static bool has_score(const node_result *r) {
    return r->status != ST_EXCLUDED && r->status != ST_MISSING && r->status != ST_ERROR;
}

static json_t *jrule(explainer *x, const node *n) {
    const rule *r = &n->rule;
    json_t *o = json_object();
    switch (r->kind) {
    case RULE_EXPR:
        walk(x, r->e, n, false, 0);
        if (r->text && strcmp(r->text, "given") == 0 && r->e->kind == EX_FACT) {
            jset(x, o, "kind", json_string("given"));
            jset(x, o, "fact", jstr(x, fact_name(x, r->e->u.ref.slot)));
        } else {
            jset(x, o, "kind", json_string("formula"));
        }
        jset(x, o, "formula", jeval(x, r->e, n, false, false, NULL));
        break;
    case RULE_BANDS:
        walk(x, r->e, n, false, 0);
        for (int i = 0; i < r->n_arms; i++) walk(x, r->arms[i].result, n, false, 0);
        jset(x, o, "kind", json_string(r->e->type == TY_CHOICE ? "choices" : "bands"));
        jarms(x, o, r->e, r->arms, r->n_arms, n);
        break;
    case RULE_SUM: {
        jset(x, o, "kind", json_string("parts"));
        json_t *list = json_array();
        dec_t sum = dec_from_int(0);
        bool known = true;
        for (int i = 0; i < r->n_arms; i++) {
            const arm *a = &r->arms[i];
            walk(x, a->cond, n, false, 0);
            walk(x, a->result, n, false, 0);
            json_t *po = json_object();
            jset(x, po, "text", jstr(x, a->text ? a->text : "?"));
            eval_value c, pv;
            jset(x, po, "condition", jeval(x, a->cond, n, false, false, &c));
            jset(x, po, "points", jeval(x, a->result, n, pct(x, a->result, 0), false, &pv));
            if (!known) {
                jset(x, po, "holds", json_null());
                jset(x, po, "outcome", json_string("not tried"));
            } else if (c.state != 0) {
                jset(x, po, "holds", json_null());
                jset(x, po, "outcome", json_string("unknown"));
                known = false;
            } else if (c.v.num != 0) {
                jset(x, po, "holds", json_true());
                jset(x, po, "outcome", json_string("holds"));
                if (pv.state != 0 || dec_add(sum, pv.v, &sum) != DEC_OK) known = false;
            } else {
                jset(x, po, "holds", json_false());
                jset(x, po, "outcome", json_string("does not hold"));
            }
            jpush(x, list, po);
        }
        jset(x, o, "parts", list);
        jset(x, o, "sum", known ? jdec(x, sum) : json_null());
        break;
    }
    case RULE_NONE: case RULE_GIVEN: {
        const node_result *res = x->res;
        jset(x, o, "kind", json_string("children"));
        json_t *list = json_array(), *cuts = json_array();
        dec_t sum = dec_from_int(0), bonus = dec_from_int(0), cut = dec_from_int(0);
        bool known = true, any_bonus = false, ok = true;
        for (int i = 0; i < n->n_children; i++) {
            const node *ch = n->children[i];
            const node_result *cr = &res[ch->id];
            json_t *co = json_object();
            jset(x, co, "code", jstr(x, ch->code));
            jset(x, co, "status", json_string(eval_status_name((node_status)cr->status)));
            jset(x, co, "score", has_score(cr) ? jdec(x, cr->score) : json_null());
            jset(x, co, "max", jdec(x, cr->max));
            jset(x, co, "declared_max", jdec(x, ch->max));
            jset(x, co, "bonus", json_boolean(ch->kind == NODE_BONUS));
            jpush(x, list, co);
            if (cr->status == ST_MISSING || cr->status == ST_ERROR) {
                known = false;
                continue;
            }
            if (ch->kind == NODE_BONUS) {
                any_bonus = true;
                ok &= dec_add(bonus, cr->score, &bonus) == DEC_OK;
                continue;
            }
            if (cr->status != ST_EXCLUDED) ok &= dec_add(sum, cr->score, &sum) == DEC_OK;
            if (dec_cmp(cr->max, ch->max) != 0) {
                dec_t gone;
                ok &= dec_sub(ch->max, cr->max, &gone) == DEC_OK;
                ok &= dec_add(cut, gone, &cut) == DEC_OK;
                json_t *c = json_object();
                jset(x, c, "code", jstr(x, ch->code));
                jset(x, c, "by", jdec(x, gone));
                jset(x, c, "excluded", json_boolean(cr->status == ST_EXCLUDED));
                jpush(x, cuts, c);
            }
        }
        jset(x, o, "children", list);
        jset(x, o, "sum", known && ok ? jdec(x, sum) : json_null());
        if (any_bonus) jset(x, o, "bonus", known && ok ? jdec(x, bonus) : json_null());
        jset(x, o, "declared_max", jdec(x, n->max));
        jset(x, o, "reductions", cuts);
        if (n->kind != NODE_BONUS && ok) {
            dec_t m;
            if (dec_sub(n->max, cut, &m) == DEC_OK) jset(x, o, "max", jdec(x, m));
        }
        break;
    }
    }
    return o;
}

/* ---- a node ---- */

static const char *kind_name(node_kind k) {
    return k == NODE_AREA ? "area" : k == NODE_BONUS ? "bonus" : "criterion";
}

static json_t *jnode(explainer *x, const node *n, bool first) {
    const ruleset *rs = x->rs;
    const node_result *r = &x->res[n->id];
    json_t *o = json_object();
    reset_reads(x);
    jset(x, o, "code", jstr(x, n->code));
    jset(x, o, "title", jstr(x, n->title ? n->title : ""));
    jset(x, o, "kind", json_string(kind_name(n->kind)));
    jset(x, o, "status", json_string(eval_status_name((node_status)r->status)));
    jset(x, o, "score", has_score(r) ? jdec(x, r->score) : json_null());
    jset(x, o, "max", jdec(x, r->max));
    jset(x, o, "declared_max", jdec(x, n->max));
    if (n->kind == NODE_BONUS) {
        json_t *range = json_object();
        jset(x, range, "lo", jdec(x, n->range_lo));
        jset(x, range, "hi", jdec(x, n->range_hi));
        jset(x, o, "range", range);
    }
    if (r->status == ST_MISSING || r->status == ST_ERROR) {
        strbuf b = {0};
        put_problem(x, &b, r->status == ST_MISSING ? 1 : 2, r->error, r->fact, r->at);
        jset(x, o, "problem", jstr(x, sb_str(&b)));
        sb_free(&b);
        if (r->status == ST_MISSING) jset(x, o, "missing_fact", jstr(x, fact_name(x, r->fact)));
    }

    /* Not-applicable clauses: an ancestor's that decided, every ancestor's tried for the first
     * node of a selection (the others show theirs at their own place), then the node's own. */
    json_t *na = json_array();
    const node *decider = deciding_ancestor(x, n);
    const node *chain[256];
    int k = 0;
    for (const node *a = n->parent; a && k < 256; a = a->parent) chain[k++] = a;
    bool decided = false;
    for (int i = k - 1; i >= 0 && !decided; i--) {
        const node *a = chain[i];
        if (!a->n_na || (!first && a != decider)) continue;
        if (jclauses(x, na, a, true, true) >= 0) decided = true;
        if (decided) {
            json_t *d = json_object();
            jset(x, d, "node", jstr(x, a->code));
            jset(x, d, "ancestor", json_true());
            jset(x, o, "decided_by", d);
        }
    }
    if (!decided && !decider) {
        int c = jclauses(x, na, n, false, true);
        if (c >= 0) {
            decided = true;
            json_t *d = json_object();
            jset(x, d, "node", jstr(x, n->code));
            jset(x, d, "ancestor", json_false());
            jset(x, o, "decided_by", d);
        }
    }
    if (!decided && decider) decided = true; /* defensive: the ancestor was not shown */
    jset(x, o, "not_applicable", na);

    json_t *rule = NULL;
    if (!decided) rule = jrule(x, n);

    /* facts, values and matches read so far (the rule walked them in) */
    json_t *facts = json_array();
    for (int i = 0; i < x->n_fact_order; i++) {
        int f = x->fact_order[i];
        const fact_decl *fd = &rs->facts[f];
        const fact_value *fv = &x->facts[f];
        json_t *fo = json_object();
        static const char *const type_names[] = {"number", "percent", "count", "bool", "date", "choice"};
        jset(x, fo, "name", jstr(x, fd->name));
        jset(x, fo, "type", json_string((unsigned)fd->ftype < 6 ? type_names[fd->ftype] : "number"));
        jset(x, fo, "state", json_string(fv->state == FV_OK ? "ok" : fv->state == FV_BAD ? "bad" : "missing"));
        if (fv->state == FV_OK) {
            strbuf b = {0};
            jset(x, fo, "value", jdec(x, fv->num));
            put_value(&b, fv->num, fd->type, fd->unit == NU_PERCENT, fd, true, true);
            jset(x, fo, "shown", jstr(x, sb_str(&b)));
            sb_free(&b);
        } else {
            jset(x, fo, "value", json_null());
        }
        if (x->facts_file) jset(x, fo, "file", jstr(x, x->facts_file));
        if (fv->line > 0) {
            jset(x, fo, "line", json_integer(fv->line));
            jset(x, fo, "column", json_integer(fv->col));
        }
        jpush(x, facts, fo);
    }
    jset(x, o, "facts", facts);

    json_t *values = json_array();
    for (int i = 0; i < x->n_values; i++) {
        const value_item *vi = &x->values[i];
        json_t *vo = json_object(), *ev;
        if (vi->kind == VI_CALL) {
            jset(x, vo, "kind", json_string("call"));
            jset(x, vo, "name", jstr(x, vi->call->u.call.name));
            ev = jeval(x, vi->call, vi->n, pct(x, vi->call, 0), false, NULL);
            if (!vo || !ev || json_object_update(vo, ev) != 0) x->oom = true;
            json_decref(ev);
            int di = vi->call->u.call.def;
            if (di >= 0 && di < rs->n_defs) {
                const def_decl *dd = &rs->defs[di];
                strbuf b = {0};
                sb_puts(&b, dd->name);
                sb_puts(&b, "(");
                for (int k = 0; k < dd->n_params; k++) {
                    if (k) sb_puts(&b, ", ");
                    sb_puts(&b, dd->params[k].name);
                }
                sb_puts(&b, ") = ");
                print_expr(x, &b, dd->value, NULL, false, 0, 0);
                jset(x, vo, "definition", jstr(x, sb_str(&b)));
                sb_free(&b);
            }
        } else {
            const expr *val = binding_value(x, vi->slot);
            /* A let's or def's value: shown as a percentage when it is one (pct of a reference). */
            expr ref;
            memset(&ref, 0, sizeof ref);
            ref.kind = vi->kind == VI_DEF ? EX_DEF : EX_LET;
            ref.type = val ? val->type : TY_UNKNOWN;
            ref.u.ref.slot = vi->slot;
            jset(x, vo, "kind", json_string(vi->kind == VI_DEF ? "def" : "let"));
            jset(x, vo, "name", jstr(x, binding_name(x, vi->slot)));
            if (vi->kind == VI_LET && vi->n) jset(x, vo, "node", jstr(x, vi->n->code));
            ev = jeval(x, val, vi->n, pct(x, &ref, 0), false, NULL);
            if (!vo || !ev || json_object_update(vo, ev) != 0) x->oom = true;
            json_decref(ev);
        }
        jpush(x, values, vo);
    }
    jset(x, o, "values", values);

    json_t *matches = json_array();
    for (int i = 0; i < x->n_matches; i++) {
        json_t *mo = json_object();
        strbuf b = {0};
        print_expr(x, &b, x->matches[i].e, x->matches[i].n, false, 0, 0);
        jset(x, mo, "expression", jstr(x, sb_str(&b)));
        if (x->matches[i].in_call) {
            sb_reset(&b);
            print_expr(x, &b, x->matches[i].in_call, x->matches[i].in_call_node, false, 0, 0);
            jset(x, mo, "in", jstr(x, sb_str(&b)));
        }
        sb_free(&b);
        jarms(x, mo, x->matches[i].e->u.match.subject, x->matches[i].e->u.match.arms, x->matches[i].e->u.match.n,
              x->matches[i].n);
        jpush(x, matches, mo);
    }
    jset(x, o, "matches", matches);
    if (rule) jset(x, o, "rule", rule);
    if (n->rule.kind != RULE_NONE && n->n_children) jset(x, o, "children_not_added", json_true());

    /* clamping and rounding: raw -> clamped [-> + bonus] -> rounded */
    if (has_score(r) && !decided) {
        dec_t v = r->raw, lo = dec_from_int(0), hi = r->max;
        if (n->kind == NODE_BONUS) lo = n->range_lo, hi = n->range_hi;
        if (r->status == ST_CLAMPED) {
            bool above = dec_cmp(v, hi) > 0;
            json_t *c = json_object();
            jset(x, c, "from", jdec(x, v));
            jset(x, c, "from_shown", jshown(x, v));
            v = above ? hi : lo;
            jset(x, c, "to", jdec(x, v));
            jset(x, c, "bound", json_string(n->kind == NODE_BONUS ? "range" : above ? "maximum" : "zero"));
            jset(x, o, "clamp", c);
        }
        if (n->rule.kind == RULE_NONE) {
            /* a parent: its bonus children are added after its own clamping */
            dec_t add = dec_from_int(0);
            bool any = false, ok = true;
            for (int i = 0; i < n->n_children; i++) {
                const node *ch = n->children[i];
                if (ch->kind != NODE_BONUS || !has_score(&x->res[ch->id])) continue;
                any = true;
                ok &= dec_add(add, x->res[ch->id].score, &add) == DEC_OK;
            }
            if (any && ok) {
                json_t *b = json_object();
                jset(x, b, "from", jdec(x, v));
                jset(x, b, "add", jdec(x, add));
                if (dec_add(v, add, &v) != DEC_OK) v = r->score;
                jset(x, b, "to", jdec(x, v));
                jset(x, o, "bonus", b);
            }
        }
        if (r->rounded || dec_cmp(v, r->score) != 0) {
            json_t *ro = json_object();
            jset(x, ro, "from", jdec(x, v));
            jset(x, ro, "from_shown", jshown(x, v));
            jset(x, ro, "to", jdec(x, r->score));
            jset(x, ro, "places", json_integer(rs->round_places));
            jset(x, ro, "mode", json_string(rs->round_mode == DEC_HALF_EVEN ? "half_even" : "half_up"));
            jset(x, o, "round", ro);
        }
    }
    return o;
}

/* ---- the unit's total ---- */

static json_t *jtotal(explainer *x, const unit_total *t) {
    const ruleset *rs = x->rs;
    json_t *o = json_object();
    json_t *terms = json_array(), *cuts = json_array();
    dec_t sum = dec_from_int(0), declared = dec_from_int(0);
    bool ok = true;
    for (int i = 0; i < rs->n_top; i++) {
        const node *n = rs->top[i];
        const node_result *r = &x->res[n->id];
        json_t *to = json_object();
        jset(x, to, "code", jstr(x, n->code));
        jset(x, to, "status", json_string(eval_status_name((node_status)r->status)));
        jset(x, to, "score", has_score(r) ? jdec(x, r->score) : json_null());
        jset(x, to, "max", jdec(x, r->max));
        jset(x, to, "bonus", json_boolean(n->kind == NODE_BONUS));
        jpush(x, terms, to);
        if (n->kind != NODE_BONUS) ok &= dec_add(declared, n->max, &declared) == DEC_OK;
        if (has_score(r)) ok &= dec_add(sum, r->score, &sum) == DEC_OK;
        if (n->kind != NODE_BONUS && dec_cmp(r->max, n->max) != 0) {
            json_t *c = json_object();
            dec_t gone;
            ok &= dec_sub(n->max, r->max, &gone) == DEC_OK;
            jset(x, c, "code", jstr(x, n->code));
            jset(x, c, "by", jdec(x, gone));
            jset(x, c, "excluded", json_boolean(r->status == ST_EXCLUDED));
            jpush(x, cuts, c);
        }
    }
    jset(x, o, "terms", terms);
    jset(x, o, "status", json_string(eval_status_name((node_status)t->status)));
    jset(x, o, "declared_max", jdec(x, declared));
    jset(x, o, "reductions", cuts);
    jset(x, o, "max", jdec(x, t->max));
    if (t->status != ST_SCORED) {
        jset(x, o, "score", json_null());
        if (t->bad_node >= 0 && t->bad_node < rs->n_nodes) {
            jset(x, o, "bad_node", jstr(x, rs->nodes[t->bad_node]->code));
            const node_result *r = &x->res[t->bad_node];
            strbuf b = {0};
            put_problem(x, &b, r->status == ST_MISSING ? 1 : 2, r->error, r->fact, r->at);
            jset(x, o, "problem", jstr(x, sb_str(&b)));
            sb_free(&b);
        }
        return o;
    }
    jset(x, o, "sum", ok ? jdec(x, sum) : json_null());
    jset(x, o, "score", jdec(x, t->score));
    if (ok && dec_cmp(sum, t->score) != 0) {
        json_t *ro = json_object();
        jset(x, ro, "from", jdec(x, sum));
        jset(x, ro, "from_shown", jshown(x, sum));
        jset(x, ro, "to", jdec(x, t->score));
        jset(x, ro, "places", json_integer(rs->round_places));
        jset(x, ro, "mode", json_string(rs->round_mode == DEC_HALF_EVEN ? "half_even" : "half_up"));
        jset(x, o, "round", ro);
    }
    if (!t->index_ok) {
        jset(x, o, "index", json_null());
        return o;
    }
    dec_t idx;
    json_t *io = json_object();
    if (dec_div(t->score, t->max, &idx) == DEC_OK && dec_mul(idx, dec_from_int(100), &idx) == DEC_OK) {
        strbuf b = {0};
        jset(x, io, "exact", jdec(x, idx));
        /* in percent: "64.166666…% (= 385/6)" */
        put_number(&b, idx, false, false);
        sb_puts(&b, "%");
        if (!dec_is_terminating(idx)) {
            sb_puts(&b, " (= ");
            put_exact(&b, idx);
            sb_puts(&b, ")");
        }
        jset(x, io, "exact_shown", jstr(x, sb_str(&b)));
        sb_free(&b);
        if (dec_cmp(idx, t->index) != 0) {
            jset(x, io, "places", json_integer(rs->index_places));
            jset(x, io, "mode", json_string(rs->index_mode == DEC_HALF_EVEN ? "half_even" : "half_up"));
        }
    }
    jset(x, io, "value", jdec(x, t->index));
    jset(x, o, "index", io);
    if (rs->n_classes) {
        if (t->class_index >= 0 && t->class_index < rs->n_classes) {
            const arm *a = &rs->classes[t->class_index];
            json_t *co = json_object();
            jset(x, co, "label", jstr(x, a->text));
            strbuf b = {0};
            for (int j = 0; j < a->n_pats; j++) {
                if (j) sb_puts(&b, ", ");
                put_pattern(&b, &a->pats[j], NULL);
            }
            jset(x, co, "pattern", jstr(x, sb_str(&b)));
            sb_free(&b);
            jset(x, o, "class", co);
        } else {
            jset(x, o, "class", json_null());
        }
    }
    return o;
}

json_t *explain_unit(explainer *x, const char *unit, const char *facts_file, const fact_value *facts,
                     const node_result *res, const unit_total *tot, const bool *selected) {
    const ruleset *rs = x->rs;
    x->facts = facts;
    x->res = res;
    x->facts_file = facts_file;
    x->oom = false;
    json_t *o = json_object();
    jset(x, o, "unit", jstr(x, unit ? unit : ""));
    if (facts_file) jset(x, o, "facts_file", jstr(x, facts_file));
    json_t *nodes = json_array();
    for (int i = 0; i < rs->n_nodes; i++) {
        const node *n = rs->nodes[i];
        if (selected && !selected[i]) continue;
        bool first = !selected || !n->parent || !selected[n->parent->id];
        jpush(x, nodes, jnode(x, n, first && selected));
    }
    jset(x, o, "nodes", nodes);
    if (!selected && tot) jset(x, o, "total", jtotal(x, tot));
    if (x->oom) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* ---- text ---- */

typedef struct {
    FILE *out;
    bool err;
} tw;

static void out(tw *w, const char *s) {
    if (s && fputs(s, w->out) == EOF) w->err = true;
}

static void outf(tw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void outf(tw *w, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    if (vfprintf(w->out, fmt, ap) < 0) w->err = true;
    va_end(ap);
}

static void pad(tw *w, int n) {
    for (int i = 0; i < n; i++) out(w, " ");
}

/* After a cell of width k in a column of width wmax: at least two spaces. */
static void gap(tw *w, int wmax, int k) { pad(w, (wmax > k ? wmax - k : 0) + 2); }

static const char *js(const json_t *o, const char *key) {
    const json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int width(const char *s) { return s ? report_display_width(s, strlen(s)) : 0; }

/* "expression = substituted = shown", leaving out what would repeat. */
static void out_chain(tw *w, const json_t *ev, bool with_expression) {
    const char *e = js(ev, "expression"), *s = js(ev, "substituted"), *v = js(ev, "shown");
    const char *state = js(ev, "state");
    bool ok = state && strcmp(state, "ok") == 0 && v;
    const char *last = NULL;
    if (with_expression && e) {
        out(w, e);
        last = e;
    }
    if (s && !(last && strcmp(s, last) == 0) && !(ok && strcmp(s, v) == 0)) {
        if (last) out(w, " = ");
        out(w, s);
        last = s;
    }
    if (ok) {
        if (!last || strcmp(v, last) != 0) {
            if (last) out(w, " = ");
            out(w, v);
        }
    } else {
        if (last) out(w, " = ");
        out(w, "? (");
        out(w, js(ev, "problem"));
        out(w, ")");
    }
}

/* " + 2", " - 3" */
static void out_term(tw *w, const char *s) {
    if (!s) return;
    if (s[0] == '-') {
        out(w, " - ");
        out(w, s + 1);
    } else {
        out(w, " + ");
        out(w, s);
    }
}

static void sb_term(strbuf *b, const char *s, bool first) {
    if (!s) return;
    if (first) sb_puts(b, s);
    else if (s[0] == '-') {
        sb_puts(b, " - ");
        sb_puts(b, s + 1);
    } else {
        sb_puts(b, " + ");
        sb_puts(b, s);
    }
}

/* " (3 excluded)" or " (excluded inside 7)": why a maximum is less than declared. */
static void out_cut(tw *w, const json_t *c) {
    if (json_is_true(json_object_get(c, "excluded"))) {
        out(w, " (");
        out(w, js(c, "code"));
        out(w, " excluded)");
    } else {
        out(w, " (excluded inside ");
        out(w, js(c, "code"));
        out(w, ")");
    }
}

/* A result after "matches: " or "holds: +": "1 * 50% = 0.5", "0". */
static void out_result(tw *w, const json_t *ev) { out_chain(w, ev, false); }

static void out_arms(tw *w, const json_t *o, const char *indent) {
    const json_t *arms = json_object_get(o, "arms");
    size_t i;
    const json_t *a;
    int wmax = 0;
    json_array_foreach(arms, i, a) {
        int k = width(js(a, "text"));
        if (k > wmax) wmax = k;
    }
    if (wmax > 40) wmax = 40;
    json_array_foreach(arms, i, a) {
        const char *text = js(a, "text"), *outcome = js(a, "outcome");
        outf(w, "%s%zu. ", indent, i + 1);
        out(w, text);
        gap(w, wmax, width(text));
        if (outcome && strcmp(outcome, "matches") == 0) {
            out(w, "matches: ");
            out_result(w, json_object_get(a, "result"));
        } else if (outcome && strcmp(outcome, "no") == 0) {
            out(w, "no: ");
            out(w, js(a, "why"));
        } else {
            out(w, outcome ? outcome : "?");
        }
        out(w, "\n");
    }
}

static void out_subject(tw *w, const json_t *subject) {
    const char *state = js(subject, "state");
    out(w, js(subject, "expression"));
    if (state && strcmp(state, "ok") == 0) {
        const char *s = js(subject, "substituted");
        if (s && strcmp(s, js(subject, "shown")) != 0) {
            out(w, " = ");
            out(w, s);
        }
        out(w, " = ");
        out(w, js(subject, "shown"));
    } else {
        out(w, " = ? (");
        out(w, js(subject, "problem"));
        out(w, ")");
    }
}

static void out_status(tw *w, const json_t *n) {
    const char *st = js(n, "status"), *score = js(n, "score"), *max = js(n, "max");
    const json_t *range = json_object_get(n, "range");
    const json_t *d = json_object_get(n, "decided_by");
    out(w, "  ");
    if (!st) st = "?";
    if (strcmp(st, "excluded") == 0) {
        out(w, "excluded (not applicable): no score, maximum ");
        out(w, js(n, "declared_max"));
        out(w, " taken out");
    } else if (strcmp(st, "missing") == 0 || strcmp(st, "error") == 0) {
        outf(w, "not scored: %s: ", st);
        out(w, js(n, "problem"));
    } else {
        out(w, "score ");
        out(w, score);
        if (range) {
            out(w, " in ");
            out(w, js(range, "lo"));
            out(w, "..");
            out(w, js(range, "hi"));
        } else {
            out(w, " of ");
            out(w, max);
        }
        if (strcmp(st, "full") == 0) out(w, " (full: not applicable, full marks)");
        else if (strcmp(st, "fixed") == 0) out(w, " (fixed: not applicable, a fixed score)");
        else outf(w, " (%s)", st);
    }
    if (d && json_is_true(json_object_get(d, "ancestor"))) {
        out(w, "; decided by ");
        out(w, js(d, "node"));
    }
    out(w, "\n");
}

static void out_clauses(tw *w, const json_t *n) {
    const json_t *na = json_object_get(n, "not_applicable");
    if (!json_array_size(na)) return;
    out(w, "  not applicable:\n");
    size_t i;
    const json_t *c;
    json_array_foreach(na, i, c) {
        out(w, "    ");
        if (json_is_true(json_object_get(c, "ancestor"))) {
            out(w, js(c, "node"));
            out(w, " (ancestor): ");
        }
        out(w, js(c, "clause"));
        out(w, "\n      ");
        const json_t *cond = json_object_get(c, "condition");
        const json_t *applies = json_object_get(c, "applies");
        out(w, js(cond, "expression"));
        if (json_is_null(applies) || !applies) {
            out(w, ": cannot tell: ");
            out(w, js(cond, "problem"));
            out(w, "\n");
            continue;
        }
        out(w, " is ");
        const char *s = js(cond, "substituted"), *shown = js(cond, "shown");
        out(w, shown);
        if (s && shown && strcmp(s, shown) != 0) {
            out(w, " (");
            out(w, s);
            out(w, ")");
        }
        if (!json_is_true(applies)) {
            out(w, ": does not apply\n");
            continue;
        }
        const char *kind = js(c, "kind");
        out(w, ": applies: ");
        if (kind && strcmp(kind, "excluded") == 0) {
            out(w, "excluded");
        } else if (kind && strcmp(kind, "full") == 0) {
            out(w, "full marks ");
            out(w, js(c, "value"));
        } else {
            out(w, "fixed score ");
            out_result(w, json_object_get(c, "value"));
        }
        out(w, "\n");
    }
}

static void out_facts(tw *w, const json_t *n) {
    const json_t *facts = json_object_get(n, "facts");
    if (!json_array_size(facts)) return;
    out(w, "  facts:\n");
    size_t i;
    const json_t *f;
    int wmax = 0;
    strbuf b = {0};
    json_array_foreach(facts, i, f) {
        sb_reset(&b);
        sb_puts(&b, js(f, "name"));
        const char *st = js(f, "state");
        if (st && strcmp(st, "ok") == 0) {
            sb_puts(&b, " = ");
            sb_puts(&b, js(f, "shown"));
        } else {
            sb_puts(&b, st && strcmp(st, "bad") == 0 ? ": bad value" : ": missing");
        }
        int k = width(sb_str(&b));
        if (k > wmax) wmax = k;
    }
    if (wmax > 48) wmax = 48;
    json_array_foreach(facts, i, f) {
        sb_reset(&b);
        sb_puts(&b, js(f, "name"));
        const char *st = js(f, "state");
        if (st && strcmp(st, "ok") == 0) {
            sb_puts(&b, " = ");
            sb_puts(&b, js(f, "shown"));
        } else {
            sb_puts(&b, st && strcmp(st, "bad") == 0 ? ": bad value" : ": missing");
        }
        out(w, "    ");
        out(w, sb_str(&b));
        const char *file = js(f, "file");
        const json_t *line = json_object_get(f, "line");
        if (file || line) {
            gap(w, wmax, width(sb_str(&b)));
            if (line) {
                if (st && strcmp(st, "missing") == 0) out(w, "empty at ");
                if (file) outf(w, "%s:%lld, column %lld", file, (long long)json_integer_value(line),
                               (long long)json_integer_value(json_object_get(f, "column")));
                else outf(w, "line %lld, column %lld", (long long)json_integer_value(line),
                          (long long)json_integer_value(json_object_get(f, "column")));
            } else {
                outf(w, "no value in %s", file);
            }
        }
        out(w, "\n");
    }
    sb_free(&b);
}

static void out_values(tw *w, const json_t *n) {
    const json_t *values = json_object_get(n, "values");
    if (!json_array_size(values)) return;
    out(w, "  values:\n");
    size_t i;
    const json_t *v;
    json_array_foreach(values, i, v) {
        const char *kind = js(v, "kind");
        out(w, "    ");
        if (kind && strcmp(kind, "call") != 0) {
            outf(w, "%s ", kind);
            out(w, js(v, "name"));
            out(w, " = ");
        }
        out_chain(w, v, true);
        out(w, "\n");
        const char *def = js(v, "definition");
        if (def) {
            out(w, "      where ");
            out(w, def);
            out(w, "\n");
        }
    }
}

static void out_rule(tw *w, const json_t *n) {
    const json_t *r = json_object_get(n, "rule");
    if (!r) return;
    const char *kind = js(r, "kind");
    if (!kind) return;
    if (strcmp(kind, "formula") == 0) {
        out(w, "  formula: ");
        out_chain(w, json_object_get(r, "formula"), true);
        out(w, "\n");
    } else if (strcmp(kind, "given") == 0) {
        out(w, "  given score: ");
        out_chain(w, json_object_get(r, "formula"), true);
        out(w, "\n");
    } else if (strcmp(kind, "bands") == 0 || strcmp(kind, "choices") == 0) {
        outf(w, "  %s on ", kind);
        out_subject(w, json_object_get(r, "subject"));
        out(w, ":\n");
        out_arms(w, r, "    ");
        if (json_is_null(json_object_get(r, "matched")) && strcmp(js(json_object_get(r, "subject"), "state"), "ok") == 0)
            out(w, "    no band matches: an error, never a silent 0\n");
    } else if (strcmp(kind, "parts") == 0) {
        out(w, "  parts:\n");
        const json_t *parts = json_object_get(r, "parts");
        size_t i;
        const json_t *p;
        int wmax = 0;
        json_array_foreach(parts, i, p) {
            int k = width(js(p, "text"));
            if (k > wmax) wmax = k;
        }
        if (wmax > 40) wmax = 40;
        strbuf terms = {0};
        int held = 0;
        json_array_foreach(parts, i, p) {
            const char *text = js(p, "text"), *outcome = js(p, "outcome");
            outf(w, "    %zu. ", i + 1);
            out(w, text);
            gap(w, wmax, width(text));
            if (outcome && strcmp(outcome, "holds") == 0) {
                out(w, "holds: +");
                out_result(w, json_object_get(p, "points"));
                sb_term(&terms, js(json_object_get(p, "points"), "shown"), held++ == 0);
            } else if (outcome && strcmp(outcome, "unknown") == 0) {
                out(w, "cannot tell: ");
                out(w, js(json_object_get(p, "condition"), "problem"));
            } else {
                out(w, outcome ? outcome : "?");
            }
            out(w, "\n");
        }
        const char *sum = js(r, "sum");
        if (sum) {
            out(w, "    sum: ");
            if (held > 1) {
                out(w, sb_str(&terms));
                out(w, " = ");
            } else if (held == 0) {
                out(w, "no part holds: ");
            }
            out(w, sum);
            out(w, "\n");
        }
        sb_free(&terms);
    } else if (strcmp(kind, "children") == 0) {
        out(w, "  children:\n");
        const json_t *ch = json_object_get(r, "children");
        size_t i;
        const json_t *c;
        int wcode = 0, wscore = 0;
        json_array_foreach(ch, i, c) {
            int k = width(js(c, "code"));
            if (k > wcode) wcode = k;
            const char *s = js(c, "score");
            k = s ? width(s) : 1;
            if (k > wscore) wscore = k;
        }
        strbuf terms = {0};
        int added = 0;
        json_array_foreach(ch, i, c) {
            const char *code = js(c, "code"), *st = js(c, "status"), *score = js(c, "score");
            bool is_bonus = json_is_true(json_object_get(c, "bonus"));
            out(w, "    ");
            out(w, code);
            gap(w, wcode, width(code));
            if (strcmp(st, "excluded") == 0) {
                pad(w, wscore - 1);
                out(w, "—");
                out(w, "  excluded: maximum ");
                out(w, js(c, "declared_max"));
                out(w, " removed\n");
                continue;
            }
            pad(w, wscore - (score ? width(score) : 1));
            out(w, score ? score : "?");
            if (is_bonus) out(w, "  bonus");
            else {
                out(w, " of ");
                out(w, js(c, "max"));
            }
            outf(w, "  %s", st);
            if (!is_bonus && strcmp(js(c, "max"), js(c, "declared_max")) != 0) {
                out(w, " (maximum ");
                out(w, js(c, "declared_max"));
                out(w, " less what is excluded inside)");
            }
            out(w, "\n");
            if (!score) continue;
            if (!is_bonus) sb_term(&terms, score, added++ == 0);
        }
        const char *sum = js(r, "sum");
        if (sum) {
            out(w, "    sum: ");
            if (added > 1) {
                out(w, sb_str(&terms));
                out(w, " = ");
            }
            out(w, sum);
            out(w, "\n");
        } else {
            out(w, "    sum: cannot be added up: a child is not scored\n");
        }
        const json_t *cuts = json_object_get(r, "reductions");
        const char *max = js(r, "max");
        if (max && json_array_size(cuts)) {
            out(w, "    maximum: ");
            out(w, js(r, "declared_max"));
            json_array_foreach(cuts, i, c) {
                out(w, " - ");
                out(w, js(c, "by"));
                out_cut(w, c);
            }
            out(w, " = ");
            out(w, max);
            out(w, "\n");
        }
        sb_free(&terms);
    }
    if (json_is_true(json_object_get(n, "children_not_added"))) out(w, "  (the rule decides; the children are not added up)\n");
}

static void out_clamp_round(tw *w, const json_t *n) {
    const json_t *c = json_object_get(n, "clamp");
    if (c) {
        const char *bound = js(c, "bound");
        out(w, "  clamped: ");
        out(w, js(c, "from_shown"));
        out(w, " → ");
        out(w, js(c, "to"));
        if (bound && strcmp(bound, "maximum") == 0) {
            out(w, " (above the maximum ");
            out(w, js(c, "to"));
            out(w, ")\n");
        } else if (bound && strcmp(bound, "zero") == 0) {
            out(w, " (below 0)\n");
        } else {
            const json_t *range = json_object_get(n, "range");
            out(w, " (outside the range ");
            out(w, js(range, "lo"));
            out(w, "..");
            out(w, js(range, "hi"));
            out(w, ")\n");
        }
    }
    const json_t *b = json_object_get(n, "bonus");
    if (b) {
        out(w, "  bonus: ");
        out(w, js(b, "from"));
        out_term(w, js(b, "add"));
        out(w, " = ");
        out(w, js(b, "to"));
        out(w, " (the bonus children, added after clamping)\n");
    }
    const json_t *r = json_object_get(n, "round");
    if (r) {
        const char *mode = js(r, "mode");
        out(w, "  rounded: ");
        out(w, js(r, "from_shown"));
        out(w, " → ");
        out(w, js(r, "to"));
        outf(w, " (round %lld, %s)\n", (long long)json_integer_value(json_object_get(r, "places")),
             mode && strcmp(mode, "half_even") == 0 ? "half even" : "half up");
    }
}

static void out_matches(tw *w, const json_t *n) {
    const json_t *m = json_object_get(n, "matches");
    size_t i;
    const json_t *o;
    json_array_foreach(m, i, o) {
        const char *in = js(o, "in");
        if (in) {
            out(w, "  bands in ");
            out(w, in);
            out(w, ", on ");
        } else {
            out(w, "  match on ");
        }
        out_subject(w, json_object_get(o, "subject"));
        out(w, ":\n");
        out_arms(w, o, "    ");
    }
}

static void out_total(tw *w, const json_t *t) {
    out(w, "Total\n");
    const char *st = js(t, "status");
    if (st && strcmp(st, "scored") != 0) {
        outf(w, "  not scored: %s: node ", st);
        out(w, js(t, "bad_node"));
        out(w, ": ");
        out(w, js(t, "problem"));
        out(w, "\n");
        return;
    }
    const json_t *terms = json_object_get(t, "terms");
    size_t i;
    const json_t *c;
    strbuf b = {0};
    int added = 0;
    json_array_foreach(terms, i, c) {
        const char *s = js(c, "score");
        if (!s) continue;
        sb_term(&b, s, added++ == 0);
        sb_puts(&b, " (");
        sb_puts(&b, js(c, "code"));
        sb_puts(&b, ")");
    }
    out(w, "  sum: ");
    out(w, sb_str(&b));
    out(w, " = ");
    out(w, js(t, "sum"));
    out(w, "\n");
    sb_free(&b);
    const json_t *r = json_object_get(t, "round");
    if (r) {
        out(w, "  rounded: ");
        out(w, js(r, "from_shown"));
        out(w, " → ");
        out(w, js(r, "to"));
        outf(w, " (round %lld total)\n", (long long)json_integer_value(json_object_get(r, "places")));
    }
    out(w, "  maximum: ");
    out(w, js(t, "declared_max"));
    const json_t *cuts = json_object_get(t, "reductions");
    json_array_foreach(cuts, i, c) {
        out(w, " - ");
        out(w, js(c, "by"));
        out_cut(w, c);
    }
    if (json_array_size(cuts)) {
        out(w, " = ");
        out(w, js(t, "max"));
    }
    out(w, "\n");
    const json_t *idx = json_object_get(t, "index");
    if (!idx || json_is_null(idx)) {
        out(w, "  index: none (the maximum is 0)\n");
        return;
    }
    out(w, "  index: ");
    out(w, js(t, "score"));
    out(w, " / ");
    out(w, js(t, "max"));
    out(w, " × 100 = ");
    out(w, js(idx, "exact_shown"));
    const json_t *places = json_object_get(idx, "places");
    if (places) {
        const char *mode = js(idx, "mode");
        out(w, " → ");
        out(w, js(idx, "value"));
        outf(w, "%% (round index %lld, %s)", (long long)json_integer_value(places),
             mode && strcmp(mode, "half_even") == 0 ? "half even" : "half up");
    }
    out(w, "\n");
    const json_t *cls = json_object_get(t, "class");
    if (cls && !json_is_null(cls)) {
        out(w, "  class: ");
        out(w, js(cls, "label"));
        out(w, " (");
        out(w, js(cls, "pattern"));
        out(w, ")\n");
    } else if (cls) {
        out(w, "  class: none matches\n");
    }
}

int explain_write_text(FILE *f, const json_t *unit) {
    tw w = {f, false};
    out(&w, js(unit, "unit"));
    out(&w, "\n");
    const json_t *nodes = json_object_get(unit, "nodes");
    size_t i;
    const json_t *n;
    json_array_foreach(nodes, i, n) {
        out(&w, "\n");
        out(&w, js(n, "code"));
        out(&w, "  ");
        out(&w, js(n, "title"));
        out(&w, "\n");
        out_status(&w, n);
        out_clauses(&w, n);
        out_facts(&w, n);
        out_values(&w, n);
        out_matches(&w, n);
        out_rule(&w, n);
        out_clamp_round(&w, n);
    }
    const json_t *t = json_object_get(unit, "total");
    if (t) {
        out(&w, "\n");
        out_total(&w, t);
    }
    return w.err ? -1 : 0;
}
