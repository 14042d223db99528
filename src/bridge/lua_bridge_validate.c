/* The walker behind spec_validate: it checks a value against a schema node
 * (kind, enumeration, integer range, members, items), recurses, then runs
 * the node's rule, and keeps the JSON path of where it is so every problem
 * names it. Object members are visited in schema order and map keys in
 * sorted order, so a report is the same from one run to the next (Lua's
 * table order is not). Everything is linear in the size of the input. */
#define _GNU_SOURCE
#include "bridge/lua_bridge_validate.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "util/log.h"

/* Unknown properties named in the debug log, at most. */
#define UNKNOWN_LOGGED_MAX 20
/* Bytes of a string value shown in "(got ...)". */
#define SHOW_MAX 60

static void report_line(spec_report *r, const char *path, const char *msg)
{
	if (r->count++ >= SPEC_REPORT_MAX)
		return;
	if (*path)
		buf_printf(&r->lines, "config.json: %s: %s\n", path, msg);
	else
		buf_printf(&r->lines, "config.json: %s\n", msg);
}

static void vproblem(spec_walk *w, const char *suffix, const char *fmt, va_list ap)
{
	char msg[1024], path[SPEC_PATH_MAX + 64];
	vsnprintf(msg, sizeof msg, fmt, ap);
	snprintf(path, sizeof path, "%s%s", w->path, suffix);
	report_line(w->report, path, msg);
}

void spec_problem(spec_walk *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vproblem(w, "", fmt, ap);
	va_end(ap);
}

void spec_problem_at(spec_walk *w, const char *suffix, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vproblem(w, suffix, fmt, ap);
	va_end(ap);
}

/* --- paths ---------------------------------------------------------------- */

/* Append text, or "..." once when the path would not fit. */
static void path_append(spec_walk *w, const char *s, size_t n)
{
	if (w->plen + n + 4 >= sizeof w->path) {
		if (w->plen < 3 || strcmp(w->path + w->plen - 3, "..."))
			w->plen += (size_t)snprintf(w->path + w->plen, sizeof w->path - w->plen, "...");
		return;
	}
	memcpy(w->path + w->plen, s, n);
	w->plen += n;
	w->path[w->plen] = '\0';
}

static bool is_identifier(const char *k)
{
	if (!(('a' <= *k && *k <= 'z') || ('A' <= *k && *k <= 'Z') || *k == '_'))
		return false;
	for (k++; *k; k++)
		if (!(('a' <= *k && *k <= 'z') || ('A' <= *k && *k <= 'Z') || ('0' <= *k && *k <= '9') ||
		      *k == '_'))
			return false;
	return true;
}

/* Names are shown as .name, other keys as ["net.ipv4.ip_forward"]. */
size_t spec_path_key(spec_walk *w, const char *key)
{
	size_t old = w->plen;
	if (is_identifier(key) && strlen(key) <= SHOW_MAX) {
		if (w->plen)
			path_append(w, ".", 1);
		path_append(w, key, strlen(key));
		return old;
	}
	nx_buf b = {0};
	buf_puts(&b, "[");
	size_t n = strnlen(key, SHOW_MAX);
	while (n > 0 && n < strlen(key) && ((unsigned char)key[n] & 0xc0) == 0x80)
		n--; /* cut on a character boundary */
	char cut[SHOW_MAX + 1];
	memcpy(cut, key, n);
	cut[n] = '\0';
	buf_json_string(&b, cut);
	buf_puts(&b, n < strlen(key) ? "...]" : "]");
	path_append(w, b.data, b.len);
	buf_free(&b);
	return old;
}

size_t spec_path_index(spec_walk *w, lua_Integer i)
{
	size_t old = w->plen;
	char s[32];
	int n = snprintf(s, sizeof s, "[%lld]", (long long)i);
	path_append(w, s, (size_t)n);
	return old;
}

void spec_path_pop(spec_walk *w, size_t len)
{
	w->plen = len;
	w->path[len] = '\0';
}

/* --- values --------------------------------------------------------------- */

typedef enum { TBL_EMPTY, TBL_OBJECT, TBL_ARRAY } tbl_kind;

/* cjson decodes objects and arrays alike into tables: an object has string
 * keys, an array the keys 1..n; {} and [] cannot be told apart. */
static tbl_kind table_kind(lua_State *L, int idx)
{
	lua_pushnil(L);
	if (!lua_next(L, idx))
		return TBL_EMPTY;
	tbl_kind k = lua_type(L, -2) == LUA_TSTRING ? TBL_OBJECT : TBL_ARRAY;
	lua_pop(L, 2);
	return k;
}

static void show_number(lua_State *L, int idx, char *buf, size_t n)
{
	if (lua_isinteger(L, idx)) {
		snprintf(buf, n, "%lld", (long long)lua_tointeger(L, idx));
		return;
	}
	double d = lua_tonumber(L, idx);
	if (!isfinite(d)) {
		snprintf(buf, n, "a number out of range");
		return;
	}
	/* the shortest form that reads back as the same double */
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, n, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			return;
	}
}

const char *spec_show(lua_State *L, int idx, char *buf, size_t n)
{
	idx = lua_absindex(L, idx);
	switch (lua_type(L, idx)) {
	case LUA_TSTRING: {
		size_t len;
		const char *s = lua_tolstring(L, idx, &len);
		size_t cut = len > SHOW_MAX ? SHOW_MAX : len;
		while (cut > 0 && cut < len && ((unsigned char)s[cut] & 0xc0) == 0x80)
			cut--;
		char part[SHOW_MAX + 1];
		memcpy(part, s, cut);
		part[cut] = '\0';
		nx_buf b = {0};
		buf_json_string(&b, part);
		snprintf(buf, n, "%s%s", b.data, cut < len ? "..." : "");
		buf_free(&b);
		break;
	}
	case LUA_TNUMBER: show_number(L, idx, buf, n); break;
	case LUA_TBOOLEAN: snprintf(buf, n, "%s", lua_toboolean(L, idx) ? "true" : "false"); break;
	case LUA_TTABLE: {
		tbl_kind k = table_kind(L, idx);
		snprintf(buf, n, "%s",
			 k == TBL_OBJECT  ? "an object"
			 : k == TBL_ARRAY ? "an array"
					  : "an empty object or array");
		break;
	}
	default: snprintf(buf, n, "null"); break;
	}
	return buf;
}

int spec_get(lua_State *L, int t, const char *key)
{
	lua_pushstring(L, key);
	int type = lua_rawget(L, t);
	if (type == LUA_TLIGHTUSERDATA) { /* a null left inside an array */
		lua_pop(L, 1);
		lua_pushnil(L);
		type = LUA_TNIL;
	}
	return type;
}

const char *spec_string(lua_State *L, int t, const char *key)
{
	if (lua_type(L, t) != LUA_TTABLE)
		return NULL;
	const char *s = spec_get(L, t, key) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
	lua_pop(L, 1);
	return s;
}

bool spec_integer(lua_State *L, int t, const char *key, lua_Integer *out)
{
	if (lua_type(L, t) != LUA_TTABLE)
		return false;
	bool ok = spec_get(L, t, key) == LUA_TNUMBER && lua_isinteger(L, -1);
	if (ok)
		*out = lua_tointeger(L, -1);
	lua_pop(L, 1);
	return ok;
}

/* --- the walk ------------------------------------------------------------- */

/* "a string", "an array of strings", "an integer between 0 and 255", ... */
static void describe(const spec_node *n, char *buf, size_t len)
{
	if (n->desc) {
		snprintf(buf, len, "%s", n->desc);
		return;
	}
	switch (n->kind) {
	case SPEC_STRING: {
		if (!n->choices) {
			snprintf(buf, len, "a string");
			break;
		}
		size_t used = (size_t)snprintf(buf, len, "one of");
		for (const char *const *c = n->choices; *c && used < len; c++)
			used +=
			    (size_t)snprintf(buf + used, len - used, "%s %s", c == n->choices ? "" : ",", *c);
		break;
	}
	case SPEC_BOOL: snprintf(buf, len, "true or false"); break;
	case SPEC_INT:
		if (n->u64)
			snprintf(buf, len, "an integer between %lld and 18446744073709551615", n->min);
		else if (n->max == LLONG_MAX && n->min != LLONG_MIN)
			snprintf(buf, len, "an integer of at least %lld", n->min);
		else
			snprintf(buf, len, "an integer between %lld and %lld", n->min, n->max);
		break;
	case SPEC_OBJECT:
	case SPEC_MAP: snprintf(buf, len, "an object"); break;
	case SPEC_ARRAY: {
		const spec_node *it = n->items;
		const char *of = it->kind == SPEC_STRING && !it->choices ? " of strings"
				 : it->kind == SPEC_INT			 ? " of integers"
				 : it->kind == SPEC_OBJECT		 ? " of objects"
									 : "";
		snprintf(buf, len, "an array%s", of);
		break;
	}
	}
}

static void wrong(spec_walk *w, int idx, const spec_node *n)
{
	char want[512], got[128];
	describe(n, want, sizeof want);
	spec_problem(w, "must be %s (got %s)", want, spec_show(w->L, idx, got, sizeof got));
}

static bool int_fits(lua_State *L, int idx, const spec_node *n)
{
	if (lua_type(L, idx) != LUA_TNUMBER)
		return false;
	if (lua_isinteger(L, idx)) {
		long long v = lua_tointeger(L, idx);
		return v >= n->min && (n->u64 || v <= n->max);
	}
	/* A float here is a fraction or past the int64 range (spec_normalise
	 * made every other integral number an integer): a uint64 above 2^63
	 * that a double holds exactly, or 2^64, which stands for 2^64-1
	 * (spec_exact_numbers reported every other literal there). */
	double d = lua_tonumber(L, idx);
	if (!isfinite(d) || floor(d) != d)
		return false;
	return n->u64 && d >= 0 && d <= 18446744073709551616.0;
}

static bool string_ok(spec_walk *w, int idx, const spec_node *n)
{
	if (lua_type(w->L, idx) != LUA_TSTRING) {
		wrong(w, idx, n);
		return false;
	}
	if (!n->choices)
		return true;
	const char *s = lua_tostring(w->L, idx);
	for (const char *const *c = n->choices; *c; c++)
		if (!strcmp(*c, s))
			return true;
	wrong(w, idx, n);
	return false;
}

static bool known_member(const spec_member *m, const char *key)
{
	for (; m->name; m++)
		if (!strcmp(m->name, key))
			return true;
	return false;
}

/* Unknown properties are ignored (runtime-spec: extensibility); with
 * --debug a few are named. */
static void log_unknown(spec_walk *w, int idx, const spec_member *members)
{
	lua_State *L = w->L;
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		if (lua_type(L, -2) == LUA_TSTRING && !known_member(members, lua_tostring(L, -2)) &&
		    w->unknown++ < UNKNOWN_LOGGED_MAX) {
			size_t old = spec_path_key(w, lua_tostring(L, -2));
			log_debug("config.json: %s: unknown property, ignored", w->path);
			spec_path_pop(w, old);
		}
		lua_pop(L, 1);
	}
}

static bool object_ok(spec_walk *w, int idx, const spec_node *n)
{
	lua_State *L = w->L;
	if (lua_type(L, idx) != LUA_TTABLE || table_kind(L, idx) == TBL_ARRAY) {
		wrong(w, idx, n);
		return false;
	}
	for (const spec_member *m = n->members; m->name; m++) {
		size_t old = spec_path_key(w, m->name);
		if (spec_get(L, idx, m->name) == LUA_TNIL) {
			if (m->required)
				spec_problem(w, "required");
		} else if (m->node) { /* NULL: known, checked elsewhere */
			spec_walk_node(w, lua_gettop(L), m->node);
		}
		lua_pop(L, 1);
		spec_path_pop(w, old);
	}
	if (log_debug_enabled())
		log_unknown(w, idx, n->members);
	return true;
}

static bool array_ok(spec_walk *w, int idx, const spec_node *n)
{
	lua_State *L = w->L;
	if (lua_type(L, idx) != LUA_TTABLE || table_kind(L, idx) == TBL_OBJECT) {
		wrong(w, idx, n);
		return false;
	}
	lua_Integer len = (lua_Integer)lua_rawlen(L, idx);
	if ((size_t)len < n->min_items) {
		char want[512];
		describe(n, want, sizeof want);
		spec_problem(w, "must be %s", want);
		return false;
	}
	for (lua_Integer i = 1; i <= len; i++) {
		size_t old = spec_path_index(w, i - 1);
		lua_rawgeti(L, idx, i);
		spec_walk_node(w, lua_gettop(L), n->items);
		lua_pop(L, 1);
		spec_path_pop(w, old);
	}
	return true;
}

static int compare_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool map_ok(spec_walk *w, int idx, const spec_node *n)
{
	lua_State *L = w->L;
	if (lua_type(L, idx) != LUA_TTABLE || table_kind(L, idx) == TBL_ARRAY) {
		wrong(w, idx, n);
		return false;
	}
	size_t count = 0;
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		count++;
		lua_pop(L, 1);
	}
	/* The sorted keys live in a userdata: collected if Lua raises. The
	 * strings stay anchored by the table. */
	const char **keys = lua_newuserdatauv(L, count * sizeof *keys + 1, 0);
	size_t k = 0;
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		if (k < count && lua_type(L, -2) == LUA_TSTRING)
			keys[k++] = lua_tostring(L, -2);
		lua_pop(L, 1);
	}
	qsort(keys, k, sizeof *keys, compare_keys);
	for (size_t i = 0; i < k; i++) {
		if (!keys[i][0]) {
			spec_problem(w, "keys must not be empty strings");
			continue;
		}
		size_t old = spec_path_key(w, keys[i]);
		spec_get(L, idx, keys[i]);
		spec_walk_node(w, lua_gettop(L), n->items);
		lua_pop(L, 1);
		spec_path_pop(w, old);
	}
	lua_pop(L, 1); /* keys */
	return true;
}

void spec_walk_node(spec_walk *w, int idx, const spec_node *n)
{
	lua_State *L = w->L;
	luaL_checkstack(L, 8, "config.json nested too deeply");
	idx = lua_absindex(L, idx);
	bool ok = false;
	switch (n->kind) {
	case SPEC_STRING: ok = string_ok(w, idx, n); break;
	case SPEC_BOOL:
		ok = lua_type(L, idx) == LUA_TBOOLEAN;
		if (!ok)
			wrong(w, idx, n);
		break;
	case SPEC_INT:
		ok = int_fits(L, idx, n);
		if (!ok)
			wrong(w, idx, n);
		break;
	case SPEC_OBJECT: ok = object_ok(w, idx, n); break;
	case SPEC_ARRAY: ok = array_ok(w, idx, n); break;
	case SPEC_MAP: ok = map_ok(w, idx, n); break;
	}
	if (ok && n->rule)
		n->rule(w, idx);
}

void spec_validate(lua_State *L, int idx, const char *bundle_dir, char *rootfs, spec_report *r)
{
	spec_walk w = {
	    .L = L, .report = r, .bundle = bundle_dir, .rootfs = rootfs, .spec = lua_absindex(L, idx)};
	rootfs[0] = '\0';
	spec_walk_node(&w, w.spec, &spec_config);
}

/* --- normalising ---------------------------------------------------------- */

static bool has_nul(lua_State *L, int idx)
{
	size_t len;
	const char *s = lua_tolstring(L, idx, &len);
	return strlen(s) != len;
}

static void normalise(spec_walk *w, int t)
{
	lua_State *L = w->L;
	luaL_checkstack(L, 8, "config.json nested too deeply");
	lua_pushnil(L); /* key */
	while (lua_next(L, t)) {
		/* key value */
		bool named = lua_type(L, -2) == LUA_TSTRING;
		if (named && has_nul(L, -2))
			spec_problem(w, "property names must not contain a NUL character (\\u0000)");
		switch (lua_type(L, -1)) {
		case LUA_TNUMBER: {
			lua_Integer i;
			lua_Number d = lua_tonumber(L, -1);
			if (!lua_isinteger(L, -1) && lua_numbertointeger(d, &i) && (lua_Number)i == d) {
				lua_pushvalue(L, -2);
				lua_pushinteger(L, i);
				lua_rawset(L, t); /* an existing field: allowed during lua_next */
			}
			break;
		}
		case LUA_TLIGHTUSERDATA: /* cjson.null */
			if (named) {
				lua_pushvalue(L, -2);
				lua_pushnil(L);
				lua_rawset(L, t); /* clearing a field: allowed during lua_next */
			}
			break;
		case LUA_TSTRING:
		case LUA_TTABLE: {
			size_t old = named ? spec_path_key(w, lua_tostring(L, -2))
					   : spec_path_index(w, lua_tointeger(L, -2) - 1);
			if (lua_type(L, -1) == LUA_TTABLE)
				normalise(w, lua_gettop(L));
			else if (has_nul(L, -1))
				spec_problem(w, "must not contain a NUL character (\\u0000)");
			spec_path_pop(w, old);
			break;
		}
		default: break;
		}
		lua_pop(L, 1);
	}
}

void spec_normalise(lua_State *L, int idx, spec_report *r)
{
	spec_walk w = {.L = L, .report = r};
	if (lua_type(L, idx) == LUA_TTABLE)
		normalise(&w, lua_absindex(L, idx));
}
