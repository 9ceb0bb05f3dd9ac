/* chiso fmt [--check] [--to en|vi] [-w] FILES...: lay rule files out in the canonical form
 * (docs/fmt.md), or convert their keywords between English and Vietnamese. */
#define _DEFAULT_SOURCE /* realpath, mkstemp, fchmod */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cli_args.h"
#include "diag.h"
#include "help_vi.h"
#include "fmt.h"
#include "keywords.h"
#include "load.h"

void cmd_fmt_help(void) {
    if (help_vi_print("fmt", stdout)) return;
    fputs("Usage: chiso fmt [--check] [--to en|vi] [-w] FILES...\n"
          "\n"
          "Lays rule files out in the canonical form (docs/fmt.md): indentation of 2 spaces per\n"
          "block, one space between tokens (none inside brackets, around '..' or after a sign),\n"
          "at most one blank line in a row, arms ('=>'), option labels and trailing comments of\n"
          "consecutive lines aligned. Comments and the author's line breaks are kept. A file that\n"
          "does not parse is not touched: its errors are reported.\n"
          "\n"
          "Options:\n"
          "  (none)        print the formatted text of one file (or - for standard input)\n"
          "  -w, --write   rewrite the files in place (only those that change)\n"
          "  --check       print the names of the files that are not in canonical form; change\n"
          "                nothing\n"
          "  --to en|vi    also convert the keywords to English or Vietnamese; a Vietnamese file\n"
          "                starts with the line 'ngôn_ngữ vi', an English file has no such line\n"
          "\n"
          "Exit codes: 0 done (--check: every file is in canonical form); 1 (--check) some file\n"
          "would change; 2 a file has syntax errors or cannot be read or written, or bad usage.\n",
          stdout);
}

/* Writes text to path through a temporary file in the same folder and a rename, keeping the
 * file's permissions. A symbolic link stays a link: its target is rewritten. */
static int write_in_place(const char *path, const char *text, size_t len) {
    char real[PATH_MAX];
    const char *target = realpath(path, real) ? real : path;
    struct stat st;
    int have_mode = stat(target, &st) == 0;
    size_t n = strlen(target) + 16;
    char *tmp = malloc(n);
    if (!tmp) {
        fprintf(stderr, "chiso fmt: %s: out of memory\n", path);
        return -1;
    }
    snprintf(tmp, n, "%s.fmt-XXXXXX", target);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        fprintf(stderr, "chiso fmt: %s: cannot create a temporary file: %s\n", path, strerror(errno));
        free(tmp);
        return -1;
    }
    int ok = 1;
    if (have_mode && fchmod(fd, st.st_mode & 07777) != 0) ok = 0;
    size_t off = 0;
    while (ok && off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0) {
            if (errno == EINTR) continue;
            ok = 0;
            break;
        }
        off += (size_t)w;
    }
    int err = ok ? 0 : errno;
    if (close(fd) != 0 && ok) {
        ok = 0;
        err = errno;
    }
    if (ok && rename(tmp, target) != 0) {
        ok = 0;
        err = errno;
    }
    if (!ok) {
        fprintf(stderr, "chiso fmt: %s: cannot write: %s\n", path, strerror(err));
        unlink(tmp);
    }
    free(tmp);
    return ok ? 0 : -1;
}

enum { MODE_PRINT, MODE_WRITE, MODE_CHECK };

/* Formats one file. Returns EXIT_OK, EXIT_PROBLEMS (--check: it would change) or EXIT_FAILED. */
static int fmt_one(const char *path, int mode, const fmt_opts *opts) {
    diag_sink *d = diag_sink_new(stderr);
    if (!d) {
        fprintf(stderr, "chiso fmt: out of memory\n");
        return EXIT_FAILED;
    }
    int rc = EXIT_FAILED;
    size_t len = 0, olen = 0;
    char *out = NULL;
    char *text = load_read_file(path, LOAD_MAX_FILE, &len, d);
    if (!text) goto done;
    fmt_status st = fmt_buffer(path, text, len, opts, d, &out, &olen);
    switch (st) {
    case FMT_OK:
        break;
    case FMT_SYNTAX: {
        int e = diag_errors(d);
        fprintf(stderr, "%s: %d error%s; not formatted\n", path, e, e == 1 ? "" : "s");
        goto done;
    }
    case FMT_CONFLICT: {
        int e = diag_errors(d);
        fprintf(stderr, "%s: %d error%s; not converted\n", path, e, e == 1 ? "" : "s");
        goto done;
    }
    case FMT_INTERNAL:
        goto done;
    case FMT_NOMEM:
        fprintf(stderr, "chiso fmt: %s: out of memory\n", path);
        goto done;
    }
    int changed = olen != len || memcmp(out, text, len) != 0;
    if (mode == MODE_PRINT) {
        if (fwrite(out, 1, olen, stdout) != olen || fflush(stdout) != 0) {
            fprintf(stderr, "chiso fmt: cannot write the standard output\n");
            goto done;
        }
        rc = EXIT_OK;
    } else if (mode == MODE_CHECK) {
        if (changed) printf("%s\n", path);
        rc = changed ? EXIT_PROBLEMS : EXIT_OK;
    } else {
        rc = !changed || write_in_place(path, out, olen) == 0 ? EXIT_OK : EXIT_FAILED;
    }
done:
    free(out);
    diag_sink_free(d); /* before the text it quotes */
    free(text);
    return rc;
}

int cmd_fmt(int argc, char **argv) {
    int do_write = 0, check = 0, nfiles = 0;
    fmt_opts opts = {FMT_KEEP_LANG};
    char **files = calloc((size_t)argc + 1, sizeof *files);
    if (!files) return EXIT_FAILED;
    int rc = EXIT_FAILED;
    enum { O_HELP, O_WRITE, O_CHECK, O_TO };
    static const cli_opt options[] = {
        {O_HELP, "-h", "--help", false}, {O_WRITE, "-w", "--write", false},
        {O_CHECK, NULL, "--check", false}, {O_TO, NULL, "--to", true},
    };
    cli_args args;
    cli_args_init(&args, "fmt", argc, argv);
    const char *val;
    for (int k; (k = cli_next(&args, options, sizeof options / sizeof *options, &val)) != CLI_END;) {
        switch (k) {
        case CLI_BAD: goto out;
        case O_HELP:
            cmd_fmt_help();
            rc = EXIT_OK;
            goto out;
        case O_WRITE: do_write = 1; break;
        case O_CHECK: check = 1; break;
        case O_TO:
            if (strcmp(val, "en") == 0) opts.to_lang = KW_EN;
            else if (strcmp(val, "vi") == 0) opts.to_lang = KW_VI;
            else {
                cli_usage_error("fmt", "--to needs 'en' or 'vi' (not '%s')", val);
                goto out;
            }
            break;
        case CLI_OPERAND: files[nfiles++] = (char *)val; break;
        }
    }
    if (nfiles == 0) {
        cli_usage_error("fmt", "missing FILES");
        goto out;
    }
    if (do_write && check) {
        cli_usage_error("fmt", "-w and --check do not go together");
        goto out;
    }
    int mode = do_write ? MODE_WRITE : check ? MODE_CHECK : MODE_PRINT;
    if (mode == MODE_PRINT && nfiles > 1) {
        cli_usage_error("fmt", "one file at a time without -w or --check ('%s' and '%s')", files[0], files[1]);
        goto out;
    }
    for (int i = 0; i < nfiles; i++) {
        if (mode == MODE_WRITE && strcmp(files[i], "-") == 0) {
            fprintf(stderr, "chiso fmt: -w cannot rewrite the standard input\n");
            goto out;
        }
        struct stat st;
        if (strcmp(files[i], "-") != 0 && stat(files[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            fprintf(stderr, "chiso fmt: '%s' is a folder; give the files (e.g. %s/*.chiso)\n",
                    files[i], files[i]);
            goto out;
        }
    }
    rc = EXIT_OK;
    for (int i = 0; i < nfiles; i++) {
        int r = fmt_one(files[i], mode, &opts);
        if (r > rc) rc = r;
    }
    if (fflush(stdout) != 0 && rc == EXIT_OK) rc = EXIT_FAILED;
out:
    free(files);
    return rc;
}
