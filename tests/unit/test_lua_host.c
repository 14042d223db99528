#define _GNU_SOURCE
#include <lauxlib.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "harness.h"
#include "lua_host.h"
#include "test_util.h"

static nx_lua *host_for(const char *site, double time_limit, size_t mem)
{
	nx_lua_settings s = {.site_dir = site, .time_limit = time_limit, .mem_limit = mem};
	nx_err err = {0};
	nx_lua *h = lua_host_new(&s, &err);
	if (!h)
		fprintf(stderr, "%s\n", err.msg);
	return h;
}

/* require(name).run() and return its error (or "" on success). */
static const char *run_module(nx_lua *h, const char *name, nx_err *err)
{
	nx_err_clear(err);
	if (lua_host_require(h, name, err) < 0)
		return err->msg;
	lua_State *L = lua_host_state(h);
	lua_getfield(L, -1, "run");
	lua_remove(L, -2);
	if (lua_host_pcall(h, 0, 1, err) < 0)
		return err->msg;
	lua_pop(L, 1);
	return "";
}

TEST(lua_site_module_loads_and_strict_globals_fail)
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
	lua_host_free(h);
	tu_rmtree(dir);
	free(dir);
}

TEST(lua_untrusted_site_files_are_refused)
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
	lua_host_free(h);
	free(sub);
	tu_rmtree(dir);
	free(dir);
}

TEST(lua_time_and_memory_limits_stop_runaway_scripts)
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
	lua_host_set_limits(h, 0, 60); /* sanitizer builds are slow: let memory run out first */
	CHECK_CONTAINS(run_module(h, "hog", &err), "out of memory (limit 16 MiB)");
	/* The host is still usable afterwards. */
	lua_State *L = lua_host_state(h);
	CHECK(lua_gettop(L) == 0);
	lua_host_free(h);
	tu_rmtree(dir);
	free(dir);
}

TEST(lua_table_errors_name_the_rule)
{
	char *dir = tu_tmpdir();
	tu_write(dir, "r.lua",
		 "return { run = function() error({ rule = 'hostname', msg = 'bad name' }) end }\n", 0644);
	nx_lua *h = host_for(dir, 0, 0);
	nx_err err;
	CHECK_STR(run_module(h, "r", &err), "rule 'hostname': bad name");
	lua_host_free(h);
	tu_rmtree(dir);
	free(dir);
}

TEST(lua_nexcage_module_and_cjson_are_available)
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
	CHECK_STR(run_module(h, "api", &err), "");
	lua_host_free(h);
	tu_rmtree(dir);
	free(dir);
}
