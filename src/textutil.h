/* Small text helpers shared by the checker, the fact reader and the reports. */
#ifndef CHISO_TEXTUTIL_H
#define CHISO_TEXTUTIL_H
#include <stdbool.h>
#include <stddef.h>

/* Edit distance in code points (Levenshtein), capped: returns at most cap + 1. */
int text_distance(const char *a, const char *b, int cap);

/* Whether s[0..len) is all ASCII (then NFC is the identity). */
bool text_is_ascii(const char *s, size_t len);

/* NFC form of s[0..len), malloc'd and NUL-terminated; NULL if s is not valid UTF-8. */
char *text_nfc(const char *s, size_t len);

/* The closest of names[0..n) to `name`, if close enough to be a plausible typo, else NULL. */
const char *text_suggest(const char *name, const char *const *names, int n);

#endif
