#define _GNU_SOURCE
#include "plan.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "buf.h"
#include "seccomp_profile.h"

#define MAX_ENTRIES 4096
#define MAX_VALUE   65536

typedef int (*check_fn)(const char *v, char *why, size_t n);

/* ---- value checks (formats from pve-container's schema) ---------------- */

static int why_set(char *why, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int why_set(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
	return -1;
}

static int parse_long(const char *v, long *out)
{
	char *end;
	errno = 0;
	long x = strtol(v, &end, 10);
	if (errno || !*v || *end)
		return -1;
	*out = x;
	return 0;
}

static int int_range(const char *v, long lo, long hi, char *why, size_t n)
{
	long x;
	if (parse_long(v, &x) < 0)
		return why_set(why, n, "type check ('integer') failed - got '%s'", v);
	if (x < lo)
		return why_set(why, n, "value must have a minimum value of %ld", lo);
	if (x > hi)
		return why_set(why, n, "value must have a maximum value of %ld", hi);
	return 0;
}

static int check_memory(const char *v, char *why, size_t n)
{
	return int_range(v, 16, 1L << 40, why, n);
}
static int check_swap(const char *v, char *why, size_t n)
{
	return int_range(v, 0, 1L << 40, why, n);
}
static int check_cores(const char *v, char *why, size_t n)
{
	return int_range(v, 1, 8192, why, n);
}
static int check_cpuunits(const char *v, char *why, size_t n)
{
	return int_range(v, 0, 500000, why, n);
}
static int check_tty(const char *v, char *why, size_t n)
{
	return int_range(v, 0, 6, why, n);
}

static int check_cpulimit(const char *v, char *why, size_t n)
{
	char *end;
	double d = strtod(v, &end);
	if (!*v || *end || !isfinite(d))
		return why_set(why, n, "type check ('number') failed - got '%s'", v);
	if (d < 0 || d > 8192)
		return why_set(why, n, "value must be between 0 and 8192");
	return 0;
}

static int check_bool(const char *v, char *why, size_t n)
{
	static const char *const ok[] = {"0", "1", "yes", "no", "on", "off", "true", "false", NULL};
	for (const char *const *o = ok; *o; o++)
		if (!strcasecmp(v, *o))
			return 0;
	return why_set(why, n, "type check ('boolean') failed - got '%s'", v);
}

static int check_enum(const char *v, const char *const *values, const char *list, char *why, size_t n)
{
	for (const char *const *o = values; *o; o++)
		if (!strcmp(v, *o))
			return 0;
	return why_set(why, n, "value '%s' does not have a value in the enumeration '%s'", v, list);
}

static int check_ostype(const char *v, char *why, size_t n)
{
	static const char *const e[] = {"debian",    "devuan", "ubuntu", "centos", "fedora",	"opensuse",
					"archlinux", "alpine", "gentoo", "nixos",  "unmanaged", NULL};
	return check_enum(
	    v, e,
	    "debian, devuan, ubuntu, centos, fedora, opensuse, archlinux, alpine, gentoo, nixos, unmanaged",
	    why, n);
}

static int check_arch(const char *v, char *why, size_t n)
{
	static const char *const e[] = {"amd64", "i386", "arm64", "armhf", "riscv32", "riscv64", NULL};
	return check_enum(v, e, "amd64, i386, arm64, armhf, riscv32, riscv64", why, n);
}

static int check_cmode(const char *v, char *why, size_t n)
{
	static const char *const e[] = {"shell", "console", "tty", NULL};
	return check_enum(v, e, "shell, console, tty", why, n);
}

static bool dns_label_ok(const char *s, size_t len)
{
	if (len == 0 || len > 63 || !isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[len - 1]))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return false;
	return true;
}

static int check_hostname(const char *v, char *why, size_t n)
{
	if (strlen(v) > 255)
		return why_set(why, n, "invalid format - value too long (max 255)");
	for (const char *p = v;;) {
		const char *dot = strchrnul(p, '.');
		if (!dns_label_ok(p, (size_t)(dot - p)))
			return why_set(why, n, "invalid format - value does not look like a valid DNS name");
		if (!*dot)
			return 0;
		p = dot + 1;
	}
}

static int check_tags(const char *v, char *why, size_t n)
{
	for (const char *p = v;;) {
		const char *semi = strchrnul(p, ';');
		if (semi == p || !(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_'))
			return why_set(why, n,
				       "invalid format - tag '%.*s' must match [a-z0-9_][a-z0-9_\\-+.]*",
				       (int)(semi - p), p);
		for (const char *c = p; c < semi; c++)
			if (!(islower((unsigned char)*c) || isdigit((unsigned char)*c) || strchr("_-+.", *c)))
				return why_set(
				    why, n, "invalid format - tag '%.*s' must match [a-z0-9_][a-z0-9_\\-+.]*",
				    (int)(semi - p), p);
		if (!*semi)
			return 0;
		p = semi + 1;
	}
}

static int check_pool(const char *v, char *why, size_t n)
{
	if (!*v)
		return why_set(why, n, "value does not match the regex pattern");
	for (const char *c = v; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr(".-_", *c))
			return why_set(why, n, "value does not match the regex pattern");
	return 0;
}

static int check_description(const char *v, char *why, size_t n)
{
	if (strlen(v) > 8192)
		return why_set(why, n, "value may only be 8192 characters long");
	return 0;
}

static int check_free_string(const char *v, char *why, size_t n)
{
	(void)v, (void)why, (void)n;
	return 0;
}

static int check_env(const char *v, char *why, size_t n)
{
	const char *eq = strchr(v, '=');
	if (!eq || eq == v)
		return why_set(why, n, "invalid format - expected NAME=value");
	return 0;
}

/* Property strings: "[default=]v,key=value,...". keys lists the allowed
 * keys; default_key (if any) may be written first without "key=". */
static int check_property_string(const char *v, const char *const *keys, const char *default_key,
				 const char *required, char *why, size_t n)
{
	bool have_required = required == NULL;
	bool first = true;
	for (const char *p = v;;) {
		const char *comma = strchrnul(p, ',');
		const char *eq = memchr(p, '=', (size_t)(comma - p));
		size_t klen = eq ? (size_t)(eq - p) : 0;
		const char *key = p;
		if (!eq) {
			if (!first || !default_key)
				return why_set(why, n,
					       "invalid format - format error: '%.*s' is not key=value",
					       (int)(comma - p), p);
			key = default_key;
			klen = strlen(default_key);
		}
		bool known = false;
		for (const char *const *k = keys; *k; k++)
			if (strlen(*k) == klen && !strncmp(*k, key, klen))
				known = true;
		if (!known)
			return why_set(why, n, "invalid format - format error: unknown key '%.*s'", (int)klen,
				       key);
		if (required && strlen(required) == klen && !strncmp(required, key, klen))
			have_required = true;
		const char *val = eq ? eq + 1 : p;
		if (val == comma)
			return why_set(why, n, "invalid format - format error: '%.*s' has no value",
				       (int)klen, key);
		first = false;
		if (!*comma)
			break;
		p = comma + 1;
	}
	if (!have_required)
		return why_set(
		    why, n, "invalid format - format error: %s: property is missing and it is not optional",
		    required);
	return 0;
}

static const char *const rootfs_keys[] = {"volume",    "size",	 "ro", "mountoptions", "quota", "acl",
					  "replicate", "shared", NULL};
static const char *const mp_keys[] = {"volume",	   "mp",     "size",   "ro", "mountoptions", "quota", "acl",
				      "replicate", "backup", "shared", NULL};
static const char *const net_keys[] = {"name", "bridge",    "firewall",	    "gw",   "gw6", "hwaddr",
				       "ip",   "ip6",	    "mtu",	    "rate", "tag", "trunks",
				       "type", "link_down", "host-managed", NULL};
static const char *const dev_keys[] = {"path", "mode", "uid", "gid", "deny-write", NULL};
static const char *const feature_keys[] = {"nesting",	   "keyctl", "fuse", "mknod",
					   "force_rw_sys", "mount",  NULL};

static int check_rootfs(const char *v, char *why, size_t n)
{
	return check_property_string(v, rootfs_keys, "volume", "volume", why, n);
}

static int check_path_clean(const char *v, const char *key, char *why, size_t n)
{
	/* mp=/x and host paths: pve refuses /./ and /../ components */
	char pat[16];
	snprintf(pat, sizeof pat, "%s=", key);
	const char *p = strstr(v, pat);
	if (!p && strcmp(key, "volume"))
		return 0;
	const char *val = p ? p + strlen(pat) : v;
	size_t len = strcspn(val, ",");
	char buf[4096];
	snprintf(buf, sizeof buf, "%.*s/", (int)len, val);
	if (strstr(buf, "/./") || strstr(buf, "/../"))
		return why_set(why, n, "invalid format - path contains . or .. components");
	return 0;
}

static int check_mp(const char *v, char *why, size_t n)
{
	if (check_property_string(v, mp_keys, "volume", "mp", why, n) < 0)
		return -1;
	if (check_path_clean(v, "mp", why, n) < 0 || check_path_clean(v, "volume", why, n) < 0)
		return -1;
	const char *mp = strstr(v, "mp=");
	if (mp && mp[3] != '/')
		return why_set(why, n, "invalid format - mp must be an absolute path");
	return 0;
}

static int check_net(const char *v, char *why, size_t n)
{
	return check_property_string(v, net_keys, NULL, "name", why, n);
}

static int check_dev(const char *v, char *why, size_t n)
{
	if (check_property_string(v, dev_keys, "path", "path", why, n) < 0)
		return -1;
	const char *path = strncmp(v, "path=", 5) ? v : v + 5;
	if (strncmp(path, "/dev/", 5))
		return why_set(why, n, "invalid format - device path must be under /dev/");
	return 0;
}

static int check_features(const char *v, char *why, size_t n)
{
	return check_property_string(v, feature_keys, NULL, NULL, why, n);
}

typedef struct option_spec {
	const char *name;
	check_fn check;
} option_spec;

/* Options a plan may set on `pct create`. Absent on purpose: `start`
 * (the core starts the CT), `lock`, `template`, `hookscript` (host code,
 * chosen by the admin in Proxmox, not by a bundle). */
static const option_spec option_specs[] = {
    {"arch", check_arch},
    {"cmode", check_cmode},
    {"console", check_bool},
    {"cores", check_cores},
    {"cpulimit", check_cpulimit},
    {"cpuunits", check_cpuunits},
    {"description", check_description},
    {"entrypoint", check_free_string},
    {"env", check_env},
    {"features", check_features},
    {"hostname", check_hostname},
    {"memory", check_memory},
    {"nameserver", check_free_string},
    {"onboot", check_bool},
    {"ostype", check_ostype},
    {"pool", check_pool},
    {"protection", check_bool},
    {"rootfs", check_rootfs},
    {"searchdomain", check_free_string},
    {"startup", check_free_string},
    {"swap", check_swap},
    {"tags", check_tags},
    {"timezone", check_free_string},
    {"tty", check_tty},
    {"unprivileged", check_bool},
};

static check_fn option_checker(const char *name)
{
	for (size_t i = 0; i < sizeof option_specs / sizeof option_specs[0]; i++)
		if (!strcmp(option_specs[i].name, name))
			return option_specs[i].check;
	/* mp0..mp255, net0..net31, dev0..dev255 */
	const char *families[][2] = {{"mp", "255"}, {"net", "31"}, {"dev", "255"}};
	check_fn fns[] = {check_mp, check_net, check_dev};
	for (int i = 0; i < 3; i++) {
		size_t fl = strlen(families[i][0]);
		if (strncmp(name, families[i][0], fl) || !name[fl])
			continue;
		long idx;
		if (parse_long(name + fl, &idx) < 0 || idx < 0 || idx > atol(families[i][1]) ||
		    (name[fl] == '0' && name[fl + 1]))
			return NULL;
		return fns[i];
	}
	return NULL;
}

static int check_chars(const char *v, bool allow_newline, char *why, size_t n)
{
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (*p == '\n' && allow_newline)
			continue;
		if (*p < 0x20 || *p == 0x7f)
			return why_set(
			    why, n,
			    "contains a control character (0x%02x): refused, it could inject config keys",
			    *p);
	}
	return 0;
}

int plan_check_option(const char *name, const char *value, char *why, size_t n)
{
	check_fn fn = option_checker(name);
	if (!fn)
		return why_set(why, n, "not a pct create option nexcage accepts");
	if (strlen(value) > MAX_VALUE)
		return why_set(why, n, "value too long");
	if (check_chars(value, !strcmp(name, "description"), why, n) < 0)
		return -1;
	return fn(value, why, n);
}

/* pve-container's $valid_lxc_conf_keys: Proxmox drops every other raw key
 * from the config with only a warning, so accepting one here would
 * misconfigure silently. */
static bool pve_keeps_lxc_key(const char *key)
{
	static const char *const valid[] = {
	    "lxc.apparmor.profile",
	    "lxc.apparmor.allow_incomplete",
	    "lxc.apparmor.allow_nesting",
	    "lxc.apparmor.raw",
	    "lxc.selinux.context",
	    "lxc.arch",
	    "lxc.uts.name",
	    "lxc.signal.halt",
	    "lxc.signal.reboot",
	    "lxc.signal.stop",
	    "lxc.init.cmd",
	    "lxc.init.cwd",
	    "lxc.init.uid",
	    "lxc.init.gid",
	    "lxc.init.groups",
	    "lxc.pty.max",
	    "lxc.console.path",
	    "lxc.tty.max",
	    "lxc.devtty.dir",
	    "lxc.autodev",
	    "lxc.kmsg",
	    "lxc.mount.fstab",
	    "lxc.mount.entry",
	    "lxc.mount.auto",
	    "lxc.rootfs.mount",
	    "lxc.cap.drop",
	    "lxc.cap.keep",
	    "lxc.seccomp.profile",
	    "lxc.idmap",
	    "lxc.start.auto",
	    "lxc.start.delay",
	    "lxc.start.order",
	    "lxc.group",
	    "lxc.environment",
	    "lxc.environment.runtime",
	    "lxc.sysctl.fs.mqueue",
	    "lxc.sysctl.kernel.msgmax",
	    "lxc.sysctl.kernel.msgmnb",
	    "lxc.sysctl.kernel.msgmni",
	    "lxc.sysctl.kernel.sem",
	    "lxc.sysctl.kernel.shmall",
	    "lxc.sysctl.kernel.shmmax",
	    "lxc.sysctl.kernel.shmmni",
	    "lxc.sysctl.kernel.shm_rmid_forced",
	    NULL,
	};
	for (const char *const *v = valid; *v; v++)
		if (!strcmp(key, *v))
			return true;
	return !strncmp(key, "lxc.cgroup.", 11) || !strncmp(key, "lxc.cgroup2.", 12) ||
	       !strncmp(key, "lxc.prlimit.", 12) || !strncmp(key, "lxc.net.", 8);
}

int plan_check_lxc(const char *key, const char *value, char *why, size_t n)
{
	if (strncmp(key, "lxc.", 4) || !key[4])
		return why_set(why, n, "raw key must start with 'lxc.'");
	/* cgroup file names are the kernel's own and may hold capitals
	 * (hugetlb.1GB.max); every other LXC key is lower case. */
	bool cgroup = !strncmp(key, "lxc.cgroup.", 11) || !strncmp(key, "lxc.cgroup2.", 12);
	for (const char *c = key; *c; c++)
		if (!islower((unsigned char)*c) && !isdigit((unsigned char)*c) && !strchr("._-", *c) &&
		    !(cgroup && isupper((unsigned char)*c)))
			return why_set(why, n,
				       cgroup ? "raw key may only contain [A-Za-z0-9._-]"
					      : "raw key may only contain [a-z0-9._-]");
	/* Keys that run host programs, include host files or move the root
	 * would let a bundle (through a rule) escape onto the host. */
	static const char *const denied[] = {
	    "lxc.hook.", "lxc.include",	 "lxc.rootfs.", "lxc.console.logfile",
	    "lxc.log.",	 "lxc.seccomp.", NULL};
	for (const char *const *d = denied; *d; d++)
		if (!strncmp(key, *d, strlen(*d)))
			return why_set(why, n, "raw key %s is reserved to the core", key);
	if (!pve_keeps_lxc_key(key))
		return why_set(
		    why, n,
		    "Proxmox drops raw key %s from the CT config (not one of pve-container's valid lxc keys)",
		    key);
	if (strlen(value) > MAX_VALUE)
		return why_set(why, n, "value too long");
	return check_chars(value, false, why, n);
}

/* ---- extraction from Lua ------------------------------------------------ */

typedef struct collector {
	nx_buf problems;
	int count;
} collector;

static void problem(collector *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(collector *c, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (c->count++ < 50) {
		if (c->problems.len)
			buf_puts(&c->problems, "\n");
		buf_puts(&c->problems, line);
	}
}

/* A plan value as a string: strings as they are, integers in decimal,
 * floats in shortest form, booleans as 1/0. NULL when not a scalar. */
static char *scalar_string(lua_State *L, int idx)
{
	char tmp[64];
	switch (lua_type(L, idx)) {
	case LUA_TSTRING: {
		size_t len;
		const char *s = lua_tolstring(L, idx, &len);
		if (strlen(s) != len)
			return strdup("\x01"); /* embedded NUL: caught by check_chars */
		return strdup(s);
	}
	case LUA_TNUMBER:
		if (lua_isinteger(L, idx))
			snprintf(tmp, sizeof tmp, "%lld", (long long)lua_tointeger(L, idx));
		else {
			double d = lua_tonumber(L, idx);
			if (d == floor(d) && fabs(d) < 1e15)
				snprintf(tmp, sizeof tmp, "%.0f", d);
			else
				snprintf(tmp, sizeof tmp, "%.15g", d);
		}
		return strdup(tmp);
	case LUA_TBOOLEAN: return strdup(lua_toboolean(L, idx) ? "1" : "0");
	default: return NULL;
	}
}

/* "rule 'x'" from plan.origin[name], for error messages. */
static void origin_of(lua_State *L, int plan_idx, const char *name, char *out, size_t n)
{
	out[0] = '\0';
	lua_getfield(L, plan_idx, "origin");
	if (lua_istable(L, -1)) {
		lua_getfield(L, -1, name);
		if (lua_type(L, -1) == LUA_TSTRING)
			snprintf(out, n, " (set by rule '%s')", lua_tostring(L, -1));
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

static int cmp_kv(const void *a, const void *b)
{
	return strcmp(((const nx_kv *)a)->key, ((const nx_kv *)b)->key);
}

static void read_options(lua_State *L, int plan_idx, nx_plan *plan, collector *c)
{
	lua_getfield(L, plan_idx, "options");
	int t = lua_gettop(L);
	if (lua_isnil(L, t)) {
		lua_pop(L, 1);
		return;
	}
	if (!lua_istable(L, t)) {
		problem(c, "plan.options: must be a table");
		lua_pop(L, 1);
		return;
	}
	plan->options = calloc(MAX_ENTRIES, sizeof(nx_kv));
	lua_pushnil(L);
	while (lua_next(L, t)) {
		if (lua_type(L, -2) != LUA_TSTRING) {
			problem(c, "plan.options: keys must be option names");
			lua_pop(L, 1);
			continue;
		}
		const char *name = lua_tostring(L, -2);
		char origin[160], why[512];
		origin_of(L, plan_idx, name, origin, sizeof origin);
		char *value = scalar_string(L, -1);
		if (!value)
			problem(c, "plan.options.%s%s: must be a string, number or boolean (got %s)", name,
				origin, luaL_typename(L, -1));
		else if (plan_check_option(name, value, why, sizeof why) < 0)
			problem(c, "plan.options.%s%s: %s", name, origin, why);
		else if (plan->n_options < MAX_ENTRIES && plan->options) {
			plan->options[plan->n_options++] = (nx_kv){strdup(name), value};
			value = NULL;
		}
		free(value);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	if (plan->options)
		qsort(plan->options, plan->n_options, sizeof(nx_kv), cmp_kv);
}

static void read_lxc(lua_State *L, int plan_idx, nx_plan *plan, collector *c)
{
	lua_getfield(L, plan_idx, "lxc");
	int t = lua_gettop(L);
	if (lua_isnil(L, t)) {
		lua_pop(L, 1);
		return;
	}
	if (!lua_istable(L, t)) {
		problem(c, "plan.lxc: must be a list of {key, value} pairs");
		lua_pop(L, 1);
		return;
	}
	lua_Integer n = luaL_len(L, t);
	if (n > MAX_ENTRIES) {
		problem(c, "plan.lxc: too many entries");
		n = 0;
	}
	plan->lxc = calloc((size_t)n + 1, sizeof(nx_kv));
	for (lua_Integer i = 1; i <= n && plan->lxc; i++) {
		lua_geti(L, t, i);
		char *key = NULL, *value = NULL;
		if (lua_istable(L, -1)) {
			lua_geti(L, -1, 1);
			lua_geti(L, -2, 2);
			if (lua_type(L, -2) == LUA_TSTRING)
				key = scalar_string(L, -2);
			value = scalar_string(L, -1);
			lua_pop(L, 2);
		}
		char why[512], origin[160] = "";
		lua_getfield(L, plan_idx, "lxc_origin");
		if (lua_istable(L, -1) && lua_rawgeti(L, -1, i) == LUA_TSTRING)
			snprintf(origin, sizeof origin, " (set by rule '%s')", lua_tostring(L, -1));
		lua_settop(L, t + 1);
		if (!key || !value)
			problem(c, "plan.lxc[%lld]%s: must be {\"lxc.key\", value}", (long long)i, origin);
		else if (plan_check_lxc(key, value, why, sizeof why) < 0)
			problem(c, "plan.lxc[%lld] %s%s: %s", (long long)i, key, origin, why);
		else {
			plan->lxc[plan->n_lxc++] = (nx_kv){key, value};
			key = value = NULL;
		}
		free(key);
		free(value);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

/* A list of strings at t[field] into a NULL-terminated vector. */
static char **string_list(lua_State *L, int t, const char *field, size_t *count, collector *c, bool env)
{
	*count = 0;
	lua_getfield(L, t, field);
	int l = lua_gettop(L);
	char **v = NULL;
	if (lua_isnil(L, l))
		goto out;
	if (!lua_istable(L, l)) {
		problem(c, "plan.process.%s: must be a list of strings", field);
		goto out;
	}
	lua_Integer n = luaL_len(L, l);
	if (n < 0 || n > MAX_ENTRIES) {
		problem(c, "plan.process.%s: too many entries", field);
		goto out;
	}
	v = calloc((size_t)n + 1, sizeof(char *));
	for (lua_Integer i = 1; i <= n && v; i++) {
		lua_geti(L, l, i);
		size_t len;
		const char *s = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
		if (!s)
			problem(c, "plan.process.%s[%lld]: must be a string", field, (long long)i);
		else if (strlen(s) != len)
			problem(c, "plan.process.%s[%lld]: contains a NUL byte", field, (long long)i);
		else if (env && (!strchr(s, '=') || s[0] == '='))
			problem(c, "plan.process.%s[%lld]: must be NAME=value", field, (long long)i);
		else
			v[(*count)++] = strdup(s);
		lua_pop(L, 1);
	}
out:
	lua_pop(L, 1);
	return v;
}

static bool get_uint(lua_State *L, int t, const char *field, unsigned long long max, unsigned long long *out,
		     collector *c)
{
	lua_getfield(L, t, field);
	bool ok = false;
	if (lua_isnil(L, -1)) {
		ok = false;
	} else if (!lua_isinteger(L, -1) &&
		   !(lua_isnumber(L, -1) && lua_tonumber(L, -1) == floor(lua_tonumber(L, -1)))) {
		problem(c, "plan.process.%s: must be an integer", field);
	} else {
		double d = lua_tonumber(L, -1);
		if (d < 0 || d > (double)max)
			problem(c, "plan.process.%s: out of range (0..%llu)", field, max);
		else {
			*out = lua_isinteger(L, -1) ? (unsigned long long)lua_tointeger(L, -1)
						    : (unsigned long long)d;
			ok = true;
		}
	}
	lua_pop(L, 1);
	return ok;
}

static bool get_bool(lua_State *L, int t, const char *field)
{
	lua_getfield(L, t, field);
	bool b = lua_toboolean(L, -1);
	lua_pop(L, 1);
	return b;
}

static void read_rlimits(lua_State *L, int t, nx_process *p, collector *c)
{
	lua_getfield(L, t, "rlimits");
	int l = lua_gettop(L);
	if (lua_istable(L, l)) {
		lua_Integer n = luaL_len(L, l);
		if (n > 64)
			n = 64;
		p->rlimits = calloc((size_t)n + 1, sizeof(nx_rlimit));
		for (lua_Integer i = 1; i <= n && p->rlimits; i++) {
			lua_geti(L, l, i);
			int r = lua_gettop(L);
			unsigned long long soft = 0, hard = 0;
			lua_getfield(L, r, "type");
			const char *type = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
			bool ok = type && !strncmp(type, "RLIMIT_", 7) && strlen(type) < 32;
			if (ok)
				for (const char *ch = type; *ch; ch++)
					if (!isupper((unsigned char)*ch) && *ch != '_')
						ok = false;
			if (!ok || !get_uint(L, r, "soft", UINT64_MAX, &soft, c) ||
			    !get_uint(L, r, "hard", UINT64_MAX, &hard, c))
				problem(c, "plan.process.rlimits[%lld]: needs type RLIMIT_*, soft, hard",
					(long long)i);
			else
				p->rlimits[p->nrlimits++] = (nx_rlimit){strdup(type), soft, hard};
			lua_pop(L, 2);
		}
	}
	lua_pop(L, 1);
}

/* process.sysctl: {{"net.ipv4.ip_forward", "1"}, ...}, written by
 * nexcage-init inside the CT (namespaced sysctls Proxmox has no key for). */
static void free_vec(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

const char *const nx_cap_sets[5] = {"bounding", "effective", "permitted", "inheritable", "ambient"};

/* The five sets as space-separated lower-case names (rules.security
 * checked each name; the core still allows only [a-z_] words). */
static void read_caps(lua_State *L, int t, nx_process *p, collector *c)
{
	lua_getfield(L, t, "capabilities");
	int l = lua_gettop(L);
	if (lua_istable(L, l)) {
		p->has_caps = true;
		for (int s = 0; s < 5; s++) {
			size_t n = 0;
			lua_getfield(L, l, nx_cap_sets[s]);
			char **names =
			    lua_istable(L, -1) ? string_list(L, l, nx_cap_sets[s], &n, c, false) : NULL;
			lua_pop(L, 1);
			nx_buf b = {0};
			buf_puts(&b, "");
			for (size_t i = 0; i < n; i++) {
				bool ok = names[i][0] && strlen(names[i]) < 32;
				for (const char *ch = names[i]; ok && *ch; ch++)
					ok = (*ch >= 'a' && *ch <= 'z') || *ch == '_';
				if (!ok)
					problem(c, "plan.process.capabilities.%s[%zu]: not a capability name",
						nx_cap_sets[s], i + 1);
				buf_printf(&b, "%s%s", i ? " " : "", names[i]);
			}
			free_vec(names, n);
			p->caps[s] = b.oom ? NULL : b.data;
			if (!p->caps[s])
				problem(c, "plan.process.capabilities: out of memory");
		}
	} else if (!lua_isnil(L, l)) {
		problem(c, "plan.process.capabilities: must be a table");
	}
	lua_pop(L, 1);
}

/* Namespaces an engine prepared, joined by path: only the kinds the init
 * can join after LXC made the CT's own, each an absolute path. */
static void read_join_ns(lua_State *L, int t, nx_process *p, collector *c)
{
	static const char *const kinds[] = {"network", "ipc", "uts", "cgroup", "time", NULL};
	lua_getfield(L, t, "namespaces");
	int l = lua_gettop(L);
	if (lua_istable(L, l)) {
		lua_Integer n = luaL_len(L, l);
		if (n > 5)
			problem(c, "plan.process.namespaces: at most 5 namespaces can be joined");
		p->join_ns = calloc(6, sizeof(nx_kv));
		for (lua_Integer i = 1; i <= n && i <= 5 && p->join_ns; i++) {
			lua_geti(L, l, i);
			char *k = NULL, *v = NULL;
			if (lua_istable(L, -1)) {
				lua_getfield(L, -1, "type");
				lua_getfield(L, -2, "path");
				k = lua_type(L, -2) == LUA_TSTRING ? strdup(lua_tostring(L, -2)) : NULL;
				v = lua_type(L, -1) == LUA_TSTRING ? strdup(lua_tostring(L, -1)) : NULL;
				lua_pop(L, 2);
			}
			lua_pop(L, 1);
			bool ok = k && v && v[0] == '/';
			if (ok) {
				ok = false;
				for (size_t j = 0; kinds[j]; j++)
					ok |= !strcmp(kinds[j], k);
			}
			char why[256];
			if (ok && check_chars(v, false, why, sizeof why) < 0)
				ok = false;
			if (!ok) {
				problem(c,
					"plan.process.namespaces[%lld]: must be {type = "
					"network|ipc|uts|cgroup|time, "
					"path = absolute path}",
					(long long)i);
				free(k);
				free(v);
				continue;
			}
			p->join_ns[p->njoin_ns++] = (nx_kv){k, v};
		}
	} else if (!lua_isnil(L, l)) {
		problem(c, "plan.process.namespaces: must be a list");
	}
	lua_pop(L, 1);
}

/* The integer at idx, if it is one in 0..max. */
static bool int_at(lua_State *L, int idx, lua_Integer max, lua_Integer *out)
{
	if (!lua_isinteger(L, idx))
		return false;
	*out = lua_tointeger(L, idx);
	return *out >= 0 && *out <= max;
}

/* FIFOs the init makes in the CT's /dev (linux.devices of type p). */
static void read_fifos(lua_State *L, int t, nx_process *p, collector *c)
{
	lua_getfield(L, t, "fifos");
	int l = lua_gettop(L);
	if (lua_istable(L, l)) {
		lua_Integer n = luaL_len(L, l);
		if (n > 256) {
			problem(c, "plan.process.fifos: at most 256");
			n = 0;
		}
		p->fifos = calloc((size_t)n + 1, sizeof *p->fifos);
		for (lua_Integer i = 1; i <= n && p->fifos; i++) {
			lua_geti(L, l, i);
			struct nx_fifo f = {0};
			bool ok = lua_istable(L, -1);
			if (ok) {
				lua_getfield(L, -1, "path");
				lua_getfield(L, -2, "mode");
				lua_getfield(L, -3, "uid");
				lua_getfield(L, -4, "gid");
				const char *path =
				    lua_type(L, -4) == LUA_TSTRING ? lua_tostring(L, -4) : NULL;
				char why[256];
				lua_Integer mode, uid, gid;
				ok = path && !strncmp(path, "/dev/", 5) && !strstr(path, "/..") &&
				     !strstr(path, "/./") && check_chars(path, false, why, sizeof why) == 0 &&
				     int_at(L, -3, 0777, &mode) && int_at(L, -2, UINT32_MAX, &uid) &&
				     int_at(L, -1, UINT32_MAX, &gid);
				if (ok)
					f = (struct nx_fifo){strdup(path), (unsigned)mode, (unsigned long)uid,
							     (unsigned long)gid};
				lua_pop(L, 4);
			}
			lua_pop(L, 1);
			if (!ok) {
				problem(c,
					"plan.process.fifos[%lld]: must be {path = /dev/..., mode = 0..0777, "
					"uid, gid}",
					(long long)i);
				continue;
			}
			p->fifos[p->nfifos++] = f;
		}
	} else if (!lua_isnil(L, l)) {
		problem(c, "plan.process.fifos: must be a list");
	}
	lua_pop(L, 1);
}

static void read_sysctl(lua_State *L, int t, nx_process *p, collector *c)
{
	lua_getfield(L, t, "sysctl");
	int l = lua_gettop(L);
	if (lua_istable(L, l)) {
		lua_Integer n = luaL_len(L, l);
		if (n > 256)
			n = 256;
		p->sysctl = calloc((size_t)n + 1, sizeof(nx_kv));
		for (lua_Integer i = 1; i <= n && p->sysctl; i++) {
			lua_geti(L, l, i);
			char *k = NULL, *v = NULL;
			if (lua_istable(L, -1)) {
				lua_geti(L, -1, 1);
				lua_geti(L, -2, 2);
				k = lua_type(L, -2) == LUA_TSTRING ? scalar_string(L, -2) : NULL;
				v = scalar_string(L, -1);
				lua_pop(L, 2);
			}
			char why[256];
			bool ok =
			    k && v && check_chars(v, false, why, sizeof why) == 0 && k[0] && strlen(k) < 200;
			for (const char *ch = k; ok && *ch; ch++)
				ok = isalnum((unsigned char)*ch) || strchr("._-", *ch);
			if (ok && (strstr(k, "..") || k[0] == '.'))
				ok = false;
			if (!ok) {
				problem(c, "plan.process.sysctl[%lld]: must be {\"name.of.sysctl\", value}",
					(long long)i);
				free(k);
				free(v);
			} else {
				p->sysctl[p->nsysctl++] = (nx_kv){k, v};
			}
			lua_pop(L, 1);
		}
	}
	lua_pop(L, 1);
}

static void read_process(lua_State *L, int plan_idx, nx_plan *plan, collector *c)
{
	lua_getfield(L, plan_idx, "process");
	int t = lua_gettop(L);
	if (!lua_istable(L, t)) {
		if (!lua_isnil(L, t))
			problem(c, "plan.process: must be a table");
		lua_pop(L, 1);
		return;
	}
	nx_process *p = &plan->process;
	plan->has_process = true;
	p->umask = -1;
	p->args = string_list(L, t, "args", &p->nargs, c, false);
	p->env = string_list(L, t, "env", &p->nenv, c, true);
	if (!p->env)
		p->env = calloc(1, sizeof(char *));
	if (p->nargs == 0)
		problem(c, "plan.process.args: must not be empty");
	lua_getfield(L, t, "cwd");
	if (lua_type(L, -1) == LUA_TSTRING && lua_tostring(L, -1)[0] == '/')
		p->cwd = strdup(lua_tostring(L, -1));
	else
		problem(c, "plan.process.cwd: must be an absolute path");
	lua_pop(L, 1);
	unsigned long long v;
	if (get_uint(L, t, "uid", UINT32_MAX, &v, c))
		p->uid = (unsigned long)v;
	if (get_uint(L, t, "gid", UINT32_MAX, &v, c))
		p->gid = (unsigned long)v;
	if (get_uint(L, t, "umask", 0777, &v, c))
		p->umask = (long)v;
	size_t ng = 0;
	lua_getfield(L, t, "additional_gids");
	if (lua_istable(L, -1)) {
		lua_Integer n = luaL_len(L, -1);
		if (n > 65536)
			n = 0;
		p->groups = calloc((size_t)n + 1, sizeof(unsigned long));
		for (lua_Integer i = 1; i <= n && p->groups; i++) {
			lua_geti(L, -1, i);
			if (lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 0 &&
			    lua_tointeger(L, -1) <= UINT32_MAX)
				p->groups[ng++] = (unsigned long)lua_tointeger(L, -1);
			else
				problem(c, "plan.process.additional_gids[%lld]: must be a gid", (long long)i);
			lua_pop(L, 1);
		}
	}
	lua_pop(L, 1);
	p->ngroups = ng;
	p->terminal = get_bool(L, t, "terminal");
	p->no_new_privileges = get_bool(L, t, "no_new_privileges");
	lua_getfield(L, t, "oom_score_adj");
	if (lua_isinteger(L, -1)) {
		long o = (long)lua_tointeger(L, -1);
		if (o < -1000 || o > 1000)
			problem(c, "plan.process.oom_score_adj: must be between -1000 and 1000");
		p->has_oom_score_adj = true;
		p->oom_score_adj = o;
	}
	lua_pop(L, 1);
	read_rlimits(L, t, p, c);
	read_sysctl(L, t, p, c);
	read_caps(L, t, p, c);
	read_join_ns(L, t, p, c);
	read_fifos(L, t, p, c);
	lua_pop(L, 1);
}

static void read_seccomp(lua_State *L, int plan_idx, nx_plan *plan, collector *c)
{
	lua_getfield(L, plan_idx, "seccomp");
	char why[512];
	if (lua_type(L, -1) == LUA_TSTRING) {
		size_t len;
		const char *text = lua_tolstring(L, -1, &len);
		if (strlen(text) != len)
			problem(c, "plan.seccomp: contains a NUL byte");
		else if (seccomp_profile_check(text, why, sizeof why) < 0)
			problem(c, "plan.seccomp: %s", why);
		else
			plan->seccomp = strdup(text);
	} else if (!lua_isnil(L, -1)) {
		problem(c, "plan.seccomp: must be the text of an LXC seccomp profile");
	}
	lua_pop(L, 1);
}

/* plan.masked_paths / plan.readonly_paths: absolute container paths that
 * become one LXC mount entry field each (no white space, ',' or . / ..). */
static char **read_paths(lua_State *L, int plan_idx, const char *field, size_t *count, collector *c)
{
	char **v = NULL;
	lua_getfield(L, plan_idx, field);
	if (lua_istable(L, -1)) {
		lua_Integer n = luaL_len(L, -1);
		if (n < 0 || n > MAX_ENTRIES) {
			problem(c, "plan.%s: too many entries", field);
			n = 0;
		}
		v = calloc((size_t)n + 1, sizeof(char *));
		for (lua_Integer i = 1; i <= n && v; i++) {
			lua_geti(L, -1, i);
			size_t len = 0;
			const char *s = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
			char why[256];
			if (!s || strlen(s) != len || s[0] != '/' || !s[1] || len > 4000 ||
			    strpbrk(s, " \t\n\r\v\f,\\") ||
			    check_path_clean(s, "volume", why, sizeof why) < 0 ||
			    check_chars(s, false, why, sizeof why) < 0)
				problem(c,
					"plan.%s[%lld]: must be an absolute path without . or .., white "
					"space or ','",
					field, (long long)i);
			else
				v[(*count)++] = strdup(s);
			lua_pop(L, 1);
		}
	} else if (!lua_isnil(L, -1)) {
		problem(c, "plan.%s: must be a list of paths", field);
	}
	lua_pop(L, 1);
	return v;
}

static void read_warnings(lua_State *L, int plan_idx, nx_plan *plan)
{
	lua_getfield(L, plan_idx, "warnings");
	if (lua_istable(L, -1)) {
		lua_Integer n = luaL_len(L, -1);
		if (n > 256)
			n = 256;
		plan->warnings = calloc((size_t)n + 1, sizeof(char *));
		for (lua_Integer i = 1; i <= n && plan->warnings; i++) {
			lua_geti(L, -1, i);
			if (lua_type(L, -1) == LUA_TSTRING)
				plan->warnings[plan->n_warnings++] = strdup(lua_tostring(L, -1));
			lua_pop(L, 1);
		}
	}
	lua_pop(L, 1);
}

int plan_from_lua(lua_State *L, int idx, nx_plan *plan, nx_err *err)
{
	memset(plan, 0, sizeof *plan);
	idx = lua_absindex(L, idx);
	if (!lua_istable(L, idx))
		return nx_err_set(err, "translate: the rules returned a %s, not a plan table",
				  luaL_typename(L, idx));
	collector c = {0};
	read_options(L, idx, plan, &c);
	read_lxc(L, idx, plan, &c);
	read_process(L, idx, plan, &c);
	read_seccomp(L, idx, plan, &c);
	plan->masked_paths = read_paths(L, idx, "masked_paths", &plan->n_masked_paths, &c);
	plan->readonly_paths = read_paths(L, idx, "readonly_paths", &plan->n_readonly_paths, &c);
	read_warnings(L, idx, plan);
	if (c.count) {
		nx_err_set(err, "invalid plan (%d problem%s):\n%s", c.count, c.count == 1 ? "" : "s",
			   c.problems.data ? c.problems.data : "");
		buf_free(&c.problems);
		plan_free(plan);
		return -1;
	}
	buf_free(&c.problems);
	return 0;
}

void plan_free(nx_plan *plan)
{
	for (size_t i = 0; i < plan->n_options; i++) {
		free(plan->options[i].key);
		free(plan->options[i].value);
	}
	free(plan->options);
	for (size_t i = 0; i < plan->n_lxc; i++) {
		free(plan->lxc[i].key);
		free(plan->lxc[i].value);
	}
	free(plan->lxc);
	nx_process *p = &plan->process;
	free_vec(p->args, p->nargs);
	free_vec(p->env, p->nenv);
	free(p->cwd);
	free(p->groups);
	for (size_t i = 0; i < p->nrlimits; i++)
		free(p->rlimits[i].type);
	free(p->rlimits);
	for (size_t i = 0; i < p->nsysctl; i++) {
		free(p->sysctl[i].key);
		free(p->sysctl[i].value);
	}
	free(p->sysctl);
	for (int i = 0; i < 5; i++)
		free(p->caps[i]);
	for (size_t i = 0; i < p->njoin_ns; i++) {
		free(p->join_ns[i].key);
		free(p->join_ns[i].value);
	}
	free(p->join_ns);
	for (size_t i = 0; i < p->nfifos; i++)
		free(p->fifos[i].path);
	free(p->fifos);
	free_vec(plan->warnings, plan->n_warnings);
	free(plan->seccomp);
	free_vec(plan->masked_paths, plan->n_masked_paths);
	free_vec(plan->readonly_paths, plan->n_readonly_paths);
	memset(plan, 0, sizeof *plan);
}

const char *plan_option(const nx_plan *plan, const char *name)
{
	for (size_t i = 0; i < plan->n_options; i++)
		if (!strcmp(plan->options[i].key, name))
			return plan->options[i].value;
	return NULL;
}

int plan_set_option(nx_plan *plan, const char *name, const char *value, nx_err *err)
{
	char why[512];
	if (plan_check_option(name, value, why, sizeof why) < 0)
		return nx_err_set(err, "option %s: %s", name, why);
	for (size_t i = 0; i < plan->n_options; i++)
		if (!strcmp(plan->options[i].key, name)) {
			char *nv = strdup(value);
			if (!nv)
				return nx_err_sys(err, ENOMEM, "plan");
			free(plan->options[i].value);
			plan->options[i].value = nv;
			return 0;
		}
	nx_kv *no = realloc(plan->options, sizeof(nx_kv) * (plan->n_options + 1));
	if (!no)
		return nx_err_sys(err, ENOMEM, "plan");
	plan->options = no;
	plan->options[plan->n_options++] = (nx_kv){strdup(name), strdup(value)};
	qsort(plan->options, plan->n_options, sizeof(nx_kv), cmp_kv);
	return 0;
}

void plan_drop_option(nx_plan *plan, const char *name)
{
	for (size_t i = 0; i < plan->n_options; i++)
		if (!strcmp(plan->options[i].key, name)) {
			free(plan->options[i].key);
			free(plan->options[i].value);
			memmove(&plan->options[i], &plan->options[i + 1],
				sizeof(nx_kv) * (plan->n_options - i - 1));
			plan->n_options--;
			return;
		}
}
