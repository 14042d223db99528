/* The crossings from the core into the Lua rules, with C values in and
 * out: the plan for create/translate, the resources plan for update, and a
 * private copy of the validated spec for hooks and rules. The Lua stack is
 * not visible to callers; every conversion of a Lua value into C runs
 * inside the protected call, under the time and memory limits. */
#ifndef NX_LUA_BRIDGE_H
#define NX_LUA_BRIDGE_H

#include "context.h"
#include "error.h"
#include "plan.h"
#include "translate.h"

/* Which rule, from which file, set each value of a plan (translate shows
 * them). Entries are malloc'ed "rule (file)" strings. */
typedef struct plan_origins {
	nx_kv *options; /* key: option name */
	size_t n_options;
	char **lxc; /* one per raw entry, in plan order (NULL when unknown) */
	size_t n_lxc;
} plan_origins;
void plan_origins_free(plan_origins *o);

/* What the core reads from the validated spec after the hooks and rules
 * ran (the OCI hooks it will run, the annotations it records) is frozen:
 * bridge_spec_freeze copies spec.hooks and spec.annotations aside,
 * bridge_spec_thaw puts those copies back, whatever Lua did meanwhile. */
int bridge_spec_freeze(nx_ctx *ctx, int spec_ref, int *frozen_ref, nx_err *err);
int bridge_spec_thaw(nx_ctx *ctx, int spec_ref, int frozen_ref, nx_err *err);
void bridge_unref(nx_ctx *ctx, int ref);

/* translate(spec, ctx) through the rules (pure: no programs, no writes),
 * the result validated into plan; origins may be NULL. */
int bridge_translate(nx_ctx *ctx, const translate_input *in, nx_plan *plan, plan_origins *origins,
		     nx_err *err);

/* The pct options an update sets: linux.resources (JSON text) through the
 * site's "resources" rule; only the fields given lead to an option, and a
 * negative or absurd limit is an error. */
int bridge_update_plan(nx_ctx *ctx, const char *resources_json, nx_plan *plan, nx_err *err);

/* vmid.choose{id, min, max, attempt, used = {[vmid] = true}, annotations}
 * (annotations: a copy of the spec's); the answer must be an integer. */
typedef struct vmid_choice {
	const char *id;
	long min, max;
	int attempt;
	const long *used;
	size_t n_used;
	int spec_ref; /* LUA_NOREF: no annotations */
} vmid_choice;
int bridge_vmid_choose(nx_lua *h, const vmid_choice *c, long *out, nx_err *err);

#endif
