/* chiso test PATH...: run the test cases written in rule files (`test "..." { given ... expect ... }`),
 * and with --coverage list the bands, choices, parts and not-applicable clauses no case reaches. */
#define _DEFAULT_SOURCE /* d_type */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "cli_args.h"
#include "diag.h"
#include "help_vi.h"
#include "eval.h"
#include "load.h"
#include "report.h"

void cmd_test_help(void) {
    if (help_vi_print("test", stdout)) return;
    fputs("Usage: chiso test [--coverage] [-q] PATH...\n"
          "\n"
          "Runs every test case in the rule files given, and in the .chiso files under the folders\n"
          "given. A case gives facts and expects scores or statuses:\n"
          "\n"
          "  test \"Phòng không có TTHC\" {\n"
          "    given co_tthc = false, tuyen_truyen = thieu, so_sang_kien = 1\n"
          "    expect 1.1.2 = 0.5\n"
          "    expect 3 excluded\n"
          "    expect total = 41.5\n"
          "    expect index = 81.37\n"
          "  }\n"
          "\n"
          "Facts not given are missing. A failure prints the expected and actual values and what\n"
          "decided the node. The last line is 'N passed, M failed'.\n"
          "\n"
          "Options:\n"
          "  --coverage   also list every band, choice, part and not-applicable clause that no case\n"
          "               reaches, and count them\n"
          "  -q, --quiet  print only failures and the summary\n"
          "\n"
          "Exit codes: 0 every case passed; 1 a case failed (or, with --coverage, something is not\n"
          "covered); 2 a rule file has errors or a path cannot be read.\n",
          stdout);
}

typedef struct {
    int passed, failed, files, broken;
    long branches, covered;
    bool coverage, quiet;
    diag_sink *d;
} tally;

static void fmt_dec(dec_t v, char *buf) { dec_format(v, -1, buf, DEC_FMT_MAX); }

/* One branch (arm, part or N/A clause) per slot, per node: which were reached. */
typedef struct {
    int *first; /* node id -> first slot */
    unsigned char *hit;
    int n;
} cover_map;

/* The `match` arms a formula reaches, through function calls, defs and lets (each arm once). */
typedef struct {
    const arm **v;
    int n, cap;
} arm_set;

static void add_match_arms(const ruleset *rs, const node *n, const expr *e, arm_set *s, int depth) {
    if (!e || depth > 32) return;
    switch (e->kind) {
    case EX_MATCH:
        add_match_arms(rs, n, e->u.match.subject, s, depth + 1);
        for (int i = 0; i < e->u.match.n; i++) {
            const arm *a = &e->u.match.arms[i];
            bool seen = false;
            for (int k = 0; k < s->n; k++) seen |= s->v[k] == a;
            if (!seen) {
                if (s->n == s->cap) {
                    int cap = s->cap ? s->cap * 2 : 8;
                    const arm **p = realloc(s->v, (size_t)cap * sizeof *p);
                    if (!p) return;
                    s->v = p;
                    s->cap = cap;
                }
                s->v[s->n++] = a;
            }
            add_match_arms(rs, n, a->result, s, depth + 1);
        }
        return;
    case EX_CALL:
        for (int i = 0; i < e->u.call.n; i++) add_match_arms(rs, n, e->u.call.args[i], s, depth + 1);
        if (e->u.call.def >= 0) add_match_arms(rs, n, rs->defs[e->u.call.def].value, s, depth + 1);
        return;
    case EX_DEF:
        for (int i = 0; i < rs->n_defs; i++)
            if (rs->defs[i].slot == e->u.ref.slot) add_match_arms(rs, n, rs->defs[i].value, s, depth + 1);
        return;
    case EX_LET:
        for (const node *m = n; m; m = m->parent)
            for (int i = 0; i < m->n_lets; i++)
                if (m->lets[i].slot == e->u.ref.slot) add_match_arms(rs, n, m->lets[i].value, s, depth + 1);
        return;
    case EX_NEG: case EX_NOT: add_match_arms(rs, n, e->u.op.a, s, depth + 1); return;
    case EX_ADD: case EX_SUB: case EX_MUL: case EX_DIV: case EX_EQ: case EX_NE: case EX_LT: case EX_LE:
    case EX_GT: case EX_GE: case EX_AND: case EX_OR: case EX_IF:
        add_match_arms(rs, n, e->u.op.a, s, depth + 1);
        add_match_arms(rs, n, e->u.op.b, s, depth + 1);
        if (e->kind == EX_IF) add_match_arms(rs, n, e->u.op.c, s, depth + 1);
        return;
    case EX_MIN: case EX_MAX:
        for (int i = 0; i < e->u.call.n; i++) add_match_arms(rs, n, e->u.call.args[i], s, depth + 1);
        return;
    default: return;
    }
}

/* Branches of a node: its N/A clauses, then its bands or parts, or the `match` arms its formula
 * reaches (per case, the outermost arm that decided is known). */
static arm_set *node_arms; /* per node id, for formulas; set while one rule set is tested */

static int node_branches(const node *n) {
    int k = n->n_na;
    if (n->rule.kind == RULE_BANDS || n->rule.kind == RULE_SUM) k += n->rule.n_arms;
    else if (n->rule.kind == RULE_EXPR && node_arms) k += node_arms[n->id].n;
    return k;
}

static bool run_case(const ruleset *rs, const test_case *tc, eval_state *ev, node_result *res,
                     cover_map *cm, tally *t) {
    unit_total tot;
    eval_unit(ev, tc->facts, res, &tot);
    for (int i = 0; i < rs->n_nodes && cm->hit; i++) {
        const node *n = rs->nodes[i];
        const node_result *r = &res[i];
        int base = cm->first[i];
        if (r->by == BY_NA) cm->hit[base + r->which] = 1;
        else if (r->by == BY_ARM) cm->hit[base + n->n_na + r->which] = 1;
        else if (r->by == BY_RULE && r->via) {
            for (int k = 0; k < node_arms[i].n; k++)
                if (node_arms[i].v[k] == r->via) cm->hit[base + n->n_na + k] = 1;
        } else if (r->by == BY_PARTS && n->rule.kind == RULE_SUM)
            for (int k = 0; k < n->rule.n_arms && k < 31; k++)
                if (r->which & (1 << k)) cm->hit[base + n->n_na + k] = 1;
    }
    bool ok = true;
    char want[DEC_FMT_MAX], got[DEC_FMT_MAX], why[512];
    for (int i = 0; i < tc->n_expects; i++) {
        const test_expect *x = &tc->expects[i];
        bool total = x->node < 0, index = total && strcmp(x->target, "index") == 0;
        int status = total ? tot.status : res[x->node].status;
        bool has_score = total ? (index ? tot.index_ok : tot.status == ST_SCORED)
                               : (status != ST_EXCLUDED && status != ST_MISSING && status != ST_ERROR);
        dec_t score = total ? (index ? tot.index : tot.score) : res[x->node].score;
        bool good = true;
        if (x->status >= 0 && x->status != status) good = false;
        if (x->has_value && (!has_score || dec_cmp(x->value, score) != 0)) good = false;
        if (good) continue;
        if (ok) {
            printf(diag_tr("FAIL %s:%d: %s\n"), tc->loc.file, tc->loc.line, tc->name);
            ok = false;
        }
        if (x->has_value) fmt_dec(x->value, want);
        else snprintf(want, sizeof want, "%s", eval_status_name((node_status)x->status));
        if (!x->has_value) snprintf(got, sizeof got, "%s", eval_status_name((node_status)status));
        else if (has_score) fmt_dec(score, got);
        else snprintf(got, sizeof got, "%s", diag_tr("no score"));
        why[0] = '\0';
        if (!total) report_decided_by(rs, rs->nodes[x->node], &res[x->node], why, sizeof why);
        printf(diag_tr("  %s:%d: %s: expected %s, got %s (%s%s%s)\n"), x->loc.file, x->loc.line, x->target, want,
               got, eval_status_name((node_status)status), why[0] ? "; " : "", why);
    }
    if (ok) {
        t->passed++;
        if (!t->quiet) printf(diag_tr("ok   %s:%d: %s\n"), tc->loc.file, tc->loc.line, tc->name);
    } else {
        t->failed++;
    }
    return ok;
}

static void report_coverage(const ruleset *rs, const cover_map *cm, tally *t) {
    for (int i = 0; i < rs->n_nodes; i++) {
        const node *n = rs->nodes[i];
        int base = cm->first[i], k = node_branches(n);
        for (int b = 0; b < k; b++) {
            t->branches++;
            if (cm->hit[base + b]) {
                t->covered++;
                continue;
            }
            bool na = b < n->n_na;
            const arm *a = na ? NULL
                         : n->rule.kind == RULE_EXPR ? node_arms[i].v[b - n->n_na] : &n->rule.arms[b - n->n_na];
            const src_loc *loc = na ? &n->na[b].loc : &a->loc;
            const char *text = na ? n->na[b].text : a->text;
            printf(diag_tr("  not covered: %s:%d: %s %s: %s\n"), loc->file, loc->line, n->code,
                   diag_tr(na ? "not-applicable clause" : n->rule.kind == RULE_SUM ? "part" : "band"), text);
        }
    }
}

static void test_file(const char *path, tally *t) {
    ruleset *rs = load_rules(path, t->d);
    if (!rs) {
        t->broken++;
        return;
    }
    t->files++;
    if (rs->n_tests == 0) {
        ruleset_free(rs);
        return;
    }
    eval_state *ev = eval_new(rs);
    node_result *res = calloc((size_t)rs->n_nodes + 1, sizeof *res);
    cover_map cm = {calloc((size_t)rs->n_nodes + 1, sizeof(int)), NULL, 0};
    if (!ev || !res || !cm.first) {
        fputs(diag_tr("chiso test: out of memory\n"), stderr);
        t->broken++;
    } else {
        node_arms = calloc((size_t)rs->n_nodes + 1, sizeof *node_arms);
        for (int i = 0; i < rs->n_nodes && node_arms; i++)
            if (rs->nodes[i]->rule.kind == RULE_EXPR)
                add_match_arms(rs, rs->nodes[i], rs->nodes[i]->rule.e, &node_arms[i], 0);
        for (int i = 0; i < rs->n_nodes; i++) {
            cm.first[i] = cm.n;
            cm.n += node_branches(rs->nodes[i]);
        }
        cm.hit = calloc((size_t)cm.n + 1, 1);
        for (int i = 0; i < rs->n_tests; i++) run_case(rs, &rs->tests[i], ev, res, &cm, t);
        if (t->coverage && cm.hit) report_coverage(rs, &cm, t);
    }
    for (int i = 0; node_arms && i < rs->n_nodes; i++) free(node_arms[i].v);
    free(node_arms);
    node_arms = NULL;
    free(cm.first);
    free(cm.hit);
    free(res);
    eval_free(ev);
    ruleset_free(rs);
}

static bool ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Folders are walked in name order, so runs are repeatable. */
static void test_path(const char *path, tally *t, int depth) {
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, diag_tr("chiso test: cannot read '%s'\n"), path);
        t->broken++;
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        test_file(path, t);
        return;
    }
    if (depth > 16) return;
    DIR *dir = opendir(path);
    if (!dir) {
        fprintf(stderr, diag_tr("chiso test: cannot read '%s'\n"), path);
        t->broken++;
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (e->d_name[0] == '.') continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            char **p = realloc(names, cap * sizeof *p);
            if (!p) break;
            names = p;
        }
        size_t len = strlen(path) + strlen(e->d_name) + 2;
        names[n] = malloc(len);
        if (!names[n]) break;
        snprintf(names[n], len, "%s/%s", path, e->d_name);
        n++;
    }
    closedir(dir);
    qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        struct stat s2;
        if (stat(names[i], &s2) == 0 && (S_ISDIR(s2.st_mode) || ends_with(names[i], ".chiso")))
            test_path(names[i], t, depth + 1);
        free(names[i]);
    }
    free(names);
}

int cmd_test(int argc, char **argv) {
    tally t;
    memset(&t, 0, sizeof t);
    const char **paths = calloc((size_t)argc + 1, sizeof *paths), *val;
    int n_paths = 0;
    if (!paths) return EXIT_FAILED;
    enum { O_HELP, O_COVERAGE, O_QUIET };
    static const cli_opt opts[] = {
        {O_HELP, "-h", "--help", false}, {O_COVERAGE, NULL, "--coverage", false}, {O_QUIET, "-q", "--quiet", false},
    };
    cli_args args;
    cli_args_init(&args, "test", argc, argv);
    for (int k; (k = cli_next(&args, opts, sizeof opts / sizeof *opts, &val)) != CLI_END;) {
        switch (k) {
        case CLI_BAD: free(paths); return EXIT_FAILED;
        case O_HELP: cmd_test_help(); free(paths); return EXIT_OK;
        case O_COVERAGE: t.coverage = true; break;
        case O_QUIET: t.quiet = true; break;
        case CLI_OPERAND: paths[n_paths++] = val; break;
        }
    }
    if (!n_paths) {
        free(paths);
        return cli_usage_error("test", "missing PATH");
    }
    t.d = diag_sink_new(stderr);
    if (!t.d) {
        free(paths);
        return EXIT_FAILED;
    }
    diag_sink_hide_warnings(t.d, true); /* warnings are check's business */
    for (int i = 0; i < n_paths; i++) test_path(paths[i], &t, 0);
    diag_sink_free(t.d);
    free(paths);
    if (t.coverage)
        printf(diag_tr("coverage: %ld of %ld bands, choices, parts and not-applicable clauses reached\n"),
               t.covered, t.branches);
    printf(diag_tr("%d passed, %d failed\n"), t.passed, t.failed);
    if (t.broken) return EXIT_FAILED;
    if (t.failed || (t.coverage && t.covered < t.branches)) return EXIT_PROBLEMS;
    return EXIT_OK;
}
