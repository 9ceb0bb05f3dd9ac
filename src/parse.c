/* Glue between the generated scanner/parser and the rest: locations, messages, and running a
 * parse over one file's text. */
#include <stdarg.h>
#include <string.h>

#include "parse_internal.h"
#include "parser.h"
#include "lexer.h"

src_loc parse_src_loc(const parse_ctx *pc, const chs_loc *l) {
    src_loc s;
    s.file = pc->file;
    s.line = l->first_line;
    s.col = l->first_column;
    s.len = l->first_line == l->last_line ? l->last_byte - l->first_byte : 0;
    if (s.len < 0) s.len = 0;
    s.ccol = 0;
    int start = l->first_byte - (l->first_column - 1);
    if (start >= 0 && l->first_byte <= (int)pc->len) {
        /* Count characters from the last position counted on the same line: locations come in
         * order, so a very long line is counted once, not once per token. */
        parse_ctx *m = (parse_ctx *)pc;
        int from = start, chars = 1;
        if (m->ccol_line == start && m->ccol_byte <= l->first_byte) {
            from = m->ccol_byte;
            chars = m->ccol_chars;
        } else if (m->ccol_line == start && m->ccol_byte - l->first_byte < l->first_byte - start) {
            /* a rule's span starts before the last token counted: count back from there */
            chars = m->ccol_chars;
            for (int i = l->first_byte; i < m->ccol_byte; i++) chars -= ((unsigned char)pc->src[i] & 0xC0) != 0x80;
            from = l->first_byte;
        }
        for (int i = from; i < l->first_byte; i++) chars += ((unsigned char)pc->src[i] & 0xC0) != 0x80;
        m->ccol_line = start;
        m->ccol_byte = l->first_byte;
        m->ccol_chars = chars;
        s.ccol = chars;
    }
    return s;
}

void parse_error(parse_ctx *pc, const chs_loc *l, const char *fmt, ...) {
    src_loc s = parse_src_loc(pc, l);
    va_list ap;
    va_start(ap, fmt);
    diag_vemit(pc->diags, DIAG_ERROR, &s, NULL, 0, fmt, ap);
    va_end(ap);
    pc->errors++;
}

/* The text of a span for reports, on one line: runs of white space (the author's alignment, line
 * breaks) become one space, and comments inside the span are dropped. */
const char *parse_text(parse_ctx *pc, const chs_loc *l) {
    int a = l->first_byte, b = l->last_byte;
    if (a < 0 || b < a || (size_t)b > pc->len) return "";
    char *t = arena_alloc(pc->arena, (size_t)(b - a) + 1);
    if (!t) return "";
    size_t n = 0;
    bool in_str = false, space = false;
    for (int i = a; i < b; i++) {
        char c = pc->src[i];
        if (!in_str && c == '#') {
            while (i + 1 < b && pc->src[i + 1] != '\n') i++;
            space = n > 0;
            continue;
        }
        if (!in_str && (c == ' ' || c == '\t' || c == '\r' || c == '\n')) {
            space = n > 0;
            continue;
        }
        if (space) t[n++] = ' ';
        space = false;
        if (c == '"' && (i == a || pc->src[i - 1] != '\\')) in_str = !in_str;
        t[n++] = c;
    }
    t[n] = '\0';
    return t;
}

int parse_buffer(parse_ctx *pc) {
    yyscan_t sc;
    if (chs_yylex_init_extra(pc, &sc) != 0) {
        src_loc l = {pc->file, 0, 0, 0, 0};
        diag_emit(pc->diags, DIAG_ERROR, &l, NULL, 0, "out of memory");
        return ++pc->errors;
    }
    pc->scanner = sc;
    pc->ccol_line = -1;
    YY_BUFFER_STATE buf = chs_yy_scan_bytes(pc->src, (int)pc->len, sc);
    if (setjmp(pc->fatal) == 0) {
        chs_yyparse(sc, pc);
    }
    chs_yy_delete_buffer(buf, sc);
    chs_yylex_destroy(sc);
    free(pc->sbuf);
    pc->sbuf = NULL;
    pc->slen = pc->scap = 0;
    return pc->errors;
}
