/* The checker: resolves every name to a slot, types every expression, folds band bounds, numbers
 * the nodes, and reports what an auditor wants to know (maxima that do not add up, bands above
 * the maximum, maxima no band can reach, duplicate codes, unused facts). */
#ifndef CHISO_CHECK_H
#define CHISO_CHECK_H
#include "ast.h"
#include "diag.h"

/* Returns the number of errors (warnings do not count). */
int check_ruleset(ruleset *rs, diag_sink *d);

#endif
