/* Exact decimal arithmetic for scores: int64 rationals, always normalised
 * (den > 0, gcd(num, den) == 1), with overflow reported, never wrapped.
 * No binary floating point anywhere. */
#ifndef CHISO_DECIMAL_H
#define CHISO_DECIMAL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    int64_t num;
    int64_t den; /* > 0 */
} dec_t;

typedef enum {
    DEC_OK = 0,
    DEC_OVERFLOW, /* result does not fit in int64 num/den */
    DEC_DIVZERO,
    DEC_SYNTAX    /* dec_parse: not a number */
} dec_status;

typedef enum { DEC_HALF_UP = 0, /* halves away from zero */ DEC_HALF_EVEN } dec_rounding;

/* dec_parse flags */
enum {
    DEC_PARSE_COMMA = 1,   /* accept ',' as the decimal separator (Vietnamese "0,5") */
    DEC_PARSE_PERCENT = 2, /* accept a trailing '%' (after optional spaces): value / 100 */
};

static inline dec_t dec_from_int(int64_t n) { dec_t d = {n, 1}; return d; }
static inline bool dec_is_zero(dec_t a) { return a.num == 0; }
static inline bool dec_is_integer(dec_t a) { return a.den == 1; }

dec_status dec_make(int64_t num, int64_t den, dec_t *out); /* normalises; den == 0 -> DEC_DIVZERO */
static inline dec_status dec_add(dec_t a, dec_t b, dec_t *out);
static inline dec_status dec_sub(dec_t a, dec_t b, dec_t *out);
static inline dec_status dec_mul(dec_t a, dec_t b, dec_t *out);
dec_status dec_div(dec_t a, dec_t b, dec_t *out);
dec_status dec_neg(dec_t a, dec_t *out);
static inline int dec_cmp(dec_t a, dec_t b); /* -1, 0, 1; exact, no overflow possible */

/* Round to `places` decimals (0..18). */
static inline dec_status dec_round(dec_t a, int places, dec_rounding mode, dec_t *out);

/* Parse "12", "-0.5", "0,5" (with DEC_PARSE_COMMA), "85%" (with DEC_PARSE_PERCENT), surrounding
 * ASCII spaces allowed; no exponent, no thousands separators. len is the byte length. */
dec_status dec_parse(const char *s, size_t len, int flags, dec_t *out);

/* Write the exact value: "13.5", "-2", "0.256"; with min_places >= 0, pad the fraction to at least
 * that many digits ("13.50"). A value with no finite decimal expansion is written "2/3".
 * Returns the length written (as snprintf: the length needed, buf always NUL-terminated if cap > 0). */
size_t dec_format(dec_t a, int min_places, char *buf, size_t cap);

/* m / 10^e, normalised (0 <= e <= 18, m != INT64_MIN): a decimal read or rounded. */
dec_t dec_over_pow10(int64_t m, int e);

/* part / whole * 100 (an index in percent), rounded to `places` decimals when places >= 0; the
 * same result as dec_div, dec_mul by 100 and dec_round, with one gcd instead of three. */
dec_status dec_percent(dec_t part, dec_t whole, int places, dec_rounding mode, dec_t *out);

/* true when a has a finite decimal expansion (den has only factors 2 and 5) */
bool dec_is_terminating(dec_t a);

#define DEC_FMT_MAX 48 /* enough for any dec_format result */

/* ---- The hot operations, inline: scores are mostly integers or share a denominator, and the
 * evaluator does several of these per node. The general cases are out of line in decimal.c. */

__extension__ typedef __int128 dec_wide_;

/* Out-of-line halves of the inline functions above; call those instead. */
dec_status dec_add_slow_(dec_t a, dec_t b, dec_t *out);
dec_status dec_sub_slow_(dec_t a, dec_t b, dec_t *out);
dec_status dec_mul_slow_(dec_t a, dec_t b, dec_t *out);
dec_status dec_round_slow_(dec_t a, int places, dec_rounding mode, dec_t *out);

static inline dec_status dec_add(dec_t a, dec_t b, dec_t *out)
{
    int64_t r;
    if (a.den == b.den && !__builtin_add_overflow(a.num, b.num, &r) && r != INT64_MIN) {
        if (a.den == 1) {
            out->num = r;
            out->den = 1;
            return DEC_OK;
        }
        return dec_make(r, a.den, out); /* 1/4 + 1/4 = 1/2 */
    }
    if (a.den == 1 && b.den == 1) return DEC_OVERFLOW;
    return dec_add_slow_(a, b, out); /* also a sum that overflows but reduces to fit */
}

static inline dec_status dec_sub(dec_t a, dec_t b, dec_t *out)
{
    int64_t r;
    if (a.den == b.den && !__builtin_sub_overflow(a.num, b.num, &r) && r != INT64_MIN) {
        if (a.den == 1) {
            out->num = r;
            out->den = 1;
            return DEC_OK;
        }
        return dec_make(r, a.den, out);
    }
    if (a.den == 1 && b.den == 1) return DEC_OVERFLOW;
    return dec_sub_slow_(a, b, out);
}

static inline dec_status dec_mul(dec_t a, dec_t b, dec_t *out)
{
    if (a.den == 1 && b.den == 1) {
        int64_t r;
        if (__builtin_mul_overflow(a.num, b.num, &r) || r == INT64_MIN) return DEC_OVERFLOW;
        out->num = r;
        out->den = 1;
        return DEC_OK;
    }
    return dec_mul_slow_(a, b, out);
}

static inline int dec_cmp(dec_t a, dec_t b)
{
    if (a.den == b.den) return (a.num > b.num) - (a.num < b.num);
    dec_wide_ l = (dec_wide_)a.num * b.den, r = (dec_wide_)b.num * a.den; /* < 2^126: exact */
    return (l > r) - (l < r);
}

static inline dec_status dec_round(dec_t a, int places, dec_rounding mode, dec_t *out)
{
    if (a.den == 1 && places >= 0 && places <= 18 && a.num != INT64_MIN) { /* nothing to round */
        *out = a;
        return DEC_OK;
    }
    return dec_round_slow_(a, places, mode, out);
}

/* ---- A running sum: num/den with den the lcm of the addends' denominators, normalised once by
 * dec_acc_result. Sums of scores (children, parts, totals) would otherwise pay one or two gcds per
 * addition, and their denominators are few (with `round 2`: divisors of 100). Exact, like dec_add:
 * when the lcm or the numerator grows too large, the sum so far is normalised and added with
 * dec_add, so a sum overflows only where a chain of dec_add would. */

typedef struct {
    dec_wide_ num; /* |num| <= DEC_ACC_LIMIT_ */
    int64_t den;   /* > 0 */
    bool overflow;
} dec_acc;

#define DEC_ACC_LIMIT_ ((dec_wide_)1 << 120)

static inline void dec_acc_init(dec_acc *s)
{
    s->num = 0;
    s->den = 1;
    s->overflow = false;
}

void dec_acc_add_slow_(dec_acc *s, dec_t x);

static inline void dec_acc_add(dec_acc *s, dec_t x)
{
    dec_wide_ n;
    if (x.den == s->den) n = s->num + x.num;
    else if (x.den < s->den && s->den % x.den == 0) n = s->num + (dec_wide_)x.num * (s->den / x.den);
    else {
        dec_acc_add_slow_(s, x);
        return;
    }
    if (n > DEC_ACC_LIMIT_ || n < -DEC_ACC_LIMIT_) {
        dec_acc_add_slow_(s, x);
        return;
    }
    s->num = n;
}

dec_t dec_acc_value_slow_(const dec_acc *s, dec_status *st);

/* The sum, normalised; *st = DEC_OVERFLOW (and the value 0) when it does not fit or an addition
 * overflowed. Returned by value, not through a pointer: callers copy it straight on, and a 16-byte
 * copy of a value just stored in two 8-byte halves cannot be forwarded from those stores. */
static inline dec_t dec_acc_value(const dec_acc *s, dec_status *st)
{
    if (!s->overflow && s->den == 1 && s->num >= -(dec_wide_)INT64_MAX && s->num <= INT64_MAX) {
        *st = DEC_OK;
        return (dec_t){(int64_t)s->num, 1};
    }
    return dec_acc_value_slow_(s, st);
}

static inline dec_status dec_acc_result(const dec_acc *s, dec_t *out)
{
    dec_status st;
    *out = dec_acc_value(s, &st);
    return st;
}

#endif
