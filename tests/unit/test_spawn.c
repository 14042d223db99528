#include <time.h>

#include "harness.h"
#include "spawn.h"

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
