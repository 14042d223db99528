/* The embedded Lua interpreter: one lua_State per process, created on first
 * use. Modules are found in one documented order (site dir, installed dir,
 * embedded copy), site files must be root-owned and not group/other
 * writable, every chunk runs in a strict sandbox (_ENV of its own, reading
 * or writing an undeclared global is an error), memory is capped and a
 * call that runs past its time limit is stopped. */
#ifndef NX_LUA_HOST_H
#define NX_LUA_HOST_H

#include <stdbool.h>
#include <stddef.h>

#include <lua.h>

#include "error.h"

typedef struct nx_lua_settings {
	const char *site_dir;	   /* searched first; NULL to skip */
	const char *installed_dir; /* searched second; NULL to skip */
	size_t mem_limit;	   /* bytes; 0: default */
	double time_limit;	   /* seconds per protected call; 0: default */
	bool debug;		   /* tracebacks in error messages */
} nx_lua_settings;

typedef struct nx_lua nx_lua;

/* What Lua code may do to the host (nexcage.run, nexcage.write_file):
 * rules and config.lua are pure; hooks have effects, except in a dry run,
 * where each call is logged (nxlua_dry_run_log) and answered as a
 * success instead of being made. */
typedef enum { NX_LUA_PURE, NX_LUA_EFFECTS, NX_LUA_DRY_RUN } nx_lua_mode;

nx_lua *nxlua_new(const nx_lua_settings *settings, nx_err *err);
void nxlua_free(nx_lua *h);
/* The process ends right after: its memory goes with it, and closing the
 * interpreter would walk every object (a tenth of a translate). No
 * finalizer is lost: the sandbox allows none. Sanitizer builds close it. */
void nxlua_exit(nx_lua *h);
lua_State *nxlua_state(nx_lua *h);
/* Tighten or relax the limits once the site configuration is known. */
void nxlua_set_limits(nx_lua *h, size_t mem_limit, double time_limit);

/* Push the value of module `name` (loading it on first use). */
int nxlua_require(nx_lua *h, const char *name, nx_err *err);
/* Call the function below nargs arguments, protected, with the time limit
 * and a message handler; on error the stack is restored and err names the
 * script's file and line. */
int nxlua_pcall(nx_lua *h, int nargs, int nresults, nx_err *err);
/* Load a site file (config.lua, a hook) as a sandboxed text chunk, read
 * from the descriptor its trust was checked on (trust.h); pushes the chunk. */
int nxlua_load_site_file(nx_lua *h, const char *path, nx_err *err);
void nxlua_set_mode(nx_lua *h, nx_lua_mode mode);
nx_lua_mode nxlua_mode(nx_lua *h);
/* For the nexcage module's functions with side effects, first thing:
 * returns 0 to go ahead, raises in pure mode, or (dry run) logs the call
 * and pushes its stand-in result, returning the number of results. */
int nxlua_effect(lua_State *L, const char *what);
const char *nxlua_dry_run_log(nx_lua *h);
void nxlua_dry_run_reset(nx_lua *h);

/* For the sandbox (lua_sandbox.c): whether the current call is being
 * stopped (time or memory limit); raise that stop again; note that a
 * memory error happened; the memory limit in bytes. */
bool nxlua_stopped(lua_State *L);
void nxlua_raise_if_stopped(lua_State *L);
void nxlua_note_out_of_memory(lua_State *L);
size_t nxlua_memory_limit(lua_State *L);

/* Where a module would be loaded from: a file path, "embedded", or NULL. */
const char *nxlua_module_origin(nx_lua *h, const char *name, char *buf, size_t n);

#endif
