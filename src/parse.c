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

const char *parse_text(parse_ctx *pc, const chs_loc *l) {
    int a = l->first_byte, b = l->last_byte;
    if (a < 0 || b < a || (size_t)b > pc->len) return "";
    return arena_strndup(pc->arena, pc->src + a, (size_t)(b - a));
}

int parse_buffer(parse_ctx *pc) {
    yyscan_t sc;
    if (chs_yylex_init_extra(pc, &sc) != 0) {
        src_loc l = {pc->file, 0, 0, 0};
        diag_emit(pc->diags, DIAG_ERROR, &l, NULL, 0, "out of memory");
        return ++pc->errors;
    }
    pc->scanner = sc;
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
