#define _GNU_SOURCE
#include "proc.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "fsutil.h"

/* Parse /proc/<pid>/stat: the command name may contain spaces and ')', so
 * fields are counted from the last ')'. */
static int read_stat(pid_t pid, char *state, unsigned long long *start)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	char *data = NULL;
	nx_err err = {0};
	if (fs_read_file(path, 4096, &data, NULL, &err) < 0)
		return -1;
	char *rp = strrchr(data, ')');
	int rc = -1;
	if (rp) {
		char st;
		unsigned long long v;
		/* after ") ": state ppid pgrp session tty tpgid flags minflt cminflt
		 * majflt cmajflt utime stime cutime cstime priority nice threads
		 * itrealvalue starttime */
		if (sscanf(rp + 2, "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
			   &st, &v) == 2) {
			*state = st;
			*start = v;
			rc = 0;
		}
	}
	free(data);
	return rc;
}

unsigned long long proc_start_time(pid_t pid)
{
	char st;
	unsigned long long start;
	if (pid <= 0 || read_stat(pid, &st, &start) < 0 || st == 'Z' || st == 'X')
		return 0;
	return start;
}

bool proc_is_alive(pid_t pid, unsigned long long start_time)
{
	unsigned long long s = proc_start_time(pid);
	return s != 0 && s == start_time;
}

int proc_cgroup_dir(pid_t pid, char *out, size_t n, nx_err *err)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/cgroup", (int)pid);
	cleanup_free char *data = NULL;
	if (fs_read_file(path, 65536, &data, NULL, err) < 0)
		return -1;
	/* cgroup v2: a single "0::/path" line */
	for (char *line = strtok(data, "\n"); line; line = strtok(NULL, "\n")) {
		if (!strncmp(line, "0::", 3)) {
			snprintf(out, n, "/sys/fs/cgroup%s", line + 3);
			return 0;
		}
	}
	return nx_err_set(err, "pid %d: no cgroup v2 membership", (int)pid);
}

bool proc_cgroup_frozen(const char *cgdir)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/cgroup.events", cgdir);
	char *data = NULL;
	nx_err err = {0};
	if (fs_read_file(path, 4096, &data, NULL, &err) < 0)
		return false;
	bool frozen = strstr(data, "frozen 1") != NULL;
	free(data);
	return frozen;
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
			pid_t *np = realloc(*pids, sizeof(pid_t) * (size_t)*cap);
			if (!np)
				return nx_err_sys(err, ENOMEM, "cgroup pids");
			*pids = np;
		}
		(*pids)[(*count)++] = (pid_t)atoi(line);
	}
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	struct dirent *de;
	int rc = 0;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
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
