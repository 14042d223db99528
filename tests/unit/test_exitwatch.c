/* The exit watch the stand-in lives by: the status of a process that is
 * not ours to reap, its end however quiet or busy the host, and never a
 * reused pid's. */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/exitwatch.h"
#include "harness.h"
#include "util/proc.h"

/* A child that waits for a byte on fd, then exits with code (or dies of
 * signal sig). */
static pid_t waiter(int *go, int code, int sig)
{
	int p[2];
	if (pipe(p) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		close(p[1]);
		char c;
		(void)!read(p[0], &c, 1);
		if (sig)
			raise(sig);
		_exit(code);
	}
	close(p[0]);
	*go = p[1];
	return pid;
}

TEST(exitwatch_reports_the_exit_code_and_the_signal)
{
	int go;
	pid_t pid = waiter(&go, 5, 0);
	exitwatch w;
	nx_err err = {0};
	CHECK(exitwatch_open(&w, pid, proc_start_time(pid), &err) == 0);
	(void)!write(go, "x", 1);
	int status = -1;
	CHECK(exitwatch_wait(&w, -1, NULL, NULL, &status, &err) == 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 5);
	exitwatch_close(&w);
	waitpid(pid, NULL, 0);
	close(go);

	pid = waiter(&go, 0, SIGTERM);
	CHECK(exitwatch_open(&w, pid, proc_start_time(pid), &err) == 0);
	(void)!write(go, "x", 1);
	CHECK(exitwatch_wait(&w, -1, NULL, NULL, &status, &err) == 0);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	exitwatch_close(&w);
	waitpid(pid, NULL, 0);
	close(go);
}

/* Every other exit of the host is filtered out: hundreds of them while
 * waiting change nothing. */
TEST(exitwatch_keeps_its_event_on_a_busy_host)
{
	int go;
	pid_t pid = waiter(&go, 9, 0);
	exitwatch w;
	nx_err err = {0};
	CHECK(exitwatch_open(&w, pid, proc_start_time(pid), &err) == 0);
	for (int i = 0; i < 400; i++) {
		pid_t c = fork();
		if (c == 0)
			_exit(1);
		waitpid(c, NULL, 0);
	}
	(void)!write(go, "x", 1);
	int status = -1;
	CHECK(exitwatch_wait(&w, -1, NULL, NULL, &status, &err) == 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 9);
	exitwatch_close(&w);
	waitpid(pid, NULL, 0);
	close(go);
}

/* A pid whose start time is not the one recorded is another process (the
 * one we meant has gone and the pid was reused): it is not watched. */
TEST(exitwatch_refuses_a_pid_that_is_not_the_process_meant)
{
	int go;
	pid_t pid = waiter(&go, 0, 0);
	exitwatch w;
	nx_err err = {0};
	CHECK(exitwatch_open(&w, pid, proc_start_time(pid) + 1, &err) < 0);
	CHECK_CONTAINS(err.msg, "exited before it could be watched");
	(void)!write(go, "x", 1);
	waitpid(pid, NULL, 0);
	close(go);
	CHECK(exitwatch_open(&w, pid, 1, &err) < 0);
}

/* While waiting, the caller's descriptor is served (the stand-in passes
 * signals on): a readable one is handed to the callback. */
static void count(void *data)
{
	int *fds = data;
	char c;
	if (read(fds[0], &c, 1) == 1)
		fds[2]++;
	if (fds[2] == 3)
		(void)!write(fds[1], "x", 1);
}

TEST(exitwatch_serves_the_extra_descriptor_while_waiting)
{
	int go;
	pid_t pid = waiter(&go, 4, 0);
	int p[2];
	CHECK(pipe(p) == 0);
	int data[3] = {p[0], go, 0};
	exitwatch w;
	nx_err err = {0};
	CHECK(exitwatch_open(&w, pid, proc_start_time(pid), &err) == 0);
	(void)!write(p[1], "abc", 3);
	int status = -1;
	CHECK(exitwatch_wait(&w, p[0], count, data, &status, &err) == 0);
	CHECK(data[2] == 3);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 4);
	exitwatch_close(&w);
	waitpid(pid, NULL, 0);
	close(go);
	close(p[0]);
	close(p[1]);
}
