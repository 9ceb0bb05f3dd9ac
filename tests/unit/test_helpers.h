/* What several unit tests need: exact values written briefly, nodes built by hand, facts and
 * nodes found by name. Each unit test is a program of its own, so these are static inline: a test
 * takes what it uses. Include it after cmocka.h. */
#ifndef CHISO_TEST_HELPERS_H
#define CHISO_TEST_HELPERS_H

#include <string.h>

#include "arena.h"
#include "ast.h"
#include "decimal.h"

/* num / den, which must be a valid decimal. */
static inline dec_t D(int64_t num, int64_t den)
{
    dec_t d;
    assert_int_equal(dec_make(num, den, &d), DEC_OK);
    return d;
}

/* A node added to rs->nodes (room for it is the caller's), as the checker would number it: the
 * next id, a leaf until children follow. */
static inline node *test_node(arena *a, ruleset *rs, node_kind kind, const char *code, const char *title,
                              int64_t max, node *parent)
{
    node *n = arena_alloc(a, sizeof *n);
    assert_non_null(n);
    memset(n, 0, sizeof *n);
    n->kind = kind;
    n->code = code;
    n->title = title;
    n->max = dec_from_int(max);
    n->parent = parent;
    n->depth = parent ? parent->depth + 1 : 0;
    n->id = rs->n_nodes;
    n->last_desc = n->id;
    rs->nodes[rs->n_nodes++] = n;
    return n;
}

/* The index of the fact named name; the test fails if there is none. */
static inline int test_fact(const ruleset *rs, const char *name)
{
    for (int i = 0; i < rs->n_facts; i++)
        if (strcmp(rs->facts[i].name, name) == 0) return i;
    fail_msg("no fact %s", name);
    return -1;
}

/* The id of the node with that code; the test fails if there is none. */
static inline int test_node_id(const ruleset *rs, const char *code)
{
    for (int i = 0; i < rs->n_nodes; i++)
        if (strcmp(rs->nodes[i]->code, code) == 0) return i;
    fail_msg("no node %s", code);
    return -1;
}

#endif
