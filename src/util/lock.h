/* flock(2)-based locks on files: released by the kernel when the process
 * dies, so a crash never leaves a stale lock. */
#ifndef NX_LOCK_H
#define NX_LOCK_H

#include <stdbool.h>

#include "util/error.h"

/* Take an exclusive lock on path (created if missing), waiting at most
 * timeout seconds (< 0: forever). Returns the fd holding the lock. A lock
 * file unlinked by its holder while we waited is detected and retried. */
int lock_acquire(const char *path, double timeout, nx_err *err);
void lock_release(int fd);
/* Release and unlink (only while holding it: delete of a container). */
void lock_release_unlink(int fd, const char *path);

#endif
