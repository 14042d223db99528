/* The LXC seccomp profile a plan carries (plan.seccomp, LXC's version-2
 * text): checked line by line against the grammar LXC parses, so that what
 * nexcage writes for LXC is exactly what the rules meant. */
#ifndef NX_SECCOMP_PROFILE_H
#define NX_SECCOMP_PROFILE_H

#include <stddef.h>

#define NX_SECCOMP_PROFILE_MAX (1024 * 1024)

/* 0, or -1 with the first problem in why ("line N: ..."). */
int seccomp_profile_check(const char *text, char *why, size_t n);

#endif
