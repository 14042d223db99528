/* The filter as the kernel applies it: compiled here, loaded in a child
 * through the init's own loader (src/init/seccomp_load.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "init/protocol.h"
#include "init/seccomp_load.h"
#include "plan/seccomp_bpf.h"
#include "test_util.h"

#define HEAD "nexcage-seccomp 1\n"

/* The filter's file, as create writes it (the raw instructions). */
static char *write_filter(const char *dir, const nx_seccomp_bpf *b)
{
	char *path = NULL;
	if (asprintf(&path, "%s/%s", dir, NX_INIT_SECCOMP) < 0)
		abort();
	FILE *f = fopen(path, "w");
	if (!f || fwrite(b->insns, sizeof b->insns[0], b->len, f) != b->len || fclose(f) != 0)
		abort();
	return path;
}

/* A child loads the filter (no_new_privs first, as an unprivileged
 * process must), runs probe with the filter on and exits with its result;
 * returns the wait status. Only raw system calls after the load: the
 * filters under test allow little. */
static int in_child(const char *path, unsigned flags, int (*probe)(void))
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		char why[256];
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    seccomp_load_file(path, flags, why, sizeof why) < 0) {
			fprintf(stderr, "  child: %s\n", why);
			_exit(100);
		}
		syscall(SYS_exit_group, probe());
	}
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

static int errno_of(long rc)
{
	return rc < 0 ? errno : 0;
}

/* 0: denied calls returned the profile's errno, allowed ones worked */
static int probe_errno(void)
{
	if (errno_of(syscall(SYS_getppid)) != 13)
		return 1;
	if (errno_of(syscall(SYS_personality, 8UL)) != 22)
		return 2;
	if (errno_of(syscall(SYS_personality, 0xffffffffUL)) != 0)
		return 3;
	if (syscall(SYS_getpid) <= 0)
		return 4;
	return 0;
}

static int probe_kill(void)
{
	syscall(SYS_getppid);
	return 0;
}

/* runc's stub: above the profile's highest call ENOSYS, below it the default */
static int probe_stub(void)
{
	unsigned cpu;
	if (errno_of(syscall(SYS_getcpu, &cpu, NULL, NULL)) != ENOSYS)
		return 1;
	if (errno_of(syscall(SYS_personality, 0xffffffffUL)) != EPERM)
		return 2;
	if (syscall(SYS_getpid) <= 0)
		return 3;
	/* x32 numbers (bit 30) have their own highest call; the filter sees
	 * them whether or not the kernel runs x32 */
	if (errno_of(syscall(0x40000000L | SYS_getcpu, &cpu, NULL, NULL)) != ENOSYS)
		return 4;
	if (errno_of(syscall(0x40000000L | SYS_personality, 0xffffffffUL)) != EPERM)
		return 5;
	return 0;
}

static int compile(const char *text, nx_seccomp_bpf *b)
{
	nx_err err = {0};
	int rc = seccomp_bpf_compile(text, b, &err);
	if (rc < 0)
		fprintf(stderr, "  compile: %s\n", err.msg);
	return rc;
}

TEST(seccomp_filter_returns_the_profiles_errno_and_allows_the_rest)
{
	char *dir = tu_tmpdir();
	nx_seccomp_bpf b;
	CHECK(compile(HEAD "default allow\ngetppid errno 13\npersonality errno 22 [0,eq,8]\n"
			   "getpid allow\nunknown_call_name errno 1\n",
		      &b) == 0);
	CHECK(b.len > 0 && b.len <= BPF_MAXINSNS && b.flags == 0);
	char *path = write_filter(dir, &b);
	int status = in_child(path, b.flags, probe_errno);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	free(path);
	seccomp_bpf_free(&b);
	tu_rmtree(dir);
	free(dir);
}

TEST(seccomp_kill_process_kills_with_sigsys)
{
	char *dir = tu_tmpdir();
	nx_seccomp_bpf b;
	CHECK(compile(HEAD "default allow\ngetppid kill_process\n", &b) == 0);
	char *path = write_filter(dir, &b);
	int status = in_child(path, 0, probe_kill);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS);
	free(path);
	seccomp_bpf_free(&b);
	tu_rmtree(dir);
	free(dir);
}

TEST(seccomp_newer_calls_get_enosys_as_under_runc)
{
	char *dir = tu_tmpdir();
	nx_seccomp_bpf b, same, plain;
	const char *rules = "arch x86_64\narch x86\narch x32\nflag tsync\nflag log\ngetpid allow\n"
			    "exit_group allow\n";
	char text[512];
	snprintf(text, sizeof text, HEAD "default errno 1\n%s", rules);
	CHECK(compile(text, &b) == 0);
	CHECK(b.flags == (SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG));
	char *path = write_filter(dir, &b);
	int status = in_child(path, b.flags, probe_stub);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* a default of ENOSYS already says it: no stub */
	snprintf(text, sizeof text, HEAD "default errno 38\n%s", rules);
	CHECK(compile(text, &same) == 0);
	CHECK(same.len < b.len);
	snprintf(text, sizeof text, HEAD "default allow\n%s", rules);
	CHECK(compile(text, &plain) == 0);
	CHECK(plain.len < b.len);
	/* the stub starts by reading the architecture, libseccomp's filter too */
	CHECK(b.len && b.insns[0].code == (BPF_LD | BPF_W | BPF_ABS) && b.insns[0].k == 4);
	free(path);
	seccomp_bpf_free(&b);
	seccomp_bpf_free(&same);
	seccomp_bpf_free(&plain);
	tu_rmtree(dir);
	free(dir);
}

TEST(seccomp_rules_with_the_default_action_are_skipped)
{
	nx_seccomp_bpf a, b;
	CHECK(compile(HEAD "default errno 1\nread allow\n", &a) == 0);
	CHECK(compile(HEAD "default errno 1\nread allow\nwrite errno 1\n", &b) == 0);
	CHECK(a.len == b.len && !memcmp(a.insns, b.insns, a.len * sizeof a.insns[0]));
	seccomp_bpf_free(&a);
	seccomp_bpf_free(&b);
}

TEST(seccomp_compile_names_the_line_or_the_size)
{
	nx_seccomp_bpf b;
	nx_err err = {0};
	CHECK(seccomp_bpf_compile(HEAD "default allow\nread allow [9,eq,1]\n", &b, &err) < 0);
	CHECK_CONTAINS(err.msg, "line 3: [9,eq,1]: a comparison is");
	/* the kernel takes 4096 instructions */
	size_t cap = 200000, len = 0;
	char *big = malloc(cap);
	len += (size_t)snprintf(big, cap, HEAD "default errno 1\narch x86_64\narch x86\n");
	for (int i = 0; i < 5000; i++)
		len += (size_t)snprintf(big + len, cap - len, "ioctl allow [1,eq,%d]\n", i);
	CHECK(seccomp_bpf_compile(big, &b, &err) < 0);
	CHECK_CONTAINS(err.msg, "linux.seccomp: the filter compiles to ");
	CHECK_CONTAINS(err.msg, " BPF instructions, more than the kernel's limit of 4096");
	CHECK(b.insns == NULL);
	free(big);
}

TEST(seccomp_load_file_refuses_what_is_not_a_filter)
{
	char *dir = tu_tmpdir();
	char why[256];
	char path[4096];
	snprintf(path, sizeof path, "%s/missing.bpf", dir);
	CHECK(seccomp_load_file(path, 0, why, sizeof why) < 0);
	CHECK_CONTAINS(why, "seccomp: open ");
	tu_write(dir, "odd.bpf", "123456789", 0644);
	snprintf(path, sizeof path, "%s/odd.bpf", dir);
	CHECK(seccomp_load_file(path, 0, why, sizeof why) < 0);
	CHECK_CONTAINS(why, "is not a filter of 1 to 4096 instructions");
	tu_write(dir, "empty.bpf", "", 0644);
	snprintf(path, sizeof path, "%s/empty.bpf", dir);
	CHECK(seccomp_load_file(path, 0, why, sizeof why) < 0);
	CHECK_CONTAINS(why, "is not a filter");
	tu_rmtree(dir);
	free(dir);
}

TEST(seccomp_features_are_libseccomps)
{
	CHECK(seccomp_oci_arch_supported("SCMP_ARCH_X86_64"));
	CHECK(seccomp_oci_arch_supported("SCMP_ARCH_X32"));
	CHECK(seccomp_oci_arch_supported("SCMP_ARCH_RISCV64"));
	CHECK(!seccomp_oci_arch_supported("SCMP_ARCH_SHEB")); /* libseccomp 2.6 */
	CHECK(!seccomp_oci_arch_supported("x86_64"));
	CHECK(seccomp_oci_action_supported("SCMP_ACT_KILL_PROCESS"));
	CHECK(!seccomp_oci_action_supported("SCMP_ACT_NOTIFY"));
	CHECK(seccomp_oci_flag_supported("SECCOMP_FILTER_FLAG_SPEC_ALLOW"));
	CHECK(!seccomp_oci_flag_supported("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"));
}
