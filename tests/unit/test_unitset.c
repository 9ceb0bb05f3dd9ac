/* The duplicate-unit set: small limits make it spill runs to disk, merge them and fall back to
 * memory within a test's few hundred thousand units; every answer is checked against a plain
 * sorted array of what was added. */
#define _POSIX_C_SOURCE 200809L /* setrlimit */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "unitset.h"

static uint64_t rnd_state;
static uint64_t rnd(void) {
    rnd_state ^= rnd_state << 13, rnd_state ^= rnd_state >> 7, rnd_state ^= rnd_state << 17;
    return rnd_state;
}

/* n distinct random hashes (never 0), in the order they will be added. */
static uint64_t *distinct_hashes(size_t n) {
    uint64_t *h = malloc(n * sizeof *h);
    assert_non_null(h);
    for (size_t i = 0; i < n; i++) {
        do h[i] = rnd(); while (h[i] == 0);
    }
    return h; /* 64-bit random values: a repeat among a million has probability 3e-8 */
}

/* Adds n new hashes with lines 1..n, then asks again for every tenth one (seen, with its line) and
 * for fresh ones (new), checking the counts the limits imply. */
static void exercise(const unitset_limits *lim, size_t n, uint64_t seed, unitset_stats *out) {
    rnd_state = seed;
    uint64_t *h = distinct_hashes(n);
    unitset *s = unitset_new(lim);
    assert_non_null(s);
    uint32_t first = 0;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(unitset_add(s, h[i], (uint32_t)(i + 1), &first), 0);
        if (i % 7 == 3) { /* a repeat of a recent or an old unit, at once */
            size_t j = (size_t)(rnd() % (i + 1));
            assert_int_equal(unitset_add(s, h[j], 999999999u, &first), 1);
            assert_int_equal(first, j + 1);
        }
    }
    for (size_t i = 0; i < n; i += 10) {
        assert_int_equal(unitset_add(s, h[i], 999999999u, &first), 1);
        assert_int_equal(first, i + 1);
    }
    unitset_stats st = unitset_info(s);
    assert_int_equal(st.units, n);
    for (size_t i = 0; i < 1000; i++) { /* new ones are new, and then known */
        uint64_t x = rnd() | 1;
        int k = unitset_add(s, x, 7, &first);
        assert_true(k == 0 || k == 1);
        if (k == 0) {
            assert_int_equal(unitset_add(s, x, 8, &first), 1);
            assert_int_equal(first, 7);
        }
    }
    *out = unitset_info(s);
    unitset_free(s);
    free(h);
}

static void in_memory_only(void **state) {
    (void)state;
    unitset_stats st;
    exercise(NULL, 20000, 0x1234567u, &st); /* below the default table's 45,875 */
    assert_int_equal(st.runs, 0);
    assert_int_equal(st.on_disk, 0);
}

static void spills_and_merges(void **state) {
    (void)state;
    /* 1024 slots: a run every 716 units; 4 runs before a merge; a 4 KiB filter that may not grow,
     * so most looks go to disk and must still be exact. */
    unitset_limits lim = {1024, 4096, 4, true, false};
    unitset_stats st;
    exercise(&lim, 200000, 0xfeedbeefu, &st);
    assert_true(st.on_disk > 190000);
    assert_true(st.runs >= 1 && st.runs <= 4);
    assert_true(st.merges > 10);
    assert_true(st.probes > 100000); /* the full filter sent most looks to the runs */
    assert_int_equal(st.bloom_bytes, 4096);
    assert_false(st.disk_failed);
}

static void the_filter_grows(void **state) {
    (void)state;
    /* The same, but the filter may grow: it keeps 10 bits a unit on disk (200,000 units: 2 Mbit,
     * 256 KiB, from 4 KiB), and few looks reach the disk. */
    unitset_limits fixed = {1024, 4096, 4, true, false}, growing = {1024, 4096, 4, false, false};
    unitset_stats a, b;
    exercise(&fixed, 200000, 0xfeedbeefu, &a);
    exercise(&growing, 200000, 0xfeedbeefu, &b);
    assert_int_equal(b.bloom_bytes, 256 * 1024);
    /* The repeats are found on disk either way; the new units no longer look there. */
    assert_true(b.probes * 2 < a.probes);
}

static void default_limits_at_scale(void **state) {
    (void)state;
    unitset_stats st;
    exercise(NULL, 300000, 0xabcdefu, &st); /* 6 runs of 45,875 and what is left in memory */
    assert_int_equal(st.runs, 6);
    assert_int_equal(st.on_disk, 6 * 45875);
    assert_int_equal(st.merges, 0);
}

/* Hashes that all have the table's last slot as home wrap around to its start: the spill must
 * still write them sorted (more of them than the page that sets wrapped entries aside: heapsort),
 * and a few such among ordinary ones (set aside, then insertion sort). */
static void wrapped_entries_sorted(void **state) {
    (void)state;
    for (int many = 0; many < 2; many++) {
        unitset_limits lim = {1024, 4096, 4, false, false};
        unitset *s = unitset_new(&lim);
        assert_non_null(s);
        rnd_state = 0x77u + (uint64_t)many;
        uint64_t h[3000];
        uint32_t first;
        for (size_t i = 0; i < 3000; i++) {
            bool wrap = many ? i % 1000 < 600 : i % 100 < 3;
            h[i] = wrap ? rnd() | (0x3ffull << 54) : rnd() | 1; /* top 10 bits set: home 1023 */
            assert_int_equal(unitset_add(s, h[i], (uint32_t)i + 1, &first), 0);
        }
        for (size_t i = 0; i < 3000; i++) {
            assert_int_equal(unitset_add(s, h[i], 0, &first), 1);
            assert_int_equal(first, i + 1);
        }
        assert_true(unitset_info(s).on_disk > 0);
        unitset_free(s);
    }
}

/* A temporary file that cannot grow (a file size limit here, a full disk in life): the set says so
 * with -2 and errno, and never answers wrongly before that. */
static void disk_failure_reported(void **state) {
    (void)state;
    struct rlimit old, lim;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    lim = old;
    lim.rlim_cur = 64 * 1024; /* 4,096 entries; a spill writes 1,433: the third one fails */
    void (*was)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    unitset_limits small = {2048, 4096, 4, false, false};
    unitset *s = unitset_new(&small);
    assert_non_null(s);
    rnd_state = 0x1u;
    int k = 0;
    uint32_t first;
    size_t i = 0;
    for (; i < 100000 && (k = unitset_add(s, rnd() | 1, (uint32_t)i + 1, &first)) == 0; i++) {
    }
    int e = errno;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, was);
    assert_int_equal(k, -2);
    assert_int_equal(e, EFBIG);
    assert_true(i > 3000 && i < 6000);
    unitset_free(s);
}

static void memory_when_no_disk(void **state) {
    (void)state;
    unitset_limits lim = {1024, 0, 0, false, true};
    unitset_stats st;
    exercise(&lim, 50000, 0x5eedu, &st);
    assert_int_equal(st.runs, 0);
    assert_int_equal(st.on_disk, 0);
}

static void names_hash_apart(void **state) {
    (void)state;
    /* Same length, one byte apart in one 8-byte block: mix64 is a bijection, so never equal. */
    assert_true(unitset_hash("Phòng 10", 9) != unitset_hash("Phòng 11", 9));
    assert_true(unitset_hash("", 0) != 0);
    assert_true(unitset_hash("a", 1) != unitset_hash("a\0", 2)); /* the length is hashed */
    const char *a = "Phòng Nội vụ", *b = "Phòng Nội vụ";
    assert_int_equal(unitset_hash(a, strlen(a)), unitset_hash(b, strlen(b)));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(in_memory_only),
        cmocka_unit_test(spills_and_merges),
        cmocka_unit_test(the_filter_grows),
        cmocka_unit_test(default_limits_at_scale),
        cmocka_unit_test(wrapped_entries_sorted),
        cmocka_unit_test(memory_when_no_disk),
        cmocka_unit_test(disk_failure_reported),
        cmocka_unit_test(names_hash_apart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
