/* chiso_gen_units RULES N [SEED]: write a synthetic batch table for a rule set to stdout.
 *
 * The header is `unit,<every fact in declaration order>`; then N rows of plausible random values:
 *   number   within the declared bounds (else 0..100), one decimal with a comma: `"12,5"`
 *   percent  mostly 80%..100% (a quarter exactly 100%), within the bounds: `"92,5%"`, `100%`
 *            (a decimal comma is the CSV separator too, so those cells are quoted)
 *   count    0..50 (within the bounds if declared)
 *   bool     có / không
 *   choice   an option NAME (the first option more often)
 *   date     dd/mm/yyyy in 2024 (within the bounds if declared)
 * About 1% of the cells are left empty, so some units are incomplete. Cross-fact constraints
 * (X <= Y) are not honoured. The output depends only on the rule set, N and SEED (xorshift64*,
 * seeded through splitmix64). Rows are formatted by hand into a 1 MiB buffer. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "dates.h"
#include "diag.h"
#include "load.h"

/* ---- PRNG ------------------------------------------------------------------------------------ */

static uint64_t rng_state;

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline uint64_t rng_next(void) { /* xorshift64* */
    uint64_t x = rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * 0x2545F4914F6CDD1Dull;
}

/* uniform in [0, n) (n <= 2^32; the tiny bias of the multiply-shift is irrelevant here) */
static inline uint64_t rng_below(uint64_t n) { return ((rng_next() >> 32) * n) >> 32; }

/* uniform in [lo, hi] */
static inline int64_t rng_range(int64_t lo, int64_t hi) {
    uint64_t span = (uint64_t)hi - (uint64_t)lo + 1;
    if (span == 0) return (int64_t)rng_next(); /* the whole int64 range */
    if (span > 0xFFFFFFFFull) return (int64_t)((uint64_t)lo + rng_next() % span);
    return (int64_t)((uint64_t)lo + rng_below(span));
}

/* ---- output buffer --------------------------------------------------------------------------- */

enum { OUT_CAP = 1 << 20, ROW_MAX = 64 * 1024 };
static char out_buf[OUT_CAP];
static size_t out_len;

static void out_flush(void) {
    if (out_len && fwrite(out_buf, 1, out_len, stdout) != out_len) {
        fprintf(stderr, "chiso_gen_units: write error: %s\n", strerror(errno));
        exit(2);
    }
    out_len = 0;
}

static inline void out_ensure(size_t n) {
    if (out_len + n > OUT_CAP) out_flush();
}

static inline void out_ch(char c) { out_buf[out_len++] = c; }

static inline void out_mem(const char *s, size_t n) {
    memcpy(out_buf + out_len, s, n);
    out_len += n;
}

static inline void out_uint(uint64_t v) {
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) out_buf[out_len++] = tmp[--n];
}

static inline void out_int(int64_t v) {
    if (v < 0) {
        out_ch('-');
        out_uint((uint64_t)0 - (uint64_t)v);
    } else {
        out_uint((uint64_t)v);
    }
}

static inline void out_2d(int v) {
    out_ch((char)('0' + v / 10));
    out_ch((char)('0' + v % 10));
}

/* A value with one implied decimal, trailing ",0" dropped, then `suffix` (0 for none). A decimal
 * comma is also the CSV separator, so such a cell is quoted: `"92,5%"`, `100%`. */
static inline void out_tenths(int64_t v, char suffix) {
    bool frac = v % 10 != 0;
    if (frac) out_ch('"');
    if (v < 0) {
        out_ch('-');
        v = -v;
    }
    out_uint((uint64_t)(v / 10));
    if (frac) {
        out_ch(',');
        out_ch((char)('0' + v % 10));
    }
    if (suffix) out_ch(suffix);
    if (frac) out_ch('"');
}

/* A CSV field, quoted only when it needs it. */
static void out_field(const char *s) {
    size_t n = strlen(s);
    out_ensure(2 * n + 3);
    if (strpbrk(s, ",\"\r\n") == NULL) {
        out_mem(s, n);
        return;
    }
    out_ch('"');
    for (const char *p = s; *p; p++) {
        if (*p == '"') out_ch('"');
        out_ch(*p);
    }
    out_ch('"');
}

/* ---- value plans ----------------------------------------------------------------------------- */

typedef struct {
    fact_type type;
    int64_t lo, hi;       /* scaled range (number: tenths; percent: tenths of a percent; count: 1;
                           * date: days since 1970-01-01) */
    int64_t pref_lo, pref_hi; /* the preferred sub-range (percent: 80%..100%) */
    bool has_pref;
    int64_t full;         /* percent: 100% scaled, when inside the range, else -1 */
    const char **opts;    /* choice: option names, pre-quoted if needed */
    size_t *opt_len;
    int n_opts;
} plan;

static int64_t clamp64(__int128 v) {
    const __int128 lim = (__int128)1000000000000000000LL;
    return v > lim ? (int64_t)lim : v < -lim ? -(int64_t)lim : (int64_t)v;
}

/* floor / ceil of d * scale */
static int64_t dec_floor_scaled(dec_t d, int64_t scale) {
    __int128 n = (__int128)d.num * scale, q = n / d.den;
    if (n % d.den != 0 && n < 0) q--;
    return clamp64(q);
}
static int64_t dec_ceil_scaled(dec_t d, int64_t scale) {
    __int128 n = (__int128)d.num * scale, q = n / d.den;
    if (n % d.den != 0 && n > 0) q++;
    return clamp64(q);
}

/* Intersect the default range [dlo, dhi] with the declared bounds; if they do not meet, take a
 * stretch of the bounds of the default's width. */
static void fit_range(const fact_decl *f, int64_t scale, int64_t dlo, int64_t dhi, int64_t *lo,
                      int64_t *hi) {
    *lo = dlo;
    *hi = dhi;
    if (!f->has_lo) return;
    int64_t blo = dec_ceil_scaled(f->lo, scale), bhi = dec_floor_scaled(f->hi, scale);
    if (bhi < blo) bhi = blo; /* bounds tighter than our resolution */
    *lo = dlo > blo ? dlo : blo;
    *hi = dhi < bhi ? dhi : bhi;
    if (*lo > *hi) {
        *lo = blo;
        *hi = bhi - blo > dhi - dlo ? blo + (dhi - dlo) : bhi;
    }
}

static const char *quoted_dup(const char *s) {
    if (strpbrk(s, ",\"\r\n") == NULL) return s;
    size_t n = strlen(s);
    char *q = malloc(2 * n + 3), *p = q;
    if (!q) abort();
    *p++ = '"';
    for (; *s; s++) {
        if (*s == '"') *p++ = '"';
        *p++ = *s;
    }
    *p++ = '"';
    *p = 0;
    return q;
}

enum { DAY_2024_01_01 = 19723, DAYS_2024 = 366 };

static void make_plan(const fact_decl *f, plan *p) {
    memset(p, 0, sizeof *p);
    p->type = f->ftype;
    p->full = -1;
    switch (f->ftype) {
    case FACT_NUMBER:
        fit_range(f, 10, 0, 1000, &p->lo, &p->hi);
        break;
    case FACT_PERCENT:
        /* scaled by 1000: a fraction of 1 -> 1000 = 100.0% */
        fit_range(f, 1000, 0, 1000, &p->lo, &p->hi);
        fit_range(f, 1000, 800, 1000, &p->pref_lo, &p->pref_hi);
        if (p->pref_lo < p->lo) p->pref_lo = p->lo;
        if (p->pref_hi > p->hi) p->pref_hi = p->hi;
        p->has_pref = p->pref_lo <= p->pref_hi;
        if (p->lo <= 1000 && 1000 <= p->hi) p->full = 1000;
        break;
    case FACT_COUNT:
        fit_range(f, 1, 0, 50, &p->lo, &p->hi);
        break;
    case FACT_DATE:
        fit_range(f, 1, DAY_2024_01_01, DAY_2024_01_01 + DAYS_2024 - 1, &p->lo, &p->hi);
        break;
    case FACT_BOOL:
        break;
    case FACT_CHOICE:
        p->n_opts = f->n_options;
        p->opts = malloc(sizeof *p->opts * (size_t)(f->n_options ? f->n_options : 1));
        p->opt_len = malloc(sizeof *p->opt_len * (size_t)(f->n_options ? f->n_options : 1));
        if (!p->opts || !p->opt_len) abort();
        for (int k = 0; k < f->n_options; k++) {
            p->opts[k] = quoted_dup(f->options[k].name);
            p->opt_len[k] = strlen(p->opts[k]);
        }
        break;
    }
}


static const char S_CO[] = "có", S_KHONG[] = "không";

/* Writes one cell (no separator). The caller has ensured room for ROW_MAX bytes. */
static inline void gen_cell(const plan *p) {
    switch (p->type) {
    case FACT_NUMBER:
        out_tenths(rng_range(p->lo, p->hi), 0);
        break;
    case FACT_PERCENT: {
        uint64_t r = rng_below(100);
        int64_t v;
        if (r < 25 && p->full >= 0) v = p->full;
        else if (r < 90 && p->has_pref) v = rng_range(p->pref_lo, p->pref_hi);
        else v = rng_range(p->lo, p->hi);
        out_tenths(v, '%');
        break;
    }
    case FACT_COUNT:
        out_int(rng_range(p->lo, p->hi));
        break;
    case FACT_BOOL:
        if (rng_below(100) < 75) out_mem(S_CO, sizeof S_CO - 1);
        else out_mem(S_KHONG, sizeof S_KHONG - 1);
        break;
    case FACT_CHOICE: {
        if (p->n_opts == 0) break;
        int k = rng_below(100) < 60 ? 0 : (int)rng_below((uint64_t)p->n_opts);
        out_mem(p->opts[k], p->opt_len[k]);
        break;
    }
    case FACT_DATE: {
        int64_t y;
        int m, d;
        date_civil(rng_range(p->lo, p->hi), &y, &m, &d);
        out_2d(d);
        out_ch('/');
        out_2d(m);
        out_ch('/');
        out_int(y);
        break;
    }
    }
}

static int usage(void) {
    fputs("usage: chiso_gen_units RULES N [SEED]\n"
          "  writes a batch table (unit,<facts>...) of N synthetic units for RULES to stdout\n",
          stderr);
    return 2;
}

int main(int argc, char **argv) {
    if (argc < 3 || argc > 4) return usage();
    char *end;
    errno = 0;
    unsigned long long n_units = strtoull(argv[2], &end, 10);
    if (errno || *end || end == argv[2] || argv[2][0] == '-') return usage();
    unsigned long long seed = 1;
    if (argc == 4) {
        errno = 0;
        seed = strtoull(argv[3], &end, 0);
        if (errno || *end || end == argv[3]) return usage();
    }
    uint64_t sm = seed;
    rng_state = splitmix64(&sm);
    if (rng_state == 0) rng_state = 0x9E3779B97F4A7C15ull;

    /* Load quietly (the rule set's warnings are not ours to show); on failure load again to show
     * the errors. */
    FILE *devnull = fopen("/dev/null", "w");
    diag_sink *d = diag_sink_new(devnull ? devnull : stderr);
    if (!d) return 2;
    ruleset *rs = load_rules(argv[1], d);
    if (!rs) {
        diag_sink_free(d);
        d = diag_sink_new(stderr);
        if (d) {
            load_rules(argv[1], d);
            diag_sink_free(d);
        }
        if (devnull) fclose(devnull);
        return 2;
    }
    int nf = rs->n_facts;
    /* A row must fit the buffer margin: bound each cell's width. */
    size_t row_max = 32;
    plan *plans = calloc((size_t)(nf ? nf : 1), sizeof *plans);
    if (!plans) return 2;
    for (int i = 0; i < nf; i++) {
        make_plan(&rs->facts[i], &plans[i]);
        size_t w = 24;
        for (int k = 0; k < plans[i].n_opts; k++)
            if (plans[i].opt_len[k] + 1 > w) w = plans[i].opt_len[k] + 1;
        row_max += w;
    }
    if (row_max > OUT_CAP / 2) {
        fprintf(stderr, "chiso_gen_units: rows too wide\n");
        return 2;
    }

    out_ensure(5);
    out_mem("unit", 4);
    for (int i = 0; i < nf; i++) {
        out_ensure(1);
        out_ch(',');
        out_field(rs->facts[i].name);
    }
    out_ensure(1);
    out_ch('\n');

    static const char prefix[] = "Phòng ";
    for (unsigned long long u = 1; u <= n_units; u++) {
        out_ensure(row_max);
        out_mem(prefix, sizeof prefix - 1);
        out_uint(u);
        for (int i = 0; i < nf; i++) {
            out_ch(',');
            if (rng_below(1000) < 10) continue; /* ~1% empty cells */
            gen_cell(&plans[i]);
        }
        out_ch('\n');
    }
    out_flush();
    if (fflush(stdout) != 0) {
        fprintf(stderr, "chiso_gen_units: write error: %s\n", strerror(errno));
        return 2;
    }
    for (int i = 0; i < nf; i++) {
        if (plans[i].opts) {
            for (int k = 0; k < plans[i].n_opts; k++)
                if (plans[i].opts[k] != rs->facts[i].options[k].name) free((void *)plans[i].opts[k]);
            free(plans[i].opts);
            free(plans[i].opt_len);
        }
    }
    free(plans);
    ruleset_free(rs);
    diag_sink_free(d);
    if (devnull) fclose(devnull);
    return 0;
}
