/* Writing a command's output file safely: to a temporary name beside it, renamed into place only
 * when everything was written, so an interrupted run never leaves half a file under the real name.
 * Standard output ("-" or no path) and existing devices or pipes (/dev/null) are written directly:
 * renaming onto a device would replace it. */
#ifndef CHISO_OUTFILE_H
#define CHISO_OUTFILE_H
#include <stdbool.h>
#include <stdio.h>

typedef struct {
    FILE *f;          /* where to write */
    char *tmp;        /* the temporary name, or NULL when written directly */
    const char *path; /* the final name, or NULL for standard output */
} outfile;

/* Returns 0, or -1 (reported on stderr with the path). */
int outfile_open(outfile *o, const char *path);
/* The name being written, for writers that open the file by name themselves (libxlsxwriter): the
 * temporary name, or the path itself when it is written directly; NULL for standard output. */
const char *outfile_name(const outfile *o);
/* ok: flush, close and rename into place (-1 if any of it fails, then nothing is left behind);
 * !ok: close and remove the temporary file. */
int outfile_close(outfile *o, bool ok);

#endif
