/* chiso explain RULES FACTS...: how each score was derived, step by step (explain.h). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_args.h"
#include "diag.h"
#include "help_vi.h"
#include "eval.h"
#include "explain.h"
#include "facts.h"
#include "load.h"
#include "table.h"
#include "textutil.h"

void cmd_explain_help(void) {
    if (help_vi_print("explain", stdout)) return;
    fputs("Usage: chiso explain [OPTIONS] RULES FACTS...\n"
          "\n"
          "Shows how each unit's scores were derived, step by step, so that a person can check them\n"
          "by hand beside the guideline. For each unit found in the FACTS files (read as 'chiso eval'\n"
          "reads them: sheets per unit, batch tables, published tables; - reads standard input) and\n"
          "each node of the rule file RULES, in tree order:\n"
          "  - the node: code, title, score and maximum, status;\n"
          "  - the not-applicable clauses tried, each condition's value and whether it applied\n"
          "    (excluded, full marks or a fixed score), an ancestor's clause when it decided the\n"
          "    node (and, for the first node of --node, every ancestor's clause tried);\n"
          "  - the facts its rule and those clauses read (through defs, lets and function calls),\n"
          "    each written back as a sheet writes it (85%, có/không, dd/mm/yyyy, an option's name\n"
          "    and label) with the file, line and column it was read from, or missing / bad value;\n"
          "  - the values of the lets, defs and function calls it uses, with the values put in;\n"
          "  - bands and choices: every arm in order, the one that matches, why each one before it\n"
          "    did not ('Z = 84.5% is not in 85%..<100%'), the ones after 'not tried'; sums of parts:\n"
          "    every part, whether it holds, its points; a formula with its value; a parent: its\n"
          "    children's scores added up, excluded children out of the maximum; bands inside a\n"
          "    function (a library's hoan_thanh_2_muc(Z, 4)) with the arguments' values put in;\n"
          "  - clamping (raw value -> the bound) and rounding (before -> after, as the rule file's\n"
          "    'round' says).\n"
          "Without --node, each unit ends with its total and index. Numbers are exact decimals; a\n"
          "value with no finite decimal expansion is cut with '…' and followed by its exact value\n"
          "(1.833333… (= 11/6)). Percentages are shown as such: percent facts, their lets and defs,\n"
          "X / Y * 100%, and subjects of bands written in percentages.\n"
          "\n"
          "Options:\n"
          "  --node CODE        only the node CODE and its subtree (may be repeated; nodes still\n"
          "                     come in tree order)\n"
          "  --unit NAME        only the unit NAME (compared after NFC normalisation)\n"
          "  -f, --format FMT   text (default) or json (one document: {\"ruleset\", \"units\": [...]},\n"
          "                     every number an exact decimal in a string; see docs/explain.md)\n"
          "  -h, --help         this help\n"
          "\n"
          "Example:\n"
          "  chiso explain rules/ba-dinh-2024.chiso examples/ba-dinh-2024/batch.csv \\\n"
          "      --unit 'Phòng Quản lý đô thị' --node 3.3 --node 1.5\n"
          "\n"
          "Problems in the FACTS files are reported on standard error as 'chiso eval' reports them.\n"
          "\n"
          "Exit codes: 0 every node explained was fully scored (and, without --node, every unit's\n"
          "total); 1 some explained node or unit was not fully scored (missing or bad facts,\n"
          "division by zero, no band matches); 2 could not run (errors in the rule file, bad usage,\n"
          "an unreadable file, no node CODE, no unit NAME).\n",
          stdout);
}

typedef struct {
    const ruleset *rs;
    eval_state *ev;
    explainer *ex;
    node_result *res;
    const bool *selected; /* NULL: every node */
    char *unit_nfc;       /* --unit, NFC; NULL: every unit */
    bool json;
    const char *file;     /* the facts file being read */
    long units, incomplete;
    const char **names;
    int n_names, cap_names;
    bool write_error, oom;
} run;

static bool remember_name(run *r, const char *name) {
    if (r->n_names == r->cap_names) {
        int cap = r->cap_names ? r->cap_names * 2 : 16;
        const char **p = realloc(r->names, (size_t)cap * sizeof *p);
        if (!p) return false;
        r->names = p;
        r->cap_names = cap;
    }
    char *copy = strdup(name);
    if (!copy) return false;
    r->names[r->n_names++] = copy;
    return true;
}

static int on_unit(void *ud, const char *unit, const fact_value *values) {
    run *r = ud;
    char *nfc = text_nfc(unit, strlen(unit));
    if (!nfc) nfc = strdup(unit);
    if (!nfc) {
        r->oom = true;
        return 1;
    }
    if (r->unit_nfc && strcmp(nfc, r->unit_nfc) != 0) {
        if (r->n_names < 10000 && !remember_name(r, nfc)) r->oom = true;
        free(nfc);
        return r->oom ? 1 : 0;
    }
    free(nfc);
    unit_total tot;
    eval_unit(r->ev, values, r->res, &tot);
    r->units++;
    bool complete = true;
    if (r->selected) {
        for (int i = 0; i < r->rs->n_nodes; i++)
            if (r->selected[i] && (r->res[i].status == ST_MISSING || r->res[i].status == ST_ERROR)) complete = false;
    } else {
        complete = tot.status == ST_SCORED;
    }
    if (!complete) r->incomplete++;
    json_t *j = explain_unit(r->ex, unit, r->file, values, r->res, &tot, r->selected);
    if (!j) {
        r->oom = true;
        return 1;
    }
    int rc;
    if (r->json) {
        if (r->units > 1 && fputs(",\n", stdout) == EOF) r->write_error = true;
        rc = json_dumpf(j, stdout, JSON_INDENT(2));
    } else {
        if (r->units > 1 && fputs("\n", stdout) == EOF) r->write_error = true;
        rc = explain_write_text(stdout, j);
    }
    json_decref(j);
    if (rc != 0) r->write_error = true;
    return r->write_error ? 1 : 0;
}


static int find_code(const ruleset *rs, const char *code) {
    for (int i = 0; i < rs->n_nodes; i++)
        if (strcmp(rs->nodes[i]->code, code) == 0) return i;
    return -1;
}

/* "no node '2.7'; the nodes under 2 are 2.1, 2.2": the children of the longest prefix of the code
 * that is a node (the top-level nodes when none is). */
static void no_node(const ruleset *rs, const char *rules, const char *code) {
    char *prefix = strdup(code);
    const node *at = NULL;
    while (prefix && !at) {
        char *dot = strrchr(prefix, '.');
        if (!dot) break;
        *dot = '\0';
        int i = find_code(rs, prefix);
        if (i >= 0) at = rs->nodes[i];
    }
    free(prefix);
    node *const *list = at ? at->children : rs->top;
    int n = at ? at->n_children : rs->n_top;
    fprintf(stderr, "chiso explain: no node '%s' in %s; ", code, rules);
    if (at && n == 0) {
        fprintf(stderr, "%s has no nodes under it\n", at->code);
        return;
    }
    if (at) fprintf(stderr, "the nodes under %s are", at->code);
    else fprintf(stderr, "the top-level nodes are");
    for (int i = 0; i < n && i < 20; i++) fprintf(stderr, "%s %s", i ? "," : "", list[i]->code);
    fprintf(stderr, "%s\n", n > 20 ? ", ..." : "");
}

int cmd_explain(int argc, char **argv) {
    const char *rules = NULL, *unit = NULL;
    const char **facts = calloc((size_t)argc, sizeof *facts);
    const char **codes = calloc((size_t)argc, sizeof *codes);
    int n_facts = 0, n_codes = 0;
    bool json = false;
    if (!facts || !codes) {
        free(facts);
        free(codes);
        return EXIT_FAILED;
    }
    enum { O_HELP, O_FORMAT, O_NODE, O_UNIT };
    static const cli_opt opts[] = {
        {O_HELP, "-h", "--help", false}, {O_FORMAT, "-f", "--format", true},
        {O_NODE, NULL, "--node", true},  {O_UNIT, NULL, "--unit", true},
    };
    cli_args args;
    cli_args_init(&args, "explain", argc, argv);
    const char *val;
    for (int k; (k = cli_next(&args, opts, sizeof opts / sizeof *opts, &val)) != CLI_END;) {
        switch (k) {
        case CLI_BAD: goto usage;
        case O_HELP:
            cmd_explain_help();
            free(facts);
            free(codes);
            return EXIT_OK;
        case O_FORMAT:
            if (strcmp(val, "text") == 0) json = false;
            else if (strcmp(val, "json") == 0) json = true;
            else {
                cli_usage_error("explain", "unknown format '%s' (text or json)", val);
                goto usage;
            }
            break;
        case O_NODE: codes[n_codes++] = val; break;
        case O_UNIT: unit = val; break;
        case CLI_OPERAND:
            if (!rules) rules = val;
            else facts[n_facts++] = val;
            break;
        }
    }
    if (!rules || n_facts == 0) {
        cli_usage_error("explain", "%s", !rules ? diag_tr("missing RULES and FACTS") : diag_tr("missing FACTS"));
        goto usage;
    }

    int rc = EXIT_FAILED;
    run r;
    memset(&r, 0, sizeof r);
    bool *selected = NULL;
    diag_sink *d = diag_sink_new(stderr);
    diag_sink_hide_warnings(d, true); /* the rule file's warnings are check's business */
    ruleset *rs = d ? load_rules(rules, d) : NULL;
    diag_sink_hide_warnings(d, false);
    if (!rs) goto done;
    if (rs->n_top == 0) { /* a library: nothing to explain */
        fprintf(stderr, "%s: no criteria (a library? import it from a rule file)\n", rules);
        goto done;
    }
    if (n_codes) {
        selected = calloc((size_t)rs->n_nodes + 1, sizeof *selected);
        if (!selected) goto oom;
        for (int k = 0; k < n_codes; k++) {
            int i = find_code(rs, codes[k]);
            if (i < 0) {
                no_node(rs, rules, codes[k]);
                goto done;
            }
            for (int j = i; j <= rs->nodes[i]->last_desc; j++) selected[j] = true;
        }
    }
    if (unit) {
        r.unit_nfc = text_nfc(unit, strlen(unit));
        if (!r.unit_nfc) {
            fprintf(stderr, "chiso explain: --unit '%s' is not valid UTF-8\n", unit);
            goto done;
        }
    }
    r.rs = rs;
    r.selected = selected;
    r.json = json;
    r.ev = eval_new(rs);
    r.res = calloc((size_t)rs->n_nodes + 1, sizeof *r.res);
    r.ex = r.ev ? explain_new(rs, r.ev) : NULL;
    if (!r.ev || !r.res || !r.ex) goto oom;

    if (json) {
        json_t *head = json_object();
        if (!head) goto oom;
        json_object_set_new(head, "title", json_string(rs->title ? rs->title : ""));
        json_object_set_new(head, "year", json_integer(rs->year));
        json_object_set_new(head, "file", json_string(rules));
        char *h = json_dumps(head, JSON_COMPACT);
        json_decref(head);
        if (!h) goto oom;
        printf("{\"ruleset\": %s, \"units\": [\n", h);
        free(h);
    }
    facts_opts fo = {rs->specs, rs->n_facts, on_unit, &r, d};
    bool unreadable = false;
    for (int i = 0; i < n_facts && !r.write_error && !r.oom; i++) {
        r.file = strcmp(facts[i], "-") == 0 ? "<stdin>" : facts[i];
        if (table_or_facts_read_file(facts[i], rs, &fo) < 0)
            unreadable = true;
    }
    if (json && !r.oom) printf("%s]}\n", r.units ? "\n" : "");
    if (fflush(stdout) != 0) r.write_error = true;
    if (r.oom) goto oom;
    if (r.write_error) {
        fprintf(stderr, "chiso explain: could not write the explanation\n");
        goto done;
    }
    if (unreadable) goto done;
    if (r.units == 0) {
        if (r.unit_nfc) {
            const char *s = text_suggest(r.unit_nfc, r.names, r.n_names);
            if (s) fprintf(stderr, "chiso explain: no unit '%s' in the facts; did you mean '%s'?\n", unit, s);
            else fprintf(stderr, "chiso explain: no unit '%s' in the facts\n", unit);
        } else {
            fprintf(stderr, "chiso explain: no unit in the facts\n");
        }
        goto done;
    }
    rc = r.incomplete ? EXIT_PROBLEMS : EXIT_OK;
    goto done;

oom:
    fprintf(stderr, "chiso explain: out of memory\n");
done:
    for (int i = 0; i < r.n_names; i++) free((char *)r.names[i]);
    free(r.names);
    free(r.unit_nfc);
    explain_free(r.ex);
    free(r.res);
    eval_free(r.ev);
    free(selected);
    ruleset_free(rs);
    diag_sink_free(d);
    free(facts);
    free(codes);
    return rc;

usage:
    free(facts);
    free(codes);
    return EXIT_FAILED;
}
