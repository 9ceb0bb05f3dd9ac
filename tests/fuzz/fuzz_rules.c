/* Fuzz target (a): the rule-file front end. The input is a rule file: scanner, parser, checker
 * (names, types, bands, the auditor's warnings), all through load_rules_buffer. When it loads,
 * the evaluator runs it once with every fact missing and once per `test` block of the file (their
 * `given` facts), so fuzzed literals, formulas and bands reach eval.c and decimal.c too. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "eval.h"
#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    fuzz_quiet_stdin();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    diag_sink *d = diag_sink_new(fuzz_out());
    if (!d) return 0;
    ruleset *rs = load_rules_buffer("fuzz.chiso", (const char *)data, size, d);
    if (rs) {
        eval_state *st = eval_new(rs);
        node_result *res = calloc((size_t)rs->n_nodes + 1, sizeof *res);
        fact_value *none = calloc((size_t)rs->n_facts + 1, sizeof *none);
        if (st && res && none) {
            unit_total tot;
            eval_unit(st, none, res, &tot);
            for (int i = 0; i < rs->n_tests; i++)
                if (rs->tests[i].facts) eval_unit(st, rs->tests[i].facts, res, &tot);
        }
        free(none);
        free(res);
        eval_free(st);
        ruleset_free(rs);
    }
    diag_sink_free(d);
    return 0;
}
