#define _POSIX_C_SOURCE 200809L
#include "outfile.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int outfile_open(outfile *o, const char *path) {
    memset(o, 0, sizeof *o);
    o->f = stdout;
    if (!path || strcmp(path, "-") == 0) return 0;
    o->path = path;
    struct stat sb;
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        o->f = fopen(path, "w");
        if (!o->f) {
            perror(path);
            o->f = NULL;
            return -1;
        }
        return 0;
    }
    size_t n = strlen(path) + 32;
    o->tmp = malloc(n);
    if (!o->tmp) {
        o->f = NULL;
        return -1;
    }
    snprintf(o->tmp, n, "%s.tmp%ld", path, (long)getpid());
    o->f = fopen(o->tmp, "w");
    if (!o->f) {
        perror(path);
        free(o->tmp);
        o->tmp = NULL;
        return -1;
    }
    return 0;
}

const char *outfile_name(const outfile *o) { return o->tmp ? o->tmp : o->path; }

int outfile_close(outfile *o, bool ok) {
    int rc = 0;
    if (!o->f) {
        rc = -1;
    } else if (o->f == stdout) {
        if (fflush(stdout) != 0) rc = -1;
    } else if (fclose(o->f) != 0) {
        rc = -1;
    }
    o->f = NULL;
    if (o->tmp) {
        if (ok && rc == 0 && rename(o->tmp, o->path) != 0) {
            perror(o->path);
            rc = -1;
        }
        if (!ok || rc != 0) remove(o->tmp);
        free(o->tmp);
        o->tmp = NULL;
    }
    return ok ? rc : -1;
}
