#define _GNU_SOURCE
#include "masks.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"

char *masks_rootfs_mount(const char *state_dir)
{
	char *p = NULL;
	return asprintf(&p, "%s/rootfs-mount", state_dir) < 0 ? NULL : p;
}

/* /proc and /sys are the kernel's, mounted by LXC over the root
 * filesystem's directories: their entries are regular files and
 * directories, none of which blocks an open. */
static bool kernel_tree(const char *path)
{
	return !strcmp(path, "/proc") || !strncmp(path, "/proc/", 6) || !strcmp(path, "/sys") ||
	       !strncmp(path, "/sys/", 5);
}

/* openat2 in the root. With RESOLVE_IN_ROOT the kernel answers EAGAIN
 * when a rename or mount anywhere on the host raced a ".." step (other
 * containers starting do that); openat2(2) says to retry. */
static int open_in_root(int rootfd, const char *rel, struct open_how *how)
{
	int fd = -1;
	for (int attempt = 0; attempt < 1000; attempt++) {
		fd = (int)syscall(SYS_openat2, rootfd, rel, how, sizeof *how);
		if (fd >= 0 || errno != EAGAIN)
			break;
	}
	return fd;
}

static const char *kind_name(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFIFO: return "a FIFO";
	case S_IFSOCK: return "a socket";
	case S_IFCHR: return "a character device";
	case S_IFBLK: return "a block device";
	default: return "not a file or directory";
	}
}

/* path resolved inside rootfs, as runc's securejoin does: into rel (no
 * leading '/') and its type. 1: found, 0: missing, -1: error. */
static int resolve(int rootfd, const char *rootfs, const char *path, const char *what, char *rel, size_t n,
		   mode_t *mode, nx_err *err)
{
	struct open_how how = {.flags = O_PATH | O_CLOEXEC,
			       .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
	int fd = open_in_root(rootfd, path + 1, &how);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return nx_err_sys(err, errno, "%s: %s in %s", what, path, rootfs);
	}
	struct stat st;
	char proc[64], real[PATH_MAX];
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	ssize_t len = readlink(proc, real, sizeof real - 1);
	int rc = fstat(fd, &st);
	close(fd);
	if (rc < 0 || len < 0)
		return nx_err_sys(err, errno, "%s: %s in %s", what, path, rootfs);
	real[len] = 0;
	size_t rl = strlen(rootfs);
	if (strncmp(real, rootfs, rl) || (real[rl] != '/' && real[rl] != 0))
		return nx_err_set(err, "%s: %s resolves outside the root filesystem", what, path);
	const char *r = real[rl] ? real + rl + 1 : "";
	if (!*r || strpbrk(r, " \t\n\\,"))
		return nx_err_set(err, "%s: %s resolves to %s, which an LXC mount entry cannot name", what,
				  path, *r ? r : "/");
	snprintf(rel, n, "%s", r);
	*mode = st.st_mode;
	return 1;
}

static int add_entry(nx_plan *plan, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int add_entry(nx_plan *plan, const char *fmt, ...)
{
	char *value = NULL;
	va_list ap;
	va_start(ap, fmt);
	int rc = vasprintf(&value, fmt, ap);
	va_end(ap);
	char *key = strdup("lxc.mount.entry");
	nx_kv *grown = realloc(plan->lxc, (plan->n_lxc + 2) * sizeof(nx_kv));
	if (rc < 0 || !key || !grown) {
		free(value);
		free(key);
		return -1;
	}
	plan->lxc = grown;
	plan->lxc[plan->n_lxc++] = (nx_kv){key, value};
	plan->lxc[plan->n_lxc] = (nx_kv){0};
	return 0;
}

static int mask_one(nx_plan *plan, int rootfd, const char *rootfs, const char *path, const char *what,
		    nx_err *err)
{
	if (kernel_tree(path)) {
		/* runc binds /dev/null over a file and an empty read-only
		 * tmpfs over a directory; the kernel refuses the one of the
		 * wrong kind (ENOTDIR) and LXC skips it, as it skips a
		 * missing path. */
		const char *rel = path + 1;
		if (add_entry(plan, "/dev/null %s none bind,optional 0 0", rel) < 0 ||
		    add_entry(plan, "tmpfs %s tmpfs ro,nosuid,nodev,noexec,optional 0 0", rel) < 0)
			return nx_err_sys(err, ENOMEM, "%s", what);
		return 0;
	}
	if (!strcmp(path, "/dev") || !strncmp(path, "/dev/", 5))
		return nx_err_set(
		    err,
		    "%s: %s: paths under /dev are device nodes LXC would open to mount over (an open "
		    "may block); not masked",
		    what, path);
	char rel[PATH_MAX];
	mode_t mode;
	int found = resolve(rootfd, rootfs, path, what, rel, sizeof rel, &mode, err);
	if (found <= 0)
		return found;
	int rc;
	if (S_ISDIR(mode))
		rc = add_entry(plan, "tmpfs %s tmpfs ro,nosuid,nodev,noexec 0 0", rel);
	else if (S_ISREG(mode))
		rc = add_entry(plan, "/dev/null %s none bind 0 0", rel);
	else
		return nx_err_set(
		    err,
		    "%s: %s is %s in the root filesystem: LXC opens a mount target to mount over it "
		    "and would block or fail; remove it from the image or from the list",
		    what, path, kind_name(mode));
	return rc < 0 ? nx_err_sys(err, ENOMEM, "%s", what) : 0;
}

static int readonly_one(nx_plan *plan, int rootfd, const char *rootfs, const char *rootfs_mount,
			const char *path, const char *what, nx_err *err)
{
	char rel[PATH_MAX];
	if (kernel_tree(path)) {
		/* The CT's own /proc or /sys path, bound onto itself from
		 * below lxc.rootfs.mount and remounted read-only; optional:
		 * a path the kernel does not have is skipped. */
		snprintf(rel, sizeof rel, "%s", path + 1);
		if (add_entry(plan, "%s/%s %s none bind,ro,optional 0 0", rootfs_mount, rel, rel) < 0)
			return nx_err_sys(err, ENOMEM, "%s", what);
		return 0;
	}
	if (!strcmp(path, "/dev") || !strncmp(path, "/dev/", 5))
		return nx_err_set(err, "%s: %s: paths under /dev are not made read-only one by one", what,
				  path);
	mode_t mode;
	int found = resolve(rootfd, rootfs, path, what, rel, sizeof rel, &mode, err);
	if (found <= 0)
		return found;
	if (!S_ISDIR(mode) && !S_ISREG(mode))
		return nx_err_set(
		    err,
		    "%s: %s is %s in the root filesystem: LXC opens a mount target to mount over it "
		    "and would block or fail; remove it from the image or from the list",
		    what, path, kind_name(mode));
	if (add_entry(plan, "%s/%s %s none bind,ro 0 0", rootfs_mount, rel, rel) < 0)
		return nx_err_sys(err, ENOMEM, "%s", what);
	return 0;
}

/* Targets in LXC's own trees (autodev /dev, /proc, /sys) are not the
 * image's files; the others are looked up in the image. */
static bool lxc_managed(const char *rel)
{
	static const char *const trees[] = {"dev", "proc", "sys", NULL};
	for (const char *const *t = trees; *t; t++) {
		size_t n = strlen(*t);
		if (!strncmp(rel, *t, n) && (rel[n] == '/' || rel[n] == 0))
			return true;
	}
	return false;
}

/* Every mount entry the plan asks LXC for, whoever wrote it: LXC opens the
 * target O_RDONLY before mounting over it, which blocks on a FIFO (and may
 * block or act on a device), so such a target is refused here. A symlink
 * anywhere in the target makes LXC fail at once (it refuses them), so
 * only plain paths are looked at. */
static int check_mount_targets(const nx_plan *plan, int rootfd, nx_err *err)
{
	for (size_t i = 0; i < plan->n_lxc; i++) {
		if (strcmp(plan->lxc[i].key, "lxc.mount.entry"))
			continue;
		char src[PATH_MAX], target[PATH_MAX];
		if (sscanf(plan->lxc[i].value, "%4095s %4095s", src, target) != 2)
			continue;
		const char *rel = target;
		while (*rel == '/')
			rel++;
		if (!*rel || lxc_managed(rel))
			continue;
		struct open_how how = {.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
				       .resolve =
					   RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
		int fd = open_in_root(rootfd, rel, &how);
		if (fd < 0)
			continue;
		struct stat st;
		int rc = fstat(fd, &st);
		close(fd);
		if (rc == 0 && !S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
			return nx_err_set(
			    err,
			    "lxc.mount.entry %s: the target /%s is %s in the root filesystem: LXC "
			    "opens a mount target to mount over it and would block or fail; remove it "
			    "from the image or mount elsewhere",
			    plan->lxc[i].value, rel, kind_name(st.st_mode));
	}
	return 0;
}

int masks_apply(nx_plan *plan, const char *rootfs, const char *rootfs_mount, nx_err *err)
{
	bool entries = false;
	for (size_t i = 0; i < plan->n_lxc && !entries; i++)
		entries = !strcmp(plan->lxc[i].key, "lxc.mount.entry");
	if (!plan->n_masked_paths && !plan->n_readonly_paths && !entries)
		return 0;
	if (strpbrk(rootfs_mount, " \t\n\\,"))
		return nx_err_set(err,
				  "state root %s: white space, ',' or '\\' cannot be named in a mount entry",
				  rootfs_mount);
	cleanup_close int rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return nx_err_sys(err, errno, "open %s", rootfs);
	/* resolved paths are compared with the root's own canonical name */
	char proc[64], real[PATH_MAX];
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", rootfd);
	ssize_t len = readlink(proc, real, sizeof real - 1);
	if (len < 0)
		return nx_err_sys(err, errno, "%s", rootfs);
	real[len] = 0;
	rootfs = real;
	char what[64];
	for (size_t i = 0; i < plan->n_masked_paths; i++) {
		snprintf(what, sizeof what, "linux.maskedPaths[%zu]", i);
		if (mask_one(plan, rootfd, rootfs, plan->masked_paths[i], what, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < plan->n_readonly_paths; i++) {
		snprintf(what, sizeof what, "linux.readonlyPaths[%zu]", i);
		if (readonly_one(plan, rootfd, rootfs, rootfs_mount, plan->readonly_paths[i], what, err) < 0)
			return -1;
	}
	return check_mount_targets(plan, rootfd, err);
}
