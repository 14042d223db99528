#define _GNU_SOURCE
#include "bridge/lua_bridge_internal.h"

#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "util/log.h"
#include "util/xalloc.h"

void plan_origins_free(plan_origins *o)
{
	nx_kv_free(o->options, o->n_options);
	for (size_t i = 0; i < o->n_lxc; i++)
		free(o->lxc[i]);
	free(o->lxc);
	memset(o, 0, sizeof *o);
}

void bridge_push_kv_map(lua_State *L, const nx_kv *kv, size_t n)
{
	lua_createtable(L, 0, (int)n);
	for (size_t i = 0; i < n; i++) {
		lua_pushstring(L, kv[i].value);
		lua_setfield(L, -2, kv[i].key);
	}
}

/* --- translate ----------------------------------------------------------- */

typedef struct translate_call {
	nx_lua *h;
	const nx_config *cfg;
	const translate_input *in;
	nx_plan *plan;
	plan_origins *origins;
	nx_err *err;
	int rc;
} translate_call;

/* "rule (file)" for the rule name at key_idx in rule_tbl: the file a site
 * edit recorded in rule_files, or else where module rules.<rule> is from. */
static char *origin_string(lua_State *L, nx_lua *h, int rule_tbl, int files_tbl, int key_idx)
{
	key_idx = lua_absindex(L, key_idx);
	lua_pushvalue(L, key_idx);
	if (lua_rawget(L, rule_tbl) != LUA_TSTRING) {
		lua_pop(L, 1);
		return NULL;
	}
	const char *rule = lua_tostring(L, -1);
	lua_pushvalue(L, -1);
	const char *file = lua_rawget(L, files_tbl) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
	char mod[256], buf[PATH_MAX];
	if (!file) {
		snprintf(mod, sizeof mod, "rules.%s", rule);
		file = nxlua_module_origin(h, mod, buf, sizeof buf);
		file = !file ? "?" : strcmp(file, "embedded") ? file : "built in";
	}
	char *s = xasprintf("%s (%s)", rule, file);
	lua_pop(L, 2);
	return s;
}

/* Origins are read raw: the plan table is the rules' and may carry any
 * metatable. */
static void read_origins(lua_State *L, nx_lua *h, int plan_idx, const nx_plan *plan, plan_origins *o)
{
	plan_idx = lua_absindex(L, plan_idx);
	const char *fields[3] = {"origin", "lxc_origin", "rule_files"};
	for (int i = 0; i < 3; i++) {
		lua_pushstring(L, fields[i]);
		if (lua_rawget(L, plan_idx) != LUA_TTABLE) {
			lua_pop(L, 1);
			lua_newtable(L);
		}
	}
	int opt_rule = lua_gettop(L) - 2, lxc_rule = opt_rule + 1, files = opt_rule + 2;
	o->options = xcalloc(plan->n_options + 1, sizeof *o->options);
	o->lxc = xcalloc(plan->n_lxc + 1, sizeof *o->lxc);
	for (size_t i = 0; i < plan->n_options; i++) {
		lua_pushstring(L, plan->options[i].key);
		char *s = origin_string(L, h, opt_rule, files, -1);
		lua_pop(L, 1);
		if (s)
			o->options[o->n_options++] = (nx_kv){xstrdup(plan->options[i].key), s};
	}
	for (size_t i = 0; i < plan->n_lxc; i++) {
		lua_pushinteger(L, (lua_Integer)i + 1);
		o->lxc[o->n_lxc++] = origin_string(L, h, lxc_rule, files, -1);
		lua_pop(L, 1);
	}
	lua_pop(L, 3);
}

static void push_translate_ctx(lua_State *L, const translate_call *c, int spec_idx)
{
	spec_idx = lua_absindex(L, spec_idx);
	lua_createtable(L, 0, 6);
	lua_pushstring(L, c->in->id ? c->in->id : "");
	lua_setfield(L, -2, "id");
	lua_pushstring(L, c->in->bundle);
	lua_setfield(L, -2, "bundle");
	lua_pushstring(L, c->in->rootfs);
	lua_setfield(L, -2, "rootfs");
	bridge_config_push(L, c->cfg);
	lua_setfield(L, -2, "config");
	lua_pushliteral(L, "annotations");
	if (lua_rawget(L, spec_idx) != LUA_TTABLE) {
		lua_pop(L, 1);
		lua_newtable(L);
	}
	lua_setfield(L, -2, "annotations");
}

/* Runs protected (fn, call): the rules, then the plan's conversion into C. */
static int protected_translate(lua_State *L)
{
	translate_call *c = lua_touserdata(L, 2);
	lua_settop(L, 1);		    /* fn */
	bridge_spec_push(L, c->in->spec); /* fn spec */
	if (!lua_istable(L, 2))
		return luaL_error(L, "no spec");
	push_translate_ctx(L, c, 2); /* fn spec ctx */
	lua_call(L, 2, 1);	     /* plan */
	c->rc = plan_from_lua(L, 1, c->plan, c->err);
	if (c->rc == 0 && c->origins)
		read_origins(L, c->h, 1, c->plan, c->origins);
	return 0;
}

/* Push field `fn` of module `mod`, a function. */
static int push_function(nx_lua *h, const char *mod, const char *fn, nx_err *err)
{
	lua_State *L = nxlua_state(h);
	if (nxlua_require(h, mod, err) < 0)
		return -1;
	/* raw, outside a protected call: a module may carry any metatable */
	if (!lua_istable(L, -1)) {
		lua_pop(L, 1);
		return nx_err_set(err, "module '%s' is not a table", mod);
	}
	lua_pushstring(L, fn);
	lua_rawget(L, -2);
	lua_remove(L, -2);
	if (!lua_isfunction(L, -1)) {
		lua_pop(L, 1);
		return nx_err_set(err, "module '%s' has no function %s", mod, fn);
	}
	return 0;
}

int bridge_pcall_pure(nx_lua *h, int nargs, int nresults, nx_err *err)
{
	return nxlua_pcall_in(h, NX_LUA_PURE, NULL, nargs, nresults, err);
}

int bridge_translate(nx_lua *h, const nx_config *cfg, const translate_input *in, nx_plan *plan,
		     plan_origins *origins, nx_err *err)
{
	memset(plan, 0, sizeof *plan);
	if (origins)
		memset(origins, 0, sizeof *origins);
	translate_call c = {.h = h, .cfg = cfg, .in = in, .plan = plan, .origins = origins, .err = err};
	lua_State *L = nxlua_state(h);
	if (push_function(h, "translate", "translate", err) < 0)
		return nx_err_wrap(err, "translate");
	lua_pushcfunction(L, protected_translate); /* fn pt */
	lua_insert(L, -2);			   /* pt fn */
	lua_pushlightuserdata(L, &c);		   /* pt fn c */
	c.rc = -1;
	int rc = bridge_pcall_pure(h, 2, 0, err);
	if (rc == 0 && c.rc < 0) /* the rules ran; their plan failed its validation */
		rc = nx_err_set_kind(err, NX_ERR_INVALID, NULL);
	if (rc < 0) {
		plan_free(plan);
		if (origins)
			plan_origins_free(origins);
		return nx_err_wrap(err, "translate");
	}
	for (size_t i = 0; i < plan->n_warnings; i++)
		log_warn("translate: %s", plan->warnings[i]);
	return 0;
}

/* --- update -------------------------------------------------------------- */

typedef struct update_call {
	const nx_config *cfg;
	const char *json;
	nx_plan *plan;
	nx_err *err;
	int rc;
} update_call;

/* Runs protected (fn, call): update.update(json, ctx). */
static int protected_update(lua_State *L)
{
	update_call *c = lua_touserdata(L, 2);
	lua_settop(L, 1); /* fn */
	lua_pushstring(L, c->json);
	lua_createtable(L, 0, 1); /* fn json ctx */
	bridge_config_push(L, c->cfg);
	lua_setfield(L, -2, "config");
	lua_call(L, 2, 1); /* plan */
	c->rc = plan_from_lua(L, 1, c->plan, c->err);
	return 0;
}

int bridge_update_plan(nx_lua *h, const nx_config *cfg, const char *resources_json, nx_plan *plan,
		       nx_err *err)
{
	memset(plan, 0, sizeof *plan);
	update_call c = {.cfg = cfg, .json = resources_json, .plan = plan, .err = err, .rc = -1};
	lua_State *L = nxlua_state(h);
	if (push_function(h, "update", "update", err) < 0)
		return nx_err_wrap(err, "update");
	lua_pushcfunction(L, protected_update);
	lua_insert(L, -2);
	lua_pushlightuserdata(L, &c);
	int rc = bridge_pcall_pure(h, 2, 0, err);
	if (rc == 0 && c.rc < 0) /* the rule ran; its plan failed its validation */
		rc = nx_err_set_kind(err, NX_ERR_INVALID, NULL);
	if (rc < 0) {
		plan_free(plan);
		return nx_err_wrap(err, "update");
	}
	for (size_t i = 0; i < plan->n_warnings; i++)
		log_warn("update: %s", plan->warnings[i]);
	return 0;
}

/* --- VMID choice --------------------------------------------------------- */

/* Runs protected (fn, choice, out): the request table, the call, the answer. */
static int protected_vmid(lua_State *L)
{
	const vmid_choice *c = lua_touserdata(L, 2);
	long *out = lua_touserdata(L, 3);
	lua_settop(L, 1);
	lua_createtable(L, 0, 6);
	lua_pushstring(L, c->id);
	lua_setfield(L, -2, "id");
	lua_pushinteger(L, c->min);
	lua_setfield(L, -2, "min");
	lua_pushinteger(L, c->max);
	lua_setfield(L, -2, "max");
	lua_pushinteger(L, c->attempt);
	lua_setfield(L, -2, "attempt");
	lua_createtable(L, 0, (int)c->n_used);
	for (size_t i = 0; i < c->n_used; i++) {
		lua_pushboolean(L, 1);
		lua_rawseti(L, -2, c->used[i]);
	}
	lua_setfield(L, -2, "used");
	bridge_push_kv_map(L, c->annotations, c->n_annotations);
	lua_setfield(L, -2, "annotations");
	lua_call(L, 1, 1);
	int isnum = 0;
	lua_Integer v = lua_tointegerx(L, -1, &isnum);
	if (!isnum)
		return luaL_error(L, "returned no integer VMID");
	*out = (long)v;
	return 0;
}

int bridge_vmid_choose(nx_lua *h, const vmid_choice *c, long *out, nx_err *err)
{
	lua_State *L = nxlua_state(h);
	if (push_function(h, "vmid", "choose", err) < 0)
		return nx_err_wrap(err, "vmid rule");
	lua_pushcfunction(L, protected_vmid);
	lua_insert(L, -2);
	lua_pushlightuserdata(L, (void *)c);
	lua_pushlightuserdata(L, out);
	return bridge_pcall_pure(h, 3, 0, err) < 0 ? nx_err_wrap(err, "vmid rule") : 0;
}
