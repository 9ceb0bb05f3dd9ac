/* chiso check RULES: parse, resolve, type-check and audit a rule file. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_args.h"
#include "help_vi.h"
#include "diag.h"
#include "load.h"

void cmd_check_help(void) {
    if (help_vi_print("check", stdout)) return;
    fputs("Usage: chiso check RULES\n"
          "\n"
          "Parses the rule file and the files it imports, resolves every name, checks types, and\n"
          "reports (as file:line:col: error|warning: ... with the source line and a caret):\n"
          "  errors    syntax errors, unknown names (with \"did you mean\"), type errors, a leaf\n"
          "            without a rule, duplicate facts, empty ranges, import cycles\n"
          "  warnings  children's maxima not adding up to the parent's maximum; areas not adding\n"
          "            up to the rule set's 'max'; a band result above the maximum; a maximum no\n"
          "            band or combination of parts can reach; duplicate codes; codes that do not\n"
          "            nest; arms after 'else'; facts declared but never used\n"
          "\n"
          "On success it prints a one-line summary to standard output.\n"
          "\n"
          "Exit codes: 0 no problem; 1 warnings only; 2 errors (or the file cannot be read).\n",
          stdout);
}

/* The English plural ending of a count's word; a Vietnamese word does not change. */
static const char *plural_s(int n) { return n == 1 || diag_default_lang() == DIAG_VI ? "" : "s"; }

int cmd_check(int argc, char **argv) {
    const char *path = NULL, *val;
    static const cli_opt opts[] = {{0, "-h", "--help", false}};
    cli_args args;
    cli_args_init(&args, "check", argc, argv);
    for (int k; (k = cli_next(&args, opts, 1, &val)) != CLI_END;) {
        if (k == CLI_BAD) return EXIT_FAILED;
        if (k == 0) {
            cmd_check_help();
            return EXIT_OK;
        }
        if (path) return cli_usage_error("check", "one rule file at a time ('%s' and '%s')", path, val);
        path = val;
    }
    if (!path) return cli_usage_error("check", "missing RULES");
    diag_sink *d = diag_sink_new(stderr);
    if (!d) return EXIT_FAILED;
    ruleset *rs = load_rules(path, d);
    int errors = diag_errors(d), warnings = diag_warnings(d);
    if (rs) {
        int leaves = 0;
        for (int i = 0; i < rs->n_nodes; i++) leaves += rs->nodes[i]->rule.kind != RULE_NONE;
        printf(diag_tr("%s: %d node%s (%d scored by a rule), %d fact%s, %d warning%s\n"), path, rs->n_nodes,
               plural_s(rs->n_nodes), leaves, rs->n_facts, plural_s(rs->n_facts), warnings, plural_s(warnings));
    } else {
        fprintf(stderr, diag_tr("%s: %d error%s, %d warning%s\n"), path, errors, plural_s(errors), warnings,
                plural_s(warnings));
    }
    ruleset_free(rs);
    diag_sink_free(d);
    return errors ? EXIT_FAILED : warnings ? EXIT_PROBLEMS : EXIT_OK;
}
