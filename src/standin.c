#define _GNU_SOURCE
#include "standin.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exitwatch.h"

/* Signals a caller may send the pid it was given, passed on to the CT's
 * init. SIGKILL and SIGSTOP cannot be caught: a SIGKILL ends only the
 * stand-in (the engine then sees that status, as it asked). */
static const int forwarded[] = {SIGHUP,	 SIGINT,   SIGQUIT, SIGTERM, SIGUSR1,
				SIGUSR2, SIGWINCH, SIGCONT, SIGALRM, SIGPWR};

typedef struct standin {
	pid_t pid;
	int sigfd;
} standin;

static void forward_signals(void *data)
{
	standin *s = data;
	struct signalfd_siginfo si;
	while (read(s->sigfd, &si, sizeof si) == (ssize_t)sizeof si)
		kill(s->pid, (int)si.ssi_signo);
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

static void __attribute__((noreturn))
standin_main(pid_t pid, unsigned long long start_time, int watch_fd, const char *id)
{
	char name[16];
	snprintf(name, sizeof name, "nx:%s", id);
	prctl(PR_SET_NAME, name, 0, 0, 0);
	/* Nothing of create may stay open here: its lock descriptors would
	 * hold the container's lock for as long as the program runs. */
	if (watch_fd != 3 && dup2(watch_fd, 3) < 0)
		_exit(255);
	close_range(4, ~0U, 0);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (null > 2)
			close(null);
	}
	/* In the CT's mount namespace, an engine that reads /proc "from the
	 * pid's point of view" (podman top joins the pid's mount namespace)
	 * sees the container's processes. Best effort: nothing else needs it. */
	char ns[64];
	snprintf(ns, sizeof ns, "/proc/%d/ns/mnt", (int)pid);
	int nsfd = open(ns, O_RDONLY | O_CLOEXEC);
	if (nsfd >= 0) {
		(void)setns(nsfd, CLONE_NEWNS);
		close(nsfd);
	}
	if (chdir("/") < 0)
		_exit(255);
	sigset_t set;
	sigemptyset(&set);
	for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
		sigaddset(&set, forwarded[i]);
	sigaddset(&set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &set, NULL);
	standin s = {.pid = pid, .sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)};
	int status = 0;
	nx_err err = {0};
	if (exitwatch_wait_status(3, pid, start_time, s.sigfd >= 0 ? forward_signals : NULL, &s, &status,
				  &err) < 0)
		_exit(255);
	mirror_exit(status);
}

pid_t standin_spawn(pid_t pid, unsigned long long start_time, int watch_fd, const char *id, nx_err *err)
{
	pid_t child = fork();
	if (child < 0)
		return nx_err_sys(err, errno, "fork the container's stand-in");
	if (child == 0)
		standin_main(pid, start_time, watch_fd, id);
	return child;
}
