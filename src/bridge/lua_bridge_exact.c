/* Exact integers in the decoded config.json. lua-cjson reads every number
 * through a double, so an integer literal past 2^53 arrives rounded: a
 * seccomp argument 2^53+1 would be compiled as 2^53, and 2^64 (out of a
 * uint64's range) as 2^64-1. When the text has such a literal, it is read
 * again with json.c, which keeps integer literals exact, and the decoded
 * table is corrected in place before spec_normalise: int64 values become
 * exact Lua integers; above, 2^64-1 stays the float 2^64 (the one stand-in
 * the uint64 readers take for it) and values a double holds exactly stay
 * floats; everything else is reported as a problem at its JSON path. */
#define _GNU_SOURCE
#include <math.h>
#include <string.h>

#include <lauxlib.h>

#include "util/json.h"
#include "bridge/lua_bridge_validate.h"

#define TWO53 9007199254740992.0
#define TWO63 9223372036854775808ULL

/* Only a run of 16 digits can be a literal past 2^53 (9007199254740992):
 * without one (nearly every config.json) cjson's doubles are exact. */
static bool may_hold_big_integers(const char *s, size_t len)
{
	size_t run = 0;
	for (size_t i = 0; i < len; i++) {
		run = s[i] >= '0' && s[i] <= '9' ? run + 1 : 0;
		if (run >= 16)
			return true;
	}
	return false;
}

/* The Lua value at -1 is the number cjson made of j; replace or report it. */
static void fix_number(spec_walk *w, int t, const json_value *j)
{
	lua_State *L = w->L;
	if (fabs(j->number) < TWO53 && !j->int_over)
		return; /* a double holds it exactly */
	if (!j->is_int) {
		/* 1.8446744073709552e19 and the like: cjson's 2^64 would read as
		 * the stand-in for 2^64-1 */
		if (j->number >= 18446744073709551616.0)
			spec_problem(w, "must be at most 18446744073709551615 (got %.17g)", j->number);
		return;
	}
	if (j->int_over) {
		spec_problem(w, "%s",
			     j->int_neg ? "must be at least -9223372036854775808 (got a number below it)"
					: "must be at most 18446744073709551615 (got a number past it)");
		return;
	}
	if (j->int_neg ? j->int_mag <= TWO63 : j->int_mag < TWO63) {
		lua_pushvalue(L, -2); /* key */
		lua_pushinteger(L, j->int_neg ? (lua_Integer)(0 - j->int_mag) : (lua_Integer)j->int_mag);
		lua_rawset(L, t);
		return;
	}
	if (j->int_neg) {
		spec_problem(w, "must be at least -9223372036854775808 (got -%llu)", j->int_mag);
		return;
	}
	if (j->int_mag == ~0ULL)
		return; /* 2^64-1: cjson's float 2^64, read as exactly that */
	if ((unsigned long long)(double)j->int_mag != j->int_mag ||
	    (double)j->int_mag >= 18446744073709551616.0)
		spec_problem(w,
			     "%llu cannot be held exactly: above 2^63 nexcage takes only 2^64-1 and the "
			     "values a double holds (multiples of 2048)",
			     j->int_mag);
}

static void fix_table(spec_walk *w, int t, const json_value *j);

/* key at -2, value at -1 (the table's member for j) */
static void fix_member(spec_walk *w, int t, const json_value *j)
{
	lua_State *L = w->L;
	/* the same double, or a later duplicate key won (cjson keeps the last) */
	if (j->type == JSON_NUMBER && lua_type(L, -1) == LUA_TNUMBER && lua_tonumber(L, -1) == j->number)
		fix_number(w, t, j);
	else if ((j->type == JSON_OBJECT || j->type == JSON_ARRAY) && lua_type(L, -1) == LUA_TTABLE)
		fix_table(w, lua_gettop(L), j);
}

static void fix_table(spec_walk *w, int t, const json_value *j)
{
	lua_State *L = w->L;
	luaL_checkstack(L, 6, "config.json nested too deeply");
	lua_Integer i = 0;
	for (const json_value *c = j->child; c; c = c->next, i++) {
		size_t old;
		if (j->type == JSON_OBJECT) {
			old = spec_path_key(w, c->key);
			lua_pushstring(L, c->key);
		} else {
			old = spec_path_index(w, i);
			lua_pushinteger(L, i + 1);
		}
		lua_pushvalue(L, -1);
		lua_rawget(L, t); /* key value */
		fix_member(w, t, c);
		lua_pop(L, 2);
		spec_path_pop(w, old);
	}
}

void spec_exact_numbers(lua_State *L, int idx, const char *data, size_t len, spec_report *r)
{
	if (!may_hold_big_integers(data, len) || lua_type(L, idx) != LUA_TTABLE)
		return;
	spec_walk w = {.L = L, .report = r};
	nx_err err = {0};
	json_value *doc = json_parse(data, len, &err);
	if (!doc) {
		/* cjson read it; json.c is stricter (a \u0000 in a string) */
		spec_problem(&w, "its integers past 2^53 cannot be read exactly: %s", err.msg);
		return;
	}
	if (doc->type == JSON_OBJECT)
		fix_table(&w, lua_absindex(L, idx), doc);
	json_free(doc);
}
