/* A small unit-test harness: TEST(name) registers a function at load time;
 * the runner prints one line per failure and the closing
 * "N passed, N failed" line. */
#ifndef NX_HARNESS_H
#define NX_HARNESS_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

typedef void (*nx_test_fn)(bool *failed);

void harness_register(const char *name, nx_test_fn fn);

#define TEST(name)                                                                                           \
	static void test_##name(bool *nx_failed_);                                                           \
	__attribute__((constructor)) static void register_##name(void)                                       \
	{                                                                                                    \
		harness_register(#name, test_##name);                                                        \
	}                                                                                                    \
	static void test_##name(bool *nx_failed_)

#define CHECK(cond)                                                                                          \
	do {                                                                                                 \
		if (!(cond)) {                                                                               \
			fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond);           \
			*nx_failed_ = true;                                                                  \
		}                                                                                            \
	} while (0)

#define CHECK_STR(a, b)                                                                                      \
	do {                                                                                                 \
		const char *a_ = (a), *b_ = (b);                                                             \
		if (!a_ || !b_ || strcmp(a_, b_)) {                                                          \
			fprintf(stderr, "  %s:%d: \"%s\" != \"%s\"\n", __FILE__, __LINE__,                   \
				a_ ? a_ : "(null)", b_ ? b_ : "(null)");                                     \
			*nx_failed_ = true;                                                                  \
		}                                                                                            \
	} while (0)

#define CHECK_CONTAINS(hay, needle)                                                                          \
	do {                                                                                                 \
		const char *h_ = (hay), *n_ = (needle);                                                      \
		if (!h_ || !strstr(h_, n_)) {                                                                \
			fprintf(stderr, "  %s:%d: \"%s\" does not contain \"%s\"\n", __FILE__, __LINE__,     \
				h_ ? h_ : "(null)", n_);                                                     \
			*nx_failed_ = true;                                                                  \
		}                                                                                            \
	} while (0)

#endif
