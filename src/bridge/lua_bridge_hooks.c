#define _GNU_SOURCE
#include "bridge/site_hooks.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "util/buf.h"
#include "util/fsutil.h"
#include "bridge/lua_bridge_internal.h"
#include "util/log.h"
#include "util/strv.h"
#include "site/trust.h"
#include "util/xalloc.h"

static char *phase_dir(const char *hooks_dir, const char *phase)
{
	return xasprintf("%s/%s.d", hooks_dir, phase);
}

/* The phase's hook files, sorted by name (a phase that is not a directory
 * is an error: its hooks would not run). */
static int list_files(const char *dir, char ***out, size_t *n, nx_err *err)
{
	return fs_list_lua(dir, out, n, err) < 0 ? nx_err_wrap(err, "hooks") : 0;
}

bool site_hooks_present(const char *hooks_dir, const char *phase)
{
	char *dir = phase_dir(hooks_dir, phase);
	char **files;
	size_t n = 0;
	nx_err err = {0};
	if (dir && list_files(dir, &files, &n, &err) == 0)
		strv_free(files);
	free(dir);
	return n > 0;
}

static void push_plan(lua_State *L, const nx_plan *p)
{
	lua_createtable(L, 0, 3);
	bridge_push_kv_map(L, p->options, p->n_options);
	lua_setfield(L, -2, "options");
	lua_createtable(L, (int)p->n_lxc, 0);
	for (size_t i = 0; i < p->n_lxc; i++) {
		lua_createtable(L, 2, 0);
		lua_pushstring(L, p->lxc[i].key);
		lua_rawseti(L, -2, 1);
		lua_pushstring(L, p->lxc[i].value);
		lua_rawseti(L, -2, 2);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_setfield(L, -2, "lxc");
}

static void push_state(lua_State *L, const nx_state *st, const char *status)
{
	lua_createtable(L, 0, 8);
	lua_pushstring(L, st->id);
	lua_setfield(L, -2, "id");
	lua_pushinteger(L, st->pid);
	lua_setfield(L, -2, "pid");
	lua_pushinteger(L, st->vmid);
	lua_setfield(L, -2, "vmid");
	lua_pushstring(L, status ? status : "");
	lua_setfield(L, -2, "status");
	lua_pushstring(L, st->bundle ? st->bundle : "");
	lua_setfield(L, -2, "bundle");
	bridge_push_kv_map(L, st->annotations, st->n_annotations);
	lua_setfield(L, -2, "annotations");
}

/* hctx.add_tag(tag): the core validates the tags with the plan. */
static int l_add_tag(lua_State *L)
{
	const char *tag = luaL_checkstring(L, 1);
	lua_pushliteral(L, "tags");
	if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TTABLE)
		return luaL_error(L, "add_tag: the context's tags are no longer a list");
	lua_pushstring(L, tag);
	lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
	return 0;
}

static void push_hook_ctx(lua_State *L, const site_hook_ctx *hc, const nx_config *cfg)
{
	lua_createtable(L, 0, 10);
	int t = lua_gettop(L);
	lua_pushstring(L, hc->phase);
	lua_setfield(L, t, "phase");
	lua_pushstring(L, hc->id ? hc->id : "");
	lua_setfield(L, t, "id");
	if (hc->vmid >= 0) {
		lua_pushinteger(L, hc->vmid);
		lua_setfield(L, t, "vmid");
	}
	lua_pushstring(L, hc->bundle ? hc->bundle : "");
	lua_setfield(L, t, "bundle");
	if (hc->spec) {
		bridge_spec_push(L, hc->spec);
		lua_setfield(L, t, "spec");
	}
	if (hc->plan) {
		push_plan(L, hc->plan);
		lua_setfield(L, t, "plan");
	}
	if (hc->state) {
		push_state(L, hc->state, hc->status);
		lua_setfield(L, t, "state");
	}
	bridge_config_push(L, cfg);
	lua_setfield(L, t, "config");
	lua_newtable(L);
	lua_setfield(L, t, "tags");
	lua_pushvalue(L, t);
	lua_pushcclosure(L, l_add_tag, 1);
	lua_setfield(L, t, "add_tag");
}

typedef struct hook_ctx_args {
	const site_hook_ctx *hc;
	const nx_config *cfg;
} hook_ctx_args;

/* The context table is built protected: it needs memory. */
static int protected_hook_ctx(lua_State *L)
{
	const hook_ctx_args *a = lua_touserdata(L, 1);
	push_hook_ctx(L, a->hc, a->cfg);
	return 1;
}

static int collect_tags(lua_State *L, int t, site_hook_ctx *hc)
{
	if (!hc->tags_out)
		return 0;
	/* Raw reads, outside any protected call: the table is the hooks' and
	 * may carry any metatable. */
	lua_pushliteral(L, "tags");
	if (lua_rawget(L, t) != LUA_TTABLE) {
		lua_pop(L, 1);
		return 0;
	}
	nx_buf b = {0};
	lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
	for (lua_Integer i = 1; i <= n; i++) {
		lua_rawgeti(L, -1, i);
		if (lua_type(L, -1) == LUA_TSTRING) {
			buf_puts(&b, b.len ? ";" : "");
			buf_puts(&b, lua_tostring(L, -1));
		}
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	free(*hc->tags_out);
	*hc->tags_out = b.data;
	return 0;
}

/* Hooks are where side effects belong; a dry run lists them instead. */
static int hook_pcall(nx_lua *h, const site_hook_ctx *hc, int nargs, int nresults, nx_err *err)
{
	return nxlua_pcall_in(h, hc->dry_run_log ? NX_LUA_DRY_RUN : NX_LUA_EFFECTS, hc->dry_run_log, nargs,
			      nresults, err);
}

static int run_file(nx_lua *h, const site_hook_ctx *hc, const char *path, int hctx_index, nx_err *err)
{
	lua_State *L = nxlua_state(h);
	if (nxlua_load_site_file(h, path, err) < 0)
		return nx_err_wrap(err, "hook");
	if (hook_pcall(h, hc, 0, 1, err) < 0) /* fn */
		return nx_err_wrap(err, "hook");
	if (lua_istable(L, -1)) { /* raw: the hook's table may carry any metatable */
		lua_pushliteral(L, "run");
		lua_rawget(L, -2);
		lua_remove(L, -2);
	}
	if (!lua_isfunction(L, -1)) {
		lua_pop(L, 1);
		return nx_err_set(err, "hook %s: must return a function (or a table with run)", path);
	}
	lua_pushvalue(L, hctx_index); /* fn hctx */
	if (hook_pcall(h, hc, 1, 0, err) < 0)
		return nx_err_wrap(err, "hook");
	return 0;
}

int site_hooks_run(nx_lua *h, const nx_config *cfg, const char *hooks_dir, site_hook_ctx *hc, nx_err *err)
{
	char *dir = phase_dir(hooks_dir, hc->phase);
	char **files = NULL;
	size_t n = 0;
	int rc = list_files(dir, &files, &n, err);
	if (rc == 0 && n > 0) {
		rc = trust_check_dir(dir, err);
		if (rc == 0) {
			lua_State *L = nxlua_state(h);
			hook_ctx_args a = {hc, cfg};
			int base = lua_gettop(L);
			lua_pushcfunction(L, protected_hook_ctx);
			lua_pushlightuserdata(L, &a);
			rc = hook_pcall(h, hc, 1, 1, err);
			int t = lua_gettop(L);
			for (size_t i = 0; i < n && rc == 0; i++) {
				log_debug("%s hook %s", hc->phase, files[i]);
				rc = run_file(h, hc, files[i], t, err);
			}
			if (rc == 0)
				collect_tags(L, t, hc);
			lua_settop(L, base);
		}
	}
	strv_free(files);
	free(dir);
	return rc < 0 ? nx_err_wrap(err, "%s", hc->phase) : 0;
}
