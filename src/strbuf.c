#include "strbuf.h"

#include <stdint.h>
#include <stdlib.h>

bool sb_grow(strbuf *b, size_t extra)
{
    if (b->oom) return false;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len <= extra) {
        if (cap > SIZE_MAX / 2) {
            b->oom = true;
            return false;
        }
        cap *= 2;
    }
    if (cap == b->cap) return true;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = true;
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

const char *int_text(long long v, char num[32], size_t *n)
{
    char *e = num + 32, *p = e;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do *--p = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (v < 0) *--p = '-';
    *n = (size_t)(e - p);
    return p;
}

void sb_int(strbuf *b, long long v)
{
    char num[32];
    size_t n;
    const char *p = int_text(v, num, &n);
    sb_putn(b, p, n);
}

void sb_spaces(strbuf *b, int n)
{
    if (n <= 0 || !sb_reserve(b, (size_t)n)) return;
    memset(b->p + b->len, ' ', (size_t)n);
    b->len += (size_t)n;
    b->p[b->len] = '\0';
}

void sb_puts_flat(strbuf *b, const char *s)
{
    if (!s) return;
    while (*s) {
        size_t k = 0;
        while (s[k] && (unsigned char)s[k] >= 0x20 && s[k] != 0x7F) k++;
        sb_putn(b, s, k);
        s += k;
        if (*s) {
            sb_putc(b, ' ');
            s++;
        }
    }
}

void sb_free(strbuf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
    b->oom = false;
}

char *sb_take(strbuf *b)
{
    if (!b->oom && !b->p) sb_putn(b, "", 0);
    char *s = b->oom ? NULL : b->p;
    if (b->oom) free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
    b->oom = false;
    return s;
}
