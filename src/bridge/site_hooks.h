/* Site lifecycle hooks in Lua: <hooks path>/<phase>.d/NAME.lua
 * (NEXCAGE_HOOKS_PATH, default /etc/nexcage/hooks; the directory must pass
 * the trust check), run in name order. Phases: pre-translate and pre-create
 * (inside plan_build, so translate runs them too, as a dry run), post-create,
 * pre-start, post-start, pre-delete, post-delete. Each file returns a
 * function (or a table with `run`) that receives the hook context: phase,
 * id, vmid (once known), bundle, config, and, by phase, spec (the plan
 * build's working copy: a pre-translate hook's edits reach the rules), plan
 * (pre-create: options and lxc, a copy) or state (post-create and later),
 * plus tags/add_tag. A hook may log, run programs and write files through
 * the nexcage module (logged instead of made in a dry run), add tags
 * (pre-create: appended to the plan's), or raise an error, which fails the
 * operation: a create rolls back, a failing post-start stops the
 * container; a post-delete error only warns (everything is gone by then). */
#ifndef NX_LUA_HOOKS_H
#define NX_LUA_HOOKS_H

#include "util/buf.h"
#include "site/config.h"
#include "util/error.h"
#include "luahost/lua_host.h"
#include "plan/plan.h"
#include "oci/state.h"

typedef struct bridge_spec bridge_spec;

typedef struct site_hook_ctx {
	const char *phase;
	const char *id;
	long vmid; /* -1 when not known yet */
	const char *bundle;
	const bridge_spec *spec; /* NULL: the context has no spec (start, delete) */
	const nx_plan *plan;	 /* pre-create: the validated plan, pushed as a copy */
	const nx_state *state;	 /* post-create and later */
	const char *status;	 /* the state's status, as the hooks see it */
	char **tags_out; /* pre-create: tags the hooks added, ";"-joined (malloc'ed) */
	/* A dry run: the hooks' nexcage.run and write_file calls are listed
	 * here, one line each, and answered as successes, not made. NULL: the
	 * hooks have their effects. */
	nx_buf *dry_run_log;
} site_hook_ctx;

/* Run the phase's hooks from <hooks_dir>/<phase>.d (none: nothing, no
 * Lua), with cfg as their ctx.config; the first error stops the rest and
 * names file and line. */
int site_hooks_run(nx_lua *h, const nx_config *cfg, const char *hooks_dir, site_hook_ctx *hc, nx_err *err);
/* Whether any hook file exists for a phase (so phases with none cost no Lua). */
bool site_hooks_present(const char *hooks_dir, const char *phase);

#endif
