/* Shared by the fuzz targets (tests/fuzz/README.md): locating the repository's rule files, a
 * diagnostics sink that formats every message (source line, caret) but writes it nowhere, and
 * keeping the process away from its standard input. */
#ifndef CHISO_FUZZ_COMMON_H
#define CHISO_FUZZ_COMMON_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "diag.h"
#include "load.h"

/* Where diagnostics go: /dev/null unless CHISO_FUZZ_VERBOSE is set (then stderr), which helps
 * when replaying one input by hand. */
static inline FILE *fuzz_out(void) {
    static FILE *out;
    if (!out) {
        out = getenv("CHISO_FUZZ_VERBOSE") ? stderr : fopen("/dev/null", "w");
        if (!out) out = stderr;
    }
    return out;
}

/* A rule file may `import "-"` (standard input) or any path; a fuzzer must never block on a
 * terminal, so standard input is /dev/null for the whole run. */
static inline void fuzz_quiet_stdin(void) {
    if (!freopen("/dev/null", "r", stdin)) {
        /* nothing better to do: the run goes on */
    }
}

/* Loads a rule file of the repository, found by (1) $CHISO_FUZZ_ROOT/rel, (2) the source tree
 * this target was built from (CHISO_SOURCE_DIR, set by CMake), (3) rel from the current
 * directory. Exits (the fuzzer cannot run without it) if none loads. */
static inline ruleset *fuzz_load_repo_rules(const char *rel) {
    const char *roots[3] = {getenv("CHISO_FUZZ_ROOT"),
#ifdef CHISO_SOURCE_DIR
                            CHISO_SOURCE_DIR,
#else
                            NULL,
#endif
                            "."};
    for (int i = 0; i < 3; i++) {
        if (!roots[i] || !*roots[i]) continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", roots[i], rel);
        FILE *f = fopen(path, "rb");
        if (!f) continue;
        fclose(f);
        diag_sink *d = diag_sink_new(stderr);
        diag_sink_hide_warnings(d, true);
        ruleset *rs = load_rules(path, d);
        diag_sink_free(d);
        if (rs) return rs;
        fprintf(stderr, "fuzz: %s does not load\n", path);
        exit(1);
    }
    fprintf(stderr, "fuzz: cannot find %s (set CHISO_FUZZ_ROOT to the repository root)\n", rel);
    exit(1);
}

#endif
