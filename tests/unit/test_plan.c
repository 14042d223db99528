#include <lauxlib.h>
#include <lualib.h>
#include <stdlib.h>

#include "harness.h"
#include "plan/plan.h"
#include "bridge/lua_bridge_internal.h"

static int check(const char *name, const char *value, char *why)
{
	return plan_check_option(name, value, why, 512);
}

TEST(plan_options_follow_pct_formats)
{
	char why[512];
	CHECK(check("hostname", "web-1.example.com", why) == 0);
	CHECK(check("hostname", "-bad", why) < 0);
	CHECK_CONTAINS(why, "valid DNS name");
	CHECK(check("memory", "512", why) == 0);
	CHECK(check("memory", "8", why) < 0);
	CHECK_STR(why, "value must have a minimum value of 16");
	CHECK(check("memory", "abc", why) < 0);
	CHECK_STR(why, "type check ('integer') failed - got 'abc'");
	CHECK(check("cores", "0", why) < 0);
	CHECK(check("cpulimit", "1.5", why) == 0);
	CHECK(check("ostype", "windows", why) < 0);
	CHECK_CONTAINS(why, "does not have a value in the enumeration");
	CHECK(check("tags", "web;prod-1", why) == 0);
	CHECK(check("tags", "Web", why) < 0);
	CHECK(check("net0", "name=eth0,bridge=vmbr0,ip=dhcp", why) == 0);
	CHECK(check("net0", "bridge=vmbr0", why) < 0);
	CHECK_CONTAINS(why, "name: property is missing");
	CHECK(check("net32", "name=eth0", why) < 0);
	CHECK(check("mp0", "/srv/data,mp=/data,ro=1", why) == 0);
	CHECK(check("mp0", "/srv/../etc,mp=/data", why) < 0);
	CHECK(check("mp0", "/srv/data,mp=data", why) < 0);
	CHECK(check("mp0", "/srv/data,mp=/data,evil=1", why) < 0);
	CHECK_CONTAINS(why, "unknown key 'evil'");
	CHECK(check("dev0", "/dev/fuse,mode=0666", why) == 0);
	CHECK(check("dev0", "/etc/passwd", why) < 0);
	CHECK(check("rootfs", "local-lvm:8", why) == 0);
	CHECK(check("features", "nesting=1,keyctl=1", why) == 0);
	CHECK(check("features", "nesting", why) < 0);
	CHECK(check("start", "1", why) < 0);
	CHECK(check("hookscript", "local:snippets/x", why) < 0);
	CHECK_CONTAINS(why, "not a pct create option");
}

TEST(plan_refuses_injection_through_any_value)
{
	char why[512];
	CHECK(check("hostname", "x\nlxc.apparmor.profile: unconfined", why) < 0);
	CHECK_CONTAINS(why, "control character");
	CHECK(check("net0", "name=eth0\nlxc.hook.pre-start: /bin/sh", why) < 0);
	CHECK(check("env", "A=b\nlxc.cap.keep: sys_admin", why) < 0);
	CHECK(check("entrypoint", "/bin/sh\r", why) < 0);
	/* description lines are encoded by pct: a newline is harmless there */
	CHECK(check("description", "line 1\nline 2", why) == 0);
	CHECK(check("description", "x\x1b[31m", why) < 0);
	CHECK(plan_check_lxc("lxc.cap.drop", "sys_admin\nlxc.apparmor.profile: unconfined", why, sizeof why) <
	      0);
	CHECK(plan_check_lxc("lxc.hook.pre-start", "/bin/true", why, sizeof why) < 0);
	CHECK_CONTAINS(why, "reserved to the core");
	CHECK(plan_check_lxc("lxc.include", "/etc/shadow", why, sizeof why) < 0);
	CHECK(plan_check_lxc("lxc.Cap.drop", "x", why, sizeof why) < 0);
	CHECK(plan_check_lxc("lxc.cap.drop", "sys_admin mknod", why, sizeof why) == 0);
}

static lua_State *eval(const char *code)
{
	lua_State *L = luaL_newstate();
	luaL_openlibs(L);
	if (luaL_dostring(L, code) != LUA_OK) {
		fprintf(stderr, "%s\n", lua_tostring(L, -1));
		abort();
	}
	return L;
}

TEST(plan_from_lua_reads_a_good_plan)
{
	lua_State *L =
	    eval("return { options = { hostname = 'web', memory = 256, unprivileged = false },"
		 " lxc = { {'lxc.cap.drop', 'sys_admin'} },"
		 " process = { args = {'sh', '-c', 'x'}, env = {'A=1'}, cwd = '/', uid = 1000, gid = 1000.0,"
		 "   additional_gids = {5}, rlimits = { {type='RLIMIT_NOFILE', soft=10, hard=20} } },"
		 " warnings = {'w1'} }");
	nx_plan p;
	nx_err err = {0};
	CHECK(plan_from_lua(L, -1, &p, &err) == 0);
	CHECK_STR(plan_option(&p, "hostname"), "web");
	CHECK_STR(plan_option(&p, "memory"), "256");
	CHECK_STR(plan_option(&p, "unprivileged"), "0");
	CHECK(p.n_lxc == 1);
	CHECK(p.process.nargs == 3 && p.process.uid == 1000 && p.process.gid == 1000);
	CHECK(p.process.nrlimits == 1 && p.process.rlimits[0].hard == 20);
	CHECK(p.n_warnings == 1);
	plan_free(&p);
	lua_close(L);
}

TEST(plan_from_lua_reports_every_problem_and_the_rule)
{
	lua_State *L = eval("return { options = { hostname = 'a\\nb', memory = 1, bogus = 'x', cores = {} },"
			    " origin = { hostname = 'identity' },"
			    " lxc = { {'lxc.hook.stop', '/x'}, 'junk' },"
			    " process = { args = {}, cwd = 'rel', uid = -1 } }");
	nx_plan p;
	nx_err err = {0};
	CHECK(plan_from_lua(L, -1, &p, &err) < 0);
	CHECK_CONTAINS(err.msg,
		       "plan.options.hostname (set by rule 'identity'): contains a control character");
	CHECK_CONTAINS(err.msg, "plan.options.memory: value must have a minimum value of 16");
	CHECK_CONTAINS(err.msg, "plan.options.bogus: not a pct create option");
	CHECK_CONTAINS(err.msg, "plan.options.cores: must be a string, number or boolean (got table)");
	CHECK_CONTAINS(err.msg, "plan.lxc[1] lxc.hook.stop: raw key lxc.hook.stop is reserved to the core");
	CHECK_CONTAINS(err.msg, "plan.lxc[2]: must be {\"lxc.key\", value}");
	CHECK_CONTAINS(err.msg, "plan.process.args: must not be empty");
	CHECK_CONTAINS(err.msg, "plan.process.cwd: must be an absolute path");
	CHECK_CONTAINS(err.msg, "plan.process.uid: out of range");
	lua_close(L);
}

/* Lists without a count of the reader's own (issue 21 row 12): 300
 * sysctls and 5000 env entries all arrive, too many rlimits is an error
 * that names the bound. */
TEST(plan_from_lua_has_no_silent_list_limits)
{
	lua_State *L = eval("local s, e = {}, {} for i = 1, 300 do s[i] = {'net.ipv4.conf.x' .. i .. '.forwarding', '1'} end"
			    " for i = 1, 5000 do e[i] = 'V' .. i .. '=x' end"
			    " return { process = { args = {'sh'}, env = e, cwd = '/', sysctl = s } }");
	nx_plan p;
	nx_err err = {0};
	CHECK(plan_from_lua(L, -1, &p, &err) == 0);
	CHECK(p.process.nsysctl == 300);
	CHECK_STR(p.process.sysctl[299].key, "net.ipv4.conf.x300.forwarding");
	CHECK(p.process.nenv == 5000);
	plan_free(&p);
	lua_close(L);
	L = eval("local r = {} for i = 1, 17 do r[i] = {type = 'RLIMIT_NOFILE', soft = 1, hard = 1} end"
		 " return { process = { args = {'sh'}, cwd = '/', rlimits = r } }");
	CHECK(plan_from_lua(L, -1, &p, &err) < 0);
	CHECK_CONTAINS(err.msg, "plan.process.rlimits: 17 entries; the kernel has 16 resources (RLIM_NLIMITS)");
	lua_close(L);
}

/* Every raw key the default rules can emit (lua/rules/) must pass the
 * core's check, or a valid bundle fails on a disagreement between the two. */
TEST(plan_accepts_every_raw_key_the_rules_emit)
{
	static const char *const keys[] = {
	    "lxc.apparmor.profile", "lxc.arch", "lxc.cap.drop", "lxc.cap.keep", "lxc.cgroup2.cpu.idle",
	    "lxc.cgroup2.cpu.max.burst", "lxc.cgroup2.cpuset.cpus", "lxc.cgroup2.cpuset.mems",
	    "lxc.cgroup2.devices.allow", "lxc.cgroup2.devices.deny", "lxc.cgroup2.hugetlb.1GB.max",
	    "lxc.cgroup2.hugetlb.2MB.max", "lxc.cgroup2.hugetlb.64KB.max", "lxc.cgroup2.hugetlb.1GB.rsvd.max",
	    "lxc.cgroup2.io.max", "lxc.cgroup2.memory.high", "lxc.cgroup2.memory.low", "lxc.cgroup2.memory.max",
	    "lxc.cgroup2.memory.swap.max", "lxc.cgroup2.pids.max", "lxc.cgroup2.rdma.max", "lxc.environment",
	    "lxc.environment.runtime", "lxc.idmap", "lxc.init.cmd", "lxc.init.cwd", "lxc.init.gid", "lxc.init.uid",
	    "lxc.mount.entry", "lxc.net.0.type", "lxc.prlimit.nofile", "lxc.prlimit.nproc", "lxc.prlimit.memlock",
	    "lxc.prlimit.rttime", "lxc.prlimit.sigpending", "lxc.prlimit.msgqueue", "lxc.sysctl.kernel.msgmax",
	    "lxc.sysctl.kernel.msgmnb", "lxc.sysctl.kernel.msgmni", "lxc.sysctl.kernel.sem",
	    "lxc.sysctl.kernel.shmall", "lxc.sysctl.kernel.shmmax", "lxc.sysctl.kernel.shmmni",
	    "lxc.sysctl.kernel.shm_rmid_forced",
	};
	char why[512];
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		why[0] = 0;
		if (plan_check_lxc(keys[i], "1", why, sizeof why) < 0)
			CHECK_STR(keys[i], why); /* names the key and the reason */
	}
	/* Capitals stay refused outside cgroup file names. */
	CHECK(plan_check_lxc("lxc.Init.cmd", "x", why, sizeof why) < 0);
	CHECK_STR(why, "raw key may only contain [a-z0-9._-]");
	CHECK(plan_check_lxc("lxc.cgroup2.hugetlb.1GB.max\n", "1", why, sizeof why) < 0);
}
