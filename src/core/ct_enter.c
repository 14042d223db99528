#define _GNU_SOURCE
#include "core/ct_enter.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/proc.h"
#include "util/spawn.h"
#include "util/strv.h"

#define ENTERED_NS (CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP)

static void report_errno(int ep, int e)
{
	(void)!write(ep, &e, sizeof e);
	_exit(127);
}

/* Into the stand-in's cgroups (host paths, before its mount namespace),
 * its namespaces through a pidfd (the pid cannot have been reused since
 * the start time was checked), and its children's pid namespace. */
static void enter(pid_t standin, unsigned long long start, int ep)
{
	int pidfd = (int)syscall(SYS_pidfd_open, standin, 0);
	if (pidfd < 0 || !proc_is_alive(standin, start))
		report_errno(ep, pidfd < 0 ? errno : ESRCH);
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/ns/pid_for_children", (int)standin);
	int pidns = open(path, O_RDONLY | O_CLOEXEC);
	if (pidns < 0)
		report_errno(ep, errno);
	char **files = NULL;
	size_t n = 0;
	nx_err err = {0};
	if (proc_cgroup_procs_files(standin, &files, &n, &err) < 0)
		report_errno(ep, ESRCH);
	for (size_t i = 0; i < n; i++) {
		int fd = open(files[i], O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, "0", 1) != 1)
			report_errno(ep, errno);
		close(fd);
	}
	strv_free(files);
	if (setns(pidfd, ENTERED_NS) < 0 || setns(pidns, CLONE_NEWPID) < 0 || chdir("/") < 0)
		report_errno(ep, errno);
	close(pidfd);
	close(pidns);
}

static void __attribute__((noreturn)) enter_and_run(pid_t standin, unsigned long long start,
						    char *const *argv, int out_fd, int ep)
{
	spawn_child_detach(out_fd, ep);
	enter(standin, start, ep);
	/* the pid namespace is entered by the children only */
	pid_t g = fork();
	if (g < 0)
		report_errno(ep, errno);
	if (g == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		char *envp[] = {NULL};
		execve(argv[0], argv, envp);
		report_errno(ep, errno);
	}
	close(ep);
	int status;
	while (waitpid(g, &status, 0) < 0 && errno == EINTR)
		;
	_exit(spawn_exit_status(status));
}

int ct_enter_start(pid_t standin, unsigned long long standin_start, char *const *argv, int out_fd,
		   pid_t *child, nx_err *err)
{
	int ep[2];
	if (pipe2(ep, O_CLOEXEC) < 0)
		return nx_err_sys(err, errno, "enter the container: pipe");
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(ep[0]);
		close(ep[1]);
		return nx_err_sys(err, e, "enter the container: fork");
	}
	if (pid == 0) {
		close(ep[0]);
		enter_and_run(standin, standin_start, argv, out_fd, ep[1]);
	}
	close(ep[1]);
	int child_errno = 0;
	ssize_t n;
	do
		n = read(ep[0], &child_errno, sizeof child_errno);
	while (n < 0 && errno == EINTR);
	close(ep[0]);
	if (n == (ssize_t)sizeof child_errno) {
		waitpid(pid, NULL, 0);
		return nx_err_sys(err, child_errno, "enter the container (stand-in %d)", (int)standin);
	}
	*child = pid;
	return 0;
}
