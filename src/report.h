/* Writing evaluation results: a readable tree for a terminal, CSV (one row per unit and node),
 * or JSON (through jansson). Units stream out as they are scored; only a small summary per unit
 * is kept, and only when a ranking is wanted.
 * Two layouts need every unit before they can be written (one column per unit): the published
 * appendix (CSV) and the xlsx workbook. They keep each unit's node scores (report_table.h). */
#ifndef CHISO_REPORT_H
#define CHISO_REPORT_H
#include <stdio.h>

#include "ast.h"
#include "eval.h"

typedef enum { REPORT_TEXT, REPORT_CSV, REPORT_JSON, REPORT_APPENDIX, REPORT_XLSX } report_format;
typedef enum { DETAIL_NODES, DETAIL_TOTAL } report_detail;
typedef enum { RANK_BY_INDEX = 0, RANK_BY_TOTAL } report_rank_by;

typedef struct {
    report_format format;
    report_detail detail; /* DETAIL_TOTAL: one line/row/object per unit, no nodes */
    bool rank;            /* keep summaries and write a ranking at the end (when >= 1 unit) */
    int width;            /* text: terminal width for titles (0 = 100) */
} report_opts;

/* Options added later, kept apart so that existing initialisers of report_opts stay complete. */
typedef struct {
    report_rank_by rank_by; /* the ranking's key (default: the index) */
    const char *path;       /* REPORT_XLSX: the file to write (libxlsxwriter writes by name, not
                             * through a FILE *; out is then left untouched). Required. */
} report_extra;

typedef struct report report;

report *report_new(FILE *out, const ruleset *rs, const report_opts *opts);
/* report_new with extra options (extra may be NULL). NULL when out of memory, or for REPORT_XLSX
 * without a path. */
report *report_new_ex(FILE *out, const ruleset *rs, const report_opts *opts,
                      const report_extra *extra);
/* One unit's results, as eval_unit produced them. Returns 0, or -1 on a write error. */
int report_unit(report *r, const char *unit, const node_result *res, const unit_total *tot);
/* Writes the ranking (if asked) and closes the document. Returns 0, or -1 on a write error. */
int report_finish(report *r);
void report_free(report *r);

/* Shared helpers (also used by other writers): */
/* "what decided it", e.g. the matching arm as written: `85%..<100% => 1` */
size_t report_decided_by(const ruleset *rs, const node *n, const node_result *res, char *buf,
                         size_t cap);
/* Display width of UTF-8 text in terminal columns (utf8proc_charwidth). */
int report_display_width(const char *s, size_t len);

#endif
