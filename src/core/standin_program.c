/* The stand-in's second role: the container's program joins a pid
 * namespace the CT's init cannot enter (a pod's, given by path; the host's,
 * when config.json has none), so the stand-in, which runs on the host,
 * starts it there. It has entered the CT's cgroup and its other namespaces
 * already; it takes the pod's pid namespace for its children, makes the
 * terminal in the CT when asked, waits for `start` on the exec fifo, then
 * forks the program (nexcage-init's program mode, which applies the
 * process's settings and execs it) and waits for it as its parent: the
 * status is exact. The CT's init only keeps the CT up meanwhile; whichever
 * of the two ends first, the stand-in ends the other. */
#define _GNU_SOURCE
#include "core/standin_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "init/protocol.h"
#include "util/proc.h"
#include "util/scm_rights.h"

#define EXEC_FIFO NX_INIT_DIR "/" NX_INIT_EXEC_FIFO

/* A pty in the CT's devpts (the stand-in is in the CT's mount namespace):
 * the master goes back to create, for --console-socket. */
static int make_pty(int report, int *slave, nx_err *err)
{
	int m = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	int unlock = 0;
	if (m < 0 || ioctl(m, TIOCSPTLCK, &unlock) < 0 ||
	    (*slave = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY)) < 0) {
		int e = errno;
		if (m >= 0)
			close(m);
		return nx_err_sys(err, e, "make the program's terminal in the CT");
	}
	int rc = scm_send(report, "tty\n", &m, 1) < 0 ? nx_err_sys(err, errno, "hand the terminal over") : 0;
	close(m);
	return rc;
}

/* Block until `start` opens the fifo for reading (IN_OPEN), then write
 * its byte. -1 when the CT's init ended first (a created container
 * deleted). */
static int wait_for_start(int init_pidfd)
{
	int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (in < 0 || inotify_add_watch(in, EXEC_FIFO, IN_OPEN) < 0) {
		if (in >= 0)
			close(in);
		return -1;
	}
	int rc = -1;
	for (;;) {
		int fd = open(EXEC_FIFO, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd >= 0) {
			rc = write(fd, "0", 1) == 1 ? 0 : -1;
			close(fd);
			break;
		}
		if (errno != ENXIO && errno != EINTR)
			break;
		struct pollfd pf[2] = {{in, POLLIN, 0}, {init_pidfd, POLLIN, 0}};
		if (poll(pf, 2, -1) < 0 && errno != EINTR)
			break;
		if (pf[1].revents)
			break;
		char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
		while (read(in, buf, sizeof buf) > 0)
			;
	}
	close(in);
	return rc;
}

static void __attribute__((noreturn)) exec_program(const standin_opts *o, int tty_slave)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	setsid();
	if (tty_slave >= 0) {
		if (ioctl(tty_slave, TIOCSCTTY, 0) < 0)
			_exit(127);
		for (int i = 0; i < 3; i++)
			dup2(tty_slave, i);
		if (tty_slave > 2)
			close(tty_slave);
	}
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	char count[16];
	snprintf(count, sizeof count, "%d", o->keep_fds);
	char *argv[] = {NX_INIT_DIR "/init", NX_INIT_MODE_PROGRAM, count, NULL};
	char *envp[] = {NULL};
	execve(argv[0], argv, envp);
	_exit(127);
}

/* "<pid> <start time>" for `kill` and the stop hook, written from inside
 * the CT's mount namespace through the state directory's descriptor. */
static void record_program(int dirfd, int procfd, pid_t pid)
{
	char rec[64], tmp[32];
	int len = snprintf(rec, sizeof rec, "%d %llu\n", (int)pid, proc_start_time_at(procfd, pid));
	snprintf(tmp, sizeof tmp, "%s.%d", NX_INIT_PROGRAM, (int)getpid());
	int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	bool ok = write(fd, rec, (size_t)len) == len && fsync(fd) == 0;
	close(fd);
	if (!ok || renameat(dirfd, tmp, dirfd, NX_INIT_PROGRAM) < 0)
		unlinkat(dirfd, tmp, 0);
}

typedef struct program {
	pid_t pid;
	int sigfd;
} program;

static void forward(void *data)
{
	program *p = data;
	struct signalfd_siginfo si;
	while (read(p->sigfd, &si, sizeof si) == (ssize_t)sizeof si)
		kill(p->pid, (int)si.ssi_signo);
}

/* What the program left in the CT's cgroup (its children, outside the
 * CT's pid namespace, do not die with the CT's init): ended, as runc's
 * delete ends every process of a container without a pid namespace of
 * its own. */
void standin_end_the_rest(int members)
{
	for (int round = 0; members >= 0 && round < 50; round++) {
		char buf[65536];
		ssize_t n = pread(members, buf, sizeof buf - 1, 0);
		if (n <= 0)
			return;
		buf[n] = '\0';
		int others = 0;
		for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
			pid_t pid = (pid_t)atoi(line);
			if (pid > 0 && pid != getpid()) {
				kill(pid, SIGKILL);
				others++;
			}
		}
		if (!others)
			return;
		usleep(10000);
	}
}

/* Whichever ends first: the program (end the CT's init) or the CT (end the
 * program). The status is the program's. */
static int wait_program(const exitwatch *w, pid_t child, int sigfd, int members)
{
	int child_fd = (int)syscall(SYS_pidfd_open, child, 0);
	program p = {child, sigfd};
	for (;;) {
		struct pollfd pf[3] = {{child_fd, POLLIN, 0}, {w->pidfd, POLLIN, 0}, {sigfd, POLLIN, 0}};
		if (poll(pf, 3, -1) < 0 && errno != EINTR)
			break;
		if (pf[2].revents & POLLIN)
			forward(&p);
		if (pf[0].revents & POLLIN)
			break;
		if (pf[1].revents & POLLIN) {
			kill(child, SIGKILL);
			break;
		}
	}
	int status = 0;
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	standin_end_the_rest(members);
	syscall(SYS_pidfd_send_signal, w->pidfd, SIGKILL, NULL, 0);
	if (child_fd >= 0)
		close(child_fd);
	return status;
}

void standin_run_program(const standin_opts *o, standin *s, int report)
{
	nx_err err = {0};
	int tty_slave = -1;
	if (setns(o->pidns, CLONE_NEWPID) < 0) {
		nx_err_sys(&err, errno, "enter the pid namespace the program joins");
		standin_fail(report, &err);
	}
	close(o->pidns);
	if (o->tty && make_pty(report, &tty_slave, &err) < 0)
		standin_fail(report, &err);
	if (chdir("/") < 0 || standin_report(report, "ok\n") < 0)
		_exit(255);
	close(report);
	s->sigfd = standin_block_signals();
	if (wait_for_start(o->watch->pidfd) < 0)
		standin_wait_init(o->watch, s);
	pid_t child = fork();
	if (child < 0)
		_exit(255);
	if (child == 0)
		exec_program(o, tty_slave);
	record_program(o->state_dirfd, s->procfd, child);
	/* only the program holds the caller's descriptors now: an engine's
	 * pipes reach EOF when it ends */
	standin_null_fds(o->keep_fds);
	if (tty_slave >= 0)
		close(tty_slave);
	standin_mirror_exit(wait_program(o->watch, child, s->sigfd, s->members));
}
