/* Shared by the bridge's files (lua_bridge*.c) only: the readers that turn
 * Lua values into C inside the bridge's protected calls. Nothing outside
 * the bridge includes this header. */
#ifndef NX_LUA_BRIDGE_INTERNAL_H
#define NX_LUA_BRIDGE_INTERNAL_H

#include <lua.h>

#include "error.h"
#include "lua_bridge.h"
#include "plan.h"

/* Read and validate the plan table at idx. Every problem is reported, one
 * per line, naming the option and (when the plan says) the rule. */
int plan_from_lua(lua_State *L, int idx, nx_plan *plan, nx_err *err);

#endif
