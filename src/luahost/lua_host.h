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

#include "util/error.h"

typedef struct nx_lua_settings {
	const char *site_dir;	   /* searched first; NULL to skip */
	const char *installed_dir; /* searched second; NULL to skip */
	size_t mem_limit;	   /* bytes; 0: default */
	double time_limit;	   /* seconds per protected call; 0: default */
	bool debug;		   /* tracebacks in error messages */
} nx_lua_settings;

typedef struct nx_lua nx_lua;

nx_lua *nxlua_new(const nx_lua_settings *settings, nx_err *err);
void nxlua_free(nx_lua *h);
/* The process ends right after: its memory goes with it, and closing the
 * interpreter would walk every object (a tenth of a translate). No
 * finalizer is lost: the sandbox allows none. Sanitizer builds close it. */
void nxlua_exit(nx_lua *h);
/* Tighten or relax the limits once the site configuration is known. */
void nxlua_set_limits(nx_lua *h, size_t mem_limit, double time_limit);
/* Where a module would be loaded from: a file path, "embedded", or NULL. */
const char *nxlua_module_origin(nx_lua *h, const char *name, char *buf, size_t n);
/* The Lua release nexcage embeds ("Lua 5.4.4"). */
const char *nxlua_release(void);

#endif
