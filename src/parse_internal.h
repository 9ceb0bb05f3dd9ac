/* Declarations shared by the scanner (grammar/lexer.l) and the parser (grammar/parser.y). */
#ifndef CHISO_PARSE_INTERNAL_H
#define CHISO_PARSE_INTERNAL_H
#include <setjmp.h>
#include <stddef.h>

#include "ast.h"
#include "diag.h"

/* A source span: lines and BYTE columns (1-based), plus byte offsets for quoting the text. */
typedef struct {
    int first_line, first_column;
    int last_line, last_column;
    int first_byte, last_byte; /* [first_byte, last_byte) */
} chs_loc;

typedef struct {
    dec_t value;
    const char *text; /* as written: codes like 1.2 need it */
    num_unit unit;
} num_lit;

/* flex's bison bridge names the parser's types without the api.prefix */
#define YYSTYPE CHS_YYSTYPE
#define YYLTYPE CHS_YYLTYPE

typedef struct {
    expr **v;
    int n;
} expr_list;

typedef struct {
    pattern *v;
    int n;
} pattern_list;

typedef struct {
    arm *v;
    int n;
} arm_list;

typedef struct {
    param_decl *v;
    int n;
} param_list;

enum { PARSE_MAX_DEPTH = 200 }; /* nesting of expressions and blocks */

typedef struct parse_ctx {
    arena *arena;
    diag_sink *diags;
    ruleset *rs;
    const char *file;
    const char *src;
    size_t len;
    int errors;
    int depth;
    struct {
        const char *path; /* as written */
        src_loc loc;
        bool library;     /* import NAME: a file of the standard library */
    } *imports;
    int n_imports;
    /* scanner string buffer */
    char *sbuf;
    size_t slen, scap;
    void *scanner;
    node *cur;          /* the node whose body is being parsed */
    int lang;           /* KW_EN or KW_VI: which keywords this file uses */
    int lang_next;      /* the next word names the language */
    int items_seen;
    const char *target; /* the code, "total" or "index" of the expectation being parsed */
    param_decl param;   /* the parameter being parsed */
    int ccol_line, ccol_byte, ccol_chars; /* the last character column counted (parse_src_loc) */
    bool deep_reported;  /* "expression nested too deeply" said once */
    na_kind na_kind;    /* the result of the not-applicable clause being parsed */
    expr *na_value;
    chs_loc sbuf_start; /* where the string being scanned began */
    jmp_buf fatal;      /* the scanner's way out on an internal failure */
} parse_ctx;

src_loc parse_src_loc(const parse_ctx *pc, const chs_loc *l);
void parse_error(parse_ctx *pc, const chs_loc *l, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const char *parse_text(parse_ctx *pc, const chs_loc *l); /* the span's source text, in the arena */

/* Parse one file's text into pc->rs. Returns the number of errors. */
int parse_buffer(parse_ctx *pc);

#endif
