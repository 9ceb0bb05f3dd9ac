/* Vietnamese forms of the diagnostics' message formats. Each entry keeps the English format's
 * conversions (%s, %d, %zu...) in the same order; tests/messages_vi.sh checks that every format
 * used by the library has an entry here. */
#include <string.h>

#include "diag.h"

static const struct {
    const char *en, *vi;
} messages[] = {
    {"unknown name '%s'; did you mean '%s'?", "không có tên '%s'; có phải là '%s'?"},
};

const char *diag_translate_vi(const char *fmt) {
    for (size_t i = 0; i < sizeof messages / sizeof *messages; i++)
        if (strcmp(messages[i].en, fmt) == 0) return messages[i].vi;
    return NULL;
}

const char *diag_tr(const char *fmt) {
    const char *vi = diag_default_lang() == DIAG_VI ? diag_translate_vi(fmt) : NULL;
    return vi ? vi : fmt;
}
