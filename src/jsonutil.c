#include "jsonutil.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

json_t *json_text(const char *s)
{
    if (!s) return json_null();
    json_t *j = json_string(s);
    if (j) return j;
    size_t len = strlen(s);
    char *clean = malloc(3 * len + 1), *o = clean; /* a bad byte (1) becomes U+FFFD (3) */
    if (!clean) return NULL;
    for (size_t i = 0; i < len;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                              len - i > 4 ? 4 : (utf8proc_ssize_t)(len - i), &cp);
        if (k <= 0 || cp < 0) {
            memcpy(o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        } else {
            memcpy(o, s + i, (size_t)k);
            o += k;
            i += (size_t)k;
        }
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
