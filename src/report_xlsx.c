/* The xlsx workbook, through libxlsxwriter (which writes the file by name at workbook_close).
 *
 * Sheet "Bảng điểm": the appendix layout (report_table.h): a header row `STT, Lĩnh vực/Tiêu
 * chí/Tiêu chí thành phần, Điểm tối đa, <unit>...`, one row per node, then TOTAL, MAX, INDEX,
 * RANK, CLASS. Header bold on a light fill; header row and the first two columns frozen; areas'
 * rows and the summary rows bold; titles wrapped, rows made tall enough (an estimate: neither
 * Excel nor LibreOffice re-fits heights on opening); codes are text ("1.1" is not a number).
 * Printed A4 landscape, one page wide, header row and first two columns on every page.
 * Sheet "Xếp hạng": one row per unit in ranking order (ties in input order, units without a rank
 * last): rank, unit, total, maximum, index, class (when the rule set classifies), then one column
 * per area with its sub-index.
 *
 * Scores are exact decimals everywhere else; here, and only here, they become binary doubles,
 * because a spreadsheet cell holds one. Every score has at most a few decimals and is far below
 * 2^53, so the double is the nearest one to the decimal, and the "0.00" format shows it exactly. */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#include "xlsx_lib.h"

#include "report_table.h"
#include "textutil.h"

enum {
    MAX_STRING = 32767, /* bytes libxlsxwriter accepts in a cell */
    FIRST_UNIT_COL = 3,
    W_CODE = 9, W_TITLE = 50, W_MAX = 10, W_UNIT = 14,                     /* "Bảng điểm" */
    W_RANK = 7, W_NAME = 36, W_NUM = 11, W_CLASS = 14, W_AREA = 16,        /* "Xếp hạng" */
    LINE_PT = 15, /* points per line of the default 11-point font */
    MAX_LINES = 8,
};


static const xlsx_lib *xl; /* set by the entry point below */
static const lxw_color_t HEAD_FILL = 0xDDEBF7;

typedef struct {
    lxw_workbook *wb;
    lxw_format *head, *text, *text_b, *text_rb, *wrap, *wrap_b, *num, *num_b, *rank, *rank_b;
    bool failed;
    char *buf; /* sanitised strings */
    size_t cap;
} xlsx;

/* Valid UTF-8 for the XML inside the file: invalid bytes become U+FFFD, control characters other
 * than tab and line feed a space; at most MAX_STRING bytes, never cutting a character. */
static const char *clean(xlsx *x, const char *s)
{
    if (!s) s = "";
    size_t len = strlen(s);
    size_t need = len * 3 + 1;
    if (need > x->cap) {
        char *p = realloc(x->buf, need);
        if (!p) {
            x->failed = true;
            return "";
        }
        x->buf = p;
        x->cap = need;
    }
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        int32_t cp;
        size_t k = text_next_cp(s + i, len - i, &cp);
        const char *piece = s + i;
        size_t n = k;
        if (cp < 0) {
            piece = TEXT_REPLACEMENT;
            n = 3;
        } else if ((cp < 0x20 && cp != '\t' && cp != '\n') || cp == 0x7F) {
            piece = " ";
            n = 1;
        }
        if (o + n > MAX_STRING) break;
        memcpy(x->buf + o, piece, n);
        o += n;
        i += k;
    }
    x->buf[o] = '\0';
    return x->buf;
}

static double to_double(dec_t d) { return (double)d.num / (double)d.den; }

static void check(xlsx *x, lxw_error e)
{
    if (e != LXW_NO_ERROR) x->failed = true;
}

static void put_str(xlsx *x, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const char *s,
                    lxw_format *f)
{
    const char *t = clean(x, s);
    if (*t)
        check(x, xl->worksheet_write_string(ws, r, c, t, f));
    else
        check(x, xl->worksheet_write_blank(ws, r, c, f));
}

static void put_num(xlsx *x, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, dec_t v, lxw_format *f)
{
    check(x, xl->worksheet_write_number(ws, r, c, to_double(v), f));
}

/* Lines a wrapped text takes in a column `width` characters wide: an estimate, since neither
 * Excel nor LibreOffice re-fits row heights when they open a file. A column's width counts
 * digits of the default font; capitals are wider than a digit, most small letters narrower. */
static int lines_for(const char *s, double width)
{
    if (!s || !*s) return 1;
    double w = 0;
    size_t len = strlen(s);
    for (size_t i = 0; i < len;) {
        int32_t cp;
        i += text_next_cp(s + i, len - i, &cp);
        if (cp < 0) {
            w += 1;
            continue;
        }
        int cw = utf8proc_charwidth(cp);
        w += utf8proc_isupper(cp) ? 1.25 : 0.9 * (cw > 0 ? cw : 0);
    }
    int n = (int)(w / (width - 1)) + 1;
    return n > MAX_LINES ? MAX_LINES : n;
}

/* A row tall enough for `lines` lines (only when more than one: the default fits one). */
static void fit_row(xlsx *x, lxw_worksheet *ws, lxw_row_t row, int lines)
{
    if (lines > 1) check(x, xl->worksheet_set_row(ws, row, LINE_PT * lines, NULL));
}

static void put_blank(xlsx *x, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, lxw_format *f)
{
    check(x, xl->worksheet_write_blank(ws, r, c, f));
}

static lxw_format *fmt(xlsx *x, bool bold, bool wrap, const char *num)
{
    lxw_format *f = xl->workbook_add_format(x->wb);
    if (!f) {
        x->failed = true;
        return NULL;
    }
    xl->format_set_border(f, LXW_BORDER_THIN);
    xl->format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
    if (bold) xl->format_set_bold(f);
    if (wrap) xl->format_set_text_wrap(f);
    if (num) xl->format_set_num_format(f, num);
    return f;
}

static void make_formats(xlsx *x)
{
    x->head = fmt(x, true, true, NULL);
    if (x->head) {
        xl->format_set_bg_color(x->head, HEAD_FILL);
        xl->format_set_pattern(x->head, LXW_PATTERN_SOLID);
        xl->format_set_align(x->head, LXW_ALIGN_CENTER);
        xl->format_set_align(x->head, LXW_ALIGN_VERTICAL_CENTER);
    }
    x->text = fmt(x, false, false, NULL);
    x->text_b = fmt(x, true, false, NULL);
    x->text_rb = fmt(x, true, false, NULL); /* a bonus's range, in the numbers' column */
    if (x->text_rb) xl->format_set_align(x->text_rb, LXW_ALIGN_RIGHT);
    x->wrap = fmt(x, false, true, NULL);
    x->wrap_b = fmt(x, true, true, NULL);
    x->num = fmt(x, false, false, "0.00");
    x->num_b = fmt(x, true, false, "0.00");
    x->rank = fmt(x, false, false, "0");
    x->rank_b = fmt(x, true, false, "0");
}

/* Printed: A4 landscape, one page wide, the header row (and the first columns) on every page. */
static void print_setup(xlsx *x, lxw_worksheet *ws, lxw_col_t repeat_cols)
{
    xl->worksheet_set_landscape(ws);
    xl->worksheet_set_paper(ws, 9); /* A4 */
    xl->worksheet_fit_to_pages(ws, 1, 0);
    check(x, xl->worksheet_repeat_rows(ws, 0, 0));
    check(x, xl->worksheet_repeat_columns(ws, 0, repeat_cols));
}

static void sheet_scores(xlsx *x, const rtable *t, bool nodes, bool rank, report_rank_by by)
{
    const ruleset *rs = rtable_ruleset(t);
    size_t n_units = rtable_n_units(t);
    lxw_worksheet *ws = xl->workbook_add_worksheet(x->wb, "Bảng điểm");
    if (!ws) {
        x->failed = true;
        return;
    }
    check(x, xl->worksheet_set_column(ws, 0, 0, W_CODE, NULL));
    check(x, xl->worksheet_set_column(ws, 1, 1, W_TITLE, NULL));
    check(x, xl->worksheet_set_column(ws, 2, 2, W_MAX, NULL));
    if (n_units > 0)
        check(x, xl->worksheet_set_column(ws, FIRST_UNIT_COL,
                                      (lxw_col_t)(FIRST_UNIT_COL + n_units - 1), W_UNIT, NULL));
    xl->worksheet_freeze_panes(ws, 1, 2);
    print_setup(x, ws, 1);

    put_str(x, ws, 0, 0, "STT", x->head);
    put_str(x, ws, 0, 1, "Lĩnh vực/Tiêu chí/Tiêu chí thành phần", x->head);
    put_str(x, ws, 0, 2, "Điểm tối đa", x->head);
    int head_lines = lines_for("Điểm tối đa", W_MAX);
    for (size_t u = 0; u < n_units; u++) {
        const char *name = rtable_unit_at(t, u).name;
        put_str(x, ws, 0, (lxw_col_t)(FIRST_UNIT_COL + u), name, x->head);
        int l = lines_for(name, W_UNIT);
        if (l > head_lines) head_lines = l;
    }
    fit_row(x, ws, 0, head_lines);

    lxw_row_t row = 1;
    for (int i = 0; nodes && i < rs->n_nodes && !x->failed; i++, row++) {
        const node *n = rs->nodes[i];
        bool b = n->depth == 0;
        put_str(x, ws, row, 0, n->code, b ? x->text_b : x->text);
        put_str(x, ws, row, 1, n->title, b ? x->wrap_b : x->wrap);
        fit_row(x, ws, row, lines_for(n->title, W_TITLE));
        if (n->kind == NODE_BONUS) {
            char lo[DEC_FMT_MAX], hi[DEC_FMT_MAX], range[2 * DEC_FMT_MAX + 4];
            dec_format(n->range_lo, -1, lo, sizeof lo);
            dec_format(n->range_hi, -1, hi, sizeof hi);
            snprintf(range, sizeof range, "%s..%s", lo, hi);
            put_str(x, ws, row, 2, range, x->text_rb);
        } else {
            put_num(x, ws, row, 2, n->max, b ? x->num_b : x->num);
        }
        for (size_t u = 0; u < n_units; u++) {
            dec_t v;
            lxw_col_t c = (lxw_col_t)(FIRST_UNIT_COL + u);
            if (rtable_score(t, u, i, NULL, &v))
                put_num(x, ws, row, c, v, b ? x->num_b : x->num);
            else
                put_blank(x, ws, row, c, b ? x->num_b : x->num);
        }
    }

    /* Summary rows, bold. */
    put_str(x, ws, row, 0, "TOTAL", x->text_b);
    put_str(x, ws, row, 1, RT_TITLE_TOTAL, x->wrap_b);
    put_num(x, ws, row, 2, report_declared_total(rs), x->num_b);
    for (size_t u = 0; u < n_units; u++) {
        rtable_unit ru = rtable_unit_at(t, u);
        lxw_col_t c = (lxw_col_t)(FIRST_UNIT_COL + u);
        if (ru.status == ST_SCORED)
            put_num(x, ws, row, c, ru.total, x->num_b);
        else
            put_blank(x, ws, row, c, x->num_b);
    }
    row++;
    put_str(x, ws, row, 0, "MAX", x->text_b);
    put_str(x, ws, row, 1, RT_TITLE_MAX, x->wrap_b);
    put_blank(x, ws, row, 2, x->num_b);
    for (size_t u = 0; u < n_units; u++) {
        rtable_unit ru = rtable_unit_at(t, u);
        lxw_col_t c = (lxw_col_t)(FIRST_UNIT_COL + u);
        if (ru.status == ST_SCORED)
            put_num(x, ws, row, c, ru.max, x->num_b);
        else
            put_blank(x, ws, row, c, x->num_b);
    }
    row++;
    put_str(x, ws, row, 0, "INDEX", x->text_b);
    put_str(x, ws, row, 1, RT_TITLE_INDEX, x->wrap_b);
    put_num(x, ws, row, 2, dec_from_int(100), x->num_b);
    for (size_t u = 0; u < n_units; u++) {
        rtable_unit ru = rtable_unit_at(t, u);
        lxw_col_t c = (lxw_col_t)(FIRST_UNIT_COL + u);
        if (ru.index_ok)
            put_num(x, ws, row, c, ru.index, x->num_b);
        else
            put_blank(x, ws, row, c, x->num_b);
    }
    row++;
    if (rank) {
        put_str(x, ws, row, 0, "RANK", x->text_b);
        put_str(x, ws, row, 1, by == RANK_BY_TOTAL ? RT_TITLE_RANK_TOTAL : RT_TITLE_RANK,
                x->wrap_b);
        put_num(x, ws, row, 2, dec_from_int((int64_t)rtable_n_ranked(t)), x->rank_b);
        for (size_t u = 0; u < n_units; u++) {
            rtable_unit ru = rtable_unit_at(t, u);
            lxw_col_t c = (lxw_col_t)(FIRST_UNIT_COL + u);
            if (ru.rank > 0)
                put_num(x, ws, row, c, dec_from_int(ru.rank), x->rank_b);
            else
                put_blank(x, ws, row, c, x->rank_b);
        }
        row++;
    }
    if (rs->n_classes > 0) {
        put_str(x, ws, row, 0, "CLASS", x->text_b);
        put_str(x, ws, row, 1, RT_TITLE_CLASS, x->wrap_b);
        put_blank(x, ws, row, 2, x->text_b);
        for (size_t u = 0; u < n_units; u++) {
            rtable_unit ru = rtable_unit_at(t, u);
            unit_total tot = {.status = ru.status, .index_ok = ru.index_ok,
                              .class_index = ru.class_index};
            const char *label = report_class_label(rs, &tot);
            put_str(x, ws, row, (lxw_col_t)(FIRST_UNIT_COL + u), label, x->text_b);
        }
    }
}

static void sheet_ranking(xlsx *x, const rtable *t)
{
    const ruleset *rs = rtable_ruleset(t);
    size_t n_units = rtable_n_units(t);
    int n_areas = rtable_n_areas(t);
    bool classes = rs->n_classes > 0;
    lxw_col_t first_area = classes ? 6 : 5;
    lxw_worksheet *ws = xl->workbook_add_worksheet(x->wb, "Xếp hạng");
    if (!ws) {
        x->failed = true;
        return;
    }
    check(x, xl->worksheet_set_column(ws, 0, 0, W_RANK, NULL));
    check(x, xl->worksheet_set_column(ws, 1, 1, W_NAME, NULL));
    check(x, xl->worksheet_set_column(ws, 2, 4, W_NUM, NULL));
    if (classes) check(x, xl->worksheet_set_column(ws, 5, 5, W_CLASS, NULL));
    if (n_areas > 0)
        check(x, xl->worksheet_set_column(ws, first_area, (lxw_col_t)(first_area + n_areas - 1),
                                      W_AREA, NULL));
    xl->worksheet_freeze_panes(ws, 1, 2);
    print_setup(x, ws, 1);

    put_str(x, ws, 0, 0, "Hạng", x->head);
    put_str(x, ws, 0, 1, "Đơn vị", x->head);
    put_str(x, ws, 0, 2, "Tổng điểm", x->head);
    put_str(x, ws, 0, 3, "Điểm tối đa", x->head);
    put_str(x, ws, 0, 4, "Chỉ số (%)", x->head);
    if (classes) put_str(x, ws, 0, 5, "Xếp loại", x->head);
    int head_lines = lines_for("Điểm tối đa", W_NUM);
    for (int a = 0; a < n_areas; a++) {
        const node *n = rtable_area(t, a);
        char *h = malloc(strlen(n->code) + strlen(n->title ? n->title : "") + 16);
        if (!h) {
            x->failed = true;
            return;
        }
        sprintf(h, "%s. %s (%%)", n->code, n->title ? n->title : "");
        put_str(x, ws, 0, (lxw_col_t)(first_area + a), h, x->head);
        int l = lines_for(h, W_AREA);
        if (l > head_lines) head_lines = l;
        free(h);
    }
    fit_row(x, ws, 0, head_lines);

    for (size_t i = 0; i < n_units && !x->failed; i++) {
        size_t u = rtable_ranked_at(t, i);
        rtable_unit ru = rtable_unit_at(t, u);
        lxw_row_t row = (lxw_row_t)(i + 1);
        bool done = ru.status == ST_SCORED;
        if (ru.rank > 0)
            put_num(x, ws, row, 0, dec_from_int(ru.rank), x->rank);
        else
            put_blank(x, ws, row, 0, x->rank);
        put_str(x, ws, row, 1, ru.name, x->wrap);
        fit_row(x, ws, row, lines_for(ru.name, W_NAME));
        if (done) {
            put_num(x, ws, row, 2, ru.total, x->num);
            put_num(x, ws, row, 3, ru.max, x->num);
        } else {
            put_blank(x, ws, row, 2, x->num);
            put_blank(x, ws, row, 3, x->num);
        }
        if (ru.index_ok)
            put_num(x, ws, row, 4, ru.index, x->num);
        else
            put_blank(x, ws, row, 4, x->num);
        if (classes) {
            unit_total tot = {.status = ru.status, .index_ok = ru.index_ok,
                              .class_index = ru.class_index};
            put_str(x, ws, row, 5, report_class_label(rs, &tot), x->text);
        }
        for (int a = 0; a < n_areas; a++) {
            dec_t v;
            lxw_col_t c = (lxw_col_t)(first_area + a);
            if (rtable_area_index(t, u, a, &v))
                put_num(x, ws, row, c, v, x->num);
            else
                put_blank(x, ws, row, c, x->num);
        }
    }
}

int rtable_write_xlsx(const rtable *t, const char *path, bool nodes, bool rank, report_rank_by by)
{
    if (!path) return -1;
    if (rtable_n_units(t) > LXW_COL_MAX - FIRST_UNIT_COL) {
        fprintf(stderr, "chiso: %zu units do not fit in one xlsx sheet (at most %d columns)\n",
                rtable_n_units(t), (int)(LXW_COL_MAX - FIRST_UNIT_COL));
        return -1;
    }
    char why[300];
    if (!(xl = xlsx_lib_get(why, sizeof why))) {
        fprintf(stderr, "chiso: %s\n", why);
        return -1;
    }
    xlsx x = {0};
    x.wb = xl->workbook_new(path);
    if (!x.wb) return -1;
    make_formats(&x);
    const ruleset *rs = rtable_ruleset(t);
    char *title = NULL; /* kept until workbook_close, whether or not the library copies it */
    if (rs->title) {
        const char *c = clean(&x, rs->title);
        title = malloc(strlen(c) + 1);
        if (title) {
            strcpy(title, c);
            lxw_doc_properties props = {0};
            props.title = title;
            check(&x, xl->workbook_set_properties(x.wb, &props));
        }
    }
    if (!x.failed) sheet_scores(&x, t, nodes, rank, by);
    if (!x.failed) sheet_ranking(&x, t);
    /* workbook_close writes the file and frees the workbook, whatever happened before. */
    if (xl->workbook_close(x.wb) != LXW_NO_ERROR) x.failed = true;
    free(title);
    free(x.buf);
    return x.failed ? -1 : 0;
}
