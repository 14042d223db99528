/* config.lua, inside the bridge: the table it returns goes to the core as
 * C values (config_entry), which context.c applies through the schema in
 * config.c; the effective configuration comes back down as an nx_config
 * and goes to Lua (ctx.config of rules and hooks) as a fresh table built
 * from the C values. */
#define _GNU_SOURCE
#include "bridge/lua_bridge_internal.h"

#include <lauxlib.h>

#include "util/xalloc.h"

typedef struct config_read {
	config_entry *entries;
	size_t n;
} config_read;

static void read_entry(lua_State *L, config_entry *e)
{
	if (lua_type(L, -2) != LUA_TSTRING) {
		e->type_name = luaL_typename(L, -2);
		return;
	}
	e->name = xstrdup(lua_tostring(L, -2));
	e->type_name = luaL_typename(L, -1); /* Lua's names are static strings */
	if (lua_type(L, -1) == LUA_TSTRING) {
		e->type = CONFIG_ENTRY_STRING;
		e->string = xstrdup(lua_tostring(L, -1));
	} else if (lua_type(L, -1) == LUA_TNUMBER) {
		e->type = CONFIG_ENTRY_NUMBER;
		e->number = lua_tonumber(L, -1);
	} else {
		e->type = CONFIG_ENTRY_OTHER;
	}
}

/* Runs protected (table, read): every key, in lua_next's order. */
static int protected_read(lua_State *L)
{
	config_read *r = lua_touserdata(L, 2);
	lua_settop(L, 1);
	size_t n = 0;
	lua_pushnil(L);
	while (lua_next(L, 1)) {
		n++;
		lua_pop(L, 1);
	}
	r->entries = xcalloc(n + 1, sizeof *r->entries);
	lua_pushnil(L);
	while (lua_next(L, 1)) { /* tbl key value */
		read_entry(L, &r->entries[r->n++]);
		lua_pop(L, 1);
	}
	return 0;
}

int bridge_config_read(nx_lua *h, const char *path, config_entry **out, size_t *n, nx_err *err)
{
	*out = NULL;
	*n = 0;
	lua_State *L = nxlua_state(h);
	if (nxlua_load_site_file(h, path, err) < 0)
		return -1;
	if (bridge_pcall_pure(h, 0, 1, err) < 0)
		return -1;
	if (!lua_istable(L, -1)) {
		const char *t = luaL_typename(L, -1);
		lua_pop(L, 1);
		return nx_err_kind_set(err, NX_ERR_INVALID, "must return a table (got %s)", t);
	}
	config_read r = {0};
	lua_pushcfunction(L, protected_read);
	lua_insert(L, -2);
	lua_pushlightuserdata(L, &r);
	int rc = nxlua_pcall(h, 2, 0, err);
	*out = r.entries;
	*n = r.n;
	return rc;
}

void bridge_config_push(lua_State *L, const nx_config *cfg)
{
	size_t n = config_key_count();
	lua_createtable(L, 0, (int)n);
	for (size_t i = 0; i < n; i++) {
		config_value v = config_key_at(cfg, i);
		if (v.type == CONFIG_STRING)
			lua_pushstring(L, v.string);
		else if (v.type == CONFIG_INTEGER)
			lua_pushinteger(L, v.integer);
		else
			lua_pushnumber(L, v.number);
		lua_setfield(L, -2, v.name);
	}
}
