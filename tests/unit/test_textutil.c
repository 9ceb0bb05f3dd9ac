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

static void show_and_bad_bytes(void **state)
{
    (void)state;
    char buf[200];
    text_show(buf, sizeof buf, "Ph\xF2ng\tA", 7, 40); /* a Windows-1258 byte and a tab */
    assert_string_equal(buf, "Ph\\xF2ng\\x09A");
    text_show(buf, sizeof buf, "Phòng Nội vụ", strlen("Phòng Nội vụ"), 5); /* characters, not bytes */
    assert_string_equal(buf, "Phòng...");
    assert_int_equal(text_utf8_bad_at("abc", 3), 3);
    assert_int_equal(text_utf8_bad_at("Ph\xF2ng", 5), 2);
    assert_int_equal(text_utf8_bad_at("\xC0\xAF", 2), 0); /* overlong '/' */
}

/* One code point at a time: its length, its value, and -1 (one byte) for what is not UTF-8, so
 * that a loop over any bytes ends. */
static void next_code_point(void **state)
{
    (void)state;
    int32_t cp;
    assert_int_equal(text_next_cp("a", 1, &cp), 1);
    assert_int_equal(cp, 'a');
    assert_int_equal(text_next_cp("\xE1\xBB\x99i", 4, &cp), 3); /* ộ */
    assert_int_equal(cp, 0x1ED9);
    assert_int_equal(text_next_cp("\xE1\xBB", 2, &cp), 1); /* cut short */
    assert_int_equal(cp, -1);
    assert_int_equal(text_next_cp("\xC0\xAF", 2, &cp), 1); /* overlong '/' */
    assert_int_equal(cp, -1);
    assert_int_equal(text_next_cp("\xFF", 1, &cp), 1);
    assert_int_equal(cp, -1);
    assert_int_equal(sizeof TEXT_REPLACEMENT - 1, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(csv_cell), cmocka_unit_test(show_and_bad_bytes),
                                       cmocka_unit_test(next_code_point)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
