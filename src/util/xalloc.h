/* One allocation policy (docs/decisions.md, "Memory exhaustion"): the x-
 * functions never return NULL. When the heap is exhausted they print one
 * line on stderr and end the process with status 1, as crun does: no caller
 * has an out-of-memory path to get wrong, and a create cut short this way
 * is what `kill -9` leaves, which delete --force and gc clean up. Lua's own
 * allocator is not part of this: a Lua memory error is a Lua error. */
#ifndef NX_XALLOC_H
#define NX_XALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t n) __attribute__((malloc, returns_nonnull));
void *xcalloc(size_t n, size_t size) __attribute__((malloc, returns_nonnull));
void *xrealloc(void *p, size_t n) __attribute__((returns_nonnull));
/* n * size, refused (as exhaustion) when the product overflows */
void *xreallocarray(void *p, size_t n, size_t size) __attribute__((returns_nonnull));
char *xstrdup(const char *s) __attribute__((malloc, returns_nonnull));
char *xstrndup(const char *s, size_t n) __attribute__((malloc, returns_nonnull));
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2), malloc, returns_nonnull));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0), malloc, returns_nonnull));
/* For an allocation made elsewhere (a library) that failed: the same end.
 * n is the size asked for, 0 when not known. */
_Noreturn void xalloc_die(size_t n);

#endif
