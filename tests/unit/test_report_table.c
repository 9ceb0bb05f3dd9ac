/* Sub-indices, class labels, ranking and the appendix layout (report_table.h), on a rule set and
 * results built by hand; every expected number is worked out in the comments. */
#define _POSIX_C_SOURCE 200809L /* open_memstream, mkdtemp */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_helpers.h"

#include "arena.h"
#include "ast.h"
#include "eval.h"
#include "report.h"
#include "report_table.h"

enum { N_NODES = 5, N_UNITS = 5 };

typedef struct {
    arena *a;
    ruleset rs;
    node_result res[N_UNITS][N_NODES];
    unit_total tot[N_UNITS];
} fixture;

static const char *const UNITS[N_UNITS] = {"Đơn vị A", "Đơn vị B", "Đơn vị C", "Đơn vị D",
                                           "Đơn vị E"};

static node *mk_node(fixture *f, node_kind kind, const char *code, const char *title, int64_t max,
                     node *parent)
{
    return test_node(f->a, &f->rs, kind, code, title, max, parent);
}

static node_result R(dec_t score, dec_t max, node_status st)
{
    return (node_result){.score = score, .max = max, .raw = score, .status = (uint8_t)st,
                         .fact = -1};
}

static node_result NONE(dec_t max, node_status st)
{
    return (node_result){.max = max, .status = (uint8_t)st, .fact = st == ST_MISSING ? 0 : -1,
                         .by = st == ST_EXCLUDED ? BY_NA : BY_RULE};
}

static unit_total T(dec_t score, dec_t max, dec_t index, int32_t cls)
{
    return (unit_total){.score = score, .max = max, .index = index, .status = ST_SCORED,
                        .bad_node = -1, .index_ok = true, .class_index = cls};
}

/* Area 1 "Chỉ đạo, điều hành" max 4 (1.1 max 2, 1.2 max 2), area 2 max 6 (a leaf), bonus 3
 * range -1..1; total declared maximum 10; round index 2; three classes.
 *   A: 1 = 2 + 2 = 4, 2 = 5, bonus 0: 9 / 10 = 90, class 0; areas 4/4 = 100, 5/6 = 83.33
 *   B: 1.2 and area 2 excluded: 1 = 1.7 of 2, bonus 0: 1.7 / 2 = 85, class 1; areas 85, none
 *   C: 1.1 missing, so area 1 and the total are missing; area 2 = 6/6 = 100
 *   D: area 1 full (4/4), 2 = 1, bonus -1: 4 / 10 = 40, class 2; areas 100, 1/6 = 16.67
 *   E: 1 = 1.5 + 1.5 = 3, 2 = 5.5, bonus 0: 8.5 / 10 = 85, class 1; areas 75, 5.5/6 = 91.67
 * By index: A 90 (1), B 85 (2), E 85 (2), D 40 (4); C unranked.
 * By total: A 9 (1), E 8.5 (2), D 4 (3), B 1.7 (4); C unranked. */
static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->a = arena_new();
    ruleset *rs = &f->rs;
    rs->arena = f->a;
    rs->title = "Bộ chỉ số thử";
    rs->round_index = true;
    rs->index_places = 2;
    rs->index_mode = DEC_HALF_UP;
    static const char *const fact_names[] = {"x"};
    rs->n_facts = 1;
    rs->facts = arena_alloc(f->a, sizeof *rs->facts);
    memset(rs->facts, 0, sizeof *rs->facts);
    rs->facts[0].name = fact_names[0];

    rs->nodes = arena_alloc(f->a, N_NODES * sizeof *rs->nodes);
    node *a1 = mk_node(f, NODE_AREA, "1", "Chỉ đạo, điều hành", 4, NULL);
    node *c11 = mk_node(f, NODE_CRITERION, "1.1", "Kế hoạch", 2, a1);
    node *c12 = mk_node(f, NODE_CRITERION, "1.2", "Báo cáo", 2, a1);
    node *a2 = mk_node(f, NODE_AREA, "2", "Thủ tục hành chính", 6, NULL);
    node *b3 = mk_node(f, NODE_BONUS, "3", "Điểm thưởng", 0, NULL);
    b3->range_lo = dec_from_int(-1);
    b3->range_hi = dec_from_int(1);
    a1->last_desc = c12->id;
    a1->n_children = 2;
    a1->children = arena_alloc(f->a, 2 * sizeof *a1->children);
    a1->children[0] = c11;
    a1->children[1] = c12;
    rs->n_top = 3;
    rs->top = arena_alloc(f->a, 3 * sizeof *rs->top);
    rs->top[0] = a1;
    rs->top[1] = a2;
    rs->top[2] = b3;

    rs->n_classes = 3;
    rs->classes = arena_alloc(f->a, 3 * sizeof *rs->classes);
    memset(rs->classes, 0, 3 * sizeof *rs->classes);
    rs->classes[0].text = "Xuất sắc";
    rs->classes[1].text = "Tốt";
    rs->classes[2].text = "Trung bình";

    dec_t z = D(0, 1);
    node_result *u = f->res[0]; /* A */
    u[0] = R(D(4, 1), D(4, 1), ST_SCORED);
    u[1] = R(D(2, 1), D(2, 1), ST_SCORED);
    u[2] = R(D(2, 1), D(2, 1), ST_SCORED);
    u[3] = R(D(5, 1), D(6, 1), ST_SCORED);
    u[4] = R(z, z, ST_SCORED);
    f->tot[0] = T(D(9, 1), D(10, 1), D(90, 1), 0);

    u = f->res[1]; /* B */
    u[0] = R(D(17, 10), D(2, 1), ST_SCORED);
    u[1] = R(D(17, 10), D(2, 1), ST_SCORED);
    u[2] = NONE(z, ST_EXCLUDED);
    u[3] = NONE(z, ST_EXCLUDED);
    u[4] = R(z, z, ST_SCORED);
    f->tot[1] = T(D(17, 10), D(2, 1), D(85, 1), 1);

    u = f->res[2]; /* C */
    u[0] = NONE(D(4, 1), ST_MISSING);
    u[1] = NONE(D(2, 1), ST_MISSING);
    u[2] = R(D(1, 1), D(2, 1), ST_SCORED);
    u[3] = R(D(6, 1), D(6, 1), ST_SCORED);
    u[4] = R(z, z, ST_SCORED);
    f->tot[2] = (unit_total){.score = D(6, 1), .max = D(10, 1), .status = ST_MISSING,
                             .bad_node = 1, .class_index = -1};

    u = f->res[3]; /* D */
    u[0] = R(D(4, 1), D(4, 1), ST_FULL);
    u[1] = R(D(2, 1), D(2, 1), ST_FULL);
    u[2] = R(D(2, 1), D(2, 1), ST_FULL);
    u[3] = R(D(1, 1), D(6, 1), ST_SCORED);
    u[4] = R(D(-1, 1), z, ST_SCORED);
    f->tot[3] = T(D(4, 1), D(10, 1), D(40, 1), 2);

    u = f->res[4]; /* E */
    u[0] = R(D(3, 1), D(4, 1), ST_SCORED);
    u[1] = R(D(3, 2), D(2, 1), ST_SCORED);
    u[2] = R(D(3, 2), D(2, 1), ST_SCORED);
    u[3] = R(D(11, 2), D(6, 1), ST_SCORED);
    u[4] = R(z, z, ST_SCORED);
    f->tot[4] = T(D(17, 2), D(10, 1), D(85, 1), 1);
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

static void expect(char *got, const char *want)
{
    if (strcmp(got, want) != 0) fprintf(stderr, "---- got ----\n%s---- want ----\n%s----\n", got, want);
    assert_string_equal(got, want);
    free(got);
}

static void assert_dec(dec_t got, int64_t num, int64_t den)
{
    dec_t want = D(num, den);
    if (dec_cmp(got, want) != 0)
        fail_msg("got %lld/%lld, want %lld/%lld", (long long)got.num, (long long)got.den,
                 (long long)want.num, (long long)want.den);
}

static void test_area_index(void **state)
{
    fixture *f = *state;
    ruleset *rs = &f->rs;
    dec_t v;
    /* 5 / 6 × 100 = 83.333... -> 83.33 */
    assert_true(report_area_index(rs, rs->nodes[3], &f->res[0][3], &v));
    assert_dec(v, 8333, 100);
    /* 5.5 / 6 × 100 = 91.666... -> 91.67 (half up) */
    assert_true(report_area_index(rs, rs->nodes[3], &f->res[4][3], &v));
    assert_dec(v, 9167, 100);
    /* full marks count as a score: 4 / 4 = 100 */
    assert_true(report_area_index(rs, rs->nodes[0], &f->res[3][0], &v));
    assert_dec(v, 100, 1);
    /* an excluded area, a missing area, a bonus: none */
    assert_false(report_area_index(rs, rs->nodes[3], &f->res[1][3], &v));
    assert_false(report_area_index(rs, rs->nodes[0], &f->res[2][0], &v));
    assert_false(report_area_index(rs, rs->nodes[4], &f->res[0][4], &v));
    /* an effective maximum of 0 (a fixed score on a node whose children are all excluded) */
    node_result zero = R(D(1, 2), D(0, 1), ST_FIXED);
    assert_false(report_area_index(rs, rs->nodes[0], &zero, &v));
    /* an error */
    node_result err = NONE(D(4, 1), ST_ERROR);
    assert_false(report_area_index(rs, rs->nodes[0], &err, &v));
    /* a clamped area still has a ratio: 4 / 4 */
    node_result cl = R(D(4, 1), D(4, 1), ST_CLAMPED);
    assert_true(report_area_index(rs, rs->nodes[0], &cl, &v));
    assert_dec(v, 100, 1);

    /* rounded like the index: 0.5 / 4 = 12.5%; round index 0 half up 13, half even 12 */
    node_result h = R(D(1, 2), D(4, 1), ST_SCORED);
    rs->index_places = 0;
    assert_true(report_area_index(rs, rs->nodes[0], &h, &v));
    assert_dec(v, 13, 1);
    rs->index_mode = DEC_HALF_EVEN;
    assert_true(report_area_index(rs, rs->nodes[0], &h, &v));
    assert_dec(v, 12, 1);
    /* no `round index`: exact, 5 / 6 × 100 = 250/3 */
    rs->round_index = false;
    assert_true(report_area_index(rs, rs->nodes[3], &f->res[0][3], &v));
    assert_dec(v, 250, 3);
}

static void test_class_label(void **state)
{
    fixture *f = *state;
    const ruleset *rs = &f->rs;
    assert_string_equal(report_class_label(rs, &f->tot[0]), "Xuất sắc");
    assert_string_equal(report_class_label(rs, &f->tot[3]), "Trung bình");
    assert_null(report_class_label(rs, &f->tot[2])); /* incomplete */
    unit_total t = f->tot[0];
    t.class_index = -1; /* no class matched */
    assert_null(report_class_label(rs, &t));
    t.class_index = 7; /* out of range */
    assert_null(report_class_label(rs, &t));
    t = f->tot[0];
    t.index_ok = false; /* maximum 0 */
    assert_null(report_class_label(rs, &t));
    ruleset none = {0};
    assert_null(report_class_label(&none, &f->tot[0]));
}

static void test_declared_and_rankable(void **state)
{
    fixture *f = *state;
    assert_dec(report_declared_total(&f->rs), 10, 1); /* 4 + 6, the bonus counts 0 */
    assert_int_equal(report_n_areas(&f->rs), 2);
    assert_true(report_rankable(&f->tot[0], RANK_BY_INDEX));
    assert_false(report_rankable(&f->tot[2], RANK_BY_INDEX));
    assert_false(report_rankable(&f->tot[2], RANK_BY_TOTAL));
    unit_total t = f->tot[0];
    t.index_ok = false; /* maximum 0: a total, no index */
    assert_false(report_rankable(&t, RANK_BY_INDEX));
    assert_true(report_rankable(&t, RANK_BY_TOTAL));
}

static rtable *fill(fixture *f)
{
    rtable *t = rtable_new(&f->rs);
    assert_non_null(t);
    for (int u = 0; u < N_UNITS; u++)
        assert_int_equal(rtable_add(t, UNITS[u], f->res[u], &f->tot[u]), 0);
    return t;
}

static void test_table_rank(void **state)
{
    fixture *f = *state;
    rtable *t = fill(f);
    assert_int_equal(rtable_n_units(t), 5);
    /* before ranking: input order */
    assert_int_equal(rtable_ranked_at(t, 2), 2);

    assert_int_equal(rtable_rank(t, RANK_BY_INDEX), 0);
    assert_int_equal(rtable_n_ranked(t), 4);
    static const long by_index[N_UNITS] = {1, 2, 0, 4, 2};
    for (size_t u = 0; u < N_UNITS; u++) assert_int_equal(rtable_unit_at(t, u).rank, by_index[u]);
    static const size_t order_index[N_UNITS] = {0, 1, 4, 3, 2}; /* ties in input order, C last */
    for (size_t i = 0; i < N_UNITS; i++) assert_int_equal(rtable_ranked_at(t, i), order_index[i]);

    assert_int_equal(rtable_rank(t, RANK_BY_TOTAL), 0);
    static const long by_total[N_UNITS] = {1, 4, 0, 3, 2};
    for (size_t u = 0; u < N_UNITS; u++) assert_int_equal(rtable_unit_at(t, u).rank, by_total[u]);
    static const size_t order_total[N_UNITS] = {0, 4, 3, 1, 2};
    for (size_t i = 0; i < N_UNITS; i++) assert_int_equal(rtable_ranked_at(t, i), order_total[i]);

    /* the cells kept */
    dec_t v;
    uint8_t st;
    assert_true(rtable_score(t, 1, 1, &st, &v));
    assert_dec(v, 17, 10);
    assert_false(rtable_score(t, 1, 2, &st, &v));
    assert_int_equal(st, ST_EXCLUDED);
    assert_false(rtable_score(t, 2, 0, &st, &v));
    assert_int_equal(st, ST_MISSING);
    assert_true(rtable_score(t, 3, 4, &st, &v));
    assert_dec(v, -1, 1);
    assert_true(rtable_area_index(t, 3, 1, &v));
    assert_dec(v, 1667, 100); /* 1/6 = 16.666...% */
    assert_false(rtable_area_index(t, 1, 1, &v));
    assert_true(rtable_area_index(t, 2, 1, &v)); /* C: area 2 complete although C is not */
    assert_dec(v, 100, 1);
    assert_int_equal(rtable_n_areas(t), 2);
    assert_string_equal(rtable_area(t, 1)->code, "2");

    /* ties between equal totals too: D's total made 8.5, E's too -> A 1, D 2, E 2, B 4 */
    rtable_free(t);
    f->tot[3].score = D(17, 2);
    t = fill(f);
    assert_int_equal(rtable_rank(t, RANK_BY_TOTAL), 0);
    static const long tie_total[N_UNITS] = {1, 4, 0, 2, 2};
    for (size_t u = 0; u < N_UNITS; u++) assert_int_equal(rtable_unit_at(t, u).rank, tie_total[u]);
    rtable_free(t);
}

static char *appendix(fixture *f, bool nodes, bool rank, report_rank_by by)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    rtable *t = fill(f);
    if (rank) assert_int_equal(rtable_rank(t, by), 0);
    assert_int_equal(rtable_write_appendix(t, out, nodes, rank, by), 0);
    rtable_free(t);
    fclose(out);
    return buf;
}

static void test_appendix(void **state)
{
    fixture *f = *state;
    expect(appendix(f, true, true, RANK_BY_INDEX),
           "code,title,max,Đơn vị A,Đơn vị B,Đơn vị C,Đơn vị D,Đơn vị E\n"
           "1,\"Chỉ đạo, điều hành\",4,4,1.7,,4,3\n"
           "1.1,Kế hoạch,2,2,1.7,,2,1.5\n"
           "1.2,Báo cáo,2,2,,1,2,1.5\n"
           "2,Thủ tục hành chính,6,5,,6,1,5.5\n"
           "3,Điểm thưởng,-1..1,0,0,0,-1,0\n"
           "TOTAL,Tổng điểm,10,9,1.7,,4,8.5\n"
           "MAX,Điểm tối đa của đơn vị,,10,2,,10,10\n"
           "INDEX,Chỉ số CCHC (%),100,90,85,,40,85\n"
           "RANK,Xếp hạng,4,1,2,,4,2\n"
           "CLASS,Xếp loại,,Xuất sắc,Tốt,,Trung bình,Tốt\n");
    expect(appendix(f, false, true, RANK_BY_TOTAL),
           "code,title,max,Đơn vị A,Đơn vị B,Đơn vị C,Đơn vị D,Đơn vị E\n"
           "TOTAL,Tổng điểm,10,9,1.7,,4,8.5\n"
           "MAX,Điểm tối đa của đơn vị,,10,2,,10,10\n"
           "INDEX,Chỉ số CCHC (%),100,90,85,,40,85\n"
           "RANK,Xếp hạng (theo tổng điểm),4,1,4,,3,2\n"
           "CLASS,Xếp loại,,Xuất sắc,Tốt,,Trung bình,Tốt\n");
    /* no ranking, no classify: neither row */
    f->rs.n_classes = 0;
    expect(appendix(f, false, false, RANK_BY_INDEX),
           "code,title,max,Đơn vị A,Đơn vị B,Đơn vị C,Đơn vị D,Đơn vị E\n"
           "TOTAL,Tổng điểm,10,9,1.7,,4,8.5\n"
           "MAX,Điểm tối đa của đơn vị,,10,2,,10,10\n"
           "INDEX,Chỉ số CCHC (%),100,90,85,,40,85\n");
}

/* The same through report.c: REPORT_APPENDIX keeps the units and writes at report_finish. */
static void test_report_appendix(void **state)
{
    fixture *f = *state;
    f->rs.nodes[0]->title = "A \"quoted\" title";
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    report_opts o = {REPORT_APPENDIX, DETAIL_NODES, true, 0};
    report_extra x = {RANK_BY_INDEX, NULL};
    report *r = report_new_ex(out, &f->rs, &o, &x);
    assert_non_null(r);
    for (int u = 0; u < N_UNITS; u++)
        assert_int_equal(report_unit(r, UNITS[u], f->res[u], &f->tot[u]), 0);
    fflush(out);
    assert_int_equal(len, 0); /* nothing before the end */
    assert_int_equal(report_finish(r), 0);
    report_free(r);
    fclose(out);
    const char *row = strstr(buf, "\n1,");
    assert_non_null(row);
    assert_memory_equal(row, "\n1,\"A \"\"quoted\"\" title\",4,4,1.7,,4,3\n",
                        strlen("\n1,\"A \"\"quoted\"\" title\",4,4,1.7,,4,3\n"));
    free(buf);

    /* xlsx needs a path */
    o.format = REPORT_XLSX;
    assert_null(report_new_ex(stdout, &f->rs, &o, &x));
    assert_null(report_new(stdout, &f->rs, &o));
}

/* The other formats: the class label, areas' sub-indices, and ranking by total. */
static char *run(fixture *f, report_format fmt, report_detail detail, report_rank_by by)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    report_opts o = {fmt, detail, true, 0};
    report_extra x = {by, NULL};
    report *r = report_new_ex(out, &f->rs, &o, &x);
    assert_non_null(r);
    for (int u = 0; u < N_UNITS; u++)
        assert_int_equal(report_unit(r, UNITS[u], f->res[u], &f->tot[u]), 0);
    assert_int_equal(report_finish(r), 0);
    report_free(r);
    fclose(out);
    return buf;
}

static void test_text(void **state)
{
    fixture *f = *state;
    char *got = run(f, REPORT_TEXT, DETAIL_NODES, RANK_BY_INDEX);
    assert_non_null(strstr(got, "\nTotal  9.00 / 10  index 90.00%  Xuất sắc\n"));
    assert_non_null(strstr(got, "\nTotal  1.70 / 2  index 85.00%  Tốt\n"));
    assert_non_null(strstr(got, "\nTotal  incomplete: node 1.1 missing fact 'x'\n"));
    const char *tail = strstr(got, "\nRanking\n");
    assert_non_null(tail);
    assert_string_equal(tail, "\nRanking\n"
                              "1  Đơn vị A  90.00%  9.00 / 10  Xuất sắc\n"
                              "2  Đơn vị B  85.00%  1.70 / 2   Tốt\n"
                              "2  Đơn vị E  85.00%  8.50 / 10  Tốt\n"
                              "4  Đơn vị D  40.00%  4.00 / 10  Trung bình\n");
    free(got);
    expect(run(f, REPORT_TEXT, DETAIL_TOTAL, RANK_BY_TOTAL),
           "Đơn vị A                                     9.00    10.00    90.00%  scored    Xuất sắc\n"
           "Đơn vị B                                     1.70     2.00    85.00%  scored    Tốt\n"
           "Đơn vị C                                        ?    10.00         —  missing   node 1.1 missing fact 'x'\n"
           "Đơn vị D                                     4.00    10.00    40.00%  scored    Trung bình\n"
           "Đơn vị E                                     8.50    10.00    85.00%  scored    Tốt\n"
           "\n"
           "Ranking by total\n"
           "1  Đơn vị A  90.00%  9.00 / 10  Xuất sắc\n"
           "2  Đơn vị E  85.00%  8.50 / 10  Tốt\n"
           "3  Đơn vị D  40.00%  4.00 / 10  Trung bình\n"
           "4  Đơn vị B  85.00%  1.70 / 2   Tốt\n");
}

static void test_csv(void **state)
{
    fixture *f = *state;
    expect(run(f, REPORT_CSV, DETAIL_TOTAL, RANK_BY_TOTAL),
           "unit,code,title,score,max,status,decided_by\n"
           "Đơn vị A,TOTAL,,9,10,scored,\n"
           "Đơn vị A,INDEX,,90,100,scored,\n"
           "Đơn vị A,CLASS,Xuất sắc,,,scored,\n"
           "Đơn vị A,INDEX 1,\"Chỉ đạo, điều hành\",100,100,scored,\n"
           "Đơn vị A,INDEX 2,Thủ tục hành chính,83.33,100,scored,\n"
           "Đơn vị B,TOTAL,,1.7,2,scored,\n"
           "Đơn vị B,INDEX,,85,100,scored,\n"
           "Đơn vị B,CLASS,Tốt,,,scored,\n"
           "Đơn vị B,INDEX 1,\"Chỉ đạo, điều hành\",85,100,scored,\n"
           "Đơn vị B,INDEX 2,Thủ tục hành chính,,100,excluded,not applicable\n"
           "Đơn vị C,TOTAL,,,10,missing,node 1.1 missing fact 'x'\n"
           "Đơn vị C,INDEX,,,100,missing,node 1.1 missing fact 'x'\n"
           "Đơn vị C,CLASS,,,,missing,node 1.1 missing fact 'x'\n"
           "Đơn vị C,INDEX 1,\"Chỉ đạo, điều hành\",,100,missing,missing: x\n"
           "Đơn vị C,INDEX 2,Thủ tục hành chính,100,100,scored,\n"
           "Đơn vị D,TOTAL,,4,10,scored,\n"
           "Đơn vị D,INDEX,,40,100,scored,\n"
           "Đơn vị D,CLASS,Trung bình,,,scored,\n"
           "Đơn vị D,INDEX 1,\"Chỉ đạo, điều hành\",100,100,full,\n"
           "Đơn vị D,INDEX 2,Thủ tục hành chính,16.67,100,scored,\n"
           "Đơn vị E,TOTAL,,8.5,10,scored,\n"
           "Đơn vị E,INDEX,,85,100,scored,\n"
           "Đơn vị E,CLASS,Tốt,,,scored,\n"
           "Đơn vị E,INDEX 1,\"Chỉ đạo, điều hành\",75,100,scored,\n"
           "Đơn vị E,INDEX 2,Thủ tục hành chính,91.67,100,scored,\n"
           "Đơn vị A,RANK,,1,4,ranked,\n"
           "Đơn vị E,RANK,,2,4,ranked,\n"
           "Đơn vị D,RANK,,3,4,ranked,\n"
           "Đơn vị B,RANK,,4,4,ranked,\n");
    /* no class matched: the CLASS row says so */
    f->tot[0].class_index = -1;
    char *got = run(f, REPORT_CSV, DETAIL_TOTAL, RANK_BY_INDEX);
    assert_non_null(strstr(got, "\nĐơn vị A,CLASS,,,,scored,no class matches\n"));
    free(got);
}

static void test_json(void **state)
{
    fixture *f = *state;
    char *got = run(f, REPORT_JSON, DETAIL_TOTAL, RANK_BY_INDEX);
    assert_non_null(strstr(got,
        "{\"unit\": \"Đơn vị B\", \"total\": \"1.7\", \"max\": \"2\", \"index\": \"85\", "
        "\"class\": \"Tốt\", \"areas\": [{\"code\": \"1\", \"score\": \"1.7\", \"max\": \"2\", "
        "\"index\": \"85\", \"status\": \"scored\"}, {\"code\": \"2\", \"score\": null, "
        "\"max\": \"0\", \"index\": null, \"status\": \"excluded\"}], \"status\": \"scored\"}"));
    assert_non_null(strstr(got,
        "{\"unit\": \"Đơn vị C\", \"total\": null, \"max\": \"10\", \"index\": null, "
        "\"class\": null, \"areas\": [{\"code\": \"1\", \"score\": null, \"max\": \"4\", "
        "\"index\": null, \"status\": \"missing\"}, {\"code\": \"2\", \"score\": \"6\", "
        "\"max\": \"6\", \"index\": \"100\", \"status\": \"scored\"}], \"status\": \"missing\", "
        "\"bad_node\": \"1.1\", \"reason\": \"node 1.1 missing fact 'x'\"}"));
    const char *tail = strstr(got, "\"ranking\"");
    assert_non_null(tail);
    assert_string_equal(tail,
        "\"ranking\": [\n"
        "{\"rank\": 1, \"unit\": \"Đơn vị A\", \"index\": \"90\", \"total\": \"9\", \"class\": \"Xuất sắc\"},\n"
        "{\"rank\": 2, \"unit\": \"Đơn vị B\", \"index\": \"85\", \"total\": \"1.7\", \"class\": \"Tốt\"},\n"
        "{\"rank\": 2, \"unit\": \"Đơn vị E\", \"index\": \"85\", \"total\": \"8.5\", \"class\": \"Tốt\"},\n"
        "{\"rank\": 4, \"unit\": \"Đơn vị D\", \"index\": \"40\", \"total\": \"4\", \"class\": \"Trung bình\"}\n"
        "]}\n");
    free(got);
    /* without classify, no "class" key */
    f->rs.n_classes = 0;
    got = run(f, REPORT_JSON, DETAIL_TOTAL, RANK_BY_INDEX);
    assert_null(strstr(got, "\"class\""));
    free(got);
}

/* The workbook is written at report_finish to the path given; a path that cannot be written
 * fails the report. (Its content is checked by tests/xlsx_roundtrip.sh through LibreOffice.) */
static void test_xlsx_file(void **state)
{
    fixture *f = *state;
    char dir[] = "/tmp/chiso-xlsx-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/out.xlsx", dir);
    report_opts o = {REPORT_XLSX, DETAIL_NODES, true, 0};
    report_extra x = {RANK_BY_INDEX, path};
    report *r = report_new_ex(NULL, &f->rs, &o, &x);
    assert_non_null(r);
    for (int u = 0; u < N_UNITS; u++)
        assert_int_equal(report_unit(r, UNITS[u], f->res[u], &f->tot[u]), 0);
    assert_int_equal(report_finish(r), 0);
    report_free(r);
    FILE *in = fopen(path, "rb");
    assert_non_null(in);
    char magic[4] = {0};
    assert_int_equal(fread(magic, 1, 4, in), 4);
    fclose(in);
    assert_memory_equal(magic, "PK\x03\x04", 4); /* a zip file */
    remove(path);
    rmdir(dir);

    snprintf(path, sizeof path, "%s/no/such/dir/out.xlsx", dir);
    r = report_new_ex(NULL, &f->rs, &o, &x);
    assert_non_null(r);
    assert_int_equal(report_unit(r, UNITS[0], f->res[0], &f->tot[0]), 0);
    assert_int_equal(report_finish(r), -1);
    report_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_area_index, setup, teardown),
        cmocka_unit_test_setup_teardown(test_class_label, setup, teardown),
        cmocka_unit_test_setup_teardown(test_declared_and_rankable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_table_rank, setup, teardown),
        cmocka_unit_test_setup_teardown(test_appendix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report_appendix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xlsx_file, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
