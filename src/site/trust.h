/* Site files (Lua modules, config.lua, hooks) run as root, so only root
 * may be able to change them: the file and every directory from `/` down
 * must be owned by root and not writable by group or others (a directory
 * with the sticky bit, like /tmp, is accepted: there only an entry's owner
 * can replace it). The check is made on the descriptor that is then read,
 * never on a path that is opened again, so swapping the file between the
 * check and the read gains nothing. */
#ifndef NX_TRUST_H
#define NX_TRUST_H

#include <stddef.h>

#include "util/error.h"

/* Open path for reading after checking the chain (symlinks in the
 * directories are resolved first, then each directory is opened without
 * following one; the file itself is opened with O_NOFOLLOW). Returns the
 * descriptor, or -1 with err->errnum == ENOENT when the file is absent. */
int trust_open(const char *path, nx_err *err);
/* trust_open, then read at most max bytes from that descriptor. */
int trust_read_file(const char *path, size_t max, char **out, size_t *len, nx_err *err);
/* The same check for a directory (e.g. a hooks directory before listing it). */
int trust_check_dir(const char *path, nx_err *err);

#endif
