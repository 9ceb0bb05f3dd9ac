/* JSON values as every JSON writer (eval, audit, explain) makes them, through jansson. */
#ifndef CHISO_JSONUTIL_H
#define CHISO_JSONUTIL_H
#include <jansson.h>

#include "decimal.h"

/* A string; null for NULL. jansson refuses text that is not UTF-8 (a title read from a broken
 * file): each bad byte then becomes U+FFFD. NULL when out of memory. */
json_t *json_text(const char *s);

/* An exact number as a string ("13.5", "2/3"): JSON numbers are binary floating point. */
json_t *json_dec(dec_t d);

#endif
