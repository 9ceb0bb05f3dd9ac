/* Diagnostics as values: a location, a severity and a message. The library never prints on its own
 * initiative and never exits; it hands diagnostics to a sink. */
#ifndef CHISO_DIAG_H
#define CHISO_DIAG_H
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef enum { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE } diag_severity;

/* 1-based line; col is a 1-based BYTE offset in the line (converted to characters when printed);
 * len is the span in bytes (0 = a single caret). line == 0: no location in the file. */
typedef struct {
    const char *file;
    int line;
    int col;
    int len;
    int ccol; /* the same column counted in characters, when known (0 = unknown), for messages
               * written without the source text at hand (reports) */
} src_loc;

typedef struct diag_sink diag_sink;

/* A sink that prints to `out` as `file:line:col: error: msg`, then the source line and a caret
 * line (`^~~~`), with columns counted in characters and carets placed by display width. */
diag_sink *diag_sink_new(FILE *out);
void diag_sink_free(diag_sink *s);

/* Give the sink a file's text so it can quote source lines; the text must outlive the sink's use. */
void diag_sink_add_source(diag_sink *s, const char *file, const char *text, size_t len);

/* Report. line_text (may be NULL) is the source line to quote (without newline), used when the
 * sink has no registered text for loc->file (e.g. a streamed CSV line). */
void diag_emit(diag_sink *s, diag_severity sev, const src_loc *loc, const char *line_text,
               size_t line_len, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void diag_vemit(diag_sink *s, diag_severity sev, const src_loc *loc, const char *line_text,
                size_t line_len, const char *fmt, va_list ap);

/* Language of messages: DIAG_EN (default) or DIAG_VI. New sinks take the process default, which
 * the command line sets from --lang or LANG. Messages without a translation stay in English. */
enum { DIAG_EN = 0, DIAG_VI = 1 };
void diag_set_default_lang(int lang);
int diag_default_lang(void);
void diag_sink_set_lang(diag_sink *s, int lang);
int diag_sink_lang(const diag_sink *s);

/* The Vietnamese form of an English message format (same conversions in the same order), or
 * NULL if there is none (messages_vi.c). */
const char *diag_translate_vi(const char *fmt);

/* fmt in the process default language (for the commands' own messages). */
const char *diag_tr(const char *fmt);

/* Count warnings without printing them (e.g. `eval` leaves the rule file's warnings to `check`). */
void diag_sink_hide_warnings(diag_sink *s, bool hide);

int diag_errors(const diag_sink *s);

/* The column to print for loc without its source line: characters if known, else bytes. */
static inline int diag_char_col(const src_loc *loc) { return loc->ccol > 0 ? loc->ccol : loc->col; }
int diag_warnings(const diag_sink *s);

#endif
