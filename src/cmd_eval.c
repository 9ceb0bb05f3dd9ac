/* chiso eval RULES FACTS...: score every unit of every fact sheet, streaming. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_args.h"
#include "help_vi.h"
#include "diag.h"
#include "batch.h"
#include "eval.h"
#include "facts.h"
#include "load.h"
#include "outfile.h"
#include "report.h"
#include "table.h"
#include "unitset.h"

void cmd_eval_help(void) {
    if (help_vi_print("eval", stdout)) return;
    fputs("Usage: chiso eval [OPTIONS] RULES FACTS...\n"
          "\n"
          "Scores every unit found in the FACTS files (CSV; - reads standard input) with the rule\n"
          "file RULES, and writes per unit every node's score, maximum, status and what decided it,\n"
          "then the total and the index; with several units, a ranking (ties share a rank).\n"
          "\n"
          "FACTS layouts (detected from the first row):\n"
          "  a sheet per unit   rows fact,value[,note]; a row 'unit,<name>' names the unit, else\n"
          "                     the file name does\n"
          "  a batch table      header unit,<fact>,<fact>,...; one row per unit (streamed)\n"
          "  a published table  header code,title,max,<unit>,<unit>... (or STT, Tiêu chí, Điểm tối\n"
          "                     đa...): one column per unit; each row's score is the given score of\n"
          "                     the node with its code (`score given`); subtotals are recomputed\n"
          "Values: 0,5 or 0.5; 85%; có/không, x, yes/no, true/false, 1/0; dd/mm/yyyy or yyyy-mm-dd;\n"
          "an option's name or label. An empty cell is a missing fact. A unit named twice is an\n"
          "error and its later row is ignored; to find those in a batch of more than 45,875 units,\n"
          "chiso keeps the older names (hashed, 16 bytes each) in a temporary file in /tmp.\n"
          "\n"
          "Options:\n"
          "  -f, --format FMT   text (default: a readable tree), csv (one row per unit and node),\n"
          "                     json, appendix (CSV laid out as a published table: one row per\n"
          "                     node, one column per unit), xlsx (a workbook: the appendix and a\n"
          "                     ranking sheet; needs -o). appendix and xlsx keep every unit's\n"
          "                     node scores until the end: meant for hundreds of units\n"
          "  -o, --output FILE  write there (written to a temporary name, then renamed)\n"
          "  --detail LEVEL     nodes (default) or total (one line per unit)\n"
          "  --no-rank          no ranking (no summary kept per unit: for very large batches)\n"
          "  -j, --jobs N       score on N threads (1 to 64; default 1): this one reads and writes,\n"
          "                     N - 1 more score; the output is the same, in the same order\n"
          "  --rank-by KEY      index (default) or total; ties share a rank (1, 2, 2, 4)\n"
          "  --width N          text: the width of a line (default 100)\n"
          "  -q, --quiet        do not list units that could not be fully scored\n"
          "  -h, --help         this help\n"
          "\n"
          "Statuses: scored, excluded (not applicable: out of score and maximum), full (not\n"
          "applicable: full marks), fixed (not applicable: a fixed score), missing (a fact it needs\n"
          "is missing or bad), error (division by zero, no band matches, overflow), clamped (the\n"
          "rule gave more than the maximum or less than 0).\n"
          "\n"
          "Exit codes: 0 every unit fully scored; 1 some unit not fully scored or a bad value in the\n"
          "facts (the other units' results are written all the same); 2 could not run.\n",
          stdout);
}

typedef struct {
    const ruleset *rs;
    batch *batch;
    diag_sink *d;
    const char *file; /* the facts file being read */
    unitset *seen;    /* several: the units of the files read so far */
    long duplicates;
    report *rep;
    node_result *res; /* the unit being delivered */
    bool quiet;
    long units, incomplete;
    int write_error;
} run;

/* A clamped score is kept (the rule file decides), but a person should hear of it: it usually
 * means a band or formula gives more than the guideline's maximum, or a fact is out of range. */
static void warn_clamped(const run *r, const char *unit) {
    for (int i = 0; i < r->rs->n_nodes; i++) {
        const node_result *nr = &r->res[i];
        if (nr->status != ST_CLAMPED) continue;
        const node *n = r->rs->nodes[i];
        char raw[DEC_FMT_MAX], lo[DEC_FMT_MAX], hi[DEC_FMT_MAX];
        dec_format(nr->raw, -1, raw, sizeof raw);
        if (n->kind == NODE_BONUS) {
            dec_format(n->range_lo, -1, lo, sizeof lo);
            dec_format(n->range_hi, -1, hi, sizeof hi);
            fprintf(stderr, "chiso: warning: unit '%s': %s gave %s, outside its range %s..%s; clamped\n",
                    unit, n->code, raw, lo, hi);
        } else {
            dec_format(nr->max, -1, hi, sizeof hi);
            fprintf(stderr, "chiso: warning: unit '%s': %s gave %s, outside 0..%s; clamped\n", unit,
                    n->code, raw, hi);
        }
    }
}

static int on_unit(void *ud, const char *unit, const fact_value *values);

/* The reader hands each unit to the batch, which scores it (on --jobs threads) and gives the
 * results back in input order to deliver_unit. */
static int on_unit(void *ud, const char *unit, const fact_value *values) {
    run *r = ud;
    return batch_add(r->batch, unit, values);
}

/* With several facts files, the same unit in two of them (a batch table and a sheet, say) must
 * not be scored and ranked twice; within one file the reader already refuses it. The readers hand
 * names in NFC already (facts.h, table.h), so they are hashed as they come. Out of memory, the check
 * is skipped rather than the unit. */
static bool seen_before(run *r, const char *unit) {
    uint32_t first;
    return r->seen && unitset_add(r->seen, unitset_hash(unit, strlen(unit)), 0, &first) == 1;
}

static int deliver_unit(void *ud, const char *unit, const fact_value *values, const node_result *res,
                        const unit_total *totp) {
    run *r = ud;
    (void)values;
    if (seen_before(r, unit)) {
        src_loc at = {r->file, 0, 0, 0, 0};
        diag_emit(r->d, DIAG_ERROR, &at, NULL, 0, "unit '%s' is in an earlier facts file too; this one is not scored",
                  unit);
        r->duplicates++;
        return 0;
    }
    r->res = (node_result *)res;
    unit_total tot = *totp;
    r->units++;
    if (tot.status != ST_SCORED) {
        r->incomplete++;
        if (!r->quiet && tot.bad_node >= 0) {
            const node *n = r->rs->nodes[tot.bad_node];
            const node_result *nr = &r->res[tot.bad_node];
            if (nr->status == ST_MISSING && nr->fact >= 0)
                fprintf(stderr, "chiso: unit '%s': %s cannot be scored: fact '%s' %s\n", unit,
                        n->code, r->rs->facts[nr->fact].name,
                        nr->error == EV_BAD_FACT ? "has a bad value" : "is missing");
            else
                fprintf(stderr, "chiso: unit '%s': %s cannot be scored: %s (%s:%d:%d)\n", unit, n->code,
                        eval_error_text((eval_error)nr->error), nr->at ? nr->at->loc.file : r->rs->file,
                        nr->at ? nr->at->loc.line : n->loc.line, diag_char_col(nr->at ? &nr->at->loc : &n->loc));
        }
    }
    if (!r->quiet) warn_clamped(r, unit);
    if (report_unit(r->rep, unit, r->res, &tot) != 0) {
        r->write_error = 1;
        return 1;
    }
    return 0;
}

int cmd_eval(int argc, char **argv) {
    report_opts ro = {REPORT_TEXT, DETAIL_NODES, true, 0};
    report_extra rx = {RANK_BY_INDEX, NULL};
    const char *out_path = NULL, *rules = NULL;
    const char **facts = calloc((size_t)argc, sizeof *facts);
    int n_facts = 0;
    bool quiet = false;
    int jobs = 1;
    if (!facts) return EXIT_FAILED;
    enum { O_HELP, O_FORMAT, O_OUTPUT, O_DETAIL, O_WIDTH, O_NO_RANK, O_JOBS, O_RANK_BY, O_QUIET };
    static const cli_opt opts[] = {
        {O_HELP, "-h", "--help", false},        {O_FORMAT, "-f", "--format", true},
        {O_OUTPUT, "-o", "--output", true},     {O_DETAIL, NULL, "--detail", true},
        {O_WIDTH, NULL, "--width", true},       {O_NO_RANK, NULL, "--no-rank", false},
        {O_JOBS, "-j", "--jobs", true},         {O_RANK_BY, NULL, "--rank-by", true},
        {O_QUIET, "-q", "--quiet", false},
    };
    cli_args args;
    cli_args_init(&args, "eval", argc, argv);
    const char *val;
    long n;
    for (int k; (k = cli_next(&args, opts, sizeof opts / sizeof *opts, &val)) != CLI_END;) {
        switch (k) {
        case CLI_BAD: goto usage;
        case O_HELP:
            cmd_eval_help();
            free(facts);
            return EXIT_OK;
        case O_FORMAT:
            if (strcmp(val, "text") == 0) ro.format = REPORT_TEXT;
            else if (strcmp(val, "csv") == 0) ro.format = REPORT_CSV;
            else if (strcmp(val, "json") == 0) ro.format = REPORT_JSON;
            else if (strcmp(val, "appendix") == 0) ro.format = REPORT_APPENDIX;
            else if (strcmp(val, "xlsx") == 0) ro.format = REPORT_XLSX;
            else {
                cli_usage_error("eval", "unknown format '%s' (text, csv, json, appendix or xlsx)", val);
                goto usage;
            }
            break;
        case O_OUTPUT: out_path = val; break;
        case O_DETAIL:
            if (strcmp(val, "nodes") == 0) ro.detail = DETAIL_NODES;
            else if (strcmp(val, "total") == 0) ro.detail = DETAIL_TOTAL;
            else {
                cli_usage_error("eval", "unknown detail '%s' (nodes or total)", val);
                goto usage;
            }
            break;
        case O_WIDTH:
            if (!cli_number(val, 40, 1000, &n)) {
                cli_usage_error("eval", "%s takes a number from %d to %d", "--width", 40, 1000);
                goto usage;
            }
            ro.width = (int)n;
            break;
        case O_NO_RANK: ro.rank = false; break;
        case O_JOBS:
            if (!cli_number(val, 1, 64, &n)) {
                cli_usage_error("eval", "%s takes a number from %d to %d", "--jobs", 1, 64);
                goto usage;
            }
            jobs = (int)n;
            break;
        case O_RANK_BY:
            if (strcmp(val, "index") == 0) rx.rank_by = RANK_BY_INDEX;
            else if (strcmp(val, "total") == 0) rx.rank_by = RANK_BY_TOTAL;
            else {
                cli_usage_error("eval", "unknown ranking key '%s' (index or total)", val);
                goto usage;
            }
            break;
        case O_QUIET: quiet = true; break;
        case CLI_OPERAND:
            if (!rules) rules = val;
            else facts[n_facts++] = val;
            break;
        }
    }
    if (!rules || n_facts == 0) {
        cli_usage_error("eval", "%s", !rules ? diag_tr("missing RULES and FACTS") : diag_tr("missing FACTS"));
        goto usage;
    }
    if (ro.format == REPORT_XLSX && (!out_path || strcmp(out_path, "-") == 0)) {
        cli_usage_error("eval", "--format xlsx needs -o FILE.xlsx (a workbook is not written to standard output)");
        goto usage;
    }

    int rc = EXIT_FAILED;
    diag_sink *d = diag_sink_new(stderr);
    /* The rule file's warnings are check's business; a batch run shows only its errors. */
    diag_sink_hide_warnings(d, true);
    ruleset *rs = d ? load_rules(rules, d) : NULL;
    diag_sink_hide_warnings(d, false);
    outfile out = {NULL, NULL, NULL};
    run r;
    memset(&r, 0, sizeof r);
    if (!rs) goto done;
    if (rs->n_top == 0) { /* a library: nothing to score */
        fprintf(stderr, "%s: no criteria (a library? import it from a rule file)\n", rules);
        goto done;
    }
    if (outfile_open(&out, out_path) != 0) goto done;
    r.rs = rs;
    r.quiet = quiet;
    r.batch = batch_new(rs, jobs, deliver_unit, &r);
    rx.path = outfile_name(&out); /* xlsx: libxlsxwriter writes by name */
    r.rep = report_new_ex(out.f, rs, &ro, &rx);
    if (!r.batch || !r.rep) {
        fprintf(stderr, "chiso eval: out of memory\n");
        goto done;
    }
    int errors_before = diag_errors(d);
    facts_opts fo = {rs->specs, rs->n_facts, on_unit, &r, d};
    bool unreadable = false;
    r.d = d;
    if (n_facts > 1) r.seen = unitset_new(NULL);
    for (int i = 0; i < n_facts && !r.write_error; i++) {
        r.file = facts[i];
        if (table_or_facts_read_file(facts[i], rs, &fo) < 0)
            unreadable = true;
        batch_finish(r.batch); /* this file's units are all delivered before the next file's */
    }
    if (report_finish(r.rep) != 0) r.write_error = 1;
    if (outfile_close(&out, !r.write_error) != 0) r.write_error = 1;
    if (r.write_error) {
        fprintf(stderr, "chiso eval: could not write the results\n");
        goto done;
    }
    if (!quiet || r.incomplete)
        fprintf(stderr, "chiso: %ld unit%s scored, %ld not fully scored\n", r.units - r.incomplete,
                r.units - r.incomplete == 1 ? "" : "s", r.incomplete);
    if (r.units == 0 && !unreadable) {
        src_loc none = {NULL, 0, 0, 0, 0};
        diag_emit(d, DIAG_WARNING, &none, NULL, 0, "no units in the facts given");
    }
    rc = unreadable ? EXIT_FAILED
       : (r.incomplete || r.units == 0 || diag_errors(d) > errors_before) ? EXIT_PROBLEMS : EXIT_OK;

done:
    if (out.f) outfile_close(&out, false);
    report_free(r.rep);
    batch_free(r.batch);
    ruleset_free(rs);
    diag_sink_free(d);
    free(facts);
    unitset_free(r.seen);
    return rc;

usage:
    free(facts);
    return EXIT_FAILED;
}
