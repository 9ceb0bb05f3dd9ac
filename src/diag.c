/* Diagnostic sink. Columns are reported in code points and carets placed by display width, so
 * that a message about Vietnamese (or CJK) text points at the right character in a terminal. */
#include "diag.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

typedef struct {
    char *name;
    const char *text;
    size_t len;
    size_t *starts; /* byte offset of each line; built on the first quote from this file */
    size_t n_lines;
} src_file;

struct diag_sink {
    FILE *out;
    int errors, warnings;
    src_file *files;
    int n_files, cap_files;
    int last; /* index of the last file looked up: diagnostics come in runs per file */
    bool hide_warnings;
    int lang;
};

static int default_lang = DIAG_EN;
void diag_set_default_lang(int lang) { default_lang = lang; }
int diag_default_lang(void) { return default_lang; }
void diag_sink_set_lang(diag_sink *s, int lang) { if (s) s->lang = lang; }
int diag_sink_lang(const diag_sink *s) { return s ? s->lang : DIAG_EN; }

void diag_sink_hide_warnings(diag_sink *s, bool hide)
{
    if (s) s->hide_warnings = hide;
}

diag_sink *diag_sink_new(FILE *out)
{
    diag_sink *s = calloc(1, sizeof *s);
    if (s) {
        s->out = out;
        s->lang = default_lang;
    }
    return s;
}

void diag_sink_free(diag_sink *s)
{
    if (!s) return;
    for (int i = 0; i < s->n_files; i++) {
        free(s->files[i].name);
        free(s->files[i].starts);
    }
    free(s->files);
    free(s);
}

static src_file *find_source(diag_sink *s, const char *file)
{
    if (!file) return NULL;
    if (s->last < s->n_files && strcmp(s->files[s->last].name, file) == 0) return &s->files[s->last];
    for (int i = 0; i < s->n_files; i++) {
        if (strcmp(s->files[i].name, file) == 0) {
            s->last = i;
            return &s->files[i];
        }
    }
    return NULL;
}

void diag_sink_add_source(diag_sink *s, const char *file, const char *text, size_t len)
{
    if (!s || !file || (!text && len > 0)) return;
    src_file *f = find_source(s, file);
    if (!f) {
        if (s->n_files == s->cap_files) {
            int cap = s->cap_files ? 2 * s->cap_files : 4;
            src_file *files = realloc(s->files, (size_t)cap * sizeof *files);
            if (!files) return;
            s->files = files;
            s->cap_files = cap;
        }
        size_t n = strlen(file) + 1;
        char *name = malloc(n);
        if (!name) return;
        memcpy(name, file, n);
        f = &s->files[s->n_files++];
        *f = (src_file){.name = name};
    }
    free(f->starts);
    f->starts = NULL;
    f->n_lines = 0;
    f->text = text;
    f->len = len;
}

static bool build_index(src_file *f)
{
    /* Lines end at \n, \r\n or a lone \r (old Mac files), as the scanner counts them. */
    size_t n = 1;
    for (size_t i = 0; i < f->len; i++)
        if (f->text[i] == '\n' || (f->text[i] == '\r' && (i + 1 == f->len || f->text[i + 1] != '\n'))) n++;
    f->starts = malloc(n * sizeof *f->starts);
    if (!f->starts) return false;
    f->starts[0] = 0;
    f->n_lines = 1;
    for (size_t i = 0; i < f->len; i++)
        if (f->text[i] == '\n' || (f->text[i] == '\r' && (i + 1 == f->len || f->text[i + 1] != '\n')))
            f->starts[f->n_lines++] = i + 1;
    return true;
}

/* Line `line` (1-based) of a registered file, without its line ending. */
static bool source_line(src_file *f, int line, const char **text, size_t *len)
{
    if (!f->starts && !build_index(f)) return false;
    if ((size_t)line > f->n_lines) return false;
    size_t b = f->starts[line - 1];
    size_t e = (size_t)line < f->n_lines ? f->starts[line] - 1 : f->len;
    *text = f->text + b;
    *len = e - b;
    return true;
}

/* One code point at p[0..len): its byte length (>= 1) and display width. A malformed byte is one
 * column wide, as terminals show it as a replacement character. */
static size_t next_char(const char *p, size_t len, int *width)
{
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)p, (utf8proc_ssize_t)len, &cp);
    if (n <= 0) {
        *width = 1;
        return 1;
    }
    /* Control characters are shown as one-column pictures (see put_line). */
    *width = cp < 0x20 || cp == 0x7f ? 1 : utf8proc_charwidth(cp);
    return (size_t)n;
}

static void put_n(FILE *out, int c, int n)
{
    while (n-- > 0) putc(c, out);
}

/* The quoted line stays printable, valid UTF-8: a NUL or another control character is shown as
 * its Unicode control picture (U+2400 + c, e.g. a NUL as U+2400), a malformed byte as U+FFFD;
 * tabs are kept. */
static void put_line_part(FILE *out, const char *text, size_t len, const char *tail)
{
    for (size_t p = 0; p < len;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)text + p,
                                              (utf8proc_ssize_t)(len - p), &cp);
        if (n <= 0) {
            fputs("\xEF\xBF\xBD", out);
            p++;
        } else if ((cp < 0x20 && cp != '\t') || cp == 0x7f) {
            int pic = cp == 0x7f ? 0x2421 : 0x2400 + cp;
            putc(0xE2, out);
            putc(0x80 | ((pic >> 6) & 0x3F), out);
            putc(0x80 | (pic & 0x3F), out);
            p += (size_t)n;
        } else {
            fwrite(text + p, 1, (size_t)n, out);
            p += (size_t)n;
        }
    }
    if (tail) fputs(tail, out);
    putc('\n', out);
}

static void put_line(FILE *out, const char *text, size_t len) { put_line_part(out, text, len, NULL); }

enum { QUOTE_MAX = 240 }; /* bytes of a source line quoted at most */

static const char *severity_word(diag_severity sev, int lang)
{
    if (lang == DIAG_VI) {
        switch (sev) {
        case DIAG_ERROR: return "lỗi";
        case DIAG_WARNING: return "cảnh báo";
        default: return "ghi chú";
        }
    }
    switch (sev) {
    case DIAG_ERROR: return "error";
    case DIAG_WARNING: return "warning";
    default: return "note";
    }
}

static void print_message(FILE *out, const char *word, const char *fmt, va_list ap)
{
    fprintf(out, "%s: ", word);
    vfprintf(out, fmt, ap);
    putc('\n', out);
}

/* The caret line under text[0..len): `^` at byte pos (a character start), `~` for the rest of the
 * span up to byte end, all measured in display columns. */
static void put_caret(FILE *out, const char *text, size_t len, size_t pos, size_t end)
{
    int w;
    /* Tabs are copied, not expanded, so the caret lines up whatever the terminal's tab stops. */
    for (size_t p = 0; p < pos;) {
        size_t n = next_char(text + p, len - p, &w);
        if (text[p] == '\t') putc('\t', out);
        else put_n(out, ' ', w);
        p += n;
    }
    int width = 0;
    while (pos < end) {
        pos += next_char(text + pos, len - pos, &w);
        width += w;
    }
    putc('^', out);
    put_n(out, '~', width - 1);
    putc('\n', out);
}

void diag_vemit(diag_sink *s, diag_severity sev, const src_loc *loc, const char *line_text,
                size_t line_len, const char *fmt, va_list ap)
{
    if (!s) return;
    if (sev == DIAG_ERROR) s->errors++;
    else if (sev == DIAG_WARNING) s->warnings++;
    if (!s->out || (sev == DIAG_WARNING && s->hide_warnings)) return;
    FILE *out = s->out;
    const char *word = severity_word(sev, s->lang);
    if (s->lang == DIAG_VI) {
        const char *vi = diag_translate_vi(fmt);
        if (vi) fmt = vi;
    }

    if (!loc || loc->line <= 0) {
        if (loc && loc->file) fprintf(out, "%s: ", loc->file);
        print_message(out, word, fmt, ap);
        return;
    }
    const char *file = loc->file ? loc->file : "<input>";

    const char *text = NULL;
    size_t len = 0;
    src_file *f = find_source(s, loc->file);
    if (!f || !source_line(f, loc->line, &text, &len)) {
        text = line_text;
        len = line_text ? line_len : 0;
    }
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r')) len--;

    if (loc->col <= 0 || !text) {
        if (loc->col <= 0) fprintf(out, "%s:%d: ", file, loc->line);
        else fprintf(out, "%s:%d:%d: ", file, loc->line, loc->col); /* no text to count characters in */
        print_message(out, word, fmt, ap);
        if (text) put_line(out, text, len);
        return;
    }

    /* A column past the end of the line is clamped to just after its last character. */
    size_t start = (size_t)loc->col - 1 < len ? (size_t)loc->col - 1 : len;
    size_t pos = 0, chars = 0;
    while (pos < start) {
        int w;
        size_t n = next_char(text + pos, len - pos, &w);
        if (pos + n > start) break; /* a col inside a character points at that character */
        pos += n;
        chars++;
    }
    fprintf(out, "%s:%d:%zu: ", file, loc->line, chars + 1);
    print_message(out, word, fmt, ap);
    size_t end = pos;
    if (loc->len > 0) end = (size_t)loc->len < len - start ? start + (size_t)loc->len : len;
    /* A very long line (a 100 MB CSV row, a minified rule file) is quoted as a window around the
     * caret, with "…" where it was cut. */
    size_t from = 0, to = len;
    if (len > QUOTE_MAX) {
        from = pos > QUOTE_MAX / 2 ? pos - QUOTE_MAX / 2 : 0;
        while (from > 0 && ((unsigned char)text[from] & 0xC0) == 0x80) from--;
        to = from + QUOTE_MAX < len ? from + QUOTE_MAX : len;
        while (to < len && ((unsigned char)text[to] & 0xC0) == 0x80) to++;
        if (end > to) end = to;
    }
    const char *ell = "\xE2\x80\xA6";
    if (from > 0) fputs(ell, out);
    put_line_part(out, text + from, to - from, to < len ? ell : NULL);
    if (from > 0) putc(' ', out);
    put_caret(out, text + from, to - from, pos - from, end - from);
}

void diag_emit(diag_sink *s, diag_severity sev, const src_loc *loc, const char *line_text,
               size_t line_len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vemit(s, sev, loc, line_text, line_len, fmt, ap);
    va_end(ap);
}

int diag_errors(const diag_sink *s) { return s ? s->errors : 0; }
int diag_warnings(const diag_sink *s) { return s ? s->warnings : 0; }
