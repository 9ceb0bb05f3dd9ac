/* JSON values shared by the JSON writers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "jsonutil.h"

static void text(void **state)
{
    (void)state;
    json_t *j = json_text(NULL);
    assert_true(json_is_null(j));
    json_decref(j);
    j = json_text("Phòng Nội vụ");
    assert_string_equal(json_string_value(j), "Phòng Nội vụ");
    json_decref(j);
    /* "Ph\xF2ng" is Windows-1258 for Phòng: the bad byte becomes U+FFFD, the rest stays */
    j = json_text("Ph\xF2ng A");
    assert_non_null(j);
    assert_string_equal(json_string_value(j), "Ph\xEF\xBF\xBDng A");
    json_decref(j);
    /* a sequence cut short at the end */
    j = json_text("x\xE1\xBA");
    assert_string_equal(json_string_value(j), "x\xEF\xBF\xBD\xEF\xBF\xBD");
    json_decref(j);
}

static void numbers(void **state)
{
    (void)state;
    dec_t v;
    assert_int_equal(dec_make(27, 2, &v), DEC_OK);
    json_t *j = json_dec(v);
    assert_string_equal(json_string_value(j), "13.5");
    json_decref(j);
    assert_int_equal(dec_make(2, 3, &v), DEC_OK);
    j = json_dec(v);
    assert_string_equal(json_string_value(j), "2/3");
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(text), cmocka_unit_test(numbers)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
