/* Reading a command's arguments, and telling the user when they are wrong. Every command of the
 * chiso command line reads its options through cli_next, so all of them take `-x VALUE`,
 * `--long VALUE` and `--long=VALUE`, treat `-` as a file (standard input) and everything after
 * `--` as files, and word a bad usage the same way, in the language of diagnostics. */
#ifndef CHISO_CLI_ARGS_H
#define CHISO_CLI_ARGS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    int id;                 /* what cli_next returns for it */
    const char *short_name; /* "-o", or NULL */
    const char *long_name;  /* "--output" */
    bool takes_value;
} cli_opt;

typedef struct {
    const char *cmd; /* "eval": for messages */
    int argc;
    char **argv;     /* argv[0] is the command's name */
    int i;
    bool operands_only; /* past `--` */
} cli_args;

void cli_args_init(cli_args *a, const char *cmd, int argc, char **argv);

enum { CLI_END = -1, CLI_OPERAND = -2, CLI_BAD = -3 };

/* The next argument: an option's id (*val: its value, or NULL if it takes none), CLI_OPERAND (*val:
 * the operand; `-` is one), CLI_END, or CLI_BAD when it is an unknown option or an option without
 * its value (said on standard error with cli_usage_error). */
int cli_next(cli_args *a, const cli_opt *opts, size_t n_opts, const char **val);

/* s is a whole number from lo to hi, and nothing else: *out. */
bool cli_number(const char *s, long lo, long hi, long *out);

/* "chiso CMD: MESSAGE; see 'chiso CMD --help'" on standard error, in the language of diagnostics
 * (messages_vi.c has the Vietnamese form of fmt). Returns EXIT_FAILED (2), the exit code of bad
 * usage. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
