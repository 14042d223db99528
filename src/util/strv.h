/* String vectors: a NULL-terminated char ** with its count beside it, the
 * shape execve, pct's argv and a process's args and env take. One builder
 * for all of them; allocation through xalloc.h, so no caller has an
 * out-of-memory path. */
#ifndef NX_STRV_H
#define NX_STRV_H

#include <stddef.h>

/* Append a copy of s to *v, which holds *n strings and a NULL after them
 * (*v may be NULL with *n 0); *v stays NULL-terminated. A vector built
 * elsewhere (calloc'd, NULL-terminated) may be appended to as well: the
 * vector is resized to exactly what it holds on every append. */
void strv_push(char ***v, size_t *n, const char *s);
/* The same with a formatted string. */
void strv_pushf(char ***v, size_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Free the strings, keep the vector: *n = 0, v[0] = NULL (v may be NULL). */
void strv_clear(char **v, size_t *n);
/* Free a NULL-terminated vector and its strings (v may be NULL). */
void strv_free(char **v);
/* Sort the n strings of v by strcmp (byte order, as LC_ALL=C ls). */
void strv_sort(char **v, size_t n);

#endif
