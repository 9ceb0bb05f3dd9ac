#include "jsonutil.h"

#include <stdlib.h>
#include <string.h>

#include "textutil.h"

json_t *json_text(const char *s)
{
    if (!s) return json_null();
    json_t *j = json_string(s);
    if (j) return j;
    size_t len = strlen(s);
    char *clean = malloc(3 * len + 1), *o = clean; /* a bad byte (1) becomes U+FFFD (3) */
    if (!clean) return NULL;
    for (size_t i = 0; i < len;) {
        int32_t cp;
        size_t k = text_next_cp(s + i, len - i, &cp);
        if (cp < 0) memcpy(o, TEXT_REPLACEMENT, 3), o += 3;
        else memcpy(o, s + i, k), o += k;
        i += k;
    }
    *o = '\0';
    j = json_string(clean);
    free(clean);
    return j;
}

json_t *json_dec(dec_t d)
{
    char num[DEC_FMT_MAX];
    dec_format(d, -1, num, sizeof num);
    return json_string(num);
}
