/* Site lifecycle hooks in Lua: /etc/nexcage/hooks/<phase>.d/NAME.lua, run in
 * name order. Each file returns a function that receives the hook context
 * (phase, id, vmid, bundle, spec, plan or state); it may log, run programs
 * through the nexcage module, add tags (pre-create), or raise an error,
 * which aborts the operation (and rolls a create back). */
#ifndef NX_LUA_HOOKS_H
#define NX_LUA_HOOKS_H

#include "buf.h"
#include "config.h"
#include "error.h"
#include "lua_host.h"
#include "plan.h"
#include "state.h"

typedef struct bridge_spec bridge_spec;

typedef struct site_hook_ctx {
	const char *phase;
	const char *id;
	long vmid; /* -1 when not known yet */
	const char *bundle;
	const bridge_spec *spec; /* NULL when not loaded */
	const nx_plan *plan;   /* pre-create: the validated plan (read-only view) */
	const nx_state *state; /* post-create and later */
	const char *status;
	char **tags_out; /* pre-create: tags the hooks added, ";"-joined (malloc'ed) */
	/* A dry run: the hooks' nexcage.run and write_file calls are listed
	 * here, one line each, and answered as successes, not made. NULL: the
	 * hooks have their effects. */
	nx_buf *dry_run_log;
} site_hook_ctx;

/* Run the phase's hooks from <hooks_dir>/<phase>.d, with cfg as their
 * ctx.config; the first error stops and names file and line. */
int site_hooks_run(nx_lua *h, const nx_config *cfg, const char *hooks_dir, site_hook_ctx *hc, nx_err *err);
/* Whether any hook file exists for a phase (so phases with none cost no Lua). */
bool site_hooks_present(const char *hooks_dir, const char *phase);

#endif
