/* Scoring one unit: the resolved tree, run against one unit's fact values. No name lookups and
 * no allocation per unit: the caller owns an eval_state sized once for the rule set. */
#ifndef CHISO_EVAL_H
#define CHISO_EVAL_H
#include "ast.h"
#include "facts.h"

typedef enum {
    ST_SCORED = 0, /* a rule or the sum of the children gave it */
    ST_EXCLUDED,   /* not applicable, removed from score and maximum */
    ST_FULL,       /* not applicable, scored its maximum */
    ST_FIXED,      /* not applicable, scored a fixed value */
    ST_MISSING,    /* a fact it needs is missing or bad */
    ST_ERROR,      /* division by zero, overflow */
    ST_CLAMPED     /* the rule gave more than the maximum or less than 0 (bonus: outside range) */
} node_status;

/* What decided a node's score (for reports): */
typedef enum {
    BY_RULE = 0, /* RULE_EXPR */
    BY_ARM,      /* RULE_BANDS: arm index in `which` */
    BY_NO_ARM,   /* RULE_BANDS: no arm matched -> 0, an error */
    BY_PARTS,    /* RULE_SUM: `which` = bit mask of the parts that held (first 31) */
    BY_CHILDREN, /* sum of the children */
    BY_NA,       /* not-applicable clause `which` */
    BY_PARENT    /* an ancestor's not-applicable clause */
} decided_kind;

/* EV_BAD_FACT goes with ST_MISSING: the fact was given but could not be read. */
typedef enum { EV_OK = 0, EV_DIVZERO, EV_OVERFLOW, EV_NO_ARM, EV_DEPTH, EV_BAD_FACT } eval_error;

typedef struct {
    dec_t score;    /* valid for scored, full, fixed, clamped */
    dec_t max;      /* effective maximum (0 when excluded; bonus: 0) */
    dec_t raw;      /* the rule's value before clamping and rounding */
    uint8_t status; /* node_status */
    uint8_t by;     /* decided_kind */
    uint8_t error;  /* eval_error when status == ST_ERROR */
    uint8_t rounded; /* raw != score because of rounding */
    int32_t which;
    int32_t fact;   /* ST_MISSING: the first missing fact's index */
    const expr *at; /* ST_ERROR: where */
    const arm *via; /* BY_RULE: the `match` arm (e.g. in a library function) that decided, if any */
} node_result;

typedef struct {
    dec_t score, max, index; /* index in percent (85.71 means 85.71%) */
    uint8_t status;          /* ST_SCORED, ST_MISSING or ST_ERROR (the first bad node's) */
    int32_t bad_node;        /* first node that is missing or in error, -1 if none */
    bool index_ok;           /* max > 0 and status == ST_SCORED */
    int32_t class_index;     /* the classification (rs->classes) the index falls in, -1 if none */
} unit_total;

typedef struct eval_state eval_state;

eval_state *eval_new(const ruleset *rs);
void eval_free(eval_state *st);

/* Score one unit. values[rs->n_facts] (fact_value from facts.h); results[rs->n_nodes]. */
void eval_unit(eval_state *st, const fact_value *values, node_result *results, unit_total *total);

/* For explanations: evaluate any expression of node n for the unit last given to eval_unit
 * (its facts, and its defs and lets as memoised then). Not for the hot path. */
typedef struct {
    uint8_t state; /* 0 ok, 1 missing (fact says which), 2 error (error, at) */
    uint8_t error; /* eval_error */
    int32_t fact;
    const expr *at;
    dec_t v;       /* numbers; bools 0/1; dates as days; choices as the option index */
} eval_value;

eval_value eval_expression(eval_state *st, const expr *e, const node *n);
bool eval_pattern_matches(const pattern *p, dec_t v);

const char *eval_status_name(node_status s);
const char *eval_error_text(eval_error e);

#endif
