/* The keyword table shared by the scanner, the formatter and the editor-grammar test. */
#ifndef CHISO_KEYWORDS_H
#define CHISO_KEYWORDS_H
#include <stddef.h>

enum { KW_EN = 0, KW_VI = 1 };

typedef struct {
    const char *en; /* English spelling */
    const char *vi; /* Vietnamese spelling (NFC) */
    int token;      /* the parser's token */
} keyword;

const keyword *keyword_table(int *n);
/* The token of a keyword spelled s[0..len) in the given language, or 0 if it is not one. */
int keyword_token(const char *s, size_t len, int lang);
const char *keyword_spelling(int token, int lang);

#endif
