#define _GNU_SOURCE
#include <stdlib.h>

#include "harness.h"
#include "init_spec.h"
#include "test_util.h"

/* exec reads back what create wrote for the init: the filter's flags too. */
TEST(process_file_carries_the_seccomp_flags_to_exec)
{
	char *dir = tu_tmpdir();
	char *args[] = {"sh", NULL};
	nx_plan plan = {
	    .process = {.args = args, .nargs = 1, .umask = -1, .has_seccomp = true, .seccomp_flags = 3}};
	nx_err err = {0};
	CHECK(init_dir_prepare(dir, &plan, 0, 0, &err) == 0);
	nx_process back;
	CHECK(init_process_read(dir, &back, &err) == 0);
	CHECK(back.has_seccomp && back.seccomp_flags == 3);
	nx_plan tmp = {.process = back};
	plan_free(&tmp);
	plan.process.has_seccomp = false;
	CHECK(init_dir_prepare(dir, &plan, 0, 0, &err) == 0);
	CHECK(init_process_read(dir, &back, &err) == 0);
	CHECK(!back.has_seccomp);
	tmp = (nx_plan){.process = back};
	plan_free(&tmp);
	tu_rmtree(dir);
	free(dir);
}
