/* What keeps the sandbox's promises where Lua's own library would break
 * them: the time limit cannot be caught by pcall/xpcall, C library calls
 * that run without the instruction hook (pattern matching, string.rep,
 * table.move/insert/remove) are bounded before they start, no finalizer can
 * run outside a call's time limit, and the library tables every chunk sees
 * are read-only. Used by the Lua host only. */
#ifndef NX_LUA_SANDBOX_H
#define NX_LUA_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

#include <lua.h>

/* The most matcher steps one string.find/match/gmatch/gsub may cost in the
 * worst case (~1 ns each): about 0.2 s, so a single C call cannot carry a
 * script far past its time limit. */
#define NX_PATTERN_BUDGET 2e8

/* Upper bound of the steps Lua's backtracking matcher may take for pattern
 * p over a subject of slen bytes (every start position, every way each
 * quantifier can split the subject). `anchor` says whether a leading '^'
 * anchors (not for gmatch); `plain` is find's plain search. */
double sandbox_pattern_cost(const char *p, size_t plen, size_t slen, bool anchor, bool plain);

/* Replace the library functions the sandbox guards (in the shared library
 * tables, so method calls like s:find() are guarded too) and protect the
 * string metatable. Expects the standard libraries opened. */
void sandbox_guard_libraries(lua_State *L);
/* Push a read-only view of the table at idx: reads and pairs() go to it,
 * writes (also rawset) and setmetatable fail. */
void sandbox_push_readonly(lua_State *L, int idx);
/* pcall/xpcall/setmetatable/rawset as the sandbox offers them. */
void sandbox_set_base_functions(lua_State *L, int safe_idx);

#endif
