/* The Lua host's stack-level interface, for the bridge (lua_bridge*.c)
 * and the host's own files (lua_host.c, lua_sandbox.c, lua_api.c) only:
 * the core sees lua_host.h, which has no Lua type. */
#ifndef NX_LUA_HOST_INTERNAL_H
#define NX_LUA_HOST_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <lua.h>

#include "util/buf.h"
#include "util/error.h"
#include "luahost/lua_host.h"

/* What Lua code may do to the host (nexcage.run, nexcage.write_file):
 * rules and config.lua are pure; hooks have effects, except in a dry run,
 * where each call is listed and answered as a success instead of being
 * made. A mode belongs to one call (nxlua_pcall_in); outside every call
 * the host is pure. */
typedef enum { NX_LUA_PURE, NX_LUA_EFFECTS, NX_LUA_DRY_RUN } nx_lua_mode;

lua_State *nxlua_state(nx_lua *h);

/* Push the value of module `name` (loading it on first use). */
int nxlua_require(nx_lua *h, const char *name, nx_err *err);
/* Call the function below nargs arguments, protected, with the time limit
 * and a message handler; on error the stack is restored and err names the
 * script's file and line. */
int nxlua_pcall(nx_lua *h, int nargs, int nresults, nx_err *err);
/* nxlua_pcall with mode in force for the call and every call it makes,
 * the caller's mode back on every path. In NX_LUA_DRY_RUN each call with
 * side effects appends a line to dry_run_log (which may be NULL in the
 * other modes). Plain nxlua_pcall keeps the mode it is called in. */
int nxlua_pcall_in(nx_lua *h, nx_lua_mode mode, nx_buf *dry_run_log, int nargs, int nresults,
		   nx_err *err);
/* Load a site file (config.lua, a hook) as a sandboxed text chunk, read
 * from the descriptor its trust was checked on (trust.h); pushes the chunk. */
int nxlua_load_site_file(nx_lua *h, const char *path, nx_err *err);
/* For the nexcage module's functions with side effects, first thing:
 * returns 0 to go ahead, raises in pure mode, or (dry run) logs the call
 * and pushes its stand-in result, returning the number of results. */
int nxlua_effect(lua_State *L, const char *what);

/* For the sandbox (lua_sandbox.c): whether the current call is being
 * stopped (time or memory limit); raise that stop again; note that a
 * memory error happened; the memory limit in bytes. */
bool nxlua_stopped(lua_State *L);
void nxlua_raise_if_stopped(lua_State *L);
void nxlua_note_out_of_memory(lua_State *L);
size_t nxlua_memory_limit(lua_State *L);

#endif
