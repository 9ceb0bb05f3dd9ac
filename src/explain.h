/* Explanations: how one unit's score of a node was derived, step by step, in the terms of the
 * guideline, so that a person can check it by hand beside the text ("chiso explain").
 *
 * For each node: code, title, maximum, status and score; the not-applicable clauses tried (the
 * node's own, and an ancestor's: every ancestor's for the first node of a selection, the deciding
 * one for a node an ancestor's clause decided); the facts its rule and those clauses read (through
 * defs, lets and function calls), each with its value written back as a fact sheet would write it
 * and the place it was read from; the values of the lets, defs, calls and `match` expressions it
 * uses; then the rule: every band or choice arm in order (the matching one, why each one before it
 * did not match, the ones after "not tried"), every part of a sum with its points, a formula
 * with the values put in, or a parent's children added up (excluded children out of the maximum);
 * then clamping and rounding. With every node, the unit's total and index.
 *
 * The explanation is built as a JSON object (jansson; exact decimals as strings, as in reports),
 * and the text for a terminal is written from that object, so both carry the same content. The
 * layout of both is documented in docs/explain.md. */
#ifndef CHISO_EXPLAIN_H
#define CHISO_EXPLAIN_H
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "ast.h"
#include "eval.h"
#include "facts.h"

typedef struct explainer explainer;

/* st is the evaluator the units are scored with; it must outlive the explainer. NULL when out of
 * memory. */
explainer *explain_new(const ruleset *rs, eval_state *st);
void explain_free(explainer *x);

/* One unit, right after eval_unit(st, facts, res, tot) for it (the explanation evaluates parts
 * of rules again against the same facts). facts_file names where the facts were read (shown with
 * each fact's line and column; NULL: not shown). selected[rs->n_nodes] says which nodes to
 * explain (NULL: every node, then the total and index). Nodes come in tree order.
 * Returns a new object (the caller owns it), NULL when out of memory. */
json_t *explain_unit(explainer *x, const char *unit, const char *facts_file, const fact_value *facts,
                     const node_result *res, const unit_total *tot, const bool *selected);

/* Write an explain_unit object as text (UTF-8, for a terminal). Returns 0, -1 on a write error. */
int explain_write_text(FILE *out, const json_t *unit);

/* Why the value v does not match the pattern p, as explanations write it after the subject's
 * name: "= 84.5% is not in 85%..<100%", "= 84.5% is not 100%", "= 105% is not < 85%", "is
 * khong_day_du, not day_du" (a choice: the value's option first), "is false, not true".
 * percent: show the value as a percentage (the subject is one); is_date: the subject is a date;
 * choice: the choice fact's declaration, for option names (or NULL). Bounds are written as in
 * the rule file. Returns the length needed (snprintf semantics; never cut inside a UTF-8
 * sequence). */
size_t explain_why_not(const pattern *p, dec_t v, bool percent, bool is_date, const fact_decl *choice,
                       char *buf, size_t cap);

/* A value written back as a fact sheet or a reader would write it: 85% (percent), có/không
 * (bool), 31/12/2024 (date), "name (label)" (choice), exact decimals otherwise; a value with no
 * finite decimal expansion as "1.833333… (= 11/6)". Returns the length needed. */
size_t explain_format_value(dec_t v, value_type type, bool percent, const fact_decl *choice,
                            char *buf, size_t cap);

#endif
