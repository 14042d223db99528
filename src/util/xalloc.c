/* The allocation policy in one place (xalloc.h). Depends on nothing else
 * of nexcage, so any program of the project can link it. */
#define _GNU_SOURCE
#include "util/xalloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* write(2), not stdio: stdio may want the heap that just ran out. _exit,
 * not exit or abort: nothing buffered (a half-rendered plan on stdout) is
 * flushed, no atexit handler runs on a heap in an unknown state, and no
 * core file is left for a condition that is not a bug. */
_Noreturn void xalloc_die(size_t n)
{
	char line[80];
	int len = n ? snprintf(line, sizeof line, "nexcage: out of memory (allocating %zu bytes)\n", n)
		    : snprintf(line, sizeof line, "nexcage: out of memory\n");
	if (len > 0)
		(void)!write(STDERR_FILENO, line, (size_t)len < sizeof line ? (size_t)len : sizeof line - 1);
	_exit(EXIT_FAILURE);
}

/* A zero size still asks for one byte: malloc(0) and realloc(p, 0) may
 * return NULL without having failed. */
void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		xalloc_die(n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p) {
		size_t total;
		xalloc_die(__builtin_mul_overflow(n, size, &total) ? SIZE_MAX : total);
	}
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		xalloc_die(n);
	return q;
}

void *xreallocarray(void *p, size_t n, size_t size)
{
	size_t total;
	if (__builtin_mul_overflow(n, size, &total))
		xalloc_die(SIZE_MAX);
	return xrealloc(p, total);
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *d = xmalloc(len + 1);
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	va_list again;
	va_copy(again, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	/* only a result over INT_MAX fails here (formats are literals) */
	if (n < 0)
		xalloc_die(0);
	char *s = xmalloc((size_t)n + 1);
	vsnprintf(s, (size_t)n + 1, fmt, again);
	va_end(again);
	return s;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}
