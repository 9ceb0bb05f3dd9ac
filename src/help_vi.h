/* The commands' help in Vietnamese (help_vi.c). */
#ifndef CHISO_HELP_VI_H
#define CHISO_HELP_VI_H

#include <stdbool.h>
#include <stdio.h>

/* When the language is Vietnamese, prints cmd's help ("chiso" for the command itself, after its
 * version line) to out and returns true; else false, and the English help is to be printed. */
bool help_vi_print(const char *cmd, FILE *out);

#endif
