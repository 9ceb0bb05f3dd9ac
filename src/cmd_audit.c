/* chiso audit RULES TABLE: recompute a published appraisal table against a rule set's tree. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "cli.h"
#include "cli_args.h"
#include "outfile.h"
#include "diag.h"
#include "help_vi.h"
#include "load.h"
#include "table.h"

void cmd_audit_help(void) {
    if (help_vi_print("audit", stdout)) return;
    fputs("Usage: chiso audit [OPTIONS] RULES TABLE\n"
          "\n"
          "Checks a published appraisal table (bảng điểm thẩm định: one row per node, one column\n"
          "per unit, subtotals and a total row) against the tree of the rule file RULES, and lists\n"
          "every disagreement with the node's code, the unit, the published value, the recomputed\n"
          "value and the difference (published - recomputed), all exact decimals.\n"
          "\n"
          "TABLE (CSV): a header code,title,max,<unit>,<unit>... (also STT/Mã, Tiêu chí, Điểm tối\n"
          "đa...); one row per node with its code (1, 1.2, 7.2.6.1), title, maximum and one value\n"
          "per unit (0,5 or 0.5; a decimal comma needs a quoted cell); a final total row without a\n"
          "code whose title starts with Tổng/Total/Cộng. Rows without a code are unnumbered items\n"
          "or the continuation of a title; they are not audited.\n"
          "\n"
          "Findings (kind: what it means):\n"
          "  sum              a subtotal is not the sum of its children's published values (each\n"
          "                   parent is compared with its own children, so an error is reported\n"
          "                   once, where it is); the total row, not the sum of the areas'\n"
          "  rounding         the same, but the rule file's 'round N' explains the difference: the\n"
          "                   value equals the sum once rounded to N decimals, or differs by no more\n"
          "                   than rounding each value involved to N decimals can (half a unit of\n"
          "                   the last place each); labelled apart, still a disagreement\n"
          "  max              the table's maximum of a row is not the rule file's (the total row:\n"
          "                   not the sum of the areas' maxima)\n"
          "  max-sum          the table's maximum of a row is not the sum of its sub-rows' maxima\n"
          "                   in the table (rows without a maximum and bonus nodes do not count)\n"
          "  above-max        a leaf's value above its maximum (a bonus: above its range)\n"
          "  negative         a leaf's value below 0 (a bonus: below its range)\n"
          "  extra-code       a code in the table that is not in the rule file (or is repeated)\n"
          "  missing-code     a code of the rule file that is not in the table\n"
          "  duplicate-title  two rows with the same title (compared after NFC normalisation,\n"
          "                   ASCII case folding and collapsing whitespace)\n"
          "  empty            a row (or the total) without a value for a unit; it counts 0 in sums\n"
          "  rank             a unit whose rank by the published total (ties share a rank: 1, 2,\n"
          "                   2, 4) differs from its rank by the total recomputed from the leaves\n"
          "A parent the table lacks, or whose cell is empty, is recomputed from its children; a\n"
          "parent with a child that has neither a row nor children to recompute it from is not\n"
          "compared (the missing code is reported). Nodes scored by a rule of their own are leaves.\n"
          "Findings are listed in the rule file's node order, then the table's extra codes, the\n"
          "total row and the ranks; within a row, by unit column.\n"
          "\n"
          "Options:\n"
          "  -f, --format FMT   text (default: an aligned table and a summary line), csv (columns\n"
          "                     kind,code,unit,published,recomputed,difference,message), json\n"
          "                     (numbers as exact decimal strings)\n"
          "  -o, --output FILE  write there (written to a temporary name, then renamed)\n"
          "  -h, --help         this help\n"
          "\n"
          "Exit codes: 0 no disagreement; 1 some finding (rounding differences included) or a bad\n"
          "cell in the table; 2 could not run (errors in the rule file, bad usage, unreadable\n"
          "files).\n",
          stdout);
}

int cmd_audit(int argc, char **argv) {
    report_format format = REPORT_TEXT;
    const char *out_path = NULL, *rules = NULL, *table = NULL;
    enum { O_HELP, O_FORMAT, O_OUTPUT };
    static const cli_opt opts[] = {
        {O_HELP, "-h", "--help", false}, {O_FORMAT, "-f", "--format", true}, {O_OUTPUT, "-o", "--output", true},
    };
    cli_args args;
    cli_args_init(&args, "audit", argc, argv);
    const char *val;
    for (int k; (k = cli_next(&args, opts, sizeof opts / sizeof *opts, &val)) != CLI_END;) {
        switch (k) {
        case CLI_BAD: return EXIT_FAILED;
        case O_HELP: cmd_audit_help(); return EXIT_OK;
        case O_FORMAT:
            if (strcmp(val, "text") == 0) format = REPORT_TEXT;
            else if (strcmp(val, "csv") == 0) format = REPORT_CSV;
            else if (strcmp(val, "json") == 0) format = REPORT_JSON;
            else return cli_usage_error("audit", "unknown format '%s' (text, csv or json)", val);
            break;
        case O_OUTPUT: out_path = val; break;
        case CLI_OPERAND:
            if (!rules) rules = val;
            else if (!table) table = val;
            else return cli_usage_error("audit", "one table at a time ('%s' and '%s')", table, val);
            break;
        }
    }
    if (!rules || !table)
        return cli_usage_error("audit", "%s", !rules ? diag_tr("missing RULES and TABLE") : diag_tr("missing TABLE"));

    int rc = EXIT_FAILED;
    diag_sink *d = diag_sink_new(stderr);
    if (!d) return EXIT_FAILED;
    /* The rule file's warnings are check's business; the table's are shown. */
    diag_sink_hide_warnings(d, true);
    ruleset *rs = load_rules(rules, d);
    diag_sink_hide_warnings(d, false);
    pub_table *t = NULL;
    audit_result *res = NULL;
    outfile out = {NULL, NULL, NULL};
    if (!rs) goto done;
    if (rs->n_top == 0) { /* a library: nothing to score */
        fprintf(stderr, "%s: no criteria (a library? import it from a rule file)\n", rules);
        goto done;
    }
    int errors_before = diag_errors(d);
    t = table_read_file(table, d);
    if (!t) goto done;
    bool bad_cells = diag_errors(d) > errors_before;
    res = audit_run(rs, t);
    if (!res) {
        fprintf(stderr, "chiso audit: out of memory\n");
        goto done;
    }
    if (outfile_open(&out, out_path) != 0) goto done;
    bool write_error = audit_write(out.f, res, rs, t, format) != 0;
    if (outfile_close(&out, !write_error) != 0) write_error = true;
    if (write_error) {
        fprintf(stderr, "chiso audit: could not write the findings\n");
        goto done;
    }
    if (format != REPORT_TEXT || out_path) {
        char line[512];
        audit_summary(res, line, sizeof line);
        fprintf(stderr, "chiso audit: %s\n", line);
    }
    rc = (res->n > 0 || bad_cells) ? EXIT_PROBLEMS : EXIT_OK;

done:
    if (out.f) outfile_close(&out, false);
    audit_free(res);
    table_free(t);
    ruleset_free(rs);
    diag_sink_free(d);
    return rc;
}
