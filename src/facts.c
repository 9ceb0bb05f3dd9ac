/* Fact sheets through libcsv.
 *
 * Streaming: libcsv takes the input a chunk (64 KiB) at a time. A batch row's cells are read as
 * libcsv hands them over, straight from its buffer: a cell that reads is not copied; one that does
 * not is kept and read again, with its message, when the row ends and is known to be wanted. The
 * row then goes to on_unit, and nothing of it is kept but a hash of its unit name and its line (for
 * the duplicate check, src/unitset.c, which holds them in bounded memory). Line numbers and the raw text quoted in messages come from following libcsv's line ends
 * through the chunk (see `reader`); the raw text of a row is only looked up when a message needs
 * it. A per-unit sheet is kept until the end of the file, because its `unit` row may come after the
 * values whose messages name it. */
#define _POSIX_C_SOURCE 200809L /* strerror's errno values */
#include "facts.h"

#include <csv.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "dates.h"
#include "textutil.h"
#include "unitset.h"

enum {
    FACTS_CHUNK = 64 * 1024,
    /* Raw text of a row kept for quoting in messages; a longer row is quoted cut short, so that a
     * runaway quoted cell cannot make us hold a second copy of the file. */
    FACTS_RAW_CAP = 64 * 1024,
    FACTS_WHY = 320,
    NFC_SMALL = 256, /* code points decomposed on the stack before falling back to the heap */
};

/* libcsv keeps its state in the public struct but names the states only in libcsv.c (unchanged
 * since 3.0). We read it to know whether the input ends inside a quoted cell. */
#define LIBCSV_FIELD_BEGUN 2

#define NO_FIELD ((size_t)-1)

/* ---------------------------------------------------------------- small text helpers */

static inline bool is_sp(char c) { return c == ' ' || c == '\t'; }
static inline char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c; }
static inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

static inline void trim(const char **s, size_t *n)
{
    const char *p = *s;
    size_t len = *n;
    while (len > 0 && is_sp(p[0])) p++, len--;
    while (len > 0 && is_sp(p[len - 1])) len--;
    *s = p;
    *n = len;
}

static bool all_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80) return false;
    return true;
}

static bool ascii_ieq(const char *s, size_t n, const char *word)
{
    size_t k = strlen(word);
    if (k != n) return false;
    for (size_t i = 0; i < n; i++)
        if (lower(s[i]) != word[i]) return false;
    return true;
}



/* Values are cut short in messages; names (units, facts) are not, unless absurdly long. */
static void show_text(char *dst, size_t cap, const char *s, size_t n) { text_show(dst, cap, s, n, 40); }

typedef struct {
    char s[480];
} shown_name;

static const char *show_name(shown_name *b, const char *name)
{
    text_show(b->s, sizeof b->s, name, strlen(name), 100);
    return b->s;
}

static void whyf(char *why, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void whyf(char *why, size_t cap, const char *fmt, ...)
{
    if (!why || cap == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, cap, diag_tr(fmt), ap);
    va_end(ap);
}

/* ---------------------------------------------------------------- NFC */

/* The NFC form (optionally case-folded) of a piece of text, NUL-terminated, built without touching
 * the heap for anything of a sensible length: values are normalised on the hot path. */
typedef struct {
    utf8proc_int32_t small[NFC_SMALL];
    utf8proc_uint8_t *heap;
    const char *s;
    size_t len;
} nfc_buf;

/* true when s is valid UTF-8 already in NFC for a cheap reason: every code point is below U+0300
 * (no combining marks there, and none of them composes with another) or a precomposed letter of
 * Latin Extended Additional (U+1E00..U+1EFF). That covers Vietnamese typed with a precomposed
 * keyboard layout, so the usual unit name skips utf8proc. */
static bool quick_nfc(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        unsigned c = p[i];
        if (c < 0x80) i++;
        else if (c >= 0xC2 && c < 0xCC && i + 1 < len && (p[i + 1] & 0xC0) == 0x80) i += 2; /* U+0080..U+02FF */
        else if (c == 0xE1 && i + 2 < len && (p[i + 1] == 0xB8 || p[i + 1] == 0xB9 || p[i + 1] == 0xBA || p[i + 1] == 0xBB) &&
                 (p[i + 2] & 0xC0) == 0x80)
            i += 3; /* U+1E00..U+1EFF */
        else return false;
    }
    return true;
}

/* 0; -1 when the text is not valid UTF-8; -2 when out of memory. */
static int nfc_make(nfc_buf *b, const char *s, size_t len, bool fold)
{
    char *small = (char *)b->small;
    b->heap = NULL;
    b->s = "";
    b->len = 0;
    if (len < sizeof b->small && all_ascii(s, len)) { /* ASCII is its own NFC */
        for (size_t i = 0; i < len; i++) small[i] = fold ? lower(s[i]) : s[i];
        small[len] = '\0';
        b->s = small;
        b->len = len;
        return 0;
    }
    if (!fold && len < sizeof b->small && quick_nfc(s, len)) {
        memcpy(small, s, len);
        small[len] = '\0';
        b->s = small;
        b->len = len;
        return 0;
    }
    if (len > (size_t)(SIZE_MAX / 8)) return -2;
    utf8proc_option_t opt = UTF8PROC_STABLE | UTF8PROC_COMPOSE | (fold ? UTF8PROC_CASEFOLD : 0);
    /* reencode writes up to 4 bytes per code point plus a NUL into the same buffer: keep one
     * code point spare. */
    utf8proc_ssize_t n = utf8proc_decompose((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, b->small,
                                            NFC_SMALL - 1, opt);
    if (n < 0) return n == UTF8PROC_ERROR_NOMEM ? -2 : -1;
    if (n <= NFC_SMALL - 1) {
        n = utf8proc_reencode(b->small, n, opt);
        if (n < 0) return -1;
        b->s = small;
        b->len = (size_t)n;
        return 0;
    }
    utf8proc_uint8_t *out = NULL;
    n = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &out, opt);
    if (n < 0) return n == UTF8PROC_ERROR_NOMEM ? -2 : -1;
    b->heap = out;
    b->s = (const char *)out;
    b->len = (size_t)n;
    return 0;
}

static void nfc_free(nfc_buf *b)
{
    free(b->heap);
    b->heap = NULL;
}

static bool nfc_eq(const nfc_buf *b, const char *s) { return s && strlen(s) == b->len && memcmp(b->s, s, b->len) == 0; }

/* ---------------------------------------------------------------- did you mean */

enum { NEAR_MAX = 64 };

typedef struct {
    utf8proc_int32_t cp[NEAR_MAX];
    int n, best;
    const char *pick;
} near_t;

static int decode_cps(const char *s, utf8proc_int32_t *out)
{
    int n = 0;
    size_t len = strlen(s);
    for (size_t i = 0; i < len; n++) {
        if (n == NEAR_MAX) return -1;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &out[n]);
        if (k <= 0) return -1;
        i += (size_t)k;
    }
    return n;
}

static void near_init(near_t *t, const char *name)
{
    t->n = decode_cps(name, t->cp);
    int limit = t->n / 3 > 2 ? t->n / 3 : 2; /* a typo, not a different word */
    t->best = limit + 1;
    t->pick = NULL;
}

/* Levenshtein distance on code points, so that a missing Vietnamese diacritic counts as one. */
static void near_try(near_t *t, const char *cand)
{
    utf8proc_int32_t c[NEAR_MAX];
    if (t->n < 0 || !cand) return;
    int m = decode_cps(cand, c);
    if (m < 0) return;
    int d = m > t->n ? m - t->n : t->n - m;
    if (d >= t->best) return;
    int row[NEAR_MAX + 1];
    for (int j = 0; j <= m; j++) row[j] = j;
    for (int i = 1; i <= t->n; i++) {
        int diag = row[0];
        row[0] = i;
        for (int j = 1; j <= m; j++) {
            int up = row[j];
            int v = diag + (t->cp[i - 1] != c[j - 1]);
            if (up + 1 < v) v = up + 1;
            if (row[j - 1] + 1 < v) v = row[j - 1] + 1;
            row[j] = v;
            diag = up;
        }
    }
    if (row[m] > 0 && row[m] < t->best) {
        t->best = row[m];
        t->pick = cand;
    }
}

/* ---------------------------------------------------------------- dates */





/* ---------------------------------------------------------------- value parsing */

/* Plain digits (at most 18, so no overflow): the common case of every numeric type. */
static bool small_uint(const char *s, size_t n, int64_t *v)
{
    if (n == 0 || n > 18) return false;
    int64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(s[i])) return false;
        x = x * 10 + (s[i] - '0');
    }
    *v = x;
    return true;
}

static const int64_t pow10_18[19] = {
    1LL, 10LL, 100LL, 1000LL, 10000LL, 100000LL, 1000000LL, 10000000LL, 100000000LL,
    1000000000LL, 10000000000LL, 100000000000LL, 1000000000000LL, 10000000000000LL,
    100000000000000LL, 1000000000000000LL, 10000000000000000LL, 100000000000000000LL,
    1000000000000000000LL,
};

/* The other common case: "92,5", "13.50": digits, a decimal comma or point, digits, at most 18
 * digits in all (no overflow). *m is all the digits read as one integer and *frac the number after
 * the separator, so the value is m / 10^frac, the same normalised value as dec_parse gives.
 * Anything else (signs, spaces, "1.", ".5") is left to dec_parse. */
static bool plain_decimal(const char *s, size_t n, int64_t *m, int *frac)
{
    if (n < 3 || n > 19) return false;
    uint64_t x = 0; /* 19 digits without a separator may wrap before they are refused */
    size_t i = 0;
    while (i < n && is_digit(s[i])) x = x * 10 + (s[i++] - '0');
    if (i == 0 || i + 1 >= n || (s[i] != ',' && s[i] != '.')) return false;
    size_t sep = i++;
    while (i < n && is_digit(s[i])) x = x * 10 + (s[i++] - '0');
    if (i != n) return false;
    *m = (int64_t)x;
    *frac = (int)(n - sep - 1);
    return true;
}

static bool parse_number(const char *s, size_t n, dec_t *v, char *why, size_t cap)
{
    int64_t k;
    int frac;
    if (small_uint(s, n, &k)) {
        *v = dec_from_int(k);
        return true;
    }
    if (plain_decimal(s, n, &k, &frac)) {
        *v = dec_over_pow10(k, frac);
        return true;
    }
    dec_status st = dec_parse(s, n, DEC_PARSE_COMMA, v);
    if (st == DEC_OK) return true;
    char shown[200];
    show_text(shown, sizeof shown, s, n);
    if (st == DEC_OVERFLOW) whyf(why, cap, "the number '%s' is too large or has too many decimals", shown);
    else whyf(why, cap, "expected a number (e.g. 12, 0,5 or 0.5), got '%s'", shown);
    return false;
}

/* A percentage: "85%", "85,5%", or a bare number read in percent points ("85" is 85%), because
 * fact sheets typed in Excel often lose the %. A bare fraction strictly between -1 and 1 ("0,85")
 * is refused: it is as likely a ratio (85%) as 0.85%, and either guess would misread silently. */
static bool parse_percent(const char *s, size_t n, dec_t *v, char *why, size_t cap)
{
    int64_t k;
    int frac;
    bool pct = s[n - 1] == '%';
    if (small_uint(s, n - pct, &k)) { /* "85%", "85" */
        *v = dec_over_pow10(k, 2);
        return true;
    }
    /* "92,5%", and "92,5" when it is at least 1 (below 1 it may be ambiguous: see below) */
    if (plain_decimal(s, n - pct, &k, &frac) && frac <= 16 && (pct || k >= pow10_18[frac])) {
        *v = dec_over_pow10(k, frac + 2);
        return true;
    }
    char shown[200];
    dec_status st = dec_parse(s, n, DEC_PARSE_COMMA | DEC_PARSE_PERCENT, v);
    if (st != DEC_OK) {
        show_text(shown, sizeof shown, s, n);
        if (st == DEC_OVERFLOW) whyf(why, cap, "the percentage '%s' is too large or has too many decimals", shown);
        else whyf(why, cap, "expected a percentage (e.g. 85%%, 85,5%% or 85), got '%s'", shown);
        return false;
    }
    if (pct) return true;
    if (!dec_is_integer(*v) && v->num > -v->den && v->num < v->den) {
        char hundred[DEC_FMT_MAX];
        dec_t h;
        show_text(shown, sizeof shown, s, n);
        if (dec_mul(*v, dec_from_int(100), &h) != DEC_OK) h = *v;
        dec_format(h, -1, hundred, sizeof hundred);
        if (memchr(s, ',', n)) /* answer in the writer's own decimal separator */
            for (char *p = hundred; *p; p++)
                if (*p == '.') *p = ',';
        whyf(why, cap, "ambiguous percentage '%s': write '%s%%' if you mean %s%%, or '%s%%'", shown, hundred,
             hundred, shown);
        return false;
    }
    if (dec_mul(*v, (dec_t){1, 100}, v) != DEC_OK) {
        show_text(shown, sizeof shown, s, n);
        whyf(why, cap, "the percentage '%s' is too large or has too many decimals", shown);
        return false;
    }
    return true;
}

static bool parse_count(const char *s, size_t n, dec_t *v, char *why, size_t cap)
{
    int64_t k;
    if (small_uint(s, n, &k)) {
        *v = dec_from_int(k);
        return true;
    }
    char shown[200];
    show_text(shown, sizeof shown, s, n);
    size_t i = 0;
    while (i < n && is_digit(s[i])) i++;
    if (i == n) whyf(why, cap, "the count '%s' is too large", shown);
    else whyf(why, cap, "expected a count (a whole number >= 0), got '%s'", shown);
    return false;
}

/* Case-folded NFC spellings. Vietnamese words are written as escapes so that the source encoding
 * (or an editor's normalisation) cannot change them. */
static const char *const bool_true[] = {
    "c\xc3\xb3" /* có */, "co", "x", "yes", "true", "1", "\xc4\x91\xc3\xbang" /* đúng */, "dung",
    "\xc4\x91\xe1\xba\xa1t" /* đạt */, "dat", NULL};
static const char *const bool_false[] = {
    "kh\xc3\xb4ng" /* không */, "khong", "no", "false", "0", "sai",
    "kh\xc3\xb4ng \xc4\x91\xe1\xba\xa1t" /* không đạt */, "khong dat", NULL};

static bool in_list(const nfc_buf *b, const char *const *list)
{
    for (; *list; list++)
        if (nfc_eq(b, *list)) return true;
    return false;
}

static bool in_list_raw(const char *s, size_t n, const char *const *list)
{
    for (; *list; list++)
        if ((*list)[0] == s[0] && strlen(*list) == n && memcmp(*list, s, n) == 0) return true;
    return false;
}

static bool parse_bool(const char *s, size_t n, dec_t *v, char *why, size_t cap)
{
    nfc_buf b;
    bool ok = false;
    /* As written first: "có" typed the usual way needs no normalisation. */
    if (in_list_raw(s, n, bool_true)) *v = dec_from_int(1), ok = true;
    else if (in_list_raw(s, n, bool_false)) *v = dec_from_int(0), ok = true;
    else if (n <= 64 && nfc_make(&b, s, n, true) == 0) { /* no spelling is longer than 64 bytes */
        if (in_list(&b, bool_true)) *v = dec_from_int(1), ok = true;
        else if (in_list(&b, bool_false)) *v = dec_from_int(0), ok = true;
        nfc_free(&b);
    }
    if (!ok) {
        char shown[200];
        show_text(shown, sizeof shown, s, n);
        whyf(why, cap, "expected yes or no (có/không, x, đúng/sai, đạt/không đạt, 1/0, yes/no, true/false), got '%s'",
             shown);
    }
    return ok;
}

/* Up to two digits (day, month) or exactly four (year). */
static size_t take_digits(const char *s, size_t n, size_t i, int *v)
{
    size_t j = i;
    int x = 0;
    while (j < n && is_digit(s[j]) && j - i < 4) x = x * 10 + (s[j++] - '0');
    *v = x;
    return j - i;
}

static bool parse_date(const char *s, size_t n, dec_t *v, char *why, size_t cap)
{
    int a, b, c;
    size_t i = 0, la, lb, lc;
    char sep1 = 0, sep2 = 0;
    la = take_digits(s, n, i, &a);
    i += la;
    if (i < n) sep1 = s[i++];
    lb = take_digits(s, n, i, &b);
    i += lb;
    if (i < n) sep2 = s[i++];
    lc = take_digits(s, n, i, &c);
    i += lc;
    bool seps = sep1 == sep2 && (sep1 == '/' || sep1 == '-' || sep1 == '.');
    int y = 0, m = 0, d = 0;
    bool shape = true;
    if (i == n && seps && la == 4 && lb >= 1 && lb <= 2 && lc >= 1 && lc <= 2) y = a, m = b, d = c; /* ISO */
    else if (i == n && seps && la >= 1 && la <= 2 && lb >= 1 && lb <= 2 && lc == 4) y = c, m = b, d = a;
    else shape = false;
    if (shape && y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= date_month_days(y, m)) {
        *v = dec_from_int(date_days(y, m, d));
        return true;
    }
    if (!why) return false; /* the reasons below are only text */
    char shown[200];
    show_text(shown, sizeof shown, s, n);
    if (!shape) {
        whyf(why, cap, "expected a date (dd/mm/yyyy or yyyy-mm-dd), got '%s'", shown);
        return false;
    }
    if (y < 1) {
        whyf(why, cap, "no such date: '%s' (year 0)", shown);
        return false;
    }
    if (m < 1 || m > 12) {
        whyf(why, cap, "no such date: '%s' (there is no month %d; dates are written day/month/year)", shown, m);
        return false;
    }
    if (d < 1 || d > date_month_days(y, m)) {
        if (m == 2 && d == 29) whyf(why, cap, "no such date: '%s' (%d is not a leap year)", shown, y);
        else whyf(why, cap, "no such date: '%s' (month %d has %d days)", shown, m, date_month_days(y, m));
        return false;
    }
    *v = dec_from_int(date_days(y, m, d));
    return true;
}

static bool parse_choice(const fact_spec *spec, const char *s, size_t n, dec_t *v, char *why, size_t cap)
{
    for (int i = 0; i < spec->n_options; i++) { /* the option's name as written: the usual case */
        const char *o = spec->options[i].name;
        if (!o) continue;
        size_t k = 0;
        while (k < n && o[k] == s[k] && o[k]) k++; /* stops at o's end, so a NUL in s cannot match */
        if (k == n && o[n] == '\0') {
            *v = dec_from_int(i);
            return true;
        }
    }
    nfc_buf b;
    int rc = nfc_make(&b, s, n, false);
    if (rc == 0) {
        for (int i = 0; i < spec->n_options; i++)
            if (nfc_eq(&b, spec->options[i].name) || nfc_eq(&b, spec->options[i].label)) {
                nfc_free(&b);
                *v = dec_from_int(i);
                return true;
            }
        nfc_free(&b);
        /* Not as written: try again ignoring case ("Du", a label typed with a capital). */
        if (nfc_make(&b, s, n, true) == 0) {
            for (int i = 0; i < spec->n_options; i++) {
                const char *alts[2] = {spec->options[i].name, spec->options[i].label};
                for (int k = 0; k < 2; k++) {
                    nfc_buf o;
                    if (!alts[k] || nfc_make(&o, alts[k], strlen(alts[k]), true) != 0) continue;
                    bool eq = o.len == b.len && memcmp(o.s, b.s, b.len) == 0;
                    nfc_free(&o);
                    if (eq) {
                        nfc_free(&b);
                        *v = dec_from_int(i);
                        return true;
                    }
                }
            }
            nfc_free(&b);
        }
    }
    if (!why) return false; /* the reason below is only text */
    char shown[200], list[160];
    show_text(shown, sizeof shown, s, n);
    size_t o = 0;
    list[0] = '\0';
    for (int i = 0; i < spec->n_options && spec->options[i].name; i++) {
        size_t k = strlen(spec->options[i].name);
        if (o + k + 8 > sizeof list) {
            memcpy(list + o, ", ...", 6);
            break;
        }
        if (i) memcpy(list + o, ", ", 2), o += 2;
        memcpy(list + o, spec->options[i].name, k + 1);
        o += k;
    }
    const char *pick = NULL;
    if (rc == 0 && n < 200) {
        char text[200];
        memcpy(text, s, n);
        text[n] = '\0';
        near_t t;
        near_init(&t, text);
        for (int i = 0; i < spec->n_options; i++) near_try(&t, spec->options[i].name);
        pick = t.pick;
    }
    if (pick) whyf(why, cap, "expected one of %s (or their labels), got '%s' (did you mean '%s'?)", list, shown, pick);
    else whyf(why, cap, "expected one of %s (or their labels), got '%s'", list, shown);
    return false;
}

/* A bound as the sheet's writer would read it: percentages in %, dates as dd/mm/yyyy. */
static void format_value(const fact_spec *spec, dec_t v, char *buf, size_t cap)
{
    if (spec->type == FACT_PERCENT) {
        dec_t h;
        if (dec_mul(v, dec_from_int(100), &h) == DEC_OK) {
            size_t k = dec_format(h, -1, buf, cap);
            if (k + 2 <= cap) buf[k] = '%', buf[k + 1] = '\0';
            return;
        }
    } else if (spec->type == FACT_DATE && dec_is_integer(v) && v.num > -3000000 && v.num < 3000000) {
        date_format(v.num, false, buf, cap);
        return;
    }
    dec_format(v, -1, buf, cap);
}

/* A trimmed, non-empty cell as the spec's type, bounds included. Every type refuses a text with a
 * NUL byte on its own (digits and separators only; or equal to a word, an option or a label, none of
 * which holds a NUL), so the batch reader may skip that check; facts_parse_value makes it first
 * only to say so. With why == NULL a refusal costs no message text. */
static bool parse_cell(const fact_spec *spec, const char *text, size_t len, dec_t *out, char *why, size_t why_cap)
{
    dec_t v = {0, 1};
    bool ok;
    switch (spec->type) {
    case FACT_NUMBER: ok = parse_number(text, len, &v, why, why_cap); break;
    case FACT_PERCENT: ok = parse_percent(text, len, &v, why, why_cap); break;
    case FACT_COUNT: ok = parse_count(text, len, &v, why, why_cap); break;
    case FACT_BOOL: ok = parse_bool(text, len, &v, why, why_cap); break;
    case FACT_DATE: ok = parse_date(text, len, &v, why, why_cap); break;
    case FACT_CHOICE: ok = parse_choice(spec, text, len, &v, why, why_cap); break;
    default: whyf(why, why_cap, "unknown fact type"); return false;
    }
    if (!ok) {
        if (!why) return false;
        size_t bad = text_utf8_bad_at(text, len);
        if (bad < len) whyf(why, why_cap, "the value is not valid UTF-8 (byte 0x%02X)", (unsigned char)text[bad]);
        return false;
    }
    bool low = spec->has_lo && dec_cmp(v, spec->lo) < 0, high = spec->has_hi && dec_cmp(v, spec->hi) > 0;
    if (low || high) {
        if (!why) return false;
        char shown[200], lo[DEC_FMT_MAX + 8], hi[DEC_FMT_MAX + 8];
        show_text(shown, sizeof shown, text, len);
        format_value(spec, spec->lo, lo, sizeof lo);
        format_value(spec, spec->hi, hi, sizeof hi);
        if (spec->has_lo && spec->has_hi) whyf(why, why_cap, "got '%s', outside the allowed range %s..%s", shown, lo, hi);
        else if (low) whyf(why, why_cap, "got '%s', below the minimum %s", shown, lo);
        else whyf(why, why_cap, "got '%s', above the maximum %s", shown, hi);
        return false;
    }
    *out = v;
    return true;
}

bool facts_parse_value(const fact_spec *spec, const char *text, size_t len, dec_t *out, char *why, size_t why_cap)
{
    if (why && why_cap) why[0] = '\0';
    if (!spec || !out || (!text && len > 0)) {
        whyf(why, why_cap, "no value");
        return false;
    }
    if (!text) text = "";
    trim(&text, &len);
    if (len == 0) {
        whyf(why, why_cap, "empty value");
        return false;
    }
    if (memchr(text, '\0', len)) {
        whyf(why, why_cap, "the value contains a NUL byte");
        return false;
    }
    if (!why) why_cap = 0;
    return parse_cell(spec, text, len, out, why_cap ? why : NULL, why_cap);
}

/* ---------------------------------------------------------------- buffers */

typedef struct {
    char *p;
    size_t len, cap;
} fbuf;

static bool fbuf_reserve(fbuf *b, size_t extra)
{
    if (b->cap - b->len >= extra) return true;
    if (extra > SIZE_MAX / 4 - b->len) return false;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < extra) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) return false;
    b->p = p;
    b->cap = cap;
    return true;
}

static bool fbuf_add(fbuf *b, const void *s, size_t n)
{
    if (!fbuf_reserve(b, n)) return false;
    if (n) memcpy(b->p + b->len, s, n);
    b->len += n;
    return true;
}

typedef struct {
    size_t off, len; /* off == NO_TEXT: a batch cell read as it arrived, its text not kept */
} cell_ref;

#define NO_TEXT ((size_t)-1)

typedef struct {
    cell_ref *p;
    size_t len, cap;
} cellvec;

static inline bool cellvec_push(cellvec *v, cell_ref c)
{
    if (v->len == v->cap) {
        size_t cap = v->cap ? 2 * v->cap : 64;
        cell_ref *p = realloc(v->p, cap * sizeof *p);
        if (!p) return false;
        v->p = p;
        v->cap = cap;
    }
    v->p[v->len++] = c;
    return true;
}

/* One row as read: trimmed cells (each NUL-terminated inside `text`, but for the batch cells whose
 * text was not kept) and its raw source text. A stored row carries its raw text; for the row being
 * read (`live`) it is found only when a message needs it (row_raw).
 * Not every cell is kept (see cb_field): empty cells after the last non-empty one, and the cells past
 * the width that matters (a sheet's fact,value,note; a batch header's width) are only counted, so that
 * a row of 100 million commas costs nothing. A cell not kept reads as empty (cell_s, cell_n). */
typedef struct {
    const char *text;
    const cell_ref *cells;
    size_t ncells; /* kept */
    size_t width;  /* in the row, kept or not (a live row only) */
    size_t far;    /* 1 + the last non-empty cell not kept, else 0 */
    uint32_t line;
    const char *raw;
    size_t raw_len;
    bool live;
} row_view;

static const char *cell_s(const row_view *v, size_t i)
{
    return i < v->ncells && v->cells[i].off != NO_TEXT ? v->text + v->cells[i].off : "";
}
static size_t cell_n(const row_view *v, size_t i) { return i < v->ncells ? v->cells[i].len : 0; }

/* Index of the last non-empty cell + 1: Excel pads rows with empty cells. */
static size_t used_cells(const row_view *v)
{
    if (v->far) return v->far; /* the cells not kept all come after the kept ones */
    size_t n = v->ncells;
    while (n > 0 && v->cells[n - 1].len == 0) n--;
    return n;
}

typedef struct {
    uint32_t line;
    size_t raw_off, raw_len, cell0, ncells, far;
} stored_row;

static size_t count_nl(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) k += s[i] == '\n' || s[i] == '\r';
    return k;
}

/* Values of a bool or choice column by the cell's text. Such a column holds a handful of spellings
 * ("có", "không"), and the parse is a pure function of (spec, text) with no bounds, so a hit is
 * exact. Only texts that parsed, with no line break, are kept: a hit also proves the cell had none. */
enum { VCACHE_N = 8, VCACHE_KEY = 23 };

typedef struct {
    dec_t v;
    uint8_t len;
    char key[VCACHE_KEY];
} vcache_ent;

typedef struct {
    vcache_ent e[VCACHE_N];
    uint8_t n, next;
} vcache;

/* a[0..n) == b[0..n), for the few bytes of a cell: cheaper than a call to memcmp */
static inline bool same_bytes(const char *a, const char *b, size_t n)
{
    uint64_t x = 0, y = 0;
    for (; n >= 8; a += 8, b += 8, n -= 8) {
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        if (x != y) return false;
    }
    if (n >= 4) {
        uint32_t c, d;
        memcpy(&c, a, 4);
        memcpy(&d, b, 4);
        if (c != d) return false;
        a += 4, b += 4, n -= 4;
    }
    if (n >= 2) {
        uint16_t c, d;
        memcpy(&c, a, 2);
        memcpy(&d, b, 2);
        if (c != d) return false;
        a += 2, b += 2, n -= 2;
    }
    return n == 0 || *a == *b;
}

static inline int vcache_find(const vcache *c, const char *s, size_t n)
{
    for (int i = 0; i < c->n; i++) {
        const vcache_ent *e = &c->e[i];
        if (e->len == n && same_bytes(e->key, s, n)) return i;
    }
    return -1;
}

static void vcache_put(vcache *c, const char *s, size_t n, dec_t v)
{
    if (n == 0 || n > VCACHE_KEY) return;
    int i;
    if (c->n < VCACHE_N) i = c->n++;
    else i = c->next, c->next = (uint8_t)((c->next + 1) % VCACHE_N);
    c->e[i].v = v;
    c->e[i].len = (uint8_t)n;
    memcpy(c->e[i].key, s, n);
}

static const fact_value BLANK_VALUE = {FV_MISSING, {0, 1}, 0, 0};

/* ---------------------------------------------------------------- the reader */

typedef enum { LAYOUT_NONE, LAYOUT_BATCH, LAYOUT_SHEET } facts_layout;
enum { COL_IGNORE = -1, COL_UNNAMED = -2 };

typedef struct reader reader;
struct reader {
    const facts_opts *o;
    const char *file;
    char *default_unit;
    struct csv_parser csv;
    bool csv_ready, sniffed;

    /* Where libcsv is. It takes whole chunks and says nothing of positions, but every CR or LF it
     * reads either ends a row (reported to cb_row, blank lines too with CSV_REPALL_NL) or sits inside
     * a quoted cell (counted in cb_field: row_nl). Following those line ends through the chunk with
     * memchr (cur) gives the line numbers, and the row's raw text when a message quotes it. */
    const char *chunk; /* being parsed; NULL between feeds */
    size_t chunk_len;
    size_t cur;            /* the line ends before cur are counted in `line` */
    size_t cr_from, cr_at; /* no CR in [cr_from, cr_at); one at cr_at unless it is chunk_len */
    uint32_t line;         /* the line cur is on */
    bool prev_cr;          /* the byte before the chunk was a CR */
    size_t row_start;      /* where the current row begins in the chunk, if row_in_chunk */
    bool row_in_chunk;     /* else it began in an earlier chunk, and its text so far is in carry */
    uint32_t row_line;     /* the line it begins on */
    size_t row_nl, row_nl_passed; /* its line breaks inside quoted cells; of those, behind cur */
    fbuf carry;   /* raw text of the row from earlier chunks (capped) */
    fbuf scratch; /* carry + the rest of the row, put together for a message */

    fbuf text; /* the current row's kept cells */
    cellvec cells;  /* its kept cells (see row_view) */
    size_t row_ncells; /* how many cells it has */
    size_t row_far;    /* 1 + the last non-empty cell past the width kept, else 0 */
    uint64_t row_hash; /* batch: unitset_hash of the unit name, when it is its own NFC; else 0 */
    bool row_slow;     /* batch: a fact's cell was kept to be read at the row's end, or a column
                        * without a name has a value: batch_row must go through the cells */
    bool skip_row;

    facts_layout layout;
    /* batch */
    int *colmap; /* [named] */
    size_t ncols, named; /* the header's width; up to its last non-empty cell */
    unsigned char *unnamed_warned; /* bit per column of [named, ncols): warned about (see col_of) */
    fact_value *values; /* the row's values, overwritten column by column (see batch_row) */
    vcache *vc; /* per fact; used for bool and choice */
    unitset *units; /* the units seen, for the duplicate check; made with the header */
    /* sheet */
    fbuf sheet_text;
    cellvec sheet_cells;
    stored_row *rows;
    size_t nrows, rows_cap;

    int result;
    bool stop, fatal, oom_reported, utf8_hinted;
};

static void emit_file(reader *r, diag_severity sev, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void emit_file(reader *r, diag_severity sev, const char *fmt, ...)
{
    src_loc loc = {r->file, 0, 0, 0, 0};
    va_list ap;
    va_start(ap, fmt);
    diag_vemit(r->o->diags, sev, &loc, NULL, 0, fmt, ap);
    va_end(ap);
}

static void out_of_memory(reader *r)
{
    if (!r->oom_reported) emit_file(r, DIAG_ERROR, "out of memory while reading the facts");
    r->oom_reported = true;
    r->fatal = true;
}

/* ---------------------------------------------------------------- line ends */

/* The first CR or LF at or after `from` in the chunk (chunk_len: none). One memchr for LF per
 * call; CRs are looked for once and remembered, so a file without any costs one scan a chunk. */
static size_t next_nl(reader *r, size_t from)
{
    size_t n = r->chunk_len;
    if (from >= n) return n;
    if (from < r->cr_from || from > r->cr_at) {
        const char *q = memchr(r->chunk + from, '\r', n - from);
        r->cr_from = from;
        r->cr_at = q ? (size_t)(q - r->chunk) : n;
    }
    const char *q = memchr(r->chunk + from, '\n', r->cr_at - from);
    return q ? (size_t)(q - r->chunk) : r->cr_at;
}

/* Moves cur past the next line-end byte; false when the chunk has none left. CRLF is one line end. */
static bool pass_nl(reader *r)
{
    size_t q = next_nl(r, r->cur);
    if (q >= r->chunk_len) return false;
    if (!(r->chunk[q] == '\n' && (q > 0 ? r->chunk[q - 1] == '\r' : r->prev_cr))) r->line++;
    r->cur = q + 1;
    return true;
}

/* The raw text of the row being read, from the start of its first line through its line end, cut
 * at FACTS_RAW_CAP: in the chunk, or (a row begun in an earlier chunk) the carry with the rest of
 * the row appended in `scratch`. After the last chunk, the carry is the row. */
static void row_raw(reader *r, const char **raw, size_t *len)
{
    if (!r->chunk) {
        *raw = r->carry.p;
        *len = r->carry.len;
        return;
    }
    size_t end = r->cur;
    size_t k = r->row_nl >= r->row_nl_passed ? r->row_nl - r->row_nl_passed + 1 : 1;
    for (; k > 0; k--) {
        size_t q = next_nl(r, end);
        if (q >= r->chunk_len) {
            end = r->chunk_len;
            break;
        }
        end = q + 1;
    }
    if (r->row_in_chunk) {
        size_t n = end - r->row_start;
        *raw = r->chunk + r->row_start;
        *len = n < FACTS_RAW_CAP ? n : FACTS_RAW_CAP;
        return;
    }
    size_t room = r->carry.len < FACTS_RAW_CAP ? FACTS_RAW_CAP - r->carry.len : 0;
    r->scratch.len = 0;
    if (fbuf_add(&r->scratch, r->carry.p, r->carry.len) && fbuf_add(&r->scratch, r->chunk, end < room ? end : room)) {
        *raw = r->scratch.p;
        *len = r->scratch.len;
    } else {
        *raw = r->carry.p;
        *len = r->carry.len;
    }
}

/* Where field `idx` of a row is: the physical line it starts on (a quoted cell may span lines),
 * that line's text and the cell's byte span in it. false when the kept raw text does not reach
 * the field. */
static bool locate_field(const row_view *v, size_t idx, src_loc *loc, const char **lt, size_t *ll)
{
    int line, col, len;
    if (!text_csv_cell(v->raw, v->raw_len, (int)v->line, idx, &line, &col, &len, lt, ll)) return false;
    loc->line = line;
    loc->col = col;
    loc->len = len;
    return true;
}

/* Where a message about cells field..last of a row points (field NO_FIELD: the row as a whole), and
 * the source line to quote. The caret spans the cells when they are on one line. */
static void row_loc(reader *r, const row_view *row, size_t field, size_t last, src_loc *loc, const char **lt,
                    size_t *ll)
{
    row_view vv = *row, *v = &vv;
    if (v->live) row_raw(r, &v->raw, &v->raw_len);
    *loc = (src_loc){r->file, (int)v->line, 0, 0, 0};
    *lt = NULL;
    *ll = 0;
    if (field == NO_FIELD || !locate_field(v, field, loc, lt, ll)) {
        *loc = (src_loc){r->file, (int)v->line, 0, 0, 0};
        if (v->raw && v->raw_len) {
            *lt = v->raw;
            while (*ll < v->raw_len && (*lt)[*ll] != '\r' && (*lt)[*ll] != '\n') (*ll)++;
        }
        return;
    }
    src_loc end;
    const char *elt;
    size_t ell;
    if (last != field && locate_field(v, last, &end, &elt, &ell) && elt == *lt && end.col + end.len > loc->col)
        loc->len = end.col + end.len - loc->col;
}

static void emit_vcells(reader *r, diag_severity sev, const row_view *v, size_t field, size_t last, const char *fmt,
                        va_list ap)
{
    src_loc loc;
    const char *lt;
    size_t ll;
    row_loc(r, v, field, last, &loc, &lt, &ll);
    diag_vemit(r->o->diags, sev, &loc, lt, ll, fmt, ap);
}

/* A diagnostic about a row, pointing at cell `field` (NO_FIELD: the row as a whole). */
static void emit_row(reader *r, diag_severity sev, const row_view *v, size_t field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void emit_row(reader *r, diag_severity sev, const row_view *v, size_t field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit_vcells(r, sev, v, field, field, fmt, ap);
    va_end(ap);
}

/* The same, the caret under cells field..last. */
static void emit_cells(reader *r, diag_severity sev, const row_view *v, size_t field, size_t last, const char *fmt,
                       ...) __attribute__((format(printf, 6, 7)));
static void emit_cells(reader *r, diag_severity sev, const row_view *v, size_t field, size_t last, const char *fmt,
                       ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit_vcells(r, sev, v, field, last, fmt, ap);
    va_end(ap);
}

/* Said once per file, with the first text that is not UTF-8: the usual cause is a sheet saved
 * by an old Excel or a Vietnamese legacy encoding. */
static const char *utf8_hint(reader *r)
{
    if (r->utf8_hinted) return "";
    r->utf8_hinted = true;
    return "; the file seems not to be saved as UTF-8 (Windows-1258?): save it as \"CSV UTF-8\"";
}

/* A name (unit, fact, column) must be text. `what` and `tail` frame the message. */
static bool check_name(reader *r, const row_view *v, size_t field, const char *what, const char *tail)
{
    const char *s = cell_s(v, field);
    size_t n = cell_n(v, field);
    if (memchr(s, '\0', n)) {
        emit_row(r, DIAG_ERROR, v, field, "%s contains a NUL byte; %s", what, tail);
        return false;
    }
    size_t bad = text_utf8_bad_at(s, n);
    if (bad < n) {
        const char *hint = utf8_hint(r);
        emit_row(r, DIAG_ERROR, v, field, "%s is not valid UTF-8 (byte 0x%02X)%s; %s", what, (unsigned char)s[bad],
                 hint, tail);
        return false;
    }
    return true;
}

static int find_spec(const reader *r, const char *name)
{
    for (int i = 0; i < r->o->n_specs; i++)
        if (r->o->specs[i].name && strcmp(r->o->specs[i].name, name) == 0) return i;
    return -1;
}

static void warn_unknown(reader *r, const row_view *v, size_t field, const char *what, const char *name,
                         const char *tail)
{
    near_t t;
    shown_name sn;
    near_init(&t, name);
    for (int i = 0; i < r->o->n_specs; i++) near_try(&t, r->o->specs[i].name);
    show_name(&sn, name);
    if (t.pick) emit_row(r, DIAG_WARNING, v, field, "unknown %s '%s' (did you mean '%s'?); %s", what, sn.s, t.pick, tail);
    else emit_row(r, DIAG_WARNING, v, field, "unknown %s '%s'; %s", what, sn.s, tail);
}

static void read_value(reader *r, const row_view *v, size_t field, int s, const char *unit, fact_value *fv)
{
    const fact_spec *sp = &r->o->specs[s];
    const char *text = cell_s(v, field);
    size_t n = cell_n(v, field);
    char why[FACTS_WHY];
    fv->line = v->line;
    fv->col = (uint32_t)(field + 1);
    if (facts_parse_value(sp, text, n, &fv->num, why, sizeof why)) {
        fv->state = FV_OK;
        return;
    }
    fv->state = FV_BAD;
    fv->num = dec_from_int(0);
    const char *hint = text_utf8_bad_at(text, n) < n ? utf8_hint(r) : "";
    shown_name su;
    emit_row(r, DIAG_ERROR, v, field, "unit '%s', fact '%s' (column %zu): %s%s", show_name(&su, unit), sp->name,
             field + 1, why, hint);
}

/* ---------------------------------------------------------------- batch tables */

static void duplicate_unit(reader *r, const row_view *v, const char *name, uint32_t first)
{
    shown_name su;
    emit_row(r, DIAG_ERROR, v, 0, "duplicate unit '%s' (first on line %u); this row is ignored", show_name(&su, name),
             first);
}

/* The header: columns up to its last non-empty cell are mapped (colmap); the empty cells after it
 * (Excel pads rows) are columns without a name, known by their number only. */
static void batch_header(reader *r, const row_view *v)
{
    size_t n = v->ncells, ns = r->o->n_specs > 0 ? (size_t)r->o->n_specs : 1;
    r->ncols = v->width > n ? v->width : n;
    r->named = n;
    r->colmap = malloc(n * sizeof *r->colmap);
    r->values = malloc(ns * sizeof *r->values);
    r->vc = calloc(ns, sizeof *r->vc);
    r->units = unitset_new(NULL);
    size_t *first = calloc(ns, sizeof *first); /* column + 1 of each fact */
    if (r->ncols > n) r->unnamed_warned = calloc((r->ncols - n + 7) / 8, 1);
    if (!r->colmap || !r->values || !r->vc || !r->units || !first || (r->ncols > n && !r->unnamed_warned)) {
        free(first);
        out_of_memory(r);
        return;
    }
    for (size_t i = 0; i < ns; i++) r->values[i] = BLANK_VALUE;
    r->colmap[0] = COL_IGNORE;
    for (size_t i = 1; i < n; i++) {
        char what[48];
        r->colmap[i] = COL_IGNORE;
        if (cell_n(v, i) == 0) {
            r->colmap[i] = COL_UNNAMED;
            continue;
        }
        snprintf(what, sizeof what, "the name of column %zu", i + 1);
        if (!check_name(r, v, i, what, "the column is ignored")) continue;
        nfc_buf b;
        if (nfc_make(&b, cell_s(v, i), cell_n(v, i), false) != 0) {
            out_of_memory(r);
            break;
        }
        if (ascii_ieq(b.s, b.len, "note")) { /* remarks, for people */
        } else if (ascii_ieq(b.s, b.len, "unit")) {
            emit_row(r, DIAG_ERROR, v, i, "duplicate column '%s' (first in column 1); this one is ignored", b.s);
        } else {
            int s = find_spec(r, b.s);
            if (s < 0) warn_unknown(r, v, i, "column", b.s, "its values are ignored");
            else if (first[s])
                emit_row(r, DIAG_ERROR, v, i, "duplicate column '%s' (first in column %zu); this one is ignored",
                         r->o->specs[s].name, first[s]);
            else {
                first[s] = i + 1;
                r->colmap[i] = s;
            }
        }
        nfc_free(&b);
    }
    free(first);
}

/* What column i (< ncols) of a batch table holds: a fact's index, COL_IGNORE, or COL_UNNAMED while
 * no value in it has been warned about. */
static int col_of(const reader *r, size_t i)
{
    if (i < r->named) return r->colmap[i];
    size_t b = i - r->named;
    return r->unnamed_warned[b / 8] & (1u << (b % 8)) ? COL_IGNORE : COL_UNNAMED;
}

static void col_warned(reader *r, size_t i)
{
    if (i < r->named) r->colmap[i] = COL_IGNORE;
    else r->unnamed_warned[(i - r->named) / 8] |= (unsigned char)(1u << ((i - r->named) % 8));
}

/* A batch cell as it arrives from libcsv (k > 0, a fact's column, not empty): read it at once, with
 * no copy. false when it does not read; it is then kept, and read again with messages once the row
 * is known to be wanted (batch_row). */
/* Up to 9 digits, nothing else: a count parse_count would read the same way. */
static inline bool small_count(const char *p, size_t len, dec_t *v)
{
    int64_t k = 0;
    unsigned bad = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned d = (unsigned char)p[i] - '0';
        bad |= d > 9;
        k = k * 10 + d;
    }
    if (bad) return false;
    *v = dec_from_int(k);
    return true;
}

static bool batch_value(reader *r, int s, size_t k, const char *p, size_t len)
{
    const fact_spec *sp = &r->o->specs[s];
    dec_t v;
    if (sp->type == FACT_BOOL || sp->type == FACT_CHOICE) {
        vcache *c = &r->vc[s];
        int i = vcache_find(c, p, len);
        if (i >= 0) v = c->e[i].v;
        else {
            if (!parse_cell(sp, p, len, &v, NULL, 0)) return false;
            size_t nl = count_nl(p, len); /* a label could hold one */
            r->row_nl += nl;
            if (nl == 0) vcache_put(c, p, len, v);
        }
    } else if (sp->type == FACT_COUNT && len <= 9 && small_count(p, len, &v)) {
        /* The commonest cell, read here; anything else (and every message) goes to parse_cell. */
        if ((sp->has_lo && dec_cmp(v, sp->lo) < 0) || (sp->has_hi && dec_cmp(v, sp->hi) > 0)) return false;
    } else if (!parse_cell(sp, p, len, &v, NULL, 0)) return false; /* read: digits, separators, no line end */
    fact_value *fv = &r->values[s];
    fv->state = FV_OK;
    fv->num = v;
    fv->line = r->row_line;
    fv->col = (uint32_t)(k + 1);
    return true;
}

static void batch_row(reader *r, const row_view *v)
{
    size_t used = used_cells(v);
    if (used == 0) return; /* a blank row, as spreadsheets leave at the end */
    if (cell_n(v, 0) == 0) {
        emit_row(r, DIAG_ERROR, v, 0, "the row has no unit name; it is ignored");
        return;
    }
    if (!check_name(r, v, 0, "the unit name", "the row is ignored")) return;
    nfc_buf u;
    if (nfc_make(&u, cell_s(v, 0), cell_n(v, 0), false) != 0) {
        out_of_memory(r);
        return;
    }
    shown_name su;
    uint32_t first;
    int seen;
    if (used > r->ncols) {
        emit_row(r, DIAG_ERROR, v, r->ncols,
                 "the row of unit '%s' has %zu cells but the header has %zu; the row is ignored (a decimal comma "
                 "splits a cell unless the cell is quoted: write \"0,5\" or 0.5)",
                 show_name(&su, u.s), used, r->ncols);
    } else if ((seen = unitset_add(r->units, r->row_hash ? r->row_hash : unitset_hash(u.s, u.len), v->line,
                                   &first)) != 0) {
        if (seen == -1) out_of_memory(r);
        else if (seen < 0) {
            emit_row(r, DIAG_ERROR, v, 0, "the duplicate-unit check cannot write its temporary file (%s); the "
                                          "rest of the file is not read", strerror(errno));
            r->fatal = true;
        } else duplicate_unit(r, v, u.s, first);
    } else {
        /* Cells that read as they arrived are in r->values already, and empty ones were blanked there;
         * the kept ones are read here, in column order with the other messages, and the columns the
         * row is too short to reach are blanked. So every fact with a column has been written for this
         * row, and no copy of a blank row is needed; a fact without a column stays blank. */
        fact_value *vals = r->values;
        size_t m = v->ncells < r->ncols ? v->ncells : r->ncols;
        for (size_t i = m; i < r->named; i++)
            if (r->colmap[i] >= 0) vals[r->colmap[i]] = BLANK_VALUE;
        for (size_t i = 1; r->row_slow && i < m; i++) {
            int s = col_of(r, i);
            if (s < 0) {
                if (s == COL_UNNAMED && cell_n(v, i) > 0) {
                    emit_row(r, DIAG_WARNING, v, i, "column %zu has no name in the header; its values are ignored", i + 1);
                    col_warned(r, i);
                }
                continue;
            }
            if (v->cells[i].off != NO_TEXT && v->cells[i].len > 0) read_value(r, v, i, s, u.s, &vals[s]);
        }
        if (r->o->on_unit) {
            int rc = r->o->on_unit(r->o->ud, u.s, vals);
            if (rc) r->stop = true, r->result = rc;
        }
    }
    nfc_free(&u);
}

/* ---------------------------------------------------------------- per-unit sheets */

static void sheet_keep(reader *r, const row_view *v)
{
    if (used_cells(v) == 0) return;
    const char *raw = v->raw;
    size_t raw_len = v->raw_len;
    if (v->live) row_raw(r, &raw, &raw_len);
    stored_row sr = {v->line, r->sheet_text.len, raw_len, r->sheet_cells.len, v->ncells, v->far};
    bool ok = fbuf_add(&r->sheet_text, raw, raw_len);
    for (size_t i = 0; ok && i < v->ncells; i++) {
        cell_ref c = {r->sheet_text.len, cell_n(v, i)};
        ok = fbuf_add(&r->sheet_text, cell_s(v, i), c.len) && fbuf_add(&r->sheet_text, "", 1) &&
             cellvec_push(&r->sheet_cells, c);
    }
    if (ok && r->nrows == r->rows_cap) {
        size_t cap = r->rows_cap ? 2 * r->rows_cap : 64;
        stored_row *p = realloc(r->rows, cap * sizeof *p);
        if (p) r->rows = p, r->rows_cap = cap;
        else ok = false;
    }
    if (!ok) {
        out_of_memory(r);
        return;
    }
    r->rows[r->nrows++] = sr;
}

static row_view stored_view(const reader *r, const stored_row *sr)
{
    /* A sheet of rows without cells or text stored has allocated neither (and NULL + 0 is undefined). */
    return (row_view){.text = r->sheet_text.p,
                      .cells = r->sheet_cells.p ? r->sheet_cells.p + sr->cell0 : NULL,
                      .ncells = sr->ncells,
                      .width = sr->ncells,
                      .far = sr->far,
                      .line = sr->line,
                      .raw = r->sheet_text.p ? r->sheet_text.p + sr->raw_off : "",
                      .raw_len = sr->raw_len,
                      .live = false};
}

static bool is_int_text(const char *s, size_t n, bool sign, bool pct)
{
    size_t i = 0;
    if (sign && n > 0 && s[0] == '-') i++;
    if (pct && n > i && s[n - 1] == '%') n--;
    if (i == n) return false;
    for (; i < n; i++)
        if (!is_digit(s[i])) return false;
    return true;
}

static void sheet_row(reader *r, const row_view *v, bool is_unit_row, uint32_t unit_line, const char *unit,
                      fact_value *vals, uint32_t *seen, size_t *n_facts)
{
    size_t used = used_cells(v);
    shown_name su;
    if (used > 3) {
        emit_row(r, DIAG_ERROR, v, 3,
                 "the row has %zu cells but a fact sheet row is fact,value[,note]; the row is ignored (a decimal "
                 "comma splits a cell unless the cell is quoted: write \"0,5\" or 0.5)",
                 used);
        return;
    }
    const char *c0 = cell_s(v, 0);
    size_t n0 = cell_n(v, 0);
    if (n0 == 0) {
        emit_row(r, DIAG_ERROR, v, 0, "the row has no fact name; it is ignored");
        return;
    }
    if (ascii_ieq(c0, n0, "unit")) {
        if (!is_unit_row)
            emit_row(r, DIAG_ERROR, v, 0, "a second unit row (the first is on line %u); it is ignored", unit_line);
        else if (cell_n(v, 1) == 0)
            emit_row(r, DIAG_WARNING, v, 0, "the unit row gives no name; the unit is named '%s' after the file",
                     show_name(&su, unit));
        else check_name(r, v, 1, "the unit name", "the unit is named after the file");
        return;
    }
    if (!check_name(r, v, 0, "the fact name", "the row is ignored")) return;
    (*n_facts)++;
    nfc_buf b;
    if (nfc_make(&b, c0, n0, false) != 0) {
        out_of_memory(r);
        return;
    }
    int s = find_spec(r, b.s);
    if (s < 0) warn_unknown(r, v, 0, "fact", b.s, "the row is ignored");
    else if (seen[s])
        emit_row(r, DIAG_ERROR, v, 0, "duplicate fact '%s' (first on line %u); this row is ignored", b.s, seen[s]);
    else {
        seen[s] = v->line;
        if (cell_n(v, 1) > 0) {
            read_value(r, v, 1, s, unit, &vals[s]);
            fact_type t = r->o->specs[s].type;
            /* "0,5" typed without quotes arrives as the value 0 and the note 5. For a number or a
             * percentage that is refused: reading 0 would be a silent misread, and a note of digits
             * alone after a whole number is far less likely than a decimal comma. A count has no
             * decimals, so there the split is only a guess: a warning. */
            const char *val = cell_s(v, 1), *note = cell_s(v, 2);
            if (vals[s].state == FV_OK && (t == FACT_NUMBER || t == FACT_PERCENT || t == FACT_COUNT) &&
                is_int_text(val, cell_n(v, 1), true, false) && is_int_text(note, cell_n(v, 2), false, t != FACT_NUMBER)) {
                if (t == FACT_COUNT)
                    emit_row(r, DIAG_WARNING, v, 2,
                             "unit '%s', fact '%s': the value '%s' and the note '%s' look like one number split by "
                             "an unquoted decimal comma; if you meant %s,%s, write \"%s,%s\"",
                             show_name(&su, unit), b.s, val, note, val, note, val, note);
                else {
                    vals[s].state = FV_BAD;
                    vals[s].num = dec_from_int(0);
                    emit_cells(r, DIAG_ERROR, v, 1, 2,
                               "unit '%s', fact '%s' (column 2): the value '%s' and the note '%s' look like one number "
                               "split by an unquoted decimal comma; write \"%s,%s\" (in quotes) or %s.%s",
                               show_name(&su, unit), b.s, val, note, val, note, val, note);
                }
            }
        }
    }
    nfc_free(&b);
}

static void finish_sheet(reader *r)
{
    size_t ns = r->o->n_specs > 0 ? (size_t)r->o->n_specs : 1;
    fact_value *vals = calloc(ns, sizeof *vals);
    uint32_t *seen = calloc(ns, sizeof *seen);
    char *named = NULL;
    if (!vals || !seen) {
        out_of_memory(r);
        goto out;
    }
    for (size_t i = 0; i < ns; i++) vals[i].num = dec_from_int(0);

    /* The unit's name first: every message about the sheet's values names it. */
    size_t unit_row = SIZE_MAX;
    for (size_t k = 0; k < r->nrows && unit_row == SIZE_MAX; k++) {
        row_view v = stored_view(r, &r->rows[k]);
        if (!ascii_ieq(cell_s(&v, 0), cell_n(&v, 0), "unit")) continue;
        unit_row = k;
        const char *s = cell_s(&v, 1);
        size_t n = cell_n(&v, 1);
        nfc_buf b;
        if (n > 0 && !memchr(s, '\0', n) && nfc_make(&b, s, n, false) == 0) {
            named = malloc(b.len + 1);
            if (named) memcpy(named, b.s, b.len + 1);
            nfc_free(&b);
        }
    }
    const char *unit = named ? named : r->default_unit;
    uint32_t unit_line = unit_row == SIZE_MAX ? 0 : r->rows[unit_row].line;
    size_t n_facts = 0;
    for (size_t k = 0; k < r->nrows && !r->fatal; k++) {
        row_view v = stored_view(r, &r->rows[k]);
        sheet_row(r, &v, k == unit_row, unit_line, unit, vals, seen, &n_facts);
    }
    if (r->fatal) goto out;
    if (n_facts == 0) {
        shown_name su;
        emit_file(r, DIAG_WARNING, "no facts for unit '%s'", show_name(&su, unit));
    }
    if (r->o->on_unit) {
        int rc = r->o->on_unit(r->o->ud, unit, vals);
        if (rc) r->stop = true, r->result = rc;
    }
out:
    free(named);
    free(vals);
    free(seen);
}

/* ---------------------------------------------------------------- rows from libcsv */

static void first_row(reader *r, const row_view *v)
{
    const char *c0 = cell_s(v, 0);
    size_t n0 = cell_n(v, 0);
    /* The kind of file (and, before this reader, whether it is a published table: table.c) is told
     * by the words of its first row, which cannot be read if it is not UTF-8: a header saved in
     * Windows-1258 would be taken for a fact sheet's row. */
    for (size_t i = 0; i < v->ncells; i++) {
        size_t bad = text_utf8_bad_at(cell_s(v, i), cell_n(v, i));
        if (bad < cell_n(v, i)) {
            r->utf8_hinted = true;
            emit_row(r, DIAG_ERROR, v, i,
                     "the first row is not valid UTF-8 (byte 0x%02X); the file seems not to be saved as UTF-8 "
                     "(Windows-1258?): save it as \"CSV UTF-8\"; the file is not read",
                     (unsigned char)cell_s(v, i)[bad]);
            r->fatal = true;
            return;
        }
    }
    /* No name holds ';' or a tab: a first cell with one is a file cut with another separator,
     * which read with commas would give nonsense. */
    if (memchr(c0, ';', n0) || (v->width == 1 && memchr(c0, '\t', n0))) {
        emit_row(r, DIAG_ERROR, v, NO_FIELD, "the file seems to use '%s' as separator; save it as CSV with commas",
                 memchr(c0, ';', n0) ? ";" : "\\t");
        r->fatal = true;
        return;
    }
    /* `unit` first is a batch header, unless it is a sheet's unit row (`unit,Phòng Nội vụ[,note]`):
     * a header has more than three names or names a known fact. */
    bool batch = false;
    if (v->width >= 2 && ascii_ieq(c0, n0, "unit")) {
        size_t nonempty = 0;
        for (size_t i = 0; i < v->ncells; i++) nonempty += cell_n(v, i) > 0;
        batch = nonempty > 3;
        for (size_t i = 1; !batch && i < v->ncells; i++) {
            nfc_buf b;
            if (cell_n(v, i) == 0 || memchr(cell_s(v, i), '\0', cell_n(v, i)) ||
                nfc_make(&b, cell_s(v, i), cell_n(v, i), false) != 0)
                continue;
            batch = find_spec(r, b.s) >= 0;
            nfc_free(&b);
        }
    }
    r->layout = batch ? LAYOUT_BATCH : LAYOUT_SHEET;
    if (batch) batch_header(r, v);
    else if (!ascii_ieq(c0, n0, "fact")) sheet_keep(r, v); /* `fact,value,note` is the optional header */
}

/* The empty cells not kept since the last kept one (see cb_field), kept now that a cell after them
 * is: the row's cells up to the current one (row_ncells - 1) are then all there. */
static bool push_empty_cells(reader *r)
{
    while (r->cells.len + 1 < r->row_ncells)
        if (!cellvec_push(&r->cells, (cell_ref){NO_TEXT, 0})) return false;
    return true;
}

/* A cell whose text is kept for later: every non-empty cell of a header or a sheet's fact,value,note,
 * a batch row's unit name, a batch cell that did not read. */
static __attribute__((noinline)) void keep_cell(reader *r, const char *p, size_t len)
{
    r->row_nl += count_nl(p, len);
    cell_ref c = {r->text.len, len};
    if (!push_empty_cells(r) || !fbuf_reserve(&r->text, len + 1) || !cellvec_push(&r->cells, c)) {
        out_of_memory(r);
        return;
    }
    memcpy(r->text.p + r->text.len, p, len);
    r->text.p[r->text.len + len] = '\0';
    r->text.len += len + 1;
}

static void cb_field(void *s, size_t len, void *ud)
{
    reader *r = ud;
    if (r->stop || r->fatal) return;
    const char *p = s ? s : "";
    if (!s) len = 0;
    trim(&p, &len);
    size_t k = r->row_ncells++;
    /* What is not kept: past the width that matters, where only whether a cell is empty matters (a
     * non-empty one makes the row too long, and it is refused); and empty cells, until a non-empty
     * one after them is kept (push_empty_cells): a row of empty cells is a blank row, and a row's
     * trailing empty cells are Excel's padding. */
    if (r->layout == LAYOUT_BATCH && k > 0) {
        if (k >= r->named) { /* past the header's last name */
            if (len == 0) return;
            r->row_nl += count_nl(p, len);
            if (k >= r->ncols) r->row_far = k + 1; /* past the header */
            else if (!push_empty_cells(r) || !cellvec_push(&r->cells, (cell_ref){NO_TEXT, len}))
                out_of_memory(r); /* a column without a name: warned about in batch_row */
            else r->row_slow = true;
            return;
        }
        /* The hot path: a fact's cell is read here and not copied. */
        int sp = r->colmap[k];
        if (len == 0 || (sp >= 0 && batch_value(r, sp, k, p, len)) || sp < 0) {
            if (sp < 0) {
                r->row_nl += count_nl(p, len);
                r->row_slow |= sp == COL_UNNAMED && len > 0;
            } else if (len == 0) r->values[sp] = BLANK_VALUE;
            if (!cellvec_push(&r->cells, (cell_ref){NO_TEXT, len})) out_of_memory(r);
            return;
        }
    }
    if (r->layout == LAYOUT_BATCH && k == 0 && r->units && len < NFC_SMALL && quick_nfc(p, len)) {
        /* The unit name, which is its own NFC: hash it now and fetch its slot of the duplicate set,
         * a cache miss (the set is megabytes), while the rest of the row is read. */
        r->row_hash = unitset_hash(p, len);
        unitset_prefetch(r->units, r->row_hash);
    }
    if (r->layout != LAYOUT_BATCH) {
        if (r->layout == LAYOUT_SHEET && k >= 3) { /* past fact,value,note */
            if (len > 0) r->row_far = k + 1, r->row_nl += count_nl(p, len);
            return;
        }
        if (len == 0) return;
    }
    r->row_slow |= k > 0;
    keep_cell(r, p, len);
}

static row_view live_view(const reader *r)
{
    return (row_view){.text = r->text.p,
                      .cells = r->cells.p,
                      .ncells = r->cells.len,
                      .width = r->row_ncells,
                      .far = r->row_far,
                      .line = r->row_line,
                      .live = true};
}

/* The end of a row, or (CSV_REPALL_NL) a line end between rows: c is the CR or LF, or -1 at the end
 * of the input. */
static void cb_row(int c, void *ud)
{
    reader *r = ud;
    if (r->stop || r->fatal) return;
    if (!r->skip_row && r->row_ncells > 0) {
        row_view v = live_view(r);
        if (r->layout == LAYOUT_NONE) {
            first_row(r, &v);
        } else if (r->layout == LAYOUT_BATCH) batch_row(r, &v);
        else sheet_keep(r, &v);
    }
    r->text.len = 0;
    r->cells.len = 0;
    r->row_ncells = r->row_far = 0;
    r->row_hash = 0;
    r->row_slow = false;
    if (c >= 0 && r->chunk) { /* past the row's line breaks and its line end: the next row starts here */
        size_t k = r->row_nl >= r->row_nl_passed ? r->row_nl - r->row_nl_passed + 1 : 1;
        while (k-- > 0 && pass_nl(r)) {
        }
        r->row_start = r->cur;
        r->row_in_chunk = true;
        r->carry.len = 0;
    }
    r->row_line = r->line;
    r->row_nl = r->row_nl_passed = 0;
}

/* The first bytes tell a UTF-8 BOM (skipped) from files that are not CSV text at all. */
static size_t sniff(reader *r, const char *p, size_t n)
{
    r->sniffed = true;
    if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) return 3;
    if (n >= 2 && (memcmp(p, "\xFF\xFE", 2) == 0 || memcmp(p, "\xFE\xFF", 2) == 0)) {
        emit_file(r, DIAG_ERROR, "the file is UTF-16 text, not UTF-8: save it as \"CSV UTF-8\"");
        r->fatal = true;
    } else if ((n >= 4 && memcmp(p, "PK\x03\x04", 4) == 0) ||
               (n >= 8 && memcmp(p, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0)) {
        emit_file(r, DIAG_ERROR, "this is an Excel workbook, not CSV: save it as \"CSV UTF-8\"");
        r->fatal = true;
    }
    return 0;
}

static void feed(reader *r, const char *p, size_t n)
{
    if (!r->sniffed) {
        size_t skip = sniff(r, p, n);
        p += skip;
        n -= skip;
    }
    if (n == 0 || r->stop || r->fatal) return;
    r->chunk = p;
    r->chunk_len = n;
    r->cur = 0;
    r->cr_from = 1, r->cr_at = 0; /* nothing known */
    if (r->carry.len == 0) {      /* the row starts in this chunk */
        r->row_start = 0;
        r->row_in_chunk = true;
    }
    /* libcsv grows its cell buffer by blk_size bytes at a time (128 at first): a cell of megabytes
     * would take tens of thousands of reallocs, each a copy for allocators that do not grow in place
     * (quadratic under ASan). Growing by its current size instead keeps it linear, at the cost of up
     * to twice the longest cell. */
    if (r->csv.entry_size > r->csv.blk_size) csv_set_blk_size(&r->csv, r->csv.entry_size);
    if (csv_parse(&r->csv, p, n, cb_field, cb_row, r) != n) {
        if (!r->fatal) emit_file(r, DIAG_ERROR, "cannot parse the CSV: %s", csv_strerror(csv_error(&r->csv)));
        r->fatal = true;
    }
    if (!r->stop && !r->fatal) {
        /* The rest of the chunk is the start of a row not ended yet: its line ends are line breaks
         * inside a quoted cell. Keep its text for messages. */
        while (pass_nl(r)) r->row_nl_passed++;
        size_t from = r->row_in_chunk ? r->row_start : 0;
        size_t room = r->carry.len < FACTS_RAW_CAP ? FACTS_RAW_CAP - r->carry.len : 0;
        if (!fbuf_add(&r->carry, p + from, n - from < room ? n - from : room)) out_of_memory(r);
        r->row_in_chunk = false;
        r->prev_cr = p[n - 1] == '\r';
    }
    r->chunk = NULL;
    r->chunk_len = 0;
}

static int finish(reader *r)
{
    if (!r->stop && !r->fatal) {
        if (r->csv.pstate == LIBCSV_FIELD_BEGUN && r->csv.quoted) {
            row_view v = live_view(r);
            emit_row(r, DIAG_ERROR, &v, r->row_ncells,
                     "a quoted cell is never closed (a '\"' is missing); the rest of the file is ignored");
            r->skip_row = true;
        }
        csv_fini(&r->csv, cb_field, cb_row, r);
        if (!r->stop && !r->fatal) {
            if (r->layout == LAYOUT_NONE) emit_file(r, DIAG_WARNING, "no facts");
            else if (r->layout == LAYOUT_SHEET) finish_sheet(r);
        }
    }
    if (r->stop) return r->result;
    return r->fatal ? -1 : 0;
}

/* The unit a sheet without a `unit` row describes: its file's base name without `.csv`, in NFC
 * (file names from macOS arrive decomposed). */
static char *default_unit_name(const char *name)
{
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    size_t n = strlen(base);
    if (n > 4 && ascii_ieq(base + n - 4, 4, ".csv")) n -= 4;
    nfc_buf b;
    const char *s = base;
    if (!memchr(base, '\0', n) && nfc_make(&b, base, n, false) == 0) s = b.s, n = b.len;
    else b.heap = NULL;
    char *out = malloc(n + 1);
    if (out) {
        memcpy(out, s, n);
        out[n] = '\0';
    }
    nfc_free(&b);
    return out;
}

static bool reader_init(reader *r, const char *file, const char *unit_from, const facts_opts *o)
{
    memset(r, 0, sizeof *r);
    r->o = o;
    r->file = file;
    r->line = r->row_line = 1;
    r->row_in_chunk = true;
    if (unit_from && !(r->default_unit = default_unit_name(unit_from))) {
        out_of_memory(r);
        return false;
    }
    if (csv_init(&r->csv, CSV_APPEND_NULL | CSV_REPALL_NL) != 0) {
        out_of_memory(r);
        return false;
    }
    r->csv_ready = true;
    return true;
}

static void reader_free(reader *r)
{
    if (r->csv_ready) csv_free(&r->csv);
    free(r->default_unit);
    free(r->carry.p);
    free(r->scratch.p);
    free(r->text.p);
    free(r->cells.p);
    free(r->colmap);
    free(r->unnamed_warned);
    free(r->values);
    free(r->vc);
    unitset_free(r->units);
    free(r->sheet_text.p);
    free(r->sheet_cells.p);
    free(r->rows);
}

int facts_read_buffer(const char *name, const char *data, size_t len, const facts_opts *opts)
{
    if (!opts || (!data && len > 0)) return -1;
    if (!name) name = "<buffer>";
    reader r;
    int rc = -1;
    if (reader_init(&r, name, name, opts)) {
        feed(&r, data ? data : "", len);
        rc = finish(&r);
    }
    reader_free(&r);
    return rc;
}

int facts_read_file(const char *path, const facts_opts *opts)
{
    if (!opts) return -1;
    bool is_stdin = !path || strcmp(path, "-") == 0;
    const char *name = is_stdin ? "<stdin>" : path;
    reader r;
    if (!reader_init(&r, name, is_stdin ? "stdin" : path, opts)) {
        reader_free(&r);
        return -1;
    }
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        emit_file(&r, DIAG_ERROR, "cannot open the file: %s", strerror(errno));
        reader_free(&r);
        return -1;
    }
    char *chunk = malloc(FACTS_CHUNK);
    int rc = -1;
    if (!chunk) out_of_memory(&r);
    else {
        size_t n;
        while (!r.stop && !r.fatal && (n = fread(chunk, 1, FACTS_CHUNK, f)) > 0) feed(&r, chunk, n);
        if (!r.stop && !r.fatal && ferror(f)) {
            emit_file(&r, DIAG_ERROR, "cannot read the file: %s", strerror(errno));
            r.fatal = true;
        }
        rc = finish(&r);
    }
    free(chunk);
    if (!is_stdin) fclose(f);
    reader_free(&r);
    return rc;
}
