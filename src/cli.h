/* The subcommands of the chiso command; each lives in its own cmd_*.c over the library. */
#ifndef CHISO_CLI_H
#define CHISO_CLI_H

/* Exit codes, documented in `chiso --help` and the README. */
enum {
    EXIT_OK = 0,       /* everything scored / no problem found */
    EXIT_PROBLEMS = 1, /* ran, but found problems: warnings (check), units not fully scored or
                          bad values in the facts (eval) */
    EXIT_FAILED = 2    /* could not run: errors in the rule file, bad usage, unreadable files */
};

int cmd_check(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_fmt(int argc, char **argv);
int cmd_template(int argc, char **argv);

void cmd_check_help(void);
void cmd_eval_help(void);
void cmd_import_help(void);
void cmd_audit_help(void);
void cmd_test_help(void);
void cmd_explain_help(void);
void cmd_fmt_help(void);
void cmd_template_help(void);

#endif
