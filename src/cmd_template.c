/* chiso template RULES: the fact sheet an office fills in, generated from the rule file. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_args.h"
#include "diag.h"
#include "help_vi.h"
#include "load.h"
#include "outfile.h"
#include "template.h"

void cmd_template_help(void) {
    if (help_vi_print("template", stdout)) return;
    fputs("Usage: chiso template [OPTIONS] RULES\n"
          "\n"
          "Writes the fact sheet a unit fills in to be scored with the rule file RULES: every fact\n"
          "some criterion needs (in its 'not applicable' clauses or its rule, directly or through\n"
          "defs, functions and lets), once, under the first criterion in tree order that needs it,\n"
          "with its type, the values it accepts, its bounds and its description. A fact that several\n"
          "criteria need names the others (\"cũng dùng cho 2.1, 3.4\"). Facts that no criterion\n"
          "needs are left out (listed on standard error). A 'score given' criterion asks for its own\n"
          "score, named by its code.\n"
          "\n"
          "Options:\n"
          "  --layout LAYOUT    sheet (default): a per-unit sheet, rows fact,value,note: the header\n"
          "                     row, a 'unit' row for the unit's name, then one row per fact with\n"
          "                     the value empty and the guidance in the note, e.g.\n"
          "                       so_sang_kien,,\"1.3 Sáng kiến: số đếm (0, 1, 2…) — Số sáng kiến\"\n"
          "                     Typed in, the values make a sheet 'chiso eval' reads unchanged.\n"
          "                     batch: the header row of a batch table only (unit,<fact>,...):\n"
          "                     one row per unit goes under it; the guidance is in the sheet layout\n"
          "  -f, --format FMT   csv (default) or xlsx: a workbook for people, sheet \"Số liệu\" with\n"
          "                     columns Mã tiêu chí, Tiêu chí, Dữ kiện, Giá trị (the column to fill,\n"
          "                     highlighted, cells kept as text), Kiểu, Giá trị hợp lệ, Mô tả; a\n"
          "                     drop-down list on the value of every choice and bool fact (needs\n"
          "                     -o; the sheet layout only)\n"
          "  -o, --output FILE  write there (written to a temporary name, then renamed); default\n"
          "                     standard output\n"
          "  --bom              CSV: start with a UTF-8 byte order mark, so that Excel opening the\n"
          "                     file shows Vietnamese text correctly\n"
          "  -h, --help         this help\n"
          "\n"
          "Values the sheet accepts: 0,5 or 0.5; 85%; có/không; dd/mm/yyyy; an option's name or\n"
          "label. An empty value is a missing fact: eval scores what it can and reports the rest.\n"
          "\n"
          "Examples:\n"
          "  chiso template rules/ba-dinh-2024.chiso -o phong-noi-vu.csv\n"
          "      (fill in the value column, then: chiso eval rules/ba-dinh-2024.chiso phong-noi-vu.csv)\n"
          "  chiso template --layout batch rules/ba-dinh-2024.chiso -o batch.csv\n"
          "  chiso template -f xlsx rules/ba-dinh-2024.chiso -o mau-so-lieu.xlsx\n"
          "\n"
          "More in docs/template.md.\n"
          "\n"
          "Exit codes: 0 written; 2 could not run (errors in the rule file, bad usage, a file that\n"
          "cannot be written).\n",
          stdout);
}

/* Facts no criterion needs: said once, so that a person knows the sheet leaves them out. */
static void tell_unneeded(const tpl_plan *p) {
    if (p->n_unneeded == 0) return;
    fprintf(stderr, "chiso template: %d fact%s no criterion needs, left out:", p->n_unneeded,
            p->n_unneeded == 1 ? "" : "s");
    for (int i = 0; i < p->n_unneeded; i++)
        fprintf(stderr, "%s %s", i ? "," : "", p->rs->facts[p->unneeded[i]].name);
    fputc('\n', stderr);
}

int cmd_template(int argc, char **argv) {
    const char *rules = NULL, *out_path = NULL;
    tpl_layout layout = TPL_SHEET;
    bool xlsx = false, bom = false, layout_given = false;
    enum { O_HELP, O_LAYOUT, O_FORMAT, O_OUTPUT, O_BOM };
    static const cli_opt opts[] = {
        {O_HELP, "-h", "--help", false},    {O_LAYOUT, NULL, "--layout", true}, {O_FORMAT, "-f", "--format", true},
        {O_OUTPUT, "-o", "--output", true}, {O_BOM, NULL, "--bom", false},
    };
    cli_args args;
    cli_args_init(&args, "template", argc, argv);
    const char *val;
    for (int k; (k = cli_next(&args, opts, sizeof opts / sizeof *opts, &val)) != CLI_END;) {
        switch (k) {
        case CLI_BAD: return EXIT_FAILED;
        case O_HELP: cmd_template_help(); return EXIT_OK;
        case O_LAYOUT:
            if (strcmp(val, "sheet") == 0) layout = TPL_SHEET;
            else if (strcmp(val, "batch") == 0) layout = TPL_BATCH;
            else return cli_usage_error("template", "unknown layout '%s' (sheet or batch)", val);
            layout_given = true;
            break;
        case O_FORMAT:
            if (strcmp(val, "csv") == 0) xlsx = false;
            else if (strcmp(val, "xlsx") == 0) xlsx = true;
            else return cli_usage_error("template", "unknown format '%s' (csv or xlsx)", val);
            break;
        case O_OUTPUT: out_path = val; break;
        case O_BOM: bom = true; break;
        case CLI_OPERAND:
            if (rules) return cli_usage_error("template", "one rule file at a time ('%s' and '%s')", rules, val);
            rules = val;
            break;
        }
    }
    if (!rules) return cli_usage_error("template", "missing RULES");
    if (xlsx && (!out_path || strcmp(out_path, "-") == 0))
        return cli_usage_error("template",
                               "--format xlsx needs -o FILE.xlsx (a workbook is not written to standard output)");
    if (xlsx && layout_given && layout == TPL_BATCH)
        return cli_usage_error("template", "--layout batch is a CSV header row; the xlsx workbook is a sheet");

    int rc = EXIT_FAILED;
    diag_sink *d = diag_sink_new(stderr);
    /* The rule file's warnings are check's business, as in eval. */
    if (d) diag_sink_hide_warnings(d, true);
    ruleset *rs = d ? load_rules(rules, d) : NULL;
    tpl_plan *p = NULL;
    outfile out = {NULL, NULL, NULL};
    bool failed = false;
    if (!rs) goto done;
    p = tpl_plan_new(rs);
    if (!p) {
        fprintf(stderr, "chiso template: out of memory\n");
        goto done;
    }
    if (outfile_open(&out, out_path) != 0) goto done;
    if (xlsx) failed = tpl_write_xlsx(p, outfile_name(&out)) != 0; /* libxlsxwriter writes by name */
    else failed = tpl_write_csv(p, layout, bom, out.f) != 0;
    if (outfile_close(&out, !failed) != 0) failed = true;
    if (failed) {
        fprintf(stderr, "chiso template: could not write the template%s%s\n", out_path ? " to " : "",
                out_path ? out_path : "");
        goto done;
    }
    tell_unneeded(p);
    rc = EXIT_OK;

done:
    if (out.f) outfile_close(&out, false);
    tpl_plan_free(p);
    ruleset_free(rs);
    diag_sink_free(d);
    return rc;
}
