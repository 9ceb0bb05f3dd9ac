#define _POSIX_C_SOURCE 200809L /* open_memstream */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

typedef struct {
    char *buf;
    size_t size;
    FILE *f;
    diag_sink *sink;
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    if (!fx) return -1;
    fx->f = open_memstream(&fx->buf, &fx->size);
    fx->sink = diag_sink_new(fx->f);
    if (!fx->f || !fx->sink) return -1;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    diag_sink_free(fx->sink);
    fclose(fx->f);
    free(fx->buf);
    free(fx);
    return 0;
}

static const char *output(fixture *fx)
{
    fflush(fx->f);
    return fx->buf;
}

/* A pointer into one constant string, so that several calls can share a printf. */
static const char *spaces(int n)
{
    static const char pad[] = "                                                  ";
    assert_true(n >= 0 && (size_t)n < sizeof pad);
    return pad + (sizeof pad - 1 - (size_t)n);
}

static void test_vietnamese_caret(void **state)
{
    fixture *fx = *state;
    static const char src[] = "ruleset \"PAR\"\ncriterion 1.1 \"C\xc3\xb4ng t\xc3\xa1" "c\" max x\n";
    diag_sink_add_source(fx->sink, "r.chiso", src, sizeof src - 1);
    /* 29 characters (31 bytes: ô and á take two) precede the x */
    src_loc loc = {"r.chiso", 2, 32, 1, 0};
    diag_emit(fx->sink, DIAG_ERROR, &loc, NULL, 0, "unknown name '%s'", "x");
    char want[256];
    snprintf(want, sizeof want,
             "r.chiso:2:30: error: unknown name 'x'\n"
             "criterion 1.1 \"C\xc3\xb4ng t\xc3\xa1" "c\" max x\n"
             "%s^\n",
             spaces(29));
    assert_string_equal(output(fx), want);
    assert_int_equal(diag_errors(fx->sink), 1);
    assert_int_equal(diag_warnings(fx->sink), 0);
}

static void test_span_tildes(void **state)
{
    fixture *fx = *state;
    static const char src[] = "criterion 1.1 \"C\xc3\xb4ng t\xc3\xa1" "c\" max x\n";
    diag_sink_add_source(fx->sink, "r.chiso", src, sizeof src - 1);
    src_loc kw = {"r.chiso", 1, 28, 3, 0}; /* "max": 27 bytes, 25 characters before it */
    diag_emit(fx->sink, DIAG_WARNING, &kw, NULL, 0, "w");
    src_loc title = {"r.chiso", 1, 15, 12, 0}; /* the quoted title: 12 bytes, 10 columns */
    diag_emit(fx->sink, DIAG_NOTE, &title, NULL, 0, "n");
    char want[512];
    snprintf(want, sizeof want,
             "r.chiso:1:26: warning: w\n%.*s\n%s^~~\n"
             "r.chiso:1:15: note: n\n%.*s\n%s^~~~~~~~~~\n",
             (int)sizeof src - 2, src, spaces(25), (int)sizeof src - 2, src, spaces(14));
    assert_string_equal(output(fx), want);
    assert_int_equal(diag_errors(fx->sink), 0);
    assert_int_equal(diag_warnings(fx->sink), 1);
}

/* Decomposed ô (o + U+0302): characters and display columns differ. */
static void test_combining_mark(void **state)
{
    fixture *fx = *state;
    static const char line[] = "Co\xcc\x82ng x";
    src_loc loc = {"nfd.chiso", 1, 8, 1, 0};
    diag_emit(fx->sink, DIAG_ERROR, &loc, line, sizeof line - 1, "e");
    assert_string_equal(output(fx), "nfd.chiso:1:7: error: e\nCo\xcc\x82ng x\n     ^\n");
}

static void test_wide_characters(void **state)
{
    fixture *fx = *state;
    static const char line[] = "x = \"\xe6\xbc\xa2\xe5\xad\x97\" + y"; /* 漢字: 3 bytes, 2 columns each */
    src_loc loc = {"w.chiso", 1, 16, 1, 0};
    diag_emit(fx->sink, DIAG_ERROR, &loc, line, sizeof line - 1, "e");
    src_loc both = {"w.chiso", 1, 6, 6, 0};
    diag_emit(fx->sink, DIAG_NOTE, &both, line, sizeof line - 1, "n");
    char want[256];
    snprintf(want, sizeof want, "w.chiso:1:12: error: e\n%s\n%s^\nw.chiso:1:6: note: n\n%s\n     ^~~~\n",
             line, spaces(13), line);
    assert_string_equal(output(fx), want);
}

static void test_tabs_kept(void **state)
{
    fixture *fx = *state;
    static const char src[] = "\tscore\tx\n";
    diag_sink_add_source(fx->sink, "t.chiso", src, sizeof src - 1);
    src_loc loc = {"t.chiso", 1, 8, 1, 0};
    diag_emit(fx->sink, DIAG_ERROR, &loc, NULL, 0, "e");
    assert_string_equal(output(fx), "t.chiso:1:8: error: e\n\tscore\tx\n\t     \t^\n");
}

static void test_crlf_source(void **state)
{
    fixture *fx = *state;
    static const char src[] = "line one\r\nbad here\r\nthird\r\n";
    diag_sink_add_source(fx->sink, "c.chiso", src, sizeof src - 1);
    src_loc loc = {"c.chiso", 2, 5, 4, 0};
    diag_emit(fx->sink, DIAG_ERROR, &loc, NULL, 0, "msg");
    src_loc last = {"c.chiso", 3, 6, 0, 0}; /* just after the last character */
    diag_emit(fx->sink, DIAG_ERROR, &last, NULL, 0, "eol");
    const char *out = output(fx);
    assert_string_equal(out, "c.chiso:2:5: error: msg\nbad here\n    ^~~~\n"
                             "c.chiso:3:6: error: eol\nthird\n     ^\n");
    assert_null(strchr(out, '\r'));
    assert_int_equal(diag_errors(fx->sink), 2);
}

static void test_no_line(void **state)
{
    fixture *fx = *state;
    src_loc loc = {"facts.csv", 0, 0, 0, 0};
    diag_emit(fx->sink, DIAG_ERROR, &loc, NULL, 0, "cannot open: %s", "No such file");
    diag_emit(fx->sink, DIAG_WARNING, &loc, "ignored", 7, "w %d", 2);
    diag_emit(fx->sink, DIAG_NOTE, NULL, NULL, 0, "bare");
    assert_string_equal(output(fx), "facts.csv: error: cannot open: No such file\n"
                                    "facts.csv: warning: w 2\n"
                                    "note: bare\n");
    assert_int_equal(diag_errors(fx->sink), 1);
    assert_int_equal(diag_warnings(fx->sink), 1);
}

static void test_line_text_fallback(void **state)
{
    fixture *fx = *state;
    /* a streamed CSV row, passed with its CRLF */
    static const char row[] = "H\xc3\xa0 N\xe1\xbb\x99i,85%,x\r\n";
    src_loc loc = {"data.csv", 3, 15, 1, 0};
    diag_emit(fx->sink, DIAG_ERROR, &loc, row, sizeof row - 1, "bad value");
    char want[256];
    snprintf(want, sizeof want, "data.csv:3:12: error: bad value\n%.*s\n%s^\n", (int)sizeof row - 3, row,
             spaces(11));
    assert_string_equal(output(fx), want);
}

static void test_registered_text_wins(void **state)
{
    fixture *fx = *state;
    diag_sink_add_source(fx->sink, "a.chiso", "one\ntwo\n", 8);
    src_loc loc = {"a.chiso", 2, 2, 1, 0};
    diag_emit(fx->sink, DIAG_ERROR, &loc, "other", 5, "e");
    src_loc past = {"a.chiso", 9, 2, 1, 0}; /* beyond the file: falls back to line_text */
    diag_emit(fx->sink, DIAG_ERROR, &past, "other", 5, "e");
    src_loc none = {"b.chiso", 4, 7, 2, 0}; /* nothing to quote: the byte column is all we have */
    diag_emit(fx->sink, DIAG_ERROR, &none, NULL, 0, "e");
    assert_string_equal(output(fx), "a.chiso:2:2: error: e\ntwo\n ^\n"
                                    "a.chiso:9:2: error: e\nother\n ^\n"
                                    "b.chiso:4:7: error: e\n");
}

static void test_several_files_and_replacement(void **state)
{
    fixture *fx = *state;
    char names[6][16];
    for (int i = 0; i < 6; i++) { /* more than the initial capacity */
        snprintf(names[i], sizeof names[i], "f%d.chiso", i);
        diag_sink_add_source(fx->sink, names[i], "first\nsecond", 12);
    }
    diag_sink_add_source(fx->sink, "f3.chiso", "alpha\nbeta", 10);
    src_loc a = {"f3.chiso", 2, 1, 4, 0};
    diag_emit(fx->sink, DIAG_ERROR, &a, NULL, 0, "e");
    src_loc b = {"f5.chiso", 2, 3, 0, 0};
    diag_emit(fx->sink, DIAG_ERROR, &b, NULL, 0, "e");
    assert_string_equal(output(fx), "f3.chiso:2:1: error: e\nbeta\n^~~~\n"
                                    "f5.chiso:2:3: error: e\nsecond\n  ^\n");
}

static void test_big_file_index(void **state)
{
    fixture *fx = *state;
    size_t cap = 1000 * 16, len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    for (int i = 1; i <= 1000; i++) len += (size_t)snprintf(text + len, cap - len, "line %d\n", i);
    diag_sink_add_source(fx->sink, "big.chiso", text, len);
    src_loc l777 = {"big.chiso", 777, 6, 3, 0}, l1 = {"big.chiso", 1, 1, 4, 0}, l1000 = {"big.chiso", 1000, 6, 4, 0};
    diag_emit(fx->sink, DIAG_ERROR, &l777, NULL, 0, "a");
    diag_emit(fx->sink, DIAG_ERROR, &l1, NULL, 0, "b");
    diag_emit(fx->sink, DIAG_ERROR, &l1000, NULL, 0, "c");
    assert_string_equal(output(fx), "big.chiso:777:6: error: a\nline 777\n     ^~~\n"
                                    "big.chiso:1:1: error: b\nline 1\n^~~~\n"
                                    "big.chiso:1000:6: error: c\nline 1000\n     ^~~~\n");
    diag_sink_free(fx->sink); /* before the text goes away */
    fx->sink = NULL;
    free(text);
}

static void test_column_edge_cases(void **state)
{
    fixture *fx = *state;
    src_loc beyond = {"e", 1, 10, 1, 0};
    diag_emit(fx->sink, DIAG_ERROR, &beyond, "abc", 3, "beyond");
    src_loc long_span = {"e", 1, 2, 10, 0};
    diag_emit(fx->sink, DIAG_ERROR, &long_span, "abc", 3, "clamped");
    src_loc mid = {"e", 1, 3, 1, 0}; /* second byte of ô */
    diag_emit(fx->sink, DIAG_ERROR, &mid, "C\xc3\xb4ng", 5, "inside");
    src_loc no_col = {"e", 4, 0, 0, 0};
    diag_emit(fx->sink, DIAG_ERROR, &no_col, "whole line", 10, "no column");
    src_loc zero_width = {"e", 1, 2, 2, 0}; /* only a combining mark */
    diag_emit(fx->sink, DIAG_ERROR, &zero_width, "o\xcc\x82", 3, "zero width");
    assert_string_equal(output(fx), "e:1:4: error: beyond\nabc\n   ^\n"
                                    "e:1:2: error: clamped\nabc\n ^~\n"
                                    "e:1:2: error: inside\nC\xc3\xb4ng\n ^\n"
                                    "e:4: error: no column\nwhole line\n"
                                    "e:1:2: error: zero width\no\xcc\x82\n ^\n");
}

static void test_invalid_utf8(void **state)
{
    fixture *fx = *state;
    src_loc loc = {"bad.csv", 1, 5, 1, 0};
    diag_emit(fx->sink, DIAG_ERROR, &loc, "a\xff" "b c", 5, "e");
    src_loc trunc = {"bad.csv", 2, 5, 1, 0}; /* a truncated 3-byte sequence counts byte by byte */
    diag_emit(fx->sink, DIAG_ERROR, &trunc, "\xe1\xbb" "x y", 5, "e");
    /* the quoted line stays valid UTF-8: each malformed byte is shown as U+FFFD, one column */
    assert_string_equal(output(fx), "bad.csv:1:5: error: e\na\xef\xbf\xbd" "b c\n    ^\n"
                                    "bad.csv:2:5: error: e\n\xef\xbf\xbd\xef\xbf\xbd" "x y\n    ^\n");
}

static void test_nul_bytes(void **state)
{
    fixture *fx = *state;
    static const char src[] = "a\0b x\nsecond\0line\n";
    diag_sink_add_source(fx->sink, "nul.csv", src, sizeof src - 1);
    src_loc first = {"nul.csv", 1, 5, 1, 0};
    diag_emit(fx->sink, DIAG_ERROR, &first, NULL, 0, "e");
    src_loc second = {"nul.csv", 2, 8, 4, 0};
    diag_emit(fx->sink, DIAG_ERROR, &second, NULL, 0, "e");
    /* NUL is shown as U+2400 (a one-column picture), so the caret still lines up */
    static const char want[] = "nul.csv:1:5: error: e\na\xe2\x90\x80" "b x\n    ^\n"
                               "nul.csv:2:8: error: e\nsecond\xe2\x90\x80" "line\n       ^~~~\n";
    fflush(fx->f);
    assert_int_equal(fx->size, sizeof want - 1);
    assert_memory_equal(fx->buf, want, sizeof want - 1);
}

/* A 1000-character line is quoted as 240 bytes around the caret, "…" marking both cuts. */
static void test_long_line_window(void **state)
{
    fixture *fx = *state;
    char line[1001];
    memset(line, 'a', 1000);
    line[1000] = '\0';
    src_loc loc = {"long.csv", 1, 600, 1, 0};
    diag_emit(fx->sink, DIAG_ERROR, &loc, line, 1000, "e");
    char want[1200];
    int n = snprintf(want, sizeof want, "long.csv:1:600: error: e\n\xE2\x80\xA6%.240s\xE2\x80\xA6\n%*s^\n",
                     line, 121, "");
    assert_true(n > 0 && (size_t)n < sizeof want);
    assert_string_equal(output(fx), want);
}

static void test_counts_without_output(void **state)
{
    (void)state;
    diag_sink *s = diag_sink_new(NULL);
    assert_non_null(s);
    src_loc loc = {"x", 1, 1, 0, 0};
    diag_emit(s, DIAG_ERROR, &loc, "abc", 3, "e");
    diag_emit(s, DIAG_ERROR, NULL, NULL, 0, "e");
    diag_emit(s, DIAG_WARNING, &loc, NULL, 0, "w");
    diag_emit(s, DIAG_NOTE, &loc, NULL, 0, "n");
    assert_int_equal(diag_errors(s), 2);
    assert_int_equal(diag_warnings(s), 1);
    diag_sink_free(s);
    diag_emit(NULL, DIAG_ERROR, &loc, NULL, 0, "ignored");
    assert_int_equal(diag_errors(NULL), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_vietnamese_caret),
        T(test_span_tildes),
        T(test_combining_mark),
        T(test_wide_characters),
        T(test_tabs_kept),
        T(test_crlf_source),
        T(test_no_line),
        T(test_line_text_fallback),
        T(test_registered_text_wins),
        T(test_several_files_and_replacement),
        T(test_big_file_index),
        T(test_column_edge_cases),
        T(test_invalid_utf8),
        T(test_nul_bytes),
        T(test_long_line_window),
        cmocka_unit_test(test_counts_without_output),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
