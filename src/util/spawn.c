#define _GNU_SOURCE
#include "util/clock.h"
#include "util/spawn.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/xalloc.h"

/* A child must not outlive nexcage: a tar writing a half archive, a pct
 * create or a hook would go on after a kill -9 with nobody to undo what
 * they do. parent: the pid the child was forked from (it may already be
 * gone by the time the child asks the kernel). A parent outside the
 * child's pid namespace shows as 0. */
static int die_with(pid_t parent)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		return -1;
	pid_t now = getppid();
	if (now != parent && now != 0)
		_exit(127);
	return 0;
}

/* Join the namespaces of ns_pid (the user namespace first, so the others
 * are joined with its privileges), then fork once more so the program is
 * inside its pid namespace too. Returns in the grandchild only. */
static int enter_namespaces(const spawn_req *req, int *exec_fd, int errpipe)
{
	static const struct {
		const char *name;
		int type;
	} ns[] = {{"user", CLONE_NEWUSER}, {"mnt", CLONE_NEWNS},  {"uts", CLONE_NEWUTS},
		  {"ipc", CLONE_NEWIPC},   {"net", CLONE_NEWNET}, {"cgroup", CLONE_NEWCGROUP},
		  {"pid", CLONE_NEWPID}};
	char path[64];
	int fds[7];
	int host_root = -1;
	*exec_fd = -1;
	if (!req->ns_chroot) {
		/* createContainer: the path, a script's interpreter and a dynamic
		 * binary's loader and libraries are the host's (runc runs these
		 * hooks before pivot_root). The program is opened here, and the
		 * root is set back to the host's after setns(mnt). Not
		 * close-on-exec: a script is run as /dev/fd/N. */
		*exec_fd = open(req->path ? req->path : req->argv[0], O_PATH);
		host_root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (*exec_fd < 0 || host_root < 0)
			return -1;
	}
	snprintf(path, sizeof path, "/proc/%d/root", (int)req->ns_pid);
	int root = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return -1;
	for (int i = 0; i < 7; i++) {
		snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)req->ns_pid, ns[i].name);
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
	}
	char self[64], mine[64], other[64];
	for (int i = 0; i < 7; i++) {
		if (fds[i] < 0)
			continue;
		/* joining our own user namespace is EINVAL: skip it when shared */
		snprintf(self, sizeof self, "/proc/self/ns/%s", ns[i].name);
		snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)req->ns_pid, ns[i].name);
		ssize_t a = readlink(self, mine, sizeof mine - 1),
			b = readlink(path, other, sizeof other - 1);
		if (a > 0 && b > 0 && a == b && !memcmp(mine, other, (size_t)a))
			continue;
		if (setns(fds[i], ns[i].type) < 0)
			return -1;
	}
	if (req->ns_chroot && (fchdir(root) < 0 || chroot(".") < 0 || chdir("/") < 0))
		return -1;
	if (host_root >= 0 && (fchdir(host_root) < 0 || chroot(".") < 0 || chdir("/") < 0))
		return -1;
	pid_t self_pid = getpid();
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0 && die_with(self_pid) < 0)
		return -1;
	if (pid > 0) {
		/* Only the program reports exec failures; our copy of the error
		 * pipe would keep the caller waiting for the whole run. */
		close(errpipe);
		int st;
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		_exit(spawn_exit_status(st));
	}
	return 0;
}

/* In a child before it execs (async-signal-safe): an empty signal mask
 * and every signal's default disposition. */
static void spawn_child_defaults(void)
{
	sigset_t none; /* a foreground run or exec blocks what it passes on */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* what the caller ignored (a shell's & ignores SIGINT, nexcage
	 * SIGPIPE) is the program's to decide: every default, as under runc */
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
}

void spawn_child_detach(int out_fd, int keep_fd)
{
	spawn_child_defaults();
	setsid();
	int null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(out_fd >= 0 ? out_fd : null, 1);
		dup2(out_fd >= 0 ? out_fd : null, 2);
	}
	for (int fd = 3; fd < keep_fd; fd++)
		close(fd);
	close_range((unsigned)keep_fd + 1, ~0U, 0);
}

/* In the child: wire the pipes to 0/1/2, drop every other fd, exec. Only
 * async-signal-safe calls; on failure report errno through errpipe. */
static void __attribute__((noreturn))
child_exec(const spawn_req *req, pid_t parent, int in_fd, int out_fd, int err_fd, int errpipe)
{
	if (die_with(parent) < 0)
		goto fail;
	setpgid(0, 0);
	spawn_child_defaults();
	if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0)
		goto fail;
	if (errpipe <= 2)
		goto fail;
	/* errpipe is O_CLOEXEC: it closes by itself on a successful exec. */
	for (int fd = 3; fd < errpipe; fd++)
		close(fd);
	close_range((unsigned)errpipe + 1, ~0U, 0);
	int exec_fd = -1;
	if (req->ns_pid > 0 && enter_namespaces(req, &exec_fd, errpipe) < 0)
		goto fail;
	if (req->cwd && chdir(req->cwd) < 0)
		goto fail;
	const char *prog = req->path ? req->path : req->argv[0];
	if (exec_fd >= 0)
		execveat(exec_fd, "", req->argv, req->envp ? req->envp : environ, AT_EMPTY_PATH);
	else if (req->envp) {
		if (strchr(prog, '/'))
			execve(prog, req->argv, req->envp);
		else
			execvpe(prog, req->argv, req->envp);
	} else {
		execvp(prog, req->argv);
	}
fail:;
	int e = errno;
	(void)!write(errpipe, &e, sizeof e);
	_exit(127);
}

static void drain(int *fd, nx_buf *b, size_t max)
{
	char chunk[8192];
	ssize_t n = read(*fd, chunk, sizeof chunk);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		close(*fd);
		*fd = -1;
		return;
	}
	size_t room = b->len < max ? max - b->len : 0;
	buf_append(b, chunk, (size_t)n < room ? (size_t)n : room);
}

static void feed(int *fd, const char **data, size_t *left)
{
	if (*left == 0) {
		close(*fd);
		*fd = -1;
		return;
	}
	ssize_t n = write(*fd, *data, *left);
	if (n < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return;
		close(*fd); /* the child does not read its stdin: that is its business */
		*fd = -1;
		return;
	}
	*data += n;
	*left -= (size_t)n;
	if (*left == 0) {
		close(*fd);
		*fd = -1;
	}
}

int spawn_run(const spawn_req *req, spawn_result *res, nx_err *err)
{
	memset(res, 0, sizeof *res);
	int in[2] = {-1, -1}, out[2] = {-1, -1}, errp[2] = {-1, -1}, ep[2] = {-1, -1};
	int rc = -1;
	const char *prog = req->path ? req->path : req->argv[0];
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0 || pipe2(ep, O_CLOEXEC) < 0) {
		nx_err_sys(err, errno, "run %s: pipe", prog);
		goto out;
	}
	if (req->stdin_data) {
		if (pipe2(in, O_CLOEXEC) < 0) {
			nx_err_sys(err, errno, "run %s: pipe", prog);
			goto out;
		}
	} else {
		in[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (in[0] < 0) {
			nx_err_sys(err, errno, "run %s: open /dev/null", prog);
			goto out;
		}
	}
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		nx_err_sys(err, errno, "run %s: fork", prog);
		goto out;
	}
	if (pid == 0)
		child_exec(req, parent, in[0], out[1], errp[1], ep[1]);
	setpgid(pid, pid); /* both sides, so a kill of the group never misses */
	close(in[0]), in[0] = -1;
	close(out[1]), out[1] = -1;
	close(errp[1]), errp[1] = -1;
	close(ep[1]), ep[1] = -1;

	int child_errno = 0;
	ssize_t n;
	do
		n = read(ep[0], &child_errno, sizeof child_errno);
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof child_errno) {
		waitpid(pid, NULL, 0);
		nx_err_sys(err, child_errno, "run %s", prog);
		goto out;
	}

	size_t max = req->max_output ? req->max_output : (1u << 20);
	nx_buf ob = {0}, eb = {0};
	const char *data = req->stdin_data;
	size_t left = req->stdin_len;
	if (in[1] >= 0)
		fcntl(in[1], F_SETFL, O_NONBLOCK);
	double deadline = req->timeout > 0 ? clock_monotonic() + req->timeout : 0;
	while (out[0] >= 0 || errp[0] >= 0 || in[1] >= 0) {
		struct pollfd pf[3] = {{out[0], POLLIN, 0}, {errp[0], POLLIN, 0}, {in[1], POLLOUT, 0}};
		int wait_ms = -1;
		if (deadline > 0) {
			double rest = deadline - clock_monotonic();
			if (rest <= 0) {
				res->timed_out = true;
				break;
			}
			wait_ms = (int)(rest * 1000) + 1;
		}
		int pr = poll(pf, 3, wait_ms);
		if (pr < 0 && errno != EINTR)
			break;
		if (pr <= 0)
			continue;
		if (pf[0].revents)
			drain(&out[0], &ob, max);
		if (pf[1].revents)
			drain(&errp[0], &eb, max);
		if (pf[2].revents)
			feed(&in[1], &data, &left);
	}
	if (res->timed_out)
		kill(-pid, SIGKILL);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	res->signaled = WIFSIGNALED(status);
	res->exit_code = spawn_exit_status(status);
	res->out = ob.data ? ob.data : xstrdup("");
	res->out_len = ob.len;
	res->err = eb.data ? eb.data : xstrdup("");
	res->err_len = eb.len;
	rc = 0;
out:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (out[i] >= 0)
			close(out[i]);
		if (errp[i] >= 0)
			close(errp[i]);
		if (ep[i] >= 0)
			close(ep[i]);
	}
	return rc;
}

void spawn_result_free(spawn_result *res)
{
	free(res->out);
	free(res->err);
	res->out = res->err = NULL;
}

int spawn_start(char *const *argv, int out_fd, pid_t *pid_out, nx_err *err)
{
	int ep[2];
	if (pipe2(ep, O_CLOEXEC) < 0)
		return nx_err_sys(err, errno, "run %s: pipe", argv[0]);
	pid_t pid = fork();
	if (pid < 0) {
		close(ep[0]);
		close(ep[1]);
		return nx_err_sys(err, errno, "run %s: fork", argv[0]);
	}
	if (pid == 0) {
		close(ep[0]);
		spawn_child_detach(out_fd, ep[1]);
		execvp(argv[0], argv);
		int e = errno;
		(void)!write(ep[1], &e, sizeof e);
		_exit(127);
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
		return nx_err_sys(err, child_errno, "run %s", argv[0]);
	}
	*pid_out = pid;
	return 0;
}

int spawn_wait(pid_t pid)
{
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return spawn_exit_status(st);
}

int spawn_exit_status(int wstatus)
{
	return WIFSIGNALED(wstatus) ? 128 + WTERMSIG(wstatus) : WEXITSTATUS(wstatus);
}

long exec_strings_fit(const char *what, char *const *v, size_t n, long extra, char *why, size_t whylen)
{
	long max = sysconf(_SC_ARG_MAX);
	long total = extra;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(v[i]) + 1;
		if (len > EXEC_STRING_MAX) {
			snprintf(why, whylen,
				 "%s[%zu]: %zu bytes; the kernel's execve takes at most %d in one string "
				 "(MAX_ARG_STRLEN)",
				 what, i, len - 1, EXEC_STRING_MAX - 1);
			return -1;
		}
		total += (long)(len + sizeof(char *));
	}
	if (max > 0 && total + (long)sizeof(char *) > max) {
		snprintf(why, whylen,
			 "%s: the command line takes %ld bytes; the kernel's execve takes at most %ld (ARG_MAX, "
			 "a quarter of the stack limit)",
			 what, total + (long)sizeof(char *), max);
		return -1;
	}
	return total + (long)sizeof(char *);
}
