#define _GNU_SOURCE
#include "mount_check.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"

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

int mount_targets_check(const nx_plan *plan, const char *rootfs, nx_err *err)
{
	bool entries = false;
	for (size_t i = 0; i < plan->n_lxc && !entries; i++)
		entries = !strcmp(plan->lxc[i].key, "lxc.mount.entry");
	if (!entries)
		return 0;
	cleanup_close int rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return nx_err_sys(err, errno, "open %s", rootfs);
	return check_mount_targets(plan, rootfd, err);
}
