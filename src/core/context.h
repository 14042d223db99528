/* What one invocation carries: the process's options from the command line
 * and the things created on first use (the Lua interpreter, the site
 * configuration). Commands that need neither never pay for them. This is
 * the one place that composes the configuration and the Lua host: the
 * layers below (the bridge, the Lua host, config.c) get C values
 * (nx_lua *, const nx_config *) and never see an nx_ctx. */
#ifndef NX_CONTEXT_H
#define NX_CONTEXT_H

#include <stdbool.h>

#include "site/config.h"
#include "util/error.h"
#include "util/log.h"
#include "luahost/lua_host.h"

#define NX_DEFAULT_ROOT	      "/run/nexcage"
#define NX_DEFAULT_SITE_LUA   "/etc/nexcage/lua"
#define NX_DEFAULT_SITE_HOOKS "/etc/nexcage/hooks"
#define NX_DEFAULT_STATE_DIR  "/var/lib/nexcage"

#include "paths.h" /* generated: NX_INSTALLED_LUA from the make PREFIX */

typedef struct nx_opts {
	const char *root;     /* --root: per-container state (tmpfs, like runc) */
	const char *log_path; /* --log: NULL (stderr), a file, or "journald" */
	nx_log_format log_format;
	bool debug;
	bool systemd_cgroup;	 /* accepted for compatibility: Proxmox owns the cgroups */
	const char *site_lua_dir;	 /* --lua-path / NEXCAGE_LUA_PATH: the site Lua directory */
	const char *config_path; /* --config / NEXCAGE_CONFIG */
	bool config_explicit;	 /* a missing explicit config is an error */
	const char *hooks_path;	 /* NEXCAGE_HOOKS_PATH: site Lua hooks (<phase>.d/) */
	const char *state_dir;	 /* NEXCAGE_STATE_DIR: persistent id <-> VMID mapping; not in
				  * config.lua so `list` can read it without starting Lua */
} nx_opts;

typedef struct nx_ctx {
	const nx_opts *opts;
	nx_lua *lua;
	nx_config config;
	bool config_loaded;
} nx_ctx;

nx_lua *ctx_lua(nx_ctx *ctx, nx_err *err);
/* The site configuration at path (NULL: the default path, which may be
 * absent): defaults, then what config.lua returns (read by the bridge),
 * then the checks across keys. On error the caller frees cfg. */
int ctx_config_load(nx_lua *h, const char *path, bool explicit_path, nx_config *cfg, nx_err *err);
const nx_config *ctx_config(nx_ctx *ctx, nx_err *err);
/* At the end of the process (the interpreter is not closed, see nxlua_exit). */
void ctx_free(nx_ctx *ctx);

#endif
