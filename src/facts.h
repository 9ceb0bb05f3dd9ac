/* Reading fact sheets (CSV, through libcsv). Two layouts:
 *  - a per-unit sheet: rows `fact,value[,note]` (an optional header row `fact,value[,note]`);
 *    a row whose fact is `unit` names the unit, else the file's base name (without .csv) does;
 *  - a batch table: a header `unit,<fact>,<fact>...` and one row per unit, streamed row by row.
 *    Memory does not grow with the number of rows: the duplicate-unit check (src/unitset.h) keeps
 *    about 3 MiB in memory and spills older units to a temporary file, and the rest (the 64 KiB
 *    read buffer, one row's cells) is bounded by the longest row.
 * The layout is detected from the first row: first cell `unit` (after BOM, trimming, NFC,
 * case-folding ASCII) with at least two cells -> batch table; else a per-unit sheet. A sheet may
 * start with its unit row (`unit,Phòng Nội vụ[,note]`), so a first row of at most three non-empty
 * cells is a batch header only if one of its other cells names a known fact.
 * Values: decimal comma or dot, `85%`, Vietnamese booleans, dates dd/mm/yyyy or ISO, a UTF-8
 * BOM, CRLF, quoted fields. An empty cell is a missing fact. Names are NFC-normalised. A sheet row
 * `diem,0,5` (a decimal comma not quoted: a whole value, a note of digits) is a bad value for a
 * number or a percentage. A first row that is not UTF-8 refuses the file: its kind cannot be told.
 * The reader knows nothing of rule files: the caller describes the facts it wants as specs. */
#ifndef CHISO_FACTS_H
#define CHISO_FACTS_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "decimal.h"
#include "diag.h"

typedef enum { FACT_NUMBER, FACT_PERCENT, FACT_COUNT, FACT_BOOL, FACT_DATE, FACT_CHOICE } fact_type;

typedef struct {
    const char *name;  /* option name, NFC */
    const char *label; /* Vietnamese label, NFC; also accepted as a value */
} fact_option;

typedef struct {
    const char *name; /* NFC */
    fact_type type;
    bool has_lo, has_hi; /* optional bounds, checked when read */
    dec_t lo, hi;        /* for dates: days since 1970-01-01 */
    const fact_option *options; /* FACT_CHOICE */
    int n_options;
} fact_spec;

typedef enum { FV_MISSING = 0, FV_OK, FV_BAD } fact_state;

/* One fact's value for one unit. num holds: the number (percent as a fraction: 85% -> 17/20),
 * count, bool (0/1), date (days since 1970-01-01), or choice (option index). */
typedef struct {
    uint8_t state;
    dec_t num;
    uint32_t line; /* where it was read (1-based line of the row, 0 if missing) */
    uint32_t col;  /* 1-based field number */
} fact_value;

/* Called once per unit, with values[n_specs] in the order of the specs. Return 0 to go on,
 * non-zero to stop reading (facts_read then returns that value). */
typedef int (*facts_unit_fn)(void *ud, const char *unit, const fact_value *values);

typedef struct {
    const fact_spec *specs;
    int n_specs;
    facts_unit_fn on_unit;
    void *ud;
    diag_sink *diags; /* errors (bad values, ragged rows, duplicates) and warnings (unknown names
                       * with "did you mean") go here; they never stop the other units */
} facts_opts;

/* Read one file (path "-" = stdin). Returns 0 on success (even if some cells were bad: those
 * are reported and their values are FV_BAD), -1 if the file cannot be read at all (reported),
 * or the non-zero value an on_unit call returned. */
int facts_read_file(const char *path, const facts_opts *opts);

/* The same over a buffer (for tests); `name` is used in messages and as the default unit name
 * (as for a file: its base name without `.csv`). */
int facts_read_buffer(const char *name, const char *data, size_t len, const facts_opts *opts);

/* Parse one cell as the given spec's type (exposed for tests and for the published-table reader).
 * Returns true and fills *out on success; on failure fills a short reason in why[why_cap].
 * A percent without `%` is in percent points ("85" is 85%), except that a bare fraction strictly
 * between -1 and 1 ("0,85": 85% or 0.85%?) is refused as ambiguous. */
bool facts_parse_value(const fact_spec *spec, const char *text, size_t len, dec_t *out,
                       char *why, size_t why_cap);

#endif
