/* The `nexcage` Lua module: the only C primitives Lua sees (documented in
 * docs/lua-api.md). Operational failures return nil, message; misuse
 * raises (luaL_argerror). */
#ifndef NX_LUA_API_H
#define NX_LUA_API_H

#include <lua.h>

int luaopen_nexcage(lua_State *L);

#endif
