/* Report writers against a ruleset built by hand: every format's exact output, so that a change
 * of layout is a deliberate edit here. */
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_helpers.h"

#include "arena.h"
#include "ast.h"
#include "eval.h"
#include "report.h"

#define AREA_TITLE                                                                                 \
    "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CẢI CÁCH HÀNH CHÍNH VÀ TUYÊN TRUYỀN CẢI CÁCH HÀNH CHÍNH CỦA "   \
    "CƠ QUAN"

typedef struct {
    arena *a;
    ruleset rs;
    node_result res[2][4];
    unit_total tot[2];
    expr err_at; /* where a division by zero happened */
} fixture;

static node *mk_node(fixture *f, node_kind kind, const char *code, const char *title, int64_t max,
                     node *parent)
{
    return test_node(f->a, &f->rs, kind, code, title, max, parent);
}

static arm *mk_arms(fixture *f, const char *const *texts, int n)
{
    arm *arms = arena_alloc(f->a, (size_t)n * sizeof *arms);
    assert_non_null(arms);
    for (int i = 0; i < n; i++) arms[i].text = texts[i];
    return arms;
}

/* Area 1 (1.1 banded, 1.2 excluded by a not-applicable clause) and bonus 2; unit A is complete,
 * unit B lacks a fact and has a clamped bonus. */
static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->a = arena_new();
    ruleset *rs = &f->rs;
    rs->arena = f->a;
    rs->file = "rules.chiso";
    rs->title = "Bộ chỉ số CCHC phòng chuyên môn";
    rs->year = 2024;
    rs->source = "Kế hoạch 12/KH-UBND, Phụ lục 02";
    rs->present = true;

    static const char *const fact_names[] = {"ty_le", "co_tthc", "dung_han", "dat_yeu_cau"};
    rs->n_facts = 4;
    rs->facts = arena_alloc(f->a, 4 * sizeof *rs->facts);
    for (int i = 0; i < 4; i++) rs->facts[i].name = fact_names[i];

    rs->nodes = arena_alloc(f->a, 4 * sizeof *rs->nodes);
    node *area = mk_node(f, NODE_AREA, "1", AREA_TITLE, 3, NULL);
    node *c11 = mk_node(f, NODE_CRITERION, "1.1", "Ban hành kế hoạch cải cách hành chính năm", 1,
                        area);
    node *c12 = mk_node(f, NODE_CRITERION, "1.2", "Tuyên truyền cải cách hành chính", 2, area);
    node *bonus = mk_node(f, NODE_BONUS, "2", "Điểm thưởng / điểm trừ", 0, NULL);
    area->last_desc = c12->id;
    area->n_children = 2;
    area->children = arena_alloc(f->a, 2 * sizeof *area->children);
    area->children[0] = c11;
    area->children[1] = c12;
    rs->n_top = 2;
    rs->top = arena_alloc(f->a, 2 * sizeof *rs->top);
    rs->top[0] = area;
    rs->top[1] = bonus;

    static const char *const bands[] = {"100% => max", "85%..<100% => 0.5", "<85% => 0"};
    c11->rule.kind = RULE_BANDS;
    c11->rule.arms = mk_arms(f, bands, 3);
    c11->rule.n_arms = 3;

    static const char *const parts[] = {"dung_han => 1", "dat_yeu_cau => 1"};
    c12->rule.kind = RULE_SUM;
    c12->rule.arms = mk_arms(f, parts, 2);
    c12->rule.n_arms = 2;
    c12->na = arena_alloc(f->a, sizeof *c12->na);
    c12->n_na = 1;
    c12->na[0].kind = NA_EXCLUDED;
    c12->na[0].unless = true;
    c12->na[0].text = "not applicable unless co_tthc";

    bonus->range_lo = dec_from_int(-3);
    bonus->range_hi = dec_from_int(3);
    bonus->rule.kind = RULE_EXPR;
    bonus->rule.text = "so_nv_dam_bao - so_nv_khong_dam_bao";

    f->err_at.kind = EX_DIV;
    f->err_at.loc = (src_loc){"rules.chiso", 12, 5, 1, 0};

    /* Unit A: 1.1 in the 85%..<100% band, 1.2 excluded, bonus +0.25. */
    node_result *a = f->res[0];
    a[0] = (node_result){.score = D(1, 2), .max = D(1, 1), .raw = D(1, 2), .status = ST_SCORED,
                         .by = BY_CHILDREN, .fact = -1};
    a[1] = (node_result){.score = D(1, 2), .max = D(1, 1), .raw = D(1, 2), .status = ST_SCORED,
                         .by = BY_ARM, .which = 1, .fact = -1};
    a[2] = (node_result){.max = D(0, 1), .status = ST_EXCLUDED, .by = BY_NA, .which = 0,
                         .fact = -1};
    a[3] = (node_result){.score = D(1, 4), .max = D(0, 1), .raw = D(1, 4), .status = ST_SCORED,
                         .by = BY_RULE, .fact = -1};
    f->tot[0] = (unit_total){.score = D(3, 4), .max = D(1, 1), .index = D(75, 1),
                             .status = ST_SCORED, .bad_node = -1, .index_ok = true};

    /* Unit B: ty_le missing, 1.2 scored by its second part, bonus 5 clamped to 3. */
    node_result *b = f->res[1];
    b[0] = (node_result){.max = D(3, 1), .status = ST_MISSING, .by = BY_CHILDREN, .fact = 0};
    b[1] = (node_result){.max = D(1, 1), .status = ST_MISSING, .by = BY_RULE, .fact = 0};
    b[2] = (node_result){.score = D(1, 1), .max = D(2, 1), .raw = D(1, 1), .status = ST_SCORED,
                         .by = BY_PARTS, .which = 2, .fact = -1};
    b[3] = (node_result){.score = D(3, 1), .max = D(0, 1), .raw = D(5, 1), .status = ST_CLAMPED,
                         .by = BY_RULE, .fact = -1};
    f->tot[1] = (unit_total){.score = D(3, 1), .max = D(0, 1), .status = ST_MISSING,
                             .bad_node = 1, .index_ok = false};
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    arena_free(f->a);
    free(f);
    return 0;
}

static const char *const UNITS[2] = {"Phòng Nội vụ", "Phòng Tài nguyên và Môi trường"};

/* Runs a whole report over the fixture's two units; returns the malloc'd output. */
static char *run(fixture *f, report_format fmt, report_detail detail, bool rank, int width)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    report_opts o = {fmt, detail, rank, width};
    report *r = report_new(out, &f->rs, &o);
    assert_non_null(r);
    for (int u = 0; u < 2; u++) assert_int_equal(report_unit(r, UNITS[u], f->res[u], &f->tot[u]), 0);
    assert_int_equal(report_finish(r), 0);
    report_free(r);
    fclose(out);
    return buf;
}

static void expect(char *got, const char *want)
{
    if (strcmp(got, want) != 0) fprintf(stderr, "---- got ----\n%s---- want ----\n%s----\n", got, want);
    assert_string_equal(got, want);
    free(got);
}

static void test_text_nodes(void **state)
{
    expect(run(*state, REPORT_TEXT, DETAIL_NODES, true, 0),
           "Phòng Nội vụ\n"
           "1      CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CẢI CÁCH HÀNH C…   0.50  1.00  scored    sum\n"
           "  1.1  Ban hành kế hoạch cải cách hành chính năm      0.50  1.00  scored    85%..<100% => 0.5\n"
           "  1.2  Tuyên truyền cải cách hành chính                  —  0.00  excluded  not applicable unless co_tthc\n"
           "2      Điểm thưởng / điểm trừ                         0.25  0.00  scored    so_nv_dam_bao - so_nv_khong_dam_bao\n"
           "Total  0.75 / 1  index 75.00%\n"
           "\n"
           "Phòng Tài nguyên và Môi trường\n"
           "1      CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CẢI CÁCH HÀNH C…      ?  3.00  missing   missing: ty_le\n"
           "  1.1  Ban hành kế hoạch cải cách hành chính năm         ?  1.00  missing   missing: ty_le\n"
           "  1.2  Tuyên truyền cải cách hành chính               1.00  2.00  scored    dat_yeu_cau => 1\n"
           "2      Điểm thưởng / điểm trừ                         3.00  0.00  clamped   so_nv_dam_bao - so_nv_khong_dam_bao (clamped from 5)\n"
           "Total  incomplete: node 1.1 missing fact 'ty_le'\n"
           "\n"
           "Ranking\n"
           "1  Phòng Nội vụ  75.00%  0.75 / 1\n");
}

static void test_text_narrow(void **state)
{
    /* 60 columns: titles shrink to the 8-column minimum, cut by display width. */
    char *got = run(*state, REPORT_TEXT, DETAIL_NODES, false, 60);
    const char *line = strstr(got, "  1.1  ");
    assert_non_null(line);
    assert_memory_equal(line, "  1.1  Ban hàn…  ", strlen("  1.1  Ban hàn…  "));
    free(got);
}

static void test_text_total(void **state)
{
    expect(run(*state, REPORT_TEXT, DETAIL_TOTAL, true, 0),
           "Phòng Nội vụ                                 0.75     1.00    75.00%  scored\n"
           "Phòng Tài nguyên và Môi trường                  ?     0.00         —  missing   node 1.1 "
           "missing fact 'ty_le'\n"
           "\n"
           "Ranking\n"
           "1  Phòng Nội vụ  75.00%  0.75 / 1\n");
}

static void test_csv_nodes(void **state)
{
    expect(run(*state, REPORT_CSV, DETAIL_NODES, true, 0),
           "unit,code,title,score,max,status,decided_by\n"
           "Phòng Nội vụ,1,\"" AREA_TITLE "\",0.5,1,scored,sum\n"
           "Phòng Nội vụ,1.1,Ban hành kế hoạch cải cách hành chính năm,0.5,1,scored,85%..<100% => 0.5\n"
           "Phòng Nội vụ,1.2,Tuyên truyền cải cách hành chính,,0,excluded,not applicable unless co_tthc\n"
           "Phòng Nội vụ,2,Điểm thưởng / điểm trừ,0.25,0,scored,so_nv_dam_bao - so_nv_khong_dam_bao\n"
           "Phòng Nội vụ,TOTAL,,0.75,1,scored,\n"
           "Phòng Nội vụ,INDEX,,75,100,scored,\n"
           "Phòng Nội vụ,INDEX 1,\"" AREA_TITLE "\",50,100,scored,\n"
           "Phòng Tài nguyên và Môi trường,1,\"" AREA_TITLE "\",,3,missing,missing: ty_le\n"
           "Phòng Tài nguyên và Môi trường,1.1,Ban hành kế hoạch cải cách hành chính năm,,1,missing,missing: ty_le\n"
           "Phòng Tài nguyên và Môi trường,1.2,Tuyên truyền cải cách hành chính,1,2,scored,dat_yeu_cau => 1\n"
           "Phòng Tài nguyên và Môi trường,2,Điểm thưởng / điểm trừ,3,0,clamped,so_nv_dam_bao - so_nv_khong_dam_bao (clamped from 5)\n"
           "Phòng Tài nguyên và Môi trường,TOTAL,,,0,missing,node 1.1 missing fact 'ty_le'\n"
           "Phòng Tài nguyên và Môi trường,INDEX,,,100,missing,node 1.1 missing fact 'ty_le'\n"
           "Phòng Tài nguyên và Môi trường,INDEX 1,\"" AREA_TITLE "\",,100,missing,missing: ty_le\n"
           "Phòng Nội vụ,RANK,,1,1,ranked,\n");
}

static void test_csv_total(void **state)
{
    expect(run(*state, REPORT_CSV, DETAIL_TOTAL, false, 0),
           "unit,code,title,score,max,status,decided_by\n"
           "Phòng Nội vụ,TOTAL,,0.75,1,scored,\n"
           "Phòng Nội vụ,INDEX,,75,100,scored,\n"
           "Phòng Nội vụ,INDEX 1,\"" AREA_TITLE "\",50,100,scored,\n"
           "Phòng Tài nguyên và Môi trường,TOTAL,,,0,missing,node 1.1 missing fact 'ty_le'\n"
           "Phòng Tài nguyên và Môi trường,INDEX,,,100,missing,node 1.1 missing fact 'ty_le'\n"
           "Phòng Tài nguyên và Môi trường,INDEX 1,\"" AREA_TITLE "\",,100,missing,missing: ty_le\n");
}

static void test_json_nodes(void **state)
{
    expect(run(*state, REPORT_JSON, DETAIL_NODES, true, 0),
           "{\"ruleset\": {\"title\": \"Bộ chỉ số CCHC phòng chuyên môn\", \"year\": 2024, "
           "\"source\": \"Kế hoạch 12/KH-UBND, Phụ lục 02\"}, \"units\": [\n"
           "{\"unit\": \"Phòng Nội vụ\", \"nodes\": ["
           "{\"code\": \"1\", \"title\": \"" AREA_TITLE "\", \"score\": \"0.5\", \"max\": \"1\", "
           "\"status\": \"scored\", \"decided_by\": \"sum\"}, "
           "{\"code\": \"1.1\", \"title\": \"Ban hành kế hoạch cải cách hành chính năm\", "
           "\"score\": \"0.5\", \"max\": \"1\", \"status\": \"scored\", "
           "\"decided_by\": \"85%..<100% => 0.5\"}, "
           "{\"code\": \"1.2\", \"title\": \"Tuyên truyền cải cách hành chính\", \"score\": null, "
           "\"max\": \"0\", \"status\": \"excluded\", "
           "\"decided_by\": \"not applicable unless co_tthc\"}, "
           "{\"code\": \"2\", \"title\": \"Điểm thưởng / điểm trừ\", \"score\": \"0.25\", "
           "\"max\": \"0\", \"status\": \"scored\", "
           "\"decided_by\": \"so_nv_dam_bao - so_nv_khong_dam_bao\"}], "
           "\"total\": \"0.75\", \"max\": \"1\", \"index\": \"75\", "
           "\"areas\": [{\"code\": \"1\", \"score\": \"0.5\", \"max\": \"1\", \"index\": \"50\", \"status\": \"scored\"}], "
           "\"status\": \"scored\"},\n"
           "{\"unit\": \"Phòng Tài nguyên và Môi trường\", \"nodes\": ["
           "{\"code\": \"1\", \"title\": \"" AREA_TITLE "\", \"score\": null, \"max\": \"3\", "
           "\"status\": \"missing\", \"decided_by\": \"missing: ty_le\", "
           "\"missing_fact\": \"ty_le\"}, "
           "{\"code\": \"1.1\", \"title\": \"Ban hành kế hoạch cải cách hành chính năm\", "
           "\"score\": null, \"max\": \"1\", \"status\": \"missing\", "
           "\"decided_by\": \"missing: ty_le\", \"missing_fact\": \"ty_le\"}, "
           "{\"code\": \"1.2\", \"title\": \"Tuyên truyền cải cách hành chính\", \"score\": \"1\", "
           "\"max\": \"2\", \"status\": \"scored\", \"decided_by\": \"dat_yeu_cau => 1\"}, "
           "{\"code\": \"2\", \"title\": \"Điểm thưởng / điểm trừ\", \"score\": \"3\", "
           "\"max\": \"0\", \"status\": \"clamped\", "
           "\"decided_by\": \"so_nv_dam_bao - so_nv_khong_dam_bao (clamped from 5)\", "
           "\"raw\": \"5\"}], "
           "\"total\": null, \"max\": \"0\", \"index\": null, "
           "\"areas\": [{\"code\": \"1\", \"score\": null, \"max\": \"3\", \"index\": null, \"status\": \"missing\"}], "
           "\"status\": \"missing\", "
           "\"bad_node\": \"1.1\", \"reason\": \"node 1.1 missing fact 'ty_le'\"}\n"
           "], \"ranking\": [\n"
           "{\"rank\": 1, \"unit\": \"Phòng Nội vụ\", \"index\": \"75\", \"total\": \"0.75\"}\n"
           "]}\n");
}

static void test_json_total(void **state)
{
    expect(run(*state, REPORT_JSON, DETAIL_TOTAL, false, 0),
           "{\"ruleset\": {\"title\": \"Bộ chỉ số CCHC phòng chuyên môn\", \"year\": 2024, "
           "\"source\": \"Kế hoạch 12/KH-UBND, Phụ lục 02\"}, \"units\": [\n"
           "{\"unit\": \"Phòng Nội vụ\", \"total\": \"0.75\", \"max\": \"1\", \"index\": \"75\", "
           "\"areas\": [{\"code\": \"1\", \"score\": \"0.5\", \"max\": \"1\", \"index\": \"50\", \"status\": \"scored\"}], "
           "\"status\": \"scored\"},\n"
           "{\"unit\": \"Phòng Tài nguyên và Môi trường\", \"total\": null, \"max\": \"0\", "
           "\"index\": null, "
           "\"areas\": [{\"code\": \"1\", \"score\": null, \"max\": \"3\", \"index\": null, \"status\": \"missing\"}], "
           "\"status\": \"missing\", \"bad_node\": \"1.1\", "
           "\"reason\": \"node 1.1 missing fact 'ty_le'\"}\n"
           "]}\n");
}

/* Five units, indices 90, 80, 80, 200/3 and one incomplete: ranks 1, 2, 2, 4, ties in input
 * order, the incomplete unit left out, a non-terminating index written exactly. */
static void test_ranking_ties(void **state)
{
    fixture *f = *state;
    static const char *const names[] = {"E", "B, \"quoted\"", "C", "D", "A"};
    const dec_t idx[] = {D(200, 3), D(80, 1), D(80, 1), D(90, 1), D(0, 1)};
    for (int fmt = REPORT_TEXT; fmt <= REPORT_JSON; fmt++) {
        char *buf = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&buf, &len);
        report_opts o = {(report_format)fmt, DETAIL_TOTAL, true, 0};
        report *r = report_new(out, &f->rs, &o);
        for (int u = 0; u < 5; u++) {
            unit_total t = {.score = idx[u], .max = D(100, 1), .index = idx[u],
                            .status = u == 4 ? ST_ERROR : ST_SCORED, .bad_node = u == 4 ? 3 : -1,
                            .index_ok = u != 4};
            node_result res[4];
            memcpy(res, f->res[0], sizeof res);
            if (u == 4) {
                res[3] = (node_result){.max = D(0, 1), .status = ST_ERROR, .error = EV_DIVZERO,
                                       .at = &f->err_at, .fact = -1};
            }
            assert_int_equal(report_unit(r, names[u], res, &t), 0);
        }
        assert_int_equal(report_finish(r), 0);
        report_free(r);
        fclose(out);
        const char *tail = fmt == REPORT_TEXT ? strstr(buf, "A  ") : strstr(buf, "\"A\"");
        switch (fmt) {
        case REPORT_TEXT:
            assert_non_null(tail);
            assert_string_equal(tail, "A                                               ?   100.00         —  error"
                                      "     node 2 error: division by zero at rules.chiso:12:5\n"
                                      "\n"
                                      "Ranking\n"
                                      "1  D            90.00%  90.00 / 100\n"
                                      "2  B, \"quoted\"  80.00%  80.00 / 100\n"
                                      "2  C            80.00%  80.00 / 100\n"
                                      "4  E            200/3%  200/3 / 100\n");
            break;
        case REPORT_CSV:
            assert_non_null(strstr(buf, "\nA,TOTAL,,,100,error,node 2 error: division by zero "
                                        "at rules.chiso:12:5\n"));
            tail = strstr(buf, "D,RANK");
            assert_non_null(tail);
            assert_string_equal(tail, "D,RANK,,1,4,ranked,\n"
                                      "\"B, \"\"quoted\"\"\",RANK,,2,4,ranked,\n"
                                      "C,RANK,,2,4,ranked,\n"
                                      "E,RANK,,4,4,ranked,\n");
            break;
        case REPORT_JSON:
            tail = strstr(buf, "\"ranking\"");
            assert_non_null(tail);
            assert_string_equal(tail,
                                "\"ranking\": [\n"
                                "{\"rank\": 1, \"unit\": \"D\", \"index\": \"90\", \"total\": \"90\"},\n"
                                "{\"rank\": 2, \"unit\": \"B, \\\"quoted\\\"\", \"index\": \"80\", "
                                "\"total\": \"80\"},\n"
                                "{\"rank\": 2, \"unit\": \"C\", \"index\": \"80\", \"total\": \"80\"},\n"
                                "{\"rank\": 4, \"unit\": \"E\", \"index\": \"200/3\", "
                                "\"total\": \"200/3\"}\n"
                                "]}\n");
            break;
        }
        free(buf);
    }
}

static void test_decided_by(void **state)
{
    fixture *f = *state;
    const ruleset *rs = &f->rs;
    char buf[128];
    node_result x = {.status = ST_SCORED, .by = BY_PARTS, .which = 3, .fact = -1};
    assert_int_equal(report_decided_by(rs, rs->nodes[2], &x, buf, sizeof buf), 31);
    assert_string_equal(buf, "dung_han => 1; dat_yeu_cau => 1");
    x.which = 0;
    report_decided_by(rs, rs->nodes[2], &x, buf, sizeof buf);
    assert_string_equal(buf, "no part");
    x = (node_result){.status = ST_EXCLUDED, .by = BY_PARENT, .fact = -1};
    report_decided_by(rs, rs->nodes[1], &x, buf, sizeof buf);
    assert_string_equal(buf, "not applicable (parent)");
    x = (node_result){.status = ST_FULL, .by = BY_NA, .which = 7, .fact = -1}; /* out of range */
    report_decided_by(rs, rs->nodes[2], &x, buf, sizeof buf);
    assert_string_equal(buf, "not applicable");
    x = (node_result){.status = ST_ERROR, .by = BY_NO_ARM, .error = EV_DIVZERO, .at = &f->err_at};
    report_decided_by(rs, rs->nodes[1], &x, buf, sizeof buf);
    char want[128];
    snprintf(want, sizeof want, "%s at rules.chiso:12:5", eval_error_text(EV_DIVZERO));
    assert_string_equal(buf, want);
    x = (node_result){.status = ST_SCORED, .by = BY_NO_ARM};
    report_decided_by(rs, rs->nodes[1], &x, buf, sizeof buf);
    assert_string_equal(buf, "no band matched");
    x = (node_result){.status = ST_MISSING, .fact = 99}; /* index out of range */
    report_decided_by(rs, rs->nodes[1], &x, buf, sizeof buf);
    assert_string_equal(buf, "missing: ?");

    /* snprintf semantics; a cut never splits "à" (2 bytes) or "…". */
    static const char *const arms[] = {"là => 1"};
    node *n = rs->nodes[1];
    arm *saved = n->rule.arms;
    n->rule.arms = mk_arms(f, arms, 1);
    x = (node_result){.status = ST_SCORED, .by = BY_ARM, .which = 0, .fact = -1};
    assert_int_equal(report_decided_by(rs, n, &x, buf, 3), 8);
    assert_string_equal(buf, "l");
    assert_int_equal(report_decided_by(rs, n, &x, buf, 4), 8);
    assert_string_equal(buf, "là");
    assert_int_equal(report_decided_by(rs, n, &x, NULL, 0), 8);
    n->rule.arms = saved;
}

static void test_display_width(void **state)
{
    (void)state;
    const char *nfc = "Tiêu chí";              /* precomposed ê, í */
    const char *nfd = "Tie\xCC\x82u chi\xCC\x81"; /* e + U+0302, i + U+0301 */
    assert_int_equal(report_display_width(nfc, strlen(nfc)), 8);
    assert_int_equal(report_display_width(nfd, strlen(nfd)), 8);
    assert_int_equal(report_display_width("漢字", strlen("漢字")), 4);
    assert_int_equal(report_display_width("a\xFF" "b", 3), 3); /* an invalid byte counts 1 */
    assert_int_equal(report_display_width("\xE1\xBB", 2), 2);  /* a cut sequence: 2 bad bytes */
    assert_int_equal(report_display_width("", 0), 0);
}

/* Titles that are wide, decomposed, invalid, empty or hold a newline keep the grid intact. */
static void test_text_odd_titles(void **state)
{
    fixture *f = *state;
    ruleset *rs = &f->rs;
    rs->nodes[0]->title = "漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字";
    rs->nodes[1]->title = "Tie\xCC\x82u chi\xCC\x81 ba\xFF\nline two";
    rs->nodes[2]->title = "";
    char *got = run(f, REPORT_TEXT, DETAIL_NODES, false, 0);
    /* Every node line has its score column at the same display column. */
    int col = -1;
    for (char *line = strtok(got, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == 'P' || line[0] == 'T') continue; /* unit heading, total */
        char *score = strstr(line, "  0.50  ");
        if (!score) score = strstr(line, "  ?  ");
        if (!score) score = strstr(line, "  —  ");
        if (!score) score = strstr(line, "  1.00  ");
        if (!score) score = strstr(line, "  0.25  ");
        if (!score) score = strstr(line, "  3.00  ");
        assert_non_null(score);
        char *end = score + 2 + strcspn(score + 2, " ");
        int c = report_display_width(line, (size_t)(end - line));
        if (col < 0) col = c;
        assert_int_equal(c, col);
    }
    free(got);
}

static void test_zero_nodes(void **state)
{
    (void)state;
    ruleset rs = {0};
    unit_total t = {.max = dec_from_int(0), .score = dec_from_int(0), .bad_node = -1};
    static const char *const want[] = {
        "X\nTotal  0.00 / 0  index —\n",
        "unit,code,title,score,max,status,decided_by\n"
        "X,TOTAL,,0,0,scored,maximum is 0\n"
        "X,INDEX,,,100,scored,maximum is 0\n",
        "{\"ruleset\": {\"title\": null, \"year\": null, \"source\": null}, \"units\": [\n"
        "{\"unit\": \"X\", \"nodes\": [], \"total\": \"0\", \"max\": \"0\", \"index\": null, "
        "\"areas\": [], \"status\": \"scored\"}\n"
        "], \"ranking\": [\n]}\n",
    };
    for (int fmt = REPORT_TEXT; fmt <= REPORT_JSON; fmt++) {
        char *buf = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&buf, &len);
        report_opts o = {(report_format)fmt, DETAIL_NODES, true, 0};
        report *r = report_new(out, &rs, &o);
        assert_non_null(r);
        assert_int_equal(report_unit(r, "X", NULL, &t), 0);
        assert_int_equal(report_finish(r), 0);
        report_free(r);
        fclose(out);
        expect(buf, want[fmt]);
    }
    /* No unit at all: still a well-formed document. */
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    report_opts o = {REPORT_JSON, DETAIL_TOTAL, false, 0};
    report *r = report_new(out, &rs, &o);
    assert_int_equal(report_finish(r), 0);
    report_free(r);
    fclose(out);
    expect(buf, "{\"ruleset\": {\"title\": null, \"year\": null, \"source\": null}, "
                "\"units\": [\n]}\n");
}

static void test_write_error(void **state)
{
    fixture *f = *state;
    FILE *out = fopen("/dev/full", "w");
    if (!out) skip();
    setvbuf(out, NULL, _IONBF, 0);
    for (int fmt = REPORT_TEXT; fmt <= REPORT_JSON; fmt++) {
        report_opts o = {(report_format)fmt, DETAIL_NODES, true, 0};
        report *r = report_new(out, &f->rs, &o);
        assert_int_equal(report_unit(r, UNITS[0], f->res[0], &f->tot[0]), -1);
        assert_int_equal(report_unit(r, UNITS[1], f->res[1], &f->tot[1]), -1);
        assert_int_equal(report_finish(r), -1);
        report_free(r);
        clearerr(out);
    }
    fclose(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_text_nodes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_narrow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_total, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv_nodes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv_total, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_nodes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_total, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ranking_ties, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decided_by, setup, teardown),
        cmocka_unit_test(test_display_width),
        cmocka_unit_test_setup_teardown(test_text_odd_titles, setup, teardown),
        cmocka_unit_test(test_zero_nodes),
        cmocka_unit_test_setup_teardown(test_write_error, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
