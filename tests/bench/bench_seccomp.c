/* In-process benchmark of the seccomp compile create runs (src/plan/seccomp_bpf.c)
 * on one plan.seccomp text, in process CPU time:
 *   bench_seccomp TEXT_FILE [RUNS]
 * prints the mean of RUNS checks (the plan validation's parse) and of RUNS
 * compiles (parse, libseccomp, -ENOSYS stub, export), and the program's
 * size. Built and run by tests/bench/bench_seccomp.sh. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "util/fsutil.h"
#include "plan/seccomp_bpf.h"
#include "plan/seccomp_plan.h"

static double cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_seccomp TEXT_FILE [RUNS]\n");
		return 2;
	}
	int runs = argc > 2 ? atoi(argv[2]) : 200;
	char *text = NULL;
	nx_err err = {0};
	if (runs < 1 || fs_read_file(argv[1], NX_SECCOMP_PROFILE_MAX, &text, NULL, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	char why[512];
	double t0 = cpu_ms();
	for (int i = 0; i < runs; i++)
		if (seccomp_plan_check(text, why, sizeof why) < 0) {
			fprintf(stderr, "%s\n", why);
			return 1;
		}
	double t1 = cpu_ms();
	size_t len = 0;
	for (int i = 0; i < runs; i++) {
		nx_seccomp_bpf b;
		if (seccomp_bpf_compile(text, &b, &err) < 0) {
			fprintf(stderr, "%s\n", err.msg);
			return 1;
		}
		len = b.len;
		seccomp_bpf_free(&b);
	}
	double t2 = cpu_ms();
	printf("%.3f %.3f %zu\n", (t1 - t0) / runs, (t2 - t1) / runs, len);
	free(text);
	return 0;
}
