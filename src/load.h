/* Loading a rule set: read the file, parse it and its imports, check it. */
#ifndef CHISO_LOAD_H
#define CHISO_LOAD_H
#include "ast.h"
#include "diag.h"

enum {
    LOAD_MAX_FILE = 64 * 1024 * 1024, /* bytes of one rule file */
    LOAD_MAX_IMPORT_DEPTH = 16
};

/* Returns the checked rule set, or NULL if there were errors (all reported to d). Warnings are
 * reported too and do not fail the load. */
ruleset *load_rules(const char *path, diag_sink *d);

/* The same from a buffer (tests, fuzzing); imports are resolved relative to the current directory. */
ruleset *load_rules_buffer(const char *name, const char *text, size_t len, diag_sink *d);

void ruleset_free(ruleset *rs);

/* Read a whole file (at most max bytes) into malloc'd memory; reports problems to d. */
char *load_read_file(const char *path, size_t max, size_t *len, diag_sink *d);

#endif
