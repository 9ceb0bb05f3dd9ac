/* Scoring a stream of units on several threads with the results delivered in input order, so
 * that `eval --jobs N` writes exactly what one thread writes. Units are copied into chunks; a
 * bounded ring of chunks keeps memory flat whatever the number of units. */
#ifndef CHISO_BATCH_H
#define CHISO_BATCH_H
#include "ast.h"
#include "eval.h"
#include "facts.h"

/* Called on the caller's thread, once per unit, in the order the units were added. Return
 * non-zero to stop (batch_add / batch_finish then return that value). */
typedef int (*batch_done_fn)(void *ud, const char *unit, const fact_value *values,
                             const node_result *res, const unit_total *tot);

typedef struct batch batch;

batch *batch_new(const ruleset *rs, int jobs, batch_done_fn fn, void *ud);
int batch_add(batch *b, const char *unit, const fact_value *values);
int batch_finish(batch *b); /* waits for the units still in flight and delivers them */
void batch_free(batch *b);

#endif
