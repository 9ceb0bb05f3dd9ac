/* chiso fmt: the canonical layout of a rule file (docs/fmt.md), and conversion of its keywords
 * between English and Vietnamese.
 *
 * A token-level formatter: it keeps comments and the author's line breaks, and changes only white
 * space (indentation, spaces inside a line, blank lines, alignment of arms, option labels and
 * trailing comments) and, when asked, the spelling of keywords and the `language` line. It refuses
 * a file that does not parse, and checks its own output: the same tokens in the same order, and a
 * text the parser accepts. */
#ifndef CHISO_FMT_H
#define CHISO_FMT_H
#include <stddef.h>

#include "diag.h"

enum { FMT_KEEP_LANG = -1 }; /* fmt_opts.to_lang: keep the file's keywords as they are */

typedef struct {
    int to_lang; /* FMT_KEEP_LANG, KW_EN or KW_VI (keywords.h) */
} fmt_opts;

typedef enum {
    FMT_OK = 0,
    FMT_SYNTAX,   /* the text does not parse: the errors went to the sink, nothing was formatted */
    FMT_CONFLICT, /* converting: a name of the file is a keyword of the other language (reported) */
    FMT_INTERNAL, /* the formatted text would not be equivalent to the input (a bug; reported) */
    FMT_NOMEM
} fmt_status;

/* Formats the rule file text[0..len) (name is used in messages). On FMT_OK, *out is the formatted
 * text (malloc'd, NUL-terminated) and *out_len its length; otherwise *out is NULL. Diagnostics go to
 * d, which is given the text to quote (text must outlive d's use). opts may be NULL (keep the
 * keywords). A UTF-8 byte order mark is kept. */
fmt_status fmt_buffer(const char *name, const char *text, size_t len, const fmt_opts *opts,
                      diag_sink *d, char **out, size_t *out_len);

#endif
