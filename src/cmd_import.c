/* chiso import TABLE: a rule file skeleton from a published appraisal table. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"
#include "cli_args.h"
#include "outfile.h"
#include "decimal.h"
#include "diag.h"
#include "help_vi.h"
#include "table.h"
#include "textutil.h"

void cmd_import_help(void)
{
    if (help_vi_print("import", stdout)) return;
    fputs("Usage: chiso import [OPTIONS] TABLE.csv\n"
          "\n"
          "Writes a rule file skeleton from a published appraisal table (\"bảng điểm thẩm định\"):\n"
          "a ruleset block, then the whole criteria tree nested by codes, with the table's titles and\n"
          "maxima, every leaf `score given`, and the table's unnumbered items as notes. Evaluating the\n"
          "skeleton against the same table ('chiso eval RULES TABLE.csv') reproduces every leaf and\n"
          "recomputes every subtotal; 'chiso check' on it reports where the table does not add up.\n"
          "Replace each `score given` with the guideline's real rule to score units from their facts.\n"
          "\n"
          "Table layout (CSV, UTF-8; a BOM, CRLF and quoted cells are fine; - reads standard input):\n"
          "  header            code,title,max,<unit>,<unit>...; the first three may also be written\n"
          "                    STT or Mã, Lĩnh vực/Tiêu chí..., Điểm tối đa or Điểm chuẩn (any case);\n"
          "                    one column per unit (none is fine for an import); a repeated header\n"
          "                    row (a table cut into pages) is skipped\n"
          "  a coded row       1, 1.2, 1.2.3 (a trailing '.' is dropped): a node, under the longest\n"
          "                    code prefix present (1.2.3 -> 1.2 -> 1); top-level nodes are areas\n"
          "  no code, no number  the rest of the previous row's title (a title that wraps), unless\n"
          "                    it starts with a bullet (- + * •)\n"
          "  no code, numbers  an unnumbered item of the node above it, written as a note; so is a\n"
          "                    row whose first cell is a bullet or a label (a), b), I, II)\n"
          "  the total row     no code, numbers, a title starting Tổng / TỔNG / Total / Cộng: its\n"
          "                    maximum is the ruleset's max (else the areas' maxima added up)\n"
          "Numbers: 13,50 or 13.5 (a cell holding a decimal comma must be quoted: \"13,50\"); a cell\n"
          "that is not a number is reported and left empty.\n"
          "\n"
          "What is written: a header comment naming the table; `ruleset \"TITLE\" { [year N] max M\n"
          "round 2 round index 2 }` (round 3 or more if the table writes more decimals); then\n"
          "`area CODE \"title\" max N { ... }` and `criterion ...` nested 2 spaces a level, maxima with\n"
          "a point, a leaf on one line: `criterion 1.1.1 \"...\" max 0.5 { score given }`.\n"
          "\n"
          "Options:\n"
          "  -o, --output FILE  write there (a temporary name, then renamed) instead of standard output\n"
          "  --title TEXT       the ruleset's title (default: the table's file name without .csv)\n"
          "  --year N           write 'year N' (1900 to 2999)\n"
          "  -h, --help         this help\n"
          "\n"
          "Exit codes: 0 written, no problem found; 1 written, but the table has problems (warnings or\n"
          "bad cells, reported on standard error); 2 could not run (bad usage, an unreadable file, not\n"
          "a published table, no coded row, a leaf without a maximum).\n",
          stdout);
}

typedef struct {
    const pub_table *t;
    FILE *out;
    int *first_child, *next_sibling; /* the tree, [n_rows]; -1 ends a list */
    int *first_note, *next_note;     /* notes: [n_rows] and [n_extra] */
    dec_t *max;                      /* [n_rows]: the maximum written */
    int areas, leaves, nodes, notes;
} writer;

static void put_str(FILE *f, const char *s)
{
    putc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') putc('\\', f);
        putc(*s, f);
    }
    putc('"', f);
}

/* Text for a comment line: control characters become '?'. */
static void put_comment_text(FILE *f, const char *s)
{
    for (; *s; s++) putc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

static void indent(FILE *f, int depth)
{
    for (int i = 0; i < depth; i++) fputs("  ", f);
}

static void put_dec(FILE *f, dec_t d)
{
    char b[DEC_FMT_MAX];
    dec_format(d, -1, b, sizeof b);
    fputs(b, f);
}

static void put_note(writer *w, int k, int depth)
{
    const table_row *x = &w->t->extra[k];
    indent(w->out, depth);
    fputs("note ", w->out);
    put_str(w->out, x->title);
    if (x->has_max) {
        fputs("  # max ", w->out);
        put_dec(w->out, x->max);
    }
    putc('\n', w->out);
    w->notes++;
}

static void put_node(writer *w, int i, int depth)
{
    const table_row *row = &w->t->rows[i];
    FILE *f = w->out;
    bool leaf = w->first_child[i] < 0;
    indent(f, depth);
    fputs(depth == 0 ? "area " : "criterion ", f);
    fputs(row->code, f);
    putc(' ', f);
    put_str(f, row->title);
    fputs(" max ", f);
    put_dec(f, w->max[i]);
    w->nodes++;
    w->areas += depth == 0;
    w->leaves += leaf;
    if (leaf && w->first_note[i] < 0) {
        fputs(" { score given }\n", f);
        return;
    }
    fputs(" {\n", f);
    for (int k = w->first_note[i]; k >= 0; k = w->next_note[k]) put_note(w, k, depth + 1);
    if (leaf) {
        indent(f, depth + 1);
        fputs("score given\n", f);
    }
    for (int c = w->first_child[i]; c >= 0; c = w->next_sibling[c]) put_node(w, c, depth + 1);
    indent(f, depth);
    fputs("}\n", f);
}

/* The maximum of row i: the table's, else its children's added up. false (reported) for a leaf
 * without one. */
static bool settle_max(writer *w, int i, diag_sink *d)
{
    const table_row *row = &w->t->rows[i];
    dec_t sum = dec_from_int(0);
    bool ok = true, overflow = false;
    for (int c = w->first_child[i]; c >= 0; c = w->next_sibling[c]) {
        if (!settle_max(w, c, d)) ok = false;
        else if (dec_add(sum, w->max[c], &sum) != DEC_OK) overflow = true;
    }
    w->max[i] = row->max;
    if (row->has_max || !ok) return ok;
    src_loc at = {w->t->file, row->line, 0, 0, 0};
    char b[DEC_FMT_MAX];
    if (w->first_child[i] < 0) {
        diag_emit(d, DIAG_ERROR, &at, NULL, 0, "code %s has no maximum; a rule file needs one for every node",
                  row->code);
        return false;
    }
    if (overflow) {
        diag_emit(d, DIAG_ERROR, &at, NULL, 0, "code %s has no maximum, and its children's are too large to add up",
                  row->code);
        return false;
    }
    dec_format(sum, -1, b, sizeof b);
    diag_emit(d, DIAG_WARNING, &at, NULL, 0, "code %s has no maximum; written as its children's added up, %s",
              row->code, b);
    w->max[i] = sum;
    return true;
}

/* The table's file name without its folder and `.csv`, in NFC. */
static char *title_from_path(const char *path)
{
    if (strcmp(path, "-") == 0) return text_nfc("stdin", 5);
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    if (n > 4 && strcasecmp(base + n - 4, ".csv") == 0) n -= 4;
    char *s = text_nfc(base, n);
    if (s)
        for (char *p = s; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f) *p = ' ';
    return s;
}

static int write_rules(writer *w, const char *path, const char *title, int year)
{
    const pub_table *t = w->t;
    FILE *f = w->out;
    fputs("# Rule file skeleton imported by `chiso import` from the published table ", f);
    put_comment_text(f, strcmp(path, "-") == 0 ? "read on standard input" : path);
    fputs(":\n"
          "# the table's codes, titles and maxima, its unnumbered items as notes. Every leaf is\n"
          "# `score given` (its score is read from the table, or from a fact named by its code):\n"
          "# replace each with the guideline's real rule to score units from their facts.\n",
          f);
    bool pre = false;
    for (int k = 0; k < t->n_extra; k++) {
        if (t->n_rows > 0 && t->extra[k].line > t->rows[0].line) break;
        if (!pre) fputs("#\n# Rows before the first code:\n", f);
        pre = true;
        fputs("#   ", f);
        put_comment_text(f, t->extra[k].title);
        putc('\n', f);
    }
    dec_t sum = dec_from_int(0);
    bool sum_ok = true;
    for (int i = 0; i < t->n_rows; i++)
        if (!table_is_duplicate(t, i) && table_parent(t, i) < 0 && dec_add(sum, w->max[i], &sum) != DEC_OK)
            sum_ok = false;
    fputs("\nruleset ", f);
    put_str(f, title);
    fputs(" {\n", f);
    if (year) fprintf(f, "  year %d\n", year);
    if (t->total && t->total->has_max) {
        fputs("  max ", f);
        put_dec(f, t->total->max);
        fputs("\n", f);
    } else if (sum_ok) {
        fputs("  max ", f);
        put_dec(f, sum);
        fputs("\n", f);
    }
    int places = table_decimals(t) > 2 ? table_decimals(t) : 2;
    if (places > 9) places = 9;
    fprintf(f, "  round %d\n  round index 2\n}\n", places);
    for (int i = 0; i < t->n_rows; i++) {
        if (table_is_duplicate(t, i) || table_parent(t, i) >= 0) continue;
        putc('\n', f);
        put_node(w, i, 0);
    }
    return ferror(f) ? -1 : 0;
}

int cmd_import(int argc, char **argv)
{
    const char *out_path = NULL, *path = NULL, *title_arg = NULL;
    int year = 0;
    enum { O_HELP, O_OUTPUT, O_TITLE, O_YEAR };
    static const cli_opt opts[] = {
        {O_HELP, "-h", "--help", false}, {O_OUTPUT, "-o", "--output", true},
        {O_TITLE, NULL, "--title", true}, {O_YEAR, NULL, "--year", true},
    };
    cli_args args;
    cli_args_init(&args, "import", argc, argv);
    const char *val;
    long y;
    for (int k; (k = cli_next(&args, opts, sizeof opts / sizeof *opts, &val)) != CLI_END;) {
        switch (k) {
        case CLI_BAD: return EXIT_FAILED;
        case O_HELP: cmd_import_help(); return EXIT_OK;
        case O_OUTPUT: out_path = val; break;
        case O_TITLE: title_arg = val; break;
        case O_YEAR:
            if (!cli_number(val, 1900, 2999, &y))
                return cli_usage_error("import", "--year takes a year from 1900 to 2999, not '%s'", val);
            year = (int)y;
            break;
        case CLI_OPERAND:
            if (path) return cli_usage_error("import", "one table at a time ('%s' and '%s')", path, val);
            path = val;
            break;
        }
    }
    if (!path) return cli_usage_error("import", "missing TABLE");

    int rc = EXIT_FAILED;
    diag_sink *d = diag_sink_new(stderr);
    pub_table *t = d ? table_read_file(path, d) : NULL;
    writer w;
    memset(&w, 0, sizeof w);
    char *title = NULL;
    outfile out = {NULL, NULL, NULL};
    if (!t) goto done;
    if (t->n_rows == 0) {
        src_loc at = {t->file, 0, 0, 0, 0};
        diag_emit(d, DIAG_ERROR, &at, NULL, 0, "no row has a code (1, 1.2, 1.2.3...): nothing to import");
        goto done;
    }
    title = title_arg ? text_nfc(title_arg, strlen(title_arg)) : title_from_path(path);
    if (!title) {
        fprintf(stderr, "chiso import: the title is not valid UTF-8\n");
        goto done;
    }
    int n = t->n_rows, ne = t->n_extra > 0 ? t->n_extra : 1;
    w.t = t;
    w.first_child = malloc((size_t)n * sizeof(int));
    w.next_sibling = malloc((size_t)n * sizeof(int));
    w.first_note = malloc((size_t)n * sizeof(int));
    w.next_note = malloc((size_t)ne * sizeof(int));
    w.max = malloc((size_t)n * sizeof(dec_t));
    int *last_child = malloc((size_t)n * sizeof(int)), *last_note = malloc((size_t)n * sizeof(int));
    if (!w.first_child || !w.next_sibling || !w.first_note || !w.next_note || !w.max || !last_child || !last_note) {
        free(last_child);
        free(last_note);
        fprintf(stderr, "chiso import: out of memory\n");
        goto done;
    }
    for (int i = 0; i < n; i++) w.first_child[i] = w.next_sibling[i] = w.first_note[i] = last_child[i] = last_note[i] = -1;
    for (int i = 0; i < n; i++) {
        int p = table_parent(t, i);
        if (table_is_duplicate(t, i) || p < 0) continue;
        if (last_child[p] < 0) w.first_child[p] = i;
        else w.next_sibling[last_child[p]] = i;
        last_child[p] = i;
    }
    /* An unnumbered item belongs to the coded row above it (the first row with that code). */
    for (int k = 0, r = -1; k < t->n_extra; k++) {
        w.next_note[k] = -1;
        while (r + 1 < n && t->rows[r + 1].line < t->extra[k].line) r++;
        if (r < 0) continue; /* before the first code: a comment in the header */
        const table_row *owner = table_find(t, t->rows[r].code);
        int o = (int)(owner - t->rows);
        if (last_note[o] < 0) w.first_note[o] = k;
        else w.next_note[last_note[o]] = k;
        last_note[o] = k;
    }
    free(last_child);
    free(last_note);
    bool ok = true;
    for (int i = 0; i < n; i++)
        if (!table_is_duplicate(t, i) && table_parent(t, i) < 0 && !settle_max(&w, i, d)) ok = false;
    if (!ok) goto done;

    if (outfile_open(&out, out_path) != 0) goto done;
    w.out = out.f;
    bool write_error = write_rules(&w, path, title, year) != 0;
    if (outfile_close(&out, !write_error) != 0) write_error = true;
    if (write_error) {
        fprintf(stderr, "chiso import: could not write the rule file\n");
        goto done;
    }
    fprintf(stderr, "chiso: %d node%s written (%d area%s, %d lea%s), %d note%s\n", w.nodes, w.nodes == 1 ? "" : "s",
            w.areas, w.areas == 1 ? "" : "s", w.leaves, w.leaves == 1 ? "f" : "ves", w.notes, w.notes == 1 ? "" : "s");
    rc = diag_errors(d) || diag_warnings(d) ? EXIT_PROBLEMS : EXIT_OK;

done:
    if (out.f) outfile_close(&out, false);
    free(title);
    free(w.first_child);
    free(w.next_sibling);
    free(w.first_note);
    free(w.next_note);
    free(w.max);
    table_free(t);
    diag_sink_free(d);
    return rc;
}
