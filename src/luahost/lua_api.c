#define _GNU_SOURCE
#include "luahost/lua_api.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <lauxlib.h>

#include "util/fsutil.h"
#include "util/log.h"
#include "luahost/lua_host_internal.h"
#include "util/spawn.h"
#include "util/version.h"

#define READ_FILE_DEFAULT_MAX (1u << 20)
#define RUN_MAX_ARGS	      4096

/* nexcage.log(level, message): level is "debug", "info", "warn" or "error". */
static int l_log(lua_State *L)
{
	static const char *const levels[] = {"debug", "info", "warn", "error", NULL};
	int level = luaL_checkoption(L, 1, NULL, levels);
	const char *msg = luaL_checkstring(L, 2);
	nx_log((nx_log_level)level, "%s", msg);
	return 0;
}

/* nexcage.read_file(path [, max_bytes]) -> content | nil, message */
static int l_read_file(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	lua_Integer max = luaL_optinteger(L, 2, READ_FILE_DEFAULT_MAX);
	luaL_argcheck(L, max > 0 && max <= (64 << 20), 2, "must be between 1 and 64 MiB");
	char *data = NULL;
	size_t len = 0;
	nx_err err = {0};
	if (fs_read_file(path, (size_t)max, &data, &len, &err) < 0) {
		lua_pushnil(L);
		lua_pushstring(L, err.msg);
		return 2;
	}
	lua_pushlstring(L, data, len);
	free(data);
	return 1;
}

/* nexcage.write_file(path, content [, mode]) -> true | nil, message
 * Atomic (temp file, fsync, rename): a reader never sees half a file. */
static int l_write_file(lua_State *L)
{
	int dry = nxlua_effect(L, "nexcage.write_file");
	if (dry)
		return dry;
	const char *path = luaL_checkstring(L, 1);
	size_t len;
	const char *data = luaL_checklstring(L, 2, &len);
	lua_Integer mode = luaL_optinteger(L, 3, 0644);
	luaL_argcheck(L, mode >= 0 && mode <= 07777, 3, "must be a file mode");
	nx_err err = {0};
	if (fs_write_atomic(path, data, len, (mode_t)mode, &err) < 0) {
		lua_pushnil(L);
		lua_pushstring(L, err.msg);
		return 2;
	}
	lua_pushboolean(L, 1);
	return 1;
}

/* Collect a Lua array of strings into a NULL-terminated vector, anchored
 * as a userdata on the stack so a raise in between frees nothing by hand. */
static char **string_vector(lua_State *L, int idx, const char *what)
{
	luaL_checktype(L, idx, LUA_TTABLE);
	lua_Integer n = luaL_len(L, idx);
	if (n < 0 || n > RUN_MAX_ARGS)
		luaL_error(L, "%s: too many entries", what);
	char **v = lua_newuserdatauv(L, sizeof(char *) * (size_t)(n + 1), 0);
	for (lua_Integer i = 1; i <= n; i++) {
		lua_geti(L, idx, i);
		if (lua_type(L, -1) != LUA_TSTRING)
			luaL_error(L, "%s[%d]: expected a string", what, (int)i);
		size_t len;
		const char *s = lua_tolstring(L, -1, &len);
		if (strlen(s) != len)
			luaL_error(L, "%s[%d]: contains a NUL byte", what, (int)i);
		/* The string stays alive: it is referenced from the table. */
		v[i - 1] = (char *)s;
		lua_pop(L, 1);
	}
	v[n] = NULL;
	return v;
}

/* nexcage.run(argv [, {stdin=, timeout=, env=, cwd=}]) ->
 *   {status=, stdout=, stderr=, timed_out=} | nil, message */
static int l_run(lua_State *L)
{
	/* Slot 2 is the options (nil when omitted): the vectors built below
	 * go above it, never into it. */
	lua_settop(L, 2);
	int dry = nxlua_effect(L, "nexcage.run");
	if (dry)
		return dry;
	char **argv = string_vector(L, 1, "argv");
	luaL_argcheck(L, argv[0] != NULL, 1, "argv is empty");
	spawn_req req = {.argv = argv, .timeout = 30};
	if (!lua_isnoneornil(L, 2)) {
		luaL_checktype(L, 2, LUA_TTABLE);
		lua_getfield(L, 2, "stdin");
		if (!lua_isnil(L, -1))
			req.stdin_data = luaL_checklstring(L, -1, &req.stdin_len);
		lua_getfield(L, 2, "timeout");
		if (!lua_isnil(L, -1))
			req.timeout = luaL_checknumber(L, -1);
		lua_getfield(L, 2, "cwd");
		if (!lua_isnil(L, -1))
			req.cwd = luaL_checkstring(L, -1);
		lua_getfield(L, 2, "env");
		if (!lua_isnil(L, -1))
			req.envp = string_vector(L, lua_gettop(L), "env");
		/* The option values stay on the stack until we return. */
	}
	spawn_result res;
	nx_err err = {0};
	if (spawn_run(&req, &res, &err) < 0) {
		lua_pushnil(L);
		lua_pushstring(L, err.msg);
		return 2;
	}
	lua_createtable(L, 0, 4);
	lua_pushinteger(L, res.exit_code);
	lua_setfield(L, -2, "status");
	lua_pushlstring(L, res.out, res.out_len);
	lua_setfield(L, -2, "stdout");
	lua_pushlstring(L, res.err, res.err_len);
	lua_setfield(L, -2, "stderr");
	lua_pushboolean(L, res.timed_out);
	lua_setfield(L, -2, "timed_out");
	spawn_result_free(&res);
	return 1;
}

/* nexcage.time() -> seconds since the epoch (float) */
static int l_time(lua_State *L)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	lua_pushnumber(L, (lua_Number)ts.tv_sec + (lua_Number)ts.tv_nsec / 1e9);
	return 1;
}

/* nexcage.stat(path) -> "file" | "directory" | "char" | "block" | "fifo" |
 * "socket" | nil, message. Follows symbolic links, as a bind mount of the
 * path would: the rules mount a file where Proxmox wants a directory. */
static int l_stat(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	struct stat st;
	if (stat(path, &st) < 0) {
		lua_pushnil(L);
		lua_pushfstring(L, "%s: %s", path, strerror(errno));
		return 2;
	}
	const char *type = S_ISDIR(st.st_mode)	   ? "directory"
			   : S_ISREG(st.st_mode)   ? "file"
			   : S_ISCHR(st.st_mode)   ? "char"
			   : S_ISBLK(st.st_mode)   ? "block"
			   : S_ISFIFO(st.st_mode)  ? "fifo"
			   : S_ISSOCK(st.st_mode) ? "socket"
						   : "other";
	lua_pushstring(L, type);
	return 1;
}

int luaopen_nexcage(lua_State *L)
{
	static const luaL_Reg funcs[] = {
	    {"log", l_log}, {"read_file", l_read_file}, {"write_file", l_write_file},
	    {"run", l_run}, {"time", l_time},		{"stat", l_stat},
	    {NULL, NULL},
	};
	luaL_newlib(L, funcs);
	lua_pushstring(L, NX_VERSION);
	lua_setfield(L, -2, "version");
	return 1;
}
