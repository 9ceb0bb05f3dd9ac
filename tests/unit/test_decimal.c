#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "test_helpers.h"

#include <string.h>

#include "decimal.h"

#define P62 4611686018427387904LL /* 2^62 */

#define assert_dec(d, n, q)                                                                        \
    do {                                                                                           \
        dec_t d_ = (d);                                                                            \
        assert_int_equal(d_.num, (n));                                                             \
        assert_int_equal(d_.den, (q));                                                             \
    } while (0)

static dec_t parse_ok(const char *s, int flags)
{
    dec_t d = {-99, 7};
    assert_int_equal(dec_parse(s, strlen(s), flags, &d), DEC_OK);
    return d;
}

static dec_status parse_st(const char *s, int flags)
{
    dec_t d = {-99, 7};
    dec_status st = dec_parse(s, strlen(s), flags, &d);
    if (st != DEC_OK) assert_dec(d, -99, 7); /* untouched on failure */
    return st;
}

static const char *fmt(dec_t d, int min_places)
{
    static char buf[DEC_FMT_MAX];
    size_t n = dec_format(d, min_places, buf, sizeof buf);
    assert_int_equal(n, strlen(buf));
    return buf;
}

static void test_make_normalises(void **state)
{
    (void)state;
    dec_t d;
    assert_dec(D(6, -4), -3, 2);
    assert_dec(D(-6, -4), 3, 2);
    assert_dec(D(0, -5), 0, 1);
    assert_dec(D(10, 5), 2, 1);
    assert_dec(D(INT64_MAX, INT64_MAX), 1, 1);
    assert_int_equal(dec_make(1, 0, &d), DEC_DIVZERO);
    assert_int_equal(dec_make(0, 0, &d), DEC_DIVZERO);
}

static void test_make_int64_min(void **state)
{
    (void)state;
    dec_t d;
    assert_int_equal(dec_make(INT64_MIN, 1, &d), DEC_OVERFLOW);
    assert_int_equal(dec_make(INT64_MIN, -1, &d), DEC_OVERFLOW); /* +2^63 */
    assert_int_equal(dec_make(1, INT64_MIN, &d), DEC_OVERFLOW);  /* den 2^63 */
    assert_dec(D(INT64_MIN, 2), -P62, 1);
    assert_dec(D(INT64_MIN, INT64_MIN), 1, 1);
    assert_dec(D(2, INT64_MIN), -1, P62);
}

static void test_point_one_plus_point_two(void **state)
{
    (void)state;
    dec_t s;
    assert_int_equal(dec_add(parse_ok("0.1", 0), parse_ok("0.2", 0), &s), DEC_OK);
    assert_dec(s, 3, 10);
    assert_int_equal(dec_cmp(s, parse_ok("0.3", 0)), 0);
    assert_string_equal(fmt(s, -1), "0.3");
}

static void test_two_thirds_stays_exact(void **state)
{
    (void)state;
    dec_t t = D(2, 3), r;
    assert_false(dec_is_terminating(t));
    assert_string_equal(fmt(t, -1), "2/3");
    assert_string_equal(fmt(t, 2), "2/3"); /* padding only applies to decimals */
    assert_string_equal(fmt(D(-1, 3), -1), "-1/3");
    assert_int_equal(dec_add(t, dec_from_int(0), &r), DEC_OK);
    assert_dec(r, 2, 3);
    assert_int_equal(dec_mul(D(1, 3), dec_from_int(3), &r), DEC_OK);
    assert_dec(r, 1, 1);
    assert_true(dec_is_integer(r));
    assert_int_equal(dec_add(D(1, 3), D(2, 3), &r), DEC_OK);
    assert_dec(r, 1, 1);
}

static void test_add_sub(void **state)
{
    (void)state;
    dec_t r;
    assert_int_equal(dec_add(D(1, 2), D(1, 3), &r), DEC_OK);
    assert_dec(r, 5, 6);
    assert_int_equal(dec_add(D(1, 6), D(1, 3), &r), DEC_OK); /* common factor 3 cancels */
    assert_dec(r, 1, 2);
    assert_int_equal(dec_add(D(1, 4), D(3, 4), &r), DEC_OK);
    assert_dec(r, 1, 1);
    assert_int_equal(dec_sub(D(3, 4), D(1, 4), &r), DEC_OK);
    assert_dec(r, 1, 2);
    assert_int_equal(dec_sub(D(1, 2), D(1, 2), &r), DEC_OK);
    assert_dec(r, 0, 1);
    assert_int_equal(dec_sub(dec_from_int(5), dec_from_int(7), &r), DEC_OK);
    assert_dec(r, -2, 1);
    assert_int_equal(dec_sub(D(1, 3), D(1, 2), &r), DEC_OK);
    assert_dec(r, -1, 6);
    assert_int_equal(dec_add(dec_from_int(2), D(-1, 4), &r), DEC_OK);
    assert_dec(r, 7, 4);
    /* 2^-62 + 2^-62 = 2^-61: the naive den product 2^124 would overflow. */
    assert_int_equal(dec_add(D(1, P62), D(1, P62), &r), DEC_OK);
    assert_dec(r, 1, P62 / 2);
}

static void test_add_sub_overflow(void **state)
{
    (void)state;
    dec_t r = {42, 1};
    assert_int_equal(dec_add(dec_from_int(INT64_MAX), dec_from_int(1), &r), DEC_OVERFLOW);
    assert_dec(r, 42, 1); /* out untouched */
    assert_int_equal(dec_sub(dec_from_int(-INT64_MAX), dec_from_int(1), &r), DEC_OVERFLOW);
    assert_int_equal(dec_sub(dec_from_int(-INT64_MAX), dec_from_int(2), &r), DEC_OVERFLOW);
    assert_int_equal(dec_add(dec_from_int(INT64_MAX), D(1, 2), &r), DEC_OVERFLOW);
    assert_int_equal(dec_add(D(INT64_MAX, 2), D(1, 3), &r), DEC_OVERFLOW);
    assert_int_equal(dec_sub(dec_from_int(INT64_MAX), dec_from_int(INT64_MAX), &r), DEC_OK);
    assert_dec(r, 0, 1);
    assert_int_equal(dec_add(dec_from_int(INT64_MAX), dec_from_int(-1), &r), DEC_OK);
    assert_dec(r, INT64_MAX - 1, 1);
}

static void test_mul_div(void **state)
{
    (void)state;
    dec_t r;
    assert_int_equal(dec_mul(D(2, 3), D(9, 4), &r), DEC_OK);
    assert_dec(r, 3, 2);
    assert_int_equal(dec_mul(D(-2, 3), D(3, 5), &r), DEC_OK);
    assert_dec(r, -2, 5);
    assert_int_equal(dec_mul(D(0, 1), D(3, 5), &r), DEC_OK);
    assert_dec(r, 0, 1);
    assert_int_equal(dec_mul(parse_ok("85%", DEC_PARSE_PERCENT), dec_from_int(20), &r), DEC_OK);
    assert_dec(r, 17, 1);
    /* (2^62/3) * (3/2^62): cross-reduction keeps it exact */
    assert_int_equal(dec_mul(D(P62, 3), D(3, P62), &r), DEC_OK);
    assert_dec(r, 1, 1);
    assert_int_equal(dec_div(D(1, 2), D(1, 4), &r), DEC_OK);
    assert_dec(r, 2, 1);
    assert_int_equal(dec_div(dec_from_int(3), dec_from_int(-6), &r), DEC_OK);
    assert_dec(r, -1, 2);
    assert_int_equal(dec_div(D(-3, 4), D(-9, 8), &r), DEC_OK);
    assert_dec(r, 2, 3);
    assert_int_equal(dec_div(dec_from_int(0), dec_from_int(5), &r), DEC_OK);
    assert_dec(r, 0, 1);
    assert_int_equal(dec_mul(dec_from_int(INT64_MAX), dec_from_int(-1), &r), DEC_OK);
    assert_dec(r, -INT64_MAX, 1);
}

static void test_div_by_zero(void **state)
{
    (void)state;
    dec_t r = {42, 1};
    assert_int_equal(dec_div(dec_from_int(1), dec_from_int(0), &r), DEC_DIVZERO);
    assert_int_equal(dec_div(D(0, 1), D(0, 1), &r), DEC_DIVZERO);
    assert_int_equal(dec_div(D(2, 3), parse_ok("0.00", 0), &r), DEC_DIVZERO);
    assert_dec(r, 42, 1);
}

static void test_mul_overflow(void **state)
{
    (void)state;
    dec_t r;
    /* floor(sqrt(2^63 - 1)) = 3037000499 */
    assert_int_equal(dec_mul(dec_from_int(3037000499LL), dec_from_int(3037000499LL), &r), DEC_OK);
    assert_dec(r, 9223372030926249001LL, 1);
    assert_int_equal(dec_mul(dec_from_int(3037000500LL), dec_from_int(3037000500LL), &r), DEC_OVERFLOW);
    assert_int_equal(dec_mul(dec_from_int(-3037000500LL), dec_from_int(3037000500LL), &r), DEC_OVERFLOW);
    assert_int_equal(dec_mul(D(1000000000000LL, 7), D(1000000000000LL, 11), &r), DEC_OVERFLOW);
    assert_int_equal(dec_mul(D(1, 1000000007LL), D(1, 1000000009LL), &r), DEC_OK);
    assert_dec(r, 1, 1000000016000000063LL);
    assert_int_equal(dec_mul(D(1, 10000000019LL), D(1, 1000000007LL), &r), DEC_OVERFLOW);
    assert_int_equal(dec_div(dec_from_int(INT64_MAX), D(1, 2), &r), DEC_OVERFLOW);
}

static void test_int64_min_inputs(void **state)
{
    (void)state;
    dec_t m = dec_from_int(INT64_MIN), r;
    assert_int_equal(dec_neg(m, &r), DEC_OVERFLOW);
    assert_int_equal(dec_add(m, dec_from_int(0), &r), DEC_OVERFLOW);
    assert_int_equal(dec_sub(dec_from_int(0), m, &r), DEC_OVERFLOW);
    assert_int_equal(dec_mul(m, dec_from_int(1), &r), DEC_OVERFLOW);
    assert_int_equal(dec_mul(m, dec_from_int(-1), &r), DEC_OVERFLOW);
    assert_int_equal(dec_div(dec_from_int(1), m, &r), DEC_OVERFLOW); /* den 2^63 */
    assert_int_equal(dec_round(m, 0, DEC_HALF_UP, &r), DEC_OVERFLOW);
    /* exact results that do fit are still computed, without UB on the way */
    assert_int_equal(dec_mul(m, D(1, 2), &r), DEC_OK);
    assert_dec(r, -P62, 1);
    assert_int_equal(dec_div(dec_from_int(2), m, &r), DEC_OK);
    assert_dec(r, -1, P62);
    assert_int_equal(dec_add(m, dec_from_int(1), &r), DEC_OK);
    assert_dec(r, -INT64_MAX, 1);
    assert_int_equal(dec_cmp(m, dec_from_int(-INT64_MAX)), -1);
    assert_int_equal(dec_cmp(m, m), 0);
    char buf[DEC_FMT_MAX];
    dec_format(m, -1, buf, sizeof buf);
    assert_string_equal(buf, "-9223372036854775808");
}

static void test_neg(void **state)
{
    (void)state;
    dec_t r;
    assert_int_equal(dec_neg(D(3, 4), &r), DEC_OK);
    assert_dec(r, -3, 4);
    assert_int_equal(dec_neg(dec_from_int(-INT64_MAX), &r), DEC_OK);
    assert_dec(r, INT64_MAX, 1);
    assert_int_equal(dec_neg(D(0, 1), &r), DEC_OK);
    assert_dec(r, 0, 1);
}

static void test_cmp(void **state)
{
    (void)state;
    assert_int_equal(dec_cmp(D(1, 3), D(1, 2)), -1);
    assert_int_equal(dec_cmp(D(1, 2), D(1, 3)), 1);
    assert_int_equal(dec_cmp(D(2, 4), D(1, 2)), 0);
    assert_int_equal(dec_cmp(D(-1, 2), D(1, 3)), -1);
    assert_int_equal(dec_cmp(D(-1, 2), D(-1, 3)), -1);
    assert_int_equal(dec_cmp(dec_from_int(3), D(17, 6)), 1);
    assert_int_equal(dec_cmp(parse_ok("85%", DEC_PARSE_PERCENT), parse_ok("0.85", 0)), 0);
    /* x/(x-1) decreases; the cross products need 128 bits */
    assert_int_equal(dec_cmp(D(INT64_MAX, INT64_MAX - 1), D(INT64_MAX - 1, INT64_MAX - 2)), -1);
    assert_int_equal(dec_cmp(D(INT64_MAX - 1, INT64_MAX - 2), D(INT64_MAX, INT64_MAX - 1)), 1);
    assert_int_equal(dec_cmp(dec_from_int(INT64_MAX), D(1, INT64_MAX)), 1);
}

static dec_t rnd(dec_t a, int places, dec_rounding mode)
{
    dec_t r;
    assert_int_equal(dec_round(a, places, mode, &r), DEC_OK);
    return r;
}

static void test_inline_fast_paths(void **state)
{
    (void)state;
    dec_t r;
    /* equal denominators: added in 64 bits, then normalised */
    assert_int_equal(dec_add(D(1, 4), D(1, 4), &r), DEC_OK);
    assert_dec(r, 1, 2);
    assert_int_equal(dec_sub(D(3, 4), D(1, 4), &r), DEC_OK);
    assert_dec(r, 1, 2);
    assert_int_equal(dec_sub(D(1, 4), D(1, 4), &r), DEC_OK);
    assert_dec(r, 0, 1);
    assert_int_equal(dec_add(D(-3, 8), D(3, 8), &r), DEC_OK);
    assert_dec(r, 0, 1);
    assert_int_equal(dec_add(D(2, 3), D(2, 3), &r), DEC_OK);
    assert_dec(r, 4, 3);
    /* the numerators' sum overflows int64 but the reduced result fits: computed, not refused */
    assert_int_equal(dec_add(D(INT64_MAX, 3), D(INT64_MAX - 2, 3), &r), DEC_OK);
    assert_dec(r, 6148914691236517204LL, 1);
    assert_int_equal(dec_sub(D(INT64_MAX, 3), D(-(INT64_MAX - 2), 3), &r), DEC_OK);
    assert_dec(r, 6148914691236517204LL, 1);
    assert_int_equal(dec_add(D(INT64_MAX, 3), D(INT64_MAX, 3), &r), DEC_OVERFLOW); /* 2^64-2 over 3 */
    /* integers */
    assert_int_equal(dec_add(dec_from_int(INT64_MAX), dec_from_int(0), &r), DEC_OK);
    assert_dec(r, INT64_MAX, 1);
    assert_int_equal(dec_add(dec_from_int(INT64_MAX), dec_from_int(1), &r), DEC_OVERFLOW);
    assert_int_equal(dec_sub(dec_from_int(-INT64_MAX), dec_from_int(1), &r), DEC_OVERFLOW); /* INT64_MIN */
    /* comparisons with and without a common denominator */
    assert_int_equal(dec_cmp(D(1, 3), D(2, 3)), -1);
    assert_int_equal(dec_cmp(D(-1, 3), D(-2, 3)), 1);
    assert_int_equal(dec_cmp(D(5, 7), D(5, 7)), 0);
    assert_int_equal(dec_cmp(D(INT64_MAX, 2), D(INT64_MAX - 1, 1)), -1);
    /* one integer operand */
    assert_int_equal(dec_mul(dec_from_int(6), D(5, 4), &r), DEC_OK);
    assert_dec(r, 15, 2);
    assert_int_equal(dec_mul(D(5, 4), dec_from_int(-8), &r), DEC_OK);
    assert_dec(r, -10, 1);
    assert_int_equal(dec_div(D(3, 4), dec_from_int(6), &r), DEC_OK);
    assert_dec(r, 1, 8);
    assert_int_equal(dec_div(D(3, 4), dec_from_int(-6), &r), DEC_OK);
    assert_dec(r, -1, 8);
    /* a gcd of 2^63 */
    dec_t m = dec_from_int(INT64_MIN);
    assert_int_equal(dec_div(m, m, &r), DEC_OK);
    assert_dec(r, 1, 1);
}

static void test_round_fast_paths(void **state)
{
    (void)state;
    dec_t r;
    /* already at the precision: returned as is, with no scaled product to overflow */
    assert_int_equal(dec_round(dec_from_int(INT64_MAX), 18, DEC_HALF_UP, &r), DEC_OK);
    assert_dec(r, INT64_MAX, 1);
    assert_int_equal(dec_round(D(1, 4), 2, DEC_HALF_EVEN, &r), DEC_OK);
    assert_dec(r, 1, 4);
    assert_int_equal(dec_round(D(INT64_MAX, 1024), 10, DEC_HALF_UP, &r), DEC_OK);
    assert_dec(r, INT64_MAX, 1024);
    assert_int_equal(dec_round(dec_from_int(7), 19, DEC_HALF_UP, &r), DEC_OVERFLOW);
    assert_int_equal(dec_round(dec_from_int(7), -1, DEC_HALF_UP, &r), DEC_OVERFLOW);
    /* 64-bit arithmetic, both signs and both modes */
    assert_int_equal(dec_round(D(1, 8), 2, DEC_HALF_UP, &r), DEC_OK);
    assert_dec(r, 13, 100);
    assert_int_equal(dec_round(D(1, 8), 2, DEC_HALF_EVEN, &r), DEC_OK);
    assert_dec(r, 3, 25);
    assert_int_equal(dec_round(D(-1, 8), 2, DEC_HALF_UP, &r), DEC_OK);
    assert_dec(r, -13, 100);
    assert_int_equal(dec_round(D(-1, 8), 2, DEC_HALF_EVEN, &r), DEC_OK);
    assert_dec(r, -3, 25);
    assert_int_equal(dec_round(D(-1, 200), 2, DEC_HALF_UP, &r), DEC_OK);
    assert_dec(r, -1, 100);
    assert_int_equal(dec_round(D(-1, 200), 2, DEC_HALF_EVEN, &r), DEC_OK);
    assert_dec(r, 0, 1);
    assert_int_equal(dec_round(D(2, 3), 0, DEC_HALF_UP, &r), DEC_OK);
    assert_dec(r, 1, 1);
    /* the scaled value needs more than 64 bits, the result does not */
    assert_int_equal(dec_round(D(100000000000000001LL, 3), 2, DEC_HALF_UP, &r), DEC_OK);
    assert_dec(r, 3333333333333333367LL, 100);
}

static void test_round_half_up_vs_even(void **state)
{
    (void)state;
    dec_t x = parse_ok("2.345", 0);
    assert_dec(rnd(x, 2, DEC_HALF_UP), 47, 20);    /* 2.35 */
    assert_dec(rnd(x, 2, DEC_HALF_EVEN), 117, 50); /* 2.34 */
    assert_string_equal(fmt(rnd(x, 2, DEC_HALF_UP), 2), "2.35");
    assert_dec(rnd(D(-5, 2), 0, DEC_HALF_UP), -3, 1);
    assert_dec(rnd(D(-5, 2), 0, DEC_HALF_EVEN), -2, 1);
    assert_dec(rnd(D(5, 2), 0, DEC_HALF_UP), 3, 1);
    assert_dec(rnd(D(5, 2), 0, DEC_HALF_EVEN), 2, 1);
    assert_dec(rnd(D(7, 2), 0, DEC_HALF_EVEN), 4, 1);
    assert_dec(rnd(D(-7, 2), 0, DEC_HALF_EVEN), -4, 1);
    dec_t e = parse_ok("0.125", 0);
    assert_dec(rnd(e, 2, DEC_HALF_EVEN), 3, 25); /* 0.12 */
    assert_dec(rnd(e, 2, DEC_HALF_UP), 13, 100);
    assert_dec(rnd(D(-1, 8), 2, DEC_HALF_UP), -13, 100);
    assert_dec(rnd(D(-1, 8), 2, DEC_HALF_EVEN), -3, 25);
    assert_dec(rnd(parse_ok("0.135", 0), 2, DEC_HALF_EVEN), 7, 50); /* 0.14: 3 is odd */
}

static void test_round_non_halves(void **state)
{
    (void)state;
    assert_dec(rnd(D(2, 3), 2, DEC_HALF_UP), 67, 100);
    assert_dec(rnd(D(-2, 3), 2, DEC_HALF_EVEN), -67, 100);
    assert_dec(rnd(D(1, 3), 0, DEC_HALF_UP), 0, 1);
    assert_dec(rnd(D(-1, 3), 0, DEC_HALF_UP), 0, 1);
    assert_dec(rnd(parse_ok("0.004", 0), 2, DEC_HALF_UP), 0, 1);
    assert_dec(rnd(parse_ok("0.005", 0), 2, DEC_HALF_UP), 1, 100);
    assert_dec(rnd(parse_ok("9.995", 0), 2, DEC_HALF_UP), 10, 1);
    assert_dec(rnd(D(1, 3), 18, DEC_HALF_UP), 333333333333333333LL, 1000000000000000000LL);
    assert_dec(rnd(D(2, 3), 18, DEC_HALF_UP), 666666666666666667LL, 1000000000000000000LL);
    /* already exact at that precision: unchanged, even when value * 10^18 exceeds int64 */
    assert_dec(rnd(dec_from_int(INT64_MAX), 18, DEC_HALF_UP), INT64_MAX, 1);
    assert_dec(rnd(D(27, 2), 2, DEC_HALF_UP), 27, 2);
}

static void test_round_errors(void **state)
{
    (void)state;
    dec_t r;
    assert_int_equal(dec_round(D(1, 3), 19, DEC_HALF_UP, &r), DEC_OVERFLOW);
    assert_int_equal(dec_round(D(1, 3), -1, DEC_HALF_UP, &r), DEC_OVERFLOW);
    /* INT64_MAX/3 to 2 places needs a numerator of about 3e20 */
    assert_int_equal(dec_round(D(INT64_MAX, 3), 2, DEC_HALF_UP, &r), DEC_OVERFLOW);
    /* ties at the top of the range: (2^63-1)/2 = 2^62 - 0.5, (2^63-3)/2 = 2^62 - 1.5 */
    assert_dec(rnd(D(INT64_MAX, 2), 0, DEC_HALF_UP), P62, 1);
    assert_dec(rnd(D(INT64_MAX, 2), 0, DEC_HALF_EVEN), P62, 1);
    assert_dec(rnd(D(INT64_MAX - 2, 2), 0, DEC_HALF_EVEN), P62 - 2, 1);
    assert_dec(rnd(D(INT64_MAX - 2, 2), 0, DEC_HALF_UP), P62 - 1, 1);
    assert_dec(rnd(D(-INT64_MAX, 2), 0, DEC_HALF_UP), -P62, 1);
}

static void test_parse_basic(void **state)
{
    (void)state;
    assert_dec(parse_ok("12", 0), 12, 1);
    assert_dec(parse_ok("-0.5", 0), -1, 2);
    assert_dec(parse_ok("+3", 0), 3, 1);
    assert_dec(parse_ok(" 12 ", 0), 12, 1);
    assert_dec(parse_ok("\t 13.50  ", 0), 27, 2);
    assert_dec(parse_ok(".5", 0), 1, 2);
    assert_dec(parse_ok("-.25", 0), -1, 4);
    assert_dec(parse_ok("007", 0), 7, 1);
    assert_dec(parse_ok("-0", 0), 0, 1);
    assert_dec(parse_ok("0.256", 0), 32, 125);
    assert_dec(parse_ok("1.50000000000000000000000000", 0), 3, 2);
    assert_dec(parse_ok("000000000000000000000000000000042", 0), 42, 1);
    dec_t d;
    assert_int_equal(dec_parse("12345", 2, 0, &d), DEC_OK); /* honours len */
    assert_dec(d, 12, 1);
}

static void test_parse_comma_and_percent(void **state)
{
    (void)state;
    assert_dec(parse_ok("0,5", DEC_PARSE_COMMA), 1, 2);
    assert_dec(parse_ok("0.5", DEC_PARSE_COMMA), 1, 2);
    assert_int_equal(parse_st("0,5", 0), DEC_SYNTAX);
    assert_dec(parse_ok("85%", DEC_PARSE_PERCENT), 17, 20);
    assert_dec(parse_ok(" 85 % ", DEC_PARSE_PERCENT), 17, 20);
    assert_dec(parse_ok("100%", DEC_PARSE_PERCENT), 1, 1);
    assert_dec(parse_ok("12,5 %", DEC_PARSE_COMMA | DEC_PARSE_PERCENT), 1, 8);
    assert_dec(parse_ok("-0.5%", DEC_PARSE_PERCENT), -1, 200);
    assert_dec(parse_ok("85", DEC_PARSE_PERCENT), 85, 1); /* '%' optional; plain numbers stay */
    assert_int_equal(parse_st("85%", 0), DEC_SYNTAX);
    assert_int_equal(parse_st("%", DEC_PARSE_PERCENT), DEC_SYNTAX);
    assert_int_equal(parse_st("85%%", DEC_PARSE_PERCENT), DEC_SYNTAX);
    assert_int_equal(parse_st("%85", DEC_PARSE_PERCENT), DEC_SYNTAX);
}

static void test_parse_rejects(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "", "   ", "-", "+", "1e3", "1E3", "abc", "1.2.3", "1.", "-.", ".", "1 2", "- 1", "0x10",
        "12a", "+-1", "1,5", "1_000", "\xef\xbc\x91" /* fullwidth 1 */, "1.5.",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        if (parse_st(bad[i], 0) != DEC_SYNTAX) fail_msg("accepted \"%s\"", bad[i]);
    }
    assert_int_equal(parse_st("1,000.5", 0), DEC_SYNTAX);
    assert_int_equal(parse_st("1,000.5", DEC_PARSE_COMMA), DEC_SYNTAX);
    assert_int_equal(parse_st("1.000,5", DEC_PARSE_COMMA), DEC_SYNTAX);
    assert_int_equal(parse_st("1,", DEC_PARSE_COMMA), DEC_SYNTAX);
    dec_t d;
    assert_int_equal(dec_parse(NULL, 0, 0, &d), DEC_SYNTAX);
    assert_int_equal(dec_parse("1\0002", 3, 0, &d), DEC_SYNTAX);
}

static void test_parse_overflow(void **state)
{
    (void)state;
    assert_int_equal(parse_st("123456789012345678901234567890", 0), DEC_OVERFLOW);
    assert_int_equal(parse_st("-123456789012345678901234567890", 0), DEC_OVERFLOW);
    assert_int_equal(parse_st("1.23456789012345678901234567890", 0), DEC_OVERFLOW);
    assert_dec(parse_ok("9223372036854775807", 0), INT64_MAX, 1);
    assert_dec(parse_ok("-9223372036854775807", 0), -INT64_MAX, 1);
    assert_int_equal(parse_st("9223372036854775808", 0), DEC_OVERFLOW);
    assert_int_equal(parse_st("-9223372036854775808", 0), DEC_OVERFLOW); /* INT64_MIN */
    assert_int_equal(parse_st("18446744073709551616", 0), DEC_OVERFLOW);  /* wraps uint64 */
    assert_dec(parse_ok("0.000000000000000001", 0), 1, 1000000000000000000LL);
    assert_int_equal(parse_st("0.0000000000000000001", 0), DEC_OVERFLOW);
    assert_int_equal(parse_st("0.000000000000000001%", DEC_PARSE_PERCENT), DEC_OVERFLOW);
    /* shape is checked first: a long bad string is a syntax error */
    assert_int_equal(parse_st("123456789012345678901234567890x", 0), DEC_SYNTAX);
}

static void test_format(void **state)
{
    (void)state;
    assert_string_equal(fmt(D(27, 2), -1), "13.5");
    assert_string_equal(fmt(D(27, 2), 2), "13.50");
    assert_string_equal(fmt(D(27, 2), 0), "13.5");
    assert_string_equal(fmt(D(-32, 125), -1), "-0.256");
    assert_string_equal(fmt(D(0, 1), -1), "0");
    assert_string_equal(fmt(D(0, 1), 2), "0.00");
    assert_string_equal(fmt(dec_from_int(-2), -1), "-2");
    assert_string_equal(fmt(dec_from_int(-2), 1), "-2.0");
    assert_string_equal(fmt(dec_from_int(13), 2), "13.00");
    assert_string_equal(fmt(D(1, 8), 1), "0.125");
    assert_string_equal(fmt(D(-1, 20), 3), "-0.050");
    assert_string_equal(fmt(D(1, 1000000000000000000LL), -1), "0.000000000000000001");
    assert_string_equal(fmt(dec_from_int(INT64_MAX), -1), "9223372036854775807");
    assert_string_equal(fmt(D(-INT64_MAX, 1000), 2), "-9223372036854775.807");
    assert_string_equal(fmt(D(1, 6), -1), "1/6");
    assert_string_equal(fmt(D(-INT64_MAX, INT64_MAX - 1), -1), "-9223372036854775807/9223372036854775806");
    assert_string_equal(fmt(D(1, 1024), -1), "0.0009765625");
    /* 2^-62 has 62 fraction digits, more than DEC_FMT_MAX allows: written as a fraction */
    assert_string_equal(fmt(D(1, P62), -1), "1/4611686018427387904");
    assert_true(dec_is_terminating(D(1, P62)));
}

static void test_format_snprintf_semantics(void **state)
{
    (void)state;
    char buf[8] = "xxxxxxx";
    assert_int_equal(dec_format(D(27, 2), 2, buf, 3), 5);
    assert_string_equal(buf, "13");
    assert_int_equal(dec_format(D(27, 2), 2, buf, 0), 5);
    assert_string_equal(buf, "13");
    assert_int_equal(dec_format(D(2, 3), -1, NULL, 0), 3);
    assert_int_equal(dec_format(D(2, 3), -1, buf, 1), 3);
    assert_string_equal(buf, "");
    assert_int_equal(dec_format(D(27, 2), -1, buf, sizeof buf), 4);
    assert_string_equal(buf, "13.5");
}

static void test_is_terminating(void **state)
{
    (void)state;
    assert_true(dec_is_terminating(D(1, 2)));
    assert_true(dec_is_terminating(D(3, 20)));
    assert_true(dec_is_terminating(D(7, 1)));
    assert_true(dec_is_terminating(D(1, 1000000000000000000LL)));
    assert_false(dec_is_terminating(D(1, 3)));
    assert_false(dec_is_terminating(D(1, 6)));
    assert_false(dec_is_terminating(D(1, 14)));
}

static void test_parse_format_round_trip(void **state)
{
    (void)state;
    static const char *const ok[] = {"0", "1", "-1", "13.5", "-0.256", "0.05", "100", "123456.789",
                                     "9223372036854775807", "0.000000000000000001"};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) assert_string_equal(fmt(parse_ok(ok[i], 0), -1), ok[i]);
}

static dec_t acc_sum(const dec_t *xs, int n, dec_status *st)
{
    dec_acc a;
    dec_acc_init(&a);
    for (int i = 0; i < n; i++) dec_acc_add(&a, xs[i]);
    dec_t r = {-99, 7};
    *st = dec_acc_result(&a, &r);
    return r;
}

/* Scores rounded to 2 places, as a parent sums them: 0.38 + 0.63 + 1.25 + 0.5 + 1 + 0.75 = 4.51. */
static void test_acc_scores(void **state)
{
    (void)state;
    dec_t xs[] = {D(38, 100), D(63, 100), D(125, 100), D(1, 2), D(1, 1), D(3, 4)};
    dec_status st;
    dec_t r = acc_sum(xs, 6, &st);
    assert_int_equal(st, DEC_OK);
    assert_dec(r, 451, 100);
    /* normalised at the end: 0.25 + 0.25 + 0.5 = 1 */
    dec_t ys[] = {D(1, 4), D(1, 4), D(1, 2)};
    assert_dec(acc_sum(ys, 3, &st), 1, 1);
    assert_int_equal(st, DEC_OK);
    /* an empty sum is 0 */
    assert_dec(acc_sum(NULL, 0, &st), 0, 1);
    assert_int_equal(st, DEC_OK);
}

/* Thirds and sevenths: the running denominator grows to the lcm (21) and stays exact. */
static void test_acc_exact_lcm(void **state)
{
    (void)state;
    dec_t xs[] = {D(1, 3), D(1, 7), D(1, 3), D(2, 7), D(1, 3), D(4, 7)};
    dec_status st;
    assert_dec(acc_sum(xs, 6, &st), 2, 1); /* 1 + 1 */
    assert_int_equal(st, DEC_OK);
    dec_t ys[] = {D(-5, 6), D(1, 4), D(1, 12)}; /* -10/12 + 3/12 + 1/12 = -1/2 */
    assert_dec(acc_sum(ys, 3, &st), -1, 2);
    assert_int_equal(st, DEC_OK);
}

/* Large values: an intermediate beyond int64 is fine when the sum fits; a sum that does not fit is
 * an overflow, never wrong digits. */
static void test_acc_large(void **state)
{
    (void)state;
    dec_status st;
    dec_t up[] = {dec_from_int(INT64_MAX), dec_from_int(INT64_MAX), dec_from_int(-INT64_MAX)};
    assert_dec(acc_sum(up, 3, &st), INT64_MAX, 1);
    assert_int_equal(st, DEC_OK);
    dec_t over[] = {dec_from_int(INT64_MAX), dec_from_int(1)};
    acc_sum(over, 2, &st);
    assert_int_equal(st, DEC_OVERFLOW);
    /* big numerator over a fraction: (2^62 + 1/2) * 2 terms does not fit in int64 */
    dec_t half[] = {dec_from_int(P62), D(1, 2), dec_from_int(P62), D(1, 2)};
    acc_sum(half, 4, &st);
    assert_int_equal(st, DEC_OVERFLOW);
    /* 2^62 + 1/2 - 2^62 + 1/2 = 1 */
    dec_t back[] = {dec_from_int(P62), D(1, 2), dec_from_int(-P62), D(1, 2)};
    assert_dec(acc_sum(back, 4, &st), 1, 1);
    assert_int_equal(st, DEC_OK);
}

/* Denominators whose lcm passes int64 (large primes): the accumulator falls back to normalised
 * addition, exactly as a chain of dec_add would. */
static void test_acc_lcm_fallback(void **state)
{
    (void)state;
    const int64_t p = 2147483647, q = 2147483629, r = 2147483587; /* primes near 2^31 */
    dec_t xs[] = {D(1, p), D(1, q), D(-1, p), D(-1, q), D(1, r)};
    dec_status st;
    assert_dec(acc_sum(xs, 5, &st), 1, r);
    assert_int_equal(st, DEC_OK);
    dec_t chain = dec_from_int(0);
    for (int i = 0; i < 3; i++) assert_int_equal(dec_add(chain, xs[i], &chain), DEC_OK);
    dec_t ys[] = {D(1, p), D(1, q), D(-1, p)};
    assert_dec(acc_sum(ys, 3, &st), chain.num, chain.den);
    assert_int_equal(st, DEC_OK);
    /* 1/p + 1/q + 1/r: the exact denominator p*q*r does not fit: an overflow, as dec_add gives */
    dec_t zs[] = {D(1, p), D(1, q), D(1, r)};
    acc_sum(zs, 3, &st);
    dec_t t;
    assert_int_equal(dec_add(D(1, p), D(1, q), &t), DEC_OK);
    assert_int_equal(dec_add(t, D(1, r), &t), DEC_OVERFLOW);
    assert_int_equal(st, DEC_OVERFLOW);
}

/* Random small sums against a chain of dec_add. */
static void test_acc_matches_add(void **state)
{
    (void)state;
    uint64_t seed = 88172645463325252ULL;
    const int64_t dens[] = {1, 2, 3, 4, 5, 8, 10, 20, 25, 50, 100, 7, 9, 1000};
    for (int round = 0; round < 20000; round++) {
        dec_acc a;
        dec_acc_init(&a);
        dec_t chain = dec_from_int(0);
        int n = 1 + (int)(round % 12);
        for (int i = 0; i < n; i++) {
            seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
            dec_t x = D((int64_t)(seed % 2001) - 1000, dens[(seed >> 20) % (sizeof dens / sizeof *dens)]);
            dec_acc_add(&a, x);
            assert_int_equal(dec_add(chain, x, &chain), DEC_OK);
        }
        dec_t r;
        assert_int_equal(dec_acc_result(&a, &r), DEC_OK);
        assert_dec(r, chain.num, chain.den);
    }
}

/* An index: 2 of 3 points is 66.67% at 2 places (200/3 exactly); 61 of 70 is 87.142857...% -> 87.14;
 * half-even at a tie; and random values against divide, multiply by 100 and round. */
static void test_percent(void **state)
{
    (void)state;
    dec_t r;
    assert_int_equal(dec_percent(D(2, 1), D(3, 1), 2, DEC_HALF_UP, &r), DEC_OK);
    assert_dec(r, 6667, 100);
    assert_int_equal(dec_percent(D(2, 1), D(3, 1), -1, DEC_HALF_UP, &r), DEC_OK);
    assert_dec(r, 200, 3);
    assert_int_equal(dec_percent(D(61, 1), D(70, 1), 2, DEC_HALF_UP, &r), DEC_OK);
    assert_dec(r, 4357, 50); /* 87.14 */
    assert_int_equal(dec_percent(D(1, 8), D(1, 1), 1, DEC_HALF_EVEN, &r), DEC_OK); /* 12.5 stays */
    assert_dec(r, 25, 2);
    assert_int_equal(dec_percent(D(1, 8), D(1, 1), 0, DEC_HALF_EVEN, &r), DEC_OK); /* 12.5 -> 12 */
    assert_dec(r, 12, 1);
    assert_int_equal(dec_percent(D(1, 8), D(1, 1), 0, DEC_HALF_UP, &r), DEC_OK); /* 12.5 -> 13 */
    assert_dec(r, 13, 1);
    assert_int_equal(dec_percent(D(-1, 8), D(1, 1), 0, DEC_HALF_UP, &r), DEC_OK); /* away from 0 */
    assert_dec(r, -13, 1);
    assert_int_equal(dec_percent(D(1, 1), D(0, 1), 2, DEC_HALF_UP, &r), DEC_DIVZERO);
    /* too large for 64 bits on the way: the general path, same answer */
    assert_int_equal(dec_percent(dec_from_int(P62), dec_from_int(P62), 2, DEC_HALF_UP, &r), DEC_OK);
    assert_dec(r, 100, 1);
    uint64_t seed = 0x9E3779B97F4A7C15ULL;
    for (int i = 0; i < 50000; i++) {
        seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
        dec_t part = D((int64_t)(seed % 100000) - 5000, 1 + (int64_t)((seed >> 17) % 400));
        dec_t whole = D(1 + (int64_t)((seed >> 27) % 100000), 1 + (int64_t)((seed >> 44) % 60));
        int places = (int)((seed >> 58) % 6) - 1;
        dec_rounding mode = (seed >> 63) ? DEC_HALF_EVEN : DEC_HALF_UP;
        dec_t want, got;
        assert_int_equal(dec_div(part, whole, &want), DEC_OK);
        assert_int_equal(dec_mul(want, dec_from_int(100), &want), DEC_OK);
        if (places >= 0) assert_int_equal(dec_round(want, places, mode, &want), DEC_OK);
        assert_int_equal(dec_percent(part, whole, places, mode, &got), DEC_OK);
        assert_dec(got, want.num, want.den);
    }
}

/* m / 10^e normalised without a general gcd: against dec_make, signs included. */
static void test_over_pow10(void **state)
{
    (void)state;
    assert_dec(dec_over_pow10(925, 3), 37, 40);
    assert_dec(dec_over_pow10(-925, 3), -37, 40);
    assert_dec(dec_over_pow10(0, 5), 0, 1);
    assert_dec(dec_over_pow10(7, 0), 7, 1);
    assert_dec(dec_over_pow10(1000, 3), 1, 1);
    assert_dec(dec_over_pow10(-1, 18), -1, 1000000000000000000LL);
    assert_dec(dec_over_pow10(INT64_MAX, 18), INT64_MAX, 1000000000000000000LL);
    int64_t ms[] = {1, 2, 5, 10, 16, 25, 125, 640, 3125, 4096, 78125, 999999, 1024000, -2500, -64, 123456789};
    for (size_t i = 0; i < sizeof ms / sizeof *ms; i++)
        for (int e = 0; e <= 18; e++) {
            int64_t p10 = 1;
            for (int k = 0; k < e; k++) p10 *= 10;
            dec_t want = D(ms[i], p10), got = dec_over_pow10(ms[i], e);
            assert_dec(got, want.num, want.den);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_make_normalises),
        cmocka_unit_test(test_make_int64_min),
        cmocka_unit_test(test_point_one_plus_point_two),
        cmocka_unit_test(test_two_thirds_stays_exact),
        cmocka_unit_test(test_add_sub),
        cmocka_unit_test(test_add_sub_overflow),
        cmocka_unit_test(test_mul_div),
        cmocka_unit_test(test_div_by_zero),
        cmocka_unit_test(test_mul_overflow),
        cmocka_unit_test(test_int64_min_inputs),
        cmocka_unit_test(test_neg),
        cmocka_unit_test(test_cmp),
        cmocka_unit_test(test_round_half_up_vs_even),
        cmocka_unit_test(test_round_non_halves),
        cmocka_unit_test(test_round_errors),
        cmocka_unit_test(test_parse_basic),
        cmocka_unit_test(test_parse_comma_and_percent),
        cmocka_unit_test(test_parse_rejects),
        cmocka_unit_test(test_parse_overflow),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_format_snprintf_semantics),
        cmocka_unit_test(test_is_terminating),
        cmocka_unit_test(test_parse_format_round_trip),
        cmocka_unit_test(test_inline_fast_paths),
        cmocka_unit_test(test_round_fast_paths),
        cmocka_unit_test(test_over_pow10),
        cmocka_unit_test(test_percent),
        cmocka_unit_test(test_acc_scores),
        cmocka_unit_test(test_acc_exact_lcm),
        cmocka_unit_test(test_acc_large),
        cmocka_unit_test(test_acc_lcm_fallback),
        cmocka_unit_test(test_acc_matches_add),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
