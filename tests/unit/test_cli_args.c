/* Reading a command's arguments (cli_args.c): options with and without values, `--long=value`,
 * `-` and everything after `--` as operands, and the errors. The messages themselves are checked
 * by the golden tests (tests/golden) and messages.vi. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cli_args.h"

enum { O_HELP, O_OUT, O_JOBS, O_QUIET };
static const cli_opt opts[] = {
    {O_HELP, "-h", "--help", false},
    {O_OUT, "-o", "--output", true},
    {O_JOBS, "-j", "--jobs", true},
    {O_QUIET, NULL, "--quiet", false},
};
#define N_OPTS (sizeof opts / sizeof *opts)

/* Each argument list is read to its end; got[] collects "id=value" and "operand", "BAD". */
static int read_all(int argc, char **argv, char got[][32]) {
    cli_args a;
    cli_args_init(&a, "t", argc, argv);
    const char *val;
    int n = 0;
    for (int k; (k = cli_next(&a, opts, N_OPTS, &val)) != CLI_END; n++) {
        if (k == CLI_OPERAND) snprintf(got[n], 32, "arg:%s", val);
        else if (k == CLI_BAD) snprintf(got[n], 32, "BAD");
        else snprintf(got[n], 32, "%d=%s", k, val ? val : "-");
        if (k == CLI_BAD) return n + 1;
    }
    return n;
}

static void options_values_operands(void **state) {
    (void)state;
    char *argv[] = {"t", "-o", "a.csv", "r.chiso", "--jobs=4", "-", "--quiet", "--output", "b.csv", "f.csv", NULL};
    char got[16][32];
    int n = read_all(10, argv, got);
    assert_int_equal(n, 7);
    assert_string_equal(got[0], "1=a.csv");
    assert_string_equal(got[1], "arg:r.chiso");
    assert_string_equal(got[2], "2=4"); /* --long=value */
    assert_string_equal(got[3], "arg:-");  /* standard input is an operand */
    assert_string_equal(got[4], "3=-");
    assert_string_equal(got[5], "1=b.csv");
    assert_string_equal(got[6], "arg:f.csv");
}

static void after_double_dash_all_operands(void **state) {
    (void)state;
    char *argv[] = {"t", "-h", "--", "-o", "--quiet", "--", NULL};
    char got[16][32];
    int n = read_all(6, argv, got);
    assert_int_equal(n, 4);
    assert_string_equal(got[0], "0=-");
    assert_string_equal(got[1], "arg:-o");
    assert_string_equal(got[2], "arg:--quiet");
    assert_string_equal(got[3], "arg:--"); /* a second -- is a file name too */
}

static void errors(void **state) {
    (void)state;
    char got[16][32];
    char *unknown[] = {"t", "r", "--colour", NULL};
    assert_int_equal(read_all(3, unknown, got), 2);
    assert_string_equal(got[1], "BAD");
    char *no_value[] = {"t", "-o", NULL};
    assert_int_equal(read_all(2, no_value, got), 1);
    assert_string_equal(got[0], "BAD");
    char *value_for_flag[] = {"t", "--quiet=yes", NULL};
    assert_int_equal(read_all(2, value_for_flag, got), 1);
    assert_string_equal(got[0], "BAD");
    char *short_with_eq[] = {"t", "-o=x", NULL}; /* only long options take =value */
    assert_int_equal(read_all(2, short_with_eq, got), 1);
    assert_string_equal(got[0], "BAD");
    char *prefix[] = {"t", "--out", "x", NULL}; /* no abbreviations */
    assert_int_equal(read_all(3, prefix, got), 1);
    assert_string_equal(got[0], "BAD");
    char *empty_value[] = {"t", "--output=", NULL}; /* given, though empty: the command judges it */
    assert_int_equal(read_all(2, empty_value, got), 1);
    assert_string_equal(got[0], "1=");
}

static void numbers(void **state) {
    (void)state;
    long v = 0;
    assert_true(cli_number("4", 1, 64, &v));
    assert_int_equal(v, 4);
    assert_true(cli_number("64", 1, 64, &v));
    assert_false(cli_number("65", 1, 64, &v));
    assert_false(cli_number("0", 1, 64, &v));
    assert_false(cli_number("", 1, 64, &v));
    assert_false(cli_number("4x", 1, 64, &v));
    assert_false(cli_number("99999999999999999999999", 1, 64, &v));
    assert_true(cli_number("-3", -5, 5, &v));
    assert_int_equal(v, -3);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(options_values_operands),
        cmocka_unit_test(after_double_dash_all_operands),
        cmocka_unit_test(errors),
        cmocka_unit_test(numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
