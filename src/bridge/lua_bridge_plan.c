/* The plan table the rules return, read into an nx_plan inside the
 * bridge's protected call: every value is checked (plan_format.h) as it is
 * read, and every problem is reported, naming the rule that set it. */
#define _GNU_SOURCE
#include "bridge/lua_bridge_internal.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <lauxlib.h>

#include "util/buf.h"
#include "plan/plan_format.h"
#include "plan/seccomp_plan.h"
#include "util/spawn.h"
#include "util/xalloc.h"

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
			return xstrdup("\x01"); /* embedded NUL: caught by check_chars */
		return xstrdup(s);
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
		return xstrdup(tmp);
	case LUA_TBOOLEAN: return xstrdup(lua_toboolean(L, idx) ? "1" : "0");
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
	plan->options = xcalloc(PLAN_MAX_ENTRIES, sizeof(nx_kv));
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
		else if (plan->n_options < PLAN_MAX_ENTRIES) {
			plan->options[plan->n_options++] = (nx_kv){xstrdup(name), value};
			value = NULL;
		}
		free(value);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	qsort(plan->options, plan->n_options, sizeof(nx_kv), plan_kv_cmp);
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
	if (n > PLAN_MAX_ENTRIES) {
		problem(c, "plan.lxc: too many entries");
		n = 0;
	}
	plan->lxc = xcalloc((size_t)n + 1, sizeof(nx_kv));
	for (lua_Integer i = 1; i <= n; i++) {
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
	/* no count of our own: execve's bounds are checked on the whole
	 * process (exec_strings_fit) */
	lua_Integer n = luaL_len(L, l);
	if (n < 0) {
		problem(c, "plan.process.%s: must be a list of strings", field);
		goto out;
	}
	v = xcalloc((size_t)n + 1, sizeof(char *));
	for (lua_Integer i = 1; i <= n; i++) {
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
			v[(*count)++] = xstrdup(s);
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
		/* each resource once (rules.security refuses a repeat): more
		 * entries than resources is a plan the init could not apply */
		if (n > RLIM_NLIMITS) {
			problem(c, "plan.process.rlimits: %lld entries; the kernel has %d resources (RLIM_NLIMITS)",
				(long long)n, RLIM_NLIMITS);
			n = 0;
		}
		p->rlimits = xcalloc((size_t)n + 1, sizeof(nx_rlimit));
		for (lua_Integer i = 1; i <= n; i++) {
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
				p->rlimits[p->nrlimits++] = (nx_rlimit){xstrdup(type), soft, hard};
			lua_pop(L, 2);
		}
	}
	lua_pop(L, 1);
}

/* process.sysctl: {{"net.ipv4.ip_forward", "1"}, ...}, written by
 * nexcage-init inside the CT (namespaced sysctls Proxmox has no key for). */


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
			plan_strings_free(names, n);
			p->caps[s] = b.data;
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
	static const char *const kinds[] = {"network", "ipc", "uts", "cgroup", "time", "pid", NULL};
	lua_getfield(L, t, "namespaces");
	int l = lua_gettop(L);
	if (lua_istable(L, l)) {
		lua_Integer n = luaL_len(L, l);
		if (n > 6)
			problem(c, "plan.process.namespaces: at most 6 namespaces can be joined");
		p->join_ns = xcalloc(7, sizeof(nx_kv));
		for (lua_Integer i = 1; i <= n && i <= 6; i++) {
			lua_geti(L, l, i);
			char *k = NULL, *v = NULL;
			if (lua_istable(L, -1)) {
				lua_getfield(L, -1, "type");
				lua_getfield(L, -2, "path");
				k = lua_type(L, -2) == LUA_TSTRING ? xstrdup(lua_tostring(L, -2)) : NULL;
				v = lua_type(L, -1) == LUA_TSTRING ? xstrdup(lua_tostring(L, -1)) : NULL;
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
			if (ok && plan_check_chars(v, false, why, sizeof why) < 0)
				ok = false;
			if (!ok) {
				problem(c,
					"plan.process.namespaces[%lld]: must be {type = "
					"network|ipc|uts|cgroup|time|pid, "
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

/* linux.devices: the nodes the init makes in the CT's /dev, each
 * {path = "/dev/...", type = "c"|"b"|"p", major, minor, mode, uid, gid}. */
static bool device_at(lua_State *L, int d, struct nx_device *out)
{
	lua_getfield(L, d, "path");
	lua_getfield(L, d, "type");
	lua_getfield(L, d, "major");
	lua_getfield(L, d, "minor");
	lua_getfield(L, d, "mode");
	lua_getfield(L, d, "uid");
	lua_getfield(L, d, "gid");
	const char *path = lua_type(L, -7) == LUA_TSTRING ? lua_tostring(L, -7) : NULL;
	const char *type = lua_type(L, -6) == LUA_TSTRING ? lua_tostring(L, -6) : NULL;
	char why[256];
	lua_Integer major = 0, minor = 0, mode, uid, gid;
	bool ok = path && !strncmp(path, "/dev/", 5) && !strstr(path, "/..") && !strstr(path, "/./") &&
		  plan_check_chars(path, false, why, sizeof why) == 0 && !strpbrk(path, " \t\n") && type &&
		  strlen(type) == 1 && strchr("cbp", type[0]) && int_at(L, -3, 07777, &mode) &&
		  int_at(L, -2, UINT32_MAX, &uid) && int_at(L, -1, UINT32_MAX, &gid);
	if (ok && type[0] != 'p')
		ok = int_at(L, -5, UINT32_MAX, &major) && int_at(L, -4, UINT32_MAX, &minor);
	if (ok)
		*out = (struct nx_device){xstrdup(path),	    type[0],		(unsigned)mode,
					  (unsigned long)uid, (unsigned long)gid, (unsigned long)major,
					  (unsigned long)minor};
	lua_pop(L, 7);
	return ok;
}

static void read_devices(lua_State *L, int t, nx_process *p, collector *c)
{
	lua_getfield(L, t, "devices");
	int l = lua_gettop(L);
	if (lua_istable(L, l)) {
		lua_Integer n = luaL_len(L, l);
		if (n < 0 || n > PLAN_MAX_ENTRIES) {
			problem(c, "plan.process.devices: at most %d", PLAN_MAX_ENTRIES);
			n = 0;
		}
		p->devices = xcalloc((size_t)n + 1, sizeof *p->devices);
		for (lua_Integer i = 1; i <= n; i++) {
			lua_geti(L, l, i);
			struct nx_device d = {0};
			if (lua_istable(L, -1) && device_at(L, lua_gettop(L), &d))
				p->devices[p->ndevices++] = d;
			else
				problem(c,
					"plan.process.devices[%lld]: must be {path = /dev/..., type = c|b|p, "
					"major, minor, mode = 0..07777, uid, gid}",
					(long long)i);
			lua_pop(L, 1);
		}
	} else if (!lua_isnil(L, l)) {
		problem(c, "plan.process.devices: must be a list");
	}
	lua_pop(L, 1);
}

static void read_sysctl(lua_State *L, int t, nx_process *p, collector *c)
{
	lua_getfield(L, t, "sysctl");
	int l = lua_gettop(L);
	if (lua_istable(L, l)) {
		lua_Integer n = luaL_len(L, l); /* no count of our own: the init reads any number */
		p->sysctl = xcalloc((size_t)n + 1, sizeof(nx_kv));
		for (lua_Integer i = 1; i <= n; i++) {
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
			    k && v && plan_check_chars(v, false, why, sizeof why) == 0 && k[0] && strlen(k) < 200;
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
	char fit[512];
	long taken = p->args ? exec_strings_fit("plan.process.args", p->args, p->nargs, 0, fit, sizeof fit) : 0;
	if (taken < 0 || (p->env && exec_strings_fit("plan.process.env", p->env, p->nenv, taken, fit, sizeof fit) < 0))
		problem(c, "%s", fit);
	if (!p->env)
		p->env = xcalloc(1, sizeof(char *));
	if (p->nargs == 0)
		problem(c, "plan.process.args: must not be empty");
	lua_getfield(L, t, "cwd");
	if (lua_type(L, -1) == LUA_TSTRING && lua_tostring(L, -1)[0] == '/')
		p->cwd = xstrdup(lua_tostring(L, -1));
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
		p->groups = xcalloc((size_t)n + 1, sizeof(unsigned long));
		for (lua_Integer i = 1; i <= n; i++) {
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
	p->readonly_root = get_bool(L, t, "readonly_root");
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
	read_devices(L, t, p, c);
	lua_getfield(L, t, "hostname");
	if (lua_type(L, -1) == LUA_TSTRING) {
		char why[256];
		const char *h = lua_tostring(L, -1);
		if (!*h || strlen(h) > 64 || plan_check_chars(h, false, why, sizeof why) < 0)
			problem(c, "plan.process.hostname: must be 1 to 64 printable characters");
		else
			p->hostname = xstrdup(h);
	} else if (!lua_isnil(L, -1)) {
		problem(c, "plan.process.hostname: must be a string");
	}
	lua_pop(L, 1);
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
		else if (seccomp_plan_check(text, why, sizeof why) < 0)
			problem(c, "plan.seccomp: %s", why);
		else
			plan->seccomp = xstrdup(text);
	} else if (!lua_isnil(L, -1)) {
		problem(c, "plan.seccomp: must be the filter's text (docs/plan.md)");
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
		if (n < 0 || n > PLAN_MAX_ENTRIES) {
			problem(c, "plan.%s: too many entries", field);
			n = 0;
		}
		v = xcalloc((size_t)n + 1, sizeof(char *));
		for (lua_Integer i = 1; i <= n; i++) {
			lua_geti(L, -1, i);
			size_t len = 0;
			const char *s = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
			char why[256];
			if (!s || strlen(s) != len || s[0] != '/' || !s[1] || len > 4000 ||
			    strpbrk(s, " \t\n\r\v\f,\\") ||
			    plan_check_path_clean(s, "volume", why, sizeof why) < 0 ||
			    plan_check_chars(s, false, why, sizeof why) < 0)
				problem(c,
					"plan.%s[%lld]: must be an absolute path without . or .., white "
					"space or ','",
					field, (long long)i);
			else
				v[(*count)++] = xstrdup(s);
			lua_pop(L, 1);
		}
	} else if (!lua_isnil(L, -1)) {
		problem(c, "plan.%s: must be a list of paths", field);
	}
	lua_pop(L, 1);
	return v;
}

static void read_texts(lua_State *L, int plan_idx, const char *field, char ***out, size_t *count)
{
	lua_getfield(L, plan_idx, field);
	if (lua_istable(L, -1)) {
		lua_Integer n = luaL_len(L, -1);
		if (n > 256)
			n = 256;
		*out = xcalloc((size_t)n + 1, sizeof(char *));
		for (lua_Integer i = 1; i <= n; i++) {
			lua_geti(L, -1, i);
			if (lua_type(L, -1) == LUA_TSTRING)
				(*out)[(*count)++] = xstrdup(lua_tostring(L, -1));
			lua_pop(L, 1);
		}
	}
	lua_pop(L, 1);
}

static void read_warnings(lua_State *L, int plan_idx, nx_plan *plan)
{
	read_texts(L, plan_idx, "warnings", &plan->warnings, &plan->n_warnings);
	read_texts(L, plan_idx, "notes", &plan->notes, &plan->n_notes);
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

