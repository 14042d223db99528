#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "core/init_spec.h"
#include "util/spawn.h"
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

/* The only bounds on a program's args and env are execve's (issue 21
 * row 11): one string under MAX_ARG_STRLEN, all of them under ARG_MAX. */
TEST(exec_strings_fit_only_the_kernels_bounds)
{
	char why[512];
	static char big[EXEC_STRING_MAX + 1];
	memset(big, 'v', sizeof big - 1);
	big[EXEC_STRING_MAX - 1] = '\0'; /* 131071 bytes and its NUL: fits */
	char *one[] = {big};
	CHECK(exec_strings_fit("process.env", one, 1, 0, why, sizeof why) > EXEC_STRING_MAX);
	big[EXEC_STRING_MAX - 1] = 'v';
	CHECK(exec_strings_fit("process.env", one, 1, 0, why, sizeof why) < 0);
	CHECK_STR(why, "process.env[0]: 131072 bytes; the kernel's execve takes at most 131071 in one string "
		       "(MAX_ARG_STRLEN)");
	/* 5000 small entries are nothing to the kernel */
	char **many = calloc(5000, sizeof *many);
	for (int i = 0; i < 5000; i++)
		many[i] = "V=x";
	long taken = exec_strings_fit("process.env", many, 5000, 0, why, sizeof why);
	CHECK(taken == 5000 * (4 + (long)sizeof(char *)) + (long)sizeof(char *));
	CHECK(exec_strings_fit("process.args", many, 1, sysconf(_SC_ARG_MAX), why, sizeof why) < 0);
	CHECK_CONTAINS(why, "process.args: the command line takes ");
	CHECK_CONTAINS(why, "(ARG_MAX, a quarter of the stack limit)");
	free(many);
}
