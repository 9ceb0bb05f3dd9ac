/* The facts a node reads: in its not-applicable clauses and its rule, directly or through lets,
 * defs and function calls. The fact sheet template lists them; the evaluator keeps the results of
 * subtrees whose facts are few bools and choices. */
#ifndef CHISO_NODE_FACTS_H
#define CHISO_NODE_FACTS_H
#include "ast.h"

typedef struct node_facts node_facts;

node_facts *node_facts_new(const ruleset *rs); /* NULL when out of memory */
void node_facts_free(node_facts *w);

/* Calls fn(ud, fact) once for each fact node n reads, in the order they are first reached. */
void node_facts_each(node_facts *w, const node *n, void (*fn)(void *ud, int fact), void *ud);

/* The same for n and every node below it: each fact once, however many of them read it. */
void node_facts_each_in_subtree(node_facts *w, const node *n, void (*fn)(void *ud, int fact), void *ud);

#endif
