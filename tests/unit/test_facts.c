#define _POSIX_C_SOURCE 200809L /* open_memstream, mkstemp */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "facts.h"

/* The facts of a small rule set: one of each type. */
static const fact_option tt_options[] = {
    {"du", "Tri\xe1\xbb\x83n khai \xc4\x91\xc3\xbang, \xc4\x91\xe1\xbb\xa7 n\xe1\xbb\x99i dung"}, /* Triển khai đúng, đủ nội dung */
    {"thieu", "Tri\xe1\xbb\x83n khai thi\xe1\xba\xbfu n\xe1\xbb\x99i dung"}, /* Triển khai thiếu nội dung */
    {"khong", "Kh\xc3\xb4ng tri\xe1\xbb\x83n khai"},                                 /* Không triển khai */
};

enum { SO, TY_LE, CO, DIEM, NGAY, TT, N_SPECS };

static fact_spec specs[N_SPECS];

static void init_specs(void)
{
    specs[SO] = (fact_spec){.name = "so_sang_kien", .type = FACT_COUNT};
    specs[TY_LE] = (fact_spec){.name = "ty_le", .type = FACT_PERCENT, .has_lo = true, .has_hi = true,
                               .lo = {0, 1}, .hi = {1, 1}};
    specs[CO] = (fact_spec){.name = "co_tthc", .type = FACT_BOOL};
    specs[DIEM] = (fact_spec){.name = "diem", .type = FACT_NUMBER};
    specs[NGAY] = (fact_spec){.name = "ngay_gui", .type = FACT_DATE};
    specs[TT] = (fact_spec){.name = "tuyen_truyen", .type = FACT_CHOICE, .options = tt_options, .n_options = 3};
}

/* What a read delivered. */
enum { MAX_UNITS = 16 };
typedef struct {
    int n;
    char unit[MAX_UNITS][64];
    fact_value v[MAX_UNITS][N_SPECS];
    int stop_after; /* 0: never */
} got_t;

static got_t got;
static char *out_buf;
static size_t out_len;
static int n_errors, n_warnings;

static int on_unit(void *ud, const char *unit, const fact_value *values)
{
    got_t *g = ud;
    if (g->n < MAX_UNITS) { /* only the first few are kept; all are counted */
        snprintf(g->unit[g->n], sizeof g->unit[g->n], "%s", unit);
        memcpy(g->v[g->n], values, sizeof g->v[g->n]);
    }
    g->n++;
    return g->stop_after && g->n == g->stop_after ? 42 : 0;
}

/* Reads `csv` (or the file `path` when csv is NULL) and captures the diagnostics in out_buf. */
static int run_as(const char *name, const char *csv, size_t len, const char *path)
{
    int stop = got.stop_after;
    memset(&got, 0, sizeof got);
    got.stop_after = stop;
    free(out_buf);
    out_buf = NULL;
    FILE *mem = open_memstream(&out_buf, &out_len);
    assert_non_null(mem);
    diag_sink *d = diag_sink_new(mem);
    assert_non_null(d);
    facts_opts o = {specs, N_SPECS, on_unit, &got, d};
    int rc = csv ? facts_read_buffer(name, csv, len, &o) : facts_read_file(path, &o);
    n_errors = diag_errors(d);
    n_warnings = diag_warnings(d);
    diag_sink_free(d);
    fclose(mem);
    return rc;
}

static int run(const char *csv) { return run_as("t.csv", csv, strlen(csv), NULL); }

static void assert_value(const fact_value *v, int state, int64_t num, int64_t den)
{
    assert_int_equal(v->state, state);
    if (state == FV_OK) {
        assert_int_equal(v->num.num, num);
        assert_int_equal(v->num.den, den);
    }
}

static void assert_has(const char *needle)
{
    if (!out_buf || !strstr(out_buf, needle)) fail_msg("missing in diagnostics: %s\n--- got:\n%s", needle, out_buf);
}

/* ---------------------------------------------------------------- value parsing */

static bool parse(int spec, const char *text, dec_t *v, char *why)
{
    return facts_parse_value(&specs[spec], text, strlen(text), v, why, 200);
}

static void expect_ok(int spec, const char *text, int64_t num, int64_t den)
{
    dec_t v;
    char why[200];
    if (!parse(spec, text, &v, why)) fail_msg("'%s' refused: %s", text, why);
    if (v.num != num || v.den != den)
        fail_msg("'%s' read as %lld/%lld, expected %lld/%lld", text, (long long)v.num, (long long)v.den,
                 (long long)num, (long long)den);
}

static void expect_bad(int spec, const char *text, const char *why_expected)
{
    dec_t v = {7, 1};
    char why[200];
    if (parse(spec, text, &v, why)) fail_msg("'%s' accepted", text);
    assert_string_equal(why, why_expected);
    assert_int_equal(v.num, 7); /* untouched */
}

static void test_numbers(void **state)
{
    (void)state;
    expect_ok(DIEM, "0,5", 1, 2);
    expect_ok(DIEM, "0.5", 1, 2);
    expect_ok(DIEM, "-1", -1, 1);
    expect_ok(DIEM, "  12  ", 12, 1);
    expect_ok(DIEM, "13,50", 27, 2);
    expect_bad(DIEM, "1.234,5", "expected a number (e.g. 12, 0,5 or 0.5), got '1.234,5'");
    expect_bad(DIEM, "abc", "expected a number (e.g. 12, 0,5 or 0.5), got 'abc'");
    expect_bad(DIEM, "", "empty value");
    expect_bad(DIEM, "99999999999999999999", "the number '99999999999999999999' is too large or has too many decimals");
}

static void test_percent_forms(void **state)
{
    (void)state;
    expect_ok(TY_LE, "85%", 17, 20);
    expect_ok(TY_LE, "85,5%", 171, 200);
    expect_ok(TY_LE, "85.5 %", 171, 200);
    expect_ok(TY_LE, "85", 17, 20); /* a bare number is in percent points */
    expect_ok(TY_LE, "99,5", 199, 200);
    expect_ok(TY_LE, "100%", 1, 1);
    expect_ok(TY_LE, "0", 0, 1);
    expect_ok(TY_LE, "1", 1, 100);
    expect_bad(TY_LE, "0,85", "ambiguous percentage '0,85': write '85%' if you mean 85%, or '0,85%'");
    expect_bad(TY_LE, "120%", "got '120%', outside the allowed range 0%..100%");
    expect_bad(TY_LE, "-5%", "got '-5%', outside the allowed range 0%..100%");
    expect_bad(TY_LE, "85%%", "expected a percentage (e.g. 85%, 85,5% or 85), got '85%%'");
    expect_ok(TY_LE, "0,5%", 1, 200);
}

static void test_counts(void **state)
{
    (void)state;
    expect_ok(SO, "3", 3, 1);
    expect_ok(SO, "007", 7, 1);
    expect_bad(SO, "3,5", "expected a count (a whole number >= 0), got '3,5'");
    expect_bad(SO, "-1", "expected a count (a whole number >= 0), got '-1'");
    expect_bad(SO, "3.0", "expected a count (a whole number >= 0), got '3.0'");
    expect_bad(SO, "1234567890123456789012", "the count '1234567890123456789012' is too large");
}

static void test_vietnamese_booleans(void **state)
{
    (void)state;
    static const char *const yes[] = {"c\xc3\xb3", "C\xc3\xb3", "co\xcc\x81" /* có in NFD */, "C\xc3\x93", "co", "x",
                                      "X", "yes", "TRUE", "1", "\xc4\x91\xc3\xbang" /* đúng */,
                                      "\xc4\x90\xe1\xba\xa0T" /* ĐẠT */, " \xc4\x91\xe1\xba\xa1t "};
    static const char *const no[] = {"kh\xc3\xb4ng", "Kh\xc3\xb4ng", "kho\xcc\x82ng" /* NFD */, "khong", "No",
                                     "false", "0", "sai", "Kh\xc3\xb4ng \xc4\x91\xe1\xba\xa1t" /* Không đạt */,
                                     "khong dat"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) expect_ok(CO, yes[i], 1, 1);
    for (size_t i = 0; i < sizeof no / sizeof *no; i++) expect_ok(CO, no[i], 0, 1);
    expect_bad(CO, "maybe",
               "expected yes or no (c\xc3\xb3/kh\xc3\xb4ng, x, \xc4\x91\xc3\xbang/sai, \xc4\x91\xe1\xba\xa1t/kh\xc3\xb4ng "
               "\xc4\x91\xe1\xba\xa1t, 1/0, yes/no, true/false), got 'maybe'");
}

static void test_dates(void **state)
{
    (void)state;
    expect_ok(NGAY, "01/01/1970", 0, 1);
    expect_ok(NGAY, "31/12/2024", 20088, 1);
    expect_ok(NGAY, "2024-12-31", 20088, 1);
    expect_ok(NGAY, "1/2/2024", 19754, 1);
    expect_ok(NGAY, "29/02/2024", 19782, 1);
    expect_ok(NGAY, "29/02/2000", 11016, 1);
    expect_ok(NGAY, "31.12.1969", -1, 1);
    expect_bad(NGAY, "29/02/2023", "no such date: '29/02/2023' (2023 is not a leap year)");
    expect_bad(NGAY, "29/02/1900", "no such date: '29/02/1900' (1900 is not a leap year)");
    expect_bad(NGAY, "31/04/2024", "no such date: '31/04/2024' (month 4 has 30 days)");
    expect_bad(NGAY, "12/31/2024",
               "no such date: '12/31/2024' (there is no month 31; dates are written day/month/year)");
    expect_bad(NGAY, "2024/12", "expected a date (dd/mm/yyyy or yyyy-mm-dd), got '2024/12'");
    expect_bad(NGAY, "31/12/24", "expected a date (dd/mm/yyyy or yyyy-mm-dd), got '31/12/24'");
    expect_bad(NGAY, "31/12-2024", "expected a date (dd/mm/yyyy or yyyy-mm-dd), got '31/12-2024'");
}

static void test_date_bounds(void **state)
{
    (void)state;
    fact_spec s = {.name = "ngay", .type = FACT_DATE, .has_lo = true, .has_hi = true, .lo = {19723, 1},
                   .hi = {20088, 1}}; /* 2024-01-01 .. 2024-12-31 */
    dec_t v;
    char why[200];
    assert_true(facts_parse_value(&s, "2024-06-01", 10, &v, why, sizeof why));
    assert_false(facts_parse_value(&s, "02/01/2025", 10, &v, why, sizeof why));
    assert_string_equal(why, "got '02/01/2025', outside the allowed range 01/01/2024..31/12/2024");
}

static void test_choices(void **state)
{
    (void)state;
    expect_ok(TT, "du", 0, 1);
    expect_ok(TT, "khong", 2, 1);
    expect_ok(TT, "Tri\xe1\xbb\x83n khai thi\xe1\xba\xbfu n\xe1\xbb\x99i dung", 1, 1); /* the label */
    expect_ok(TT, "kh\xc3\xb4ng tri\xe1\xbb\x83n khai", 2, 1);                        /* another case */
    expect_ok(TT, "Kho\xcc\x82ng trie\xcc\x82\xcc\x89n khai", 2, 1);                   /* NFD */
    expect_ok(TT, "DU", 0, 1);
    expect_bad(TT, "thieuu", "expected one of du, thieu, khong (or their labels), got 'thieuu' (did you mean 'thieu'?)");
    expect_bad(TT, "mot phan", "expected one of du, thieu, khong (or their labels), got 'mot phan'");
}

static void test_bad_text_in_values(void **state)
{
    (void)state;
    dec_t v;
    char why[200];
    assert_false(facts_parse_value(&specs[CO], "c\0o", 3, &v, why, sizeof why));
    assert_string_equal(why, "the value contains a NUL byte");
    assert_false(facts_parse_value(&specs[CO], "c\xf3", 2, &v, why, sizeof why)); /* có in Windows-1258 */
    assert_string_equal(why, "the value is not valid UTF-8 (byte 0xF3)");
    assert_false(facts_parse_value(&specs[TT], "\xc0\x80", 2, &v, why, sizeof why)); /* overlong */
    assert_string_equal(why, "the value is not valid UTF-8 (byte 0xC0)");
    assert_false(facts_parse_value(&specs[CO], "nope", 4, &v, NULL, 0)); /* no room for a reason: fine */
    expect_bad(CO, "a\tb\x01", "expected yes or no (c\xc3\xb3/kh\xc3\xb4ng, x, \xc4\x91\xc3\xbang/sai, "
                               "\xc4\x91\xe1\xba\xa1t/kh\xc3\xb4ng \xc4\x91\xe1\xba\xa1t, 1/0, yes/no, true/false), "
                               "got 'a\\x09b\\x01'");
}

/* ---------------------------------------------------------------- batch tables */

static void test_batch_three_units(void **state)
{
    (void)state;
    const char *csv = "unit,so_sang_kien,ty_le,co_tthc,diem,ngay_gui,tuyen_truyen\n"
                      "Ph\xc3\xb2ng N\xe1\xbb\x99i v\xe1\xbb\xa5,3,85%,c\xc3\xb3,\"0,5\",31/12/2024,du\n"
                      "Ph\xc3\xb2ng T\xc6\xb0 ph\xc3\xa1p,0,\"99,5%\",kh\xc3\xb4ng,12,2024-01-15,"
                      "Kh\xc3\xb4ng tri\xe1\xbb\x83n khai\n"
                      "  Thanh tra qu\xe1\xba\xadn  , 12 ,90,x,-1.25,,thieu\n";
    assert_int_equal(run(csv), 0);
    assert_int_equal(n_errors, 0);
    assert_int_equal(n_warnings, 0);
    assert_int_equal(got.n, 3);
    assert_string_equal(got.unit[0], "Ph\xc3\xb2ng N\xe1\xbb\x99i v\xe1\xbb\xa5");
    assert_value(&got.v[0][SO], FV_OK, 3, 1);
    assert_value(&got.v[0][TY_LE], FV_OK, 17, 20);
    assert_value(&got.v[0][CO], FV_OK, 1, 1);
    assert_value(&got.v[0][DIEM], FV_OK, 1, 2);
    assert_value(&got.v[0][NGAY], FV_OK, 20088, 1);
    assert_value(&got.v[0][TT], FV_OK, 0, 1);
    assert_int_equal(got.v[0][SO].line, 2);
    assert_int_equal(got.v[0][SO].col, 2);
    assert_int_equal(got.v[0][TT].col, 7);

    assert_string_equal(got.unit[1], "Ph\xc3\xb2ng T\xc6\xb0 ph\xc3\xa1p");
    assert_value(&got.v[1][SO], FV_OK, 0, 1);
    assert_value(&got.v[1][TY_LE], FV_OK, 199, 200);
    assert_value(&got.v[1][CO], FV_OK, 0, 1);
    assert_value(&got.v[1][DIEM], FV_OK, 12, 1);
    assert_value(&got.v[1][NGAY], FV_OK, 19737, 1);
    assert_value(&got.v[1][TT], FV_OK, 2, 1);
    assert_int_equal(got.v[1][TT].line, 3);

    assert_string_equal(got.unit[2], "Thanh tra qu\xe1\xba\xadn");
    assert_value(&got.v[2][SO], FV_OK, 12, 1);
    assert_value(&got.v[2][TY_LE], FV_OK, 9, 10);
    assert_value(&got.v[2][CO], FV_OK, 1, 1);
    assert_value(&got.v[2][DIEM], FV_OK, -5, 4);
    assert_value(&got.v[2][NGAY], FV_MISSING, 0, 1); /* empty cell */
    assert_int_equal(got.v[2][NGAY].line, 0);
    assert_value(&got.v[2][TT], FV_OK, 1, 1);
}

static void test_batch_missing_and_short_rows(void **state)
{
    (void)state;
    /* Columns the header lacks, empty cells and short rows are all missing facts, silently. */
    assert_int_equal(run("Unit,ty_le,so_sang_kien,note\nA,,2,ghi ch\xc3\xba\nB,50%\n,,,\n"), 0);
    assert_int_equal(n_errors + n_warnings, 0);
    assert_int_equal(got.n, 2);
    assert_value(&got.v[0][TY_LE], FV_MISSING, 0, 1);
    assert_value(&got.v[0][SO], FV_OK, 2, 1);
    assert_value(&got.v[0][CO], FV_MISSING, 0, 1);
    assert_value(&got.v[1][TY_LE], FV_OK, 1, 2);
    assert_value(&got.v[1][SO], FV_MISSING, 0, 1);
}

static void test_bad_value_message(void **state)
{
    (void)state;
    const char *csv = "unit,ty_le,so_sang_kien\n"
                      "Ph\xc3\xb2ng N\xe1\xbb\x99i v\xe1\xbb\xa5,90%,\"3,5\"\n"
                      "B,1,2\n";
    assert_int_equal(run(csv), 0);
    assert_int_equal(got.n, 2); /* a bad value does not stop the unit, nor the others */
    assert_value(&got.v[0][SO], FV_BAD, 0, 1);
    assert_int_equal(got.v[0][SO].line, 2);
    assert_int_equal(got.v[0][SO].col, 3);
    assert_value(&got.v[0][TY_LE], FV_OK, 9, 10);
    assert_value(&got.v[1][SO], FV_OK, 2, 1);
    assert_int_equal(n_errors, 1);
    assert_string_equal(out_buf,
                        "t.csv:2:18: error: unit 'Ph\xc3\xb2ng N\xe1\xbb\x99i v\xe1\xbb\xa5', fact 'so_sang_kien' "
                        "(column 3): expected a count (a whole number >= 0), got '3,5'\n"
                        "Ph\xc3\xb2ng N\xe1\xbb\x99i v\xe1\xbb\xa5,90%,\"3,5\"\n"
                        "                 ^~~~~\n");
}

static void test_unknown_column(void **state)
{
    (void)state;
    assert_int_equal(run("unit,so_sang_kein,ty_le,xyz\nA,1,2,3\n"), 0);
    assert_int_equal(n_errors, 0);
    assert_int_equal(n_warnings, 2);
    assert_string_equal(out_buf, "t.csv:1:6: warning: unknown column 'so_sang_kein' (did you mean 'so_sang_kien'?); "
                                 "its values are ignored\n"
                                 "unit,so_sang_kein,ty_le,xyz\n"
                                 "     ^~~~~~~~~~~~\n"
                                 "t.csv:1:25: warning: unknown column 'xyz'; its values are ignored\n"
                                 "unit,so_sang_kein,ty_le,xyz\n"
                                 "                        ^~~\n");
    assert_int_equal(got.n, 1);
    assert_value(&got.v[0][SO], FV_MISSING, 0, 1);
    assert_value(&got.v[0][TY_LE], FV_OK, 1, 50);
}

static void test_duplicate_column_and_unit(void **state)
{
    (void)state;
    assert_int_equal(run("unit,ty_le,ty_le\nA,50%,60%\nB,1%,2%\nA,70%,80%\n"), 0);
    assert_int_equal(n_errors, 2);
    assert_has("t.csv:1:12: error: duplicate column 'ty_le' (first in column 2); this one is ignored\n");
    assert_has("t.csv:4:1: error: duplicate unit 'A' (first on line 2); this row is ignored\n");
    assert_int_equal(got.n, 2); /* no on_unit for the second A */
    assert_string_equal(got.unit[0], "A");
    assert_value(&got.v[0][TY_LE], FV_OK, 1, 2); /* the first column is kept */
    assert_string_equal(got.unit[1], "B");
}

static void test_duplicate_unit_in_other_normal_form(void **state)
{
    (void)state;
    /* "Phòng" precomposed and decomposed are the same unit */
    assert_int_equal(run("unit,ty_le\nPh\xc3\xb2ng,1\nPho\xcc\x80ng,2\n"), 0);
    assert_int_equal(got.n, 1);
    assert_has("t.csv:3:1: error: duplicate unit 'Ph\xc3\xb2ng' (first on line 2); this row is ignored\n");
}

static void test_ragged_row(void **state)
{
    (void)state;
    assert_int_equal(run("unit,ty_le,so_sang_kien\nA,1,2\nB,0,5,3\nC,1,2,\n"), 0);
    assert_int_equal(n_errors, 1);
    assert_string_equal(out_buf, "t.csv:3:7: error: the row of unit 'B' has 4 cells but the header has 3; the row is "
                                 "ignored (a decimal comma splits a cell unless the cell is quoted: write \"0,5\" or "
                                 "0.5)\n"
                                 "B,0,5,3\n"
                                 "      ^\n");
    assert_int_equal(got.n, 2); /* A, and C whose extra cell is empty */
    assert_string_equal(got.unit[1], "C");
}

static void test_empty_unit_name(void **state)
{
    (void)state;
    assert_int_equal(run("unit,ty_le\n,50%\nB,1\n"), 0);
    assert_int_equal(n_errors, 1);
    assert_has("t.csv:2:1: error: the row has no unit name; it is ignored\n");
    assert_int_equal(got.n, 1);
}

static void test_header_only_and_empty(void **state)
{
    (void)state;
    assert_int_equal(run("unit,ty_le,so_sang_kien\n"), 0);
    assert_int_equal(got.n, 0);
    assert_int_equal(n_errors + n_warnings, 0);

    assert_int_equal(run(""), 0);
    assert_int_equal(got.n, 0);
    assert_int_equal(n_errors, 0);
    assert_string_equal(out_buf, "t.csv: warning: no facts\n");

    assert_int_equal(run("\xEF\xBB\xBF\r\n  \r\n"), 0);
    assert_int_equal(got.n, 0);
    assert_string_equal(out_buf, "t.csv: warning: no facts\n");
}

static void test_bom_crlf(void **state)
{
    (void)state;
    assert_int_equal(run("\xEF\xBB\xBFunit,ty_le,so_sang_kien\r\nA,50%,1\r\n\r\nB,60%,x\r\nC,70%,3"), 0);
    assert_int_equal(got.n, 3);
    assert_string_equal(got.unit[0], "A");
    assert_value(&got.v[0][TY_LE], FV_OK, 1, 2);
    assert_value(&got.v[2][SO], FV_OK, 3, 1); /* last row without a line end */
    assert_int_equal(got.v[2][SO].line, 5);
    assert_int_equal(got.v[1][SO].line, 4); /* the blank line counts */
    assert_string_equal(out_buf, "t.csv:4:7: error: unit 'B', fact 'so_sang_kien' (column 3): expected a count (a whole "
                                 "number >= 0), got 'x'\n"
                                 "B,60%,x\n"
                                 "      ^\n");
}

static void test_lone_cr(void **state)
{
    (void)state;
    assert_int_equal(run("unit,so_sang_kien\rA,1\rB,-2\r"), 0);
    assert_int_equal(got.n, 2);
    assert_int_equal(got.v[1][SO].line, 3);
    assert_has("t.csv:3:3: error: unit 'B', fact 'so_sang_kien' (column 2)");
}

static void test_quoted_comma_and_newline(void **state)
{
    (void)state;
    const char *csv = "unit,tuyen_truyen,so_sang_kien,ty_le\n"
                      "\"Ph\xc3\xb2ng A, B\",\"Tri\xe1\xbb\x83n khai thi\xe1\xba\xbfu\n n\xe1\xbb\x99i dung\",1,50\n"
                      "\"C\"\"D\",du,\"2\",\"bad\n\"\n"
                      "E,du,oops,1\n";
    assert_int_equal(run(csv), 0);
    assert_int_equal(got.n, 3);
    assert_string_equal(got.unit[0], "Ph\xc3\xb2ng A, B");
    /* a quoted newline is kept inside the cell, so this is not the label: reported, not misread */
    assert_value(&got.v[0][TT], FV_BAD, 0, 1);
    assert_int_equal(got.v[0][TT].line, 2);
    assert_value(&got.v[0][SO], FV_OK, 1, 1);
    assert_string_equal(got.unit[1], "C\"D");
    assert_int_equal(got.v[1][SO].line, 4);
    assert_value(&got.v[1][TY_LE], FV_BAD, 0, 1);
    assert_int_equal(got.v[2][SO].line, 6);
    assert_value(&got.v[2][SO], FV_BAD, 0, 1);
    /* the bad cell of row 4 starts on line 4; the one of row "E" is on line 6 */
    assert_has("t.csv:4:15: error: unit 'C\"D', fact 'ty_le' (column 4): expected a percentage (e.g. 85%, 85,5% or "
               "85), got 'bad\\x0A'\n\"C\"\"D\",du,\"2\",\"bad\n              ^~~~\n");
    assert_has("t.csv:6:6: error: unit 'E', fact 'so_sang_kien' (column 3)");
}

static void test_multiline_cell_on_later_line(void **state)
{
    (void)state;
    /* The caret goes to the physical line where the bad cell starts. */
    assert_int_equal(run("unit,tuyen_truyen,so_sang_kien\n\"A\n\",du,z\n"), 0);
    assert_string_equal(out_buf, "t.csv:3:6: error: unit 'A\\x0A', fact 'so_sang_kien' (column 3): expected a count (a "
                                 "whole number >= 0), got 'z'\n"
                                 "\",du,z\n"
                                 "     ^\n");
    assert_int_equal(got.v[0][SO].line, 2);
}

static void test_semicolon_file(void **state)
{
    (void)state;
    assert_int_equal(run("unit;ty_le;so_sang_kien\nA;50%;1\n"), -1);
    assert_int_equal(got.n, 0);
    assert_string_equal(out_buf, "t.csv:1: error: the file seems to use ';' as separator; save it as CSV with commas\n"
                                 "unit;ty_le;so_sang_kien\n");
    /* a sheet whose decimal comma hides the ';' */
    assert_int_equal(run("so_sang_kien;3,5\n"), -1);
    assert_has("error: the file seems to use ';' as separator");
    assert_int_equal(run("unit\tty_le\nA\t1\n"), -1);
    assert_has("error: the file seems to use '\\t' as separator");
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    /* Windows-1258: "có" is 63 F3, "Phòng" has F2 */
    assert_int_equal(run("unit,co_tthc,tuyen_truyen\nPh\xf2ng A,c\xf3,du\nB,c\xf3,du\n"), 0);
    assert_int_equal(got.n, 1);
    assert_string_equal(got.unit[0], "B");
    assert_value(&got.v[0][CO], FV_BAD, 0, 1);
    assert_int_equal(n_errors, 2);
    assert_string_equal(out_buf, "t.csv:2:1: error: the unit name is not valid UTF-8 (byte 0xF2); the file seems not to "
                                 "be saved as UTF-8 (Windows-1258?): save it as \"CSV UTF-8\"; the row is ignored\n"
                                 "Ph\xef\xbf\xbdng A,c\xef\xbf\xbd,du\n"
                                 "^~~~~~~\n"
                                 "t.csv:3:3: error: unit 'B', fact 'co_tthc' (column 2): the value is not valid UTF-8 "
                                 "(byte 0xF3)\n"
                                 "B,c\xef\xbf\xbd,du\n"
                                 "  ^~\n");
}

static void test_nul_byte(void **state)
{
    (void)state;
    static const char csv[] = "unit,co_tthc,so_sang_kien\nA,c\0o,1\nB\0,1,1\nC,1,1\n";
    assert_int_equal(run_as("t.csv", csv, sizeof csv - 1, NULL), 0);
    assert_int_equal(got.n, 2);
    assert_string_equal(got.unit[0], "A");
    assert_value(&got.v[0][CO], FV_BAD, 0, 1);
    assert_value(&got.v[0][SO], FV_OK, 1, 1);
    assert_string_equal(got.unit[1], "C");
    assert_has("t.csv:2:3: error: unit 'A', fact 'co_tthc' (column 2): the value contains a NUL byte\n");
    assert_has("t.csv:3:1: error: the unit name contains a NUL byte; the row is ignored\n");
}

static void test_not_csv_at_all(void **state)
{
    (void)state;
    static const char utf16[] = "\xFF\xFEu\0n\0i\0t\0";
    assert_int_equal(run_as("t.csv", utf16, sizeof utf16 - 1, NULL), -1);
    assert_string_equal(out_buf, "t.csv: error: the file is UTF-16 text, not UTF-8: save it as \"CSV UTF-8\"\n");
    assert_int_equal(run("PK\x03\x04garbage"), -1);
    assert_string_equal(out_buf, "t.csv: error: this is an Excel workbook, not CSV: save it as \"CSV UTF-8\"\n");
}

static void test_unterminated_quote(void **state)
{
    (void)state;
    assert_int_equal(run("unit,so_sang_kien\nA,1\nB,\"2\nC,3\n"), 0);
    assert_int_equal(got.n, 1);
    assert_string_equal(out_buf, "t.csv:3:3: error: a quoted cell is never closed (a '\"' is missing); the rest of the "
                                 "file is ignored\n"
                                 "B,\"2\n"
                                 "  ^~\n");
}

static void test_stop(void **state)
{
    (void)state;
    got.stop_after = 2;
    assert_int_equal(run("unit,so_sang_kien\nA,1\nB,2\nC,3\n"), 42);
    got.stop_after = 0;
    assert_int_equal(got.n, 2);
}

/* ---------------------------------------------------------------- per-unit sheets */

static void test_sheet_with_unit_row(void **state)
{
    (void)state;
    /* the unit row comes after a bad value: the message still names the unit */
    const char *csv = "fact,value,note\n"
                      "so_sang_kien,\"2,5\",\"02 s\xc3\xa1ng ki\xe1\xba\xbfn, 01 ch\xe1\xbb\x9d (t\xc3\xadnh 0,5)\"\n"
                      "unit,Ph\xc3\xb2ng Kinh t\xe1\xba\xbf,\n"
                      "ty_le,\"87,5%\",\n"
                      "co_tthc,Kh\xc3\xb4ng\n"
                      "ngay_gui,,\n"
                      "tuyen_truyen,Tri\xe1\xbb\x83n khai \xc4\x91\xc3\xbang, \xc4\x91\xe1\xbb\xa7 n\xe1\xbb\x99i dung\n";
    assert_int_equal(run_as("data/phong-kinh-te.csv", csv, strlen(csv), NULL), 0);
    assert_int_equal(got.n, 1);
    assert_string_equal(got.unit[0], "Ph\xc3\xb2ng Kinh t\xe1\xba\xbf");
    assert_value(&got.v[0][SO], FV_BAD, 0, 1);
    assert_int_equal(got.v[0][SO].line, 2);
    assert_int_equal(got.v[0][SO].col, 2);
    assert_value(&got.v[0][TY_LE], FV_OK, 7, 8);
    assert_int_equal(got.v[0][TY_LE].line, 4);
    assert_value(&got.v[0][CO], FV_OK, 0, 1);
    assert_value(&got.v[0][NGAY], FV_MISSING, 0, 1);
    assert_value(&got.v[0][DIEM], FV_MISSING, 0, 1);
    /* a label that holds a comma but was not quoted: three cells, the third taken as the note */
    assert_value(&got.v[0][TT], FV_BAD, 0, 1);
    assert_int_equal(n_errors, 2);
    assert_has("data/phong-kinh-te.csv:2:14: error: unit 'Ph\xc3\xb2ng Kinh t\xe1\xba\xbf', fact 'so_sang_kien' "
               "(column 2): expected a count (a whole number >= 0), got '2,5'\n");
}

static void test_sheet_named_after_file(void **state)
{
    (void)state;
    /* no unit row: the file's base name, without .csv and in NFC */
    const char *csv = "so_sang_kien,3\nty_le,85\n";
    assert_int_equal(run_as("x/y/Pho\xcc\x80ng-A.CSV", csv, strlen(csv), NULL), 0);
    assert_int_equal(got.n, 1);
    assert_string_equal(got.unit[0], "Ph\xc3\xb2ng-A");
    assert_value(&got.v[0][SO], FV_OK, 3, 1);
    assert_int_equal(got.v[0][SO].line, 1);
    assert_value(&got.v[0][TY_LE], FV_OK, 17, 20);
    assert_int_equal(n_errors + n_warnings, 0);
}

static void test_sheet_unit_row_first(void **state)
{
    (void)state;
    /* `unit,<name>` first is a sheet's unit row, not a batch header with one column */
    const char *csv = "unit,Ph\xc3\xb2ng Y t\xe1\xba\xbf,\nso_sang_kien,1\n";
    assert_int_equal(run(csv), 0);
    assert_int_equal(got.n, 1);
    assert_string_equal(got.unit[0], "Ph\xc3\xb2ng Y t\xe1\xba\xbf");
    assert_value(&got.v[0][SO], FV_OK, 1, 1);
    /* ... while a one-column batch names a known fact */
    assert_int_equal(run("unit,so_sang_kien\nA,1\n"), 0);
    assert_int_equal(got.n, 1);
    assert_string_equal(got.unit[0], "A");
}

static void test_sheet_problems(void **state)
{
    (void)state;
    const char *csv = "unit,A\n"
                      "so_sang_kien,1\n"
                      "so_sang_kien,2\n"
                      "ty_lee,50%\n"
                      "unit,B\n"
                      "diem,0,5,x\n"
                      "diem,3,5\n"
                      ",1\n";
    assert_int_equal(run(csv), 0);
    assert_int_equal(got.n, 1);
    assert_string_equal(got.unit[0], "A");
    assert_value(&got.v[0][SO], FV_OK, 1, 1); /* the first is kept */
    assert_value(&got.v[0][DIEM], FV_BAD, 0, 1); /* 3,5 split by the comma: not read as 3 */
    assert_string_equal(out_buf,
                        "t.csv:3:1: error: duplicate fact 'so_sang_kien' (first on line 2); this row is ignored\n"
                        "so_sang_kien,2\n"
                        "^~~~~~~~~~~~\n"
                        "t.csv:4:1: warning: unknown fact 'ty_lee' (did you mean 'ty_le'?); the row is ignored\n"
                        "ty_lee,50%\n"
                        "^~~~~~\n"
                        "t.csv:5:1: error: a second unit row (the first is on line 1); it is ignored\n"
                        "unit,B\n"
                        "^~~~\n"
                        "t.csv:6:10: error: the row has 4 cells but a fact sheet row is fact,value[,note]; the row is "
                        "ignored (a decimal comma splits a cell unless the cell is quoted: write \"0,5\" or 0.5)\n"
                        "diem,0,5,x\n"
                        "         ^\n"
                        "t.csv:7:6: error: unit 'A', fact 'diem' (column 2): the value '3' and the note '5' look "
                        "like one number split by an unquoted decimal comma; write \"3,5\" (in quotes) or 3.5\n"
                        "diem,3,5\n"
                        "     ^~~\n"
                        "t.csv:8:1: error: the row has no fact name; it is ignored\n"
                        ",1\n"
                        "^\n");
}

static void test_sheet_split_decimal(void **state)
{
    (void)state;
    /* An unquoted decimal comma splits a number into a whole value and a note of digits: refused for
     * a number and a percentage (the unit is not scored from a misread 0), a warning for a count.
     * A genuine note (not only digits), a quoted value, a decimal point are read as usual. */
    const char *csv = "fact,value,note\n"
                      "unit,A\n"
                      "diem,-0,25\n"
                      "ty_le,92,5%\n"
                      "so_sang_kien,3,5\n";
    assert_int_equal(run(csv), 0);
    assert_int_equal(got.n, 1);
    assert_value(&got.v[0][DIEM], FV_BAD, 0, 1);
    assert_int_equal(got.v[0][DIEM].line, 3);
    assert_int_equal(got.v[0][DIEM].col, 2);
    assert_value(&got.v[0][TY_LE], FV_BAD, 0, 1);
    assert_value(&got.v[0][SO], FV_OK, 3, 1);
    assert_int_equal(n_errors, 2);
    assert_int_equal(n_warnings, 1);
    assert_string_equal(out_buf,
                        "t.csv:3:6: error: unit 'A', fact 'diem' (column 2): the value '-0' and the note '25' look "
                        "like one number split by an unquoted decimal comma; write \"-0,25\" (in quotes) or -0.25\n"
                        "diem,-0,25\n"
                        "     ^~~~~\n"
                        "t.csv:4:7: error: unit 'A', fact 'ty_le' (column 2): the value '92' and the note '5%' look "
                        "like one number split by an unquoted decimal comma; write \"92,5%\" (in quotes) or 92.5%\n"
                        "ty_le,92,5%\n"
                        "      ^~~~~\n"
                        "t.csv:5:16: warning: unit 'A', fact 'so_sang_kien': the value '3' and the note '5' look like "
                        "one number split by an unquoted decimal comma; if you meant 3,5, write \"3,5\"\n"
                        "so_sang_kien,3,5\n"
                        "               ^\n");

    assert_int_equal(run("unit,A\n"
                         "diem,1,theo b\xc3\xa1o c\xc3\xa1o 5\n" /* a note: "theo báo cáo 5" */
                         "ty_le,\"92,5\",2024\n"                  /* quoted: the note may be digits */
                         "so_sang_kien,3,\n"),
                     0);
    assert_int_equal(n_errors + n_warnings, 0);
    assert_value(&got.v[0][DIEM], FV_OK, 1, 1);
    assert_value(&got.v[0][TY_LE], FV_OK, 37, 40);
    assert_value(&got.v[0][SO], FV_OK, 3, 1);
    assert_int_equal(run("unit,A\ndiem,0.5,5\nty_le,5%,5\n"), 0); /* not whole: no split */
    assert_int_equal(n_errors + n_warnings, 0);
    assert_value(&got.v[0][DIEM], FV_OK, 1, 2);
    assert_value(&got.v[0][TY_LE], FV_OK, 1, 20);
    assert_int_equal(run("unit,A\ndiem,0,5%\n"), 0); /* a number followed by a percentage: not one number */
    assert_int_equal(n_errors + n_warnings, 0);
    assert_value(&got.v[0][DIEM], FV_OK, 0, 1);
}

static void test_first_row_not_utf8(void **state)
{
    (void)state;
    /* The kind of file is told by its first row: one that is not UTF-8 (a published table's
     * Vietnamese header in Windows-1258, "Mã,Nội dung,...") cannot be told, and the file is refused. */
    assert_int_equal(run("M\xe3,N\xf4i dung,\xd0i\xeam t\xf4i \xd0" "a,Ph\xf2ng A\n1.1,K\xea\xcc ho\xb9" "ch,1,1\n"), -1);
    assert_int_equal(got.n, 0);
    assert_int_equal(n_errors, 1);
    assert_string_equal(out_buf, "t.csv:1:1: error: the first row is not valid UTF-8 (byte 0xE3); the file seems not to "
                                 "be saved as UTF-8 (Windows-1258?): save it as \"CSV UTF-8\"; the file is not read\n"
                                 "M\xef\xbf\xbd,N\xef\xbf\xbdi dung,\xef\xbf\xbdi\xef\xbf\xbdm t\xef\xbf\xbdi "
                                 "\xef\xbf\xbd" "a,Ph\xef\xbf\xbdng A\n"
                                 "^~\n");
    /* a sheet whose unit row comes first: the same */
    assert_int_equal(run("unit,Ph\xf2ng A\nso_sang_kien,1\n"), -1);
    assert_int_equal(got.n, 0);
    assert_has("t.csv:1:6: error: the first row is not valid UTF-8 (byte 0xF2)");
    /* later rows are read as before: the bad cell is refused, the file is read */
    assert_int_equal(run("fact,value\nunit,Ph\xf2ng A\nso_sang_kien,1\n"), 0);
    assert_int_equal(got.n, 1);
    assert_value(&got.v[0][SO], FV_OK, 1, 1);
}

static void test_sheet_header_only(void **state)
{
    (void)state;
    assert_int_equal(run("fact,value,note\n"), 0);
    assert_int_equal(got.n, 1);
    assert_string_equal(got.unit[0], "t");
    assert_string_equal(out_buf, "t.csv: warning: no facts for unit 't'\n");
}

/* ---------------------------------------------------------------- the batch reader's fast paths */

static void test_fast_value_forms(void **state)
{
    (void)state;
    /* The common shapes are read without dec_parse; the values must be the same normalised ones. */
    expect_ok(TY_LE, "92,5%", 37, 40);
    expect_ok(TY_LE, "92.5%", 37, 40);
    expect_ok(TY_LE, "0,25%", 1, 400);
    expect_ok(TY_LE, "100,0%", 1, 1);
    expect_ok(TY_LE, "100%", 1, 1);
    expect_ok(TY_LE, "12,345678%", 6172839, 50000000);
    expect_ok(TY_LE, "1,5", 3, 200); /* bare and at least 1: percent points */
    expect_ok(TY_LE, "0,000000000000001%", 1, 100000000000000000);
    expect_bad(TY_LE, "100,5%", "got '100,5%', outside the allowed range 0%..100%");
    expect_bad(TY_LE, "0,5", "ambiguous percentage '0,5': write '50%' if you mean 50%, or '0,5%'");
    expect_ok(DIEM, "0,125", 1, 8);
    expect_ok(DIEM, "12345678901234567,5", 24691357802469135, 2); /* 18 digits */
    expect_ok(DIEM, "123456789012345678,5", 246913578024691357, 2); /* 19 digits: dec_parse */
    expect_ok(DIEM, "7.0", 7, 1);
    /* 19 digits with no separator: not a plain decimal, and too large */
    expect_bad(DIEM, "9999999999999999999", "the number '9999999999999999999' is too large or has too many decimals");
    expect_bad(TY_LE, "9999999999999999999%",
               "the percentage '9999999999999999999%' is too large or has too many decimals");
    expect_bad(NGAY, "00/00/0000", "no such date: '00/00/0000' (year 0)");
    expect_bad(NGAY, "29/02/2023", "no such date: '29/02/2023' (2023 is not a leap year)");
    expect_bad(NGAY, "1/13/2024", "no such date: '1/13/2024' (there is no month 13; dates are written day/month/year)");
}

static void test_values_do_not_leak_between_rows(void **state)
{
    (void)state;
    /* A row's values are written cell by cell, not copied from a blank row: nothing of one row may
     * show in the next, whether that one is ignored, empty, short, or has a bad cell. */
    assert_int_equal(run("unit,so_sang_kien,ty_le,co_tthc,tuyen_truyen\n"
                         "A,1,50%,c\xc3\xb3,du\n"
                         "A,2,60%,kh\xc3\xb4ng,thieu\n"
                         "B,,,,\n"
                         "C,3\n"
                         "D,x,70%,c\xc3\xb3,khong\n"
                         "E,4,80%,kh\xc3\xb4ng,du,extra\n"
                         "F\n"),
                     0);
    assert_int_equal(n_errors, 3); /* the duplicate A, the x, E's extra cell */
    assert_int_equal(got.n, 5);
    assert_string_equal(got.unit[0], "A");
    assert_value(&got.v[0][SO], FV_OK, 1, 1);
    assert_value(&got.v[0][TT], FV_OK, 0, 1);
    assert_string_equal(got.unit[1], "B");
    for (int s = 0; s < N_SPECS; s++) {
        assert_value(&got.v[1][s], FV_MISSING, 0, 1);
        assert_int_equal(got.v[1][s].line, 0);
    }
    assert_string_equal(got.unit[2], "C");
    assert_value(&got.v[2][SO], FV_OK, 3, 1);
    assert_int_equal(got.v[2][SO].line, 5);
    assert_value(&got.v[2][TY_LE], FV_MISSING, 0, 1);
    assert_value(&got.v[2][CO], FV_MISSING, 0, 1);
    assert_value(&got.v[2][TT], FV_MISSING, 0, 1);
    assert_string_equal(got.unit[3], "D");
    assert_value(&got.v[3][SO], FV_BAD, 0, 1);
    assert_value(&got.v[3][TY_LE], FV_OK, 7, 10);
    assert_value(&got.v[3][TT], FV_OK, 2, 1);
    assert_int_equal(got.v[3][TT].col, 5);
    assert_string_equal(got.unit[4], "F");
    for (int s = 0; s < N_SPECS; s++) assert_value(&got.v[4][s], FV_MISSING, 0, 1);
}

static void test_value_cache_many_spellings(void **state)
{
    (void)state;
    /* More spellings than a column's cache holds (8), some again after they were pushed out, and a
     * bad one twice: every row must read as if parsed afresh. */
    static const char *const co[] = {"c\xc3\xb3", "kh\xc3\xb4ng", "x", "yes", "1", "0", "\xc4\x91\xc3\xbang", "sai",
                                     "C\xc3\xb3", "KH\xc3\xb4NG", "khong dat", "maybe", "c\xc3\xb3", "maybe", "0", "x"};
    static const int co_v[] = {1, 0, 1, 1, 1, 0, 1, 0, 1, 0, 0, -1, 1, -1, 0, 1};
    static const char *const tt[] = {"du", "thieu", "Du", "khong", "dd", "Kh\xc3\xb4ng tri\xe1\xbb\x83n khai", "du",
                                     "dd", "thieu", "THIEU", "khong", "du", "x", "thieu", "du", "khong"};
    static const int tt_v[] = {0, 1, 0, 2, -1, 2, 0, -1, 1, 1, 2, 0, -1, 1, 0, 2};
    char csv[4096];
    size_t o = (size_t)snprintf(csv, sizeof csv, "unit,co_tthc,tuyen_truyen\n");
    for (int i = 0; i < 16; i++) o += (size_t)snprintf(csv + o, sizeof csv - o, "U%d,%s,%s\n", i, co[i], tt[i]);
    assert_int_equal(run(csv), 0);
    assert_int_equal(got.n, 16);
    assert_int_equal(n_errors, 5);
    for (int i = 0; i < 16; i++) {
        if (co_v[i] < 0) assert_value(&got.v[i][CO], FV_BAD, 0, 1);
        else assert_value(&got.v[i][CO], FV_OK, co_v[i], 1);
        if (tt_v[i] < 0) assert_value(&got.v[i][TT], FV_BAD, 0, 1);
        else assert_value(&got.v[i][TT], FV_OK, tt_v[i], 1);
        assert_int_equal(got.v[i][CO].line, i + 2);
    }
    assert_has("t.csv:13:5: error: unit 'U11', fact 'co_tthc' (column 2)");
    assert_has("t.csv:15:5: error: unit 'U13', fact 'co_tthc' (column 2)");
    assert_has("t.csv:9:8: error: unit 'U7', fact 'tuyen_truyen' (column 3): expected one of du, thieu, khong (or their "
               "labels), got 'dd' (did you mean 'du'?)\n");
}

static void test_line_ends_mixed(void **state)
{
    (void)state;
    /* A lone CR ends a line even when a LF comes later in the file; CRLF is one line end. */
    assert_int_equal(run("unit,so_sang_kien\rA,1\nB,x\r\nC,2\n\rD,y"), 0);
    assert_int_equal(got.n, 4);
    assert_int_equal(got.v[0][SO].line, 2);
    assert_int_equal(got.v[1][SO].line, 3);
    assert_int_equal(got.v[2][SO].line, 4);
    assert_int_equal(got.v[3][SO].line, 6); /* "\n\r" is two line ends */
    assert_has("t.csv:3:3: error: unit 'B', fact 'so_sang_kien' (column 2)");
    assert_has("t.csv:6:3: error: unit 'D', fact 'so_sang_kien' (column 2): expected a count (a whole number >= 0), "
               "got 'y'\nD,y\n  ^\n");
}

/* A temporary file holding text; the path is written to path[]. */
static void write_temp(char *path, const char *text, size_t len)
{
    strcpy(path, "/tmp/test_facts_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
}

static void test_rows_across_chunk_ends(void **state)
{
    (void)state;
    /* The reader takes 64 KiB at a time. Row 4093 ends with a CR as the last byte of the first chunk
     * and its LF opens the second; row 4094 starts right after. A bad cell in either is quoted from
     * its own line, with the right number. A row that straddles the end of a chunk is quoted whole. */
    size_t cap = 200000, o = 0;
    char *csv = malloc(cap);
    assert_non_null(csv);
    o += (size_t)snprintf(csv, cap, "unit,so_sang_kien,diem,    note\r\n"); /* 33 bytes */
    assert_int_equal(o, 33);
    for (int i = 0; i < 8200; i++) {
        bool bad = i == 4093 || i == 4094 || i == 8188;
        o += (size_t)snprintf(csv + o, cap - o, "Unit %05d,1,%s\r\n", i, bad ? "z" : "2"); /* 16 bytes */
    }
    assert_int_equal(csv[65535], '\r');
    assert_int_equal(csv[65536], '\n');
    /* row 8188 starts at 33 + 16 * 8188 = 131041 and crosses 131072 */
    char path[32];
    write_temp(path, csv, o);
    int rc = run_as(NULL, NULL, 0, path);
    unlink(path);
    free(csv);
    assert_int_equal(rc, 0);
    assert_int_equal(got.n, 8200);
    assert_int_equal(n_errors, 3);
    char expect[300];
    static const int rows[] = {4093, 4094, 8188};
    for (int k = 0; k < 3; k++) {
        snprintf(expect, sizeof expect,
                 "%s:%d:14: error: unit 'Unit %05d', fact 'diem' (column 3): expected a number (e.g. 12, 0,5 or "
                 "0.5), got 'z'\nUnit %05d,1,z\n             ^\n",
                 path, rows[k] + 2, rows[k], rows[k]);
        assert_has(expect);
    }
}

/* "unit,so_sang_kien" and n units, "Unit 0" on line 2 onwards, with a repeat of unit dup_of[k] after
 * unit dup_after[k] (its line is counted too). */
static char *many_units(int n, const int *dup_after, const int *dup_of, int ndup, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    assert_non_null(f);
    fputs("unit,so_sang_kien\n", f);
    for (int i = 0; i < n; i++) {
        fprintf(f, "Unit %d,%d\n", i, i % 50);
        for (int k = 0; k < ndup; k++)
            if (dup_after[k] == i) fprintf(f, "Unit %d,1\n", dup_of[k]);
    }
    fclose(f);
    return buf;
}

/* The units above, and the messages about their repeats. */
static const int dup_after[] = {999, 29999, 29999, 29999, 40000};
static const int dup_of[] = {5, 0, 17, 29000, 29999};
static const char *const dup_msgs[] = {
    ":1002:1: error: duplicate unit 'Unit 5' (first on line 7); this row is ignored\n",
    ":30003:1: error: duplicate unit 'Unit 0' (first on line 2); this row is ignored\n",
    ":30004:1: error: duplicate unit 'Unit 17' (first on line 19); this row is ignored\n",
    ":30005:1: error: duplicate unit 'Unit 29000' (first on line 29003); this row is ignored\n",
    ":40007:1: error: duplicate unit 'Unit 29999' (first on line 30002); this row is ignored\n",
};

static void check_dups(const char *name)
{
    assert_int_equal(got.n, 50000);
    assert_int_equal(n_errors, 5);
    for (int k = 0; k < 5; k++) {
        char expect[200];
        snprintf(expect, sizeof expect, "%s%s", name, dup_msgs[k]);
        assert_has(expect);
    }
}

static void test_duplicates_among_many_units(void **state)
{
    (void)state;
    /* Only a hash of each unit is kept, in a table that grows (in place) many times over 50,000 units.
     * The first duplicate makes the reader go over the input again to learn where each unit was
     * first seen; from then on it keeps the lines, through further growth. */
    size_t len;
    char *csv = many_units(50000, dup_after, dup_of, 5, &len);
    assert_int_equal(run_as("t.csv", csv, len, NULL), 0);
    check_dups("t.csv");
    /* the same read from a file: gone over again with fseeko, in 64 KiB chunks */
    char path[32];
    write_temp(path, csv, len);
    int rc = run_as(NULL, NULL, 0, path);
    check_dups(path);
    unlink(path);
    free(csv);
    assert_int_equal(rc, 0);
}

static void test_duplicates_from_a_pipe(void **state)
{
    (void)state;
    /* A pipe cannot be read again: the lines are kept from the start instead. */
    size_t len;
    char *csv = many_units(50000, dup_after, dup_of, 5, &len);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        for (size_t o = 0; o < len;) {
            ssize_t k = write(fds[1], csv + o, len - o);
            if (k <= 0) _exit(1);
            o += (size_t)k;
        }
        _exit(0);
    }
    close(fds[1]);
    int saved = dup(0);
    assert_true(saved >= 0);
    assert_int_equal(dup2(fds[0], 0), 0);
    close(fds[0]);
    clearerr(stdin);
    int rc = run_as(NULL, NULL, 0, "-");
    assert_int_equal(dup2(saved, 0), 0);
    close(saved);
    clearerr(stdin);
    int status;
    waitpid(pid, &status, 0);
    free(csv);
    assert_int_equal(rc, 0);
    check_dups("<stdin>");
}

static void test_wide_and_long_rows(void **state)
{
    (void)state;
    /* Cells past the header's width are counted, not kept (a row of millions of commas once took
     * gigabytes); and libcsv's cell buffer grows geometrically, so a cell of megabytes is quick
     * with any allocator. */
    size_t n = 3000000, o = 0;
    char *csv = malloc(n + 200);
    assert_non_null(csv);
    o += (size_t)sprintf(csv, "unit,so_sang_kien\n,");
    memset(csv + o, ',', 1000000), o += 1000000; /* a blank row a million cells wide */
    o += (size_t)sprintf(csv + o, "\nA,1,,,");
    memset(csv + o, ',', 500000), o += 500000;
    o += (size_t)sprintf(csv + o, "x,,\nB,");
    memset(csv + o, '7', 1000000), o += 1000000; /* a count of a million digits */
    o += (size_t)sprintf(csv + o, "\nC,2\n");
    assert_int_equal(run_as("t.csv", csv, o, NULL), 0);
    free(csv);
    assert_int_equal(got.n, 2);
    assert_string_equal(got.unit[0], "B");
    assert_value(&got.v[0][SO], FV_BAD, 0, 1);
    assert_string_equal(got.unit[1], "C");
    assert_int_equal(got.v[1][SO].line, 5);
    assert_int_equal(n_errors, 2);
    assert_has("t.csv:3:5: error: the row of unit 'A' has 500005 cells but the header has 2; the row is ignored");
    assert_has("t.csv:4:3: error: unit 'B', fact 'so_sang_kien' (column 2): the count '7777777777");
}

static void test_wide_sheet_rows_and_padded_headers(void **state)
{
    (void)state;
    /* The same in a sheet: cells past fact,value,note are counted, not kept; so are empty cells, in a
     * first row too (trailing ones are padding, a row of them a blank row). */
    size_t n = 3000000, o = 0;
    char *csv = malloc(n + 200);
    assert_non_null(csv);
    memset(csv + o, ',', 1000000), o += 1000000; /* a first row of a million empty cells */
    o += (size_t)sprintf(csv + o, "\nunit,A,");
    memset(csv + o, ',', 500000), o += 500000;
    o += (size_t)sprintf(csv + o, "\ndiem,1,,,");
    memset(csv + o, ',', 500000), o += 500000;
    o += (size_t)sprintf(csv + o, "x,,\nso_sang_kien,2,");
    memset(csv + o, ',', 500000), o += 500000;
    o += (size_t)sprintf(csv + o, "\n");
    assert_int_equal(run_as("t.csv", csv, o, NULL), 0);
    assert_int_equal(got.n, 1);
    assert_string_equal(got.unit[0], "A");
    assert_value(&got.v[0][DIEM], FV_MISSING, 0, 1);
    assert_value(&got.v[0][SO], FV_OK, 2, 1);
    assert_int_equal(n_errors, 1);
    assert_has("t.csv:3:9: error: the row has 500005 cells but a fact sheet row is fact,value[,note]");

    /* A batch header padded with empty cells: values under them are warned about, once a column, as
     * columns without a name; past the header's width the row is refused. */
    o = (size_t)sprintf(csv, "unit,so_sang_kien,");
    memset(csv + o, ',', 1000000), o += 1000000; /* 1000003 columns, 2 of them named */
    o += (size_t)sprintf(csv + o, "\nA,1,,x,y,\nB,2,,z");
    memset(csv + o, ',', 999999), o += 999999; /* w in the last column */
    o += (size_t)sprintf(csv + o, "w\nC,3,");
    memset(csv + o, ',', 1000001), o += 1000001; /* v one past it */
    o += (size_t)sprintf(csv + o, "v\n");
    assert_int_equal(run_as("t.csv", csv, o, NULL), 0);
    free(csv);
    assert_int_equal(got.n, 2);
    assert_value(&got.v[0][SO], FV_OK, 1, 1);
    assert_value(&got.v[1][SO], FV_OK, 2, 1);
    assert_int_equal(n_warnings, 3);
    assert_int_equal(n_errors, 1);
    assert_has("t.csv:2:6: warning: column 4 has no name in the header; its values are ignored\n");
    assert_has("t.csv:2:8: warning: column 5 has no name in the header; its values are ignored\n");
    /* (a cell that far is past the raw text a message quotes: the line is named without a column) */
    assert_has("t.csv:3: warning: column 1000003 has no name in the header; its values are ignored\n");
    assert_has("t.csv:4: error: the row of unit 'C' has 1000004 cells but the header has 1000003; the row is "
               "ignored");
}

/* ---------------------------------------------------------------- files */

static void test_large_file_streams(void **state)
{
    (void)state;
    /* > 64 KiB, so rows straddle chunk boundaries; line numbers must still be right */
    char path[] = "/tmp/test_facts_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs("unit,so_sang_kien,ty_le,co_tthc,diem\n", f);
    for (int i = 0; i < 5000; i++) {
        if (i == 4321) fprintf(f, "\"Unit\n%d\",\"3,5\",12,x,\"0,25\"\r\n", i);
        else fprintf(f, "Unit %d,%d,\"%d,5%%\",c\xc3\xb3,-%d.125\r\n", i, i, i % 100, i);
    }
    fclose(f);
    int rc = run_as(NULL, NULL, 0, path);
    unlink(path);
    assert_int_equal(rc, 0);
    assert_int_equal(got.n, 5000);
    assert_int_equal(n_errors, 1);
    assert_string_equal(got.unit[7], "Unit 7");
    assert_value(&got.v[7][TY_LE], FV_OK, 3, 40); /* 7,5% */
    assert_value(&got.v[7][DIEM], FV_OK, -57, 8);
    char expect[200];
    snprintf(expect, sizeof expect, "%s:4324:7: error: unit 'Unit\\x0A4321', fact 'so_sang_kien' (column 2)", path);
    assert_has(expect);
}

static int count_units(void *ud, const char *unit, const fact_value *values)
{
    (void)unit;
    (void)values;
    ++*(int *)ud;
    return 0;
}

static void test_read_file_errors(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    diag_sink *d = diag_sink_new(mem);
    int n = 0;
    facts_opts o = {specs, N_SPECS, count_units, &n, d};
    assert_int_equal(facts_read_file("/nonexistent/x.csv", &o), -1);
    assert_int_equal(facts_read_file("/tmp", &o), -1);
    fflush(mem);
    assert_non_null(strstr(buf, "/nonexistent/x.csv: error: cannot open the file: No such file or directory\n"));
    assert_non_null(strstr(buf, "/tmp: error: cannot read the file: Is a directory\n"));
    assert_int_equal(n, 0);
    diag_sink_free(d);
    fclose(mem);
    free(buf);
}

int main(void)
{
    init_specs();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_percent_forms),
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_vietnamese_booleans),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_date_bounds),
        cmocka_unit_test(test_choices),
        cmocka_unit_test(test_bad_text_in_values),
        cmocka_unit_test(test_batch_three_units),
        cmocka_unit_test(test_batch_missing_and_short_rows),
        cmocka_unit_test(test_bad_value_message),
        cmocka_unit_test(test_unknown_column),
        cmocka_unit_test(test_duplicate_column_and_unit),
        cmocka_unit_test(test_duplicate_unit_in_other_normal_form),
        cmocka_unit_test(test_ragged_row),
        cmocka_unit_test(test_empty_unit_name),
        cmocka_unit_test(test_header_only_and_empty),
        cmocka_unit_test(test_bom_crlf),
        cmocka_unit_test(test_lone_cr),
        cmocka_unit_test(test_quoted_comma_and_newline),
        cmocka_unit_test(test_multiline_cell_on_later_line),
        cmocka_unit_test(test_semicolon_file),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_nul_byte),
        cmocka_unit_test(test_not_csv_at_all),
        cmocka_unit_test(test_unterminated_quote),
        cmocka_unit_test(test_stop),
        cmocka_unit_test(test_sheet_with_unit_row),
        cmocka_unit_test(test_sheet_named_after_file),
        cmocka_unit_test(test_sheet_unit_row_first),
        cmocka_unit_test(test_sheet_problems),
        cmocka_unit_test(test_sheet_split_decimal),
        cmocka_unit_test(test_first_row_not_utf8),
        cmocka_unit_test(test_sheet_header_only),
        cmocka_unit_test(test_large_file_streams),
        cmocka_unit_test(test_read_file_errors),
        cmocka_unit_test(test_fast_value_forms),
        cmocka_unit_test(test_values_do_not_leak_between_rows),
        cmocka_unit_test(test_value_cache_many_spellings),
        cmocka_unit_test(test_line_ends_mixed),
        cmocka_unit_test(test_rows_across_chunk_ends),
        cmocka_unit_test(test_duplicates_among_many_units),
        cmocka_unit_test(test_duplicates_from_a_pipe),
        cmocka_unit_test(test_wide_and_long_rows),
        cmocka_unit_test(test_wide_sheet_rows_and_padded_headers),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    free(out_buf);
    return rc;
}
