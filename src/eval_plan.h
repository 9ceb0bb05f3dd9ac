/* The evaluator's own compact copy of a checked rule set: what the walk over each unit reads, laid
 * out for it. Internal to eval.c and eval_plan.c.
 *
 * The walk used to follow the AST. A node's hot fields lie on several cache lines of a struct that
 * shares the arena with titles, clauses and expressions, and a band's patterns sit behind two more
 * pointers, so each unit fetched them all again from L2: about 12 L1 misses a node, which made the
 * walk slower than its instruction count. Here each node is one cache line, in tree order, and the
 * bands a node's score comes from are one array. */
#ifndef CHISO_EVAL_PLAN_H
#define CHISO_EVAL_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "ast.h"
#include "eval.h"

/* A value during evaluation: N/A and missing are states, not special numbers. */
enum { V_OK = 0, V_MISSING, V_ERROR };

typedef struct {
    uint8_t st;
    uint8_t err;   /* eval_error, V_ERROR */
    int32_t fact;  /* V_MISSING: which fact */
    const expr *at;
    dec_t v;
} value;

static inline value value_ok(dec_t v) { value r = {V_OK, 0, -1, NULL, v}; return r; }

/* One pattern of a band, every kind as a range (a value, an option and a bool are [v, v]; else has
 * no bounds), so that matching is two comparisons and no switch. A choice's value is its option
 * index, a whole number, so `v = option` as numbers is `v.num == option`. */
typedef struct {
    dec_t lo, hi;
    int32_t arm;    /* the arm it belongs to */
    bool has_lo, has_hi;
    int8_t lo_min;  /* dec_cmp(v, lo) must be at least this: 0 when lo is included, else 1 */
    int8_t hi_max;  /* dec_cmp(v, hi) must be at most this: 0 when hi is included, else -1 */
} band_pat;

/* A node's score as bands over a subject: the node's own bands (`score by X { ... }`), or a call of
 * a function whose body is bands over one of its parameters, every other argument a constant
 * (`score hoan_thanh_3_muc(ty_le, 1, 0.5)`, the way rule sets use the library). For a call the
 * arguments are worked out once; for each unit only the subject is evaluated, and the result is
 * what evaluating the call gives, down to the arm reported and the order of failures (the subject's
 * argument is the only one that can fail). Results that are constants are worked out once too. */
typedef struct {
    const expr *subject;
    const arm *arms;         /* as written: results that are not constant, and the arm to report */
    const expr *no_match_at; /* where "no band matches" is reported */
    int at;                  /* a call: its subject parameter's position; -1: the node's own bands */
    value *frame;            /* a call: its arguments, frame[at] set for each unit */
    band_pat *pats;
    int n_pats;
    bool *arm_const;         /* per arm */
    dec_t *arm_value;
} band_plan;

/* The first arm whose pattern v matches, or -1. */
static inline int band_plan_match(const band_plan *p, dec_t v) {
    for (int i = 0; i < p->n_pats; i++) {
        const band_pat *q = &p->pats[i];
        if (q->has_lo && dec_cmp(v, q->lo) < q->lo_min) continue;
        if (q->has_hi && dec_cmp(v, q->hi) > q->hi_max) continue;
        return q->arm;
    }
    return -1;
}

/* Each node's line. Its children are id + 1, then each child's last_desc + 1, up to its own
 * last_desc (pre-order).
 *
 * It also keeps the whole results of the node's subtree for its last few combinations of inputs.
 * Those results are a function of the facts the subtree's rules, not-applicable clauses and the
 * lets and defs they use read, and of nothing else: a node's maximum changes only through an
 * exclusion below it, which those facts decide too. A subtree that reads only one to four bool or
 * choice facts sees few combinations, so for most units its whole evaluation becomes a few
 * comparisons and a copy: a criterion and its sub-criteria, or a whole area. The key packs each input
 * in KEY_BITS bits: its state, and when it is read its value (a bool, or a choice's option index, at
 * most KEY_VALUE_MAX). The kept results are st->kept[kept_at + way * size + (node - id)], size being
 * the number of nodes in the subtree. */
enum { CACHE_DEPS_MAX = 4, CACHE_WAYS = 4, KEY_BITS = 8, KEY_VALUE_MAX = 63 };
enum { EN_BONUS = 1, EN_HAS_NA = 2, EN_HAS_RULE = 4 };
typedef struct {
    _Alignas(64) band_plan *bands; /* NULL when the score does not come from bands */
    dec_t max;        /* declared */
    int32_t last_desc;
    int32_t kept_at;  /* where its kept results start */
    uint32_t key[CACHE_WAYS];
    uint16_t deps[CACHE_DEPS_MAX];
    int16_t subject;  /* the fact the bands look at; -1: another expression, or no bands */
    int8_t n_deps;    /* -1 when nothing is kept (it reads other facts, or too many) */
    uint8_t used, next;
    uint8_t flags;    /* EN_* */
} enode;

_Static_assert(sizeof(enode) == 64, "one cache line a node");

/* nodes[rs->n_nodes], aligned for enode and zeroed. *n_kept: how many results the caches need.
 * false when out of memory; eval_plan_free then frees what was built. */
bool eval_plan_build(const ruleset *rs, enode *nodes, size_t *n_kept);
void eval_plan_free(const ruleset *rs, enode *nodes);

#endif
