#define _GNU_SOURCE
#include <lauxlib.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/clock.h"
#include "luahost/lua_host_internal.h"
#include "harness.h"
#include "luahost/lua_host.h"
#include "luahost/lua_sandbox.h"
#include "test_util.h"

static nx_lua *host_for(const char *site, double time_limit, size_t mem)
{
	nx_lua_settings s = {.site_dir = site, .time_limit = time_limit, .mem_limit = mem};
	nx_err err = {0};
	nx_lua *h = nxlua_new(&s, &err);
	if (!h)
		fprintf(stderr, "%s\n", err.msg);
	return h;
}

/* require(name).run() in mode and return its error (or "" on success). */
static const char *run_module_in(nx_lua *h, const char *name, nx_lua_mode mode, nx_buf *log, nx_err *err)
{
	nx_err_clear(err);
	if (nxlua_require(h, name, err) < 0)
		return err->msg;
	lua_State *L = nxlua_state(h);
	lua_getfield(L, -1, "run");
	lua_remove(L, -2);
	if (nxlua_pcall_in(h, mode, log, 0, 1, err) < 0)
		return err->msg;
	lua_pop(L, 1);
	return "";
}

/* The same, pure (as rules and config.lua run). */
static const char *run_module(nx_lua *h, const char *name, nx_err *err)
{
	return run_module_in(h, name, NX_LUA_PURE, NULL, err);
}

TEST(script_site_module_loads_and_strict_globals_fail)
{
	char *dir = tu_tmpdir();
	tu_write(dir, "good.lua", "local M = {}\nfunction M.run() return string.upper('x') end\nreturn M\n",
		 0644);
	tu_write(dir, "typo.lua",
		 "local M = {}\nfunction M.run()\n  return strng.upper('x')\nend\nreturn M\n", 0644);
	tu_write(dir, "setglobal.lua", "local M = {}\nfunction M.run() leaked = 1 end\nreturn M\n", 0644);
	tu_write(dir, "sub/mod.lua", "return { run = function() return os end }\n", 0644);
	nx_lua *h = host_for(dir, 0, 0);
	nx_err err;
	CHECK_STR(run_module(h, "good", &err), "");
	CHECK_CONTAINS(run_module(h, "typo", &err), "typo.lua:3: undefined global 'strng'");
	CHECK_CONTAINS(run_module(h, "setglobal", &err), "assignment to undeclared global 'leaked'");
	/* io and os are not part of the sandbox */
	CHECK_CONTAINS(run_module(h, "sub.mod", &err), "undefined global 'os'");
	CHECK_CONTAINS(run_module(h, "missing", &err), "module 'missing' not found");
	CHECK_CONTAINS(run_module(h, "../etc/passwd", &err), "invalid module name");
	nxlua_free(h);
	tu_rmtree(dir);
	free(dir);
}

TEST(script_untrusted_site_files_are_refused)
{
	char *dir = tu_tmpdir();
	tu_write(dir, "ww.lua", "return { run = function() end }\n", 0666);
	tu_write(dir, "gw.lua", "return { run = function() end }\n", 0664);
	tu_write(dir, "sub/x.lua", "return { run = function() end }\n", 0644);
	char *sub = NULL;
	if (asprintf(&sub, "%s/sub", dir) < 0)
		abort();
	chmod(sub, 0777);
	nx_lua *h = host_for(dir, 0, 0);
	nx_err err;
	CHECK_CONTAINS(run_module(h, "ww", &err),
		       "ww.lua: refusing site file: writable by group or others (mode 0666)");
	CHECK_CONTAINS(run_module(h, "gw", &err),
		       "refusing site file: writable by group or others (mode 0664)");
	CHECK_CONTAINS(run_module(h, "sub.x", &err),
		       "/sub: refusing site file: writable by group or others (mode 0777)");
	nxlua_free(h);
	free(sub);
	tu_rmtree(dir);
	free(dir);
}

TEST(script_time_and_memory_limits_stop_runaway_scripts)
{
	char *dir = tu_tmpdir();
	tu_write(dir, "spin.lua", "return { run = function() while true do end end }\n", 0644);
	tu_write(
	    dir, "hog.lua",
	    "return { run = function() local t = {} for i = 1, 1e9 do t[i] = ('x'):rep(64) .. i end end }\n",
	    0644);
	nx_lua *h = host_for(dir, 0.2, 16u << 20);
	nx_err err;
	CHECK_CONTAINS(run_module(h, "spin", &err), "script ran past its time limit of 0.2s");
	nxlua_set_limits(h, 0, 60); /* sanitizer builds are slow: let memory run out first */
	CHECK_CONTAINS(run_module(h, "hog", &err), "out of memory (limit 16 MiB)");
	/* The host is still usable afterwards. */
	lua_State *L = nxlua_state(h);
	CHECK(lua_gettop(L) == 0);
	nxlua_free(h);
	tu_rmtree(dir);
	free(dir);
}

TEST(script_table_errors_name_the_rule)
{
	char *dir = tu_tmpdir();
	tu_write(dir, "r.lua",
		 "return { run = function() error({ rule = 'hostname', msg = 'bad name' }) end }\n", 0644);
	nx_lua *h = host_for(dir, 0, 0);
	nx_err err;
	CHECK_STR(run_module(h, "r", &err), "rule 'hostname': bad name");
	nxlua_free(h);
	tu_rmtree(dir);
	free(dir);
}

TEST(script_nexcage_module_and_cjson_are_available)
{
	char *dir = tu_tmpdir();
	tu_write(dir, "api.lua",
		 "local nx = require 'nexcage'\nlocal cjson = require 'cjson'\n"
		 "return { run = function()\n"
		 "  assert(type(nx.version) == 'string')\n"
		 "  local r = assert(nx.run({ '/bin/sh', '-c', 'read x; echo got:$x; exit 3' }, { stdin = "
		 "'hi\\n' }))\n"
		 "  assert(r.status == 3 and r.stdout == 'got:hi\\n', r.stdout)\n"
		 "  assert(cjson.decode('{\"a\":[1,2]}').a[2] == 2)\n"
		 "  local ok, msg = nx.read_file('/nonexistent/x')\n"
		 "  assert(ok == nil and msg:find('No such file'))\n"
		 "end }\n",
		 0644);
	nx_lua *h = host_for(dir, 0, 0);
	nx_err err;
	CHECK_STR(run_module_in(h, "api", NX_LUA_EFFECTS, NULL, &err), ""); /* as in a hook */
	nxlua_free(h);
	tu_rmtree(dir);
	free(dir);
}

/* Each way a script could outlast its time limit: it must end, with the
 * time-limit error, within the limit + 1 s (and not before the limit: the
 * limit is what stopped it). */
static void check_stops(bool *nx_failed_, nx_lua *h, const char *module, const char *want, double limit)
{
	nx_err err;
	double t0 = clock_monotonic();
	const char *msg = run_module(h, module, &err);
	double took = clock_monotonic() - t0;
	if (!strstr(msg, want) || took > limit + 1.0 || (strstr(want, "time limit") && took < limit)) {
		fprintf(stderr, "  %s: took %.2fs (limit %.1fs): %s\n", module, took, limit, msg);
		*nx_failed_ = true;
	}
	CHECK(lua_gettop(nxlua_state(h)) == 0);
}

#define SPIN "function() while true do end end"

TEST(script_time_limit_holds_under_pcall_xpcall_and_error_handlers)
{
	char *dir = tu_tmpdir();
	tu_write(dir, "pcall_loop.lua",
		 "return { run = function() while true do pcall(" SPIN ") end end }\n", 0644);
	tu_write(dir, "pcall_nested.lua",
		 "return { run = function() while true do pcall(pcall, pcall, " SPIN ") end end }\n", 0644);
	tu_write(dir, "xpcall_handler.lua",
		 "return { run = function() while true do xpcall(" SPIN ", " SPIN ") end end }\n", 0644);
	tu_write(dir, "xpcall_catch.lua",
		 "return { run = function()\n"
		 "  while true do xpcall(" SPIN ", function(e) return 'caught' end) end end }\n",
		 0644);
	tu_write(dir, "error_handler_loops.lua",
		 "return { run = function() xpcall(error, " SPIN ", 'x') end }\n", 0644);
	tu_write(dir, "close_loops.lua",
		 "return { run = function()\n"
		 "  local x <close> = setmetatable({}, { __close = " SPIN " })\n"
		 "  while true do end end }\n",
		 0644);
	/* a tenth of a second: six spins at the default 1 s made this one
	 * test most of the unit suite's time; what it asserts does not depend
	 * on the limit's size */
	nx_lua *h = host_for(dir, 0.1, 0);
	const char *stop = "script ran past its time limit of 0.1s";
	check_stops(nx_failed_, h, "pcall_loop", stop, 0.1);
	check_stops(nx_failed_, h, "pcall_nested", stop, 0.1);
	check_stops(nx_failed_, h, "xpcall_handler", stop, 0.1);
	check_stops(nx_failed_, h, "xpcall_catch", stop, 0.1);
	check_stops(nx_failed_, h, "error_handler_loops", stop, 0.1);
	check_stops(nx_failed_, h, "close_loops", stop, 0.1);
	/* pcall still catches ordinary errors, with Lua's results */
	tu_write(dir, "ordinary.lua",
		 "return { run = function()\n"
		 "  local ok, e = pcall(error, 'boom', 0) assert(not ok and e == 'boom')\n"
		 "  local a, b, c = pcall(function(x) return x, 2 end, 1) assert(a and b == 1 and c == 2)\n"
		 "  local ok2, e2 = xpcall(error, function(m) return 'h:' .. m end, 'm', 0)\n"
		 "  assert(not ok2 and e2 == 'h:m', e2)\n"
		 "  assert(select('#', xpcall(function() return 1, 2 end, error)) == 3)\n"
		 "end }\n",
		 0644);
	nx_err err;
	CHECK_STR(run_module(h, "ordinary", &err), "");
	nxlua_free(h);
	tu_rmtree(dir);
	free(dir);
}

TEST(script_c_library_calls_cannot_outlast_the_time_limit)
{
	char *dir = tu_tmpdir();
	/* Backtracking in C: no instruction hook runs inside the matcher. */
	tu_write(dir, "find.lua",
		 "return { run = function() return ('a'):rep(28):find(('a*'):rep(28) .. 'b') end }\n", 0644);
	tu_write(dir, "match.lua",
		 "return { run = function() return string.match(('a'):rep(40), ('a-'):rep(20) .. 'b') end }\n",
		 0644);
	tu_write(dir, "gmatch.lua",
		 "return { run = function() for x in ('a'):rep(5000):gmatch('a*a*a*b') do end end }\n", 0644);
	tu_write(dir, "gsub.lua",
		 "return { run = function() return (('a'):rep(30)):gsub(('(a?)'):rep(30) .. ('a'):rep(30) "
		 ".. 'b', '') end }\n",
		 0644);
	tu_write(dir, "balanced.lua",
		 "return { run = function() return (('('):rep(20000)):find('%b()%b()') end }\n", 0644);
	/* The sysctl key pattern the rules used to have: quadratic. */
	tu_write(dir, "sysctl_key.lua",
		 "return { run = function() return (('a'):rep(80000) .. '!'):match('^[%w_%-]+[%w_%.%-/]*$') "
		 "end }\n",
		 0644);
	tu_write(dir, "rep.lua",
		 "return { run = function() assert((''):rep(1e15) == '' and ('x'):rep(3, '') == 'xxx') end }\n",
		 0644);
	tu_write(dir, "move.lua", "return { run = function() table.move({}, 1, 1e15, 2) end }\n", 0644);
	tu_write(dir, "insert.lua",
		 "return { run = function()\n"
		 "  local t = setmetatable({}, { __len = function() return 1e15 end })\n"
		 "  table.insert(t, 1, 'x') end }\n",
		 0644);
	/* what the rules do stays allowed */
	tu_write(dir, "fine.lua",
		 "return { run = function()\n"
		 "  local long = ('a'):rep(100000)\n"
		 "  assert(long:find('%c') == nil and long:match('^[%w_%-][%w_%.%-/]*$'))\n"
		 "  local n = 0 for w in (long .. ' b c'):gmatch('[^%s]+') do n = n + 1 end assert(n == 3)\n"
		 "  assert(('x'):rep(5000):gsub('/+', '/') and ('//a'):gsub('/+', '/') == '/a')\n"
		 "  assert(long:find('aaa', 1, true) == 1)\n"
		 "  local t = {1, 2, 3} table.insert(t, 4) table.remove(t, 1)\n"
		 "  assert(table.concat(table.move(t, 1, 3, 2), ',') == '2,2,3,4')\n"
		 "end }\n",
		 0644);
	nx_lua *h = host_for(dir, 1.0, 0);
	const char *costly = "pattern too costly";
	check_stops(nx_failed_, h, "find", costly, 1.0);
	check_stops(nx_failed_, h, "match", costly, 1.0);
	check_stops(nx_failed_, h, "gmatch", costly, 1.0);
	check_stops(nx_failed_, h, "gsub", costly, 1.0);
	check_stops(nx_failed_, h, "balanced", costly, 1.0);
	check_stops(nx_failed_, h, "sysctl_key", costly, 1.0);
	check_stops(nx_failed_, h, "move", "too many elements", 1.0);
	check_stops(nx_failed_, h, "insert", "out of range", 1.0);
	nx_err err;
	CHECK_STR(run_module(h, "rep", &err), "");
	CHECK_STR(run_module(h, "fine", &err), "");
	nxlua_free(h);
	tu_rmtree(dir);
	free(dir);
}

TEST(script_pattern_cost_bounds_the_backtracking)
{
	/* one start, one scan */
	CHECK(sandbox_pattern_cost("^[%w_%-][%w_%.%-/]*$", 20, 80000, true, false) < 1e6);
	/* two quantifiers where the second can fail: quadratic */
	CHECK(sandbox_pattern_cost("^[%w_%-]+[%w_%.%-/]*$", 21, 80000, true, false) > NX_PATTERN_BUDGET);
	/* a trailing quantifier is never backtracked into */
	CHECK(sandbox_pattern_cost("[^\n]+", 5, 1000000, false, false) < 1e7);
	CHECK(sandbox_pattern_cost("a*b", 3, 20000, false, false) > NX_PATTERN_BUDGET);
	CHECK(sandbox_pattern_cost("a*b", 3, 2000, false, false) < NX_PATTERN_BUDGET);
	/* gmatch does not anchor */
	CHECK(sandbox_pattern_cost("^a*b", 4, 20000, false, false) > NX_PATTERN_BUDGET);
	CHECK(sandbox_pattern_cost("^a*b", 4, 20000, true, false) < 1e6);
	CHECK(sandbox_pattern_cost("[]*]*x", 6, 20000, false, false) > NX_PATTERN_BUDGET);
	CHECK(sandbox_pattern_cost("abc", 3, 1000, false, true) < 1e5);
}

TEST(script_memory_limit_cannot_be_caught)
{
	char *dir = tu_tmpdir();
	tu_write(dir, "hog_in_pcall.lua",
		 "return { run = function()\n"
		 "  while true do pcall(function() local t = {} for i = 1, 1e9 do t[i] = ('x'):rep(64) .. i end "
		 "end) end end }\n",
		 0644);
	nx_lua *h = host_for(dir, 30, 16u << 20);
	nx_err err;
	double t0 = clock_monotonic();
	CHECK_CONTAINS(run_module(h, "hog_in_pcall", &err), "out of memory (limit 16 MiB)");
	CHECK(clock_monotonic() - t0 < 20);
	nxlua_free(h);
	tu_rmtree(dir);
	free(dir);
}

TEST(script_finalizers_are_refused)
{
	char *dir = tu_tmpdir();
	tu_write(dir, "gc.lua",
		 "return { run = function() setmetatable({}, { __gc = " SPIN " }) end }\n", 0644);
	nx_lua *h = host_for(dir, 1.0, 0);
	nx_err err;
	CHECK_CONTAINS(run_module(h, "gc", &err), "__gc is not allowed");
	double t0 = clock_monotonic();
	nxlua_free(h); /* close runs no finalizer */
	CHECK(clock_monotonic() - t0 < 1.0);
	tu_rmtree(dir);
	free(dir);
}

TEST(script_library_tables_are_read_only_and_not_shared)
{
	char *dir = tu_tmpdir();
	tu_write(dir, "a.lua",
		 "return { run = function()\n"
		 "  assert(not pcall(function() string.upper = function() return 'evil' end end))\n"
		 "  assert(not pcall(rawset, string, 'upper', function() return 'evil' end))\n"
		 "  assert(not pcall(rawset, table, 'concat', error))\n"
		 "  assert(not pcall(setmetatable, math, {}))\n"
		 "  assert(getmetatable('') == 'string')\n"
		 "  assert(getmetatable(string) == 'read-only')\n"
		 "  local n = 0 for k, v in pairs(string) do n = n + 1 assert(type(v) == 'function') end\n"
		 "  assert(n > 10)\n"
		 "  string.upper = nil\n"
		 "end }\n",
		 0644);
	tu_write(dir, "b.lua",
		 "return { run = function() assert(('x'):upper() == 'X' and string.upper('y') == 'Y') end }\n",
		 0644);
	nx_lua *h = host_for(dir, 0, 0);
	nx_err err;
	CHECK_CONTAINS(run_module(h, "a", &err), "attempt to change read-only table (field 'upper')");
	CHECK_STR(run_module(h, "b", &err), "");
	nxlua_free(h);
	tu_rmtree(dir);
	free(dir);
}

TEST(script_rules_are_pure_and_a_dry_run_only_logs)
{
	char *dir = tu_tmpdir();
	char *target = NULL;
	if (asprintf(&target, "%s/written", dir) < 0)
		abort();
	char src[2048];
	snprintf(src, sizeof src,
		 "local nx = require 'nexcage'\n"
		 "return { run = function()\n"
		 "  local r = assert(nx.run({ '/bin/sh', '-c', 'touch %s.ran' }, {}))\n"
		 "  assert(nx.write_file('%s', 'x'))\n"
		 "  return r.dry_run\n"
		 "end }\n",
		 target, target);
	tu_write(dir, "effects.lua", src, 0644);
	nx_lua *h = host_for(dir, 0, 0);
	nx_err err;
	CHECK_CONTAINS(run_module(h, "effects", &err), "nexcage.run: not allowed here");
	nx_buf log = {0};
	CHECK_STR(run_module_in(h, "effects", NX_LUA_DRY_RUN, &log, &err), "");
	char ran[4200];
	snprintf(ran, sizeof ran, "%s.ran", target);
	CHECK(access(target, F_OK) < 0 && access(ran, F_OK) < 0);
	CHECK_CONTAINS(log.data, "nexcage.run /bin/sh -c touch");
	CHECK_CONTAINS(log.data, "nexcage.write_file ");
	buf_free(&log);
	/* the mode was the call's: the host is pure again after it */
	tu_write(dir, "writes.lua",
		 "local nx = require 'nexcage'\nreturn { run = function() nx.write_file('/tmp/x', '') end }\n",
		 0644);
	CHECK_CONTAINS(run_module(h, "writes", &err), "nexcage.write_file: not allowed here");
	nxlua_free(h);
	free(target);
	tu_rmtree(dir);
	free(dir);
}

/* Errors cross from Lua with their kind, set where the host sees them;
 * no caller has to read a message to tell a limit from a script's own
 * error, even when the script catches the stop and raises another. */
TEST(script_errors_cross_with_their_kind)
{
	char *dir = tu_tmpdir();
	tu_write(dir, "raises.lua", "return { run = function() error('ran past its time limit, says the script') end }\n",
		 0644);
	tu_write(dir, "broken.lua", "return { run = function() end\n", 0644);
	tu_write(dir, "spin.lua",
		 "return { run = function() pcall(function() while true do end end) error('mine') end }\n", 0644);
	tu_write(dir, "hog.lua", "return { run = function() local t = {} for i = 1, 1e9 do t[i] = ('x'):rep(64) .. i end end }\n",
		 0644);
	nx_lua *h = host_for(dir, 0.05, 16u << 20);
	nx_err err;
	run_module(h, "raises", &err);
	CHECK(err.kind == NX_ERR_LUA_RUNTIME);
	char path[4200];
	snprintf(path, sizeof path, "%s/broken.lua", dir);
	nx_err_clear(&err);
	CHECK(nxlua_load_site_file(h, path, &err) < 0);
	CHECK(err.kind == NX_ERR_LUA_SYNTAX);
	CHECK_CONTAINS(run_module(h, "spin", &err), "time limit");
	CHECK(err.kind == NX_ERR_LUA_LIMIT);
	CHECK_STR(err.detail, "time");
	nxlua_set_limits(h, 0, 60);
	run_module(h, "hog", &err);
	CHECK(err.kind == NX_ERR_LUA_LIMIT);
	CHECK_STR(err.detail, "memory");
	CHECK(lua_gettop(nxlua_state(h)) == 0);
	nxlua_free(h);
	tu_rmtree(dir);
	free(dir);
}
