#define _GNU_SOURCE
#include "util/proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fsutil.h"
#include "util/strv.h"
#include "util/xalloc.h"

/* Parse /proc/<pid>/stat: the command name may contain spaces and ')', so
 * fields are counted from the last ')'. */
static int read_stat(int procfd, pid_t pid, char *state, unsigned long long *start)
{
	char path[64];
	snprintf(path, sizeof path, procfd >= 0 ? "%d/stat" : "/proc/%d/stat", (int)pid);
	char *data = NULL;
	nx_err err = {0};
	int fd = openat(procfd >= 0 ? procfd : AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc0 = fs_read_fd(fd, path, 4096, &data, NULL, &err);
	close(fd);
	if (rc0 < 0)
		return -1;
	char *rp = strrchr(data, ')');
	int rc = -1;
	if (rp) {
		char st;
		unsigned long long v;
		/* after ") ": state ppid pgrp session tty tpgid flags minflt cminflt
		 * majflt cmajflt utime stime cutime cstime priority nice threads
		 * itrealvalue starttime */
		if (sscanf(rp + 2,
			   "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
			   &st, &v) == 2) {
			*state = st;
			*start = v;
			rc = 0;
		}
	}
	free(data);
	return rc;
}

unsigned long long proc_start_time_at(int procfd, pid_t pid)
{
	char st;
	unsigned long long start;
	if (pid <= 0 || read_stat(procfd, pid, &st, &start) < 0 || st == 'Z' || st == 'X')
		return 0;
	return start;
}

unsigned long long proc_start_time(pid_t pid)
{
	return proc_start_time_at(-1, pid);
}

bool proc_is_alive(pid_t pid, unsigned long long start_time)
{
	unsigned long long s = proc_start_time(pid);
	return s != 0 && s == start_time;
}

/* Where a cgroup hierarchy is mounted: the cgroup2 one (fstype
 * "cgroup2"; /sys/fs/cgroup on Proxmox, /sys/fs/cgroup/unified on hybrid
 * hosts) or a v1 controller's ("cgroup" with the controller in the super
 * options). From /proc/self/mountinfo: no guessing of paths. */
static int cgroup_mount(const char *v1_controller, char *out, size_t n)
{
	cleanup_free char *data = NULL;
	nx_err err = {0};
	if (fs_read_file("/proc/self/mountinfo", 1 << 20, &data, NULL, &err) < 0)
		return -1;
	char *save = NULL;
	for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		/* id parent maj:min root mountpoint opts ... - fstype source superopts */
		char mnt[4096], fstype[64], super[1024];
		char *dash = strstr(line, " - ");
		if (!dash || sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1 ||
		    sscanf(dash + 3, "%63s %*s %1023s", fstype, super) != 2)
			continue;
		if (!v1_controller && !strcmp(fstype, "cgroup2")) {
			snprintf(out, n, "%s", mnt);
			return 0;
		}
		if (v1_controller && !strcmp(fstype, "cgroup")) {
			for (char *o = strtok(super, ","); o; o = strtok(NULL, ","))
				if (!strcmp(o, v1_controller)) {
					snprintf(out, n, "%s", mnt);
					return 0;
				}
		}
	}
	return -1;
}

/* The pid's path in a hierarchy: "0::" for v2, or the v1 controller's line. */
static int cgroup_path(pid_t pid, const char *v1_controller, char *out, size_t n)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/cgroup", (int)pid);
	cleanup_free char *data = NULL;
	nx_err err = {0};
	if (fs_read_file(path, 65536, &data, NULL, &err) < 0)
		return -1;
	char *save = NULL;
	for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		bool unified = !strncmp(line, "0::", 3);
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = '\0';
		bool match = v1_controller ? !unified && strstr(c1 + 1, v1_controller) != NULL : unified;
		if (match) {
			snprintf(out, n, "%s", c2 + 1);
			return 0;
		}
	}
	return -1;
}

int proc_cgroup_dir(pid_t pid, char *out, size_t n, nx_err *err)
{
	char mnt[4096], rel[4096];
	if (cgroup_mount(NULL, mnt, sizeof mnt) < 0)
		return nx_err_set(err, "no cgroup2 hierarchy mounted");
	if (cgroup_path(pid, NULL, rel, sizeof rel) < 0)
		return nx_err_set(err, "pid %d: no cgroup v2 membership", (int)pid);
	snprintf(out, n, "%s%s", mnt, rel);
	return 0;
}

/* One mounted hierarchy from a mountinfo line: its mount point, the
 * cgroup path at that mount's root, and what it holds ("" for cgroup2,
 * else the controllers and name= of its super options, comma-joined). */
typedef struct cg_mount {
	char point[4096], root[4096], what[512];
} cg_mount;

/* Super options of a v1 hierarchy that are flags, not controllers. */
static bool cg_flag(const char *o)
{
	static const char *const flags[] = {"xattr", "noprefix", "clone_children", "cpuset_v2_mode",
					    "favordynmods", NULL};
	for (const char *const *f = flags; *f; f++)
		if (!strcmp(o, *f))
			return true;
	return false;
}

static bool cg_mount_parse(char *line, cg_mount *m)
{
	char fstype[64], super[1024];
	char *dash = strstr(line, " - ");
	if (!dash || sscanf(line, "%*s %*s %*s %4095s %4095s", m->root, m->point) != 2 ||
	    sscanf(dash + 3, "%63s %*s %1023s", fstype, super) != 2)
		return false;
	m->what[0] = '\0';
	if (!strcmp(fstype, "cgroup2"))
		return true;
	if (strcmp(fstype, "cgroup"))
		return false;
	size_t used = 0;
	char *save = NULL;
	for (char *o = strtok_r(super, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		if (!strcmp(o, "rw") || !strcmp(o, "ro") || cg_flag(o) || (strchr(o, '=') && strncmp(o, "name=", 5)))
			continue;
		used += (size_t)snprintf(m->what + used, sizeof m->what - used, "%s%s", used ? "," : "", o);
		if (used >= sizeof m->what)
			return false;
	}
	return used > 0;
}

/* Same controllers, in any order ("cpu,cpuacct" against "cpuacct,cpu"). */
static bool same_set(const char *a, const char *b)
{
	char x[512], y[512];
	snprintf(x, sizeof x, "%s", a);
	size_t na = 0, nb = 0;
	char *save = NULL;
	for (char *t = strtok_r(x, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		na++;
		snprintf(y, sizeof y, ",%s,", b);
		char needle[520];
		snprintf(needle, sizeof needle, ",%s,", t);
		if (!strstr(y, needle))
			return false;
	}
	for (const char *c = b; *c; c++)
		nb += *c == ',';
	return na == (*b ? nb + 1 : 0);
}

int proc_cgroup_procs_files(pid_t pid, char ***files, size_t *n, nx_err *err)
{
	*files = NULL;
	*n = 0;
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/cgroup", (int)pid);
	cleanup_free char *cg = NULL, *mi = NULL;
	if (fs_read_file(path, 65536, &cg, NULL, err) < 0 ||
	    fs_read_file("/proc/self/mountinfo", 1 << 20, &mi, NULL, err) < 0)
		return -1;
	char *save = NULL;
	for (char *line = strtok_r(cg, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		/* "N:controllers:path"; cgroup2 is "0::path" */
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = '\0';
		const char *what = c1 + 1, *rel = c2 + 1;
		cleanup_free char *copy = xstrdup(mi);
		char *msave = NULL;
		for (char *ml = strtok_r(copy, "\n", &msave); ml; ml = strtok_r(NULL, "\n", &msave)) {
			cg_mount m;
			if (!cg_mount_parse(ml, &m) || !same_set(m.what, what))
				continue;
			/* a mount of part of the hierarchy shows it from its root */
			size_t rl = strcmp(m.root, "/") ? strlen(m.root) : 0;
			if (rl && (strncmp(rel, m.root, rl) || (rel[rl] && rel[rl] != '/')))
				continue;
			strv_pushf(files, n, "%s%s/cgroup.procs", m.point, strcmp(rel + rl, "/") ? rel + rl : "");
			break;
		}
	}
	if (*n == 0)
		return nx_err_set(err, "pid %d: no mounted cgroup hierarchy holds it", (int)pid);
	return 0;
}

static bool file_contains(const char *path, const char *needle)
{
	char *data = NULL;
	nx_err err = {0};
	if (fs_read_file(path, 4096, &data, NULL, &err) < 0)
		return false;
	bool found = strstr(data, needle) != NULL;
	free(data);
	return found;
}

int proc_freezer_dir(pid_t pid, char *out, size_t n, bool *v1, nx_err *err)
{
	char mnt[4096], rel[4096];
	/* hybrid and legacy hosts freeze through the v1 freezer controller,
	 * as runc's cgroup v1 manager does there */
	if (cgroup_mount("freezer", mnt, sizeof mnt) == 0 && cgroup_path(pid, "freezer", rel, sizeof rel) == 0) {
		*v1 = true;
		if ((size_t)snprintf(out, n, "%s%s", mnt, rel) >= n)
			return nx_err_set(err, "pid %d: freezer cgroup path too long", (int)pid);
		return 0;
	}
	*v1 = false;
	return proc_cgroup_dir(pid, out, n, err);
}

bool proc_pid_frozen(pid_t pid)
{
	char dir[8300], path[8400];
	bool v1;
	if (proc_freezer_dir(pid, dir, sizeof dir, &v1, NULL) < 0)
		return false;
	snprintf(path, sizeof path, "%s/%s", dir, v1 ? "freezer.state" : "cgroup.events");
	return file_contains(path, v1 ? "FROZEN" : "frozen 1");
}

static int collect(const char *dir, pid_t **pids, int *count, int *cap, int depth, nx_err *err)
{
	if (depth > 32)
		return 0;
	char path[4200];
	snprintf(path, sizeof path, "%s/cgroup.procs", dir);
	cleanup_free char *data = NULL;
	if (fs_read_file(path, 16 << 20, &data, NULL, err) < 0)
		return -1;
	for (char *line = strtok(data, "\n"); line; line = strtok(NULL, "\n")) {
		if (*count == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			*pids = xreallocarray(*pids, (size_t)*cap, sizeof(pid_t));
		}
		(*pids)[(*count)++] = (pid_t)atoi(line);
	}
	DIR *d = opendir(dir);
	if (!d) /* gone since it was listed; anything else (ENOMEM) would drop pids */
		return errno == ENOENT ? 0 : nx_err_sys(err, errno, "open %s", dir);
	struct dirent *de;
	int rc = 0;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char sub[4200];
		snprintf(sub, sizeof sub, "%s/%s", dir, de->d_name);
		if ((rc = collect(sub, pids, count, cap, depth + 1, err)) < 0)
			break;
	}
	closedir(d);
	return rc;
}

int proc_cgroup_pids(const char *cgdir, pid_t **pids, nx_err *err)
{
	int count = 0, cap = 0;
	*pids = NULL;
	if (collect(cgdir, pids, &count, &cap, 0, err) < 0) {
		free(*pids);
		*pids = NULL;
		return -1;
	}
	return count;
}
