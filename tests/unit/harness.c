#include "harness.h"

#include <stdio.h>
#include <stdlib.h>

#define MAX_TESTS 1024

static struct {
	const char *name;
	nx_test_fn fn;
} tests[MAX_TESTS];
static int ntests;

void harness_register(const char *name, nx_test_fn fn)
{
	/* a test past the table would be dropped without a word */
	if (ntests == MAX_TESTS) {
		fprintf(stderr, "unit: more than %d tests: raise MAX_TESTS in tests/unit/harness.c\n", MAX_TESTS);
		abort();
	}
	tests[ntests++] = (typeof(tests[0])){name, fn};
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;
	for (int i = 0; i < ntests; i++) {
		if (argc > 1 && !strstr(tests[i].name, argv[1]))
			continue;
		bool f = false;
		tests[i].fn(&f);
		if (f) {
			fprintf(stderr, "FAIL %s\n", tests[i].name);
			failed++;
		} else {
			passed++;
		}
	}
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
