#define _GNU_SOURCE
#include "core/mount_ns.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <linux/nsfs.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/cleanup.h"

/* The node's mount namespace, or -1 when there is none to care about:
 * not readable (a sandbox hides pid 1), not a mount namespace, or ours. */
static int other_mount_ns(const char *ns_path)
{
	if (!ns_path || !*ns_path)
		return -1;
	int fd = open(ns_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct stat theirs, ours;
	if (ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNS || fstat(fd, &theirs) < 0 ||
	    stat("/proc/self/ns/mnt", &ours) < 0 || (theirs.st_dev == ours.st_dev && theirs.st_ino == ours.st_ino)) {
		close(fd);
		return -1;
	}
	return fd;
}

typedef int (*ns_work)(const void *arg, char *why, size_t n);

/* Run work in a child that entered the namespace (setns of a mount
 * namespace changes the whole process: ours stays where it is). Returns
 * work's result (>= 0), or -1 with its reason. */
static int in_mount_ns(int nsfd, ns_work work, const void *arg, nx_err *err)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return nx_err_sys(err, errno, "pipe");
	pid_t child = fork();
	if (child < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		return nx_err_sys(err, e, "fork");
	}
	if (child == 0) {
		close(p[0]);
		char why[512] = "";
		int rc;
		if (unshare(CLONE_FS) < 0 || setns(nsfd, CLONE_NEWNS) < 0) {
			snprintf(why, sizeof why, "enter the node's mount namespace: %s", strerror(errno));
			rc = -1;
		} else {
			rc = work(arg, why, sizeof why);
		}
		char msg[600];
		int len = snprintf(msg, sizeof msg, "%d %s", rc, why);
		(void)!write(p[1], msg, (size_t)len);
		_exit(0);
	}
	close(p[1]);
	char msg[600];
	ssize_t got = 0, r;
	while ((r = read(p[0], msg + got, sizeof msg - 1 - (size_t)got)) > 0 || (r < 0 && errno == EINTR))
		got += r > 0 ? r : 0;
	close(p[0]);
	while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
		;
	msg[got > 0 ? got : 0] = '\0';
	int rc;
	int off = 0;
	if (sscanf(msg, "%d %n", &rc, &off) < 1)
		return nx_err_set(err, "the node's mount namespace: no answer");
	if (rc < 0)
		return nx_err_set(err, "%s", msg + off);
	return rc;
}

typedef struct visible_arg {
	const char *path;
	dev_t dev;
	ino_t ino;
} visible_arg;

/* 1 when path there is the directory we have open here. */
static int same_directory(const void *arg, char *why, size_t n)
{
	const visible_arg *a = arg;
	struct stat st;
	(void)why;
	(void)n;
	return stat(a->path, &st) == 0 && st.st_dev == a->dev && st.st_ino == a->ino;
}

typedef struct attach_arg {
	int tree;
	const char *at;
} attach_arg;

static int attach_tree(const void *arg, char *why, size_t n)
{
	const attach_arg *a = arg;
	struct stat st;
	if (stat(a->at, &st) < 0 || !S_ISDIR(st.st_mode))
		return snprintf(why, n, "%s is not a directory in the node's mount namespace", a->at), -1;
	if (syscall(SYS_move_mount, a->tree, "", AT_FDCWD, a->at, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return snprintf(why, n, "attach the rootfs at %s: %s", a->at, strerror(errno)), -1;
	return 0;
}

static int detach_at(const void *arg, char *why, size_t n)
{
	const char *at = arg;
	if (umount2(at, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL && errno != ENOENT)
		return snprintf(why, n, "detach %s: %s", at, strerror(errno)), -1;
	return 0;
}

int rootfs_reach(const char *ns_path, const char *rootfs, const char *attach_at, bool *attached, nx_err *err)
{
	*attached = false;
	cleanup_close int nsfd = other_mount_ns(ns_path);
	if (nsfd < 0)
		return 0;
	struct stat st;
	if (stat(rootfs, &st) < 0)
		return nx_err_sys(err, errno, "%s", rootfs);
	visible_arg v = {rootfs, st.st_dev, st.st_ino};
	int same = in_mount_ns(nsfd, same_directory, &v, err);
	if (same != 0)
		return same < 0 ? nx_err_wrap(err, "rootfs %s", rootfs) : 0;
	/* A copy of the mount tree under the rootfs, made here where it is
	 * mounted: the same filesystems, so the engine sees what the program
	 * writes. */
	cleanup_close int tree = (int)syscall(SYS_open_tree, AT_FDCWD, rootfs,
					      OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (tree < 0)
		return nx_err_sys(err, errno,
				  "rootfs %s is mounted where the node's service manager cannot see it, and "
				  "cannot be cloned there",
				  rootfs);
	attach_arg a = {tree, attach_at};
	if (in_mount_ns(nsfd, attach_tree, &a, err) < 0)
		return nx_err_wrap(err, "rootfs %s", rootfs);
	*attached = true;
	return 0;
}

int rootfs_release(const char *ns_path, const char *attach_at, nx_err *err)
{
	/* where the namespace is ours (a delete from the node's own), here */
	cleanup_close int nsfd = other_mount_ns(ns_path);
	if (nsfd >= 0)
		return in_mount_ns(nsfd, detach_at, attach_at, err) < 0 ? -1 : 0;
	char why[512];
	return detach_at(attach_at, why, sizeof why) < 0 ? nx_err_set(err, "%s", why) : 0;
}
