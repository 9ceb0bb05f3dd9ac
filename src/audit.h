/* Auditing a published appraisal table ("bảng điểm thẩm định") against a rule set's tree: the
 * subtotals and the total recomputed from the published values, the maxima, the codes, the titles,
 * the empty cells and the ranking. The findings are values; writing them is separate.
 *
 * What is compared, per unit column (u) and node (n) of the rule set:
 * - sum / rounding: every parent (a node with children and no rule of its own) whose cell has a
 *   value, with the sum of its children's PUBLISHED values; the total row with the sum of the
 *   top-level nodes' published values. A child without a row in the table, or whose cell is
 *   empty, is stood in for by the sum of its own children when they have values (recursively);
 *   an empty cell otherwise counts 0 (a node that does not apply adds nothing); a child with no
 *   row and nothing to recompute it from makes its parent's sum unknown (no finding: the
 *   missing-code finding says why). A parent none of whose children has a value is not compared.
 *   So an error low in the tree is reported once, where it is, not again at every ancestor.
 *   A difference is "rounding" instead of "sum" when the rule set has `round N` and rounding
 *   explains it: the published value, rounded to N places, equals the sum rounded to N places
 *   (when the rule set rounds that row), or |published - sum| is at most half a unit of the N-th
 *   place times the number of roundings involved (each child rounded by the rule set whose value
 *   has at most N places, plus the row itself when rounded and written with at most N places).
 *   Which rows are rounded follows the scope: `nodes` every row, `leaves` only rows scored by a
 *   rule, `total` only the total row.
 * - max: the table's maximum of a row with the rule set's (bonus nodes are not compared); the
 *   total row's with the sum of the top-level maxima.
 * - max-sum: the table's maximum of a row with the sum of its sub-rows' maxima in the TABLE
 *   (rows whose code is the row's code plus one more part; the total row: codes of one part).
 *   Sub-rows without a maximum, and bonus nodes, do not count; a row with no counted sub-row is
 *   not compared.
 * - above-max / negative: a node scored by its own rule (a leaf) above its maximum or below 0;
 *   a bonus outside its range.
 * - extra-code: a coded row whose code is not in the rule set (or repeats an earlier row's code).
 * - missing-code: a node of the rule set without a row.
 * - duplicate-title: a coded row whose title equals an earlier row's after NFC, ASCII case
 *   folding and collapsing whitespace.
 * - empty: a row of the rule set's node, or the total row, with no value for a unit.
 * - rank: with a total row, units are ranked (highest first; ties share a rank: 1, 2, 2, 4) by
 *   the published total and by the total recomputed from the leaves (each parent as the sum of
 *   its children's recomputed values, falling back on its published value where that cannot be
 *   done); a unit whose rank differs is reported. Units lacking either total are not ranked.
 *
 * Findings come in the rule set's node order (pre-order), then the table's extra codes in file
 * order, then the total row, then the ranks; within one row, the findings about the row as a
 * whole first, then the unit columns in order. */
#ifndef CHISO_AUDIT_H
#define CHISO_AUDIT_H
#include <stdbool.h>
#include <stdio.h>

#include "ast.h"
#include "decimal.h"
#include "report.h"
#include "table.h"

typedef enum {
    AUDIT_SUM = 0,
    AUDIT_ROUNDING,
    AUDIT_MAX,
    AUDIT_MAX_SUM,
    AUDIT_ABOVE_MAX,
    AUDIT_NEGATIVE,
    AUDIT_EXTRA_CODE,
    AUDIT_MISSING_CODE,
    AUDIT_DUPLICATE_TITLE,
    AUDIT_EMPTY,
    AUDIT_RANK,
    AUDIT_N_KINDS
} audit_kind;

/* The code of findings about the total row and the ranking. */
#define AUDIT_TOTAL_CODE "TOTAL"

typedef struct {
    audit_kind kind;
    char *code;       /* node or row code; AUDIT_TOTAL_CODE for the total row and ranks */
    char *unit;       /* the unit column's name; NULL when the finding is about the row */
    int unit_index;   /* the unit column, -1 when unit is NULL */
    int node;         /* the rule set's node id, -1 when none (extra code, total, rank) */
    int line;         /* the table row's line (rank: the total row's), 0 when none (missing code) */
    bool has_published, has_recomputed; /* difference is valid when both are */
    /* sum, rounding: published value, sum recomputed, published - recomputed;
     * max, max-sum: the table's maximum, the rule set's / the sub-rows' sum, the difference;
     * above-max, negative: the value, the bound it crosses (maximum, 0, or the bonus range's end),
     * the excess; rank: published rank, recomputed rank, the difference; others: none. */
    dec_t published, recomputed, difference;
    char *message;    /* a short explanation, English */
} audit_finding;

typedef struct {
    audit_finding *items;
    int n;
    int counts[AUDIT_N_KINDS];
} audit_result;

/* Audits table t against the checked rule set rs. Returns NULL only when out of memory. The
 * result owns its strings; rs and t may be freed before it. */
audit_result *audit_run(const ruleset *rs, const pub_table *t);
void audit_free(audit_result *r);

/* "sum", "rounding", "max", "max-sum", "above-max", "negative", "extra-code", "missing-code",
 * "duplicate-title", "empty", "rank". */
const char *audit_kind_name(audit_kind k);

/* "11 findings: 1 sum, 1 rounding, ..." (kinds with a count, in the order above) or
 * "no disagreement". snprintf semantics: returns the length needed. */
size_t audit_summary(const audit_result *r, char *buf, size_t cap);

/* Writes the findings:
 * TEXT: an aligned table, columns kind, code, unit, published, recomputed, difference, message
 *   (numbers exact, padded to a common number of decimals, at least the rule set's `round N`;
 *   ranks as whole numbers), a blank line and the summary line; only "no disagreement" when
 *   there is no finding.
 * CSV: header kind,code,unit,published,recomputed,difference,message; one row per finding
 *   (exact decimals, empty fields when absent).
 * JSON: {"rules", "table", "units": [...], "findings": [{kind, code, unit, published,
 *   recomputed, difference, message, line}], "summary": {"findings": N, "<kind>": count...}};
 *   numbers are exact decimal strings, absent values null.
 * rs and t give the file names and units (JSON) and the rounding places (TEXT); either may be
 * NULL. Returns 0, or -1 on a write or memory error. */
int audit_write(FILE *out, const audit_result *r, const ruleset *rs, const pub_table *t,
                report_format format);

#endif
