/* LD_PRELOAD shim for tests/e2e/test_adversarial_alloc.sh: the Nth heap
 * allocation of the process (malloc, calloc, or realloc to a new size;
 * counted from the start, NX_FAIL_ALLOC_AT=N) returns NULL with ENOMEM, and
 * only that one: a transient failure is what a missing check turns into a
 * silent hole, since everything after it goes on working.
 * NX_FAIL_ALLOC_SKIP_REALLOC=1 counts malloc and calloc only (Lua's
 * allocator is realloc alone, and a Lua memory error is a Lua error).
 * NX_FAIL_ALLOC_COUNT=FILE writes the number of allocations counted at exit,
 * so the test knows the range to walk. glibc routes its own allocations
 * (strdup, asprintf, getline, stdio) through these symbols too, and exports
 * the real allocator as __libc_*, so no dlsym (which allocates) is needed.
 * NX_FAIL_ALLOC_TRACE=FILE writes the stack of the failed allocation there,
 * one "object offset" a line, for addr2line: the test names the source
 * line that did not handle it. Programs the process runs do not inherit the
 * shim (it leaves LD_PRELOAD); a fork without exec keeps it, and the count. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

static long fail_at = -2; /* -2: not read yet; -1: never fail */
static long counted;
static int skip_realloc;
static int warming_up;

/* getenv and strtol allocate nothing, so this is safe inside malloc. */
static void read_env(void)
{
	const char *n = getenv("NX_FAIL_ALLOC_AT");
	const char *s = getenv("NX_FAIL_ALLOC_SKIP_REALLOC");
	skip_realloc = s && *s == '1';
	fail_at = n && *n ? strtol(n, NULL, 10) : -1;
}

/* backtrace() loads the unwinder (and allocates) on its first call: made
 * once at load, uncounted, so that the call at the failure allocates
 * nothing and the count is the program's own. */
__attribute__((constructor)) static void warm_up(void)
{
	void *frames[4];
	warming_up = 1;
	(void)backtrace(frames, 4);
	warming_up = 0;
	/* the programs it runs (pct, hooks) are not under test: they would
	 * fail their own Nth allocation */
	unsetenv("LD_PRELOAD");
}

static void trace(void)
{
	const char *path = getenv("NX_FAIL_ALLOC_TRACE");
	if (!path || !*path)
		return;
	void *frames[32];
	int n = backtrace(frames, 32);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	for (int i = 0; i < n; i++) {
		Dl_info info;
		if (!dladdr(frames[i], &info) || !info.dli_fname)
			continue;
		char line[4200];
		/* a return address: the call is the byte before it */
		int len = snprintf(line, sizeof line, "%s 0x%lx\n", info.dli_fname,
				   (unsigned long)((char *)frames[i] - (char *)info.dli_fbase - 1));
		if (len > 0 && (size_t)len < sizeof line)
			(void)!write(fd, line, (size_t)len);
	}
	close(fd);
}

/* Count one allocation; true when it is the one to fail. */
static int should_fail(void)
{
	if (warming_up)
		return 0;
	if (fail_at == -2)
		read_env();
	if (++counted != fail_at)
		return 0;
	trace();
	return 1;
}

void *malloc(size_t n)
{
	if (should_fail()) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
	if (should_fail()) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
	if (fail_at == -2)
		read_env();
	/* realloc(p, 0) frees; it cannot fail in a way a caller checks */
	if (n && !skip_realloc && should_fail()) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_realloc(p, n);
}

__attribute__((destructor)) static void report(void)
{
	const char *path = getenv("NX_FAIL_ALLOC_COUNT");
	if (!path || !*path)
		return;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	char num[32];
	int len = snprintf(num, sizeof num, "%ld\n", counted);
	(void)!write(fd, num, (size_t)len);
	close(fd);
}
