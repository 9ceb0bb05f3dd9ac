/* The units a batch has seen, for the duplicate-unit check: a 64-bit hash of each unit's NFC name
 * with the line it was first seen on. Exact (up to the hash: two different names share one with
 * probability about n^2 / 2^65), answered at once for every unit, and in bounded memory however
 * many units come.
 *
 * The newest units are in a hash table in memory (1 MiB, 45,875 units). When it is full its entries
 * are sorted and written to a temporary file as a run, and a Bloom filter (2 MiB) learns them; a
 * unit the table does not know is looked for in the runs only when the filter says it may be there,
 * one page read per run. When there are more than 16 runs they are merged into one. So memory is
 * the table, the filter, one page, and a fence per page on disk (the first hash of each 4 KiB page:
 * half a byte per 16 units), about 3 MiB up to 1.6 million units. Past that the filter doubles as
 * needed to keep 10 bits a unit, so that a look still rarely reaches the disk: 1.25-2.5 bytes a
 * unit (16 MiB at 10 million). The file takes 16 bytes a unit. Should the temporary file fail (no
 * writable temporary directory), the table grows in memory instead, 16-32 bytes a unit. */
#ifndef CHISO_UNITSET_H
#define CHISO_UNITSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct unitset unitset;

/* Sizes, for tests; NULL or zeros for the defaults. */
typedef struct {
    size_t mem_slots;   /* the table's largest size, a power of two (default 2^16: 1 MiB) */
    size_t bloom_bytes; /* the filter's size, a power of two, at least 64 (default 2 MiB) */
    int runs_max;       /* runs on disk before they are merged (default 16) */
    bool bloom_fixed;   /* the filter never grows: past its size most looks reach the disk */
    bool no_disk;       /* never spill: the table grows in memory */
} unitset_limits;

unitset *unitset_new(const unitset_limits *lim); /* NULL when out of memory */
void unitset_free(unitset *s);

/* The hash of a name (its bytes, already NFC); never 0. */
uint64_t unitset_hash(const char *s, size_t n);

/* Starts fetching where h will be looked for in memory (the table is megabytes: a cache miss). */
void unitset_prefetch(const unitset *s, uint64_t h);

/* 0: h is new and is now recorded, seen on `line`. 1: h was seen before, first on *first. After a
 * failure the set is unusable: -1 out of memory; -2 the temporary file failed (errno says why: a
 * full disk, a file size limit). */
int unitset_add(unitset *s, uint64_t h, uint32_t line, uint32_t *first);

typedef struct {
    uint64_t units;   /* recorded */
    uint64_t on_disk; /* of which in runs */
    int runs;
    uint64_t merges;  /* times the runs were merged */
    uint64_t probes;  /* runs looked into (page reads) */
    size_t bloom_bytes;
    bool disk_failed; /* the table grows in memory */
} unitset_stats;

unitset_stats unitset_info(const unitset *s);

#endif
