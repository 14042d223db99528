#include "harness.h"
#include "plan.h"
#include "seccomp_profile.h"

static int check(const char *text, char *why)
{
	return seccomp_profile_check(text, why, 512);
}

TEST(seccomp_profile_accepts_what_the_rule_writes)
{
	char why[512];
	CHECK(check("2\nallowlist errno 38\n[all]\nread allow\nkexec_load errno 1\nptrace kill\nswapon trap\n"
		    "socket errno 22 [0,16,SCMP_CMP_EQ] [2,9,SCMP_CMP_EQ]\n"
		    "clone allow [0,0,SCMP_CMP_MASKED_EQ,2114060288]\n"
		    "mmap allow [1,18446744073709551615,SCMP_CMP_LE]\n",
		    why) == 0);
	CHECK(check("2\ndenylist allow\n[x86_64]\nreboot errno 1\n", why) == 0);
}

TEST(seccomp_profile_refuses_what_lxc_would_read_differently)
{
	char why[512];
	CHECK(check("1\nallowlist\n", why) < 0);
	CHECK_STR(why, "line 1: must be 2 (LXC's version-2 format)");
	CHECK(check("2\nallowlist\n", why) < 0);
	CHECK_STR(why, "line 2: must be 'allowlist <action>' or 'denylist <action>'");
	CHECK(check("2\nallowlist allow\nread allow", why) < 0);
	CHECK_STR(why, "line 0: the profile must end with a newline");
	CHECK(check("2\nallowlist allow\nread notify\n", why) < 0);
	CHECK_STR(why, "line 3: the action must be allow, kill, trap or errno <0-65535>");
	CHECK(check("2\nallowlist allow\nread errno 65536\n", why) < 0);
	CHECK(check("2\nallowlist allow\nread [0,1,SCMP_CMP_EQ]\n", why) < 0);
	CHECK_STR(why, "line 3: expected an action before the comparisons");
	CHECK(check("2\nallowlist allow\nRead allow\n", why) < 0);
	CHECK_STR(why, "line 3: expected '<syscall> <action>', a name of [a-z0-9_]");
	CHECK(check("2\nallowlist allow\nread allow [6,1,SCMP_CMP_EQ]\n", why) < 0);
	CHECK_STR(why,
		  "line 3: a comparison must be [index,value,op] or [index,datum,SCMP_CMP_MASKED_EQ,mask]");
	CHECK(check("2\nallowlist allow\nread allow [0,18446744073709551616,SCMP_CMP_EQ]\n", why) < 0);
	CHECK(check("2\nallowlist allow\nread allow [0,1,SCMP_CMP_MASKED_EQ]\n", why) < 0);
	CHECK(check("2\nallowlist allow\nread allow [0,1,SCMP_CMP_EQ,2]\n", why) < 0);
	CHECK(check("2\nallowlist allow\nread allow [0,1,SCMP_CMP_EQ] \n", why) < 0);
	CHECK_STR(why, "line 3: comparisons are separated by one space");
	CHECK(check("2\nallowlist allow\nread allow [0,1,==]\n", why) < 0);
	CHECK(check("2\nallowlist allow\nread allow [0,1,SCMP_CMP_EQ] [1,1,SCMP_CMP_EQ] [2,1,SCMP_CMP_EQ] "
		    "[3,1,SCMP_CMP_EQ] [4,1,SCMP_CMP_EQ] [5,1,SCMP_CMP_EQ] [5,2,SCMP_CMP_EQ]\n",
		    why) < 0);
	CHECK_STR(why, "line 3: at most 6 comparisons");
	CHECK(check("2\nallowlist allow\n[riscv64]\n", why) < 0);
	CHECK_STR(why, "line 3: not an architecture section LXC knows");
	CHECK(check("2\nallowlist allow\nread allow\r\n", why) < 0);
	CHECK_STR(why, "line 3: contains a control character");
}

TEST(seccomp_profile_path_is_the_cores)
{
	char why[512];
	CHECK(plan_check_lxc("lxc.seccomp.profile", "/etc/passwd", why, sizeof why) < 0);
	CHECK_STR(why, "raw key lxc.seccomp.profile is reserved to the core");
}
