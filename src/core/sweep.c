#define _GNU_SOURCE
#include "core/sweep.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"

static long digits(const char *s, size_t n)
{
	if (n == 0 || n > 9)
		return 0;
	long v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

long sweep_name_pid(const char *name)
{
	size_t len = strlen(name);
	/* <x>.tmp.<pid>.<6 random> */
	const char *t = NULL;
	for (const char *p = name; (p = strstr(p, ".tmp.")); p++)
		t = p;
	if (t && len > 7 && name[len - 7] == '.' && name + len - 7 > t + 5)
		return digits(t + 5, (size_t)(name + len - 7 - (t + 5)));
	/* nexcage-<node>-<id>.<pid>.tar.zst */
	static const char ext[] = ".tar.zst";
	size_t el = sizeof ext - 1;
	if (len > el && !strcmp(name + len - el, ext)) {
		const char *end = name + len - el, *dot = end;
		while (dot > name && dot[-1] != '.')
			dot--;
		if (dot > name)
			return digits(dot, (size_t)(end - dot));
	}
	return 0;
}

static bool pid_dead(long pid)
{
	return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

int sweep_dir(const char *dir, const char *template_prefix, bool dry_run, sweep_notify_fn notify, void *data)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	int count = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		const char *n = de->d_name;
		bool temp = strstr(n, ".tmp.") != NULL;
		bool archive = template_prefix && !strncmp(n, template_prefix, strlen(template_prefix));
		if (!temp && !archive)
			continue;
		long pid = sweep_name_pid(n);
		if (pid <= 0 || pid == getpid() || !pid_dead(pid))
			continue;
		if (!dry_run && unlinkat(dirfd(d), n, 0) < 0) {
			if (errno != ENOENT)
				log_warn("remove %s/%s: %s", dir, n, strerror(errno));
			continue;
		}
		if (notify)
			notify(dir, n, pid, dry_run, data);
		else
			log_info("removed %s/%s (left by pid %ld)", dir, n, pid);
		count++;
	}
	closedir(d);
	return count;
}
