#include "eval_plan.h"

#include <stdlib.h>
#include <string.h>

#include "node_facts.h"

static void free_bands(band_plan *p) {
    if (!p) return;
    free(p->frame);
    free(p->pats);
    free(p->arm_const);
    free(p->arm_value);
    free(p);
}

/* The arrays of a plan over `arms`: its patterns in order, and its constant results (a parameter
 * given a constant, or an expression of constants). false when out of memory. */
static bool fill_bands(band_plan *p, const node *n, const arm *arms, int n_arms, int n_args) {
    int np = 0;
    for (int i = 0; i < n_arms; i++) np += arms[i].n_pats;
    p->pats = calloc((size_t)np + 1, sizeof *p->pats);
    p->arm_const = calloc((size_t)n_arms + 1, sizeof *p->arm_const);
    p->arm_value = calloc((size_t)n_arms + 1, sizeof *p->arm_value);
    if (!p->pats || !p->arm_const || !p->arm_value) return false;
    for (int i = 0; i < n_arms; i++) {
        for (int j = 0; j < arms[i].n_pats; j++) {
            const pattern *s = &arms[i].pats[j];
            band_pat *q = &p->pats[p->n_pats++];
            q->arm = i;
            switch (s->kind) {
            case PAT_ELSE:
                break;
            case PAT_EQ: case PAT_BOOL: case PAT_OPTION:
                q->lo = q->hi = s->kind == PAT_OPTION ? dec_from_int(s->option) : s->lo;
                q->has_lo = q->has_hi = true;
                break;
            case PAT_RANGE:
                q->lo = s->lo;
                q->hi = s->hi;
                q->has_lo = s->has_lo;
                q->has_hi = s->has_hi;
                q->lo_min = s->lo_incl ? 0 : 1;
                q->hi_max = s->hi_incl ? 0 : -1;
                break;
            }
        }
        const expr *r = arms[i].result;
        if (p->at < 0) {
            p->arm_const[i] = arms[i].is_const; /* the checker folded the node's own bands */
            p->arm_value[i] = arms[i].value;
        } else if (r->kind == EX_PARAM && r->u.ref.slot != p->at && r->u.ref.slot >= 0 && r->u.ref.slot < n_args) {
            p->arm_const[i] = true;
            p->arm_value[i] = p->frame[r->u.ref.slot].v;
        } else {
            p->arm_const[i] = ast_fold(r, n, &p->arm_value[i]);
        }
    }
    return true;
}

/* The plan of n's score, or NULL when it does not come from bands (see band_plan). *oom when out
 * of memory. */
static band_plan *plan_bands(const ruleset *rs, const node *n, bool *oom) {
    const rule *r = &n->rule;
    const expr *e = r->e, *body = NULL;
    int at = -1, n_args = 0;
    if (r->kind == RULE_EXPR) {
        if (e->kind != EX_CALL || e->u.call.def < 0 || e->u.call.def >= rs->n_defs) return NULL;
        body = rs->defs[e->u.call.def].value;
        n_args = e->u.call.n;
        if (n_args < 1) return NULL;
        if (!body || body->kind != EX_MATCH || body->u.match.subject->kind != EX_PARAM) return NULL;
        at = body->u.match.subject->u.ref.slot;
        if (at < 0 || at >= n_args) return NULL;
    } else if (r->kind != RULE_BANDS) {
        return NULL;
    }
    band_plan *p = calloc(1, sizeof *p);
    if (!p) goto oom;
    p->at = at;
    if (body) {
        p->subject = e->u.call.args[at];
        p->arms = body->u.match.arms;
        p->no_match_at = body;
        p->frame = calloc((size_t)n_args, sizeof *p->frame);
        if (!p->frame) goto oom;
        for (int i = 0; i < n_args; i++) {
            dec_t v = dec_from_int(0); /* frame[at] is the subject, set for each unit */
            if (i != at && !ast_fold(e->u.call.args[i], n, &v)) { /* an argument that is not constant */
                free_bands(p);
                return NULL;
            }
            p->frame[i] = value_ok(v);
        }
        if (!fill_bands(p, n, body->u.match.arms, body->u.match.n, n_args)) goto oom;
    } else {
        p->subject = e;
        p->arms = r->arms;
        p->no_match_at = e;
        if (!fill_bands(p, n, r->arms, r->n_arms, 0)) goto oom;
    }
    return p;
oom:
    free_bands(p);
    *oom = true;
    return NULL;
}

typedef struct {
    int deps[CACHE_DEPS_MAX], n;
    bool too_many;
} cache_inputs;

static void add_input(void *ud, int fact) {
    cache_inputs *in = ud;
    if (in->n == CACHE_DEPS_MAX) in->too_many = true;
    else in->deps[in->n++] = fact;
}

/* Gives a cache to each node whose subtree reads 1 to CACHE_DEPS_MAX facts, all bools and choices:
 * one on a count or a percentage would mostly miss, and pay for trying. */
static void plan_cache(const ruleset *rs, node_facts *w, const node *n, enode *e) {
    e->n_deps = -1;
    cache_inputs in = {{0}, 0, false};
    node_facts_each_in_subtree(w, n, add_input, &in);
    if (in.too_many || in.n == 0) return;
    for (int k = 0; k < in.n; k++) {
        const fact_decl *f = &rs->facts[in.deps[k]];
        if (in.deps[k] > UINT16_MAX) return;
        if (f->ftype != FACT_BOOL && !(f->ftype == FACT_CHOICE && f->n_options <= KEY_VALUE_MAX + 1)) return;
    }
    e->n_deps = (int8_t)in.n;
    for (int k = 0; k < in.n; k++) e->deps[k] = (uint16_t)in.deps[k];
}

bool eval_plan_build(const ruleset *rs, enode *nodes, size_t *n_kept) {
    node_facts *w = node_facts_new(rs);
    if (!w) return false;
    bool oom = false;
    size_t kept = 0;
    for (int i = 0; i < rs->n_nodes && !oom; i++) {
        const node *n = rs->nodes[i];
        enode *e = &nodes[i];
        e->max = n->max;
        e->last_desc = n->last_desc;
        e->flags = (uint8_t)((n->kind == NODE_BONUS ? EN_BONUS : 0) | (n->n_na ? EN_HAS_NA : 0) |
                             (n->rule.kind != RULE_NONE ? EN_HAS_RULE : 0));
        e->bands = plan_bands(rs, n, &oom);
        const expr *s = e->bands ? e->bands->subject : NULL;
        e->subject = s && s->kind == EX_FACT && s->u.ref.slot <= INT16_MAX ? (int16_t)s->u.ref.slot : -1;
        plan_cache(rs, w, n, e);
        size_t size = (size_t)(n->last_desc - i + 1) * CACHE_WAYS;
        if (e->n_deps >= 0 && kept + size <= INT32_MAX) {
            e->kept_at = (int32_t)kept;
            kept += size;
        } else {
            e->n_deps = -1;
        }
    }
    node_facts_free(w);
    *n_kept = kept;
    return !oom;
}

void eval_plan_free(const ruleset *rs, enode *nodes) {
    if (!nodes) return;
    for (int i = 0; i < rs->n_nodes; i++) free_bands(nodes[i].bands);
}
