/* Small text helpers shared by the checker, the fact reader and the reports. */
#ifndef CHISO_TEXTUTIL_H
#define CHISO_TEXTUTIL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Edit distance in code points (Levenshtein), capped: returns at most cap + 1. */
int text_distance(const char *a, const char *b, int cap);

/* Whether s[0..len) is all ASCII (then NFC is the identity). */
bool text_is_ascii(const char *s, size_t len);

/* NFC form of s[0..len), malloc'd and NUL-terminated; NULL if s is not valid UTF-8. */
char *text_nfc(const char *s, size_t len);

/* The closest of names[0..n) to `name`, if close enough to be a plausible typo, else NULL. */
const char *text_suggest(const char *name, const char *const *names, int n);

/* One code point at s[0..n) (n > 0): the bytes it takes (>= 1, so that callers always make
 * progress), its value in *cp, or -1 for a byte that does not begin valid UTF-8. */
size_t text_next_cp(const char *s, size_t n, int32_t *cp);

/* U+FFFD, what a byte that is not UTF-8 is written as. */
#define TEXT_REPLACEMENT "\xEF\xBF\xBD"

/* Offset of the first byte of s[0..n) that is not valid UTF-8 (overlong forms and surrogates
 * included), or n when all of it is. */
size_t text_utf8_bad_at(const char *s, size_t n);

/* s[0..n) as shown inside a message, NUL-terminated in dst[cap]: at most max_chars characters
 * (then "..."), control characters and bytes that are not UTF-8 written as \xNN, so that the
 * message stays one printable line. */
void text_show(char *dst, size_t cap, const char *s, size_t n, size_t max_chars);

/* Where cell idx of a CSV row is, for a message: the row's raw text raw[0..n), which starts on
 * `line`, is walked as libcsv reads it (quotes, "" inside them, line breaks inside them). Sets the
 * physical line the cell starts on, its byte column (1-based) and trimmed length in bytes,
 * and that line's text (*lt, *ll). false when the text does not reach the cell. */
bool text_csv_cell(const char *raw, size_t n, int line, size_t idx, int *cell_line, int *col, int *len,
                   const char **lt, size_t *ll);

#endif
