#define _GNU_SOURCE
#include "luahost/lua_sandbox.h"

#include <stdio.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "luahost/lua_host_internal.h"

/* Registry key: the set of read-only views (view -> true), so rawset can
 * refuse them. */
static const char KEY_READONLY = 'r';

/* --- pattern matching ---------------------------------------------------- */

/* Index just past the character class starting at p[i] ("%a", "[...]",
 * "x"), or plen when the pattern is malformed (Lua reports that itself). */
static size_t class_end(const char *p, size_t plen, size_t i)
{
	if (p[i] == '%')
		return i + 2 <= plen ? i + 2 : plen;
	if (p[i] != '[')
		return i + 1;
	size_t j = i + 1;
	if (j < plen && p[j] == '^')
		j++;
	/* The first character of a set is taken as is, so "[]]" is a set. */
	do {
		if (j >= plen)
			return plen;
		if (p[j++] == '%' && j < plen)
			j++;
	} while (j < plen && p[j] != ']');
	return j < plen ? j + 1 : plen;
}

/* Whether only closing captures (and the end anchor) follow p[i]: a
 * quantifier there is never backtracked into, since the rest of the
 * pattern always matches. */
static bool only_closing_after(const char *p, size_t plen, size_t i)
{
	for (; i < plen; i++)
		if (p[i] != ')')
			return false;
	return true;
}

double sandbox_pattern_cost(const char *p, size_t plen, size_t slen, bool anchor, bool plain)
{
	double n1 = (double)slen + 1;
	if (plain)
		return n1 * ((double)plen + 1);
	size_t i = 0;
	bool anchored = false;
	if (anchor && plen && p[0] == '^') {
		anchored = true;
		i = 1;
	}
	bool end_anchor = plen > i && p[plen - 1] == '$' && (plen < 2 || p[plen - 2] != '%');
	size_t end = end_anchor ? plen - 1 : plen;
	/* A trailing quantifier's scan ends in a match that consumes what it
	 * scanned: all such scans together cover the subject about once. */
	double per_start = 1, items = 1, trailing_scan = 0;
	while (i < end) {
		items++;
		char c = p[i];
		if (c == '(' || c == ')') {
			i++;
			continue;
		}
		if (c == '%' && i + 1 < end) {
			char d = p[i + 1];
			if (d == 'b') { /* %bxy scans to its closing character */
				per_start *= n1;
				i += 4;
				continue;
			}
			if (d == 'f') { /* %f[set] looks at one position */
				i = i + 2 < end ? class_end(p, end, i + 2) : end;
				continue;
			}
			if (d >= '0' && d <= '9') { /* a back-reference compares a capture */
				per_start *= n1;
				i += 2;
				continue;
			}
		}
		size_t next = class_end(p, end, i);
		if (next < end) {
			char q = p[next];
			if (q == '*' || q == '+' || q == '-') {
				if (end_anchor || !only_closing_after(p, end, next + 1))
					per_start *= n1;
				else
					trailing_scan = 2 * n1;
				next++;
			} else if (q == '?') {
				per_start *= 2;
				next++;
			}
		}
		i = next;
	}
	return (anchored ? 1 : n1) * per_start * items + trailing_scan;
}

/* Raise unless the worst case of the call is within budget. */
static void check_pattern(lua_State *L, const char *fn, bool anchor, bool plain)
{
	size_t slen, plen;
	luaL_checklstring(L, 1, &slen);
	const char *p = luaL_checklstring(L, 2, &plen);
	if (sandbox_pattern_cost(p, plen, slen, anchor, plain) > NX_PATTERN_BUDGET)
		luaL_error(L,
			   "string.%s: pattern too costly for a %d-byte subject (its backtracking could run "
			   "for minutes); use a simpler pattern, e.g. one quantifier, or anchor it with '^'",
			   fn, (int)(slen > 0x7fffffff ? 0x7fffffff : slen));
}

/* Run the original C function (upvalue 1) on this call's own stack frame:
 * the library functions use no upvalues, and a direct call costs nothing. */
static int call_original(lua_State *L)
{
	lua_CFunction orig = lua_tocfunction(L, lua_upvalueindex(1));
	if (!orig) {
		lua_pushvalue(L, lua_upvalueindex(1));
		lua_insert(L, 1);
		lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
		return lua_gettop(L);
	}
	return orig(L);
}

static int g_find(lua_State *L)
{
	check_pattern(L, "find", true, lua_toboolean(L, 4));
	return call_original(L);
}

static int g_match(lua_State *L)
{
	check_pattern(L, "match", true, false);
	return call_original(L);
}

static int g_gmatch(lua_State *L)
{
	check_pattern(L, "gmatch", false, false);
	return call_original(L);
}

static int g_gsub(lua_State *L)
{
	check_pattern(L, "gsub", true, false);
	return call_original(L);
}

/* ("").rep(n) copies zero bytes n times: with a huge n that loop never ends
 * and allocates nothing. */
static int g_rep(lua_State *L)
{
	size_t l, lsep;
	luaL_checklstring(L, 1, &l);
	lua_Integer n = luaL_checkinteger(L, 2);
	luaL_optlstring(L, 3, "", &lsep);
	if (l + lsep == 0 || n <= 0) {
		lua_pushliteral(L, "");
		return 1;
	}
	return call_original(L);
}

/* The most elements table.move/insert/remove may walk: no table this
 * sandbox can hold has more slots (16 bytes each). */
static lua_Integer element_limit(lua_State *L)
{
	return (lua_Integer)(nxlua_memory_limit(L) / 16);
}

/* table.move(a1, f, e, t [, a2]) walks e - f + 1 slots even when they are
 * all nil. */
static int g_move(lua_State *L)
{
	lua_Integer f = luaL_checkinteger(L, 2), e = luaL_checkinteger(L, 3);
	if (e >= f && (f <= 0 ? e > element_limit(L) + f : e - f >= element_limit(L)))
		return luaL_error(L, "table.move: too many elements (at most %I)", element_limit(L));
	return call_original(L);
}

/* table.insert/remove shift up to #t elements, and __len may claim any
 * length. */
static int g_shift(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_Integer n = luaL_len(L, 1);
	if (n > element_limit(L) || n < 0)
		return luaL_error(L, "table length %I out of range (at most %I)", n, element_limit(L));
	return call_original(L);
}

static void guard(lua_State *L, const char *lib, const char *name, lua_CFunction fn)
{
	lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
	lua_getfield(L, -1, lib);
	lua_getfield(L, -1, name);
	lua_pushcclosure(L, fn, 1);
	lua_setfield(L, -2, name);
	lua_pop(L, 2);
}

void sandbox_guard_libraries(lua_State *L)
{
	guard(L, LUA_STRLIBNAME, "find", g_find);
	guard(L, LUA_STRLIBNAME, "match", g_match);
	guard(L, LUA_STRLIBNAME, "gmatch", g_gmatch);
	guard(L, LUA_STRLIBNAME, "gsub", g_gsub);
	guard(L, LUA_STRLIBNAME, "rep", g_rep);
	guard(L, LUA_TABLIBNAME, "move", g_move);
	guard(L, LUA_TABLIBNAME, "insert", g_shift);
	guard(L, LUA_TABLIBNAME, "remove", g_shift);
	/* getmetatable("").__index is the string library itself. */
	lua_pushliteral(L, "");
	if (lua_getmetatable(L, -1)) {
		lua_pushliteral(L, "string");
		lua_setfield(L, -2, "__metatable");
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	lua_newtable(L);
	lua_rawsetp(L, LUA_REGISTRYINDEX, &KEY_READONLY);
}

/* --- read-only views ----------------------------------------------------- */

static int ro_newindex(lua_State *L)
{
	return luaL_error(L, "attempt to change read-only table (field '%s')",
			  lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "?");
}

/* pairs(view): walk the table behind it without handing it out. */
static int ro_next(lua_State *L)
{
	lua_settop(L, 2);
	if (lua_next(L, lua_upvalueindex(1)))
		return 2;
	lua_pushnil(L);
	return 1;
}

static int ro_pairs(lua_State *L)
{
	lua_getmetatable(L, 1);
	lua_getfield(L, -1, "__index");
	lua_pushcclosure(L, ro_next, 1);
	lua_pushvalue(L, 1);
	lua_pushnil(L);
	return 3;
}

static int ro_len(lua_State *L)
{
	lua_getmetatable(L, 1);
	lua_getfield(L, -1, "__index");
	lua_pushinteger(L, (lua_Integer)lua_rawlen(L, -1));
	return 1;
}

void sandbox_push_readonly(lua_State *L, int idx)
{
	idx = lua_absindex(L, idx);
	lua_newtable(L); /* view */
	lua_createtable(L, 0, 5);
	lua_pushvalue(L, idx);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, ro_newindex);
	lua_setfield(L, -2, "__newindex");
	lua_pushcfunction(L, ro_pairs);
	lua_setfield(L, -2, "__pairs");
	lua_pushcfunction(L, ro_len);
	lua_setfield(L, -2, "__len");
	lua_pushliteral(L, "read-only");
	lua_setfield(L, -2, "__metatable");
	lua_setmetatable(L, -2);
	lua_rawgetp(L, LUA_REGISTRYINDEX, &KEY_READONLY);
	lua_pushvalue(L, -2);
	lua_pushboolean(L, 1);
	lua_rawset(L, -3);
	lua_pop(L, 1);
}

/* --- base functions ------------------------------------------------------ */

/* Shared end of pcall/xpcall: a stop (time or memory limit) is not an
 * error the script may handle, so it goes on up; anything else is caught
 * as Lua's own pcall does. */
static int finish_protected(lua_State *L, int status, int first)
{
	if (status == LUA_ERRMEM)
		nxlua_note_out_of_memory(L);
	if (status != LUA_OK) {
		nxlua_raise_if_stopped(L);
		lua_pushboolean(L, 0);
		lua_pushvalue(L, -2);
		return 2;
	}
	return lua_gettop(L) - first + 1;
}

static int sb_pcall(lua_State *L)
{
	luaL_checkany(L, 1);
	nxlua_raise_if_stopped(L);
	lua_pushboolean(L, 1);
	lua_insert(L, 1); /* true f args */
	int status = lua_pcall(L, lua_gettop(L) - 2, LUA_MULTRET, 0);
	return finish_protected(L, status, 1);
}

/* xpcall's handler, guarded: once the call is being stopped, the script's
 * handler does not run (it could loop again, or catch the stop). */
static int guarded_handler(lua_State *L)
{
	if (nxlua_stopped(L))
		return 1;
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, 1);
	return 1;
}

static int sb_xpcall(lua_State *L)
{
	int n = lua_gettop(L);
	luaL_checktype(L, 2, LUA_TFUNCTION);
	nxlua_raise_if_stopped(L);
	lua_pushvalue(L, 2);
	lua_pushcclosure(L, guarded_handler, 1);
	lua_replace(L, 2);    /* f handler args */
	lua_pushboolean(L, 1); /* f handler args true */
	lua_pushvalue(L, 1);   /* f handler args true f */
	lua_rotate(L, 3, 2);   /* f handler true f args */
	int status = lua_pcall(L, n - 2, LUA_MULTRET, 2);
	return finish_protected(L, status, 3);
}

/* A __gc finalizer runs whenever the collector gets to it, also outside
 * any call's time limit (at close: after the operation is done). */
static int sb_setmetatable(lua_State *L)
{
	if (lua_type(L, 2) == LUA_TTABLE) {
		lua_pushliteral(L, "__gc");
		bool has_gc = lua_rawget(L, 2) != LUA_TNIL;
		lua_pop(L, 1);
		if (has_gc)
			return luaL_error(L, "setmetatable: __gc is not allowed in the sandbox (a finalizer "
					     "would run outside the time limit)");
	}
	return call_original(L);
}

static int sb_rawset(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_rawgetp(L, LUA_REGISTRYINDEX, &KEY_READONLY);
	lua_pushvalue(L, 1);
	bool ro = lua_rawget(L, -2) != LUA_TNIL;
	lua_pop(L, 2);
	if (ro)
		return luaL_error(L, "rawset: attempt to change a read-only table");
	return call_original(L);
}

void sandbox_set_base_functions(lua_State *L, int safe_idx)
{
	safe_idx = lua_absindex(L, safe_idx);
	lua_pushcfunction(L, sb_pcall);
	lua_setfield(L, safe_idx, "pcall");
	lua_pushcfunction(L, sb_xpcall);
	lua_setfield(L, safe_idx, "xpcall");
	lua_getfield(L, safe_idx, "setmetatable");
	lua_pushcclosure(L, sb_setmetatable, 1);
	lua_setfield(L, safe_idx, "setmetatable");
	lua_getfield(L, safe_idx, "rawset");
	lua_pushcclosure(L, sb_rawset, 1);
	lua_setfield(L, safe_idx, "rawset");
}
