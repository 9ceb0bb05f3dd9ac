/* Fuzz target (b) and (d): the CSV fact reader and the evaluator fed with what it reads. The input
 * is a fact sheet or a batch table, read with the facts of rules/ba-dinh-2024.chiso (bool, count,
 * percent and choice facts with labels, 47 in all); every unit read is scored with eval_unit. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "eval.h"
#include "facts.h"
#include "fuzz_common.h"

static ruleset *rs;
static eval_state *st;
static node_result *res;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    fuzz_quiet_stdin();
    rs = fuzz_load_repo_rules("rules/ba-dinh-2024.chiso");
    st = eval_new(rs);
    res = calloc((size_t)rs->n_nodes, sizeof *res);
    if (!st || !res) abort();
    return 0;
}

static int on_unit(void *ud, const char *unit, const fact_value *values) {
    (void)ud;
    if (!unit) abort(); /* the reader promises a name */
    for (int i = 0; i < rs->n_facts; i++)
        if (values[i].state > FV_BAD) abort();
    unit_total tot;
    eval_unit(st, values, res, &tot);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    diag_sink *d = diag_sink_new(fuzz_out());
    if (!d) return 0;
    facts_opts fo = {rs->specs, rs->n_facts, on_unit, NULL, d};
    facts_read_buffer("fuzz.csv", (const char *)data, size, &fo);
    diag_sink_free(d);
    return 0;
}
