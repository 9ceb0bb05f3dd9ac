/* Fact sheets through libcsv.
 *
 * Streaming: the input is handed to libcsv one physical line at a time (chunks are cut at every
 * CR and LF), so that when a row ends we know the line it started on and hold its raw text for
 * quoting in messages. A batch row is converted and handed to on_unit as soon as it ends; nothing
 * of it is kept but a hash of its unit name (for the duplicate check). A per-unit sheet is kept
 * until the end of the file, because its `unit` row may come after the values whose messages
 * name it. */
#include "facts.h"

#include <csv.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

enum {
    FACTS_CHUNK = 64 * 1024,
    /* Raw text of a row kept for quoting in messages; a longer row is quoted cut short, so that a
     * runaway quoted cell cannot make us hold a second copy of the file. */
    FACTS_RAW_CAP = 64 * 1024,
    FACTS_WHY = 320,
    NFC_SMALL = 256, /* code points decomposed on the stack before falling back to the heap */
};

/* libcsv keeps its state in the public struct but names the states only in libcsv.c (unchanged
 * since 3.0). We read it to know whether a line starts a new row (for line numbers) and whether
 * the input ends inside a quoted cell. */
#define LIBCSV_ROW_NOT_BEGUN 0
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

/* Offset of the first byte that is not valid UTF-8 (utf8proc also refuses overlong forms and
 * surrogates), or n when all of it is. */
static size_t utf8_bad_at(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if ((unsigned char)s[i] < 0x80) {
            i++;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &cp);
        if (k <= 0) return i;
        i += (size_t)k;
    }
    return n;
}

/* A cell's text as shown inside a message: at most max_chars characters, and control characters
 * and bytes that are not UTF-8 written as \xNN, so that the message stays one printable line. */
static void show_text_max(char *dst, size_t cap, const char *s, size_t n, size_t max_chars)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0, chars = 0;
    if (cap < 8) {
        if (cap) dst[0] = '\0';
        return;
    }
    for (size_t i = 0; i < n; chars++) {
        unsigned char c = (unsigned char)s[i];
        size_t k = 1;
        bool escape = c < 0x20 || c == 0x7f;
        if (c >= 0x80) {
            utf8proc_int32_t cp;
            utf8proc_ssize_t r = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &cp);
            if (r <= 0) escape = true;
            else k = (size_t)r;
        }
        size_t need = escape ? 4 : k;
        if (chars == max_chars || o + need + 4 > cap) { /* room for "..." and the NUL */
            memcpy(dst + o, "...", 3);
            o += 3;
            break;
        }
        if (escape) {
            dst[o++] = '\\';
            dst[o++] = 'x';
            dst[o++] = hex[c >> 4];
            dst[o++] = hex[c & 15];
        } else {
            memcpy(dst + o, s + i, k);
            o += k;
        }
        i += k;
    }
    dst[o] = '\0';
}

/* Values are cut short in messages; names (units, facts) are not, unless absurdly long. */
static void show_text(char *dst, size_t cap, const char *s, size_t n) { show_text_max(dst, cap, s, n, 40); }

typedef struct {
    char s[480];
} shown_name;

static const char *show_name(shown_name *b, const char *name)
{
    show_text_max(b->s, sizeof b->s, name, strlen(name), 100);
    return b->s;
}

static void whyf(char *why, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void whyf(char *why, size_t cap, const char *fmt, ...)
{
    if (!why || cap == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, cap, fmt, ap);
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

static bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int month_days(int64_t y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

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

static bool parse_number(const char *s, size_t n, dec_t *v, char *why, size_t cap)
{
    int64_t k;
    if (small_uint(s, n, &k)) {
        *v = dec_from_int(k);
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
    bool pct = s[n - 1] == '%';
    if (small_uint(s, n - pct, &k)) return dec_make(k, 100, v) == DEC_OK; /* "85%", "85" */
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
        if (strlen(*list) == n && memcmp(*list, s, n) == 0) return true;
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
    int y, m, d;
    char shown[200];
    show_text(shown, sizeof shown, s, n);
    if (i == n && seps && la == 4 && lb >= 1 && lb <= 2 && lc >= 1 && lc <= 2) y = a, m = b, d = c; /* ISO */
    else if (i == n && seps && la >= 1 && la <= 2 && lb >= 1 && lb <= 2 && lc == 4) y = c, m = b, d = a;
    else {
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
    if (d < 1 || d > month_days(y, m)) {
        if (m == 2 && d == 29) whyf(why, cap, "no such date: '%s' (%d is not a leap year)", shown, y);
        else whyf(why, cap, "no such date: '%s' (month %d has %d days)", shown, m, month_days(y, m));
        return false;
    }
    *v = dec_from_int(days_from_civil(y, m, d));
    return true;
}

static bool parse_choice(const fact_spec *spec, const char *s, size_t n, dec_t *v, char *why, size_t cap)
{
    for (int i = 0; i < spec->n_options; i++) { /* the option's name as written: the usual case */
        const char *o = spec->options[i].name;
        if (o && strncmp(o, s, n) == 0 && o[n] == '\0') {
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
        int64_t y;
        int m, d;
        civil_from_days(v.num, &y, &m, &d);
        snprintf(buf, cap, "%02d/%02d/%04lld", d, m, (long long)y);
        return;
    }
    dec_format(v, -1, buf, cap);
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
        size_t bad = utf8_bad_at(text, len);
        if (bad < len) whyf(why, why_cap, "the value is not valid UTF-8 (byte 0x%02X)", (unsigned char)text[bad]);
        return false;
    }
    bool low = spec->has_lo && dec_cmp(v, spec->lo) < 0, high = spec->has_hi && dec_cmp(v, spec->hi) > 0;
    if (low || high) {
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
    size_t off, len;
} cell_ref;

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

/* One row as read: trimmed cells (each NUL-terminated inside `text`) and its raw source text. */
typedef struct {
    const char *text;
    const cell_ref *cells;
    size_t ncells;
    uint32_t line;
    const char *raw;
    size_t raw_len;
} row_view;

static const char *cell_s(const row_view *v, size_t i) { return i < v->ncells ? v->text + v->cells[i].off : ""; }
static size_t cell_n(const row_view *v, size_t i) { return i < v->ncells ? v->cells[i].len : 0; }

/* Index of the last non-empty cell + 1: Excel pads rows with empty cells. */
static size_t used_cells(const row_view *v)
{
    size_t n = v->ncells;
    while (n > 0 && v->cells[n - 1].len == 0) n--;
    return n;
}

typedef struct {
    uint32_t line;
    size_t raw_off, raw_len, cell0, ncells;
} stored_row;

/* A unit already read in a batch, for the duplicate check. Only a 96-bit hash of its name is kept,
 * not the name: 16 bytes a unit keeps memory near flat on tables of millions of rows, and two
 * different names collide with a probability of about n^2 / 2^97 (1e-17 for a million units). */
typedef struct {
    uint64_t h1;
    uint32_t h2;
    uint32_t line; /* 0: free slot (rows start on line 1) */
} unit_slot;

/* ---------------------------------------------------------------- the reader */

typedef enum { LAYOUT_NONE, LAYOUT_BATCH, LAYOUT_SHEET } facts_layout;
enum { COL_IGNORE = -1, COL_UNNAMED = -2 };

typedef struct {
    const facts_opts *o;
    const char *file;
    char *default_unit;
    struct csv_parser csv;
    bool csv_ready;

    uint32_t cur_line, row_line;
    bool at_line_start, prev_cr, sniffed;
    fbuf raw;    /* raw text of the current row (capped) */
    fbuf text;   /* its cells */
    cellvec cells;
    bool skip_row;

    facts_layout layout;
    /* batch */
    int *colmap;
    size_t ncols;
    fact_value *values, *blank;
    unit_slot *units;
    size_t units_cap, units_used;
    /* sheet */
    fbuf sheet_text;
    cellvec sheet_cells;
    stored_row *rows;
    size_t nrows, rows_cap;

    int result;
    bool stop, fatal, oom_reported, utf8_hinted;
} reader;

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

/* Where field `idx` of a row is: the physical line it starts on (a quoted cell may span lines),
 * that line's text and the cell's byte span in it. false when the kept raw text does not reach
 * the field. */
static bool locate_field(const row_view *v, size_t idx, src_loc *loc, const char **lt, size_t *ll)
{
    const char *s = v->raw;
    size_t n = v->raw_len, i = 0, line_start = 0;
    uint32_t line = v->line;
    if (!s) return false;
    for (size_t field = 0;; field++) {
        while (i < n && is_sp(s[i])) i++;
        size_t start = i, fline_start = line_start;
        uint32_t fline = line;
        if (i < n && s[i] == '"') {
            for (i++; i < n; i++) {
                if (s[i] == '"') {
                    if (i + 1 < n && s[i + 1] == '"') {
                        i++;
                        continue;
                    }
                    i++;
                    break;
                }
                if (s[i] == '\r' || s[i] == '\n') {
                    if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') i++;
                    line++;
                    line_start = i + 1;
                }
            }
        }
        while (i < n && s[i] != ',' && s[i] != '\r' && s[i] != '\n') i++;
        if (field == idx) {
            size_t le = fline_start;
            while (le < n && s[le] != '\r' && s[le] != '\n') le++;
            size_t end = i < le ? i : le;
            while (end > start && is_sp(s[end - 1])) end--;
            loc->line = (int)fline;
            loc->col = (int)(start - fline_start + 1);
            loc->len = (int)(end - start);
            *lt = s + fline_start;
            *ll = le - fline_start;
            return true;
        }
        if (i >= n || s[i] != ',') return false;
        i++;
    }
}

/* A diagnostic about a row, pointing at cell `field` (NO_FIELD: the row as a whole). */
static void emit_row(reader *r, diag_severity sev, const row_view *v, size_t field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void emit_row(reader *r, diag_severity sev, const row_view *v, size_t field, const char *fmt, ...)
{
    src_loc loc = {r->file, (int)v->line, 0, 0, 0};
    const char *lt = NULL;
    size_t ll = 0;
    if (field == NO_FIELD || !locate_field(v, field, &loc, &lt, &ll)) {
        loc = (src_loc){r->file, (int)v->line, 0, 0, 0};
        if (v->raw && v->raw_len) {
            lt = v->raw;
            while (ll < v->raw_len && lt[ll] != '\r' && lt[ll] != '\n') ll++;
        }
    }
    va_list ap;
    va_start(ap, fmt);
    diag_vemit(r->o->diags, sev, &loc, lt, ll, fmt, ap);
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
    size_t bad = utf8_bad_at(s, n);
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
    const char *hint = utf8_bad_at(text, n) < n ? utf8_hint(r) : "";
    shown_name su;
    emit_row(r, DIAG_ERROR, v, field, "unit '%s', fact '%s' (column %zu): %s%s", show_name(&su, unit), sp->name,
             field + 1, why, hint);
}

static uint64_t mix64(uint64_t x) /* splitmix64's finaliser: every input bit reaches the low bits */
{
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
    return x ^ (x >> 31);
}

/* Two unrelated hashes (FNV-1a and a multiplicative one) so that their collisions are independent. */
static void hash_name(const char *s, size_t n, uint64_t *h1, uint32_t *h2)
{
    uint64_t a = 14695981039346656037u, b = n;
    for (size_t i = 0; i < n; i++) {
        a = (a ^ (unsigned char)s[i]) * 1099511628211u;
        b = (b + (unsigned char)s[i] + 1) * 0x9e3779b97f4a7c15u;
    }
    *h1 = mix64(a);
    *h2 = (uint32_t)(mix64(b) >> 32);
}

/* 1 when the unit was seen before (*first = its line), 0 when newly recorded, -1 out of memory. */
static int unit_seen(reader *r, const char *name, size_t n, uint32_t line, uint32_t *first)
{
    if (10 * (r->units_used + 1) > 7 * r->units_cap) {
        size_t cap = r->units_cap ? 2 * r->units_cap : 256;
        unit_slot *t = calloc(cap, sizeof *t);
        if (!t) return -1;
        for (size_t i = 0; i < r->units_cap; i++) {
            if (!r->units[i].line) continue;
            size_t j = r->units[i].h1 & (cap - 1);
            while (t[j].line) j = (j + 1) & (cap - 1);
            t[j] = r->units[i];
        }
        free(r->units);
        r->units = t;
        r->units_cap = cap;
    }
    uint64_t h1;
    uint32_t h2;
    hash_name(name, n, &h1, &h2);
    size_t j = h1 & (r->units_cap - 1);
    for (; r->units[j].line; j = (j + 1) & (r->units_cap - 1)) {
        if (r->units[j].h1 == h1 && r->units[j].h2 == h2) {
            *first = r->units[j].line;
            return 1;
        }
    }
    r->units[j] = (unit_slot){h1, h2, line ? line : 1};
    r->units_used++;
    return 0;
}

/* ---------------------------------------------------------------- batch tables */

static void batch_header(reader *r, const row_view *v)
{
    size_t n = v->ncells, ns = r->o->n_specs > 0 ? (size_t)r->o->n_specs : 1;
    r->ncols = n;
    r->colmap = malloc(n * sizeof *r->colmap);
    r->values = malloc(ns * sizeof *r->values);
    r->blank = calloc(ns, sizeof *r->blank);
    size_t *first = calloc(ns, sizeof *first); /* column + 1 of each fact */
    if (!r->colmap || !r->values || !r->blank || !first) {
        free(first);
        out_of_memory(r);
        return;
    }
    for (size_t i = 0; i < ns; i++) r->blank[i].num = dec_from_int(0);
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
    uint32_t first = 0;
    int seen;
    shown_name su;
    if (used > r->ncols) {
        emit_row(r, DIAG_ERROR, v, r->ncols,
                 "the row of unit '%s' has %zu cells but the header has %zu; the row is ignored (a decimal comma "
                 "splits a cell unless the cell is quoted: write \"0,5\" or 0.5)",
                 show_name(&su, u.s), used, r->ncols);
    } else if ((seen = unit_seen(r, u.s, u.len, v->line, &first)) != 0) {
        if (seen < 0) out_of_memory(r);
        else
            emit_row(r, DIAG_ERROR, v, 0, "duplicate unit '%s' (first on line %u); this row is ignored",
                     show_name(&su, u.s), first);
    } else {
        fact_value *vals = r->values;
        memcpy(vals, r->blank, (size_t)r->o->n_specs * sizeof *vals);
        size_t m = v->ncells < r->ncols ? v->ncells : r->ncols;
        for (size_t i = 1; i < m; i++) {
            int s = r->colmap[i];
            if (s < 0) {
                if (s == COL_UNNAMED && cell_n(v, i) > 0) {
                    emit_row(r, DIAG_WARNING, v, i, "column %zu has no name in the header; its values are ignored", i + 1);
                    r->colmap[i] = COL_IGNORE;
                }
                continue;
            }
            if (cell_n(v, i) > 0) read_value(r, v, i, s, u.s, &vals[s]);
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
    stored_row sr = {v->line, r->sheet_text.len, v->raw_len, r->sheet_cells.len, v->ncells};
    bool ok = fbuf_add(&r->sheet_text, v->raw, v->raw_len);
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
    return (row_view){r->sheet_text.p, r->sheet_cells.p + sr->cell0, sr->ncells, sr->line,
                      r->sheet_text.p + sr->raw_off, sr->raw_len};
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
            /* "3,5" typed without quotes arrives as value 3 and note 5: say so rather than read 3. */
            if (vals[s].state == FV_OK && (t == FACT_NUMBER || t == FACT_PERCENT || t == FACT_COUNT) &&
                is_int_text(cell_s(v, 1), cell_n(v, 1), true, false) &&
                is_int_text(cell_s(v, 2), cell_n(v, 2), false, true))
                emit_row(r, DIAG_WARNING, v, 2,
                         "unit '%s', fact '%s': the value '%s' and the note '%s' look like one number split by "
                         "an unquoted decimal comma; if you meant %s,%s, write \"%s,%s\"",
                         show_name(&su, unit), b.s, cell_s(v, 1), cell_s(v, 2), cell_s(v, 1), cell_s(v, 2), cell_s(v, 1),
                         cell_s(v, 2));
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
    /* No name holds ';' or a tab: a first cell with one is a file cut with another separator,
     * which read with commas would give nonsense. */
    if (memchr(c0, ';', n0) || (v->ncells == 1 && memchr(c0, '\t', n0))) {
        emit_row(r, DIAG_ERROR, v, NO_FIELD, "the file seems to use '%s' as separator; save it as CSV with commas",
                 memchr(c0, ';', n0) ? ";" : "\\t");
        r->fatal = true;
        return;
    }
    /* `unit` first is a batch header, unless it is a sheet's unit row (`unit,Phòng Nội vụ[,note]`):
     * a header has more than three names or names a known fact. */
    bool batch = false;
    if (v->ncells >= 2 && ascii_ieq(c0, n0, "unit")) {
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

static void cb_field(void *s, size_t len, void *ud)
{
    reader *r = ud;
    if (r->stop || r->fatal) return;
    const char *p = s ? s : "";
    if (!s) len = 0;
    trim(&p, &len);
    cell_ref c = {r->text.len, len};
    if (!fbuf_reserve(&r->text, len + 1) || !cellvec_push(&r->cells, c)) {
        out_of_memory(r);
        return;
    }
    memcpy(r->text.p + r->text.len, p, len);
    r->text.p[r->text.len + len] = '\0';
    r->text.len += len + 1;
}

static void cb_row(int c, void *ud)
{
    reader *r = ud;
    (void)c;
    if (!r->stop && !r->fatal && !r->skip_row && r->cells.len > 0) {
        row_view v = {r->text.p, r->cells.p, r->cells.len, r->row_line, r->raw.p, r->raw.len};
        if (r->layout == LAYOUT_NONE) first_row(r, &v);
        else if (r->layout == LAYOUT_BATCH) batch_row(r, &v);
        else sheet_keep(r, &v);
    }
    r->text.len = 0;
    r->cells.len = 0;
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
    while (n > 0 && !r->stop && !r->fatal) {
        const char *lf = memchr(p, '\n', n);
        size_t k = lf ? (size_t)(lf - p) : n;
        const char *cr = memchr(p, '\r', k);
        if (cr) k = (size_t)(cr - p);
        size_t seg = k < n ? k + 1 : n;
        /* A row starts on this line if libcsv is between rows here (a row broken by a chunk
         * boundary or by a quoted newline goes on). */
        if (r->csv.pstate == LIBCSV_ROW_NOT_BEGUN && r->at_line_start) {
            r->raw.len = 0;
            r->row_line = r->cur_line;
        }
        size_t keep = r->raw.len < FACTS_RAW_CAP ? FACTS_RAW_CAP - r->raw.len : 0;
        if (!fbuf_add(&r->raw, p, seg < keep ? seg : keep)) {
            out_of_memory(r);
            return;
        }
        if (csv_parse(&r->csv, p, seg, cb_field, cb_row, r) != seg) {
            if (!r->fatal) emit_file(r, DIAG_ERROR, "cannot parse the CSV: %s", csv_strerror(csv_error(&r->csv)));
            r->fatal = true;
            return;
        }
        if (k < n) {
            if (!(p[k] == '\n' && r->prev_cr)) r->cur_line++; /* CRLF is one line end */
            r->prev_cr = p[k] == '\r';
            r->at_line_start = true;
        } else {
            r->prev_cr = false;
            r->at_line_start = false;
        }
        p += seg;
        n -= seg;
    }
}

static int finish(reader *r)
{
    if (!r->stop && !r->fatal) {
        if (r->csv.pstate == LIBCSV_FIELD_BEGUN && r->csv.quoted) {
            row_view v = {r->text.p, r->cells.p, r->cells.len, r->row_line, r->raw.p, r->raw.len};
            emit_row(r, DIAG_ERROR, &v, r->cells.len,
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
    r->cur_line = r->row_line = 1;
    r->at_line_start = true;
    r->default_unit = default_unit_name(unit_from);
    if (!r->default_unit || csv_init(&r->csv, CSV_APPEND_NULL) != 0) {
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
    free(r->raw.p);
    free(r->text.p);
    free(r->cells.p);
    free(r->colmap);
    free(r->values);
    free(r->blank);
    free(r->units);
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
