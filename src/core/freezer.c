#define _GNU_SOURCE
#include "core/freezer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/proc.h"

static int write_state(const char *dir, bool v1, bool freeze, nx_err *err)
{
	char path[8400];
	snprintf(path, sizeof path, "%s/%s", dir, v1 ? "freezer.state" : "cgroup.freeze");
	const char *value = v1 ? (freeze ? "FROZEN" : "THAWED") : (freeze ? "1" : "0");
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return nx_err_sys(err, errno, "open %s", path);
	ssize_t w = write(fd, value, strlen(value));
	int saved = errno;
	close(fd);
	if (w != (ssize_t)strlen(value))
		return nx_err_sys(err, w < 0 ? saved : EIO, "write %s to %s", value, path);
	return 0;
}

/* What the kernel says now: 1 frozen, 0 thawed, -1 in between (v1
 * FREEZING) or unreadable. */
static int read_state(const char *dir, bool v1)
{
	char path[8400], buf[512];
	snprintf(path, sizeof path, "%s/%s", dir, v1 ? "freezer.state" : "cgroup.events");
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t r = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (r <= 0)
		return -1;
	buf[r] = '\0';
	if (v1)
		return !strncmp(buf, "FROZEN", 6) ? 1 : !strncmp(buf, "THAWED", 6) ? 0 : -1;
	return strstr(buf, "frozen 1") ? 1 : strstr(buf, "frozen 0") ? 0 : -1;
}

/* Poll, 1 ms at first and at most 20 ms apart; v1 freezing is retried by
 * writing FROZEN again, as runc does (a task forking while the cgroup
 * freezes can leave it FREEZING). */
static int wait_state(const char *dir, bool v1, bool freeze, double timeout, nx_err *err)
{
	double deadline = clock_monotonic() + timeout;
	long delay_ns = 1000000;
	for (;;) {
		if (read_state(dir, v1) == (freeze ? 1 : 0))
			return 0;
		if (clock_monotonic() >= deadline)
			return nx_err_kind_set(err, NX_ERR_TIMED_OUT, "the cgroup %s was not %s within %.0fs",
					       dir, freeze ? "frozen" : "thawed", timeout);
		struct timespec ts = {0, delay_ns};
		nanosleep(&ts, NULL);
		if (delay_ns < 20000000)
			delay_ns *= 2;
		if (v1 && freeze && write_state(dir, v1, true, err) < 0)
			return -1;
	}
}

int freezer_set(pid_t pid, bool freeze, double timeout, nx_err *err)
{
	char dir[8300];
	bool v1;
	if (proc_freezer_dir(pid, dir, sizeof dir, &v1, err) < 0)
		return nx_err_wrap(err, freeze ? "pause" : "resume");
	if (write_state(dir, v1, freeze, err) < 0)
		return nx_err_wrap(err, freeze ? "pause" : "resume");
	if (wait_state(dir, v1, freeze, timeout, err) == 0)
		return 0;
	if (freeze) {
		/* a failed pause leaves the container running, as it was */
		nx_err e = {0};
		write_state(dir, v1, false, &e);
	}
	return nx_err_wrap(err, freeze ? "pause" : "resume");
}
