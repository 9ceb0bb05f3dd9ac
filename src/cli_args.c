#include "cli_args.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "diag.h"

void cli_args_init(cli_args *a, const char *cmd, int argc, char **argv)
{
    a->cmd = cmd;
    a->argc = argc;
    a->argv = argv;
    a->i = 1;
    a->operands_only = false;
}

int cli_next(cli_args *a, const cli_opt *opts, size_t n_opts, const char **val)
{
    *val = NULL;
    if (a->i >= a->argc) return CLI_END;
    const char *arg = a->argv[a->i++];
    if (!a->operands_only && strcmp(arg, "--") == 0) {
        a->operands_only = true;
        return cli_next(a, opts, n_opts, val);
    }
    if (a->operands_only || arg[0] != '-' || arg[1] == '\0') {
        *val = arg;
        return CLI_OPERAND;
    }
    const char *eq = strncmp(arg, "--", 2) == 0 ? strchr(arg, '=') : NULL;
    size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
    for (size_t k = 0; k < n_opts; k++) {
        const cli_opt *o = &opts[k];
        bool is_short = o->short_name && !eq && strcmp(arg, o->short_name) == 0;
        bool is_long = strlen(o->long_name) == len && strncmp(arg, o->long_name, len) == 0;
        if (!is_short && !is_long) continue;
        if (!o->takes_value) {
            if (eq) return cli_usage_error(a->cmd, "option '%s' takes no value", o->long_name), CLI_BAD;
            return o->id;
        }
        if (eq) *val = eq + 1;
        else if (a->i < a->argc) *val = a->argv[a->i++];
        else return cli_usage_error(a->cmd, "option '%s' needs a value", arg), CLI_BAD;
        return o->id;
    }
    return cli_usage_error(a->cmd, "unknown option '%s'", arg), CLI_BAD;
}

bool cli_number(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno || v < lo || v > hi) return false;
    *out = v;
    return true;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "chiso %s: ", cmd);
    vfprintf(stderr, diag_tr(fmt), ap);
    fprintf(stderr, diag_tr("; see 'chiso %s --help'\n"), cmd);
    va_end(ap);
    return EXIT_FAILED;
}
