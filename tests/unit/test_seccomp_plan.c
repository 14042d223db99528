#include <linux/seccomp.h>

#include "harness.h"
#include "plan/plan.h"
#include "plan/seccomp_plan.h"

#define HEAD "nexcage-seccomp 1\n"

static int check(const char *text, char *why)
{
	return seccomp_plan_check(text, why, 512);
}

TEST(seccomp_plan_reads_every_statement)
{
	char why[512];
	nx_seccomp_plan p;
	CHECK(seccomp_plan_parse(
		  HEAD "default errno 38\narch x86_64\narch x86\narch x86_64\nflag tsync\nflag log\n"
		       "flag spec_allow\nread allow\nkexec_load errno 1\nptrace kill_thread\n"
		       "reboot kill_process\nswapon trap\nacct trace 7\nsync log\n"
		       "socket errno 22 [0,eq,16] [2,eq,9]\n"
		       "clone allow [0,masked_eq,2114060288,0]\n"
		       "mmap allow [1,le,18446744073709551615] [0,ne,0] [2,lt,1] [3,gt,2] [4,ge,3] "
		       "[5,eq,4]\n",
		  &p, why, sizeof why) == 0);
	CHECK(p.def == SCMP_ACT_ERRNO(38));
	CHECK(p.narchs == 2 && p.archs[0] == SCMP_ARCH_X86_64 && p.archs[1] == SCMP_ARCH_X86);
	CHECK(p.flags ==
	      (SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW));
	CHECK(p.nrules == 10);
	if (p.nrules == 10) {
		CHECK_STR(p.rules[0].name, "read");
		CHECK(p.rules[0].action == SCMP_ACT_ALLOW && p.rules[0].ncmp == 0 && p.rules[0].line == 9);
		CHECK(p.rules[1].action == SCMP_ACT_ERRNO(1));
		CHECK(p.rules[2].action == SCMP_ACT_KILL_THREAD);
		CHECK(p.rules[3].action == SCMP_ACT_KILL_PROCESS);
		CHECK(p.rules[4].action == SCMP_ACT_TRAP);
		CHECK(p.rules[5].action == SCMP_ACT_TRACE(7));
		CHECK(p.rules[6].action == SCMP_ACT_LOG);
		CHECK(p.rules[7].ncmp == 2 && p.rules[7].cmp[1].arg == 2 &&
		      p.rules[7].cmp[1].op == SCMP_CMP_EQ && p.rules[7].cmp[1].datum_a == 9);
		/* OCI's order: (arg & value) == valueTwo is libseccomp's (mask, datum) */
		CHECK(p.rules[8].cmp[0].op == SCMP_CMP_MASKED_EQ && p.rules[8].cmp[0].datum_a == 2114060288 &&
		      p.rules[8].cmp[0].datum_b == 0);
		CHECK(p.rules[9].ncmp == 6 && p.rules[9].cmp[0].datum_a == ~0ULL &&
		      p.rules[9].cmp[0].op == SCMP_CMP_LE);
	}
	seccomp_plan_free(&p);
	/* without arch lines the filter is the native architecture's alone */
	CHECK(seccomp_plan_parse(HEAD "default allow\n", &p, why, sizeof why) == 0);
	CHECK(p.narchs == 0 && p.nrules == 0 && p.flags == 0 && p.def == SCMP_ACT_ALLOW);
	seccomp_plan_free(&p);
}

TEST(seccomp_plan_refuses_what_it_would_read_differently)
{
	char why[512];
	CHECK(check("2\nallowlist errno 38\n[all]\n", why) < 0);
	CHECK_STR(why, "line 1: must be 'nexcage-seccomp 1' (LXC's profile text is not taken: docs/plan.md)");
	CHECK(check(HEAD, why) < 0);
	CHECK_STR(why, "line 1: a default action is missing");
	CHECK(check(HEAD "default allow", why) < 0);
	CHECK_STR(why, "line 0: the text must end with a newline");
	CHECK(check(HEAD "read allow\n", why) < 0);
	CHECK_STR(why, "line 2: must be 'default <action>'");
	CHECK(check(HEAD "default errno\n", why) < 0);
	CHECK_STR(why, "line 2: errno takes a number from 0 to 65535");
	CHECK(check(HEAD "default errno 65536\n", why) < 0);
	CHECK(check(HEAD "default errno 01\n", why) < 0);
	CHECK(check(HEAD "default allow 1\n", why) < 0);
	CHECK_STR(why, "line 2: must be 'default <action>'");
	CHECK(check(HEAD "default allow\ndefault allow\n", why) < 0);
	CHECK_STR(why, "line 3: a second default");
	CHECK(check(HEAD "default allow\nread notify\n", why) < 0);
	CHECK_STR(why, "line 3: notify is not an action (allow, errno N, kill_thread, kill_process, trap, "
		       "trace N, log)");
	CHECK(check(HEAD "default allow\nread kill\n", why) < 0);
	CHECK(check(HEAD "default allow\nRead allow\n", why) < 0);
	CHECK_STR(why, "line 3: Read is not a system call name ([a-z0-9_], at most 63)");
	CHECK(check(HEAD "default allow\nread  allow\n", why) < 0);
	CHECK_STR(why, "line 3: fields are separated by one space");
	CHECK(check(HEAD "default allow\nread allow \n", why) < 0);
	CHECK(check(HEAD "default allow\nread allow\r\n", why) < 0);
	CHECK_STR(why, "line 3: contains a control character");
	CHECK(check(HEAD "default allow\nread allow [6,eq,1]\n", why) < 0);
	CHECK_STR(why, "line 3: [6,eq,1]: a comparison is [index,op,value] or [index,masked_eq,mask,value], "
		       "index 0-5, op eq ne lt le ge gt, at most 6");
	CHECK(check(HEAD "default allow\nread allow [0,eq,18446744073709551616]\n", why) < 0);
	CHECK(check(HEAD "default allow\nread allow [0,masked_eq,1]\n", why) < 0);
	CHECK(check(HEAD "default allow\nread allow [0,eq,1,2]\n", why) < 0);
	CHECK(check(HEAD "default allow\nread allow [0,SCMP_CMP_EQ,1]\n", why) < 0);
	CHECK(check(HEAD "default allow\nread allow [0,eq,1] [0,eq,2]\n", why) < 0);
	CHECK_STR(why, "line 3: argument 0 is compared twice: the comparisons of a line are ANDed and name "
		       "distinct arguments (one line each to OR them)");
	CHECK(check(HEAD "default allow\narch riscv32\n", why) < 0);
	CHECK_STR(why, "line 3: riscv32 is not an architecture libseccomp 2.5 knows");
	CHECK(check(HEAD "default allow\narch native\n", why) < 0);
	CHECK(check(HEAD "default allow\nflag new_listener\n", why) < 0);
	CHECK_STR(why, "line 3: expected 'flag tsync', 'flag log' or 'flag spec_allow'");
	CHECK(check(HEAD "default allow\nread allow\narch x86\n", why) < 0);
	CHECK_STR(why, "line 4: arch and flag lines come before the system calls");
}

TEST(seccomp_raw_keys_are_the_cores)
{
	char why[512];
	CHECK(plan_check_lxc("lxc.seccomp.profile", "/etc/passwd", why, sizeof why) < 0);
	CHECK_CONTAINS(why, "raw key lxc.seccomp.profile is reserved to the core");
	CHECK(plan_check_lxc("lxc.seccomp.notify.proxy", "unix:/run/x", why, sizeof why) < 0);
	CHECK_CONTAINS(why, "raw key lxc.seccomp.notify.proxy is reserved to the core");
}
