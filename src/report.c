/* Report writers: a readable tree for a terminal, CSV rows, or a JSON document; and, through
 * report_table.c / report_xlsx.c, the published appendix (CSV) and an xlsx workbook.
 * docs/reports.md shows every format with a sample.
 *
 * Common decisions
 * - Numbers are exact: dec_format(v, -1), the shortest exact decimal ("13.5", "2", "0.25") or
 *   "p/q" when the value has no finite decimal form ("2/3"). Only TEXT pads to two decimals
 *   ("13.50"), because there the columns must line up; CSV and JSON carry the plain exact form.
 * - "max" is the node's EFFECTIVE maximum for that unit (node_result.max: 0 when excluded, 0 for
 *   a bonus), so the maxima a unit's report shows add up to its total maximum.
 * - decided_by: report_decided_by(); a missing node says "missing: <fact>", an error node
 *   "<eval_error_text> at file:line:col" (col is the byte column the parser recorded), a clamped
 *   node appends " (clamped from <raw>)".
 * - A unit is "incomplete" when its total's status is not scored; its reason reads
 *   "node 1.5 missing fact 'x'" or "node 1.5 error: division by zero at rules.chiso:12:5".
 * - Class: the label of the `classify` arm the index falls in (report_class_label); shown only
 *   when the rule set classifies, and only for a unit with an index.
 * - Areas' sub-indices: every top-level node that is not a bonus (an "area"), its score / its
 *   effective maximum × 100, rounded like the index (`round index`); none when the area is
 *   excluded, missing or in error, or its maximum is 0 (report_area_index). An area of an
 *   incomplete unit may have one: it is complete by itself.
 *
 * TEXT, DETAIL_NODES: per unit, a line with the unit name, one line per node in pre-order, a total
 * line; a blank line between units. Columns, two spaces apart: code (indented two spaces per
 * depth), title, score, max, status, decided-by. Titles are cut by display width (utf8proc
 * character widths, never inside a UTF-8 sequence) with "…", so that the first five columns plus
 * 24 columns kept for decided-by fit the width (0 = 100; titles keep at least 8 columns).
 * decided-by comes last and is never cut: it carries the diagnosis. A score shows "—" when the
 * node is excluded (it does not apply) and "?" when it is unknown (missing, error). Control
 * characters print as spaces and invalid UTF-8 as U+FFFD, so no title can break the grid.
 * At width 76:
 *   Phòng Nội vụ
 *   1      CÔNG TÁC CHỈ ĐẠO, Đ…   0.50  1.00  scored    sum
 *     1.1  Ban hành kế hoạch c…   0.50  1.00  scored    85%..<100% => 0.5
 *     1.2  Tuyên truyền cải cá…      —  0.00  excluded  not applicable unless co_tthc
 *   2      Điểm thưởng / điểm …   0.25  0.00  scored    so_nv_dam_bao - so_nv_khong_dam_bao
 *   Total  0.75 / 1  index 75.00%
 * An incomplete unit's total line reads "Total  incomplete: node 1.1 missing fact 'ty_le'"; a
 * unit whose maximum is 0 shows "index —". With classify, the label ends the line:
 *   Total  63.50 / 70  index 90.71%  Tốt
 * TEXT, DETAIL_TOTAL: one line per unit: unit (padded to min(40, width - 38) columns, never cut:
 * it is the unit's identity), total, max, index, status, and the reason when incomplete, else
 * the class label (the two never meet: a label needs a complete unit):
 *   Phòng Nội vụ                                 0.75     1.00    75.00%  scored    Tốt
 *   Phòng Tài nguyên và Môi trường                  ?     0.00         —  missing   node 1.1 ...
 * With rank, both end with a blank line, "Ranking" ("Ranking by total" with RANK_BY_TOTAL) and
 * one "rank  unit  index  total / max  [class]" line per ranked unit:
 *   1  Phòng Nội vụ  75.00%  0.75 / 1  Tốt
 *
 * CSV (RFC 4180 quoting: a field is quoted when it holds , " CR or LF; LF line ends; UTF-8, no
 * BOM). Header `unit,code,title,score,max,status,decided_by`; one row per unit and node (score
 * empty when excluded, missing or error); then per unit a TOTAL row (title empty, score empty when
 * incomplete, decided_by = the reason), an INDEX row (score = index or empty, max = 100), when
 * the rule set classifies a CLASS row (title = the label or empty; score and max empty; status
 * the unit's; decided_by the reason, or "no class matches"), and one "INDEX <code>" row per area
 * (title = the area's title, score = its sub-index or empty, max 100, status = the area node's
 * status, decided_by empty or why there is none: the area's decided-by, "maximum is 0").
 * DETAIL_TOTAL writes only these summary rows. With rank, the file ends with one RANK row
 * per ranked unit in rank order: score = rank, max = number of ranked units, status `ranked`.
 *   Phòng Nội vụ,1.1,Ban hành kế hoạch cải cách hành chính năm,0.5,1,scored,85%..<100% => 0.5
 *   Phòng Nội vụ,TOTAL,,0.75,1,scored,
 *   Phòng Nội vụ,INDEX,,75,100,scored,
 *   Phòng Nội vụ,CLASS,Tốt,,,scored,
 *   Phòng Nội vụ,INDEX 1,CÔNG TÁC CHỈ ĐẠO,50,100,scored,
 *   Phòng Nội vụ,RANK,,1,1,ranked,
 *
 * JSON: {"ruleset": {title, year, source}, "units": [one object per line], "ranking": [...]}.
 * Every score, maximum, total and index is a JSON STRING holding the exact decimal ("13.5"):
 * jansson (like most JSON readers) turns numbers into binary doubles, and 0.1 + 0.2 would then
 * no longer be 0.3; a string round-trips exactly. Ranks and the year are plain integers.
 * A unit: unit, nodes (DETAIL_NODES only), total (null when incomplete), max, index (null when
 * incomplete or the maximum is 0), class (only when the rule set classifies: the label or null),
 * areas ([{code, score, max, index, status}] per area: score and index null when there is none,
 * max the effective maximum), status, and bad_node + reason when incomplete. A node: code,
 * title, score (null when none), max, status, decided_by, plus missing_fact (missing), error and
 * at (error), raw (the exact value before rounding or clamping, when they changed it).
 * "ranking" is present only when a ranking was asked: [{rank, unit, index, total[, class]}]
 * (index null only when ranking by total a unit whose maximum is 0).
 *   {"unit": "Phòng Nội vụ", "nodes": [..., {"code": "1.1", "title": "Ban hành kế hoạch ...",
 *    "score": "0.5", "max": "1", "status": "scored", "decided_by": "85%..<100% => 0.5"}, ...],
 *    "total": "0.75", "max": "1", "index": "75", "status": "scored"}
 *
 * Ranking (report_extra.rank_by): by index, units whose total is scored and whose index exists,
 * by index descending; by total, units whose total is scored, by total descending. Exact
 * comparison; ties share a rank (1, 2, 2, 4) and keep input order.
 *
 * APPENDIX and XLSX (report_table.h): every unit is kept (its node scores and statuses, areas'
 * sub-indices, total) and the document is written at report_finish: header
 * `code,title,max,<unit>...`, one row per node (max = the DECLARED maximum, a bonus its range
 * "-3..3"; a cell empty when the node is excluded, missing or in error), then TOTAL (max = the
 * declared total), MAX (each unit's effective maximum), INDEX (max 100), RANK (with rank; max =
 * number ranked) and CLASS (with classify); a summary cell is empty when the unit is incomplete.
 * DETAIL_TOTAL leaves out the node rows. XLSX writes the file named by report_extra.path.
 *
 * report_unit may get res == NULL only for a ruleset without nodes (an incomplete unit's reason
 * then names only its status; areas are then left out).
 *
 * Memory stays flat in batches: output is built in reusable buffers, one write per unit; the
 * per-node parts that do not depend on the unit (the text code/title cell, the CSV code,title
 * fields) are built once in report_new; a ranking keeps only name, index, total, max and class.
 * APPENDIX and XLSX are the exception: they keep every unit (meant for hundreds of units). */
#include "report.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "jsonutil.h"
#include "report_table.h"
#include "strbuf.h"
#include "textutil.h"

enum {
    DEFAULT_WIDTH = 100,
    GAP = 2,             /* spaces between text columns */
    DECIDED_RESERVE = 24, /* text columns kept for decided-by when sizing titles */
    MIN_TITLE = 8,
    TOT_W = 7,  /* DETAIL_TOTAL text: total column ("-100.00") */
    TMAX_W = 7, /* max column */
    IDX_W = 8,  /* index column ("100.00%") */
    UNIT_W_MAX = 40,
    UNIT_W_MIN = 12,
};

static const char EM_DASH[] = "\xE2\x80\x94"; /* — */
static const char ELLIPSIS[] = "\xE2\x80\xA6"; /* … */


static void sb_dec(strbuf *b, dec_t d, int places)
{
    char num[DEC_FMT_MAX];
    size_t n = dec_format(d, places, num, sizeof num);
    sb_putn(b, num, n < sizeof num ? n : sizeof num - 1);
}

/* Drops trailing spaces (padding of a last empty column) and ends the line. */
static void sb_endline(strbuf *b)
{
    while (b->len > 0 && b->p[b->len - 1] == ' ') b->len--;
    sb_putc(b, '\n');
}

/* ---- bounded writer for report_decided_by: snprintf semantics, never cuts a UTF-8 sequence ---- */

typedef struct {
    char *buf;
    size_t cap, len, pos; /* len: length needed; pos: bytes stored */
    bool cut;
} bwriter;

static void bw_putn(bwriter *w, const char *s, size_t n)
{
    if (!w->cut && w->cap > 0) {
        size_t room = w->cap - 1 - w->pos;
        size_t m = n;
        if (m > room) {
            m = room;
            /* Back up to the lead byte of a sequence the cut would split. */
            while (m > 0 && ((unsigned char)s[m] & 0xC0) == 0x80) m--;
            w->cut = true;
        }
        memcpy(w->buf + w->pos, s, m);
        w->pos += m;
    }
    w->len += n;
}

static void bw_puts(bwriter *w, const char *s)
{
    if (s) bw_putn(w, s, strlen(s));
}

static void bw_int(bwriter *w, long long v)
{
    char num[32];
    size_t n;
    const char *p = int_text(v, num, &n);
    bw_putn(w, p, n);
}

static void bw_dec(bwriter *w, dec_t d)
{
    char num[DEC_FMT_MAX];
    size_t n = dec_format(d, -1, num, sizeof num);
    bw_putn(w, num, n < sizeof num ? n : sizeof num - 1);
}

static size_t bw_end(bwriter *w)
{
    if (w->cap > 0) w->buf[w->pos] = '\0';
    return w->len;
}

/* ---- UTF-8 and display width ---- */

static bool is_control(int32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp < 0xA0); }

int report_display_width(const char *s, size_t len)
{
    int w = 0;
    for (size_t i = 0; i < len;) {
        int32_t cp;
        i += text_next_cp(s + i, len - i, &cp);
        w += cp < 0 ? 1 : utf8proc_charwidth(cp);
    }
    return w;
}

/* Columns a code point takes in text output, where controls print as a space and invalid bytes
 * as U+FFFD. */
static int shown_width(int32_t cp)
{
    if (cp < 0 || is_control(cp)) return 1;
    return utf8proc_charwidth(cp);
}

static void put_shown(strbuf *b, const char *s, size_t k, int32_t cp)
{
    if (cp < 0)
        sb_putn(b, TEXT_REPLACEMENT, sizeof TEXT_REPLACEMENT - 1);
    else if (is_control(cp))
        sb_putc(b, ' ');
    else
        sb_putn(b, s, k);
}

static int text_width(const char *s, size_t len)
{
    int w = 0;
    for (size_t i = 0; i < len;) {
        int32_t cp;
        i += text_next_cp(s + i, len - i, &cp);
        w += shown_width(cp);
    }
    return w;
}

/* Appends s as at most `w` columns (w < 0: no limit), ending a cut with "…"; returns the columns
 * written. A title can thus never break the line structure or the column grid. */
static int sb_text(strbuf *b, const char *s, int w)
{
    if (!s) s = "";
    size_t len = 0;
    while ((unsigned char)s[len] >= 0x20 && (unsigned char)s[len] < 0x7F) len++;
    if (!s[len] && (w < 0 || len <= (size_t)w)) { /* printable ASCII: the common case in batches */
        sb_putn(b, s, len);
        return (int)len;
    }
    len += strlen(s + len);
    int total = text_width(s, len);
    int limit = (w < 0 || total <= w) ? total : w - 1;
    if (w == 0) return 0;
    int used = 0;
    for (size_t i = 0; i < len;) {
        int32_t cp;
        size_t k = text_next_cp(s + i, len - i, &cp);
        int cw = shown_width(cp);
        if (used + cw > limit) break;
        put_shown(b, s + i, k, cp);
        used += cw;
        i += k;
    }
    if (limit < total) {
        sb_putn(b, ELLIPSIS, sizeof ELLIPSIS - 1);
        used++;
    }
    return used;
}

/* A left-aligned cell of exactly `w` columns (wider text is cut). */
static void sb_cell(strbuf *b, const char *s, int w) { sb_spaces(b, w - sb_text(b, s, w)); }

/* A left-aligned cell of at least `w` columns (wider text is kept whole). */
static void sb_cell_min(strbuf *b, const char *s, int w) { sb_spaces(b, w - sb_text(b, s, -1)); }

/* A right-aligned ASCII number (or a one-column mark such as "—") in `w` columns. */
static void sb_right(strbuf *b, const char *s, size_t bytes, int cols, int w)
{
    sb_spaces(b, w - cols);
    sb_putn(b, s, bytes);
}

static void sb_right_dec(strbuf *b, dec_t d, int places, const char *suffix, int w)
{
    char num[DEC_FMT_MAX + 4];
    size_t n = dec_format(d, places, num, DEC_FMT_MAX);
    if (n >= DEC_FMT_MAX) n = DEC_FMT_MAX - 1;
    if (suffix) {
        size_t k = strlen(suffix);
        memcpy(num + n, suffix, k + 1);
        n += k;
    }
    sb_right(b, num, n, (int)n, w);
}

/* ---- CSV ---- */

static void csv_field(strbuf *b, const char *s)
{
    if (!s || !*s) return; /* most reasons are empty */
    if (!s[strcspn(s, ",\"\r\n")]) {
        sb_puts(b, s);
        return;
    }
    sb_putc(b, '"');
    for (const char *q; (q = strchr(s, '"')); s = q + 1) {
        sb_putn(b, s, (size_t)(q - s) + 1);
        sb_putc(b, '"');
    }
    sb_puts(b, s);
    sb_putc(b, '"');
}

/* ---- the report ---- */

/* An area's CSV row after the unit name, when the area has an index: it depends on the area's
 * status, score and maximum only, and areas often score the same from one unit to the next (the
 * evaluator keeps whole subtrees' results for the same reason), so the last one is kept. */
typedef struct {
    bool valid;
    uint8_t status;
    dec_t score, max;
    strbuf text;
} area_row;

typedef struct {
    size_t name_off; /* in report.names */
    dec_t index, total, max;
    dec_t key;  /* what the ranking compares: index or total */
    size_t seq; /* input order, for stable ties */
    long rank;
    int32_t class_index;
    bool index_ok;
} summary;

struct report {
    FILE *out;
    const ruleset *rs;
    report_opts o;
    report_extra x;
    rtable *table; /* REPORT_APPENDIX, REPORT_XLSX: every unit, written at the end */
    int width, code_w, title_w, score_w, max_w, status_w, unit_w;

    strbuf line;  /* one unit's output, written at once */
    strbuf tmp;   /* decided-by and reasons */
    strbuf unitq; /* the unit name as a CSV field */
    strbuf pre;   /* per-node cells built once (text code+title, CSV code,title) */
    size_t *pre_off; /* n_nodes + 1 offsets into pre */
    strbuf apre;  /* CSV: per top-level node, its area row's cells "INDEX <code>,title," */
    size_t *apre_off; /* n_top + 1 offsets into apre */
    area_row *arows; /* CSV: per top-level node, its last area row with an index */

    summary *sums;
    size_t n_sums, cap_sums;
    strbuf names;

    size_t n_units;
    bool started, finished, failed;
};

static const char *status_name(int s) { return eval_status_name((node_status)s); }

static bool same_dec(dec_t a, dec_t b) { return a.num == b.num && a.den == b.den; }

static bool has_score(const node_result *x)
{
    return x->status != ST_EXCLUDED && x->status != ST_MISSING && x->status != ST_ERROR;
}

static const char *fact_name(const ruleset *rs, int32_t f)
{
    return (f >= 0 && f < rs->n_facts && rs->facts[f].name) ? rs->facts[f].name : "?";
}

/* "file:line:col" of an error, or nothing when the evaluator gave no location. */
static void bw_loc(bwriter *w, const ruleset *rs, const node_result *x)
{
    if (!x->at || x->at->loc.line <= 0) return;
    const char *file = x->at->loc.file ? x->at->loc.file : rs->file;
    bw_puts(w, file ? file : "?");
    bw_putn(w, ":", 1);
    bw_int(w, x->at->loc.line);
    if (diag_char_col(&x->at->loc) > 0) {
        bw_putn(w, ":", 1);
        bw_int(w, diag_char_col(&x->at->loc));
    }
}

static void bw_error(bwriter *w, const ruleset *rs, const node_result *x)
{
    bw_puts(w, eval_error_text((eval_error)x->error));
    if (x->at && x->at->loc.line > 0) {
        bw_puts(w, " at ");
        bw_loc(w, rs, x);
    }
}

size_t report_decided_by(const ruleset *rs, const node *n, const node_result *res, char *buf,
                         size_t cap)
{
    bwriter w = {buf, cap, 0, 0, false};
    const rule *ru = &n->rule;
    if (res->status == ST_MISSING) {
        bw_puts(&w, res->error == EV_BAD_FACT ? "bad value: " : "missing: ");
        bw_puts(&w, fact_name(rs, res->fact));
        return bw_end(&w);
    }
    if (res->status == ST_ERROR) {
        bw_error(&w, rs, res);
        return bw_end(&w);
    }
    switch ((decided_kind)res->by) {
    case BY_RULE:
        bw_puts(&w, ru->text ? ru->text : "rule");
        if (res->via && res->via->text) { /* the band that decided inside a function */
            bw_puts(&w, "; band ");
            bw_puts(&w, res->via->text);
        }
        break;
    case BY_ARM:
        if (res->which >= 0 && res->which < ru->n_arms && ru->arms[res->which].text)
            bw_puts(&w, ru->arms[res->which].text);
        else
            bw_puts(&w, "band");
        break;
    case BY_NO_ARM:
        bw_puts(&w, "no band matched");
        break;
    case BY_PARTS: {
        int held = 0;
        for (int i = 0; i < ru->n_arms && i < 31; i++) {
            if (!(res->which & (INT32_C(1) << i))) continue;
            if (held++) bw_puts(&w, "; ");
            bw_puts(&w, ru->arms[i].text ? ru->arms[i].text : "part");
        }
        if (!held) bw_puts(&w, "no part");
        break;
    }
    case BY_CHILDREN:
        bw_puts(&w, "sum");
        break;
    case BY_NA:
        if (res->which >= 0 && res->which < n->n_na && n->na[res->which].text)
            bw_puts(&w, n->na[res->which].text);
        else
            bw_puts(&w, "not applicable");
        break;
    case BY_PARENT:
        bw_puts(&w, "not applicable (parent)");
        break;
    default:
        bw_puts(&w, "?");
        break;
    }
    if (res->status == ST_CLAMPED) {
        bw_puts(&w, " (clamped from ");
        bw_dec(&w, res->raw);
        bw_puts(&w, ")");
    }
    return bw_end(&w);
}

/* report_decided_by into r->tmp, growing it when the text does not fit. */
static const char *decided(report *r, const node *n, const node_result *x)
{
    if (!sb_reserve(&r->tmp, 255)) return "";
    size_t need = report_decided_by(r->rs, n, x, r->tmp.p, r->tmp.cap);
    if (need >= r->tmp.cap) {
        if (!sb_reserve(&r->tmp, need + 1)) return "";
        report_decided_by(r->rs, n, x, r->tmp.p, r->tmp.cap);
    }
    return r->tmp.p;
}

typedef void (*bw_fn)(bwriter *w, const ruleset *rs, const node_result *x);

/* Appends fn's text to r->tmp: measured first, so any length fits. */
static void tmp_append(report *r, bw_fn fn, const node_result *x)
{
    char small[1];
    bwriter m = {small, sizeof small, 0, 0, false};
    fn(&m, r->rs, x);
    if (!sb_reserve(&r->tmp, m.len)) return;
    bwriter w = {r->tmp.p + r->tmp.len, r->tmp.cap - r->tmp.len, 0, 0, false};
    fn(&w, r->rs, x);
    r->tmp.len += bw_end(&w);
}

/* Why a unit has no total, into r->tmp. */
static const char *reason(report *r, const node_result *res, const unit_total *t)
{
    const ruleset *rs = r->rs;
    r->tmp.len = 0;
    if (t->status == ST_SCORED) {
        sb_puts(&r->tmp, t->index_ok ? "" : "maximum is 0");
        return r->tmp.oom ? "" : r->tmp.p;
    }
    if (!res || t->bad_node < 0 || t->bad_node >= rs->n_nodes) {
        sb_puts(&r->tmp, status_name(t->status));
        return r->tmp.oom ? "" : r->tmp.p;
    }
    const node_result *x = &res[t->bad_node];
    const char *code = rs->nodes[t->bad_node]->code;
    sb_puts(&r->tmp, "node ");
    sb_puts(&r->tmp, code ? code : "?");
    if (x->status == ST_MISSING) {
        sb_puts(&r->tmp, x->error == EV_BAD_FACT ? " bad value of fact '" : " missing fact '");
        sb_puts(&r->tmp, fact_name(rs, x->fact));
        sb_putc(&r->tmp, '\'');
    } else if (x->status == ST_ERROR) {
        sb_puts(&r->tmp, " error: ");
        tmp_append(r, bw_error, x);
    } else {
        sb_putc(&r->tmp, ' ');
        sb_puts(&r->tmp, status_name(x->status));
    }
    return r->tmp.oom ? "" : r->tmp.p;
}

static int flush(report *r, strbuf *b)
{
    if (b->oom) r->failed = true;
    if (!r->failed && b->len && fwrite(b->p, 1, b->len, r->out) != b->len) r->failed = true;
    b->len = 0;
    return r->failed ? -1 : 0;
}

/* ---- layout, once per report ---- */

static int dec_width(dec_t d, int places)
{
    char num[DEC_FMT_MAX];
    size_t n = dec_format(d, places, num, sizeof num);
    return (int)n;
}

static void text_layout(report *r)
{
    const ruleset *rs = r->rs;
    r->code_w = 1;
    r->score_w = 4;
    r->max_w = 4;
    for (int i = 0; i < rs->n_nodes; i++) {
        const node *n = rs->nodes[i];
        int cw = 2 * n->depth + text_width(n->code ? n->code : "", n->code ? strlen(n->code) : 0);
        if (cw > r->code_w) r->code_w = cw;
        int mw = dec_width(n->max, 2);
        if (mw > r->max_w) r->max_w = mw;
        if (mw > r->score_w) r->score_w = mw;
        if (n->kind == NODE_BONUS) {
            int lw = dec_width(n->range_lo, 2), hw = dec_width(n->range_hi, 2);
            if (lw > r->score_w) r->score_w = lw;
            if (hw > r->score_w) r->score_w = hw;
        }
    }
    int fixed = r->code_w + r->score_w + r->max_w + r->status_w + 5 * GAP + DECIDED_RESERVE;
    r->title_w = r->width - fixed;
    if (r->title_w < MIN_TITLE) r->title_w = MIN_TITLE;

    int rest = TOT_W + TMAX_W + IDX_W + r->status_w + 4 * GAP;
    r->unit_w = r->width - rest;
    if (r->unit_w > UNIT_W_MAX) r->unit_w = UNIT_W_MAX;
    if (r->unit_w < UNIT_W_MIN) r->unit_w = UNIT_W_MIN;
}

/* The `code,title,` cells that start a CSV row. */
static void csv_code_title(strbuf *b, const char *code, const char *title)
{
    csv_field(b, code);
    sb_putc(b, ',');
    csv_field(b, title);
    sb_putc(b, ',');
}

/* The unit-independent start of every node line/row. */
static bool build_pre(report *r)
{
    const ruleset *rs = r->rs;
    r->pre_off = malloc(((size_t)rs->n_nodes + 1) * sizeof *r->pre_off);
    if (!r->pre_off) return false;
    for (int i = 0; i < rs->n_nodes; i++) {
        const node *n = rs->nodes[i];
        r->pre_off[i] = r->pre.len;
        if (r->o.format == REPORT_TEXT) {
            sb_spaces(&r->pre, 2 * n->depth);
            sb_cell(&r->pre, n->code, r->code_w - 2 * n->depth);
            sb_spaces(&r->pre, GAP);
            sb_cell(&r->pre, n->title, r->title_w);
            sb_spaces(&r->pre, GAP);
        } else {
            csv_code_title(&r->pre, n->code, n->title);
        }
    }
    r->pre_off[rs->n_nodes] = r->pre.len;
    return !r->pre.oom;
}

/* The unit-independent cells of every CSV area row. */
static bool build_area_pre(report *r)
{
    const ruleset *rs = r->rs;
    r->apre_off = malloc(((size_t)rs->n_top + 1) * sizeof *r->apre_off);
    r->arows = calloc((size_t)rs->n_top + 1, sizeof *r->arows);
    if (!r->apre_off || !r->arows) return false;
    for (int i = 0; i < rs->n_top; i++) {
        const node *n = rs->top[i];
        r->apre_off[i] = r->apre.len;
        r->tmp.len = 0;
        sb_puts(&r->tmp, "INDEX ");
        sb_puts(&r->tmp, n->code ? n->code : "?");
        csv_code_title(&r->apre, r->tmp.oom ? "" : r->tmp.p, n->title);
    }
    r->apre_off[rs->n_top] = r->apre.len;
    return !r->apre.oom && !r->tmp.oom;
}

report *report_new(FILE *out, const ruleset *rs, const report_opts *opts)
{
    return report_new_ex(out, rs, opts, NULL);
}

static bool table_format(const report *r)
{
    return r->o.format == REPORT_APPENDIX || r->o.format == REPORT_XLSX;
}

report *report_new_ex(FILE *out, const ruleset *rs, const report_opts *opts,
                      const report_extra *extra)
{
    if (opts && opts->format == REPORT_XLSX && (!extra || !extra->path)) return NULL;
    report *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->out = out;
    r->rs = rs;
    if (opts) r->o = *opts;
    if (extra) r->x = *extra;
    if (table_format(r)) {
        r->table = rtable_new(rs);
        if (!r->table) {
            free(r);
            return NULL;
        }
        return r;
    }
    r->width = r->o.width > 0 ? r->o.width : DEFAULT_WIDTH;
    for (int s = ST_SCORED; s <= ST_CLAMPED; s++) {
        int w = (int)strlen(status_name(s));
        if (w > r->status_w) r->status_w = w;
    }
    if (r->o.format == REPORT_TEXT) text_layout(r);
    if ((r->o.format != REPORT_JSON && r->o.detail == DETAIL_NODES && !build_pre(r)) ||
        (r->o.format == REPORT_CSV && !build_area_pre(r))) {
        report_free(r);
        return NULL;
    }
    return r;
}

void report_free(report *r)
{
    if (!r) return;
    sb_free(&r->line);
    sb_free(&r->tmp);
    sb_free(&r->unitq);
    sb_free(&r->pre);
    sb_free(&r->apre);
    free(r->apre_off);
    for (int i = 0; r->arows && i < r->rs->n_top; i++) sb_free(&r->arows[i].text);
    free(r->arows);
    sb_free(&r->names);
    free(r->pre_off);
    free(r->sums);
    rtable_free(r->table);
    free(r);
}

static bool keep_summary(report *r, const char *unit, const unit_total *t)
{
    if (r->n_sums == r->cap_sums) {
        size_t cap = r->cap_sums ? r->cap_sums * 2 : 64;
        summary *s = realloc(r->sums, cap * sizeof *s);
        if (!s) return false;
        r->sums = s;
        r->cap_sums = cap;
    }
    summary *s = &r->sums[r->n_sums++];
    s->name_off = r->names.len;
    s->index = t->index;
    s->total = t->score;
    s->max = t->max;
    s->key = r->x.rank_by == RANK_BY_TOTAL ? t->score : t->index;
    s->seq = r->n_units;
    s->rank = 0;
    s->class_index = t->class_index;
    s->index_ok = t->index_ok;
    sb_putn(&r->names, unit, strlen(unit) + 1); /* keeps the NUL: names are C strings in place */
    return !r->names.oom;
}

static const char *class_label(const report *r, const unit_total *t)
{
    return report_class_label(r->rs, t);
}

/* ---- TEXT ---- */

static void text_total_line(report *r, strbuf *b, const node_result *res, const unit_total *t)
{
    sb_puts(b, "Total  ");
    if (t->status != ST_SCORED) {
        sb_puts(b, "incomplete: ");
        sb_puts(b, reason(r, res, t));
    } else {
        sb_dec(b, t->score, 2);
        sb_puts(b, " / ");
        sb_dec(b, t->max, -1);
        sb_puts(b, "  index ");
        if (t->index_ok) {
            sb_dec(b, t->index, 2);
            sb_putc(b, '%');
        } else {
            sb_puts(b, EM_DASH);
        }
        const char *label = class_label(r, t);
        if (label) {
            sb_spaces(b, GAP);
            sb_text(b, label, -1);
        }
    }
    sb_endline(b);
}

static void text_nodes(report *r, const char *unit, const node_result *res, const unit_total *t)
{
    const ruleset *rs = r->rs;
    strbuf *b = &r->line;
    if (r->n_units > 0) sb_putc(b, '\n');
    sb_text(b, unit, -1);
    sb_endline(b);
    for (int i = 0; i < rs->n_nodes; i++) {
        const node_result *x = &res[i];
        sb_putn(b, r->pre.p + r->pre_off[i], r->pre_off[i + 1] - r->pre_off[i]);
        if (x->status == ST_EXCLUDED)
            sb_right(b, EM_DASH, sizeof EM_DASH - 1, 1, r->score_w);
        else if (!has_score(x))
            sb_right(b, "?", 1, 1, r->score_w);
        else
            sb_right_dec(b, x->score, 2, NULL, r->score_w);
        sb_spaces(b, GAP);
        sb_right_dec(b, x->max, 2, NULL, r->max_w);
        sb_spaces(b, GAP);
        sb_cell(b, status_name(x->status), r->status_w);
        sb_spaces(b, GAP);
        sb_text(b, decided(r, rs->nodes[i], x), -1);
        sb_endline(b);
    }
    text_total_line(r, b, res, t);
}

static void text_total(report *r, const char *unit, const node_result *res, const unit_total *t)
{
    strbuf *b = &r->line;
    bool done = t->status == ST_SCORED;
    sb_cell_min(b, unit, r->unit_w);
    sb_spaces(b, GAP);
    if (done)
        sb_right_dec(b, t->score, 2, NULL, TOT_W);
    else
        sb_right(b, "?", 1, 1, TOT_W);
    sb_spaces(b, GAP);
    sb_right_dec(b, t->max, 2, NULL, TMAX_W);
    sb_spaces(b, GAP);
    if (t->index_ok && done)
        sb_right_dec(b, t->index, 2, "%", IDX_W);
    else
        sb_right(b, EM_DASH, sizeof EM_DASH - 1, 1, IDX_W);
    sb_spaces(b, GAP);
    sb_cell(b, status_name(t->status), r->status_w);
    const char *why = reason(r, res, t);
    const char *label = class_label(r, t); /* only when complete: never beside a reason */
    if (*why || label) {
        sb_spaces(b, GAP);
        sb_text(b, *why ? why : label, -1);
    }
    sb_endline(b);
}

/* ---- CSV ---- */

/* Why an area has no sub-index, into r->tmp (an empty string when it has one). */
static const char *area_why(report *r, const node *n, const node_result *x, bool has_index)
{
    if (has_index) return "";
    if (!has_score(x)) return decided(r, n, x);
    r->tmp.len = 0;
    sb_puts(&r->tmp, x->max.num == 0 ? "maximum is 0" : eval_error_text(EV_OVERFLOW));
    return r->tmp.oom ? "" : r->tmp.p;
}

/* One "INDEX <code>" row per area (top-level node that is not a bonus). */
static void csv_areas(report *r, const node_result *res)
{
    const ruleset *rs = r->rs;
    strbuf *b = &r->line;
    if (!res) return;
    for (int i = 0; i < rs->n_top; i++) {
        const node *n = rs->top[i];
        if (n->kind == NODE_BONUS) continue;
        const node_result *x = &res[n->id];
        area_row *a = &r->arows[i];
        sb_putn(b, r->unitq.p, r->unitq.len);
        if (a->valid && a->status == x->status && same_dec(a->score, x->score) && same_dec(a->max, x->max)) {
            sb_putn(b, a->text.p, a->text.len);
            continue;
        }
        size_t from = b->len;
        dec_t idx;
        bool ok = report_area_index(rs, n, x, &idx);
        sb_putc(b, ',');
        sb_putn(b, r->apre.p + r->apre_off[i], r->apre_off[i + 1] - r->apre_off[i]);
        if (ok) sb_dec(b, idx, -1);
        sb_puts(b, ",100,");
        sb_puts(b, status_name(x->status));
        sb_putc(b, ',');
        csv_field(b, area_why(r, n, x, ok));
        sb_putc(b, '\n');
        if (ok && !b->oom) { /* with an index there is no reason: the row is the status, score and maximum's */
            a->text.len = 0;
            sb_putn(&a->text, b->p + from, b->len - from);
            a->valid = !a->text.oom;
            a->status = x->status;
            a->score = x->score;
            a->max = x->max;
        }
    }
}

static void csv_totals(report *r, const node_result *res, const unit_total *t)
{
    strbuf *b = &r->line;
    bool done = t->status == ST_SCORED;
    const char *st = status_name(t->status);
    const char *why = reason(r, res, t);

    sb_putn(b, r->unitq.p, r->unitq.len);
    sb_puts(b, ",TOTAL,,");
    if (done) sb_dec(b, t->score, -1);
    sb_putc(b, ',');
    sb_dec(b, t->max, -1);
    sb_putc(b, ',');
    sb_puts(b, st);
    sb_putc(b, ',');
    csv_field(b, why);
    sb_putc(b, '\n');

    sb_putn(b, r->unitq.p, r->unitq.len);
    sb_puts(b, ",INDEX,,");
    if (done && t->index_ok) sb_dec(b, t->index, -1);
    sb_puts(b, ",100,");
    sb_puts(b, st);
    sb_putc(b, ',');
    csv_field(b, why);
    sb_putc(b, '\n');

    if (r->rs->n_classes > 0) {
        const char *label = class_label(r, t);
        sb_putn(b, r->unitq.p, r->unitq.len);
        sb_puts(b, ",CLASS,");
        csv_field(b, label);
        sb_puts(b, ",,,");
        sb_puts(b, st);
        sb_putc(b, ',');
        csv_field(b, *why || label ? why : "no class matches");
        sb_putc(b, '\n');
    }
    csv_areas(r, res);
}

static void csv_unit(report *r, const char *unit, const node_result *res, const unit_total *t)
{
    const ruleset *rs = r->rs;
    strbuf *b = &r->line;
    r->unitq.len = 0;
    csv_field(&r->unitq, unit);
    if (r->o.detail == DETAIL_NODES) {
        for (int i = 0; i < rs->n_nodes; i++) {
            const node_result *x = &res[i];
            sb_putn(b, r->unitq.p, r->unitq.len);
            sb_putc(b, ',');
            sb_putn(b, r->pre.p + r->pre_off[i], r->pre_off[i + 1] - r->pre_off[i]);
            if (has_score(x)) sb_dec(b, x->score, -1);
            sb_putc(b, ',');
            sb_dec(b, x->max, -1);
            sb_putc(b, ',');
            sb_puts(b, status_name(x->status));
            sb_putc(b, ',');
            csv_field(b, decided(r, rs->nodes[i], x));
            sb_putc(b, '\n');
        }
    }
    csv_totals(r, res, t);
}

/* ---- JSON ---- */



/* json_object_set_new that remembers a failure (NULL value or no memory) in *ok. */
static void jset(json_t *o, const char *key, json_t *v, bool *ok)
{
    if (!o || !v || json_object_set_new(o, key, v) != 0) *ok = false;
}

static json_t *json_node(report *r, int i, const node_result *x, bool *ok)
{
    const ruleset *rs = r->rs;
    const node *n = rs->nodes[i];
    json_t *o = json_object();
    jset(o, "code", json_text(n->code ? n->code : ""), ok);
    jset(o, "title", json_text(n->title ? n->title : ""), ok);
    jset(o, "score", has_score(x) ? json_dec(x->score) : json_null(), ok);
    jset(o, "max", json_dec(x->max), ok);
    jset(o, "status", json_string(status_name(x->status)), ok);
    jset(o, "decided_by", json_text(decided(r, n, x)), ok);
    if (x->status == ST_MISSING) jset(o, "missing_fact", json_text(fact_name(rs, x->fact)), ok);
    if (x->status == ST_ERROR) {
        jset(o, "error", json_string(eval_error_text((eval_error)x->error)), ok);
        if (x->at && x->at->loc.line > 0) {
            r->tmp.len = 0;
            tmp_append(r, bw_loc, x);
            jset(o, "at", r->tmp.oom ? NULL : json_text(r->tmp.p), ok);
        }
    }
    if (has_score(x) && (x->status == ST_CLAMPED || x->rounded)) jset(o, "raw", json_dec(x->raw), ok);
    return o;
}

/* [{code, score, max, index, status}] per area; empty when res is NULL. */
static json_t *json_areas(report *r, const node_result *res, bool *ok)
{
    const ruleset *rs = r->rs;
    json_t *areas = json_array();
    for (int i = 0; res && areas && i < rs->n_top; i++) {
        const node *n = rs->top[i];
        if (n->kind == NODE_BONUS) continue;
        const node_result *x = &res[n->id];
        dec_t idx;
        bool has = report_area_index(rs, n, x, &idx);
        json_t *o = json_object();
        jset(o, "code", json_text(n->code ? n->code : ""), ok);
        jset(o, "score", has_score(x) ? json_dec(x->score) : json_null(), ok);
        jset(o, "max", json_dec(x->max), ok);
        jset(o, "index", has ? json_dec(idx) : json_null(), ok);
        jset(o, "status", json_string(status_name(x->status)), ok);
        if (json_array_append_new(areas, o) != 0) *ok = false;
    }
    return areas;
}

static int json_write(report *r, const char *s)
{
    size_t n = strlen(s);
    if (!r->failed && fwrite(s, 1, n, r->out) != n) r->failed = true;
    return r->failed ? -1 : 0;
}

static int json_dump(report *r, json_t *j, bool ok)
{
    if (!ok || !j || json_dumpf(j, r->out, 0) != 0) r->failed = true;
    json_decref(j);
    return r->failed ? -1 : 0;
}

static int json_start(report *r)
{
    const ruleset *rs = r->rs;
    bool ok = true;
    json_t *o = json_object();
    jset(o, "title", json_text(rs->title), &ok);
    jset(o, "year", rs->year ? json_integer(rs->year) : json_null(), &ok);
    jset(o, "source", json_text(rs->source), &ok);
    if (json_write(r, "{\"ruleset\": ")) {
        json_decref(o);
        return -1;
    }
    if (json_dump(r, o, ok)) return -1;
    return json_write(r, ", \"units\": [");
}

static int json_unit(report *r, const char *unit, const node_result *res, const unit_total *t)
{
    const ruleset *rs = r->rs;
    bool ok = true, done = t->status == ST_SCORED;
    json_t *o = json_object();
    jset(o, "unit", json_text(unit), &ok);
    if (r->o.detail == DETAIL_NODES) {
        json_t *nodes = json_array();
        for (int i = 0; i < rs->n_nodes && nodes; i++)
            if (json_array_append_new(nodes, json_node(r, i, &res[i], &ok)) != 0) ok = false;
        jset(o, "nodes", nodes, &ok);
    }
    jset(o, "total", done ? json_dec(t->score) : json_null(), &ok);
    jset(o, "max", json_dec(t->max), &ok);
    jset(o, "index", done && t->index_ok ? json_dec(t->index) : json_null(), &ok);
    if (rs->n_classes > 0) {
        const char *label = class_label(r, t);
        jset(o, "class", label ? json_text(label) : json_null(), &ok);
    }
    jset(o, "areas", json_areas(r, res, &ok), &ok);
    jset(o, "status", json_string(status_name(t->status)), &ok);
    if (!done) {
        if (t->bad_node >= 0 && t->bad_node < rs->n_nodes)
            jset(o, "bad_node", json_text(rs->nodes[t->bad_node]->code), &ok);
        jset(o, "reason", json_text(reason(r, res, t)), &ok);
    }
    if (json_write(r, r->n_units ? ",\n" : "\n")) {
        json_decref(o);
        return -1;
    }
    return json_dump(r, o, ok);
}

/* ---- driver ---- */

static int start(report *r)
{
    if (r->started) return 0;
    r->started = true;
    if (r->o.format == REPORT_CSV) {
        sb_puts(&r->line, "unit,code,title,score,max,status,decided_by\n");
        return flush(r, &r->line);
    }
    if (r->o.format == REPORT_JSON) return json_start(r);
    return 0;
}

int report_unit(report *r, const char *unit, const node_result *res, const unit_total *tot)
{
    if (r->failed || r->finished) return -1;
    if (!unit) unit = "";
    if (r->table) {
        if (rtable_add(r->table, unit, res, tot) != 0) {
            r->failed = true;
            return -1;
        }
        r->n_units++;
        return 0;
    }
    if (start(r)) return -1;
    if (r->o.rank && report_rankable(tot, r->x.rank_by) && !keep_summary(r, unit, tot)) {
        r->failed = true;
        return -1;
    }
    int rc = 0;
    switch (r->o.format) {
    case REPORT_TEXT:
        if (r->o.detail == DETAIL_NODES)
            text_nodes(r, unit, res, tot);
        else
            text_total(r, unit, res, tot);
        rc = flush(r, &r->line);
        break;
    case REPORT_CSV:
        csv_unit(r, unit, res, tot);
        rc = flush(r, &r->line);
        break;
    case REPORT_JSON:
        rc = json_unit(r, unit, res, tot);
        break;
    case REPORT_APPENDIX:
    case REPORT_XLSX:
        break;
    }
    if (r->tmp.oom || r->unitq.oom) {
        r->failed = true;
        rc = -1;
    }
    r->n_units++;
    return rc;
}

static int by_key_desc(const void *pa, const void *pb)
{
    const summary *a = pa, *b = pb;
    int c = dec_cmp(b->key, a->key);
    if (c) return c;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void rank_units(report *r)
{
    if (r->n_sums > 1) qsort(r->sums, r->n_sums, sizeof *r->sums, by_key_desc);
    for (size_t i = 0; i < r->n_sums; i++)
        r->sums[i].rank = (i > 0 && dec_cmp(r->sums[i].key, r->sums[i - 1].key) == 0)
                              ? r->sums[i - 1].rank
                              : (long)i + 1;
}

static const char *sum_name(const report *r, const summary *s) { return r->names.p + s->name_off; }

static const char *sum_label(const report *r, const summary *s)
{
    unit_total t = {.status = ST_SCORED, .index_ok = s->index_ok, .class_index = s->class_index};
    return class_label(r, &t);
}

static void text_ranking(report *r)
{
    strbuf *b = &r->line;
    int rank_w = 1, name_w = 0, idx_w = 0, tot_w = 0;
    for (size_t n = r->n_sums; n >= 10; n /= 10) rank_w++;
    for (size_t i = 0; i < r->n_sums; i++) {
        const char *name = sum_name(r, &r->sums[i]);
        int w = text_width(name, strlen(name));
        if (w > name_w) name_w = w;
        w = r->sums[i].index_ok ? dec_width(r->sums[i].index, 2) + 1 : 1;
        if (w > idx_w) idx_w = w;
        w = dec_width(r->sums[i].total, 2) + 3 + dec_width(r->sums[i].max, -1);
        if (w > tot_w) tot_w = w;
    }
    if (r->n_units > 0) sb_putc(b, '\n');
    sb_puts(b, r->x.rank_by == RANK_BY_TOTAL ? "Ranking by total\n" : "Ranking\n");
    for (size_t i = 0; i < r->n_sums; i++) {
        const summary *s = &r->sums[i];
        char num[24];
        int k = snprintf(num, sizeof num, "%ld", s->rank);
        sb_right(b, num, (size_t)k, k, rank_w);
        sb_spaces(b, GAP);
        sb_cell_min(b, sum_name(r, s), name_w);
        sb_spaces(b, GAP);
        if (s->index_ok)
            sb_right_dec(b, s->index, 2, "%", idx_w);
        else
            sb_right(b, EM_DASH, sizeof EM_DASH - 1, 1, idx_w);
        sb_spaces(b, GAP);
        size_t at = b->len;
        sb_dec(b, s->total, 2);
        sb_puts(b, " / ");
        sb_dec(b, s->max, -1);
        const char *label = sum_label(r, s);
        if (label) { /* labels line up: "total / max" padded (ASCII: bytes are columns) */
            sb_spaces(b, tot_w - (int)(b->len - at) + GAP);
            sb_text(b, label, -1);
        }
        sb_endline(b);
        if (flush(r, b)) return;
    }
}

static void csv_ranking(report *r)
{
    strbuf *b = &r->line;
    for (size_t i = 0; i < r->n_sums; i++) {
        const summary *s = &r->sums[i];
        csv_field(b, sum_name(r, s));
        sb_puts(b, ",RANK,,");
        sb_int(b, s->rank);
        sb_putc(b, ',');
        sb_int(b, (long long)r->n_sums);
        sb_puts(b, ",ranked,\n");
        if (flush(r, b)) return;
    }
}

static void json_ranking(report *r)
{
    if (json_write(r, ", \"ranking\": [")) return;
    for (size_t i = 0; i < r->n_sums; i++) {
        const summary *s = &r->sums[i];
        bool ok = true;
        json_t *o = json_object();
        jset(o, "rank", json_integer(s->rank), &ok);
        jset(o, "unit", json_text(sum_name(r, s)), &ok);
        jset(o, "index", s->index_ok ? json_dec(s->index) : json_null(), &ok);
        jset(o, "total", json_dec(s->total), &ok);
        if (r->rs->n_classes > 0) {
            const char *label = sum_label(r, s);
            jset(o, "class", label ? json_text(label) : json_null(), &ok);
        }
        if (json_write(r, i ? ",\n" : "\n")) {
            json_decref(o);
            return;
        }
        if (json_dump(r, o, ok)) return;
    }
    json_write(r, "\n]");
}

/* The layouts with one column per unit, written now that every unit is known. */
static void table_finish(report *r)
{
    if (r->o.rank && rtable_rank(r->table, r->x.rank_by) != 0) {
        r->failed = true;
        return;
    }
    bool nodes = r->o.detail == DETAIL_NODES;
    int rc = r->o.format == REPORT_XLSX
                 ? rtable_write_xlsx(r->table, r->x.path, nodes, r->o.rank, r->x.rank_by)
                 : rtable_write_appendix(r->table, r->out, nodes, r->o.rank, r->x.rank_by);
    if (rc != 0) r->failed = true;
}

int report_finish(report *r)
{
    if (r->finished) return r->failed ? -1 : 0;
    if (r->table) {
        r->finished = true;
        if (!r->failed) table_finish(r);
        if (!r->failed && r->o.format != REPORT_XLSX && fflush(r->out) != 0) r->failed = true;
        return r->failed ? -1 : 0;
    }
    if (r->failed || start(r)) {
        r->finished = true;
        return -1;
    }
    r->finished = true;
    if (r->o.format == REPORT_JSON) json_write(r, "\n]");
    if (r->o.rank) {
        rank_units(r);
        /* one unit is no ranking for a reader; machine formats keep a regular shape */
        if (r->o.format == REPORT_TEXT && r->n_sums > 0 && r->n_units > 1) text_ranking(r);
        if (r->o.format == REPORT_CSV) csv_ranking(r);
        if (r->o.format == REPORT_JSON) json_ranking(r);
    }
    if (r->o.format == REPORT_JSON) json_write(r, "}\n");
    if (!r->failed && fflush(r->out) != 0) r->failed = true;
    return r->failed ? -1 : 0;
}
