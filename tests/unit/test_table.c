#define _POSIX_C_SOURCE 200809L /* open_memstream, mkstemp */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "table.h"

/* Diagnostics of the last read, and their counts. */
static char *out_buf;
static size_t out_len;
static int n_errors, n_warnings;

static diag_sink *sink_open(FILE **mem)
{
    free(out_buf);
    out_buf = NULL;
    *mem = open_memstream(&out_buf, &out_len);
    assert_non_null(*mem);
    diag_sink *d = diag_sink_new(*mem);
    assert_non_null(d);
    return d;
}

static void sink_close(diag_sink *d, FILE *mem)
{
    n_errors = diag_errors(d);
    n_warnings = diag_warnings(d);
    diag_sink_free(d);
    fclose(mem);
}

static pub_table *read_csv(const char *csv)
{
    FILE *mem;
    diag_sink *d = sink_open(&mem);
    pub_table *t = table_read_buffer("t.csv", csv, strlen(csv), d);
    sink_close(d, mem);
    return t;
}

static void assert_dec(dec_t v, int64_t num, int64_t den)
{
    if (v.num != num || v.den != den)
        fail_msg("got %lld/%lld, expected %lld/%lld", (long long)v.num, (long long)v.den, (long long)num,
                 (long long)den);
}

static void assert_out(const char *expected)
{
    if (strcmp(out_buf ? out_buf : "", expected) != 0)
        fail_msg("diagnostics differ\n--- expected:\n%s--- got:\n%s", expected, out_buf ? out_buf : "");
}

/* The table of tests/golden/import.test: a wrapped title, unnumbered items, a total row,
 * decimal commas, a quoted cell with doubled quotes, a code written "2.". */
static const char golden[] =
    "STT,\"L\xc4\xa9nh v\xe1\xbb\xb1" "c/Ti\xc3\xaau ch\xc3\xad\",\xc4\x90i\xe1\xbb\x83m t\xe1\xbb\x91i \xc4\x91" "a,Ph\xc3\xb2ng A,Ph\xc3\xb2ng B\n"
    "1,Ch\xe1\xbb\x89 \xc4\x91\xe1\xba\xa1o,\"5,50\",\"4,75\",\"5,00\"\n"
    "1.1,K\xe1\xba\xbf ho\xe1\xba\xa1" "ch,\"1,50\",\"1,50\",1\n"
    "1.1.1,Ban h\xc3\xa0nh,\"0,50\",\"0,50\",\"0,50\"\n"
    "1.1.2,Ch\xe1\xba\xa5t l\xc6\xb0\xe1\xbb\xa3ng,1,1,\"0,50\"\n"
    ",- \xc4\x90\xe1\xba\xa7y \xc4\x91\xe1\xbb\xa7,\"0,50\",\"0,50\",\"0,25\"\n"
    ",- C\xc3\xb3 s\xe1\xba\xa3n ph\xe1\xba\xa9m,\"0,50\",\"0,50\",\"0,25\"\n"
    "1.2,\"B\xc3\xa1o c\xc3\xa1o (qu\xc3\xbd, 6 th\xc3\xa1ng\",4,\"3,25\",4\n"
    ",v\xc3\xa0 n\xc4\x83m),,,\n"
    "2.,\"Th\xe1\xbb\x83 ch\xe1\xba\xbf \"\"QPPL\"\"\",3,\"2,5\",3\n"
    "2.1,R\xc3\xa0 so\xc3\xa1t,2,\"1,5\",2\n"
    "2.2,X\xe1\xbb\xad l\xc3\xbd,1,1,\n"
    ",T\xe1\xbb\x95ng \xc4\x91i\xe1\xbb\x83m,\"8,50\",\"7,25\",\"8,00\"\n";

static int find_row(const pub_table *t, const char *code)
{
    const table_row *r = table_find(t, code);
    if (!r) fail_msg("no row %s", code);
    return (int)(r - t->rows);
}

static void test_golden_table(void **state)
{
    (void)state;
    pub_table *t = read_csv(golden);
    assert_non_null(t);
    assert_out("");
    assert_int_equal(n_errors + n_warnings, 0);
    assert_string_equal(t->file, "t.csv");
    assert_int_equal(t->n_units, 2);
    assert_string_equal(t->units[0], "Ph\xc3\xb2ng A");
    assert_string_equal(t->units[1], "Ph\xc3\xb2ng B");

    static const struct {
        const char *code, *title;
        int line, parent;
        bool leaf;
        int64_t max_n, max_d, a_n, a_d, b_n, b_d;
    } want[] = {
        {"1", "Ch\xe1\xbb\x89 \xc4\x91\xe1\xba\xa1o", 2, -1, false, 11, 2, 19, 4, 5, 1},
        {"1.1", "K\xe1\xba\xbf ho\xe1\xba\xa1" "ch", 3, 0, false, 3, 2, 3, 2, 1, 1},
        {"1.1.1", "Ban h\xc3\xa0nh", 4, 1, true, 1, 2, 1, 2, 1, 2},
        {"1.1.2", "Ch\xe1\xba\xa5t l\xc6\xb0\xe1\xbb\xa3ng", 5, 1, true, 1, 1, 1, 1, 1, 2},
        {"1.2", "B\xc3\xa1o c\xc3\xa1o (qu\xc3\xbd, 6 th\xc3\xa1ng v\xc3\xa0 n\xc4\x83m)", 8, 0, true, 4, 1, 13, 4, 4, 1},
        {"2", "Th\xe1\xbb\x83 ch\xe1\xba\xbf \"QPPL\"", 10, -1, false, 3, 1, 5, 2, 3, 1},
        {"2.1", "R\xc3\xa0 so\xc3\xa1t", 11, 5, true, 2, 1, 3, 2, 2, 1},
        {"2.2", "X\xe1\xbb\xad l\xc3\xbd", 12, 5, true, 1, 1, 1, 1, 0, 0},
    };
    assert_int_equal(t->n_rows, 8);
    for (int i = 0; i < 8; i++) {
        const table_row *r = &t->rows[i];
        assert_string_equal(r->code, want[i].code);
        assert_string_equal(r->title, want[i].title);
        assert_int_equal(r->line, want[i].line);
        assert_int_equal(table_parent(t, i), want[i].parent);
        assert_int_equal(table_is_leaf(t, i), want[i].leaf);
        assert_false(table_is_duplicate(t, i));
        assert_true(r->has_max);
        assert_dec(r->max, want[i].max_n, want[i].max_d);
        assert_true(r->has_value[0]);
        assert_dec(r->values[0], want[i].a_n, want[i].a_d);
        assert_int_equal(r->has_value[1], want[i].b_d != 0);
        if (want[i].b_d) assert_dec(r->values[1], want[i].b_n, want[i].b_d);
        assert_ptr_equal(table_find(t, want[i].code), r);
    }
    assert_null(table_find(t, "1.3"));
    assert_null(table_find(t, "1.1."));

    assert_int_equal(t->n_extra, 2);
    assert_string_equal(t->extra[0].title, "- \xc4\x90\xe1\xba\xa7y \xc4\x91\xe1\xbb\xa7");
    assert_int_equal(t->extra[0].line, 6);
    assert_null(t->extra[0].code);
    assert_true(t->extra[0].has_max);
    assert_dec(t->extra[0].max, 1, 2);
    assert_dec(t->extra[0].values[1], 1, 4);
    assert_string_equal(t->extra[1].title, "- C\xc3\xb3 s\xe1\xba\xa3n ph\xe1\xba\xa9m");
    assert_int_equal(t->extra[1].line, 7);

    assert_non_null(t->total);
    assert_string_equal(t->total->title, "T\xe1\xbb\x95ng \xc4\x91i\xe1\xbb\x83m");
    assert_int_equal(t->total->line, 13);
    assert_dec(t->total->max, 17, 2);
    assert_dec(t->total->values[0], 29, 4);
    assert_dec(t->total->values[1], 8, 1);
    assert_int_equal(table_decimals(t), 2);
    table_free(t);
}

/* A BOM, CRLF, a title wrapped inside a quoted cell, decomposed Vietnamese, no-break spaces, a
 * repeated header and blank rows. */
static void test_spreadsheet_export(void **state)
{
    (void)state;
    pub_table *t = read_csv("\xEF\xBB\xBF\"M\xc3\x83\",\"TI\xc3\x8aU CH\xc3\x8d\",\"\xc4\x90I\xe1\xbb\x82M CHU\xe1\xba\xa8N\",\"Unit \"\r\n"
                            "\r\n"
                            "1.,\"K\xe1\xba\xbf ho\xe1\xba\xa1" "ch\r\n  CCHC\",2,\"1,5\"\r\n"
                            " 1.1 ,Tie\xcc\x82u chi\xcc\x81,\xc2\xa0" "1\xc2\xa0,1\r\n"
                            "M\xc3\x83,TI\xc3\x8aU CH\xc3\x8d,\xc4\x90I\xe1\xbb\x82M CHU\xe1\xba\xa8N,Unit\r\n"
                            "1.2,Z,1,\"0,256\"\r\n"
                            ",,,\r\n");
    assert_non_null(t);
    assert_out("");
    assert_int_equal(t->n_units, 1);
    assert_string_equal(t->units[0], "Unit");
    assert_int_equal(t->n_rows, 3);
    assert_string_equal(t->rows[0].code, "1");
    assert_string_equal(t->rows[0].title, "K\xe1\xba\xbf ho\xe1\xba\xa1" "ch CCHC");
    assert_int_equal(t->rows[0].line, 3);
    assert_dec(t->rows[0].values[0], 3, 2);
    assert_string_equal(t->rows[1].code, "1.1");
    assert_string_equal(t->rows[1].title, "Ti\xc3\xaau ch\xc3\xad");
    assert_int_equal(t->rows[1].line, 5);
    assert_dec(t->rows[1].max, 1, 1);
    assert_string_equal(t->rows[2].code, "1.2");
    assert_int_equal(t->rows[2].line, 7);
    assert_dec(t->rows[2].values[0], 32, 125);
    assert_int_equal(t->n_extra, 0);
    assert_null(t->total);
    assert_int_equal(table_decimals(t), 3);

    /* messages after the export's CRLF and its two-line cell quote the right lines */
    FILE *mem;
    diag_sink *d = sink_open(&mem);
    facts_opts o = {NULL, 0, NULL, NULL, d};
    const char *const codes[] = {"1"};
    assert_int_equal(table_for_each_unit(t, &o, codes, 1), 0);
    sink_close(d, mem);
    assert_out("t.csv:5:2: warning: code 1.1 is not in the rule set; its scores are not used\n"
               " 1.1 ,Tie\xcc\x82u chi\xcc\x81,\xc2\xa0" "1\xc2\xa0,1\n"
               " ^~~\n"
               "t.csv:7:1: warning: code 1.2 is not in the rule set; its scores are not used\n"
               "1.2,Z,1,\"0,256\"\n"
               "^~~\n");
    table_free(t);
}

static void test_bad_numbers(void **state)
{
    (void)state;
    pub_table *t = read_csv("code,title,max,A,B\n"
                            "1,X,2,1,abc\n"
                            "1.1,Y,x,1,1\n"
                            "1.2,Z,1,99999999999999999999,\n"
                            "1.3,W,-1,1,1\n");
    assert_non_null(t);
    assert_out("t.csv:2:9: error: unit 'B', code 1: expected a number, got 'abc'\n"
               "1,X,2,1,abc\n"
               "        ^~~\n"
               "t.csv:3:7: error: code 1.1, maximum: expected a number, got 'x'\n"
               "1.1,Y,x,1,1\n"
               "      ^\n"
               "t.csv:4:9: error: unit 'A', code 1.2: the number '99999999999999999999' is too large or has too many "
               "decimals\n"
               "1.2,Z,1,99999999999999999999,\n"
               "        ^~~~~~~~~~~~~~~~~~~~\n"
               "t.csv:5:7: error: code 1.3, maximum: a maximum cannot be negative, got '-1'\n"
               "1.3,W,-1,1,1\n"
               "      ^~\n");
    assert_int_equal(n_errors, 4);
    assert_int_equal(n_warnings, 0);
    assert_true(t->rows[0].has_value[0]);
    assert_false(t->rows[0].has_value[1]); /* left empty */
    assert_false(t->rows[1].has_max);
    assert_dec(t->rows[1].max, 0, 1);
    assert_true(t->rows[1].has_value[0]);
    assert_false(t->rows[2].has_value[0]);
    assert_false(t->rows[2].has_value[1]);
    assert_false(t->rows[3].has_max);
    assert_dec(t->rows[3].max, 0, 1);
    table_free(t);
}

static void test_duplicate_code(void **state)
{
    (void)state;
    pub_table *t = read_csv("code,title,max,A\n1,X,2,1\n1.1,Y,1,1\n1.1,Y2,1,0\n");
    assert_non_null(t);
    assert_out("t.csv:4:1: error: duplicate code 1.1 (first on line 3); the first row is used\n"
               "1.1,Y2,1,0\n"
               "^~~\n");
    /* two rows for one code: which is right cannot be told, so it is an error */
    assert_int_equal(n_errors, 1);
    assert_int_equal(t->n_rows, 3);
    assert_int_equal(find_row(t, "1.1"), 1);
    assert_false(table_is_duplicate(t, 1));
    assert_true(table_is_duplicate(t, 2));
    assert_int_equal(table_parent(t, 2), 0);
    assert_false(table_is_leaf(t, 0));
    assert_true(table_is_leaf(t, 1));
    table_free(t);
}

static void test_headers(void **state)
{
    (void)state;
    const char *const a[] = {"code", "title", "max"};
    const char *const b[] = {"STT", "L\xc4\xa9nh v\xe1\xbb\xb1" "c/Ti\xc3\xaau ch\xc3\xad/Ti\xc3\xaau ch\xc3\xad th\xc3\xa0nh ph\xe1\xba\xa7n",
                             "\xc4\x90i\xe1\xbb\x83m t\xe1\xbb\x91i \xc4\x91" "a", "UBND TP"};
    const char *const c[] = {"\xEF\xBB\xBF" " Stt ", "N\xe1\xbb\x99i dung", "x"}; /* STT and a title: a table with a bad third column */
    const char *const d[] = {"code", "5", "note"};
    const char *const e[] = {"unit", "title", "max"};
    const char *const f[] = {"tt", "du"};
    const char *const g[] = {"M\xc3\xa3 s\xe1\xbb\x91", "", "\xc4\x90i\xe1\xbb\x83m chu\xe1\xba\xa9n"};
    assert_true(table_header_matches(a, 3));
    assert_true(table_header_matches(b, 4));
    assert_true(table_header_matches(c, 3));
    assert_false(table_header_matches(d, 3));
    assert_false(table_header_matches(e, 3));
    assert_false(table_header_matches(f, 2));
    assert_false(table_header_matches(a, 2));
    assert_true(table_header_matches(g, 3));
    assert_false(table_header_matches(NULL, 0));

    assert_null(read_csv("code,title,score,A\n1,X,2,1\n"));
    assert_int_equal(n_errors, 1);
    assert_out("t.csv:1:12: error: the third column must be the maximum ('max', '\xc4\x90i\xe1\xbb\x83m t\xe1\xbb\x91i \xc4\x91" "a' or "
               "'\xc4\x90i\xe1\xbb\x83m chu\xe1\xba\xa9n'), not 'score'; a published table's header is code,title,max,<unit>,<unit>... "
               "(the first three may also be written STT or M\xc3\xa3, L\xc4\xa9nh v\xe1\xbb\xb1" "c/Ti\xc3\xaau ch\xc3\xad..., "
               "\xc4\x90i\xe1\xbb\x83m t\xe1\xbb\x91i \xc4\x91" "a or \xc4\x90i\xe1\xbb\x83m chu\xe1\xba\xa9n), then one column per unit\n"
               "code,title,score,A\n"
               "           ^~~~~\n");
    assert_null(read_csv("fact,value\nx,1\n"));
    assert_int_equal(n_errors, 1);
    assert_non_null(strstr(out_buf, "t.csv:1: error: the first row is not the header of a published table; "));
    assert_null(read_csv(""));
    assert_out("t.csv: error: the file is empty; a published table starts with a header code,title,max,<unit>,<unit>...\n");
    assert_null(read_csv("\xFF\xFE" "c\0o"));
    assert_out("t.csv: error: the file is UTF-16 text, not UTF-8: save it as \"CSV UTF-8\"\n");

    /* a header alone: a table without rows or units */
    pub_table *t = read_csv("code,title,max\n");
    assert_non_null(t);
    assert_int_equal(t->n_units, 0);
    assert_int_equal(t->n_rows, 0);
    table_free(t);
}

static void test_unit_columns(void **state)
{
    (void)state;
    pub_table *t = read_csv("code,title,max,A,,A\n"
                            "1,X,\"0,5\",1,2,3\n"
                            "1.1,Y,0,5,1,1,1\n");
    assert_non_null(t);
    assert_out("t.csv:1:19: error: duplicate unit 'A' (first in column 4); this column is ignored\n"
               "code,title,max,A,,A\n"
               "                  ^\n"
               "t.csv:2:13: warning: column 5 has no unit name in the header; its values are ignored\n"
               "1,X,\"0,5\",1,2,3\n"
               "            ^\n"
               "t.csv:3:15: error: the row has 7 cells but the header has 6; none of its values is used (a decimal "
               "comma splits a cell unless the cell is quoted: write \"0,5\" or 0.5)\n"
               "1.1,Y,0,5,1,1,1\n"
               "              ^\n");
    assert_int_equal(t->n_units, 1);
    assert_dec(t->rows[0].values[0], 1, 1);
    /* the shifted cells of the long row are not used: "0,5" unquoted made 0 and 5 */
    assert_false(t->rows[1].has_value[0]);
    table_free(t);
}

/* Rows without a code: items, labels, totals, continuations. */
static void test_rows_without_code(void **state)
{
    (void)state;
    pub_table *t = read_csv("code,title,max,A\n"
                            ",PH\xe1\xba\xa6N I\n"
                            "a),M\xe1\xbb\xa5" "c a,1,1\n"
                            "1,X,2,1\n"
                            "\"1,2\",Z,1,1\n"
                            "I,PH\xe1\xba\xa6N,,\n"
                            ",T\xe1\xbb\x95ng,3,2\n"
                            ",T\xe1\xbb\x94NG C\xe1\xbb\x98NG,3,2\n"
                            ",ghi ch\xc3\xba\n"
                            ",+ m\xe1\xbb\xa5" "c,,\n"
                            "1.1,Y,1,\n"
                            ",Total,4,\n");
    assert_non_null(t);
    assert_out("t.csv:5:1: warning: '1,2' is not a code (a dotted number like 1.2.3); the row is read as an "
               "unnumbered item\n"
               "\"1,2\",Z,1,1\n"
               "^~~~~\n"
               "t.csv:8:2: warning: a second total row (the first is on line 7); it is read as an unnumbered item\n"
               ",T\xe1\xbb\x94NG C\xe1\xbb\x98NG,3,2\n"
               " ^~~~~~~~~\n"
               "t.csv:12:2: warning: a second total row (the first is on line 7); it is read as an unnumbered item\n"
               ",Total,4,\n"
               " ^~~~~\n");
    assert_int_equal(t->n_rows, 2);
    static const char *const titles[] = {
        "PH\xe1\xba\xa6N I",       /* nothing before it to continue */
        "a) M\xe1\xbb\xa5" "c a", "1,2 Z", "I PH\xe1\xba\xa6N",
        "T\xe1\xbb\x94NG C\xe1\xbb\x98NG ghi ch\xc3\xba", /* with its continuation */
        "+ m\xe1\xbb\xa5" "c",     /* a bullet: an item, not a continuation */
        "Total",
    };
    static const int lines[] = {2, 3, 5, 6, 8, 10, 12};
    static const bool has_max[] = {false, true, true, false, true, false, true};
    assert_int_equal(t->n_extra, 7);
    for (int i = 0; i < 7; i++) {
        assert_string_equal(t->extra[i].title, titles[i]);
        assert_int_equal(t->extra[i].line, lines[i]);
        assert_int_equal(t->extra[i].has_max, has_max[i]);
    }
    assert_non_null(t->total);
    assert_string_equal(t->total->title, "T\xe1\xbb\x95ng");
    assert_dec(t->total->max, 3, 1);
    assert_dec(t->total->values[0], 2, 1);
    table_free(t);
}

/* ---------------------------------------------------------------- units as facts */

enum { F111, F12, CO, F22, F13, N_SPECS };
static const fact_spec specs[N_SPECS] = {
    {.name = "1.1.1", .type = FACT_NUMBER}, {.name = "1.2", .type = FACT_NUMBER},
    {.name = "co_tthc", .type = FACT_BOOL}, {.name = "2.2", .type = FACT_NUMBER},
    {.name = "1.3", .type = FACT_NUMBER},
};

typedef struct {
    int n, stop_after;
    char unit[4][32];
    fact_value v[4][N_SPECS];
} got_t;

static int on_unit(void *ud, const char *unit, const fact_value *values)
{
    got_t *g = ud;
    if (g->n < 4) {
        snprintf(g->unit[g->n], sizeof g->unit[g->n], "%s", unit);
        memcpy(g->v[g->n], values, sizeof g->v[g->n]);
    }
    g->n++;
    return g->n == g->stop_after ? 7 : 0;
}

static void assert_fv(const fact_value *v, int state, int64_t num, int64_t den, int line, int col)
{
    assert_int_equal(v->state, state);
    if (state == FV_OK) assert_dec(v->num, num, den);
    assert_int_equal(v->line, line);
    assert_int_equal(v->col, col);
}

static void test_for_each_unit(void **state)
{
    (void)state;
    pub_table *t = read_csv(golden);
    assert_non_null(t);
    /* the rule set's nodes: 1.1.2 is not among them, 2.2 is a fact only */
    const char *const codes[] = {"1", "1.1", "1.1.1", "1.2", "1.3", "2", "2.1"};
    got_t got;
    memset(&got, 0, sizeof got);
    FILE *mem;
    diag_sink *d = sink_open(&mem);
    facts_opts o = {specs, N_SPECS, on_unit, &got, d};
    assert_int_equal(table_for_each_unit(t, &o, codes, 7), 0);
    sink_close(d, mem);
    assert_out("t.csv: warning: no row for code 1.3, whose score the rule set takes as given; it is missing for "
               "every unit\n"
               "t.csv:5:1: warning: code 1.1.2 is not in the rule set; its scores are not used\n"
               "1.1.2,Ch\xe1\xba\xa5t l\xc6\xb0\xe1\xbb\xa3ng,1,1,\"0,50\"\n"
               "^~~~~\n");
    assert_int_equal(got.n, 2);
    assert_string_equal(got.unit[0], "Ph\xc3\xb2ng A");
    assert_string_equal(got.unit[1], "Ph\xc3\xb2ng B");
    assert_fv(&got.v[0][F111], FV_OK, 1, 2, 4, 4);
    assert_fv(&got.v[0][F12], FV_OK, 13, 4, 8, 4);
    assert_fv(&got.v[0][CO], FV_MISSING, 0, 0, 0, 0);
    assert_fv(&got.v[0][F22], FV_OK, 1, 1, 12, 4);
    assert_fv(&got.v[0][F13], FV_MISSING, 0, 0, 0, 0);
    assert_fv(&got.v[1][F111], FV_OK, 1, 2, 4, 5);
    assert_fv(&got.v[1][F12], FV_OK, 4, 1, 8, 5);
    assert_fv(&got.v[1][F22], FV_MISSING, 0, 0, 0, 0); /* an empty cell */

    /* without node codes: no "not in the rule set" check; on_unit's non-zero return stops */
    memset(&got, 0, sizeof got);
    got.stop_after = 1;
    d = sink_open(&mem);
    o.diags = d;
    assert_int_equal(table_for_each_unit(t, &o, NULL, 0), 7);
    sink_close(d, mem);
    assert_int_equal(got.n, 1);
    assert_int_equal(n_warnings, 1); /* no row for 1.3 */
    table_free(t);
}

static void test_bad_cell_is_bad_fact(void **state)
{
    (void)state;
    pub_table *t = read_csv("code,title,max,A,B\n1,X,1,,\n1.2,Y,1,x,1\n");
    assert_non_null(t);
    assert_int_equal(n_errors, 1);
    got_t got;
    memset(&got, 0, sizeof got);
    FILE *mem;
    diag_sink *d = sink_open(&mem);
    facts_opts o = {specs, N_SPECS, on_unit, &got, d};
    const char *const codes[] = {"1", "1.2"};
    assert_int_equal(table_for_each_unit(t, &o, codes, 2), 0);
    sink_close(d, mem);
    assert_fv(&got.v[0][F12], FV_BAD, 0, 0, 3, 4);
    assert_fv(&got.v[1][F12], FV_OK, 1, 1, 3, 5);
    table_free(t);
}

/* ---------------------------------------------------------------- files */

static char *temp_file(const char *text)
{
    char *path = strdup("/tmp/chiso-table-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t n = strlen(text);
    assert_int_equal(write(fd, text, n), (ssize_t)n);
    close(fd);
    return path;
}

static bool matches(const char *text)
{
    char *p = temp_file(text);
    bool yes = table_file_matches(p);
    unlink(p);
    free(p);
    return yes;
}

static void test_file_matches(void **state)
{
    (void)state;
    assert_true(matches(golden));
    assert_true(matches("\xEF\xBB\xBF" "STT,N\xe1\xbb\x99i dung,\xc4\x90i\xe1\xbb\x83m t\xe1\xbb\x91i \xc4\x91" "a\r\n"));
    assert_true(matches("\n\ncode,title,max,A\n1,X,1,1\n"));
    assert_true(matches("STT,Ti\xc3\xaau ch\xc3\xad,\xc4\x90i\xe1\xbb\x83m t\xe1\xbb\xb1 ch\xe1\xba\xa5m,A\n")); /* read fails */
    assert_false(matches("unit,a,b\nX,1,2\n"));
    assert_false(matches("tt,du\n"));
    assert_false(matches("code,12,note\n"));
    assert_false(matches("fact,value\n1.2,\"0,5\"\n"));
    assert_false(matches(""));
    assert_false(table_file_matches("/nonexistent/t.csv"));
    assert_false(table_file_matches("-"));

    char *p = temp_file(golden);
    FILE *mem;
    diag_sink *d = sink_open(&mem);
    pub_table *t = table_read_file(p, d);
    sink_close(d, mem);
    assert_non_null(t);
    assert_string_equal(t->file, p);
    assert_int_equal(t->n_rows, 8);
    table_free(t);
    unlink(p);
    free(p);

    d = sink_open(&mem);
    assert_null(table_read_file("/nonexistent/t.csv", d));
    sink_close(d, mem);
    assert_out("/nonexistent/t.csv: error: cannot open: No such file or directory\n");
}

/* ---------------------------------------------------------------- stray quotes, encodings */

/* A stray quote in a number cell opens a quoted cell that swallows the next lines, up to the next
 * quote: refused at the opening quote, and no value of those lines is used (the row's own are bad, so
 * no unit is scored from them). A title may span lines; a code or a number may not. */
static void test_quote_swallowing_rows(void **state)
{
    (void)state;
    pub_table *t = read_csv("code,title,max,A,B\n"
                            "1.2,X,1,\"0,5,1\n"
                            "1.3,Y,2,2,2\n"
                            "2.1,Z,2,\"1,5\",2\n"
                            "1.4,\"W\n(wrapped)\",1,1,1\n"
                            "\"2.2,V,1,1,1\n"
                            "2.3\",U,1,1,1\n"
                            ",- item,1,\"1\r\n"
                            "\",1\n"
                            "2.4,T,1,1,1\n");
    assert_non_null(t);
    assert_out("t.csv:2:9: error: a quoted cell runs from here to line 4: a '\"' is missing or misplaced (only a "
               "title may span lines); none of the values on lines 2 to 4 is used\n"
               "1.2,X,1,\"0,5,1\n"
               "        ^~~~~~\n"
               "t.csv:7:1: error: a quoted cell runs from here to line 8: a '\"' is missing or misplaced (only a "
               "title may span lines); none of the values on lines 7 to 8 is used\n"
               "\"2.2,V,1,1,1\n"
               "^~~~~~~~~~~~\n"
               "t.csv:9:11: error: a quoted cell runs from here to line 10: a '\"' is missing or misplaced (only a "
               "title may span lines); none of the values on lines 9 to 10 is used\n"
               ",- item,1,\"1\n"
               "          ^~\n");
    assert_int_equal(n_errors, 3);
    assert_int_equal(t->n_rows, 3);
    assert_string_equal(t->rows[0].code, "1.2");
    assert_false(t->rows[0].has_max);
    assert_false(t->rows[0].has_value[0]);
    assert_false(t->rows[0].has_value[1]);
    assert_string_equal(t->rows[1].code, "1.4");
    assert_string_equal(t->rows[1].title, "W (wrapped)");
    assert_true(t->rows[1].has_value[1]);
    assert_string_equal(t->rows[2].code, "2.4");
    assert_int_equal(t->rows[2].line, 11);
    assert_int_equal(t->n_extra, 0);

    got_t got;
    memset(&got, 0, sizeof got);
    FILE *mem;
    diag_sink *d = sink_open(&mem);
    facts_opts o = {specs, N_SPECS, on_unit, &got, d};
    assert_int_equal(table_for_each_unit(t, &o, NULL, 0), 0);
    sink_close(d, mem);
    assert_int_equal(got.n, 2);
    for (int u = 0; u < 2; u++) {
        assert_fv(&got.v[u][F12], FV_BAD, 0, 0, 2, 4 + u); /* not 0,5 nor 1 */
        assert_fv(&got.v[u][F13], FV_MISSING, 0, 0, 0, 0); /* swallowed */
        assert_fv(&got.v[u][F22], FV_MISSING, 0, 0, 0, 0);
    }
    table_free(t);
}

/* A header that is not UTF-8 (a Vietnamese header saved in Windows-1258) cannot be recognised: said so,
 * rather than that it is not a header. */
static void test_header_not_utf8(void **state)
{
    (void)state;
    assert_null(read_csv("M\xe3,N\xf4i dung,\xd0i\xeam t\xf4i \xd0" "a,Ph\xf2ng A\n1.1,X,1,1\n"));
    assert_out("t.csv:1:1: error: the first row is not valid UTF-8 (byte 0xE3); the file seems not to be saved as "
               "UTF-8 (Windows-1258?): save it as \"CSV UTF-8\"; the file is not read\n"
               "M\xef\xbf\xbd,N\xef\xbf\xbdi dung,\xef\xbf\xbdi\xef\xbf\xbdm t\xef\xbf\xbdi \xef\xbf\xbd" "a,Ph\xef\xbf\xbdng A\n"
               "^~\n");
    assert_false(matches("M\xe3,N\xf4i dung,\xd0i\xeam t\xf4i \xd0" "a,Ph\xf2ng A\n"));
    /* an English header is recognised: its unit name is an error, read as U+FFFD */
    pub_table *t = read_csv("code,title,max,Ph\xf2ng A\n1.1,X,1,1\n");
    assert_non_null(t);
    assert_int_equal(n_errors, 1);
    assert_string_equal(t->units[0], "Ph\xef\xbf\xbdng A");
    table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_table),
        cmocka_unit_test(test_spreadsheet_export),
        cmocka_unit_test(test_bad_numbers),
        cmocka_unit_test(test_duplicate_code),
        cmocka_unit_test(test_headers),
        cmocka_unit_test(test_unit_columns),
        cmocka_unit_test(test_rows_without_code),
        cmocka_unit_test(test_for_each_unit),
        cmocka_unit_test(test_bad_cell_is_bad_fact),
        cmocka_unit_test(test_file_matches),
        cmocka_unit_test(test_quote_swallowing_rows),
        cmocka_unit_test(test_header_not_utf8),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    free(out_buf);
    return rc;
}
