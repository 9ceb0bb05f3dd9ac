/* Dates are numbers of days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's
 * algorithms): the scanner, the fact reader and every writer turn dd/mm/yyyy into days and back
 * here. */
#ifndef CHISO_DATES_H
#define CHISO_DATES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int date_month_days(int64_t y, int m); /* m in 1..12 */
bool date_valid(int64_t y, int m, int d);
int64_t date_days(int64_t y, int m, int d);
void date_civil(int64_t days, int64_t *y, int *m, int *d);
/* "dd/mm/yyyy", or with iso "yyyy-mm-dd", into buf; returns the length as snprintf does. */
int date_format(int64_t days, bool iso, char *buf, size_t cap);

#endif
