/* plan.seccomp: the filter the rule `seccomp` writes from linux.seccomp, as
 * text (docs/plan.md, "seccomp"). Read here in full, line by line, before
 * libseccomp sees any of it (seccomp_bpf.c compiles it):
 *
 *   nexcage-seccomp 1
 *   default <action>
 *   arch <libseccomp architecture name>           (none: the native one)
 *   flag tsync|log|spec_allow
 *   <syscall> <action> [<index>,<op>,<value>]...
 *
 * with actions allow, errno <0-65535>, kill_thread, kill_process, trap,
 * trace <0-65535>, log; operators eq ne lt le ge gt, and
 * [<index>,masked_eq,<mask>,<value>] for (arg & mask) == value. The
 * comparisons of one line are ANDed and name distinct arguments; arch and
 * flag lines come before the first system call. */
#ifndef NX_SECCOMP_PLAN_H
#define NX_SECCOMP_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include <seccomp.h>

#define NX_SECCOMP_PROFILE_MAX (1024 * 1024)
#define NX_SECCOMP_HEADER      "nexcage-seccomp 1"
#define NX_SECCOMP_NAME_MAX    63
#define NX_SECCOMP_ARCHS_MAX   24
#define NX_SECCOMP_ARGS_MAX    6

typedef struct nx_seccomp_rule {
	char name[NX_SECCOMP_NAME_MAX + 1];
	uint32_t action; /* libseccomp's SCMP_ACT_* value, errno/trace data included */
	struct scmp_arg_cmp cmp[NX_SECCOMP_ARGS_MAX];
	unsigned ncmp;
	unsigned line; /* in the text, for errors */
} nx_seccomp_rule;

typedef struct nx_seccomp_plan {
	uint32_t def;			      /* the default action */
	uint32_t archs[NX_SECCOMP_ARCHS_MAX]; /* SCMP_ARCH_* tokens, each once */
	size_t narchs;
	unsigned flags; /* SECCOMP_FILTER_FLAG_* for seccomp(2) */
	nx_seccomp_rule *rules;
	size_t nrules;
} nx_seccomp_plan;

/* Parse and check text; on failure -1 with "line N: ..." in why. */
int seccomp_plan_parse(const char *text, nx_seccomp_plan *out, char *why, size_t n);
void seccomp_plan_free(nx_seccomp_plan *p);
/* Only check (plan validation). */
int seccomp_plan_check(const char *text, char *why, size_t n);

#endif
