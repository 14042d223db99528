/* Helpers shared by unit tests: temporary directories and files. */
#ifndef NX_TEST_UTIL_H
#define NX_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/* mkdtemp under /tmp; the caller frees and removes it with tu_rmtree. */
char *tu_tmpdir(void);
void tu_rmtree(const char *dir);
/* Write text to dir/name (creating parent dirs) with the given mode. */
void tu_write(const char *dir, const char *name, const char *text, mode_t mode);

#endif
