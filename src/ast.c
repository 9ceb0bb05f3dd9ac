#include "ast.h"

#include <string.h>

expr *ast_expr(arena *a, expr_kind k, src_loc loc) {
    expr *e = arena_alloc(a, sizeof *e);
    if (!e) return NULL;
    e->kind = k;
    e->loc = loc;
    e->choice = -1;
    e->depth = 1;
    return e;
}

expr *ast_binary(arena *a, expr_kind k, expr *l, expr *r, src_loc loc) {
    expr *e = ast_expr(a, k, loc);
    if (!e) return NULL;
    e->u.op.a = l;
    e->u.op.b = r;
    unsigned d = (l ? l->depth : 0u) > (r ? r->depth : 0u) ? (l ? l->depth : 0u) : (r ? r->depth : 0u);
    e->depth = (uint16_t)(d + 1 < 65535 ? d + 1 : 65535);
    return e;
}

/* Capacity is implicit: it is the next power of two >= n (at least 4), so the array grows
 * exactly when n reaches such a power. The old storage stays in the arena until it is freed. */
void *ast_push(arena *a, void *array, int *n, size_t elem) {
    int k = *n;
    if (k == 0 || (k >= 4 && (k & (k - 1)) == 0)) {
        size_t cap = k == 0 ? 4 : (size_t)k * 2;
        void *p = arena_alloc(a, cap * elem);
        if (!p) return array; /* out of memory: the caller writes into old storage; see below */
        if (k) memcpy(p, array, (size_t)k * elem);
        array = p;
    }
    *n = k + 1;
    return array;
}

bool ast_fold(const expr *e, const node *n, dec_t *out) {
    dec_t a, b;
    switch (e->kind) {
    case EX_NUM: *out = e->u.num; return true;
    case EX_MAXREF: if (!n) return false; *out = n->max; return true;
    case EX_NEG: return ast_fold(e->u.op.a, n, &a) && dec_neg(a, out) == DEC_OK;
    case EX_ADD: return ast_fold(e->u.op.a, n, &a) && ast_fold(e->u.op.b, n, &b) && dec_add(a, b, out) == DEC_OK;
    case EX_SUB: return ast_fold(e->u.op.a, n, &a) && ast_fold(e->u.op.b, n, &b) && dec_sub(a, b, out) == DEC_OK;
    case EX_MUL: return ast_fold(e->u.op.a, n, &a) && ast_fold(e->u.op.b, n, &b) && dec_mul(a, b, out) == DEC_OK;
    case EX_DIV: return ast_fold(e->u.op.a, n, &a) && ast_fold(e->u.op.b, n, &b) && dec_div(a, b, out) == DEC_OK;
    default: return false;
    }
}
