/* Small filesystem primitives every other file needs: bounded reads, atomic
 * writes (temp + fsync + rename + fsync dir), recursive mkdir. */
#ifndef NX_FSUTIL_H
#define NX_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

#include "util/error.h"

/* Read a whole file, refusing files larger than max bytes. *out is
 * NUL-terminated (the NUL is not counted in *len). */
int fs_read_file(const char *path, size_t max, char **out, size_t *len, nx_err *err);
/* The same from an open descriptor (path only names it in errors): a
 * regular file, at most max bytes, NUL-terminated. */
int fs_read_fd(int fd, const char *path, size_t max, char **out, size_t *len, nx_err *err);
/* The same for nexcage's own files (state, mapping): a symlink is
 * refused too (O_NOFOLLOW). */
int fs_read_own_file(const char *path, size_t max, char **out, size_t *len, nx_err *err);
/* Write data to path atomically: a reader sees the old or the new file, never
 * a torn one, even after a crash. */
int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode, nx_err *err);
/* Create a temp file next to path (<path>.tmp.<pid>.<random>), O_EXCL,
 * mode 0600; its name goes to tmp. */
int fs_create_temp(const char *path, char *tmp, size_t n, nx_err *err);
/* mkdir -p; existing directories are fine. */
int fs_mkdir_p(const char *path, mode_t mode, nx_err *err);
/* rm -rf of a directory tree without following symlinks; missing is fine. */
int fs_remove_tree(const char *path, nx_err *err);
/* Join a and b with one '/', into a fresh string. */
char *fs_join(const char *a, const char *b);
/* The "dir/name" paths of dir's *.lua files (no hidden ones), sorted by
 * name in byte order, as a NULL-terminated vector of *n (strv_free). The
 * order the hooks of a phase and the site drop-ins run in. Every file is
 * listed: a count of our own would skip the last ones silently. A missing
 * dir is an empty list; any other failure (ENOTDIR too) is an error with
 * err->errnum set, for the caller to judge. */
int fs_list_lua(const char *dir, char ***paths, size_t *n, nx_err *err);

#endif
