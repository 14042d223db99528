#define _GNU_SOURCE
#include "util/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/strv.h"
#include "util/xalloc.h"

static int read_fd_file(int flags, const char *path, size_t max, char **out, size_t *len, nx_err *err);

int fs_read_file(const char *path, size_t max, char **out, size_t *len, nx_err *err)
{
	return read_fd_file(0, path, max, out, len, err);
}

int fs_read_own_file(const char *path, size_t max, char **out, size_t *len, nx_err *err)
{
	return read_fd_file(O_NOFOLLOW, path, max, out, len, err);
}

/* O_NONBLOCK: a FIFO planted where a file should be must not hang the
 * open; the type is then checked on the fd itself. */
static int read_fd_file(int flags, const char *path, size_t max, char **out, size_t *len, nx_err *err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | flags);
	if (fd < 0)
		return nx_err_sys(err, errno, "open %s", path);
	return fs_read_fd(fd, path, max, out, len, err);
}

int fs_read_fd(int fd, const char *path, size_t max, char **out, size_t *len, nx_err *err)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return nx_err_sys(err, errno, "stat %s", path);
	if (!S_ISREG(st.st_mode))
		return nx_err_set(err, "%s: not a regular file", path);
	if ((size_t)st.st_size > max)
		return nx_err_set(err, "%s: file too large (%lld bytes, limit %zu)", path,
				  (long long)st.st_size, max);
	size_t cap = (size_t)st.st_size + 1, used = 0;
	cleanup_free char *buf = xmalloc(cap);
	for (;;) {
		if (used + 1 >= cap) {
			/* The file grew after fstat; keep the bound. */
			if (cap > max + 1)
				return nx_err_set(err, "%s: file too large (limit %zu)", path, max);
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		ssize_t n = read(fd, buf + used, cap - 1 - used);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return nx_err_sys(err, errno, "read %s", path);
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	if (used > max)
		return nx_err_set(err, "%s: file too large (limit %zu)", path, max);
	buf[used] = '\0';
	*out = NX_STEAL(buf);
	if (len)
		*len = used;
	return 0;
}

static int fsync_parent_dir(const char *path)
{
	cleanup_free char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	cleanup_close int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -1;
	return fsync(dfd);
}

int fs_create_temp(const char *path, char *tmp, size_t n, nx_err *err)
{
	/* A fresh file of ours, never one planted under a predictable name
	 * (a --pid-file in a sticky world-writable directory): O_EXCL, mode
	 * 0600 until the content is complete. The pid in the name tells gc
	 * whether its writer is still alive. */
	if (snprintf(tmp, n, "%s.tmp.%d.XXXXXX", path, (int)getpid()) >= (int)n)
		return nx_err_set(err, "%s: path too long", path);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return nx_err_sys(err, errno, "create %s", tmp);
	return fd;
}

int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode, nx_err *err)
{
	char tmp[PATH_MAX];
	int fd = fs_create_temp(path, tmp, sizeof tmp, err);
	if (fd < 0)
		return -1;
	const char *p = data;
	size_t left = len;
	while (left > 0) {
		ssize_t n = write(fd, p, left);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			unlink(tmp);
			return nx_err_sys(err, e, "write %s", tmp);
		}
		p += n;
		left -= (size_t)n;
	}
	if (fchmod(fd, mode) < 0 || fsync(fd) < 0) {
		int e = errno;
		close(fd);
		unlink(tmp);
		return nx_err_sys(err, e, "sync %s", tmp);
	}
	if (close(fd) < 0) {
		int e = errno;
		unlink(tmp);
		return nx_err_sys(err, e, "close %s", tmp);
	}
	if (rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		return nx_err_sys(err, e, "rename %s", path);
	}
	if (fsync_parent_dir(path) < 0)
		return nx_err_sys(err, errno, "sync directory of %s", path);
	return 0;
}

int fs_mkdir_p(const char *path, mode_t mode, nx_err *err)
{
	char buf[PATH_MAX];
	if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
		return nx_err_set(err, "%s: path too long", path);
	for (char *p = buf + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return nx_err_sys(err, errno, "mkdir %s", buf);
		*p = saved;
		if (saved == '\0')
			break;
	}
	struct stat st;
	if (stat(path, &st) < 0)
		return nx_err_sys(err, errno, "stat %s", path);
	if (!S_ISDIR(st.st_mode))
		return nx_err_set(err, "%s: not a directory", path);
	return 0;
}

static int remove_at(int dirfd, const char *name, nx_err *err);

static int remove_dir_contents(int fd, const char *path, nx_err *err)
{
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return nx_err_sys(err, errno, "opendir %s", path);
	}
	int rc = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (remove_at(dirfd(d), de->d_name, err) < 0) {
			rc = nx_err_wrap(err, "%s", path);
			break;
		}
	}
	closedir(d);
	return rc;
}

static int remove_at(int dirfd, const char *name, nx_err *err)
{
	if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return nx_err_sys(err, errno, "unlink %s", name);
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return nx_err_sys(err, errno, "open %s", name);
	/* Never into another filesystem: a directory something is mounted on
	 * (a rootfs attached for LXC, a bind an admin made) is not ours to
	 * empty. */
	struct statx sx;
	if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx) == 0 &&
	    (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) && (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT)) {
		close(fd);
		return nx_err_set(err, "%s: something is mounted there; not removed", name);
	}
	if (remove_dir_contents(fd, name, err) < 0)
		return -1;
	if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return nx_err_sys(err, errno, "rmdir %s", name);
	return 0;
}

int fs_remove_tree(const char *path, nx_err *err)
{
	return remove_at(AT_FDCWD, path, err);
}

char *fs_join(const char *a, const char *b)
{
	size_t la = strlen(a);
	const char *sep = (la > 0 && a[la - 1] == '/') ? "" : "/";
	while (*b == '/')
		b++;
	return xasprintf("%s%s%s", a, sep, b);
}

int fs_list_lua(const char *dir, char ***paths, size_t *n, nx_err *err)
{
	*paths = NULL;
	*n = 0;
	DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : nx_err_sys(err, errno, "%s", dir);
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (de->d_name[0] == '.' || l <= 4 || strcmp(de->d_name + l - 4, ".lua"))
			continue;
		strv_pushf(paths, n, "%s/%s", dir, de->d_name);
	}
	closedir(d);
	strv_sort(*paths, *n);
	return 0;
}
