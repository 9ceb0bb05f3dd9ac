/* Exact int64 rationals. Invariant of every result: den > 0, gcd(|num|, den) == 1, and
 * num != INT64_MIN, so negating a result can never overflow. Intermediates that may exceed 64
 * bits are computed in __int128 and checked once, at the end (fits()). */
#include "decimal.h"

#include <string.h>

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

static inline uint64_t uabs64(int64_t v) { return v < 0 ? 0 - (uint64_t)v : (uint64_t)v; }

/* Binary gcd: no divisions, which matters on the evaluation hot path. gcd(0, b) == b. */
static inline uint64_t gcd_u64(uint64_t a, uint64_t b)
{
    if (a == 0) return b;
    if (b == 0) return a;
    if (a == 1 || b == 1) return 1; /* an integer operand: common, and slow for the loop below */
    int shift = __builtin_ctzll(a | b);
    a >>= __builtin_ctzll(a);
    do {
        b >>= __builtin_ctzll(b);
        if (a > b) {
            uint64_t t = a;
            a = b;
            b = t;
        }
        b -= a;
    } while (b != 0);
    return a << shift;
}

/* INT64_MIN is excluded on purpose: it keeps dec_neg and sign flips total. */
static inline dec_status fits(i128 num, i128 den, dec_t *out)
{
    if (num < -(i128)INT64_MAX || num > INT64_MAX || den > INT64_MAX) return DEC_OVERFLOW;
    out->num = (int64_t)num;
    out->den = (int64_t)den;
    return DEC_OK;
}

static inline dec_status zero(dec_t *out)
{
    out->num = 0;
    out->den = 1;
    return DEC_OK;
}

dec_status dec_make(int64_t num, int64_t den, dec_t *out)
{
    if (den == 0) return DEC_DIVZERO;
    if (num == 0) return zero(out);
    uint64_t g = gcd_u64(uabs64(num), uabs64(den));
    if (den > 0 && num != INT64_MIN) { /* the usual case: plain 64-bit division, always fits */
        out->num = num / (int64_t)g;
        out->den = den / (int64_t)g;
        return DEC_OK;
    }
    i128 n = num, d = den;
    if (d < 0) {
        n = -n;
        d = -d;
    }
    return fits(n / g, d / g, out);
}

static inline bool in_int64(i128 v) { return v >= -(i128)INT64_MAX && v <= INT64_MAX; }

/* a.num/a.den + bn/b.den, with bn already signed for subtraction. Knuth's algorithm (TAOCP
 * 4.5.1): dividing by gcd(dens) first keeps products small and the result needs only a gcd
 * against g, not against the full numerator. The divisions are 64-bit whenever the numerator
 * fits, which it nearly always does (a 128-bit division is a libgcc call). */
static dec_status add_slow(dec_t a, i128 bn, int64_t bden, dec_t *out)
{
    uint64_t g = gcd_u64((uint64_t)a.den, (uint64_t)bden);
    if (g == 1) return fits(a.num * (i128)bden + bn * a.den, (i128)a.den * bden, out);
    int64_t ad = a.den / (int64_t)g, bd = bden / (int64_t)g;
    i128 t = a.num * (i128)bd + bn * ad;
    if (t == 0) return zero(out);
    if (in_int64(t)) {
        int64_t t64 = (int64_t)t;
        uint64_t g2 = gcd_u64(uabs64(t64), g);
        return fits(t64 / (int64_t)g2, (i128)ad * (bden / (int64_t)g2), out);
    }
    u128 ut = t < 0 ? -(u128)t : (u128)t;
    uint64_t g2 = gcd_u64((uint64_t)(ut % g), g);
    return fits(t / (i128)g2, (i128)ad * (bden / (int64_t)g2), out);
}

/* The inline dec_add/dec_sub/dec_mul (decimal.h) have handled two integers, and equal
 * denominators whose sum fits; add_slow and mul_slow are exact for any operands anyway. */
dec_status dec_add_slow_(dec_t a, dec_t b, dec_t *out) { return add_slow(a, b.num, b.den, out); }

dec_status dec_sub_slow_(dec_t a, dec_t b, dec_t *out) { return add_slow(a, -(i128)b.num, b.den, out); }

/* (n1 * n2) / (d1 * d2), cross-reducing first so that a representable result never overflows
 * on the way. d2 may be negative (dec_div passes the divisor's numerator). */
static dec_status mul_slow(int64_t n1, int64_t d1, int64_t n2, int64_t d2, dec_t *out)
{
    if (n1 == 0 || n2 == 0) return zero(out);
    uint64_t g1 = d2 == 1 ? 1 : gcd_u64(uabs64(n1), uabs64(d2)); /* an integer divisor or factor: */
    uint64_t g2 = d1 == 1 ? 1 : gcd_u64(uabs64(n2), uabs64(d1)); /* one gcd, not two */
    i128 num, den;
    if (g1 <= INT64_MAX && g2 <= INT64_MAX) { /* 64-bit divisions: exact, as g1 and g2 divide */
        if (g1 > 1) n1 /= (int64_t)g1, d2 /= (int64_t)g1; /* a division costs tens of cycles: */
        if (g2 > 1) n2 /= (int64_t)g2, d1 /= (int64_t)g2; /* most gcds are 1 */
        num = (i128)n1 * n2;
        den = (i128)d1 * d2;
    } else { /* a gcd of 2^63: both operands INT64_MIN */
        num = ((i128)n1 / g1) * ((i128)n2 / g2);
        den = ((i128)d1 / g2) * ((i128)d2 / g1);
    }
    if (den < 0) {
        num = -num;
        den = -den;
    }
    return fits(num, den, out);
}

dec_status dec_mul_slow_(dec_t a, dec_t b, dec_t *out) { return mul_slow(a.num, a.den, b.num, b.den, out); }

dec_status dec_div(dec_t a, dec_t b, dec_t *out)
{
    if (b.num == 0) return DEC_DIVZERO;
    return mul_slow(a.num, a.den, b.den, b.num, out);
}

dec_status dec_neg(dec_t a, dec_t *out)
{
    if (a.num == INT64_MIN) return DEC_OVERFLOW;
    out->num = -a.num;
    out->den = a.den;
    return DEC_OK;
}

static const int64_t pow10_tab[19] = {
    1LL, 10LL, 100LL, 1000LL, 10000LL, 100000LL, 1000000LL, 10000000LL, 100000000LL,
    1000000000LL, 10000000000LL, 100000000000LL, 1000000000000LL, 10000000000000LL,
    100000000000000LL, 1000000000000000LL, 10000000000000000LL, 100000000000000000LL,
    1000000000000000000LL,
};

static const int64_t pow2_tab[19] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384,
                                     32768, 65536, 131072, 262144};
static const int64_t pow5_tab[19] = {1LL, 5LL, 25LL, 125LL, 625LL, 3125LL, 15625LL, 78125LL, 390625LL,
                                     1953125LL, 9765625LL, 48828125LL, 244140625LL, 1220703125LL,
                                     6103515625LL, 30517578125LL, 152587890625LL, 762939453125LL,
                                     3814697265625LL};

/* gcd(m, 10^e) is 2^a 5^b: counting trailing zero bits and dividing by 5 at most e times is much
 * cheaper than a general gcd. */
dec_t dec_over_pow10(int64_t m, int e)
{
    if (m == 0) return dec_from_int(0);
    uint64_t u = uabs64(m);
    int twos = __builtin_ctzll(u), fives = 0;
    if (twos > e) twos = e;
    u >>= twos;
    while (fives < e && u % 5 == 0) u /= 5, fives++;
    dec_t d = {m < 0 ? -(int64_t)u : (int64_t)u, pow2_tab[e - twos] * pow5_tab[e - fives]};
    return d;
}

/* The inline dec_round (decimal.h) has returned integers already. */
dec_status dec_round_slow_(dec_t a, int places, dec_rounding mode, dec_t *out)
{
    if (places < 0 || places > 18 || a.num == INT64_MIN) return DEC_OVERFLOW;
    int64_t scale = pow10_tab[places];
    /* Already exact at this precision: returning a as is also spares the scaled product, which
     * could exceed int64 for a large integer even though the value itself is fine. */
    if (a.den == 1 || (a.den <= scale && scale % a.den == 0)) {
        *out = a;
        return DEC_OK;
    }
    int64_t x64;
    if (!__builtin_mul_overflow(a.num, scale, &x64) && x64 != INT64_MIN) { /* the usual case: 64 bits */
        int64_t q = x64 / a.den, r = x64 % a.den;
        uint64_t twice_r = uabs64(r) * 2; /* r < den < 2^63 */
        if (twice_r > (uint64_t)a.den || (twice_r == (uint64_t)a.den && (mode == DEC_HALF_UP || (q & 1))))
            q += x64 < 0 ? -1 : 1;
        *out = dec_over_pow10(q, places);
        return DEC_OK;
    }
    i128 x = (i128)a.num * scale; /* < 2^63 * 10^18 < 2^123 */
    i128 q = x / a.den, r = x % a.den;
    u128 twice_r = (u128)(r < 0 ? -r : r) * 2;
    if (twice_r > (u128)a.den || (twice_r == (u128)a.den && (mode == DEC_HALF_UP || (q & 1))))
        q += x < 0 ? -1 : 1;
    if (q == 0) return zero(out);
    u128 uq = q < 0 ? -(u128)q : (u128)q;
    uint64_t g = gcd_u64((uint64_t)(uq % (uint64_t)scale), (uint64_t)scale);
    return fits(q / (i128)g, scale / (int64_t)g, out);
}

/* part / whole * 100, then (places >= 0) rounded: an index. The general way takes three gcds
 * (divide, multiply, round); when the intermediate products fit in 64 bits this takes one
 * division and one gcd. Anything larger goes the general way, so the result is always the same. */
dec_status dec_percent(dec_t part, dec_t whole, int places, dec_rounding mode, dec_t *out)
{
    if (whole.num == 0) return DEC_DIVZERO;
    if (places <= 18) {
        int64_t scale = places >= 0 ? pow10_tab[places] : 1, n, d;
        if (!__builtin_mul_overflow(part.num, whole.den, &n) && !__builtin_mul_overflow(n, 100, &n) &&
            !__builtin_mul_overflow(n, scale, &n) && !__builtin_mul_overflow(part.den, whole.num, &d) &&
            n != INT64_MIN && d != INT64_MIN) {
            if (d < 0) n = -n, d = -d;
            if (places < 0) return dec_make(n, d, out);
            int64_t q = n / d, r = n % d;
            uint64_t twice_r = uabs64(r) * 2; /* r < d < 2^63 */
            if (twice_r > (uint64_t)d || (twice_r == (uint64_t)d && (mode == DEC_HALF_UP || (q & 1))))
                q += n < 0 ? -1 : 1;
            *out = dec_over_pow10(q, places);
            return DEC_OK;
        }
    }
    dec_t v;
    dec_status st = dec_div(part, whole, &v);
    if (st == DEC_OK) st = dec_mul(v, dec_from_int(100), &v);
    if (st == DEC_OK && places >= 0) st = dec_round(v, places, mode, &v);
    if (st == DEC_OK) *out = v;
    return st;
}

static inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
static inline bool is_space(char c) { return c == ' ' || c == '\t'; }

/* Accumulate digits[0..n) into *m; false if the value exceeds INT64_MAX. */
static bool accumulate(const char *digits, size_t n, uint64_t *m)
{
    for (size_t i = 0; i < n; i++) {
        if (__builtin_mul_overflow(*m, 10, m) || __builtin_add_overflow(*m, (uint64_t)(digits[i] - '0'), m))
            return false;
    }
    return *m <= INT64_MAX;
}

dec_status dec_parse(const char *s, size_t len, int flags, dec_t *out)
{
    if (!s) return DEC_SYNTAX;
    size_t i = 0, end = len;
    while (i < end && is_space(s[i])) i++;
    while (end > i && is_space(s[end - 1])) end--;
    bool percent = false;
    if ((flags & DEC_PARSE_PERCENT) && end > i && s[end - 1] == '%') {
        percent = true;
        end--;
        while (end > i && is_space(s[end - 1])) end--;
    }
    bool neg = false;
    if (i < end && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';

    /* Validate the whole shape before accumulating, so that "999...9x" is a syntax error rather
     * than an overflow. */
    const char *ip = s + i;
    while (i < end && is_digit(s[i])) i++;
    size_t n_int = (size_t)(s + i - ip);
    const char *fp = s + i;
    size_t n_frac = 0;
    if (i < end && (s[i] == '.' || (s[i] == ',' && (flags & DEC_PARSE_COMMA)))) {
        fp = s + ++i;
        while (i < end && is_digit(s[i])) i++;
        n_frac = (size_t)(s + i - fp);
        if (n_frac == 0) return DEC_SYNTAX; /* "1." */
    }
    if (i != end || n_int + n_frac == 0) return DEC_SYNTAX;

    while (n_frac > 0 && fp[n_frac - 1] == '0') n_frac--; /* "1.5000…0" must not overflow */
    if (n_frac > 18) return DEC_OVERFLOW;
    uint64_t m = 0;
    if (!accumulate(ip, n_int, &m) || !accumulate(fp, n_frac, &m)) return DEC_OVERFLOW;

    dec_t v;
    dec_status st = dec_make(neg ? -(int64_t)m : (int64_t)m, pow10_tab[n_frac], &v);
    if (st == DEC_OK && percent) st = dec_mul(v, (dec_t){1, 100}, &v);
    if (st == DEC_OK) *out = v;
    return st;
}

bool dec_is_terminating(dec_t a)
{
    if (a.den <= 0) return false;
    uint64_t d = (uint64_t)a.den >> __builtin_ctzll((uint64_t)a.den);
    while (d % 5 == 0) d /= 5;
    return d == 1;
}

/* Number of fraction digits of a terminating value: max(powers of 2 and 5 in den). */
static int frac_digits(uint64_t den)
{
    int twos = __builtin_ctzll(den), fives = 0;
    for (den >>= twos; den % 5 == 0; den /= 5) fives++;
    return twos > fives ? twos : fives;
}

static size_t utoa(uint64_t v, char *buf)
{
    char tmp[20];
    size_t n = 0;
    do tmp[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    for (size_t i = 0; i < n; i++) buf[i] = tmp[n - 1 - i];
    return n;
}

/* Writes into buf[DEC_FMT_MAX - 1]; returns the length, or 0 when the decimal form would not fit
 * (a huge power-of-two denominator has up to 62 fraction digits). */
static size_t format_decimal(dec_t a, int min_places, char *buf)
{
    uint64_t den = (uint64_t)a.den, mag = uabs64(a.num);
    int places = frac_digits(den);
    if (min_places > places) places = min_places;
    char ibuf[20];
    size_t n_int = utoa(mag / den, ibuf);
    size_t need = (a.num < 0) + n_int + (places > 0 ? 1 + (size_t)places : 0);
    if (need > DEC_FMT_MAX - 1) return 0;

    size_t n = 0;
    if (a.num < 0) buf[n++] = '-';
    memcpy(buf + n, ibuf, n_int);
    n += n_int;
    if (places > 0) buf[n++] = '.';
    if (den <= UINT64_MAX / 10) { /* r * 10 fits in 64 bits: no 128-bit division per digit */
        uint64_t r = mag % den;
        for (int i = 0; i < places; i++) {
            r *= 10;
            buf[n++] = (char)('0' + (int)(r / den));
            r %= den;
        }
        return n;
    }
    u128 r = mag % den; /* r * 10 can exceed 64 bits */
    for (int i = 0; i < places; i++) {
        r *= 10;
        buf[n++] = (char)('0' + (int)(r / den));
        r %= den;
    }
    return n;
}

size_t dec_format(dec_t a, int min_places, char *buf, size_t cap)
{
    char tmp[DEC_FMT_MAX];
    size_t n = 0;
    if (min_places > 18) min_places = 18; /* keeps every result within DEC_FMT_MAX */
    if (a.den == 1 && min_places <= 0) { /* an integer, the usual case */
        if (a.num < 0) tmp[n++] = '-';
        n += utoa(uabs64(a.num), tmp + n);
    } else if (a.den > 0 && dec_is_terminating(a)) n = format_decimal(a, min_places, tmp);
    if (n == 0) {
        if (a.num < 0) tmp[n++] = '-';
        n += utoa(uabs64(a.num), tmp + n);
        tmp[n++] = '/';
        n += utoa(uabs64(a.den), tmp + n);
    }
    if (cap > 0) {
        size_t k = n < cap - 1 ? n : cap - 1;
        memcpy(buf, tmp, k);
        buf[k] = '\0';
    }
    return n;
}

static dec_status acc_normalise(const dec_acc *s, dec_t *out)
{
    if (s->overflow) return DEC_OVERFLOW;
    if (s->num == 0) return zero(out);
    if (in_int64(s->num)) return dec_make((int64_t)s->num, s->den, out);
    u128 un = s->num < 0 ? -(u128)s->num : (u128)s->num;
    uint64_t g = gcd_u64((uint64_t)(un % (uint64_t)s->den), (uint64_t)s->den);
    return fits(s->num / (i128)g, s->den / (int64_t)g, out);
}

dec_t dec_acc_value_slow_(const dec_acc *s, dec_status *st)
{
    dec_t v = {0, 1};
    *st = acc_normalise(s, &v);
    if (*st != DEC_OK) v = (dec_t){0, 1};
    return v;
}

/* A denominator that does not divide the running one, or a numerator near the limit: grow the
 * denominator to the lcm if that fits, else fall back to exact normalised addition. */
void dec_acc_add_slow_(dec_acc *s, dec_t x)
{
    if (s->overflow) return;
    uint64_t g = gcd_u64((uint64_t)s->den, (uint64_t)x.den);
    int64_t m = x.den / (int64_t)g, den;
    if (!__builtin_mul_overflow(s->den, m, &den)) {
        i128 a = s->num, b = x.num;
        i128 lim = (i128)1 << 120;
        /* |a| <= 2^120 and m < 2^63 could still overflow 128 bits: check before multiplying. */
        if (a <= lim / m && a >= -lim / m) {
            i128 n = a * m + b * (den / x.den);
            if (n <= lim && n >= -lim) {
                s->num = n;
                s->den = den;
                return;
            }
        }
    }
    dec_t sofar, sum;
    if (dec_acc_result(s, &sofar) != DEC_OK || dec_add(sofar, x, &sum) != DEC_OK) {
        s->overflow = true;
        return;
    }
    s->num = sum.num;
    s->den = sum.den;
}
