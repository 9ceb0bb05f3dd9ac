/* The keywords of the rule language, in English and in Vietnamese. A file is in English unless it
 * starts with `language vi` (or `ngôn_ngữ vi`); `chiso fmt` converts between the two.
 * Keep in order with nothing: lookups are by name. Editor grammars (editor/) are checked against
 * this table by a test. */
#include "keywords.h"

#include <string.h>

#include "parse_internal.h"
#include "parser.h"

static const keyword keywords[] = {
    {"import", "nhập", IMPORT},
    {"ruleset", "bộ_chỉ_số", RULESET},
    {"year", "năm", YEAR},
    {"source", "nguồn", SOURCE},
    {"round", "làm_tròn", ROUND},
    {"index", "chỉ_số", INDEX},
    {"nodes", "mọi_nút", NODES},
    {"leaves", "chỉ_lá", LEAVES},
    {"total", "chỉ_tổng", TOTAL},
    {"half_up", "nửa_lên", HALF_UP},
    {"half_even", "nửa_chẵn", HALF_EVEN},
    {"fact", "dữ_kiện", FACT},
    {"def", "định_nghĩa", DEF},
    {"number", "số", T_NUMBER},
    {"percent", "phần_trăm", T_PERCENT},
    {"count", "số_đếm", T_COUNT},
    {"bool", "có_không", T_BOOL},
    {"date", "ngày", T_DATE},
    {"choice", "lựa_chọn", T_CHOICE},
    {"in", "trong", IN},
    {"area", "lĩnh_vực", AREA},
    {"criterion", "tiêu_chí", CRITERION},
    {"bonus", "điểm_thưởng", BONUS},
    {"max", "tối_đa", MAX},
    {"min", "tối_thiểu", MIN},
    {"range", "khoảng", RANGE},
    {"evidence", "kiểm_chứng", EVIDENCE},
    {"note", "ghi_chú", NOTE},
    {"let", "đặt", LET},
    {"score", "điểm", SCORE},
    {"by", "theo", BY},
    {"sum", "tổng", SUM},
    {"not", "không", NOT},
    {"applicable", "áp_dụng", APPLICABLE},
    {"if", "nếu", IF},
    {"unless", "trừ_khi", UNLESS},
    {"then", "thì", THEN},
    {"else", "còn_lại", ELSE},
    {"and", "và", AND},
    {"or", "hoặc", OR},
    {"true", "đúng", TRUE},
    {"false", "sai", FALSE},
    {"excluded", "loại_trừ", EXCLUDED},
    {"given", "cho_sẵn", GIVEN},
    {"classify", "xếp_loại", CLASSIFY},
    {"test", "kiểm_thử", TEST},
    {"expect", "kỳ_vọng", EXPECT},
    {"match", "xét", MATCH},
};

const keyword *keyword_table(int *n) {
    *n = (int)(sizeof keywords / sizeof *keywords);
    return keywords;
}

int keyword_token(const char *s, size_t len, int lang) {
    for (size_t i = 0; i < sizeof keywords / sizeof *keywords; i++) {
        const char *w = lang == KW_VI ? keywords[i].vi : keywords[i].en;
        if (strlen(w) == len && memcmp(w, s, len) == 0) return keywords[i].token;
    }
    return 0;
}

const char *keyword_spelling(int token, int lang) {
    for (size_t i = 0; i < sizeof keywords / sizeof *keywords; i++)
        if (keywords[i].token == token) return lang == KW_VI ? keywords[i].vi : keywords[i].en;
    return NULL;
}
