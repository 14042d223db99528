/* The allocation policy (src/util/xalloc.h): exhaustion ends the process with
 * status 1 and one line on stderr, and sizes that overflow count as such. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "util/xalloc.h"

/* Run fn in a child with stderr on a pipe: its exit status and stderr. */
static int in_child(void (*fn)(void), char *out, size_t n)
{
	int p[2];
	if (pipe(p) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[1], STDERR_FILENO);
		close(p[0]);
		fn();
		_exit(0);
	}
	close(p[1]);
	size_t used = 0;
	ssize_t r;
	while (used + 1 < n && (r = read(p[0], out + used, n - 1 - used)) > 0)
		used += (size_t)r;
	out[used] = '\0';
	close(p[0]);
	int status = 0;
	waitpid(pid, &status, 0);
	return status;
}

static void overflowing_array(void)
{
	(void)xreallocarray(NULL, SIZE_MAX / 2 + 1, 2);
}

static void impossible_size(void)
{
	/* more than any address space: malloc fails without trying */
	(void)xmalloc(SIZE_MAX - 4096);
}

TEST(exhaustion_ends_the_process_with_one_line)
{
	char err[256];
	int status;
#ifndef __SANITIZE_ADDRESS__ /* ASan reports such a size itself, and aborts */
	status = in_child(impossible_size, err, sizeof err);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	CHECK(!strncmp(err, "nexcage: out of memory (allocating ", 35));
	CHECK(strchr(err, '\n') == err + strlen(err) - 1);
#else
	(void)impossible_size;
#endif
	status = in_child(overflowing_array, err, sizeof err);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	CHECK(!strncmp(err, "nexcage: out of memory", 22));
	CHECK(strchr(err, '\n') == err + strlen(err) - 1);
}

TEST(x_functions_copy_and_format)
{
	char *s = xstrndup("abcdef", 3);
	CHECK_STR(s, "abc");
	free(s);
	s = xasprintf("%s-%d", "a", 7);
	CHECK_STR(s, "a-7");
	free(s);
	s = xmalloc(0); /* a zero size is still a pointer to free */
	CHECK(s != NULL);
	free(s);
	s = xrealloc(NULL, 0);
	CHECK(s != NULL);
	free(s);
}
