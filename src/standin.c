#define _GNU_SOURCE
#include "standin.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"

/* Signals a caller may send the pid it was given, passed on to the CT's
 * init. SIGKILL and SIGSTOP cannot be caught: a SIGKILL ends only the
 * stand-in (the engine then sees that status, as it asked). */
static const int forwarded[] = {SIGHUP,	 SIGINT,   SIGQUIT, SIGTERM, SIGUSR1,
				SIGUSR2, SIGWINCH, SIGCONT, SIGALRM, SIGPWR};

/* How long create waits for the stand-in to say it is in place. */
#define STANDIN_READY_MS 10000

/* The CT's namespaces the stand-in lives in: what engines read through
 * /proc/<pid>/ns. Its own pid namespace stays the host's (a member of the
 * CT's would be killed with the CT's init before it could report the
 * status); its children's is the CT's. */
#define JOINED_NS (CLONE_NEWCGROUP | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWNS)

typedef struct standin {
	pid_t pid;
	int sigfd;
	int *home;     /* the stand-in's own cgroup.procs files, for the way out */
	size_t nhome;
} standin;

static void forward_signals(void *data)
{
	standin *s = data;
	struct signalfd_siginfo si;
	while (read(s->sigfd, &si, sizeof si) == (ssize_t)sizeof si)
		kill(s->pid, (int)si.ssi_signo);
}

/* Back out of the CT's cgroups when the stand-in could not join all. */
static void leave_cgroups(const standin *s)
{
	for (size_t i = 0; i < s->nhome; i++)
		(void)!write(s->home[i], "0", 1);
}

/* End the way the program ended, so a waiting engine reads its status. */
static void __attribute__((noreturn)) mirror_exit(int status)
{
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		struct rlimit no_core = {0, 0};
		setrlimit(RLIMIT_CORE, &no_core);
		signal(sig, SIG_DFL);
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, sig);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		kill(getpid(), sig);
		_exit(128 + sig);
	}
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 255);
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* Nothing of create may stay open here (its lock descriptors would hold
 * the container's lock for as long as the program runs): everything but
 * keep[] closes, and 0-2 become /dev/null (the engine's pipes reach EOF
 * when the program ends). */
static void close_all_but(int *keep, size_t n)
{
	qsort(keep, n, sizeof *keep, cmp_int);
	unsigned from = 3;
	for (size_t i = 0; i < n; i++) {
		if (keep[i] < 3)
			continue;
		if ((unsigned)keep[i] > from)
			close_range(from, (unsigned)keep[i] - 1, 0);
		from = (unsigned)keep[i] + 1;
	}
	close_range(from, ~0U, 0);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		close(null);
	}
}

static int write_all(int fd, const char *s)
{
	size_t len = strlen(s);
	while (len) {
		ssize_t n = write(fd, s, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

static int open_files(char **paths, size_t n, int **fds, nx_err *err)
{
	*fds = calloc(n ? n : 1, sizeof(int));
	if (!*fds)
		return nx_err_sys(err, ENOMEM, "cgroup files");
	for (size_t i = 0; i < n; i++)
		if (((*fds)[i] = open(paths[i], O_WRONLY | O_CLOEXEC)) < 0)
			return nx_err_sys(err, errno, "open %s", paths[i]);
	return 0;
}

static void free_paths(char **paths, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

/* Into the CT's cgroups (host paths, so before the mount namespace) and
 * namespaces, all through the pidfd: the pid cannot have been reused. */
static int join_container(const exitwatch *w, standin *s, nx_err *err)
{
	char **paths = NULL, **home = NULL;
	size_t n = 0, nhome = 0;
	int rc = -1;
	if (proc_cgroup_procs_files(getpid(), &home, &nhome, err) < 0 ||
	    open_files(home, nhome, &s->home, err) < 0)
		goto out;
	s->nhome = nhome;
	if (proc_cgroup_procs_files(w->pid, &paths, &n, err) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		int fd = open(paths[i], O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, "0", 1) != 1) {
			nx_err_sys(err, errno, "join the container's cgroup %s", paths[i]);
			if (fd >= 0)
				close(fd);
			leave_cgroups(s);
			goto out;
		}
		close(fd);
	}
	/* the container's OOM victims are its own processes, never this one */
	int oom = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (oom >= 0) {
		(void)!write(oom, "-1000", 5);
		close(oom);
	}
	if (setns(w->pidfd, JOINED_NS) < 0) {
		nx_err_sys(err, errno, "join the container's namespaces");
		leave_cgroups(s);
		goto out;
	}
	rc = 0;
out:
	free_paths(paths, n);
	free_paths(home, nhome);
	return rc;
}

static void __attribute__((noreturn)) standin_main(const standin_opts *o, int report)
{
	const exitwatch *w = o->watch;
	char name[16];
	snprintf(name, sizeof name, "nx:%s", o->id);
	prctl(PR_SET_NAME, name, 0, 0, 0);
	int keep[] = {w->events, w->pidfd, report};
	close_all_but(keep, sizeof keep / sizeof keep[0]);
	standin s = {.pid = w->pid, .sigfd = -1};
	nx_err err = {0};
	int joined = o->join ? join_container(w, &s, &err) : setns(w->pidfd, CLONE_NEWNS);
	/* an exec's stand-in only needs the mount namespace, for podman top */
	if (joined < 0 && o->join) {
		char msg[sizeof err.msg + 8];
		snprintf(msg, sizeof msg, "err %s\n", err.msg);
		(void)write_all(report, msg);
		_exit(255);
	}
	if (chdir("/") < 0 || write_all(report, "ok\n") < 0)
		_exit(255);
	close(report);
	sigset_t set;
	sigemptyset(&set);
	for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
		sigaddset(&set, forwarded[i]);
	sigaddset(&set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &set, NULL);
	s.sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	int status = 0;
	/* Exit at once, without moving out of the CT's cgroups first: LXC
	 * removes them once its init is gone, and an exited process no longer
	 * counts as a member, whereas moving out (one write per hierarchy,
	 * each waiting for the kernel's cgroup lock) would make that removal
	 * fail with EBUSY now and then. */
	if (exitwatch_wait(w, s.sigfd, forward_signals, &s, &status, &err) < 0)
		_exit(255);
	mirror_exit(status);
}

/* The stand-in's answer: 0 once it is in place. */
static int await_ready(int fd, nx_err *err)
{
	char msg[NX_ERR_MSG_MAX + 8];
	size_t used = 0;
	while (used < sizeof msg - 1) {
		struct pollfd pf = {fd, POLLIN, 0};
		int pr = poll(&pf, 1, STANDIN_READY_MS);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			return nx_err_set(err, "the container's stand-in did not get ready");
		ssize_t n = read(fd, msg + used, sizeof msg - 1 - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		used += (size_t)n;
		if (memchr(msg, '\n', used))
			break;
	}
	msg[used] = '\0';
	msg[strcspn(msg, "\n")] = '\0';
	if (!strcmp(msg, "ok"))
		return 0;
	return nx_err_set(err, "the container's stand-in: %s",
			  strncmp(msg, "err ", 4) ? "exited before it was in place" : msg + 4);
}

pid_t standin_spawn(const standin_opts *o, nx_err *err)
{
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return nx_err_sys(err, errno, "pipe");
	pid_t child = fork();
	if (child < 0) {
		int e = errno;
		close(pipefd[0]);
		close(pipefd[1]);
		return nx_err_sys(err, e, "fork the container's stand-in");
	}
	if (child == 0) {
		close(pipefd[0]);
		standin_main(o, pipefd[1]);
	}
	close(pipefd[1]);
	int rc = await_ready(pipefd[0], err);
	close(pipefd[0]);
	if (rc < 0) {
		kill(child, SIGKILL);
		while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
			;
		return -1;
	}
	return child;
}
