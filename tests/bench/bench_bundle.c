/* In-process benchmark of bundle_decode (text checks, cjson decode,
 * normalising, validating) on one config.json, in process CPU time:
 *   bench_bundle CONFIG [RUNS]
 * prints the interpreter's start (nxlua_new, once per nexcage run), the
 * first decode (cjson instance created) and the mean of RUNS more.
 * Built and run by tests/bench/bench_bundle.sh. */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/bundle_load.h"
#include "util/fsutil.h"
#include "luahost/lua_host.h"

static double cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_bundle CONFIG [RUNS]\n");
		return 2;
	}
	int runs = argc > 2 ? atoi(argv[2]) : 2000;
	char *data = NULL;
	size_t len = 0;
	nx_err err = {0};
	if (fs_read_file(argv[1], BUNDLE_CONFIG_MAX, &data, &len, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	char dir[] = "/tmp/nexcage-bench-XXXXXX", rootfs[sizeof dir + 8];
	if (!mkdtemp(dir))
		return 1;
	snprintf(rootfs, sizeof rootfs, "%s/rootfs", dir);
	mkdir(rootfs, 0755);

	double t0 = cpu_ms();
	nx_lua_settings s = {0};
	nx_lua *h = nxlua_new(&s, &err);
	double t1 = cpu_ms();
	nx_bundle b;
	int rc = bundle_decode(h, data, len, dir, &b, NULL, &err);
	double t2 = cpu_ms();
	if (rc < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	bundle_free(&b);
	double t3 = cpu_ms();
	for (int i = 0; i < runs; i++) {
		if (bundle_decode(h, data, len, dir, &b, NULL, &err) < 0)
			return 1;
		bundle_free(&b);
	}
	double t4 = cpu_ms();
	printf("%zu bytes: interpreter start %.3f ms, first decode+validate %.3f ms, "
	       "then %.3f ms each (mean of %d)\n",
	       len, t1 - t0, t2 - t1, (t4 - t3) / runs, runs);
	nxlua_free(h);
	rmdir(rootfs);
	rmdir(dir);
	free(data);
	return 0;
}
