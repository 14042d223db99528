#define _GNU_SOURCE
#include "util/strv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* Take ownership of s: the one place a vector grows. */
static void strv_take(char ***v, size_t *n, char *s)
{
	*v = xreallocarray(*v, *n + 2, sizeof **v);
	(*v)[(*n)++] = s;
	(*v)[*n] = NULL;
}

void strv_push(char ***v, size_t *n, const char *s)
{
	strv_take(v, n, xstrdup(s));
}

void strv_pushf(char ***v, size_t *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	strv_take(v, n, xvasprintf(fmt, ap));
	va_end(ap);
}

void strv_clear(char **v, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		free(v[i]);
	*n = 0;
	if (v)
		v[0] = NULL;
}

void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static int cmp_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void strv_sort(char **v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof *v, cmp_strings);
}
