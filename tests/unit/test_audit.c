/* chiso audit: a small rule set and a small published table where every finding kind happens once
 * (the same data as tests/golden/audit.test), then the finer points one at a time: the three ways
 * a rounding difference is recognised, rounding scopes, ranks with ties, bonus ranges, a parent
 * the table lacks, not-applicable nodes, a clean table, and the writers.
 *
 * Expected values, worked out by hand from the tables below (2 decimals unless said):
 *   Phòng Nội vụ:  1 = 2.5 but 1.1 + 1.2 = 1 + 1 = 2                       -> sum +0.5
 *   Phòng Tư pháp: 1.1 = 1.5 > max 1                                         -> above-max +0.5
 *   Phòng Y tế:    1.2 = -0.5                                                -> negative
 *                  2.1 empty                                                 -> empty (counts 0 in 2)
 *                  2.2 = 0.38, 2.2.1 + 2.2.2 = 0.125 + 0.25 = 0.375 -> 0.38 -> rounding +0.005
 *   row 2.2.2 "hồ sơ  đúng hạn" = row 2.2.1 "Hồ sơ đúng hạn" (ASCII case, spaces) -> duplicate-title
 *   row 3 max 4, rule set 3                                                  -> max +1
 *   3.1 not in the table                                                     -> missing-code
 *   2.4 not in the rule set                                                  -> extra-code
 *   total max 10 (= rule set 3 + 4 + 3), rows 1 + 2 + 3 = 3 + 4 + 4 = 11       -> max-sum -1
 *   totals published 8.5, 8, 1.88 -> ranks 1, 2, 3; from the leaves: Nội vụ 2 + 3.5 + 2.5 = 8,
 *   Tư pháp 2.5 + 3.5 + 2 = 8, Y tế 0.5 + 0.375 + 1 = 1.875 -> ranks 1, 1, 3  -> rank Tư pháp 2 -> 1
 *   Everything else adds up: 2 = 3.5 (Nội vụ, Tư pháp: 2 + 1.5), 0.38 (Y tế: 0 + 0.38); totals
 *   2.5 + 3.5 + 2.5 = 8.5, 2.5 + 3.5 + 2 = 8, 0.5 + 0.38 + 1 = 1.88; 3.1 missing, so 3 is not
 *   recomputed. */
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "audit.h"
#include "load.h"
#include "table.h"

static const char RULES[] =
    "ruleset \"Kiểm tra bảng điểm thẩm định\" {\n"
    "  year 2024\n"
    "  round 2\n"
    "}\n"
    "area 1 \"Chỉ đạo, điều hành\" max 3 {\n"
    "  criterion 1.1 \"Kế hoạch CCHC\" max 1 { score given }\n"
    "  criterion 1.2 \"Báo cáo CCHC\" max 2 { score given }\n"
    "}\n"
    "area 2 \"Thủ tục hành chính\" max 4 {\n"
    "  criterion 2.1 \"Công khai TTHC\" max 2 { score given }\n"
    "  criterion 2.2 \"Giải quyết hồ sơ\" max 2 {\n"
    "    criterion 2.2.1 \"Hồ sơ đúng hạn\" max 1 { score given }\n"
    "    criterion 2.2.2 \"Hồ sơ trực tuyến\" max 1 { score given }\n"
    "  }\n"
    "}\n"
    "area 3 \"Tổ chức bộ máy\" max 3 {\n"
    "  criterion 3.1 \"Sắp xếp tổ chức\" max 3 { score given }\n" /* line 17 */
    "}\n";

/* 2.2.2's title is written decomposed (u + U+0301) and with two spaces: the same title after NFC,
 * ASCII case folding and whitespace collapsing. */
static const char TABLE[] =
    "code,title,max,Phòng Nội vụ,Phòng Tư pháp,Phòng Y tế\n"
    "1,\"Chỉ đạo, điều hành\",3,2.5,2.5,0.5\n"
    "1.1,Kế hoạch CCHC,1,1,1.5,1\n"
    "1.2,Báo cáo CCHC,2,1,1,-0.5\n"
    "2,Thủ tục hành chính,4,3.5,3.5,0.38\n"
    "2.1,Công khai TTHC,2,2,2,\n"
    "2.2,Giải quyết hồ sơ,2,1.5,1.5,0.38\n"
    "2.2.1,Hồ sơ đúng hạn,1,1,1,0.125\n"
    "2.2.2,hồ sơ  đu\xcc\x81ng hạn,1,0.5,0.5,0.25\n"
    "2.4,Điểm thưởng,,0,0,0\n"
    "3,Tổ chức bộ máy,4,2.5,2,1\n"
    ",Tổng cộng,10,8.5,8,1.88\n";

typedef struct {
    diag_sink *d;
    ruleset *rs;
    pub_table *t;
    audit_result *r;
} fixture;

static void run_audit(fixture *f, const char *rules, const char *table)
{
    memset(f, 0, sizeof *f);
    f->d = diag_sink_new(stderr);
    assert_non_null(f->d);
    f->rs = load_rules_buffer("r.chiso", rules, strlen(rules), f->d);
    assert_non_null(f->rs);
    f->t = table_read_buffer("t.csv", table, strlen(table), f->d);
    assert_non_null(f->t);
    assert_int_equal(diag_errors(f->d), 0);
    f->r = audit_run(f->rs, f->t);
    assert_non_null(f->r);
}

static void done(fixture *f)
{
    audit_free(f->r);
    table_free(f->t);
    ruleset_free(f->rs);
    diag_sink_free(f->d);
}

typedef struct {
    const char *kind, *code, *unit, *published, *recomputed, *difference, *message;
} want;

static void expect_dec(bool has, dec_t v, const char *want_text)
{
    if (!want_text) {
        assert_false(has);
        return;
    }
    assert_true(has);
    char num[DEC_FMT_MAX];
    dec_format(v, -1, num, sizeof num);
    assert_string_equal(num, want_text);
}

static void expect_findings(const audit_result *r, const want *w, int n)
{
    for (int i = 0; i < r->n && i < n; i++) {
        const audit_finding *f = &r->items[i];
        assert_string_equal(audit_kind_name(f->kind), w[i].kind);
        assert_string_equal(f->code, w[i].code);
        if (w[i].unit) {
            assert_non_null(f->unit);
            assert_string_equal(f->unit, w[i].unit);
            assert_true(f->unit_index >= 0);
        } else {
            assert_null(f->unit);
            assert_int_equal(f->unit_index, -1);
        }
        expect_dec(f->has_published, f->published, w[i].published);
        expect_dec(f->has_recomputed, f->recomputed, w[i].recomputed);
        expect_dec(f->has_published && f->has_recomputed, f->difference, w[i].difference);
        assert_string_equal(f->message, w[i].message);
    }
    assert_int_equal(r->n, n);
}

static const want ALL_KINDS[] = {
    {"sum", "1", "Phòng Nội vụ", "2.5", "2", "0.5", "not the sum of its 2 children"},
    {"above-max", "1.1", "Phòng Tư pháp", "1.5", "1", "0.5", "above its maximum"},
    {"negative", "1.2", "Phòng Y tế", "-0.5", "0", "-0.5", "below 0"},
    {"empty", "2.1", "Phòng Y tế", NULL, NULL, NULL, "no value"},
    {"rounding", "2.2", "Phòng Y tế", "0.38", "0.375", "0.005",
     "the sum of its 2 children rounded to 2 decimals"},
    {"duplicate-title", "2.2.2", NULL, NULL, NULL, NULL, "same title as 2.2.1 (line 8)"},
    {"max", "3", NULL, "4", "3", "1", "the table's maximum is not the rule set's"},
    {"missing-code", "3.1", NULL, NULL, NULL, NULL, "not in the table (r.chiso:17)"},
    {"extra-code", "2.4", NULL, NULL, NULL, NULL, "not in the rule set: Điểm thưởng"},
    {"max-sum", "TOTAL", NULL, "10", "11", "-1",
     "the table's total maximum is not the sum of its 3 top-level rows' maxima"},
    {"rank", "TOTAL", "Phòng Tư pháp", "2", "1", "1",
     "rank 2 by the published total 8, 1 by the total recomputed from the leaves 8"},
};

static void test_every_kind_once(void **state)
{
    (void)state;
    fixture f;
    run_audit(&f, RULES, TABLE);
    expect_findings(f.r, ALL_KINDS, (int)(sizeof ALL_KINDS / sizeof *ALL_KINDS));
    for (int k = 0; k < AUDIT_N_KINDS; k++) assert_int_equal(f.r->counts[k], 1);
    /* where each came from */
    assert_int_equal(f.r->items[0].line, 2);
    assert_int_equal(f.r->items[0].unit_index, 0);
    assert_int_equal(f.r->items[0].node, 0);
    assert_int_equal(f.r->items[7].line, 0);  /* missing code: no row */
    assert_int_equal(f.r->items[7].node, 9);  /* 3.1 */
    assert_int_equal(f.r->items[8].node, -1); /* extra code */
    assert_int_equal(f.r->items[8].line, 10);
    assert_int_equal(f.r->items[9].line, 12); /* the total row */
    char line[512];
    audit_summary(f.r, line, sizeof line);
    assert_string_equal(line, "11 findings: 1 sum, 1 rounding, 1 max, 1 max-sum, 1 above-max, 1 negative, "
                              "1 extra-code, 1 missing-code, 1 duplicate-title, 1 empty, 1 rank");
    done(&f);
}

/* The findings own their strings: the rule set and the table may go first. */
static void test_findings_outlive_inputs(void **state)
{
    (void)state;
    fixture f;
    run_audit(&f, RULES, TABLE);
    table_free(f.t);
    ruleset_free(f.rs);
    f.t = NULL;
    f.rs = NULL;
    expect_findings(f.r, ALL_KINDS, (int)(sizeof ALL_KINDS / sizeof *ALL_KINDS));
    done(&f);
}

/* ---- rounding ---- */

#define ROUND_BODY                                                                                 \
    "area 1 \"A\" max 3 {\n"                                                                       \
    "  criterion 1.1 \"a\" max 1 { score given }\n"                                                \
    "  criterion 1.2 \"b\" max 1 { score given }\n"                                                \
    "  criterion 1.3 \"c\" max 1 { score given }\n"                                                \
    "}\n"

/* U1: 0.33 * 3 = 0.99, published 1: each of the 3 children and the row itself rounded to 2
 *     decimals can move the sum by 0.005, so up to 0.02 -> rounding (+0.01).
 * U2: 1 + 1 + 0.35 = 2.35, published 2.346 (3 decimals): rounded to 2, both are 2.35 -> rounding.
 * U3: 1 + 1 + 1 = 3, published 2.5 -> sum (-0.5).
 * U4: 0.125 + 0.25 + 0 = 0.375 = published -> nothing. */
static const char ROUND_TABLE[] =
    "code,title,max,U1,U2,U3,U4\n"
    "1,Nhóm,3,1,2.346,2.5,0.375\n"
    "1.1,a,1,0.33,1,1,0.125\n"
    "1.2,b,1,0.33,1,1,0.25\n"
    "1.3,c,1,0.33,0.35,1,0\n";

static void test_rounding_forms(void **state)
{
    (void)state;
    fixture f;
    run_audit(&f, "ruleset \"R\" { round 2 }\n" ROUND_BODY, ROUND_TABLE);
    const want w[] = {
        {"rounding", "1", "U1", "1", "0.99", "0.01",
         "not the sum of its 3 children, within what rounding 4 values to 2 decimals explains (±0.02)"},
        {"rounding", "1", "U2", "2.346", "2.35", "-0.004",
         "rounded to 2 decimals, equals the sum of its 3 children rounded alike (2.35)"},
        {"sum", "1", "U3", "2.5", "3", "-0.5", "not the sum of its 3 children"},
    };
    expect_findings(f.r, w, 3);
    done(&f);
}

/* Without `round`, every difference is a real one. */
static void test_no_rounding_declared(void **state)
{
    (void)state;
    fixture f;
    run_audit(&f, "ruleset \"R\" { year 2024 }\n" ROUND_BODY, ROUND_TABLE);
    const want w[] = {
        {"sum", "1", "U1", "1", "0.99", "0.01", "not the sum of its 3 children"},
        {"sum", "1", "U2", "2.346", "2.35", "-0.004", "not the sum of its 3 children"},
        {"sum", "1", "U3", "2.5", "3", "-0.5", "not the sum of its 3 children"},
    };
    expect_findings(f.r, w, 3);
    done(&f);
}

/* `round 2 total` rounds only the total: a subtotal must be the exact sum. */
static void test_rounding_scope_total(void **state)
{
    (void)state;
    fixture f;
    run_audit(&f, "ruleset \"R\" { round 2 total }\n" ROUND_BODY, ROUND_TABLE);
    assert_int_equal(f.r->n, 3);
    assert_int_equal(f.r->counts[AUDIT_SUM], 3);
    done(&f);
}

/* With `round 2 leaves`, the children are rounded but not the subtotal: U1's 0.01 is within the
 * 3 children's 0.015; U2's subtotal is not rounded, so only its children could explain 0.004, and
 * they are 1, 1, 0.35 (3 x 0.005 = 0.015) -> rounding too. */
static void test_rounding_scope_leaves(void **state)
{
    (void)state;
    fixture f;
    run_audit(&f, "ruleset \"R\" { round 2 leaves }\n" ROUND_BODY, ROUND_TABLE);
    const want w[] = {
        {"rounding", "1", "U1", "1", "0.99", "0.01",
         "not the sum of its 3 children, within what rounding 3 values to 2 decimals explains (±0.015)"},
        {"rounding", "1", "U2", "2.346", "2.35", "-0.004",
         "not the sum of its 3 children, within what rounding 3 values to 2 decimals explains (±0.015)"},
        {"sum", "1", "U3", "2.5", "3", "-0.5", "not the sum of its 3 children"},
    };
    expect_findings(f.r, w, 3);
    done(&f);
}

/* ---- ranks ---- */

static const char RANK_RULES[] =
    "ruleset \"Xếp hạng\" { year 2024 }\n"
    "area 1 \"A\" max 10 {\n"
    "  criterion 1.1 \"a\" max 5 { score given }\n"
    "  criterion 1.2 \"b\" max 5 { score given }\n"
    "}\n"
    "area 2 \"B\" max 10 { score given }\n";

/* Published totals 9, 8, 8, 7: ranks 1, 2, 2, 4. R's area 1 says 4 but its criteria add up to
 * 2 + 3 = 5, so from the leaves R has 9: ranks P 1, Q 3, R 1, S 4. */
static void test_rank_ties(void **state)
{
    (void)state;
    fixture f;
    run_audit(&f, RANK_RULES,
              "code,title,max,P,Q,R,S\n"
              "1,Nhóm A,10,5,4,4,3\n"
              "1.1,a,5,2,2,2,2\n"
              "1.2,b,5,3,2,3,1\n"
              "2,Nhóm B,10,4,4,4,4\n"
              ",Tổng,20,9,8,8,7\n");
    const want w[] = {
        {"sum", "1", "R", "4", "5", "-1", "not the sum of its 2 children"},
        {"rank", "TOTAL", "Q", "2", "3", "-1", "rank 2 by the published total 8, 3 by the total recomputed from the leaves 8"},
        {"rank", "TOTAL", "R", "2", "1", "1", "rank 2 by the published total 8, 1 by the total recomputed from the leaves 9"},
    };
    expect_findings(f.r, w, 3);
    done(&f);
}

/* No total row: no total checks and no ranking, even when the leaves would reorder the units. */
static void test_no_total_row(void **state)
{
    (void)state;
    fixture f;
    run_audit(&f, RANK_RULES,
              "code,title,max,P,Q\n"
              "1,Nhóm A,10,5,4\n"
              "1.1,a,5,2,2\n"
              "1.2,b,5,3,5\n"
              "2,Nhóm B,10,4,4\n");
    const want w[] = {{"sum", "1", "Q", "4", "7", "-3", "not the sum of its 2 children"}};
    expect_findings(f.r, w, 1);
    done(&f);
}

/* ---- bonus, a parent the table lacks, not applicable ---- */

static const char BONUS_RULES[] =
    "ruleset \"Thưởng\" { year 2024 }\n"
    "fact co_tthc: bool \"Có TTHC\"\n"
    "area 1 \"A\" max 2 {\n"
    "  criterion 1.1 \"a\" max 2 {\n" /* line 4 */
    "    criterion 1.1.1 \"x\" max 1 { score given }\n"
    "    criterion 1.1.2 \"y\" max 1 { score given }\n"
    "  }\n"
    "}\n"
    "area 2 \"B\" max 1 {\n"
    "  not applicable unless co_tthc\n"
    "  criterion 2.1 \"z\" max 1 { score given }\n"
    "}\n"
    "bonus 3 \"Thưởng, phạt\" range -1..1 { score given }\n";

/* 1.1 has no row: 1 is compared with 1.1.1 + 1.1.2 (U1 1 + 0.5 = 1.5 = published; U2 1.5 but
 * published 2). Area 2 does not apply to U1 (empty cells, counted 0). The bonus row has no
 * maximum and is left out of the total's maximum (2 + 1 = 3); its values must stay in -1..1.
 * Totals: U1 1.5 + 0 + 1.5 = 3, U2 2 + 1 - 2 = 1, both as published; from the leaves U1 3, U2 0.5:
 * the same ranks. */
static void test_bonus_missing_parent_not_applicable(void **state)
{
    (void)state;
    fixture f;
    run_audit(&f, BONUS_RULES,
              "code,title,max,U1,U2\n"
              "1,A,2,1.5,2\n"
              "1.1.1,x,1,1,1\n"
              "1.1.2,y,1,0.5,0.5\n"
              "2,B,1,,1\n"
              "2.1,z,1,,1\n"
              "3,\"Thưởng, phạt\",,1.5,-2\n"
              ",Tổng,3,3,1\n");
    const want w[] = {
        {"sum", "1", "U2", "2", "1.5", "0.5", "not the sum of its 1 child"},
        {"missing-code", "1.1", NULL, NULL, NULL, NULL, "not in the table (r.chiso:4)"},
        {"empty", "2", "U1", NULL, NULL, NULL, "no value (a not-applicable clause may exclude it)"},
        {"empty", "2.1", "U1", NULL, NULL, NULL, "no value (a not-applicable clause may exclude it)"},
        {"above-max", "3", "U1", "1.5", "1", "0.5", "above its range -1..1"},
        {"negative", "3", "U2", "-2", "-1", "-1", "below its range -1..1"},
    };
    expect_findings(f.r, w, 6);
    done(&f);
}

/* An empty subtotal is recomputed from its children for its parent's sum; the total row empty
 * for a unit is reported and that unit is not ranked. */
static void test_empty_subtotal_and_total(void **state)
{
    (void)state;
    fixture f;
    run_audit(&f, RANK_RULES,
              "code,title,max,P,Q\n"
              "1,Nhóm A,10,,4\n"
              "1.1,a,5,2,2\n"
              "1.2,b,5,3,2\n"
              "2,Nhóm B,10,4,4\n"
              ",Tổng,20,9,\n");
    const want w[] = {
        {"empty", "1", "P", NULL, NULL, NULL, "no value"},
        {"empty", "TOTAL", "Q", NULL, NULL, NULL, "no value"},
    };
    expect_findings(f.r, w, 2);
    done(&f);
}

/* ---- a clean table and the writers ---- */

static char *write_to_string(const audit_result *r, const ruleset *rs, const pub_table *t, report_format fmt)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    assert_non_null(m);
    assert_int_equal(audit_write(m, r, rs, t, fmt), 0);
    fclose(m);
    return buf;
}

static void test_clean_table(void **state)
{
    (void)state;
    fixture f;
    run_audit(&f, RANK_RULES,
              "code,title,max,P,Q\n"
              "1,Nhóm A,10,5,4\n"
              "1.1,a,5,2,2\n"
              "1.2,b,5,3,2\n"
              "2,Nhóm B,10,4,4\n"
              ",Tổng,20,9,8\n");
    assert_int_equal(f.r->n, 0);
    char line[64];
    assert_int_equal(audit_summary(f.r, line, sizeof line), strlen("no disagreement"));
    assert_string_equal(line, "no disagreement");
    char *s = write_to_string(f.r, f.rs, f.t, REPORT_TEXT);
    assert_string_equal(s, "no disagreement\n");
    free(s);
    s = write_to_string(f.r, f.rs, f.t, REPORT_CSV);
    assert_string_equal(s, "kind,code,unit,published,recomputed,difference,message\n");
    free(s);
    done(&f);
}

static void test_write_csv(void **state)
{
    (void)state;
    fixture f;
    run_audit(&f, RULES, TABLE);
    char *s = write_to_string(f.r, f.rs, f.t, REPORT_CSV);
    assert_string_equal(
        s,
        "kind,code,unit,published,recomputed,difference,message\n"
        "sum,1,Phòng Nội vụ,2.5,2,0.5,not the sum of its 2 children\n"
        "above-max,1.1,Phòng Tư pháp,1.5,1,0.5,above its maximum\n"
        "negative,1.2,Phòng Y tế,-0.5,0,-0.5,below 0\n"
        "empty,2.1,Phòng Y tế,,,,no value\n"
        "rounding,2.2,Phòng Y tế,0.38,0.375,0.005,the sum of its 2 children rounded to 2 decimals\n"
        "duplicate-title,2.2.2,,,,,same title as 2.2.1 (line 8)\n"
        "max,3,,4,3,1,the table's maximum is not the rule set's\n"
        "missing-code,3.1,,,,,not in the table (r.chiso:17)\n"
        "extra-code,2.4,,,,,not in the rule set: Điểm thưởng\n"
        "max-sum,TOTAL,,10,11,-1,the table's total maximum is not the sum of its 3 top-level rows' maxima\n"
        "rank,TOTAL,Phòng Tư pháp,2,1,1,\"rank 2 by the published total 8, 1 by the total recomputed from "
        "the leaves 8\"\n");
    free(s);
    done(&f);
}

/* Text: numbers padded to the most decimals shown (0.375: 3), ranks whole; columns two spaces
 * apart, the unit column as wide as "Phòng Tư pháp" (13 characters, more bytes). */
static void test_write_text(void **state)
{
    (void)state;
    fixture f;
    run_audit(&f, RULES, TABLE);
    char *s = write_to_string(f.r, f.rs, f.t, REPORT_TEXT);
    assert_string_equal(
        s,
        "kind             code   unit           published  recomputed  difference  message\n"
        "sum              1      Phòng Nội vụ       2.500       2.000       0.500  not the sum of its 2 children\n"
        "above-max        1.1    Phòng Tư pháp      1.500       1.000       0.500  above its maximum\n"
        "negative         1.2    Phòng Y tế        -0.500       0.000      -0.500  below 0\n"
        "empty            2.1    Phòng Y tế                                        no value\n"
        "rounding         2.2    Phòng Y tế         0.380       0.375       0.005  the sum of its 2 children "
        "rounded to 2 decimals\n"
        "duplicate-title  2.2.2                                                    same title as 2.2.1 (line 8)\n"
        "max              3                         4.000       3.000       1.000  the table's maximum is not the "
        "rule set's\n"
        "missing-code     3.1                                                      not in the table (r.chiso:17)\n"
        "extra-code       2.4                                                      not in the rule set: Điểm thưởng\n"
        "max-sum          TOTAL                    10.000      11.000      -1.000  the table's total maximum is not "
        "the sum of its 3 top-level rows' maxima\n"
        "rank             TOTAL  Phòng Tư pháp          2           1           1  rank 2 by the published total 8, "
        "1 by the total recomputed from the leaves 8\n"
        "\n"
        "11 findings: 1 sum, 1 rounding, 1 max, 1 max-sum, 1 above-max, 1 negative, 1 extra-code, "
        "1 missing-code, 1 duplicate-title, 1 empty, 1 rank\n");
    free(s);
    done(&f);
}

static void test_write_json(void **state)
{
    (void)state;
    fixture f;
    run_audit(&f, RULES, TABLE);
    char *s = write_to_string(f.r, f.rs, f.t, REPORT_JSON);
    json_error_t err;
    json_t *j = json_loads(s, 0, &err);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "rules")), "r.chiso");
    assert_string_equal(json_string_value(json_object_get(j, "table")), "t.csv");
    assert_int_equal(json_array_size(json_object_get(j, "units")), 3);
    json_t *fs = json_object_get(j, "findings");
    assert_int_equal(json_array_size(fs), 11);
    json_t *r4 = json_array_get(fs, 4); /* the rounding: exact strings, never doubles */
    assert_string_equal(json_string_value(json_object_get(r4, "kind")), "rounding");
    assert_string_equal(json_string_value(json_object_get(r4, "unit")), "Phòng Y tế");
    assert_string_equal(json_string_value(json_object_get(r4, "published")), "0.38");
    assert_string_equal(json_string_value(json_object_get(r4, "recomputed")), "0.375");
    assert_string_equal(json_string_value(json_object_get(r4, "difference")), "0.005");
    assert_int_equal(json_integer_value(json_object_get(r4, "line")), 7);
    json_t *r5 = json_array_get(fs, 5);
    assert_true(json_is_null(json_object_get(r5, "unit")));
    assert_true(json_is_null(json_object_get(r5, "published")));
    json_t *sum = json_object_get(j, "summary");
    assert_int_equal(json_integer_value(json_object_get(sum, "findings")), 11);
    assert_int_equal(json_integer_value(json_object_get(sum, "duplicate-title")), 1);
    json_decref(j);
    free(s);
    done(&f);
}

static void test_write_error(void **state)
{
    (void)state;
    fixture f;
    run_audit(&f, RULES, TABLE);
    FILE *out = fopen("/dev/full", "w");
    if (out) {
        setvbuf(out, NULL, _IONBF, 0);
        assert_int_equal(audit_write(out, f.r, f.rs, f.t, REPORT_TEXT), -1);
        fclose(out);
    }
    done(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_kind_once),
        cmocka_unit_test(test_findings_outlive_inputs),
        cmocka_unit_test(test_rounding_forms),
        cmocka_unit_test(test_no_rounding_declared),
        cmocka_unit_test(test_rounding_scope_total),
        cmocka_unit_test(test_rounding_scope_leaves),
        cmocka_unit_test(test_rank_ties),
        cmocka_unit_test(test_no_total_row),
        cmocka_unit_test(test_bonus_missing_parent_not_applicable),
        cmocka_unit_test(test_empty_subtotal_and_total),
        cmocka_unit_test(test_clean_table),
        cmocka_unit_test(test_write_csv),
        cmocka_unit_test(test_write_text),
        cmocka_unit_test(test_write_json),
        cmocka_unit_test(test_write_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
