/* Fuzz target (c): the published-table reader. The input is a published appraisal table, read
 * with table_read_buffer; every unit column is handed to the evaluator through
 * table_for_each_unit with rules/quang-binh-huyen.chiso (106 `score given` leaves), the tree
 * queries (parent, leaf, duplicate, decimals, find) run over every row, and the table is
 * audited against the rule set (audit_run, written as text to nowhere). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "audit.h"
#include "eval.h"
#include "fuzz_common.h"
#include "table.h"

static ruleset *rs;
static eval_state *st;
static node_result *res;
static const char **codes;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    fuzz_quiet_stdin();
    rs = fuzz_load_repo_rules("rules/quang-binh-huyen.chiso");
    st = eval_new(rs);
    res = calloc((size_t)rs->n_nodes, sizeof *res);
    codes = calloc((size_t)rs->n_nodes, sizeof *codes);
    if (!st || !res || !codes) abort();
    for (int i = 0; i < rs->n_nodes; i++) codes[i] = rs->nodes[i]->code;
    return 0;
}

static int on_unit(void *ud, const char *unit, const fact_value *values) {
    (void)ud;
    if (!unit) abort();
    unit_total tot;
    eval_unit(st, values, res, &tot);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    diag_sink *d = diag_sink_new(fuzz_out());
    if (!d) return 0;
    pub_table *t = table_read_buffer("fuzz.csv", (const char *)data, size, d);
    if (t) {
        facts_opts fo = {rs->specs, rs->n_facts, on_unit, NULL, d};
        table_for_each_unit(t, &fo, codes, rs->n_nodes);
        for (int i = 0; i < t->n_rows; i++) {
            int p = table_parent(t, i);
            if (p < -1 || p >= t->n_rows) abort();
            (void)table_is_leaf(t, i);
            (void)table_is_duplicate(t, i);
            if (t->rows[i].code && !table_find(t, t->rows[i].code)) abort();
        }
        (void)table_decimals(t);
        audit_result *ar = audit_run(rs, t);
        if (ar) audit_write(fuzz_out(), ar, rs, t, REPORT_TEXT);
        audit_free(ar);
        table_free(t);
    }
    diag_sink_free(d);
    return 0;
}
