/* config.json for Linux, runtime-spec v1.3.0: schema/config-schema.json,
 * config-linux.json, defs*.json as walker nodes, plus the rules the spec's
 * text adds (config.md, config-linux.md). Where the text and the schema
 * differ, the text wins: devices[].fileMode is a uint32, process.user and
 * process.args are required, an idmapping's size is at least 1. The
 * freebsd section is checked against its schema; the other platforms'
 * sections (windows, solaris, vm, zos) are left to the translation rules.
 * The rules refuse all of them. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lauxlib.h>

#include "util/log.h"
#include "util/xalloc.h"
#include "bridge/lua_bridge_validate.h"

/* --- rules ---------------------------------------------------------------- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_word(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!(is_digit(*s) || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
			return false;
	return true;
}

static void rule_absolute(spec_walk *w, int idx)
{
	char got[128];
	if (lua_tostring(w->L, idx)[0] != '/')
		spec_problem(w, "must be an absolute path (got %s)", spec_show(w->L, idx, got, sizeof got));
}

/* environ(7): NAME=value, NAME not empty. */
static void rule_env(spec_walk *w, int idx)
{
	const char *e = lua_tostring(w->L, idx);
	char got[128];
	if (e[0] == '=' || !strchr(e, '='))
		spec_problem(w, "must be NAME=value (got %s)", spec_show(w->L, idx, got, sizeof got));
}

/* SemVer 2.0.0 numeric identifier: 0 or no leading zero. */
static bool semver_number(const char **p, unsigned long long *out)
{
	const char *s = *p;
	unsigned long long v = 0;
	if (!is_digit(*s) || (s[0] == '0' && is_digit(s[1])))
		return false;
	for (; is_digit(*s); s++) {
		if (v > (ULLONG_MAX - 9) / 10)
			return false;
		v = v * 10 + (unsigned)(*s - '0');
	}
	*p = s;
	*out = v;
	return true;
}

/* Dot-separated [0-9A-Za-z-]+ identifiers; in a pre-release a numeric one
 * has no leading zero. */
static bool semver_identifiers(const char **p, bool pre)
{
	for (;;) {
		const char *s = *p, *start = s;
		bool numeric = true;
		for (; is_digit(*s) || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '-'; s++)
			numeric &= is_digit(*s);
		if (s == start || (pre && numeric && start[0] == '0' && s - start > 1))
			return false;
		*p = s;
		if (*s != '.')
			return true;
		(*p)++;
	}
}

static bool semver_major_1(const char *s)
{
	unsigned long long major, minor, patch;
	if (!semver_number(&s, &major) || *s++ != '.' || !semver_number(&s, &minor) || *s++ != '.' ||
	    !semver_number(&s, &patch))
		return false;
	if (*s == '-' && (s++, !semver_identifiers(&s, true)))
		return false;
	if (*s == '+' && (s++, !semver_identifiers(&s, false)))
		return false;
	return *s == '\0' && major == 1;
}

static void rule_oci_version(spec_walk *w, int idx)
{
	char got[128];
	if (!semver_major_1(lua_tostring(w->L, idx)))
		spec_problem(w, "must be a SemVer version with major 1 (got %s)",
			     spec_show(w->L, idx, got, sizeof got));
}

/* root.path: a directory, absolute or relative to the bundle. */
static void rule_root_path(spec_walk *w, int idx)
{
	const char *p = lua_tostring(w->L, idx);
	char joined[PATH_MAX], got[128];
	if (!*p) {
		spec_problem(w, "must not be empty");
		return;
	}
	int n = p[0] == '/' ? snprintf(joined, sizeof joined, "%s", p)
			    : snprintf(joined, sizeof joined, "%s/%s", w->bundle ? w->bundle : ".", p);
	struct stat st;
	errno = 0;
	if (n < 0 || (size_t)n >= sizeof joined || stat(joined, &st) < 0 || !S_ISDIR(st.st_mode) ||
	    !realpath(joined, w->rootfs)) {
		int e = errno;
		w->rootfs[0] = '\0';
		/* the allocation policy (util/xalloc.h): exhaustion is no bundle's fault */
		if (e == ENOMEM)
			xalloc_die(PATH_MAX);
		if (e && e != ENOENT && e != ENOTDIR)
			spec_problem(w, "must be an existing directory (got %s: %s)",
				     spec_show(w->L, idx, got, sizeof got), strerror(e));
		else
			spec_problem(w, "must be an existing directory (got %s)",
				     spec_show(w->L, idx, got, sizeof got));
	}
}

/* Entries of the array at idx whose member `key` repeats an earlier one.
 * Values that are not plain words already failed their enumeration. */
static void unique_member(spec_walk *w, int arr, const char *key, const char *what)
{
	lua_State *L = w->L;
	lua_newtable(L); /* value -> first index: linear, whatever the length */
	int seen = lua_gettop(L);
	lua_Integer n = (lua_Integer)lua_rawlen(L, arr);
	for (lua_Integer i = 1; i <= n; i++) {
		lua_rawgeti(L, arr, i);
		const char *v = spec_string(L, lua_gettop(L), key);
		if (v && is_word(v)) {
			if (lua_getfield(L, seen, v) == LUA_TNUMBER) {
				char at[64];
				snprintf(at, sizeof at, "[%lld].%s", (long long)i - 1, key);
				spec_problem_at(w, at, "duplicate %s %s (first at %s[%lld])", what, v,
						w->path, (long long)lua_tointeger(L, -1));
			} else {
				lua_pushinteger(L, i - 1);
				lua_setfield(L, seen, v);
			}
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

static void rule_namespaces(spec_walk *w, int idx)
{
	unique_member(w, idx, "type", "namespace type");
}

static void rule_rlimits(spec_walk *w, int idx)
{
	unique_member(w, idx, "type", "rlimit type");
}

/* Compare two members that passed their uint64 check (integers, or floats
 * past int64). */
static int compare_numbers(lua_State *L, int t, const char *a, const char *b)
{
	int r = 0;
	if (spec_get(L, t, a) == LUA_TNUMBER && spec_get(L, t, b) == LUA_TNUMBER)
		r = lua_isinteger(L, -2) && lua_isinteger(L, -1)
			? (lua_tointeger(L, -2) > lua_tointeger(L, -1)) -
			      (lua_tointeger(L, -2) < lua_tointeger(L, -1))
			: (lua_tonumber(L, -2) > lua_tonumber(L, -1)) -
			      (lua_tonumber(L, -2) < lua_tonumber(L, -1));
	lua_settop(L, t);
	return r;
}

/* setrlimit(2) refuses a soft limit above the hard one. */
static void rule_rlimit(spec_walk *w, int idx)
{
	lua_State *L = w->L;
	int top = lua_gettop(L);
	lua_pushvalue(L, idx);
	if (compare_numbers(L, lua_gettop(L), "soft", "hard") > 0) {
		char soft[64], hard[64];
		spec_get(L, top + 1, "soft");
		spec_get(L, top + 1, "hard");
		spec_problem_at(w, ".soft", "must not be above hard (got %s > %s)",
				spec_show(L, -2, soft, sizeof soft), spec_show(L, -1, hard, sizeof hard));
	}
	lua_settop(L, top);
}

/* "<n>KB|MB|GB" (n without a leading zero), a power of two: the kernel's
 * huge page sizes are. */
static void rule_page_size(spec_walk *w, int idx)
{
	const char *s = lua_tostring(w->L, idx);
	char *end, got[128];
	errno = 0;
	unsigned long long n = s[0] >= '1' && s[0] <= '9' ? strtoull(s, &end, 10) : 0;
	bool ok = n > 0 && errno == 0 && (n & (n - 1)) == 0 &&
		  (end[0] == 'K' || end[0] == 'M' || end[0] == 'G') && end[1] == 'B' && end[2] == '\0';
	if (!ok)
		spec_problem(w, "must be a power-of-two size like 2MB or 1GB (got %s)",
			     spec_show(w->L, idx, got, sizeof got));
}

/* A decimal number below 2^22 (the kernel's CPU and node limit). */
static bool list_number(const char **p, unsigned long *out)
{
	const char *s = *p;
	unsigned long v = 0;
	if (!is_digit(*s))
		return false;
	for (; is_digit(*s); s++)
		if ((v = v * 10 + (unsigned)(*s - '0')) > 1ul << 22)
			return false;
	*p = s;
	*out = v;
	return true;
}

/* cpuset lists: "0-3,7"; empty means unset. */
static bool number_list(const char *s)
{
	if (!*s)
		return true;
	for (;;) {
		unsigned long a, b;
		if (!list_number(&s, &a))
			return false;
		b = a;
		if (*s == '-' && (s++, !list_number(&s, &b)))
			return false;
		if (a > b)
			return false;
		if (*s == '\0')
			return true;
		if (*s++ != ',')
			return false;
	}
}

static void rule_number_list(spec_walk *w, int idx)
{
	char got[128];
	if (!number_list(lua_tostring(w->L, idx)))
		spec_problem(w, "must be a list of numbers and ranges like 0-3,7 (got %s)",
			     spec_show(w->L, idx, got, sizeof got));
}

/* process.execCPUAffinity: ^[0-9, -]*$ */
static void rule_affinity(spec_walk *w, int idx)
{
	const char *s = lua_tostring(w->L, idx);
	char got[128];
	if (strspn(s, "0123456789, -") != strlen(s))
		spec_problem(w, "must be a CPU list like 0-3,7 (digits, ',', '-' and spaces; got %s)",
			     spec_show(w->L, idx, got, sizeof got));
}

/* linux.devices[]: major and minor unless it is a FIFO. */
static void rule_device(spec_walk *w, int idx)
{
	lua_State *L = w->L;
	const char *type = spec_string(L, idx, "type");
	if (!type || !strcmp(type, "p") || !is_word(type))
		return;
	static const char *const keys[] = {"major", "minor"};
	for (int i = 0; i < 2; i++) {
		char at[16];
		snprintf(at, sizeof at, ".%s", keys[i]);
		if (spec_get(L, idx, keys[i]) == LUA_TNIL)
			spec_problem_at(w, at, "required for a \"%s\" device", type);
		lua_pop(L, 1);
	}
}

/* linux.resources.devices[].access: r, w and m, each at most once. */
static void rule_access(spec_walk *w, int idx)
{
	const char *s = lua_tostring(w->L, idx);
	char got[128];
	bool ok = strlen(s) <= 3 && strspn(s, "rwm") == strlen(s);
	for (const char *c = s; ok && *c; c++)
		ok = !strchr(c + 1, *c);
	if (!ok)
		spec_problem(w, "must be made of r, w and m (got %s)", spec_show(w->L, idx, got, sizeof got));
}

static bool has_member(lua_State *L, int t, const char *key)
{
	bool has = spec_get(L, t, key) != LUA_TNIL;
	lua_pop(L, 1);
	return has;
}

static void rule_weight_device(spec_walk *w, int idx)
{
	if (!has_member(w->L, idx, "weight") && !has_member(w->L, idx, "leafWeight"))
		spec_problem(w, "must have weight or leafWeight");
}

static void rule_rdma(spec_walk *w, int idx)
{
	if (!has_member(w->L, idx, "hcaHandles") && !has_member(w->L, idx, "hcaObjects"))
		spec_problem(w, "must have hcaHandles or hcaObjects");
}

/* config-linux.md: burst is no larger than a positive quota. */
static void rule_cpu(spec_walk *w, int idx)
{
	lua_Integer quota, burst;
	if (spec_integer(w->L, idx, "quota", &quota) && spec_integer(w->L, idx, "burst", &burst) &&
	    quota > 0 && burst > quota)
		spec_problem_at(w, ".burst", "must not be above quota (got %lld > %lld)", (long long)burst,
				(long long)quota);
}

/* An id mapping's range must stay within the 32-bit ids. */
static void rule_idmap(spec_walk *w, int idx)
{
	static const char *const starts[] = {"containerID", "hostID"};
	lua_Integer size, start;
	if (!spec_integer(w->L, idx, "size", &size))
		return;
	for (int i = 0; i < 2; i++)
		if (spec_integer(w->L, idx, starts[i], &start) && start + size > 4294967296LL)
			spec_problem_at(w, ".size", "%s + size must not pass 4294967296 (got %lld + %lld)",
					starts[i], (long long)start, (long long)size);
}

static bool has_user_namespace(spec_walk *w)
{
	lua_State *L = w->L;
	int top = lua_gettop(L);
	bool found = false;
	if (spec_get(L, w->spec, "linux") == LUA_TTABLE && spec_get(L, top + 1, "namespaces") == LUA_TTABLE) {
		lua_Integer n = (lua_Integer)lua_rawlen(L, top + 2);
		for (lua_Integer i = 1; i <= n && !found; i++) {
			lua_rawgeti(L, top + 2, i);
			const char *type = spec_string(L, top + 3, "type");
			found = type && !strcmp(type, "user");
			lua_pop(L, 1);
		}
	}
	lua_settop(L, top);
	return found;
}

static bool has_option(lua_State *L, int m, const char *opt)
{
	int top = lua_gettop(L);
	bool found = false;
	if (spec_get(L, m, "options") == LUA_TTABLE) {
		lua_Integer n = (lua_Integer)lua_rawlen(L, top + 1);
		for (lua_Integer i = 1; i <= n && !found; i++) {
			lua_rawgeti(L, top + 1, i);
			found = lua_type(L, -1) == LUA_TSTRING && !strcmp(lua_tostring(L, -1), opt);
			lua_pop(L, 1);
		}
	}
	lua_settop(L, top);
	return found;
}

/* mounts[]: a relative destination is deprecated and relative to "/" (made
 * absolute here, so the rules see one form); id-mapped mounts need both
 * mappings, or a user namespace to borrow them from. */
static void rule_mount(spec_walk *w, int idx)
{
	lua_State *L = w->L;
	const char *dest = spec_string(L, idx, "destination");
	if (dest && !*dest) {
		spec_problem_at(w, ".destination", "must not be empty");
	} else if (dest && dest[0] != '/') {
		log_debug("config.json: %s.destination: relative (deprecated), taken as /%s", w->path, dest);
		lua_pushstring(L, "destination");
		lua_pushfstring(L, "/%s", dest);
		lua_rawset(L, idx);
	}
	bool uid = has_member(L, idx, "uidMappings"), gid = has_member(L, idx, "gidMappings");
	if (uid != gid)
		spec_problem(w, "uidMappings and gidMappings must be given together");
	if (!uid && !gid && !has_user_namespace(w))
		for (int i = 0; i < 2; i++) {
			const char *opt = i ? "ridmap" : "idmap";
			if (has_option(L, idx, opt))
				spec_problem_at(w, ".options",
						"%s needs uidMappings and gidMappings, or a user namespace",
						opt);
		}
}

/* seccomp: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE return an errno. */
static void errno_rule(spec_walk *w, int idx, const char *action_key, const char *errno_key)
{
	const char *action = spec_string(w->L, idx, action_key);
	if (!action || !has_member(w->L, idx, errno_key) || !strcmp(action, "SCMP_ACT_ERRNO") ||
	    !strcmp(action, "SCMP_ACT_TRACE") || !is_word(action))
		return;
	char at[32];
	snprintf(at, sizeof at, ".%s", errno_key);
	spec_problem_at(w, at, "only SCMP_ACT_ERRNO and SCMP_ACT_TRACE return an errno (%s is %s)",
			action_key, action);
}

static void rule_seccomp(spec_walk *w, int idx)
{
	if (has_member(w->L, idx, "listenerMetadata") && !has_member(w->L, idx, "listenerPath"))
		spec_problem_at(w, ".listenerMetadata", "must not be set without listenerPath");
	errno_rule(w, idx, "defaultAction", "defaultErrnoRet");
}

static void rule_syscall(spec_walk *w, int idx)
{
	errno_rule(w, idx, "action", "errnoRet");
}

static void rule_one_line(spec_walk *w, int idx)
{
	char got[128];
	if (strchr(lua_tostring(w->L, idx), '\n'))
		spec_problem(w, "must not contain a newline (got %s)", spec_show(w->L, idx, got, sizeof got));
}

static void rule_mem_bw(spec_walk *w, int idx)
{
	const char *s = lua_tostring(w->L, idx);
	char got[128];
	if (strncmp(s, "MB:", 3) || strchr(s, '\n'))
		spec_problem(w, "must start with MB: and be one line (got %s)",
			     spec_show(w->L, idx, got, sizeof got));
}

/* --- nodes ---------------------------------------------------------------- */

#define END                                                                                                  \
	{                                                                                                    \
		NULL, NULL, false                                                                            \
	}

static const spec_node str = {.kind = SPEC_STRING};
static const spec_node boolean = {.kind = SPEC_BOOL};
static const spec_node int32 = {.kind = SPEC_INT, .min = INT32_MIN, .max = INT32_MAX};
static const spec_node int64 = {.kind = SPEC_INT, .min = LLONG_MIN, .max = LLONG_MAX};
static const spec_node uint16 = {.kind = SPEC_INT, .min = 0, .max = UINT16_MAX};
static const spec_node uint32 = {.kind = SPEC_INT, .min = 0, .max = UINT32_MAX};
static const spec_node uint64 = {.kind = SPEC_INT, .min = 0, .u64 = true};
static const spec_node strings = {.kind = SPEC_ARRAY, .items = &str};
static const spec_node uint32s = {.kind = SPEC_ARRAY, .items = &uint32};
static const spec_node string_map = {.kind = SPEC_MAP, .items = &str};
static const spec_node abs_path = {.kind = SPEC_STRING, .rule = rule_absolute};
static const spec_node abs_paths = {.kind = SPEC_ARRAY, .items = &abs_path};
static const spec_node env_entry = {.kind = SPEC_STRING, .rule = rule_env};
static const spec_node env = {.kind = SPEC_ARRAY, .items = &env_entry};
static const spec_node cpu_list = {.kind = SPEC_STRING, .rule = rule_number_list};

#define ENUM(name, ...)                                                                                      \
	static const char *const name##_choices[] = {__VA_ARGS__, NULL};                                     \
	static const spec_node name = {.kind = SPEC_STRING, .choices = name##_choices}
#define ARRAY_OF(name, item) static const spec_node name = {.kind = SPEC_ARRAY, .items = &item}

/* setrlimit(2)'s resources, as runc and LXC know them. */
ENUM(rlimit_type, "RLIMIT_AS", "RLIMIT_CORE", "RLIMIT_CPU", "RLIMIT_DATA", "RLIMIT_FSIZE", "RLIMIT_LOCKS",
     "RLIMIT_MEMLOCK", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_NOFILE", "RLIMIT_NPROC", "RLIMIT_RSS",
     "RLIMIT_RTPRIO", "RLIMIT_RTTIME", "RLIMIT_SIGPENDING", "RLIMIT_STACK");
ENUM(ioprio_class, "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE");
ENUM(sched_policy, "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH", "SCHED_ISO", "SCHED_IDLE",
     "SCHED_DEADLINE");
ENUM(sched_flag, "SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM", "SCHED_FLAG_DL_OVERRUN",
     "SCHED_FLAG_KEEP_POLICY", "SCHED_FLAG_KEEP_PARAMS", "SCHED_FLAG_UTIL_CLAMP_MIN",
     "SCHED_FLAG_UTIL_CLAMP_MAX");
ARRAY_OF(sched_flags, sched_flag);
ENUM(namespace_type, "mount", "pid", "network", "uts", "ipc", "user", "cgroup", "time");
/* The text names four; runc and CRI engines also use the recursive forms. */
ENUM(propagation, "private", "shared", "slave", "unbindable", "rprivate", "rshared", "rslave", "runbindable");
ENUM(device_type, "c", "b", "u", "p");
ENUM(cgroup_device_type, "a", "c", "b");
ENUM(seccomp_action, "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
     "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY");
ENUM(seccomp_flag, "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
     "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
ARRAY_OF(seccomp_flags, seccomp_flag);
ENUM(seccomp_arch, "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64",
     "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32",
     "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
     "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_SH", "SCMP_ARCH_SHEB",
     "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64");
ARRAY_OF(seccomp_archs, seccomp_arch);
ENUM(seccomp_op, "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
     "SCMP_CMP_MASKED_EQ");
ENUM(mempolicy_mode, "MPOL_DEFAULT", "MPOL_BIND", "MPOL_INTERLEAVE", "MPOL_WEIGHTED_INTERLEAVE",
     "MPOL_PREFERRED", "MPOL_PREFERRED_MANY", "MPOL_LOCAL");
ENUM(mempolicy_flag, "MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES", "MPOL_F_STATIC_NODES");
ARRAY_OF(mempolicy_flags, mempolicy_flag);
ENUM(personality_domain, "LINUX", "LINUX32");

static const spec_node hook = {
    .kind = SPEC_OBJECT,
    .members =
	(const spec_member[]){
	    {"path", &abs_path, true},
	    {"args", &strings, false},
	    {"env", &env, false},
	    {"timeout",
	     &(const spec_node){
		 .kind = SPEC_INT, .desc = "an integer greater than 0", .min = 1, .max = LLONG_MAX},
	     false},
	    END},
};
ARRAY_OF(hook_list, hook);

static const spec_node hooks = {
    .kind = SPEC_OBJECT,
    .members = (const spec_member[]){{"prestart", &hook_list, false},
				     {"createRuntime", &hook_list, false},
				     {"createContainer", &hook_list, false},
				     {"startContainer", &hook_list, false},
				     {"poststart", &hook_list, false},
				     {"poststop", &hook_list, false},
				     END},
};

static const spec_node idmapping = {
    .kind = SPEC_OBJECT,
    .members =
	(const spec_member[]){
	    {"containerID", &uint32, true},
	    {"hostID", &uint32, true},
	    {"size", &(const spec_node){.kind = SPEC_INT, .min = 1, .max = UINT32_MAX}, true},
	    END},
    .rule = rule_idmap,
};
ARRAY_OF(idmappings, idmapping);

static const spec_node mount_entry = {
    .kind = SPEC_OBJECT,
    .members = (const spec_member[]){{"destination", &str, true},
				     {"source", &str, false},
				     {"options", &strings, false},
				     {"type", &str, false},
				     {"uidMappings", &idmappings, false},
				     {"gidMappings", &idmappings, false},
				     END},
    .rule = rule_mount,
};
ARRAY_OF(mounts, mount_entry);

static const spec_node root = {
    .kind = SPEC_OBJECT,
    .members =
	(const spec_member[]){{"path", &(const spec_node){.kind = SPEC_STRING, .rule = rule_root_path}, true},
			      {"readonly", &boolean, false},
			      END},
};

static const spec_node rlimit = {
    .kind = SPEC_OBJECT,
    .members =
	(const spec_member[]){
	    {"type", &rlimit_type, true}, {"soft", &uint64, true}, {"hard", &uint64, true}, END},
    .rule = rule_rlimit,
};

static const spec_node capabilities = {
    .kind = SPEC_OBJECT,
    .members = (const spec_member[]){{"bounding", &strings, false},
				     {"permitted", &strings, false},
				     {"effective", &strings, false},
				     {"inheritable", &strings, false},
				     {"ambient", &strings, false},
				     END},
};

static const spec_node process = {
    .kind = SPEC_OBJECT,
    .members =
	(const spec_member[]){
	    {"terminal", &boolean, false},
	    {"consoleSize",
	     &(const spec_node){
		 .kind = SPEC_OBJECT,
		 .members = (const spec_member[]){{"height", &uint64, true}, {"width", &uint64, true}, END}},
	     false},
	    {"cwd", &abs_path, true},
	    {"env", &env, false},
	    {"args",
	     &(const spec_node){
		 .kind = SPEC_ARRAY, .desc = "a non-empty array of strings", .items = &str, .min_items = 1},
	     true},
	    {"commandLine", &str, false},
	    {"user",
	     &(const spec_node){
		 .kind = SPEC_OBJECT,
		 .members = (const spec_member[]){{"uid", &uint32, true},
						  {"gid", &uint32, true},
						  {"umask", &uint32, false},
						  {"additionalGids", &uint32s, false},
						  {"username", &str, false},
						  END}},
	     true},
	    {"capabilities", &capabilities, false},
	    {"rlimits", &(const spec_node){.kind = SPEC_ARRAY, .items = &rlimit, .rule = rule_rlimits},
	     false},
	    {"noNewPrivileges", &boolean, false},
	    {"apparmorProfile", &str, false},
	    /* the kernel's range for /proc/<pid>/oom_score_adj */
	    {"oomScoreAdj", &(const spec_node){.kind = SPEC_INT, .min = -1000, .max = 1000}, false},
	    {"selinuxLabel", &str, false},
	    {"ioPriority",
	     &(const spec_node){
		 .kind = SPEC_OBJECT,
		 .members =
		     (const spec_member[]){
			 {"class", &ioprio_class, true},
			 {"priority", &(const spec_node){.kind = SPEC_INT, .min = 0, .max = 7}, false},
			 END}},
	     false},
	    {"scheduler",
	     &(const spec_node){.kind = SPEC_OBJECT,
				.members =
				    (const spec_member[]){{"policy", &sched_policy, true},
							  {"nice", &int32, false},
							  {"priority", &int32, false},
							  {"flags", &sched_flags, false},
							  {"runtime", &uint64, false},
							  {"deadline", &uint64, false},
							  {"period", &uint64, false},
							  END}},
	     false},
	    {"execCPUAffinity",
	     &(const spec_node){
		 .kind = SPEC_OBJECT,
		 .members =
		     (const spec_member[]){
			 {"initial", &(const spec_node){.kind = SPEC_STRING, .rule = rule_affinity}, false},
			 {"final", &(const spec_node){.kind = SPEC_STRING, .rule = rule_affinity}, false},
			 END}},
	     false},
	    END},
};

static const spec_node device = {
    .kind = SPEC_OBJECT,
    .members = (const spec_member[]){{"type", &device_type, true},
				     {"path", &abs_path, true},
				     {"fileMode", &uint32, false},
				     {"major", &int64, false},
				     {"minor", &int64, false},
				     {"uid", &uint32, false},
				     {"gid", &uint32, false},
				     END},
    .rule = rule_device,
};
ARRAY_OF(devices, device);

static const spec_node namespace_entry = {
    .kind = SPEC_OBJECT,
    .members = (const spec_member[]){{"type", &namespace_type, true}, {"path", &abs_path, false}, END},
};

static const spec_node time_offset = {
    .kind = SPEC_OBJECT,
    .members =
	(const spec_member[]){
	    {"secs", &int64, false},
	    {"nanosecs", &(const spec_node){.kind = SPEC_INT, .min = 0, .max = 999999999}, false},
	    END},
};

static const spec_node cgroup_device = {
    .kind = SPEC_OBJECT,
    .members =
	(const spec_member[]){{"allow", &boolean, true},
			      {"type", &cgroup_device_type, false},
			      {"major", &int64, false},
			      {"minor", &int64, false},
			      {"access", &(const spec_node){.kind = SPEC_STRING, .rule = rule_access}, false},
			      END},
};

static const spec_node throttle = {
    .kind = SPEC_OBJECT,
    .members =
	(const spec_member[]){{"major", &int64, true}, {"minor", &int64, true}, {"rate", &uint64, true}, END},
};
ARRAY_OF(throttles, throttle);

static const spec_node weight_device = {
    .kind = SPEC_OBJECT,
    .members = (const spec_member[]){{"major", &int64, true},
				     {"minor", &int64, true},
				     {"weight", &uint16, false},
				     {"leafWeight", &uint16, false},
				     END},
    .rule = rule_weight_device,
};

static const spec_node block_io = {
    .kind = SPEC_OBJECT,
    .members = (const spec_member[]){{"weight", &uint16, false},
				     {"leafWeight", &uint16, false},
				     {"weightDevice",
				      &(const spec_node){.kind = SPEC_ARRAY, .items = &weight_device}, false},
				     {"throttleReadBpsDevice", &throttles, false},
				     {"throttleWriteBpsDevice", &throttles, false},
				     {"throttleReadIOPSDevice", &throttles, false},
				     {"throttleWriteIOPSDevice", &throttles, false},
				     END},
};

static const spec_node cpu = {
    .kind = SPEC_OBJECT,
    .members = (const spec_member[]){{"cpus", &cpu_list, false},
				     {"mems", &cpu_list, false},
				     {"period", &uint64, false},
				     {"quota", &int64, false},
				     {"burst", &uint64, false},
				     {"realtimePeriod", &uint64, false},
				     {"realtimeRuntime", &int64, false},
				     {"shares", &uint64, false},
				     {"idle", &int64, false},
				     END},
    .rule = rule_cpu,
};

static const spec_node hugepage_limit = {
    .kind = SPEC_OBJECT,
    .members = (const spec_member[]){{"pageSize",
				      &(const spec_node){.kind = SPEC_STRING, .rule = rule_page_size}, true},
				     {"limit", &uint64, true},
				     END},
};

static const spec_node memory = {
    .kind = SPEC_OBJECT,
    .members = (const spec_member[]){{"kernel", &int64, false},
				     {"kernelTCP", &int64, false},
				     {"limit", &int64, false},
				     {"reservation", &int64, false},
				     {"swap", &int64, false},
				     {"swappiness", &uint64, false},
				     {"disableOOMKiller", &boolean, false},
				     {"useHierarchy", &boolean, false},
				     {"checkBeforeUpdate", &boolean, false},
				     END},
};

static const spec_node net_priority = {
    .kind = SPEC_OBJECT,
    .members = (const spec_member[]){{"name", &str, true}, {"priority", &uint32, true}, END},
};

static const spec_node resources = {
    .kind = SPEC_OBJECT,
    .members =
	(const spec_member[]){
	    {"unified", &string_map, false},
	    {"devices", &(const spec_node){.kind = SPEC_ARRAY, .items = &cgroup_device}, false},
	    {"pids",
	     &(const spec_node){.kind = SPEC_OBJECT,
				.members = (const spec_member[]){{"limit", &int64, true}, END}},
	     false},
	    {"blockIO", &block_io, false},
	    {"cpu", &cpu, false},
	    {"hugepageLimits", &(const spec_node){.kind = SPEC_ARRAY, .items = &hugepage_limit}, false},
	    {"memory", &memory, false},
	    {"network",
	     &(const spec_node){.kind = SPEC_OBJECT,
				.members = (const spec_member[]){{"classID", &uint32, false},
								 {"priorities",
								  &(const spec_node){.kind = SPEC_ARRAY,
										     .items = &net_priority},
								  false},
								 END}},
	     false},
	    {"rdma",
	     &(const spec_node){
		 .kind = SPEC_MAP,
		 .items = &(const spec_node){.kind = SPEC_OBJECT,
					     .members = (const spec_member[]){{"hcaHandles", &uint32, false},
									      {"hcaObjects", &uint32, false},
									      END},
					     .rule = rule_rdma}},
	     false},
	    END},
};

static const spec_node syscall_arg = {
    .kind = SPEC_OBJECT,
    .members =
	(const spec_member[]){{"index", &(const spec_node){.kind = SPEC_INT, .min = 0, .max = 5}, true},
			      {"value", &uint64, true},
			      {"valueTwo", &uint64, false},
			      {"op", &seccomp_op, true},
			      END},
};

static const spec_node seccomp_syscall = {
    .kind = SPEC_OBJECT,
    .members =
	(const spec_member[]){
	    {"names",
	     &(const spec_node){
		 .kind = SPEC_ARRAY, .desc = "a non-empty array of strings", .items = &str, .min_items = 1},
	     true},
	    {"action", &seccomp_action, true},
	    {"errnoRet", &uint32, false},
	    {"args", &(const spec_node){.kind = SPEC_ARRAY, .items = &syscall_arg}, false},
	    END},
    .rule = rule_syscall,
};

static const spec_node seccomp = {
    .kind = SPEC_OBJECT,
    .members =
	(const spec_member[]){
	    {"defaultAction", &seccomp_action, true},
	    {"defaultErrnoRet", &uint32, false},
	    {"flags", &seccomp_flags, false},
	    {"listenerPath", &str, false},
	    {"listenerMetadata", &str, false},
	    {"architectures", &seccomp_archs, false},
	    {"syscalls", &(const spec_node){.kind = SPEC_ARRAY, .items = &seccomp_syscall}, false},
	    END},
    .rule = rule_seccomp,
};


/* config-freebsd.json: checked like the rest, so that validate agrees with
 * the schema; the identity rule refuses the section (a Proxmox CT is a
 * Linux container). */
ENUM(freebsd_sharing, "disable", "new", "inherit");
ENUM(freebsd_sharing_no_disable, "new", "inherit");
static const spec_node uint8 = {.kind = SPEC_INT, .min = 0, .max = UINT8_MAX};
static const spec_node freebsd_device = {
    .kind = SPEC_OBJECT,
    .members = (const spec_member[]){{"path", &str, false}, {"mode", &str, false}, END},
};
ARRAY_OF(freebsd_devices, freebsd_device);
static const spec_node freebsd_allow = {
    .kind = SPEC_OBJECT,
    .members = (const spec_member[]){{"setHostname", &boolean, false},
				     {"rawSockets", &boolean, false},
				     {"chflags", &boolean, false},
				     {"mount", &strings, false},
				     {"quotas", &boolean, false},
				     {"socketAf", &boolean, false},
				     {"reservedPorts", &boolean, false},
				     {"suser", &boolean, false},
				     END},
};
static const spec_node freebsd_jail = {
    .kind = SPEC_OBJECT,
    .members = (const spec_member[]){{"parent", &str, false},
				     {"host", &freebsd_sharing_no_disable, false},
				     {"ip4", &freebsd_sharing, false},
				     {"ip6", &freebsd_sharing, false},
				     {"vnet", &freebsd_sharing_no_disable, false},
				     {"sysvmsg", &freebsd_sharing, false},
				     {"sysvsem", &freebsd_sharing, false},
				     {"sysvshm", &freebsd_sharing, false},
				     {"enforceStatfs", &uint8, false},
				     {"allow", &freebsd_allow, false},
				     END},
};
static const spec_node freebsd_section = {
    .kind = SPEC_OBJECT,
    .members = (const spec_member[]){{"devices", &freebsd_devices, false}, {"jail", &freebsd_jail, false}, END},
};

static const spec_node linux_section = {
    .kind = SPEC_OBJECT,
    .members =
	(const spec_member[]){
	    {"devices", &devices, false},
	    {"netDevices",
	     &(const spec_node){
		 .kind = SPEC_MAP,
		 .items = &(const spec_node){.kind = SPEC_OBJECT,
					     .members = (const spec_member[]){{"name", &str, false}, END}}},
	     false},
	    {"uidMappings", &idmappings, false},
	    {"gidMappings", &idmappings, false},
	    {"namespaces",
	     &(const spec_node){.kind = SPEC_ARRAY, .items = &namespace_entry, .rule = rule_namespaces},
	     false},
	    {"timeOffsets",
	     &(const spec_node){.kind = SPEC_OBJECT,
				.members = (const spec_member[]){{"boottime", &time_offset, false},
								 {"monotonic", &time_offset, false},
								 END}},
	     false},
	    {"resources", &resources, false},
	    {"cgroupsPath", &str, false},
	    {"rootfsPropagation", &propagation, false},
	    {"seccomp", &seccomp, false},
	    {"sysctl", &string_map, false},
	    {"maskedPaths", &abs_paths, false},
	    {"readonlyPaths", &abs_paths, false},
	    {"mountLabel", &str, false},
	    {"intelRdt",
	     &(const spec_node){
		 .kind = SPEC_OBJECT,
		 .members =
		     (const spec_member[]){
			 {"closID", &str, false},
			 {"schemata",
			  &(const spec_node){
			      .kind = SPEC_ARRAY,
			      .items = &(const spec_node){.kind = SPEC_STRING, .rule = rule_one_line}},
			  false},
			 {"l3CacheSchema", &str, false},
			 {"memBwSchema", &(const spec_node){.kind = SPEC_STRING, .rule = rule_mem_bw}, false},
			 {"enableMonitoring", &boolean, false},
			 END}},
	     false},
	    {"memoryPolicy",
	     &(const spec_node){.kind = SPEC_OBJECT,
				.members =
				    (const spec_member[]){{"mode", &mempolicy_mode, true},
							  {"nodes", &cpu_list, false},
							  {"flags", &mempolicy_flags, false},
							  END}},
	     false},
	    {"personality",
	     &(const spec_node){.kind = SPEC_OBJECT,
				.members = (const spec_member[]){{"domain", &personality_domain, true},
								 {"flags", &strings, false},
								 END}},
	     false},
	    END},
};

const spec_node spec_config = {
    .kind = SPEC_OBJECT,
    .desc = "a JSON object",
    .members =
	(const spec_member[]){
	    {"ociVersion", &(const spec_node){.kind = SPEC_STRING, .rule = rule_oci_version}, true},
	    {"root", &root, true},
	    {"mounts", &mounts, false},
	    {"process", &process, false},
	    {"hostname", &str, false},
	    {"domainname", &str, false},
	    {"hooks", &hooks, false},
	    {"annotations", &string_map, false},
	    {"linux", &linux_section, false},
	    /* left to the translation rules, which refuse them */
	    {"windows", NULL, false},
	    {"solaris", NULL, false},
	    {"vm", NULL, false},
	    {"zos", NULL, false},
	    {"freebsd", &freebsd_section, false},
	    END},
};
