/* The container's side of create, in runc's order (docs/decisions.md, "The
 * container is set up in runc's order"): LXC has made the CT (its
 * namespaces, the root, its auto mounts and the config's mount entries);
 * the init then joins the namespaces an engine prepared, mounts again what
 * shows a namespace it left (sysfs, mqueue), sets the hostname, writes the
 * sysctls, applies the read-only and masked paths and makes the devices.
 * The program's credentials and its seccomp filter come last, at start
 * (creds.c). nexcage waits for the answer, so what cannot be applied fails
 * `create` with the reason. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "init.h"

#define WHY(...) (snprintf(why, n, __VA_ARGS__), -1)

static int join_namespaces(struct handover *h, int *joined, char *why, size_t n)
{
	*joined = 0;
	for (int i = 0; i < h->nns; i++) {
		if (setns(h->ns_fds[i], h->ns_types[i]) < 0)
			return WHY("join the namespace the engine prepared: %s", strerror(errno));
		close(h->ns_fds[i]);
		*joined |= h->ns_types[i];
	}
	return 0;
}

/* The MS_* flags a mount point has now (nosuid, nodev, noexec, ro). */
static unsigned long mount_flags(const char *path)
{
	struct statvfs sv;
	if (statvfs(path, &sv) < 0)
		return MS_NOSUID | MS_NODEV | MS_NOEXEC;
	unsigned long f = 0;
	if (sv.f_flag & ST_RDONLY)
		f |= MS_RDONLY;
	if (sv.f_flag & ST_NOSUID)
		f |= MS_NOSUID;
	if (sv.f_flag & ST_NODEV)
		f |= MS_NODEV;
	if (sv.f_flag & ST_NOEXEC)
		f |= MS_NOEXEC;
	return f;
}

/* Mounts directly below `under` that are not views of fstype (those show
 * the namespace being left; NULL: keep all): cloned, to be put back over
 * the new mount. */
struct kept {
	int fd;
	char path[4096];
};

static size_t keep_submounts(const char *under, const char *fstype, struct kept *out, size_t max)
{
	size_t len, count = 0;
	/* A program in another pid namespace is not in this /proc's: the
	 * CT's init, pid 1 here, shares its mount namespace. */
	char *info = read_if_there("/proc/self/mountinfo", &len);
	if (!info)
		info = read_all("/proc/1/mountinfo", &len);
	char *save = NULL;
	size_t ul = strlen(under);
	for (char *line = strtok_r(info, "\n", &save); line && count < max; line = strtok_r(NULL, "\n", &save)) {
		char point[4096], type[64];
		char *dash = strstr(line, " - ");
		if (!dash || sscanf(line, "%*s %*s %*s %*s %4095s", point) != 1 ||
		    sscanf(dash + 3, "%63s", type) != 1)
			continue;
		/* the first level below only (a recursive clone carries what
		 * is under it); an escaped name (\040) is left alone */
		if (strncmp(point, under, ul) || point[ul] != '/' || strchr(point, '\\') ||
		    (fstype && !strcmp(type, fstype)))
			continue;
		bool nested = false;
		for (size_t i = 0; i < count; i++) {
			size_t pl = strlen(out[i].path);
			if (!strncmp(point, out[i].path, pl) && point[pl] == '/')
				nested = true;
		}
		if (nested)
			continue;
		int fd = (int)syscall(SYS_open_tree, AT_FDCWD, point,
				      OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
		if (fd < 0)
			continue;
		out[count].fd = fd;
		snprintf(out[count].path, sizeof out[count].path, "%s", point);
		count++;
	}
	free(info);
	return count;
}

/* A filesystem whose contents depend on the namespace of whoever mounted
 * it (sysfs: the network namespace; mqueue: the ipc one) shows the CT's
 * own after a join: mount it again, as runc mounts it after the join. */
static int mount_again(const char *path, const char *fstype, long magic, const char *keep_skip, char *why,
		       size_t n)
{
	struct statfs sf;
	if (statfs(path, &sf) < 0 || sf.f_type != magic)
		return 0; /* not mounted there: nothing shows the old namespace */
	unsigned long flags = mount_flags(path);
	struct kept kept[64];
	size_t nkept = keep_submounts(path, keep_skip, kept, 64);
	int rc = 0;
	/* private first: a detach must not propagate to a peer elsewhere */
	if (mount(NULL, path, NULL, MS_REC | MS_PRIVATE, NULL) < 0 || umount2(path, MNT_DETACH) < 0 ||
	    mount(fstype, path, fstype, flags, NULL) < 0) {
		rc = WHY("mount %s again at %s after joining its namespace: %s", fstype, path, strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < nkept; i++)
		if (syscall(SYS_move_mount, kept[i].fd, "", AT_FDCWD, kept[i].path, MOVE_MOUNT_F_EMPTY_PATH) <
		    0) {
			rc = WHY("put %s back over the new %s: %s", kept[i].path, fstype, strerror(errno));
			goto out;
		}
out:
	for (size_t i = 0; i < nkept; i++)
		close(kept[i].fd);
	return rc;
}

#ifndef SYSFS_MAGIC
#define SYSFS_MAGIC 0x62656572
#endif
#ifndef MQUEUE_MAGIC
#define MQUEUE_MAGIC 0x19800202
#endif

static int mount_joined(int joined, char *why, size_t n)
{
	if ((joined & CLONE_NEWNET) && mount_again("/sys", "sysfs", SYSFS_MAGIC, "sysfs", why, n) < 0)
		return -1;
	if ((joined & CLONE_NEWIPC) && mount_again("/dev/mqueue", "mqueue", MQUEUE_MAGIC, "mqueue", why, n) < 0)
		return -1;
	return 0;
}

#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif

/* What is mounted below /proc (read-only /proc/sys, masks) is put back:
 * none of it shows the pid namespace. */
int mount_proc_again(char *why, size_t n)
{
	return mount_again("/proc", "proc", PROC_SUPER_MAGIC, NULL, why, n);
}

/* "a.b.c=v" -> write v to /proc/sys/a/b/c, in the namespaces the program
 * will have. */
static int write_sysctls(const struct process *p, char *why, size_t n)
{
	for (size_t i = 0; i < p->nsysctl; i++) {
		char path[512];
		const char *eq = strchr(p->sysctl[i], '=');
		if (!eq || (size_t)(eq - p->sysctl[i]) > 400)
			return WHY("bad sysctl %s", p->sysctl[i]);
		int len = snprintf(path, sizeof path, "/proc/sys/%.*s", (int)(eq - p->sysctl[i]), p->sysctl[i]);
		for (char *c = path + 10; c < path + len; c++)
			if (*c == '.')
				*c = '/';
		int fd = open(path, O_WRONLY | O_CLOEXEC);
		size_t vlen = strlen(eq + 1);
		if (fd < 0 || write(fd, eq + 1, vlen) != (ssize_t)vlen) {
			int e = errno;
			if (fd >= 0)
				close(fd);
			return WHY("linux.sysctl %.*s: cannot be set in the container: %s", (int)(eq - p->sysctl[i]),
				   p->sysctl[i], strerror(e));
		}
		close(fd);
	}
	return 0;
}

/* runc's readonlyPath: the path bound onto itself, then made read-only,
 * keeping its other flags. A path that does not exist is skipped. */
static int readonly_path(const char *path, char *why, size_t n)
{
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0) {
		if (errno == ENOENT)
			return 0;
		return WHY("linux.readonlyPaths %s: %s", path, strerror(errno));
	}
	unsigned long flags = mount_flags(path) | MS_RDONLY;
	if (mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | flags, NULL) < 0)
		return WHY("linux.readonlyPaths %s: remount read-only: %s", path, strerror(errno));
	return 0;
}

/* runc's maskPath: /dev/null over a file, an empty read-only tmpfs over a
 * directory. A path that does not exist (also one inside a directory an
 * earlier entry masked) is skipped. A FIFO or device is covered like a
 * file: mount(2) never opens its target. */
static int mask_path(const char *path, char *why, size_t n)
{
	if (mount("/dev/null", path, NULL, MS_BIND, NULL) == 0 || errno == ENOENT)
		return 0;
	if (errno == ENOTDIR || errno == EISDIR || errno == EINVAL) {
		struct stat st;
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode) &&
		    mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0") == 0)
			return 0;
	}
	return WHY("linux.maskedPaths %s: %s", path, strerror(errno));
}

static int mkdir_parents(const char *path)
{
	char buf[4096];
	snprintf(buf, sizeof buf, "%s", path);
	for (char *s = strchr(buf + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return 0;
}

/* linux.devices as runc makes them: a node of the config's type and
 * numbers at the config's path (so /dev/mynull can be the host's
 * /dev/null), with its mode and owner. One that exists is kept, as runc
 * keeps it (LXC's /dev already has null, zero, tty, ...). /dev/ptmx
 * becomes the symlink to pts/ptmx afterwards; devpts owns /dev/pts. */
static int make_device(const struct device *d, char *why, size_t n)
{
	if (!strcmp(d->path, "/dev/ptmx") || !strncmp(d->path, "/dev/pts/", 9))
		return 0;
	mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
	if (mkdir_parents(d->path) < 0)
		return WHY("linux.devices %s: %s", d->path, strerror(errno));
	if (mknod(d->path, type | (d->mode & 07777), d->type == 'p' ? 0 : makedev(d->major, d->minor)) < 0) {
		if (errno == EEXIST)
			return 0;
		return WHY("linux.devices %s: mknod: %s%s", d->path, strerror(errno),
			   errno == EPERM ? " (an unprivileged CT cannot make device nodes)" : "");
	}
	/* the umask shaped mknod's mode */
	if (chmod(d->path, d->mode & 07777) < 0 || chown(d->path, (uid_t)d->uid, (gid_t)d->gid) < 0)
		return WHY("linux.devices %s: %s", d->path, strerror(errno));
	return 0;
}

/* OCI wants /dev/ptmx to be a symlink to pts/ptmx (runc makes it one);
 * LXC bind-mounts the devpts ptmx node there. Same device, but programs
 * that check the link (and the conformance suites) see the difference. A
 * CT without LXC's /dev keeps what it has. */
static int ptmx_symlink(char *why, size_t n)
{
	char target[16];
	ssize_t len = readlink("/dev/ptmx", target, sizeof target - 1);
	if (len == 8 && !memcmp(target, "pts/ptmx", 8))
		return 0;
	if (umount2("/dev/ptmx", MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return WHY("/dev/ptmx: unmount: %s", strerror(errno));
	if (unlink("/dev/ptmx") < 0 && errno != ENOENT)
		return WHY("/dev/ptmx: %s", strerror(errno));
	if (symlink("pts/ptmx", "/dev/ptmx") < 0)
		return WHY("/dev/ptmx: symlink: %s", strerror(errno));
	return 0;
}

/* LXC named the CT's own uts namespace already; a joined one (a pod's)
 * gets the config's name here, as runc sets it in whichever it is in. */
static int set_hostname(const char *name, char *why, size_t n)
{
	char now[256] = "";
	if (!name || (gethostname(now, sizeof now - 1) == 0 && !strcmp(now, name)))
		return 0;
	if (sethostname(name, strlen(name)) < 0)
		return WHY("hostname %s: %s", name, strerror(errno));
	return 0;
}

int setup_container(struct process *p, struct handover *h, char *why, size_t n)
{
	int joined;
	if (join_namespaces(h, &joined, why, n) < 0 || mount_joined(joined, why, n) < 0)
		return -1;
	if (set_hostname(p->hostname, why, n) < 0)
		return -1;
	if (write_sysctls(p, why, n) < 0)
		return -1;
	for (size_t i = 0; i < p->nreadonly; i++)
		if (readonly_path(p->readonly[i], why, n) < 0)
			return -1;
	for (size_t i = 0; i < p->nmasks; i++)
		if (mask_path(p->masks[i], why, n) < 0)
			return -1;
	for (size_t i = 0; i < p->ndevices; i++)
		if (make_device(&p->devices[i], why, n) < 0)
			return -1;
	if (ptmx_symlink(why, n) < 0)
		return -1;
	/* root.readonly last, as runc's finalizeRootfs: every mount point is
	 * in place by now */
	if (p->readonly_root &&
	    mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | mount_flags("/"), NULL) < 0)
		return WHY("root.readonly: remount / read-only: %s", strerror(errno));
	return 0;
}
