/* Fact sheet templates (template.h): which node needs which fact, and the sheet that asks for them.
 *
 * The plan walks every node in tree order over its resolved expressions (na clauses, then the
 * rule), following defs, function bodies and lets through their memo slots, and records each
 * (fact, node) pair once. A fact's group is the first node that needs it; the later ones are
 * listed as "cũng dùng cho". One pass, marks stamped with the node's id, so a def used many times
 * by one node is walked once per node. */
#include "template.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "dates.h"
#include "node_facts.h"
#include "strbuf.h"
#include "xlsx_lib.h"

/* ---------------------------------------------------------------- the plan */

typedef struct {
    int fact, node;
} tpl_use;

/* The uses of facts, in tree order: (fact, node) once per pair. */
typedef struct {
    int node;
    tpl_use *uses;
    size_t n_uses, cap;
    bool oom;
} walker;

static void use_fact(void *ud, int f) {
    walker *w = ud;
    if (w->n_uses == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 64;
        tpl_use *u = realloc(w->uses, cap * sizeof *u);
        if (!u) {
            w->oom = true;
            return;
        }
        w->uses = u;
        w->cap = cap;
    }
    w->uses[w->n_uses++] = (tpl_use){f, w->node};
}

tpl_plan *tpl_plan_new(const ruleset *rs) {
    tpl_plan *p = calloc(1, sizeof *p);
    walker w;
    memset(&w, 0, sizeof w);
    size_t nf = (size_t)rs->n_facts + 1;
    int *first = malloc(nf * sizeof *first), *entry_of = malloc(nf * sizeof *entry_of);
    int *fill = calloc(nf, sizeof *fill);
    node_facts *nfw = node_facts_new(rs);
    if (!p || !first || !entry_of || !fill || !nfw) goto fail;
    p->rs = rs;
    for (int k = 0; k < rs->n_nodes && !w.oom; k++) {
        w.node = rs->nodes[k]->id;
        node_facts_each(nfw, rs->nodes[k], use_fact, &w);
    }
    if (w.oom) goto fail;

    /* Entries in order of first use; the other uses become `also` lists (nodes ascend, since
     * nodes were walked in tree order and each pair is recorded once). */
    for (int f = 0; f < rs->n_facts; f++) first[f] = -1;
    p->entries = malloc(nf * sizeof *p->entries);
    p->also_store = malloc((w.n_uses + 1) * sizeof *p->also_store);
    p->unneeded = malloc(nf * sizeof *p->unneeded);
    if (!p->entries || !p->also_store || !p->unneeded) goto fail;
    for (size_t u = 0; u < w.n_uses; u++) {
        int f = w.uses[u].fact;
        if (first[f] >= 0) {
            p->entries[entry_of[f]].n_also++;
            continue;
        }
        first[f] = w.uses[u].node;
        entry_of[f] = p->n_entries;
        p->entries[p->n_entries++] = (tpl_entry){f, w.uses[u].node, NULL, 0};
    }
    size_t off = 0;
    for (int i = 0; i < p->n_entries; i++) {
        p->entries[i].also = p->also_store + off;
        off += (size_t)p->entries[i].n_also;
    }
    for (size_t u = 0; u < w.n_uses; u++) {
        int f = w.uses[u].fact;
        tpl_entry *e = &p->entries[entry_of[f]];
        if (w.uses[u].node != e->node) p->also_store[(e->also - p->also_store) + fill[f]++] = w.uses[u].node;
    }
    for (int f = 0; f < rs->n_facts; f++)
        if (first[f] < 0) p->unneeded[p->n_unneeded++] = f;
    goto out;
fail:
    tpl_plan_free(p);
    p = NULL;
out:
    free(first);
    free(entry_of);
    free(fill);
    node_facts_free(nfw);
    free(w.uses);
    return p;
}

void tpl_plan_free(tpl_plan *p) {
    if (!p) return;
    free(p->entries);
    free(p->also_store);
    free(p->unneeded);
    free(p);
}

/* ---------------------------------------------------------------- text */

/* A number with a decimal comma, as Vietnamese documents write it: 0,5. */
static void sb_dec(strbuf *b, dec_t v) {
    char t[DEC_FMT_MAX];
    dec_format(v, -1, t, sizeof t);
    for (char *c = t; *c; c++)
        if (*c == '.') *c = ',';
    sb_puts(b, t);
}

/* Days since 1970-01-01 as dd/mm/yyyy. */
static void sb_date(strbuf *b, int64_t days) {
    char t[64];
    date_format(days, false, t, sizeof t);
    sb_puts(b, t);
}

/* A fact's value as a sheet writes it: 85% for a percent (a fraction inside), dd/mm/yyyy. */
static void sb_value(strbuf *b, const fact_decl *f, dec_t v) {
    dec_t h;
    if (f->ftype == FACT_DATE && dec_is_integer(v)) {
        sb_date(b, v.num);
    } else if (f->ftype == FACT_PERCENT && dec_mul(v, dec_from_int(100), &h) == DEC_OK) {
        sb_dec(b, h);
        sb_puts(b, "%");
    } else {
        sb_dec(b, v);
    }
}

static void sb_range(strbuf *b, const fact_decl *f, dec_t lo, dec_t hi) {
    sb_puts(b, "từ ");
    sb_value(b, f, lo);
    sb_puts(b, " đến ");
    sb_value(b, f, hi);
}

/* The node whose own score entry i is (`score given`), or NULL. */
static const node *given_node(const tpl_plan *p, int i) {
    const tpl_entry *e = &p->entries[i];
    const node *n = p->rs->nodes[e->node];
    const expr *x = n->rule.e;
    if (n->rule.kind == RULE_EXPR && x && x->kind == EX_FACT && x->u.ref.slot == e->fact && n->rule.text &&
        strcmp(n->rule.text, "given") == 0 && strcmp(p->rs->facts[e->fact].name, n->code) == 0)
        return n;
    return NULL;
}

static void sb_given_range(strbuf *b, const node *n) {
    if (n->kind == NODE_BONUS) {
        sb_puts(b, "từ ");
        sb_dec(b, n->range_lo);
        sb_puts(b, " đến ");
        sb_dec(b, n->range_hi);
    } else {
        sb_puts(b, "tối đa ");
        sb_dec(b, n->max);
    }
}

static void sb_options(strbuf *b, const fact_decl *f, const char *sep) {
    for (int k = 0; k < f->n_options; k++) {
        if (k) sb_puts(b, sep);
        sb_puts_flat(b, f->options[k].name);
        if (f->options[k].label && *f->options[k].label) {
            sb_puts(b, " = ");
            sb_puts_flat(b, f->options[k].label);
        }
    }
}

/* The description, unless it only repeats the node's title (a given score's fact). */
static const char *description(const tpl_plan *p, int i) {
    const fact_decl *f = &p->rs->facts[p->entries[i].fact];
    const char *d = f->description, *t = p->rs->nodes[p->entries[i].node]->title;
    if (!d || !*d || (t && strcmp(d, t) == 0)) return NULL;
    return d;
}

static void sb_also(strbuf *b, const tpl_plan *p, int i) {
    const tpl_entry *e = &p->entries[i];
    for (int k = 0; k < e->n_also; k++) {
        if (k) sb_puts(b, ", ");
        sb_puts_flat(b, p->rs->nodes[e->also[k]]->code);
    }
}

const char *tpl_kind(const tpl_plan *p, int i) {
    if (given_node(p, i)) return "điểm";
    switch (p->rs->facts[p->entries[i].fact].ftype) {
    case FACT_NUMBER: return "số";
    case FACT_PERCENT: return "tỷ lệ %";
    case FACT_COUNT: return "số đếm";
    case FACT_BOOL: return "có/không";
    case FACT_DATE: return "ngày";
    case FACT_CHOICE: return "lựa chọn";
    }
    return "";
}

char *tpl_note(const tpl_plan *p, int i) {
    const tpl_entry *e = &p->entries[i];
    const fact_decl *f = &p->rs->facts[e->fact];
    const node *n = p->rs->nodes[e->node], *g = given_node(p, i);
    strbuf b = {0};
    sb_puts_flat(&b, n->code);
    if (n->title && *n->title) {
        sb_puts(&b, " ");
        sb_puts_flat(&b, n->title);
    }
    sb_puts(&b, ": ");
    if (g) {
        sb_puts(&b, "điểm (");
        sb_given_range(&b, g);
        sb_puts(&b, ")");
    } else {
        switch (f->ftype) {
        case FACT_NUMBER: sb_puts(&b, "số (ví dụ 0,5)"); break;
        case FACT_PERCENT: sb_puts(&b, "tỷ lệ % (ví dụ 85%)"); break;
        case FACT_COUNT: sb_puts(&b, "số đếm (0, 1, 2…)"); break;
        case FACT_BOOL: sb_puts(&b, "có / không"); break;
        case FACT_DATE: sb_puts(&b, "ngày dd/mm/yyyy"); break;
        case FACT_CHOICE: sb_options(&b, f, " | "); break;
        }
    }
    if (f->has_lo) {
        sb_puts(&b, ", ");
        sb_range(&b, f, f->lo, f->hi);
    }
    const char *d = description(p, i);
    if (d) {
        sb_puts(&b, " — ");
        sb_puts_flat(&b, d);
    }
    if (e->n_also) {
        sb_puts(&b, " (cũng dùng cho ");
        sb_also(&b, p, i);
        sb_puts(&b, ")");
    }
    return sb_take(&b);
}

char *tpl_allowed(const tpl_plan *p, int i) {
    const fact_decl *f = &p->rs->facts[p->entries[i].fact];
    const node *g = given_node(p, i);
    strbuf b = {0};
    if (g) {
        sb_given_range(&b, g);
    } else {
        switch (f->ftype) {
        case FACT_NUMBER: sb_puts(&b, "ví dụ 0,5"); break;
        case FACT_PERCENT: sb_puts(&b, "ví dụ 85%"); break;
        case FACT_COUNT: sb_puts(&b, "0, 1, 2…"); break;
        case FACT_BOOL: sb_puts(&b, "có / không"); break;
        case FACT_DATE: sb_puts(&b, "dd/mm/yyyy"); break;
        case FACT_CHOICE: sb_options(&b, f, "\n"); break;
        }
    }
    if (f->has_lo) {
        sb_puts(&b, "\n");
        sb_range(&b, f, f->lo, f->hi);
    }
    return sb_take(&b);
}

/* The unit row's note: what to write, and which guideline the sheet is for. */
static char *unit_note(const ruleset *rs) {
    strbuf b = {0};
    sb_puts(&b, "Tên đơn vị được chấm điểm");
    if (rs->title && *rs->title) {
        sb_puts(&b, " — ");
        sb_puts_flat(&b, rs->title);
    }
    return sb_take(&b);
}

/* ---------------------------------------------------------------- CSV */

static void csv_field(strbuf *b, const char *s) {
    if (!s) return;
    if (!s[strcspn(s, ",\"\r\n")]) {
        sb_puts(b, s);
        return;
    }
    sb_puts(b, "\"");
    for (const char *q; (q = strchr(s, '"')); s = q + 1) {
        sb_putn(b, s, (size_t)(q - s) + 1);
        sb_puts(b, "\"");
    }
    sb_puts(b, s);
    sb_puts(b, "\"");
}

/* One row `name,,note` (the value left to fill). */
static int csv_sheet_row(strbuf *b, FILE *out, const char *name, char *note) {
    b->len = 0;
    csv_field(b, name);
    sb_puts(b, ",,");
    csv_field(b, note);
    sb_puts(b, "\n");
    free(note);
    if (b->oom || !note) return -1;
    return fwrite(b->p, 1, b->len, out) == b->len ? 0 : -1;
}

int tpl_write_csv(const tpl_plan *p, tpl_layout layout, bool bom, FILE *out) {
    strbuf b = {0};
    int rc = 0;
    if (bom && fputs("\xEF\xBB\xBF", out) == EOF) rc = -1;
    if (layout == TPL_BATCH) {
        sb_puts(&b, "unit");
        for (int i = 0; i < p->n_entries; i++) {
            sb_puts(&b, ",");
            csv_field(&b, p->rs->facts[p->entries[i].fact].name);
        }
        sb_puts(&b, "\n");
        if (b.oom || fwrite(b.p, 1, b.len, out) != b.len) rc = -1;
    } else {
        if (fputs("fact,value,note\n", out) == EOF) rc = -1;
        if (rc == 0) rc = csv_sheet_row(&b, out, "unit", unit_note(p->rs));
        for (int i = 0; i < p->n_entries && rc == 0; i++)
            rc = csv_sheet_row(&b, out, p->rs->facts[p->entries[i].fact].name, tpl_note(p, i));
    }
    sb_free(&b);
    if (ferror(out)) rc = -1;
    return rc;
}

/* ---------------------------------------------------------------- xlsx */

static const xlsx_lib *xl; /* set by tpl_write_xlsx */

enum {
    COL_CODE, COL_TITLE, COL_FACT, COL_VALUE, COL_KIND, COL_ALLOWED, COL_DESC, N_COLS,
    LIST_MAX = 255, /* characters Excel allows in an inline drop-down list, commas included */
    LINE_PT = 15,   /* points per line of the default 11-point font */
    MAX_LINES = 20,
};

/* Keep in order with the COL_ enum. */
static const char *const COL_TITLES[N_COLS] = {"Mã tiêu chí", "Tiêu chí", "Dữ kiện", "Giá trị", "Kiểu",
                                               "Giá trị hợp lệ", "Mô tả"};
static const double COL_WIDTHS[N_COLS] = {11, 40, 22, 20, 11, 34, 50};

static const lxw_color_t HEAD_FILL = 0xDDEBF7, INPUT_HEAD_FILL = 0xFFD966, INPUT_FILL = 0xFFF2CC;
static const char SHEET_NAME[] = "Số liệu";

typedef struct {
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_format *head, *input_head, *text, *wrap, *input;
    bool failed;
} xw;

static void xcheck(xw *x, lxw_error e) {
    if (e != LXW_NO_ERROR) x->failed = true;
}

static void put(xw *x, lxw_row_t r, lxw_col_t c, const char *s, lxw_format *f) {
    if (s && *s) xcheck(x, xl->worksheet_write_string(x->ws, r, c, s, f));
    else xcheck(x, xl->worksheet_write_blank(x->ws, r, c, f));
}

/* Lines a wrapped text takes in a column `width` characters wide (an estimate: neither Excel nor
 * LibreOffice re-fits row heights on opening). Counts code points; a line break starts a line. */
static int lines_for(const char *s, double width) {
    if (!s || !*s) return 1;
    int lines = 0;
    double w = 0;
    for (const unsigned char *c = (const unsigned char *)s;; c++) {
        if (*c == '\n' || !*c) {
            lines += (int)(w / (width - 1)) + 1;
            w = 0;
            if (!*c) break;
        } else if ((*c & 0xC0) != 0x80) {
            w += 0.9; /* most letters are narrower than the digit a column's width counts */
        }
    }
    return lines;
}

static lxw_format *new_format(xw *x, bool wrap) {
    lxw_format *f = xl->workbook_add_format(x->wb);
    if (!f) {
        x->failed = true;
        return NULL;
    }
    xl->format_set_border(f, LXW_BORDER_THIN);
    xl->format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
    if (wrap) xl->format_set_text_wrap(f);
    return f;
}

static void make_formats(xw *x) {
    x->head = new_format(x, true);
    x->input_head = new_format(x, true);
    x->text = new_format(x, false);
    x->wrap = new_format(x, true);
    x->input = new_format(x, true);
    if (x->failed) return;
    lxw_format *heads[2] = {x->head, x->input_head};
    for (int i = 0; i < 2; i++) {
        xl->format_set_bold(heads[i]);
        xl->format_set_pattern(heads[i], LXW_PATTERN_SOLID);
        xl->format_set_align(heads[i], LXW_ALIGN_CENTER);
        xl->format_set_align(heads[i], LXW_ALIGN_VERTICAL_CENTER);
    }
    xl->format_set_bg_color(x->head, HEAD_FILL);
    xl->format_set_bg_color(x->input_head, INPUT_HEAD_FILL);
    xl->format_set_pattern(x->input, LXW_PATTERN_SOLID);
    xl->format_set_bg_color(x->input, INPUT_FILL);
    xl->format_set_num_format(x->input, "@"); /* text: "0,5", "85%", "31/12/2024" stay as typed */
}

/* A drop-down list on the value cell. Excel allows 255 characters in an inline list; a longer
 * one gets none (the column "Giá trị hợp lệ" still lists the options). A list read from cells of
 * a hidden sheet would lift the limit, but libxlsxwriter 1.1.4 (Debian 12) leaks the formula of
 * such a validation. */
static void drop_down(xw *x, lxw_row_t row, const char *const *items, int n) {
    size_t len = 0;
    for (int k = 0; k < n; k++) len += strlen(items[k]) + (k > 0);
    if (n <= 0 || len > LIST_MAX) return;
    char **list = calloc((size_t)n + 1, sizeof *list);
    if (!list) {
        x->failed = true;
        return;
    }
    for (int k = 0; k < n; k++) list[k] = (char *)items[k];
    lxw_data_validation dv;
    memset(&dv, 0, sizeof dv);
    dv.validate = LXW_VALIDATION_TYPE_LIST;
    dv.value_list = list;
    dv.error_title = "Giá trị không hợp lệ";
    dv.error_message = "Chọn một giá trị trong danh sách (xem cột Giá trị hợp lệ).";
    xcheck(x, xl->worksheet_data_validation_cell(x->ws, row, COL_VALUE, &dv));
    free(list);
}

static void fit(xw *x, lxw_row_t row, const char *const texts[N_COLS]) {
    int lines = 1;
    for (int c = 0; c < N_COLS; c++) {
        int k = lines_for(texts[c], COL_WIDTHS[c]);
        if (k > lines) lines = k;
    }
    if (lines > MAX_LINES) lines = MAX_LINES;
    if (lines > 1) xcheck(x, xl->worksheet_set_row(x->ws, row, (double)(lines * LINE_PT), NULL));
}

static void xlsx_row(xw *x, lxw_row_t row, const char *const texts[N_COLS]) {
    for (int c = 0; c < N_COLS; c++)
        put(x, row, (lxw_col_t)c, c == COL_VALUE ? NULL : texts[c],
            c == COL_VALUE ? x->input : c == COL_TITLE || c == COL_ALLOWED || c == COL_DESC ? x->wrap : x->text);
    fit(x, row, texts);
}

/* The description column: the fact's description, then the other nodes that use it. */
static char *desc_text(const tpl_plan *p, int i) {
    strbuf b = {0};
    const char *d = description(p, i);
    if (d) sb_puts_flat(&b, d);
    if (p->entries[i].n_also) {
        if (d) sb_puts(&b, "\n");
        sb_puts(&b, "Cũng dùng cho: ");
        sb_also(&b, p, i);
    }
    return sb_take(&b);
}

static void xlsx_sheet(xw *x, const tpl_plan *p) {
    const ruleset *rs = p->rs;
    for (int c = 0; c < N_COLS; c++) {
        xcheck(x, xl->worksheet_set_column(x->ws, (lxw_col_t)c, (lxw_col_t)c, COL_WIDTHS[c], NULL));
        put(x, 0, (lxw_col_t)c, COL_TITLES[c], c == COL_VALUE ? x->input_head : x->head);
    }
    xcheck(x, xl->worksheet_set_row(x->ws, 0, 2 * LINE_PT, NULL));
    xl->worksheet_freeze_panes(x->ws, 1, 0);

    char *unote = unit_note(rs);
    if (!unote) x->failed = true;
    const char *urow[N_COLS] = {"", "Đơn vị", "unit", NULL, "tên", "", unote};
    xlsx_row(x, 1, urow);
    free(unote);

    for (int i = 0; i < p->n_entries && !x->failed; i++) {
        const tpl_entry *e = &p->entries[i];
        const fact_decl *f = &rs->facts[e->fact];
        const node *n = rs->nodes[e->node];
        lxw_row_t row = (lxw_row_t)i + 2;
        char *allowed = tpl_allowed(p, i), *desc = desc_text(p, i);
        if (!allowed || !desc) x->failed = true;
        const char *texts[N_COLS] = {n->code, n->title, f->name, NULL, tpl_kind(p, i), allowed, desc};
        if (!x->failed) xlsx_row(x, row, texts);
        free(allowed);
        free(desc);
        if (f->ftype == FACT_CHOICE && !given_node(p, i)) {
            const char **names = calloc((size_t)f->n_options + 1, sizeof *names);
            if (!names) {
                x->failed = true;
                break;
            }
            for (int k = 0; k < f->n_options; k++) names[k] = f->options[k].name;
            drop_down(x, row, names, f->n_options);
            free(names);
        } else if (f->ftype == FACT_BOOL) {
            static const char *const yes_no[] = {"có", "không"};
            drop_down(x, row, yes_no, 2);
        }
    }
    xcheck(x, xl->worksheet_autofilter(x->ws, 0, 0, (lxw_row_t)p->n_entries + 1, N_COLS - 1));
    xl->worksheet_set_selection(x->ws, 1, COL_VALUE, 1, COL_VALUE);
    /* Printed: A4 landscape, one page wide, the header row on every page. */
    xl->worksheet_set_landscape(x->ws);
    xl->worksheet_set_paper(x->ws, 9); /* A4 */
    xl->worksheet_fit_to_pages(x->ws, 1, 0);
    xcheck(x, xl->worksheet_repeat_rows(x->ws, 0, 0));
}

int tpl_write_xlsx(const tpl_plan *p, const char *path) {
    if (!path) return -1;
    if ((size_t)p->n_entries + 2 > (size_t)LXW_ROW_MAX) return -1;
    char why[300];
    if (!(xl = xlsx_lib_get(why, sizeof why))) {
        fprintf(stderr, "chiso: %s\n", why);
        return -1;
    }
    xw x;
    memset(&x, 0, sizeof x);
    x.wb = xl->workbook_new(path);
    if (!x.wb) return -1;
    make_formats(&x);
    x.ws = xl->workbook_add_worksheet(x.wb, SHEET_NAME);
    if (!x.ws) x.failed = true;
    strbuf title = {0};
    sb_puts(&title, "Mẫu số liệu");
    if (p->rs->title && *p->rs->title) {
        sb_puts(&title, " — ");
        sb_puts_flat(&title, p->rs->title);
    }
    if (title.oom) x.failed = true;
    lxw_doc_properties props;
    memset(&props, 0, sizeof props);
    props.title = title.p;
    if (!x.failed) xcheck(&x, xl->workbook_set_properties(x.wb, &props));
    if (!x.failed) xlsx_sheet(&x, p);
    /* workbook_close writes the file and frees the workbook, whatever happened before. */
    if (xl->workbook_close(x.wb) != LXW_NO_ERROR) x.failed = true;
    sb_free(&title);
    return x.failed ? -1 : 0;
}
