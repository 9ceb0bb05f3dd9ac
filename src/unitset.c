#define _POSIX_C_SOURCE 200809L /* pread, pwrite, fileno */
#include "unitset.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One unit, in the table and on disk. h == 0 marks a free slot. */
typedef struct {
    uint64_t h;
    uint32_t line;
    uint32_t pad;
} entry;

enum { PAGE = 256 };      /* entries a page read brings: 4 KiB */
enum { MEM_MIN = 1024 };  /* the table's first size */
enum { BLOOM_WORDS = 8 }; /* a filter block: one cache line, so a look costs one miss */
enum { BLOOM_BITS_PER_UNIT = 10 }; /* below this the filter grows: about 2% of looks reach the disk */

typedef struct {
    uint64_t start, n; /* in entries, in the file */
    size_t fence;      /* its first page's fence */
} run;

struct unitset {
    entry *mem; /* open addressing, linear probing, home slot h >> shift; at most 70% full */
    size_t cap, used, max_cap;
    int shift;
    uint64_t *bloom; /* blocks of BLOOM_WORDS words; NULL until the first spill */
    size_t bloom_blocks, bloom_bytes;
    FILE *disk;
    uint64_t disk_n;
    run *runs;
    int n_runs, runs_max;
    uint64_t *fences; /* the first hash of each page of each run */
    size_t n_fences, cap_fences;
    entry *page;
    bool no_disk, disk_failed;
    bool bloom_full; /* it may not or could not grow: looks reach the disk more often */
    uint64_t units, merges, probes;
};

static uint64_t mix64(uint64_t x) /* splitmix64's finaliser: every input bit reaches every output bit */
{
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
    return x ^ (x >> 31);
}

/* Each 8-byte block goes through mix64, a bijection, so two names of one length that differ in a
 * single block never collide; other pairs collide with probability about 2^-64. */
uint64_t unitset_hash(const char *s, size_t n)
{
    uint64_t h = mix64(0x9e3779b97f4a7c15u ^ n), w;
    for (; n >= 8; s += 8, n -= 8) {
        memcpy(&w, s, 8);
        h = mix64(h ^ w);
    }
    w = 0;
    memcpy(&w, s, n);
    h = mix64(h ^ w);
    return h ? h : 1;
}

static int log2_of(size_t x)
{
    int k = 0;
    while ((size_t)1 << k < x) k++;
    return k;
}

static bool power_of_two(size_t x) { return x && !(x & (x - 1)); }

unitset *unitset_new(const unitset_limits *lim)
{
    unitset *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->max_cap = (size_t)1 << 16;
    s->bloom_bytes = (size_t)2 << 20;
    s->runs_max = 16;
    if (lim) {
        if (power_of_two(lim->mem_slots) && lim->mem_slots >= MEM_MIN) s->max_cap = lim->mem_slots;
        if (power_of_two(lim->bloom_bytes) && lim->bloom_bytes >= BLOOM_WORDS * 8) s->bloom_bytes = lim->bloom_bytes;
        if (lim->runs_max > 0) s->runs_max = lim->runs_max;
        s->no_disk = lim->no_disk;
        s->bloom_full = lim->bloom_fixed;
    }
    s->bloom_blocks = s->bloom_bytes / (BLOOM_WORDS * 8);
    s->cap = MEM_MIN;
    s->shift = 64 - log2_of(MEM_MIN);
    s->mem = calloc(s->cap, sizeof *s->mem);
    s->runs = calloc((size_t)s->runs_max + 1, sizeof *s->runs);
    if (!s->mem || !s->runs) {
        unitset_free(s);
        return NULL;
    }
    return s;
}

void unitset_free(unitset *s)
{
    if (!s) return;
    if (s->disk) fclose(s->disk);
    free(s->mem);
    free(s->bloom);
    free(s->runs);
    free(s->fences);
    free(s->page);
    free(s);
}

static uint64_t *bloom_block(const unitset *s, uint64_t h)
{
    return s->bloom + (mix64(h ^ 0x2545f4914f6cdd1du) & (s->bloom_blocks - 1)) * BLOOM_WORDS;
}

/* Four bits of the block, from four 9-bit fields of h (the table uses its top bits). */
static void bloom_add(unitset *s, uint64_t h)
{
    uint64_t *b = bloom_block(s, h);
    for (int i = 0; i < 4; i++) {
        unsigned bit = (unsigned)(h >> (9 * i)) & 511;
        b[bit >> 6] |= (uint64_t)1 << (bit & 63);
    }
}

static bool bloom_maybe(const unitset *s, uint64_t h)
{
    const uint64_t *b = bloom_block(s, h);
    for (int i = 0; i < 4; i++) {
        unsigned bit = (unsigned)(h >> (9 * i)) & 511;
        if (!(b[bit >> 6] & ((uint64_t)1 << (bit & 63)))) return false;
    }
    return true;
}

void unitset_prefetch(const unitset *s, uint64_t h)
{
    __builtin_prefetch(&s->mem[h >> s->shift]);
    if (s->bloom) __builtin_prefetch(bloom_block(s, h));
}

static entry *mem_find(const unitset *s, uint64_t h)
{
    size_t mask = s->cap - 1;
    for (size_t j = h >> s->shift; s->mem[j].h; j = (j + 1) & mask)
        if (s->mem[j].h == h) return &s->mem[j];
    return NULL;
}

static void mem_put(unitset *s, uint64_t h, uint32_t line)
{
    size_t mask = s->cap - 1, j = h >> s->shift;
    while (s->mem[j].h) j = (j + 1) & mask;
    s->mem[j] = (entry){h, line, 0};
    s->used++;
}

static bool mem_grow(unitset *s)
{
    if (s->cap > SIZE_MAX / 2 / sizeof(entry)) return false;
    entry *old = s->mem;
    size_t old_cap = s->cap;
    s->mem = calloc(2 * old_cap, sizeof *s->mem);
    if (!s->mem) {
        s->mem = old;
        return false;
    }
    s->cap = 2 * old_cap;
    s->shift--;
    s->used = 0;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].h) mem_put(s, old[i].h, old[i].line);
    free(old);
    return true;
}

static bool write_at(FILE *f, const void *p, size_t n, uint64_t off)
{
    const char *c = p;
    while (n > 0) {
        ssize_t k = pwrite(fileno(f), c, n, (off_t)off);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return false;
        c += k, n -= (size_t)k, off += (uint64_t)k;
    }
    return true;
}

static bool read_at(FILE *f, void *p, size_t n, uint64_t off)
{
    char *c = p;
    while (n > 0) {
        ssize_t k = pread(fileno(f), c, n, (off_t)off);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return false;
        c += k, n -= (size_t)k, off += (uint64_t)k;
    }
    return true;
}

static bool fences_reserve(unitset *s, size_t more)
{
    if (s->n_fences + more <= s->cap_fences) return true;
    size_t cap = s->cap_fences ? s->cap_fences : 64;
    while (cap < s->n_fences + more) cap *= 2;
    uint64_t *f = realloc(s->fences, cap * sizeof *f);
    if (!f) return false;
    s->fences = f;
    s->cap_fences = cap;
    return true;
}

/* 1 if h is in run r (its line in *line), 0 if not, -2 if the file cannot be read. */
static int run_find(unitset *s, const run *r, uint64_t h, uint32_t *line)
{
    size_t pages = (size_t)((r->n + PAGE - 1) / PAGE), lo = 0, hi = pages;
    const uint64_t *f = s->fences + r->fence;
    while (lo < hi) { /* the first page whose first hash is above h */
        size_t mid = lo + (hi - lo) / 2;
        if (f[mid] <= h) lo = mid + 1;
        else hi = mid;
    }
    if (lo == 0) return 0;
    uint64_t at = (uint64_t)(lo - 1) * PAGE;
    size_t n = r->n - at < PAGE ? (size_t)(r->n - at) : PAGE;
    s->probes++;
    if (!read_at(s->disk, s->page, n * sizeof(entry), (r->start + at) * sizeof(entry))) return -2;
    size_t a = 0, b = n;
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        if (s->page[mid].h < h) a = mid + 1;
        else b = mid;
    }
    if (a < n && s->page[a].h == h) {
        *line = s->page[a].line;
        return 1;
    }
    return 0;
}

/* Heapsort by hash: in place (glibc's qsort would allocate a copy of the table). */
static void sift_down(entry *a, size_t i, size_t n)
{
    entry x = a[i];
    for (size_t c; (c = 2 * i + 1) < n; i = c) {
        if (c + 1 < n && a[c + 1].h > a[c].h) c++;
        if (a[c].h <= x.h) break;
        a[i] = a[c];
    }
    a[i] = x;
}

static void heap_sort(entry *a, size_t n)
{
    for (size_t i = n / 2; i-- > 0;) sift_down(a, i, n);
    for (size_t k = n; k-- > 1;) {
        entry t = a[0];
        a[0] = a[k];
        a[k] = t;
        sift_down(a, 0, k);
    }
}

/* Moves the table's entries to its front, sorted by hash; returns how many. An entry's home slot is
 * its hash's top bits and linear probing only moves it forward, so in slot order the entries are
 * sorted but for short local swaps, and for the few at the start that wrapped around from the end
 * (home above their slot): those are set aside in the page buffer and put last. Insertion sort then
 * costs about what the probing did. Heapsort if too many wrapped. */
static size_t sorted_entries(unitset *s)
{
    size_t f = 0, n = 0, w = 0;
    while (s->mem[f].h) f++; /* the table is never full */
    for (size_t i = 0; i < f; i++) w += (s->mem[i].h >> s->shift) > i;
    bool few = w <= PAGE;
    for (size_t i = 0, k = 0; i < s->cap; i++) {
        entry e = s->mem[i];
        if (!e.h) continue;
        if (few && i < f && (e.h >> s->shift) > i) s->page[k++] = e;
        else s->mem[n++] = e;
    }
    if (!few) {
        heap_sort(s->mem, n);
        return n;
    }
    memcpy(s->mem + n, s->page, w * sizeof *s->mem);
    n += w;
    for (size_t i = 1; i < n; i++) {
        entry x = s->mem[i];
        size_t j = i;
        for (; j > 0 && s->mem[j - 1].h > x.h; j--) s->mem[j] = s->mem[j - 1];
        s->mem[j] = x;
    }
    return n;
}

/* The runs being merged: each one's buffered page, and a heap of the runs by their next hash. */
typedef struct {
    entry *buf;
    size_t pos, len;
    uint64_t next; /* entries of the run read so far */
} cursor;

static uint64_t head(const cursor *c, int i) { return c[i].buf[c[i].pos].h; }

static void heap_down(const cursor *c, int *heap, int n, int i)
{
    int x = heap[i];
    for (int k; (k = 2 * i + 1) < n; i = k) {
        if (k + 1 < n && head(c, heap[k + 1]) < head(c, heap[k])) k++;
        if (head(c, heap[k]) >= head(c, x)) break;
        heap[i] = heap[k];
    }
    heap[i] = x;
}

/* Brings run i's next page into its buffer when the buffer is used up; false on a read error. */
static bool refill(unitset *s, cursor *c, int i)
{
    if (c[i].pos < c[i].len || c[i].next == s->runs[i].n) return true;
    uint64_t left = s->runs[i].n - c[i].next;
    c[i].len = left < PAGE ? (size_t)left : PAGE;
    c[i].pos = 0;
    if (!read_at(s->disk, c[i].buf, c[i].len * sizeof(entry), (s->runs[i].start + c[i].next) * sizeof(entry)))
        return false;
    c[i].next += c[i].len;
    return true;
}

/* A k-way merge of every run into one, in a new file. 1, or on failure -1 (out of memory) or -2
 * (the files failed); the set is unusable then. */
static int merge_runs(unitset *s)
{
    int k = s->n_runs, n = 0;
    uint64_t total = 0, written = 0;
    for (int i = 0; i < k; i++) total += s->runs[i].n;
    size_t pages = (size_t)((total + PAGE - 1) / PAGE), on = 0, nf = 0;
    FILE *out = tmpfile();
    entry *bufs = malloc(((size_t)k + 1) * PAGE * sizeof *bufs);
    cursor *c = calloc((size_t)k, sizeof *c);
    int *heap = malloc((size_t)k * sizeof *heap);
    uint64_t *fences = malloc((pages ? pages : 1) * sizeof *fences);
    bool mem_ok = bufs && c && heap && fences, ok = out && mem_ok;
    entry *ob = bufs ? bufs + (size_t)k * PAGE : NULL;
    for (int i = 0; ok && i < k; i++) {
        c[i].buf = bufs + (size_t)i * PAGE;
        ok = refill(s, c, i);
        if (c[i].len) heap[n++] = i;
    }
    for (int i = n / 2; ok && i-- > 0;) heap_down(c, heap, n, i);
    while (ok && n > 0) {
        int i = heap[0];
        if (on == 0) fences[nf++] = head(c, i);
        ob[on++] = c[i].buf[c[i].pos++];
        if (on == PAGE) {
            ok = write_at(out, ob, on * sizeof(entry), written * sizeof(entry));
            written += on;
            on = 0;
        }
        if (!(ok = ok && refill(s, c, i))) break;
        if (c[i].pos == c[i].len) heap[0] = heap[--n]; /* run i is done */
        heap_down(c, heap, n, 0);
    }
    if (ok && on) {
        ok = write_at(out, ob, on * sizeof(entry), written * sizeof(entry));
        written += on;
    }
    ok = ok && written == total;
    free(bufs);
    free(c);
    free(heap);
    if (!ok) {
        int e = errno;
        if (out) fclose(out);
        free(fences);
        errno = e;
        return mem_ok ? -2 : -1;
    }
    fclose(s->disk);
    s->disk = out;
    s->disk_n = total;
    free(s->fences);
    s->fences = fences;
    s->n_fences = s->cap_fences = nf;
    s->runs[0] = (run){0, total, 0};
    s->n_runs = 1;
    s->merges++;
    return 1;
}

/* Doubles the filter and fills it again from the runs on disk, read in order: false if that fails
 * (the old filter stays, and answers stay exact, only slower). */
static bool bloom_grow(unitset *s)
{
    size_t blocks = 2 * s->bloom_blocks;
    if (blocks > SIZE_MAX / (BLOOM_WORDS * sizeof *s->bloom)) return false;
    uint64_t *b = calloc(blocks, BLOOM_WORDS * sizeof *b), *old = s->bloom;
    if (!b) return false;
    size_t old_blocks = s->bloom_blocks;
    s->bloom = b;
    s->bloom_blocks = blocks;
    for (int i = 0; i < s->n_runs; i++) {
        for (uint64_t at = 0; at < s->runs[i].n; at += PAGE) {
            size_t n = s->runs[i].n - at < PAGE ? (size_t)(s->runs[i].n - at) : PAGE;
            if (!read_at(s->disk, s->page, n * sizeof(entry), (s->runs[i].start + at) * sizeof(entry))) {
                s->bloom = old;
                s->bloom_blocks = old_blocks;
                free(b);
                return false;
            }
            for (size_t k = 0; k < n; k++) bloom_add(s, s->page[k].h);
        }
    }
    free(old);
    return true;
}

/* Writes the table out as a run. 1 done (the table is empty), 0 not possible (nothing changed:
 * grow the table instead), -2 entries would be lost (the file failed half way), -1 out of memory
 * in a merge. */
static int spill(unitset *s)
{
    if (s->no_disk || s->disk_failed) return 0;
    size_t pages = (s->used + PAGE - 1) / PAGE;
    if (!s->bloom && !(s->bloom = calloc(s->bloom_blocks, BLOOM_WORDS * sizeof *s->bloom))) return 0;
    if (!s->page && !(s->page = malloc(PAGE * sizeof *s->page))) return 0;
    if (!fences_reserve(s, pages)) return 0;
    if (!s->disk && !(s->disk = tmpfile())) {
        s->disk_failed = true;
        return 0;
    }
    size_t n = sorted_entries(s);
    if (!write_at(s->disk, s->mem, n * sizeof(entry), s->disk_n * sizeof(entry))) return -2;
    s->runs[s->n_runs++] = (run){s->disk_n, n, s->n_fences};
    for (size_t p = 0; p < pages; p++) s->fences[s->n_fences++] = s->mem[p * PAGE].h;
    for (size_t i = 0; i < n; i++) bloom_add(s, s->mem[i].h);
    s->disk_n += n;
    memset(s->mem, 0, s->cap * sizeof *s->mem);
    s->used = 0;
    if (s->n_runs > s->runs_max) {
        int m = merge_runs(s);
        if (m < 0) return m;
    }
    while (s->disk_n * BLOOM_BITS_PER_UNIT > (uint64_t)s->bloom_blocks * BLOOM_WORDS * 64 && !s->bloom_full)
        s->bloom_full = !bloom_grow(s);
    return 1;
}

int unitset_add(unitset *s, uint64_t h, uint32_t line, uint32_t *first)
{
    if (!h) h = 1;
    const entry *e = mem_find(s, h);
    if (e) {
        *first = e->line;
        return 1;
    }
    if (s->n_runs && bloom_maybe(s, h)) {
        for (int i = s->n_runs - 1; i >= 0; i--) {
            int f = run_find(s, &s->runs[i], h, first);
            if (f) return f;
        }
    }
    if (10 * (s->used + 1) > 7 * s->cap) {
        int k = s->cap < s->max_cap ? 0 : spill(s);
        if (k < 0) return k;
        if (k == 0 && !mem_grow(s)) return -1;
    }
    mem_put(s, h, line);
    s->units++;
    return 0;
}

unitset_stats unitset_info(const unitset *s)
{
    unitset_stats st = {s->units, s->disk_n, s->n_runs, s->merges, s->probes,
                        s->bloom ? s->bloom_blocks * BLOOM_WORDS * sizeof *s->bloom : 0, s->disk_failed};
    return st;
}
