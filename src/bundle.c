/* Reading a bundle: config.json with a size cap, checked for UTF-8, NUL
 * bytes and nesting before lua-cjson decodes it (cjson checks none of
 * these), integral numbers made Lua integers, then the runtime-spec rules
 * the core enforces, every problem reported with its JSON path. */
#define _GNU_SOURCE
#include "bundle.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lauxlib.h>

#include "buf.h"
#include "fsutil.h"
#include "log.h"

#define CONFIG_MAX (4u << 20)
#define MAX_DEPTH  64

/* cjson does not check UTF-8; config.json must be valid UTF-8 without NULs. */
static int check_text(const char *s, size_t len, nx_err *err)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	while (p < end) {
		unsigned c = *p;
		size_t n = c < 0x80		      ? 1
			   : (c >= 0xc2 && c <= 0xdf) ? 2
			   : (c >= 0xe0 && c <= 0xef) ? 3
			   : (c >= 0xf0 && c <= 0xf4) ? 4
						      : 0;
		if (c == 0)
			return nx_err_set(err, "config.json: contains a NUL byte at offset %zu",
					  (size_t)(p - (const unsigned char *)s));
		if (n == 0 || (size_t)(end - p) < n)
			return nx_err_set(err, "config.json: invalid UTF-8 at offset %zu",
					  (size_t)(p - (const unsigned char *)s));
		for (size_t i = 1; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return nx_err_set(err, "config.json: invalid UTF-8 at offset %zu",
						  (size_t)(p - (const unsigned char *)s));
		p += n;
	}
	/* cjson's own depth limit is 1000; refuse earlier and say why */
	int depth = 0, max = 0;
	bool in_str = false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
		} else if (c == '"')
			in_str = true;
		else if (c == '{' || c == '[') {
			if (++depth > max)
				max = depth;
		} else if (c == '}' || c == ']')
			depth--;
	}
	if (max > MAX_DEPTH)
		return nx_err_set(err, "config.json: nested deeper than %d levels", MAX_DEPTH);
	return 0;
}

typedef struct vctx {
	lua_State *L;
	nx_buf problems;
	int count;
	const char *bundle;
} vctx;

static void problem(vctx *v, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void problem(vctx *v, const char *path, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (v->count++ < 100)
		buf_printf(&v->problems, "%sconfig.json: %s: %s", v->problems.len ? "\n" : "", path, msg);
}

/* Turn integral floats into integers (cjson decodes every number as a float). */
static void normalise(lua_State *L, int idx, int depth)
{
	if (depth > MAX_DEPTH)
		return;
	idx = lua_absindex(L, idx);
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		if (lua_type(L, -1) == LUA_TNUMBER && !lua_isinteger(L, -1)) {
			lua_Number d = lua_tonumber(L, -1);
			lua_Integer i;
			if (lua_numbertointeger(d, &i) && (lua_Number)i == d) {
				lua_pushvalue(L, -2);
				lua_pushinteger(L, i);
				lua_rawset(L, idx);
			}
		} else if (lua_istable(L, -1)) {
			normalise(L, -1, depth + 1);
		}
		lua_pop(L, 1);
	}
}

static const char *typename_json(lua_State *L, int idx)
{
	switch (lua_type(L, idx)) {
	case LUA_TSTRING: return "string";
	case LUA_TNUMBER: return "number";
	case LUA_TBOOLEAN: return "boolean";
	case LUA_TTABLE: return "object or array";
	case LUA_TNIL: return "missing";
	default: return "null";
	}
}

/* Push t[key]; returns its Lua type (nil when absent or JSON null). */
static int field(lua_State *L, int t, const char *key)
{
	lua_getfield(L, t, key);
	if (lua_type(L, -1) == LUA_TLIGHTUSERDATA) { /* cjson.null */
		lua_pop(L, 1);
		lua_pushnil(L);
	}
	return lua_type(L, -1);
}

/* t[key] as a string, or NULL; nothing left on the stack. The string
 * stays valid while the table holds it. */
static const char *string_member(lua_State *L, int t, const char *key)
{
	if (!lua_istable(L, t))
		return NULL;
	lua_getfield(L, t, key);
	const char *s = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
	lua_pop(L, 1);
	return s;
}

/* Does an entry before index i of the list at t have this "type"? */
static bool type_seen_before(lua_State *L, int t, lua_Integer i, const char *type)
{
	bool seen = false;
	for (lua_Integer j = 1; j < i && !seen; j++) {
		lua_geti(L, t, j);
		const char *other = string_member(L, -1, "type");
		seen = other && !strcmp(other, type);
		lua_pop(L, 1);
	}
	return seen;
}

static bool semver_major_1(const char *s)
{
	unsigned a, b, c;
	int n = 0;
	if (sscanf(s, "%u.%u.%u%n", &a, &b, &c, &n) != 3)
		return false;
	return a == 1 && (s[n] == '\0' || s[n] == '-' || s[n] == '+');
}

static void check_uint32(vctx *v, int t, const char *key, const char *path, bool required)
{
	lua_State *L = v->L;
	int ty = field(L, t, key);
	if (ty == LUA_TNIL) {
		if (required)
			problem(v, path, "required");
	} else if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 0 || lua_tointeger(L, -1) > 4294967295LL) {
		problem(v, path, "must be an integer between 0 and 4294967295");
	}
	lua_pop(L, 1);
}

static void check_process(vctx *v, int spec)
{
	lua_State *L = v->L;
	int ty = field(L, spec, "process");
	int p = lua_gettop(L);
	if (ty == LUA_TNIL) {
		lua_pop(L, 1);
		return;
	}
	if (ty != LUA_TTABLE) {
		problem(v, "process", "must be an object (got %s)", typename_json(L, p));
		lua_pop(L, 1);
		return;
	}
	if (field(L, p, "cwd") != LUA_TSTRING)
		problem(v, "process.cwd", "required string");
	else if (lua_tostring(L, -1)[0] != '/')
		problem(v, "process.cwd", "must be an absolute path (got \"%s\")", lua_tostring(L, -1));
	lua_pop(L, 1);
	if (field(L, p, "args") != LUA_TTABLE || luaL_len(L, -1) < 1)
		problem(v, "process.args", "must be a non-empty array of strings");
	else
		for (lua_Integer i = 1; i <= luaL_len(L, -1); i++) {
			lua_geti(L, -1, i);
			if (lua_type(L, -1) != LUA_TSTRING) {
				char path[64];
				snprintf(path, sizeof path, "process.args[%lld]", (long long)i - 1);
				problem(v, path, "must be a string");
			}
			lua_pop(L, 1);
		}
	lua_pop(L, 1);
	if (field(L, p, "env") == LUA_TTABLE)
		for (lua_Integer i = 1; i <= luaL_len(L, -1); i++) {
			lua_geti(L, -1, i);
			const char *e = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
			if (!e || !strchr(e, '=') || e[0] == '=') {
				char path[64];
				snprintf(path, sizeof path, "process.env[%lld]", (long long)i - 1);
				problem(v, path, "must be a string NAME=value");
			}
			lua_pop(L, 1);
		}
	lua_pop(L, 1);
	if (field(L, p, "user") != LUA_TTABLE) {
		problem(v, "process.user", "required object with uid and gid");
	} else {
		int u = lua_gettop(L);
		check_uint32(v, u, "uid", "process.user.uid", true);
		check_uint32(v, u, "gid", "process.user.gid", true);
	}
	lua_pop(L, 1);
	if (field(L, p, "rlimits") == LUA_TTABLE) {
		int r = lua_gettop(L);
		for (lua_Integer i = 1; i <= luaL_len(L, r); i++) {
			lua_geti(L, r, i);
			char path[64];
			snprintf(path, sizeof path, "process.rlimits[%lld]", (long long)i - 1);
			const char *type = string_member(L, -1, "type");
			if (!type || strncmp(type, "RLIMIT_", 7))
				problem(v, path, "type must be an RLIMIT_* name");
			if (type && type_seen_before(L, r, i, type))
				problem(v, path, "duplicate rlimit type %s", type);
			lua_pop(L, 1);
		}
	}
	lua_pop(L, 2);
}

static void check_root(vctx *v, int spec, char *rootfs, size_t n)
{
	lua_State *L = v->L;
	rootfs[0] = '\0';
	if (field(L, spec, "root") != LUA_TTABLE) {
		problem(v, "root", "required object");
		lua_pop(L, 1);
		return;
	}
	if (field(L, -1, "path") != LUA_TSTRING) {
		problem(v, "root.path", "required string");
	} else {
		const char *rp = lua_tostring(L, -1);
		char joined[PATH_MAX];
		snprintf(joined, sizeof joined, rp[0] == '/' ? "%s" : "%s/%s", rp[0] == '/' ? rp : v->bundle,
			 rp);
		struct stat st;
		if (stat(joined, &st) < 0 || !S_ISDIR(st.st_mode))
			problem(v, "root.path", "must be an existing directory (got \"%s\")", rp);
		else if (!realpath(joined, rootfs))
			rootfs[0] = '\0';
		(void)n;
	}
	lua_pop(L, 2);
}

static void check_hooks(vctx *v, int spec)
{
	lua_State *L = v->L;
	static const char *const kinds[] = {
	    "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop", NULL};
	if (field(L, spec, "hooks") == LUA_TTABLE)
		for (const char *const *k = kinds; *k; k++) {
			if (field(L, -1, *k) == LUA_TTABLE)
				for (lua_Integer i = 1; i <= luaL_len(L, -1); i++) {
					lua_geti(L, -1, i);
					char path[96];
					snprintf(path, sizeof path, "hooks.%s[%lld].path", *k,
						 (long long)i - 1);
					const char *hp = string_member(L, -1, "path");
					if (!hp || hp[0] != '/')
						problem(v, path, "required absolute path");
					if (lua_istable(L, -1)) {
						lua_getfield(L, -1, "timeout");
						if (!lua_isnil(L, -1) &&
						    (!lua_isinteger(L, -1) || lua_tointeger(L, -1) <= 0)) {
							snprintf(path, sizeof path, "hooks.%s[%lld].timeout",
								 *k, (long long)i - 1);
							problem(v, path, "must be an integer > 0");
						}
						lua_pop(L, 1);
					}
					lua_pop(L, 1);
				}
			lua_pop(L, 1);
		}
	lua_pop(L, 1);
}

static void check_mounts_and_namespaces(vctx *v, int spec)
{
	lua_State *L = v->L;
	if (field(L, spec, "mounts") == LUA_TTABLE)
		for (lua_Integer i = 1; i <= luaL_len(L, -1); i++) {
			lua_geti(L, -1, i);
			char path[64];
			snprintf(path, sizeof path, "mounts[%lld].destination", (long long)i - 1);
			if (!string_member(L, -1, "destination"))
				problem(v, path, "required string");
			lua_pop(L, 1);
		}
	lua_pop(L, 1);
	if (field(L, spec, "linux") == LUA_TTABLE && field(L, -1, "namespaces") == LUA_TTABLE) {
		int t = lua_gettop(L);
		static const char *const ok[] = {"pid",	 "network", "mount", "ipc", "uts",
						 "user", "cgroup",  "time",  NULL};
		for (lua_Integer i = 1; i <= luaL_len(L, t); i++) {
			char path[64];
			snprintf(path, sizeof path, "linux.namespaces[%lld].type", (long long)i - 1);
			lua_geti(L, t, i);
			const char *type = string_member(L, -1, "type");
			bool known = false;
			for (const char *const *o = ok; type && *o; o++)
				known |= !strcmp(*o, type);
			if (!known)
				problem(v, path,
					"must be one of pid, network, mount, ipc, uts, user, cgroup, time");
			if (type && type_seen_before(L, t, i, type))
				problem(v, path, "duplicate namespace type %s", type);
			lua_pop(L, 1);
		}
	}
	lua_settop(L, spec);
}

/* linux.resources.hugepageLimits[].pageSize: "<n>KB|MB|GB", a power of two */
static void check_hugepages(vctx *v, int spec)
{
	lua_State *L = v->L;
	if (field(L, spec, "linux") == LUA_TTABLE && field(L, -1, "resources") == LUA_TTABLE &&
	    field(L, -1, "hugepageLimits") == LUA_TTABLE) {
		int t = lua_gettop(L);
		for (lua_Integer i = 1; i <= luaL_len(L, t); i++) {
			lua_geti(L, t, i);
			char path[80];
			snprintf(path, sizeof path, "linux.resources.hugepageLimits[%lld].pageSize",
				 (long long)i - 1);
			const char *size = string_member(L, -1, "pageSize");
			unsigned long long num = 0;
			char unit[4] = "";
			int used = 0;
			bool ok = size && sscanf(size, "%llu%3[KMGB]%n", &num, unit, &used) == 2 &&
				  size[used] == '\0' &&
				  (!strcmp(unit, "KB") || !strcmp(unit, "MB") || !strcmp(unit, "GB")) &&
				  num > 0 && (num & (num - 1)) == 0;
			if (!ok)
				problem(v, path, "must be a power-of-two size like 2MB or 1GB (got \"%s\")",
					size ? size : "");
			lua_pop(L, 1);
		}
	}
	lua_settop(L, spec);
}

static int validate(lua_State *L, int spec, const char *bundle, char *rootfs, size_t n, nx_err *err)
{
	vctx v = {.L = L, .bundle = bundle};
	if (field(L, spec, "ociVersion") != LUA_TSTRING)
		problem(&v, "ociVersion", "required string");
	else if (!semver_major_1(lua_tostring(L, -1)))
		problem(&v, "ociVersion", "must be a SemVer version with major 1 (got \"%s\")",
			lua_tostring(L, -1));
	lua_pop(L, 1);
	check_root(&v, spec, rootfs, n);
	check_process(&v, spec);
	check_hooks(&v, spec);
	check_mounts_and_namespaces(&v, spec);
	check_hugepages(&v, spec);
	if (field(L, spec, "hostname") != LUA_TNIL && lua_type(L, -1) != LUA_TSTRING)
		problem(&v, "hostname", "must be a string");
	lua_pop(L, 1);
	int rc = 0;
	if (v.count)
		rc = nx_err_set(err, "%s", v.problems.data);
	buf_free(&v.problems);
	return rc;
}

int bundle_decode(nx_lua *h, const char *data, size_t len, const char *bundle_dir, char *rootfs, size_t n,
		  nx_err *err)
{
	if (len == 0)
		return nx_err_set(err, "config.json: empty file");
	if (len > CONFIG_MAX)
		return nx_err_set(err, "config.json: file too large (limit %u bytes)", CONFIG_MAX);
	if (check_text(data, len, err) < 0)
		return -1;
	lua_State *L = lua_host_state(h);
	if (lua_host_require(h, "cjson", err) < 0)
		return -1;
	lua_getfield(L, -1, "decode");
	lua_remove(L, -2);
	lua_pushlstring(L, data, len);
	if (lua_host_pcall(h, 1, 1, err) < 0)
		return nx_err_wrap(err, "config.json: not valid JSON");
	/* cjson gives arrays and objects alike as tables: an array has items */
	if (!lua_istable(L, -1) || lua_rawlen(L, -1) > 0) {
		lua_pop(L, 1);
		return nx_err_set(err, "config.json: must be a JSON object");
	}
	normalise(L, -1, 0);
	if (validate(L, lua_gettop(L), bundle_dir, rootfs, n, err) < 0) {
		lua_pop(L, 1);
		return -1;
	}
	return 0;
}

int bundle_load(nx_ctx *ctx, const char *dir, nx_bundle *b, nx_err *err)
{
	memset(b, 0, sizeof *b);
	b->spec_ref = LUA_NOREF;
	char abs[PATH_MAX];
	if (!realpath(dir, abs))
		return nx_err_sys(err, errno, "bundle %s", dir);
	nx_lua *h = ctx_lua(ctx, err);
	if (!h)
		return -1;
	char *cfgpath = fs_join(abs, "config.json"), *data = NULL;
	size_t len;
	int rc = fs_read_file(cfgpath, CONFIG_MAX, &data, &len, err);
	free(cfgpath);
	if (rc < 0)
		return -1;
	char rootfs[PATH_MAX];
	rc = bundle_decode(h, data, len, abs, rootfs, sizeof rootfs, err);
	free(data);
	if (rc < 0)
		return -1;
	lua_State *L = lua_host_state(h);
	lua_getfield(L, -1, "ociVersion");
	b->oci_version = strdup(lua_tostring(L, -1));
	lua_pop(L, 1);
	b->spec_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	b->path = strdup(abs);
	b->rootfs = strdup(rootfs);
	return 0;
}

bool bundle_has_process(nx_ctx *ctx, const nx_bundle *b)
{
	lua_State *L = lua_host_state(ctx->lua);
	lua_rawgeti(L, LUA_REGISTRYINDEX, b->spec_ref);
	lua_getfield(L, -1, "process");
	bool has = lua_istable(L, -1);
	lua_pop(L, 2);
	return has;
}

void bundle_free(nx_ctx *ctx, nx_bundle *b)
{
	if (ctx->lua && b->spec_ref != LUA_NOREF)
		luaL_unref(lua_host_state(ctx->lua), LUA_REGISTRYINDEX, b->spec_ref);
	free(b->path);
	free(b->rootfs);
	free(b->oci_version);
	memset(b, 0, sizeof *b);
}
