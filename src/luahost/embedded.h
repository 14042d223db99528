/* The Lua sources compiled into the binary (generated at build time from
 * lua/ and hooks/ by src/tools/embed.c), so a bare binary works. */
#ifndef NX_EMBEDDED_H
#define NX_EMBEDDED_H

#include <stddef.h>

typedef struct nx_embedded_file {
	const char *name; /* module name: lua/a/b.lua -> "a.b"; hooks/x.lua -> "hooks.x" */
	const char *path; /* path in the source tree, for error messages */
	const char *src;
	size_t len;
	const char *bin; /* the same chunk precompiled by luac (NULL if none): */
	size_t bin_len;	 /* skips the parse on every run */
} nx_embedded_file;

extern const nx_embedded_file nx_embedded_files[];
extern const size_t nx_embedded_count;

const nx_embedded_file *embedded_find(const char *name);

#endif
