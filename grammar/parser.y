/* The grammar of rule files (see docs/language.md). A pure parser that builds the tree of
 * src/ast.h, with a location on every node; names are resolved later, by the checker. */
%require "3.8"
%define api.pure full
%define api.prefix {chs_yy}
%define api.location.type {chs_loc}
%define api.value.type union
%define parse.error detailed
%locations
%param {void *scanner}
%parse-param {parse_ctx *pc}
%expect 0
%initial-action { @$.first_line = @$.last_line = 1; @$.first_column = @$.last_column = 1; @$.first_byte = @$.last_byte = 0; }

%code requires {
#include "parse_internal.h"
}

%code provides {
int chs_yylex(CHS_YYSTYPE *yylval, CHS_YYLTYPE *yylloc, void *scanner);
}

%code {
#include <string.h>

#define YYLLOC_DEFAULT(Cur, Rhs, N)                                  \
    do {                                                             \
        if (N) {                                                     \
            (Cur).first_line = YYRHSLOC(Rhs, 1).first_line;          \
            (Cur).first_column = YYRHSLOC(Rhs, 1).first_column;      \
            (Cur).first_byte = YYRHSLOC(Rhs, 1).first_byte;          \
            (Cur).last_line = YYRHSLOC(Rhs, N).last_line;            \
            (Cur).last_column = YYRHSLOC(Rhs, N).last_column;        \
            (Cur).last_byte = YYRHSLOC(Rhs, N).last_byte;            \
        } else {                                                     \
            (Cur).first_line = (Cur).last_line = YYRHSLOC(Rhs, 0).last_line;       \
            (Cur).first_column = (Cur).last_column = YYRHSLOC(Rhs, 0).last_column; \
            (Cur).first_byte = (Cur).last_byte = YYRHSLOC(Rhs, 0).last_byte;       \
        }                                                            \
    } while (0)

/* Deep nesting ends the parse with a clear message instead of exhausting the C stack of the
 * checker and evaluator, which recurse over the tree. */
#define YYMAXDEPTH 1000
#define YYINITDEPTH 200

static void chs_yyerror(CHS_YYLTYPE *l, void *scanner, parse_ctx *pc, const char *msg);

#define LOC(l) parse_src_loc(pc, &(l))
#define A (pc->arena)

static expr *num_expr(parse_ctx *pc, const num_lit *n, const chs_loc *l) {
    expr *e = ast_expr(A, EX_NUM, parse_src_loc(pc, l));
    e->u.num = n->value;
    e->unit = (uint8_t)n->unit;
    return e;
}

static const char *cat(parse_ctx *pc, const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    char *s = arena_alloc(A, la + lb + 1);
    memcpy(s, a, la);
    memcpy(s + la, b, lb + 1);
    return s;
}


static void add_given(parse_ctx *pc, const char *name, expr *value, const chs_loc *l) {
    test_case *t = &pc->rs->tests[pc->rs->n_tests - 1];
    t->given = AST_PUSH(A, t->given, t->n_given);
    test_given *g = &t->given[t->n_given - 1];
    g->name = name;
    g->value = value;
    g->loc = parse_src_loc(pc, l);
}

static void add_def(parse_ctx *pc, const char *name, const param_list *params, expr *value,
                    const chs_loc *l) {
    ruleset *rs = pc->rs;
    rs->defs = AST_PUSH(A, rs->defs, rs->n_defs);
    def_decl *d = &rs->defs[rs->n_defs - 1];
    d->name = name;
    d->value = value;
    d->loc = parse_src_loc(pc, l);
    if (params) {
        d->params = params->v;
        d->n_params = params->n;
    }
}

static test_expect *add_expect(parse_ctx *pc, const chs_loc *l) {
    test_case *t = &pc->rs->tests[pc->rs->n_tests - 1];
    t->expects = AST_PUSH(A, t->expects, t->n_expects);
    test_expect *x = &t->expects[t->n_expects - 1];
    x->target = pc->target;
    x->loc = parse_src_loc(pc, l);
    x->node = -1;
    return x;
}

static node *close_node(parse_ctx *pc, node *n) {
    pc->cur = n->parent;
    if (pc->cur) {
        pc->cur->children = AST_PUSH(A, pc->cur->children, pc->cur->n_children);
        pc->cur->children[pc->cur->n_children - 1] = n;
    }
    return n;
}

/* Expressions deeper than this are refused: the checker and the evaluator recurse over them.
 * A left-associative chain (1 + 1 + 1 ...) grows the tree, not the parser's stack. */
enum { EXPR_MAX_DEPTH = 1000 };

static expr *deep(parse_ctx *pc, expr *e, const chs_loc *l) {
    if (e && e->depth > EXPR_MAX_DEPTH && !pc->deep_reported) {
        pc->deep_reported = true;
        parse_error(pc, l, "expression nested too deeply (more than %d levels); split it with 'let'",
                    EXPR_MAX_DEPTH);
    }
    return e;
}

static expr *call_expr(parse_ctx *pc, expr_kind k, const expr_list *args, const chs_loc *l) {
    expr *e = ast_expr(A, k, parse_src_loc(pc, l));
    e->u.call.args = args->v;
    e->u.call.n = args->n;
    unsigned d = 0;
    for (int i = 0; i < args->n; i++) if (args->v[i]->depth > d) d = args->v[i]->depth;
    e->depth = (uint16_t)(d < 65534 ? d + 1 : 65535);
    return deep(pc, e, l);
}

static void na_finish(parse_ctx *pc, bool unless, expr *cond, const chs_loc *l) {
    node *n = pc->cur;
    n->na = AST_PUSH(A, n->na, n->n_na);
    na_clause *c = &n->na[n->n_na - 1];
    c->kind = pc->na_kind;
    c->unless = unless;
    c->cond = cond;
    c->value = pc->na_value;
    c->loc = parse_src_loc(pc, l);
    c->text = parse_text(pc, l);
}

static rule *start_rule(parse_ctx *pc, rule_kind k, const chs_loc *l) {
    node *n = pc->cur;
    if (n->rule.kind != RULE_NONE) {
        parse_error(pc, l, "criterion %s already has a rule (at line %d); a node has at most one "
                    "'score'", n->code, n->rule.loc.line);
        return NULL;
    }
    n->rule.kind = k;
    n->rule.loc = parse_src_loc(pc, l);
    return &n->rule;
}

/* A range from two pattern atoms; both must be numbers or dates. */
static pattern range_pat(parse_ctx *pc, const pattern *lo, bool lo_incl, const pattern *hi,
                         bool hi_incl, const chs_loc *l) {
    pattern p;
    memset(&p, 0, sizeof p);
    p.kind = PAT_RANGE;
    p.loc = parse_src_loc(pc, l);
    const pattern *bad = (lo && lo->kind != PAT_EQ) ? lo : (hi && hi->kind != PAT_EQ) ? hi : NULL;
    if (bad) {
        src_loc bl = bad->loc;
        diag_emit(pc->diags, DIAG_ERROR, &bl, NULL, 0, "a range needs numbers, percentages or dates");
        pc->errors++;
        p.kind = PAT_ELSE;
        return p;
    }
    if (lo) { p.has_lo = true; p.lo_incl = lo_incl; p.lo_e = lo->lo_e; }
    if (hi) { p.has_hi = true; p.hi_incl = hi_incl; p.hi_e = hi->lo_e; }
    return p;
}

static dec_t neg(dec_t v) { dec_t r; if (dec_neg(v, &r) != DEC_OK) r = v; return r; }

static node *new_node(parse_ctx *pc, node_kind k, const char *code, const char *title,
                      const chs_loc *l) {
    node *n = arena_alloc(A, sizeof *n);
    n->kind = k;
    n->code = code;
    n->title = title;
    n->loc = parse_src_loc(pc, l);
    n->max = dec_from_int(0);
    return n;
}

static int small_int(parse_ctx *pc, const num_lit *n, const chs_loc *l, int lo, int hi,
                     const char *what) {
    if (!dec_is_integer(n->value) || n->unit != NU_PLAIN || n->value.num < lo ||
        n->value.num > hi) {
        parse_error(pc, l, "%s must be a whole number from %d to %d", what, lo, hi);
        return lo;
    }
    return (int)n->value.num;
}
}

%token IMPORT "import" RULESET "ruleset" YEAR "year" SOURCE "source" ROUND "round"
%token INDEX "index" NODES "nodes" LEAVES "leaves" TOTAL "total"
%token HALF_UP "half_up" HALF_EVEN "half_even"
%token FACT "fact" DEF "def" T_NUMBER "number" T_PERCENT "percent" T_COUNT "count"
%token T_BOOL "bool" T_DATE "date" T_CHOICE "choice" IN "in"
%token AREA "area" CRITERION "criterion" BONUS "bonus" MAX "max" MIN "min" RANGE "range"
%token EVIDENCE "evidence" NOTE "note" LET "let" SCORE "score" BY "by" SUM "sum"
%token NOT "not" APPLICABLE "applicable" IF "if" UNLESS "unless" THEN "then" ELSE "else"
%token AND "and" OR "or" TRUE "true" FALSE "false" EXCLUDED "excluded" GIVEN "given"
%token CLASSIFY "classify" LANGUAGE "language" TEST "test" EXPECT "expect" MATCH "match"
%token ARROW "=>" DOTDOT ".." LE "<=" GE ">=" NE "!="
%token ERROR_TOKEN "invalid token"
%token <num_lit> NUMBER "number literal"
%token <int64_t> DATE "date literal"
%token <const char *> STRING "string" IDENT "name" CODE "code"

%type <const char *> title code opt_title
%type <expr *> expr primary bound test_value
%type <expr_list> args
%type <node *> node_head node_decl node_open
%type <int> round_scope round_mode simple_type
%type <num_lit> signed_num
%type <pattern> pattern patom
%type <pattern_list> patterns
%type <arm_list> arms arm_seq parts part_seq
%type <param_list> params
%type <int> param_type
%type <arm> arm part

%precedence ELSE
%left OR
%left AND
%precedence NOT
%nonassoc '=' NE '<' LE '>' GE
%left '+' '-'
%left '*' '/'
%precedence UMINUS

%%

file
    : %empty
    | file item { pc->items_seen++; }
    ;

item
    : LANGUAGE IDENT {
          /* the scanner has already switched keywords; here only the position is checked */
          if (pc->items_seen) parse_error(pc, &@1, "'language' must come first in a file");
      }
    | IMPORT STRING {
          pc->imports = AST_PUSH(A, pc->imports, pc->n_imports);
          pc->imports[pc->n_imports - 1].path = $2;
          pc->imports[pc->n_imports - 1].loc = LOC(@2);
          pc->imports[pc->n_imports - 1].library = false;
      }
    | IMPORT IDENT { /* a file of the standard library, by name: import hoan_thanh */
          pc->imports = AST_PUSH(A, pc->imports, pc->n_imports);
          pc->imports[pc->n_imports - 1].path = $2;
          pc->imports[pc->n_imports - 1].loc = LOC(@2);
          pc->imports[pc->n_imports - 1].library = true;
      }
    | RULESET title '{' settings '}' {
          ruleset *rs = pc->rs;
          if (rs->present) parse_error(pc, &@1, "a second 'ruleset' block (only one per rule set)");
          rs->present = true;
          rs->title = $2;
          rs->loc = LOC(@1);
      }
    | fact_decl
    | CLASSIFY '{' class_arms '}' /* outside the ruleset block too, so a library can hold a scale */
    | DEF IDENT '=' expr { add_def(pc, $2, NULL, $4, &@2); }
    | DEF IDENT '(' params ')' '=' expr { add_def(pc, $2, &$4, $7, &@2); }
    | node_decl {
          pc->rs->top = AST_PUSH(A, pc->rs->top, pc->rs->n_top);
          pc->rs->top[pc->rs->n_top - 1] = $1;
      }
    | test_decl
    | error '}'
    ;

title
    : STRING
    | title STRING { $$ = cat(pc, $1, $2); }
    ;

opt_title
    : %empty { $$ = NULL; }
    | title
    ;

settings
    : %empty
    | settings setting
    ;

setting
    : YEAR NUMBER { pc->rs->year = small_int(pc, &$2, &@2, 1900, 2999, "the year"); }
    | SOURCE title { pc->rs->source = $2; }
    | MAX NUMBER { pc->rs->has_max = true; pc->rs->max = $2.value; pc->rs->max_loc = LOC(@2); }
    | ROUND NUMBER round_scope round_mode {
          pc->rs->round_places = small_int(pc, &$2, &@2, 0, 9, "the number of decimals");
          pc->rs->round_scope = $3;
          pc->rs->round_mode = $4;
      }
    | CLASSIFY '{' class_arms '}'
    | ROUND INDEX NUMBER round_mode {
          pc->rs->round_index = true;
          pc->rs->index_places = small_int(pc, &$3, &@3, 0, 9, "the number of decimals");
          pc->rs->index_mode = $4;
      }
    | error
    ;

/* def muc(ty_le: percent, diem) = ... : parameters are numbers unless annotated */
params
    : param { $$.v = NULL; $$.n = 0; $$.v = AST_PUSH(A, $$.v, $$.n); $$.v[0] = pc->param; }
    | params ',' param { $$ = $1; $$.v = AST_PUSH(A, $$.v, $$.n); $$.v[$$.n - 1] = pc->param; }
    ;

param
    : IDENT param_type {
          memset(&pc->param, 0, sizeof pc->param);
          pc->param.name = $1;
          pc->param.loc = LOC(@1);
          switch ($2) {
          case FACT_BOOL: pc->param.type = TY_BOOL; break;
          case FACT_DATE: pc->param.type = TY_DATE; break;
          default: pc->param.type = TY_NUM; break;
          }
          pc->param.unit = $2 == FACT_PERCENT ? NU_PERCENT : $2 == FACT_COUNT ? NU_COUNT : NU_PLAIN;
      }
    ;

param_type
    : %empty { $$ = FACT_NUMBER; }
    | ':' simple_type { $$ = $2; }
    ;

/* test "name" { given x = 17, tt = du  expect 1.1 = 0.5  expect 3 excluded  expect total = 3.85 } */
test_decl
    : TEST title '{' {
          ruleset *rs = pc->rs;
          rs->tests = AST_PUSH(A, rs->tests, rs->n_tests);
          test_case *t = &rs->tests[rs->n_tests - 1];
          t->name = $2;
          t->loc = LOC(@1);
      } test_items '}'
    ;

test_items
    : %empty
    | test_items test_item
    ;

test_item
    : GIVEN assigns
    | EXPECT test_target '=' signed_num {
          test_expect *x = add_expect(pc, &@$);
          x->has_value = true;
          x->value = $4.value;
      }
    | EXPECT test_target EXCLUDED { add_expect(pc, &@$)->status_word = "excluded"; }
    | EXPECT test_target IDENT { add_expect(pc, &@$)->status_word = $3; }
    ;

test_target
    : code { pc->target = $1; }
    | TOTAL { pc->target = "total"; }
    | INDEX { pc->target = "index"; }
    ;

assigns
    : assign
    | assigns ',' assign
    ;

assign
    : IDENT '=' test_value { add_given(pc, $1, $3, &@1); }
    | code '=' test_value { add_given(pc, $1, $3, &@1); } /* the given score of a node: 1.2.3 = 0.5 */
    ;

test_value
    : signed_num { $$ = num_expr(pc, &$1, &@1); }
    | DATE { $$ = ast_expr(A, EX_DATE, LOC(@1)); $$->u.num = dec_from_int($1); }
    | TRUE { $$ = ast_expr(A, EX_BOOL, LOC(@1)); $$->u.num = dec_from_int(1); }
    | FALSE { $$ = ast_expr(A, EX_BOOL, LOC(@1)); $$->u.num = dec_from_int(0); }
    | IDENT { $$ = ast_expr(A, EX_NAME, LOC(@1)); $$->u.ref.name = $1; }
    ;

/* classify { >= 90% => "Xuất sắc"; 80%..<90% => "Tốt"; else => "Trung bình" } */
class_arms
    : class_seq
    | class_seq ';'
    ;

class_seq
    : class_arm
    | class_seq ';' class_arm
    ;

class_arm
    : patterns ARROW title {
          ruleset *rs = pc->rs;
          rs->classes = AST_PUSH(A, rs->classes, rs->n_classes);
          arm *a = &rs->classes[rs->n_classes - 1];
          memset(a, 0, sizeof *a);
          a->pats = $1.v;
          a->n_pats = $1.n;
          a->loc = LOC(@$);
          a->text = $3;
      }
    ;

round_scope
    : %empty { $$ = ROUND_NODES; }
    | NODES { $$ = ROUND_NODES; }
    | LEAVES { $$ = ROUND_LEAVES; }
    | TOTAL { $$ = ROUND_TOTAL; }
    ;

round_mode
    : %empty { $$ = DEC_HALF_UP; }
    | HALF_UP { $$ = DEC_HALF_UP; }
    | HALF_EVEN { $$ = DEC_HALF_EVEN; }
    ;

fact_start
    : FACT IDENT ':' {
          ruleset *rs = pc->rs;
          rs->facts = AST_PUSH(A, rs->facts, rs->n_facts);
          fact_decl *f = &rs->facts[rs->n_facts - 1];
          f->name = $2;
          f->loc = LOC(@2);
      }
    ;

fact_decl
    : fact_start simple_type opt_title bounds_opt {
          fact_decl *f = &pc->rs->facts[pc->rs->n_facts - 1];
          f->ftype = (fact_type)$2;
          f->description = $3;
      }
    | fact_start T_CHOICE opt_title '{' options '}' {
          fact_decl *f = &pc->rs->facts[pc->rs->n_facts - 1];
          f->ftype = FACT_CHOICE;
          f->description = $3;
          if (f->n_options == 0) parse_error(pc, &@4, "a choice needs at least one option");
      }
    ;

simple_type
    : T_NUMBER { $$ = FACT_NUMBER; }
    | T_PERCENT { $$ = FACT_PERCENT; }
    | T_COUNT { $$ = FACT_COUNT; }
    | T_BOOL { $$ = FACT_BOOL; }
    | T_DATE { $$ = FACT_DATE; }
    ;

bounds_opt
    : %empty
    | IN bound DOTDOT bound {
          fact_decl *f = &pc->rs->facts[pc->rs->n_facts - 1];
          f->has_lo = f->has_hi = true;
          f->lo_e = $2;
          f->hi_e = $4;
      }
    ;

bound
    : signed_num { $$ = num_expr(pc, &$1, &@1); }
    | DATE { $$ = ast_expr(A, EX_DATE, LOC(@1)); $$->u.num = dec_from_int($1); }
    ;

signed_num
    : NUMBER
    | '-' NUMBER { $$ = $2; $$.value = neg($2.value); }
    | '+' NUMBER { $$ = $2; }
    ;

options
    : option
    | options option
    | options ',' option
    ;

option
    : IDENT opt_title {
          fact_decl *f = &pc->rs->facts[pc->rs->n_facts - 1];
          f->options = AST_PUSH(A, f->options, f->n_options);
          option_decl *o = &f->options[f->n_options - 1];
          o->name = $1;
          o->label = $2;
          o->loc = LOC(@1);
      }
    ;

/* area CODE "title" max N { ... } and the like; the body attaches to pc->cur. */
node_open
    : node_head '{' { $1->parent = pc->cur; pc->cur = $1; $$ = $1; }
    ;

node_decl
    : node_open body '}' { $$ = close_node(pc, $1); }
    | node_open body error '}' { $$ = close_node(pc, $1); }
    ;

node_head
    : AREA code title MAX signed_num {
          $$ = new_node(pc, NODE_AREA, $2, $3, &@2);
          $$->max = $5.value; $$->max_loc = LOC(@5);
      }
    | CRITERION code title MAX signed_num {
          $$ = new_node(pc, NODE_CRITERION, $2, $3, &@2);
          $$->max = $5.value; $$->max_loc = LOC(@5);
      }
    | BONUS code title RANGE signed_num DOTDOT signed_num {
          $$ = new_node(pc, NODE_BONUS, $2, $3, &@2);
          $$->range_lo = $5.value; $$->range_hi = $7.value; $$->max_loc = LOC(@5);
      }
    ;

code
    : CODE
    | NUMBER {
          if ($1.unit != NU_PLAIN) parse_error(pc, &@1, "a code is a dotted number like 1.2.3");
          $$ = $1.text;
      }
    ;

body
    : %empty
    | body body_item
    ;

body_item
    : EVIDENCE title {
          node *n = pc->cur;
          n->evidence = AST_PUSH(A, n->evidence, n->n_evidence);
          n->evidence[n->n_evidence - 1] = $2;
      }
    | NOTE title {
          node *n = pc->cur;
          n->notes = AST_PUSH(A, n->notes, n->n_notes);
          n->notes[n->n_notes - 1] = $2;
      }
    | na_clause
    | LET IDENT '=' expr {
          node *n = pc->cur;
          n->lets = AST_PUSH(A, n->lets, n->n_lets);
          let_binding *b = &n->lets[n->n_lets - 1];
          b->name = $2; b->value = $4; b->loc = LOC(@2);
      }
    | rule
    | node_decl
    ;

na_clause
    : NOT APPLICABLE IF expr na_result { na_finish(pc, false, $4, &@$); }
    | NOT APPLICABLE UNLESS expr na_result { na_finish(pc, true, $4, &@$); }
    ;

na_result
    : %empty { pc->na_kind = NA_EXCLUDED; pc->na_value = NULL; }
    | ARROW EXCLUDED { pc->na_kind = NA_EXCLUDED; pc->na_value = NULL; }
    | ARROW expr {
          if ($2->kind == EX_MAXREF) { pc->na_kind = NA_FULL; pc->na_value = NULL; }
          else { pc->na_kind = NA_FIXED; pc->na_value = $2; }
      }
    ;

rule
    : SCORE expr {
          rule *r = start_rule(pc, RULE_EXPR, &@1);
          if (r) { r->e = $2; r->text = parse_text(pc, &@2); }
      }
    | SCORE GIVEN { start_rule(pc, RULE_GIVEN, &@1); }
    | SCORE BY expr '{' arms '}' {
          rule *r = start_rule(pc, RULE_BANDS, &@1);
          if (r) { r->e = $3; r->arms = $5.v; r->n_arms = $5.n; }
      }
    | SCORE SUM '{' parts '}' {
          rule *r = start_rule(pc, RULE_SUM, &@1);
          if (r) { r->arms = $4.v; r->n_arms = $4.n; }
      }
    ;

arms
    : arm_seq
    | arm_seq ';'
    ;

arm_seq
    : arm { $$.v = NULL; $$.n = 0; $$.v = AST_PUSH(A, $$.v, $$.n); $$.v[0] = $1; }
    | arm_seq ';' arm { $$ = $1; $$.v = AST_PUSH(A, $$.v, $$.n); $$.v[$$.n - 1] = $3; }
    ;

arm
    : patterns ARROW expr {
          memset(&$$, 0, sizeof $$);
          $$.pats = $1.v;
          $$.n_pats = $1.n;
          $$.result = $3;
          $$.loc = LOC(@$);
          $$.text = parse_text(pc, &@$);
      }
    ;

patterns
    : pattern { $$.v = NULL; $$.n = 0; $$.v = AST_PUSH(A, $$.v, $$.n); $$.v[0] = $1; }
    | patterns ',' pattern { $$ = $1; $$.v = AST_PUSH(A, $$.v, $$.n); $$.v[$$.n - 1] = $3; }
    ;

pattern
    : ELSE { memset(&$$, 0, sizeof $$); $$.kind = PAT_ELSE; $$.loc = LOC(@1); }
    | patom { $$ = $1; }
    | patom DOTDOT patom { $$ = range_pat(pc, &$1, true, &$3, true, &@$); }
    | patom DOTDOT '<' patom { $$ = range_pat(pc, &$1, true, &$4, false, &@$); }
    | '<' patom { $$ = range_pat(pc, NULL, false, &$2, false, &@$); }
    | LE patom { $$ = range_pat(pc, NULL, false, &$2, true, &@$); }
    | '>' patom { $$ = range_pat(pc, &$2, false, NULL, false, &@$); }
    | GE patom { $$ = range_pat(pc, &$2, true, NULL, false, &@$); }
    ;

patom
    : signed_num {
          memset(&$$, 0, sizeof $$); $$.kind = PAT_EQ; $$.loc = LOC(@1);
          $$.lo_e = num_expr(pc, &$1, &@1);
      }
    | DATE {
          memset(&$$, 0, sizeof $$); $$.kind = PAT_EQ; $$.loc = LOC(@1);
          $$.lo_e = ast_expr(A, EX_DATE, LOC(@1)); $$.lo_e->u.num = dec_from_int($1);
      }
    | IDENT { memset(&$$, 0, sizeof $$); $$.kind = PAT_OPTION; $$.loc = LOC(@1); $$.name = $1; }
    | TRUE { memset(&$$, 0, sizeof $$); $$.kind = PAT_BOOL; $$.loc = LOC(@1); $$.lo = dec_from_int(1); }
    | FALSE { memset(&$$, 0, sizeof $$); $$.kind = PAT_BOOL; $$.loc = LOC(@1); $$.lo = dec_from_int(0); }
    ;

parts
    : part_seq
    | part_seq ';'
    ;

part_seq
    : part { $$.v = NULL; $$.n = 0; $$.v = AST_PUSH(A, $$.v, $$.n); $$.v[0] = $1; }
    | part_seq ';' part { $$ = $1; $$.v = AST_PUSH(A, $$.v, $$.n); $$.v[$$.n - 1] = $3; }
    ;

part
    : expr ARROW expr {
          memset(&$$, 0, sizeof $$);
          $$.cond = $1;
          $$.result = $3;
          $$.loc = LOC(@$);
          $$.text = parse_text(pc, &@$);
      }
    ;

expr
    : primary
    | IF expr THEN expr ELSE expr {
          $$ = ast_expr(A, EX_IF, LOC(@$));
          $$->u.op.a = $2; $$->u.op.b = $4; $$->u.op.c = $6;
          $$->depth = (uint16_t)(1 + ($2->depth > $4->depth ? ($2->depth > $6->depth ? $2->depth : $6->depth)
                                                             : ($4->depth > $6->depth ? $4->depth : $6->depth)));
          $$ = deep(pc, $$, &@1);
      }
    | expr OR expr { $$ = deep(pc, ast_binary(A, EX_OR, $1, $3, LOC(@2)), &@2); }
    | expr AND expr { $$ = deep(pc, ast_binary(A, EX_AND, $1, $3, LOC(@2)), &@2); }
    | NOT expr { $$ = deep(pc, ast_binary(A, EX_NOT, $2, NULL, LOC(@1)), &@1); }
    | expr '=' expr { $$ = deep(pc, ast_binary(A, EX_EQ, $1, $3, LOC(@2)), &@2); }
    | expr NE expr { $$ = deep(pc, ast_binary(A, EX_NE, $1, $3, LOC(@2)), &@2); }
    | expr '<' expr { $$ = deep(pc, ast_binary(A, EX_LT, $1, $3, LOC(@2)), &@2); }
    | expr LE expr { $$ = deep(pc, ast_binary(A, EX_LE, $1, $3, LOC(@2)), &@2); }
    | expr '>' expr { $$ = deep(pc, ast_binary(A, EX_GT, $1, $3, LOC(@2)), &@2); }
    | expr GE expr { $$ = deep(pc, ast_binary(A, EX_GE, $1, $3, LOC(@2)), &@2); }
    | expr '+' expr { $$ = deep(pc, ast_binary(A, EX_ADD, $1, $3, LOC(@2)), &@2); }
    | expr '-' expr { $$ = deep(pc, ast_binary(A, EX_SUB, $1, $3, LOC(@2)), &@2); }
    | expr '*' expr { $$ = deep(pc, ast_binary(A, EX_MUL, $1, $3, LOC(@2)), &@2); }
    | expr '/' expr { $$ = deep(pc, ast_binary(A, EX_DIV, $1, $3, LOC(@2)), &@2); }
    | '-' expr %prec UMINUS { $$ = deep(pc, ast_binary(A, EX_NEG, $2, NULL, LOC(@1)), &@1); }
    | '+' expr %prec UMINUS { $$ = $2; }
    ;

primary
    : NUMBER { $$ = num_expr(pc, &$1, &@1); }
    | DATE { $$ = ast_expr(A, EX_DATE, LOC(@1)); $$->u.num = dec_from_int($1); }
    | TRUE { $$ = ast_expr(A, EX_BOOL, LOC(@1)); $$->u.num = dec_from_int(1); }
    | FALSE { $$ = ast_expr(A, EX_BOOL, LOC(@1)); $$->u.num = dec_from_int(0); }
    | IDENT { $$ = ast_expr(A, EX_NAME, LOC(@1)); $$->u.ref.name = $1; }
    | MAX { $$ = ast_expr(A, EX_MAXREF, LOC(@1)); }
    | MAX '(' args ')' { $$ = call_expr(pc, EX_MAX, &$3, &@1); }
    | MIN '(' args ')' { $$ = call_expr(pc, EX_MIN, &$3, &@1); }
    | IDENT '(' args ')' { $$ = call_expr(pc, EX_CALL, &$3, &@1); $$->u.call.name = $1; $$->u.call.def = -1; }
    | MATCH expr '{' arms '}' {
          $$ = ast_expr(A, EX_MATCH, LOC(@1));
          $$->u.match.subject = $2;
          $$->u.match.arms = $4.v;
          $$->u.match.n = $4.n;
          unsigned d = $2->depth;
          for (int i = 0; i < $4.n; i++) if ($4.v[i].result->depth > d) d = $4.v[i].result->depth;
          $$->depth = (uint16_t)(d < 65534 ? d + 1 : 65535);
          $$ = deep(pc, $$, &@1);
      }
    | '(' expr ')' { $$ = $2; }
    ;

args
    : expr { $$.v = NULL; $$.n = 0; $$.v = AST_PUSH(A, $$.v, $$.n); $$.v[0] = $1; }
    | args ',' expr { $$ = $1; $$.v = AST_PUSH(A, $$.v, $$.n); $$.v[$$.n - 1] = $3; }
    ;

%%

static void chs_yyerror(CHS_YYLTYPE *l, void *scanner, parse_ctx *pc, const char *msg) {
    (void)scanner;
    if (strstr(msg, "memory exhausted")) {
        parse_error(pc, l, "nesting too deep (more than %d levels)", YYMAXDEPTH / 2);
        return;
    }
    if (strncmp(msg, "syntax error, ", 14) == 0) msg += 14;
    char vi[512];
    if (diag_sink_lang(pc->diags) == DIAG_VI) {
        /* bison's "unexpected X, expecting Y or Z", in Vietnamese */
        static const char *const from[] = {"unexpected ", ", expecting ", " or ", "end of file"};
        static const char *const to[] = {"gặp ", ", cần ", " hoặc ", "cuối tệp"};
        size_t n = 0;
        for (const char *p = msg; *p && n + 32 < sizeof vi;) {
            size_t k;
            for (k = 0; k < 4; k++) {
                size_t l = strlen(from[k]);
                if (strncmp(p, from[k], l) == 0) {
                    n += (size_t)snprintf(vi + n, sizeof vi - n, "%s", to[k]);
                    p += l;
                    break;
                }
            }
            if (k == 4) vi[n++] = *p++;
        }
        vi[n] = '\0';
        msg = vi;
    }
    /* The scanner has already said what is wrong with an invalid token. */
    if (strstr(msg, "unexpected invalid token") || strstr(msg, "gặp invalid token")) return;
    if (pc->cur && (strstr(msg, "end of file") || strstr(msg, "cuối tệp"))) {
        node *n = pc->cur;
        parse_error(pc, l, "%s: '}' expected (to close %s %s at line %d)", msg,
                    n->kind == NODE_AREA ? "area" : n->kind == NODE_BONUS ? "bonus" : "criterion",
                    n->code, n->loc.line);
        return;
    }
    parse_error(pc, l, "%s", msg);
}
