/* Text helpers: locating a CSV cell in a row's raw text for a message's caret. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "textutil.h"

static void csv_cell(void **state)
{
    (void)state;
    const char *row = "a, \"x,y\" ,c\n";
    int line, col, len;
    const char *lt;
    size_t ll;
    assert_true(text_csv_cell(row, strlen(row), 7, 1, &line, &col, &len, &lt, &ll));
    assert_int_equal(line, 7);
    assert_int_equal(col, 4); /* the opening quote, after the space */
    assert_int_equal(len, 5); /* "x,y" with its quotes; the trailing space is not the cell's */
    assert_ptr_equal(lt, row);
    assert_int_equal(ll, 11);
    assert_true(text_csv_cell(row, strlen(row), 7, 2, &line, &col, &len, &lt, &ll));
    assert_int_equal(col, 11);
    assert_int_equal(len, 1);
    assert_false(text_csv_cell(row, strlen(row), 7, 3, &line, &col, &len, &lt, &ll));
    /* a quoted cell with a CRLF inside: the next cell is on the next physical line */
    const char *two = "\"p\r\nq\",r";
    assert_true(text_csv_cell(two, strlen(two), 3, 1, &line, &col, &len, &lt, &ll));
    assert_int_equal(line, 4);
    assert_int_equal(col, 4);
    assert_ptr_equal(lt, two + 4);
    assert_int_equal(ll, 4);
    /* "" inside quotes does not close them */
    const char *esc = "\"a\"\",b\",c";
    assert_true(text_csv_cell(esc, strlen(esc), 1, 1, &line, &col, &len, &lt, &ll));
    assert_int_equal(col, 9);
    assert_false(text_csv_cell(NULL, 0, 1, 0, &line, &col, &len, &lt, &ll));
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(csv_cell)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
