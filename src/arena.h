/* One arena owns everything of a compiled rule set (nodes, strings, tables) and frees it in one
 * call. Allocation is a pointer bump inside large blocks. */
#ifndef CHISO_ARENA_H
#define CHISO_ARENA_H
#include <stddef.h>

typedef struct arena arena;

arena *arena_new(void);
void arena_free(arena *a);
void *arena_alloc(arena *a, size_t size);    /* zeroed, aligned for any object; NULL if out of memory */
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_strdup(arena *a, const char *s);
size_t arena_used(const arena *a);

#endif
