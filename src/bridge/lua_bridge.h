/* The crossings from the core into Lua, with C values in and out (the
 * core hands down the Lua host and the loaded configuration; nothing here
 * reaches back up for them):
 * config.json decoded and validated (lua_bridge_spec.c), config.lua
 * (lua_bridge_config.c), the plan for create/translate, the resources
 * plan for update, the VMID choice (lua_bridge.c), the site hooks
 * (lua_bridge_hooks.c, site_hooks.h). The Lua stack is
 * not visible to callers; every conversion of a Lua value into C runs
 * inside the protected call, under the time and memory limits. */
#ifndef NX_LUA_BRIDGE_H
#define NX_LUA_BRIDGE_H

#include "site/config.h"
#include "util/error.h"
#include "luahost/lua_host.h"
#include "plan/plan.h"

/* Which rule, from which file, set each value of a plan (translate shows
 * them). Entries are malloc'ed "rule (file)" strings. */
typedef struct plan_origins {
	nx_kv *options; /* key: option name */
	size_t n_options;
	char **lxc; /* one per raw entry, in plan order (NULL when unknown) */
	size_t n_lxc;
} plan_origins;
void plan_origins_free(plan_origins *o);

/* The validated spec as Lua sees it (the table the rules and hooks get),
 * held by the core only through this handle. */
typedef struct bridge_spec bridge_spec;
struct nx_bundle;
struct spec_report;

/* Decode config.json text (bundle_load.c checked it as text), normalise and
 * validate it, and copy the core's facts into b (oci_version, rootfs,
 * has_process, annotations, hooks_json) and the handle into b->spec;
 * b->path must be set. Problems go to report (then b->spec stays NULL);
 * text the decoder rejects fails with kind NX_ERR_NOT_JSON (the message
 * is the decoder's, for people; where the text goes wrong is bundle_load.c's
 * to find). On any outcome the caller frees what b holds. */
int bridge_spec_decode(nx_lua *h, const char *data, size_t len, struct nx_bundle *b,
		       struct spec_report *report, nx_err *err);
/* A deep copy: create and translate give theirs to the pre-translate
 * hooks, the rules and the pre-create hooks, so their edits reach each
 * other and never the validated spec. */
int bridge_spec_copy(const bridge_spec *s, bridge_spec **out, nx_err *err);
void bridge_spec_free(bridge_spec *s);

/* config.lua at path, run as a site file (pure): the keys of the table
 * it returns as C values, in the order Lua gave them (*out, *n: the
 * caller frees them with config_entries_free, on error too). The schema
 * is the core's (config_apply); nothing here sets a configuration. */
int bridge_config_read(nx_lua *h, const char *path, config_entry **out, size_t *n, nx_err *err);

/* translate(spec, ctx) through the rules (pure: no programs, no writes),
 * with cfg as ctx.config, the result validated into plan; origins may be
 * NULL. */
int bridge_translate(nx_lua *h, const nx_config *cfg, const translate_input *in, nx_plan *plan,
		     plan_origins *origins, nx_err *err);

/* The pct options an update sets: linux.resources (JSON text) through the
 * site's "resources" rule; only the fields given lead to an option, and a
 * negative or absurd limit is an error. */
int bridge_update_plan(nx_lua *h, const nx_config *cfg, const char *resources_json, nx_plan *plan,
		       nx_err *err);

/* vmid.choose{id, min, max, attempt, used = {[vmid] = true}, annotations}
 * (annotations: the validated spec's); the answer must be an integer. */
typedef struct vmid_choice {
	const char *id;
	long min, max;
	int attempt;
	const long *used;
	size_t n_used;
	const nx_kv *annotations; /* the validated spec's */
	size_t n_annotations;
} vmid_choice;
int bridge_vmid_choose(nx_lua *h, const vmid_choice *c, long *out, nx_err *err);

#endif
