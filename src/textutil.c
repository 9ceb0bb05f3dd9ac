#include "textutil.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

bool text_is_ascii(const char *s, size_t len) {
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] >= 0x80) return false;
    return true;
}

char *text_nfc(const char *s, size_t len) {
    utf8proc_uint8_t *out = NULL;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &out,
                                      UTF8PROC_STABLE | UTF8PROC_COMPOSE);
    if (n < 0) return NULL;
    return (char *)out;
}

/* Decode into code points; invalid bytes count as one code point each. */
static int decode(const char *s, int32_t *cp, int cap) {
    int n = 0;
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    while (*p && n < cap) {
        utf8proc_int32_t c;
        utf8proc_ssize_t k = utf8proc_iterate(p, -1, &c);
        if (k <= 0) { c = *p; k = 1; }
        cp[n++] = c;
        p += k;
    }
    return n;
}

enum { TEXT_MAX_NAME = 64 };

int text_distance(const char *a, const char *b, int cap) {
    int32_t x[TEXT_MAX_NAME], y[TEXT_MAX_NAME];
    int n = decode(a, x, TEXT_MAX_NAME), m = decode(b, y, TEXT_MAX_NAME);
    if (abs(n - m) > cap) return cap + 1;
    int row[TEXT_MAX_NAME + 1];
    for (int j = 0; j <= m; j++) row[j] = j;
    for (int i = 1; i <= n; i++) {
        int diag = row[0], best = row[0] = i;
        for (int j = 1; j <= m; j++) {
            int up = row[j];
            int v = diag + (x[i - 1] != y[j - 1]);
            if (up + 1 < v) v = up + 1;
            if (row[j - 1] + 1 < v) v = row[j - 1] + 1;
            row[j] = v;
            diag = up;
            if (v < best) best = v;
        }
        if (best > cap) return cap + 1;
    }
    return row[m] > cap ? cap + 1 : row[m];
}

const char *text_suggest(const char *name, const char *const *names, int n) {
    int len = (int)strlen(name);
    int cap = len / 3 > 2 ? len / 3 : 2;
    const char *best = NULL;
    int bestd = cap + 1;
    for (int i = 0; i < n; i++) {
        if (!names[i]) continue;
        int d = text_distance(name, names[i], cap);
        if (d < bestd) {
            bestd = d;
            best = names[i];
        }
    }
    return best;
}

bool text_csv_cell(const char *s, size_t n, int line, size_t idx, int *cell_line, int *col, int *len,
                   const char **lt, size_t *ll)
{
    size_t i = 0, line_start = 0;
    if (!s) return false;
    for (size_t field = 0;; field++) {
        while (i < n && (s[i] == ' ' || s[i] == '\t')) i++;
        size_t start = i, fline_start = line_start;
        int fline = line;
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
            while (end > start && (s[end - 1] == ' ' || s[end - 1] == '\t')) end--;
            *cell_line = fline;
            *col = (int)(start - fline_start + 1);
            *len = (int)(end - start);
            *lt = s + fline_start;
            *ll = le - fline_start;
            return true;
        }
        if (i >= n || s[i] != ',') return false;
        i++;
    }
}

/* Offset of the first byte that is not valid UTF-8 (utf8proc also refuses overlong forms and
 * surrogates), or n when all of it is. */
size_t text_next_cp(const char *s, size_t n, int32_t *cp)
{
    utf8proc_int32_t c;
    utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s, n > 4 ? 4 : (utf8proc_ssize_t)n, &c);
    if (k <= 0 || c < 0) {
        *cp = -1;
        return 1;
    }
    *cp = c;
    return (size_t)k;
}

size_t text_utf8_bad_at(const char *s, size_t n)
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
void text_show(char *dst, size_t cap, const char *s, size_t n, size_t max_chars)
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
