#define _GNU_SOURCE
#include "plan/mount_check.h"

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

#include "util/cleanup.h"
#include "init/protocol.h"

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

/* path (with or without its leading '/') at or below the init's mount
 * point, or (whole_dev) /dev itself, whatever its redundant slashes and
 * "." components. */
static bool at_init_dir(const char *path, bool whole_dev)
{
	char norm[PATH_MAX];
	size_t w = 0;
	for (const char *c = path; *c && w < sizeof norm - 2;) {
		while (*c == '/')
			c++;
		const char *end = c + strcspn(c, "/");
		if (end - c == 1 && *c == '.') {
			c = end;
			continue;
		}
		if (end > c && w + (size_t)(end - c) + 2 < sizeof norm) {
			norm[w++] = '/';
			memcpy(norm + w, c, (size_t)(end - c));
			w += (size_t)(end - c);
		}
		c = end;
	}
	norm[w] = '\0';
	size_t n = strlen(NX_INIT_DIR);
	if (whole_dev && !strcmp(norm, "/dev"))
		return true;
	return !strncmp(norm, NX_INIT_DIR, n) && (norm[n] == '/' || !norm[n]);
}

int init_dir_check(const nx_plan *plan, nx_err *err)
{
	for (size_t i = 0; i < plan->n_lxc; i++) {
		const char *k = plan->lxc[i].key, *v = plan->lxc[i].value;
		/* without autodev, create=dir would make the mount point in the
		 * image's /dev */
		if (!strcmp(k, "lxc.autodev") && strcmp(v, "1"))
			return nx_err_set(
			    err,
			    "raw key lxc.autodev = %s: nexcage-init's directory is mounted at %s, in "
			    "the /dev tmpfs that LXC's autodev makes (nothing of it in the image)",
			    v, NX_INIT_DIR);
		char src[PATH_MAX], target[PATH_MAX];
		if (!strcmp(k, "lxc.mount.entry") && sscanf(v, "%4095s %4095s", src, target) == 2 &&
		    at_init_dir(target, true))
			return nx_err_set(err,
					  "lxc.mount.entry %s: a mount on /dev or at or below %s would hide "
					  "nexcage-init's directory (create, start and exec run it there)",
					  v, NX_INIT_DIR);
	}
	for (size_t i = 0; i < plan->n_masked_paths; i++)
		if (at_init_dir(plan->masked_paths[i], true))
			return nx_err_set(
			    err,
			    "linux.maskedPaths: %s would hide nexcage-init's directory %s (exec "
			    "runs it there)",
			    plan->masked_paths[i], NX_INIT_DIR);
	for (size_t i = 0; plan->has_process && i < plan->process.ndevices; i++)
		if (at_init_dir(plan->process.devices[i].path, false))
			return nx_err_set(
			    err, "linux.devices: %s is nexcage-init's directory, not a place for a device",
			    plan->process.devices[i].path);
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
