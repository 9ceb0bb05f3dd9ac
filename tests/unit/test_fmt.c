/* chiso fmt (src/fmt.c): spacing, indentation, blank lines, alignment, keyword conversion, refusal
 * of broken files; and, over every rule file of the repository (rules/, stdlib/, the inline files
 * of the golden and diagnostic tests): idempotence, en -> vi -> en round trips, and the same
 * `check` result before and after. Expected texts are written by hand from docs/fmt.md. */
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "fmt.h"
#include "keywords.h"
#include "load.h"

/* Formats `in`; returns the text (malloc'd) or NULL, with the status and the messages. */
static char *fmt_msgs(const char *in, size_t len, int to, fmt_status *st, char **msgs) {
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    assert_non_null(f);
    diag_sink *d = diag_sink_new(f);
    assert_non_null(d);
    fmt_opts o = {to};
    char *out = NULL;
    size_t out_len = 0;
    *st = fmt_buffer("t.chiso", in, len, &o, d, &out, &out_len);
    diag_sink_free(d);
    fclose(f);
    if (out) assert_int_equal(strlen(out), out_len);
    if (msgs) *msgs = buf;
    else free(buf);
    return out;
}

static char *fmt_to(const char *in, int to) {
    fmt_status st;
    char *msgs = NULL;
    char *out = fmt_msgs(in, strlen(in), to, &st, &msgs);
    if (st != FMT_OK) fprintf(stderr, "fmt failed (%d) on:\n%s\nmessages:\n%s\n", st, in, msgs);
    free(msgs);
    assert_int_equal(st, FMT_OK);
    return out;
}

/* in formats to want, and want is a fixed point. */
static void check_fmt(const char *in, const char *want) {
    char *out = fmt_to(in, FMT_KEEP_LANG);
    if (strcmp(out, want) != 0)
        fprintf(stderr, "input:\n%s\nwant:\n%s\ngot:\n%s\n", in, want, out);
    assert_string_equal(out, want);
    char *again = fmt_to(out, FMT_KEEP_LANG);
    assert_string_equal(again, out);
    free(again);
    free(out);
}

static void check_conv(const char *in, int to, const char *want) {
    char *out = fmt_to(in, to);
    if (strcmp(out, want) != 0)
        fprintf(stderr, "input:\n%s\nwant:\n%s\ngot:\n%s\n", in, want, out);
    assert_string_equal(out, want);
    free(out);
}

/* ---------------------------------------------------------------------------------------------
 * Spaces inside a line
 * --------------------------------------------------------------------------------------------- */

static void test_one_space_between_tokens(void **state) {
    (void)state;
    check_fmt("fact   co_tthc :bool\t\"Có TTHC\"\n", "fact co_tthc: bool \"Có TTHC\"\n");
    check_fmt("def z=hs_dung_han/hs_tiep_nhan*100%\n", "def z = hs_dung_han / hs_tiep_nhan * 100%\n");
    check_fmt("def a = x>=1 and y!=2 or not z<=3\n", "def a = x >= 1 and y != 2 or not z <= 3\n");
    /* strings are kept exactly, escapes and inner spaces included */
    check_fmt("ruleset  \"a  \\\"b\\\"\\t\"   \"c\" { }\n", "ruleset \"a  \\\"b\\\"\\t\" \"c\" {}\n");
}

static void test_brackets_and_punctuation(void **state) {
    (void)state;
    check_fmt("def a = ( x + 1 ) * ( y )\n", "def a = (x + 1) * (y)\n");
    check_fmt("area 1 \"A\" max 1 { score by x { du , thieu => 1 ; else => 0 ; } }\n",
              "area 1 \"A\" max 1 { score by x { du, thieu => 1; else => 0; } }\n");
    check_fmt("def f ( x : percent , d ) = x\n", "def f(x: percent, d) = x\n");
}

static void test_ranges(void **state) {
    (void)state;
    check_fmt("fact t: percent \"T\" in 0% .. 100%\n", "fact t: percent \"T\" in 0%..100%\n");
    check_fmt("fact n: number \"N\" in 1..2\n", "fact n: number \"N\" in 1..2\n");
    check_fmt("fact d: date \"D\" in 2024-01-01 ..2024-12-31\n",
              "fact d: date \"D\" in 2024-01-01..2024-12-31\n");
    check_fmt("area 1 \"A\" max 1 { score by x { 85% .. < 100% => 1; 85%..<100% => 1; "
              "1.5 .. 2.5 => 1 } }\n",
              "area 1 \"A\" max 1 { score by x { 85%..<100% => 1; 85%..<100% => 1; 1.5..2.5 => 1 } }\n");
    check_fmt("bonus 8 \"B\" range - 3 .. 3 { score 1 }\n", "bonus 8 \"B\" range -3..3 { score 1 }\n");
    check_fmt("area 1 \"A\" max 1 { score by x { -3 .. - 1 => 1; -1..<-0.5 => 0 } }\n",
              "area 1 \"A\" max 1 { score by x { -3..-1 => 1; -1..<-0.5 => 0 } }\n");
    /* comparisons as patterns are operators like any other: a space after them */
    check_fmt("area 1 \"A\" max 1 { score by x { >=2 => 1; <85% => 0 } }\n",
              "area 1 \"A\" max 1 { score by x { >= 2 => 1; < 85% => 0 } }\n");
}

static void test_signs(void **state) {
    (void)state;
    check_fmt("def a = - x\n", "def a = -x\n");
    check_fmt("def a = x - - 1\n", "def a = x - -1\n");
    check_fmt("def a = x-1\n", "def a = x - 1\n");
    check_fmt("def a = ( - x ) * - ( y )\n", "def a = (-x) * -(y)\n");
    check_fmt("def a = if - 1 < x then - y else + 2\n", "def a = if -1 < x then -y else +2\n");
    check_fmt("def a = not - x\n", "def a = not -x\n");
    check_fmt("def a = f(- 1, - 2)\n", "def a = f(-1, -2)\n");
    /* after `max` (a value), `true`, `false`, a name, a number or ')' it is an operator */
    check_fmt("def a = max -1\n", "def a = max - 1\n");
    check_fmt("def a = true -1\n", "def a = true - 1\n");
    check_fmt("def a = (x) -1\n", "def a = (x) - 1\n");
    check_fmt("def a = 2 -1\n", "def a = 2 - 1\n");
    check_fmt("test \"t\" { given x = - 1 expect 1 = - 0.5 }\n",
              "test \"t\" { given x = -1 expect 1 = -0.5 }\n");
    check_fmt("area 1 \"A\" max 1 { score by x { du => - 1 ; - 2 => 0 } }\n",
              "area 1 \"A\" max 1 { score by x { du => -1; -2 => 0 } }\n");
    /* at the start of a line after an operand, a sign stays an operator */
    check_fmt("def a = x\n- 1\n", "def a = x\n  - 1\n");
    check_fmt("def a = x\n< 1\n", "def a = x\n  < 1\n");
    check_fmt("def a = x -\n  1\n", "def a = x -\n  1\n");
}

static void test_calls(void **state) {
    (void)state;
    check_fmt("def a = max (x , min( 1,2 ) )\n", "def a = max(x, min(1, 2))\n");
    check_fmt("def a = f (x) + g(y)\n", "def a = f(x) + g(y)\n");
    check_fmt("def a = not(x) and (y)\n", "def a = not (x) and (y)\n");
    check_fmt("def a = if(x) then(1) else(2)\n", "def a = if (x) then (1) else (2)\n");
    check_fmt("ngôn_ngữ vi\nđịnh_nghĩa a = tối_đa (x, tối_thiểu (1, 2))\n",
              "ngôn_ngữ vi\nđịnh_nghĩa a = tối_đa(x, tối_thiểu(1, 2))\n");
}

static void test_trailing_comments(void **state) {
    (void)state;
    check_fmt("def a = 1 # one   \n", "def a = 1  # one\n");
    check_fmt("def a = 1          # one\n", "def a = 1  # one\n");
    check_fmt("#no space after the hash is kept  \t\n", "#no space after the hash is kept\n");
    /* consecutive lines with trailing comments at the same indentation: aligned */
    check_fmt("ruleset \"R\" {\n"
              "  max 15 # a\n"
              "  round 2    # b\n"
              "  round index 2 # c\n"
              "  year 2024\n"
              "  source \"S\" # d\n"
              "}\n",
              "ruleset \"R\" {\n"
              "  max 15         # a\n"
              "  round 2        # b\n"
              "  round index 2  # c\n"
              "  year 2024\n"
              "  source \"S\"  # d\n"
              "}\n");
    /* widths are display widths: Vietnamese letters take one column */
    check_fmt("fact ngày_gửi: date # a\nfact x: date # b\n",
              "fact ngày_gửi: date  # a\nfact x: date         # b\n");
}

/* ---------------------------------------------------------------------------------------------
 * Lines
 * --------------------------------------------------------------------------------------------- */

static void test_blank_lines(void **state) {
    (void)state;
    check_fmt("\n\n\ndef a = 1\n\n\n\ndef b = 2\n\n\n", "def a = 1\n\ndef b = 2\n");
    check_fmt("area 1 \"A\" max 1 {\n\n\n  score 1\n\n\n}\n",
              "area 1 \"A\" max 1 {\n  score 1\n}\n");
    /* after a line ending with '{' even when a comment follows it; before a '}' line */
    check_fmt("area 1 \"A\" max 1 { # c\n\n  score 1\n\n  # d\n\n}\n",
              "area 1 \"A\" max 1 {  # c\n  score 1\n\n  # d\n}\n");
    check_fmt("def a = 1", "def a = 1\n");
    check_fmt("", "");
    check_fmt("\n\n  \n\t\n", "");
    check_fmt("# only a comment", "# only a comment\n");
    /* CRLF line ends become LF */
    check_fmt("def a = 1\r\n\r\ndef b = 2\r\n", "def a = 1\n\ndef b = 2\n");
}

static void test_indentation(void **state) {
    (void)state;
    check_fmt("area 1 \"A\" max 2 {\ncriterion 1.1 \"B\" max 2 {\n\t\t  evidence \"E\"\n"
              "score 1\n        }\n   }\n",
              "area 1 \"A\" max 2 {\n  criterion 1.1 \"B\" max 2 {\n    evidence \"E\"\n"
              "    score 1\n  }\n}\n");
    /* comment lines take the indentation of where they are */
    check_fmt("area 1 \"A\" max 1 {\n# inside\nscore 1\n}\n# outside\n",
              "area 1 \"A\" max 1 {\n  # inside\n  score 1\n}\n# outside\n");
    /* the author's line breaks stay; a '{' alone on its line */
    check_fmt("area 1 \"A\" max 1\n{ score 1 }\n", "area 1 \"A\" max 1\n{ score 1 }\n");
    /* several '}' at the start of a line dedent once each */
    check_fmt("area 1 \"A\" max 1 {\n criterion 1.1 \"B\" max 1 {\n score 1 } }\n",
              "area 1 \"A\" max 1 {\n  criterion 1.1 \"B\" max 1 {\n    score 1 } }\n");
    check_fmt("area 1 \"A\" max 1 {\n criterion 1.1 \"B\" max 1 {\n score 1\n} }\n",
              "area 1 \"A\" max 1 {\n  criterion 1.1 \"B\" max 1 {\n    score 1\n} }\n");
}

static void test_continuation_lines(void **state) {
    (void)state;
    /* a title continued on the next line */
    check_fmt("area 1 \"Tổ chức thực hiện \"\n\"văn bản\" max 1 {\nscore 1\n}\n",
              "area 1 \"Tổ chức thực hiện \"\n  \"văn bản\" max 1 {\n  score 1\n}\n");
    /* after an operator, before '*', '/', '=>', 'and', 'or', 'then' */
    check_fmt("def a = x +\ny\n", "def a = x +\n  y\n");
    check_fmt("def a = x\n* y\n", "def a = x\n  * y\n");
    check_fmt("def a = x and\ny\nor z\n", "def a = x and\n  y\n  or z\n");
    check_fmt("def a = if x\nthen 1\nelse 2\n", "def a = if x\n  then 1\n  else 2\n");
    /* inside brackets: one level per open bracket */
    check_fmt("def a = max(1,\n2,\nmin(3,\n4))\n", "def a = max(1,\n  2,\n  min(3,\n    4))\n");
    /* an arm over two lines */
    check_fmt("area 1 \"A\" max 1 {\nscore by x {\ndu =>\nmax;\nelse => 0\n}\n}\n",
              "area 1 \"A\" max 1 {\n  score by x {\n    du =>\n      max;\n    else => 0\n  }\n}\n");
    /* a test's given list hangs under its first assignment */
    check_fmt("test \"t\" {\n  given a = 1, b = 2,\n c = 3,\n  d = 4\n  expect 1 = 1\n}\n",
              "test \"t\" {\n  given a = 1, b = 2,\n        c = 3,\n        d = 4\n  expect 1 = 1\n}\n");
    /* a choice's options are not a continued list */
    check_fmt("fact t: choice \"T\" {\n  a \"A\",\n  b \"B\"\n}\n",
              "fact t: choice \"T\" {\n  a \"A\",\n  b \"B\"\n}\n");
}

/* ---------------------------------------------------------------------------------------------
 * Alignment
 * --------------------------------------------------------------------------------------------- */

static void test_align_arms(void **state) {
    (void)state;
    check_fmt("area 1 \"A\" max 4 {\n"
              "  score by z {\n"
              "    100% => 4;\n"
              "    85% ..<100%   => 2; # half\n"
              "    < 85% => 0\n"
              "  }\n"
              "}\n",
              "area 1 \"A\" max 4 {\n"
              "  score by z {\n"
              "    100%       => 4;\n"
              "    85%..<100% => 2;  # half\n"
              "    < 85%      => 0\n"
              "  }\n"
              "}\n");
    /* a blank line or a comment line ends a run; so does a line with two arms */
    check_fmt("area 1 \"A\" max 1 { score by x {\n"
              "  a => 1;\n  bbb => 1;\n\n  cc => 0;\n  # note\n  d => 0;\n  eeeee => 0; f => 0\n"
              "} }\n",
              "area 1 \"A\" max 1 { score by x {\n"
              "    a   => 1;\n    bbb => 1;\n\n    cc => 0;\n    # note\n    d => 0;\n"
              "    eeeee => 0; f => 0\n"
              "} }\n");
    /* parts of a sum, classes; an arm that closes its block belongs to the run */
    check_fmt("area 1 \"A\" max 1 {\n  score sum {\n    bc_dung_han => 0.5;\n    bc => 0.5 }\n}\n"
              "ruleset \"R\" {\n  classify {\n    >= 90% => \"Xuất sắc\";\n    80%..<90% => \"Tốt\";\n"
              "    else => \"Trung bình\"\n  }\n}\n",
              "area 1 \"A\" max 1 {\n  score sum {\n    bc_dung_han => 0.5;\n    bc          => 0.5 }\n}\n"
              "ruleset \"R\" {\n  classify {\n    >= 90%    => \"Xuất sắc\";\n"
              "    80%..<90% => \"Tốt\";\n    else      => \"Trung bình\"\n  }\n}\n");
    /* match arms in a def; arrows of other statements (not applicable) are not arms */
    check_fmt("def m(x) = match x {\n  a => 1;\n  bb, ccc => 2;\n  else => 0\n}\n"
              "area 1 \"A\" max 1 {\n  not applicable if a => 0\n  not applicable unless bbbb => max\n"
              "  score 1\n}\n",
              "def m(x) = match x {\n  a       => 1;\n  bb, ccc => 2;\n  else    => 0\n}\n"
              "area 1 \"A\" max 1 {\n  not applicable if a => 0\n  not applicable unless bbbb => max\n"
              "  score 1\n}\n");
    /* Vietnamese names: columns, not bytes */
    check_fmt("area 1 \"A\" max 1 { score by x {\n  đủ => 1;\n  du => 1;\n  thiếu_nhiều => 0\n} }\n",
              "area 1 \"A\" max 1 { score by x {\n    đủ          => 1;\n    du          => 1;\n"
              "    thiếu_nhiều => 0\n} }\n");
}

static void test_align_options(void **state) {
    (void)state;
    check_fmt("fact tt: choice \"Tuyên truyền\" {\n"
              "  du \"Triển khai đúng, đủ nội dung\"\n"
              "     thieu   \"Triển khai không đúng\" # x\n"
              "  khong \"Không triển khai\"\n"
              "}\n",
              "fact tt: choice \"Tuyên truyền\" {\n"
              "  du    \"Triển khai đúng, đủ nội dung\"\n"
              "  thieu \"Triển khai không đúng\"  # x\n"
              "  khong \"Không triển khai\"\n"
              "}\n");
    /* options with commas, a label in two strings; a line with two options is not aligned */
    check_fmt("fact t: choice \"T\" {\n  a \"A\",\n  bbb \"B\" \"C\",\n  c \"x\", d \"y\"\n  eeee \"E\"\n}\n",
              "fact t: choice \"T\" {\n  a   \"A\",\n  bbb \"B\" \"C\",\n  c \"x\", d \"y\"\n  eeee \"E\"\n}\n");
}

/* ---------------------------------------------------------------------------------------------
 * Keywords: English and Vietnamese
 * --------------------------------------------------------------------------------------------- */

static const char small_en[] =
    "# Thử\n"
    "ruleset \"Thử\" { year 2024 round 2 }\n"
    "fact co_tthc: bool \"Có TTHC\"\n"
    "fact tt: choice \"Tuyên truyền\" {\n"
    "  du    \"Đúng, đủ\"\n"
    "  thieu \"Thiếu\"\n"
    "}\n"
    "\n"
    "area 1 \"Chỉ đạo\" max 2 {\n"
    "  not applicable unless co_tthc => max\n"
    "  criterion 1.1 \"Tuyên truyền\" max 2 {\n"
    "    score by tt {\n"
    "      du    => max;\n"
    "      thieu => max * 50%\n"
    "    }\n"
    "  }\n"
    "}\n"
    "test \"t\" {\n"
    "  given co_tthc = true,\n"
    "        tt = thieu\n"
    "  expect total = 1\n"
    "}\n";

static const char small_vi[] =
    "ngôn_ngữ vi\n"
    "\n"
    "# Thử\n"
    "bộ_chỉ_số \"Thử\" { năm 2024 làm_tròn 2 }\n"
    "dữ_kiện co_tthc: có_không \"Có TTHC\"\n"
    "dữ_kiện tt: lựa_chọn \"Tuyên truyền\" {\n"
    "  du    \"Đúng, đủ\"\n"
    "  thieu \"Thiếu\"\n"
    "}\n"
    "\n"
    "lĩnh_vực 1 \"Chỉ đạo\" tối_đa 2 {\n"
    "  không áp_dụng trừ_khi co_tthc => tối_đa\n"
    "  tiêu_chí 1.1 \"Tuyên truyền\" tối_đa 2 {\n"
    "    điểm theo tt {\n"
    "      du    => tối_đa;\n"
    "      thieu => tối_đa * 50%\n"
    "    }\n"
    "  }\n"
    "}\n"
    "kiểm_thử \"t\" {\n"
    "  cho_sẵn co_tthc = đúng,\n"
    "          tt = thieu\n"
    "  kỳ_vọng chỉ_tổng = 1\n"
    "}\n";

static void test_convert(void **state) {
    (void)state;
    check_conv(small_en, KW_VI, small_vi);
    check_conv(small_vi, KW_EN, small_en);
    check_conv(small_vi, KW_VI, small_vi);
    check_conv(small_en, KW_EN, small_en);
    /* alignment is redone with the new widths */
    check_conv("area 1 \"A\" max 1 { score by x {\n  du   => max;\n  else => 0\n} }\n", KW_VI,
               "ngôn_ngữ vi\n\nlĩnh_vực 1 \"A\" tối_đa 1 { điểm theo x {\n    du      => tối_đa;\n"
               "    còn_lại => 0\n} }\n");
    /* the directive: rewritten in place, dropped with its line, or added */
    check_conv("language vi\nbộ_chỉ_số \"x\" { năm 2024 }\n", KW_VI,
               "ngôn_ngữ vi\nbộ_chỉ_số \"x\" { năm 2024 }\n");
    check_conv("language en\nruleset \"x\" { year 2024 }\n", KW_VI,
               "ngôn_ngữ vi\nbộ_chỉ_số \"x\" { năm 2024 }\n");
    check_conv("language en\nruleset \"x\" { year 2024 }\n", KW_EN, "ruleset \"x\" { year 2024 }\n");
    check_conv("# header\nngôn_ngữ vi  # keywords\n\nbộ_chỉ_số \"x\" { năm 2024 }\n", KW_EN,
               "# header\n# keywords\n\nruleset \"x\" { year 2024 }\n");
    check_conv("", KW_VI, "ngôn_ngữ vi\n");
    /* a keyword typed with combining accents is still a keyword; converted, it is written in NFC */
    check_conv("ngôn_ngữ vi\ndữ_kiện d: nga\xcc\x80y \"N\"\n", KW_EN, "fact d: date \"N\"\n");
    /* without --to, the file's keywords stay as written */
    check_fmt("ngôn_ngữ vi\ndữ_kiện d: nga\xcc\x80y \"N\"\n", "ngôn_ngữ vi\ndữ_kiện d: nga\xcc\x80y \"N\"\n");
    /* the words of a string or a comment are not keywords */
    check_conv("# max score\nfact x: bool \"max score\"\n", KW_VI,
               "ngôn_ngữ vi\n\n# max score\ndữ_kiện x: có_không \"max score\"\n");
}

static void test_convert_conflict(void **state) {
    (void)state;
    fmt_status st;
    char *msgs = NULL;
    const char *en = "fact sai: bool \"S\"\narea 1 \"A\" max 1 { score if sai then 1 else 0 }\n";
    char *out = fmt_msgs(en, strlen(en), KW_VI, &st, &msgs);
    assert_int_equal(st, FMT_CONFLICT);
    assert_null(out);
    assert_non_null(strstr(msgs, "t.chiso:1:6: error: 'sai' is a name here"));
    assert_non_null(strstr(msgs, "t.chiso:2:29: error: 'sai'"));
    free(msgs);
    const char *vi = "ngôn_ngữ vi\ndữ_kiện total: số \"T\"\n";
    out = fmt_msgs(vi, strlen(vi), KW_EN, &st, &msgs);
    assert_int_equal(st, FMT_CONFLICT);
    assert_null(out);
    assert_non_null(strstr(msgs, "t.chiso:2:9: error: 'total' is a name here"));
    free(msgs);
    /* formatting without conversion is fine */
    out = fmt_msgs(en, strlen(en), FMT_KEEP_LANG, &st, NULL);
    assert_int_equal(st, FMT_OK);
    free(out);
}

/* ---------------------------------------------------------------------------------------------
 * Refusal, byte order mark
 * --------------------------------------------------------------------------------------------- */

static void test_syntax_error_refused(void **state) {
    (void)state;
    static const char *const bad[] = {
        "area 1 \"A\" max 1 { score by x { 1 => 2 }\n",          /* '}' missing */
        "area 1 \"A\" max 1 { score 1 }}\n",                     /* one '}' too many */
        "fact x: bool \"unterminated\n",                          /* a string that does not end */
        "fact x: date \"D\" in 2024-02-30..2024-12-31\n",        /* not a real date */
        "def a = 1 ! 2\n",                                        /* a stray character */
        "ruleset \"x\" { year 2024 }\nlanguage vi\n",             /* language not first */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        fmt_status st;
        char *msgs = NULL;
        char *out = fmt_msgs(bad[i], strlen(bad[i]), FMT_KEEP_LANG, &st, &msgs);
        assert_int_equal(st, FMT_SYNTAX);
        assert_null(out);
        assert_non_null(strstr(msgs, "error"));
        free(msgs);
        out = fmt_msgs(bad[i], strlen(bad[i]), KW_VI, &st, NULL);
        assert_int_equal(st, FMT_SYNTAX);
        assert_null(out);
    }
}

static void test_bom_kept(void **state) {
    (void)state;
    check_fmt("\xEF\xBB\xBF" "def  a = 1\n", "\xEF\xBB\xBF" "def a = 1\n");
    check_conv("\xEF\xBB\xBF" "def a = 1\n", KW_VI, "\xEF\xBB\xBF" "ngôn_ngữ vi\n\nđịnh_nghĩa a = 1\n");
}

/* ---------------------------------------------------------------------------------------------
 * Every rule file of the repository
 * --------------------------------------------------------------------------------------------- */

typedef struct {
    int ok, errors, warnings, nodes, facts, defs, tests;
} check_result;

/* `chiso check` of a text, as numbers (line numbers of messages may differ, nothing else). */
static check_result check_text(const char *name, const char *text) {
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    assert_non_null(f);
    diag_sink *d = diag_sink_new(f);
    ruleset *rs = load_rules_buffer(name, text, strlen(text), d);
    check_result r = {rs != NULL, diag_errors(d), diag_warnings(d), 0, 0, 0, 0};
    if (rs) {
        r.nodes = rs->n_nodes;
        r.facts = rs->n_facts;
        r.defs = rs->n_defs;
        r.tests = rs->n_tests;
    }
    ruleset_free(rs);
    diag_sink_free(d);
    fclose(f);
    free(buf);
    return r;
}

static void assert_same_check(const char *what, const check_result *a, const check_result *b) {
    if (memcmp(a, b, sizeof *a) != 0)
        fprintf(stderr, "%s: check differs: ok %d/%d errors %d/%d warnings %d/%d nodes %d/%d\n", what,
                a->ok, b->ok, a->errors, b->errors, a->warnings, b->warnings, a->nodes, b->nodes);
    assert_memory_equal(a, b, sizeof *a);
}

/* fmt is idempotent on the file, keeps its `check` result, and en -> vi -> en gives it back. */
static void round_trip(const char *name, const char *text) {
    fmt_status st;
    char *one = fmt_msgs(text, strlen(text), FMT_KEEP_LANG, &st, NULL);
    check_result before = check_text(name, text);
    if (st == FMT_SYNTAX) {
        /* refused: then check refuses it too */
        assert_int_equal(before.ok, 0);
        return;
    }
    if (st != FMT_OK) fprintf(stderr, "%s: fmt failed (%d)\n", name, st);
    assert_int_equal(st, FMT_OK);
    char *two = fmt_to(one, FMT_KEEP_LANG);
    if (strcmp(one, two) != 0) fprintf(stderr, "%s: not idempotent\n", name);
    assert_string_equal(one, two);
    check_result after = check_text(name, one);
    assert_same_check(name, &before, &after);

    char *vi = fmt_msgs(one, strlen(one), KW_VI, &st, NULL);
    if (st == FMT_OK) {
        char *vi2 = fmt_to(vi, FMT_KEEP_LANG);
        assert_string_equal(vi, vi2);
        check_result in_vi = check_text(name, vi);
        assert_same_check(name, &before, &in_vi);
        char *en = fmt_to(vi, KW_EN);
        char *en_one = fmt_to(one, KW_EN); /* the file in English (its directive dropped) */
        if (strcmp(en, en_one) != 0) fprintf(stderr, "%s: en -> vi -> en differs\n", name);
        assert_string_equal(en, en_one);
        free(vi2);
        free(en);
        free(en_one);
    } else {
        assert_int_equal(st, FMT_CONFLICT); /* a name that is a Vietnamese keyword */
    }
    free(vi);
    free(one);
    free(two);
}

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    size_t k;
    while (buf && (k = fread(buf + n, 1, cap - n, f)) > 0) {
        n += k;
        if (n == cap) {
            cap *= 2;
            char *p = realloc(buf, cap + 1);
            if (!p) {
                free(buf);
                buf = NULL;
            }
            buf = p;
        }
    }
    fclose(f);
    if (buf) buf[n] = '\0';
    return buf;
}

static void test_repository_rule_files(void **state) {
    (void)state;
    glob_t g;
    memset(&g, 0, sizeof g);
    glob("rules/*.chiso", 0, NULL, &g);
    glob("stdlib/*.chiso", GLOB_APPEND, NULL, &g);
    glob("examples/*/*.chiso", GLOB_APPEND, NULL, &g);
    assert_true(g.gl_pathc >= 1); /* run from the repository root */
    for (size_t i = 0; i < g.gl_pathc; i++) {
        char *text = slurp(g.gl_pathv[i]);
        assert_non_null(text);
        round_trip(g.gl_pathv[i], text);
        free(text);
    }
    globfree(&g);
}

/* The inline files of tests/golden/ *.test and tests/diag/ *.test (`=== file NAME.chiso`). */
static void test_inline_test_files(void **state) {
    (void)state;
    glob_t g;
    memset(&g, 0, sizeof g);
    glob("tests/golden/*.test", 0, NULL, &g);
    glob("tests/diag/*.test", GLOB_APPEND, NULL, &g);
    assert_true(g.gl_pathc >= 1);
    int files = 0;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        char *text = slurp(g.gl_pathv[i]);
        assert_non_null(text);
        char *p = text, *body = NULL, name[256] = "";
        size_t blen = 0, bcap = 0;
        while (*p) {
            char *eol = strchr(p, '\n');
            size_t ll = eol ? (size_t)(eol - p) : strlen(p);
            int header = (ll >= 4 && memcmp(p, "=== ", 4) == 0) || (ll >= 4 && memcmp(p, "### ", 4) == 0);
            if (header) {
                if (name[0]) {
                    round_trip(name, body ? body : "");
                    files++;
                }
                name[0] = '\0';
                blen = 0;
                if (body) body[0] = '\0';
                if (ll > 9 && memcmp(p, "=== file ", 9) == 0 && ll - 9 < sizeof name &&
                    ll - 9 > 6 && memcmp(p + ll - 6, ".chiso", 6) == 0) {
                    memcpy(name, p + 9, ll - 9);
                    name[ll - 9] = '\0';
                }
            } else if (name[0]) {
                if (blen + ll + 2 > bcap) {
                    bcap = (blen + ll + 2) * 2;
                    body = realloc(body, bcap);
                    assert_non_null(body);
                }
                memcpy(body + blen, p, ll);
                blen += ll;
                body[blen++] = '\n';
                body[blen] = '\0';
            }
            p = eol ? eol + 1 : p + ll;
        }
        if (name[0]) {
            round_trip(name, body ? body : "");
            files++;
        }
        free(body);
        free(text);
    }
    globfree(&g);
    assert_true(files >= 10);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_space_between_tokens),
        cmocka_unit_test(test_brackets_and_punctuation),
        cmocka_unit_test(test_ranges),
        cmocka_unit_test(test_signs),
        cmocka_unit_test(test_calls),
        cmocka_unit_test(test_trailing_comments),
        cmocka_unit_test(test_blank_lines),
        cmocka_unit_test(test_indentation),
        cmocka_unit_test(test_continuation_lines),
        cmocka_unit_test(test_align_arms),
        cmocka_unit_test(test_align_options),
        cmocka_unit_test(test_convert),
        cmocka_unit_test(test_convert_conflict),
        cmocka_unit_test(test_syntax_error_refused),
        cmocka_unit_test(test_bom_kept),
        cmocka_unit_test(test_repository_rule_files),
        cmocka_unit_test(test_inline_test_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
