/* Static analysis of bands (`score by` and `match`): over the subject's declared domain
 * (a percentage: 0%..100%; a count: whole numbers >= 0; a number or date with bounds: its
 * bounds), report values no band matches (gaps), bands that overlap an earlier band, bands that
 * can never match (shadowed, or outside the domain), and choice options without an arm. */
#ifndef CHISO_BANDS_H
#define CHISO_BANDS_H
#include "ast.h"
#include "diag.h"

/* subject: the resolved subject expression; arms[n]: the arms; where: the node's code (for
 * messages), or a def's name. Reports warnings to d; returns how many. */
int bands_check(const ruleset *rs, const expr *subject, const arm *arms, int n, const char *where,
                diag_sink *d);

#endif
