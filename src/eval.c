#include "eval.h"

#include <stdlib.h>
#include <string.h>

#include "eval_plan.h"

static value ok(dec_t v) { return value_ok(v); }
static value err(eval_error e, const expr *at) { value r = {V_ERROR, (uint8_t)e, -1, at, {0, 1}}; return r; }
static value arith(dec_status s, dec_t v, const expr *at) {
    if (s == DEC_OK) return ok(v);
    return err(s == DEC_DIVZERO ? EV_DIVZERO : EV_OVERFLOW, at);
}

/* A leaf's last few rule values and what clamping and rounding made of them. Bands give few
 * distinct values, so most units find theirs here. A leaf's maximum never changes (nothing below
 * it can be excluded), so the value alone is the key. */
enum { LEAF_MEMO_WAYS = 4 };
typedef struct {
    dec_t raw[LEAF_MEMO_WAYS], score[LEAF_MEMO_WAYS];
    uint8_t status[LEAF_MEMO_WAYS], rounded[LEAF_MEMO_WAYS];
    uint8_t used, next; /* entries filled; the one to replace next */
} leaf_memo;

struct eval_state {
    const ruleset *rs;
    const fact_value *facts;
    node_result *res;
    value *memo;
    uint8_t *memo_done;
    const expr **slot_expr;
    const node **slot_node;
    const value *frame; /* the arguments of the def with parameters being evaluated */
    const arm *last_arm; /* the outermost `match` arm that decided the last value */
    leaf_memo *memo_leaf; /* per node id */
    enode *nodes;         /* per node id */
    node_result *kept;    /* the results the nodes' cache keys stand for: see enode */
};

eval_state *eval_new(const ruleset *rs) {
    eval_state *st = calloc(1, sizeof *st);
    if (!st) return NULL;
    size_t n = (size_t)rs->n_slots + 1;
    st->rs = rs;
    st->memo = calloc(n, sizeof *st->memo);
    st->memo_done = calloc(n, 1);
    st->slot_expr = rs->slot_expr; /* the checker's */
    st->slot_node = rs->slot_node;
    st->memo_leaf = calloc((size_t)rs->n_nodes + 1, sizeof *st->memo_leaf);
    size_t nn = (size_t)rs->n_nodes + 1;
    st->nodes = aligned_alloc(_Alignof(enode), nn * sizeof *st->nodes);
    if (st->nodes) memset(st->nodes, 0, nn * sizeof *st->nodes);
    size_t n_kept = 0;
    if (!st->memo || !st->memo_done || !st->slot_expr || !st->slot_node || !st->memo_leaf || !st->nodes ||
        !eval_plan_build(rs, st->nodes, &n_kept) || !(st->kept = calloc(n_kept + 1, sizeof *st->kept))) {
        eval_free(st);
        return NULL;
    }
    return st;
}

void eval_free(eval_state *st) {
    if (!st) return;
    free(st->memo);
    free(st->memo_done);
    free(st->memo_leaf);
    eval_plan_free(st->rs, st->nodes);
    free(st->nodes);
    free(st->kept);
    free(st);
}


static value eval_expr(eval_state *st, const expr *e, const node *n);
static inline bool pattern_matches(const pattern *p, dec_t v);

static value eval_slot(eval_state *st, int slot) {
    if (!st->memo_done[slot]) {
        st->memo[slot] = eval_expr(st, st->slot_expr[slot], st->slot_node[slot]);
        st->memo_done[slot] = 1;
    }
    return st->memo[slot];
}

static bool truth(value v) { return v.v.num != 0; }

static value eval_expr(eval_state *st, const expr *e, const node *n) {
    value a, b;
    dec_t r;
    int k;
    switch (e->kind) {
    case EX_NUM: case EX_DATE: case EX_BOOL:
        return ok(e->u.num);
    case EX_OPTION:
        return ok(dec_from_int(e->u.ref.slot));
    case EX_MAXREF:
        return ok(n ? n->max : dec_from_int(0));
    case EX_FACT: {
        const fact_value *fv = &st->facts[e->u.ref.slot];
        if (fv->state == FV_OK) return ok(fv->num);
        value m = {V_MISSING, fv->state == FV_BAD ? EV_BAD_FACT : 0, e->u.ref.slot, e, {0, 1}};
        return m;
    }
    case EX_DEF: case EX_LET:
        return eval_slot(st, e->u.ref.slot);
    case EX_NAME:
        return err(EV_OVERFLOW, e); /* unreachable after a successful check */
    case EX_PARAM:
        return st->frame[e->u.ref.slot];
    case EX_CALL: {
        value args[16]; /* the checker allows at most 16 parameters */
        int na = e->u.call.n < 16 ? e->u.call.n : 16;
        for (int i = 0; i < na; i++) {
            args[i] = eval_expr(st, e->u.call.args[i], n);
            if (args[i].st) return args[i];
        }
        const value *saved = st->frame;
        st->frame = args;
        value r = eval_expr(st, st->rs->defs[e->u.call.def].value, n);
        st->frame = saved;
        return r;
    }
    case EX_MATCH:
        a = eval_expr(st, e->u.match.subject, n);
        if (a.st) return a;
        for (int i = 0; i < e->u.match.n; i++)
            for (int j = 0; j < e->u.match.arms[i].n_pats; j++)
                if (pattern_matches(&e->u.match.arms[i].pats[j], a.v)) {
                    value r = eval_expr(st, e->u.match.arms[i].result, n);
                    st->last_arm = &e->u.match.arms[i];
                    return r;
                }
        return err(EV_NO_ARM, e);
    case EX_NEG:
        a = eval_expr(st, e->u.op.a, n);
        if (a.st) return a;
        return arith(dec_neg(a.v, &r), r, e);
    case EX_NOT:
        a = eval_expr(st, e->u.op.a, n);
        if (a.st) return a;
        return ok(dec_from_int(!truth(a)));
    case EX_ADD: case EX_SUB: case EX_MUL: case EX_DIV: {
        a = eval_expr(st, e->u.op.a, n);
        if (a.st) return a;
        b = eval_expr(st, e->u.op.b, n);
        if (b.st) return b;
        dec_status s = e->kind == EX_ADD ? dec_add(a.v, b.v, &r)
                     : e->kind == EX_SUB ? dec_sub(a.v, b.v, &r)
                     : e->kind == EX_MUL ? dec_mul(a.v, b.v, &r)
                                         : dec_div(a.v, b.v, &r);
        return arith(s, r, e);
    }
    case EX_EQ: case EX_NE: case EX_LT: case EX_LE: case EX_GT: case EX_GE:
        a = eval_expr(st, e->u.op.a, n);
        if (a.st) return a;
        b = eval_expr(st, e->u.op.b, n);
        if (b.st) return b;
        k = dec_cmp(a.v, b.v);
        switch (e->kind) {
        case EX_EQ: k = k == 0; break;
        case EX_NE: k = k != 0; break;
        case EX_LT: k = k < 0; break;
        case EX_LE: k = k <= 0; break;
        case EX_GT: k = k > 0; break;
        default: k = k >= 0; break;
        }
        return ok(dec_from_int(k));
    case EX_AND: case EX_OR: {
        /* Three-valued: false and (missing) is false; true or (missing) is true. */
        bool decisive = e->kind == EX_OR;
        a = eval_expr(st, e->u.op.a, n);
        if (a.st == V_OK && truth(a) == decisive) return a;
        b = eval_expr(st, e->u.op.b, n);
        if (b.st == V_OK && truth(b) == decisive) return b;
        if (a.st) return a;
        return b;
    }
    case EX_IF:
        a = eval_expr(st, e->u.op.a, n);
        if (a.st) return a;
        return eval_expr(st, truth(a) ? e->u.op.b : e->u.op.c, n);
    case EX_MIN: case EX_MAX: {
        value best = eval_expr(st, e->u.call.args[0], n);
        if (best.st) return best;
        for (int i = 1; i < e->u.call.n; i++) {
            a = eval_expr(st, e->u.call.args[i], n);
            if (a.st) return a;
            k = dec_cmp(a.v, best.v);
            if (e->kind == EX_MIN ? k < 0 : k > 0) best = a;
        }
        return best;
    }
    }
    return err(EV_OVERFLOW, e);
}

static inline bool pattern_matches(const pattern *p, dec_t v) {
    switch (p->kind) {
    case PAT_ELSE: return true;
    case PAT_EQ: case PAT_BOOL: return dec_cmp(v, p->lo) == 0;
    case PAT_OPTION: return v.num == p->option;
    case PAT_RANGE:
        if (p->has_lo) {
            int k = dec_cmp(v, p->lo);
            if (k < 0 || (k == 0 && !p->lo_incl)) return false;
        }
        if (p->has_hi) {
            int k = dec_cmp(v, p->hi);
            if (k > 0 || (k == 0 && !p->hi_incl)) return false;
        }
        return true;
    }
    return false;
}

/* The value of the expression e of node n, which is usually the fact en->subject, without the
 * general walk for that. */
static inline value subject_value(eval_state *st, const enode *en, const expr *e, const node *n) {
    if (en->subject >= 0 && st->facts[en->subject].state == FV_OK) return ok(st->facts[en->subject].num);
    return eval_expr(st, e, n);
}

/* A score from bands (see band_plan): for a call, what evaluating the call gives, step for step. */
static value eval_bands(eval_state *st, const enode *e, const node *n, node_result *res) {
    const band_plan *p = e->bands;
    if (p->at >= 0) {
        res->by = BY_RULE;
        st->last_arm = NULL;
    }
    value s = subject_value(st, e, p->subject, n);
    value r;
    int i;
    if (s.st) {
        r = s;
    } else if ((i = band_plan_match(p, s.v)) < 0) {
        if (p->at < 0) {
            res->by = BY_NO_ARM;
            res->raw = s.v;
        }
        r = err(EV_NO_ARM, p->no_match_at);
    } else if (p->at < 0) {
        res->by = BY_ARM;
        res->which = i;
        r = p->arm_const[i] ? ok(p->arm_value[i]) : eval_expr(st, p->arms[i].result, n);
    } else {
        if (p->arm_const[i]) {
            r = ok(p->arm_value[i]);
        } else {
            p->frame[p->at] = s;
            const value *saved = st->frame;
            st->frame = p->frame;
            r = eval_expr(st, p->arms[i].result, n);
            st->frame = saved;
        }
        st->last_arm = &p->arms[i];
    }
    if (p->at >= 0) res->via = st->last_arm;
    return r;
}

/* The rule's raw value; sets by/which in *res. */
static value eval_rule(eval_state *st, const enode *e, const node *n, node_result *res) {
    if (e->bands) return eval_bands(st, e, n, res);
    const rule *r = &n->rule;
    value v, c;
    switch (r->kind) {
    case RULE_EXPR:
        res->by = BY_RULE;
        st->last_arm = NULL;
        v = eval_expr(st, r->e, n);
        res->via = st->last_arm;
        return v;
    case RULE_BANDS: /* always planned */
        break;
    case RULE_SUM: {
        dec_acc sum;
        dec_acc_init(&sum);
        const expr *last = NULL; /* where an overflow is reported: the last part added */
        res->by = BY_PARTS;
        res->which = 0;
        for (int i = 0; i < r->n_arms; i++) {
            const arm *a = &r->arms[i];
            c = eval_expr(st, a->cond, n);
            if (c.st) return c;
            if (!truth(c)) continue;
            if (a->is_const) {
                dec_acc_add(&sum, a->value);
            } else {
                v = eval_expr(st, a->result, n);
                if (v.st) return v;
                dec_acc_add(&sum, v.v);
            }
            if (sum.overflow) return err(EV_OVERFLOW, a->result);
            last = a->result;
            if (i < 31) res->which |= 1 << i;
        }
        dec_t total;
        if (dec_acc_result(&sum, &total) != DEC_OK) return err(EV_OVERFLOW, last);
        return ok(total);
    }
    case RULE_NONE: case RULE_GIVEN: /* the checker turned RULE_GIVEN into RULE_EXPR */
        break;
    }
    return ok(dec_from_int(0));
}

static void set_bad(node_result *res, value v) {
    res->status = v.st == V_MISSING ? ST_MISSING : ST_ERROR;
    res->fact = v.fact;
    res->error = v.err;
    res->at = v.at;
}

/* Descendants of a node that a not-applicable clause decided take its status. */
static void mark_subtree(eval_state *st, int id, node_status s) {
    for (int i = id + 1; i <= st->nodes[id].last_desc; i++) {
        node_result *r = &st->res[i];
        memset(r, 0, sizeof *r);
        r->status = (uint8_t)s;
        r->by = BY_PARENT;
        r->fact = -1;
        r->score = r->max = r->raw = dec_from_int(0);
        if (s == ST_FULL) r->score = r->max = st->nodes[i].max;
    }
}

static void round_score(const ruleset *rs, node_result *res, bool leaf) {
    if (rs->round_scope == ROUND_NONE || rs->round_scope == ROUND_TOTAL) return;
    if (rs->round_scope == ROUND_LEAVES && !leaf) return;
    if (res->score.den == 1) return; /* whole numbers need no rounding */
    dec_t r;
    if (dec_round(res->score, rs->round_places, rs->round_mode, &r) == DEC_OK) {
        if (dec_cmp(r, res->score) != 0) res->rounded = 1;
        res->score = r;
    }
}

static void clamp(node_result *res, dec_t lo, dec_t hi) {
    if (dec_cmp(res->score, hi) > 0) {
        res->score = hi;
        res->status = ST_CLAMPED;
    } else if (dec_cmp(res->score, lo) < 0) {
        res->score = lo;
        res->status = ST_CLAMPED;
    }
}

static void eval_node_body(eval_state *st, int id);

/* The subtree's inputs as one key; false when a value does not fit it (never for a checked rule
 * set: bools are 0 or 1 and a cached choice has at most KEY_VALUE_MAX + 1 options). */
static inline bool cache_key_of(const eval_state *st, const enode *e, uint32_t *key) {
    uint32_t k = 0;
    for (int i = 0; i < e->n_deps; i++) {
        const fact_value *fv = &st->facts[e->deps[i]];
        uint32_t d = fv->state;
        if (fv->state == FV_OK) {
            if (fv->num.den != 1 || fv->num.num < 0 || fv->num.num > KEY_VALUE_MAX) return false;
            d |= (uint32_t)fv->num.num << 2;
        }
        k |= d << (KEY_BITS * i);
    }
    *key = k;
    return true;
}

static void eval_node(eval_state *st, int id) {
    enode *e = &st->nodes[id];
    uint32_t k;
    if (e->n_deps < 0 || !cache_key_of(st, e, &k)) {
        eval_node_body(st, id);
        return;
    }
    size_t size = (size_t)(e->last_desc - id + 1);
    node_result *kept = &st->kept[e->kept_at];
    for (int i = 0; i < e->used; i++)
        if (e->key[i] == k) {
            if (size == 1) st->res[id] = kept[i];
            else memcpy(&st->res[id], &kept[(size_t)i * size], size * sizeof *kept);
            return;
        }
    eval_node_body(st, id);
    int i = e->next;
    e->next = (uint8_t)((i + 1) % CACHE_WAYS);
    if (e->used < CACHE_WAYS) e->used++;
    e->key[i] = k;
    memcpy(&kept[(size_t)i * size], &st->res[id], size * sizeof *kept);
}

static void eval_node_body(eval_state *st, int id) {
    const enode *e = &st->nodes[id];
    const node *n = st->rs->nodes[id];
    node_result *res = &st->res[id];
    memset(res, 0, sizeof *res);
    res->fact = -1;
    res->max = e->flags & EN_BONUS ? dec_from_int(0) : e->max;
    const dec_t zero = dec_from_int(0);

    for (int i = 0; e->flags & EN_HAS_NA && i < n->n_na; i++) {
        const na_clause *na = &n->na[i];
        value c = eval_expr(st, na->cond, n);
        if (c.st) {
            /* Cannot tell whether the node applies: nothing below it can be trusted either. */
            set_bad(res, c);
            for (int k = id + 1; k <= e->last_desc; k++) {
                st->res[k] = *res;
                st->res[k].max = st->nodes[k].max;
            }
            return;
        }
        if (truth(c) == na->unless) continue;
        res->by = BY_NA;
        res->which = i;
        switch (na->kind) {
        case NA_EXCLUDED:
            res->status = ST_EXCLUDED;
            res->max = zero;
            mark_subtree(st, id, ST_EXCLUDED);
            return;
        case NA_FULL:
            res->status = ST_FULL;
            res->score = res->raw = res->max;
            mark_subtree(st, id, ST_FULL);
            return;
        case NA_FIXED: {
            value v = eval_expr(st, na->value, n);
            mark_subtree(st, id, ST_FIXED);
            if (v.st) { set_bad(res, v); return; }
            res->status = ST_FIXED;
            res->score = res->raw = v.v;
            return;
        }
        }
    }

    /* Children first: a parent sums them, and a parent with its own rule still shows them. */
    dec_acc sum, bonus;
    dec_acc_init(&sum);
    dec_acc_init(&bonus);
    dec_t lost = zero;
    const node_result *bad = NULL;
    bool overflow = false, any_lost = false;
    for (int c = id + 1; c <= e->last_desc; c = st->nodes[c].last_desc + 1) {
        const enode *ch = &st->nodes[c];
        eval_node(st, c);
        const node_result *cr = &st->res[c];
        if (cr->status == ST_MISSING || cr->status == ST_ERROR) {
            /* An error says more than a missing fact: it must not hide behind one. */
            if (!bad || (bad->status == ST_MISSING && cr->status == ST_ERROR)) bad = cr;
            continue;
        }
        if (ch->flags & EN_BONUS) {
            dec_acc_add(&bonus, cr->score);
            continue;
        }
        if (cr->status != ST_EXCLUDED) dec_acc_add(&sum, cr->score);
        /* Only an exclusion below changes a maximum; most children keep theirs. */
        if (cr->max.num != ch->max.num || cr->max.den != ch->max.den) {
            dec_t gone;
            overflow |= dec_sub(ch->max, cr->max, &gone) != DEC_OK;
            overflow |= dec_add(lost, gone, &lost) != DEC_OK;
            any_lost = true;
        }
    }
    if (!(e->flags & EN_BONUS) && any_lost) overflow |= dec_sub(n->max, lost, &res->max) != DEC_OK;

    if (e->flags & EN_HAS_RULE) {
        value v = eval_rule(st, e, n, res);
        if (v.st) {
            set_bad(res, v);
            return;
        }
        leaf_memo *m = e->last_desc == id ? &st->memo_leaf[id] : NULL;
        if (m) {
            for (int k = 0; k < m->used; k++)
                if (m->raw[k].num == v.v.num && m->raw[k].den == v.v.den) {
                    res->raw = v.v;
                    res->score = m->score[k];
                    res->status = m->status[k];
                    res->rounded = m->rounded[k];
                    return;
                }
        }
        res->score = res->raw = v.v;
        res->status = ST_SCORED;
        if (e->flags & EN_BONUS) clamp(res, n->range_lo, n->range_hi);
        else clamp(res, zero, res->max);
        round_score(st->rs, res, true);
        if (m) {
            int k = m->next;
            m->next = (uint8_t)((k + 1) % LEAF_MEMO_WAYS);
            if (m->used < LEAF_MEMO_WAYS) m->used++;
            m->raw[k] = v.v;
            m->score[k] = res->score;
            m->status[k] = res->status;
            m->rounded[k] = res->rounded;
        }
        return;
    }
    if (bad) {
        res->status = bad->status;
        res->fact = bad->fact;
        res->error = bad->error;
        res->at = bad->at;
        res->by = BY_CHILDREN;
        return;
    }
    dec_status s1, s2;
    dec_t sum_v = dec_acc_value(&sum, &s1), bonus_v = dec_acc_value(&bonus, &s2);
    overflow |= s1 != DEC_OK || s2 != DEC_OK;
    if (overflow) {
        res->status = ST_ERROR;
        res->error = EV_OVERFLOW;
        res->at = NULL;
        return;
    }
    res->by = BY_CHILDREN;
    res->status = ST_SCORED;
    res->score = res->raw = sum_v;
    if (e->flags & EN_BONUS) clamp(res, n->range_lo, n->range_hi);
    else clamp(res, zero, res->max);
    if (dec_add(res->score, bonus_v, &res->score) != DEC_OK) {
        res->status = ST_ERROR;
        res->error = EV_OVERFLOW;
        return;
    }
    round_score(st->rs, res, false);
}

void eval_unit(eval_state *st, const fact_value *values, node_result *results, unit_total *total) {
    const ruleset *rs = st->rs;
    st->facts = values;
    st->res = results;
    memset(st->memo_done, 0, (size_t)rs->n_slots);
    memset(total, 0, sizeof *total);
    total->bad_node = -1;
    total->class_index = -1;
    dec_acc score_acc, max_acc;
    dec_acc_init(&score_acc);
    dec_acc_init(&max_acc);
    for (int i = 0; i < rs->n_top; i++) {
        int id = rs->top[i]->id;
        eval_node(st, id);
        const node_result *r = &results[id];
        dec_acc_add(&max_acc, r->max);
        if (r->status == ST_MISSING || r->status == ST_ERROR) {
            if (total->status == ST_SCORED || r->status == ST_ERROR) total->status = r->status;
            continue;
        }
        if (r->status != ST_EXCLUDED) dec_acc_add(&score_acc, r->score);
    }
    dec_t score = dec_from_int(0), max = dec_from_int(0);
    bool overflow = dec_acc_result(&score_acc, &score) != DEC_OK;
    overflow |= dec_acc_result(&max_acc, &max) != DEC_OK;
    if (overflow && total->status == ST_SCORED) total->status = ST_ERROR;
    /* The node to blame: the first in tree order that failed by itself, not through a child. */
    if (total->status != ST_SCORED) {
        for (int i = 0; i < rs->n_nodes; i++) {
            const node_result *r = &results[i];
            if (r->status == total->status && r->by != BY_CHILDREN) {
                total->bad_node = i;
                break;
            }
        }
    }
    if (rs->round_scope == ROUND_TOTAL) {
        dec_t r;
        if (dec_round(score, rs->round_places, rs->round_mode, &r) == DEC_OK) score = r;
    }
    total->score = score;
    total->max = max;
    if (total->status == ST_SCORED && max.num > 0) {
        dec_t idx;
        if (dec_percent(score, max, rs->round_index ? rs->index_places : -1, rs->index_mode, &idx) == DEC_OK) {
            total->index = idx;
            total->index_ok = true;
            /* Classes are written as percentages (>= 90%), the index is in percent (90). */
            dec_t frac;
            if (rs->n_classes && dec_div(idx, dec_from_int(100), &frac) == DEC_OK) {
                for (int i = 0; i < rs->n_classes && total->class_index < 0; i++)
                    for (int j = 0; j < rs->classes[i].n_pats; j++)
                        if (pattern_matches(&rs->classes[i].pats[j], frac)) {
                            total->class_index = i;
                            break;
                        }
            }
        }
    }
}

eval_value eval_expression(eval_state *st, const expr *e, const node *n) {
    value v = eval_expr(st, e, n);
    eval_value r = {v.st, v.err, v.fact, v.at, v.v};
    return r;
}

bool eval_pattern_matches(const pattern *p, dec_t v) { return pattern_matches(p, v); }

const char *eval_status_name(node_status s) {
    static const char *const names[] = {"scored", "excluded", "full", "fixed", "missing", "error", "clamped"};
    return (unsigned)s < sizeof names / sizeof *names ? names[s] : "?";
}

const char *eval_error_text(eval_error e) {
    switch (e) {
    case EV_OK: return "no error";
    case EV_DIVZERO: return "division by zero";
    case EV_OVERFLOW: return "number too large";
    case EV_NO_ARM: return "no band matches";
    case EV_DEPTH: return "nested too deeply";
    case EV_BAD_FACT: return "a fact with a bad value";
    }
    return "?";
}
