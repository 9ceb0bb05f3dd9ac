#define _DEFAULT_SOURCE /* realpath */
#include "load.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "parse_internal.h"

char *load_read_file(const char *path, size_t max, size_t *len, diag_sink *d) {
    src_loc at = {path, 0, 0, 0, 0};
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        diag_emit(d, DIAG_ERROR, &at, NULL, 0, "cannot open: %s", strerror(errno));
        return NULL;
    }
    size_t cap = 64 * 1024, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        if (n == cap) {
            if (cap >= max) break;
            cap = cap * 2 > max ? max : cap * 2;
            char *p = realloc(buf, cap + 1);
            if (!p) { free(buf); buf = NULL; break; }
            buf = p;
        }
        size_t k = fread(buf + n, 1, cap - n, f);
        if (k == 0) break;
        n += k;
    }
    int too_big = buf && n == max && fgetc(f) != EOF;
    int err = ferror(f);
    if (f != stdin) fclose(f);
    if (!buf) {
        diag_emit(d, DIAG_ERROR, &at, NULL, 0, "out of memory");
        return NULL;
    }
    if (err || too_big) {
        if (too_big)
            diag_emit(d, DIAG_ERROR, &at, NULL, 0, "file too large (the limit is %zu MiB)",
                      max / (1024 * 1024));
        else
            diag_emit(d, DIAG_ERROR, &at, NULL, 0, "read error");
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

typedef struct {
    ruleset *rs;
    diag_sink *d;
    const char *chain[LOAD_MAX_IMPORT_DEPTH + 1]; /* real paths being loaded, for cycles */
    int depth;
    const char **done; int n_done;                /* real paths already loaded */
    int errors;
} loader;

static void parse_text_into(loader *ld, const char *name, char *text, size_t len);

/* Parse `path` and, depth first, what it imports. */
static void load_one(loader *ld, const char *path, const src_loc *from) {
    const char *base = strrchr(path, '/');
    if (from && strcmp(base ? base + 1 : path, "-") == 0) {
        /* "-" means standard input on the command line; an import must name a file */
        diag_emit(ld->d, DIAG_ERROR, from, NULL, 0, "import \"-\": an import names a file, not standard input");
        ld->errors++;
        return;
    }
    char real[PATH_MAX];
    const char *key = realpath(path, real) ? real : path;
    for (int i = 0; i < ld->depth; i++) {
        if (strcmp(ld->chain[i], key) == 0) {
            diag_emit(ld->d, DIAG_ERROR, from, NULL, 0, "import cycle: '%s' is imported again while it is being loaded", path);
            ld->errors++;
            return;
        }
    }
    for (int i = 0; i < ld->n_done; i++)
        if (strcmp(ld->done[i], key) == 0) return; /* imported twice: once is enough */
    if (ld->depth >= LOAD_MAX_IMPORT_DEPTH) {
        diag_emit(ld->d, DIAG_ERROR, from, NULL, 0, "imports nested more than %d deep",
                  LOAD_MAX_IMPORT_DEPTH);
        ld->errors++;
        return;
    }
    size_t len = 0;
    const char *name = arena_strdup(ld->rs->arena, path);
    char *text = load_read_file(path, LOAD_MAX_FILE, &len, ld->d);
    if (!text) {
        if (from) {
            diag_emit(ld->d, DIAG_NOTE, from, NULL, 0, "imported here");
        }
        ld->errors++;
        return;
    }
    char *kept = arena_strndup(ld->rs->arena, text, len); /* the diag sink quotes from it */
    free(text);
    ld->done = AST_PUSH(ld->rs->arena, ld->done, ld->n_done);
    ld->done[ld->n_done - 1] = arena_strdup(ld->rs->arena, key);
    ld->chain[ld->depth++] = ld->done[ld->n_done - 1];
    parse_text_into(ld, name, kept, len);
    ld->depth--;
}

/* `import NAME` looks for NAME.chiso in $CHISO_STDLIB, then in the stdlib/ folder of the source
 * tree chiso was built from. */
static char *library_path(loader *ld, const char *name, const src_loc *from) {
    const char *dirs[2] = {getenv("CHISO_STDLIB"), CHISO_STDLIB_DIR};
    for (int i = 0; i < 2; i++) {
        if (!dirs[i] || !*dirs[i]) continue;
        size_t n = strlen(dirs[i]) + strlen(name) + 8;
        char *p = arena_alloc(ld->rs->arena, n);
        snprintf(p, n, "%s/%s.chiso", dirs[i], name);
        if (access(p, R_OK) == 0) return p;
    }
    diag_emit(ld->d, DIAG_ERROR, from, NULL, 0,
              "no library '%s' (looked for %s.chiso in $CHISO_STDLIB and %s)", name, name, CHISO_STDLIB_DIR);
    ld->errors++;
    return NULL;
}

static void parse_text_into(loader *ld, const char *name, char *text, size_t len) {
    /* A UTF-8 BOM (Notepad writes one) is skipped; lines and columns count from after it. */
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }
    diag_sink_add_source(ld->d, name, text, len);
    parse_ctx pc;
    memset(&pc, 0, sizeof pc);
    pc.arena = ld->rs->arena;
    pc.diags = ld->d;
    pc.rs = ld->rs;
    pc.file = name;
    pc.src = text;
    pc.len = len;
    ld->errors += parse_buffer(&pc);
    /* Imports are relative to the importing file's folder. */
    const char *slash = strrchr(name, '/');
    size_t dirlen = slash ? (size_t)(slash - name + 1) : 0;
    for (int i = 0; i < pc.n_imports; i++) {
        const char *imp = pc.imports[i].path;
        char *full;
        if (pc.imports[i].library) {
            full = library_path(ld, imp, &pc.imports[i].loc);
            if (!full) continue;
        } else if (imp[0] == '/' || dirlen == 0) {
            full = arena_strdup(ld->rs->arena, imp);
        } else {
            size_t n = strlen(imp);
            full = arena_alloc(ld->rs->arena, dirlen + n + 1);
            memcpy(full, name, dirlen);
            memcpy(full + dirlen, imp, n + 1);
        }
        load_one(ld, full, &pc.imports[i].loc);
    }
}

static ruleset *new_ruleset(const char *file) {
    arena *a = arena_new();
    if (!a) return NULL;
    ruleset *rs = arena_alloc(a, sizeof *rs);
    if (!rs) { arena_free(a); return NULL; }
    rs->arena = a;
    rs->file = arena_strdup(a, file);
    return rs;
}

static ruleset *finish(loader *ld) {
    if (ld->errors == 0) ld->errors += check_ruleset(ld->rs, ld->d);
    if (ld->errors) {
        ruleset_free(ld->rs);
        return NULL;
    }
    return ld->rs;
}

ruleset *load_rules(const char *path, diag_sink *d) {
    loader ld;
    memset(&ld, 0, sizeof ld);
    ld.d = d;
    ld.rs = new_ruleset(path);
    if (!ld.rs) return NULL;
    load_one(&ld, path, NULL);
    return finish(&ld);
}

ruleset *load_rules_buffer(const char *name, const char *text, size_t len, diag_sink *d) {
    loader ld;
    memset(&ld, 0, sizeof ld);
    ld.d = d;
    ld.rs = new_ruleset(name);
    if (!ld.rs) return NULL;
    char *kept = arena_strndup(ld.rs->arena, text, len);
    parse_text_into(&ld, ld.rs->file, kept, len);
    return finish(&ld);
}

void ruleset_free(ruleset *rs) {
    if (rs) arena_free(rs->arena);
}
