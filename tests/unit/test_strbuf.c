/* The growable string that every writer builds its output in (strbuf.c). */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "strbuf.h"

static void pieces(void **state) {
    (void)state;
    strbuf b = {NULL, 0, 0, false};
    assert_string_equal(sb_str(&b), ""); /* nothing put yet */
    sb_puts(&b, "Phòng ");
    sb_puts(&b, NULL); /* nothing */
    sb_putn(&b, "Nội vụ!", 10); /* 10 bytes: "Nội vụ" without the "!" */
    sb_putc(&b, ':');
    sb_spaces(&b, 3);
    sb_spaces(&b, -2); /* nothing */
    sb_int(&b, -42);
    assert_string_equal(sb_str(&b), "Phòng Nội vụ:   -42");
    assert_int_equal(b.len, strlen("Phòng Nội vụ:   -42"));
    sb_reset(&b);
    assert_string_equal(sb_str(&b), "");
    assert_int_equal(b.len, 0);
    sb_free(&b);
    assert_null(b.p);
}

static void grows_far(void **state) {
    (void)state;
    strbuf b = {NULL, 0, 0, false};
    for (int i = 0; i < 100000; i++) sb_putc(&b, (char)('a' + i % 26));
    assert_int_equal(b.len, 100000);
    assert_true(b.cap > b.len);
    assert_int_equal(b.p[b.len], '\0');
    assert_int_equal(b.p[99999], 'a' + 99999 % 26);
    sb_free(&b);
}

static void flat_text(void **state) {
    (void)state;
    strbuf b = {NULL, 0, 0, false};
    sb_puts_flat(&b, "dòng 1\ndòng 2\tcột\x7f!");
    assert_string_equal(sb_str(&b), "dòng 1 dòng 2 cột !");
    sb_puts_flat(&b, NULL);
    assert_string_equal(sb_str(&b), "dòng 1 dòng 2 cột !");
    sb_free(&b);
}

static void numbers(void **state) {
    (void)state;
    char num[32];
    size_t n;
    const char *p = int_text(0, num, &n);
    assert_int_equal(n, 1);
    assert_memory_equal(p, "0", 1);
    p = int_text(LLONG_MIN, num, &n);
    assert_int_equal(n, 20);
    assert_memory_equal(p, "-9223372036854775808", 20);
    p = int_text(LLONG_MAX, num, &n);
    assert_memory_equal(p, "9223372036854775807", 19);
}

static void take(void **state) {
    (void)state;
    strbuf b = {NULL, 0, 0, false};
    char *s = sb_take(&b); /* nothing put: an empty string, not NULL */
    assert_non_null(s);
    assert_string_equal(s, "");
    free(s);
    sb_puts(&b, "x,y");
    s = sb_take(&b);
    assert_string_equal(s, "x,y");
    assert_null(b.p); /* the caller owns it now */
    assert_int_equal(b.len, 0);
    free(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pieces),
        cmocka_unit_test(grows_far),
        cmocka_unit_test(flat_text),
        cmocka_unit_test(numbers),
        cmocka_unit_test(take),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
