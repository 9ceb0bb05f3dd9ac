/* The tree of a rule file. The parser builds it (every node with its source location), the
 * checker resolves names and types in place (ref.slot, type, folded patterns), and the evaluator
 * runs the resolved tree. Everything lives in the rule set's arena. */
#ifndef CHISO_AST_H
#define CHISO_AST_H
#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "decimal.h"
#include "diag.h"
#include "facts.h"

typedef enum { TY_UNKNOWN = 0, TY_NUM, TY_BOOL, TY_DATE, TY_CHOICE } value_type;

/* Numbers carry a unit hint so that the checker can tell a percent from a count. */
typedef enum { NU_PLAIN = 0, NU_PERCENT, NU_COUNT } num_unit;

typedef enum {
    EX_NUM,    /* literal number or percent */
    EX_DATE,   /* literal date, days since 1970-01-01 */
    EX_BOOL,   /* true / false */
    EX_NAME,   /* identifier before resolution */
    EX_FACT,   /* resolved: ref.slot = fact index */
    EX_DEF,    /* resolved: ref.slot = memo slot of a `def` */
    EX_LET,    /* resolved: ref.slot = memo slot of a `let` */
    EX_OPTION, /* resolved: a choice option, ref.slot = option index */
    EX_MAXREF, /* `max`: the node's maximum */
    EX_NEG, EX_NOT,
    EX_ADD, EX_SUB, EX_MUL, EX_DIV,
    EX_EQ, EX_NE, EX_LT, EX_LE, EX_GT, EX_GE,
    EX_AND, EX_OR,
    EX_IF,
    EX_MIN, EX_MAX, /* min(...), max(...) */
    EX_CALL,  /* f(a, b): a def with parameters; u.call.def = its index after check */
    EX_PARAM, /* a parameter inside such a def: ref.slot = its position */
    EX_MATCH  /* match SUBJECT { arms }: bands as an expression */
} expr_kind;

typedef struct arm arm;

typedef struct expr expr;
struct expr {
    expr_kind kind;
    uint8_t type;   /* value_type, set by the checker */
    uint8_t unit;   /* num_unit hint */
    int16_t choice; /* TY_CHOICE: index of the fact whose options these are */
    uint16_t depth; /* height of the tree below (1 for a leaf), saturating: the parser refuses
                     * trees too deep for the checker's and evaluator's recursion */
    src_loc loc;
    union {
        dec_t num; /* EX_NUM, EX_DATE (days), EX_BOOL (0/1) */
        struct {
            const char *name;
            int slot;
        } ref;
        struct {
            expr *a, *b, *c;
        } op;
        struct {
            expr **args;
            int n;
            const char *name; /* EX_CALL */
            int def;          /* EX_CALL, after check */
        } call;
        struct {
            expr *subject;
            arm *arms;
            int n;
        } match;
    } u;
};

typedef enum { PAT_EQ, PAT_RANGE, PAT_OPTION, PAT_BOOL, PAT_ELSE } pattern_kind;

/* One pattern of a band arm. Bounds are literals folded by the checker. */
typedef struct {
    pattern_kind kind;
    src_loc loc;
    bool has_lo, has_hi;
    bool lo_incl, hi_incl;
    dec_t lo, hi;        /* PAT_EQ uses lo; PAT_BOOL uses lo (0/1); PAT_OPTION uses option */
    const char *name;    /* PAT_OPTION before resolution */
    int option;          /* PAT_OPTION after resolution */
    expr *lo_e, *hi_e;   /* as written (literals), folded into lo/hi */
} pattern;

struct arm {
    pattern *pats;
    int n_pats;
    expr *result;  /* band/choice arm result; sum part: points */
    expr *cond;    /* sum part: condition */
    src_loc loc;
    const char *text; /* the arm as written, for reports */
    /* Set by the checker when `result` is a constant (with `max` as the node's maximum, as in
     * `max * 50%`): the evaluator returns `value` instead of working it out for every unit. */
    bool is_const;
    dec_t value;
};

/* RULE_GIVEN: the score is given directly (an appraised score from a published table); the
 * checker declares a number fact named by the node's code and turns the rule into RULE_EXPR. */
typedef enum { RULE_NONE = 0, RULE_EXPR, RULE_BANDS, RULE_SUM, RULE_GIVEN } rule_kind;

typedef struct {
    rule_kind kind;
    expr *e;  /* RULE_EXPR: the score; RULE_BANDS: the subject */
    arm *arms;
    int n_arms;
    src_loc loc;
    const char *text; /* RULE_EXPR as written */
} rule;

typedef enum { NA_EXCLUDED, NA_FULL, NA_FIXED } na_kind;

typedef struct {
    na_kind kind;
    bool unless;  /* `unless COND` */
    expr *cond;
    expr *value;  /* NA_FIXED */
    src_loc loc;
    const char *text;
} na_clause;

typedef struct {
    const char *name;
    expr *value;
    int slot; /* memo slot */
    src_loc loc;
} let_binding;

typedef enum { NODE_AREA, NODE_CRITERION, NODE_BONUS } node_kind;

typedef struct node node;
struct node {
    node_kind kind;
    const char *code;  /* "1.2.3" */
    const char *title;
    dec_t max;          /* declared maximum (bonus: 0) */
    dec_t range_lo, range_hi; /* bonus range */
    src_loc loc, max_loc;
    const char **evidence; int n_evidence;
    const char **notes; int n_notes;
    na_clause *na; int n_na;
    let_binding *lets; int n_lets;
    rule rule;
    node **children; int n_children;
    node *parent;
    int depth; /* 0 for top-level */
    int id;    /* pre-order index in ruleset.nodes */
    int last_desc; /* id of its last descendant (itself if a leaf) */
};

typedef struct {
    const char *name;
    const char *label;
    src_loc loc;
} option_decl;

typedef struct {
    const char *name;
    value_type type;
    fact_type ftype;
    num_unit unit;
    const char *description;
    option_decl *options; int n_options;
    bool has_lo, has_hi;
    expr *lo_e, *hi_e;
    dec_t lo, hi;
    src_loc loc;
    bool used;
} fact_decl;

typedef struct {
    const char *name;
    value_type type;   /* number unless annotated: def f(x: bool) */
    num_unit unit;
    src_loc loc;
} param_decl;

typedef struct {
    const char *name;
    expr *value;
    int slot;
    src_loc loc;
    param_decl *params; int n_params; /* a def with parameters is a function, not memoised */
} def_decl;

/* Tests written in the language: given facts, expected scores and statuses. */
typedef struct {
    const char *name;
    expr *value;   /* a literal; an option name as EX_NAME until checked */
    int fact;      /* after check */
    src_loc loc;
} test_given;

typedef struct {
    const char *target;      /* a node code, "total" or "index" */
    int node;                /* node id, -1 for total/index (after check) */
    bool has_value;
    dec_t value;
    const char *status_word; /* expected status name, or NULL */
    int status;              /* node_status (after check), -1 if none */
    src_loc loc;
} test_expect;

typedef struct {
    const char *name;
    src_loc loc;
    test_given *given; int n_given;
    test_expect *expects; int n_expects;
    fact_value *facts; /* [n_facts] built by the checker */
} test_case;

typedef enum { ROUND_NONE = 0, ROUND_NODES, ROUND_LEAVES, ROUND_TOTAL } round_scope;

typedef struct {
    const char *title;
    int year;
    const char *source;
    bool has_max;  dec_t max; src_loc max_loc;
    round_scope round_scope; int round_places; dec_rounding round_mode;
    bool round_index; int index_places; dec_rounding index_mode;
    src_loc loc;
    bool present;
    arm *classes; int n_classes; /* classify: patterns over the index (as a fraction), text = label */
    test_case *tests; int n_tests;

    fact_decl *facts; int n_facts;
    def_decl *defs; int n_defs;
    node **top; int n_top;   /* top-level nodes */
    node **nodes; int n_nodes; /* all nodes, pre-order (after check) */
    int n_slots;             /* memo slots: defs then lets */
    const expr **slot_expr;  /* per slot (after check): the def's or the let's expression */
    const node **slot_node;  /* per slot: the let's node (NULL for a def); NULL arrays if out of memory */
    fact_spec *specs;        /* facts as the fact reader wants them (after check) */

    arena *arena;
    const char *file; /* main file */
} ruleset;

/* Allocation helpers for the parser. */
expr *ast_expr(arena *a, expr_kind k, src_loc loc);
expr *ast_binary(arena *a, expr_kind k, expr *l, expr *r, src_loc loc);

/* Growable arrays inside the arena (capacity doubles; old storage stays in the arena). */
void *ast_push(arena *a, void *array, int *n, size_t elem);
#define AST_PUSH(A, ARR, N) ((__typeof__(ARR))ast_push((A), (ARR), &(N), sizeof *(ARR)))

const char *ast_status_name(int status);

/* The value of a constant expression: numbers, `max` (n's maximum; not constant when n is NULL) and
 * arithmetic on them, worked out as the evaluator would. false when e is not constant or its
 * arithmetic fails (that failure is then the evaluator's to report, for each unit). */
bool ast_fold(const expr *e, const node *n, dec_t *out);

#endif
