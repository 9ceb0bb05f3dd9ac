/* chiso_csv_baseline [--simple] FILE: the floor under `chiso eval` on a batch table.
 *
 * Default: reads FILE in 64 KiB chunks and runs libcsv's csv_parse over it (CSV_APPEND_NULL, as a
 * fact reader would), only counting rows, fields and field bytes: no value parsing, no scoring, no
 * output.
 *
 * --simple: the same counts from a minimal RFC 4180 tokenizer written for this benchmark (a byte
 * class table, unquoted fields handed over in place, quoted ones unescaped into a scratch buffer,
 * rows never split across reads). It shows what the CSV layer could cost without libcsv's
 * per-byte callbacks and copies; it is a measuring stick, not a replacement reader (no BOM, no
 * line numbers, no error reporting beyond "unterminated quote").
 *
 * Prints `rows fields bytes` to stdout. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

typedef struct {
    unsigned long long rows, fields, bytes;
} counts;

static void on_field(void *s, size_t len, void *ud) {
    (void)s;
    counts *c = ud;
    c->fields++;
    c->bytes += len;
}

static void on_row(int term, void *ud) {
    (void)term;
    counts *c = ud;
    c->rows++;
}

enum { CHUNK = 64 * 1024 };

static int run_libcsv(FILE *f, const char *name, counts *c) {
    struct csv_parser p;
    if (csv_init(&p, CSV_APPEND_NULL) != 0) return 2;
    static char buf[CHUNK];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        if (csv_parse(&p, buf, n, on_field, on_row, c) != n) {
            fprintf(stderr, "chiso_csv_baseline: %s: %s\n", name, csv_strerror(csv_error(&p)));
            csv_free(&p);
            return 1;
        }
    }
    csv_fini(&p, on_field, on_row, c);
    csv_free(&p);
    return 0;
}

/* ---- --simple ------------------------------------------------------------------------------- */

static unsigned char special[256]; /* 1 for , " \r \n */

/* Parses one row from [p, end). Returns the position after it, or NULL when the row is not
 * complete in the buffer (unless at_eof, when the end of data ends it). */
static const char *simple_row(const char *p, const char *end, bool at_eof, counts *c, char **scratch,
                              size_t *scratch_cap) {
    unsigned long long fields = 0, bytes = 0;
    if (*p == '\n' || *p == '\r') return p + 1; /* a blank line is no row (as libcsv) */
    for (;;) {
        const char *s = p;
        size_t len;
        if (p < end && *p == '"') {
            size_t o = 0;
            p++;
            for (;;) {
                const char *q = memchr(p, '"', (size_t)(end - p));
                if (!q) return NULL; /* unterminated within the buffer */
                size_t k = (size_t)(q - p);
                if (o + k + 1 > *scratch_cap) {
                    size_t cap = *scratch_cap ? *scratch_cap : 256;
                    while (o + k + 1 > cap) cap *= 2;
                    char *t = realloc(*scratch, cap);
                    if (!t) abort();
                    *scratch = t;
                    *scratch_cap = cap;
                }
                memcpy(*scratch + o, p, k);
                o += k;
                p = q + 1;
                if (p < end && *p == '"') { /* "" -> " */
                    (*scratch)[o++] = '"';
                    p++;
                    continue;
                }
                if (p == end && !at_eof) return NULL; /* could be the first half of "" */
                break;
            }
            len = o;
            while (p < end && !special[(unsigned char)*p]) p++; /* junk after the quote: ignored */
        } else {
            while (p < end && !special[(unsigned char)*p]) p++;
            len = (size_t)(p - s);
        }
        fields++;
        bytes += len;
        if (p == end) {
            if (!at_eof) return NULL;
            break;
        }
        char ch = *p++;
        if (ch == ',') continue;
        if (ch == '\r') {
            if (p == end && !at_eof) return NULL;
            if (p < end && *p == '\n') p++;
        }
        break; /* \n or \r: end of row */
    }
    c->rows++;
    c->fields += fields;
    c->bytes += bytes;
    return p;
}

static int run_simple(FILE *f, const char *name, counts *c) {
    special[','] = special['"'] = special['\r'] = special['\n'] = 1;
    size_t cap = 4 * CHUNK, len = 0, scratch_cap = 0;
    char *buf = malloc(cap), *scratch = NULL;
    if (!buf) return 2;
    bool eof = false;
    while (!eof || len > 0) {
        if (!eof) {
            if (cap - len < CHUNK) { /* a row longer than the buffer: grow */
                char *t = realloc(buf, cap * 2);
                if (!t) abort();
                buf = t;
                cap *= 2;
            }
            size_t n = fread(buf + len, 1, CHUNK, f);
            if (n == 0) eof = true;
            len += n;
        }
        const char *p = buf, *end = buf + len;
        while (p < end) {
            const char *next = simple_row(p, end, eof, c, &scratch, &scratch_cap);
            if (!next) break;
            p = next;
        }
        if (eof && p < end) {
            fprintf(stderr, "chiso_csv_baseline: %s: unterminated quote\n", name);
            free(buf);
            free(scratch);
            return 1;
        }
        len = (size_t)(end - p);
        memmove(buf, p, len);
    }
    free(buf);
    free(scratch);
    return 0;
}

int main(int argc, char **argv) {
    bool simple = argc == 3 && strcmp(argv[1], "--simple") == 0;
    if (argc != 2 + simple) {
        fputs("usage: chiso_csv_baseline [--simple] FILE\n", stderr);
        return 2;
    }
    const char *name = argv[1 + simple];
    FILE *f = strcmp(name, "-") == 0 ? stdin : fopen(name, "rb");
    if (!f) {
        fprintf(stderr, "chiso_csv_baseline: %s: %s\n", name, strerror(errno));
        return 2;
    }
    counts c = {0, 0, 0};
    int rc = simple ? run_simple(f, name, &c) : run_libcsv(f, name, &c);
    if (rc == 0 && ferror(f)) {
        fprintf(stderr, "chiso_csv_baseline: %s: read error\n", name);
        rc = 1;
    }
    if (f != stdin) fclose(f);
    if (rc == 0) printf("%llu %llu %llu\n", c.rows, c.fields, c.bytes);
    return rc;
}
