#include "node_facts.h"

#include <stdlib.h>

struct node_facts {
    const ruleset *rs;
    const expr **slot_expr; /* memo slot -> the def's or let's expression */
    int *fact_mark, *slot_mark; /* the stamp of the last walk that reached it */
    int stamp;
    void (*fn)(void *ud, int fact);
    void *ud;
};

node_facts *node_facts_new(const ruleset *rs) {
    node_facts *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    size_t nf = (size_t)rs->n_facts + 1, ns = (size_t)rs->n_slots + 1;
    w->rs = rs;
    w->slot_expr = rs->slot_expr; /* the checker's */
    w->fact_mark = calloc(nf, sizeof *w->fact_mark);
    w->slot_mark = calloc(ns, sizeof *w->slot_mark);
    if (!w->slot_expr || !w->fact_mark || !w->slot_mark) {
        node_facts_free(w);
        return NULL;
    }
    return w;
}

void node_facts_free(node_facts *w) {
    if (!w) return;
    free(w->fact_mark);
    free(w->slot_mark);
    free(w);
}

static void walk(node_facts *w, const expr *e);

static void walk_slot(node_facts *w, int s) {
    if (s < 0 || s >= w->rs->n_slots || w->slot_mark[s] == w->stamp) return;
    w->slot_mark[s] = w->stamp;
    walk(w, w->slot_expr[s]);
}

static void walk_arms(node_facts *w, const arm *arms, int n) {
    for (int i = 0; i < n; i++) {
        walk(w, arms[i].cond);
        walk(w, arms[i].result);
    }
}

/* Keep in step with the expression kinds of ast.h (no default: a new kind must be taught here). */
static void walk(node_facts *w, const expr *e) {
    if (!e) return;
    switch (e->kind) {
    case EX_NUM: case EX_DATE: case EX_BOOL: case EX_NAME: case EX_OPTION: case EX_MAXREF:
    case EX_PARAM:
        return;
    case EX_FACT: {
        int f = e->u.ref.slot;
        if (f < 0 || f >= w->rs->n_facts || w->fact_mark[f] == w->stamp) return;
        w->fact_mark[f] = w->stamp;
        w->fn(w->ud, f);
        return;
    }
    case EX_DEF: case EX_LET:
        walk_slot(w, e->u.ref.slot);
        return;
    case EX_CALL:
        for (int i = 0; i < e->u.call.n; i++) walk(w, e->u.call.args[i]);
        if (e->u.call.def >= 0 && e->u.call.def < w->rs->n_defs) walk_slot(w, w->rs->defs[e->u.call.def].slot);
        return;
    case EX_MATCH:
        walk(w, e->u.match.subject);
        walk_arms(w, e->u.match.arms, e->u.match.n);
        return;
    case EX_NEG: case EX_NOT:
        walk(w, e->u.op.a);
        return;
    case EX_ADD: case EX_SUB: case EX_MUL: case EX_DIV:
    case EX_EQ: case EX_NE: case EX_LT: case EX_LE: case EX_GT: case EX_GE:
    case EX_AND: case EX_OR:
        walk(w, e->u.op.a);
        walk(w, e->u.op.b);
        return;
    case EX_IF:
        walk(w, e->u.op.a);
        walk(w, e->u.op.b);
        walk(w, e->u.op.c);
        return;
    case EX_MIN: case EX_MAX:
        for (int i = 0; i < e->u.call.n; i++) walk(w, e->u.call.args[i]);
        return;
    }
}

static void walk_node(node_facts *w, const node *n) {
    for (int i = 0; i < n->n_na; i++) {
        walk(w, n->na[i].cond);
        walk(w, n->na[i].value);
    }
    switch (n->rule.kind) {
    case RULE_NONE: break;
    case RULE_EXPR: case RULE_GIVEN: walk(w, n->rule.e); break;
    case RULE_BANDS:
        walk(w, n->rule.e);
        walk_arms(w, n->rule.arms, n->rule.n_arms);
        break;
    case RULE_SUM: walk_arms(w, n->rule.arms, n->rule.n_arms); break;
    }
}

void node_facts_each(node_facts *w, const node *n, void (*fn)(void *ud, int fact), void *ud) {
    w->stamp++;
    w->fn = fn;
    w->ud = ud;
    walk_node(w, n);
}

void node_facts_each_in_subtree(node_facts *w, const node *n, void (*fn)(void *ud, int fact), void *ud) {
    w->stamp++;
    w->fn = fn;
    w->ud = ud;
    for (int i = n->id; i <= n->last_desc && i < w->rs->n_nodes; i++) walk_node(w, w->rs->nodes[i]);
}
