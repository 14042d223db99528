/* Shared by the bridge's files (lua_bridge*.c) only: the readers that turn
 * Lua values into C inside the bridge's protected calls. Nothing outside
 * the bridge includes this header. */
#ifndef NX_LUA_BRIDGE_INTERNAL_H
#define NX_LUA_BRIDGE_INTERNAL_H

#include <lua.h>

#include "util/error.h"
#include "bridge/lua_bridge.h"
#include "luahost/lua_host_internal.h"
#include "plan/plan.h"

/* Read and validate the plan table at idx. Every problem is reported, one
 * per line, naming the option and (when the plan says) the rule. */
int plan_from_lua(lua_State *L, int idx, nx_plan *plan, nx_err *err);

/* nxlua_pcall with the host in pure mode (no programs, no writes),
 * whatever the caller's mode: rules, config.lua and the VMID rule. */
int bridge_pcall_pure(nx_lua *h, int nargs, int nresults, nx_err *err);
/* Push the spec's table (nil for NULL). */
void bridge_spec_push(lua_State *L, const bridge_spec *s);
/* Push n pairs as a fresh table {[key] = value}. */
void bridge_push_kv_map(lua_State *L, const nx_kv *kv, size_t n);
/* Push a deep copy of the table at src (raises past 100 levels). */
void bridge_copy_table(lua_State *L, int src, int depth);
/* Push the effective site configuration (config.lua with defaults) as a
 * fresh table the caller's Lua may keep. */
void bridge_config_push(lua_State *L, const nx_config *cfg);

#endif
