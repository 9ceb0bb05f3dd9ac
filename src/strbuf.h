/* A growable string, always NUL-terminated: what reports, explanations, templates, audits and the
 * formatter build their output in. Out of memory is sticky (oom) and checked once at the end, not
 * after every piece. The pieces are inline: a report puts dozens per unit, and the buffer nearly
 * always has room. */
#ifndef CHISO_STRBUF_H
#define CHISO_STRBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

typedef struct {
    char *p; /* NULL until the first piece */
    size_t len, cap;
    bool oom;
} strbuf;

/* Room for extra more bytes and the NUL; false (and oom) when it cannot be had. */
bool sb_grow(strbuf *b, size_t extra);

static inline bool sb_reserve(strbuf *b, size_t extra)
{
    if (!b->oom && b->cap - b->len > extra) return true;
    return sb_grow(b, extra);
}

static inline void sb_putn(strbuf *b, const char *s, size_t n)
{
    if (!sb_reserve(b, n)) return;
    if (n) memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static inline void sb_puts(strbuf *b, const char *s) { if (s) sb_putn(b, s, strlen(s)); }
static inline void sb_putc(strbuf *b, char c) { sb_putn(b, &c, 1); }

/* The decimal digits of v at the end of num[32]; returns where they start, *n their count. Faster
 * than snprintf, which costs more than the rest of a message quoting a line and a column. */
const char *int_text(long long v, char num[32], size_t *n);

/* v in decimal digits. */
void sb_int(strbuf *b, long long v);

/* n spaces (none if n <= 0). */
void sb_spaces(strbuf *b, int n);

/* s on one line: each control character (a tab, a line break...) as a space. NULL is nothing. */
void sb_puts_flat(strbuf *b, const char *s);

/* The text so far ("" when nothing was put, or out of memory). */
static inline const char *sb_str(const strbuf *b) { return b->p && !b->oom ? b->p : ""; }

static inline void sb_reset(strbuf *b)
{
    b->len = 0;
    if (b->p) b->p[0] = '\0';
}

void sb_free(strbuf *b);

/* The text, for the caller to free (NULL when out of memory); b is left empty. */
char *sb_take(strbuf *b);

#endif
