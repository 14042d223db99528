/* config.lua, inside the bridge: the table it returns becomes nx_config
 * key by key through the schema in config.c, and the effective
 * configuration goes back to Lua (ctx.config of rules and hooks) as a
 * fresh table built from the C values. */
#define _GNU_SOURCE
#include "lua_bridge_internal.h"

#include <lauxlib.h>

typedef struct config_call {
	nx_config *cfg;
	nx_err *err;
	int rc;
} config_call;

/* Runs protected (table, call): every key through the schema. */
static int protected_apply(lua_State *L)
{
	config_call *c = lua_touserdata(L, 2);
	lua_settop(L, 1);
	lua_pushnil(L);
	while (lua_next(L, 1)) { /* tbl key value */
		if (lua_type(L, -2) != LUA_TSTRING) {
			c->rc = nx_err_set(c->err, "keys must be strings (got a %s key)", luaL_typename(L, -2));
			return 0;
		}
		const char *name = lua_tostring(L, -2);
		config_type type = config_key_type(name);
		int vt = lua_type(L, -1);
		if (type == CONFIG_UNKNOWN)
			c->rc = nx_err_set(c->err, "%s: unknown setting", name);
		else if (type == CONFIG_STRING && vt != LUA_TSTRING)
			c->rc = nx_err_set(c->err, "%s: expected a string, got %s", name, luaL_typename(L, -1));
		else if (type != CONFIG_STRING && vt != LUA_TNUMBER)
			c->rc = nx_err_set(c->err, "%s: expected a number, got %s", name, luaL_typename(L, -1));
		else if (type == CONFIG_STRING)
			c->rc = config_set_string(c->cfg, name, lua_tostring(L, -1), c->err);
		else
			c->rc = config_set_number(c->cfg, name, lua_tonumber(L, -1), c->err);
		if (c->rc < 0)
			return 0;
		lua_pop(L, 1);
	}
	return 0;
}

int bridge_config_read(nx_lua *h, const char *path, nx_config *cfg, nx_err *err)
{
	lua_State *L = nxlua_state(h);
	if (nxlua_load_site_file(h, path, err) < 0)
		return -1;
	if (bridge_pcall_pure(h, 0, 1, err) < 0)
		return -1;
	if (!lua_istable(L, -1)) {
		const char *t = luaL_typename(L, -1);
		lua_pop(L, 1);
		return nx_err_set(err, "must return a table (got %s)", t);
	}
	config_call c = {.cfg = cfg, .err = err, .rc = 0};
	lua_pushcfunction(L, protected_apply);
	lua_insert(L, -2);
	lua_pushlightuserdata(L, &c);
	if (nxlua_pcall(h, 2, 0, err) < 0)
		return -1;
	return c.rc;
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
