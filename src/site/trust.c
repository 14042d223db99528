#define _GNU_SOURCE
#include "site/trust.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fsutil.h"

static int check_owner_mode(const struct stat *st, const char *what, nx_err *err)
{
	if (st->st_uid != 0)
		return nx_err_set(err, "%s: refusing site file: owned by uid %u, not root", what,
				  (unsigned)st->st_uid);
	bool sticky_dir = S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX);
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) && !sticky_dir)
		return nx_err_set(err, "%s: refusing site file: writable by group or others (mode %04o)", what,
				  (unsigned)(st->st_mode & 07777));
	return 0;
}

static int check_fd(int fd, const char *what, nx_err *err)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return nx_err_sys(err, errno, "stat %s", what);
	return check_owner_mode(&st, what, err);
}

/* Walk the directory `dir` (absolute, symlinks resolved) from `/`, one
 * component at a time without following symlinks, checking each; returns
 * an O_PATH descriptor of `dir`. */
static int open_dir_chain(const char *dir, nx_err *err)
{
	int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return nx_err_sys(err, errno, "open /");
	if (check_fd(fd, "/", err) < 0)
		goto fail;
	char walked[PATH_MAX] = "";
	size_t wl = 0;
	const char *p = dir;
	while (*p) {
		while (*p == '/')
			p++;
		size_t n = strcspn(p, "/");
		if (!n)
			break;
		char name[NAME_MAX + 1];
		if (n > NAME_MAX || wl + n + 2 > sizeof walked) {
			nx_err_set(err, "%s: path too long", dir);
			goto fail;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		wl += (size_t)snprintf(walked + wl, sizeof walked - wl, "/%s", name);
		int next = openat(fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0) {
			nx_err_sys(err, errno, "%s", walked);
			goto fail;
		}
		close(fd);
		fd = next;
		if (check_fd(fd, walked, err) < 0)
			goto fail;
		p += n;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

/* The directory part of path, absolute, with symlinks resolved: whatever
 * the resolution found is checked again by the walk, so a change between
 * the two can only make the walk fail. */
static int resolved_dir(const char *path, char *dir, char *base, nx_err *err)
{
	char copy[PATH_MAX];
	if (snprintf(copy, sizeof copy, "%s", path) >= (int)sizeof copy)
		return nx_err_set(err, "%s: path too long", path);
	char *slash = strrchr(copy, '/');
	const char *d = ".", *b = copy;
	if (slash) {
		*slash = '\0';
		d = slash == copy ? "/" : copy;
		b = slash + 1;
	}
	if (!*b || strlen(b) > NAME_MAX)
		return nx_err_set(err, "%s: not a file name", path);
	strcpy(base, b);
	if (!realpath(d, dir))
		return nx_err_sys(err, errno, "%s", d);
	return 0;
}

int trust_open(const char *path, nx_err *err)
{
	char dir[PATH_MAX], base[NAME_MAX + 1];
	if (resolved_dir(path, dir, base, err) < 0)
		return -1;
	cleanup_close int dfd = open_dir_chain(dir, err);
	if (dfd < 0)
		return -1;
	int fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		if (e == ELOOP)
			return nx_err_set(err, "%s: refusing site file: a symbolic link", path);
		nx_err_sys(err, e, "%s", path);
		err->errnum = e;
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return nx_err_set(err, "%s: refusing site file: not a regular file", path);
	}
	if (check_owner_mode(&st, path, err) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int trust_check_dir(const char *path, nx_err *err)
{
	char dir[PATH_MAX];
	if (!realpath(path, dir))
		return nx_err_sys(err, errno, "%s", path);
	int fd = open_dir_chain(dir, err);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

int trust_read_file(const char *path, size_t max, char **out, size_t *len, nx_err *err)
{
	cleanup_close int fd = trust_open(path, err);
	if (fd < 0)
		return -1;
	return fs_read_fd(fd, path, max, out, len, err);
}
