/* What several report writers share: an area's sub-index, a unit's class label, ranking with
 * shared ranks, and the whole-batch table behind the layouts that need every unit before they can
 * be written (the published appendix, CSV, and the xlsx workbook: one column per unit).
 *
 * The table keeps, per unit, only its node scores and statuses (n_nodes dec_t + n_nodes bytes),
 * the sub-index of each area, and its total, maximum, index, class and name: about
 * 17 × (nodes + areas) + 80 bytes + the name. 1 000 units of a 100-node rule set take under 2 MB.
 * It is meant for the hundreds of units a published table has, not for millions: stream those
 * with -f csv or -f json. */
#ifndef CHISO_REPORT_TABLE_H
#define CHISO_REPORT_TABLE_H
#include <stdio.h>

#include "ast.h"
#include "eval.h"
#include "report.h"

/* An area's sub-index: its score / its effective maximum × 100, rounded like the index (the rule
 * set's `round index`). False when there is none: a bonus node, an excluded, missing or
 * erroneous node, an effective maximum of 0, or an overflow. Meant for top-level nodes (areas);
 * any node's ratio is computed the same way. */
bool report_area_index(const ruleset *rs, const node *n, const node_result *x, dec_t *out);

/* The unit's class label (rs->classes[t->class_index].text), or NULL: no classify block, no
 * index (incomplete unit, maximum 0), or no class matched. */
const char *report_class_label(const ruleset *rs, const unit_total *t);

/* Whether a unit takes part in a ranking by that key: its total is scored and, by index, its
 * index exists. */
bool report_rankable(const unit_total *t, report_rank_by by);

/* The sum of the top-level nodes' declared maxima (bonus nodes count 0). */
dec_t report_declared_total(const ruleset *rs);

/* The number of top-level nodes that are not bonus nodes (the areas). */
int report_n_areas(const ruleset *rs);

/* ---- the whole-batch table ---- */

typedef struct rtable rtable;

typedef struct {
    const char *name;     /* valid until the next rtable_add */
    dec_t total, max, index;
    uint8_t status;       /* unit_total.status */
    bool index_ok;        /* unit_total.index_ok and status scored */
    int32_t class_index;  /* -1: none */
    long rank;            /* 0: not ranked (or before rtable_rank) */
} rtable_unit;

rtable *rtable_new(const ruleset *rs);
void rtable_free(rtable *t);
/* Keeps one unit (res may be NULL only for a rule set without nodes). 0, or -1 out of memory. */
int rtable_add(rtable *t, const char *unit, const node_result *res, const unit_total *tot);
/* Ranks the rankable units by the key, descending and exact; ties share a rank (1, 2, 2, 4) and
 * keep input order. 0, or -1 out of memory. */
int rtable_rank(rtable *t, report_rank_by by);

const ruleset *rtable_ruleset(const rtable *t);
size_t rtable_n_units(const rtable *t);
size_t rtable_n_ranked(const rtable *t);
/* Unit u (input order). */
rtable_unit rtable_unit_at(const rtable *t, size_t u);
/* The unit in position i of the ranking: ranked units by rank (ties in input order), then the
 * others in input order. Valid after rtable_rank; before it, input order. */
size_t rtable_ranked_at(const rtable *t, size_t i);
/* Node i's score for unit u: true with *v when it has one (not excluded, missing or error). */
bool rtable_score(const rtable *t, size_t u, int node, uint8_t *status, dec_t *v);
/* Area a's sub-index (a counts the areas: top-level non-bonus nodes, in order). */
bool rtable_area_index(const rtable *t, size_t u, int a, dec_t *v);
/* Area a's node. */
const node *rtable_area(const rtable *t, int a);
int rtable_n_areas(const rtable *t);

/* Titles of the summary rows and columns (Vietnamese: the appendix is for publishing). */
extern const char RT_TITLE_TOTAL[], RT_TITLE_MAX[], RT_TITLE_INDEX[], RT_TITLE_RANK[],
    RT_TITLE_RANK_TOTAL[], RT_TITLE_CLASS[];

/* The appendix layout as CSV (see report.c's header comment): `code,title,max,<unit>...`, one
 * row per node (nodes == false: none), then TOTAL, MAX, INDEX, RANK (when rank), CLASS (when the
 * rule set classifies). Ranks must have been assigned. 0, or -1 on a write error. */
int rtable_write_appendix(const rtable *t, FILE *out, bool nodes, bool rank, report_rank_by by);

/* The xlsx workbook (report_xlsx.c): sheet "Bảng điểm" in the appendix layout, sheet
 * "Xếp hạng" with one row per unit. 0, or -1 when the file could not be written. */
int rtable_write_xlsx(const rtable *t, const char *path, bool nodes, bool rank, report_rank_by by);

#endif
