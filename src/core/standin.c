#define _GNU_SOURCE
#include "core/standin.h"

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
#include <sys/socket.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/proc.h"
#include "util/scm_rights.h"
#include "core/standin_internal.h"
#include "util/strv.h"
#include "util/xalloc.h"

/* Signals a caller may send the pid it was given, passed on to the CT's
 * init. SIGKILL and SIGSTOP cannot be caught: a SIGKILL is passed on by
 * the stand-in's guard (guard_spawn), SIGSTOP stops the stand-in alone. */
static const int forwarded[] = {SIGHUP,	 SIGINT,   SIGQUIT, SIGTERM, SIGUSR1,
				SIGUSR2, SIGWINCH, SIGCONT, SIGALRM, SIGPWR};

/* How long create waits for the stand-in to say it is in place. */
#define STANDIN_READY_MS 10000

/* The CT's namespaces the stand-in lives in: what engines read through
 * /proc/<pid>/ns. Its own pid namespace stays the host's (a member of the
 * CT's would be killed with the CT's init before it could report the
 * status); its children's is the CT's. */
#define JOINED_NS (CLONE_NEWCGROUP | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWNS)

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
void standin_mirror_exit(int status)
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
 * when the program ends) unless the program still needs them. */
static void close_all_but(int *keep, size_t n, int first_free)
{
	qsort(keep, n, sizeof *keep, cmp_int);
	unsigned from = (unsigned)first_free;
	for (size_t i = 0; i < n; i++) {
		if (keep[i] < first_free)
			continue;
		if ((unsigned)keep[i] > from)
			close_range(from, (unsigned)keep[i] - 1, 0);
		from = (unsigned)keep[i] + 1;
	}
	close_range(from, ~0U, 0);
}

void standin_null_fds(int n)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0)
		return;
	for (int i = 0; i < (n > 3 ? n : 3); i++)
		if (i != null)
			dup2(null, i);
	if (null >= (n > 3 ? n : 3))
		close(null);
}

int standin_report(int fd, const char *s)
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
	*fds = xcalloc(n ? n : 1, sizeof(int));
	for (size_t i = 0; i < n; i++)
		if (((*fds)[i] = open(paths[i], O_WRONLY | O_CLOEXEC)) < 0)
			return nx_err_sys(err, errno, "open %s", paths[i]);
	return 0;
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
	strv_free(paths);
	strv_free(home);
	return rc;
}

void standin_fail(int report, const nx_err *err)
{
	char msg[sizeof err->msg + 8];
	snprintf(msg, sizeof msg, "err %s\n", err->msg);
	(void)standin_report(report, msg);
	_exit(255);
}

int standin_block_signals(void)
{
	sigset_t set;
	sigemptyset(&set);
	for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
		sigaddset(&set, forwarded[i]);
	sigaddset(&set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &set, NULL);
	/* one the engine ignored would never reach the signalfd */
	for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
		signal(forwarded[i], SIG_DFL);
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

void standin_wait_init(const exitwatch *w, standin *s)
{
	int status = 0;
	nx_err err = {0};
	/* Exit at once, without moving out of the CT's cgroups first: LXC
	 * removes them once its init is gone, and an exited process no longer
	 * counts as a member, whereas moving out (one write per hierarchy,
	 * each waiting for the kernel's cgroup lock) would make that removal
	 * fail with EBUSY now and then. */
	if (exitwatch_wait(w, s->sigfd, forward_signals, s, &status, &err) < 0)
		_exit(255);
	standin_mirror_exit(status);
}

/* SIGKILL to the stand-in is meant for what it stands in for: engines
 * kill the pid they were given (containerd's shim ends a timed-out
 * ExecSync so, a person runs kill -9), and runc's pid is the process
 * itself. The stand-in cannot catch it, so a child of its own learns of
 * its death (PR_SET_PDEATHSIG) and passes SIGKILL on, unless the process
 * ended first (the stand-in's normal exit). The guard stays in the
 * caller's cgroup and namespaces, holds only the process's pidfd, and
 * its own exit is of no interest to whoever reaps it. */
static void guard_spawn(int pidfd, int members)
{
	pid_t parent = getpid();
	pid_t g = fork();
	if (g != 0)
		return; /* the stand-in, or no guard if fork failed */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	int sfd = signalfd(-1, &set, SFD_CLOEXEC);
	int keep[] = {pidfd, sfd, members};
	close_all_but(keep, 3, 0);
	prctl(PR_SET_NAME, "nx:guard", 0, 0, 0);
	if (sfd < 0 || prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0) < 0)
		_exit(1);
	struct pollfd pf[2] = {{pidfd, POLLIN, 0}, {sfd, POLLIN, 0}};
	while (getppid() == parent && poll(pf, 2, -1) < 0 && errno == EINTR)
		;
	/* the process's end, or the stand-in's: which came first */
	struct pollfd done = {pidfd, POLLIN, 0};
	if (poll(&done, 1, 0) == 0) {
		syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
		standin_end_the_rest(members);
	}
	_exit(0);
}

/* The CT's cgroup.procs in its first hierarchy (host pids), read-only: a
 * program in another pid namespace leaves processes there that do not die
 * with the CT's init (outside its pid namespace); whoever ends the program
 * (the stand-in, or its guard) ends them through it. -1 if unreadable. */
static int ct_members_open(pid_t pid)
{
	char **paths = NULL;
	size_t n = 0;
	nx_err e = {0};
	int fd = -1;
	if (proc_cgroup_procs_files(pid, &paths, &n, &e) == 0 && n)
		fd = open(paths[0], O_RDONLY | O_CLOEXEC);
	strv_free(paths);
	return fd;
}

static void __attribute__((noreturn)) standin_main(const standin_opts *o, int report)
{
	const exitwatch *w = o->watch;
	char name[16];
	snprintf(name, sizeof name, "nx:%s", o->id);
	prctl(PR_SET_NAME, name, 0, 0, 0);
	bool program = o->pidns >= 0;
	int keep[] = {w->events, w->pidfd, report, o->pidns, o->state_dirfd};
	close_all_but(keep, sizeof keep / sizeof keep[0], program ? (o->keep_fds > 3 ? o->keep_fds : 3) : 3);
	if (!program)
		standin_null_fds(3);
	standin s = {.pid = w->pid, .sigfd = -1, .procfd = -1, .members = program ? ct_members_open(w->pid) : -1};
	nx_err err = {0};
	/* before joining: the guard must not count in the CT's cgroup. For a
	 * program in another pid namespace it ends the CT's init and the
	 * program's leftovers, as the stand-in does when the program ends; the
	 * program itself dies with the stand-in (PR_SET_PDEATHSIG) */
	guard_spawn(w->pidfd, s.members);
	if (program)
		s.procfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	/* an exec's stand-in only needs the mount namespace, for podman top */
	int joined = o->join ? join_container(w, &s, &err) : setns(w->pidfd, CLONE_NEWNS);
	if (joined < 0 && o->join)
		standin_fail(report, &err);
	if (program)
		standin_run_program(o, &s, report);
	if (chdir("/") < 0 || standin_report(report, "ok\n") < 0)
		_exit(255);
	close(report);
	s.sigfd = standin_block_signals();
	standin_wait_init(w, &s);
}

/* The stand-in's answer: 0 once it is in place; a terminal's master
 * ("tty", with its descriptor) may come first. */
static int await_ready(int fd, int *pty_master, nx_err *err)
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
		int fds[1], nfds = 0;
		ssize_t n = scm_recv(fd, msg + used, sizeof msg - 1 - used, fds, 1, &nfds);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (nfds == 1 && pty_master && *pty_master < 0)
			*pty_master = fds[0];
		else if (nfds == 1)
			close(fds[0]);
		used += (size_t)n;
		msg[used] = '\0';
		if (!strncmp(msg, "tty\n", 4)) { /* the master came with it */
			memmove(msg, msg + 4, used - 3);
			used -= 4;
		}
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
	int sp[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
		return nx_err_sys(err, errno, "socketpair");
	if (o->pty_master)
		*o->pty_master = -1;
	pid_t child = fork();
	if (child < 0) {
		int e = errno;
		close(sp[0]);
		close(sp[1]);
		return nx_err_sys(err, e, "fork the container's stand-in");
	}
	if (child == 0) {
		close(sp[0]);
		standin_main(o, sp[1]);
	}
	close(sp[1]);
	int rc = await_ready(sp[0], o->pty_master, err);
	close(sp[0]);
	if (rc < 0) {
		if (o->pty_master && *o->pty_master >= 0) {
			close(*o->pty_master);
			*o->pty_master = -1;
		}
		kill(child, SIGKILL);
		while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
			;
		return -1;
	}
	return child;
}
