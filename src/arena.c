#include "arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct block {
    struct block *next;
    size_t size, used;
    alignas(max_align_t) unsigned char data[];
} block;

struct arena {
    block *head;
    size_t total;
};

enum { ARENA_BLOCK = 64 * 1024 };

arena *arena_new(void) { return calloc(1, sizeof(arena)); }

void arena_free(arena *a) {
    if (!a) return;
    for (block *b = a->head, *n; b; b = n) {
        n = b->next;
        free(b);
    }
    free(a);
}

void *arena_alloc(arena *a, size_t size) {
    const size_t align = alignof(max_align_t);
    size = (size + align - 1) & ~(align - 1);
    if (size == 0) size = align;
    block *b = a->head;
    if (!b || b->size - b->used < size) {
        size_t cap = size > ARENA_BLOCK ? size : ARENA_BLOCK;
        b = malloc(sizeof(block) + cap);
        if (!b) return NULL;
        b->size = cap;
        b->used = 0;
        /* A big one-off allocation goes behind the current block so the current block keeps
         * serving small allocations. */
        if (a->head && size > ARENA_BLOCK) {
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    void *p = b->data + b->used;
    b->used += size;
    a->total += size;
    memset(p, 0, size);
    return p;
}

char *arena_strndup(arena *a, const char *s, size_t n) {
    char *p = arena_alloc(a, n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(arena *a, const char *s) { return arena_strndup(a, s, strlen(s)); }

size_t arena_used(const arena *a) { return a->total; }
