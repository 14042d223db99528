#include <signal.h>
#include <time.h>

#include "harness.h"
#include "util/spawn.h"

TEST(spawn_captures_output_and_status)
{
	char *argv[] = {"/bin/sh", "-c", "cat; echo err >&2; exit 7", NULL};
	spawn_req req = {.argv = argv, .stdin_data = "in", .stdin_len = 2};
	spawn_result res;
	nx_err err = {0};
	CHECK(spawn_run(&req, &res, &err) == 0);
	CHECK(res.exit_code == 7 && !res.timed_out);
	CHECK_STR(res.out, "in");
	CHECK_STR(res.err, "err\n");
	spawn_result_free(&res);
}

TEST(spawn_timeout_kills_the_process_group)
{
	char *argv[] = {"/bin/sh", "-c", "sleep 30 & sleep 30", NULL};
	spawn_req req = {.argv = argv, .timeout = 0.3};
	spawn_result res;
	nx_err err = {0};
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	CHECK(spawn_run(&req, &res, &err) == 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	CHECK(res.timed_out);
	CHECK(b.tv_sec - a.tv_sec < 5);
	spawn_result_free(&res);
}

TEST(spawn_missing_program_is_an_error)
{
	char *argv[] = {"/nonexistent/prog", NULL};
	spawn_req req = {.argv = argv};
	spawn_result res;
	nx_err err = {0};
	CHECK(spawn_run(&req, &res, &err) < 0);
	CHECK_CONTAINS(err.msg, "run /nonexistent/prog: No such file or directory");
}

TEST(spawn_gives_the_child_no_extra_fds)
{
	char *argv[] = {"/bin/sh", "-c", "ls /proc/self/fd | wc -l", NULL};
	spawn_req req = {.argv = argv};
	spawn_result res;
	nx_err err = {0};
	CHECK(spawn_run(&req, &res, &err) == 0);
	/* 0,1,2 and the fd ls itself opens for the directory */
	CHECK_STR(res.out, "4\n");
	spawn_result_free(&res);
}

/* One mapping of a wait status to an exit status, the shell's: the code,
 * or 128 + the signal; spawn_run, spawn_wait and the forked waiters use it. */
TEST(exit_status_is_the_code_or_128_plus_the_signal)
{
	CHECK(spawn_exit_status(7 << 8) == 7);
	CHECK(spawn_exit_status(0) == 0);
	CHECK(spawn_exit_status(SIGKILL) == 128 + SIGKILL);
	CHECK(spawn_exit_status(SIGTERM | 0x80) == 128 + SIGTERM); /* core dumped */
	char *argv[] = {"/bin/sh", "-c", "kill -TERM $$", NULL};
	spawn_req req = {.argv = argv};
	spawn_result res;
	nx_err err = {0};
	CHECK(spawn_run(&req, &res, &err) == 0);
	CHECK(res.signaled && res.exit_code == 128 + SIGTERM);
	spawn_result_free(&res);
	pid_t pid;
	char *quit[] = {"/bin/sh", "-c", "exit 3", NULL};
	CHECK(spawn_start(quit, -1, &pid, &err) == 0);
	CHECK(spawn_wait(pid) == 3);
}
