/* chiso: the command line, a thin layer over libchiso. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diag.h"
#include "help_vi.h"

static void usage(FILE *out) {
    if (diag_default_lang() == DIAG_VI)
        fputs("chiso " CHISO_VERSION " - tệp quy tắc chấm Chỉ số cải cách hành chính (Chỉ số CCHC)\n\n", out);
    else
        fputs("chiso " CHISO_VERSION " - rule files for the administrative-reform index (Chỉ số CCHC)\n\n", out);
    if (help_vi_print("chiso", out)) return;
    fputs("Usage:\n"
          "  chiso check RULES                 parse and check a rule file, report errors and warnings\n"
          "  chiso eval RULES FACTS...         score units from fact sheets (CSV)\n"
          "  chiso explain RULES FACTS... [--node CODE] [--unit NAME]\n"
          "                                    show how each score was derived, step by step\n"
          "  chiso import TABLE                write a rule file skeleton from a published table\n"
          "  chiso audit RULES TABLE           recompute a published table and list disagreements\n"
          "  chiso test [--coverage] PATH...   run the test cases written in rule files\n"
          "  chiso fmt [--check] [--to en|vi] [-w] FILES...\n"
          "                                    lay rule files out canonically; convert keywords\n"
          "  chiso template RULES              write the fact sheet a unit fills in (CSV or xlsx)\n"
          "  chiso help [COMMAND]              this help, or a command's help\n"
          "  chiso --version                   print the version\n"
          "\n"
          "RULES is a rule file (.chiso, see docs/language.md). FACTS are CSV files: a sheet per unit\n"
          "(rows fact,value[,note]) or a batch table (header unit,<fact>,<fact>...), or - for stdin.\n"
          "\n"
          "Exit codes:\n"
          "  0  success: no problem found (check), every unit fully scored (eval)\n"
          "  1  problems: warnings (check); a unit not fully scored or a bad value in the facts (eval);\n"
          "     every other unit's results are still written\n"
          "  2  could not run: errors in the rule file, bad usage, a file that cannot be read\n"
          "\n"
          "Every command takes --lang vi|en: the language of diagnostics and help (default: from LANG).\n"
          "An option's value follows it (-o out.csv, --output out.csv) or is joined with '='\n"
          "(--output=out.csv); after -- every argument is a file.\n"
          "Run 'chiso help eval' or 'chiso eval --help' for a command's options.\n",
          out);
}

/* --lang vi|en anywhere on the line, else LANG (vi_VN... means Vietnamese). */
static int take_lang(int *argc, char **argv) {
    int lang = DIAG_EN;
    const char *env = getenv("LANG");
    if (env && strncmp(env, "vi", 2) == 0) lang = DIAG_VI;
    for (int i = 1; i < *argc; i++) {
        const char *v = NULL;
        int used = 0;
        if (strcmp(argv[i], "--lang") == 0 && i + 1 < *argc) { v = argv[i + 1]; used = 2; }
        else if (strncmp(argv[i], "--lang=", 7) == 0) { v = argv[i] + 7; used = 1; }
        if (!v) continue;
        if (strcmp(v, "vi") == 0) lang = DIAG_VI;
        else if (strcmp(v, "en") == 0) lang = DIAG_EN;
        else {
            fprintf(stderr, "chiso: --lang takes vi or en, not '%s'\n", v);
            return -1;
        }
        for (int k = i; k + used <= *argc; k++) argv[k] = argv[k + used];
        *argc -= used;
        i--;
    }
    return lang;
}

int main(int argc, char **argv) {
    /* Past a file size limit (ulimit -f) a write fails with EFBIG and is reported like a full
     * disk, instead of the signal killing chiso half way through an output or its temporary file. */
    signal(SIGXFSZ, SIG_IGN);
    int lang = take_lang(&argc, argv);
    if (lang < 0) return EXIT_FAILED;
    diag_set_default_lang(lang);
    if (argc < 2) {
        usage(stderr);
        return EXIT_FAILED;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("chiso %s\n", CHISO_VERSION);
        return EXIT_OK;
    }
    if (strcmp(cmd, "help") == 0) {
        if (argc < 3) usage(stdout);
        else if (strcmp(argv[2], "check") == 0) cmd_check_help();
        else if (strcmp(argv[2], "eval") == 0) cmd_eval_help();
        else if (strcmp(argv[2], "import") == 0) cmd_import_help();
        else if (strcmp(argv[2], "audit") == 0) cmd_audit_help();
        else if (strcmp(argv[2], "test") == 0) cmd_test_help();
        else if (strcmp(argv[2], "explain") == 0) cmd_explain_help();
        else if (strcmp(argv[2], "fmt") == 0) cmd_fmt_help();
        else if (strcmp(argv[2], "template") == 0) cmd_template_help();
        else {
            fprintf(stderr, "chiso: no command '%s'; see 'chiso --help'\n", argv[2]);
            return EXIT_FAILED;
        }
        return EXIT_OK;
    }
    if (strcmp(cmd, "check") == 0) return cmd_check(argc - 1, argv + 1);
    if (strcmp(cmd, "eval") == 0) return cmd_eval(argc - 1, argv + 1);
    if (strcmp(cmd, "import") == 0) return cmd_import(argc - 1, argv + 1);
    if (strcmp(cmd, "audit") == 0) return cmd_audit(argc - 1, argv + 1);
    if (strcmp(cmd, "test") == 0) return cmd_test(argc - 1, argv + 1);
    if (strcmp(cmd, "explain") == 0) return cmd_explain(argc - 1, argv + 1);
    if (strcmp(cmd, "fmt") == 0) return cmd_fmt(argc - 1, argv + 1);
    if (strcmp(cmd, "template") == 0) return cmd_template(argc - 1, argv + 1);
    fprintf(stderr, "chiso: unknown command '%s'; see 'chiso --help'\n", cmd);
    return EXIT_FAILED;
}
