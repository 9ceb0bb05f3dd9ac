/* Fact sheet templates: what an office fills in before it can be scored. From a checked rule set,
 * every fact some node needs, grouped by the first node (in tree order) that needs it, with its
 * type, the values it accepts and its description; written as a per-unit CSV sheet that
 * `chiso eval` reads back unchanged once the values are typed in, as a batch table's header row,
 * or as an xlsx workbook for people (see docs/template.md).
 *
 * A node needs a fact when its `not applicable` clauses or its rule (the subject, the arms'
 * results, the parts' conditions and points) refer to it, directly or through the defs,
 * functions and lets they use. A parent does not need its children's facts. Facts declared but
 * needed by no node are left out (listed in tpl_plan.unneeded). */
#ifndef CHISO_TEMPLATE_H
#define CHISO_TEMPLATE_H
#include <stdbool.h>
#include <stdio.h>

#include "ast.h"

typedef struct {
    int fact;        /* index in rs->facts */
    int node;        /* id of the first node, in tree order, that needs it: its group */
    const int *also; /* ids of the other nodes that need it, in tree order */
    int n_also;
} tpl_entry;

typedef struct {
    const ruleset *rs;
    tpl_entry *entries; /* in sheet order: by group in tree order, then in order of first use */
    int n_entries;
    int *unneeded;      /* facts needed by no node, in declaration order */
    int n_unneeded;
    int *also_store;    /* owns every entry's `also` */
} tpl_plan;

typedef enum { TPL_SHEET, TPL_BATCH } tpl_layout;

/* The plan of a checked rule set; NULL when out of memory. */
tpl_plan *tpl_plan_new(const ruleset *rs);
void tpl_plan_free(tpl_plan *p);

/* Entry i's guidance, as the sheet's note column shows it (malloc'd; NULL out of memory):
 *   CODE TITLE: WHAT TO WRITE[, từ LO đến HI][ — DESCRIPTION][ (cũng dùng cho CODE, CODE)]
 * (the description left out when it only repeats the node's title, as a given score's does)
 * e.g. "1.3 Sáng kiến: số đếm (0, 1, 2…), từ 0 đến 50 — Số sáng kiến được công nhận". What to
 * write: "số (ví dụ 0,5)", "tỷ lệ % (ví dụ 85%)", "số đếm (0, 1, 2…)", "có / không",
 * "ngày dd/mm/yyyy", a choice's options "du = Label | thieu = Label", a given score
 * "điểm (tối đa 2)" (a bonus: "điểm (từ -3 đến 3)"). Numbers with a decimal comma. */
char *tpl_note(const tpl_plan *p, int i);

/* The values entry i accepts (the xlsx column "Giá trị hợp lệ"): "ví dụ 0,5", "ví dụ 85%",
 * "0, 1, 2…", "có / không", "dd/mm/yyyy", options one per line "du = Label", a given score
 * "tối đa 2"; then the bounds "từ LO đến HI" on a line of their own. malloc'd; NULL out of
 * memory. */
char *tpl_allowed(const tpl_plan *p, int i);

/* Entry i's kind in a word or two (the xlsx column "Kiểu"): "số", "tỷ lệ %", "số đếm",
 * "có/không", "ngày", "lựa chọn", "điểm" (a `score given` node's own score). */
const char *tpl_kind(const tpl_plan *p, int i);

/* CSV (RFC 4180 quoting, LF line ends, UTF-8; with bom, a UTF-8 BOM first, for Excel):
 *  TPL_SHEET  `fact,value,note`, then `unit,,<note>` and one `<fact>,,<note>` row per entry;
 *  TPL_BATCH  the header `unit,<fact>,<fact>...` only.
 * 0, or -1 on a write error. */
int tpl_write_csv(const tpl_plan *p, tpl_layout layout, bool bom, FILE *out);

/* The xlsx workbook (libxlsxwriter; written by name): sheet "Số liệu" with columns Mã tiêu chí,
 * Tiêu chí, Dữ kiện, Giá trị (the input column, highlighted, cells formatted as text so that
 * "0,5", "85%" and "31/12/2024" stay as typed), Kiểu, Giá trị hợp lệ, Mô tả; a `unit` row first;
 * a drop-down list on the value cell of every choice (its option names, when they fit in the 255
 * characters Excel allows) and bool (có, không); the
 * header row frozen, with a filter; printed A4 landscape, one page wide. 0, or -1 when the file could not be written. */
int tpl_write_xlsx(const tpl_plan *p, const char *path);

#endif
