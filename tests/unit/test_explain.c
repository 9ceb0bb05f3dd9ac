/* Explanations (explain.h): the wording of why a band did not match, the tracing of
 * not-applicable clauses (a node's own, an ancestor's), values written back, clamping and
 * rounding, on small rule sets written here with hand-made fact values. Every expected text was
 * worked out by hand from the rule text and the facts in the comments. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "test_helpers.h"

#include "eval.h"
#include "explain.h"
#include "load.h"

static const char *RULES =
    "ruleset \"t\" { year 2024 round 2 }\n"
    "fact co_tthc: bool \"Có TTHC\"\n"
    "fact phat_sinh: bool \"Có phát sinh\"\n"
    "fact x: count \"X\"\n"
    "fact y: count \"Y\"\n"
    "fact tt: choice \"Tuyên truyền\" { du \"Đúng, đủ\" thieu \"Thiếu\" khong \"Không\" }\n"
    "fact ngay: date \"Ngày gửi\"\n"
    "fact ok: bool \"Đạt\"\n"
    "def tre = ngay - 2024-12-01\n"
    "area 1 \"Chỉ đạo\" max 4 {\n"
    "  criterion 1.1 \"Tuyên truyền\" max 1 { score by tt { du => max; thieu => max * 50%; khong => 0 } }\n"
    "  criterion 1.2 \"Đúng hạn\" max 2 {\n"
    "    not applicable if not phat_sinh => 0.5\n"
    "    score by tre { <= 0 => 2; 1..30 => 1; else => 0 }\n"
    "  }\n"
    "  criterion 1.3 \"Đạt\" max 1 { score by ok { true => 1; false => 0 } }\n"
    "}\n"
    "area 2 \"Thủ tục hành chính\" max 4 {\n"
    "  not applicable unless co_tthc\n"
    "  criterion 2.1 \"Hồ sơ đúng hạn\" max 4 {\n"
    "    let Z = x / y * 100%\n"
    "    score by Z { 100% => 4; 85%..<100% => 2; < 85% => 0 }\n"
    "  }\n"
    "}\n";

typedef struct {
    ruleset *rs;
    eval_state *ev;
    explainer *ex;
    fact_value *facts;
    node_result *res;
    unit_total tot;
    diag_sink *d;
    json_t *j;
} fixture;

static fixture *load(const char *text) {
    fixture *f = calloc(1, sizeof *f);
    f->d = diag_sink_new(stderr);
    diag_sink_hide_warnings(f->d, true); /* the checker's advice on these rule sets is not tested here */
    f->rs = load_rules_buffer("t.chiso", text, strlen(text), f->d);
    assert_non_null(f->rs);
    f->ev = eval_new(f->rs);
    f->ex = explain_new(f->rs, f->ev);
    assert_non_null(f->ex);
    f->facts = calloc((size_t)f->rs->n_facts + 1, sizeof *f->facts);
    f->res = calloc((size_t)f->rs->n_nodes + 1, sizeof *f->res);
    return f;
}

static void done(fixture *f) {
    json_decref(f->j);
    explain_free(f->ex);
    eval_free(f->ev);
    ruleset_free(f->rs);
    diag_sink_free(f->d);
    free(f->facts);
    free(f->res);
    free(f);
}

/* A fact as a sheet writes it ("có", "84,5%", "05/12/2024", "du"); NULL = missing. The value
 * "was read" at line 2, column = the fact's index + 2 (as in a batch table). */
static void set(fixture *f, const char *name, const char *text) {
    int i = test_fact(f->rs, name);
    fact_value *v = &f->facts[i];
    memset(v, 0, sizeof *v);
    if (!text) return;
    char why[128];
    assert_true(facts_parse_value(&f->rs->specs[i], text, strlen(text), &v->num, why, sizeof why));
    v->state = FV_OK;
    v->line = 2;
    v->col = (uint32_t)i + 2;
}

/* Score the unit and explain it: every node (sel NULL) or the subtree of code `sel`. */
static void run(fixture *f, const char *sel) {
    eval_unit(f->ev, f->facts, f->res, &f->tot);
    json_decref(f->j);
    bool *selected = NULL;
    if (sel) {
        selected = calloc((size_t)f->rs->n_nodes, sizeof *selected);
        int i = test_node_id(f->rs, sel);
        for (int k = i; k <= f->rs->nodes[i]->last_desc; k++) selected[k] = true;
    }
    f->j = explain_unit(f->ex, "Phòng A", "a.csv", f->facts, f->res, &f->tot, selected);
    free(selected);
    assert_non_null(f->j);
}

static json_t *jnode(fixture *f, const char *code) {
    size_t i;
    json_t *n;
    json_array_foreach(json_object_get(f->j, "nodes"), i, n) {
        if (strcmp(json_string_value(json_object_get(n, "code")), code) == 0) return n;
    }
    fail_msg("node %s not explained", code);
    return NULL;
}

static const char *str(const json_t *o, const char *key) {
    const json_t *v = json_object_get(o, key);
    assert_non_null(v);
    assert_true(json_is_string(v));
    return json_string_value(v);
}

static json_t *arm_at(fixture *f, const char *code, size_t i) {
    json_t *a = json_array_get(json_object_get(json_object_get(jnode(f, code), "rule"), "arms"), i);
    assert_non_null(a);
    return a;
}

static void base_facts(fixture *f) {
    set(f, "co_tthc", "có");
    set(f, "phat_sinh", "có");
    set(f, "x", "169");
    set(f, "y", "200"); /* Z = 169 / 200 = 84.5% */
    set(f, "tt", "khong");
    set(f, "ngay", "05/12/2024"); /* tre = 4 days */
    set(f, "ok", "không");
}

/* Bands over Z = 84.5%: 100% no, 85%..<100% no (84.5% is below 85%), < 85% matches -> 0. */
static void why_not_bands(void **state) {
    (void)state;
    fixture *f = load(RULES);
    base_facts(f);
    run(f, NULL);
    json_t *r = json_object_get(jnode(f, "2.1"), "rule");
    assert_string_equal(str(r, "kind"), "bands");
    assert_string_equal(str(json_object_get(r, "subject"), "shown"), "84.5%");
    assert_string_equal(str(arm_at(f, "2.1", 0), "outcome"), "no");
    assert_string_equal(str(arm_at(f, "2.1", 0), "why"), "Z = 84.5% is not 100%");
    assert_string_equal(str(arm_at(f, "2.1", 1), "why"), "Z = 84.5% is not in 85%..<100%");
    assert_string_equal(str(arm_at(f, "2.1", 2), "outcome"), "matches");
    assert_string_equal(str(json_object_get(arm_at(f, "2.1", 2), "result"), "shown"), "0");
    assert_int_equal(json_integer_value(json_object_get(r, "matched")), 3);
    /* the let's value, written as a percentage, and the facts it reads, with their place */
    json_t *v = json_array_get(json_object_get(jnode(f, "2.1"), "values"), 0);
    assert_string_equal(str(v, "kind"), "let");
    assert_string_equal(str(v, "name"), "Z");
    assert_string_equal(str(v, "expression"), "x / y * 100%");
    assert_string_equal(str(v, "substituted"), "169 / 200 * 100%");
    assert_string_equal(str(v, "shown"), "84.5%");
    json_t *facts = json_object_get(jnode(f, "2.1"), "facts");
    assert_int_equal(json_array_size(facts), 2); /* x, y: the area's clause is shown at 2 */
    assert_string_equal(str(json_array_get(facts, 0), "name"), "x");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(facts, 0), "column")), 4);
    assert_string_equal(str(json_array_get(facts, 0), "file"), "a.csv");

    /* choices: the value's option first */
    assert_string_equal(str(json_object_get(jnode(f, "1.1"), "rule"), "kind"), "choices");
    assert_string_equal(str(arm_at(f, "1.1", 0), "why"), "tt is khong, not du");
    assert_string_equal(str(arm_at(f, "1.1", 1), "why"), "tt is khong, not thieu");
    assert_string_equal(str(arm_at(f, "1.1", 2), "outcome"), "matches");
    /* a def of days: 05/12/2024 - 2024-12-01 = 4, not <= 0, in 1..30 */
    assert_string_equal(str(arm_at(f, "1.2", 0), "why"), "tre = 4 is not <= 0");
    assert_string_equal(str(arm_at(f, "1.2", 1), "outcome"), "matches");
    assert_string_equal(str(arm_at(f, "1.2", 2), "outcome"), "not tried");
    v = json_array_get(json_object_get(jnode(f, "1.2"), "values"), 0);
    assert_string_equal(str(v, "substituted"), "05/12/2024 - 2024-12-01");
    assert_string_equal(str(v, "shown"), "4");
    /* a bool subject */
    assert_string_equal(str(arm_at(f, "1.3", 0), "why"), "ok is false, not true");

    /* thieu => max * 50%: the result with its values put in */
    set(f, "tt", "Thiếu"); /* the option's label is accepted too */
    run(f, NULL);
    json_t *res = json_object_get(arm_at(f, "1.1", 1), "result");
    assert_string_equal(str(res, "expression"), "max * 50%");
    assert_string_equal(str(res, "substituted"), "1 * 50%");
    assert_string_equal(str(res, "shown"), "0.5");
    assert_string_equal(str(arm_at(f, "1.1", 2), "outcome"), "not tried");

    /* Z = 21 / 20 = 105%: no band matches (an error), every arm says why */
    set(f, "x", "21");
    set(f, "y", "20");
    run(f, NULL);
    assert_string_equal(str(jnode(f, "2.1"), "status"), "error");
    assert_string_equal(str(arm_at(f, "2.1", 2), "why"), "Z = 105% is not < 85%");
    assert_true(json_is_null(json_object_get(json_object_get(jnode(f, "2.1"), "rule"), "matched")));
    done(f);
}

/* explain_why_not on the folded patterns themselves. */
static void why_not_patterns(void **state) {
    (void)state;
    fixture *f = load(RULES);
    const node *n = f->rs->nodes[test_node_id(f->rs, "2.1")];
    char buf[128];
    dec_t v = {169, 200}; /* 84.5% */
    explain_why_not(&n->rule.arms[1].pats[0], v, true, false, NULL, buf, sizeof buf);
    assert_string_equal(buf, "= 84.5% is not in 85%..<100%");
    explain_why_not(&n->rule.arms[0].pats[0], v, true, false, NULL, buf, sizeof buf);
    assert_string_equal(buf, "= 84.5% is not 100%");
    /* without the percent hint the value is the plain fraction; the bounds stay as written */
    explain_why_not(&n->rule.arms[1].pats[0], v, false, false, NULL, buf, sizeof buf);
    assert_string_equal(buf, "= 0.845 is not in 85%..<100%");
    const node *d = f->rs->nodes[test_node_id(f->rs, "1.2")];
    explain_why_not(&d->rule.arms[1].pats[0], dec_from_int(45), false, false, NULL, buf, sizeof buf);
    assert_string_equal(buf, "= 45 is not in 1..30");
    const node *c = f->rs->nodes[test_node_id(f->rs, "1.1")];
    const fact_decl *tt = &f->rs->facts[test_fact(f->rs, "tt")];
    explain_why_not(&c->rule.arms[0].pats[0], dec_from_int(2), false, false, tt, buf, sizeof buf);
    assert_string_equal(buf, "is khong, not du");
    /* cut short: never inside a UTF-8 sequence, the length needed returned */
    size_t need = explain_why_not(&n->rule.arms[1].pats[0], v, true, false, NULL, buf, 6);
    assert_int_equal(need, strlen("= 84.5% is not in 85%..<100%"));
    assert_string_equal(buf, "= 84.");
    done(f);
}

/* Not-applicable clauses: the node's own, an ancestor's that decided, every ancestor's for the
 * first node of a selection, a condition that cannot be told. */
static void na_tracing(void **state) {
    (void)state;
    fixture *f = load(RULES);
    base_facts(f);
    set(f, "co_tthc", "không");
    run(f, NULL);
    /* area 2: its own clause applies: excluded */
    json_t *n2 = jnode(f, "2");
    assert_string_equal(str(n2, "status"), "excluded");
    json_t *c = json_array_get(json_object_get(n2, "not_applicable"), 0);
    assert_string_equal(str(c, "clause"), "not applicable unless co_tthc");
    assert_string_equal(str(c, "kind"), "excluded");
    assert_true(json_is_true(json_object_get(c, "applies")));
    assert_false(json_is_true(json_object_get(c, "ancestor")));
    assert_string_equal(str(json_object_get(c, "condition"), "shown"), "false");
    assert_null(json_object_get(n2, "rule"));
    /* 2.1: decided by its ancestor 2, named; its rule not used, so only co_tthc was read */
    json_t *n21 = jnode(f, "2.1");
    assert_string_equal(str(n21, "status"), "excluded");
    assert_string_equal(str(json_object_get(n21, "decided_by"), "node"), "2");
    assert_true(json_is_true(json_object_get(json_object_get(n21, "decided_by"), "ancestor")));
    c = json_array_get(json_object_get(n21, "not_applicable"), 0);
    assert_string_equal(str(c, "node"), "2");
    assert_true(json_is_true(json_object_get(c, "ancestor")));
    assert_true(json_is_true(json_object_get(c, "applies")));
    assert_null(json_object_get(n21, "rule"));
    json_t *facts = json_object_get(n21, "facts");
    assert_int_equal(json_array_size(facts), 1);
    assert_string_equal(str(json_array_get(facts, 0), "name"), "co_tthc");
    assert_string_equal(str(json_array_get(facts, 0), "shown"), "không");
    /* the total: area 2's maximum 4 taken out: 8 - 4 = 4 */
    json_t *t = json_object_get(f->j, "total");
    assert_string_equal(str(t, "max"), "4");
    assert_string_equal(str(json_array_get(json_object_get(t, "reductions"), 0), "code"), "2");

    /* a fixed score: not phat_sinh holds -> 0.5 */
    set(f, "phat_sinh", "không");
    run(f, NULL);
    json_t *n12 = jnode(f, "1.2");
    assert_string_equal(str(n12, "status"), "fixed");
    c = json_array_get(json_object_get(n12, "not_applicable"), 0);
    assert_string_equal(str(c, "kind"), "fixed");
    assert_true(json_is_true(json_object_get(c, "applies")));
    assert_string_equal(str(json_object_get(c, "value"), "shown"), "0.5");
    assert_string_equal(str(json_object_get(c, "condition"), "substituted"), "not false");

    /* the first node of a selection shows its ancestors' clauses tried, even when they did not
     * apply; the rule is then explained */
    set(f, "co_tthc", "có");
    run(f, "2.1");
    assert_int_equal(json_array_size(json_object_get(f->j, "nodes")), 1);
    assert_null(json_object_get(f->j, "total"));
    n21 = jnode(f, "2.1");
    c = json_array_get(json_object_get(n21, "not_applicable"), 0);
    assert_string_equal(str(c, "node"), "2");
    assert_true(json_is_false(json_object_get(c, "applies")));
    assert_null(json_object_get(n21, "decided_by"));
    assert_non_null(json_object_get(n21, "rule"));
    assert_string_equal(str(json_array_get(json_object_get(n21, "facts"), 0), "name"), "co_tthc");

    /* a condition that cannot be told: the node and everything below it are missing */
    set(f, "co_tthc", NULL);
    run(f, NULL);
    c = json_array_get(json_object_get(jnode(f, "2"), "not_applicable"), 0);
    assert_true(json_is_null(json_object_get(c, "applies")));
    assert_string_equal(str(json_object_get(c, "condition"), "problem"), "fact co_tthc is missing");
    assert_string_equal(str(jnode(f, "2.1"), "status"), "missing");
    assert_string_equal(str(json_object_get(jnode(f, "2.1"), "decided_by"), "node"), "2");
    assert_string_equal(str(json_array_get(json_object_get(jnode(f, "2.1"), "facts"), 0), "state"), "missing");
    done(f);
}

static void values_written_back(void **state) {
    (void)state;
    fixture *f = load(RULES);
    char buf[128];
    dec_t v = {169, 200};
    explain_format_value(v, TY_NUM, true, NULL, buf, sizeof buf);
    assert_string_equal(buf, "84.5%");
    v = (dec_t){2, 3};
    explain_format_value(v, TY_NUM, false, NULL, buf, sizeof buf);
    assert_string_equal(buf, "0.666666… (= 2/3)");
    v = (dec_t){103, 105}; /* 412 / 420 */
    explain_format_value(v, TY_NUM, true, NULL, buf, sizeof buf);
    assert_string_equal(buf, "98.095238…% (= 103/105)");
    explain_format_value(dec_from_int(1), TY_BOOL, false, NULL, buf, sizeof buf);
    assert_string_equal(buf, "có");
    explain_format_value(dec_from_int(20062), TY_DATE, false, NULL, buf, sizeof buf);
    assert_string_equal(buf, "05/12/2024");
    explain_format_value(dec_from_int(0), TY_CHOICE, false, &f->rs->facts[test_fact(f->rs, "tt")], buf, sizeof buf);
    assert_string_equal(buf, "du (Đúng, đủ)");
    explain_format_value(dec_from_int(-3), TY_NUM, false, NULL, buf, sizeof buf);
    assert_string_equal(buf, "-3");
    done(f);
}

/* Clamping and rounding: 3 / 2 = 1.5 above the maximum 1 -> 1; 2 / 3 -> 0.67 (round 2, half up). */
static void clamp_and_round(void **state) {
    (void)state;
    fixture *f = load("ruleset \"t\" { year 2024 round 2 }\n"
                      "fact x: count \"X\"\n"
                      "fact y: count \"Y\"\n"
                      "area 1 \"A\" max 1 { criterion 1.1 \"K\" max 1 { score x / y } }\n");
    set(f, "x", "3");
    set(f, "y", "2");
    run(f, "1.1");
    json_t *n = jnode(f, "1.1");
    assert_string_equal(str(n, "status"), "clamped");
    json_t *c = json_object_get(n, "clamp");
    assert_string_equal(str(c, "from"), "1.5");
    assert_string_equal(str(c, "to"), "1");
    assert_string_equal(str(c, "bound"), "maximum");
    assert_null(json_object_get(n, "round"));
    json_t *fo = json_object_get(json_object_get(n, "rule"), "formula");
    assert_string_equal(str(fo, "expression"), "x / y");
    assert_string_equal(str(fo, "substituted"), "3 / 2");
    assert_string_equal(str(fo, "shown"), "1.5");
    set(f, "x", "2");
    set(f, "y", "3");
    run(f, "1.1");
    n = jnode(f, "1.1");
    assert_null(json_object_get(n, "clamp"));
    json_t *r = json_object_get(n, "round");
    assert_string_equal(str(r, "from"), "2/3");
    assert_string_equal(str(r, "from_shown"), "0.666666… (= 2/3)");
    assert_string_equal(str(r, "to"), "0.67");
    assert_int_equal(json_integer_value(json_object_get(r, "places")), 2);
    assert_string_equal(str(r, "mode"), "half_up");
    set(f, "y", "0");
    run(f, "1.1");
    n = jnode(f, "1.1");
    assert_string_equal(str(n, "status"), "error");
    assert_string_equal(str(n, "problem"), "division by zero at t.chiso:4:54");
    done(f);
}

/* Bands inside a function (a library's "100%: tối đa; dưới 100%: 0"): explained with the
 * arguments' values put in for the parameters, named as the function writes them. */
static void bands_in_functions(void **state) {
    (void)state;
    fixture *f = load("ruleset \"t\" { year 2024 }\n"
                      "fact x: count \"X\"\n"
                      "fact y: count \"Y\"\n"
                      "def hai_muc(t: percent, d) = match t { 100% => d; 0%..<100% => 0 }\n"
                      "def ba_muc(t: percent, d, g) = match t { 100% => d; 0%..<100% => if t >= 85% then g else 0 }\n"
                      "area 1 \"A\" max 6 {\n"
                      "  criterion 1.1 \"K\" max 4 { let Z = x / y * 100%\n score hai_muc(Z, 4) }\n"
                      "  criterion 1.2 \"L\" max 2 { score ba_muc(x / y, 2, 1) }\n"
                      "}\n");
    set(f, "x", "169");
    set(f, "y", "200"); /* Z = 84.5% */
    run(f, NULL);
    json_t *m = json_array_get(json_object_get(jnode(f, "1.1"), "matches"), 0);
    assert_non_null(m);
    assert_string_equal(str(m, "in"), "hai_muc(Z, 4)");
    assert_string_equal(str(json_object_get(m, "subject"), "expression"), "t");
    assert_string_equal(str(json_object_get(m, "subject"), "shown"), "84.5%");
    json_t *arms = json_object_get(m, "arms");
    assert_string_equal(str(json_array_get(arms, 0), "text"), "100% => d");
    assert_string_equal(str(json_array_get(arms, 0), "why"), "t = 84.5% is not 100%");
    assert_string_equal(str(json_array_get(arms, 1), "outcome"), "matches");
    assert_string_equal(str(json_object_get(json_array_get(arms, 1), "result"), "shown"), "0");
    json_t *v = json_array_get(json_object_get(jnode(f, "1.1"), "values"), 1);
    assert_string_equal(str(v, "kind"), "call");
    assert_string_equal(str(v, "substituted"), "hai_muc(84.5%, 4)");
    assert_string_equal(str(v, "definition"), "hai_muc(t, d) = match t { 100% => d; 0%..<100% => 0 }");
    /* an `if` inside the matching arm, with the values put in: 84.5% < 85% -> 0 */
    m = json_array_get(json_object_get(jnode(f, "1.2"), "matches"), 0);
    json_t *res = json_object_get(json_array_get(json_object_get(m, "arms"), 1), "result");
    assert_string_equal(str(res, "expression"), "if t >= 85% then g else 0");
    assert_string_equal(str(res, "substituted"), "if 84.5% >= 85% then 1 else 0");
    assert_string_equal(str(res, "shown"), "0");
    /* the facts the arguments read */
    assert_string_equal(str(json_array_get(json_object_get(jnode(f, "1.2"), "facts"), 1), "name"), "y");
    /* an argument without a value: the call is missing, its body is not explained */
    set(f, "y", NULL);
    run(f, NULL);
    assert_int_equal(json_array_size(json_object_get(jnode(f, "1.1"), "matches")), 0);
    assert_string_equal(str(jnode(f, "1.1"), "problem"), "fact y is missing");
    done(f);
}

/* The text written from the object: the band lines, aligned on the widest arm. */
static void text_output(void **state) {
    (void)state;
    fixture *f = load(RULES);
    base_facts(f);
    run(f, "2.1");
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    assert_non_null(mem);
    assert_int_equal(explain_write_text(mem, f->j), 0);
    fclose(mem);
    const char *want =
        "Phòng A\n"
        "\n"
        "2.1  Hồ sơ đúng hạn\n"
        "  score 0 of 4 (scored)\n"
        "  not applicable:\n"
        "    2 (ancestor): not applicable unless co_tthc\n"
        "      co_tthc is true: does not apply\n"
        "  facts:\n"
        "    co_tthc = có  a.csv:2, column 2\n"
        "    x = 169       a.csv:2, column 4\n"
        "    y = 200       a.csv:2, column 5\n"
        "  values:\n"
        "    let Z = x / y * 100% = 169 / 200 * 100% = 84.5%\n"
        "  bands on Z = 84.5%:\n"
        "    1. 100% => 4        no: Z = 84.5% is not 100%\n"
        "    2. 85%..<100% => 2  no: Z = 84.5% is not in 85%..<100%\n"
        "    3. < 85% => 0       matches: 0\n";
    assert_string_equal(buf, want);
    free(buf);
    done(f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(why_not_bands),
        cmocka_unit_test(why_not_patterns),
        cmocka_unit_test(na_tracing),
        cmocka_unit_test(values_written_back),
        cmocka_unit_test(clamp_and_round),
        cmocka_unit_test(bands_in_functions),
        cmocka_unit_test(text_output),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
