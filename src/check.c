#include "check.h"

#include <stdlib.h>
#include <string.h>

#include "bands.h"
#include "textutil.h"

typedef struct {
    ruleset *rs;
    diag_sink *d;
    int errors;
    const char **names; /* scratch for "did you mean" */
    int n_names, cap_names;
    uint8_t *def_state; /* 0 unchecked, 1 being checked, 2 done */
} checker;

#define ERR(C, LOC, ...) (diag_emit((C)->d, DIAG_ERROR, (LOC), NULL, 0, __VA_ARGS__), (C)->errors++)
#define WARN(C, LOC, ...) diag_emit((C)->d, DIAG_WARNING, (LOC), NULL, 0, __VA_ARGS__)

static const char *type_name(int t) {
    switch (t) {
    case TY_NUM: return "a number";
    case TY_BOOL: return "a yes/no value";
    case TY_DATE: return "a date";
    case TY_CHOICE: return "a choice";
    default: return "an unknown value";
    }
}

/* Names are compared in NFC: a name typed on another keyboard is the same name. */
static const char *nfc(checker *c, const char *s) {
    if (!s) return s;
    size_t n = strlen(s);
    if (text_is_ascii(s, n)) return s;
    char *t = text_nfc(s, n);
    if (!t) return s;
    const char *r = strcmp(t, s) == 0 ? s : arena_strdup(c->rs->arena, t);
    free(t);
    return r;
}

static void add_name(checker *c, const char *n) {
    if (c->n_names == c->cap_names) {
        int cap = c->cap_names ? c->cap_names * 2 : 64;
        const char **p = realloc(c->names, (size_t)cap * sizeof *p);
        if (!p) return;
        c->names = p;
        c->cap_names = cap;
    }
    c->names[c->n_names++] = n;
}

/* Name -> index maps for facts and defs (a rule set may declare thousands: no quadratic scans).
 * Open addressing over a power-of-two table; the keys are the names in the rule set's arrays. */
typedef struct {
    int *slot; /* index + 1, 0 = empty */
    size_t mask;
} name_map;

static name_map fact_map, def_map; /* of the rule set being checked (one check at a time) */
static const ruleset *map_rs;

static uint64_t name_hash(const char *s) {
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static const char *map_key(const name_map *m, int i) {
    return m == &fact_map ? map_rs->facts[i].name : map_rs->defs[i].name;
}

/* The index of name, or -1; with insert >= 0, add it if absent (returns the earlier index if the
 * name is already there, -1 if it was added). */
static int map_find(name_map *m, const char *name, int insert) {
    if (!m->slot) return -1;
    for (size_t k = name_hash(name) & m->mask;; k = (k + 1) & m->mask) {
        int v = m->slot[k];
        if (!v) {
            if (insert >= 0) m->slot[k] = insert + 1;
            return -1;
        }
        if (strcmp(map_key(m, v - 1), name) == 0) return v - 1;
    }
}

static void map_init(name_map *m, int n) {
    size_t cap = 16;
    while (cap < (size_t)n * 2 + 2) cap *= 2;
    m->slot = calloc(cap, sizeof *m->slot);
    m->mask = cap - 1;
}

static void map_free(name_map *m) {
    free(m->slot);
    m->slot = NULL;
}

static int find_fact(const ruleset *rs, const char *name) {
    if (fact_map.slot && map_rs == rs) return map_find(&fact_map, name, -1);
    for (int i = 0; i < rs->n_facts; i++)
        if (strcmp(rs->facts[i].name, name) == 0) return i;
    return -1;
}

static int find_def(const ruleset *rs, const char *name) {
    if (def_map.slot && map_rs == rs) return map_find(&def_map, name, -1);
    for (int i = 0; i < rs->n_defs; i++)
        if (strcmp(rs->defs[i].name, name) == 0) return i;
    return -1;
}

static int find_option(const fact_decl *f, const char *name) {
    for (int i = 0; i < f->n_options; i++)
        if (strcmp(f->options[i].name, name) == 0) return i;
    return -1;
}

/* A let visible at `n` (its own earlier lets, then its ancestors'). `limit` = how many of n's own
 * lets are visible (the ones declared before the expression). */
static let_binding *find_let(node *n, int limit, const char *name) {
    for (; n; n = n->parent, limit = -1) {
        int k = limit < 0 ? n->n_lets : limit;
        for (int i = k - 1; i >= 0; i--)
            if (strcmp(n->lets[i].name, name) == 0) return &n->lets[i];
    }
    return NULL;
}

static void unknown_name(checker *c, const expr *e, node *n, int limit) {
    c->n_names = 0;
    for (int i = 0; i < c->rs->n_facts; i++) add_name(c, c->rs->facts[i].name);
    for (int i = 0; i < c->rs->n_defs; i++) add_name(c, c->rs->defs[i].name);
    for (node *m = n; m; m = m->parent, limit = -1) {
        int k = limit < 0 ? m->n_lets : limit;
        for (int i = 0; i < k; i++) add_name(c, m->lets[i].name);
    }
    const char *s = text_suggest(e->u.ref.name, c->names, c->n_names);
    if (s)
        ERR(c, &e->loc, "unknown name '%s'; did you mean '%s'?", e->u.ref.name, s);
    else
        ERR(c, &e->loc, "unknown name '%s' (declare it with 'fact %s: ...')", e->u.ref.name,
            e->u.ref.name);
}

typedef struct {
    node *n;   /* the node whose rule is being checked (NULL in a def) */
    int lets;  /* how many of n's lets are visible */
    const def_decl *fn; /* the def with parameters being checked, if any */
} scope;

enum { MAX_PARAMS = 16 };

static int check_expr(checker *c, expr *e, scope sc);
static void check_def(checker *c, int i);

/* A percentage compared with a count (or a bare 85 against a percentage, which means 8500%) is
 * almost always a slip of the author. */
static void warn_units(checker *c, const expr *a, const expr *b, const src_loc *at) {
    if (a->type != TY_NUM || b->type != TY_NUM) return;
    if ((a->unit == NU_PERCENT && b->unit == NU_COUNT) || (a->unit == NU_COUNT && b->unit == NU_PERCENT)) {
        WARN(c, at, "a percentage compared with a count");
        return;
    }
    const expr *lit = b->kind == EX_NUM ? b : a->kind == EX_NUM ? a : NULL;
    const expr *other = lit == b ? a : b;
    if (lit && other->unit == NU_PERCENT && lit->unit == NU_PLAIN && dec_cmp(lit->u.num, dec_from_int(1)) > 0) {
        char buf[DEC_FMT_MAX];
        dec_format(lit->u.num, -1, buf, sizeof buf);
        WARN(c, at, "%s compared with a percentage means %s00%%; did you mean %s%%?", buf, buf, buf);
    }
}
static void check_pattern(checker *c, pattern *p, const expr *subject);

/* `x = option` where x is a choice: resolve the bare name as one of x's options. */
static bool resolve_option(checker *c, expr *choice_side, expr *name_side) {
    if (choice_side->type != TY_CHOICE || name_side->kind != EX_NAME) return false;
    const fact_decl *f = &c->rs->facts[choice_side->choice];
    int o = find_option(f, name_side->u.ref.name);
    if (o < 0) {
        c->n_names = 0;
        for (int i = 0; i < f->n_options; i++) add_name(c, f->options[i].name);
        const char *s = text_suggest(name_side->u.ref.name, c->names, c->n_names);
        if (s)
            ERR(c, &name_side->loc, "'%s' is not an option of '%s'; did you mean '%s'?",
                name_side->u.ref.name, f->name, s);
        else
            ERR(c, &name_side->loc, "'%s' is not an option of '%s'", name_side->u.ref.name, f->name);
        name_side->type = TY_UNKNOWN;
        return true;
    }
    name_side->kind = EX_OPTION;
    name_side->u.ref.slot = o;
    name_side->type = TY_CHOICE;
    name_side->choice = choice_side->choice;
    return true;
}

static int check_name(checker *c, expr *e, scope sc) {
    e->u.ref.name = nfc(c, e->u.ref.name);
    for (int i = 0; sc.fn && i < sc.fn->n_params; i++) {
        if (strcmp(sc.fn->params[i].name, e->u.ref.name) == 0) {
            e->kind = EX_PARAM;
            e->u.ref.slot = i;
            e->type = (uint8_t)sc.fn->params[i].type;
            e->unit = (uint8_t)sc.fn->params[i].unit;
            return e->type;
        }
    }
    let_binding *b = sc.n ? find_let(sc.n, sc.lets, e->u.ref.name) : NULL;
    if (b) {
        e->kind = EX_LET;
        e->u.ref.slot = b->slot;
        e->type = b->value->type;
        e->unit = b->value->unit;
        e->choice = b->value->choice;
        return e->type;
    }
    int i = find_def(c->rs, e->u.ref.name);
    if (i >= 0 && c->rs->defs[i].n_params) {
        ERR(c, &e->loc, "'%s' is a function: call it as %s(...)", e->u.ref.name, e->u.ref.name);
        e->type = TY_UNKNOWN;
        return TY_UNKNOWN;
    }
    if (i >= 0) {
        check_def(c, i);
        def_decl *d = &c->rs->defs[i];
        e->kind = EX_DEF;
        e->u.ref.slot = d->slot;
        e->type = d->value->type;
        e->unit = d->value->unit;
        e->choice = d->value->choice;
        return e->type;
    }
    i = find_fact(c->rs, e->u.ref.name);
    if (i >= 0) {
        fact_decl *f = &c->rs->facts[i];
        f->used = true;
        e->kind = EX_FACT;
        e->u.ref.slot = i;
        e->type = (uint8_t)f->type;
        e->unit = (uint8_t)f->unit;
        e->choice = f->type == TY_CHOICE ? (int16_t)i : -1;
        return e->type;
    }
    return -1; /* caller decides: maybe an option name */
}

static int expect(checker *c, expr *e, int want, int got, const char *what) {
    if (got != TY_UNKNOWN && got != want) {
        ERR(c, &e->loc, "%s must be %s, not %s", what, type_name(want), type_name(got));
        return 0;
    }
    return 1;
}

static int check_expr(checker *c, expr *e, scope sc) {
    int ta, tb, tc;
    switch (e->kind) {
    case EX_NUM: e->type = TY_NUM; break;
    case EX_DATE: e->type = TY_DATE; break;
    case EX_BOOL: e->type = TY_BOOL; break;
    case EX_MAXREF:
        if (!sc.n) ERR(c, &e->loc, "'max' (the maximum of a criterion) is only known inside a criterion");
        e->type = TY_NUM;
        break;
    case EX_NAME:
        if (check_name(c, e, sc) < 0) {
            unknown_name(c, e, sc.n, sc.lets);
            e->type = TY_UNKNOWN;
        }
        break;
    case EX_FACT: case EX_DEF: case EX_LET: case EX_OPTION: case EX_PARAM:
        break; /* already resolved (a def is checked once) */
    case EX_CALL: {
        e->u.call.name = nfc(c, e->u.call.name);
        int i = find_def(c->rs, e->u.call.name);
        e->type = TY_UNKNOWN;
        for (int k = 0; k < e->u.call.n; k++) check_expr(c, e->u.call.args[k], sc);
        if (i < 0) {
            c->n_names = 0;
            for (int k = 0; k < c->rs->n_defs; k++)
                if (c->rs->defs[k].n_params) add_name(c, c->rs->defs[k].name);
            const char *sug = text_suggest(e->u.call.name, c->names, c->n_names);
            if (sug) ERR(c, &e->loc, "no function '%s'; did you mean '%s'?", e->u.call.name, sug);
            else ERR(c, &e->loc, "no function '%s' (define it with 'def %s(...) = ...')", e->u.call.name, e->u.call.name);
            break;
        }
        const def_decl *d = &c->rs->defs[i];
        if (d->n_params != e->u.call.n) {
            ERR(c, &e->loc, "'%s' takes %d argument%s, not %d", d->name, d->n_params,
                d->n_params == 1 ? "" : "s", e->u.call.n);
            break;
        }
        check_def(c, i);
        for (int k = 0; k < e->u.call.n; k++) {
            int at = e->u.call.args[k]->type;
            if (at != TY_UNKNOWN && at != (int)d->params[k].type)
                ERR(c, &e->u.call.args[k]->loc, "argument %d of '%s' (%s) must be %s, not %s", k + 1,
                    d->name, d->params[k].name, type_name(d->params[k].type), type_name(at));
        }
        e->u.call.def = i;
        e->type = d->value->type;
        e->unit = d->value->unit;
        break;
    }
    case EX_MATCH: {
        expr *subj = e->u.match.subject;
        check_expr(c, subj, sc);
        e->type = TY_UNKNOWN;
        bool seen_else = false;
        for (int i = 0; i < e->u.match.n; i++) {
            arm *a = &e->u.match.arms[i];
            if (seen_else) WARN(c, &a->loc, "this arm comes after 'else' and never matches");
            for (int j = 0; j < a->n_pats; j++) {
                check_pattern(c, &a->pats[j], subj);
                if (a->pats[j].kind == PAT_ELSE) seen_else = true;
            }
            int t = check_expr(c, a->result, sc);
            if (i == 0) e->type = (uint8_t)t;
            else if (t != TY_UNKNOWN && e->type != TY_UNKNOWN && t != e->type)
                ERR(c, &a->result->loc, "the arms of 'match' give %s and %s", type_name(e->type), type_name(t));
        }
        if (c->errors == 0)
            bands_check(c->rs, subj, e->u.match.arms, e->u.match.n,
                        sc.fn ? sc.fn->name : sc.n ? sc.n->code : "match", c->d);
        break;
    }
    case EX_NEG:
        expect(c, e, TY_NUM, check_expr(c, e->u.op.a, sc), "the operand of '-'");
        e->type = TY_NUM;
        e->unit = e->u.op.a->unit;
        break;
    case EX_NOT:
        expect(c, e, TY_BOOL, check_expr(c, e->u.op.a, sc), "the operand of 'not'");
        e->type = TY_BOOL;
        break;
    case EX_ADD: case EX_SUB:
        ta = check_expr(c, e->u.op.a, sc);
        tb = check_expr(c, e->u.op.b, sc);
        e->type = TY_NUM;
        if (ta == TY_UNKNOWN || tb == TY_UNKNOWN) { e->type = TY_UNKNOWN; break; }
        if (ta == TY_DATE && tb == TY_DATE && e->kind == EX_SUB) break; /* days between */
        if (ta == TY_DATE && tb == TY_NUM) { e->type = TY_DATE; break; }
        if (ta == TY_NUM && tb == TY_NUM) {
            e->unit = e->u.op.a->unit == e->u.op.b->unit ? e->u.op.a->unit : NU_PLAIN;
            break;
        }
        ERR(c, &e->loc, "cannot %s %s and %s", e->kind == EX_ADD ? "add" : "subtract",
            type_name(ta), type_name(tb));
        e->type = TY_UNKNOWN;
        break;
    case EX_MUL: case EX_DIV:
        ta = check_expr(c, e->u.op.a, sc);
        tb = check_expr(c, e->u.op.b, sc);
        expect(c, e->u.op.a, TY_NUM, ta, e->kind == EX_MUL ? "a factor" : "a dividend");
        expect(c, e->u.op.b, TY_NUM, tb, e->kind == EX_MUL ? "a factor" : "a divisor");
        e->type = TY_NUM;
        /* `X / Y * 100%` is a percentage: the author says so with the literal 100% */
        if (e->kind == EX_MUL) {
            const expr *x = e->u.op.a, *y = e->u.op.b;
            bool a100 = x->kind == EX_NUM && x->unit == NU_PERCENT && x->u.num.num == 1 && x->u.num.den == 1;
            bool b100 = y->kind == EX_NUM && y->unit == NU_PERCENT && y->u.num.num == 1 && y->u.num.den == 1;
            if ((a100 && y->unit != NU_PERCENT) || (b100 && x->unit != NU_PERCENT)) e->unit = NU_PERCENT;
        }
        break;
    case EX_EQ: case EX_NE: case EX_LT: case EX_LE: case EX_GT: case EX_GE: {
        expr *a = e->u.op.a, *b = e->u.op.b;
        ta = a->kind == EX_NAME ? check_name(c, a, sc) : check_expr(c, a, sc);
        tb = b->kind == EX_NAME ? check_name(c, b, sc) : check_expr(c, b, sc);
        e->type = TY_BOOL;
        /* A name that is not a fact, def or let may be an option of the other side's choice. */
        if (ta < 0 && !(tb == TY_CHOICE && resolve_option(c, b, a))) {
            unknown_name(c, a, sc.n, sc.lets);
            ta = TY_UNKNOWN;
        } else if (ta < 0) {
            ta = a->type;
        }
        if (tb < 0 && !(ta == TY_CHOICE && resolve_option(c, a, b))) {
            unknown_name(c, b, sc.n, sc.lets);
            tb = TY_UNKNOWN;
        } else if (tb < 0) {
            tb = b->type;
        }
        if (ta == TY_UNKNOWN || tb == TY_UNKNOWN) break;
        bool eq = e->kind == EX_EQ || e->kind == EX_NE;
        if (ta != tb || (!eq && (ta == TY_BOOL || ta == TY_CHOICE))) {
            ERR(c, &e->loc, "cannot compare %s with %s", type_name(ta), type_name(tb));
        } else if (ta == TY_CHOICE && a->choice != b->choice) {
            ERR(c, &e->loc, "'%s' and '%s' are different choices", c->rs->facts[a->choice].name,
                c->rs->facts[b->choice].name);
        } else if (ta == TY_NUM) {
            warn_units(c, a, b, &e->loc);
        }
        break;
    }
    case EX_AND: case EX_OR:
        expect(c, e->u.op.a, TY_BOOL, check_expr(c, e->u.op.a, sc),
               e->kind == EX_AND ? "an operand of 'and'" : "an operand of 'or'");
        expect(c, e->u.op.b, TY_BOOL, check_expr(c, e->u.op.b, sc),
               e->kind == EX_AND ? "an operand of 'and'" : "an operand of 'or'");
        e->type = TY_BOOL;
        break;
    case EX_IF:
        expect(c, e->u.op.a, TY_BOOL, check_expr(c, e->u.op.a, sc), "the condition of 'if'");
        tb = check_expr(c, e->u.op.b, sc);
        tc = check_expr(c, e->u.op.c, sc);
        e->type = (uint8_t)tb;
        if (tb != TY_UNKNOWN && tc != TY_UNKNOWN && tb != tc) {
            ERR(c, &e->loc, "the branches of 'if' give %s and %s", type_name(tb), type_name(tc));
            e->type = TY_UNKNOWN;
        } else if (tb == TY_CHOICE) {
            e->choice = e->u.op.b->choice;
        }
        break;
    case EX_MIN: case EX_MAX:
        for (int i = 0; i < e->u.call.n; i++)
            expect(c, e->u.call.args[i], TY_NUM, check_expr(c, e->u.call.args[i], sc),
                   "an argument of min/max");
        e->type = TY_NUM;
        break;
    }
    return e->type;
}

static void check_def(checker *c, int i) {
    def_decl *d = &c->rs->defs[i];
    if (c->def_state[i] == 2) return;
    if (c->def_state[i] == 1) {
        ERR(c, &d->loc, "'%s' is defined in terms of itself", d->name);
        d->value->type = TY_UNKNOWN;
        return;
    }
    c->def_state[i] = 1;
    if (d->n_params > MAX_PARAMS) ERR(c, &d->loc, "'%s' has more than %d parameters", d->name, MAX_PARAMS);
    for (int k = 0; k < d->n_params; k++) {
        d->params[k].name = nfc(c, d->params[k].name);
        for (int j = 0; j < k; j++)
            if (strcmp(d->params[j].name, d->params[k].name) == 0)
                ERR(c, &d->params[k].loc, "parameter '%s' appears twice", d->params[k].name);
    }
    scope sc = {NULL, 0, d->n_params ? d : NULL};
    check_expr(c, d->value, sc);
    c->def_state[i] = 2;
}

/* Constant value of an expression, with `max` as the node's maximum; false if not constant. */
static void fmt(dec_t v, char *buf) { dec_format(v, -1, buf, DEC_FMT_MAX); }

static void check_pattern(checker *c, pattern *p, const expr *subject) {
    int st = subject->type;
    if (p->kind == PAT_ELSE || st == TY_UNKNOWN) return;
    if (p->kind == PAT_OPTION) {
        p->name = nfc(c, p->name);
        if (st != TY_CHOICE) {
            ERR(c, &p->loc, "'%s' is a name, but the subject is %s", p->name, type_name(st));
            return;
        }
        const fact_decl *f = &c->rs->facts[subject->choice];
        p->option = find_option(f, p->name);
        if (p->option < 0) {
            c->n_names = 0;
            for (int i = 0; i < f->n_options; i++) add_name(c, f->options[i].name);
            const char *s = text_suggest(p->name, c->names, c->n_names);
            if (s) ERR(c, &p->loc, "'%s' is not an option of '%s'; did you mean '%s'?", p->name, f->name, s);
            else ERR(c, &p->loc, "'%s' is not an option of '%s'", p->name, f->name);
        }
        return;
    }
    if (p->kind == PAT_BOOL) {
        if (st != TY_BOOL) ERR(c, &p->loc, "true/false, but the subject is %s", type_name(st));
        return;
    }
    /* PAT_EQ and PAT_RANGE: numbers or dates, like the subject */
    expr *bounds[2] = {p->kind == PAT_EQ || p->has_lo ? p->lo_e : NULL, p->has_hi ? p->hi_e : NULL};
    for (int i = 0; i < 2; i++) {
        if (!bounds[i]) continue;
        int bt = bounds[i]->kind == EX_DATE ? TY_DATE : TY_NUM;
        if (st != TY_NUM && st != TY_DATE) {
            ERR(c, &p->loc, "a %s band, but the subject is %s", bt == TY_DATE ? "date" : "number",
                type_name(st));
            return;
        }
        if (bt != st) {
            ERR(c, &bounds[i]->loc, "%s in a band over %s", type_name(bt), type_name(st));
            return;
        }
        bounds[i]->type = (uint8_t)bt;
        if (i == 0) p->lo = bounds[i]->u.num;
        else p->hi = bounds[i]->u.num;
        warn_units(c, subject, bounds[i], &bounds[i]->loc);
    }
    if (p->kind == PAT_RANGE && p->has_lo && p->has_hi) {
        int k = dec_cmp(p->lo, p->hi);
        if (k > 0 || (k == 0 && !(p->lo_incl && p->hi_incl)))
            ERR(c, &p->loc, "this range is empty (its lower end is not below its upper end)");
    }
}

static void check_rule(checker *c, node *n) {
    rule *r = &n->rule;
    scope sc = {n, n->n_lets, NULL};
    char b1[DEC_FMT_MAX], b2[DEC_FMT_MAX];
    dec_t v, best = dec_from_int(0);
    bool all_const = true, any = false;
    const dec_t limit = n->kind == NODE_BONUS ? n->range_hi : n->max;
    switch (r->kind) {
    case RULE_NONE:
        if (n->n_children == 0)
            ERR(c, &n->loc, "criterion %s has no rule: add 'score ...' (or children)", n->code);
        return;
    case RULE_EXPR: case RULE_GIVEN:
        expect(c, r->e, TY_NUM, check_expr(c, r->e, sc), "a score");
        return;
    case RULE_BANDS: {
        check_expr(c, r->e, sc);
        if (r->e->type == TY_BOOL || r->e->type == TY_CHOICE || r->e->type == TY_NUM ||
            r->e->type == TY_DATE || r->e->type == TY_UNKNOWN) {
        }
        bool seen_else = false;
        for (int i = 0; i < r->n_arms; i++) {
            arm *a = &r->arms[i];
            if (seen_else) WARN(c, &a->loc, "this arm comes after 'else' and never matches");
            for (int j = 0; j < a->n_pats; j++) {
                check_pattern(c, &a->pats[j], r->e);
                if (a->pats[j].kind == PAT_ELSE) seen_else = true;
            }
            expect(c, a->result, TY_NUM, check_expr(c, a->result, sc), "a band's result");
            if ((a->is_const = ast_fold(a->result, n, &v))) {
                a->value = v;
                if (dec_cmp(v, limit) > 0 && n->kind != NODE_BONUS) {
                    fmt(v, b1); fmt(n->max, b2);
                    WARN(c, &a->result->loc, "this band gives %s, more than the maximum %s of %s", b1, b2, n->code);
                }
                if (!any || dec_cmp(v, best) > 0) best = v;
                any = true;
            } else {
                all_const = false;
            }
        }
        if (c->errors == 0) bands_check(c->rs, r->e, r->arms, r->n_arms, n->code, c->d);
        break;
    }
    case RULE_SUM:
        for (int i = 0; i < r->n_arms; i++) {
            arm *a = &r->arms[i];
            expect(c, a->cond, TY_BOOL, check_expr(c, a->cond, sc), "a part's condition");
            expect(c, a->result, TY_NUM, check_expr(c, a->result, sc), "a part's points");
            if ((a->is_const = ast_fold(a->result, n, &v))) {
                a->value = v;
                if (v.num > 0 && dec_add(best, v, &best) != DEC_OK) all_const = false;
                any = true;
            } else {
                all_const = false;
            }
        }
        if (any && all_const && dec_cmp(best, limit) > 0 && n->kind != NODE_BONUS) {
            fmt(best, b1); fmt(n->max, b2);
            WARN(c, &r->loc, "the parts of %s add up to %s, more than its maximum %s", n->code, b1, b2);
        }
        break;
    }
    if (any && all_const && n->kind != NODE_BONUS && dec_cmp(best, n->max) < 0) {
        fmt(best, b1); fmt(n->max, b2);
        WARN(c, &r->loc, "no %s of %s reaches its maximum %s (the best gives %s)",
             r->kind == RULE_SUM ? "combination of parts" : "band", n->code, b2, b1);
    }
}

/* The last number of a code: 12 for "7.12"; -1 if it is not a plain number. */
static long last_number(const char *code) {
    const char *dot = strrchr(code, '.');
    const char *p = dot ? dot + 1 : code;
    char *end;
    long v = strtol(p, &end, 10);
    return (*p && !*end) ? v : -1;
}

/* Siblings count 1, 2, 3...: a gap or a step back is usually a typo in the code or a lost row. */
static void check_sibling_codes(checker *c, node **kids, int n, const char *parent) {
    long prev = 0;
    const char *prev_code = NULL;
    for (int i = 0; i < n; i++) {
        if (kids[i]->kind == NODE_BONUS) continue;
        long v = last_number(kids[i]->code);
        if (v < 0) continue;
        /* codes that do not nest, or repeat, have their own warnings */
        size_t pl = parent ? strlen(parent) : 0;
        if (parent && (strncmp(kids[i]->code, parent, pl) != 0 || kids[i]->code[pl] != '.')) continue;
        if (prev_code && strcmp(prev_code, kids[i]->code) == 0) continue;
        if (prev_code && v <= prev)
            WARN(c, &kids[i]->loc, "code %s comes after %s: out of order", kids[i]->code, prev_code);
        else if (v > prev + 1 && (prev_code || v > 1)) {
            char want[64];
            if (parent) snprintf(want, sizeof want, "%s.%ld", parent, prev + 1);
            else snprintf(want, sizeof want, "%ld", prev + 1);
            WARN(c, &kids[i]->loc, "code %s %s%s: %s is skipped", kids[i]->code, prev_code ? "follows " : "is the first",
                 prev_code ? prev_code : "", want);
        }
        prev = v;
        prev_code = kids[i]->code;
    }
}

/* ---- divisions that can be by zero ---- */

/* Mark every fact e reads (through defs and lets) in set[n_facts]. */
static void facts_of(const ruleset *rs, const expr *e, unsigned char *set, int depth) {
    if (!e || depth > 64) return;
    switch (e->kind) {
    case EX_FACT: set[e->u.ref.slot] = 1; return;
    case EX_DEF:
        for (int i = 0; i < rs->n_defs; i++)
            if (rs->defs[i].slot == e->u.ref.slot) facts_of(rs, rs->defs[i].value, set, depth + 1);
        return;
    case EX_NEG: case EX_NOT: facts_of(rs, e->u.op.a, set, depth + 1); return;
    case EX_ADD: case EX_SUB: case EX_MUL: case EX_DIV: case EX_EQ: case EX_NE: case EX_LT:
    case EX_LE: case EX_GT: case EX_GE: case EX_AND: case EX_OR: case EX_IF:
        facts_of(rs, e->u.op.a, set, depth + 1);
        facts_of(rs, e->u.op.b, set, depth + 1);
        if (e->kind == EX_IF) facts_of(rs, e->u.op.c, set, depth + 1);
        return;
    case EX_MIN: case EX_MAX: case EX_CALL:
        for (int i = 0; i < e->u.call.n; i++) facts_of(rs, e->u.call.args[i], set, depth + 1);
        return;
    default: return;
    }
}

/* The fact a divisor is, directly or through a def, if 0 is among its values. */
static int zero_fact(const ruleset *rs, const expr *e, int depth) {
    if (depth > 8) return -1;
    if (e->kind == EX_FACT) {
        const fact_decl *f = &rs->facts[e->u.ref.slot];
        if (f->type != TY_NUM) return -1;
        if (f->has_lo && (dec_cmp(f->lo, dec_from_int(0)) > 0 || dec_cmp(f->hi, dec_from_int(0)) < 0)) return -1;
        return e->u.ref.slot;
    }
    if (e->kind == EX_DEF)
        for (int i = 0; i < rs->n_defs; i++)
            if (rs->defs[i].slot == e->u.ref.slot) return zero_fact(rs, rs->defs[i].value, depth + 1);
    return -1;
}

typedef struct {
    checker *c;
    const node *n;
    unsigned char *warned; /* per fact, for this node */
} div_walk;

static void walk_divisions(div_walk *w, const expr *e, const unsigned char *guard, int depth) {
    const ruleset *rs = w->c->rs;
    if (!e || depth > 200) return;
    size_t nf = (size_t)rs->n_facts + 1;
    switch (e->kind) {
    case EX_DIV: {
        int f = zero_fact(rs, e->u.op.b, 0);
        if (f >= 0 && !guard[f] && !w->warned[f]) {
            w->warned[f] = 1;
            WARN(w->c, &e->loc, "%s: the divisor '%s' can be 0 and nothing guards it (a unit with 0 gets an "
                 "error); say what the guideline wants, e.g. 'not applicable if %s = 0 => ...'",
                 w->n ? w->n->code : "def", rs->facts[f].name, rs->facts[f].name);
        }
        walk_divisions(w, e->u.op.a, guard, depth + 1);
        walk_divisions(w, e->u.op.b, guard, depth + 1);
        return;
    }
    case EX_IF: case EX_AND: case EX_OR: {
        /* what the condition (or the left side) tests guards the rest */
        unsigned char *g = malloc(nf);
        if (!g) return;
        memcpy(g, guard, nf);
        facts_of(rs, e->u.op.a, g, 0);
        walk_divisions(w, e->u.op.a, guard, depth + 1);
        walk_divisions(w, e->u.op.b, g, depth + 1);
        if (e->kind == EX_IF) walk_divisions(w, e->u.op.c, g, depth + 1);
        free(g);
        return;
    }
    case EX_NEG: case EX_NOT: walk_divisions(w, e->u.op.a, guard, depth + 1); return;
    case EX_ADD: case EX_SUB: case EX_MUL: case EX_EQ: case EX_NE: case EX_LT: case EX_LE: case EX_GT:
    case EX_GE:
        walk_divisions(w, e->u.op.a, guard, depth + 1);
        walk_divisions(w, e->u.op.b, guard, depth + 1);
        return;
    case EX_MIN: case EX_MAX: case EX_CALL:
        for (int i = 0; i < e->u.call.n; i++) walk_divisions(w, e->u.call.args[i], guard, depth + 1);
        return;
    case EX_DEF:
        for (int i = 0; i < rs->n_defs; i++)
            if (rs->defs[i].slot == e->u.ref.slot) walk_divisions(w, rs->defs[i].value, guard, depth + 1);
        return;
    case EX_LET:
        for (const node *m = w->n; m; m = m->parent)
            for (int i = 0; i < m->n_lets; i++)
                if (m->lets[i].slot == e->u.ref.slot) { walk_divisions(w, m->lets[i].value, guard, depth + 1); return; }
        return;
    case EX_MATCH:
        walk_divisions(w, e->u.match.subject, guard, depth + 1);
        for (int i = 0; i < e->u.match.n; i++) walk_divisions(w, e->u.match.arms[i].result, guard, depth + 1);
        return;
    default: return;
    }
}

/* Each rule, with the facts its node's and ancestors' not-applicable clauses test as guards. */
static void check_divisions(checker *c) {
    const ruleset *rs = c->rs;
    size_t nf = (size_t)rs->n_facts + 1;
    unsigned char *guard = malloc(nf), *warned = malloc(nf);
    if (!guard || !warned) { free(guard); free(warned); return; }
    for (int i = 0; i < rs->n_nodes; i++) {
        const node *n = rs->nodes[i];
        if (n->rule.kind == RULE_NONE) continue;
        memset(guard, 0, nf);
        memset(warned, 0, nf);
        for (const node *m = n; m; m = m->parent)
            for (int k = 0; k < m->n_na; k++) facts_of(rs, m->na[k].cond, guard, 0);
        div_walk w = {c, n, warned};
        const rule *r = &n->rule;
        walk_divisions(&w, r->e, guard, 0);
        for (int k = 0; k < r->n_arms; k++) {
            if (r->kind == RULE_SUM) {
                unsigned char *g = malloc(nf);
                if (!g) continue;
                memcpy(g, guard, nf);
                facts_of(rs, r->arms[k].cond, g, 0);
                walk_divisions(&w, r->arms[k].cond, guard, 0);
                walk_divisions(&w, r->arms[k].result, g, 0);
                free(g);
            } else {
                walk_divisions(&w, r->arms[k].result, guard, 0);
            }
        }
    }
    free(guard);
    free(warned);
}

static void number_nodes(checker *c, node *n, node *parent, int depth, node ***out, int *count) {
    n->parent = parent;
    n->depth = depth;
    *out = AST_PUSH(c->rs->arena, *out, *count);
    (*out)[*count - 1] = n;
    n->id = *count - 1;
    for (int i = 0; i < n->n_children; i++) number_nodes(c, n->children[i], n, depth + 1, out, count);
    n->last_desc = *count - 1;
}

static void check_node(checker *c, node *n, int *slot) {
    char b1[DEC_FMT_MAX], b2[DEC_FMT_MAX];
    if (n->kind == NODE_BONUS) {
        if (dec_cmp(n->range_lo, n->range_hi) > 0) ERR(c, &n->max_loc, "the range of bonus %s is empty", n->code);
        if (n->parent && n->parent->kind == NODE_BONUS)
            ERR(c, &n->loc, "a bonus cannot be inside another bonus");
    } else if (n->max.num < 0) {
        ERR(c, &n->max_loc, "a maximum cannot be negative");
    }
    /* Lets in order: each sees the ones before it. */
    for (int i = 0; i < n->n_lets; i++) {
        let_binding *b = &n->lets[i];
        b->name = nfc(c, b->name);
        for (int j = 0; j < i; j++)
            if (strcmp(n->lets[j].name, b->name) == 0)
                ERR(c, &b->loc, "'%s' is already defined in %s (line %d)", b->name, n->code, n->lets[j].loc.line);
        b->slot = (*slot)++;
        scope sc = {n, i, NULL};
        check_expr(c, b->value, sc);
    }
    scope sc = {n, n->n_lets, NULL};
    for (int i = 0; i < n->n_na; i++) {
        na_clause *a = &n->na[i];
        expect(c, a->cond, TY_BOOL, check_expr(c, a->cond, sc), "the condition of 'not applicable'");
        if (a->value) expect(c, a->value, TY_NUM, check_expr(c, a->value, sc), "a fixed score");
    }
    check_rule(c, n);
    dec_t sum = dec_from_int(0);
    bool ok = true;
    int counted = 0;
    for (int i = 0; i < n->n_children; i++) {
        node *ch = n->children[i];
        check_node(c, ch, slot);
        /* Codes nest: 1.2 holds 1.2.1, not 1.3.1. */
        size_t pl = strlen(n->code);
        if (strncmp(ch->code, n->code, pl) != 0 || ch->code[pl] != '.')
            WARN(c, &ch->loc, "code %s is inside %s but does not start with '%s.'", ch->code, n->code, n->code);
        if (ch->kind == NODE_BONUS) continue;
        counted++;
        if (dec_add(sum, ch->max, &sum) != DEC_OK) ok = false;
    }
    check_sibling_codes(c, n->children, n->n_children, n->code);
    if (ok && counted && n->kind != NODE_BONUS && dec_cmp(sum, n->max) != 0) {
        fmt(sum, b1); fmt(n->max, b2);
        WARN(c, &n->max_loc, "the maxima of the children of %s add up to %s, not %s", n->code, b1, b2);
    }
}

static void check_facts(checker *c) {
    ruleset *rs = c->rs;
    map_rs = rs;
    map_init(&fact_map, rs->n_facts);
    map_init(&def_map, rs->n_defs);
    for (int i = 0; i < rs->n_facts; i++) {
        fact_decl *f = &rs->facts[i];
        f->name = nfc(c, f->name);
        int j = map_find(&fact_map, f->name, i);
        if (j >= 0) {
            ERR(c, &f->loc, "fact '%s' is declared twice (first at %s:%d)", f->name,
                rs->facts[j].loc.file, rs->facts[j].loc.line);
            f->used = true; /* one message is enough: not also "never used" */
        }
        switch (f->ftype) {
        case FACT_NUMBER: f->type = TY_NUM; f->unit = NU_PLAIN; break;
        case FACT_PERCENT: f->type = TY_NUM; f->unit = NU_PERCENT; break;
        case FACT_COUNT: f->type = TY_NUM; f->unit = NU_COUNT; break;
        case FACT_BOOL: f->type = TY_BOOL; break;
        case FACT_DATE: f->type = TY_DATE; break;
        case FACT_CHOICE: f->type = TY_CHOICE; break;
        }
        for (int k = 0; k < f->n_options; k++) {
            option_decl *o = &f->options[k];
            o->name = nfc(c, o->name);
            o->label = nfc(c, o->label);
            for (int j = 0; j < k; j++)
                if (strcmp(f->options[j].name, o->name) == 0)
                    ERR(c, &o->loc, "option '%s' appears twice in '%s'", o->name, f->name);
        }
        if (f->has_lo) {
            bool dates = f->type == TY_DATE;
            if ((f->lo_e->kind == EX_DATE) != dates || (f->hi_e->kind == EX_DATE) != dates ||
                (f->type != TY_NUM && !dates)) {
                ERR(c, &f->lo_e->loc, "bounds of '%s' must be %s", f->name,
                    dates ? "dates" : f->type == TY_NUM ? "numbers" : "absent for this type");
            } else {
                f->lo = f->lo_e->u.num;
                f->hi = f->hi_e->u.num;
                if (dec_cmp(f->lo, f->hi) > 0) ERR(c, &f->lo_e->loc, "the bounds of '%s' are reversed", f->name);
            }
        }
        if (find_def(rs, f->name) >= 0)
            ERR(c, &f->loc, "'%s' is both a fact and a def", f->name);
    }
    for (int i = 0; i < rs->n_defs; i++) {
        def_decl *d = &rs->defs[i];
        d->name = nfc(c, d->name);
        d->slot = i;
        int j = map_find(&def_map, d->name, i);
        if (j >= 0) ERR(c, &d->loc, "'%s' is defined twice (first at line %d)", d->name, rs->defs[j].loc.line);
    }
}

/* `score given`: each such node reads its score from a number fact named by its code ("1.2.3"),
 * as a column of a batch table, a row of a sheet, or a row of a published table. */
static void declare_given(checker *c, node *n) {
    ruleset *rs = c->rs;
    if (n->rule.kind == RULE_GIVEN) {
        if (find_fact(rs, n->code) >= 0) {
            ERR(c, &n->rule.loc, "code %s is given twice (each node's given score is the fact '%s')",
                n->code, n->code);
        } else {
            rs->facts = AST_PUSH(rs->arena, rs->facts, rs->n_facts);
            fact_decl *f = &rs->facts[rs->n_facts - 1];
            f->name = n->code;
            f->ftype = FACT_NUMBER;
            f->description = n->title;
            f->loc = n->rule.loc;
        }
        expr *e = ast_expr(rs->arena, EX_NAME, n->rule.loc);
        e->u.ref.name = n->code;
        n->rule.kind = RULE_EXPR;
        n->rule.e = e;
        n->rule.text = "given";
    }
    for (int i = 0; i < n->n_children; i++) declare_given(c, n->children[i]);
}

static const char *const status_words[] = {"scored", "excluded", "full", "fixed", "missing", "error", "clamped"};

/* Tests: given facts become a ready fact_value array; expectations point at node ids. */
static void check_tests(checker *c) {
    ruleset *rs = c->rs;
    for (int t = 0; t < rs->n_tests; t++) {
        test_case *tc = &rs->tests[t];
        tc->facts = arena_alloc(rs->arena, sizeof(fact_value) * (size_t)(rs->n_facts + 1));
        for (int i = 0; i < tc->n_given; i++) {
            test_given *g = &tc->given[i];
            g->name = nfc(c, g->name);
            g->fact = find_fact(rs, g->name);
            if (g->fact < 0) {
                c->n_names = 0;
                for (int k = 0; k < rs->n_facts; k++) add_name(c, rs->facts[k].name);
                const char *sug = text_suggest(g->name, c->names, c->n_names);
                if (sug) ERR(c, &g->loc, "no fact '%s' in this rule set; did you mean '%s'?", g->name, sug);
                else ERR(c, &g->loc, "no fact '%s' in this rule set", g->name);
                continue;
            }
            const fact_decl *f = &rs->facts[g->fact];
            fact_value *fv = &tc->facts[g->fact];
            if (fv->state != FV_MISSING) {
                ERR(c, &g->loc, "'%s' is given twice in this test", g->name);
                continue;
            }
            expr *v = g->value;
            bool okv = false;
            switch (f->type) {
            case TY_NUM:
                okv = v->kind == EX_NUM &&
                      (f->unit != NU_COUNT || (dec_is_integer(v->u.num) && v->u.num.num >= 0));
                break;
            case TY_BOOL: okv = v->kind == EX_BOOL; break;
            case TY_DATE: okv = v->kind == EX_DATE; break;
            case TY_CHOICE:
                if (v->kind == EX_NAME) {
                    expr fact_side;
                    memset(&fact_side, 0, sizeof fact_side);
                    fact_side.type = TY_CHOICE;
                    fact_side.choice = (int16_t)g->fact;
                    v->u.ref.name = nfc(c, v->u.ref.name);
                    resolve_option(c, &fact_side, v);
                    if (v->kind != EX_OPTION) continue; /* reported */
                    okv = true;
                }
                break;
            default: break;
            }
            if (!okv) {
                ERR(c, &v->loc, "'%s' is %s%s", g->name,
                    f->unit == NU_COUNT ? "a count (a whole number >= 0)" : type_name(f->type),
                    f->type == TY_CHOICE ? ": give one of its options" : "");
                continue;
            }
            dec_t val = v->kind == EX_OPTION ? dec_from_int(v->u.ref.slot) : v->u.num;
            if (f->has_lo && (dec_cmp(val, f->lo) < 0 || dec_cmp(val, f->hi) > 0))
                ERR(c, &v->loc, "the value is outside the bounds of '%s'", g->name);
            fv->state = FV_OK;
            fv->num = val;
            fv->line = (uint32_t)g->loc.line;
        }
        for (int i = 0; i < tc->n_expects; i++) {
            test_expect *x = &tc->expects[i];
            x->status = -1;
            x->node = -1;
            if (strcmp(x->target, "total") != 0 && strcmp(x->target, "index") != 0) {
                for (int k = 0; k < rs->n_nodes; k++)
                    if (strcmp(rs->nodes[k]->code, x->target) == 0) { x->node = k; break; }
                if (x->node < 0) {
                    ERR(c, &x->loc, "no node %s in this rule set", x->target);
                    continue;
                }
            }
            if (x->status_word) {
                for (int k = 0; k < (int)(sizeof status_words / sizeof *status_words); k++)
                    if (strcmp(x->status_word, status_words[k]) == 0) x->status = k;
                if (x->status < 0)
                    ERR(c, &x->loc, "'%s' is not a status (scored, excluded, full, fixed, missing, error, clamped)",
                        x->status_word);
            }
        }
    }
}

/* What each memo slot stands for, for the evaluator and the walk over the facts a node reads: the
 * defs' slots, then the lets' (numbered by check_node). */
static void build_slots(ruleset *rs) {
    rs->slot_expr = arena_alloc(rs->arena, ((size_t)rs->n_slots + 1) * sizeof *rs->slot_expr);
    rs->slot_node = arena_alloc(rs->arena, ((size_t)rs->n_slots + 1) * sizeof *rs->slot_node);
    if (!rs->slot_expr || !rs->slot_node) {
        rs->slot_expr = NULL;
        rs->slot_node = NULL;
        return;
    }
    for (int i = 0; i < rs->n_defs; i++)
        if (rs->defs[i].slot >= 0 && rs->defs[i].slot < rs->n_slots) rs->slot_expr[rs->defs[i].slot] = rs->defs[i].value;
    for (int k = 0; k < rs->n_nodes; k++) {
        const node *n = rs->nodes[k];
        for (int i = 0; i < n->n_lets; i++) {
            int s = n->lets[i].slot;
            if (s < 0 || s >= rs->n_slots) continue;
            rs->slot_expr[s] = n->lets[i].value;
            rs->slot_node[s] = n;
        }
    }
}

static void build_specs(ruleset *rs) {
    rs->specs = arena_alloc(rs->arena, sizeof(fact_spec) * (size_t)(rs->n_facts ? rs->n_facts : 1));
    for (int i = 0; i < rs->n_facts; i++) {
        fact_decl *f = &rs->facts[i];
        fact_spec *s = &rs->specs[i];
        s->name = f->name;
        s->type = f->ftype;
        s->has_lo = s->has_hi = f->has_lo;
        s->lo = f->lo;
        s->hi = f->hi;
        if (f->n_options) {
            fact_option *o = arena_alloc(rs->arena, sizeof *o * (size_t)f->n_options);
            for (int k = 0; k < f->n_options; k++) {
                o[k].name = f->options[k].name;
                o[k].label = f->options[k].label;
            }
            s->options = o;
            s->n_options = f->n_options;
        }
    }
}

int check_ruleset(ruleset *rs, diag_sink *d) {
    checker c;
    memset(&c, 0, sizeof c);
    c.rs = rs;
    c.d = d;
    char b1[DEC_FMT_MAX], b2[DEC_FMT_MAX];
    src_loc top = {rs->file, 0, 0, 0, 0};
    /* A library (stdlib/NAME.chiso, read by `import NAME`): functions or a classify scale, no
     * criteria and no tests. It is checked alone (`chiso check`, `chiso test` over a folder);
     * eval and audit refuse it. */
    bool library = rs->n_top == 0 && rs->n_tests == 0 && (rs->n_defs > 0 || rs->n_classes > 0);
    if (!rs->present && !library) WARN(&c, &top, "no 'ruleset' block: the rule set has no title, year or rounding");
    for (int i = 0; i < rs->n_top; i++) declare_given(&c, rs->top[i]);
    check_facts(&c);
    c.def_state = calloc((size_t)rs->n_defs + 1, 1);
    if (!c.def_state) return 1;
    for (int i = 0; i < rs->n_defs; i++) check_def(&c, i);
    if (rs->n_top == 0 && !library) ERR(&c, &top, "no criteria: a rule set needs at least one 'area' or 'criterion'");

    rs->n_nodes = 0;
    for (int i = 0; i < rs->n_top; i++) number_nodes(&c, rs->top[i], NULL, 0, &rs->nodes, &rs->n_nodes);
    {
        /* duplicate codes, through a hash of the codes (no quadratic scan) */
        name_map codes;
        map_init(&codes, rs->n_nodes);
        for (int i = 0; i < rs->n_nodes && codes.slot; i++) {
            for (size_t k = name_hash(rs->nodes[i]->code) & codes.mask;; k = (k + 1) & codes.mask) {
                int v = codes.slot[k];
                if (!v) { codes.slot[k] = i + 1; break; }
                if (strcmp(rs->nodes[v - 1]->code, rs->nodes[i]->code) == 0) {
                    WARN(&c, &rs->nodes[i]->loc, "code %s is used twice (first at line %d)",
                         rs->nodes[i]->code, rs->nodes[v - 1]->loc.line);
                    break;
                }
            }
        }
        map_free(&codes);
    }
    int slot = rs->n_defs;
    dec_t sum = dec_from_int(0);
    bool ok = true;
    for (int i = 0; i < rs->n_top; i++) {
        check_node(&c, rs->top[i], &slot);
        if (rs->top[i]->kind != NODE_BONUS && dec_add(sum, rs->top[i]->max, &sum) != DEC_OK) ok = false;
    }
    check_sibling_codes(&c, rs->top, rs->n_top, NULL);
    rs->n_slots = slot;
    build_slots(rs);
    if (rs->has_max && ok && dec_cmp(sum, rs->max) != 0) {
        fmt(sum, b1); fmt(rs->max, b2);
        WARN(&c, &rs->max_loc, "the maxima of the areas add up to %s, not %s", b1, b2);
    }
    /* classify: numeric patterns over the index, given as percentages */
    expr index_subject;
    memset(&index_subject, 0, sizeof index_subject);
    index_subject.type = TY_NUM;
    for (int i = 0; i < rs->n_classes; i++)
        for (int j = 0; j < rs->classes[i].n_pats; j++) check_pattern(&c, &rs->classes[i].pats[j], &index_subject);
    for (int i = 0; i < rs->n_facts; i++)
        if (!rs->facts[i].used) WARN(&c, &rs->facts[i].loc, "fact '%s' is declared but never used", rs->facts[i].name);
    if (c.errors == 0) check_divisions(&c);
    check_tests(&c);
    build_specs(rs);
    map_free(&fact_map);
    map_free(&def_map);
    map_rs = NULL;
    free(c.def_state);
    free(c.names);
    return c.errors;
}
