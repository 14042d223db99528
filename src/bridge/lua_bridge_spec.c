/* The validated spec, inside the bridge. config.json text (checked as
 * text by bundle_load.c) is decoded by a private lua-cjson set to strict
 * numbers, normalised and validated in one protected call; in the same
 * call the core's facts (ociVersion, whether there is a process, the
 * annotations, the OCI hooks as JSON text) are copied into C. The core
 * reads only those copies, so nothing Lua does to the table later (a
 * pre-translate hook, a rule) changes which OCI hooks run or what the
 * state records. The table itself stays here, behind a handle. */
#define _GNU_SOURCE
#include "bridge/lua_bridge_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua-cjson.h>

#include "oci/bundle.h"
#include "bridge/lua_bridge_validate.h"
#include "util/xalloc.h"

struct bridge_spec {
	nx_lua *h;
	int ref; /* the table, in the registry */
};

static const char CJSON_KEY = 'j'; /* registry: the private cjson module */

#define COPY_MAX_DEPTH 100

void bridge_copy_table(lua_State *L, int src, int depth)
{
	if (depth > COPY_MAX_DEPTH)
		luaL_error(L, "spec nested too deeply");
	luaL_checkstack(L, 4, "spec copy");
	src = lua_absindex(L, src);
	lua_newtable(L);
	lua_pushnil(L);
	while (lua_next(L, src)) { /* copy key value */
		if (lua_type(L, -1) == LUA_TTABLE) {
			bridge_copy_table(L, -1, depth + 1); /* copy key value vcopy */
			lua_replace(L, -2);
		}
		lua_pushvalue(L, -2); /* copy key value key */
		lua_insert(L, -2);    /* copy key key value */
		lua_rawset(L, -4);
	}
}

void bridge_spec_push(lua_State *L, const bridge_spec *s)
{
	if (s)
		lua_rawgeti(L, LUA_REGISTRYINDEX, s->ref);
	else
		lua_pushnil(L);
}

/* A cjson of our own: strict numbers, our depth limit; the sandbox's
 * require "cjson" keeps its own settings. Pushes field `fn` of it. */
static void push_cjson(lua_State *L, const char *fn)
{
	if (lua_rawgetp(L, LUA_REGISTRYINDEX, &CJSON_KEY) != LUA_TTABLE) {
		lua_pop(L, 1);
		lua_pushcfunction(L, luaopen_cjson);
		lua_call(L, 0, 1); /* cjson */
		lua_getfield(L, -1, "decode_invalid_numbers");
		lua_pushboolean(L, 0);
		lua_call(L, 1, 0);
		lua_getfield(L, -1, "decode_max_depth");
		lua_pushinteger(L, BUNDLE_MAX_DEPTH);
		lua_call(L, 1, 0);
		lua_pushvalue(L, -1);
		lua_rawsetp(L, LUA_REGISTRYINDEX, &CJSON_KEY);
	}
	lua_getfield(L, -1, fn);
	lua_remove(L, -2);
}

typedef struct decode_args {
	const char *data;
	size_t len;
	const char *bundle;
	char rootfs[PATH_MAX];
	spec_report *report;
	bool not_json;	      /* the decoder rejected the text */
	char json_error[256]; /* its message then, for people only */
	nx_bundle *b; /* facts, filled as they are read (freed by the caller on error) */
	int ref;
} decode_args;

/* spec.annotations (validated: a map of strings) into C. */
static void read_annotations(lua_State *L, int spec, nx_bundle *b)
{
	if (lua_getfield(L, spec, "annotations") != LUA_TTABLE) {
		lua_pop(L, 1);
		return;
	}
	size_t n = 0;
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		n++;
		lua_pop(L, 1);
	}
	b->annotations = xcalloc(n + 1, sizeof *b->annotations);
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TSTRING) {
			nx_kv *kv = &b->annotations[b->n_annotations++];
			kv->key = xstrdup(lua_tostring(L, -2));
			kv->value = xstrdup(lua_tostring(L, -1));
		}
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

/* spec.hooks re-encoded as JSON text: the OCI hooks run later (create,
 * start, delete) from this copy in the state. */
static void read_hooks(lua_State *L, int spec, nx_bundle *b)
{
	if (lua_getfield(L, spec, "hooks") != LUA_TTABLE) {
		lua_pop(L, 1);
		return;
	}
	push_cjson(L, "encode");
	lua_insert(L, -2);
	lua_call(L, 1, 1);
	if (lua_type(L, -1) == LUA_TSTRING)
		b->hooks_json = xstrdup(lua_tostring(L, -1));
	lua_pop(L, 1);
}

static int protected_decode(lua_State *L)
{
	decode_args *a = lua_touserdata(L, 1);
	push_cjson(L, "decode");
	lua_pushlstring(L, a->data, a->len);
	int status = lua_pcall(L, 1, 1, 0); /* spec | message */
	if (status == LUA_ERRMEM)
		return lua_error(L);
	if (status != LUA_OK) {
		a->not_json = true;
		snprintf(a->json_error, sizeof a->json_error, "%s",
			 lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "decoding failed");
		return 0;
	}
	int spec = lua_gettop(L);
	spec_exact_numbers(L, spec, a->data, a->len, a->report);
	spec_normalise(L, spec, a->report);
	spec_validate(L, spec, a->bundle, a->rootfs, a->report);
	if (a->report->count)
		return 0;
	const char *version = spec_string(L, spec, "ociVersion");
	a->b->oci_version = xstrdup(version ? version : "");
	a->b->rootfs = xstrdup(a->rootfs);
	a->b->has_process = spec_get(L, spec, "process") == LUA_TTABLE;
	lua_pop(L, 1);
	read_annotations(L, spec, a->b);
	read_hooks(L, spec, a->b);
	lua_settop(L, spec);
	a->ref = luaL_ref(L, LUA_REGISTRYINDEX);
	return 0;
}

int bridge_spec_decode(nx_lua *h, const char *data, size_t len, nx_bundle *b, spec_report *report,
		       nx_err *err)
{
	decode_args a = {.data = data, .len = len, .bundle = b->path, .report = report, .b = b, .ref = LUA_NOREF};
	lua_State *L = nxlua_state(h);
	int top = lua_gettop(L);
	lua_pushcfunction(L, protected_decode);
	lua_pushlightuserdata(L, &a);
	int status = lua_pcall(L, 1, 0, 0);
	int rc = 0;
	if (status == LUA_ERRMEM)
		rc = nx_err_kind_set(err, NX_ERR_LUA_LIMIT, "config.json: %s",
				     "decoding it takes more memory than the Lua limit allows");
	else if (status != LUA_OK)
		rc = nx_err_kind_set(err, NX_ERR_LUA_RUNTIME, "config.json: %s",
				     lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "decoding failed");
	else if (a.not_json)
		rc = nx_err_kind_set(err, NX_ERR_NOT_JSON, "%s", a.json_error);
	lua_settop(L, top);
	if (rc == 0 && a.ref != LUA_NOREF) {
		b->spec = xmalloc(sizeof *b->spec);
		*b->spec = (bridge_spec){h, a.ref};
	}
	return rc;
}

typedef struct copy_args {
	const bridge_spec *src;
	int ref;
} copy_args;

/* A deep copy into the registry (the ref too may need memory). */
static int protected_copy(lua_State *L)
{
	copy_args *a = lua_touserdata(L, 1);
	bridge_spec_push(L, a->src);
	if (!lua_istable(L, -1))
		return luaL_error(L, "no spec");
	bridge_copy_table(L, -1, 0);
	a->ref = luaL_ref(L, LUA_REGISTRYINDEX);
	return 0;
}

int bridge_spec_copy(const bridge_spec *s, bridge_spec **out, nx_err *err)
{
	*out = NULL;
	if (!s)
		return nx_err_set(err, "spec: no validated config.json");
	bridge_spec *c = xmalloc(sizeof *c);
	copy_args a = {.src = s, .ref = LUA_NOREF};
	lua_State *L = nxlua_state(s->h);
	lua_pushcfunction(L, protected_copy);
	lua_pushlightuserdata(L, &a);
	if (nxlua_pcall(s->h, 1, 0, err) < 0) {
		free(c);
		return nx_err_wrap(err, "spec");
	}
	*c = (bridge_spec){s->h, a.ref};
	*out = c;
	return 0;
}

void bridge_spec_free(bridge_spec *s)
{
	if (!s)
		return;
	luaL_unref(nxlua_state(s->h), LUA_REGISTRYINDEX, s->ref);
	free(s);
}
