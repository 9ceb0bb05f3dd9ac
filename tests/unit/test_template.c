/* Fact sheet templates: which node each fact is listed under, the guidance text, and the CSV
 * read back by the fact reader (empty: every fact missing; filled: every fact read). */
#define _POSIX_C_SOURCE 200809L /* open_memstream, mkstemp */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "facts.h"
#include "load.h"
#include "template.h"

/* Every way a rule reaches a fact:
 *   area 1's na clause reads co_tthc, and 3 reads it again (listed under 1, "cũng dùng cho 3");
 *   1.1 reads x and y only through the let Z declared on its parent 1 (so under 1.1, not 1);
 *   1.2 reads ty_le through the def d, a function call f(ty_le) and a match inside f's body;
 *   2.1 reads tt through the subject of its bands and ty_le again (through d: "cũng dùng cho");
 *   2.2 reads a and b in the conditions of its parts, and ngay in a part's points;
 *   3 is a given score (fact "3") with an na clause on co_tthc;
 *   bonus 4 reads so_nv through min(...) and an if;
 *   unused is declared and never read; only_let is read only by a let nobody uses. */
static const char RULES[] =
    "ruleset \"Mẫu\" { year 2024 }\n"
    "fact co_tthc: bool \"Có TTHC\"\n"
    "fact x: count \"X: hồ sơ đúng hạn\"\n"
    "fact y: count \"Y: tổng số hồ sơ\" in 0..1000\n"
    "fact ty_le: percent \"Tỷ lệ\" in 50%..100%\n"
    "fact tt: choice \"Tuyên truyền\" { du \"Đúng, đủ\" thieu \"Thiếu\" khong }\n"
    "fact a: bool \"Đúng hạn\"\n"
    "fact b: bool \"Đạt chất lượng\"\n"
    "fact ngay: date \"Ngày gửi\" in 2024-01-01..2024-12-31\n"
    "fact so_nv: number \"Số nhiệm vụ\"\n"
    "fact unused: count \"Không dùng\"\n"
    "fact only_let: count \"Chỉ trong let không dùng\"\n"
    "def f(t) = match t { >= 90% => 1; else => 0 }\n"
    "def d = f(ty_le)\n"
    "area 1 \"Một\" max 2 {\n"
    "  not applicable unless co_tthc\n"
    "  let Z = x / y\n"
    "  let W = only_let\n"
    "  criterion 1.1 \"Hồ sơ\" max 1 { score by Z { 1 => 1; else => 0 } }\n"
    "  criterion 1.2 \"Kế hoạch\" max 1 { score d }\n"
    "}\n"
    "area 2 \"Hai\" max 2 {\n"
    "  criterion 2.1 \"Tuyên truyền\" max 1 {\n"
    "    score by tt { du => d; thieu => 0.5; khong => 0 }\n"
    "  }\n"
    "  criterion 2.2 \"Báo cáo\" max 1 {\n"
    "    score sum { a => 0.5; b => if ngay <= 2024-12-01 then 0.5 else 0 }\n"
    "  }\n"
    "}\n"
    "area 3 \"Công khai\" max 1 { not applicable unless co_tthc => max\n score given }\n"
    "bonus 4 \"Nhiệm vụ\" range -1..1 { score min(so_nv, 1) }\n";

typedef struct {
    ruleset *rs;
    tpl_plan *p;
    diag_sink *d;
} fixture;

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    f->d = diag_sink_new(stderr);
    diag_sink_hide_warnings(f->d, true); /* the unused facts */
    f->rs = load_rules_buffer("t.chiso", RULES, strlen(RULES), f->d);
    if (!f->rs) return -1;
    f->p = tpl_plan_new(f->rs);
    if (!f->p) return -1;
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    tpl_plan_free(f->p);
    ruleset_free(f->rs);
    diag_sink_free(f->d);
    free(f);
    return 0;
}

static const char *fact_of(const fixture *f, int i) { return f->rs->facts[f->p->entries[i].fact].name; }
static const char *group_of(const fixture *f, int i) { return f->rs->nodes[f->p->entries[i].node]->code; }

static int entry(const fixture *f, const char *name) {
    for (int i = 0; i < f->p->n_entries; i++)
        if (strcmp(fact_of(f, i), name) == 0) return i;
    fail_msg("no entry for %s", name);
    return -1;
}

/* The order of the sheet and each fact's group: tree order of the first node that needs it,
 * then the order in which that node reaches it (na clauses, then the rule). */
static void test_groups(void **state) {
    fixture *f = *state;
    static const char *const want[][2] = {
        {"co_tthc", "1"}, {"x", "1.1"}, {"y", "1.1"}, {"ty_le", "1.2"}, {"tt", "2.1"},
        {"a", "2.2"}, {"b", "2.2"}, {"ngay", "2.2"}, {"3", "3"}, {"so_nv", "4"},
    };
    int n = (int)(sizeof want / sizeof *want);
    assert_int_equal(f->p->n_entries, n);
    for (int i = 0; i < n; i++) {
        assert_string_equal(fact_of(f, i), want[i][0]);
        assert_string_equal(group_of(f, i), want[i][1]);
    }
}

/* A fact needed by several nodes names the later ones, in tree order. */
static void test_also(void **state) {
    fixture *f = *state;
    const tpl_entry *e = &f->p->entries[entry(f, "co_tthc")];
    assert_int_equal(e->n_also, 1);
    assert_string_equal(f->rs->nodes[e->also[0]]->code, "3");
    e = &f->p->entries[entry(f, "ty_le")];
    assert_int_equal(e->n_also, 1); /* 2.1 through the def d in an arm's result */
    assert_string_equal(f->rs->nodes[e->also[0]]->code, "2.1");
    assert_int_equal(f->p->entries[entry(f, "x")].n_also, 0);
}

/* Declared but needed by no node: never read, or read only by a let no rule uses. */
static void test_unneeded(void **state) {
    fixture *f = *state;
    assert_int_equal(f->p->n_unneeded, 2);
    assert_string_equal(f->rs->facts[f->p->unneeded[0]].name, "unused");
    assert_string_equal(f->rs->facts[f->p->unneeded[1]].name, "only_let");
}

static void assert_note(const fixture *f, const char *fact, const char *want) {
    char *s = tpl_note(f->p, entry(f, fact));
    assert_non_null(s);
    assert_string_equal(s, want);
    free(s);
}

static void test_notes(void **state) {
    fixture *f = *state;
    assert_note(f, "co_tthc", "1 Một: có / không — Có TTHC (cũng dùng cho 3)");
    assert_note(f, "y", "1.1 Hồ sơ: số đếm (0, 1, 2…), từ 0 đến 1000 — Y: tổng số hồ sơ");
    assert_note(f, "ty_le", "1.2 Kế hoạch: tỷ lệ % (ví dụ 85%), từ 50% đến 100% — Tỷ lệ (cũng dùng cho 2.1)");
    /* an option without a label is its name alone; a description that only repeats the node's
     * title is left out */
    assert_note(f, "tt", "2.1 Tuyên truyền: du = Đúng, đủ | thieu = Thiếu | khong");
    assert_note(f, "ngay", "2.2 Báo cáo: ngày dd/mm/yyyy, từ 01/01/2024 đến 31/12/2024 — Ngày gửi");
    /* a given score: its description is the node's title, not repeated */
    assert_note(f, "3", "3 Công khai: điểm (tối đa 1)");
    assert_note(f, "so_nv", "4 Nhiệm vụ: số (ví dụ 0,5) — Số nhiệm vụ");
}

static void test_allowed_and_kind(void **state) {
    fixture *f = *state;
    char *s = tpl_allowed(f->p, entry(f, "tt"));
    assert_string_equal(s, "du = Đúng, đủ\nthieu = Thiếu\nkhong");
    free(s);
    s = tpl_allowed(f->p, entry(f, "ty_le"));
    assert_string_equal(s, "ví dụ 85%\ntừ 50% đến 100%");
    free(s);
    s = tpl_allowed(f->p, entry(f, "3"));
    assert_string_equal(s, "tối đa 1");
    free(s);
    assert_string_equal(tpl_kind(f->p, entry(f, "3")), "điểm");
    assert_string_equal(tpl_kind(f->p, entry(f, "a")), "có/không");
    assert_string_equal(tpl_kind(f->p, entry(f, "x")), "số đếm");
}

/* ---- the CSV read back by the fact reader */

typedef struct {
    int units, n_facts;
    char unit[64];
    fact_value v[16];
} got_t;

static int on_unit(void *ud, const char *unit, const fact_value *values) {
    got_t *g = ud;
    g->units++;
    snprintf(g->unit, sizeof g->unit, "%s", unit);
    return 0;
    (void)values;
}

static int on_unit_keep(void *ud, const char *unit, const fact_value *values) {
    got_t *g = ud;
    on_unit(ud, unit, values);
    memcpy(g->v, values, (size_t)g->n_facts * sizeof *values);
    return 0;
}

static char *write_csv(const fixture *f, tpl_layout layout, bool bom, size_t *len) {
    char *buf = NULL;
    FILE *mem = open_memstream(&buf, len);
    assert_non_null(mem);
    assert_int_equal(tpl_write_csv(f->p, layout, bom, mem), 0);
    fclose(mem);
    return buf;
}

/* Read the text as a fact sheet; returns the number of errors (warnings counted in *warnings). */
static int read_back(const fixture *f, const char *csv, size_t len, got_t *g, int *warnings) {
    assert_true(f->rs->n_facts <= 16);
    g->n_facts = f->rs->n_facts;
    diag_sink *d = diag_sink_new(stderr);
    diag_sink_hide_warnings(d, true);
    facts_opts o = {f->rs->specs, f->rs->n_facts, on_unit_keep, g, d};
    assert_int_equal(facts_read_buffer("phong.csv", csv, len, &o), 0);
    int errors = diag_errors(d);
    *warnings = diag_warnings(d);
    diag_sink_free(d);
    return errors;
}

/* Empty, the sheet is one unit (named after the file) with every fact missing and no error;
 * the one warning is the unit row left empty. */
static void test_csv_empty_reads_back(void **state) {
    fixture *f = *state;
    size_t len;
    char *csv = write_csv(f, TPL_SHEET, true, &len);
    static const char head[] = "\xEF\xBB\xBF" "fact,value,note\nunit,,Tên đơn vị được chấm điểm — Mẫu\n";
    assert_true(len > sizeof head - 1);
    assert_memory_equal(csv, head, sizeof head - 1);
    got_t g;
    memset(&g, 0, sizeof g);
    int warnings;
    assert_int_equal(read_back(f, csv, len, &g, &warnings), 0);
    assert_int_equal(warnings, 1);
    assert_int_equal(g.units, 1);
    assert_string_equal(g.unit, "phong");
    for (int i = 0; i < f->rs->n_facts; i++) assert_int_equal(g.v[i].state, FV_MISSING);
    free(csv);
}

/* Filled in (the value typed between the two commas of each row), every listed fact is read. */
static void test_csv_filled_reads_back(void **state) {
    fixture *f = *state;
    static const char *const values[][2] = {
        {"unit", "Phòng Nội vụ"}, {"co_tthc", "có"}, {"x", "17"}, {"y", "20"}, {"ty_le", "\"92,5%\""},
        {"tt", "Thiếu"}, {"a", "không"}, {"b", "x"}, {"ngay", "28/11/2024"}, {"3", "\"0,5\""},
        {"so_nv", "-1"},
    };
    size_t len;
    char *csv = write_csv(f, TPL_SHEET, false, &len);
    char *filled = NULL;
    size_t flen;
    FILE *mem = open_memstream(&filled, &flen);
    for (char *line = csv, *next; *line; line = next) {
        next = strchr(line, '\n') + 1;
        const char *comma = strstr(line, ",,");
        assert_non_null(comma);
        bool done = false;
        for (size_t k = 0; k < sizeof values / sizeof *values && !done; k++) {
            size_t n = strlen(values[k][0]);
            if ((size_t)(comma - line) == n && strncmp(line, values[k][0], n) == 0) {
                fprintf(mem, "%s,%s,%.*s", values[k][0], values[k][1], (int)(next - comma - 2), comma + 2);
                done = true;
            }
        }
        if (!done) fwrite(line, 1, (size_t)(next - line), mem); /* the header */
    }
    fclose(mem);
    got_t g;
    memset(&g, 0, sizeof g);
    int warnings;
    assert_int_equal(read_back(f, filled, flen, &g, &warnings), 0);
    assert_int_equal(warnings, 0);
    assert_string_equal(g.unit, "Phòng Nội vụ");
    for (int i = 0; i < f->p->n_entries; i++) assert_int_equal(g.v[f->p->entries[i].fact].state, FV_OK);
    const fact_value *ty = &g.v[f->p->entries[entry(f, "ty_le")].fact];
    assert_int_equal(ty->num.num, 37); /* 92,5% = 37/40 */
    assert_int_equal(ty->num.den, 40);
    free(csv);
    free(filled);
}

/* The batch layout is the header alone; the reader takes it as a batch table with no unit. */
static void test_csv_batch(void **state) {
    fixture *f = *state;
    size_t len;
    char *csv = write_csv(f, TPL_BATCH, false, &len);
    assert_string_equal(csv, "unit,co_tthc,x,y,ty_le,tt,a,b,ngay,3,so_nv\n");
    got_t g;
    memset(&g, 0, sizeof g);
    int warnings;
    assert_int_equal(read_back(f, csv, len, &g, &warnings), 0);
    assert_int_equal(warnings, 0);
    assert_int_equal(g.units, 0);
    free(csv);
}

static void test_xlsx_written(void **state) {
    fixture *f = *state;
    char path[] = "/tmp/chiso_template_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(tpl_write_xlsx(f->p, path), 0);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    char magic[2] = {0};
    assert_int_equal(fread(magic, 1, 2, fp), 2);
    fclose(fp);
    assert_memory_equal(magic, "PK", 2); /* a zip: the workbook */
    remove(path);
    assert_int_equal(tpl_write_xlsx(f->p, "/nonexistent-dir/t.xlsx"), -1);
}

/* A rule set whose rules need no fact: a sheet with only its unit row, a batch header `unit`. */
static void test_no_facts(void **state) {
    (void)state;
    static const char text[] = "area 1 \"Một\" max 1 { score 1 }\n";
    diag_sink *d = diag_sink_new(stderr);
    diag_sink_hide_warnings(d, true);
    ruleset *rs = load_rules_buffer("n.chiso", text, strlen(text), d);
    assert_non_null(rs);
    tpl_plan *p = tpl_plan_new(rs);
    assert_non_null(p);
    assert_int_equal(p->n_entries, 0);
    char *buf = NULL;
    size_t len;
    FILE *mem = open_memstream(&buf, &len);
    assert_int_equal(tpl_write_csv(p, TPL_SHEET, false, mem), 0);
    assert_int_equal(tpl_write_csv(p, TPL_BATCH, false, mem), 0);
    fclose(mem);
    assert_string_equal(buf, "fact,value,note\nunit,,Tên đơn vị được chấm điểm\nunit\n");
    free(buf);
    tpl_plan_free(p);
    ruleset_free(rs);
    diag_sink_free(d);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_groups),
        cmocka_unit_test(test_also),
        cmocka_unit_test(test_unneeded),
        cmocka_unit_test(test_notes),
        cmocka_unit_test(test_allowed_and_kind),
        cmocka_unit_test(test_csv_empty_reads_back),
        cmocka_unit_test(test_csv_filled_reads_back),
        cmocka_unit_test(test_csv_batch),
        cmocka_unit_test(test_xlsx_written),
        cmocka_unit_test(test_no_facts),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
