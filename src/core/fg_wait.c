#define _GNU_SOURCE
#include "core/fg_wait.h"

#include <errno.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/spawn.h"

/* runc passes on every signal but SIGCHLD, SIGWINCH (no terminal here)
 * and SIGURG; the ones a process can be stopped or killed with that
 * cannot be caught stay ours. */
static const int passed_on[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM, SIGPWR, SIGCONT};

int fg_signals_block(fg_signals *s, nx_err *err)
{
	sigset_t set;
	sigemptyset(&set);
	for (size_t i = 0; i < sizeof passed_on / sizeof passed_on[0]; i++)
		sigaddset(&set, passed_on[i]);
	if (sigprocmask(SIG_BLOCK, &set, &s->old) < 0)
		return nx_err_sys(err, errno, "sigprocmask");
	/* an ignored signal never reaches a signalfd: one the caller ignored
	 * (a shell's & ignores SIGINT, nohup SIGHUP) is passed on too, as
	 * runc's are; blocked, the default action cannot happen here */
	for (size_t i = 0; i < sizeof passed_on / sizeof passed_on[0]; i++)
		signal(passed_on[i], SIG_DFL);
	s->fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (s->fd < 0) {
		int e = errno;
		sigprocmask(SIG_SETMASK, &s->old, NULL);
		return nx_err_sys(err, e, "signalfd");
	}
	return 0;
}

void fg_signals_restore(fg_signals *s)
{
	if (s->fd < 0)
		return;
	close(s->fd);
	s->fd = -1;
	sigprocmask(SIG_SETMASK, &s->old, NULL);
}

/* A terminal's ^C or ^\ (sent by the kernel to the whole foreground
 * process group) reaches the stand-in by itself when it is in ours. */
static void pass_on(int sigfd, pid_t pid)
{
	struct signalfd_siginfo si;
	while (read(sigfd, &si, sizeof si) == (ssize_t)sizeof si)
		if (si.ssi_code != SI_KERNEL || getpgid(pid) != getpgrp())
			kill(pid, (int)si.ssi_signo);
}

int fg_wait(const fg_signals *s, pid_t pid, nx_err *err)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return nx_err_sys(err, errno, "pidfd_open %d", (int)pid);
	struct pollfd pf[2] = {{pidfd, POLLIN, 0}, {s->fd, POLLIN, 0}};
	for (;;) {
		pass_on(s->fd, pid); /* what arrived before we waited */
		int pr = poll(pf, 2, -1);
		if (pr < 0 && errno != EINTR) {
			int e = errno;
			close(pidfd);
			return nx_err_sys(err, e, "poll");
		}
		if (pr > 0 && (pf[0].revents & POLLIN))
			break;
	}
	close(pidfd);
	int status;
	pid_t r;
	do
		r = waitpid(pid, &status, 0);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return nx_err_sys(err, errno, "wait for the container");
	return spawn_exit_status(status);
}
