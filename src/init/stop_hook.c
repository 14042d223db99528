/* lxc.hook.stop, run on the host by the CT's LXC monitor once the CT's init
 * has exited and before LXC removes the CT's cgroups: the stand-in lives in
 * those cgroups (engines read the container's stats through it) and leaves
 * them by exiting, which it does as soon as the kernel tells it how the init
 * ended. Waiting for that here keeps LXC's removal from finding a member.
 * The hook never fails the stop: past its limit LXC goes on as it would. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "init.h"
#include "protocol.h"

#define STOP_HOOK_WAIT_MS 5000

/* Field 22 of /proc/<pid>/stat, after the command name's last ')'. */
static unsigned long long start_time(pid_t pid)
{
	char path[64], buf[4096];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	char *rp = strrchr(buf, ')');
	unsigned long long v;
	if (!rp || sscanf(rp + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
			  &v) != 1)
		return 0;
	return v;
}

/* "<pid> <start time>" from <dir>/<name>; 0 when absent or unreadable. */
static int read_record(const char *dir, const char *name, int *pid, unsigned long long *start)
{
	char path[4200], buf[128];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return sscanf(buf, "%d %llu", pid, start) == 2 && *pid > 0;
}

/* A pidfd of the process recorded, when it is still that one. */
static int pidfd_of(int pid, unsigned long long start)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd >= 0 && start_time(pid) != start) {
		close(fd);
		return -1;
	}
	return fd;
}

int stop_hook_main(const char *self)
{
	/* self is <state dir>/ctr/init; the records are in <state dir> */
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", self);
	for (int up = 0; up < 2; up++) {
		char *slash = strrchr(dir, '/');
		if (!slash)
			return 0;
		*slash = '\0';
	}
	int pid;
	unsigned long long start;
	/* a program in another pid namespace does not die with the CT's
	 * init: it goes now (the stand-in would end it too, if it can) */
	if (read_record(dir, NX_INIT_PROGRAM, &pid, &start)) {
		int fd = pidfd_of(pid, start);
		if (fd >= 0) {
			syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
			close(fd);
		}
	}
	if (!read_record(dir, NX_INIT_STANDIN, &pid, &start))
		return 0; /* no stand-in (yet): nothing to wait for */
	int pidfd = pidfd_of(pid, start);
	if (pidfd < 0)
		return 0; /* gone already */
	struct pollfd pf = {pidfd, POLLIN, 0};
	while (poll(&pf, 1, STOP_HOOK_WAIT_MS) < 0 && errno == EINTR)
		;
	close(pidfd);
	return 0;
}
