#define _GNU_SOURCE
#include "util/clock.h"
#include "util/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int lock_acquire(const char *path, double timeout, nx_err *err)
{
	double deadline = timeout >= 0 ? clock_monotonic() + timeout : 0;
	for (;;) {
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0)
			return nx_err_sys(err, errno, "open lock %s", path);
		int rc;
		while ((rc = flock(fd, LOCK_EX | LOCK_NB)) < 0 && errno == EWOULDBLOCK) {
			if (timeout >= 0 && clock_monotonic() > deadline) {
				close(fd);
				return nx_err_kind_set(err, NX_ERR_TIMED_OUT, "can't lock file '%s' - got timeout", path);
			}
			usleep(10000);
		}
		if (rc < 0) {
			int e = errno;
			close(fd);
			return nx_err_sys(err, e, "lock %s", path);
		}
		/* The holder may have deleted the file (container deleted):
		 * our lock would then guard nothing. */
		struct stat a, b;
		if (fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev)
			return fd;
		close(fd);
	}
}

void lock_release(int fd)
{
	if (fd >= 0)
		close(fd);
}

void lock_release_unlink(int fd, const char *path)
{
	if (fd < 0)
		return;
	unlink(path);
	close(fd);
}
