/* Published appraisal tables through libcsv.
 *
 * A table is small (a few hundred rows): the file is read whole and kept, so that messages can
 * quote its lines, and handed to libcsv one physical line at a time, so that every row knows the
 * line it starts on (a quoted cell may span lines). Each row is classified as it ends:
 *   - a row with a code (a dotted number; a trailing '.' dropped) is a node;
 *   - a row without a code and without any number continues the previous row's title (a title
 *     that wraps onto the next row), unless its title starts with a bullet ('-', '+', '*', '•');
 *   - a row without a code but with numbers is the total row when its title starts with
 *     Tổng / Total / Cộng (any case; the first such row), else an unnumbered item (extra);
 *   - a first cell that is a bullet or a label (a), b), I, II...) makes an unnumbered item too;
 *     one with digits that is not a code ("1,2", "1.2a") is warned about first;
 *   - a repeated header (tables cut into pages repeat it) and blank rows are skipped. */
#define _POSIX_C_SOURCE 200809L
#include "table.h"

#include <csv.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "load.h"
#include "textutil.h"

/* libcsv names its parser states only in libcsv.c (see facts.c): between rows, and inside a field. */
#define LIBCSV_ROW_NOT_BEGUN 0
#define LIBCSV_FIELD_BEGUN 2

enum { TABLE_MAX_FILE = 64 * 1024 * 1024 };

typedef struct {
    pub_table pub; /* first: a pub_table * is a table_impl * */
    char *file;
    char *text; /* the whole file, kept to quote its lines in later messages */
    size_t len;
    int *unit_field;      /* [n_units]: 0-based CSV field of each unit column */
    unsigned char **bad;  /* [n_rows]: per unit, 1 where the cell was not a number (NULL: none) */
    int *parent, *first;  /* [n_rows]: parent row; first row with the same code */
    unsigned char *leaf;  /* [n_rows] */
    int *hash;            /* code -> first row with it; -1 = free */
    size_t hash_cap;
    int decimals;
    int rows_cap, bad_cap, extra_cap;
} table_impl;

/* ---------------------------------------------------------------- small text helpers */

static inline bool is_sp(char c) { return c == ' ' || c == '\t'; }
static inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* Spaces, tabs and no-break spaces (U+00A0, which spreadsheets like) at both ends. */
static void trim(const char **s, size_t *n)
{
    const char *p = *s;
    size_t len = *n;
    for (;;) {
        if (len > 0 && is_sp(p[0])) p++, len--;
        else if (len > 1 && (unsigned char)p[0] == 0xC2 && (unsigned char)p[1] == 0xA0) p += 2, len -= 2;
        else break;
    }
    for (;;) {
        if (len > 0 && is_sp(p[len - 1])) len--;
        else if (len > 1 && (unsigned char)p[len - 2] == 0xC2 && (unsigned char)p[len - 1] == 0xA0) len -= 2;
        else break;
    }
    *s = p;
    *n = len;
}

static char *dup_n(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

/* A cell's text inside a message: at most 40 characters, one printable line. */
static void show_text(char *dst, size_t cap, const char *s, size_t n) { text_show(dst, cap, s, n, 40); }


/* A title or a unit name as kept: NFC, a line break or tab inside the cell (a title wrapped with
 * Alt+Enter) and the spaces around it become one space, other control characters a space, bytes
 * that are not UTF-8 U+FFFD (reported by the caller). */
static char *clean_text(const char *s, size_t n)
{
    char *b = malloc(3 * n + 1), *o = b;
    if (!b) return NULL;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c < 0x20 || c == 0x7f) {
            size_t j = i;
            bool ctl = false;
            while (j < n && ((unsigned char)s[j] == ' ' || (unsigned char)s[j] < 0x20 || (unsigned char)s[j] == 0x7f)) {
                if (s[j] != ' ') ctl = true;
                j++;
            }
            if (ctl) *o++ = ' ';
            else memcpy(o, s + i, j - i), o += j - i;
            i = j;
        } else if (c < 0x80) {
            *o++ = (char)c;
            i++;
        } else {
            int32_t cp;
            size_t k = text_next_cp(s + i, n - i, &cp);
            if (cp < 0) memcpy(o, TEXT_REPLACEMENT, 3), o += 3;
            else memcpy(o, s + i, k), o += k;
            i += k;
        }
    }
    const char *p = b;
    size_t len = (size_t)(o - b);
    trim(&p, &len);
    char *nfc = text_is_ascii(p, len) ? dup_n(p, len) : text_nfc(p, len);
    free(b);
    return nfc;
}

/* The case-folded NFC form of a header cell, with runs of spaces made one, for matching words. */
static char *fold(const char *s, size_t n)
{
    trim(&s, &n);
    utf8proc_uint8_t *out = NULL;
    utf8proc_ssize_t k = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &out,
                                      UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
    if (k < 0) return NULL;
    char *p = (char *)out, *w = p;
    for (char *r = p; *r; r++) {
        if (is_sp(*r) && (w == p || w[-1] == ' ')) continue;
        *w++ = is_sp(*r) ? ' ' : *r;
    }
    while (w > p && w[-1] == ' ') w--;
    *w = '\0';
    return p;
}

static bool starts(const char *s, const char *word) { return strncmp(s, word, strlen(word)) == 0; }

/* Header words, case-folded NFC (Vietnamese written as escapes so that no editor changes them). */
#define VI_MA "m\xc3\xa3"                      /* mã */
#define VI_SO "s\xe1\xbb\x91"                  /* số */
#define VI_TIEU_CHI "ti\xc3\xaau ch\xc3\xad"   /* tiêu chí */
#define VI_LINH_VUC "l\xc4\xa9nh v\xe1\xbb\xb1" /* lĩnh vự(c) */
#define VI_NOI_DUNG "n\xe1\xbb\x99i dung"      /* nội dung */
#define VI_TEN "t\xc3\xaan"                    /* tên */
#define VI_DIEM "\xc4\x91i\xe1\xbb\x83m"       /* điểm */
#define VI_TOI_DA "t\xe1\xbb\x91i \xc4\x91""a" /* tối đa */
#define VI_CHUAN "chu\xe1\xba\xa9n"            /* chuẩn */

static bool is_code_word(const char *f)
{
    static const char *const words[] = {"code", "stt", "tt", VI_MA, "ma", VI_MA " " VI_SO, "ma so", VI_SO " tt",
                                        "so tt", VI_SO " th\xe1\xbb\xa9 t\xe1\xbb\xb1" /* số thứ tự */, NULL};
    for (const char *const *w = words; *w; w++)
        if (strcmp(f, *w) == 0) return true;
    return false;
}

static bool is_title_word(const char *f)
{
    return starts(f, "title") || starts(f, VI_TEN) || strstr(f, VI_TIEU_CHI) || strstr(f, VI_LINH_VUC) ||
           strstr(f, VI_NOI_DUNG) || strstr(f, "tieu chi") || strstr(f, "linh vuc");
}

static bool is_max_word(const char *f)
{
    return starts(f, "max") || starts(f, VI_DIEM " " VI_TOI_DA) || starts(f, VI_DIEM " " VI_CHUAN) ||
           starts(f, VI_TOI_DA) || starts(f, "diem toi da") || starts(f, "diem chuan");
}

/* 1 code word, 2 title word, 4 max word: which of the first three cells look like a header's. */
static int header_words(const char *const *cells, const size_t *lens, int n)
{
    int got = 0;
    for (int i = 0; i < 3 && i < n; i++) {
        const char *s = cells[i] ? cells[i] : "";
        size_t len = lens ? lens[i] : strlen(s);
        if (i == 0 && len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) s += 3, len -= 3; /* a BOM */
        if (len > 200) continue;
        char *f = fold(s, len);
        if (!f) continue;
        if (i == 0 && is_code_word(f)) got |= 1;
        if (i == 1 && is_title_word(f)) got |= 2;
        if (i == 2 && is_max_word(f)) got |= 4;
        free(f);
    }
    return got;
}

/* The first cell names codes and the next two look like a title and a maximum, at least one of
 * them: a fact sheet's first row (`stt,5`, `code,12,note`) does not pass. */
static bool words_match(int w) { return (w & 1) && (w & 6); }

bool table_header_matches(const char *const *cells, int n)
{
    return cells && n >= 3 && words_match(header_words(cells, NULL, n));
}

/* A code: digits and dots, 1 / 1.2 / 7.2.6.1. */
static bool is_code(const char *s, size_t n)
{
    if (n == 0 || !is_digit(s[0]) || !is_digit(s[n - 1])) return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.') {
            if (!is_digit(s[i + 1])) return false;
        } else if (!is_digit(s[i])) return false;
    }
    return true;
}

/* '-', '+', '*', '•', '–', '—' */
static size_t bullet_len(const char *s, size_t n)
{
    static const char *const b[] = {"-", "+", "*", "\xE2\x80\xA2", "\xE2\x80\x93", "\xE2\x80\x94", NULL};
    for (const char *const *p = b; *p; p++) {
        size_t k = strlen(*p);
        if (n >= k && memcmp(s, *p, k) == 0) return k;
    }
    return 0;
}

static bool total_title(const char *title)
{
    size_t n = strlen(title);
    if (n > 64) /* the first word is enough; cut on a character boundary */
        for (n = 64; n > 0 && ((unsigned char)title[n] & 0xC0) == 0x80;) n--;
    if (n == 0) return false;
    char *f = fold(title, n);
    bool yes = f && (starts(f, "t\xe1\xbb\x95ng") /* tổng */ || starts(f, "total") ||
                     starts(f, "c\xe1\xbb\x99ng") /* cộng */);
    free(f);
    return yes;
}

/* Decimals needed to write d exactly (d terminating: its denominator has only factors 2 and 5). */
static int dec_places(dec_t d)
{
    int64_t den = d.den;
    int k = 0;
    while (den > 1 && k < 19) {
        if (den % 10 == 0) den /= 10;
        else if (den % 2 == 0) den /= 2;
        else if (den % 5 == 0) den /= 5;
        else break;
        k++;
    }
    return k; /* 2^a 5^b needs max(a, b) decimals: min(a, b) tens, then the rest one by one */
}

/* ---------------------------------------------------------------- code -> row */

static uint64_t hash_code(const char *s, size_t n)
{
    uint64_t h = 14695981039346656037u;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return h ^ (h >> 29);
}

static int hash_find(const table_impl *t, const char *code, size_t n)
{
    if (!t->hash_cap) return -1;
    for (size_t j = hash_code(code, n) & (t->hash_cap - 1);; j = (j + 1) & (t->hash_cap - 1)) {
        int r = t->hash[j];
        if (r < 0) return -1;
        const char *c = t->pub.rows[r].code;
        if (strlen(c) == n && memcmp(c, code, n) == 0) return r;
    }
}

/* Records row r's code; false when out of memory. */
static bool hash_add(table_impl *t, int r)
{
    size_t used = (size_t)r; /* rows before r are all in the table (or duplicates of one) */
    if (10 * (used + 1) > 7 * t->hash_cap) {
        size_t cap = t->hash_cap ? 2 * t->hash_cap : 64;
        int *h = malloc(cap * sizeof *h);
        if (!h) return false;
        for (size_t j = 0; j < cap; j++) h[j] = -1;
        for (size_t j = 0; j < t->hash_cap; j++) {
            int x = t->hash[j];
            if (x < 0) continue;
            const char *c = t->pub.rows[x].code;
            size_t k = hash_code(c, strlen(c)) & (cap - 1);
            while (h[k] >= 0) k = (k + 1) & (cap - 1);
            h[k] = x;
        }
        free(t->hash);
        t->hash = h;
        t->hash_cap = cap;
    }
    const char *c = t->pub.rows[r].code;
    size_t k = hash_code(c, strlen(c)) & (t->hash_cap - 1);
    while (t->hash[k] >= 0) k = (k + 1) & (t->hash_cap - 1);
    t->hash[k] = r;
    return true;
}

/* ---------------------------------------------------------------- the reader */

typedef struct {
    table_impl *t;
    diag_sink *d;
    struct csv_parser csv;
    bool csv_ready;

    /* the current row: trimmed cells, each NUL-terminated in text */
    char *text;
    size_t text_len, text_cap;
    size_t *off, *clen;
    size_t n_cells, cells_cap;
    int row_line;
    size_t row_off, seg_end; /* the row's raw text is t->text[row_off, seg_end) */

    int cur_line;
    bool at_line_start, prev_cr;

    bool have_header;
    int header_cells;
    int *unit_of_field; /* [header_cells]: unit index, -1 none, -2 unnamed (warned once) */
    enum { LAST_NONE, LAST_ROW, LAST_EXTRA, LAST_TOTAL } last;
    int last_i;
    int total_line;
    bool refuse_values; /* the current row's values are not used (read_numbers) */
    bool fatal;
} reader;

typedef struct {
    const char *raw;
    size_t raw_len;
    int line;
} raw_row;

/* Where field idx of a row is: the physical line it starts on, that line's text and the cell's
 * byte span in it (the same walk as the fact reader's). false when the text does not reach it. */
static bool locate_field(const raw_row *v, size_t idx, src_loc *loc, const char **lt, size_t *ll)
{
    int line, col, len;
    if (!text_csv_cell(v->raw, v->raw_len, v->line, idx, &line, &col, &len, lt, ll)) return false;
    loc->line = line;
    loc->col = col;
    loc->len = len;
    return true;
}

/* A diagnostic about a row, pointing at cell `field` (-1: the row as a whole). */
static void emit_at(diag_sink *d, const char *file, diag_severity sev, const raw_row *v, int field, const char *fmt,
                    ...) __attribute__((format(printf, 6, 7)));
static void emit_at(diag_sink *d, const char *file, diag_severity sev, const raw_row *v, int field, const char *fmt,
                    ...)
{
    src_loc loc = {file, v->line, 0, 0, 0};
    const char *lt = NULL;
    size_t ll = 0;
    if (field < 0 || !locate_field(v, (size_t)field, &loc, &lt, &ll)) {
        loc = (src_loc){file, v->line, 0, 0, 0};
        lt = v->raw;
        while (lt && ll < v->raw_len && lt[ll] != '\r' && lt[ll] != '\n') ll++;
    }
    va_list ap;
    va_start(ap, fmt);
    diag_vemit(d, sev, &loc, lt, ll, fmt, ap);
    va_end(ap);
}

static void emit_file(reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit_file(reader *r, const char *fmt, ...)
{
    src_loc loc = {r->t->file, 0, 0, 0, 0};
    va_list ap;
    va_start(ap, fmt);
    diag_vemit(r->d, DIAG_ERROR, &loc, NULL, 0, fmt, ap);
    va_end(ap);
}

static void out_of_memory(reader *r)
{
    if (!r->fatal) emit_file(r, "out of memory while reading the table");
    r->fatal = true;
}

static raw_row cur_raw(const reader *r)
{
    return (raw_row){r->t->text + r->row_off, r->seg_end - r->row_off, r->row_line};
}

#define ROW_EMIT(R, SEV, FIELD, ...)                                                                              \
    do {                                                                                                           \
        raw_row v_ = cur_raw(R);                                                                                   \
        emit_at((R)->d, (R)->t->file, (SEV), &v_, (FIELD), __VA_ARGS__);                                           \
    } while (0)

static const char *cell(const reader *r, size_t i) { return i < r->n_cells ? r->text + r->off[i] : ""; }
static size_t cell_n(const reader *r, size_t i) { return i < r->n_cells ? r->clen[i] : 0; }

/* A title or unit name from cell i, reported if it is not UTF-8. */
static char *cell_text(reader *r, size_t i, const char *what)
{
    const char *s = cell(r, i);
    size_t n = cell_n(r, i);
    size_t bad = text_utf8_bad_at(s, n);
    if (bad < n)
        ROW_EMIT(r, DIAG_ERROR, (int)i,
                 "%s is not valid UTF-8 (byte 0x%02X); save the file as \"CSV UTF-8\" (the bad bytes are read as U+FFFD)",
                 what, (unsigned char)s[bad]);
    char *c = clean_text(s, n);
    if (!c) out_of_memory(r);
    return c;
}

static void header(reader *r)
{
    table_impl *t = r->t;
    const char *cells[3];
    for (size_t i = 0; i < 3; i++) cells[i] = cell(r, i);
    size_t lens[3] = {cell_n(r, 0), cell_n(r, 1), cell_n(r, 2)};
    int n = (int)r->n_cells;
    while (n > 0 && cell_n(r, (size_t)n - 1) == 0) n--; /* Excel pads rows with empty cells */
    int w = header_words(cells, lens, n < 3 ? 3 : n);
    static const char layout[] =
        "a published table's header is code,title,max,<unit>,<unit>... (the first three may also be "
        "written STT or M\xc3\xa3, L\xc4\xa9nh v\xe1\xbb\xb1" "c/Ti\xc3\xaau ch\xc3\xad..., \xc4\x90i\xe1\xbb\x83m t\xe1\xbb\x91i \xc4\x91" "a or "
        "\xc4\x90i\xe1\xbb\x83m chu\xe1\xba\xa9n), then one column per unit";
    if (!(w & 1) || n < 3 || !(w & 4)) {
        /* The header's words cannot be recognised in a file that is not UTF-8 (a Vietnamese header
         * saved in Windows-1258): say that, as the fact reader does, rather than that it is no header. */
        for (size_t i = 0; i < r->n_cells; i++) {
            size_t bad = text_utf8_bad_at(cell(r, i), cell_n(r, i));
            if (bad < cell_n(r, i)) {
                ROW_EMIT(r, DIAG_ERROR, (int)i,
                         "the first row is not valid UTF-8 (byte 0x%02X); the file seems not to be saved as UTF-8 "
                         "(Windows-1258?): save it as \"CSV UTF-8\"; the file is not read",
                         (unsigned char)cell(r, i)[bad]);
                r->fatal = true;
                return;
            }
        }
    }
    if (!(w & 1) || n < 3 || !(w & 6)) {
        ROW_EMIT(r, DIAG_ERROR, -1, "the first row is not the header of a published table; %s", layout);
        r->fatal = true;
        return;
    }
    if (!(w & 4)) {
        char shown[200];
        show_text(shown, sizeof shown, cell(r, 2), cell_n(r, 2));
        ROW_EMIT(r, DIAG_ERROR, 2, "the third column must be the maximum ('max', '\xc4\x90i\xe1\xbb\x83m t\xe1\xbb\x91i \xc4\x91" "a' or "
                 "'\xc4\x90i\xe1\xbb\x83m chu\xe1\xba\xa9n'), not '%s'; %s", shown, layout);
        r->fatal = true;
        return;
    }
    r->have_header = true;
    r->header_cells = n;
    r->unit_of_field = malloc(r->n_cells * sizeof *r->unit_of_field);
    int cap = n > 3 ? n - 3 : 1;
    t->pub.units = calloc((size_t)cap, sizeof *t->pub.units);
    t->unit_field = calloc((size_t)cap, sizeof *t->unit_field);
    if (!r->unit_of_field || !t->pub.units || !t->unit_field) {
        out_of_memory(r);
        return;
    }
    for (size_t i = 0; i < r->n_cells; i++) r->unit_of_field[i] = -1;
    for (int i = 3; i < n; i++) {
        if (cell_n(r, (size_t)i) == 0) {
            r->unit_of_field[i] = -2;
            continue;
        }
        char *name = cell_text(r, (size_t)i, "the unit name");
        if (!name) return;
        int dup = -1;
        for (int u = 0; u < t->pub.n_units && dup < 0; u++)
            if (strcmp(t->pub.units[u], name) == 0) dup = u;
        if (dup >= 0) {
            ROW_EMIT(r, DIAG_ERROR, i, "duplicate unit '%s' (first in column %d); this column is ignored", name,
                     t->unit_field[dup] + 1);
            free(name);
            continue;
        }
        r->unit_of_field[i] = t->pub.n_units;
        t->unit_field[t->pub.n_units] = i;
        t->pub.units[t->pub.n_units++] = name;
    }
}

/* Parse one number cell: true with *v on success; false (reported) when it is not a number. */
static bool number_cell(reader *r, size_t i, const char *ctx, dec_t *v)
{
    const char *s = cell(r, i);
    size_t n = cell_n(r, i);
    dec_status st = memchr(s, '\0', n) ? DEC_SYNTAX : dec_parse(s, n, DEC_PARSE_COMMA, v);
    if (st == DEC_OK) {
        int p = dec_places(*v);
        if (p > r->t->decimals) r->t->decimals = p;
        return true;
    }
    char shown[200];
    show_text(shown, sizeof shown, s, n);
    if (st == DEC_OVERFLOW)
        ROW_EMIT(r, DIAG_ERROR, (int)i, "%s: the number '%s' is too large or has too many decimals", ctx, shown);
    else ROW_EMIT(r, DIAG_ERROR, (int)i, "%s: expected a number, got '%s'", ctx, shown);
    return false;
}

/* The maximum and the unit cells of the current row into row; per-unit bad cells into *bad. */
static bool read_numbers(reader *r, table_row *row, const char *what, unsigned char **bad)
{
    table_impl *t = r->t;
    int nu = t->pub.n_units;
    row->values = calloc((size_t)(nu ? nu : 1), sizeof *row->values);
    row->has_value = calloc((size_t)(nu ? nu : 1), sizeof *row->has_value);
    if (!row->values || !row->has_value) {
        out_of_memory(r);
        return false;
    }
    for (int u = 0; u < nu; u++) row->values[u] = dec_from_int(0);
    row->max = dec_from_int(0);
    if (r->refuse_values) { /* reported by body_row: every unit's value is bad, the maximum unknown */
        if (bad && nu > 0) {
            if (!*bad && !(*bad = calloc((size_t)nu, 1))) {
                out_of_memory(r);
                return false;
            }
            memset(*bad, 1, (size_t)nu);
        }
        return true;
    }
    char ctx[300];
    if (cell_n(r, 2) > 0) {
        snprintf(ctx, sizeof ctx, "%s, maximum", what);
        row->has_max = number_cell(r, 2, ctx, &row->max);
        if (row->has_max && row->max.num < 0) {
            char shown[200];
            show_text(shown, sizeof shown, cell(r, 2), cell_n(r, 2));
            ROW_EMIT(r, DIAG_ERROR, 2, "%s: a maximum cannot be negative, got '%s'", ctx, shown);
            row->has_max = false;
        }
        if (!row->has_max) row->max = dec_from_int(0);
    }
    size_t m = r->n_cells < (size_t)r->header_cells ? r->n_cells : (size_t)r->header_cells;
    for (size_t i = 3; i < m; i++) {
        if (cell_n(r, i) == 0) continue;
        int u = r->unit_of_field[i];
        if (u == -2) {
            ROW_EMIT(r, DIAG_WARNING, (int)i, "column %zu has no unit name in the header; its values are ignored", i + 1);
            r->unit_of_field[i] = -1;
        }
        if (u < 0) continue;
        snprintf(ctx, sizeof ctx, "unit '%s', %s", t->pub.units[u], what);
        if (number_cell(r, i, ctx, &row->values[u])) {
            row->has_value[u] = true;
        } else {
            row->values[u] = dec_from_int(0);
            if (bad) {
                if (!*bad && !(*bad = calloc((size_t)nu, 1))) {
                    out_of_memory(r);
                    return false;
                }
                (*bad)[u] = 1;
            }
        }
    }
    size_t used = r->n_cells;
    while (used > 0 && cell_n(r, used - 1) == 0) used--;
    if (used > (size_t)r->header_cells) {
        /* the cells are shifted: none of this row's values can be trusted */
        ROW_EMIT(r, DIAG_ERROR, r->header_cells,
                 "the row has %zu cells but the header has %d; none of its values is used (a decimal comma splits a "
                 "cell unless the cell is quoted: write \"0,5\" or 0.5)",
                 used, r->header_cells);
        for (int u = 0; u < nu; u++) {
            row->has_value[u] = false;
            if (bad) {
                if (!*bad && !(*bad = calloc((size_t)nu, 1))) {
                    out_of_memory(r);
                    return false;
                }
                (*bad)[u] = 1;
            }
        }
    }
    return true;
}

static bool grow(void **p, int *cap, int need, size_t elem)
{
    if (need <= *cap) return true;
    int c = *cap ? *cap * 2 : 32;
    while (c < need) c *= 2;
    void *q = realloc(*p, (size_t)c * elem);
    if (!q) return false;
    *p = q;
    *cap = c;
    return true;
}

static void add_coded(reader *r, const char *code, size_t cn, char *title)
{
    table_impl *t = r->t;
    int i = t->pub.n_rows;
    if (!grow((void **)&t->pub.rows, &t->rows_cap, i + 1, sizeof *t->pub.rows) ||
        !grow((void **)&t->bad, &t->bad_cap, i + 1, sizeof *t->bad)) {
        free(title);
        out_of_memory(r);
        return;
    }
    table_row *row = &t->pub.rows[i];
    memset(row, 0, sizeof *row);
    t->bad[i] = NULL;
    row->code = dup_n(code, cn);
    row->title = title;
    row->line = r->row_line;
    t->pub.n_rows++;
    if (!row->code) {
        out_of_memory(r);
        return;
    }
    int first = hash_find(t, code, cn);
    if (first >= 0) {
        ROW_EMIT(r, DIAG_ERROR, 0, "duplicate code %s (first on line %d); the first row is used", row->code,
                 t->pub.rows[first].line);
    } else if (!hash_add(t, i)) {
        out_of_memory(r);
        return;
    }
    char what[96];
    snprintf(what, sizeof what, "code %s", row->code);
    if (!read_numbers(r, row, what, &t->bad[i])) return;
    r->last = LAST_ROW;
    r->last_i = i;
}

static void add_extra(reader *r, char *title)
{
    table_impl *t = r->t;
    int i = t->pub.n_extra;
    if (!grow((void **)&t->pub.extra, &t->extra_cap, i + 1, sizeof *t->pub.extra)) {
        free(title);
        out_of_memory(r);
        return;
    }
    table_row *row = &t->pub.extra[i];
    memset(row, 0, sizeof *row);
    row->title = title;
    row->line = r->row_line;
    t->pub.n_extra++;
    if (!read_numbers(r, row, "an unnumbered row", NULL)) return;
    r->last = LAST_EXTRA;
    r->last_i = i;
}

static void add_total(reader *r, char *title)
{
    table_impl *t = r->t;
    table_row *row = calloc(1, sizeof *row);
    if (!row) {
        free(title);
        out_of_memory(r);
        return;
    }
    row->title = title;
    row->line = r->row_line;
    t->pub.total = row;
    r->total_line = r->row_line;
    if (!read_numbers(r, row, "the total row", NULL)) return;
    r->last = LAST_TOTAL;
}

static table_row *last_row(reader *r)
{
    switch (r->last) {
    case LAST_ROW: return &r->t->pub.rows[r->last_i];
    case LAST_EXTRA: return &r->t->pub.extra[r->last_i];
    case LAST_TOTAL: return r->t->pub.total;
    default: return NULL;
    }
}

/* "label title", or the title alone when the label is empty. */
static char *labelled(const char *label, size_t ln, char *title)
{
    if (!title || ln == 0) return title;
    size_t tn = strlen(title);
    char *s = malloc(ln + 1 + tn + 1);
    if (s) {
        memcpy(s, label, ln);
        s[ln] = tn ? ' ' : '\0';
        memcpy(s + ln + (tn ? 1 : 0), title, tn + 1);
    }
    free(title);
    return s;
}

/* Line ends in s[0..n), a CRLF counted once. */
static int line_ends(const char *s, size_t n)
{
    int k = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '\n' || (s[i] == '\r' && (i + 1 >= n || s[i + 1] != '\n'))) k++;
    return k;
}

/* A cell with a line break is a quoted cell that spans lines. A title may (wrapped with Alt+Enter),
 * but codes and numbers are on one line: there it is a '"' missing or misplaced (a stray quote before
 * a decimal comma), and the cell has swallowed the rows up to the next quote. Reported at the opening
 * quote; the values of those lines are not used: the row's, if it has a code, are all bad (so no
 * unit is scored from them), and the rows swallowed are not rows at all. true when the row is done
 * with (it has no code); else add_coded goes on with refuse_values set. */
static bool swallowing_row(reader *r)
{
    for (size_t i = 0; i < r->n_cells; i++) {
        if (i == 1 || (!memchr(cell(r, i), '\n', cell_n(r, i)) && !memchr(cell(r, i), '\r', cell_n(r, i))))
            continue;
        raw_row v = cur_raw(r);
        src_loc at = {r->t->file, v.line, 0, 0, 0};
        const char *lt = NULL;
        size_t ll = 0;
        int from = locate_field(&v, i, &at, &lt, &ll) ? at.line : v.line;
        ROW_EMIT(r, DIAG_ERROR, (int)i,
                 "a quoted cell runs from here to line %d: a '\"' is missing or misplaced (only a title may span "
                 "lines); none of the values on lines %d to %d is used",
                 from + line_ends(cell(r, i), cell_n(r, i)), r->row_line, r->cur_line);
        const char *code = cell(r, 0);
        size_t cn = cell_n(r, 0);
        if (cn > 0 && code[cn - 1] == '.') cn--;
        if (i == 0 || !is_code(code, cn)) return true;
        r->refuse_values = true;
        return false;
    }
    return false;
}

static void body_row(reader *r)
{
    r->refuse_values = false;
    if (swallowing_row(r)) return;
    int w = header_words((const char *const[]){cell(r, 0), cell(r, 1), cell(r, 2)},
                         (const size_t[]){cell_n(r, 0), cell_n(r, 1), cell_n(r, 2)}, 3);
    if (!r->refuse_values && (w & 1) && (w & 4)) return; /* the header again, as tables cut into pages repeat it */

    const char *code = cell(r, 0);
    size_t cn = cell_n(r, 0);
    if (cn > 0 && code[cn - 1] == '.') cn--; /* "1." is 1 */
    bool numbers = false;
    for (size_t i = 2; i < r->n_cells; i++)
        if (cell_n(r, i) > 0) numbers = true;
    char *title = cell_text(r, 1, "the title");
    if (!title) return;

    if (cn > 0 && is_code(code, cn)) {
        add_coded(r, code, cn, title);
        return;
    }
    if (cn > 0 || cell_n(r, 0) > 0) { /* a bullet, a label (a), I...), or a code written wrong */
        cn = cell_n(r, 0);
        bool digits = false;
        for (size_t i = 0; i < cn; i++) digits |= is_digit(code[i]);
        if (digits) {
            char shown[200];
            show_text(shown, sizeof shown, code, cn);
            ROW_EMIT(r, DIAG_WARNING, 0, "'%s' is not a code (a dotted number like 1.2.3); the row is read as an "
                     "unnumbered item", shown);
        }
        char *label = clean_text(code, cn);
        title = label ? labelled(label, strlen(label), title) : NULL;
        free(label);
        if (!title) {
            out_of_memory(r);
            return;
        }
        add_extra(r, title);
        return;
    }
    if (!numbers) {
        table_row *prev = last_row(r);
        if (!title[0]) {
            free(title);
            return;
        }
        if (!prev || bullet_len(title, strlen(title)) > 0) {
            add_extra(r, title);
            return;
        }
        size_t a = strlen(prev->title), b = strlen(title);
        char *joined = malloc(a + b + 2);
        if (!joined) {
            free(title);
            out_of_memory(r);
            return;
        }
        memcpy(joined, prev->title, a);
        if (a) joined[a++] = ' ';
        memcpy(joined + a, title, b + 1);
        free(title);
        free(prev->title);
        prev->title = joined;
        return;
    }
    if (total_title(title)) {
        if (!r->t->pub.total) {
            add_total(r, title);
            return;
        }
        ROW_EMIT(r, DIAG_WARNING, 1, "a second total row (the first is on line %d); it is read as an unnumbered item",
                 r->total_line);
    }
    add_extra(r, title);
}

static void cb_field(void *s, size_t len, void *ud)
{
    reader *r = ud;
    if (r->fatal) return;
    const char *p = s ? s : "";
    if (!s) len = 0;
    trim(&p, &len);
    if (r->n_cells == r->cells_cap) {
        size_t cap = r->cells_cap ? 2 * r->cells_cap : 32;
        size_t *o = realloc(r->off, cap * sizeof *o);
        if (o) r->off = o;
        size_t *l = o ? realloc(r->clen, cap * sizeof *l) : NULL;
        if (!o || !l) {
            out_of_memory(r);
            return;
        }
        r->clen = l;
        r->cells_cap = cap;
    }
    if (r->text_cap - r->text_len < len + 1) {
        size_t cap = r->text_cap ? r->text_cap : 256;
        while (cap - r->text_len < len + 1) cap *= 2;
        char *q = realloc(r->text, cap);
        if (!q) {
            out_of_memory(r);
            return;
        }
        r->text = q;
        r->text_cap = cap;
    }
    r->off[r->n_cells] = r->text_len;
    r->clen[r->n_cells++] = len;
    memcpy(r->text + r->text_len, p, len);
    r->text[r->text_len + len] = '\0';
    r->text_len += len + 1;
}

static void cb_row(int c, void *ud)
{
    reader *r = ud;
    (void)c;
    bool empty = true;
    for (size_t i = 0; i < r->n_cells; i++)
        if (r->clen[i]) empty = false;
    if (!r->fatal && !empty) {
        if (!r->have_header) header(r);
        else body_row(r);
    }
    r->n_cells = 0;
    r->text_len = 0;
}

/* The first bytes: a UTF-8 BOM is skipped (its length returned); UTF-16 and Excel workbooks are
 * refused. */
static size_t sniff(reader *r, const char *p, size_t n)
{
    if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) return 3;
    if (n >= 2 && (memcmp(p, "\xFF\xFE", 2) == 0 || memcmp(p, "\xFE\xFF", 2) == 0)) {
        emit_file(r, "the file is UTF-16 text, not UTF-8: save it as \"CSV UTF-8\"");
        r->fatal = true;
    } else if ((n >= 4 && memcmp(p, "PK\x03\x04", 4) == 0) ||
               (n >= 8 && memcmp(p, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0)) {
        emit_file(r, "this is an Excel workbook, not CSV: save it as \"CSV UTF-8\"");
        r->fatal = true;
    }
    return 0;
}

/* Feed the whole text, one physical line at a time. */
static void parse_all(reader *r)
{
    const char *base = r->t->text;
    size_t n = r->t->len, pos = sniff(r, base, n);
    r->cur_line = r->row_line = 1;
    r->at_line_start = true;
    r->row_off = pos;
    while (pos < n && !r->fatal) {
        const char *p = base + pos;
        size_t left = n - pos;
        const char *lf = memchr(p, '\n', left);
        size_t k = lf ? (size_t)(lf - p) : left;
        const char *cr = memchr(p, '\r', k);
        if (cr) k = (size_t)(cr - p);
        size_t seg = k < left ? k + 1 : left;
        if (r->csv.pstate == LIBCSV_ROW_NOT_BEGUN && r->at_line_start) {
            r->row_line = r->cur_line;
            r->row_off = pos;
        }
        r->seg_end = pos + seg;
        if (csv_parse(&r->csv, p, seg, cb_field, cb_row, r) != seg) {
            if (!r->fatal) emit_file(r, "cannot parse the CSV: %s", csv_strerror(csv_error(&r->csv)));
            r->fatal = true;
            return;
        }
        if (k < left) {
            if (!(p[k] == '\n' && r->prev_cr)) r->cur_line++; /* CRLF is one line end */
            r->prev_cr = p[k] == '\r';
            r->at_line_start = true;
        } else {
            r->prev_cr = false;
            r->at_line_start = false;
        }
        pos += seg;
    }
    if (r->fatal) return;
    r->seg_end = n;
    if (r->csv.pstate == LIBCSV_FIELD_BEGUN && r->csv.quoted) {
        ROW_EMIT(r, DIAG_ERROR, (int)r->n_cells,
                 "a quoted cell is never closed (a '\"' is missing); the rest of the file is ignored");
        return; /* that row is not read; the rows before it are */
    }
    csv_fini(&r->csv, cb_field, cb_row, r);
}

/* Parents, leaves and first rows, once every row is in. */
static bool build_tree(table_impl *t)
{
    int n = t->pub.n_rows;
    t->parent = malloc((size_t)(n ? n : 1) * sizeof *t->parent);
    t->first = malloc((size_t)(n ? n : 1) * sizeof *t->first);
    t->leaf = malloc((size_t)(n ? n : 1));
    if (!t->parent || !t->first || !t->leaf) return false;
    for (int i = 0; i < n; i++) {
        const char *c = t->pub.rows[i].code;
        t->first[i] = hash_find(t, c, strlen(c));
        t->parent[i] = -1;
        t->leaf[i] = 1;
        for (size_t k = strlen(c); k-- > 0;)
            if (c[k] == '.' && (t->parent[i] = hash_find(t, c, k)) >= 0) break;
    }
    for (int i = 0; i < n; i++)
        if (t->first[i] == i && t->parent[i] >= 0) t->leaf[t->parent[i]] = 0;
    return true;
}

static pub_table *read_text(const char *name, char *text, size_t len, diag_sink *d)
{
    table_impl *t = calloc(1, sizeof *t);
    reader r;
    memset(&r, 0, sizeof r);
    if (!t) {
        free(text);
        src_loc at = {name, 0, 0, 0, 0};
        diag_emit(d, DIAG_ERROR, &at, NULL, 0, "out of memory while reading the table");
        return NULL;
    }
    t->text = text;
    t->len = len;
    t->file = dup_n(name, strlen(name));
    t->pub.file = t->file ? t->file : "<table>";
    r.t = t;
    r.d = d;
    if (!t->file || csv_init(&r.csv, CSV_APPEND_NULL) != 0) out_of_memory(&r);
    else {
        r.csv_ready = true;
        parse_all(&r);
    }
    if (!r.fatal && !r.have_header) {
        emit_file(&r, "the file is empty; a published table starts with a header code,title,max,<unit>,<unit>...");
        r.fatal = true;
    }
    if (!r.fatal && !build_tree(t)) out_of_memory(&r);
    if (r.csv_ready) csv_free(&r.csv);
    free(r.text);
    free(r.off);
    free(r.clen);
    free(r.unit_of_field);
    if (r.fatal) {
        table_free(&t->pub);
        return NULL;
    }
    return &t->pub;
}

pub_table *table_read_buffer(const char *name, const char *data, size_t len, diag_sink *d)
{
    if (!name) name = "<buffer>";
    char *copy = malloc(len + 1);
    if (!copy) {
        src_loc at = {name, 0, 0, 0, 0};
        diag_emit(d, DIAG_ERROR, &at, NULL, 0, "out of memory while reading the table");
        return NULL;
    }
    if (len) memcpy(copy, data, len);
    copy[len] = '\0';
    return read_text(name, copy, len, d);
}

pub_table *table_read_file(const char *path, diag_sink *d)
{
    size_t len = 0;
    char *text = load_read_file(path, TABLE_MAX_FILE, &len, d);
    if (!text) return NULL;
    return read_text(strcmp(path, "-") == 0 ? "<stdin>" : path, text, len, d);
}

void table_free(pub_table *pt)
{
    if (!pt) return;
    table_impl *t = (table_impl *)pt;
    for (int i = 0; i < pt->n_rows; i++) {
        free(pt->rows[i].code);
        free(pt->rows[i].title);
        free(pt->rows[i].values);
        free(pt->rows[i].has_value);
        if (t->bad) free(t->bad[i]);
    }
    for (int i = 0; i < pt->n_extra; i++) {
        free(pt->extra[i].title);
        free(pt->extra[i].values);
        free(pt->extra[i].has_value);
    }
    if (pt->total) {
        free(pt->total->title);
        free(pt->total->values);
        free(pt->total->has_value);
        free(pt->total);
    }
    for (int u = 0; u < pt->n_units; u++) free(pt->units[u]);
    free(pt->units);
    free(pt->rows);
    free(pt->extra);
    free(t->bad);
    free(t->unit_field);
    free(t->parent);
    free(t->first);
    free(t->leaf);
    free(t->hash);
    free(t->text);
    free(t->file);
    free(t);
}

/* ---------------------------------------------------------------- sniffing a file */

typedef struct {
    char *cells[3];
    size_t lens[3];
    int n;
    bool done;
} first_row;

static void sniff_field(void *s, size_t len, void *ud)
{
    first_row *f = ud;
    if (f->done) return;
    if (f->n < 3) {
        f->cells[f->n] = dup_n(s ? s : "", s ? len : 0);
        f->lens[f->n] = f->cells[f->n] ? (s ? len : 0) : 0;
    }
    f->n++;
}

static void sniff_row(int c, void *ud)
{
    first_row *f = ud;
    (void)c;
    if (f->done) return;
    bool empty = true;
    for (int i = 0; i < f->n && i < 3; i++)
        if (f->lens[i]) empty = false;
    if (!empty || f->n > 3) {
        f->done = true;
        return;
    }
    for (int i = 0; i < f->n && i < 3; i++) free(f->cells[i]);
    memset(f, 0, sizeof *f);
}

bool table_file_matches(const char *path)
{
    if (!path || strcmp(path, "-") == 0) return false;
    FILE *fp = fopen(path, "rb");
    if (!fp) return false;
    struct csv_parser csv;
    if (csv_init(&csv, CSV_APPEND_NULL) != 0) {
        fclose(fp);
        return false;
    }
    first_row f;
    memset(&f, 0, sizeof f);
    char buf[4096];
    size_t n, total = 0;
    bool first = true;
    while (!f.done && total < 256 * 1024 && (n = fread(buf, 1, sizeof buf, fp)) > 0) {
        const char *p = buf;
        if (first && n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) p += 3, n -= 3;
        first = false;
        total += n;
        if (csv_parse(&csv, p, n, sniff_field, sniff_row, &f) != n) break;
    }
    if (!f.done && !ferror(fp) && feof(fp)) csv_fini(&csv, sniff_field, sniff_row, &f);
    csv_free(&csv);
    fclose(fp);
    bool yes = f.done && f.n >= 3 && f.cells[0] && f.cells[1] && f.cells[2] &&
               words_match(header_words((const char *const *)f.cells, f.lens, 3));
    for (int i = 0; i < 3 && i < f.n; i++) free(f.cells[i]);
    return yes;
}

/* ---------------------------------------------------------------- looking rows up */

const table_row *table_find(const pub_table *pt, const char *code)
{
    if (!pt || !code) return NULL;
    int r = hash_find((const table_impl *)pt, code, strlen(code));
    return r >= 0 ? &pt->rows[r] : NULL;
}

int table_parent(const pub_table *pt, int i)
{
    const table_impl *t = (const table_impl *)pt;
    return pt && i >= 0 && i < pt->n_rows && t->parent ? t->parent[i] : -1;
}

bool table_is_leaf(const pub_table *pt, int i)
{
    const table_impl *t = (const table_impl *)pt;
    return pt && i >= 0 && i < pt->n_rows && t->leaf && t->leaf[i];
}

bool table_is_duplicate(const pub_table *pt, int i)
{
    const table_impl *t = (const table_impl *)pt;
    return pt && i >= 0 && i < pt->n_rows && t->first && t->first[i] != i;
}

int table_decimals(const pub_table *pt) { return pt ? ((const table_impl *)pt)->decimals : 0; }

/* ---------------------------------------------------------------- scoring from a table */

/* Where the kept text's lines start, built on the first message that quotes one. */
typedef struct {
    size_t *start;
    int n;
    bool tried;
} line_index;

/* Line `line` (1-based) of the kept text, without its line ending (empty if out of reach). */
static raw_row text_line(const table_impl *t, line_index *ix, int line)
{
    if (!ix->tried) {
        ix->tried = true;
        int n = 1;
        for (size_t i = 0; i < t->len; i++)
            if (t->text[i] == '\n' || (t->text[i] == '\r' && (i + 1 >= t->len || t->text[i + 1] != '\n'))) n++;
        ix->start = malloc((size_t)n * sizeof *ix->start);
        if (ix->start) {
            size_t bom = t->len >= 3 && memcmp(t->text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
            ix->start[ix->n++] = bom;
            for (size_t i = bom; i < t->len; i++)
                if (t->text[i] == '\n' || (t->text[i] == '\r' && (i + 1 >= t->len || t->text[i + 1] != '\n')))
                    ix->start[ix->n++] = i + 1;
        }
    }
    if (!ix->start || line < 1 || line > ix->n) return (raw_row){NULL, 0, line};
    size_t i = ix->start[line - 1], e = i;
    while (e < t->len && t->text[e] != '\r' && t->text[e] != '\n') e++;
    return (raw_row){t->text + i, e - i, line};
}

int table_for_each_unit(const pub_table *pt, const facts_opts *o, const char *const *node_codes, int n_codes)
{
    if (!pt || !o) return -1;
    const table_impl *t = (const table_impl *)pt;
    int ns = o->n_specs, nu = pt->n_units, rc = 0;
    line_index ix = {NULL, 0, false};
    int *row_of = malloc((size_t)(ns > 0 ? ns : 1) * sizeof *row_of);       /* fact -> row */
    unsigned char *used = calloc((size_t)(pt->n_rows ? pt->n_rows : 1), 1); /* row: 1 fact, 2 node */
    fact_value *vals = calloc((size_t)(ns > 0 ? ns : 1), sizeof *vals);
    if (!row_of || !used || !vals) {
        src_loc at = {pt->file, 0, 0, 0, 0};
        diag_emit(o->diags, DIAG_ERROR, &at, NULL, 0, "out of memory while reading the table");
        rc = -1;
        goto out;
    }
    for (int i = 0; i < ns; i++) {
        const char *name = o->specs[i].name;
        row_of[i] = name ? hash_find(t, name, strlen(name)) : -1;
        if (row_of[i] >= 0) used[row_of[i]] |= 1;
        else if (name && is_code(name, strlen(name))) {
            src_loc at = {pt->file, 0, 0, 0, 0};
            diag_emit(o->diags, DIAG_WARNING, &at, NULL, 0,
                      "no row for code %s, whose score the rule set takes as given; it is missing for every unit", name);
        }
    }
    if (node_codes) {
        for (int k = 0; k < n_codes; k++) {
            int r = node_codes[k] ? hash_find(t, node_codes[k], strlen(node_codes[k])) : -1;
            if (r >= 0) used[r] |= 2;
        }
        for (int i = 0; i < pt->n_rows; i++) {
            if (!t->leaf[i] || t->first[i] != i || used[i]) continue;
            raw_row v = text_line(t, &ix, pt->rows[i].line);
            emit_at(o->diags, pt->file, DIAG_WARNING, &v, 0, "code %s is not in the rule set; its scores are not used",
                    pt->rows[i].code);
        }
    }
    for (int u = 0; u < nu && rc == 0; u++) {
        for (int i = 0; i < ns; i++) {
            int r = row_of[i];
            fact_value *fv = &vals[i];
            *fv = (fact_value){FV_MISSING, dec_from_int(0), 0, 0};
            if (r < 0) continue;
            const table_row *row = &pt->rows[r];
            if (row->has_value[u]) {
                fv->state = FV_OK;
                fv->num = row->values[u];
            } else if (t->bad[r] && t->bad[r][u]) {
                fv->state = FV_BAD;
            } else continue;
            fv->line = (uint32_t)row->line;
            fv->col = (uint32_t)t->unit_field[u] + 1;
            const fact_spec *sp = &o->specs[i];
            if (fv->state == FV_OK && ((sp->has_lo && dec_cmp(fv->num, sp->lo) < 0) ||
                                       (sp->has_hi && dec_cmp(fv->num, sp->hi) > 0))) {
                char got[DEC_FMT_MAX];
                dec_format(fv->num, -1, got, sizeof got);
                raw_row v = text_line(t, &ix, row->line);
                emit_at(o->diags, pt->file, DIAG_ERROR, &v, t->unit_field[u],
                        "unit '%s', code %s: %s is outside the allowed range", pt->units[u], row->code, got);
                fv->state = FV_BAD;
            }
        }
        if (o->on_unit) rc = o->on_unit(o->ud, pt->units[u], vals);
    }
out:
    free(ix.start);
    free(row_of);
    free(used);
    free(vals);
    return rc;
}

int table_or_facts_read_file(const char *path, const ruleset *rs, const facts_opts *o)
{
    if (!table_file_matches(path)) return facts_read_file(path, o);
    pub_table *t = table_read_file(path, o->diags);
    if (!t) return -1;
    const char **codes = malloc(((size_t)rs->n_nodes + 1) * sizeof *codes);
    int rc = -1;
    if (codes) {
        for (int i = 0; i < rs->n_nodes; i++) codes[i] = rs->nodes[i]->code;
        rc = table_for_each_unit(t, o, codes, rs->n_nodes);
    } else {
        src_loc at = {path, 0, 0, 0, 0};
        diag_emit(o->diags, DIAG_ERROR, &at, NULL, 0, "out of memory while reading the table");
    }
    free(codes);
    table_free(t);
    return rc;
}
