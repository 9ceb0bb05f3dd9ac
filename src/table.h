/* Published appraisal tables ("bảng điểm thẩm định"): one row per node (code, title, maximum),
 * one column per unit, subtotals included, often a final total row. Read through libcsv.
 *
 * Layout: a header row `code,title,max,<unit>,<unit>...` (the first three header cells may also be
 * written STT / Mã, Lĩnh vực/Tiêu chí... / Tiêu chí, Điểm tối đa / Điểm chuẩn / max); decimal commas;
 * rows without a code (unnumbered sub-items listed under a node, or the continuation of a title
 * that wraps onto the next row); a final total row (no code, a title starting with "Tổng" /
 * "TỔNG" / "Total"). Cells may be empty (a unit without a score there). A quoted cell may span lines
 * in a title or a unit name only: in a code or a number it is a stray quote that swallowed the next
 * rows, an error (the row's values are bad for every unit). A header that cannot be recognised and is
 * not UTF-8 is refused as such. */
#ifndef CHISO_TABLE_H
#define CHISO_TABLE_H
#include <stdbool.h>

#include "ast.h"
#include "decimal.h"
#include "diag.h"
#include "facts.h"

typedef struct {
    char *code;     /* "1.2.3", NULL for a row without a code */
    char *title;    /* NFC; wrapped continuation rows are joined with a space */
    bool has_max;
    dec_t max;
    dec_t *values;  /* [n_units] */
    bool *has_value;/* [n_units] */
    int line;       /* 1-based line of the row in the file */
} table_row;

typedef struct {
    const char *file;
    char **units;   /* [n_units], NFC */
    int n_units;
    table_row *rows; /* rows with a code, in file order */
    int n_rows;
    table_row *extra; /* rows without a code that are not title continuations (unnumbered items) */
    int n_extra;
    table_row *total; /* the final total row, or NULL */
} pub_table;

/* Whether a CSV header row (cells[0..n)) looks like a published table's header. */
bool table_header_matches(const char *const *cells, int n);

/* Whether the file at path starts with such a header (reads only its first row). */
bool table_file_matches(const char *path);

/* Read a whole table (they are small: a few hundred rows). Returns NULL on failure (reported);
 * bad cells are reported as errors and left empty. */
pub_table *table_read_file(const char *path, diag_sink *d);
pub_table *table_read_buffer(const char *name, const char *data, size_t len, diag_sink *d);
void table_free(pub_table *t);

/* The row with this code, or NULL. With a duplicate code (reported as a warning when read) the
 * first row is the one found; both stay in rows[]. */
const table_row *table_find(const pub_table *t, const char *code);

/* The tree the codes make. table_parent: the index in rows[] of row i's parent, the row of the
 * longest code prefix present (1.2.3 -> 1.2, or 1 when there is no 1.2), -1 for a top-level row.
 * table_is_leaf: no row has row i as its parent. table_is_duplicate: an earlier row has the same
 * code. */
int table_parent(const pub_table *t, int i);
bool table_is_leaf(const pub_table *t, int i);
bool table_is_duplicate(const pub_table *t, int i);

/* The most decimals any number of the table needs (13,50 -> 1; 0,256 -> 3). */
int table_decimals(const pub_table *t);

/* Hand each unit column to o->on_unit as the fact reader would, once per unit in column order:
 * fact i (o->specs[i]) gets the value of the row whose code equals its name (the facts that
 * `score given` declares), FV_BAD where that cell was not a number, FV_MISSING where it is empty
 * and for every other fact. Parents' published subtotals are not facts (a rule set recomputes
 * them). node_codes[0..n_codes) are the rule set's node codes: a leaf row whose code is neither a
 * fact nor one of them is reported once, as a warning (node_codes NULL: no such check); so is a
 * code-named fact without a row. Returns 0, -1 when out of memory (reported), or the non-zero
 * value an on_unit call returned (then no further unit is handed). */
int table_for_each_unit(const pub_table *t, const facts_opts *o, const char *const *node_codes, int n_codes);

/* The units of any file a rule set scores: a published table when its first row says so (every unit
 * column, with the rule set's node codes as above), else a fact sheet or a batch table
 * (facts_read_file). Returns as those do; out of memory is reported and gives -1. */
int table_or_facts_read_file(const char *path, const ruleset *rs, const facts_opts *o);

#endif
