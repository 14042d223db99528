/* The Lua host's stack-level interface, for the bridge (lua_bridge*.c)
 * and the host's own files (lua_host.c, lua_sandbox.c, lua_api.c) only:
 * the core sees lua_host.h, which has no Lua type. */
#ifndef NX_LUA_HOST_INTERNAL_H
#define NX_LUA_HOST_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <lua.h>

#include "error.h"
#include "lua_host.h"

lua_State *nxlua_state(nx_lua *h);

/* Push the value of module `name` (loading it on first use). */
int nxlua_require(nx_lua *h, const char *name, nx_err *err);
/* Call the function below nargs arguments, protected, with the time limit
 * and a message handler; on error the stack is restored and err names the
 * script's file and line. */
int nxlua_pcall(nx_lua *h, int nargs, int nresults, nx_err *err);
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
